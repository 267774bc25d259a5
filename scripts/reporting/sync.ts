/**
 * Syncs the reporting sources into a reporting.sqlite cache, printing progress as JSON lines.
 *
 *   npx tsx scripts/reporting/sync.ts --cache /tmp/reporting.sqlite [--config sources.json] [--full] [--batch 50000] [--worker] [--reader cursor|copy]
 *
 * Without --reader, tables read from their beginning come through COPY, the rest through a cursor.
 * Without --config it syncs the shipped schema from the test server's databases
 * (backline_reporting and backline_reporting_archive, see scripts/reporting/generate.ts).
 * Ctrl-C cancels cleanly: the cache keeps every committed batch and the next run continues.
 */
import { parseArgs } from 'node:util';
import { openWritableCache } from '../../electron/core/reporting/cache/database.js';
import { loadSyncConfig } from '../../electron/core/reporting/sync/config.js';
import { syncAll } from '../../electron/core/reporting/sync/engine.js';
import { SyncError } from '../../electron/core/reporting/sync/errors.js';
import { standardConfig } from '../../electron/core/reporting/sync/standard-sources.js';
import { InProcessSink } from '../../electron/core/reporting/sync/writer.js';
import { WorkerSink } from '../../electron/core/reporting/sync/worker-sink.js';

const { values } = parseArgs({
  options: {
    cache: { type: 'string' },
    config: { type: 'string' },
    full: { type: 'boolean', default: false },
    batch: { type: 'string', default: '50000' },
    quiet: { type: 'boolean', default: false },
    worker: { type: 'boolean', default: false },
    reader: { type: 'string' },
  },
});
if (!values.cache) throw new Error('--cache FILE is required');

const server = process.env.BACKLINE_PG_URL ?? 'postgres://postgres@127.0.0.1:55432/postgres';
const dbUrl = (name: string) => Object.assign(new URL(server), { pathname: `/${name}` }).toString();
const config = values.config ? loadSyncConfig(values.config) : standardConfig(dbUrl('backline_reporting'), dbUrl('backline_reporting_archive'));

const db = openWritableCache(values.cache);
const sink = values.worker ? (db.close(), new WorkerSink(values.cache)) : new InProcessSink(db);
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
try {
  const result = await syncAll(config, sink, {
    full: values.full,
    batchSize: Number(values.batch),
    ...(values.reader === 'copy' || values.reader === 'cursor' ? { reader: values.reader } : {}),
    signal: controller.signal,
    onProgress: (p) => {
      if (!values.quiet) console.log(JSON.stringify({ event: 'progress', ...p }));
    },
  });
  console.log(JSON.stringify({ event: 'done', rows: result.rows, ms: result.ms, rowsPerSecond: Math.round(result.rows / (result.ms / 1000)) }));
} catch (error) {
  if (error instanceof SyncError) {
    console.error(JSON.stringify({ event: 'error', code: error.code, message: error.message }));
    process.exitCode = 1;
  } else throw error;
} finally {
  await sink.close();
  if (db.open) db.close();
}
