import { z } from 'zod';
import { portSchema } from './server.js';
import { timestampSchema } from './ticket.js';

/**
 * Netdump: what a netconsole receiver hears. A sender is a kernel sending to us (its source address and
 * port); a capture is the append-only file of its raw datagrams; messages and panics are what the
 * parser makes of them. Later versions only add fields.
 */

export const NETCONSOLE_DEFAULT_PORT = 6666;

/** A sender as the socket saw it: the address the kernel's netconsole sends from, and its source port. */
export const netdumpSenderSchema = z.object({
  /** Canonical text of the source address (IPv4-mapped IPv6 shown as IPv4). */
  address: z.string(),
  port: z.number().int().min(0).max(65535),
});
export type NetdumpSender = z.output<typeof netdumpSenderSchema>;

/** Where a piece of a capture is: the capture file (relative to the data folder) and the byte offset of its record. */
export const captureRefSchema = z.object({
  file: z.string(),
  offset: z.number().int().nonnegative(),
});
export type CaptureRef = z.output<typeof captureRefSchema>;

/** One capture file's line in the workspace store's index. */
export const captureIndexEntrySchema = z.object({
  id: z.number().int().positive(),
  /** The sender's address (one capture file per sender and day). */
  sender: z.string(),
  /** Relative to the data folder, e.g. `netdump/10.0.2.15/2026-12-02.ncap`. */
  file: z.string(),
  firstSeen: timestampSchema,
  lastSeen: timestampSchema,
  datagrams: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  /** Whole messages parsed (fragments reassembled count once). */
  messages: z.number().int().nonnegative(),
  /**
   * Sequence numbers missing (gaps): lost on the way, or never sent because their level was below the
   * console log level (the kernel numbers every message and sends only those the level lets through, so a
   * quiet console or a boot-time target shows gaps that are not losses).
   */
  lost: z.number().int().nonnegative(),
  /** Sequence resets seen (the kernel started again). */
  reboots: z.number().int().nonnegative(),
  panics: z.number().int().nonnegative(),
  /** The kernel release last seen in this sender's messages (`Linux version …`, `6.1.0-… #1 Debian`), null until seen. */
  kernelRelease: z.string().nullable(),
});
export type CaptureIndexEntry = z.output<typeof captureIndexEntrySchema>;

export const kernelLevels = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;

/** A whole netconsole message, as parsed from one datagram (or several fragments reassembled). */
export const netdumpMessageSchema = z.object({
  sender: z.string(),
  receivedAt: timestampSchema,
  /** `extended`: `<prefix>,<seq>,<usec>,<flags>;text`; `plain`: a bare console line. */
  format: z.enum(['extended', 'plain']),
  /** Syslog facility (0 kernel, 1 user...); null for plain lines. */
  facility: z.number().int().nonnegative().nullable(),
  /** 0 (emerg) .. 7 (debug); null for plain lines. */
  level: z.number().int().min(0).max(7).nullable(),
  seq: z.number().int().nonnegative().nullable(),
  /** Microseconds since the sender booted. */
  usec: z.number().int().nonnegative().nullable(),
  /** `-` or `c` (continuation) as sent; null for plain lines. */
  flags: z.string().nullable(),
  /** The text, with bytes that are not valid UTF-8 or are control characters shown escaped (`\xNN`). */
  text: z.string(),
  /** ` KEY=VALUE` continuation lines (SUBSYSTEM=, DEVICE=...), in order. */
  dict: z.array(z.tuple([z.string(), z.string()])),
  /** Fragments missing: the message was kept as received, incomplete. */
  incomplete: z.boolean(),
  /** Where its (first) datagram is in the capture; null if not captured to a file. */
  capture: captureRefSchema.nullable(),
});
export type NetdumpMessage = z.output<typeof netdumpMessageSchema>;

export const panicKinds = ['panic', 'oops', 'bug', 'general-protection', 'warning'] as const;
export const panicKindSchema = z.enum(panicKinds);
export type PanicKind = z.output<typeof panicKindSchema>;

/** A kernel panic, oops, BUG or WARNING with its trace, as extracted from one sender's messages. */
export const netdumpPanicSchema = z.object({
  /** Stable for the same event (sender, boot, first sequence number, headline): the same panic never makes two findings. */
  id: z.string(),
  sender: z.string(),
  kind: panicKindSchema,
  /** The headline: `Kernel panic - not syncing: …`, `BUG: …`, `Oops: …`, `general protection fault…`, `WARNING: CPU: …`. */
  title: z.string(),
  /** Every headline of the event in order (a BUG, its Oops, the panic that followed). */
  headlines: z.array(z.string()),
  /** Every line of the event in order, from its first line to the end marker or the last trace line. */
  lines: z.array(z.string()),
  /** The lines of the call trace (`Call Trace:` to `</TASK>`), empty if none was sent. */
  trace: z.array(z.string()),
  modules: z.string().nullable(),
  /** `CPU: 0 PID: 1 Comm: sh Not tainted 6.1.0-… #1 Debian …` */
  cpu: z.string().nullable(),
  hardware: z.string().nullable(),
  /** RIP / RSP / RAX ... lines. */
  registers: z.array(z.string()),
  kernelRelease: z.string().nullable(),
  /** When the first and last line arrived at the receiver. */
  firstAt: timestampSchema,
  lastAt: timestampSchema,
  firstSeq: z.number().int().nonnegative().nullable(),
  /** The `---[ end Kernel panic` / `---[ end trace` marker arrived. */
  ended: z.boolean(),
  capture: captureRefSchema.nullable(),
});
export type NetdumpPanic = z.output<typeof netdumpPanicSchema>;

/** What the receiver is told to listen on. `::` listens on IPv4 and IPv6 both. */
export const receiverConfigSchema = z.object({
  address: z.string().trim().min(1).max(64),
  port: portSchema,
});
export type ReceiverConfig = z.output<typeof receiverConfigSchema>;

export const receiverStatuses = ['stopped', 'listening', 'failed'] as const;

export const receiverStateSchema = z.object({
  status: z.enum(receiverStatuses),
  /** The configured address and port (as last started, or the defaults). */
  address: z.string(),
  port: portSchema,
  /** Listening since; null when stopped. */
  since: timestampSchema.nullable(),
  /** The socket's receive buffer as the OS granted it, in bytes (null when stopped). */
  recvBufferSize: z.number().int().nonnegative().nullable(),
  /** Counted since started. */
  datagrams: z.number().int().nonnegative(),
  bytes: z.number().int().nonnegative(),
  senders: z.number().int().nonnegative(),
  /** Datagrams received but not yet on disk. */
  pendingWrites: z.number().int().nonnegative(),
  /** Why it failed (status `failed`), for people: what happened and what to do. */
  error: z.object({ code: z.string(), message: z.string(), hint: z.string().nullable() }).nullable(),
});
export type ReceiverState = z.output<typeof receiverStateSchema>;
