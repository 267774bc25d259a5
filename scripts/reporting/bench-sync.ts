/**
 * Sync throughput at size: a full sync of the generated source (scripts/reporting/generate.ts,
 * e.g. --tickets 1000000) into a fresh reporting.sqlite, in-process and with the writer on a worker
 * thread, against a bare better-sqlite3 loop inserting the same rows into the same schema and
 * indexes, in the order the sync writes them (rows preloaded in memory 200k at a time; only the
 * inserts are timed; 50k rows per transaction), and against psql COPY piped into sqlite3's
 * .import. The sync's time is all of it: reading PostgreSQL, its bookkeeping, pruning (the shipped
 * config's), and the ticket_spans rebuild, none of which the bare loop does. Then, on the synced
 * cache: an incremental sync after 1% of the tickets changed (touched tickets, a status event each,
 * new comments for 1% of the comments; the worker-thread writer, as the app syncs), the shipped
 * queue-at report at three moments, time travel and reflection latency. The rows the incremental
 * step adds to the source are deleted again afterwards.
 *
 *   npx tsx scripts/reporting/bench-sync.ts [--dir /var/tmp/backline-bench] [--skip-inprocess] [--skip-worker] [--skip-shell] [--skip-bare]
 *       [--reader copy|cursor] [--prune-all] [--main-db backline_reporting] [--archive-db backline_reporting_archive]
 *       [--json FILE] [--compare FILE] [--reuse FILE] [--pipeline-depth N]
 *
 * --json writes the figures of this run; --compare reads another run's and prints how each figure
 * grew against how the rows grew (e.g. 1M tickets against 5M).
 */
import { execSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openReadableCache, openWritableCache } from '../../electron/core/reporting/cache/database.js';
import { ACTIVE_AT_PER_TEAM_SQL } from '../../electron/core/reporting/cache/spans.js';
import { syncAll, type SyncPhases } from '../../electron/core/reporting/sync/engine.js';
import { standardConfig } from '../../electron/core/reporting/sync/standard-sources.js';
import { WorkerSink } from '../../electron/core/reporting/sync/worker-sink.js';
import { InProcessSink, type CacheSink, type WriterTimings } from '../../electron/core/reporting/sync/writer.js';
import { ReportLibrary } from '../../electron/core/reporting/reports/library.js';
import { bindArgs } from '../../electron/core/reporting/reports/params.js';
import { runReport } from '../../electron/core/reporting/reports/statement.js';
import pg from 'pg';

const { values } = parseArgs({
  options: {
    dir: { type: 'string', default: '/var/tmp/backline-bench' },
    'skip-inprocess': { type: 'boolean', default: false },
    'skip-worker': { type: 'boolean', default: false },
    'skip-shell': { type: 'boolean', default: false },
    'skip-bare': { type: 'boolean', default: false },
    reader: { type: 'string', default: 'copy' },
    'prune-all': { type: 'boolean', default: false },
    'main-db': { type: 'string', default: 'backline_reporting' },
    'archive-db': { type: 'string', default: 'backline_reporting_archive' },
    json: { type: 'string' },
    compare: { type: 'string' },
    reuse: { type: 'string' },
    'pipeline-depth': { type: 'string' },
  },
});
const server = process.env.BACKLINE_PG_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres';
const dbUrl = (name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();
const shipped = standardConfig(dbUrl(values['main-db']), dbUrl(values['archive-db']));
// --prune-all: also prune the two histories (status events, comments), to see what that costs.
const config = values['prune-all'] ? { sources: shipped.sources.map((s) => ({ ...s, tables: s.tables.map((t) => ({ ...t, prune: true })) })) } : shipped;
const fresh = (name: string) => {
  const file = join(values.dir, name);
  for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
  return file;
};

async function timedSync(label: string, file: string, sink: () => CacheSink): Promise<{ rows: number; rate: number; writerCpuMs: number | null; spansCpuMs: number | null }> {
  const s = sink();
  const cpu = process.cpuUsage();
  const depth = values['pipeline-depth'] ? { pipelineDepth: Number(values['pipeline-depth']) } : {};
  const result = await syncAll(config, s, { full: true, countFirst: false, reader: values.reader === 'cursor' ? 'cursor' : 'copy', ...depth });
  const writerTimes = await s.request({ kind: 'timings' });
  await s.close();
  const rate = result.rows / (result.ms / 1000);
  // CPU time of this process (all its threads; not PostgreSQL's): steadier than wall time on a busy machine.
  const used = process.cpuUsage(cpu);
  const cpuSeconds = (used.user + used.system) / 1e6;
  console.log(`${label} (${values.reader} reader): ${result.rows} rows in ${(result.ms / 1000).toFixed(1)} s = ${Math.round(rate)} rows/s, ${cpuSeconds.toFixed(1)} s of CPU here (${file})`);
  printPhases(result.phases, writerTimes);
  return { rows: result.rows, rate, writerCpuMs: writerTimes.threadCpuMs, spansCpuMs: writerTimes.deriveCpuMs };
}

/** Where a sync's time went: the reading side's wall time by what it waited on, and the writer's own busy time. */
function printPhases(phases: SyncPhases, writer: WriterTimings): void {
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  console.log(
    `  reading side: PostgreSQL read + encode ${s(phases.readMs)}, waiting on the writer's previous batch ${s(phases.writeWaitMs)}, ` +
      `end of table (indexes, prune) ${s(phases.tableDoneMs)}, spans rebuild ${s(phases.deriveMs)}`,
  );
  console.log(
    `  writer: batch transactions ${s(writer.batchMs)}, per-batch spans ${s(writer.batchSpansMs)}, index builds ${s(writer.indexMs)}, ` +
      `prune ${s(writer.pruneMs)}, spans rebuild ${s(writer.deriveMs)}` +
      (writer.threadCpuMs !== null
        ? `; CPU of the writer's thread ${s(writer.threadCpuMs)} (index builds ${s(writer.indexCpuMs ?? 0)}, spans rebuild ${s(writer.deriveCpuMs ?? 0)})`
        : ''),
  );
  const tables = Object.entries(writer.batchMsByTable).sort((a, b) => b[1] - a[1]);
  console.log(`  writer's batch transactions by table: ${tables.map(([table, ms]) => `${table} ${s(ms)}`).join(', ')}`);
}

const figures: Record<string, number> = {};
let syncedFile: string | undefined;
if (!values['skip-inprocess']) {
  const file = fresh('sync-inprocess.sqlite');
  const db = openWritableCache(file);
  const synced = await timedSync('sync, in-process writer', file, () => new InProcessSink(db));
  figures.inProcess = synced.rate;
  figures.rows = synced.rows;
  db.close();
  syncedFile = file;
}
if (!values['skip-worker']) {
  const file = fresh('sync-worker.sqlite');
  openWritableCache(file).close();
  const synced = await timedSync('sync, worker-thread writer', file, () => new WorkerSink(file));
  figures.worker = synced.rate;
  figures.rows = synced.rows;
  if (synced.writerCpuMs !== null) figures.workerWriterCpuMs = synced.writerCpuMs;
  if (synced.spansCpuMs !== null) figures.workerSpansCpuMs = synced.spansCpuMs;
  syncedFile = file;
}
// --reuse FILE: no full sync; the incremental and report steps run on a cache an earlier run synced.
if (!syncedFile && values.reuse) syncedFile = values.reuse;
if (!syncedFile) throw new Error('nothing synced to take the rows from (or give --reuse FILE)');

// Incremental: 1% of the tickets touched (updated_at moves), one status event each, and new
// comments as many as 1% of the comments, synced into the cache just made, as the app does it.
{
  const main = new pg.Client({ connectionString: dbUrl(values['main-db']) });
  await main.connect();
  try {
    const [maxEvent, maxComment] = (await main.query<{ e: string; c: string }>('SELECT (SELECT max(id) FROM ticket_status_events) AS e, (SELECT max(id) FROM comments) AS c')).rows.map((r) => [r.e, r.c])[0] ?? [];
    const touched = (await main.query("UPDATE tickets SET subject = subject WHERE id % 100 = 0")).rowCount ?? 0;
    const events = (await main.query("INSERT INTO ticket_status_events (ticket_id, status, at, source) SELECT id, 'escalated', now(), 'web' FROM tickets WHERE id % 100 = 0")).rowCount ?? 0;
    const comments = (await main.query("INSERT INTO comments (ticket_id, tech_id, at, points, body) SELECT ticket_id, tech_id, now(), points, body FROM comments WHERE id % 100 = 0")).rowCount ?? 0;
    try {
      const sink = new WorkerSink(syncedFile);
      const started = performance.now();
      const cpu = process.cpuUsage();
      const result = await syncAll(config, sink, {});
      const ms = performance.now() - started;
      const used = process.cpuUsage(cpu);
      const writerTimes = await sink.request({ kind: 'timings' });
      await sink.close();
      figures.incrementalMs = ms;
      figures.incrementalCpuMs = (used.user + used.system) / 1000;
      console.log(
        `incremental sync, 1% changed (${touched} tickets touched, ${events} status events, ${comments} comments): ${result.rows} rows in ${(ms / 1000).toFixed(2)} s, ` +
          `${(figures.incrementalCpuMs / 1000).toFixed(2)} s of CPU here (worker-thread writer, counting first)`,
      );
      printPhases(result.phases, writerTimes);
    } finally {
      await main.query('DELETE FROM ticket_status_events WHERE id > $1', [maxEvent]);
      await main.query('DELETE FROM comments WHERE id > $1', [maxComment]);
    }
  } finally {
    await main.end();
  }
}

// Report latencies on the synced cache (read-only connection, warm): the indexes the reports rely on.
{
  const db = openReadableCache(syncedFile);
  const median = (fn: () => unknown) => {
    const times: number[] = [];
    for (let i = 0; i < 15; i++) {
      const started = performance.now();
      fn();
      times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[7]?.toFixed(1);
  };
  const activeAt = db.prepare(ACTIVE_AT_PER_TEAM_SQL);
  for (const at of ['2023-02-14T10:00:00.000000Z', '2024-01-09T15:30:00.000000Z', '2026-11-17T09:00:00.000000Z']) {
    console.log(`time travel, active tickets per team at ${at}: ${median(() => activeAt.all({ at }))} ms (median of 15)`);
  }
  const reflection = db.prepare(`
    SELECT substr(at, 1, 10) AS day, count(DISTINCT ticket_id) AS tickets, count(*) AS comments, sum(points) AS points,
           avg(points = 0.5) AS half_point_share
    FROM comments WHERE tech_id = $tech AND at >= $from AND at < $to GROUP BY day ORDER BY day`);
  console.log(`reflection, one tech, 90 days per day: ${median(() => reflection.all({ tech: 17, from: '2026-08-20T00:00:00Z', to: '2026-11-18T00:00:00Z' }))} ms (median of 15)`);
  // The shipped queue-at report, as the report process runs it (without the hop to that process).
  const library = new ReportLibrary({ savedDir: join(tmpdir(), 'backline-bench-reports-unused') });
  const queueAt = library.get('queue-at');
  let worst = 0;
  let worstCpu = 0;
  for (const at of ['2023-02-14 10:00', '2024-01-09 15:30', '2026-11-17 09:00']) {
    const bound = bindArgs(queueAt.params, { at });
    const cpu = process.cpuUsage();
    const ms = Number(median(() => runReport(db, queueAt.sql, bound, { maxRows: 200_000, maxBytes: 64 * 1024 * 1024, maxCellBytes: 256 * 1024 })));
    const used = process.cpuUsage(cpu);
    const cpuMs = (used.user + used.system) / 1000 / 15;
    worst = Math.max(worst, ms);
    worstCpu = Math.max(worstCpu, cpuMs);
    console.log(`queue-at report at ${at}: ${ms.toFixed(1)} ms (median of 15), ${cpuMs.toFixed(1)} ms of CPU per run (mean)`);
  }
  figures.queueAtMs = worst;
  figures.queueAtCpuMs = worstCpu;
  figures.tickets = db.prepare('SELECT count(*) FROM tickets').pluck().get() as number;
  db.close();
}

// The peers come after the steps on the synced cache: at 5M tickets the bare loop writes 5 GB, which
// pushed the cache just synced out of the page cache, and the incremental sync after it read its
// pages from disk (15.2 s; a later one on the warm cache took 5.5 s), which at 1M, where everything
// fits in memory, never happens.
// The bare loop: the same rows in the order the sync writes them (each source's tables in turn,
// ordered by watermark then key), the same schema and indexes, plain INSERTs in 50k-row transactions.
let total = 0;
if (!values['skip-bare']) {
  const from = openReadableCache(syncedFile);
  const to = openWritableCache(fresh('bare-loop.sqlite'));
  let insertMs = 0;
  let insertCpu = 0;
  for (const source of config.sources) {
    for (const table of source.tables) {
      const names = from.prepare(`SELECT name FROM pragma_table_info('${table.name}')`).pluck().all() as string[];
      const columns = names.map((c) => `"${c}"`);
      const origin = names.includes('origin');
      const insert = to.prepare(`INSERT INTO ${table.name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
      const insertMany = to.transaction((rows: unknown[][]) => {
        for (const row of rows) insert.run(...row);
      });
      const order = [table.watermark, ...table.key.filter((k) => k !== table.watermark)].map((c) => `"${c}"`).join(', ');
      const read = from.prepare(`SELECT ${columns.join(', ')} FROM ${table.name}${origin ? ' WHERE origin = ?' : ''} ORDER BY ${order}`).raw();
      let chunk: unknown[][] = [];
      const flush = () => {
        const started = performance.now();
        const cpu = process.cpuUsage();
        for (let i = 0; i < chunk.length; i += 50_000) insertMany(chunk.slice(i, i + 50_000));
        insertMs += performance.now() - started;
        const used = process.cpuUsage(cpu);
        insertCpu += (used.user + used.system) / 1e6;
        total += chunk.length;
        chunk = [];
      };
      for (const row of (origin ? read.iterate(source.name) : read.iterate()) as IterableIterator<unknown[]>) {
        chunk.push(row);
        if (chunk.length >= 200_000) flush();
      }
      flush();
    }
  }
  from.close();
  to.close();
  figures.bare = total / (insertMs / 1000);
  figures.bareCpuMs = insertCpu * 1000;
  console.log(`bare better-sqlite3 insert loop: ${total} rows in ${(insertMs / 1000).toFixed(1)} s = ${Math.round(figures.bare)} rows/s, ${insertCpu.toFixed(1)} s of CPU`);
}
// The shell baseline: psql COPY ... TO STDOUT (CSV) piped into sqlite3's .import, same tables and schema.
if (!values['skip-shell']) {
  const file = fresh('shell-import.sqlite');
  openWritableCache(file).close();
  const started = performance.now();
  for (const source of config.sources) {
    for (const table of source.tables) {
      const columns = table.query.replace(/^SELECT (.*) FROM .*$/s, '$1');
      const origin = table.name === 'ticket_status_events' ? `, '${source.name}' AS origin` : '';
      const target = table.name === 'ticket_status_events' ? 'events_import' : table.name;
      const copy = `COPY (SELECT ${columns}${origin} FROM ${table.name}) TO STDOUT WITH (FORMAT csv)`;
      // Status events go through a plain view-less staging table so the column order matches.
      const pre = table.name === 'ticket_status_events'
        ? `-cmd "CREATE TEMP TABLE events_import (id, ticket_id, status, at, source, origin)"`
        : '';
      const post = table.name === 'ticket_status_events'
        ? `"INSERT INTO ticket_status_events (id, ticket_id, status, at, source, origin) SELECT * FROM events_import"`
        : '';
      execSync(`psql "${source.url}" -X -q -c "${copy.replace(/"/g, '\\"')}" | sqlite3 ${pre} -cmd ".mode csv" "${file}" ".import /dev/stdin ${target}" ${post}`, {
        env: { ...process.env, PGTZ: 'UTC' },
        stdio: ['ignore', 'ignore', 'inherit'],
        shell: '/bin/bash',
      });
    }
  }
  const ms = performance.now() - started;
  const check = openReadableCache(file);
  const tables = [...new Set(config.sources.flatMap((s) => s.tables.map((t) => t.name)))];
  const rows = tables.reduce((sum, t) => sum + (check.prepare(`SELECT count(*) FROM ${t}`).pluck().get() as number), 0);
  check.close();
  figures.shell = rows / (ms / 1000);
  console.log(`psql COPY | sqlite3 .import: ${rows} rows in ${(ms / 1000).toFixed(1)} s = ${Math.round(figures.shell)} rows/s`);
}
for (const key of ['inProcess', 'worker', 'shell'] as const) {
  const rate = figures[key];
  if (rate !== undefined && figures.bare !== undefined) console.log(`  ${key}: ${((rate / figures.bare) * 100).toFixed(0)}% of the bare loop`);
}
// On a shared machine wall times swing with other work: the writer thread's CPU against the bare
// loop's for the same rows is the steadier measure of how close the writing comes to SQLite's limit.
if (figures.workerWriterCpuMs !== undefined && figures.bareCpuMs !== undefined) {
  console.log(
    `  worker, by CPU: the writer thread ${(figures.workerWriterCpuMs / 1000).toFixed(1)} s, the bare loop ${(figures.bareCpuMs / 1000).toFixed(1)} s = ${((figures.bareCpuMs / figures.workerWriterCpuMs) * 100).toFixed(0)}% of the bare loop's rate per CPU second`,
  );
  // The bare loop derives nothing: the spans rebuild is work it does not do.
  const spans = figures.workerSpansCpuMs;
  if (spans !== undefined) {
    console.log(`  worker, by CPU without the spans rebuild (${(spans / 1000).toFixed(1)} s): ${((figures.bareCpuMs / (figures.workerWriterCpuMs - spans)) * 100).toFixed(0)}% of the bare loop's`);
  }
}
if (figures.shell !== undefined) {
  for (const key of ['inProcess', 'worker'] as const) {
    const rate = figures[key];
    if (rate !== undefined) console.log(`  ${key}: ${(rate / figures.shell).toFixed(2)}x the psql | sqlite3 pipeline`);
  }
}
if (values.json) writeFileSync(values.json, `${JSON.stringify(figures, null, 2)}\n`);
if (values.compare) {
  // Growth: rates should stay flat (linear time); latencies flat or growing less than the rows.
  const before = JSON.parse(readFileSync(values.compare, 'utf8')) as Record<string, number>;
  const grew = (a: number | undefined, b: number | undefined) => (a && b ? `${(b / a).toFixed(2)}x` : '-');
  console.log(`growth from ${values.compare} (${before.tickets} tickets, ${before.rows} rows) to this run (${figures.tickets} tickets, ${figures.rows} rows): rows ${grew(before.rows, figures.rows)}`);
  const labels: Record<string, string> = {
    inProcess: 'sync rate, in-process (rows/s)',
    worker: 'sync rate, worker (rows/s)',
    bare: 'bare loop rate (rows/s)',
    shell: 'psql | sqlite3 rate (rows/s)',
    incrementalMs: 'incremental 1% (ms)',
    incrementalCpuMs: 'incremental 1%, CPU here (ms)',
    workerWriterCpuMs: 'full sync, writer thread CPU (ms)',
    bareCpuMs: 'bare loop CPU (ms)',
    queueAtMs: 'queue-at, slowest moment (ms)',
    queueAtCpuMs: 'queue-at, slowest moment, CPU (ms)',
  };
  for (const [key, label] of Object.entries(labels)) {
    if (figures[key] !== undefined && before[key] !== undefined) console.log(`  ${label}: ${Math.round(before[key])} -> ${Math.round(figures[key])} = ${grew(before[key], figures[key])}`);
  }
  // SQLite's own loop need not stay linear either (its live indexes outgrow its page cache): the sync
  // against the bare loop at both sizes says what is the sync's own.
  const share = (f: Record<string, number>) => (f.worker && f.bare ? `${((f.worker / f.bare) * 100).toFixed(0)}%` : '-');
  console.log(`  sync (worker) as a share of the bare loop's rate: ${share(before)} -> ${share(figures)}`);
}
