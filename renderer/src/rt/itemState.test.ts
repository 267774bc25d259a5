import { describe, expect, it } from 'vitest';
import type { OutboxPost } from '../../../shared/contract/tickets-system.js';
import { canCancel, canRetry, describePost, itemState } from './itemState.js';

const post = (over: Partial<OutboxPost>): OutboxPost => ({
  id: 'p',
  ticketId: '48213',
  remoteNumber: '48213',
  item: { kind: 'finding', id: 1 },
  mode: 'comment',
  format: 'html',
  subject: 'Finding',
  attachments: [],
  state: 'queued',
  attempts: 0,
  lastError: null,
  nextAttemptAt: null,
  createdAt: '2026-12-02T09:00:00.000Z',
  postedAt: null,
  transactionId: null,
  url: null,
  ...over,
});

describe('itemState', () => {
  it('is not posted when no post names the item (a note with the same id is another item)', () => {
    expect(itemState([post({ item: { kind: 'note', id: 1 } })], { kind: 'finding', id: 1 })).toEqual({ state: 'not-posted' });
  });
  it('follows the newest post and keeps the link of an earlier one that reached RT', () => {
    const posted = post({ id: 'a', state: 'posted', transactionId: '77', url: 'http://rt/Ticket/History.html?id=48213#txn-77' });
    const failed = post({ id: 'b', state: 'failed', attempts: 3, lastError: 'RT answered 413: too large' });
    const state = itemState([failed, posted], { kind: 'finding', id: 1 });
    expect(state).toEqual({ state: 'failed', post: failed, postedBefore: posted });
    expect(itemState([posted], { kind: 'finding', id: 1 })).toEqual({ state: 'posted', post: posted, postedBefore: null });
  });
});

describe('describePost', () => {
  it('says why a post failed and what to do', () => {
    const failed = post({ state: 'failed', attempts: 2, lastError: 'RT answered 413: too large' });
    expect(describePost(failed)).toBe('Failed, 2 attempts: RT answered 413: too large. Retry or cancel it.');
    expect(canRetry(failed) && canCancel(failed)).toBe(true);
  });
  it('names a reply as going to the requestor, and a posted one by its transaction', () => {
    expect(describePost(post({ state: 'posted', mode: 'reply', transactionId: '91' }))).toBe('Posted as reply to the requestor to RT #48213 (transaction 91).');
    const done = post({ state: 'posted' });
    expect(canRetry(done) || canCancel(done)).toBe(false);
  });
});
