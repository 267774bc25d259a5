import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/temp-dir.js';
import { openWritableCache } from '../cache/database.js';
import { bindArgs } from './params.js';
import { ReportLibrary } from './library.js';
import { ReportRunner } from './runner.js';
import { rejection } from '../../testing/backline-errors.js';

const dir = tempDir('backline-reports-');
const cacheFile = join(dir.path, 'reporting.sqlite');
let runner: ReportRunner;
let runs = 0;
const runId = () => `run-${++runs}`;

beforeAll(() => {
  const db = openWritableCache(cacheFile);
  const ts = '2024-03-01T09:30:00.000000Z';
  db.prepare('INSERT INTO teams (id, created_at, updated_at) VALUES (1, ?, ?)').run(ts, ts);
  const ticket = db.prepare('INSERT INTO tickets (id, customer, subject, created_at, team_id, updated_at) VALUES (?, ?, ?, ?, 1, ?)');
  db.transaction(() => {
    for (let i = 1; i <= 500; i++) ticket.run(i, `customer-${i % 7}`, i === 42 ? "x' OR 1=1; DROP TABLE tickets; --" : `Subject ${i}`, ts, ts);
  })();
  db.prepare('INSERT INTO ssl_certificates (id, domain, serial, order_number, issued_at, expires_at, updated_at) VALUES (1, ?, ?, ?, ?, ?, ?)').run('a.example', 'S1', 'ORD-1', ts, ts, ts);
  db.close();
  runner = new ReportRunner({ cacheFile, defaultTimeoutMs: 10_000, maxRows: 1000 });
});

afterAll(() => {
  runner.close();
  dir.remove();
});

const count = async () => (await runner.run({ runId: runId(), sql: 'SELECT count(*) AS n FROM tickets', values: {} })).rows[0]?.[0];

describe('ReportRunner', () => {
  it('runs a query in its own process and returns columns and rows', async () => {
    const result = await runner.run({ runId: runId(), sql: 'SELECT id, subject, 1.5 AS half, NULL AS empty FROM tickets WHERE id <= :n ORDER BY id', values: { n: 2 } });
    expect(result.columns).toEqual(['id', 'subject', 'half', 'empty']);
    expect(result.rows).toEqual([
      [1, 'Subject 1', 1.5, null],
      [2, 'Subject 2', 1.5, null],
    ]);
    expect(result.truncated).toBe(false);
    expect(result.ms).toBeGreaterThanOrEqual(0);
  });

  it('turns big integers into text and blobs into hex', async () => {
    const result = await runner.run({ runId: runId(), sql: "SELECT 9007199254740993 AS big, 9007199254740991 AS safe, x'00ff10' AS blob", values: {} });
    expect(result.rows).toEqual([['9007199254740993', 9007199254740991, '00ff10']]);
  });

  it('stops at maxRows and says the result was cut', async () => {
    const result = await runner.run({ runId: runId(), sql: 'SELECT id FROM tickets ORDER BY id', values: {}, maxRows: 10 });
    expect(result.rows).toHaveLength(10);
    expect(result.truncated).toBe(true);
    const exact = await runner.run({ runId: runId(), sql: 'SELECT id FROM tickets WHERE id <= 10', values: {}, maxRows: 10 });
    expect(exact.truncated).toBe(false);
    expect((await runner.run({ runId: runId(), sql: 'SELECT id FROM tickets', values: {} })).rows).toHaveLength(500); // the default 1000
  });

  it('only binds values: an injection attempt finds nothing and changes nothing', async () => {
    const evil = "x' OR 1=1; DROP TABLE tickets; --";
    const values = bindArgs([{ name: 'q', type: 'text', label: 'Q', required: true, default: null }], { q: 'nothing here' + evil });
    const none = await runner.run({ runId: runId(), sql: 'SELECT id FROM tickets WHERE subject = :q', values });
    expect(none.rows).toEqual([]);
    // The same text as a value matches only the row that literally holds it.
    const literal = await runner.run({ runId: runId(), sql: 'SELECT id FROM tickets WHERE subject = :q', values: { q: evil } });
    expect(literal.rows).toEqual([[42]]);
    expect(await count()).toBe(500);
  });

  it.each([
    ['INSERT INTO teams (id, created_at, updated_at) VALUES (2, 1, 1)', 'REPORT_READ_ONLY'],
    ['UPDATE tickets SET subject = 1', 'REPORT_READ_ONLY'],
    ['DELETE FROM tickets', 'REPORT_READ_ONLY'],
    ['WITH x AS (SELECT 1) DELETE FROM tickets', 'REPORT_READ_ONLY'],
    ['DROP TABLE tickets', 'REPORT_READ_ONLY'],
    ['CREATE TEMP TABLE z (a)', 'REPORT_READ_ONLY'],
    ["ATTACH 'other.sqlite' AS other", 'REPORT_READ_ONLY'],
    ['PRAGMA query_only = OFF', 'REPORT_READ_ONLY'],
    ['PRAGMA user_version = 7', 'REPORT_READ_ONLY'],
    ['PRAGMA optimize', 'REPORT_READ_ONLY'],
    ['VACUUM', 'REPORT_READ_ONLY'],
    ['BEGIN IMMEDIATE', 'REPORT_READ_ONLY'],
    // SQLite applies a PRAGMA while preparing it, EXPLAIN or not: only EXPLAIN QUERY PLAN of a query gets through.
    ['EXPLAIN PRAGMA query_only = 0', 'REPORT_READ_ONLY'],
    ['EXPLAIN QUERY PLAN PRAGMA case_sensitive_like = 1', 'REPORT_READ_ONLY'],
    ['explain /* a plan? */ pragma case_sensitive_like = 1', 'REPORT_READ_ONLY'],
    ['EXPLAIN DELETE FROM tickets', 'REPORT_READ_ONLY'],
    ['EXPLAIN SELECT 1', 'REPORT_READ_ONLY'],
    ['EXPLAIN QUERY PLAN DELETE FROM tickets', 'REPORT_READ_ONLY'],
    ['EXPLAIN QUERY PLAN WITH x AS (SELECT 1) DELETE FROM tickets', 'REPORT_READ_ONLY'],
    ["EXPLAIN QUERY PLAN ATTACH 'other.sqlite' AS other", 'REPORT_READ_ONLY'],
    ['SELECT 1; DELETE FROM tickets', 'REPORT_INVALID'],
  ])('refuses %s (%s), in run and in check', async (sql, code) => {
    expect((await rejection(runner.run({ runId: runId(), sql, values: {} }))).code).toBe(code);
    expect((await rejection(runner.check(sql))).code).toBe(code);
    expect(await count()).toBe(500);
  });

  it('reports SQLite\'s own message for bad SQL', async () => {
    const error = await rejection(runner.run({ runId: runId(), sql: 'SELECT nope FROM tickets', values: {} }));
    expect(error.code).toBe('REPORT_SQL_ERROR');
    expect(error.message).toContain('no such column: nope');
    const syntax = await rejection(runner.check('SELEC 1'));
    expect(syntax.code).toBe('REPORT_SQL_ERROR');
    expect(syntax.message).toContain('near "SELEC": syntax error');
  });

  it('checks without running: columns of a query', async () => {
    expect(await runner.check('SELECT id, subject AS s FROM tickets WHERE id = :id')).toEqual({ columns: ['id', 's'] });
    // EXPLAIN shows a plan and runs nothing, which helps when writing a report.
    expect((await runner.check('EXPLAIN QUERY PLAN SELECT * FROM tickets')).columns).toContain('detail');
  });

  it('reads the cache\'s tables and columns on a report process', async () => {
    const tables = await runner.schema();
    expect(tables.find((t) => t.name === 'tickets')?.columns.map((c) => c.name)).toEqual(['id', 'customer', 'subject', 'created_at', 'team_id', 'updated_at']);
  });

  it('looks values up before running, and runs nothing when one is unknown', async () => {
    const lookup = { param: 'customer', label: 'Customer', lookup: 'tickets.customer' };
    const found = await runner.run({ runId: runId(), sql: 'SELECT count(*) AS n FROM tickets WHERE customer = :c', values: { c: 'customer-1' }, lookups: [{ ...lookup, value: 'CUSTOMER-1' }] });
    expect(found.rows).toEqual([[72]]);
    const unknown = await rejection(runner.run({ runId: runId(), sql: 'SELECT 1 AS one', values: {}, lookups: [{ ...lookup, value: 'customer-99' }] }));
    expect(unknown).toMatchObject({ code: 'REPORT_UNKNOWN_VALUE', message: 'Unknown Customer: "customer-99".', issues: [{ path: 'customer' }] });
  });

  it('says which value is missing', async () => {
    const error = await rejection(runner.run({ runId: runId(), sql: 'SELECT :a, :b', values: { a: 1 } }));
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.issues).toEqual([{ path: 'b', message: expect.stringMatching(/:b/) as unknown }]);
  });

  it('kills a runaway report at its time limit, and the next run works', async () => {
    const runaway = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n';
    const started = performance.now();
    const error = await rejection(runner.run({ runId: runId(), sql: runaway, values: {}, timeoutMs: 700 }));
    expect(error.code).toBe('REPORT_TIMEOUT');
    expect(error.message).toContain('700 ms');
    expect(error.hint).toMatch(/Narrow the parameters/);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await count()).toBe(500);
  });

  it('cancels a running report, and a queued one, and the next run works', async () => {
    const runaway = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n';
    const one = new ReportRunner({ cacheFile, processes: 1 });
    try {
      const running = one.run({ runId: 'slow', sql: runaway, values: {} });
      const queued = one.run({ runId: 'queued', sql: 'SELECT 1', values: {} });
      await new Promise((r) => setTimeout(r, 300));
      expect(one.cancel('queued')).toBe(true);
      expect(one.cancel('slow')).toBe(true);
      expect(one.cancel('slow')).toBe(false);
      expect((await rejection(running)).code).toBe('CANCELLED');
      expect((await rejection(queued)).code).toBe('CANCELLED');
      expect((await one.run({ runId: 'after', sql: 'SELECT 2 AS two', values: {} })).rows).toEqual([[2]]);
    } finally {
      one.close();
    }
  });

  it('runs a quick report beside a slow one', async () => {
    const runaway = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n';
    const slow = runner.run({ runId: 'slow-beside', sql: runaway, values: {} });
    expect((await runner.run({ runId: runId(), sql: 'SELECT 3', values: {} })).rows).toEqual([[3]]);
    runner.cancel('slow-beside');
    expect((await rejection(slow)).code).toBe('CANCELLED');
  });

  it('refuses a second run with the same id while the first is going', async () => {
    const first = runner.run({ runId: 'twice', sql: 'SELECT 1', values: {} });
    expect((await rejection(runner.run({ runId: 'twice', sql: 'SELECT 1', values: {} }))).code).toBe('ALREADY_EXISTS');
    await first;
  });

  it('says the cache must be synced first when there is none', async () => {
    const missing = new ReportRunner({ cacheFile: join(dir.path, 'nothing-here.sqlite') });
    const error = await rejection(missing.run({ runId: 'x', sql: 'SELECT 1', values: {} }));
    expect(error.code).toBe('REPORTING_CACHE_EMPTY');
    expect(error.hint).toMatch(/Sync/);
    expect((await rejection(missing.check('SELECT 1'))).code).toBe('REPORTING_CACHE_EMPTY');
    missing.close();
  });

  it('refuses runs after close', async () => {
    const closing = new ReportRunner({ cacheFile });
    const pending = closing.run({ runId: 'x', sql: 'SELECT 1', values: {} });
    closing.close();
    expect((await rejection(pending)).code).toBe('CANCELLED');
    expect((await rejection(closing.run({ runId: 'y', sql: 'SELECT 1', values: {} }))).code).toBe('CANCELLED');
  });
});

describe('the report gate and the connection state', () => {
  const likeSql = "SELECT count(*) AS n FROM tickets WHERE subject LIKE 'subject 1%'";
  const state = async (one: ReportRunner) => ({
    like: (await one.run({ runId: runId(), sql: likeSql, values: {} })).rows,
    queryOnly: (await one.run({ runId: runId(), sql: 'SELECT * FROM pragma_query_only', values: {} })).rows,
  });

  it("importing a teammate's file with EXPLAIN PRAGMA changes nothing for later reports", async () => {
    // One process, so that every run and check meets the same pooled connection.
    const one = new ReportRunner({ cacheFile, processes: 1 });
    const library = new ReportLibrary({ shippedDir: join(dir.path, 'no-shipped'), savedDir: join(dir.path, 'saved'), check: (sql) => one.check(sql) });
    try {
      const before = await state(one);
      expect(before).toEqual({ like: [[111]], queryOnly: [[1]] });
      for (const [name, sql] of [
        ['lookup.sql', 'EXPLAIN PRAGMA query_only = 0'],
        ['faster.sql', 'EXPLAIN PRAGMA case_sensitive_like = 1'],
        ['plan.sql', 'EXPLAIN QUERY PLAN PRAGMA case_sensitive_like = 1'],
      ] as const) {
        const error = await rejection(library.importFile(name, `-- title: From a teammate\n\n${sql}\n`));
        expect(error.code).toMatch(/^REPORT_(INVALID|READ_ONLY)$/);
        expect(error.message).toMatch(/EXPLAIN QUERY PLAN/);
        // A draft run straight from the editor meets the same gate.
        expect((await rejection(one.run({ runId: runId(), sql, values: {} }))).code).toBe('REPORT_READ_ONLY');
      }
      expect(await state(one)).toEqual(before);
    } finally {
      one.close();
    }
  });

  it('still lets EXPLAIN QUERY PLAN show how a SELECT or WITH runs', async () => {
    expect((await runner.check('explain query plan with x as (select id from tickets) select * from x')).columns).toContain('detail');
    const plan = await runner.run({ runId: runId(), sql: 'EXPLAIN QUERY PLAN SELECT * FROM tickets WHERE id = :id', values: { id: 1 } });
    expect(plan.rows.map((r) => r.at(-1)).join('\n')).toMatch(/USING INTEGER PRIMARY KEY/);
  });
});

describe('results bounded in bytes and per value, in the report process', () => {
  const MiB = 1024 * 1024;

  it('cuts each of a few 40 MiB blobs and texts to its first part; the main process does not grow with them', async () => {
    const blobs = 4;
    const sql = `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${blobs})
      SELECT i, randomblob(40 * 1024 * 1024) AS blob, replace(hex(zeroblob(20 * 1024 * 1024)), '00', 'ab') AS text FROM n`;
    const base = process.memoryUsage().rss;
    let peak = base;
    const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
    let result;
    try {
      result = await runner.run({ runId: runId(), sql, values: {}, timeoutMs: 60_000 });
    } finally {
      clearInterval(sample);
    }
    peak = Math.max(peak, process.memoryUsage().rss);
    // The report process answered (no INTERNAL from a crash), with every row and each big value cut.
    expect(result.rows).toHaveLength(blobs);
    expect(result.truncated).toBe(false);
    expect(result.cutBy).toBeNull();
    expect(result.cellsCut).toBe(blobs * 2);
    expect(result.limits).toEqual({ maxRows: 1000, maxBytes: 64 * MiB, maxCellBytes: 256 * 1024 });
    for (const [i, blob, text] of result.rows) {
      expect(typeof i).toBe('number');
      expect(blob).toMatch(/^[0-9a-f]{262144} … \[cut by Backline: 40\.0 MiB blob\]$/);
      expect(text).toMatch(/^(ab){131072} … \[cut by Backline: 40\.0 MiB of text\]$/);
    }
    expect(result.bytes).toBeLessThan(blobs * 2 * 300 * 1024);
    // Before the limits, four blobs took this process from ~80 MiB to ~1 GiB (each became 80 MiB of hex, then copies of it).
    expect(peak - base).toBeLessThan(100 * MiB);
    expect(await count()).toBe(500);
  });

  it('stops reading at the byte limit and says what it kept', async () => {
    const small = new ReportRunner({ cacheFile, maxBytes: 1000, maxCellBytes: 100, processes: 1 });
    try {
      const result = await small.run({ runId: runId(), sql: "SELECT id, 'Subject ' || id AS subject FROM tickets ORDER BY id", values: {} });
      expect(result.truncated).toBe(true);
      expect(result.cutBy).toBe('bytes');
      // 8 for the id and the subject's characters: 9 × 17 + 47 × 18 = 999, and row 57 would make 1017.
      expect(result.rows).toHaveLength(56);
      expect(result.bytes).toBe(999);
      expect(result.rows.at(-1)).toEqual([56, 'Subject 56']);
      const cells = await small.run({ runId: runId(), sql: "SELECT substr(hex(zeroblob(100)), 1, 150) AS long, zeroblob(80) AS blob, 'é' || substr(hex(zeroblob(50)), 1, 99) AS fits", values: {} });
      expect(cells.rows).toEqual([[`${'0'.repeat(100)} … [cut by Backline: 150 bytes of text]`, `${'00'.repeat(50)} … [cut by Backline: 80 bytes blob]`, `é${'0'.repeat(99)}`]]);
      expect(cells.cellsCut).toBe(2);
      expect(cells.cutBy).toBeNull();
    } finally {
      small.close();
    }
  });
});
