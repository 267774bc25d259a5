import { readFileSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { WritableCache } from '../cache/database.js';
import { REBUILD_SPANS_SQL, SpanUpdater, UPDATE_SPAN_TEAMS_SQL } from '../cache/spans.js';
import { SyncError } from './errors.js';

/** SQLite's page cache while deferred indexes are built (negative: KiB; SQLite's own default). */
const INDEX_BUILD_CACHE_KIB = -2000;

/**
 * Tables whose indexes stay up to date row by row during a load into an empty table. Every
 * incremental sync adds status events at scattered tickets to `events_by_ticket`; built by a sort,
 * its pages are packed full and the first incremental sync after a full one split one page per event
 * (0.9–1.1 s of a 2.2 s sync at 1M). Kept row by row it keeps room, and the full load was no slower
 * (1M: 20.8 s against 22.6 s; 5M: 147 s against 173 s).
 */
const LIVE_INDEX_TABLES: ReadonlySet<string> = new Set(['ticket_status_events']);
/**
 * The SQLite side of a sync, shaped as requests and replies so that it can run in a worker thread
 * (STYLE item 6) as well as in-process: `handle` is the whole protocol.
 */

export type Position = readonly unknown[];

/**
 * A batch's rows: as arrays, or as JSON of that array of arrays, in text or UTF-8 bytes (what the
 * engine sends). `transferRows`: the bytes are the sink's to keep (a worker sink moves them
 * to its thread instead of copying them).
 */
export type BatchRows =
  | { rows: unknown[][]; rowsJson?: undefined; count?: undefined; transferRows?: undefined }
  | { rowsJson: string | Uint8Array; count: number; transferRows?: boolean; rows?: undefined };

export type WriterRequest =
  | { kind: 'begin'; source: string; tables: string[]; full: boolean; at: string }
  | {
      kind: 'columns';
      source: string;
      table: string;
      columns: string[];
      /**
       * The read starts from the table's beginning (a full or first sync). If the table is empty, its
       * indexes are dropped until `tableDone` (deferred_indexes), so they are built once from the
       * loaded rows instead of row by row (not those of LIVE_INDEX_TABLES).
       */
      complete?: boolean;
      /** Remember the keys of every row of this read, to prune the rest at `tableDone` (config `prune`). */
      trackKeys?: boolean;
      /** Other sources of the config that feed the same table (pruning a table without `origin` needs there to be none). */
      sharedWith?: string[];
    }
  | ({
      kind: 'batch';
      source: string;
      table: string;
      position: Position;
      newestAt: string | null;
      at: string;
      /**
       * Rows read again behind the saved position (overlap): upserted; only those the cache did not
       * have (late commits) count, in rows_synced and in the reply.
       */
      reread?: boolean;
      /** The table is being read from its beginning: mark spans stale and rebuild them at `derive` instead of per batch. */
      deferSpans?: boolean;
    } & BatchRows)
  | { kind: 'tableDone'; source: string; table: string; at: string }
  | { kind: 'derive' }
  /** Where the writer's time went so far (for benchmarks): see WriterTimings. */
  | { kind: 'timings' }
  | { kind: 'finish'; source: string; at: string; error: { code: string; message: string } | null };

export interface TableState {
  position: Position | null;
  rowsSynced: number;
}

export type WriterReply<K extends WriterRequest['kind']> = K extends 'begin'
  ? Record<string, TableState>
  : K extends 'batch'
    ? { rowsSynced: number }
    : K extends 'tableDone'
      ? { pruned: number | null }
      : K extends 'derive'
        ? { rebuilt: string[] }
        : K extends 'timings'
          ? WriterTimings
          : null;

/** Milliseconds the writer spent per kind of work since it was made. */
export interface WriterTimings {
  /** Batch transactions: the upsert, key tracking, the position; per-batch spans excluded. */
  batchMs: number;
  /** Recomputing the spans of a batch's tickets (incremental syncs), inside the batch's transaction. */
  batchSpansMs: number;
  /** Making the indexes deferred during a load. */
  indexMs: number;
  /** Deleting what a complete read did not return. */
  pruneMs: number;
  /** The full spans rebuild at the end of a run. */
  deriveMs: number;
  /** batchMs by cache table. */
  batchMsByTable: Record<string, number>;
  /**
   * CPU time of the thread the writer runs on, since it was made (Linux; null elsewhere). In a
   * worker that is the writer's alone: steadier than wall time on a busy machine.
   */
  threadCpuMs: number | null;
  /** Of that CPU, what the index builds and the spans rebuild took (null where threadCpuMs is). */
  indexCpuMs: number | null;
  deriveCpuMs: number | null;
}

/** CPU time of the calling thread, in ms (from /proc/thread-self/stat, in clock ticks of 10 ms), or null where there is none. */
export function threadCpuMs(): number | null {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    // After the command name's ")": state is the first field; utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10 : null;
  } catch {
    return null;
  }
}

/** Where the sync writes; `InProcessSink` and a worker-backed sink share this shape. */
export interface CacheSink {
  request<R extends WriterRequest>(request: R): Promise<WriterReply<R['kind']>>;
  close(): Promise<void>;
}

interface PreparedTable {
  /** Upserts every row of a JSON array of row arrays (@rows), with @origin where the table has one. */
  insert: Database.Statement;
  withOrigin: boolean;
  /**
   * For status events and tickets: the JSON array of the batch's distinct ticket ids, whose spans
   * are recomputed (events) or take their ticket's team again (tickets).
   */
  batchTickets: Database.Statement | null;
  /** The batches are tickets (their spans' team follows them), not status events. */
  ticketRows: boolean;
  /** The cache table's key (without origin) and where each of its columns is in a row; null when the query does not return it all. */
  key: { names: string[]; types: string[]; at: number[] } | null;
  /** For re-read batches: how many of the batch's rows the cache does not have yet. */
  countMissing: Database.Statement | null;
  /** A complete read that was to prune found none of its rows in the cache: there is nothing to prune, and no keys are tracked. */
  nothingToPrune: boolean;
  /** A batch of this read failed: later ones are refused until the table is announced again. */
  failed: boolean;
  /** While a complete read is tracked for pruning: records the batch's keys, and deletes what it never saw. */
  track: { remember: Database.Statement; prune: Database.Statement; seenCount: Database.Statement; cachedCount: Database.Statement; drop: string } | null;
}

const q = (name: string) => `"${name}"`;
const SPANS = 'ticket_spans';

export class CacheWriter {
  private readonly prepared = new Map<string, PreparedTable>();
  private readonly saveState: Database.Statement;
  private readonly spans: SpanUpdater;
  private readonly markStale: Database.Statement;
  private readonly updateSpanTeams: Database.Statement;
  private spansStale: boolean;
  readonly timings: WriterTimings = { batchMs: 0, batchSpansMs: 0, indexMs: 0, pruneMs: 0, deriveMs: 0, batchMsByTable: {}, threadCpuMs: null, indexCpuMs: null, deriveCpuMs: null };
  private readonly cpuAtStart = threadCpuMs();

  constructor(private readonly db: WritableCache) {
    this.spans = new SpanUpdater(db);
    this.updateSpanTeams = db.prepare(UPDATE_SPAN_TEAMS_SQL);
    this.markStale = db.prepare('INSERT INTO derived_state (name, stale_since) VALUES (?, ?) ON CONFLICT (name) DO NOTHING');
    this.spansStale = db.prepare('SELECT 1 FROM derived_state WHERE name = ?').get(SPANS) !== undefined;
    this.saveState = db.prepare(`
      INSERT INTO sync_state (source, table_name, position, rows_synced, newest_at, updated_at)
      VALUES (@source, @table, @position, @rows, @newestAt, @at)
      ON CONFLICT (source, table_name) DO UPDATE SET
        position = excluded.position,
        rows_synced = sync_state.rows_synced + @rows,
        newest_at = CASE WHEN excluded.newest_at IS NULL THEN sync_state.newest_at
                         WHEN sync_state.newest_at IS NULL OR excluded.newest_at > sync_state.newest_at THEN excluded.newest_at
                         ELSE sync_state.newest_at END,
        updated_at = excluded.updated_at`);
  }

  handle(request: WriterRequest): unknown {
    switch (request.kind) {
      case 'begin':
        return this.begin(request);
      case 'columns':
        this.prepare(request);
        return null;
      case 'batch':
        return this.batch(request);
      case 'tableDone':
        return this.tableDone(request);
      case 'derive':
        return this.timed('deriveMs', () => this.derive());
      case 'timings': {
        const cpu = threadCpuMs();
        return { ...this.timings, batchMsByTable: { ...this.timings.batchMsByTable }, threadCpuMs: cpu !== null && this.cpuAtStart !== null ? cpu - this.cpuAtStart : null };
      }
      case 'finish':
        this.finish(request);
        return null;
    }
  }

  private timed<T>(phase: 'deriveMs', work: () => T): T {
    const started = performance.now();
    const cpu = threadCpuMs();
    try {
      return work();
    } finally {
      this.timings[phase] += performance.now() - started;
      this.addCpu('deriveCpuMs', cpu);
    }
  }

  private addCpu(phase: 'indexCpuMs' | 'deriveCpuMs', since: number | null): void {
    const now = threadCpuMs();
    if (since !== null && now !== null) this.timings[phase] = (this.timings[phase] ?? 0) + now - since;
  }

  private begin(request: Extract<WriterRequest, { kind: 'begin' }>): Record<string, TableState> {
    for (const table of request.tables) this.stopTracking(request.source, table);
    // Indexes a stopped sync left deferred come back before anything else is written.
    this.restoreIndexes();
    const states: Record<string, TableState> = {};
    this.db.transaction(() => {
      this.db
        .prepare(`INSERT INTO freshness (source, last_attempt_at) VALUES (?, ?) ON CONFLICT (source) DO UPDATE SET last_attempt_at = excluded.last_attempt_at`)
        .run(request.source, request.at);
      for (const table of request.tables) {
        if (request.full) {
          this.db.prepare('UPDATE sync_state SET position = NULL, rows_synced = 0 WHERE source = ? AND table_name = ?').run(request.source, table);
        }
        const row = this.db
          .prepare<[string, string], { position: string | null; rows_synced: number }>('SELECT position, rows_synced FROM sync_state WHERE source = ? AND table_name = ?')
          .get(request.source, table);
        states[table] = { position: row?.position ? (JSON.parse(row.position) as Position) : null, rowsSynced: row?.rows_synced ?? 0 };
      }
    })();
    return states;
  }

  /** Checks the source's columns against the cache table and prepares its upsert (and, for pruning, its key tracking). */
  private prepare(request: Extract<WriterRequest, { kind: 'columns' }>): PreparedTable {
    const { source, table, columns } = request;
    // Batches sent after a failed announcement must not land with an earlier run's statements.
    this.prepared.delete(`${source}\u0000${table}`);
    const known = this.db.prepare<[string], { name: string; type: string; pk: number }>('SELECT name, type, pk FROM pragma_table_info(?)').all(table);
    if (known.length === 0) throw new SyncError('CACHE_COLUMN_UNKNOWN', `The cache has no table "${table}"; fix the table name in the source config.`, { source, table });
    const names = new Set(known.map((c) => c.name));
    const unknown = columns.filter((c) => !names.has(c));
    if (unknown.length > 0) {
      throw new SyncError('CACHE_COLUMN_UNKNOWN', `The query for "${table}" returns columns the cache table does not have: ${unknown.join(', ')}. Rename them in the query (SELECT x AS y).`, { source, table });
    }
    const withOrigin = names.has('origin') && !columns.includes('origin');
    const all = withOrigin ? [...columns, 'origin'] : columns;
    const keys = new Set(known.filter((c) => c.pk > 0).map((c) => c.name));
    const updated = all.filter((c) => !keys.has(c));
    const updates = updated.map((c) => `${q(c)} = excluded.${q(c)}`);
    // A row that comes back unchanged (the overlap's re-read, a touched but equal row) is left as it
    // is: an UPDATE would rewrite its entries in every index that has one of its columns.
    const changed = updated.length === 1 ? `${q(table)}.${q(updated[0] ?? '')} IS NOT excluded.${q(updated[0] ?? '')}` : `(${updated.map((c) => `${q(table)}.${q(c)}`).join(', ')}) IS NOT (${updated.map((c) => `excluded.${q(c)}`).join(', ')})`;
    // jsonb_each: the batch's JSON text is parsed once into SQLite's binary JSON, and each row's
    // values are read from that, where json_each would hand each row over as text to parse again
    // per column (about twice as fast for a 50k-row batch).
    const values = columns.map((_, i) => `value->>${i}`);
    if (withOrigin) values.push('@origin');
    // "WHERE true" tells SQLite's parser that ON CONFLICT belongs to the INSERT, not to a join.
    const sql =
      `INSERT INTO ${q(table)} (${all.map(q).join(', ')}) SELECT ${values.join(', ')} FROM jsonb_each(CAST(@rows AS TEXT)) WHERE true ` +
      (updates.length > 0 ? `ON CONFLICT DO UPDATE SET ${updates.join(', ')} WHERE ${changed}` : 'ON CONFLICT DO NOTHING');
    const ticketIndex = table === 'ticket_status_events' ? columns.indexOf('ticket_id') : table === 'tickets' ? columns.indexOf('id') : -1;
    const keyColumns = known.filter((c) => c.pk > 0 && !(withOrigin && c.name === 'origin')).sort((a, b) => a.pk - b.pk);
    const keyAt = keyColumns.map((c) => columns.indexOf(c.name));
    const key = keyColumns.length > 0 && keyAt.every((i) => i >= 0) ? { names: keyColumns.map((c) => c.name), types: keyColumns.map((c) => c.type), at: keyAt } : null;
    const ownRows = withOrigin ? 'origin = @origin AND ' : '';
    this.stopTracking(source, table);
    const prepared: PreparedTable = {
      insert: this.db.prepare(sql),
      withOrigin,
      batchTickets: ticketIndex >= 0 ? this.db.prepare(`SELECT json_group_array(DISTINCT value->>${ticketIndex}) FROM jsonb_each(CAST(? AS TEXT))`).pluck() : null,
      ticketRows: table === 'tickets',
      key,
      countMissing: key
        ? this.db
            .prepare(
              `SELECT count(*) FROM jsonb_each(CAST(@rows AS TEXT)) AS j WHERE NOT EXISTS (SELECT 1 FROM ${q(table)} AS t WHERE ${ownRows}${key.names.map((name, i) => `t.${q(name)} = j.value->>${key.at[i]}`).join(' AND ')})`,
            )
            .pluck()
        : null,
      nothingToPrune: false,
      failed: false,
      track: null,
    };
    if (request.trackKeys) {
      const tracking = this.startTracking(request, prepared);
      // Nothing of this source's in the cache yet (a first sync): whatever the read returns is all
      // there is, so its keys need not be remembered (a million inserts into the temporary table).
      if (tracking.cachedCount.get(withOrigin ? { origin: source } : {}) === 0) {
        this.db.exec(tracking.drop);
        prepared.nothingToPrune = true;
      } else prepared.track = tracking;
    }
    if (request.complete && !LIVE_INDEX_TABLES.has(table) && this.db.prepare(`SELECT 1 FROM ${q(table)} LIMIT 1`).get() === undefined) this.deferIndexes(table);
    this.prepared.set(`${source}\u0000${table}`, prepared);
    return prepared;
  }

  /**
   * Pruning needs the keys of every row a complete read returned: they go into a temporary table
   * as the batches land. A table without `origin` is pruned only when no other source feeds it
   * (in the config or, per sync_state, ever), or its rows would be deleted as "not seen".
   */
  private startTracking(request: Extract<WriterRequest, { kind: 'columns' }>, prepared: PreparedTable): NonNullable<PreparedTable['track']> {
    const { source, table } = request;
    const { withOrigin, key } = prepared;
    if (!withOrigin) {
      const others = new Set(request.sharedWith ?? []);
      for (const other of this.db.prepare<[string, string], string>('SELECT source FROM sync_state WHERE table_name = ? AND source <> ?').pluck().all(table, source)) others.add(other);
      if (others.size > 0) {
        throw new SyncError(
          'CONFIG_INVALID',
          `"prune" is set for "${table}" of source "${source}", but source(s) ${[...others].map((o) => `"${o}"`).join(', ')} also feed that table, whose rows do not say which source they came from: pruning would delete theirs. Remove "prune" there, or feed "${table}" from one source.`,
          { source, table },
        );
      }
    }
    if (!key) {
      throw new SyncError('CONFIG_INVALID', `"prune" is set for "${table}" of source "${source}", but its query does not return all of the cache table's key columns.`, { source, table });
    }
    // One per (source, table), whose names are plain identifiers (config.ts).
    const seen = `temp.${q(`seen__${source}__${table}`)}`;
    const k = key.names.map((_, i) => `k${i}`);
    this.db.exec(`DROP TABLE IF EXISTS ${seen}`);
    this.db.exec(
      key.names.length === 1 && key.types[0]?.toUpperCase() === 'INTEGER'
        ? `CREATE TABLE ${seen} (k0 INTEGER PRIMARY KEY)`
        : `CREATE TABLE ${seen} (${key.types.map((type, i) => `k${i} ${type || 'ANY'}`).join(', ')}, PRIMARY KEY (${k.join(', ')})) WITHOUT ROWID`,
    );
    const lhs = key.names.length === 1 ? q(key.names[0] ?? '') : `(${key.names.map(q).join(', ')})`;
    return {
      remember: this.db.prepare(`INSERT OR IGNORE INTO ${seen} (${k.join(', ')}) SELECT ${key.at.map((i) => `value->>${i}`).join(', ')} FROM jsonb_each(CAST(? AS TEXT))`),
      prune: this.db.prepare(`DELETE FROM ${q(table)} WHERE ${withOrigin ? 'origin = @origin AND ' : ''}${lhs} NOT IN (SELECT ${k.join(', ')} FROM ${seen})`),
      seenCount: this.db.prepare(`SELECT count(*) FROM ${seen}`).pluck(),
      cachedCount: this.db.prepare(`SELECT count(*) FROM ${q(table)}${withOrigin ? ' WHERE origin = @origin' : ''}`).pluck(),
      drop: `DROP TABLE IF EXISTS ${seen}`,
    };
  }

  /** Drops the table's own indexes (not its primary key), keeping their SQL in deferred_indexes, in one transaction. */
  private deferIndexes(table: string): void {
    this.db.transaction(() => {
      const indexes = this.db
        .prepare<[string], { name: string; sql: string }>("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
        .all(table);
      const keep = this.db.prepare('INSERT INTO deferred_indexes (name, table_name, sql) VALUES (?, ?, ?) ON CONFLICT (name) DO UPDATE SET sql = excluded.sql');
      for (const index of indexes) {
        keep.run(index.name, table, index.sql);
        this.db.exec(`DROP INDEX ${q(index.name)}`);
      }
    })();
  }

  /** Makes again the deferred indexes of `table` (of every table when none is given). */
  private restoreIndexes(table?: string): void {
    const deferred = this.db
      .prepare<unknown[], { name: string; sql: string }>(`SELECT name, sql FROM deferred_indexes${table === undefined ? '' : ' WHERE table_name = ?'} ORDER BY name`)
      .all(...(table === undefined ? [] : [table]));
    if (deferred.length === 0) return;
    const started = performance.now();
    const cpu = threadCpuMs();
    const exists = this.db.prepare<[string]>("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?");
    const done = this.db.prepare('DELETE FROM deferred_indexes WHERE name = ?');
    this.db.transaction(() => {
      for (const index of deferred) {
        if (exists.get(index.name) === undefined) this.createIndex(index.sql);
        done.run(index.name);
      }
    })();
    this.timings.indexMs += performance.now() - started;
    this.addCpu('indexCpuMs', cpu);
  }

  /**
   * CREATE INDEX under a small page cache: SQLite's sorter sizes its in-memory runs by it, and runs that
   * fit the CPU's caches sort faster (comments_by_tech over 5M comments: 4.4 s at 2 MiB, 8.2 s at
   * 64 MiB; the spans' opening-time index at 5M tickets: 3.2 s against 6.8 s). Batches get their large
   * cache back.
   */
  private createIndex(sql: string): void {
    const cacheSize = this.db.pragma('cache_size', { simple: true }) as number;
    this.db.pragma(`cache_size = ${INDEX_BUILD_CACHE_KIB}`);
    try {
      this.db.exec(sql);
    } finally {
      this.db.pragma(`cache_size = ${cacheSize}`);
    }
  }

  private stopTracking(source: string, table: string): void {
    const prepared = this.prepared.get(`${source}\u0000${table}`);
    if (prepared?.track) {
      this.db.exec(prepared.track.drop);
      prepared.track = null;
    }
  }

  /** The rows and the position after them, in one transaction: all of it lands, or none. */
  private batch(request: Extract<WriterRequest, { kind: 'batch' }>): { rowsSynced: number } {
    const prepared = this.prepared.get(`${request.source}\u0000${request.table}`);
    if (!prepared) throw new Error(`columns of ${request.table} were not announced before its rows`);
    // The reading side sends batches ahead of their commits: after one failed, the ones it sent
    // behind it must not commit (their position would skip the failed batch's rows).
    if (prepared.failed) throw new Error(`an earlier batch of ${request.table} failed; this one was not written`);
    const json = request.rowsJson ?? JSON.stringify(request.rows);
    // Bytes are bound as a BLOB, which the statements CAST to TEXT (a BLOB would be read as JSONB).
    const rowsJson = typeof json === 'string' ? json : Buffer.from(json.buffer, json.byteOffset, json.byteLength);
    const count = request.rowsJson !== undefined ? request.count : request.rows.length;
    const { insert, withOrigin, batchTickets, track, countMissing } = prepared;
    const deferSpans = batchTickets !== null && (this.spansStale || request.deferSpans === true);
    const params = withOrigin ? { rows: rowsJson, origin: request.source } : { rows: rowsJson };
    let synced = count;
    const started = performance.now();
    let spansMs = 0;
    const write = this.db.transaction(() => {
      if (request.reread) synced = countMissing ? (countMissing.get(params) as number) : 0;
      insert.run(params);
      track?.remember.run(rowsJson);
      if (deferSpans) {
        if (!this.spansStale) this.markStale.run(SPANS, request.at);
      } else if (batchTickets) {
        const spansStarted = performance.now();
        const tickets = batchTickets.get(rowsJson) as string;
        if (prepared.ticketRows) this.updateSpanTeams.run({ tickets });
        else this.spans.update(tickets);
        spansMs = performance.now() - spansStarted;
      }
      this.saveState.run({
        source: request.source,
        table: request.table,
        position: JSON.stringify(request.position),
        rows: synced,
        newestAt: request.newestAt,
        at: request.at,
      });
    });
    try {
      write();
    } catch (error) {
      prepared.failed = true;
      throw error;
    }
    this.timings.batchSpansMs += spansMs;
    const batchMs = performance.now() - started - spansMs;
    this.timings.batchMs += batchMs;
    this.timings.batchMsByTable[request.table] = (this.timings.batchMsByTable[request.table] ?? 0) + batchMs;
    if (deferSpans) this.spansStale = true;
    return { rowsSynced: synced };
  }

  /** After a complete read of a table: makes its deferred indexes, and prunes what a tracked read did not return. */
  private tableDone(request: Extract<WriterRequest, { kind: 'tableDone' }>): { pruned: number | null } {
    this.restoreIndexes(request.table);
    const prepared = this.prepared.get(`${request.source}\u0000${request.table}`);
    if (prepared?.nothingToPrune) {
      prepared.nothingToPrune = false;
      return { pruned: 0 };
    }
    const track = prepared?.track;
    if (!prepared || !track) return { pruned: null };
    let pruned = 0;
    const origin = prepared.withOrigin ? { origin: request.source } : {};
    // A source table that reads as empty (reloaded outside a transaction, a wrong schema, a view
    // that broke) would otherwise empty the cache table: one empty read is not trusted to do that.
    const cached = track.cachedCount.get(origin) as number;
    if ((track.seenCount.get() as number) === 0 && cached > 0) {
      this.stopTracking(request.source, request.table);
      throw new SyncError(
        'PRUNE_REFUSED',
        `The source returned no rows for "${request.table}" of source "${request.source}", while the cache holds ${cached}: Backline will not empty a table because of one empty read, so nothing was deleted. Check the source; if it really is empty now, delete reporting.sqlite and sync again (the cache is rebuilt from the sources).`,
        { source: request.source, table: request.table },
      );
    }
    const started = performance.now();
    this.db.transaction(() => {
      pruned = track.prune.run(origin).changes;
      // Spans of tickets that lost events, or that are gone themselves: rebuilt with the rest at `derive`.
      if (pruned > 0 && prepared.batchTickets && !this.spansStale) this.markStale.run(SPANS, request.at);
    })();
    this.timings.pruneMs += performance.now() - started;
    if (pruned > 0 && prepared.batchTickets) this.spansStale = true;
    this.stopTracking(request.source, request.table);
    return { pruned };
  }

  /**
   * Rebuilds stale derived tables in one transaction: readers see the old spans or the new ones.
   * The spans' indexes are dropped first and made again from their own SQL, which is faster than
   * keeping them up to date row by row.
   */
  private derive(): { rebuilt: string[] } {
    // A run that stopped mid-table (an error, a cancel) leaves no table without its indexes.
    this.restoreIndexes();
    if (!this.spansStale) return { rebuilt: [] };
    this.db.transaction(() => {
      const indexes = this.db
        .prepare<[string], { name: string; sql: string }>("SELECT name, sql FROM sqlite_schema WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL")
        .all(SPANS);
      for (const index of indexes) this.db.exec(`DROP INDEX ${q(index.name)}`);
      this.db.exec(`DELETE FROM ${SPANS}`);
      this.db.exec(REBUILD_SPANS_SQL);
      for (const index of indexes) this.createIndex(index.sql);
      this.db.prepare('DELETE FROM derived_state WHERE name = ?').run(SPANS);
    })();
    this.spansStale = false;
    return { rebuilt: [SPANS] };
  }

  private finish(request: Extract<WriterRequest, { kind: 'finish' }>): void {
    if (request.error) {
      this.db
        .prepare('UPDATE freshness SET last_error_code = ?, last_error = ? WHERE source = ?')
        .run(request.error.code, request.error.message, request.source);
      return;
    }
    this.db
      .prepare(
        `UPDATE freshness SET last_success_at = ?, last_error_code = NULL, last_error = NULL,
           newest_source_at = (SELECT max(newest_at) FROM sync_state WHERE source = ?)
         WHERE source = ?`,
      )
      .run(request.at, request.source, request.source);
  }
}

/** Runs the writer on the calling thread (tests, small syncs); a worker-backed sink has the same shape. */
export class InProcessSink implements CacheSink {
  private readonly writer: CacheWriter;
  constructor(db: WritableCache) {
    this.writer = new CacheWriter(db);
  }

  request<R extends WriterRequest>(request: R): Promise<WriterReply<R['kind']>> {
    try {
      return Promise.resolve(this.writer.handle(request) as WriterReply<R['kind']>);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
