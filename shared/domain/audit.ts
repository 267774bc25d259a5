import { z } from 'zod';
import { ticketIdSchema, timestampSchema } from './ticket.js';

/**
 * Every action Backline writes to the audit log, as a dotted verb. `tx.record` accepts nothing else,
 * so a new capability adds its actions here first; e2e imports the type to check the entries it sees.
 */
export const auditActions = [
  'ticket.created',
  'ticket.updated',
  'ticket.exported',
  'note.created',
  'note.saved',
  'finding.added',
  'finding.removed',
  'finding.evidence.added',
  'finding.superseded',
  'server.attached',
  'server.detached',
  'ssh.connected',
  'ssh.connect-failed',
  'ssh.connection-lost',
  'ssh.disconnected',
  'ssh.hostkey.trusted',
  'ssh.exec',
  'ssh.terminal.opened',
  'ssh.terminal.closed',
  'firewall.planned',
  'firewall.armed',
  'firewall.applied',
  'firewall.verified',
  'firewall.confirmed',
  'firewall.connection-lost',
  'firewall.failed',
  'firewall.rolled-back',
  'firewall.removed',
  'firewall.expired',
  'netdump.panic-captured',
  'netdump.receiver-started',
  'netdump.receiver-stopped',
  'netconsole.planned',
  'netconsole.applied',
  'netconsole.failed',
  'netconsole.verified',
  'netconsole.not-verified',
  'netconsole.removed',
  'netdump.remote-started',
  'netdump.remote-stopped',
  'rt.settings-changed',
  'rt.linked',
  'rt.refreshed',
  'rt.post-queued',
  'rt.posted',
  'rt.post-failed',
  'rt.post-cancelled',
] as const;

export const auditActionSchema = z.enum(auditActions);
export type AuditAction = z.output<typeof auditActionSchema>;

/**
 * An action as the log holds it. Writing is typed (one of `auditActions`), but the log is append-only
 * and outlives renames: a row another version wrote may name an action this one no longer writes. It
 * reads back as stored, never as a failed list.
 */
export const loggedActionSchema = z.union([auditActionSchema, z.string()]);

export const auditEntrySchema = z.object({
  id: z.number().int().positive(),
  ticketId: ticketIdSchema.nullable(),
  at: timestampSchema,
  /** Who did it: the local user running Backline. */
  actor: z.string(),
  action: loggedActionSchema,
  summary: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.output<typeof auditEntrySchema>;
