import { Alert, Button, Checkbox, Code, Group, Modal, PasswordInput, Stack, Table, Text } from '@mantine/core';
import { useAppInfo } from '../api/queries.js';
import { useState, type FormEvent } from 'react';
import { keyHostPort, secretsOf } from './connectErrors.js';
import type { ConnectDialog, ConnectFlow } from './useConnectFlow.js';

/** The host a key belongs to, and the hop it is on the way to the server when it is a jump host. */
function HostName({ hostKey, server }: { hostKey: { host: string; port: number; label: string }; server: { label: string } }) {
  return (
    <>
      {keyHostPort(hostKey)}
      {hostKey.label !== hostKey.host && (
        <Text span size="xs" c="dimmed" ml={6}>
          ({hostKey.label}
          {hostKey.label !== server.label ? `, on the way to ${server.label}` : ''})
        </Text>
      )}
    </>
  );
}

function UnknownHostKey({ dialog, flow }: { dialog: Extract<ConnectDialog, { kind: 'unknown-host' }>; flow: ConnectFlow }) {
  const { key, server } = dialog;
  const busy = flow.busy.has(server.id);
  return (
    <Stack gap="sm">
      <Text size="sm">{dialog.message}</Text>
      <Table withTableBorder withColumnBorders variant="vertical" layout="fixed">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={110}>Host</Table.Th>
            <Table.Td ff="monospace">
              <HostName hostKey={key} server={server} />
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Key type</Table.Th>
            <Table.Td ff="monospace">{key.keyType}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Fingerprint</Table.Th>
            <Table.Td>
              <Code fz="sm" className="bl-fingerprint" data-testid="host-key-fingerprint">
                {key.fingerprint}
              </Code>
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {dialog.hint && (
        <Text size="sm" c="dimmed">
          {dialog.hint}
        </Text>
      )}
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={flow.cancel} data-autofocus>
          Cancel
        </Button>
        <Button color="orange" loading={busy} onClick={() => void flow.trust(dialog)}>
          Trust and connect
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * A host on record under other key types presented a new one: the keys on record and the one presented
 * side by side, and an override that is not the ordinary Trust: it names what is being accepted and stays
 * disabled until the engineer says they confirmed the new key.
 */
function KeyTypeChanged({ dialog, flow }: { dialog: Extract<ConnectDialog, { kind: 'key-type-changed' }>; flow: ConnectFlow }) {
  const { key, known, server } = dialog;
  const busy = flow.busy.has(server.id);
  const [confirmed, setConfirmed] = useState(false);
  return (
    <Stack gap="sm">
      <Alert color="red" variant="filled" title="HOST KEY TYPE CHANGED — nothing was sent" role="alert">
        {dialog.message}
      </Alert>
      <Table withTableBorder withColumnBorders variant="vertical" layout="fixed">
        <Table.Tbody>
          <Table.Tr>
            <Table.Th w={130}>Host</Table.Th>
            <Table.Td ff="monospace">
              <HostName hostKey={key} server={server} />
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Presented now</Table.Th>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {key.keyType}
              </Text>
              <Code fz="sm" className="bl-fingerprint" data-testid="host-key-fingerprint">
                {key.fingerprint}
              </Code>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>On record</Table.Th>
            <Table.Td data-testid="host-keys-on-record">
              {known.map((k) => (
                <div key={`${k.file}:${k.line}`}>
                  <Text size="sm" ff="monospace">
                    {k.keyType}
                  </Text>
                  <Code fz="sm" className="bl-fingerprint">
                    {k.fingerprint}
                  </Code>
                  <Text size="xs" c="dimmed" ff="monospace">
                    {k.file}:{k.line}
                  </Text>
                </div>
              ))}
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
      {dialog.hint && (
        <Text size="sm" c="dimmed">
          {dialog.hint}
        </Text>
      )}
      <Checkbox
        size="xs"
        color="red"
        label={`I confirmed with the customer that the ${key.keyType} key ${key.fingerprint} belongs to ${key.label}`}
        checked={confirmed}
        onChange={(e) => setConfirmed(e.currentTarget.checked)}
      />
      <Group justify="flex-end" gap="xs">
        <Button variant="default" onClick={flow.cancel} data-autofocus>
          Cancel
        </Button>
        <Button color="red" loading={busy} disabled={!confirmed} onClick={() => void flow.acceptKeyTypeChange(dialog)}>
          Accept the new key type and connect
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * Asks for what the server wants. The first question just asks ("web2 asks for a password"); once
 * something typed was refused it says so ("Login refused", then "Still refused"). Only the fields that can
 * help are shown: a password when the server takes one, a passphrase when a key is locked by one.
 */
function Credentials({ dialog, flow }: { dialog: Extract<ConnectDialog, { kind: 'auth' }>; flow: ConnectFlow }) {
  const [password, setPassword] = useState('');
  const [passphrase, setPassphrase] = useState('');
  const [remember, setRemember] = useState(false);
  // Only the desktop app can keep secrets (sealed by the OS keychain); the browser shell never stores them.
  const canRemember = useAppInfo().data?.shell === 'electron';
  const busy = flow.busy.has(dialog.server.id);
  const { ask } = dialog;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void flow.connect(dialog.server, secretsOf(ask.password ? password : '', ask.passphrase ? passphrase : ''), canRemember && remember);
  };
  return (
    <form onSubmit={submit} noValidate>
      <Stack gap="sm">
        {dialog.refusals === 0 ? (
          <Stack gap={2}>
            <Text size="sm">{dialog.message}</Text>
            {dialog.hint && (
              <Text size="xs" c="dimmed">
                {dialog.hint}
              </Text>
            )}
          </Stack>
        ) : (
          <Alert color="red" title={dialog.refusals > 1 ? 'Still refused' : 'Login refused'} role="alert">
            {[dialog.message, dialog.hint].filter(Boolean).join(' — ')}
          </Alert>
        )}
        {ask.passphrase && (
          <PasswordInput
            label="Key passphrase"
            size="xs"
            visibilityToggleButtonProps={{ 'aria-label': 'Show the typed characters' }}
            autoComplete="off"
            description="For an encrypted key file"
            data-autofocus
            value={passphrase}
            onChange={(e) => setPassphrase(e.currentTarget.value)}
          />
        )}
        {ask.password && (
          <PasswordInput
            label="Password"
            size="xs"
            visibilityToggleButtonProps={{ 'aria-label': 'Show the typed characters' }}
            autoComplete="off"
            data-autofocus={!ask.passphrase || undefined}
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
        )}
        {canRemember ? (
          <Checkbox size="xs" label="Remember, encrypted by the system keychain" checked={remember} onChange={(e) => setRemember(e.currentTarget.checked)} />
        ) : (
          <Text size="xs" c="dimmed">
            Held in memory for this session only; never written to disk.
          </Text>
        )}
        <Group justify="flex-end" gap="xs">
          <Button variant="default" onClick={flow.cancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!(ask.password && password) && !(ask.passphrase && passphrase)}>
            Connect
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** The questions a connect can raise; one at a time. */
export function ConnectDialogs({ flow }: { flow: ConnectFlow }) {
  const { dialog } = flow;
  return (
    <>
      <Modal opened={dialog?.kind === 'unknown-host'} onClose={flow.cancel} title="Unknown host key" size="lg">
        {/* Keyed by fingerprint: a second hop's key is a new question, not an edit of the first. */}
        {dialog?.kind === 'unknown-host' && <UnknownHostKey key={dialog.key.fingerprint} dialog={dialog} flow={flow} />}
      </Modal>
      <Modal opened={dialog?.kind === 'key-type-changed'} onClose={flow.cancel} title="Host key of another type than on record" size="lg">
        {dialog?.kind === 'key-type-changed' && <KeyTypeChanged key={dialog.key.fingerprint} dialog={dialog} flow={flow} />}
      </Modal>
      <Modal opened={dialog?.kind === 'auth'} onClose={flow.cancel} title={dialog ? `Log in to ${dialog.server.label}` : 'Log in'} size="md">
        {dialog?.kind === 'auth' && <Credentials key={dialog.server.id} dialog={dialog} flow={flow} />}
      </Modal>
    </>
  );
}

export function HostKeyAlarms({ flow }: { flow: ConnectFlow }) {
  return flow.alarms.map((alarm) => (
    <Alert
      key={alarm.serverId}
      color="red"
      variant="filled"
      role="alert"
      title="HOST KEY CHANGED — not connected"
      withCloseButton
      closeButtonLabel={`Dismiss the host key alarm for ${alarm.label}`}
      onClose={() => flow.dismissAlarm(alarm.serverId)}
    >
      <Text size="sm" fw={600}>
        {alarm.label}: {alarm.message}
      </Text>
      {alarm.hint && <Text size="sm">{alarm.hint}</Text>}
    </Alert>
  ));
}
