import { z } from 'zod';
import { serverIdSchema } from './server.js';
import { ticketIdSchema, timestampSchema } from './ticket.js';

export const runIdSchema = z.string().regex(/^[A-Za-z0-9-]{8,64}$/, 'A run id is 8 to 64 letters, digits or dashes.');

export const argvSchema = z
  .array(z.string().max(64 * 1024).refine((arg) => !arg.includes('\0'), 'Arguments cannot contain NUL bytes.'))
  .min(1, 'Give a command to run.')
  .max(4096, 'At most 4,096 arguments.');

export const outputSchema = z.object({
  text: z.string(),
  totalBytes: z.number().int().nonnegative(),
  truncated: z.boolean(),
  fullOutputFile: z.string().nullable(),
});
export type Output = z.output<typeof outputSchema>;

export const hostErrorSchema = z.object({ code: z.string(), message: z.string(), hint: z.string().optional() });

export const hostResultSchema = z.object({
  serverId: serverIdSchema,
  label: z.string(),
  /** null when the command never ran or was killed by a signal. */
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  durationMs: z.number().nonnegative(),
  stdout: outputSchema,
  stderr: outputSchema,
  /** Why it did not complete, as a person reads it; null when it ran to its end. */
  error: hostErrorSchema.nullable(),
});
export type HostResult = z.output<typeof hostResultSchema>;

/**
 * The text the engineer typed, from the argv that ran: the command line sends `sh -c <text>`, and
 * anything else (a run made through the contract by other means) is shown as its words.
 */
export function commandText(argv: readonly string[]): string {
  if (argv.length === 3 && argv[0] === 'sh' && argv[1] === '-c') return argv[2]!;
  return argv.join(' ');
}

/**
 * A command run from the Servers tab, kept with its ticket: `running` until every server answered,
 * `done` after, `interrupted` when Backline stopped before the run ended (what had finished is kept).
 */
export const runStatuses = ['running', 'done', 'interrupted'] as const;
export const runStatusSchema = z.enum(runStatuses);
export type RunStatus = z.output<typeof runStatusSchema>;

/** How one server's part of a run ended, without its output: what a history list needs. */
export const hostOutcomeSchema = hostResultSchema.pick({ exitCode: true, signal: true, durationMs: true, error: true }).extend({
  stdoutBytes: z.number().int().nonnegative(),
  stderrBytes: z.number().int().nonnegative(),
});
export type HostOutcome = z.output<typeof hostOutcomeSchema>;

const runFields = {
  id: runIdSchema,
  ticketId: ticketIdSchema,
  argv: z.array(z.string()),
  /** What the engineer typed (see `commandText`). */
  command: z.string(),
  sudo: z.boolean(),
  timeoutS: z.number().int().positive(),
  status: runStatusSchema,
  startedAt: timestampSchema,
  endedAt: timestampSchema.nullable(),
};

const runHostFields = {
  /** The server as it was attached; it may have been detached since. */
  serverId: serverIdSchema,
  label: z.string(),
  /** user@host:port it was reached as; null until it answered (or when it could not be worked out). */
  where: z.string().nullable(),
};

export const runSummarySchema = z.object({
  ...runFields,
  /** In the order the run was given; `outcome` is null while (or if) that server has not answered. */
  hosts: z.array(z.object({ ...runHostFields, outcome: hostOutcomeSchema.nullable() })),
});
export type RunSummary = z.output<typeof runSummarySchema>;

export const runSchema = z.object({
  ...runFields,
  /** Each server's result as commands.run gave it: output bounded (head and tail) with the spill file of the whole. */
  hosts: z.array(z.object({ ...runHostFields, result: hostResultSchema.nullable() })),
});
export type Run = z.output<typeof runSchema>;
