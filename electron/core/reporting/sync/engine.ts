import pg from 'pg';
import type { SourceConfig, SyncConfig, TableConfig } from './config.js';
import { SyncError, sourceError } from './errors.js';
import { JsonRows } from './copy-json.js';
import { openReader, type ChunkReader, type ReadQuery, type ReaderKind } from './readers.js';
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
  /** Rows committed in this run so far, all sources and tables. */
  runRows: number;
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
  /**
   * Requests the reading side may have sent and the writer not yet answered (batches, a table's end,
   * the next table's columns). With a worker-backed sink the reader keeps reading while the writer
   * commits, builds a table's indexes or prunes it. Default 4 (with 50k-row batches, a few tens of MiB).
   */
  pipelineDepth?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** Count the rows to come first, for an ETA (one extra query per table). Default true. */
  countFirst?: boolean;
  clock?: () => Date;
  /**
   * How rows are read from PostgreSQL. Default: COPY for a table read from its beginning (a full or
   * first sync: millions of rows, where COPY is much faster), a cursor after a saved position.
   */
  reader?: ReaderKind;
}

export interface SyncResult {
  sources: {
    source: string;
    tables: {
      table: string;
      /** Rows written: those after the saved position (new or changed), and those the overlap found missing (late commits). */
      rows: number;
      /** Rows read again behind the saved position (the table's `overlap`), all of them: upserted, so harmless. */
      reread: number;
      /** Cache rows deleted because a complete read no longer returned them (`prune`); null when not pruned. */
      pruned: number | null;
    }[];
  }[];
  /** Rows written, all tables (as `tables[].rows`). */
  rows: number;
  ms: number;
  /** Where the run's wall time went, as seen from the reading side (see SyncPhases). */
  phases: SyncPhases;
}

/** Milliseconds of a run's wall time, by what the reading side was doing. */
export interface SyncPhases {
  /** Waiting for PostgreSQL's rows and turning them into batch bytes (counting first included). */
  readMs: number;
  /** Waiting for the writer to commit the previous batch before the next one could be sent. */
  writeWaitMs: number;
  /** Waiting for the writer at the end of a complete read of a table (index builds, prune). */
  tableDoneMs: number;
  /** Waiting for the end-of-run rebuild of derived tables (ticket_spans). */
  deriveMs: number;
}

const quote = (name: string) => `"${name}"`;
const orderOf = (table: TableConfig) => [table.watermark, ...table.key.filter((k) => k !== table.watermark)];

/** The source's query wrapped in keyset pagination over (watermark, ...key). */
export function keysetQuery(table: TableConfig, position: Position | null, literal?: (value: unknown) => string): { text: string; values: unknown[] } {
  const order = orderOf(table);
  const columns = order.map((c) => `q.${quote(c)}`);
  const bound = position ? order.map((_, i) => (literal ? literal(position[i]) : `$${i + 1}`)) : [];
  const where = position ? `WHERE (${columns.join(', ')}) > (${bound.join(', ')})` : '';
  return {
    text: `SELECT * FROM (${table.query}) AS q ${where} ORDER BY ${columns.join(', ')}`,
    values: position && !literal ? [...position] : [],
  };
}

const INTEGER = /^-?\d+$/;
const DATE_OR_TIME = /^\d{4}-\d\d-\d\d/;

/**
 * The rows an incremental sync reads again because of the table's `overlap`: watermark after
 * (position - overlap) and (watermark, ...key) up to and including the saved position. The bound is
 * a constant, so the source's (watermark, key) index still serves the range.
 */
export function overlapQuery(table: TableConfig, position: Position, literal?: (value: unknown) => string): { text: string; values: unknown[] } {
  const overlap = table.overlap;
  const mark = position[0];
  const problem = (why: string) => new SyncError('CONFIG_INVALID', `The overlap of "${table.name}" ${why}.`, { table: table.name });
  let lower: (a: string, b: string) => string;
  if ((typeof mark === 'number' && Number.isInteger(mark)) || (typeof mark === 'string' && INTEGER.test(mark))) {
    if (typeof overlap !== 'number') throw problem(`must be a number of ids: its watermark "${table.watermark}" is an integer`);
    lower = (a, b) => `${a}::bigint - ${b}::bigint`;
  } else if (typeof mark === 'string' && DATE_OR_TIME.test(mark)) {
    if (typeof overlap !== 'string') throw problem(`must be an interval such as "5 minutes": its watermark "${table.watermark}" is a timestamp`);
    lower = (a, b) => `${a}::timestamptz - ${b}::interval`;
  } else {
    throw problem(`needs an integer or timestamp watermark; "${table.watermark}" holds ${JSON.stringify(mark)}`);
  }
  const order = orderOf(table);
  const columns = order.map((c) => `q.${quote(c)}`);
  const p = (i: number) => `$${i + 1}`;
  const bound = literal ? order.map((_, i) => literal(position[i])) : order.map((_, i) => p(i + 2));
  const from = literal ? lower(literal(mark), literal(overlap)) : lower(p(0), p(1));
  return {
    text: `SELECT * FROM (${table.query}) AS q WHERE q.${quote(table.watermark)} > ${from} AND (${columns.join(', ')}) <= (${bound.join(', ')}) ORDER BY ${columns.join(', ')}`,
    values: literal ? [] : [mark, overlap, ...position],
  };
}

/** A watermark or key value written as an SQL literal, for COPY (which takes no parameters). */
function sqlLiteral(client: pg.Client, value: unknown): string {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return client.escapeLiteral(value);
  if (value === null || value === undefined) return 'NULL';
  throw new SyncError('CONFIG_INVALID', `A watermark value of type ${typeof value} cannot be resumed from; use a timestamp, number or text watermark.`);
}

interface Counter {
  rows: number;
  started: number;
  phases: SyncPhases;
}

/**
 * The writer's requests in flight, oldest first. The sink answers them in order (one writer, one
 * queue), so a request is sent without waiting for the ones before it, up to `depth` of them; the
 * writer refuses a table's later batches once one of them failed (writer.ts), so no batch ever
 * commits past a gap. The first failure, in order, is the one thrown.
 */
class Pipeline {
  private readonly inflight: Promise<unknown>[] = [];
  constructor(
    private readonly depth: number,
    private readonly phases: SyncPhases,
  ) {}

  /** Sends `request` once fewer than `depth` are in flight (waiting for the oldest meanwhile). */
  async send(request: () => Promise<unknown>, phase: 'writeWaitMs' | 'tableDoneMs' = 'writeWaitMs'): Promise<void> {
    while (this.inflight.length >= this.depth) await this.oldest(phase);
    const sent = request();
    sent.catch(() => undefined); // surfaced when awaited in order
    this.inflight.push(sent);
  }

  /** Waits until every request sent has been answered; throws the first failure. */
  async drain(phase: 'writeWaitMs' | 'tableDoneMs' = 'writeWaitMs'): Promise<void> {
    while (this.inflight.length > 0) await this.oldest(phase);
  }

  /** As drain, but never throws (after a failure, before telling the writer how the source ended). */
  async settle(): Promise<void> {
    await Promise.allSettled(this.inflight.splice(0));
  }

  private async oldest(phase: 'writeWaitMs' | 'tableDoneMs'): Promise<void> {
    const started = performance.now();
    try {
      await this.inflight[0];
    } finally {
      void this.inflight.shift();
      this.phases[phase] += performance.now() - started;
    }
  }
}

/**
 * Copies every configured table of every source into the cache, in batches. Each batch and the
 * position after its last row commit together, so a crash, a cancel or a lost connection leaves the
 * cache at the last committed batch, and the next run continues from there with no gap and no repeat.
 * Sources are synced one after another; a failing source stops the run with a SyncError.
 * Derived tables (ticket_spans) that the run left stale are rebuilt at its end, whatever the outcome.
 */
export async function syncAll(config: SyncConfig, sink: CacheSink, options: SyncOptions = {}): Promise<SyncResult> {
  const started = performance.now();
  const phases: SyncPhases = { readMs: 0, writeWaitMs: 0, tableDoneMs: 0, deriveMs: 0 };
  const result: SyncResult = { sources: [], rows: 0, ms: 0, phases };
  const counter: Counter = { rows: 0, started, phases };
  let failure: Error | null = null;
  try {
    for (const source of config.sources) {
      result.sources.push(await syncSource(config, source, sink, options, counter));
    }
  } catch (error) {
    failure = error instanceof Error ? error : new Error(String(error));
  }
  const deriveStarted = performance.now();
  try {
    await sink.request({ kind: 'derive' });
  } catch (error) {
    failure ??= cacheWriteError(error, 'rebuilding the derived tables (ticket_spans)', {});
  }
  phases.deriveMs += performance.now() - deriveStarted;
  if (failure) throw failure;
  result.rows = counter.rows;
  result.ms = Math.round(performance.now() - started);
  return result;
}

function cacheWriteError(error: unknown, what: string, where: { source?: string; table?: string }): SyncError {
  if (error instanceof SyncError) return error;
  const text = error instanceof Error ? error.message : String(error);
  return new SyncError('CACHE_WRITE_FAILED', `Writing into the reporting cache failed while ${what}: ${text}. The cache keeps every batch committed before it.`, where, { cause: error });
}

async function syncSource(config: SyncConfig, source: SourceConfig, sink: CacheSink, options: SyncOptions, counter: Counter): Promise<SyncResult['sources'][number]> {
  const now = () => (options.clock?.() ?? new Date()).toISOString();
  const states = await sink.request({ kind: 'begin', source: source.name, tables: source.tables.map((t) => t.name), full: options.full ?? false, at: now() });
  const client = new pg.Client({ connectionString: source.url, types: cacheTypes, application_name: `backline-sync:${source.name}`, options: '-c TimeZone=UTC' });
  let lost: unknown = null;
  client.on('error', (error) => (lost = error)); // a terminated backend: surfaced by the pending read
  const done: SyncResult['sources'][number]['tables'] = [];
  const tableRows: (() => void)[] = [];
  const pipeline = new Pipeline(Math.max(1, options.pipelineDepth ?? 4), counter.phases);
  let current: string | undefined;
  try {
    try {
      await client.connect();
    } catch (error) {
      throw sourceError(error, source.name, undefined, 'connect');
    }
    for (const table of source.tables) {
      current = table.name;
      const start = states[table.name]?.position ?? null;
      const sharedWith = config.sources.filter((s) => s !== source && s.tables.some((t) => t.name === table.name)).map((s) => s.name);
      const context: TableContext = { client, source, table, sink, options, counter, now, sharedWith, rows: 0, pipeline };
      // The overlap first: rows behind the saved position whose transactions committed late.
      const reread = start !== null && table.overlap !== undefined ? await copyRange(context, start, 'reread') : 0;
      // From a NULL position the read is complete: its spans are rebuilt at the end, and it may prune.
      await copyRange(context, start, start === null ? 'complete' : 'after');
      const entry: SyncResult['sources'][number]['tables'][number] = { table: table.name, rows: 0, reread, pruned: null };
      done.push(entry);
      if (start === null) {
        // Its indexes are built (and it is pruned) while the next table is read.
        await pipeline.send(
          () =>
            sink.request({ kind: 'tableDone', source: source.name, table: table.name, at: now() }).then(
              (reply) => {
                if (table.prune) entry.pruned = reply.pruned;
              },
              (error: unknown) => {
                throw cacheWriteError(error, `${table.prune ? 'pruning' : 'indexing'} "${table.name}" of source "${source.name}"`, { source: source.name, table: table.name });
              },
            ),
          'tableDoneMs',
        );
      }
      // Rows are counted as their batches commit: read once everything sent has been answered.
      tableRows.push(() => (entry.rows = context.rows));
    }
    await pipeline.drain('tableDoneMs');
    for (const fill of tableRows) fill();
    await sink.request({ kind: 'finish', source: source.name, at: now(), error: null });
    return { source: source.name, tables: done };
  } catch (error) {
    const typed = error instanceof SyncError ? error : sourceError(lost ?? error, source.name, current, 'read');
    await pipeline.settle();
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

interface TableContext {
  client: pg.Client;
  source: SourceConfig;
  table: TableConfig;
  sink: CacheSink;
  options: SyncOptions;
  counter: Counter;
  now: () => string;
  sharedWith: string[];
  /** Rows of this table committed in this run: new or changed ones, and late ones the overlap found. */
  rows: number;
  /** The source's requests to the writer in flight. */
  pipeline: Pipeline;
}

/**
 * Reads one range of a table and sends it in batches through the source's pipeline: with a
 * worker-backed sink, reading and writing overlap, also from one table to the next.
 *  - 'complete': from the beginning (position NULL): spans are marked stale rather than kept per
 *    batch, and the keys are tracked when the table prunes.
 *  - 'after': after the saved position.
 *  - 'reread': the overlap behind the saved position; the saved position does not move.
 * Progress counts rows written (for 'reread', only those the cache lacked). Returns how many rows it read.
 */
async function copyRange(context: TableContext, start: Position | null, range: 'complete' | 'after' | 'reread'): Promise<number> {
  const { client, source, table, sink, options, counter, now } = context;
  const batchSize = options.batchSize ?? 50_000;
  const fetchSize = Math.min(options.fetchSize ?? 10_000, batchSize);
  const where = { source: source.name, table: table.name };
  throwIfCancelled(options.signal, source.name, table.name);
  const literal = (v: unknown) => sqlLiteral(client, v);
  let query: ReadQuery;
  try {
    query =
      range === 'reread' && start
        ? { ...overlapQuery(table, start), literalText: overlapQuery(table, start, literal).text }
        : { ...keysetQuery(table, start), literalText: keysetQuery(table, start, literal).text };
  } catch (error) {
    throw error instanceof SyncError ? new SyncError(error.code, `${error.message} (source "${source.name}")`, where) : error;
  }
  let expected: number | null = null;
  const phases = counter.phases;
  const countStarted = performance.now();
  if (range !== 'reread' && (options.countFirst ?? true)) {
    try {
      const counted = await client.query<{ n: number }>({ text: `SELECT count(*) AS n FROM (${query.text}) AS c`, values: query.values });
      expected = Number(counted.rows[0]?.n ?? 0);
    } catch (error) {
      throw sourceError(error, source.name, table.name, 'read');
    } finally {
      phases.readMs += performance.now() - countStarted;
    }
  }
  const reader: ChunkReader = openReader(options.reader ?? (range === 'complete' ? 'copy' : 'cursor'), client, query, { timeColumn: table.timeColumn });
  let positionIndexes: number[] = [];
  let out = new JsonRows();
  let count = 0;
  let last: unknown[] | null = null;
  let newestAt: string | null = null;
  let read = 0;

  /** Sends the rows gathered so far as one batch, once the pipeline has room for it. */
  const flush = async () => {
    if (count === 0) return;
    const rowsJson = out.finish();
    // The next batch starts with room for this one (a handful of growths for the first batch only).
    out = new JsonRows(rowsJson.length + 1024);
    const rows = count;
    const position = range === 'reread' && start ? start : positionIndexes.map((i) => last?.[i]);
    const newest = newestAt;
    count = 0;
    newestAt = null;
    read += rows;
    const committed = ({ rowsSynced }: { rowsSynced: number }) => {
      context.rows += rowsSynced;
      counter.rows += rowsSynced;
      const tableRows = context.rows;
      const seconds = (performance.now() - counter.started) / 1000;
      const rate = seconds > 0 ? counter.rows / seconds : 0;
      options.onProgress?.({
        source: source.name,
        table: table.name,
        rows: tableRows,
        expected,
        rate: Math.round(rate),
        runRows: counter.rows,
        etaSeconds: expected !== null && rate > 0 ? Math.max(0, (expected - tableRows) / rate) : null,
      });
    };
    const failed = (error: unknown): never => {
      throw cacheWriteError(error, `writing "${table.name}" of source "${source.name}"`, where);
    };
    await context.pipeline.send(() =>
      sink
        .request({ kind: 'batch', source: source.name, table: table.name, rowsJson, count: rows, transferRows: true, position, newestAt: newest, at: now(), reread: range === 'reread', deferSpans: range === 'complete' })
        .then(committed, failed),
    );
  };

  try {
    let announced = false;
    for (;;) {
      throwIfCancelled(options.signal, source.name, table.name);
      let chunk;
      const readStarted = performance.now();
      try {
        chunk = await reader.read(Math.min(fetchSize, batchSize - count), out);
      } catch (error) {
        throw sourceError(error, source.name, table.name, 'read');
      } finally {
        phases.readMs += performance.now() - readStarted;
      }
      if (!announced) {
        announced = true;
        const fields = chunk.fields;
        const missing = orderOf(table).filter((c) => !fields.includes(c));
        if (missing.length > 0) {
          throw new SyncError('CONFIG_INVALID', `The query for "${table.name}" of source "${source.name}" does not return its watermark/key columns: ${missing.join(', ')}.`, where);
        }
        positionIndexes = orderOf(table).map((c) => fields.indexOf(c));
        const trackKeys = range === 'complete' && table.prune === true;
        // Not awaited alone: it waits its turn behind the previous table's batches in the writer.
        await context.pipeline.send(() =>
          sink
            .request({
              kind: 'columns',
              source: source.name,
              table: table.name,
              columns: fields,
              complete: range === 'complete',
              ...(trackKeys ? { trackKeys, sharedWith: context.sharedWith } : {}),
            })
            .then(
              () => undefined,
              (error: unknown) => {
                throw cacheWriteError(error, `preparing "${table.name}" of source "${source.name}"`, where);
              },
            ),
        );
      }
      if (chunk.count === 0) break;
      count += chunk.count;
      last = chunk.last;
      if (chunk.newest !== null && (newestAt === null || chunk.newest > newestAt)) newestAt = chunk.newest;
      if (count >= batchSize) await flush();
    }
    throwIfCancelled(options.signal, source.name, table.name);
    await flush();
    return read;
  } finally {
    await reader.close();
  }
}
