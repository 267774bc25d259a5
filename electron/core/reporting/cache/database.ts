import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { migrate, type Db } from '../../store/database.js';
import type { Migration } from '../../store/migrations/migration.js';
import { cacheMigrations } from './migrations/index.js';

export const REPORTING_DB_FILE = 'reporting.sqlite';

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
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536'); // 64 MiB
    db.pragma('temp_store = MEMORY');
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
