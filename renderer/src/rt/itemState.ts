import type { OutboxPost, PostState } from '../../../shared/contract/tickets-system.js';

export type PostedItem = { kind: 'finding'; id: number } | { kind: 'note'; id: number };

/** An item's state as the window shows it: the outbox's states, and "not posted" when it has none. */
export type ItemState = { state: 'not-posted' } | { state: PostState; post: OutboxPost; postedBefore: OutboxPost | null };

/**
 * The state of one finding or note from its ticket's posts (newest first, as listed): the newest post
 * decides, and an earlier post that reached RT stays visible (with its link) while a new one is on its
 * way, failed or was cancelled.
 */
export function itemState(posts: readonly OutboxPost[], item: PostedItem): ItemState {
  const mine = posts.filter((post) => post.item.kind === item.kind && 'id' in post.item && post.item.id === item.id);
  const [latest] = mine;
  if (!latest) return { state: 'not-posted' };
  const postedBefore = latest.state === 'posted' ? null : (mine.find((post) => post.state === 'posted') ?? null);
  return { state: latest.state, post: latest, postedBefore };
}

export const stateWords: Record<ItemState['state'], { label: string; color: string }> = {
  'not-posted': { label: 'Not posted', color: 'gray' },
  queued: { label: 'Queued', color: 'yellow' },
  sending: { label: 'Sending', color: 'blue' },
  posted: { label: 'Posted', color: 'green' },
  failed: { label: 'Failed', color: 'red' },
  cancelled: { label: 'Cancelled', color: 'gray' },
};

const modeWords = { comment: 'internal comment', reply: 'reply to the requestor' } as const;

/** One line on a post for its tooltip or row: "internal comment to RT #48213, attempt 2: RT did not answer …". */
export function describePost(post: OutboxPost): string {
  const what = `${modeWords[post.mode]} to RT #${post.remoteNumber}`;
  if (post.state === 'posted') return `Posted as ${what}${post.transactionId ? ` (transaction ${post.transactionId})` : ''}.`;
  if (post.state === 'cancelled') return `Cancelled: ${what}.`;
  const attempts = post.attempts > 0 ? `, ${post.attempts === 1 ? '1 attempt' : `${post.attempts} attempts`}` : '';
  const reason = post.lastError ? `: ${post.lastError}` : '';
  if (post.state === 'failed') return `Failed${attempts}${reason}. Retry or cancel it.`;
  if (post.state === 'sending') return `Sending ${what}${attempts}.`;
  return `Queued: ${what}${attempts}${reason}.${post.nextAttemptAt ? ` Next try at ${new Date(post.nextAttemptAt).toLocaleTimeString()}.` : ''}`;
}

/** Whether the engineer can act on the post: retry (queued or failed) and cancel (anything not yet in RT). */
export const canRetry = (post: OutboxPost) => post.state === 'queued' || post.state === 'failed';
export const canCancel = (post: OutboxPost) => post.state === 'queued' || post.state === 'failed' || post.state === 'sending';
