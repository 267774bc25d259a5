import type { MethodOutput } from '../../../shared/contract/index.js';
import type { Plan } from '../../../shared/domain/plan.js';
import { formatCountdown, secondsUntil } from './countdown.js';

export type PlanStatus = Plan['status'];

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

export interface VerificationRow {
  address: string;
  port: number;
  expected: 'blocked' | 'reachable';
  reachable: boolean;
  detail: string;
  /** Blocked and refused, or kept and answering. */
  asExpected: boolean;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The checks the server ran after applying (plan.detail.verification), read defensively: detail is the capability's. */
export function verificationOf(plan: Pick<Plan, 'detail'>): VerificationRow[] {
  const raw = plan.detail.verification;
  if (!Array.isArray(raw)) return [];
  return raw.filter(isRecord).flatMap((v) => {
    if (typeof v.address !== 'string' || typeof v.reachable !== 'boolean') return [];
    const expected = v.expected === 'reachable' ? 'reachable' : 'blocked';
    return [
      {
        address: v.address,
        port: typeof v.port === 'number' ? v.port : 0,
        expected,
        reachable: v.reachable,
        detail: typeof v.detail === 'string' ? v.detail : '',
        asExpected: expected === 'reachable' ? v.reachable : !v.reachable,
      },
    ];
  });
}

/** `10.77.0.43:80`, with IPv6 in brackets. */
export function hostPort(address: string, port: number): string {
  return `${address.includes(':') ? `[${address}]` : address}:${port}`;
}

/** Whether applying lost the SSH session (the main side logs it and lets the server roll back). */
export function connectionLost(plan: Pick<Plan, 'log'>): boolean {
  return plan.log.some((line) => !line.ok && /connection .*was lost/i.test(line.message));
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

export function removalMessage({ removed, customerRulesUnchanged }: MethodOutput<'firewall.remove'>): RemovalMessage {
  const count = `Removed ${removed} rule${removed === 1 ? '' : 's'}`;
  return customerRulesUnchanged
    ? { ok: true, text: `${count}; the customer's own rules are unchanged.` }
    : { ok: false, text: `${count}, but the customer's own rules now differ from before: check the server's firewall.` };
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.flatMap((v) => (typeof v === 'string' ? [v] : isRecord(v) && typeof v.address === 'string' ? [v.address] : [])) : [];

/** A block plan's settings in a few words each, from plan.detail (absent fields are left out). */
export function blockSummary(detail: Record<string, unknown>): { label: string; value: string }[] {
  const rows: { label: string; value: string }[] = [];
  if (typeof detail.target === 'string') rows.push({ label: 'Target', value: detail.target });
  const blocked = strings(detail.addresses);
  if (blocked.length > 0) rows.push({ label: 'Blocks', value: blocked.join(', ') });
  const kept = strings(detail.keepReachable);
  if (kept.length > 0) rows.push({ label: 'Stays reachable', value: kept.join(', ') });
  if ('port' in detail || 'protocol' in detail) {
    const protocol = typeof detail.protocol === 'string' ? detail.protocol : 'tcp';
    rows.push({ label: 'Port', value: typeof detail.port === 'number' ? `${detail.port}/${protocol}` : protocol === 'any' ? 'every port, any protocol' : `every ${protocol} port` });
  }
  if ('expiresAt' in detail) {
    rows.push({ label: 'Expires', value: typeof detail.expiresAt === 'number' ? new Date(detail.expiresAt * 1000).toISOString() : 'never (until removed)' });
  }
  if (typeof detail.persist === 'boolean') rows.push({ label: 'Across reboot', value: detail.persist ? 'kept' : 'not kept' });
  if (typeof detail.confirmWithinS === 'number') rows.push({ label: 'Confirm within', value: `${detail.confirmWithinS} s` });
  return rows;
}
