import { join } from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { openWritableCache, type WritableCache } from '../cache/database.js';
import { generate } from '../source/generate.js';
import { freshDatabase, withSourceClient } from '../testing/pg-server.js';
import type { SyncConfig, TableConfig } from './config.js';
import { syncAll, type SyncResult } from './engine.js';
import { standardConfig } from './standard-sources.js';
import { InProcessSink } from './writer.js';

/**
 * What a watermark alone gets wrong, against real PostgreSQL: rows whose transaction commits after
 * a later row was read (overlap), and rows deleted in the source (prune). Each test gets its own
 * pair of source databases, since they change the source.
 */
const dir = tempDir('backline-reporting-changes-');
let cacheCount = 0;
const newCache = () => openWritableCache(join(dir.path, `reporting-${++cacheCount}.sqlite`));
const dropped: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const drop of dropped) await drop();
  dir.remove();
});

async function sources(tickets = 300): Promise<{ main: string; archive: string }> {
  const main = await freshDatabase('changes_main');
  const archive = await freshDatabase('changes_archive');
  dropped.push(main.drop, archive.drop);
  await generate({ url: main.url, secondUrl: archive.url, tickets, seed: 11 });
  return { main: main.url, archive: archive.url };
}


/** A transaction left open on its own connection, to commit later. */
async function openTransaction(url: string): Promise<{ query: (text: string) => Promise<pg.QueryResult<Record<string, unknown>>>; commit: () => Promise<void> }> {
  const client = new pg.Client({ connectionString: url, options: '-c TimeZone=UTC' });
  await client.connect();
  await client.query('BEGIN');
  return {
    query: (text) => client.query<Record<string, unknown>>(text),
    commit: async () => {
      await client.query('COMMIT');
      await client.end();
    },
  };
}

const tableOf = (result: SyncResult, source: string, table: string) => result.sources.find((s) => s.source === source)?.tables.find((t) => t.table === table);
const has = (db: WritableCache, sql: string, ...args: unknown[]) => db.prepare(sql).get(...args) !== undefined;

type Event = { ticket_id: number; status: string; at: string };
/**
 * Time travel checked against an independent replay of both sources' events: at each moment, the
 * tickets whose last event at or before it (closes after other events of the same moment) is not
 * a close are exactly those with a span covering it.
 */
async function expectSpansMatchSources(db: WritableCache, urls: { main: string; archive: string }): Promise<void> {
  const read = (url: string) => withSourceClient(url, async (c) => (await c.query<Event>('SELECT ticket_id, status, at FROM ticket_status_events')).rows);
  const events = [...(await read(urls.main)), ...(await read(urls.archive))].sort((a, b) =>
    a.at < b.at ? -1 : a.at > b.at ? 1 : Number(a.status === 'closed') - Number(b.status === 'closed'),
  );
  const moments = [...new Set(events.filter((_, i) => i % 37 === 0).map((e) => e.at)), '2030-01-01T00:00:00.000000Z'];
  const covered = db.prepare('SELECT DISTINCT ticket_id FROM ticket_spans WHERE opened_at <= ? AND (closed_at IS NULL OR closed_at > ?) ORDER BY ticket_id').pluck();
  for (const at of moments) {
    const last = new Map<number, string>();
    for (const e of events) if (e.at <= at) last.set(e.ticket_id, e.status);
    const active = [...last].filter(([, status]) => status !== 'closed').map(([ticket]) => ticket).sort((a, b) => a - b);
    expect(covered.all(at, at), at).toEqual(active);
  }
}

const withoutOverlap = (config: SyncConfig): SyncConfig => ({
  sources: config.sources.map((s) => ({ ...s, tables: s.tables.map(({ overlap: _overlap, ...t }): TableConfig => t) })),
});

describe.each(['cursor', 'copy'] as const)('late commits: the overlap reads behind the saved position (%s reader)', (reader) => {
  it('an id watermark: an event whose transaction commits after a later id was read arrives, and its span with it', async () => {
    const urls = await sources();
    const config = standardConfig(urls.main, urls.archive);
    const db = newCache();
    const sync = (cfg = config) => syncAll(cfg, new InProcessSink(db), { reader });
    await syncAll(config, new InProcessSink(db), { full: true, reader });
    // The late transaction takes its id first; a later one commits a higher id, which the sync reads.
    const ticket = await withSourceClient(urls.main, async (c) => (await c.query<{ id: number }>("SELECT ticket_id AS id FROM ticket_status_events GROUP BY ticket_id HAVING bool_and(status <> 'closed') LIMIT 1")).rows[0]?.id);
    const late = await openTransaction(urls.main);
    const lateId = Number((await late.query(`INSERT INTO ticket_status_events (ticket_id, status, at, source) VALUES (${ticket}, 'closed', now(), 'web') RETURNING id`)).rows[0]?.id);
    await withSourceClient(urls.main, (c) => c.query("INSERT INTO ticket_status_events (ticket_id, status, at, source) VALUES (1, 'reopened', now(), 'web')"));
    const first = await sync();
    expect(tableOf(first, 'main', 'ticket_status_events')?.rows).toBe(1);
    await late.commit();
    const missing = "SELECT 1 FROM ticket_status_events WHERE origin = 'main' AND id = ?";
    // Without an overlap, the watermark has moved past it for good.
    await sync(withoutOverlap(config));
    expect(has(db, missing, lateId)).toBe(false);
    // With one, the next sync reads the last ids again: the late row arrives, and is the one row counted as written.
    const second = await sync();
    expect(has(db, missing, lateId)).toBe(true);
    expect(tableOf(second, 'main', 'ticket_status_events')).toMatchObject({ rows: 1, reread: expect.any(Number) as unknown });
    expect(tableOf(second, 'main', 'ticket_status_events')?.reread).toBeGreaterThan(1);
    expect(second.rows).toBe(1);
    // The saved position did not move back, and rows_synced counts each row once.
    const state = db.prepare("SELECT position, rows_synced FROM sync_state WHERE source = 'main' AND table_name = 'ticket_status_events'").get() as { position: string; rows_synced: number };
    expect(JSON.parse(state.position)).toEqual([lateId + 1]);
    expect(state.rows_synced).toBe(db.prepare("SELECT count(*) FROM ticket_status_events WHERE origin = 'main'").pluck().get());
    // The ticket the late close belongs to is closed now in time travel, as in the sources.
    await expectSpansMatchSources(db, urls);
    db.close();
  });

  it('an updated_at watermark: a change stamped before a later one, committed after it was read, arrives', async () => {
    const urls = await sources();
    const config = standardConfig(urls.main, urls.archive);
    const db = newCache();
    const sync = (cfg = config) => syncAll(cfg, new InProcessSink(db), { reader });
    await sync();
    // now() is when a transaction began: the late one's updated_at is older than the early one's.
    const late = await openTransaction(urls.main);
    await late.query("UPDATE tickets SET subject = 'changed late' WHERE id = 7");
    await new Promise((r) => setTimeout(r, 20));
    await withSourceClient(urls.main, (c) => c.query("UPDATE tickets SET subject = 'changed early' WHERE id = 8"));
    const first = await sync();
    expect(tableOf(first, 'main', 'tickets')?.rows).toBe(1);
    await late.commit();
    const subject = db.prepare('SELECT subject FROM tickets WHERE id = ?').pluck();
    await sync(withoutOverlap(config));
    expect(subject.get(7)).not.toBe('changed late');
    const second = await sync();
    expect(subject.get(7)).toBe('changed late');
    expect(subject.get(8)).toBe('changed early');
    expect(tableOf(second, 'main', 'tickets')).toMatchObject({ rows: 0, reread: 2 });
    db.close();
  });
});

describe('rows deleted in the source: prune on a complete read', () => {
  it('removes what each source deleted, never another source\u2019s rows, and the spans follow', async () => {
    const urls = await sources();
    // Status events pruned too (the shipped config leaves the histories alone).
    const base = standardConfig(urls.main, urls.archive);
    const config: SyncConfig = { sources: base.sources.map((s) => ({ ...s, tables: s.tables.map((t) => (t.name === 'ticket_status_events' ? { ...t, prune: true } : t)) })) };
    const db = newCache();
    await syncAll(config, new InProcessSink(db), { full: true });
    // In main: a ticket, and the close event of another ticket whose event id the archive also uses.
    const { mainClose, archiveClose } = await withSourceClient(urls.archive, async (a) => {
      const archiveIds = (await a.query<{ id: number }>('SELECT id FROM ticket_status_events')).rows.map((r) => r.id);
      const mainClose = await withSourceClient(urls.main, async (m) => (await m.query<{ id: number; ticket_id: number }>("SELECT id, ticket_id FROM ticket_status_events WHERE status = 'closed' AND id = ANY($1) ORDER BY id LIMIT 1", [archiveIds])).rows[0]);
      const archiveClose = (await a.query<{ id: number; ticket_id: number }>("SELECT id, ticket_id FROM ticket_status_events WHERE status = 'closed' ORDER BY id DESC LIMIT 1")).rows[0];
      return { mainClose, archiveClose };
    });
    if (!mainClose || !archiveClose) throw new Error('the generated data has no close events to delete');
    await withSourceClient(urls.main, async (c) => {
      await c.query('DELETE FROM ticket_status_events WHERE id = $1', [mainClose.id]);
      await c.query('DELETE FROM tickets WHERE id = 42');
      await c.query("DELETE FROM ssl_tracking WHERE id IN (SELECT id FROM ssl_tracking ORDER BY id LIMIT 3)");
    });
    await withSourceClient(urls.archive, (c) => c.query('DELETE FROM ticket_status_events WHERE id = $1', [archiveClose.id]));
    const event = (origin: string, id: number) => has(db, 'SELECT 1 FROM ticket_status_events WHERE origin = ? AND id = ?', origin, id);

    // An incremental sync cannot see deletions.
    await syncAll(config, new InProcessSink(db), {});
    expect(event('main', mainClose.id)).toBe(true);
    // A full sync cancelled before its read of tickets completes prunes nothing there.
    const controller = new AbortController();
    await expect(
      syncAll(config, new InProcessSink(db), { full: true, batchSize: 50, signal: controller.signal, onProgress: (p) => p.table === 'tickets' && controller.abort() }),
    ).rejects.toMatchObject({ code: 'SYNC_CANCELLED' });
    expect(has(db, 'SELECT 1 FROM tickets WHERE id = 42')).toBe(true);

    const result = await syncAll(config, new InProcessSink(db), { full: true });
    expect(tableOf(result, 'main', 'tickets')?.pruned).toBe(1);
    expect(tableOf(result, 'main', 'ssl_tracking')?.pruned).toBe(3);
    expect(tableOf(result, 'main', 'ticket_status_events')?.pruned).toBe(1);
    expect(tableOf(result, 'archive', 'ticket_status_events')?.pruned).toBe(1);
    expect(tableOf(result, 'main', 'comments')?.pruned).toBeNull(); // not configured to prune
    expect(has(db, 'SELECT 1 FROM tickets WHERE id = 42')).toBe(false);
    expect(event('main', mainClose.id)).toBe(false);
    expect(event('archive', mainClose.id)).toBe(true); // the same id in the other source stays
    expect(event('archive', archiveClose.id)).toBe(false);
    expect(db.prepare("SELECT count(*) FROM ticket_status_events WHERE origin = 'main'").pluck().get()).toBe(
      await withSourceClient(urls.main, async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM ticket_status_events')).rows[0]?.n)),
    );
    // Both tickets that lost their close are active again in time travel, as the sources say.
    await expectSpansMatchSources(db, urls);
    db.close();
  });

  it('refuses to prune a table without an origin column that another source feeds too', async () => {
    const urls = await sources(50);
    const base = standardConfig(urls.main, urls.archive);
    const shared: SyncConfig = {
      sources: [
        base.sources[0] as SyncConfig['sources'][number],
        { name: 'other', url: urls.archive, tables: [{ name: 'tickets', query: 'SELECT ticket_id AS id FROM ticket_status_events', watermark: 'id', key: ['id'] }] },
      ],
    };
    const db = newCache();
    await expect(syncAll(shared, new InProcessSink(db), { full: true })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      where: { source: 'main', table: 'tickets' },
      message: expect.stringMatching(/"prune" is set for "tickets" of source "main", but source\(s\) "other" also feed/) as unknown,
    });
    // A source that fed the table before (per sync_state), though no longer in the config, counts too.
    db.prepare("INSERT INTO sync_state (source, table_name, position, rows_synced, updated_at) VALUES ('old', 'tickets', NULL, 0, 'x')").run();
    await expect(syncAll(base, new InProcessSink(db), { full: true })).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('"old"') as unknown });
    db.close();
  });

  it('never empties a cache table because one complete read came back empty', async () => {
    const urls = await sources(50);
    const config = standardConfig(urls.main, urls.archive);
    const db = newCache();
    await syncAll(config, new InProcessSink(db), { full: true });
    const certificates = db.prepare('SELECT count(*) FROM ssl_tracking').pluck().get() as number;
    expect(certificates).toBeGreaterThan(0);
    // The source's table is reloaded outside a transaction and read while empty.
    await withSourceClient(urls.main, (c) => c.query('DELETE FROM ssl_tracking'));
    await expect(syncAll(config, new InProcessSink(db), { full: true })).rejects.toMatchObject({
      code: 'PRUNE_REFUSED',
      where: { source: 'main', table: 'ssl_tracking' },
      message: expect.stringMatching(/returned no rows for "ssl_tracking".*nothing was deleted/) as unknown,
    });
    expect(db.prepare('SELECT count(*) FROM ssl_tracking').pluck().get()).toBe(certificates);
    db.close();
  });
});
