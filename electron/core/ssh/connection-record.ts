import { hostPort } from '../../../shared/domain/address.js';
import type { ErrorCode } from '../../../shared/errors.js';
import { BacklineError } from '../../../shared/errors.js';
import type { ProblemDetail } from '../store/connection-history.js';
import type { StoredServer } from '../store/servers-repo.js';
import type { Workspace } from '../workspace/workspace.js';
import { targetOf, type SshDeps } from './ssh-deps.js';

/**
 * How a server's connection went, on the record: connected, a connect that failed, a connection that was
 * lost, a disconnect by the engineer. Each entry names the server (`detail.serverId`), so its row keeps
 * its last problem, with when, across restarts (store/connection-history.ts), and never only in a toast.
 */

/** Answers that are questions to the engineer, not failures: the dialog asks, nothing is recorded. */
const QUESTIONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['SSH_HOST_UNKNOWN', 'SSH_CREDENTIALS_NEEDED']);

/** user@host:port as the audit names it; the label alone when ~/.ssh/config cannot be resolved right now. */
function where(ssh: SshDeps, server: StoredServer): string {
  try {
    const target = targetOf(ssh, server);
    const address = `${target.user}@${hostPort(target.hostName, target.port)}`;
    return server.label === target.hostName ? address : `${server.label} (${address})`;
  } catch {
    return server.label;
  }
}

export function recordConnected(ws: Workspace, ssh: SshDeps, server: StoredServer): void {
  ws.change((tx) => tx.record({ ticketId: server.ticketId, action: 'ssh.connected', summary: `Connected to ${where(ssh, server)}`, detail: { serverId: server.id } }));
}

/** A connect that failed, unless the failure is a question the window asks (an unknown host key, a password). */
export function recordConnectFailed(ws: Workspace, server: StoredServer, error: unknown): void {
  if (!(error instanceof BacklineError) || QUESTIONS.has(error.code)) return;
  const detail: ProblemDetail = { serverId: server.id, code: error.code, message: error.message, hint: error.hint ?? null };
  ws.change((tx) => tx.record({ ticketId: server.ticketId, action: 'ssh.connect-failed', summary: `Could not connect to ${server.label}: ${error.message}`, detail: { ...detail } }));
}

export function recordDisconnected(ws: Workspace, ssh: SshDeps, server: StoredServer): void {
  ws.change((tx) =>
    tx.record({ ticketId: server.ticketId, action: 'ssh.disconnected', summary: `Disconnected from ${where(ssh, server)}`, detail: { serverId: server.id, by: 'engineer' } }),
  );
}

/** The session died under us (keepalive unanswered, the socket dropped, a jump host gone). */
export function recordLost(ws: Workspace, ssh: SshDeps, serverId: number): void {
  const server = ws.servers.find(serverId);
  if (!server) return;
  const message = `The connection to ${where(ssh, server)} was lost.`;
  const detail: ProblemDetail = {
    serverId,
    code: 'SSH_CONNECTION_LOST',
    message,
    hint: 'Connect again. If it keeps dropping, check the network, the jump host, or the server’s load.',
  };
  ws.change((tx) => tx.record({ ticketId: server.ticketId, action: 'ssh.connection-lost', summary: message, detail: { ...detail } }));
}
