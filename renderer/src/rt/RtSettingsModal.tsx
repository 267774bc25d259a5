import { Alert, Button, Group, Loader, Modal, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import type { TicketSystemSettings } from '../../../shared/contract/tickets-system.js';
import { describeError } from '../../../shared/errors.js';
import { toWireError } from '../app/errors.js';
import { issuesToFields } from '../app/issueFields.js';
import { rtSettingsPanel } from './panels.js';
import { useRtCall, useRtSettings } from './rtApi.js';

const sourceWords: Record<TicketSystemSettings['tokenSource'], string> = {
  keychain: 'the token kept in the OS keychain',
  env: 'the token in BACKLINE_RT_TOKEN (or the file BACKLINE_RT_TOKEN_FILE names)',
  file: 'the token in the file named below, read on each use',
  none: 'no token yet',
};

function SettingsForm({ settings }: { settings: TicketSystemSettings }) {
  const [baseUrl, setBaseUrl] = useState(settings.baseUrl ?? '');
  const [token, setToken] = useState('');
  const [tokenFile, setTokenFile] = useState(settings.tokenFile ?? '');
  const save = useRtCall('ticketSystem.settings.set', { formShowsErrors: true });
  const test = useRtCall('ticketSystem.test');
  const wire = save.error ? toWireError(save.error) : null;
  const issues = issuesToFields(wire?.issues, { baseUrl: 'baseUrl', token: 'token', tokenFile: 'tokenFile' });
  const submit = () =>
    save.mutate(
      {
        baseUrl,
        ...(settings.canStoreToken && token.trim() ? { token } : {}),
        ...(!settings.canStoreToken ? { tokenFile: tokenFile.trim() || null } : {}),
      },
      { onSuccess: () => setToken('') },
    );
  const result = test.data;
  return (
    <Stack gap="sm">
      <TextInput label="RT address" placeholder="https://rt.example.com" value={baseUrl} onChange={(e) => setBaseUrl(e.currentTarget.value)} error={issues.fields.baseUrl} data-autofocus />
      <Text size="xs" c="dimmed">
        Using {sourceWords[settings.tokenSource]}. Backline never shows the token again and never keeps it in plain text.
      </Text>
      {settings.canStoreToken ? (
        <PasswordInput
          label="Auth token"
          description="From RT: Logged in as → Settings → Auth Tokens. Kept encrypted by the OS keychain; leave empty to keep the one stored."
          value={token}
          onChange={(e) => setToken(e.currentTarget.value)}
          error={issues.fields.token}
        />
      ) : (
        <>
          {settings.storeRefusal && (
            <Alert color="gray" p="xs">
              <Text size="xs">{settings.storeRefusal}</Text>
            </Alert>
          )}
          <TextInput
            label="Token file"
            description="A file holding the token (readable only by you); BACKLINE_RT_TOKEN in Backline's environment wins over it."
            placeholder="~/.config/backline/rt-token"
            value={tokenFile}
            onChange={(e) => setTokenFile(e.currentTarget.value)}
            error={issues.fields.tokenFile}
          />
        </>
      )}
      {wire && !issues.fields.baseUrl && <Alert color="red">{describeError(wire)}</Alert>}
      {result &&
        (result.ok ? (
          <Alert color="green" title="Connected" data-testid="rt-test-result">
            Logged in to RT {result.rtVersion} at {result.baseUrl} as <b>{result.user.name}</b>
            {result.user.realName ? ` (${result.user.realName})` : ''} in {Math.round(result.elapsedMs)} ms.
          </Alert>
        ) : (
          <Alert color="red" title={`Connection failed: ${result.kind}`} data-testid="rt-test-result">
            <Text size="sm">{result.message}</Text>
            <Text size="xs" c="dimmed">
              {result.hint}
            </Text>
          </Alert>
        ))}
      {test.error && <Alert color="red">{describeError(toWireError(test.error))}</Alert>}
      <Group justify="space-between">
        <Button variant="default" loading={test.isPending} onClick={() => test.mutate({})}>
          Test connection
        </Button>
        <Group gap="xs">
          <Button variant="default" onClick={rtSettingsPanel.close}>
            Close
          </Button>
          <Button loading={save.isPending} onClick={submit}>
            Save
          </Button>
        </Group>
      </Group>
    </Stack>
  );
}

/** RT's address and where its token comes from, with a test that says who we are or what failed. */
export function RtSettingsModal() {
  const opened = rtSettingsPanel.useValue();
  const settings = useRtSettings();
  return (
    <Modal opened={opened} onClose={rtSettingsPanel.close} title="Request Tracker" size="lg">
      {opened &&
        (settings.data ? (
          <SettingsForm settings={settings.data} />
        ) : settings.error ? (
          <Alert color="red">{describeError(toWireError(settings.error))}</Alert>
        ) : (
          <Loader size="sm" />
        ))}
    </Modal>
  );
}
