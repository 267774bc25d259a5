import { z } from 'zod';
import { ticketIdSchema, timestampSchema } from './ticket.js';

export const auditEntrySchema = z.object({
  id: z.number().int().positive(),
  ticketId: ticketIdSchema.nullable(),
  at: timestampSchema,
  /** Who did it: the local user running Backline. */
  actor: z.string(),
  /** Dotted verb, e.g. `ticket.created`, `note.saved`, `ssh.exec`. */
  action: z.string(),
  summary: z.string(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.output<typeof auditEntrySchema>;
