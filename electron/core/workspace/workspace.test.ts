import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EventBus } from '../events.js';
import { openWorkspaceDb } from '../store/database.js';
import { tempDir } from '../testing/temp-dir.js';
import { Workspace } from './workspace.js';
import { countCommits } from '../testing/count-commits.js';

const open: (() => void)[] = [];
afterEach(() => open.splice(0).forEach((close) => close()));

/**
 * A workspace on a real file, a second connection to the same file (what a crash would leave is what
 * another connection can read once committed), the events in order, and the durable commits counted
 * at the database (outermost transactions only: a savepoint is not a commit).
 */
function setup() {
  const dir = tempDir();
  const file = join(dir.path, 'backline.sqlite');
  const db = openWorkspaceDb(file);
  const commits = countCommits(db);
  const other = new Database(file, { readonly: true });
  open.push(() => {
    other.close();
    db.close();
    dir.remove();
  });
  const bus = new EventBus();
  const events: { event: string; summary?: string; visible?: boolean }[] = [];
  const visible = (summary: string) => other.prepare<[string], { n: number }>('SELECT count(*) AS n FROM audit_log WHERE summary = ?').get(summary)!.n === 1;
  bus.subscribe((event, payload) => {
    const summary = event === 'audit.appended' ? (payload as { summary: string }).summary : undefined;
    events.push({ event, ...(summary === undefined ? {} : { summary, visible: visible(summary) }) });
  });
  const ws = new Workspace(db, bus, 'esc', () => new Date('2026-12-02T04:00:00.000Z'));
  ws.change((tx) => ws.tickets.create({ id: 'TKT-1', title: 'Group commit', customer: 'acme', status: 'open' }, tx.now));
  events.length = 0;
  commits.count = 0;
  const record = (summary: string) => ws.changeGrouped((tx) => tx.record({ ticketId: 'TKT-1', action: 'note.created', summary }).summary);
  return { db, ws, events, visible, commits, record };
}

describe('ws.changeGrouped', () => {
  it('commits the changes of one turn in one durable commit, and resolves each only once it is readable from another connection', async () => {
    const { events, visible, commits, record } = setup();
    const summaries = Array.from({ length: 20 }, (_, i) => `change ${i}`);
    const settled = summaries.map((summary) => record(summary).then((value) => ({ value, visible: visible(summary) })));
    // Nothing is written, nor told, before the end of the turn.
    expect(summaries.some(visible)).toBe(false);
    expect(events).toEqual([]);
    expect(await Promise.all(settled)).toEqual(summaries.map((value) => ({ value, visible: true })));
    expect(commits.count).toBe(1);
  });

  it('publishes each change’s events after the commit, in the order the changes were queued', async () => {
    const { events, record } = setup();
    await Promise.all(['a', 'b', 'c'].map(record));
    expect(events).toEqual([
      { event: 'audit.appended', summary: 'a', visible: true },
      { event: 'ticket.changed' },
      { event: 'audit.appended', summary: 'b', visible: true },
      { event: 'ticket.changed' },
      { event: 'audit.appended', summary: 'c', visible: true },
      { event: 'ticket.changed' },
    ]);
  });

  it('rolls back a change that throws alone: it rejects its own caller, the others of its commit are kept', async () => {
    const { ws, events, visible, commits, record } = setup();
    const first = record('kept 1');
    const failing = ws.changeGrouped((tx) => {
      tx.record({ ticketId: 'TKT-1', action: 'note.created', summary: 'rolled back' });
      throw new Error('this change fails');
    });
    const last = record('kept 2');
    expect(await Promise.allSettled([first, failing, last])).toEqual([
      { status: 'fulfilled', value: 'kept 1' },
      { status: 'rejected', reason: new Error('this change fails') },
      { status: 'fulfilled', value: 'kept 2' },
    ]);
    expect([visible('kept 1'), visible('rolled back'), visible('kept 2')]).toEqual([true, false, true]);
    expect(events.filter((e) => e.event === 'audit.appended').map((e) => e.summary)).toEqual(['kept 1', 'kept 2']);
    expect(commits.count).toBe(1);
  });

  it('rejects every change of a commit that fails, and keeps none of them', async () => {
    const { ws, events, visible, record } = setup();
    const first = record('lost 1');
    // A deferred foreign key is checked at COMMIT, so this change's savepoint succeeds and the commit fails.
    const breaking = ws.changeGrouped(() => {
      ws.db.pragma('defer_foreign_keys = ON');
      ws.db.prepare("INSERT INTO run_hosts (run_id, position, server_id, label) VALUES ('no-such-run', 0, 1, 'web1')").run();
    });
    const last = record('lost 2');
    const outcomes = await Promise.allSettled([first, breaking, last]);
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
    expect([visible('lost 1'), visible('lost 2')]).toEqual([false, false]);
    expect(events).toEqual([]);
    // The workspace goes on: the next change commits.
    expect(await record('after')).toBe('after');
    expect(visible('after')).toBe(true);
  });

  it('queues what comes while a commit runs for the next commit', async () => {
    const { commits, visible, record } = setup();
    const later: Promise<string>[] = [];
    const first = record('first').then((value) => {
      // Queued after the first commit: they share the next one.
      later.push(record('second'), record('third'));
      return value;
    });
    expect(await first).toBe('first');
    expect(await Promise.all(later)).toEqual(['second', 'third']);
    expect([visible('second'), visible('third')]).toEqual([true, true]);
    expect(commits.count).toBe(2);
  });

  it('lets a change wait for company up to its maxWaitMs, then commits it alone', async () => {
    const { ws, commits, visible } = setup();
    const started = performance.now();
    const alone = ws.changeGrouped((tx) => tx.record({ ticketId: 'TKT-1', action: 'note.created', summary: 'waited' }).summary, { maxWaitMs: 40 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(visible('waited')).toBe(false);
    expect(await alone).toBe('waited');
    expect(performance.now() - started).toBeGreaterThanOrEqual(35);
    expect(visible('waited')).toBe(true);
    expect(commits.count).toBe(1);
  });

  it('commits a waiting change with the next one queued without a wait, first, in one commit', async () => {
    const { ws, events, commits, record } = setup();
    const waiting = ws.changeGrouped((tx) => tx.record({ ticketId: 'TKT-1', action: 'note.created', summary: 'start' }).summary, { maxWaitMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(commits.count).toBe(0);
    expect(await Promise.all([waiting, record('result')])).toEqual(['start', 'result']);
    expect(events.filter((e) => e.event === 'audit.appended')).toEqual([
      { event: 'audit.appended', summary: 'start', visible: true },
      { event: 'audit.appended', summary: 'result', visible: true },
    ]);
    expect(commits.count).toBe(1);
  });

  it('keeps a synchronous change as it was: committed and told before it returns', () => {
    const { ws, events, visible, commits } = setup();
    ws.change((tx) => tx.record({ ticketId: 'TKT-1', action: 'note.created', summary: 'at once' }));
    expect(visible('at once')).toBe(true);
    expect(events[0]).toEqual({ event: 'audit.appended', summary: 'at once', visible: true });
    expect(commits.count).toBe(1);
  });
});
