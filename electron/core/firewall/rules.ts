import { parseBlockAddress } from '../../../shared/contract/firewall.js';
import { blockCidr, familyNames, type AddressFamily } from '../../../shared/domain/address.js';
import { planIdSchema, type BlockProtocol } from '../../../shared/domain/plan.js';
import { ticketIdSchema } from '../../../shared/domain/ticket.js';
import { commandLine } from '../ssh/shell-quote.js';
import {
  BACKLINE_CHAIN,
  JUMP_COMMENT,
  type BacklineRule,
  type ParsedRuleset,
  backlineRules,
  formatTag,
  hasChain,
  jumpIsFirst,
  jumpRules,
  restoreQuote,
} from './iptables-save.js';

/**
 * Turns "block these addresses for this ticket" into `iptables-restore --noflush` input for the filter
 * table. restore applies a table in one transaction, so a bad line leaves the previous rules in place.
 *
 * Verified on iptables 1.8.9, nf_tables and legacy alike (see rules.test.ts): under --noflush a
 * `:BACKLINE-OUT - [0:0]` line creates the chain when missing and FLUSHES it when present. So every
 * change that keeps the chain re-declares it and re-emits its whole content (the rules already there,
 * then the new ones): the result is exactly what the text says, whatever the chain held.
 */

export interface BlockRequest {
  family: AddressFamily;
  /** The ruleset of that family as saved just before (iptables-save or ip6tables-save). */
  current: ParsedRuleset;
  ticketId: string;
  planId: string;
  /** Addresses or CIDR networks of `family`, e.g. from parseGetentAhosts. */
  destinations: readonly string[];
  protocol: BlockProtocol;
  port: number | null;
  /** Unix seconds; recorded in the tag so the block can be lifted after it. */
  expiresAt: number | null;
}

/** One rule as iptables arguments (after `-A CHAIN`), unquoted. */
export type RuleArgs = string[];

export interface RuleChange {
  family: AddressFamily;
  /** Input for `iptables-restore --noflush`; null when there is nothing to change. */
  restoreText: string | null;
  createsChain: boolean;
  /** The jump is inserted as OUTPUT's first rule (when missing, or moved there when it is not first). */
  insertsJump: boolean;
  /** Jump rules deleted: misplaced ones on apply, all of them when the chain goes. */
  deletedJumps: { chain: string; args: RuleArgs }[];
  deletesChain: boolean;
  added: RuleArgs[];
  removed: RuleArgs[];
  /** Rules left in BACKLINE-OUT afterwards, in order (existing ones first). */
  remaining: RuleArgs[];
}

export const JUMP_ARGS: RuleArgs = ['-m', 'comment', '--comment', JUMP_COMMENT, '-j', BACKLINE_CHAIN];

export class FirewallInputError extends Error {}

function validTicket(ticketId: string): string {
  const result = ticketIdSchema.safeParse(ticketId);
  if (!result.success) throw new FirewallInputError(`"${ticketId}" is not a ticket id: ticket ids look like TKT-48213.`);
  return result.data;
}

function validPlan(planId: string): string {
  if (!planIdSchema.safeParse(planId).success) throw new FirewallInputError(`"${planId}" is not a plan id (p + 10 hex digits).`);
  return planId;
}

/** `-d` value with an explicit prefix, canonical as iptables-save prints it. */
function destinationArg(text: string, family: AddressFamily): string {
  const parsed = parseBlockAddress(text);
  if (!parsed.ok) throw new FirewallInputError(parsed.problem);
  if (parsed.value.family !== family) throw new FirewallInputError(`${text} is an ${familyNames[parsed.value.family]} address; this rule set is ${familyNames[family]}.`);
  return blockCidr(parsed.value);
}

/**
 * The REJECT rules for one destination, in the order iptables-save prints their parts. REJECT, not DROP,
 * so clients fail at once instead of hanging. TCP always gets a tcp-reset rule, also for "any": a reset
 * fails connect() at once on both families, where ICMPv6 port-unreachable was measured to take ~1 s.
 */
export function blockRuleArgs(family: AddressFamily, destination: string, protocol: BlockProtocol, port: number | null, comment: string): RuleArgs[] {
  if (port !== null && protocol === 'any') throw new FirewallInputError('A port needs a protocol: choose tcp or udp.');
  if (port !== null && (!Number.isInteger(port) || port < 1 || port > 65535)) throw new FirewallInputError(`Port ${port} is not between 1 and 65535.`);
  const d = ['-d', destinationArg(destination, family)];
  const tail = (rejectWith: string) => ['-m', 'comment', '--comment', comment, '-j', 'REJECT', '--reject-with', rejectWith];
  const icmp = family === 'ipv4' ? 'icmp-port-unreachable' : 'icmp6-port-unreachable';
  const dport = (proto: string) => (port === null ? [] : ['-m', proto, '--dport', String(port)]);
  if (protocol === 'tcp') return [[...d, '-p', 'tcp', ...dport('tcp'), ...tail('tcp-reset')]];
  if (protocol === 'udp') return [[...d, '-p', 'udp', ...dport('udp'), ...tail(icmp)]];
  return [
    [...d, '-p', 'tcp', ...tail('tcp-reset')],
    [...d, ...tail(icmp)],
  ];
}

function ruleLine(verb: '-A' | '-D' | '-I', chain: string, args: readonly string[], position?: number): string {
  return [verb, chain, ...(position === undefined ? [] : [String(position)]), ...args.map(restoreQuote)].join(' ');
}

function restoreDocument(lines: readonly string[]): string {
  return ['*filter', ...lines, 'COMMIT', ''].join('\n');
}

function emptyChange(family: AddressFamily, remaining: RuleArgs[]): RuleChange {
  return { family, restoreText: null, createsChain: false, insertsJump: false, deletedJumps: [], deletesChain: false, added: [], removed: [], remaining };
}

export function blockChange(request: BlockRequest): RuleChange {
  const { family, current, protocol, port } = request;
  const ticketId = validTicket(request.ticketId);
  const planId = validPlan(request.planId);
  if (request.expiresAt !== null && (!Number.isInteger(request.expiresAt) || request.expiresAt <= 0)) {
    throw new FirewallInputError('The expiry must be a time in the future (unix seconds).');
  }
  if (request.destinations.length === 0) throw new FirewallInputError('Choose at least one address to block.');
  const comment = formatTag({ ticketId, planId, expiresAt: request.expiresAt });

  const existing = backlineRules(current).map((r) => r.rule);
  const existingSpecs = new Set(existing.map((r) => r.args.join('\0')));
  const added: RuleArgs[] = [];
  for (const destination of request.destinations) {
    for (const args of blockRuleArgs(family, destination, protocol, port, comment)) {
      const key = args.join('\0');
      if (existingSpecs.has(key)) continue;
      existingSpecs.add(key);
      added.push(args);
    }
  }

  const outputJumps = jumpRules(current).filter((r) => r.chain === 'OUTPUT');
  const jumpOk = jumpIsFirst(current) && outputJumps.length === 1;
  const deletedJumps = jumpOk ? [] : outputJumps.map((r) => ({ chain: r.chain, args: r.args }));

  const lines = [
    `:${BACKLINE_CHAIN} - [0:0]`,
    ...existing.map((r) => `-A ${BACKLINE_CHAIN} ${r.spec}`),
    ...added.map((args) => ruleLine('-A', BACKLINE_CHAIN, args)),
    ...deletedJumps.map((j) => ruleLine('-D', j.chain, j.args)),
    ...(jumpOk ? [] : [ruleLine('-I', 'OUTPUT', JUMP_ARGS, 1)]),
  ];
  return {
    family,
    restoreText: added.length === 0 && jumpOk ? null : restoreDocument(lines),
    createsChain: !hasChain(current),
    insertsJump: !jumpOk,
    deletedJumps,
    deletesChain: false,
    added,
    removed: [],
    remaining: [...existing.map((r) => r.args), ...added],
  };
}

export type RemovalFilter = { ticketId: string } | { planId: string } | { expiredAt: number } | { all: true };

function matches(rule: BacklineRule, filter: RemovalFilter): boolean {
  if ('all' in filter) return true;
  if (!rule.tag) return false; // A hand-made rule in the chain is not Backline's to remove.
  if ('ticketId' in filter) return rule.tag.ticketId === filter.ticketId.trim().toUpperCase();
  if ('planId' in filter) return rule.tag.planId === filter.planId;
  return rule.tag.expiresAt !== null && rule.tag.expiresAt <= filter.expiredAt;
}

/**
 * The text that lifts the matching blocks. The chain keeps the other rules; when none remain, the jumps
 * go first (a referenced chain cannot be deleted), then the chain is flushed and deleted.
 */
export function unblockChange(family: AddressFamily, current: ParsedRuleset, filter: RemovalFilter): RuleChange {
  const rules = backlineRules(current);
  const removed = rules.filter((r) => matches(r, filter));
  const kept = rules.filter((r) => !matches(r, filter));
  const remaining = kept.map((r) => r.rule.args);
  if (!hasChain(current)) return emptyChange(family, remaining);
  if (kept.length > 0) {
    if (removed.length === 0) return emptyChange(family, remaining);
    const lines = [`:${BACKLINE_CHAIN} - [0:0]`, ...kept.map((r) => `-A ${BACKLINE_CHAIN} ${r.rule.spec}`)];
    return { ...emptyChange(family, remaining), restoreText: restoreDocument(lines), removed: removed.map((r) => r.rule.args) };
  }
  // Nothing of Backline's remains: take the chain away too, even if it was already empty.
  const deletedJumps = jumpRules(current).map((r) => ({ chain: r.chain, args: r.args }));
  const lines = [...deletedJumps.map((j) => ruleLine('-D', j.chain, j.args)), `-F ${BACKLINE_CHAIN}`, `-X ${BACKLINE_CHAIN}`];
  return { ...emptyChange(family, []), restoreText: restoreDocument(lines), deletedJumps, deletesChain: true, removed: removed.map((r) => r.rule.args) };
}

/** The change as the iptables commands a person would type, for the preview and the ticket note. */
export function previewLines(change: RuleChange): string[] {
  const tool = change.family === 'ipv4' ? 'iptables' : 'ip6tables';
  const lines: string[][] = [];
  if (change.createsChain) lines.push([tool, '-N', BACKLINE_CHAIN]);
  for (const args of change.added) lines.push([tool, '-A', BACKLINE_CHAIN, ...args]);
  for (const args of change.removed) lines.push([tool, '-D', BACKLINE_CHAIN, ...args]);
  for (const jump of change.deletedJumps) lines.push([tool, '-D', jump.chain, ...jump.args]);
  if (change.insertsJump) lines.push([tool, '-I', 'OUTPUT', '1', ...JUMP_ARGS]);
  if (change.deletesChain) lines.push([tool, '-X', BACKLINE_CHAIN]);
  return lines.map((argv) => commandLine(argv));
}

/** Fixed script: the restore text arrives as $1 (remote commands have no stdin), the restore command as the rest. */
const RESTORE_SCRIPT = `text=$1; shift; printf '%s\\n' "$text" | "$@"`;

/**
 * argv that feeds `text` to iptables-restore (or ip6tables-restore) --noflush; with `test`, restore only
 * parses and checks it (--test), changing nothing: a dry run for the preview. `waitSeconds` waits for
 * the xtables lock (held while docker or fail2ban run iptables) instead of failing; only pass it when
 * the server's iptables has it (FirewallBackend.restoreWait, 1.6.2 and later).
 */
export function restoreArgv(family: AddressFamily, text: string, options: { test?: boolean; binary?: string; waitSeconds?: number } = {}): string[] {
  const binary = options.binary ?? (family === 'ipv4' ? 'iptables-restore' : 'ip6tables-restore');
  const wait = options.waitSeconds === undefined ? [] : ['-w', String(Math.max(1, Math.round(options.waitSeconds)))];
  return ['sh', '-c', RESTORE_SCRIPT, 'backline-restore', text, binary, ...wait, '--noflush', ...(options.test ? ['--test'] : [])];
}

/** argv that reads the current rules of one family. */
export function saveArgv(family: AddressFamily): string[] {
  return [family === 'ipv4' ? 'iptables-save' : 'ip6tables-save', '-t', 'filter'];
}
