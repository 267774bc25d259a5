import { z } from 'zod';
import { memoryPictureSchema } from '../domain/php-memory.js';
import { docrootsResultSchema, headProbeResultSchema, includeScanResultSchema, watchSampleSchema } from '../domain/php-scan.js';
import { serverIdSchema } from '../domain/server.js';
import { ticketIdSchema, timestampSchema } from '../domain/ticket.js';
import { event, method } from './define.js';
import { resolveHostSchema } from './firewall.js';
import { docrootPathSchema, feedUrlSchema, headLimitsInputSchema, MAX_DOCROOTS, scanLimitsInputSchema, watchDurationSchema, watchIntervalSchema } from './php-input.js';

/**
 * PHP memory diagnostics (issue 12, story 2): probes that read a customer server (the memory picture,
 * the docroots, the remote includes, each head behind the included host) and a memory watch that
 * streams samples until stopped. Everything here only reads the server; blocking a head is the
 * firewall's plan.
 */

export const watchIdSchema = z.string().regex(/^w[0-9a-f]{10}$/, 'A watch id looks like w3f9a0c1b2d.');

/** A memory watch as the window follows it. */
export const watchInfoSchema = z.object({
  watchId: watchIdSchema,
  ticketId: ticketIdSchema,
  serverId: serverIdSchema,
  intervalS: z.number().int().positive(),
  startedAt: timestampSchema,
  /** When it stops by itself, whatever happens: a forgotten watch never runs on. */
  endsAt: timestampSchema,
});
export type WatchInfo = z.output<typeof watchInfoSchema>;

export const watchEndSchema = z.object({
  watchId: watchIdSchema,
  ticketId: ticketIdSchema,
  serverId: serverIdSchema,
  /** stopped: by the engineer; time: its end time came; ended: the remote loop ended; error: see `statements`; disconnected: the server's session closed (Backline's shutdown too). */
  stopped: z.enum(['stopped', 'time', 'ended', 'error', 'disconnected']),
  samples: z.number().int().nonnegative(),
  /** The note the samples were saved to (as CSV evidence); null when there was nothing to save. */
  noteId: z.number().int().positive().nullable(),
  statements: z.array(z.string()),
});
export type WatchEnd = z.output<typeof watchEndSchema>;

export const phpMethods = {
  'php.memory': method({
    summary: "Read a server's PHP memory picture: installs and pools, effective limits per SAPI, workers' memory, OOM kills, PHP/FPM log events, FPM status. One read-only probe.",
    input: z.object({ serverId: serverIdSchema }),
    output: memoryPictureSchema,
  }),
  'php.docroots': method({
    summary: "The docroots the server's web server configuration names (nginx -T, apache2ctl -S). Read-only.",
    input: z.object({ serverId: serverIdSchema }),
    output: docrootsResultSchema,
  }),
  'php.scan': method({
    summary: 'Search the docroots (typed, else those of the web server configuration) for PHP code that reads a literal remote URL. Bounded in files, bytes and time; niced.',
    input: z.object({
      serverId: serverIdSchema,
      /** Empty: the docroots the web server configuration names. */
      docroots: z.array(docrootPathSchema).max(MAX_DOCROOTS, `Give at most ${MAX_DOCROOTS} docroots.`).default([]),
      limits: scanLimitsInputSchema.default(() => scanLimitsInputSchema.parse({})),
    }),
    output: includeScanResultSchema,
  }),
  'php.heads': method({
    summary: "Resolve a URL's host on the customer's server, fetch it once per address (pinned, capped in time and bytes), and mark the heads that answer unlike the others.",
    input: z.object({
      serverId: serverIdSchema,
      url: feedUrlSchema,
      /** Also fetch through PHP's own stream wrapper on the server (its peak memory for that answer). */
      viaPhp: z.boolean().default(true),
      limits: headLimitsInputSchema.default(() => headLimitsInputSchema.parse({})),
    }),
    output: headProbeResultSchema,
  }),
  'php.heads.last': method({
    summary: "The last head probe of a host from this server since Backline started (for the Firewall tab's list of addresses), or null.",
    input: z.object({ serverId: serverIdSchema, host: resolveHostSchema }),
    output: z.object({ probedAt: timestampSchema, probe: headProbeResultSchema }).nullable(),
  }),
  'php.watch.start': method({
    summary: "Start watching the PHP workers' memory on a server: one long-running command streams a sample every interval (php.watch.sample events) until stopped. One watch per server.",
    input: z.object({
      serverId: serverIdSchema,
      intervalS: watchIntervalSchema.default(5),
      maxMinutes: watchDurationSchema.default(60),
    }),
    output: watchInfoSchema,
  }),
  'php.watch.stop': method({
    summary: "Stop a memory watch; its samples are saved to the ticket as a note with the CSV.",
    input: z.object({ watchId: watchIdSchema }),
    output: watchEndSchema,
  }),
  'php.watch.list': method({
    summary: "A ticket's running memory watches, with the samples so far (the latest 720 of each), so a window opened later can draw them.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(z.object({ watch: watchInfoSchema, samples: z.array(watchSampleSchema) })),
  }),
};

export const phpEvents = {
  'php.watch.sample': event({
    summary: 'A memory watch took a sample.',
    payload: z.object({ watchId: watchIdSchema, ticketId: ticketIdSchema, serverId: serverIdSchema, sample: watchSampleSchema }),
  }),
  'php.watch.ended': event({
    summary: 'A memory watch ended (stopped, timed out, or the connection or the remote loop ended), and where its samples were saved.',
    payload: watchEndSchema,
  }),
};
