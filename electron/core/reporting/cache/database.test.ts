import { dirname, join } from 'node:path';
import { modeOf, underUmask000 } from '../../testing/file-modes.js';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { cacheMigrations } from './migrations/index.js';
import { ACTIVE_AT_PER_TEAM_SQL } from './spans.js';
import { connectionState, openReadableCache, openWritableCache, restoreConnectionState } from './database.js';

const dirs: { remove: () => void }[] = [];
const freshFile = () => {
  const dir = tempDir();
  dirs.push(dir);
  return join(dir.path, 'reporting.sqlite');
};
afterEach(() => dirs.splice(0).forEach((d) => d.remove()));
underUmask000();

describe('reporting cache', () => {
  it('opens in WAL mode at the newest migration, and reopening changes nothing', () => {
    const file = freshFile();
    openWritableCache(file).close();
    const db = openWritableCache(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(cacheMigrations.length);
    db.close();
  });

  it('keeps the cache for this user only, whatever the umask: folder 0700, the file and its -wal and -shm 0600', () => {
    const file = join(dirname(freshFile()), 'new-data', 'reporting.sqlite');
    const db = openWritableCache(file);
    const reader = openReadableCache(file);
    expect(reader.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: 0 });
    expect([modeOf(dirname(file)), modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o700, 0o600, 0o600, 0o600]);
    reader.close();
    db.close();
  });

  it('gives reports a connection that cannot write', () => {
    const file = freshFile();
    openWritableCache(file).close();
    const db = openReadableCache(file);
    expect(db.prepare('SELECT count(*) AS n FROM tickets').get()).toEqual({ n: 0 });
    expect(() => db.prepare("INSERT INTO teams VALUES (1, 'a', 'b')").run()).toThrow(/readonly|query_only/i);
    db.close();
  });
});

describe('the report connection state', () => {
  it('puts back every setting a report could have changed, and says which it cannot', () => {
    const file = freshFile();
    const writer = openWritableCache(file);
    writer.prepare("INSERT INTO teams (id, created_at, updated_at) VALUES (1, 'a', 'a'), (2, 'B', 'B')").run();
    writer.close();
    const db = openReadableCache(file);
    try {
      const known = connectionState(db);
      expect(known.get('query_only')).toBe(1);
      const look = () => ({
        like: db.prepare("SELECT count(*) AS n FROM teams WHERE created_at LIKE 'b'").get(),
        order: db.prepare('SELECT id FROM teams').pluck().all(),
        queryOnly: db.pragma('query_only', { simple: true }),
        lock: db.pragma('locking_mode', { simple: true }),
      });
      const before = look();
      expect(before).toEqual({ like: { n: 1 }, order: [1, 2], queryOnly: 1, lock: 'normal' });
      for (const taint of ['query_only = 0', 'case_sensitive_like = 1', 'reverse_unordered_selects = 1', 'locking_mode = exclusive', 'cache_size = 1', 'trusted_schema = 0']) db.pragma(taint);
      expect(look()).not.toEqual(before);
      expect(restoreConnectionState(db, known)).toEqual([]);
      expect(look()).toEqual(before);
      // A heap limit only goes down (and is process-wide): a connection left with one is not used again.
      db.pragma(`hard_heap_limit = ${2 ** 40}`);
      expect(restoreConnectionState(db, known)).toContain('hard_heap_limit');
    } finally {
      db.close();
    }
  });
});

describe('migration 001 (cache)', () => {
  it('keeps status events from two sources apart even when their ids collide', () => {
    const db = openWritableCache(':memory:');
    const add = db.prepare("INSERT INTO ticket_status_events (origin, id, ticket_id, status, at, source) VALUES (?, 1, 10, 'closed', '2024-01-01T00:00:00.000000Z', 'x')");
    add.run('main');
    add.run('archive');
    expect(() => add.run('main')).toThrow(/UNIQUE|PRIMARY KEY/);
    db.close();
  });

  it('answers per-tech reflection from an index alone', () => {
    const db = openWritableCache(':memory:');
    const plan = db
      .prepare("EXPLAIN QUERY PLAN SELECT count(DISTINCT ticket_id), count(*), sum(points), avg(points = 0.5) FROM comments WHERE tech_id = 3 AND at >= '2026-08-01' AND at < '2026-11-01'")
      .all() as { detail: string }[];
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING COVERING INDEX comments_by_tech/);
    db.close();
  });
});

describe('migration 002 (ticket spans)', () => {
  it('backfills spans from the events already cached, across reopen and both origins', () => {
    const file = freshFile();
    const v1 = openWritableCache(file, cacheMigrations.slice(0, 1));
    const add = v1.prepare('INSERT INTO ticket_status_events (origin, id, ticket_id, status, at, source) VALUES (?, ?, ?, ?, ?, ?)');
    add.run('main', 1, 10, 'open', '2024-01-01T00:00:00.000000Z', 'web');
    add.run('main', 2, 10, 'pending', '2024-01-02T00:00:00.000000Z', 'web');
    add.run('archive', 1, 10, 'closed', '2024-01-03T00:00:00.000000Z', 'archive');
    add.run('main', 3, 10, 'reopened', '2024-02-01T00:00:00.000000Z', 'web');
    add.run('main', 4, 11, 'open', '2024-01-01T00:00:00.000000Z', 'web');
    v1.close();
    const db = openWritableCache(file);
    expect(db.prepare('SELECT ticket_id, opened_at, closed_at, long_lived FROM ticket_spans ORDER BY ticket_id, opened_at').all()).toEqual([
      { ticket_id: 10, opened_at: '2024-01-01T00:00:00.000000Z', closed_at: '2024-01-03T00:00:00.000000Z', long_lived: 0 },
      { ticket_id: 10, opened_at: '2024-02-01T00:00:00.000000Z', closed_at: null, long_lived: 1 },
      { ticket_id: 11, opened_at: '2024-01-01T00:00:00.000000Z', closed_at: null, long_lived: 1 },
    ]);
    db.close();
  });

  it('finds the tickets active at a moment through indexes, not a scan of every span', () => {
    const db = openWritableCache(':memory:');
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${ACTIVE_AT_PER_TEAM_SQL}`).all({ at: '2024-01-01T00:00:00.000000Z' }) as { detail: string }[]).map((p) => p.detail).join('\n');
    expect(plan).toMatch(/ticket_spans USING COVERING INDEX ticket_spans_by_open \(opened_at>\? AND opened_at<\?\)/);
    expect(plan).toMatch(/ticket_spans USING COVERING INDEX ticket_spans_long/);
    expect(plan).not.toMatch(/SCAN ticket_spans/);
    db.close();
  });
});
