import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { openWritableCache, type WritableCache } from '../cache/database.js';
import { cacheMigrations } from '../cache/migrations/index.js';
import { ACTIVE_AT_PER_TEAM_SQL } from '../cache/spans.js';
import { CacheWriter, threadCpuMs, type WriterRequest } from './writer.js';

const dirs: { remove: () => void }[] = [];
const freshFile = () => {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir.path, 'reporting.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));

const AT = '2026-01-01T00:00:00.000000Z';
const ts = (day: number) => `2024-01-${String(day).padStart(2, '0')}T00:00:00.000000Z`;
const TICKET_COLUMNS = ['id', 'customer', 'subject', 'created_at', 'team_id', 'updated_at'];
const EVENT_COLUMNS = ['id', 'ticket_id', 'status', 'at', 'source'];
const indexesOf = (db: WritableCache, table: string) =>
  db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name").pluck().all(table);

function batch(writer: CacheWriter, table: string, rows: unknown[][], extra: Partial<Extract<WriterRequest, { kind: 'batch' }>> = {}) {
  return writer.handle({ kind: 'batch', source: 'main', table, rows, position: [rows.at(-1)?.[0]], newestAt: null, at: AT, ...extra } as WriterRequest);
}

describe('a complete read into an empty table', () => {
  it('drops its indexes while it loads, keeps their SQL, and makes them again when the table is done', () => {
    const db = openWritableCache(':memory:');
    const before = db.prepare("SELECT name, sql FROM sqlite_schema WHERE tbl_name = 'comments' AND type = 'index' AND sql IS NOT NULL ORDER BY name").all();
    expect(before.length).toBeGreaterThan(0);
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['comments'], full: true, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'comments', columns: ['id', 'ticket_id', 'tech_id', 'at', 'points', 'body'], complete: true });
    expect(indexesOf(db, 'comments')).toEqual([]);
    expect(db.prepare('SELECT name FROM deferred_indexes ORDER BY name').pluck().all()).toEqual(before.map((i) => (i as { name: string }).name));
    batch(writer, 'comments', [[1, 10, 3, ts(1), 0.5, '+1'], [2, 10, 4, ts(2), 1, 'Looking.']]);
    writer.handle({ kind: 'tableDone', source: 'main', table: 'comments', at: AT });
    expect(db.prepare("SELECT name, sql FROM sqlite_schema WHERE tbl_name = 'comments' AND type = 'index' AND sql IS NOT NULL ORDER BY name").all()).toEqual(before);
    expect(db.prepare('SELECT count(*) FROM deferred_indexes').pluck().get()).toBe(0);
    // The index serves its query again.
    const plan = db.prepare('EXPLAIN QUERY PLAN SELECT at FROM comments WHERE tech_id = 3').all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING COVERING INDEX comments_by_tech/);
    db.close();
  });

  it('keeps the status events\' index up to date row by row, so later syncs find room in its pages', () => {
    const db = openWritableCache(':memory:');
    const before = indexesOf(db, 'ticket_status_events');
    expect(before).toContain('events_by_ticket');
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['ticket_status_events'], full: true, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'ticket_status_events', columns: EVENT_COLUMNS, complete: true });
    expect(indexesOf(db, 'ticket_status_events')).toEqual(before);
    expect(db.prepare('SELECT count(*) FROM deferred_indexes').pluck().get()).toBe(0);
    db.close();
  });

  it('builds the indexes with a small page cache (its sort runs faster) and gives the batches their large one back', () => {
    const db = openWritableCache(freshFile());
    const large = db.pragma('cache_size', { simple: true });
    expect(large).toBe(-65536);
    // Each CREATE INDEX, with the page cache it ran under.
    const built: { sql: string; cache: unknown }[] = [];
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      if (/^CREATE INDEX/i.test(sql)) built.push({ sql, cache: db.pragma('cache_size', { simple: true }) });
      return exec(sql);
    };
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['comments'], full: true, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'comments', columns: ['id', 'ticket_id', 'tech_id', 'at', 'points', 'body'], complete: true });
    batch(writer, 'comments', [[1, 10, 3, ts(1), 0.5, '+1']]);
    expect(db.pragma('cache_size', { simple: true })).toBe(large);
    writer.handle({ kind: 'tableDone', source: 'main', table: 'comments', at: AT });
    expect(built.length).toBeGreaterThan(0);
    expect(built.every((b) => b.cache === -2000)).toBe(true);
    expect(db.pragma('cache_size', { simple: true })).toBe(large);
    // Temporary tables (the spans' staging, pruning's keys) live in files: SQLite's default.
    expect(db.pragma('temp_store', { simple: true })).toBe(0);
    db.close();
  });

  it('leaves the indexes of a table that already has rows, and a stopped load gets them back at the next begin', () => {
    const file = freshFile();
    let db = openWritableCache(file);
    let writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['comments', 'tickets'], full: true, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS, complete: true });
    batch(writer, 'tickets', [[1, 'c', 's', ts(1), 1, ts(1)]]);
    writer.handle({ kind: 'tableDone', source: 'main', table: 'tickets', at: AT });
    // A full sync over a cache that has tickets: their indexes stay (reports keep using them).
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS, complete: true });
    expect(db.prepare('SELECT count(*) FROM deferred_indexes').pluck().get()).toBe(0);
    // The comments load stops half way (the process ends): the drop and the batches are committed.
    writer.handle({ kind: 'columns', source: 'main', table: 'comments', columns: ['id', 'ticket_id', 'tech_id', 'at', 'points', 'body'], complete: true });
    batch(writer, 'comments', [[1, 1, 3, ts(1), 0.5, '+1']]);
    db.close();
    db = openWritableCache(file);
    expect(indexesOf(db, 'comments')).toEqual([]);
    writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['comments'], full: false, at: AT });
    expect(indexesOf(db, 'comments')).toEqual(['comments_by_tech']);
    expect(db.prepare('SELECT count(*) FROM deferred_indexes').pluck().get()).toBe(0);
    db.close();
  });

  it('prunes nothing, tracking no keys, when the cache had none of the rows yet', () => {
    const db = openWritableCache(':memory:');
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['tickets'], full: true, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS, complete: true, trackKeys: true, sharedWith: [] });
    expect(db.prepare("SELECT count(*) FROM temp.sqlite_schema WHERE name LIKE 'seen%'").pluck().get()).toBe(0);
    batch(writer, 'tickets', [[1, 'c', 's', ts(1), 1, ts(1)], [2, 'c', 's', ts(1), 1, ts(1)]]);
    expect(writer.handle({ kind: 'tableDone', source: 'main', table: 'tickets', at: AT })).toEqual({ pruned: 0 });
    // The next complete read has rows to compare with: it tracks, and prunes the ticket it no longer sees.
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS, complete: true, trackKeys: true, sharedWith: [] });
    expect(db.prepare("SELECT count(*) FROM temp.sqlite_schema WHERE name LIKE 'seen%'").pluck().get()).toBe(1);
    batch(writer, 'tickets', [[2, 'c', 's', ts(1), 1, ts(2)]]);
    expect(writer.handle({ kind: 'tableDone', source: 'main', table: 'tickets', at: AT })).toEqual({ pruned: 1 });
    expect(db.prepare('SELECT id FROM tickets').pluck().all()).toEqual([2]);
    db.close();
  });
});

describe('span teams', () => {
  it('spans carry their ticket team, follow a team change of an incremental tickets batch, and leave out tickets the cache lacks', () => {
    const db = openWritableCache(':memory:');
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['tickets', 'ticket_status_events'], full: false, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS });
    batch(writer, 'tickets', [[1, 'c', 's', ts(1), 1, ts(1)], [2, 'c', 's', ts(1), 2, ts(1)]]);
    writer.handle({ kind: 'columns', source: 'main', table: 'ticket_status_events', columns: EVENT_COLUMNS });
    // Ticket 3 is not in the cache (its events came from a database that has no tickets table).
    batch(writer, 'ticket_status_events', [[1, 1, 'open', ts(1), 'web'], [2, 2, 'open', ts(1), 'web'], [3, 3, 'open', ts(1), 'web']]);
    const spans = () => db.prepare('SELECT ticket_id, team_id FROM ticket_spans ORDER BY ticket_id').all();
    expect(spans()).toEqual([{ ticket_id: 1, team_id: 1 }, { ticket_id: 2, team_id: 2 }, { ticket_id: 3, team_id: null }]);
    const activeAt = () => db.prepare(ACTIVE_AT_PER_TEAM_SQL).all({ at: ts(5) });
    expect(activeAt()).toEqual([{ team_id: 1, active: 1 }, { team_id: 2, active: 1 }]);
    // Ticket 1 moves to team 2; ticket 3 arrives.
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS });
    batch(writer, 'tickets', [[1, 'c', 's', ts(1), 2, ts(3)], [3, 'c', 's', ts(1), 1, ts(3)]]);
    expect(spans()).toEqual([{ ticket_id: 1, team_id: 2 }, { ticket_id: 2, team_id: 2 }, { ticket_id: 3, team_id: 1 }]);
    expect(activeAt()).toEqual([{ team_id: 1, active: 1 }, { team_id: 2, active: 2 }]);
    db.close();
  });

  it('a complete tickets read marks the spans stale and the rebuild gives each span its team, its indexes made under the small page cache', () => {
    const db = openWritableCache(':memory:');
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['ticket_status_events', 'tickets'], full: false, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'ticket_status_events', columns: EVENT_COLUMNS });
    batch(writer, 'ticket_status_events', [[1, 1, 'open', ts(1), 'web']]);
    expect(db.prepare('SELECT team_id FROM ticket_spans').pluck().all()).toEqual([null]);
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS, complete: true });
    batch(writer, 'tickets', [[1, 'c', 's', ts(1), 7, ts(1)]], { deferSpans: true });
    expect(db.prepare('SELECT name FROM derived_state').pluck().all()).toEqual(['ticket_spans']);
    writer.handle({ kind: 'tableDone', source: 'main', table: 'tickets', at: AT });
    // The spans' indexes are made again after the rebuild, under the small page cache as deferred ones are.
    const built: unknown[] = [];
    const exec = db.exec.bind(db);
    db.exec = (sql: string) => {
      if (/^CREATE INDEX/i.test(sql)) built.push(db.pragma('cache_size', { simple: true }));
      return exec(sql);
    };
    expect(writer.handle({ kind: 'derive' })).toEqual({ rebuilt: ['ticket_spans'] });
    expect(built).toEqual([-2000, -2000]);
    expect(db.pragma('cache_size', { simple: true })).toBe(-65536);
    expect(db.prepare('SELECT ticket_id, team_id FROM ticket_spans').all()).toEqual([{ ticket_id: 1, team_id: 7 }]);
    db.close();
  });

  it('migration 005 gives the spans already cached their team', () => {
    const file = freshFile();
    const v4 = openWritableCache(file, cacheMigrations.slice(0, 4));
    v4.prepare("INSERT INTO tickets VALUES (10, 'c', 's', ?, 4, ?)").run(ts(1), ts(1));
    const add = v4.prepare("INSERT INTO ticket_status_events (origin, id, ticket_id, status, at, source) VALUES ('main', ?, ?, 'open', ?, 'web')");
    add.run(1, 10, ts(1));
    add.run(2, 11, ts(1));
    v4.exec("INSERT INTO ticket_spans (ticket_id, opened_at) VALUES (10, '2024-01-01T00:00:00.000000Z'), (11, '2024-01-01T00:00:00.000000Z')");
    v4.close();
    const db = openWritableCache(file);
    expect(db.prepare('SELECT ticket_id, team_id FROM ticket_spans ORDER BY ticket_id').all()).toEqual([{ ticket_id: 10, team_id: 4 }, { ticket_id: 11, team_id: null }]);
    db.close();
  });
});

describe('batches sent ahead of their commits', () => {
  it('after a failed batch, refuses the later ones of that read, so no position skips the failed rows', () => {
    const db = openWritableCache(':memory:');
    const writer = new CacheWriter(db);
    const COMMENT_COLUMNS = ['id', 'ticket_id', 'tech_id', 'at', 'points', 'body'];
    writer.handle({ kind: 'begin', source: 'main', tables: ['comments'], full: false, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'comments', columns: COMMENT_COLUMNS });
    batch(writer, 'comments', [[1, 10, 3, ts(1), 1, 'a']]);
    // A body of NULL breaks the table's NOT NULL: the batch fails and nothing of it lands.
    expect(() => batch(writer, 'comments', [[2, 10, 3, ts(2), 1, null]])).toThrow(/NOT NULL/);
    expect(() => batch(writer, 'comments', [[3, 10, 3, ts(3), 1, 'c']])).toThrow(/earlier batch of comments failed/);
    expect(db.prepare('SELECT id FROM comments').pluck().all()).toEqual([1]);
    expect(db.prepare("SELECT position FROM sync_state WHERE table_name = 'comments'").pluck().get()).toBe('[1]');
    // The next read of the table (announced again) writes again.
    writer.handle({ kind: 'columns', source: 'main', table: 'comments', columns: COMMENT_COLUMNS });
    batch(writer, 'comments', [[2, 10, 3, ts(2), 1, 'b']]);
    expect(db.prepare('SELECT id FROM comments ORDER BY id').pluck().all()).toEqual([1, 2]);
    db.close();
  });

  it('drops what an earlier read of a table announced when the next announcement fails', () => {
    const db = openWritableCache(':memory:');
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['tickets'], full: false, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS });
    expect(() => writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: [...TICKET_COLUMNS, 'colour'] })).toThrow(/colour/);
    expect(() => batch(writer, 'tickets', [[1, 'c', 's', ts(1), 1, ts(1)]])).toThrow(/not announced/);
    expect(db.prepare('SELECT count(*) FROM tickets').pluck().get()).toBe(0);
    db.close();
  });
});

describe('an upsert', () => {
  it('rewrites a row that changed and leaves one that came back equal untouched', () => {
    const db = openWritableCache(':memory:');
    const writer = new CacheWriter(db);
    writer.handle({ kind: 'begin', source: 'main', tables: ['tickets'], full: false, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'tickets', columns: TICKET_COLUMNS });
    batch(writer, 'tickets', [[1, 'c', 's', ts(1), 1, ts(1)], [2, 'c', 's', ts(1), 1, ts(1)]]);
    db.exec(`CREATE TEMP TABLE updates (id INTEGER);
      CREATE TEMP TRIGGER counted AFTER UPDATE ON tickets BEGIN INSERT INTO updates VALUES (new.id); END;`);
    // Ticket 1 comes back as it was (an overlap's re-read), ticket 2 with a new subject and team.
    batch(writer, 'tickets', [[1, 'c', 's', ts(1), 1, ts(1)], [2, 'c', 'renamed', ts(1), 2, ts(2)]], { reread: true });
    expect(db.prepare('SELECT id FROM updates').pluck().all()).toEqual([2]);
    expect(db.prepare('SELECT subject, team_id, updated_at FROM tickets WHERE id = 2').raw().get()).toEqual(['renamed', 2, ts(2)]);
    // A NULL that becomes a value, and back, is a change too.
    writer.handle({ kind: 'begin', source: 'main', tables: ['tech_teams'], full: false, at: AT });
    writer.handle({ kind: 'columns', source: 'main', table: 'tech_teams', columns: ['id', 'tech_id', 'team_id', 'valid_from', 'valid_to', 'updated_at'] });
    batch(writer, 'tech_teams', [[1, 3, 1, ts(1), null, ts(1)]]);
    batch(writer, 'tech_teams', [[1, 3, 1, ts(1), ts(5), ts(1)]]);
    expect(db.prepare('SELECT valid_to FROM tech_teams').pluck().get()).toBe(ts(5));
    batch(writer, 'tech_teams', [[1, 3, 1, ts(1), null, ts(1)]]);
    expect(db.prepare('SELECT valid_to FROM tech_teams').pluck().get()).toBeNull();
    db.close();
  });
});

describe('threadCpuMs', () => {
  it.runIf(process.platform === 'linux')('counts the CPU this thread spends, and not the time it waits', async () => {
    const start = threadCpuMs() as number;
    expect(start).toBeGreaterThan(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const idle = (threadCpuMs() as number) - start;
    const began = Date.now();
    while ((threadCpuMs() as number) - start - idle < 100 && Date.now() - began < 10_000) Math.sqrt(Math.random());
    expect((threadCpuMs() as number) - start - idle).toBeGreaterThanOrEqual(100);
    expect(idle).toBeLessThan(200);
  });
});
