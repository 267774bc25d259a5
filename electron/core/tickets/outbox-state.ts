import type { PostState } from '../../../shared/contract/tickets-system.js';
import type { StateChange } from './outbox-repo.js';

/**
 * The outbox's decisions, pure: what to do before a try, and where a post goes after one. The I/O
 * (outbox.ts) follows them. A post is sent at most once because every try after the first looks
 * for the post's marker in the ticket's history before sending again.
 */

export interface BackoffPolicy {
  /** Wait after the first failed try; doubled each time after. */
  baseMs: number;
  capMs: number;
  /** Tries a refused token (401) gets before the post fails: RT answers 401 when its database is locked. */
  authRetries: number;
}

export const defaultBackoff: BackoffPolicy = { baseMs: 2_000, capMs: 5 * 60_000, authRetries: 3 };

export function backoffMs(attempts: number, policy: BackoffPolicy): number {
  return Math.min(policy.capMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));
}

/** Before a try: a post tried before may be in RT already (the answer was lost, or Backline died mid-send). */
export function mustLookFirst(attemptsBefore: number): boolean {
  return attemptsBefore > 0;
}

export type AttemptOutcome =
  | { kind: 'posted'; transactionId: string; url: string }
  | { kind: 'error'; failureKind: string; message: string };

/** Failures that time or RT mending itself can cure: the post waits and is tried again. */
const RETRYABLE = new Set(['unreachable', 'timeout', 'server-error']);

export function afterAttempt(attempts: number, outcome: AttemptOutcome, now: Date, policy: BackoffPolicy): StateChange {
  if (outcome.kind === 'posted') return { state: 'posted', transactionId: outcome.transactionId, url: outcome.url };
  const retry = RETRYABLE.has(outcome.failureKind) || (outcome.failureKind === 'bad-token' && attempts < policy.authRetries);
  if (!retry) return { state: 'failed', error: outcome.message };
  return { state: 'queued', error: outcome.message, nextAttemptAt: new Date(now.getTime() + backoffMs(attempts, policy)).toISOString() };
}

/** What the engineer may do with a post in each state. */
export function canRetry(state: PostState): boolean {
  return state === 'queued' || state === 'failed';
}

/**
 * Cancelling: a post never tried, or whose tries surely did not reach RT, is simply cancelled; one
 * that may be in RT (tried before) is cancelled only after the history says it is not there.
 */
export function cancelNeedsLook(state: PostState, attempts: number): 'refuse' | 'cancel' | 'look-first' {
  if (state === 'posted' || state === 'cancelled') return 'refuse';
  return attempts > 0 ? 'look-first' : 'cancel';
}
