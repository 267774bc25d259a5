import { z } from 'zod';
import { planIdSchema, planSchema } from '../domain/plan.js';
import { hostSchema, portSchema, serverIdSchema } from '../domain/server.js';
import { ticketIdSchema } from '../domain/ticket.js';
import { method } from './define.js';

/** A host name, an IPv4/IPv6 address, or a CIDR block, as the engineer types it. */
export const blockTargetSchema = z
  .string()
  .trim()
  .min(1, 'Give a host name, an address or a CIDR block to block.')
  .max(253)
  .regex(/^(?!-)[A-Za-z0-9.:/_-]+$/, 'A target is a host name, an IPv4 or IPv6 address, or a CIDR block such as 203.0.113.0/24.');

export const backlineRuleSchema = z.object({
  family: z.enum(['ipv4', 'ipv6']),
  ticketId: z.string(),
  planId: z.string(),
  destination: z.string(),
  protocol: z.string().nullable(),
  port: z.number().int().nullable(),
  expiresAt: z.string().nullable(),
  /** The rule as iptables-save prints it. */
  rule: z.string(),
});

export const firewallProbeSchema = z.object({
  backend: z.enum(['nft', 'legacy', 'unknown']),
  canApply: z.boolean(),
  /** Why Backline will not apply here (missing binaries...). */
  reasons: z.array(z.string()),
  /** What the engineer should know before applying (firewalld or ufw running...). */
  warnings: z.array(z.string()),
  persistence: z.string().nullable(),
  /** The address this SSH session comes from, as the server sees it: blocking it cuts the session. */
  sessionPeer: z.string().nullable(),
  rules: z.array(backlineRuleSchema),
});

export const firewallMethods = {
  'firewall.probe': method({
    summary: "Read a server's firewall: backend, managers in the way, persistence, and Backline's own rules. Read-only.",
    input: z.object({ serverId: serverIdSchema }),
    output: firewallProbeSchema,
  }),
  'firewall.resolve': method({
    summary: 'Resolve a host name on the customer server, as it sees it (getent ahosts): every IPv4 and IPv6 address.',
    input: z.object({ serverId: serverIdSchema, host: hostSchema }),
    output: z.object({ addresses: z.array(z.object({ address: z.string(), family: z.enum(['ipv4', 'ipv6']) })) }),
  }),
  'firewall.preview': method({
    summary: 'Build the plan that blocks outbound connections to the chosen addresses: the exact rules, shown before anything runs.',
    input: z.object({
      ticketId: ticketIdSchema,
      serverId: serverIdSchema,
      target: blockTargetSchema,
      /** The addresses to block (from firewall.resolve, or the target itself). */
      addresses: z.array(z.string().max(64)).min(1, 'Pick at least one address to block.').max(64),
      /** Addresses that should stay reachable, checked after applying (the other heads). */
      keepReachable: z.array(z.string().max(64)).max(64).default([]),
      port: portSchema.optional(),
      protocol: z.enum(['tcp', 'udp', 'any']).default('tcp'),
      expiresInMinutes: z.number().int().min(1).max(60 * 24 * 90).optional(),
      persist: z.boolean().default(false),
      /** Allow blocking the address this SSH session comes from. */
      force: z.boolean().default(false),
      confirmWithinS: z.number().int().min(10).max(3600).default(60),
    }),
    output: planSchema,
  }),
  'firewall.apply': method({
    summary: 'Apply a previewed plan: save the rules, arm the server-side rollback, apply atomically, verify. Confirm before the deadline.',
    input: z.object({ planId: planIdSchema }),
    output: planSchema,
  }),
  'firewall.confirm': method({
    summary: 'Keep an applied plan: disarm the rollback (and persist, if asked and the server already persists its rules).',
    input: z.object({ planId: planIdSchema }),
    output: planSchema,
  }),
  'firewall.check': method({
    summary: 'Where a plan stands on the server now: still applied, rolled back by the server, removed or expired.',
    input: z.object({ planId: planIdSchema }),
    output: planSchema,
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
    output: z.object({ removed: z.number().int(), customerRulesUnchanged: z.boolean() }),
  }),
  'plans.list': method({
    summary: "A ticket's plans, newest first.",
    input: z.object({ ticketId: ticketIdSchema }),
    output: z.array(planSchema),
  }),
};
