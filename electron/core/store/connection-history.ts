import type { AuditAction } from '../../../shared/domain/audit.js';
import type { LastError } from '../../../shared/domain/server.js';
import type { Db } from './database.js';

/** The audit actions that say how a server's connection went; each carries `detail.serverId`. */
export const connectionActions = ['ssh.connected', 'ssh.connect-failed', 'ssh.connection-lost', 'ssh.disconnected'] as const satisfies readonly AuditAction[];
export type ConnectionAction = (typeof connectionActions)[number];

/** The problems a row keeps: a failed connect and a lost connection (until the next connect or disconnect). */
const problems: ReadonlySet<string> = new Set<ConnectionAction>(['ssh.connect-failed', 'ssh.connection-lost']);

/** What a problem entry records in its detail, beside the server id. */
export interface ProblemDetail {
  serverId: number;
  code: string;
  message: string;
  hint: string | null;
}

interface Row {
  action: string;
  at: string;
  detail: string;
}

/**
 * Each server's last connection problem on a ticket, read from the audit log (so it outlives a restart
 * and is exactly what the log says): the newest connection entry per server, when it is a problem.
 * Uses the (ticket_id, id) index, newest first; a ticket's connection entries are few.
 */
export function lastConnectionProblems(db: Db, ticketId: string): Map<number, LastError> {
  const rows = db
    .prepare<[string, ...string[]], Row>(
      `SELECT action, at, detail FROM audit_log WHERE ticket_id = ? AND action IN (${connectionActions.map(() => '?').join(', ')}) ORDER BY id DESC`,
    )
    .all(ticketId, ...connectionActions);
  const seen = new Set<number>();
  const last = new Map<number, LastError>();
  for (const row of rows) {
    const detail = parse(row.detail);
    const serverId = detail?.serverId;
    if (typeof serverId !== 'number' || seen.has(serverId)) continue;
    seen.add(serverId);
    if (!problems.has(row.action) || typeof detail?.message !== 'string') continue;
    last.set(serverId, {
      kind: row.action === 'ssh.connection-lost' ? 'lost' : 'connect',
      code: typeof detail.code === 'string' ? detail.code : 'SSH_CONNECTION_LOST',
      message: detail.message,
      hint: typeof detail.hint === 'string' ? detail.hint : null,
      at: row.at,
    });
  }
  return last;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
