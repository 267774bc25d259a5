import { z } from 'zod';
import { addressFamilySchema, ipAddressTextSchema, ipBlockTextSchema, maxPrefix, parseIpAddress, parseIpBlock, type AddressFamily, type IpNetwork } from './address.js';
import { portSchema, serverIdSchema } from './server.js';
import { ticketIdSchema, timestampSchema } from './ticket.js';

/**
 * A plan changes a server (DESIGN.md principle 3): steps shown before anything runs, applied with a
 * rollback guard, and recorded. Every plan has the same envelope; its `kind` says which capability made
 * it and fixes the shape of its `detail`. A new kind adds its detail schema and its member of `planSchema`
 * here, and the window and the store read it typed, never by hand.
 */

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
export const planStatusSchema = z.enum(planStatuses);
export type PlanStatus = z.output<typeof planStatusSchema>;
/** Statuses a plan does not leave by itself. */
export const settledPlanStatuses: readonly PlanStatus[] = ['confirmed', 'rolled-back', 'failed', 'removed', 'expired'];

/**
 * What a log line records, for the window to act on (its message is for people, never matched):
 * `connection-lost` means applying cut the SSH session and only the server's own rollback can follow.
 */
export const planLogKinds = ['dry-run', 'armed', 'applied', 'verified', 'asked', 'connection-lost', 'rolled-back', 'failed', 'confirmed', 'expired', 'removed', 'note'] as const;
export const planLogEntrySchema = z.object({
  at: timestampSchema,
  kind: z.enum(planLogKinds),
  ok: z.boolean(),
  message: z.string(),
});
export type PlanLogEntry = z.output<typeof planLogEntrySchema>;
export type PlanLogKind = PlanLogEntry['kind'];

// --- firewall.block: outbound blocking with iptables (electron/core/firewall) ---------------------

export const blockProtocols = ['tcp', 'udp', 'any'] as const;
export const blockProtocolSchema = z.enum(blockProtocols);
export type BlockProtocol = z.output<typeof blockProtocolSchema>;

/** An address or CIDR block to block, with the family its rules go to (which must be the address's own). */
export const blockedAddressSchema = z
  .object({ address: ipBlockTextSchema, family: addressFamilySchema })
  .refine(({ address, family }) => {
    const parsed = parseIpBlock(address);
    return parsed.ok && parsed.value.family === family;
  }, 'The family does not match the address.');
export type BlockedAddress = z.output<typeof blockedAddressSchema>;

/** One check the server ran after applying: can it still connect to this address? */
export const blockVerificationSchema = z.object({
  address: ipAddressTextSchema,
  port: portSchema,
  expected: z.enum(['blocked', 'reachable']),
  reachable: z.boolean(),
  /** What the check saw, for people. */
  detail: z.string(),
  /** The blocked network this address was picked from, to test it (null: the address was blocked or kept itself). */
  network: ipBlockTextSchema.nullable().default(null),
});
export type BlockVerification = z.output<typeof blockVerificationSchema>;

export const firewallBlockDetailSchema = z.object({
  /** What the engineer asked to block: a host name, an address or a CIDR block, canonical. */
  target: z.string(),
  addresses: z.array(blockedAddressSchema).min(1),
  /** Addresses that should still answer afterwards (the other heads), checked from the server. */
  keepReachable: z.array(ipAddressTextSchema),
  /** Null: every port. */
  port: portSchema.nullable(),
  protocol: blockProtocolSchema,
  /** Unix seconds when the server lifts the block by itself; null: until removed. */
  expiresAt: z.number().int().positive().nullable(),
  /** Save the rules for reboot when confirmed (where the server persists its rules). */
  persist: z.boolean(),
  /** The rules were saved for reboot (netfilter-persistent) when confirmed: lifting them saves again. */
  savedForReboot: z.boolean().default(false),
  confirmWithinS: z.number().int().positive(),
  /** The rules as added, per family, as iptables commands: for the expiry job and the record. */
  rules: z.array(z.object({ family: addressFamilySchema, preview: z.array(z.string()) })),
  /** Null until applied. */
  verification: z.array(blockVerificationSchema).nullable(),
});
export type FirewallBlockDetail = z.output<typeof firewallBlockDetailSchema>;

const toBigInt = (bytes: readonly number[]) => bytes.reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
function fromBigInt(value: bigint, family: AddressFamily): string {
  const count = family === 'ipv4' ? 4 : 16;
  const bytes = Array.from({ length: count }, (_, i) => Number((value >> BigInt(8 * (count - 1 - i))) & 0xffn));
  const text = family === 'ipv4' ? bytes.join('.') : Array.from({ length: 8 }, (_, i) => (((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)).toString(16)).join(':');
  const parsed = parseIpAddress(text);
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.value.text;
}

/**
 * Addresses inside a blocked network that the server tries after applying: the first and last of its
 * hosts (its own first and last addresses stay out: connecting to a subnet's broadcast address fails
 * for reasons of its own), or every address of a /31 or /127. What they prove: the rule catches traffic
 * to the network's two ends; the addresses between are not tried. `size` is how many addresses it has.
 */
export function networkSamples(network: Pick<IpNetwork, 'family' | 'prefix' | 'bytes'>): { samples: string[]; size: bigint } {
  const size = 1n << BigInt(maxPrefix[network.family] - network.prefix);
  const first = toBigInt(network.bytes);
  const offsets = size <= 2n ? [...Array(Number(size)).keys()].map(BigInt) : [1n, size - 2n];
  return { samples: offsets.map((offset) => fromBigInt(first + offset, network.family)), size };
}

/** What the verification leaves untested: the addresses of each blocked network that were not tried. */
export function untestedNotes(detail: Pick<FirewallBlockDetail, 'addresses'>): string[] {
  return detail.addresses.flatMap((a) => {
    const block = parseIpBlock(a.address);
    if (!block.ok || block.value.kind !== 'network') return [];
    const { samples, size } = networkSamples(block.value);
    const rest = size - BigInt(samples.length);
    if (rest === 0n) return [];
    const count = rest < 1_000_000n ? rest.toString() : `2^${maxPrefix[block.value.family] - block.value.prefix} - ${samples.length}`;
    return [`${block.value.text}: tested ${samples.join(' and ')}, not its other ${count} addresses`];
  });
}

// --- netconsole.target: a netconsole target in configfs (electron/core/netdump/client) ------------

/** A MAC address as netconsole takes it: six lower-case hex pairs joined by colons. */
export const macAddressSchema = z
  .string()
  .transform((text) => text.trim().toLowerCase())
  .pipe(z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'A MAC address looks like 52:55:0a:00:02:02.'));

/** What a verification concluded: `arrived`, or why the marker did not (electron/core/netdump/client/diagnose.ts). */
export const netconsoleVerdicts = ['arrived', 'device-refused', 'target-disabled', 'no-route', 'wrong-mac', 'level-filtered', 'port-filtered', 'unknown'] as const;
export const netconsoleVerdictSchema = z.enum(netconsoleVerdicts);
export type NetconsoleVerdict = z.output<typeof netconsoleVerdictSchema>;

export const netconsoleVerificationSchema = z.object({
  verdict: netconsoleVerdictSchema,
  ok: z.boolean(),
  /** The marker written to /dev/kmsg. */
  marker: z.string(),
  /** The `<N>` level it was written at. */
  level: z.number().int().min(0).max(7),
  at: timestampSchema,
  /** For people: what was found and what to do. */
  message: z.string(),
  /** The lines the verdict rests on (dmesg, neighbour state, printk levels, the user-space datagram). */
  evidence: z.array(z.string()),
});
export type NetconsoleVerification = z.output<typeof netconsoleVerificationSchema>;

/** What applying set up besides the target itself, so that removal undoes exactly that. */
export const netconsoleSetupSchema = z.object({
  loadedConfigfs: z.boolean(),
  mountedConfigfs: z.boolean(),
  loadedNetconsole: z.boolean(),
  /** A target of the same name that was there before (its attributes), put back on removal. */
  replaced: z.record(z.string(), z.string()).nullable(),
  /** Files written for reboot (removed on removal). */
  persistedFiles: z.array(z.string()),
  /** The kernel's own words when the target was enabled (dmesg), for the record. */
  kernelSaid: z.array(z.string()),
});
export type NetconsoleSetup = z.output<typeof netconsoleSetupSchema>;

export const netconsoleTargetDetailSchema = z.object({
  /** The configfs target's name: /sys/kernel/config/netconsole/<target>. */
  target: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/),
  devName: z.string().min(1).max(15),
  localIp: ipAddressTextSchema,
  localPort: portSchema,
  remoteIp: ipAddressTextSchema,
  remotePort: portSchema,
  remoteMac: macAddressSchema,
  /** The gateway the next hop is, or null when the receiver is on the link. */
  gateway: ipAddressTextSchema.nullable(),
  extended: z.boolean(),
  /** The NIC's driver, as the probe read it (null: unknown). */
  driver: z.string().nullable(),
  /** Keep the target across reboot (modprobe.d + modules-load.d). */
  persist: z.boolean(),
  /** Null until applied. */
  setup: netconsoleSetupSchema.nullable(),
  /** Null until verified; the latest verification. */
  verification: netconsoleVerificationSchema.nullable(),
});
export type NetconsoleTargetDetail = z.output<typeof netconsoleTargetDetailSchema>;

// --- the plan ------------------------------------------------------------------------------------

const planEnvelope = {
  id: planIdSchema,
  ticketId: ticketIdSchema,
  serverId: serverIdSchema,
  title: z.string(),
  status: planStatusSchema,
  steps: z.array(planStepSchema),
  warnings: z.array(z.string()),
  /** While awaiting confirmation: when the server restores the saved rules by itself. */
  rollbackAt: timestampSchema.nullable(),
  createdAt: timestampSchema,
  updatedAt: timestampSchema,
  /** What happened, step by step, as shown to the engineer. */
  log: z.array(planLogEntrySchema),
};

export const firewallBlockPlanSchema = z.object({ ...planEnvelope, kind: z.literal('firewall.block'), detail: firewallBlockDetailSchema });
export type FirewallBlockPlan = z.output<typeof firewallBlockPlanSchema>;

export const netconsoleTargetPlanSchema = z.object({ ...planEnvelope, kind: z.literal('netconsole.target'), detail: netconsoleTargetDetailSchema });
export type NetconsoleTargetPlan = z.output<typeof netconsoleTargetPlanSchema>;

export const planSchema = z.discriminatedUnion('kind', [firewallBlockPlanSchema, netconsoleTargetPlanSchema]);
export type Plan = z.output<typeof planSchema>;
export type PlanKind = Plan['kind'];
export const planKindSchema = z.enum(['firewall.block', 'netconsole.target']) satisfies z.ZodType<PlanKind>;
