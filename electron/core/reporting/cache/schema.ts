import type { CacheTable } from '../../../../shared/contract/reporting.js';
import type { ReadableCache } from './database.js';

/** Tables the sync keeps for itself: where each table stopped, how fresh each source is, what waits for a rebuild, indexes dropped during a load. */
export const BOOKKEEPING_TABLES: readonly string[] = ['sync_state', 'freshness', 'derived_state', 'deferred_indexes'];

interface ColumnRow {
  name: string;
  type: string;
  notnull: number | bigint;
  pk: number | bigint;
  hidden: number | bigint;
}

/**
 * What a report can read in the cache: every table and view (SQLite's own excepted) with its columns
 * in declared order, their types, and the indexes of each table. Only reads SQLite's catalogue, so it
 * runs on a report connection like any report.
 */
export function readCacheSchema(db: ReadableCache): CacheTable[] {
  const objects = db
    .prepare("SELECT name, type FROM sqlite_schema WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name")
    .all() as { name: string; type: 'table' | 'view' }[];
  const columnsOf = db.prepare('SELECT name, type, "notnull", pk, hidden FROM pragma_table_xinfo(?)');
  // SQLite's own indexes for a primary key or UNIQUE are left out: the columns' primaryKey says the first.
  const indexesOf = db.prepare("SELECT name FROM pragma_index_list(?) WHERE name NOT LIKE 'sqlite\\_autoindex\\_%' ESCAPE '\\' ORDER BY name");
  const indexColumns = db.prepare('SELECT name FROM pragma_index_info(?) ORDER BY seqno');
  const tables: CacheTable[] = [];
  for (const object of objects) {
    const columns = (columnsOf.all(object.name) as ColumnRow[])
      // 1 is a virtual table's hidden column, which no query names; 2 and 3 are generated columns, which it may.
      .filter((c) => Number(c.hidden) !== 1)
      .map((c) => ({ name: c.name, type: c.type, notNull: Number(c.notnull) !== 0, primaryKey: Number(c.pk) !== 0, generated: Number(c.hidden) >= 2 }));
    const indexes =
      object.type === 'table'
        ? (indexesOf.all(object.name) as { name: string }[]).map(({ name }) => ({
            name,
            // An expression in an index has no column name: shown as "(expression)".
            columns: (indexColumns.all(name) as { name: string | null }[]).map((c) => c.name ?? '(expression)'),
          }))
        : [];
    tables.push({ name: object.name, kind: object.type, bookkeeping: BOOKKEEPING_TABLES.includes(object.name), columns, indexes });
  }
  return tables;
}
