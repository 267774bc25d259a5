import './servers.css';
import { Alert, Badge, Button, Group, List, Loader, Modal, Stack, Text } from '@mantine/core';
import { useRef, useState } from 'react';
import type { RunSummary } from '../../../shared/domain/command.js';
import type { Server } from '../../../shared/domain/server.js';
import { describeError } from '../../../shared/errors.js';
import { useInvoke, useRunCommands, useServers } from '../api/queries.js';
import { ConfirmModal } from '../app/ConfirmModal.js';
import { notifyError, toWireError } from '../app/errors.js';
import { formatDateTime } from '../app/formatTime.js';
import { useIntent } from '../workspace/intents.js';
import { useWorkbench } from '../workspace/workbench.js';
import { AttachServerModal } from './AttachServerModal.js';
import { runQuestion, type RunQuestion } from './command.js';
import { CommandBar, type RunSubmit } from './CommandBar.js';
import { mergeHistory } from './commandHistory.js';
import { CompareRuns } from './CompareRuns.js';
import { ConnectDialogs, HostKeyAlarms } from './ConnectDialogs.js';
import { OutputPanels } from './OutputPanels.js';
import { RunEvidenceModal, type EvidenceTarget } from './RunEvidenceModal.js';
import { RunHistory } from './RunHistory.js';
import type { RunRequest } from './runStore.js';
import type { RunView } from './runView.js';
import { ServerTable } from './ServerTable.js';
import { useCommandRun } from './useCommandRun.js';
import { useConnectFlow } from './useConnectFlow.js';

function RunHeader({ run, onRerun, onEvidence, onClose, busy }: { run: RunView; onRerun: () => void; onEvidence: (target: EvidenceTarget) => void; onClose: () => void; busy: boolean }) {
  const hosts = run.hosts.length;
  const hasOutput = run.stored && run.hosts.some((h) => h.state === 'result');
  return (
    <Group justify="space-between" wrap="nowrap" gap="xs">
      <Group gap={6} wrap="nowrap" miw={0}>
        {run.sudo && (
          <Badge color="orange" variant="filled" size="sm">
            sudo
          </Badge>
        )}
        <Text size="xs" c="dimmed" style={{ whiteSpace: 'nowrap' }}>
          {formatDateTime(run.startedAt)} · sh -c on {hosts} server{hosts === 1 ? '' : 's'}:
        </Text>
        <Text size="xs" ff="monospace" truncate title={run.command}>
          {run.command}
        </Text>
      </Group>
      <Group gap={4} wrap="nowrap">
        <Button size="compact-xs" variant="default" disabled={busy} onClick={onRerun}>
          Run again
        </Button>
        <Button size="compact-xs" variant="light" disabled={!hasOutput || run.status === 'running'} onClick={() => onEvidence('finding')}>
          Add to finding
        </Button>
        <Button size="compact-xs" variant="light" disabled={!hasOutput || run.status === 'running'} onClick={() => onEvidence('note')}>
          Add to note
        </Button>
        <Button size="compact-xs" variant="subtle" color="gray" disabled={run.status === 'running' && !run.stored} onClick={onClose}>
          Close
        </Button>
      </Group>
    </Group>
  );
}

function RunQuestionModal({ asking, onAnswer }: { asking: { request: RunRequest; question: RunQuestion } | null; onAnswer: (go: boolean) => void }) {
  return (
    <Modal opened={asking !== null} onClose={() => onAnswer(false)} title={asking?.question.title ?? ''} size="md">
      {asking && (
        <Stack gap="sm">
          <List size="sm" spacing={4}>
            {asking.question.lines.map((line) => (
              <List.Item key={line}>{line}</List.Item>
            ))}
          </List>
          <pre className="bl-output">{asking.request.command}</pre>
          <Group justify="flex-end" gap="xs">
            <Button variant="default" onClick={() => onAnswer(false)} data-autofocus>
              Cancel
            </Button>
            <Button color={asking.request.sudo ? 'orange' : undefined} onClick={() => onAnswer(true)}>
              {asking.question.confirmLabel}
            </Button>
          </Group>
        </Stack>
      )}
    </Modal>
  );
}

/** The customer's servers for this ticket: attach, connect (host keys, credentials), run, open a shell, and the runs so far. */
export function ServersTab({ ticketId }: { ticketId: string }) {
  const servers = useServers(ticketId);
  const flow = useConnectFlow();
  const { intents, terminals } = useWorkbench();
  const runs = useCommandRun(ticketId);
  const stored = useRunCommands();
  const [attaching, setAttaching] = useState(false);
  const [detaching, setDetaching] = useState<Server | null>(null);
  const [asking, setAsking] = useState<{ request: RunRequest; question: RunQuestion } | null>(null);
  const [evidence, setEvidence] = useState<EvidenceTarget | null>(null);
  const [comparing, setComparing] = useState<[string, string] | null>(null);
  const commandInput = useRef<HTMLInputElement>(null);
  const disconnect = useInvoke('servers.disconnect', (_input, server) => server.ticketId);
  const remove = useInvoke('servers.remove', () => ticketId);
  const list = servers.data ?? [];
  const busy = runs.running !== undefined;

  useIntent(intents, ticketId, 'attach-server', () => setAttaching(true));
  useIntent(intents, ticketId, 'focus-command', () => commandInput.current?.focus());

  const go = async (request: RunRequest) => {
    const run = await runs.start(request);
    if (run.error) notifyError(run.error, 'The command did not run');
  };

  /** A plain command on one server runs at once; with sudo or on several servers, it asks first. */
  const submit = (request: RunRequest) => {
    const question = runQuestion(
      request.targets.map((t) => t.label),
      request.sudo,
    );
    if (question) setAsking({ request, question });
    else void go(request);
  };

  const labelOf = (id: number) => list.find((s) => s.id === id)?.label ?? String(id);
  const runFromBar = ({ command, serverIds, sudo, timeoutS }: RunSubmit) =>
    submit({ ticketId, command, sudo, timeoutS, targets: serverIds.map((serverId) => ({ serverId, label: labelOf(serverId) })) });

  /** The same command, with sudo or not as before, on those of its servers still attached; the command line shows it. */
  const rerun = (run: Pick<RunSummary, 'command' | 'sudo' | 'timeoutS'> & { hosts: readonly { serverId: number; label: string }[] }) => {
    const attached = run.hosts.filter((h) => list.some((s) => s.id === h.serverId));
    if (attached.length === 0) {
      notifyError(new Error(`None of its servers (${run.hosts.map((h) => h.label).join(', ')}) is attached any more.`), 'Cannot run it again');
      return;
    }
    runs.setDraft({ command: run.command, picked: attached.map((h) => h.serverId), sudo: run.sudo, timeoutS: run.timeoutS });
    submit({ ticketId, command: run.command, sudo: run.sudo, timeoutS: run.timeoutS, targets: attached.map((h) => ({ serverId: h.serverId, label: labelOf(h.serverId) })) });
  };

  return (
    <Stack gap="sm">
      <HostKeyAlarms flow={flow} />
      <CommandBar
        servers={list}
        draft={runs.draft}
        onDraft={runs.setDraft}
        history={mergeHistory(runs.typed, stored.data ?? [])}
        running={busy}
        cancelling={runs.running?.cancelling ?? false}
        onRun={runFromBar}
        onCancel={() => void runs.cancel().catch((error: unknown) => notifyError(error, 'Could not cancel the command'))}
        inputRef={commandInput}
      />

      {runs.loading && <Loader size="sm" />}
      {runs.loadError && <Alert color="red">{describeError(toWireError(runs.loadError))}</Alert>}
      {runs.view && (
        <Stack gap={6}>
          <RunHeader run={runs.view} busy={busy} onRerun={() => runs.view && rerun({ ...runs.view, hosts: runs.view.hosts })} onEvidence={setEvidence} onClose={() => runs.show(null)} />
          <OutputPanels run={runs.view} />
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
          onTerminal={(server) => terminals.open({ id: server.id, ticketId: server.ticketId, label: server.label })}
          onDetach={setDetaching}
        />
      )}

      <RunHistory ticketId={ticketId} shownRunId={runs.view?.runId ?? null} busy={busy} onOpen={(runId) => runs.show(runId)} onRerun={rerun} onCompare={setComparing} />

      <AttachServerModal ticketId={ticketId} opened={attaching} onClose={() => setAttaching(false)} />
      <ConnectDialogs flow={flow} />
      <RunQuestionModal
        asking={asking}
        onAnswer={(yes) => {
          if (yes && asking) void go(asking.request);
          setAsking(null);
        }}
      />
      <RunEvidenceModal ticketId={ticketId} run={evidence ? runs.view : null} target={evidence} onClose={() => setEvidence(null)} />
      <CompareRuns runIds={comparing} onClose={() => setComparing(null)} />
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
    </Stack>
  );
}
