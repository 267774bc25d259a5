import type { MethodInput, MethodOutput } from '../../../shared/contract/index.js';
import { untestedNotes, type BlockVerification, type FirewallBlockDetail, type FirewallBlockPlan, type Plan, type PlanStatus } from '../../../shared/domain/plan.js';
import { formatCountdown, secondsUntil } from './countdown.js';

export const statusColors: Record<PlanStatus, string> = {
  previewed: 'gray',
  applying: 'blue',
  'awaiting-confirmation': 'orange',
  confirmed: 'green',
  'rolled-back': 'yellow',
  failed: 'red',
  removed: 'gray',
  expired: 'gray',
};

export interface VerificationRow extends BlockVerification {
  /** Blocked and refused, or kept and answering. */
  asExpected: boolean;
}

/** The checks the server ran after applying; none before. */
export function verificationOf(plan: Pick<FirewallBlockPlan, 'detail'>): VerificationRow[] {
  return (plan.detail.verification ?? []).map((v) => ({ ...v, asExpected: v.expected === 'reachable' ? v.reachable : !v.reachable }));
}

/** What the server's checks could not cover: the addresses of each blocked network it did not try. */
export function untestedOf(plan: Pick<FirewallBlockPlan, 'detail'>): string[] {
  return plan.detail.verification === null ? [] : untestedNotes(plan.detail);
}

/** A confirmed block whose expiry has passed: time to ask the server whether it lifted it. */
export function expiryPassed(plan: Pick<FirewallBlockPlan, 'status' | 'detail'>, now: number): boolean {
  return plan.status === 'confirmed' && plan.detail.expiresAt !== null && now >= plan.detail.expiresAt * 1000;
}

/** Whether applying lost the SSH session (the main side logs it as such and lets the server roll back). */
export function connectionLost(plan: Pick<Plan, 'log'>): boolean {
  return plan.log.some((line) => line.kind === 'connection-lost');
}

export type PlanPhase =
  | 'preview'
  | 'applying'
  | 'awaiting'
  /** Awaiting confirmation, but the change cut the session: only the server's rollback can follow. */
  | 'cut-off'
  | 'confirmed'
  | 'rolled-back'
  | 'failed'
  | 'ended';

export interface PlanViewState {
  phase: PlanPhase;
  /** Seconds until the server restores its rules, while awaiting confirmation. */
  secondsLeft: number | null;
  /** The sentence over the countdown; null when nothing is counting down. */
  countdown: string | null;
  /** The deadline passed with the plan still awaiting confirmation: time to ask the server. */
  deadlinePassed: boolean;
  canApply: boolean;
  canConfirm: boolean;
}

export function planViewState(plan: Pick<Plan, 'status' | 'rollbackAt' | 'log'>, now: number): PlanViewState {
  const secondsLeft = plan.status === 'awaiting-confirmation' ? secondsUntil(plan.rollbackAt, now) : null;
  const cutOff = plan.status === 'awaiting-confirmation' && connectionLost(plan);
  const phase: PlanPhase = (() => {
    switch (plan.status) {
      case 'previewed':
        return 'preview';
      case 'applying':
        return 'applying';
      case 'awaiting-confirmation':
        return cutOff ? 'cut-off' : 'awaiting';
      case 'confirmed':
        return 'confirmed';
      case 'rolled-back':
        return 'rolled-back';
      case 'failed':
        return 'failed';
      case 'removed':
      case 'expired':
        return 'ended';
    }
  })();
  const deadlinePassed = secondsLeft === 0;
  let countdown: string | null = null;
  if (secondsLeft !== null) {
    countdown = deadlinePassed
      ? 'The confirmation window has closed: the server restores its previous rules now.'
      : `The server restores its previous rules in ${formatCountdown(secondsLeft)} unless you confirm`;
  }
  return { phase, secondsLeft, countdown, deadlinePassed, canApply: plan.status === 'previewed', canConfirm: phase === 'awaiting' && !deadlinePassed };
}

/** The newer of two copies of a plan: the one a mutation returned, and the one the plans list holds. */
export function newerPlan<P extends Pick<Plan, 'id' | 'updatedAt' | 'log'>>(local: P | null, listed: readonly P[] | undefined): P | null {
  if (local === null) return null;
  const other = listed?.find((p) => p.id === local.id);
  if (!other) return local;
  const a = Date.parse(local.updatedAt);
  const b = Date.parse(other.updatedAt);
  if (b > a) return other;
  if (b === a && other.log.length > local.log.length) return other;
  return local;
}

type Rule = MethodOutput<'firewall.probe'>['rules'][number];

/** `80/tcp`, `all tcp`, `any`: what a rule matches besides its destination. */
export function portProtocol(rule: Pick<Rule, 'port' | 'protocol'>): string {
  if (rule.port !== null) return `${rule.port}/${rule.protocol ?? 'tcp'}`;
  if (rule.protocol && rule.protocol !== 'all') return `all ${rule.protocol}`;
  return 'any';
}

export interface RemovalMessage {
  ok: boolean;
  text: string;
}

export function removalMessage({ removed, customerRulesUnchanged, savedForReboot }: MethodOutput<'firewall.remove'>): RemovalMessage {
  const count = `Removed ${removed} rule${removed === 1 ? '' : 's'}`;
  const saved = savedForReboot ? ' The rules saved for reboot were saved again without them.' : '';
  return customerRulesUnchanged
    ? { ok: true, text: `${count}; the customer's own rules are unchanged.${saved}` }
    : { ok: false, text: `${count}, but the customer's own rules now differ from before: check the server's firewall.${saved}` };
}

/** A block plan's settings in a few words each. */
export function blockSummary(detail: FirewallBlockDetail): { label: string; value: string }[] {
  const rows = [
    { label: 'Target', value: detail.target },
    { label: 'Blocks', value: detail.addresses.map((a) => a.address).join(', ') },
    ...(detail.keepReachable.length > 0 ? [{ label: 'Stays reachable', value: detail.keepReachable.join(', ') }] : []),
    {
      label: 'Port',
      value: detail.port !== null ? `${detail.port}/${detail.protocol}` : detail.protocol === 'any' ? 'every port, any protocol' : `every ${detail.protocol} port`,
    },
    { label: 'Expires', value: detail.expiresAt !== null ? new Date(detail.expiresAt * 1000).toISOString() : 'never (until removed)' },
    { label: 'Across reboot', value: detail.persist ? 'kept' : 'not kept' },
    { label: 'Confirm within', value: `${detail.confirmWithinS} s` },
  ];
  return rows;
}

/** A plan's settings, as its kind describes them. */
export function planSummary(plan: Plan): { label: string; value: string }[] {
  switch (plan.kind) {
    case 'firewall.block':
      return blockSummary(plan.detail);
    case 'netconsole.target':
      return [
        { label: 'Target', value: plan.detail.target },
        { label: 'Sends to', value: `${plan.detail.remoteIp}:${plan.detail.remotePort} (${plan.detail.remoteMac}) from ${plan.detail.devName}` },
      ];
  }
}

/** What the engineer is told once a plan is confirmed: the confirmation's notes (expiry, persistence), if any. */
export function confirmationNotes(plan: Pick<Plan, 'log'>): string {
  const line = plan.log.findLast((l) => l.kind === 'confirmed');
  return line?.message.replace(/^Confirmed[;.]?\s*/, '').replace(/\.$/, '') ?? '';
}

/**
 * What the verification table is worth now: checks taken while the block was in place describe the
 * past once the block is gone (rolled back, removed, expired, failed). `current` false: the table is
 * shown as from before that, never as "as expected".
 */
export function verificationStanding(plan: Pick<Plan, 'status'>): { current: boolean; label: string } {
  switch (plan.status) {
    case 'rolled-back':
      return { current: false, label: 'from before the rollback' };
    case 'removed':
      return { current: false, label: 'from before the rules were removed' };
    case 'expired':
      return { current: false, label: 'from before the block expired' };
    case 'failed':
      return { current: false, label: 'from before the previous rules were restored' };
    default:
      return { current: true, label: '' };
  }
}

/**
 * The plans still awaiting confirmation on this server that a removal would end: "Remove this
 * ticket's rules" (or all, or the plan's own) takes their rules too, so the engineer is asked first.
 */
export function awaitingEndedBy<P extends Pick<Plan, 'id' | 'ticketId' | 'serverId' | 'status'>>(scope: MethodInput<'firewall.remove'>['scope'], serverId: number, plans: readonly P[] | undefined): P[] {
  return (plans ?? []).filter(
    (p) => p.serverId === serverId && p.status === 'awaiting-confirmation' && (scope.kind === 'all' || (scope.kind === 'ticket' ? p.ticketId === scope.ticketId : p.id === scope.planId)),
  );
}

/** Another plan on this server applying or counting down its confirmation window: no second preview meanwhile. */
export function planInFlightOn<P extends Pick<Plan, 'serverId' | 'status'>>(serverId: number, plans: readonly P[] | undefined): P | null {
  return (plans ?? []).find((p) => p.serverId === serverId && (p.status === 'applying' || p.status === 'awaiting-confirmation')) ?? null;
}
