import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { HostResult } from '../../../shared/domain/command.js';
import type { Server } from '../../../shared/domain/server.js';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import { lastConnectionProblems } from '../store/connection-history.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { recordConnected, recordConnectFailed, recordDisconnected } from './connection-record.js';
import { OutputBatcher } from './output-batcher.js';
import { RemoteRunner } from './remote.js';
import { describeChain, resolveServerChain } from './resolve-server.js';
import { serverLibrary } from './server-library.js';
import { hopsOf, type SshDeps } from './ssh-deps.js';

/** How long a run's start row may wait for its first result to share a commit (the history shows the run that much later). */
const START_WAIT_MS = 50;

export function serverHandlers(
  ws: Workspace,
  ssh: SshDeps,
  remote: RemoteRunner,
): HandlerGroup<
  | 'servers.list'
  | 'servers.library'
  | 'servers.add'
  | 'servers.remove'
  | 'servers.resolve'
  | 'servers.connect'
  | 'servers.trustHostKey'
  | 'servers.disconnect'
  | 'servers.forgetSecrets'
  | 'commands.run'
  | 'commands.cancel'
> {
  /** The server with this session's state and, unless it is connected, its last connection problem (from the audit). */
  const live = (server: StoredServer, problems = lastConnectionProblems(ws.db, server.ticketId)): Server => {
    const connection = ssh.sessions.state(server.id);
    return { ...server, connection, lastError: connection === 'connected' ? null : (problems.get(server.id) ?? null) };
  };
  const running = new Map<string, AbortController>();
  const hops = (server: StoredServer) => hopsOf(ssh, server);
  
  return {
    'servers.list': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      const problems = lastConnectionProblems(ws.db, ticketId);
      return ws.servers.listForTicket(ticketId).map((server) => live(server, problems));
    },
    'servers.library': (input) => serverLibrary(ws, ssh, input),
    'servers.add': (input) =>
      ws.change((tx) => {
        ws.tickets.get(input.ticketId);
        const server = ws.servers.add(
          {
            ticketId: input.ticketId,
            label: input.label || input.host,
            host: input.host,
            port: input.port ?? null,
            user: input.user ?? null,
            auth: input.auth,
            keyFile: input.keyFile ?? null,
            jump: input.jump ?? null,
          },
          tx.now,
        );
        tx.record({ ticketId: server.ticketId, action: 'server.attached', summary: `Attached server ${server.label} (${server.host})`, detail: { serverId: server.id } });
        return live(server);
      }),
    'servers.remove': ({ id }) =>
      ws.change((tx) => {
        const server = ws.servers.remove(id);
        ssh.sessions.disconnect(id);
        ssh.vault?.forget(id);
        tx.record({ ticketId: server.ticketId, action: 'server.detached', summary: `Detached server ${server.label}`, detail: { server } });
        return { removed: true as const };
      }),
    'servers.resolve': ({ id }) => {
      const server = ws.servers.get(id);
      return describeChain(resolveServerChain(server, ssh.local), server, ssh.local);
    },
    'servers.connect': async ({ id, secrets, remember }) => {
      const server = ws.servers.get(id);
      if (remember && !ssh.vault) {
        throw new BacklineError('VALIDATION_FAILED', 'The browser shell never stores passwords or passphrases.', {
          hint: 'They are held in memory until Backline stops; the desktop app can store them encrypted by the OS keychain.',
        });
      }
      if (remember) ssh.vault?.assertCanStore();
      ssh.sessions.rememberSecrets(id, { ...ssh.vault?.get(id), ...secrets });
      try {
        await ssh.sessions.session(id, hops(server));
      } catch (error) {
        // Kept on the server's row and in the audit, not only in a toast.
        recordConnectFailed(ws, server, error);
        throw error;
      }
      // Stored only once they have worked, so a typo is never kept.
      if (remember && ssh.vault && (secrets.password !== undefined || secrets.passphrase !== undefined)) ssh.vault.put(id, ssh.sessions.secretsFor(id));
      recordConnected(ws, ssh, server);
      return live(server);
    },
    'servers.trustHostKey': ({ id, host, port, fingerprint, acceptKeyTypeChange }) => {
      const server = ws.servers.get(id);
      const file = ssh.hostKeys.trust(host, port, fingerprint, { acceptKeyTypeChange });
      ws.change((tx) =>
        tx.record({
          ticketId: server.ticketId,
          action: 'ssh.hostkey.trusted',
          summary: `${acceptKeyTypeChange ? 'Accepted a new key type as the host key' : 'Trusted the host key'} of ${host}:${port} (${fingerprint})`,
          detail: { host, port, fingerprint, file, acceptKeyTypeChange },
        }),
      );
      return { trusted: true as const, file };
    },
    'servers.forgetSecrets': ({ id }) => {
      ws.servers.get(id);
      ssh.sessions.forgetSecrets(id);
      ssh.vault?.forget(id);
      return { forgotten: true as const };
    },
    'servers.disconnect': ({ id }) => {
      const server = ws.servers.get(id);
      const had = ssh.sessions.state(id) !== 'disconnected';
      ssh.sessions.disconnect(id);
      if (had) recordDisconnected(ws, ssh, server);
      return live(server);
    },
    'commands.run': async ({ ticketId, runId, serverIds, argv, sudo, timeoutS }) => {
      ws.tickets.get(ticketId);
      if (running.has(runId)) throw new BacklineError('ALREADY_EXISTS', `Run ${runId} is already going.`);
      const servers = serverIds.map((id) => {
        const server = ws.servers.get(id);
        if (server.ticketId !== ticketId) throw new BacklineError('VALIDATION_FAILED', `Server ${server.label} belongs to ${server.ticketId}, not ${ticketId}.`);
        return server;
      });
      const abort = new AbortController();
      // One listener per server on the shared cancel signal is expected, not a leak.
      setMaxListeners(servers.length + 10, abort.signal);
      // The run goes into the ticket's history before any of its results, but its start need not hold
      // up the execs: it is queued, and waits up to START_WAIT_MS for the first result to share its
      // durable commit (one fsync on a quick command's critical path, not two); a slower run's start
      // commits alone meanwhile, while the loop only waits on the network. No result can commit
      // before it: the queue is ordered. The id is checked now, so nothing runs under a refused id.
      ws.runs.assertNew(runId);
      const started = ws.changeGrouped(
        (tx) => {
          ws.runs.start({ id: runId, ticketId, argv, sudo, timeoutS, targets: servers.map((s) => ({ serverId: s.id, label: s.label })) }, tx.now);
          tx.emit('ticket.changed', { ticketId });
        },
        { maxWaitMs: START_WAIT_MS },
      );
      // Awaited below, once the results are in; handled now so a failed start is never "unhandled" meanwhile.
      void started.catch(() => undefined);
      running.set(runId, abort);
      try {
        const results = await Promise.all(servers.map((server) => runOn(server)));
        await started;
        return { runId, results };
      } finally {
        running.delete(runId);
        // Normally the last server's result ended the run in its own commit; only a run left open
        // (a server whose result was never recorded) needs one more write here.
        if (await started.then(() => ws.runs.isRunning(runId), () => false)) {
          await ws.changeGrouped((tx) => {
            ws.runs.finish(runId, tx.now);
            tx.emit('ticket.changed', { ticketId });
          });
        }
      }

      async function runOn(server: StoredServer): Promise<HostResult> {
        const batchers = {
          stdout: new OutputBatcher((data) => ws.publish('command.output', { runId, serverId: server.id, stream: 'stdout', data }), ssh.output.liveBudgetBytes),
          stderr: new OutputBatcher((data) => ws.publish('command.output', { runId, serverId: server.id, stream: 'stderr', data }), ssh.output.liveBudgetBytes),
        };
        const result = await remote.run({
          server,
          argv,
          sudo,
          purpose: 'Command',
          runId,
          history: true,
          timeoutMs: timeoutS * 1000,
          signal: abort.signal,
          onData: (stream, chunk) => batchers[stream].push(chunk),
          output: {
            headBytes: ssh.output.headBytes,
            tailBytes: ssh.output.tailBytes,
            spillFile: (stream) => join(ssh.runsDir, `${runId}-${server.id}.${stream}`),
          },
        });
        batchers.stdout.flush();
        batchers.stderr.flush();
        return RemoteRunner.hostResult(server, result);
      }
    },
    'commands.cancel': ({ runId }) => {
      const abort = running.get(runId);
      abort?.abort();
      return { cancelled: abort !== undefined };
    },
  };
}
