import './servers.css';
import { Alert, Button, Group, Loader, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import type { Server } from '../../../shared/domain/server.js';
import { describeError } from '../../../shared/errors.js';
import { useInvoke, useServers } from '../api/queries.js';
import { ConfirmModal } from '../app/ConfirmModal.js';
import { toWireError } from '../app/errors.js';
import { AttachServerModal } from './AttachServerModal.js';
import { CommandBar } from './CommandBar.js';
import { ConnectDialogs, HostKeyAlarms } from './ConnectDialogs.js';
import { OutputPanels } from './OutputPanels.js';
import { ServerTable } from './ServerTable.js';
import { TerminalModal } from './TerminalModal.js';
import { useCommandRun } from './useCommandRun.js';
import { useConnectFlow } from './useConnectFlow.js';

function RunSummary({ command, sudo, hosts }: { command: string; sudo: boolean; hosts: number }) {
  return (
    <Group gap={6} wrap="nowrap">
      <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
        {sudo ? 'sudo ' : ''}sh -c on {hosts} server{hosts === 1 ? '' : 's'}:
      </Text>
      <Text size="xs" ff="monospace" truncate>
        {command}
      </Text>
    </Group>
  );
}

/** The customer's servers for this ticket: attach, connect (host keys, credentials), run, open a shell. */
export function ServersTab({ ticketId }: { ticketId: string }) {
  const servers = useServers(ticketId);
  const flow = useConnectFlow();
  const { run, running, start, cancel } = useCommandRun();
  const [attaching, setAttaching] = useState(false);
  const [detaching, setDetaching] = useState<Server | null>(null);
  const [terminalFor, setTerminalFor] = useState<Server | null>(null);
  const disconnect = useInvoke('servers.disconnect', (_input, server) => server.ticketId);
  const remove = useInvoke('servers.remove', () => ticketId);
  const list = servers.data ?? [];

  return (
    <Stack gap="sm">
      <HostKeyAlarms flow={flow} />
      <CommandBar ticketId={ticketId} servers={list} running={running} cancelling={run?.cancelling ?? false} onRun={(r) => void start(r)} onCancel={() => void cancel()} />

      {run && (
        <Stack gap={6}>
          <RunSummary command={run.command} sudo={run.sudo} hosts={run.targets.length} />
          <OutputPanels run={run} />
        </Stack>
      )}

      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {servers.data ? `${list.length} server${list.length === 1 ? '' : 's'} attached; ${list.filter((s) => s.connection === 'connected').length} connected` : ' '}
        </Text>
        <Button onClick={() => setAttaching(true)}>Attach server</Button>
      </Group>

      {servers.isPending ? (
        <Loader size="sm" />
      ) : servers.error ? (
        <Alert color="red">{describeError(toWireError(servers.error))}</Alert>
      ) : list.length === 0 ? (
        <Text size="sm" c="dimmed" maw={720}>
          No servers attached yet. Attach the customer&apos;s servers by address or by an alias from your ~/.ssh/config; ssh-agent, your keys
          and ProxyJump bastions are used as ssh would. Host keys are checked before anything is sent, and every command is recorded in the
          audit log.
        </Text>
      ) : (
        <ServerTable
          servers={list}
          busy={flow.busy}
          disconnecting={disconnect.isPending ? (disconnect.variables?.id ?? null) : null}
          onConnect={(server) => void flow.connect(server)}
          onDisconnect={(server) => disconnect.mutate({ id: server.id })}
          onTerminal={setTerminalFor}
          onDetach={setDetaching}
        />
      )}

      <AttachServerModal ticketId={ticketId} opened={attaching} onClose={() => setAttaching(false)} />
      <ConnectDialogs flow={flow} />
      <ConfirmModal
        opened={detaching !== null}
        title="Detach server"
        message={detaching ? `Detach ${detaching.label} from ${ticketId}? Its session closes; what was run stays in the audit log.` : ''}
        confirmLabel="Detach"
        onCancel={() => setDetaching(null)}
        onConfirm={() => {
          if (detaching) remove.mutate({ id: detaching.id });
          setDetaching(null);
        }}
      />
      <TerminalModal server={terminalFor} onClose={() => setTerminalFor(null)} />
    </Stack>
  );
}
