import { z } from 'zod';
import {
  addressFamilySchema,
  blockContains,
  ipAddressTextSchema,
  parseHost,
  parseHostname,
  parseIpAddress,
  parseIpBlock,
  parsedString,
  type Hostname,
  type IpAddress,
  type IpBlock,
  type Parsed,
} from '../domain/address.js';
import { blockProtocolSchema, firewallBlockPlanSchema, planIdSchema, planSchema } from '../domain/plan.js';
import { portSchema, serverIdSchema } from '../domain/server.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { method } from './define.js';

/** A firewall rule never takes a /0: it would cut the server off from everything, this session included. */
function blockable<T extends Hostname | IpBlock>(parsed: Parsed<T>): Parsed<T> {
  if (parsed.ok && parsed.value.kind === 'network' && parsed.value.prefix === 0) {
    return { ok: false, problem: 'A /0 network would block every outbound connection; name a host or a smaller network.' };
  }
  return parsed;
}

/** What the engineer asks to block: a host name (resolved on the server), an address, or a CIDR block. */
export function parseBlockTarget(text: string): Parsed<Hostname | IpBlock> {
  if (text.trim() === '') return { ok: false, problem: 'Give a host name, an address or a CIDR block to block.' };
  return blockable(parseHost(text, { networks: true }));
}

/** One address or CIDR block a rule is written for; a host name is resolved first, on the server. */
export function parseBlockAddress(text: string): Parsed<IpBlock> {
  const parsed = parseIpBlock(text, { brackets: true });
  if (!parsed.ok && parseHostname(text).ok) return { ok: false, problem: `"${text.trim()}" is a host name: resolve it on the server and block its addresses.` };
  return blockable(parsed);
}

/** The target as the plan shows it: a host name lower-cased, an address or block canonical. */
export const blockTargetSchema = parsedString(parseBlockTarget).transform((host) => (host.kind === 'hostname' ? host.name : host.text));
/** Parsed to the block itself: its family, canonical text and bytes reach the handler checked. */
export const blockAddressSchema = parsedString(parseBlockAddress, 64);
/** An address that should still answer after the block: one host, which the server connects to. */
export function parseReachableAddress(text: string): Parsed<IpAddress> {
  if (text.includes('/')) return { ok: false, problem: `"${text.trim()}" is a CIDR block: only a single address can be checked to still answer.` };
  return parseIpAddress(text, { brackets: true });
}

export const reachableAddressSchema = parsedString(parseReachableAddress, 64);
/** A name to resolve on the server, or an address (returned as it is). */
export const resolveHostSchema = parsedString((text) => parseHost(text)).transform((host) => (host.kind === 'hostname' ? host.name : host.text));

export const backlineRuleSchema = z.object({
  family: addressFamilySchema,
  ticketId: z.string(),
  planId: z.string(),
  /** As iptables-save prints it (`203.0.113.7/32`); '?' for a rule without one. */
  destination: z.string(),
  protocol: z.string().nullable(),
  port: z.number().int().nullable(),
  expiresAt: z.string().nullable(),
  /** The rule as iptables-save prints it. */
  rule: z.string(),
});

/** `detail` of a SESSION_WOULD_BE_CUT error: the session's own address, as the server sees it. */
export const sessionCutDetailSchema = z.object({ server: z.string(), peer: ipAddressTextSchema });
export type SessionCutDetail = z.output<typeof sessionCutDetailSchema>;

/** `detail` of a REMOTE_COMMAND_FAILED error (as the runner, electron/core/ssh/remote.ts, writes it): which step, and how it ended. */
export const remoteCommandFailureSchema = z.object({
  purpose: z.string(),
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
});
export type RemoteCommandFailure = z.output<typeof remoteCommandFailureSchema>;

export const firewallProbeSchema = z.object({
  backend: z.enum(['nft', 'legacy', 'unknown']),
  canApply: z.boolean(),
  /** Why Backline will not apply here (missing binaries...). */
  reasons: z.array(z.string()),
  /** What the engineer should know before applying (firewalld or ufw running...). */
  warnings: z.array(z.string()),
  persistence: z.string().nullable(),
  /**
   * What runs the server-side rollback and the expiry there: `systemd-run` (a transient unit, outside the
   * login session, so logind's KillUserProcesses cannot end it) where systemd runs, else `setsid` (a
   * detached process). Null when the probe could not tell.
   */
  rollbackTimer: z.enum(['systemd-run', 'setsid']).nullable(),
  /** The address this SSH session comes from, as the server sees it: blocking it cuts the session. */
  sessionPeer: ipAddressTextSchema.nullable(),
  rules: z.array(backlineRuleSchema),
  /** The customer's own OUTPUT chain, per family (read-only): its policy and rules, Backline's jump left out. */
  customerOutput: z
    .array(
      z.object({
        family: addressFamilySchema,
        policy: z.string().nullable(),
        rules: z.array(z.object({ rule: z.string(), target: z.string().nullable(), comment: z.string().nullable(), destination: z.string().nullable(), protocol: z.string().nullable(), ports: z.string().nullable() })),
      }),
    )
    .default([]),
});

export const firewallMethods = {
  'firewall.probe': method({
    summary: "Read a server's firewall: backend, managers in the way, persistence, and Backline's own rules. Read-only.",
    input: z.object({ serverId: serverIdSchema }),
    output: firewallProbeSchema,
  }),
  'firewall.resolve': method({
    summary: 'Resolve a host name on the customer server, as it sees it (getent ahosts): every IPv4 and IPv6 address.',
    input: z.object({ serverId: serverIdSchema, host: resolveHostSchema }),
    output: z.object({ addresses: z.array(z.object({ address: ipAddressTextSchema, family: addressFamilySchema })) }),
  }),
  'firewall.preview': method({
    summary: 'Build the plan that blocks outbound connections to the chosen addresses: the exact rules, shown before anything runs.',
    input: z
      .object({
        ticketId: ticketIdSchema,
        serverId: serverIdSchema,
        target: blockTargetSchema,
        /** The addresses to block (from firewall.resolve, or the target itself). */
        addresses: z.array(blockAddressSchema).min(1, 'Pick at least one address to block.').max(64),
        /** Addresses that should stay reachable, checked after applying (the other heads). */
        keepReachable: z.array(reachableAddressSchema).max(64).default([]),
        port: portSchema.optional(),
        protocol: blockProtocolSchema.default('tcp'),
        expiresInMinutes: z.number().int().min(1).max(60 * 24 * 90).optional(),
        persist: z.boolean().default(false),
        /** Allow blocking the address this SSH session comes from. */
        force: z.boolean().default(false),
        confirmWithinS: z.number().int().min(10).max(3600).default(60),
      })
      .superRefine((input, ctx) => {
        // iptables matches --dport only together with -p tcp or -p udp.
        if (input.port !== undefined && input.protocol === 'any') ctx.addIssue({ code: 'custom', path: ['protocol'], message: 'A port needs a protocol: choose tcp or udp.' });
        input.keepReachable.forEach((kept, index) => {
          const blocked = input.addresses.find((block) => blockContains(block, kept));
          if (blocked) ctx.addIssue({ code: 'custom', path: ['keepReachable', index], message: `${kept.text} is blocked (${blocked.text}): it cannot also stay reachable.` });
        });
      }),
    output: firewallBlockPlanSchema,
  }),
  'firewall.apply': method({
    summary: 'Apply a previewed plan: save the rules, arm the server-side rollback, apply atomically, verify. Confirm before the deadline.',
    input: z.object({ planId: planIdSchema }),
    output: firewallBlockPlanSchema,
  }),
  'firewall.confirm': method({
    summary: 'Keep an applied plan: disarm the rollback (and persist, if asked and the server already persists its rules).',
    input: z.object({ planId: planIdSchema }),
    output: firewallBlockPlanSchema,
  }),
  'firewall.check': method({
    summary: 'Where a plan stands on the server now: still applied, rolled back by the server, removed or expired.',
    input: z.object({ planId: planIdSchema }),
    output: firewallBlockPlanSchema,
  }),
  'firewall.remove': method({
    summary: "Remove Backline's rules from a server: one plan's, one ticket's, or all. Never touches other rules.",
    input: z.object({
      serverId: serverIdSchema,
      ticketId: ticketIdSchema,
      scope: z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('plan'), planId: planIdSchema }),
        z.object({ kind: z.literal('ticket'), ticketId: ticketIdSchema }),
        z.object({ kind: z.literal('all') }),
      ]),
    }),
    /** `savedForReboot`: the rules were saved for reboot again, without the removed ones (they would come back at boot). */
    output: z.object({ removed: z.number().int(), customerRulesUnchanged: z.boolean(), savedForReboot: z.boolean() }),
  }),
  'plans.list': method({
    summary: "A ticket's plans, newest first.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(planSchema),
  }),
};
