/**
 * Latency of the shipped reports on a synced cache at size (1M tickets, ~5M comments): each one
 * through the ReportRunner (so including the hop to the report process and back) and directly on a
 * read-only connection in this process, as the median of --runs runs after one warm-up, against
 * the targets (time travel < 100 ms, reflection < 50 ms). A script that prints figures, not a test:
 * the machine is shared and noisy.
 *
 *   npx tsx scripts/reporting/bench-reports.ts [--cache /var/tmp/backline-bench/sync-inprocess.sqlite] [--runs 15]
 */
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { ReportArgs } from '../../shared/domain/report.js';
import { openReadableCache } from '../../electron/core/reporting/cache/database.js';
import { ReportLibrary } from '../../electron/core/reporting/reports/library.js';
import { bindArgs } from '../../electron/core/reporting/reports/params.js';
import { ReportRunner } from '../../electron/core/reporting/reports/runner.js';
import { runReport } from '../../electron/core/reporting/reports/statement.js';

const { values } = parseArgs({
  options: {
    cache: { type: 'string', default: '/var/tmp/backline-bench/sync-inprocess.sqlite' },
    runs: { type: 'string', default: '15' },
  },
});
const cacheFile = values.cache;
const runs = Math.max(1, Number(values.runs));

if (!existsSync(cacheFile)) {
  console.log(`No synced cache at ${cacheFile}. Make one (1M tickets; a few minutes) with:
  npm run pg:up
  npm run reporting:generate -- --tickets 1000000
  npx tsx scripts/reporting/bench-sync.ts --skip-worker --skip-shell     # writes /var/tmp/backline-bench/sync-inprocess.sqlite
(npm run bench:reporting does all three, plus the other sync benchmarks), or pass --cache FILE.`);
  process.exit(1);
}

const db = openReadableCache(cacheFile);
const size = db.prepare('SELECT (SELECT count(*) FROM tickets) AS tickets, (SELECT count(*) FROM comments) AS comments').get() as { tickets: number; comments: number };
// Moments and names from the data itself, so the script fits any generated size.
const range = db.prepare('SELECT min(created_at) AS first, max(created_at) AS last FROM tickets').get() as { first: string | null; last: string | null };
if (!range.first || !range.last) {
  console.log(`The cache at ${cacheFile} has no tickets: sync it first.`);
  process.exit(1);
}
const dayAt = (fraction: number) => {
  const first = Date.parse(range.first ?? ''), last = Date.parse(range.last ?? '');
  return new Date(first + (last - first) * fraction).toISOString().slice(0, 10);
};
const plusDays = (day: string, n: number) => new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
const busiest = db.prepare('SELECT t.login FROM techs t ORDER BY (SELECT count(*) FROM comments c WHERE c.tech_id = t.id AND c.at >= ?) DESC LIMIT 1').get(dayAt(0.9)) as { login: string } | undefined;
const team = db.prepare('SELECT name FROM team_names ORDER BY valid_from, id LIMIT 1').get() as { name: string } | undefined;
const cert = db.prepare('SELECT order_number FROM ssl_certificates WHERE id >= (SELECT max(id) / 2 FROM ssl_certificates) LIMIT 1').get() as { order_number: string } | undefined;

const from = dayAt(0.5);
const to = plusDays(from, 89);
interface Case {
  label: string;
  report: string;
  args: ReportArgs;
  targetMs: number | null;
}
const cases: Case[] = [
  ...[0.3, 0.6, 0.99].map((f) => ({ label: `queue-at ${dayAt(f)} 12:00`, report: 'queue-at', args: { at: `${dayAt(f)} 12:00` }, targetMs: 100 })),
  { label: `tech-reflection, ${busiest?.login ?? 'tech1'}, 90 days`, report: 'tech-reflection', args: { tech: busiest?.login ?? 'tech1', from, to }, targetMs: 50 },
  { label: `tech-reflection, team "${team?.name ?? 'Team X'}", 90 days`, report: 'tech-reflection', args: { team: team?.name ?? 'Team X', from, to }, targetMs: 50 },
  { label: 'queue-over-time, every team, 90 days', report: 'queue-over-time', args: { from, to }, targetMs: 1000 },
  { label: `ssl-lookup ${cert?.order_number ?? 'ORD-1'}`, report: 'ssl-lookup', args: { q: cert?.order_number ?? 'ORD-1' }, targetMs: null },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
async function time(fn: () => unknown): Promise<number> {
  await fn(); // warm-up: page cache and prepared plan
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await fn();
    samples.push(performance.now() - started);
  }
  return median(samples);
}

const library = new ReportLibrary({ savedDir: join(tmpdir(), 'backline-bench-reports-unused') });
const runner = new ReportRunner({ cacheFile, processes: 1, defaultTimeoutMs: 120_000 });
let runId = 0;
console.log(`Reports on ${cacheFile}: ${size.tickets} tickets, ${size.comments} comments; median of ${runs} runs after one warm-up.`);
const verdict = (ms: number, target: number | null) => (target === null ? '' : ms < target ? 'met' : 'NOT met');
const rows: string[][] = [['report', 'runner ms', 'direct ms', 'target', 'runner', 'direct', 'rows']];
try {
  for (const c of cases) {
    const definition = library.get(c.report);
    const bound = bindArgs(definition.params, c.args);
    let rowCount = 0;
    const viaRunner = await time(async () => {
      rowCount = (await runner.run({ runId: `bench-${++runId}`, sql: definition.sql, values: bound })).rows.length;
    });
    const direct = await time(() => runReport(db, definition.sql, bound, { maxRows: 200_000, maxBytes: 64 * 1024 * 1024, maxCellBytes: 256 * 1024 }));
    rows.push([c.label, viaRunner.toFixed(1), direct.toFixed(1), c.targetMs === null ? '-' : `< ${c.targetMs}`, verdict(viaRunner, c.targetMs), verdict(direct, c.targetMs), String(rowCount)]);
  }
} finally {
  runner.close();
  db.close();
}
const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
for (const r of rows) console.log(r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0))).join('  '));
