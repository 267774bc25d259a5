import type Database from 'better-sqlite3';
import type { WritableCache } from '../cache/database.js';
import { DELETE_SPANS_SQL, INSERT_SPANS_SQL } from '../cache/spans.js';
import { SyncError } from './errors.js';

/**
 * The SQLite side of a sync, shaped as requests and replies so that it can run in a worker thread
 * (STYLE item 6) as well as in-process: `handle` is the whole protocol.
 */
export type Position = readonly unknown[];

export type WriterRequest =
  | { kind: 'begin'; source: string; tables: string[]; full: boolean; at: string }
  | { kind: 'columns'; source: string; table: string; columns: string[] }
  | { kind: 'batch'; source: string; table: string; rows: unknown[][]; position: Position; newestAt: string | null; at: string }
  | { kind: 'finish'; source: string; at: string; error: { code: string; message: string } | null };

export interface TableState {
  position: Position | null;
  rowsSynced: number;
}

export type WriterReply<K extends WriterRequest['kind']> = K extends 'begin'
  ? Record<string, TableState>
  : K extends 'batch'
    ? { rowsSynced: number }
    : null;

/** Where the sync writes; `InProcessSink` and a worker-backed sink share this shape. */
export interface CacheSink {
  request<R extends WriterRequest>(request: R): Promise<WriterReply<R['kind']>>;
  close(): Promise<void>;
}

interface PreparedTable {
  insert: Database.Statement;
  withOrigin: boolean;
  /** For status events: where ticket_id is in a row, so the batch's tickets get their spans recomputed. */
  spanTicketIndex: number;
}

export class CacheWriter {
  private readonly prepared = new Map<string, PreparedTable>();
  private readonly saveState: Database.Statement;
  private readonly deleteSpans: Database.Statement;
  private readonly insertSpans: Database.Statement;

  constructor(private readonly db: WritableCache) {
    this.deleteSpans = db.prepare(DELETE_SPANS_SQL);
    this.insertSpans = db.prepare(INSERT_SPANS_SQL);
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
        this.prepare(request.source, request.table, request.columns);
        return null;
      case 'batch':
        return this.batch(request);
      case 'finish':
        this.finish(request);
        return null;
    }
  }

  private begin(request: Extract<WriterRequest, { kind: 'begin' }>): Record<string, TableState> {
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

  /** Checks the source's columns against the cache table and prepares its upsert. */
  private prepare(source: string, table: string, columns: string[]): PreparedTable {
    const known = this.db.prepare<[string], { name: string; pk: number }>('SELECT name, pk FROM pragma_table_info(?)').all(table);
    if (known.length === 0) throw new SyncError('CACHE_COLUMN_UNKNOWN', `The cache has no table "${table}"; fix the table name in the source config.`, { source, table });
    const names = new Set(known.map((c) => c.name));
    const unknown = columns.filter((c) => !names.has(c));
    if (unknown.length > 0) {
      throw new SyncError('CACHE_COLUMN_UNKNOWN', `The query for "${table}" returns columns the cache table does not have: ${unknown.join(', ')}. Rename them in the query (SELECT x AS y).`, { source, table });
    }
    const withOrigin = names.has('origin') && !columns.includes('origin');
    const all = withOrigin ? [...columns, 'origin'] : columns;
    const keys = new Set(known.filter((c) => c.pk > 0).map((c) => c.name));
    const updates = all.filter((c) => !keys.has(c)).map((c) => `"${c}" = excluded."${c}"`);
    const sql =
      `INSERT INTO "${table}" (${all.map((c) => `"${c}"`).join(', ')}) VALUES (${all.map(() => '?').join(', ')}) ` +
      (updates.length > 0 ? `ON CONFLICT DO UPDATE SET ${updates.join(', ')}` : 'ON CONFLICT DO NOTHING');
    const spanTicketIndex = table === 'ticket_status_events' ? columns.indexOf('ticket_id') : -1;
    const prepared = { insert: this.db.prepare(sql), withOrigin, spanTicketIndex };
    this.prepared.set(`${source}\u0000${table}`, prepared);
    return prepared;
  }

  /** The rows and the position after them, in one transaction: all of it lands, or none. */
  private batch(request: Extract<WriterRequest, { kind: 'batch' }>): { rowsSynced: number } {
    const prepared = this.prepared.get(`${request.source}\u0000${request.table}`);
    if (!prepared) throw new Error(`columns of ${request.table} were not announced before its rows`);
    const { insert, withOrigin, spanTicketIndex } = prepared;
    this.db.transaction(() => {
      if (withOrigin) for (const row of request.rows) insert.run(...row, request.source);
      else for (const row of request.rows) insert.run(...row);
      if (spanTicketIndex >= 0) {
        const tickets = JSON.stringify([...new Set(request.rows.map((row) => row[spanTicketIndex]))]);
        this.deleteSpans.run({ tickets });
        this.insertSpans.run({ tickets });
      }
      this.saveState.run({
        source: request.source,
        table: request.table,
        position: JSON.stringify(request.position),
        rows: request.rows.length,
        newestAt: request.newestAt,
        at: request.at,
      });
    })();
    return { rowsSynced: request.rows.length };
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
