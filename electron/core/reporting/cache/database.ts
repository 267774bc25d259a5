import Database from 'better-sqlite3';
import { preparePrivateDatabase } from '../../data-dir.js';
import { migrate, type Db } from '../../store/database.js';
import type { Migration } from '../../store/migrations/migration.js';
import { cacheMigrations } from './migrations/index.js';

export { REPORTING_DB_FILE } from '../../data-dir.js';

declare const writable: unique symbol;
declare const readable: unique symbol;
/** The one connection that syncs into the cache. */
export type WritableCache = Db & { readonly [writable]: true };
/** What reports get: opened read-only, with query_only on; it has no type-level path to a writable one. */
export type ReadableCache = Omit<Db, 'exec' | 'transaction' | 'backup' | 'serialize' | 'loadExtension' | 'function' | 'aggregate' | 'table'> & {
  readonly [readable]: true;
};

/**
 * Opens the reporting cache for syncing. It is rebuildable from the sources, so synchronous=NORMAL
 * (WAL keeps it consistent; a power cut may lose the last batches, which the next sync fetches again).
 */
export function openWritableCache(file: string, migrations: readonly Migration[] = cacheMigrations): WritableCache {
  // 0600, and so its -wal and -shm: the cache holds customers' tickets and comments.
  if (file !== ':memory:') preparePrivateDatabase(file);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536'); // 64 MiB
    // temp_store stays the default (files, in the OS's page cache): with MEMORY, SQLite's sorter keeps
    // CREATE INDEX's runs in RAM and built comments_by_tech over 5M comments in 11.8 s against 4.4 s.
    migrate(db, migrations);
    return db as WritableCache;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Opens the cache for reports: read-only at the file and at the connection. */
export function openReadableCache(file: string): ReadableCache {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma('query_only = ON');
  db.pragma('busy_timeout = 5000');
  db.pragma('cache_size = -65536');
  return db as unknown as ReadableCache;
}

/**
 * The connection settings a report could change and that change what later reports see, or how
 * they run: results (case_sensitive_like, reverse_unordered_selects, column names), the read-only
 * guard itself (query_only), locks held against the sync (locking_mode), and limits (the heap
 * limits are process-wide). The report gate refuses every way in that is known (PRAGMA, EXPLAIN
 * PRAGMA); this is the second guard, so that one report can never change the next one.
 */
const CONNECTION_PRAGMAS = [
  'query_only',
  'busy_timeout',
  'cache_size',
  'reverse_unordered_selects',
  'full_column_names',
  'short_column_names',
  'count_changes',
  'empty_result_callbacks',
  'automatic_index',
  'temp_store',
  'trusted_schema',
  'threads',
  'cell_size_check',
  'writable_schema',
  'read_uncommitted',
  'legacy_alter_table',
  'foreign_keys',
  'defer_foreign_keys',
  'recursive_triggers',
  'ignore_check_constraints',
  'locking_mode',
  'journal_size_limit',
  'max_page_count',
  'secure_delete',
  'synchronous',
  'analysis_limit',
  'soft_heap_limit',
  'hard_heap_limit',
] as const;

export type ConnectionState = ReadonlyMap<string, unknown>;

/** What a report connection's settings are now; taken once, right after opening, as the state every run starts from. */
export function connectionState(db: ReadableCache): ConnectionState {
  const state = new Map<string, unknown>();
  for (const name of CONNECTION_PRAGMAS) {
    const value: unknown = db.pragma(name, { simple: true });
    if (value !== undefined) state.set(name, value);
  }
  return state;
}

/**
 * Puts a report connection back in its known state, and says which settings could not be put back
 * (a heap limit only ever goes down): a connection with any is not used again. case_sensitive_like
 * cannot be read, so it is always set.
 */
export function restoreConnectionState(db: ReadableCache, known: ConnectionState): string[] {
  db.pragma('case_sensitive_like = OFF');
  const stuck: string[] = [];
  for (const [name, value] of known) {
    if (db.pragma(name, { simple: true }) === value) continue;
    db.pragma(`${name} = ${typeof value === 'number' ? value : `'${String(value).replaceAll("'", "''")}'`}`);
    if (db.pragma(name, { simple: true }) !== value) stuck.push(name);
  }
  return stuck;
}
