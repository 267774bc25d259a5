import type { ParsedInput } from '../../../shared/contract/index.js';
import { blockContains, familyNames, hostPort, parseIpBlock, type AddressFamily } from '../../../shared/domain/address.js';
import { networkSamples, untestedNotes, type BlockVerification, type FirewallBlockDetail, type FirewallBlockPlan, type PlanStep } from '../../../shared/domain/plan.js';
import { BacklineError, type ErrorIssue } from '../../../shared/errors.js';
import { commandLine } from '../ssh/shell-quote.js';
import type { NewFinding, Supersession } from '../store/findings-repo.js';
import type { FirewallBackend } from './backend.js';
import { connectArgv } from './connectivity.js';
import { armArgv, disarmArgv, extendArgv, resaveArgv, restoreSavedArgv, statusArgv } from './deadman.js';
import { BACKLINE_CHAIN, parseIptablesSave } from './iptables-save.js';
import { FirewallInputError, blockChange, previewLines, saveArgv, type RuleChange } from './rules.js';

/**
 * The firewall's plans as pure functions: from what the engineer asked, what the probe found and the
 * session's own address, to the plan with its exact steps, warnings and detail, or a typed refusal.
 * No SSH, no store, no clock of its own: handlers.ts does the I/O and passes the results in.
 */

export type PreviewInput = ParsedInput<'firewall.preview'>;

export interface BlockPlanRequest {
  input: PreviewInput;
  server: { id: number; label: string };
  backend: FirewallBackend;
  /** Backline logs in as root: the steps run without sudo. */
  asRoot: boolean;
  id: string;
  /** ISO timestamp of the preview. */
  now: string;
}

/** Why a plan cannot be made (or applied) as asked: each becomes an error with its own code and fields. */
export type PlanRefusal =
  | { kind: 'cannot-apply'; reasons: string[] }
  | { kind: 'family-unreadable'; family: AddressFamily; indexes: number[] }
  | { kind: 'session-would-be-cut'; peer: string; indexes: number[] }
  | { kind: 'invalid-rule'; message: string };

export type Refusable<T> = { ok: true; value: T } | { ok: false; refusal: PlanRefusal };

/** Deletes the jump and the chain once the chain holds no rule (`-S` prints only `-N`). Fixed text. */
const EMPTY_CHAIN_CLEANUP = `t=$1; if [ "$("$t" -S ${BACKLINE_CHAIN} 2>/dev/null | wc -l)" -eq 1 ]; then "$t" -D OUTPUT -m comment --comment backline -j ${BACKLINE_CHAIN} && "$t" -X ${BACKLINE_CHAIN}; fi`;

const toolOf = (family: AddressFamily) => (family === 'ipv4' ? 'iptables' : 'ip6tables');

/** The rule changes of a block plan against the rules the server has now, one per family it touches. */
export function blockChanges(backend: FirewallBackend, plan: { ticketId: string; id: string; detail: FirewallBlockDetail }): Refusable<RuleChange[]> {
  const { detail } = plan;
  const changes: RuleChange[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const indexes = detail.addresses.flatMap((a, index) => (a.family === family ? [index] : []));
    if (indexes.length === 0) continue;
    const save = backend.saves[family];
    if (save === null) return { ok: false, refusal: { kind: 'family-unreadable', family, indexes } };
    try {
      changes.push(
        blockChange({
          family,
          current: parseIptablesSave(save),
          ticketId: plan.ticketId,
          planId: plan.id,
          destinations: indexes.map((i) => detail.addresses[i]?.address ?? ''),
          protocol: detail.protocol,
          port: detail.port,
          expiresAt: detail.expiresAt,
        }),
      );
    } catch (error) {
      if (error instanceof FirewallInputError) return { ok: false, refusal: { kind: 'invalid-rule', message: error.message } };
      throw error;
    }
  }
  return { ok: true, value: changes };
}

// --- the rollback window ---------------------------------------------------------------------------
// The switch is armed before anything changes, but the engineer's confirmation window starts only when
// they are asked: until then the deadline covers the step at hand and is moved on as Backline goes.

/** Seconds a family's rules may take to apply (the runner's time limit for that step). */
export const APPLY_STEP_S = 15;
/** The switch's first deadline: every family's apply step, plus a margin for the round trips. */
export const applyWindowS = (families: number): number => APPLY_STEP_S * Math.max(1, families) + 15;
/** While the server verifies, the deadline is kept this far ahead... */
export const VERIFY_WINDOW_S = 45;
/** ...moved on again once this much of it has passed. */
export const VERIFY_KEEPALIVE_S = 15;

// --- verification (which addresses of a network are tried, and what is left untested: shared/domain/plan.ts)

export interface VerificationCheck {
  address: string;
  port: number;
  expected: BlockVerification['expected'];
  /** The blocked network this address was picked from; null for an address blocked or kept itself. */
  network: string | null;
}

/**
 * What the server checks after applying, on the blocked port (80 when every port is blocked): each
 * blocked address refuses, each blocked network refuses at the addresses `networkSamples` picks, and
 * each kept address still answers.
 */
export function verificationChecks(detail: FirewallBlockDetail): VerificationCheck[] {
  const port = detail.port ?? 80;
  const blocked = detail.addresses.flatMap((a): VerificationCheck[] => {
    const block = parseIpBlock(a.address);
    if (!block.ok) return [];
    if (block.value.kind === 'address') return [{ address: block.value.text, port, expected: 'blocked', network: null }];
    const network = block.value.text;
    return networkSamples(block.value).samples.map((address) => ({ address, port, expected: 'blocked', network }));
  });
  return [...blocked, ...detail.keepReachable.map((address) => ({ address, port, expected: 'reachable' as const, network: null }))];
}

/** The verification as one log line: ok only when every check went as expected; it names what was not tested. */
export function verificationSummary(verification: readonly BlockVerification[], notes: readonly string[] = []): { ok: boolean; unexpected: number; message: string } {
  const unexpected = verification.filter((v) => (v.expected === 'blocked') === v.reachable).length;
  const checks =
    verification
      .map((v) => `${hostPort(v.address, v.port)}${v.network ? ` (in ${v.network})` : ''} ${v.reachable ? 'answers' : 'refused'} (${v.expected === 'blocked' ? 'should be blocked' : 'should answer'}): ${v.detail}`)
      .join('; ') || 'Nothing to verify: nothing was blocked that could be tried, and nothing was to stay reachable.';
  const message = notes.length > 0 ? `${checks}. Not tested: ${notes.join('; ')}.` : checks;
  return { ok: unexpected === 0, unexpected, message };
}

/**
 * The commands that lift the plan's rules at its expiry, the chain with them once it is empty, and, when
 * the rules were saved for reboot, the save again without them (else they would come back at boot).
 */
export function expiryCommands(detail: FirewallBlockDetail): string[] {
  return [
    ...detail.rules.flatMap((r) => [
      ...r.preview.filter((line) => line.includes(` -A ${BACKLINE_CHAIN} `)).map((line) => line.replace(` -A ${BACKLINE_CHAIN} `, ` -D ${BACKLINE_CHAIN} `)),
      // When nothing of Backline's is left, the jump and the chain go too, as a removal would do.
      commandLine(['sh', '-c', EMPTY_CHAIN_CLEANUP, 'backline-cleanup', toolOf(r.family)]),
    ]),
    ...(detail.savedForReboot ? [commandLine(resaveArgv())] : []),
  ];
}

/** `until 2025-…` or `until removed`. */
export const blockUntil = (detail: FirewallBlockDetail): string => (detail.expiresAt !== null ? `until ${new Date(detail.expiresAt * 1000).toISOString()}` : 'until removed');

const blockTarget = (detail: FirewallBlockDetail): string => detail.addresses.map((a) => (detail.port ? hostPort(a.address, detail.port) : a.address)).join(', ');

/** The plan statuses that end a block, and how a finding says so. */
export const blockEndings = { removed: 'removed', expired: 'expired', 'rolled-back': 'rolled back' } as const satisfies Partial<Record<FirewallBlockPlan['status'], string>>;
export type BlockEnding = keyof typeof blockEndings;
export const isBlockEnding = (status: FirewallBlockPlan['status']): status is BlockEnding => status in blockEndings;

/** What a block's finding says once the block ended: only what is true now (the audit log keeps what it said before). */
export function blockEndedFinding(plan: FirewallBlockPlan, serverLabel: string, ending: BlockEnding, at: string, since: string): Supersession {
  return {
    title: `Outbound to ${blockTarget(plan.detail)} no longer blocked from ${serverLabel}: the block was ${blockEndings[ending]} at ${at}`,
    note: `The block was in place from ${since} until it was ${blockEndings[ending]} at ${at} (plan ${plan.id}).`,
  };
}

/** The finding a confirmed block leaves on the ticket. */
export function blockFinding(plan: FirewallBlockPlan, serverLabel: string): NewFinding {
  const { detail } = plan;
  return {
    ticketId: plan.ticketId,
    planId: plan.id,
    kind: 'action',
    severity: 'medium',
    title: `Outbound to ${blockTarget(detail)} blocked from ${serverLabel} ${blockUntil(detail)}`,
    detail: {
      server: serverLabel,
      target: detail.target,
      addresses: detail.addresses.map((a) => a.address).join(', '),
      port: detail.port,
      protocol: detail.protocol,
      plan: plan.id,
      expires: detail.expiresAt ? new Date(detail.expiresAt * 1000).toISOString() : null,
      persisted: detail.persist,
    },
    evidence: [
      { label: 'Rules', content: detail.rules.flatMap((r) => r.preview).join('\n') },
      ...(detail.verification ? [{ label: 'Verification from the server', content: detail.verification.map((v) => `${hostPort(v.address, v.port)} ${v.reachable ? 'answers' : 'refused'} (${v.detail})`).join('\n') }] : []),
    ],
  };
}

/**
 * The plan that blocks outbound traffic to the chosen addresses. Refused when the server cannot take it,
 * when a family's rules could not be read, or (unless forced) when it would cut this very SSH session: the
 * session's packets from the server go to the peer's ephemeral port, so only a TCP block on every port stops them.
 */
export function buildBlockPlan(request: BlockPlanRequest): Refusable<FirewallBlockPlan> {
  const { input, server, backend, asRoot, id, now } = request;
  if (!backend.canApply) return { ok: false, refusal: { kind: 'cannot-apply', reasons: backend.reasons } };

  const peer = backend.sessionPeer;
  const cutting = peer === null || input.port !== undefined || input.protocol === 'udp' ? [] : input.addresses.flatMap((block, index) => (blockContains(block, peer) ? [index] : []));
  if (peer !== null && cutting.length > 0 && !input.force) return { ok: false, refusal: { kind: 'session-would-be-cut', peer: peer.text, indexes: cutting } };

  const detail: FirewallBlockDetail = {
    target: input.target,
    addresses: input.addresses.map((block) => ({ address: block.text, family: block.family })),
    keepReachable: input.keepReachable.map((address) => address.text),
    port: input.port ?? null,
    protocol: input.protocol,
    expiresAt: input.expiresInMinutes === undefined ? null : Math.floor(Date.parse(now) / 1000) + input.expiresInMinutes * 60,
    persist: input.persist,
    savedForReboot: false,
    confirmWithinS: input.confirmWithinS,
    rules: [],
    verification: null,
  };
  const changes = blockChanges(backend, { ticketId: input.ticketId, id, detail });
  if (!changes.ok) return changes;
  detail.rules = changes.value.map((c) => ({ family: c.family, preview: previewLines(c) }));

  const warnings = [...backend.warnings];
  if (peer !== null && cutting.length > 0) {
    warnings.push(`This blocks ${peer.text}, the address of your own SSH session: expect to be cut off; the server restores its rules after ${input.confirmWithinS} s.`);
  }
  if (input.persist && backend.persistence.kind !== 'netfilter-persistent') {
    warnings.push('This server does not persist its rules with netfilter-persistent: the block will not survive a reboot.');
  }

  const wrap = (argv: string[]) => commandLine(asRoot ? argv : ['sudo', '-n', '--', ...argv]);
  const checks = verificationChecks(detail);
  const window = applyWindowS(changes.value.length);
  const untested = untestedNotes(detail);
  const steps: PlanStep[] = [
    {
      title: `Save the current rules and arm the server-side rollback: it restores them ${window} s later unless Backline moves the deadline on`,
      command: wrap(armArgv(id, window)),
      undo: null,
      check: wrap(statusArgv(id)),
    },
    ...changes.value.map((c) => ({
      title: `Add ${c.added.length} ${familyNames[c.family]} rule(s) to ${BACKLINE_CHAIN}, atomically`,
      command: previewLines(c).join('\n'),
      undo: wrap(restoreSavedArgv(id)),
      check: wrap(saveArgv(c.family)),
    })),
    {
      title:
        checks.length > 0
          ? `Verify from the server: blocked addresses refuse, the others still answer (the rollback deadline kept ${VERIFY_WINDOW_S} s ahead meanwhile)${untested.length > 0 ? `; not tested: ${untested.join('; ')}` : ''}`
          : 'Nothing to verify from the server (the rollback deadline moved on)',
      command: [wrap(extendArgv(id, VERIFY_WINDOW_S)), ...checks.map((c) => commandLine(connectArgv(c.address, c.port)))].join('\n'),
      undo: null,
      check: null,
    },
    { title: `Ask you to confirm: the server restores the saved rules ${input.confirmWithinS} s from then`, command: wrap(extendArgv(id, input.confirmWithinS)), undo: null, check: wrap(statusArgv(id)) },
    { title: `Confirm within ${input.confirmWithinS} s, or the server restores the saved rules`, command: wrap(disarmArgv(id)), undo: null, check: null },
  ];

  return {
    ok: true,
    value: {
      id,
      ticketId: input.ticketId,
      serverId: server.id,
      kind: 'firewall.block',
      title: `Block outbound ${detail.addresses.map((a) => a.address).join(', ')}${detail.port ? ` port ${detail.port}/${detail.protocol}` : ''} from ${server.label}`,
      status: 'previewed',
      steps,
      warnings,
      detail,
      rollbackAt: null,
      createdAt: now,
      updatedAt: now,
      log: [],
    },
  };
}

/** The refusal as the error the engineer sees: its code, what to do next, and the fields it concerns. */
export function refusalError(refusal: PlanRefusal, serverLabel: string): BacklineError {
  const at = (indexes: number[], message: string): ErrorIssue[] => indexes.map((index) => ({ path: `addresses.${index}`, message }));
  switch (refusal.kind) {
    case 'cannot-apply':
      return new BacklineError('VALIDATION_FAILED', `Backline will not change the firewall on ${serverLabel}: ${refusal.reasons.join('; ')}`, { hint: 'Fix what is named, then preview again.' });
    case 'family-unreadable':
      return new BacklineError('VALIDATION_FAILED', `${familyNames[refusal.family]} rules could not be read on ${serverLabel}.`, {
        hint: refusal.family === 'ipv6' ? 'ip6tables may be missing: block only IPv4 addresses, or install it.' : 'Check that iptables is installed and the user may run it with sudo.',
        issues: at(refusal.indexes, `${familyNames[refusal.family]} rules cannot be changed on this server.`),
      });
    case 'session-would-be-cut':
      return new BacklineError('SESSION_WOULD_BE_CUT', `Blocking ${refusal.peer} would cut this SSH session to ${serverLabel}: it is the address the server sees you connect from.`, {
        hint: 'Remove it from the addresses, block one port only, or force it: the server rolls the change back by itself if it is not confirmed in time.',
        issues: at(refusal.indexes, `This holds ${refusal.peer}, this session's own address.`),
        detail: { server: serverLabel, peer: refusal.peer },
      });
    case 'invalid-rule':
      return new BacklineError('VALIDATION_FAILED', `The rules cannot be written: ${refusal.message}`, { hint: 'Correct the addresses, port or protocol and preview again.' });
  }
}
