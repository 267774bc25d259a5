import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFakeUtilityProcess } from '../../../testing/fake-utility-process.js';
import { rejection } from '../../testing/backline-errors.js';
import { tempDir } from '../../testing/temp-dir.js';
import { openWritableCache } from '../cache/database.js';
import { childReportProcess, utilityReportProcess, type ReportProcessLauncher } from './report-process.js';
import { ReportRunner } from './runner.js';

/**
 * The two ways a report process is started (a Node child in the browser shell, Electron's
 * utilityProcess in the desktop app, here with the electron module replaced by a stand-in that keeps
 * its documented behaviour) meet the same tests: time limit, cancel, write refusal.
 */
const dir = tempDir('backline-report-process-');
const cacheFile = join(dir.path, 'reporting.sqlite');
const runaway = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n';

beforeAll(() => {
  const db = openWritableCache(cacheFile);
  const ts = '2024-03-01T09:30:00.000000Z';
  db.prepare('INSERT INTO teams (id, created_at, updated_at) VALUES (1, ?, ?)').run(ts, ts);
  const ticket = db.prepare('INSERT INTO tickets (id, customer, subject, created_at, team_id, updated_at) VALUES (?, ?, ?, ?, 1, ?)');
  for (let i = 1; i <= 50; i++) ticket.run(i, `customer-${i % 3}`, `Subject ${i}`, ts, ts);
  db.close();
});
afterAll(() => dir.remove());

const utility = createFakeUtilityProcess();
let launched = 0;
/** Counts launches, so a test cannot pass on some other way of starting a process. */
const counted = (launcher: ReportProcessLauncher): ReportProcessLauncher => (entry) => {
  launched++;
  return launcher(entry);
};

describe.each([
  ['a Node child process (browser shell)', childReportProcess],
  ["Electron's utilityProcess (desktop)", utilityReportProcess(utility)],
])('report processes as %s', (_name, launcher) => {
  let runner: ReportRunner;
  let runs = 0;
  const runId = () => `run-${++runs}`;
  const count = async () => (await runner.run({ runId: runId(), sql: 'SELECT count(*) FROM tickets', values: {} })).rows[0]?.[0];

  beforeAll(() => {
    launched = 0;
    runner = new ReportRunner({ cacheFile, processes: 1, defaultTimeoutMs: 10_000, launcher: counted(launcher) });
  });
  afterAll(() => runner.close());

  it('runs a report in a process it started', async () => {
    expect((await runner.run({ runId: runId(), sql: 'SELECT id, subject FROM tickets WHERE id = :id', values: { id: 7 } })).rows).toEqual([[7, 'Subject 7']]);
    expect(launched).toBe(1);
  });

  it('stops a runaway report at its time limit, in a new process for the next run', async () => {
    const before = launched;
    const started = performance.now();
    const error = await rejection(runner.run({ runId: runId(), sql: runaway, values: {}, timeoutMs: 600 }));
    expect(error.code).toBe('REPORT_TIMEOUT');
    expect(error.message).toContain('600 ms');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await count()).toBe(50);
    expect(launched).toBe(before + 1);
  });

  it('cancels a running report and a queued one', async () => {
    const running = runner.run({ runId: 'slow', sql: runaway, values: {} });
    const queued = runner.run({ runId: 'queued', sql: 'SELECT 1', values: {} });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(runner.cancel('queued')).toBe(true);
    expect(runner.cancel('slow')).toBe(true);
    expect(runner.cancel('slow')).toBe(false);
    expect((await rejection(running)).code).toBe('CANCELLED');
    expect((await rejection(queued)).code).toBe('CANCELLED');
    expect((await runner.run({ runId: runId(), sql: 'SELECT 2', values: {} })).rows).toEqual([[2]]);
  });

  it.each(['DELETE FROM tickets', 'UPDATE tickets SET subject = 1', 'PRAGMA query_only = OFF', "ATTACH 'other.sqlite' AS other", 'CREATE TEMP TABLE z (a)'])(
    'refuses to write: %s',
    async (sql) => {
      expect((await rejection(runner.run({ runId: runId(), sql, values: {} }))).code).toBe('REPORT_READ_ONLY');
      expect(await count()).toBe(50);
    },
  );

  it('says so when the cache cannot be opened, and ends that process', async () => {
    const broken = join(dir.path, `broken-${launched}.sqlite`);
    writeFileSync(broken, 'not a database, long enough to be read as one '.repeat(200));
    const other = new ReportRunner({ cacheFile: broken, processes: 1, launcher });
    try {
      const error = await rejection(other.run({ runId: 'x', sql: 'SELECT 1', values: {} }));
      expect(error).toMatchObject({ code: 'REPORTING_CACHE_EMPTY', message: expect.stringContaining(broken) as unknown, hint: expect.stringMatching(/Sync/) as unknown });
    } finally {
      other.close();
    }
  });
});

describe("Electron's utilityProcess", () => {
  it('is asked for a named service without stdin, stopped with kill(), and none is left running', async () => {
    const calls = utility.fork.mock.calls;
    expect(calls.length).toBeGreaterThan(0);
    const [modulePath, args, options] = calls[0]!;
    expect(modulePath).toMatch(/runner-process\.(ts|js)$/);
    expect(args).toEqual([cacheFile]);
    expect(options).toMatchObject({ stdio: ['ignore', 'ignore', 'pipe'], serviceName: 'Backline reports' });
    // The runaway and the cancelled report were each stopped by kill(), which Electron sends as SIGTERM.
    expect(utility.forked.filter((p) => p.killSignals.length > 0).length).toBeGreaterThanOrEqual(2);
    // Including the one that could not open its cache, and those the runner closed.
    await vi.waitFor(() => expect(utility.forked.map((p) => p.pid)).toEqual(utility.forked.map(() => undefined)), { timeout: 5000 });
  });
});
