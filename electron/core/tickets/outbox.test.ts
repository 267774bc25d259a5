import { describe, expect, it } from 'vitest';
import { BacklineError } from '../../../shared/errors.js';
import { EventBus } from '../events.js';
import { openWorkspaceDb } from '../store/database.js';
import { Workspace } from '../workspace/workspace.js';
import type { OutgoingPost, PostedRef, TicketConnector } from './connector.js';
import { Outbox } from './outbox.js';
import { OutboxRepo } from './outbox-repo.js';
import { afterAttempt, backoffMs, cancelNeedsLook, defaultBackoff, mustLookFirst } from './outbox-state.js';
import { newPostId, textPost } from './post-content.js';
import { failureError } from './rt/rt-connector.js';

const T0 = Date.parse('2026-12-02T09:00:00.000Z');

describe('the outbox state machine', () => {
  const policy = { baseMs: 1000, capMs: 8000, authRetries: 3 };

  it('posts on success, waits with growing backoff on what can mend, fails on what cannot', () => {
    const now = new Date(T0);
    expect(afterAttempt(1, { kind: 'posted', transactionId: '81', url: 'u' }, now, policy)).toEqual({ state: 'posted', transactionId: '81', url: 'u' });
    expect(afterAttempt(1, { kind: 'error', failureKind: 'unreachable', message: 'down' }, now, policy)).toEqual({ state: 'queued', error: 'down', nextAttemptAt: new Date(T0 + 1000).toISOString() });
    expect(afterAttempt(3, { kind: 'error', failureKind: 'timeout', message: 'slow' }, now, policy)).toMatchObject({ state: 'queued', nextAttemptAt: new Date(T0 + 4000).toISOString() });
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffMs(n, policy))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    for (const kind of ['missing', 'no-rights', 'not-rt', 'bad-request', 'tls', 'not-configured']) {
      expect(afterAttempt(1, { kind: 'error', failureKind: kind, message: kind }, now, policy), kind).toEqual({ state: 'failed', error: kind });
    }
  });

  it('gives a refused token a few tries (RT answers 401 while its database is locked), then fails', () => {
    const now = new Date(T0);
    expect(afterAttempt(2, { kind: 'error', failureKind: 'bad-token', message: '401' }, now, policy).state).toBe('queued');
    expect(afterAttempt(3, { kind: 'error', failureKind: 'bad-token', message: '401' }, now, policy).state).toBe('failed');
  });

  it('looks in the history before any try after the first, and before cancelling a post tried before', () => {
    expect(mustLookFirst(0)).toBe(false);
    expect(mustLookFirst(1)).toBe(true);
    expect(cancelNeedsLook('queued', 0)).toBe('cancel');
    expect(cancelNeedsLook('failed', 2)).toBe('look-first');
    expect(cancelNeedsLook('sending', 1)).toBe('look-first');
    expect(cancelNeedsLook('posted', 1)).toBe('refuse');
    expect(cancelNeedsLook('cancelled', 0)).toBe('refuse');
    expect(defaultBackoff.capMs).toBe(300_000);
  });
});

/**
 * A ticket system in memory that behaves as RT does when a connection is cut after the request
 * reached it: the post is made, the answer is lost.
 */
class MemoryTicketSystem implements TicketConnector {
  posts: { number: string; post: OutgoingPost; id: string }[] = [];
  /** What the next post calls do: 'ok', 'refused' (not sent), 'lost' (made, answer lost). */
  script: ('ok' | 'refused' | 'lost')[] = [];
  findCalls = 0;

  test(): never {
    throw new Error('not used');
  }
  getTicket(): never {
    throw new Error('not used');
  }
  myOpenTickets(): never {
    throw new Error('not used');
  }
  post(number: string, post: OutgoingPost): Promise<PostedRef> {
    const step = this.script.shift() ?? 'ok';
    if (step === 'refused') return Promise.reject(failureError({ kind: 'unreachable', status: null, message: 'RT could not be reached (ECONNREFUSED).', hint: '' }, 'no'));
    const id = String(100 + this.posts.length);
    this.posts.push({ number, post, id });
    if (step === 'lost') return Promise.reject(failureError({ kind: 'unreachable', status: null, message: 'The connection to RT failed (other side closed).', hint: '' }, 'unknown'));
    return Promise.resolve({ transactionId: id, url: `rt/${id}` });
  }
  findPost(number: string, postId: string): Promise<PostedRef | null> {
    this.findCalls++;
    const found = this.posts.find((p) => p.number === number && p.post.subject.includes(`[${postId}]`));
    return Promise.resolve(found ? { transactionId: found.id, url: `rt/${found.id}` } : null);
  }
}

function setup(rt: MemoryTicketSystem) {
  const db = openWorkspaceDb(':memory:');
  let clock = T0;
  const ws = new Workspace(db, new EventBus(), 'esc', () => new Date((clock += 10)));
  db.prepare(`INSERT INTO tickets VALUES ('7', 't', '', 'open', '2026-12-02T08:00:00.000Z', '2026-12-02T08:00:00.000Z')`).run();
  const repo = new OutboxRepo(db);
  const outbox = new Outbox({ ws, repo, connector: () => rt, policy: { baseMs: 1, capMs: 1, authRetries: 3 }, log: (m, e) => { throw new Error(`${m}: ${String(e)}`); } });
  const queue = (title: string) => {
    const built = textPost(title, 'body', { postId: newPostId(), mode: 'comment', format: 'text' });
    return outbox.queue({ ticketId: '7', remoteNumber: '7', item: { kind: 'text', title }, itemTitle: title, format: 'text', outgoing: built.outgoing });
  };
  const settle = async () => {
    for (let i = 0; i < 50 && repo.due(new Date(T0 + 1e9).toISOString()).length > 0; i++) {
      await outbox.idle();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await outbox.idle();
  };
  return { ws, repo, outbox, queue, settle };
}

describe('the outbox', () => {
  it('sends a post once and records it on the post and in the audit log', async () => {
    const rt = new MemoryTicketSystem();
    const { ws, repo, outbox, queue, settle } = setup(rt);
    const post = queue('Disk full');
    await settle();
    expect(rt.posts).toHaveLength(1);
    expect(repo.get(post.id)).toMatchObject({ state: 'posted', transactionId: '100', url: 'rt/100', attempts: 1 });
    expect(rt.findCalls).toBe(0);
    expect(ws.audit.listForTicket('7', 10).map((e) => e.action).sort()).toEqual(['rt.post-queued', 'rt.posted']);
    outbox.close();
  });

  it('keeps a post RT did not get, and sends it once when RT is back', async () => {
    const rt = new MemoryTicketSystem();
    rt.script = ['refused', 'refused', 'ok'];
    const { repo, outbox, queue, settle } = setup(rt);
    const post = queue('Queued while down');
    await settle();
    expect(rt.posts).toHaveLength(1);
    expect(repo.get(post.id)).toMatchObject({ state: 'posted', attempts: 3 });
    outbox.close();
  });

  it('does not post twice when the answer was lost after RT made the post: it finds it in the history', async () => {
    const rt = new MemoryTicketSystem();
    rt.script = ['lost'];
    const { repo, outbox, queue, settle } = setup(rt);
    const post = queue('Answer lost');
    await settle();
    expect(rt.posts).toHaveLength(1);
    expect(rt.findCalls).toBe(1);
    expect(repo.get(post.id)).toMatchObject({ state: 'posted', transactionId: '100', attempts: 2 });
    outbox.close();
  });

  it('picks up a post left mid-send by a Backline that died, looking in the history first', async () => {
    const rt = new MemoryTicketSystem();
    const { repo, outbox, queue, settle, ws } = setup(rt);
    outbox.close();
    const post = queue('Left mid-send');
    // What a Backline killed after counting its try and sending leaves behind: RT has it, the store says sending.
    repo.beginAttempt(post.id, ws.now());
    await rt.post('7', repo.get(post.id).outgoing);
    const again = new Outbox({ ws, repo, connector: () => rt, policy: { baseMs: 1, capMs: 1, authRetries: 3 }, log: () => undefined });
    again.kick();
    await settle();
    await again.idle();
    expect(rt.posts).toHaveLength(1);
    expect(repo.get(post.id)).toMatchObject({ state: 'posted', attempts: 2 });
    again.close();
  });

  it('cancels a post never sent, and refuses to cancel a posted one', async () => {
    const rt = new MemoryTicketSystem();
    const { repo, outbox, queue, settle } = setup(rt);
    outbox.close();
    const waiting = queue('Never sent');
    expect((await outbox.cancel(waiting.id)).state).toBe('cancelled');
    const live = new Outbox({ ws: setupWs(repo), repo, connector: () => rt, policy: defaultBackoff, log: () => undefined });
    live.kick();
    await settle();
    expect(rt.posts).toHaveLength(0);
    await expect(outbox.cancel(waiting.id)).rejects.toThrow(BacklineError);
    live.close();
  });
});

/** The workspace the repo's database belongs to, for a second outbox on it. */
function setupWs(repo: OutboxRepo): Workspace {
  const db = (repo as unknown as { db: ConstructorParameters<typeof Workspace>[0] }).db;
  return new Workspace(db, new EventBus(), 'esc', () => new Date());
}
