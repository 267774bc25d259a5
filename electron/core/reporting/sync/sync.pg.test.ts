import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { openWritableCache, type WritableCache } from '../cache/database.js';
import { ACTIVE_AT_PER_TEAM_SQL, REBUILD_SPANS_SQL } from '../cache/spans.js';
import { generate } from '../source/generate.js';
import { freshDatabase, withSourceClient } from '../testing/pg-server.js';
import { syncAll, type SyncOptions, type SyncProgress } from './engine.js';
import { SyncError } from './errors.js';
import { standardConfig, MAIN_TABLES } from './standard-sources.js';
import { InProcessSink, type CacheSink } from './writer.js';
import { WorkerSink } from './worker-sink.js';

const TICKETS = 3000;
let main: { url: string; drop: () => Promise<void> };
let archive: { url: string; drop: () => Promise<void> };
const dir = tempDir('backline-reporting-');
let cacheCount = 0;

beforeAll(async () => {
  main = await freshDatabase('sync_main');
  archive = await freshDatabase('sync_archive');
  await generate({ url: main.url, secondUrl: archive.url, tickets: TICKETS, seed: 7 });
}, 60_000);

afterAll(async () => {
  await main?.drop();
  await archive?.drop();
  dir.remove();
});

const config = () => standardConfig(main.url, archive.url);
const newCache = () => join(dir.path, `reporting-${++cacheCount}.sqlite`);


/** Every row of every table, as the source has it and as the cache has it, in the same shape. */
async function expectCacheEqualsSource(db: WritableCache): Promise<void> {
  for (const table of MAIN_TABLES) {
    const columns = table.query.replace(/^SELECT (.*) FROM .*$/, '$1');
    const want = await withSourceClient(main.url, async (c) => (await c.query({ text: `SELECT ${columns} FROM ${table.name} ORDER BY id`, rowMode: 'array' })).rows);
    if (table.name === 'ticket_status_events') {
      const archived = await withSourceClient(archive.url, async (c) => (await c.query({ text: `SELECT ${columns} FROM ${table.name} ORDER BY id`, rowMode: 'array' })).rows);
      const mainRows = db.prepare(`SELECT ${columns} FROM ${table.name} WHERE origin = 'main' ORDER BY id`).raw().all();
      const archiveRows = db.prepare(`SELECT ${columns} FROM ${table.name} WHERE origin = 'archive' ORDER BY id`).raw().all();
      expect(mainRows, table.name).toEqual(want);
      expect(archiveRows, `${table.name} (archive)`).toEqual(archived);
      continue;
    }
    const got = db.prepare(`SELECT ${columns} FROM ${table.name} ORDER BY id`).raw().all();
    expect(got.length, table.name).toBe(want.length);
    expect(got, table.name).toEqual(want);
  }
}

const count = (db: WritableCache, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/** The spans are what recomputing them all from the cached events gives (and none waits for a rebuild). */
function expectSpansUpToDate(db: WritableCache): void {
  expect(db.prepare('SELECT name FROM derived_state').pluck().all()).toEqual([]);
  const spans = db.prepare('SELECT ticket_id, opened_at, closed_at FROM ticket_spans ORDER BY ticket_id, opened_at').raw();
  const kept = spans.all();
  db.exec(`SAVEPOINT recompute; DELETE FROM ticket_spans; ${REBUILD_SPANS_SQL}`);
  const fresh = spans.all();
  db.exec('ROLLBACK TO recompute; RELEASE recompute');
  expect(kept.length).toBeGreaterThan(0);
  expect(kept).toEqual(fresh);
}

describe.each(['cursor', 'copy'] as const)('sync from the reporting source (real PostgreSQL), %s reader', (reader) => {
  const sync = (cfg: Parameters<typeof syncAll>[0], sink: CacheSink, options: SyncOptions = {}) => syncAll(cfg, sink, { reader, ...options });

  it('copies everything on a full sync, from both sources, with progress', async () => {
    const db = openWritableCache(newCache());
    const progress: SyncProgress[] = [];
    const result = await sync(config(), new InProcessSink(db), { full: true, batchSize: 2000, onProgress: (p) => progress.push(p) });
    await expectCacheEqualsSource(db);
    expect(count(db, 'comments')).toBeGreaterThan(TICKETS * 4);
    expect(count(db, 'ticket_status_events')).toBe(result.sources.flatMap((s) => s.tables).filter((t) => t.table === 'ticket_status_events').reduce((s, t) => s + t.rows, 0));
    const comments = progress.filter((p) => p.table === 'comments');
    expect(comments.length).toBeGreaterThan(3);
    expect(comments.at(-1)).toMatchObject({ rows: count(db, 'comments'), expected: count(db, 'comments'), etaSeconds: 0 });
    expect(comments[0]?.rate).toBeGreaterThan(0);
    db.close();
  });

  it('then copies only what is new, including rows that tie with the last watermark', async () => {
    const db = openWritableCache(newCache());
    await sync(config(), new InProcessSink(db), { full: true });
    const before = count(db, 'tickets');
    await withSourceClient(main.url, async (c) => {
      // Two new tickets with exactly the newest updated_at already synced (a tie on the watermark),
      // one changed ticket (the trigger moves its updated_at), new comments and events.
      await c.query(`INSERT INTO tickets (customer, subject, created_at, team_id, updated_at)
        SELECT 'tie-' || g, 'Tie', now(), 1, (SELECT max(updated_at) FROM tickets) FROM generate_series(1, 2) g`);
      await c.query(`UPDATE tickets SET subject = 'Changed subject' WHERE id = 5`);
      await c.query(`INSERT INTO comments (ticket_id, tech_id, at, points, body) SELECT 5, 3, now(), 0.5, '+1' FROM generate_series(1, 7)`);
      await c.query(`INSERT INTO ticket_status_events (ticket_id, status, at, source) VALUES (5, 'reopened', now(), 'web')`);
    });
    const progress: SyncProgress[] = [];
    const result = await sync(config(), new InProcessSink(db), { onProgress: (p) => progress.push(p) });
    const rows = Object.fromEntries(result.sources[0]?.tables.map((t) => [t.table, t.rows]) ?? []);
    expect(rows).toMatchObject({ tickets: 3, comments: 7, ticket_status_events: 1, teams: 0, ssl_tracking: 0 });
    expect(count(db, 'tickets')).toBe(before + 2);
    expect(db.prepare('SELECT subject FROM tickets WHERE id = 5').get()).toEqual({ subject: 'Changed subject' });
    await expectCacheEqualsSource(db);
    expectSpansUpToDate(db); // ticket 5's reopening, kept up to date per batch
    // And once more: nothing new, nothing copied.
    const again = await sync(config(), new InProcessSink(db));
    expect(again.rows).toBe(0);
    db.close();
  });

  it('resumes after a cancel mid-sync with no duplicates and no gaps', async () => {
    const file = newCache();
    const db = openWritableCache(file);
    const controller = new AbortController();
    let seen = 0;
    const run = sync(config(), new InProcessSink(db), {
      full: true,
      batchSize: 1000,
      fetchSize: 250,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.table === 'comments' && ++seen === 3) controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ name: 'SyncError', code: 'SYNC_CANCELLED' });
    // The cache holds exactly the committed batches of comments, and says where it stopped.
    const state = db.prepare("SELECT position, rows_synced FROM sync_state WHERE source = 'main' AND table_name = 'comments'").get() as { position: string; rows_synced: number };
    expect(state.rows_synced).toBe(3000);
    expect(count(db, 'comments')).toBe(3000);
    expect(JSON.parse(state.position)).toEqual([db.prepare('SELECT max(id) AS id FROM comments').pluck().get()]);
    expect(db.prepare("SELECT last_error_code FROM freshness WHERE source = 'main'").pluck().get()).toBe('SYNC_CANCELLED');
    await sync(config(), new InProcessSink(db));
    await expectCacheEqualsSource(db);
    db.close();
  });

  it('resumes after the syncing process is killed', async () => {
    const file = newCache();
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/reporting/sync.ts', '--reader', reader, '--cache', file, '--full', '--batch', '500', '--config', await writeConfig()], {
      cwd: join(import.meta.dirname, '../../../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const killed = new Promise<void>((resolve, reject) => {
      let comments = 0;
      createInterface({ input: child.stdout }).on('line', (line) => {
        const event = JSON.parse(line) as { event: string; table?: string };
        if (event.event === 'progress' && event.table === 'comments' && ++comments === 4) child.kill('SIGKILL');
        if (event.event === 'done') reject(new Error('the sync finished before it could be killed'));
      });
      child.on('exit', (_code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`sync exited without being killed: ${stderr}`))));
    });
    await killed;
    const db = openWritableCache(file);
    const partial = count(db, 'comments');
    expect(partial).toBeGreaterThanOrEqual(2000);
    expect(partial).toBeLessThan(TICKETS * 4);
    expect(db.prepare("SELECT rows_synced FROM sync_state WHERE source = 'main' AND table_name = 'comments'").pluck().get()).toBe(partial);
    // The status events came before comments, their spans left for a rebuild the killed run never reached.
    expect(db.prepare('SELECT name FROM derived_state').pluck().all()).toEqual(['ticket_spans']);
    await sync(config(), new InProcessSink(db));
    await expectCacheEqualsSource(db);
    expectSpansUpToDate(db);
    db.close();
  }, 60_000);

  it('keeps the cache consistent and says so when the source disconnects mid-sync', async () => {
    const db = openWritableCache(newCache());
    // After the first batch of comments lands, another connection kills the sync's backend, and
    // the batch is acknowledged only once the backend is gone.
    const inner = new InProcessSink(db);
    let terminated = false;
    const sink: CacheSink = {
      close: () => inner.close(),
      request: async (request) => {
        const reply = await inner.request(request);
        if (request.kind === 'batch' && request.table === 'comments' && !terminated) {
          terminated = true;
          await withSourceClient(main.url, async (c) => {
            const who = "application_name = 'backline-sync:main' AND datname = current_database()";
            await c.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE ${who}`);
            while ((await c.query(`SELECT 1 FROM pg_stat_activity WHERE ${who}`)).rowCount) await new Promise((r) => setTimeout(r, 20));
          });
        }
        return reply;
      },
    };
    const run = sync(config(), sink, { full: true, batchSize: 1000, fetchSize: 500 });
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SyncError);
    // The cursor reader notices at its next fetch, inside comments; COPY may already hold all of
    // comments in the socket buffer and notice at the next table.
    expect(error).toMatchObject({ code: 'SOURCE_DISCONNECTED', where: { source: 'main', table: reader === 'cursor' ? 'comments' : expect.any(String) as unknown } });
    expect((error as Error).message).toMatch(/lost mid-sync.*run the sync again/);
    // Whatever was committed is a clean prefix: the rows up to the saved position, no more, no less.
    const state = db.prepare("SELECT position, rows_synced FROM sync_state WHERE source = 'main' AND table_name = 'comments'").get() as { position: string; rows_synced: number };
    const [lastId] = JSON.parse(state.position) as [number];
    expect(count(db, 'comments')).toBe(state.rows_synced);
    const sourcePrefix = await withSourceClient(main.url, async (c) => (await c.query<{ n: number }>('SELECT count(*)::int AS n FROM comments WHERE id <= $1', [lastId])).rows[0]?.n);
    expect(count(db, 'comments')).toBe(sourcePrefix);
    for (const { table_name, rows_synced } of db.prepare("SELECT table_name, rows_synced FROM sync_state WHERE source = 'main'").all() as { table_name: string; rows_synced: number }[]) {
      const where = table_name === 'ticket_status_events' ? " WHERE origin = 'main'" : '';
      expect(db.prepare(`SELECT count(*) FROM ${table_name}${where}`).pluck().get(), table_name).toBe(rows_synced);
    }
    expect(db.prepare("SELECT last_error_code, last_success_at FROM freshness WHERE source = 'main'").get()).toEqual({ last_error_code: 'SOURCE_DISCONNECTED', last_success_at: null });
    await sync(config(), new InProcessSink(db));
    await expectCacheEqualsSource(db);
    db.close();
  });

  it('records freshness: when the sync succeeded and how new the source data is', async () => {
    const db = openWritableCache(newCache());
    const at = new Date('2026-11-21T08:00:00Z');
    await sync(config(), new InProcessSink(db), { full: true, clock: () => at });
    const newest = await withSourceClient(main.url, async (c) =>
      (await c.query<{ t: string }>(`SELECT greatest((SELECT max(at) FROM comments), (SELECT max(at) FROM ticket_status_events), (SELECT max(updated_at) FROM tickets), (SELECT max(updated_at) FROM ssl_certificates), (SELECT max(created_at) FROM ssl_tracking), (SELECT max(updated_at) FROM teams), (SELECT max(updated_at) FROM techs), (SELECT max(updated_at) FROM tech_teams)) AS t`)).rows[0]?.t,
    );
    const archiveNewest = await withSourceClient(archive.url, async (c) => (await c.query<{ t: string }>('SELECT max(at) AS t FROM ticket_status_events')).rows[0]?.t);
    const rows = db.prepare('SELECT source, last_attempt_at, last_success_at, newest_source_at, last_error_code FROM freshness ORDER BY source').all();
    expect(rows).toEqual([
      { source: 'archive', last_attempt_at: at.toISOString(), last_success_at: at.toISOString(), newest_source_at: archiveNewest, last_error_code: null },
      { source: 'main', last_attempt_at: at.toISOString(), last_success_at: at.toISOString(), newest_source_at: newest, last_error_code: null },
    ]);
    db.close();
  });

  it('does the same with the SQLite writes on a worker thread', async () => {
    const file = newCache();
    const sink = new WorkerSink(file);
    const controller = new AbortController();
    let batches = 0;
    const cancelled = sync(config(), sink, {
      full: true,
      batchSize: 1000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.table === 'comments' && ++batches === 2) controller.abort();
      },
    });
    await expect(cancelled).rejects.toMatchObject({ code: 'SYNC_CANCELLED' });
    const result = await sync(config(), sink, { batchSize: 1000 });
    expect(result.rows).toBeGreaterThan(0);
    await sink.close();
    const db = openWritableCache(file);
    await expectCacheEqualsSource(db);
    db.close();
  });

  it('derives activity spans from both sources, so queue time travel counts split-off closes', async () => {
    const db = openWritableCache(newCache());
    await sync(config(), new InProcessSink(db), { full: true, batchSize: 700 });
    // Independently: replay every status event of both databases, per ticket, in time order.
    type Event = { ticket_id: number; status: string; at: string };
    const events = [
      ...(await withSourceClient(main.url, async (c) => (await c.query<Event>('SELECT ticket_id, status, at FROM ticket_status_events')).rows)),
      ...(await withSourceClient(archive.url, async (c) => (await c.query<Event>('SELECT ticket_id, status, at FROM ticket_status_events')).rows)),
    ].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : Number(a.status === 'closed') - Number(b.status === 'closed')));
    const archiveClosed = new Set(await withSourceClient(archive.url, async (c) => (await c.query<{ ticket_id: number }>("SELECT ticket_id FROM ticket_status_events WHERE status = 'closed'")).rows.map((r) => r.ticket_id)));
    const teams = new Map(await withSourceClient(main.url, async (c) => (await c.query<{ id: number; team_id: number }>('SELECT id, team_id FROM tickets')).rows.map((r) => [r.id, r.team_id] as const)));
    const activeAt = (moment: string, from: Event[] = events) => {
      const last = new Map<number, string>();
      for (const e of from) if (e.at <= moment) last.set(e.ticket_id, e.status);
      const perTeam = new Map<number, number>();
      for (const [ticket, status] of last) {
        if (status === 'closed') continue;
        const team = teams.get(ticket) ?? -1;
        perTeam.set(team, (perTeam.get(team) ?? 0) + 1);
      }
      return [...perTeam].sort(([a], [b]) => a - b).map(([team_id, active]) => ({ team_id, active }));
    };
    const query = db.prepare(ACTIVE_AT_PER_TEAM_SQL);
    const moments = ['2023-09-12T10:00:00.000000Z', '2024-01-09T15:30:00.000000Z', '2026-11-17T09:00:00.000000Z', '2026-11-19T23:00:00.000000Z'];
    for (const at of moments) expect(query.all({ at }), at).toEqual(activeAt(at));
    // The split-off closes matter: without the archive's events, tickets from its window would still look active.
    const mainOnly = events.filter((e) => !(e.status === 'closed' && archiveClosed.has(e.ticket_id)));
    const total = (rows: { active: number }[]) => rows.reduce((sum, r) => sum + r.active, 0);
    expect(total(activeAt('2024-01-09T15:30:00.000000Z', mainOnly))).toBeGreaterThan(total(activeAt('2024-01-09T15:30:00.000000Z')) + 50);
    db.close();
  });

  it('says clearly when a source cannot be reached', async () => {
    const db = openWritableCache(newCache());
    const unreachable = { sources: [{ name: 'gone', url: 'postgres://postgres@127.0.0.1:1/nothing', tables: [...MAIN_TABLES] }] };
    await expect(sync(unreachable, new InProcessSink(db))).rejects.toMatchObject({ code: 'SOURCE_UNREACHABLE', message: expect.stringMatching(/Could not connect to source "gone"/) as unknown });
    db.close();
  });
});

async function writeConfig(): Promise<string> {
  const { writeFileSync } = await import('node:fs');
  const file = join(dir.path, `sources-${++cacheCount}.json`);
  writeFileSync(file, JSON.stringify(config()));
  return file;
}
