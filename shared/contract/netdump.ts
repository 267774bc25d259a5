import { z } from 'zod';
import { ipAddressTextSchema, parseIpAddress, parsedString, type IpAddress, type Parsed } from '../domain/address.js';
import { captureIndexEntrySchema, NETCONSOLE_DEFAULT_PORT, netdumpMessageSchema, netdumpPanicSchema, receiverStateSchema } from '../domain/netdump.js';
import { netconsoleVerdictSchema, netconsoleVerificationSchema, planIdSchema, planSchema, planStatusSchema } from '../domain/plan.js';
import { portSchema, serverIdSchema } from '../domain/server.js';
import { ticketIdSchema, timestampSchema } from '../domain/ticket.js';
import { method } from './define.js';

/**
 * Netdump: the netconsole receiver in Backline's core, the client setup on the customer's servers as a
 * plan, its verification before the next crash, the fleet, and a receiver run on a server of the
 * customer's network. Every address and port is checked here, before any handler or server sees it.
 */

const isUnspecified = (address: IpAddress) => address.bytes.every((byte) => byte === 0);
const isMulticast = (address: IpAddress) => (address.family === 'ipv4' ? (address.bytes[0] ?? 0) >= 224 : address.bytes[0] === 0xff);

/** What the local receiver listens on: one of this machine's addresses, `0.0.0.0` (every IPv4 one) or `::` (IPv4 and IPv6). */
export function parseListenAddress(text: string): Parsed<IpAddress> {
  if (text.trim() === '') return { ok: false, problem: 'Give the address to listen on: 127.0.0.1, 0.0.0.0 (every IPv4 address), :: (IPv4 and IPv6), or one of this machine’s addresses.' };
  const parsed = parseIpAddress(text, { brackets: true });
  if (!parsed.ok) return parsed;
  if (isMulticast(parsed.value)) return { ok: false, problem: `${parsed.value.text} is a multicast address: netconsole sends to one host. Listen on one of this machine’s addresses.` };
  return parsed;
}

/**
 * Where a customer's kernel sends its messages: one host's address as that server reaches it. Never
 * `0.0.0.0` or `::` (a receiver may listen there; a kernel cannot send there), nor a multicast or host name:
 * netconsole's `remote_ip` takes an address only.
 */
export function parseTargetAddress(text: string): Parsed<IpAddress> {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'Give the receiver’s address as the customer’s server reaches it (an IPv4 or IPv6 address).' };
  const parsed = parseIpAddress(trimmed, { brackets: true });
  if (!parsed.ok) {
    if (!/[:/]/.test(trimmed) && /[a-z]/i.test(trimmed)) return { ok: false, problem: `"${trimmed}" is a host name: netconsole sends to an address. Give the receiver’s IPv4 or IPv6 address.` };
    return parsed;
  }
  if (isUnspecified(parsed.value)) return { ok: false, problem: `${parsed.value.text} means "every address" and only a receiver can listen there: give the one address the server sends to.` };
  if (isMulticast(parsed.value)) return { ok: false, problem: `${parsed.value.text} is a multicast address: give the receiver’s own address.` };
  return parsed;
}

export const listenAddressSchema = parsedString(parseListenAddress, 64).transform((a) => a.text);
export const targetAddressSchema = parsedString(parseTargetAddress, 64).transform((a) => a.text);

/** Where the customer's servers send: the receiver's address as they reach it, and its UDP port. */
export const netdumpTargetSchema = z.object({
  address: targetAddressSchema,
  port: portSchema.default(NETCONSOLE_DEFAULT_PORT),
});
export type NetdumpTarget = z.output<typeof netdumpTargetSchema>;

// --- what the window shows of a server's setup --------------------------------------------------

export const checkStatuses = ['ok', 'warning', 'problem', 'unknown'] as const;

/** One plain statement of the preflight: what is fine, or what is wrong and what to do about it. */
export const preflightCheckSchema = z.object({
  /** Stable name of the check (`netconsole`, `configfs`, `route`, `next-hop`, `driver`, `printk`, `crash-kernel`, `root`...). */
  id: z.string(),
  /** What was checked, in a few words. */
  label: z.string(),
  status: z.enum(checkStatuses),
  /** What is so, for people. */
  statement: z.string(),
  /** What to do (null when nothing is to be done). */
  action: z.string().nullable(),
  /** Which check this one is: `primary` ones decide whether the plan can run; `secondary` (the crash kernel) only inform. */
  weight: z.enum(['primary', 'secondary']),
});
export type PreflightCheck = z.output<typeof preflightCheckSchema>;

export const preflightSchema = z.object({
  serverId: serverIdSchema,
  target: z.object({ address: z.string(), port: portSchema }),
  /** When it was read. */
  at: timestampSchema,
  /** No primary check is a problem: the plan can be applied. */
  canApply: z.boolean(),
  checks: z.array(preflightCheckSchema),
  /** The facts the plan is built from (null where the server could not tell). */
  route: z
    .object({
      device: z.string().nullable(),
      source: z.string().nullable(),
      gateway: z.string().nullable(),
      nextHopMac: z.string().nullable(),
    })
    .nullable(),
  driver: z.object({ name: z.string().nullable(), netpoll: z.enum(['good', 'bad', 'unknown']), basis: z.string() }).nullable(),
  kernelRelease: z.string().nullable(),
  /** Lines of the probe's output that no parser understood: shown, never dropped. */
  unparsed: z.array(z.string()),
});
export type Preflight = z.output<typeof preflightSchema>;

/** A verification as the window shows it: the plan's verdict (arrived, or why not, from evidence) and where it was recorded. */
export const verificationSchema = netconsoleVerificationSchema.extend({
  serverId: serverIdSchema,
  planId: planIdSchema,
  /** Where the marker was waited for: `the local receiver (127.0.0.1:6666)`, or a remote one. */
  receiver: z.string(),
  /** When it arrived at the receiver; null when it did not. */
  arrivedAt: timestampSchema.nullable(),
  /** The finding a pass was recorded as (null when none was made). */
  findingId: z.number().int().positive().nullable(),
});
export type Verification = z.output<typeof verificationSchema>;

export const fleetRowSchema = z.object({
  serverId: serverIdSchema,
  label: z.string(),
  preflight: z.enum(['not-run', 'ok', 'warnings', 'problems', 'failed']),
  /** One line: the first problem, or what failed. */
  preflightNote: z.string().nullable(),
  planId: planIdSchema.nullable(),
  planStatus: planStatusSchema.nullable(),
  verified: z.enum(['not-run', 'passed', 'failed']),
  /** The last verification's verdict (null: never verified). */
  verdict: netconsoleVerdictSchema.nullable(),
  /** The reason the last marker did not arrive, or where it arrived. */
  verifyNote: z.string().nullable(),
  /** When the last marker was sent, and whether it arrived. */
  lastMarkerAt: timestampSchema.nullable(),
  /** What failed on this server during the fleet run, for people. */
  error: z.string().nullable(),
});
export type FleetRow = z.output<typeof fleetRowSchema>;

export const remoteTools = ['python3', 'socat', 'rsyslog'] as const;

/** Letters, digits, dashes and underscores: it names a directory and a pidfile on the server. */
export const remoteReceiverIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'A remote receiver id is letters, digits, dashes and underscores.');

export const remoteReceiverSchema = z.object({
  id: remoteReceiverIdSchema,
  ticketId: ticketIdSchema,
  serverId: serverIdSchema,
  serverLabel: z.string(),
  tool: z.enum(remoteTools),
  address: z.string(),
  port: portSchema,
  /** Where it writes its per-sender files on that server. */
  directory: z.string(),
  pid: z.number().int().nullable(),
  startedAt: timestampSchema,
  /** When it stops by itself. */
  endsAt: timestampSchema,
  status: z.enum(['running', 'stopped', 'expired', 'failed']),
  /** Per sender: what was streamed back and parsed so far. */
  senders: z.array(z.object({ address: z.string(), bytes: z.number().int().nonnegative(), messages: z.number().int().nonnegative() })),
  note: z.string().nullable(),
});
export type RemoteReceiver = z.output<typeof remoteReceiverSchema>;

/** The most a page of messages holds: a capture viewer pages through the rest. */
export const MAX_MESSAGES_PAGE = 500;

/** The local receiver and what it captured. */
export const netdumpReceiverMethods = {
  'netdump.receiver.state': method({
    summary: 'The local netconsole receiver: listening or not, where, and what it has received since it started.',
    input: z.object({}),
    output: receiverStateSchema,
  }),
  'netdump.receiver.start': method({
    summary: 'Listen for netconsole on a UDP address and port (IPv4 or IPv6); it listens again after Backline restarts until stopped.',
    // Both named, never defaulted: a socket opens on this machine only where the engineer said.
    input: z.object({ address: listenAddressSchema, port: portSchema }),
    output: receiverStateSchema,
  }),
  'netdump.receiver.stop': method({
    summary: 'Stop listening; what was captured stays.',
    input: z.object({}),
    output: receiverStateSchema,
  }),
  'netdump.captures.list': method({
    summary: 'The capture files, per sender and day: messages, lost, reboots, panics, first and last seen. Newest first.',
    input: z.object({ sender: ipAddressTextSchema.optional() }),
    output: z.array(captureIndexEntrySchema),
  }),
  'netdump.captures.messages': method({
    summary: "A page of one capture's messages, parsed; `cursor` is where the next page starts.",
    input: z.object({
      captureId: z.number().int().positive(),
      cursor: z.number().int().nonnegative().default(0),
      limit: z.number().int().min(1).max(MAX_MESSAGES_PAGE, `A page holds at most ${MAX_MESSAGES_PAGE} messages.`).default(200),
    }),
    output: z.object({
      messages: z.array(netdumpMessageSchema),
      /** Null at the end of the file (so far). */
      nextCursor: z.number().int().nonnegative().nullable(),
      /** The capture file's size when read, in bytes. */
      size: z.number().int().nonnegative(),
    }),
  }),
  'netdump.panics.list': method({
    summary: 'Panics, oopses, BUGs and WARNINGs captured, newest first: of the senders that are servers of a ticket, or all.',
    input: z.object({ ticketId: ticketIdSchema.optional() }),
    output: z.array(netdumpPanicSchema),
  }),
};

/** The customer's servers: preflight, the plan, verification, the fleet, a remote receiver. */
export const netdumpClientMethods = {
  'netdump.preflight': method({
    summary: "Read what a server needs for netconsole to the receiver: the module, configfs, route, next hop, driver, console level, crash kernel. Read-only.",
    input: z.object({ serverId: serverIdSchema, target: netdumpTargetSchema }),
    output: preflightSchema,
  }),
  'netdump.preview': method({
    summary: 'Build the plan that points a server at the receiver: the exact configfs steps, each with its undo, shown before anything runs.',
    input: z.object({
      ticketId: ticketIdSchema,
      serverId: serverIdSchema,
      target: netdumpTargetSchema,
      /** Set the target up again at boot (a modules-load.d entry and a small script); off: until the next reboot. */
      persist: z.boolean().default(false),
    }),
    output: planSchema,
  }),
  'netdump.apply': method({
    summary: 'Apply a previewed netconsole plan, then read the target back and the kernel’s answer (logging started, or the device refused).',
    input: z.object({ planId: planIdSchema }),
    output: planSchema,
  }),
  'netdump.remove': method({
    summary: 'Remove a netconsole plan’s target (and its persistence), restoring what was there before.',
    input: z.object({ planId: planIdSchema }),
    output: planSchema,
  }),
  'netdump.verify': method({
    summary: 'Write a unique marker to the server’s /dev/kmsg and wait for it at the receiver; when it does not arrive, name the reason from evidence.',
    input: z.object({
      planId: planIdSchema,
      /** The marker's level; by default the least urgent one the server's console level lets through. */
      level: z.number().int().min(0).max(7).optional(),
      timeoutS: z.number().int().min(1).max(120).default(10),
    }),
    output: verificationSchema,
  }),
  'netdump.fleet.status': method({
    summary: "Each of a ticket's servers: preflight, plan, verification, last marker.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(fleetRowSchema),
  }),
  'netdump.fleet.setup': method({
    summary: "Set up and verify all of a ticket's servers at once (preflight, preview, apply, verify), each on its own; one failing stops no other.",
    input: z.object({
      ticketId: ticketIdSchema,
      target: netdumpTargetSchema,
      persist: z.boolean().default(false),
      /** Only these servers (default: every server of the ticket). */
      serverIds: z.array(serverIdSchema).min(1).max(200).optional(),
    }),
    output: z.array(fleetRowSchema),
  }),
};

/** A receiver run on a server of the customer's network, its captures streamed back. */
export const netdumpRemoteMethods = {
  'netdump.remote.start': method({
    summary: 'Start a netconsole receiver on a server of the customer’s network (python3, socat or rsyslog, whichever it has), for a limited time; Backline streams its captures back.',
    input: z.object({
      ticketId: ticketIdSchema,
      serverId: serverIdSchema,
      address: listenAddressSchema.default('0.0.0.0'),
      port: portSchema.default(NETCONSOLE_DEFAULT_PORT),
      minutes: z.number().int().min(1, 'Run it for at least a minute.').max(7 * 24 * 60, 'A remote receiver runs for a week at most; start it again after.').default(60),
    }),
    output: remoteReceiverSchema,
  }),
  'netdump.remote.list': method({
    summary: "A ticket's remote receivers, newest first.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(remoteReceiverSchema),
  }),
  'netdump.remote.stop': method({
    summary: 'Stop a remote receiver; its files stay on the server and what was streamed back stays here.',
    input: z.object({ id: remoteReceiverIdSchema }),
    output: remoteReceiverSchema,
  }),
};

/** The most messages one `netdump.message` event carries; more in the same moment are counted, not sent (the file has them). */
export const MAX_MESSAGES_PER_EVENT = 200;

export const netdumpMessageEventSchema = z.object({
  messages: z.array(netdumpMessageSchema).max(MAX_MESSAGES_PER_EVENT),
  /** Messages parsed in the same batch but not carried by this event. */
  more: z.number().int().nonnegative(),
});

export const netdumpPanicEventSchema = z.object({
  panic: netdumpPanicSchema,
  /** The tickets whose servers sent it, and the finding made on each. */
  tickets: z.array(z.object({ ticketId: ticketIdSchema, serverLabel: z.string(), findingId: z.number().int().positive() })),
});
export type NetdumpPanicEvent = z.output<typeof netdumpPanicEventSchema>;

export const netdumpMethods = { ...netdumpReceiverMethods, ...netdumpClientMethods, ...netdumpRemoteMethods };
