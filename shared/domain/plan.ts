import { z } from 'zod';
import { serverIdSchema } from './server.js';
import { ticketIdSchema, timestampSchema } from './ticket.js';

export const planIdSchema = z.string().regex(/^p[0-9a-f]{10}$/, 'A plan id looks like p3f9a0c1b2d.');

/** One change to a server: the exact command, how to undo it, how to check it worked. */
export const planStepSchema = z.object({
  title: z.string(),
  command: z.string(),
  undo: z.string().nullable(),
  check: z.string().nullable(),
});
export type PlanStep = z.output<typeof planStepSchema>;

export const planStatuses = ['previewed', 'applying', 'awaiting-confirmation', 'confirmed', 'rolled-back', 'failed', 'removed', 'expired'] as const;

export const planSchema = z.object({
  id: planIdSchema,
  ticketId: ticketIdSchema,
  serverId: serverIdSchema,
  kind: z.string(),
  title: z.string(),
  status: z.enum(planStatuses),
  steps: z.array(planStepSchema),
  warnings: z.array(z.string()),
  /** What the plan changes, as the capability describes it (addresses, port, expiry...). */
  detail: z.record(z.string(), z.unknown()),
  /** While awaiting confirmation: when the server restores the saved rules by itself. */
  rollbackAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  /** What happened, step by step, as shown to the engineer. */
  log: z.array(z.object({ at: timestampSchema, message: z.string(), ok: z.boolean() })),
});
export type Plan = z.output<typeof planSchema>;
