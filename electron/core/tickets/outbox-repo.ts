import type { OutboxPost, PostState } from '../../../shared/contract/tickets-system.js';
import { BacklineError } from '../../../shared/errors.js';
import type { Db } from '../store/database.js';
import type { OutgoingPost } from './connector.js';

/** A post as the outbox keeps it: what the contract shows plus the content, fixed when it was queued. */
export interface StoredPost extends OutboxPost {
  outgoing: OutgoingPost;
}

interface Row {
  id: string;
  ticket_id: string;
  remote_number: string;
  item_kind: 'finding' | 'note' | 'text';
  item_id: number | null;
  item_title: string;
  mode: 'comment' | 'reply';
  format: 'html' | 'text';
  subject: string;
  content_type: 'text/html' | 'text/plain';
  content: string;
  attachments: string;
  state: PostState;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  posted_at: string | null;
  transaction_id: string | null;
  url: string | null;
}

interface StoredAttachment {
  name: string;
  type: string;
  base64: string;
}

function toPost(row: Row): StoredPost {
  const files = JSON.parse(row.attachments) as StoredAttachment[];
  const item: OutboxPost['item'] =
    row.item_kind === 'text' ? { kind: 'text', title: row.item_title } : { kind: row.item_kind, id: row.item_id ?? 0 };
  return {
    id: row.id,
    ticketId: row.ticket_id,
    remoteNumber: row.remote_number,
    item,
    mode: row.mode,
    format: row.format,
    subject: row.subject,
    attachments: files.map((file) => ({ name: file.name, bytes: Buffer.byteLength(file.base64, 'base64') })),
    state: row.state,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    postedAt: row.posted_at,
    transactionId: row.transaction_id,
    url: row.url,
    outgoing: {
      postId: row.id,
      mode: row.mode,
      subject: row.subject,
      contentType: row.content_type,
      content: row.content,
      attachments: files.map((file) => ({ name: file.name, type: file.type, content: Buffer.from(file.base64, 'base64') })),
    },
  };
}

/** The contract's view: the content stays in the store. */
export function publicPost(post: StoredPost): OutboxPost {
  const { outgoing: _outgoing, ...rest } = post;
  return rest;
}

export interface NewPost {
  ticketId: string;
  remoteNumber: string;
  item: OutboxPost['item'];
  itemTitle: string;
  format: 'html' | 'text';
  outgoing: OutgoingPost;
  /** Set when it is refused before any try (too large): it waits as failed, with the reason. */
  failedWith?: string;
}

export type StateChange =
  | { state: 'sending' }
  | { state: 'queued'; error: string | null; nextAttemptAt: string }
  | { state: 'failed'; error: string }
  | { state: 'posted'; transactionId: string; url: string }
  | { state: 'cancelled' };

export class OutboxRepo {
  constructor(private readonly db: Db) {}

  add(post: NewPost, now: string): StoredPost {
    const { outgoing } = post;
    this.db
      .prepare(
        `INSERT INTO rt_outbox (id, ticket_id, remote_number, item_kind, item_id, item_title, mode, format, subject, content_type,
           content, attachments, state, attempts, last_error, next_attempt_at, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)`,
      )
      .run(
        outgoing.postId,
        post.ticketId,
        post.remoteNumber,
        post.item.kind,
        post.item.kind === 'text' ? null : post.item.id,
        post.itemTitle,
        outgoing.mode,
        post.format,
        outgoing.subject,
        outgoing.contentType,
        outgoing.content,
        JSON.stringify(outgoing.attachments.map((file): StoredAttachment => ({ name: file.name, type: file.type, base64: file.content.toString('base64') }))),
        post.failedWith ? 'failed' : 'queued',
        post.failedWith ?? null,
        post.failedWith ? null : now,
        now,
        now,
      );
    return this.get(outgoing.postId);
  }

  find(id: string): StoredPost | undefined {
    const row = this.db.prepare<[string], Row>('SELECT * FROM rt_outbox WHERE id = ?').get(id);
    return row && toPost(row);
  }

  get(id: string): StoredPost {
    const post = this.find(id);
    if (!post) throw new BacklineError('NOT_FOUND', `There is no post ${id} in the outbox.`, { hint: 'It may have been made by another Backline data folder.' });
    return post;
  }

  list(filter: { ticketId?: string | undefined; pendingOnly?: boolean; limit?: number }): StoredPost[] {
    const where: string[] = [];
    const args: string[] = [];
    if (filter.ticketId !== undefined) {
      where.push('ticket_id = ?');
      args.push(filter.ticketId);
    }
    if (filter.pendingOnly) where.push("state IN ('queued', 'sending', 'failed')");
    const sql = `SELECT * FROM rt_outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, rowid DESC LIMIT ${Math.max(1, Math.trunc(filter.limit ?? 500))}`;
    return this.db.prepare<string[], Row>(sql).all(...args).map(toPost);
  }

  /** Posts to try now: queued and due, or left `sending` by a Backline that stopped mid-send. Oldest first. */
  due(now: string): StoredPost[] {
    return this.db
      .prepare<[string], Row>(
        `SELECT * FROM rt_outbox WHERE (state = 'queued' AND next_attempt_at <= ?) OR state = 'sending' ORDER BY created_at, rowid`,
      )
      .all(now)
      .map(toPost);
  }

  /** When the next queued post falls due (null: none waiting). */
  nextDueAt(): string | null {
    const row = this.db.prepare<[], { at: string | null }>("SELECT MIN(next_attempt_at) AS at FROM rt_outbox WHERE state = 'queued'").get();
    return row?.at ?? null;
  }

  /** RT answers again (or its settings changed): every queued post is due now, whatever its backoff said. */
  dueNow(now: string): number {
    return this.db.prepare("UPDATE rt_outbox SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?").run(now, now).changes;
  }

  /** Marks a try: the count goes up before the request leaves, so a crash mid-send is known at restart. */
  beginAttempt(id: string, now: string): StoredPost {
    this.db.prepare("UPDATE rt_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?").run(now, id);
    return this.get(id);
  }

  setState(id: string, change: StateChange, now: string): StoredPost {
    switch (change.state) {
      case 'sending':
        this.db.prepare("UPDATE rt_outbox SET state = 'sending', updated_at = ? WHERE id = ?").run(now, id);
        break;
      case 'queued':
        this.db
          .prepare("UPDATE rt_outbox SET state = 'queued', last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?")
          .run(change.error, change.nextAttemptAt, now, id);
        break;
      case 'failed':
        this.db.prepare("UPDATE rt_outbox SET state = 'failed', last_error = ?, next_attempt_at = NULL, updated_at = ? WHERE id = ?").run(change.error, now, id);
        break;
      case 'posted':
        this.db
          .prepare("UPDATE rt_outbox SET state = 'posted', last_error = NULL, next_attempt_at = NULL, posted_at = ?, transaction_id = ?, url = ?, updated_at = ? WHERE id = ?")
          .run(now, change.transactionId, change.url, now, id);
        break;
      case 'cancelled':
        this.db.prepare("UPDATE rt_outbox SET state = 'cancelled', next_attempt_at = NULL, updated_at = ? WHERE id = ?").run(now, id);
        break;
    }
    return this.get(id);
  }
}
