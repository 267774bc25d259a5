import { z } from 'zod';
import { serverIdSchema } from './server.js';

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
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }).nullable(),
});
export type HostResult = z.output<typeof hostResultSchema>;
