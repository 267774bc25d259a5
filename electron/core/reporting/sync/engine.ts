import pg from 'pg';
import type { SourceConfig, SyncConfig, TableConfig } from './config.js';
import { SyncError, sourceError } from './errors.js';
import { copyChunks, cursorChunks, type Chunk, type ReadQuery, type ReaderKind } from './readers.js';
import { cacheTypes } from './values.js';
import type { CacheSink, Position } from './writer.js';

export interface SyncProgress {
  source: string;
  table: string;
  /** Rows committed to the cache for this table in this run. */
  rows: number;
  /** Rows this run expects for this table (counted before reading), if known. */
  expected: number | null;
  /** Rows per second over this run, all tables. */
  rate: number;
  /** Seconds left for this table at the current rate, if known. */
  etaSeconds: number | null;
}

export interface SyncOptions {
  /** Full: start every table from the beginning (rows are upserted, so nothing doubles). Default: incremental. */
  full?: boolean;
  /** Rows per SQLite transaction. */
  batchSize?: number;
  /** Rows per round trip to PostgreSQL. */
  fetchSize?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Count the rows to come first, for an ETA (one extra query per table). Default true. */
  countFirst?: boolean;
  clock?: () => Date;
  /** How rows are read from PostgreSQL; default 'cursor'. */
  reader?: ReaderKind;
}

export interface SyncResult {
  sources: { source: string; tables: { table: string; rows: number }[] }[];
  rows: number;
  ms: number;
}

const quote = (name: string) => `"${name}"`;

/** The source's query wrapped in keyset pagination over (watermark, ...key). */
export function keysetQuery(table: TableConfig, position: Position | null, literal?: (value: unknown) => string): { text: string; values: unknown[] } {
  const order = [table.watermark, ...table.key.filter((k) => k !== table.watermark)];
  const columns = order.map((c) => `q.${quote(c)}`);
  const bound = position ? order.map((_, i) => (literal ? literal(position[i]) : `$${i + 1}`)) : [];
  const where = position ? `WHERE (${columns.join(', ')}) > (${bound.join(', ')})` : '';
  return {
    text: `SELECT * FROM (${table.query}) AS q ${where} ORDER BY ${columns.join(', ')}`,
    values: position && !literal ? [...position] : [],
  };
}

/** A watermark or key value written as an SQL literal, for COPY (which takes no parameters). */
function sqlLiteral(client: pg.Client, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return client.escapeLiteral(value);
  if (value === null || value === undefined) return 'NULL';
  throw new SyncError('CONFIG_INVALID', `A watermark value of type ${typeof value} cannot be resumed from; use a timestamp, number or text watermark.`);
}

/**
 * Copies every configured table of every source into the cache, in batches. Each batch and the
 * position after its last row commit together, so a crash, a cancel or a lost connection leaves the
 * cache at the last committed batch, and the next run continues from there with no gap and no repeat.
 * Sources are synced one after another; a failing source stops the run with a SyncError.
 */
export async function syncAll(config: SyncConfig, sink: CacheSink, options: SyncOptions = {}): Promise<SyncResult> {
  const started = performance.now();
  const result: SyncResult = { sources: [], rows: 0, ms: 0 };
  const counter = { rows: 0, started };
  for (const source of config.sources) {
    result.sources.push(await syncSource(source, sink, options, counter));
  }
  result.rows = counter.rows;
  result.ms = Math.round(performance.now() - started);
  return result;
}

async function syncSource(
  source: SourceConfig,
  sink: CacheSink,
  options: SyncOptions,
  counter: { rows: number; started: number },
): Promise<SyncResult['sources'][number]> {
  const now = () => (options.clock?.() ?? new Date()).toISOString();
  const states = await sink.request({ kind: 'begin', source: source.name, tables: source.tables.map((t) => t.name), full: options.full ?? false, at: now() });
  const client = new pg.Client({ connectionString: source.url, types: cacheTypes, application_name: `backline-sync:${source.name}`, options: '-c TimeZone=UTC' });
  let lost: unknown = null;
  client.on('error', (error) => (lost = error)); // a terminated backend: surfaced by the pending read
  const done: { table: string; rows: number }[] = [];
  let current: string | undefined;
  try {
    try {
      await client.connect();
    } catch (error) {
      throw sourceError(error, source.name, undefined, 'connect');
    }
    for (const table of source.tables) {
      current = table.name;
      const rows = await syncTable(client, source, table, states[table.name]?.position ?? null, sink, options, counter, now);
      done.push({ table: table.name, rows });
    }
    await sink.request({ kind: 'finish', source: source.name, at: now(), error: null });
    return { source: source.name, tables: done };
  } catch (error) {
    const typed = error instanceof SyncError ? error : sourceError(lost ?? error, source.name, current, 'read');
    await sink.request({ kind: 'finish', source: source.name, at: now(), error: { code: typed.code, message: typed.message } }).catch(() => undefined);
    throw typed;
  } finally {
    await client.end().catch(() => undefined);
  }
}

function throwIfCancelled(signal: AbortSignal | undefined, source: string, table: string): void {
  if (signal?.aborted) {
    throw new SyncError('SYNC_CANCELLED', `Sync cancelled during table "${table}" of source "${source}". The cache keeps every batch committed so far; the next sync continues from there.`, { source, table });
  }
}

async function syncTable(
  client: pg.Client,
  source: SourceConfig,
  table: TableConfig,
  start: Position | null,
  sink: CacheSink,
  options: SyncOptions,
  counter: { rows: number; started: number },
  now: () => string,
): Promise<number> {
  const batchSize = options.batchSize ?? 50_000;
  const fetchSize = Math.min(options.fetchSize ?? 10_000, batchSize);
  const query = keysetQuery(table, start);
  throwIfCancelled(options.signal, source.name, table.name);

  let expected: number | null = null;
  if (options.countFirst ?? true) {
    try {
      const counted = await client.query<{ n: number }>({ text: `SELECT count(*) AS n FROM (${query.text}) AS c`, values: query.values });
      expected = Number(counted.rows[0]?.n ?? 0);
    } catch (error) {
      throw sourceError(error, source.name, table.name, 'read');
    }
  }

  const readQuery: ReadQuery = { ...query, literalText: keysetQuery(table, start, (v) => sqlLiteral(client, v)).text };
  const chunks = options.reader === 'copy' ? copyChunks(client, readQuery, fetchSize) : cursorChunks(client, readQuery, fetchSize);
  let positionIndexes: number[] = [];
  let timeIndex = -1;
  let batch: unknown[][] = [];
  let tableRows = 0;
  // One write in flight while the next batch is read: with a worker-backed sink, reading and writing overlap.
  let pending: Promise<unknown> = Promise.resolve();

  /** Commits up to batchSize rows from the front of `batch`. */
  const flush = async () => {
    if (batch.length === 0) return;
    const rows = batch.length > batchSize ? batch.slice(0, batchSize) : batch;
    batch = batch.length > batchSize ? batch.slice(batchSize) : [];
    const last = rows[rows.length - 1] ?? [];
    const position = positionIndexes.map((i) => last[i]);
    let newestAt: string | null = null;
    if (timeIndex >= 0) {
      for (const row of rows) {
        const value = row[timeIndex];
        if (typeof value === 'string' && (newestAt === null || value > newestAt)) newestAt = value;
      }
    }
    await pending;
    const committed = () => {
      tableRows += rows.length;
      counter.rows += rows.length;
      const seconds = (performance.now() - counter.started) / 1000;
      const rate = seconds > 0 ? counter.rows / seconds : 0;
      options.onProgress?.({
        source: source.name,
        table: table.name,
        rows: tableRows,
        expected,
        rate: Math.round(rate),
        etaSeconds: expected !== null && rate > 0 ? Math.max(0, (expected - tableRows) / rate) : null,
      });
    };
    const failed = (error: unknown): never => {
      if (error instanceof SyncError) throw error;
      const text = error instanceof Error ? error.message : String(error);
      throw new SyncError(
        'CACHE_WRITE_FAILED',
        `Writing "${table.name}" of source "${source.name}" into the reporting cache failed: ${text}. The cache keeps every batch committed before it.`,
        { source: source.name, table: table.name },
        { cause: error },
      );
    };
    pending = sink.request({ kind: 'batch', source: source.name, table: table.name, rows, position, newestAt, at: now() }).then(committed, failed);
    pending.catch(() => undefined); // awaited below
  };

  try {
    let announced = false;
    for (;;) {
      throwIfCancelled(options.signal, source.name, table.name);
      let chunk: Chunk;
      try {
        const next = await chunks.next();
        chunk = next.done ? { rows: [], fields: [] } : next.value;
      } catch (error) {
        throw sourceError(error, source.name, table.name, 'read');
      }
      if (!announced) {
        announced = true;
        const fields = chunk.fields;
        const order = [table.watermark, ...table.key.filter((k) => k !== table.watermark)];
        const missing = order.filter((c) => !fields.includes(c));
        if (missing.length > 0) {
          throw new SyncError('CONFIG_INVALID', `The query for "${table.name}" of source "${source.name}" does not return its watermark/key columns: ${missing.join(', ')}.`, { source: source.name, table: table.name });
        }
        positionIndexes = order.map((c) => fields.indexOf(c));
        timeIndex = table.timeColumn ? fields.indexOf(table.timeColumn) : -1;
        await sink.request({ kind: 'columns', source: source.name, table: table.name, columns: fields });
      }
      if (chunk.rows.length === 0) break;
      for (const row of chunk.rows) batch.push(row);
      while (batch.length >= batchSize) await flush();
    }
    throwIfCancelled(options.signal, source.name, table.name);
    while (batch.length > 0) await flush();
    await pending;
    return tableRows;
  } finally {
    await pending.catch(() => undefined);
    await chunks.return(undefined).catch(() => undefined);
  }
}
