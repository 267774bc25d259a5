import { MAX_POST_ATTACHMENT_BYTES, type OutboxPost } from '../../../shared/contract/tickets-system.js';
import { formatSize } from '../../../shared/domain/size.js';
import { BacklineError } from '../../../shared/errors.js';
import type { ChangeScope, Workspace } from '../workspace/workspace.js';
import type { PostedRef, TicketConnector } from './connector.js';
import { publicPost, type NewPost, type OutboxRepo, type StateChange, type StoredPost } from './outbox-repo.js';
import { afterAttempt, canRetry, cancelNeedsLook, mustLookFirst, type AttemptOutcome, type BackoffPolicy } from './outbox-state.js';

export interface OutboxDeps {
  ws: Workspace;
  repo: OutboxRepo;
  /** The connector as set up now; throws TICKET_SYSTEM_NOT_CONFIGURED when it is not. */
  connector: () => TicketConnector;
  policy: BackoffPolicy;
  log: (message: string, error: unknown) => void;
}

const itemWords = (post: OutboxPost): string =>
  post.item.kind === 'text' ? `"${post.item.title}"` : `${post.item.kind} ${post.item.id}`;

function failureOf(error: unknown): AttemptOutcome {
  if (error instanceof BacklineError) {
    const kind = (error.detail as { kind?: unknown } | undefined)?.kind;
    return { kind: 'error', failureKind: typeof kind === 'string' ? kind : error.code === 'TICKET_SYSTEM_NOT_CONFIGURED' ? 'not-configured' : 'server-error', message: error.message };
  }
  return { kind: 'error', failureKind: 'server-error', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Posts to the ticket system, exactly once. Each post is in the workspace store before anything is
 * sent; a try is counted in the store before its request leaves; every try after the first looks
 * for the post's marker in the ticket's history first. So a Backline killed mid-send, or a
 * connection cut after RT took the request, neither loses a post nor makes it twice. One post is
 * sent at a time, oldest first.
 */
export class Outbox {
  private draining: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<string>();
  private closed = false;

  constructor(private readonly deps: OutboxDeps) {}

  private publish(tx: ChangeScope, post: StoredPost): void {
    tx.emit('ticketSystem.post', publicPost(post));
  }

  queue(post: NewPost): OutboxPost {
    const stored = this.deps.ws.change((tx) => {
      const added = this.deps.repo.add(post, tx.now);
      tx.record({
        ticketId: added.ticketId,
        action: added.state === 'failed' ? 'rt.post-failed' : 'rt.post-queued',
        summary:
          added.state === 'failed'
            ? `Could not post ${itemWords(added)} to RT ticket ${added.remoteNumber}: ${added.lastError ?? ''}`
            : `Queued ${itemWords(added)} to post to RT ticket ${added.remoteNumber} as ${added.mode === 'reply' ? 'a reply' : 'a comment'}`,
        detail: { postId: added.id, remoteNumber: added.remoteNumber, item: added.item, mode: added.mode, attachments: added.attachments },
      });
      this.publish(tx, added);
      return added;
    });
    this.kick();
    return publicPost(stored);
  }

  /** Send what is due now (after a queue, a retry, a restart, or when the next try falls due). */
  kick(): void {
    if (this.closed) return;
    if (this.draining) {
      this.again = true;
      return;
    }
    this.draining = this.drain()
      .catch((error: unknown) => this.deps.log('ticket outbox', error))
      .finally(() => {
        this.draining = null;
        if (this.again) {
          this.again = false;
          this.kick();
        } else this.schedule();
      });
  }

  /** RT answered (a test, a fetch) or its settings changed: what waits out a backoff goes now. */
  tryNow(): void {
    if (this.closed) return;
    this.deps.repo.dueNow(this.deps.ws.now());
    this.kick();
  }

  /** Resolves once nothing is being sent (for tests and shutdown). */
  async idle(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private schedule(): void {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const next = this.deps.repo.nextDueAt();
    if (next === null) return;
    const wait = Math.max(0, Date.parse(next) - Date.parse(this.deps.ws.now()));
    this.timer = setTimeout(() => this.kick(), wait);
    this.timer.unref();
  }

  private async drain(): Promise<void> {
    for (;;) {
      const due = this.deps.repo.due(this.deps.ws.now()).filter((post) => !this.inFlight.has(post.id));
      if (due.length === 0 || this.closed) return;
      for (const post of due) {
        if (this.closed) return;
        await this.attempt(post);
      }
    }
  }

  private finish(id: string, change: StateChange): StoredPost {
    return this.deps.ws.change((tx) => {
      const post = this.deps.repo.setState(id, change, tx.now);
      if (change.state === 'posted') {
        tx.record({
          ticketId: post.ticketId,
          action: 'rt.posted',
          summary: `Posted ${itemWords(post)} to RT ticket ${post.remoteNumber} as ${post.mode === 'reply' ? 'a reply' : 'a comment'} (transaction ${change.transactionId})`,
          detail: { postId: post.id, remoteNumber: post.remoteNumber, item: post.item, mode: post.mode, transactionId: change.transactionId, url: change.url, attempts: post.attempts },
        });
      } else if (change.state === 'failed') {
        tx.record({
          ticketId: post.ticketId,
          action: 'rt.post-failed',
          summary: `Could not post ${itemWords(post)} to RT ticket ${post.remoteNumber}: ${change.error}`,
          detail: { postId: post.id, remoteNumber: post.remoteNumber, item: post.item, attempts: post.attempts, error: change.error },
        });
      }
      this.publish(tx, post);
      return post;
    });
  }

  private async attempt(listed: StoredPost): Promise<void> {
    // Read again: it may have been cancelled or retried since the list was made.
    const post = this.deps.repo.find(listed.id);
    if (!post || this.inFlight.has(post.id) || (post.state !== 'queued' && post.state !== 'sending')) return;
    let connector: TicketConnector;
    try {
      connector = this.deps.connector();
    } catch (error) {
      this.finish(post.id, { state: 'failed', error: error instanceof Error ? error.message : String(error) });
      return;
    }
    this.inFlight.add(post.id);
    try {
      const claimed = this.deps.ws.change((tx) => {
        const sending = this.deps.repo.beginAttempt(post.id, tx.now);
        this.publish(tx, sending);
        return sending;
      });
      let outcome: AttemptOutcome;
      try {
        let ref: PostedRef | null = null;
        if (mustLookFirst(post.attempts)) ref = await connector.findPost(post.remoteNumber, post.id);
        ref ??= await connector.post(post.remoteNumber, post.outgoing);
        outcome = { kind: 'posted', ...ref };
      } catch (error) {
        outcome = failureOf(error);
      }
      this.finish(post.id, afterAttempt(claimed.attempts, outcome, new Date(this.deps.ws.now()), this.deps.policy));
    } finally {
      this.inFlight.delete(post.id);
    }
  }

  retry(id: string): OutboxPost {
    const post = this.deps.repo.get(id);
    if (!canRetry(post.state) || this.inFlight.has(id)) {
      throw new BacklineError('CONFLICT', `Post ${id} is ${post.state}: there is nothing to retry.`, { hint: post.state === 'sending' ? 'It is being sent now.' : 'Only queued or failed posts can be retried.' });
    }
    const bytes = post.outgoing.attachments.reduce((sum, file) => sum + file.content.length, 0);
    if (bytes > MAX_POST_ATTACHMENT_BYTES) {
      throw new BacklineError('PAYLOAD_TOO_LARGE', `Post ${id} carries ${formatSize(bytes)} of files; a post takes at most ${formatSize(MAX_POST_ATTACHMENT_BYTES)}.`, {
        hint: 'Cancel it and post the item again without its evidence, or with less.',
      });
    }
    const queued = this.deps.ws.change((tx) => {
      const next = this.deps.repo.setState(id, { state: 'queued', error: post.lastError, nextAttemptAt: tx.now }, tx.now);
      this.publish(tx, next);
      return next;
    });
    this.kick();
    return publicPost(queued);
  }

  async cancel(id: string): Promise<OutboxPost> {
    const post = this.deps.repo.get(id);
    if (this.inFlight.has(id)) throw new BacklineError('CONFLICT', `Post ${id} is being sent right now and cannot be cancelled.`, { hint: 'Wait for it to end; if it failed, cancel it then.' });
    const decision = cancelNeedsLook(post.state, post.attempts);
    if (decision === 'refuse') throw new BacklineError('CONFLICT', `Post ${id} is already ${post.state}.`, { hint: post.state === 'posted' ? 'It is in RT; remove it there if it must go.' : 'Nothing to do.' });
    if (decision === 'look-first') {
      this.inFlight.add(id);
      let found: PostedRef | null;
      try {
        found = await this.deps.connector().findPost(post.remoteNumber, post.id);
      } catch (error) {
        throw new BacklineError('CONFLICT', `Post ${id} may have reached RT on an earlier try, and RT cannot be asked now: ${(error as Error).message}`, {
          hint: 'Cancel it again when RT answers.',
        });
      } finally {
        this.inFlight.delete(id);
      }
      if (found) return publicPost(this.finish(id, { state: 'posted', ...found }));
    }
    const cancelled = this.deps.ws.change((tx) => {
      const next = this.deps.repo.setState(id, { state: 'cancelled' }, tx.now);
      tx.record({
        ticketId: next.ticketId,
        action: 'rt.post-cancelled',
        summary: `Cancelled posting ${itemWords(next)} to RT ticket ${next.remoteNumber}`,
        detail: { postId: next.id, remoteNumber: next.remoteNumber, item: next.item, attempts: next.attempts },
      });
      this.publish(tx, next);
      return next;
    });
    return publicPost(cancelled);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
