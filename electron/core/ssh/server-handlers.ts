import { setMaxListeners } from 'node:events';
import { join } from 'node:path';
import type { HostResult } from '../../../shared/domain/command.js';
import type { Server } from '../../../shared/domain/server.js';
import { BacklineError } from '../../../shared/errors.js';
import type { HandlerGroup } from '../handlers.js';
import { formatBytes } from './bounded-output.js';
import type { HostKeyStore } from './host-key-store.js';
import { OutputBatcher } from './output-batcher.js';
import { describeChain, hopsFor, resolveServerChain, type LocalSsh } from './resolve-server.js';
import type { SecretVault } from './secret-vault.js';
import type { SshSessions } from './sessions.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';

export interface SshDeps {
  sessions: SshSessions;
  /** Where secrets the engineer asked to keep are stored encrypted; absent in the browser shell. */
  vault?: SecretVault | undefined;
  hostKeys: HostKeyStore;
  local: LocalSsh;
  /** Where full outputs too large to keep in memory are written. */
  runsDir: string;
  output: { headBytes: number; tailBytes: number; liveBudgetBytes: number; auditBytes: number };
}

/** How to reach a server now: its hops with this session's secrets, worked out at every (re)connect. */
export const hopsOf = (ssh: SshDeps, server: StoredServer) => () => hopsFor(server, ssh.local, ssh.sessions.secretsFor(server.id));

/** The last hop: the user, host and port the server is really reached as. */
export const targetOf = (ssh: SshDeps, server: StoredServer) => resolveServerChain(server, ssh.local).at(-1)!;

export const whereOf = (ssh: SshDeps, server: StoredServer) => {
  const target = targetOf(ssh, server);
  return `${target.user}@${target.hostName}:${target.port}`;
};

const clip = (text: string, bytes: number) => (text.length > bytes ? `${text.slice(0, bytes)}\n[… clipped in the audit log …]` : text);

export function serverHandlers(
  ws: Workspace,
  ssh: SshDeps,
): HandlerGroup<
  | 'servers.list'
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
  const live = (server: StoredServer): Server => ({ ...server, connection: ssh.sessions.state(server.id) });
  const running = new Map<string, AbortController>();
  const hops = (server: StoredServer) => hopsOf(ssh, server);
  
  return {
    'servers.list': ({ ticketId }) => {
      ws.tickets.get(ticketId);
      return ws.servers.listForTicket(ticketId).map(live);
    },
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
      ssh.sessions.rememberSecrets(id, { ...ssh.vault?.get(id), ...secrets });
      await ssh.sessions.session(id, hops(server));
      // Stored only once they have worked, so a typo is never kept.
      if (remember && ssh.vault && (secrets.password !== undefined || secrets.passphrase !== undefined)) ssh.vault.put(id, ssh.sessions.secretsFor(id));
      ws.change((tx) => tx.record({ ticketId: server.ticketId, action: 'ssh.connected', summary: `Connected to ${server.label} (${whereOf(ssh, server)})` }));
      return live(server);
    },
    'servers.trustHostKey': ({ id, host, port, fingerprint }) => {
      const server = ws.servers.get(id);
      const file = ssh.hostKeys.trust(host, port, fingerprint);
      ws.change((tx) =>
        tx.record({
          ticketId: server.ticketId,
          action: 'ssh.hostkey.trusted',
          summary: `Trusted the host key of ${host}:${port} (${fingerprint})`,
          detail: { host, port, fingerprint, file },
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
      ssh.sessions.disconnect(id);
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
      running.set(runId, abort);
      try {
        const results = await Promise.all(servers.map((server) => runOn(server)));
        return { runId, results };
      } finally {
        running.delete(runId);
      }

      async function runOn(server: StoredServer): Promise<HostResult> {
        const batchers = {
          stdout: new OutputBatcher((data) => ws.publish('command.output', { runId, serverId: server.id, stream: 'stdout', data }), ssh.output.liveBudgetBytes),
          stderr: new OutputBatcher((data) => ws.publish('command.output', { runId, serverId: server.id, stream: 'stderr', data }), ssh.output.liveBudgetBytes),
        };
        const started = performance.now();
        let result: HostResult;
        try {
          const exec = await ssh.sessions.exec(server.id, hops(server), argv, {
            sudo,
            timeoutMs: timeoutS * 1000,
            signal: abort.signal,
            onData: (stream, chunk) => batchers[stream].push(chunk),
            output: {
              headBytes: ssh.output.headBytes,
              tailBytes: ssh.output.tailBytes,
              spillFile: (stream) => join(ssh.runsDir, `${runId}-${server.id}.${stream}`),
            },
          });
          result = {
            serverId: server.id,
            label: server.label,
            exitCode: exec.exitCode,
            signal: exec.signal,
            durationMs: exec.durationMs,
            stdout: exec.stdout,
            stderr: exec.stderr,
            error: exec.error ? errorOf(exec.error) : null,
          };
        } catch (error) {
          if (!(error instanceof BacklineError)) throw error;
          const empty = { text: '', totalBytes: 0, truncated: false, fullOutputFile: null };
          result = { serverId: server.id, label: server.label, exitCode: null, signal: null, durationMs: performance.now() - started, stdout: empty, stderr: empty, error: errorOf(error) };
        }
        batchers.stdout.flush();
        batchers.stderr.flush();
        record(server, result);
        return result;
      }

      function record(server: StoredServer, result: HostResult): void {
        let at: string;
        try {
          at = whereOf(ssh, server);
        } catch {
          at = server.host;
        }
        const outcome = result.error ? result.error.code : `exit ${result.exitCode ?? result.signal ?? '?'}`;
        ws.change((tx) =>
          tx.record({
            ticketId,
            action: 'ssh.exec',
            summary: `${server.label} (${at})${sudo ? ' sudo' : ''}: ${argv.join(' ').slice(0, 200)} → ${outcome} in ${(result.durationMs / 1000).toFixed(1)} s`,
            detail: {
              runId,
              serverId: server.id,
              server: server.label,
              where: at,
              argv,
              sudo,
              exitCode: result.exitCode,
              signal: result.signal,
              durationMs: Math.round(result.durationMs),
              error: result.error,
              stdout: clip(result.stdout.text, ssh.output.auditBytes),
              stderr: clip(result.stderr.text, ssh.output.auditBytes),
              outputBytes: { stdout: result.stdout.totalBytes, stderr: result.stderr.totalBytes, total: formatBytes(result.stdout.totalBytes + result.stderr.totalBytes) },
              fullOutputFiles: [result.stdout.fullOutputFile, result.stderr.fullOutputFile].filter(Boolean),
            },
          }),
        );
      }
    },
    'commands.cancel': ({ runId }) => {
      const abort = running.get(runId);
      abort?.abort();
      return { cancelled: abort !== undefined };
    },
  };
}

function errorOf(error: BacklineError): NonNullable<HostResult['error']> {
  return { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}
