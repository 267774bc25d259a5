import type { Migration } from '../../../store/migrations/migration.js';

/**
 * Indexes a complete read into an empty table dropped while it loads, with the SQL that makes them
 * again: building an index once from the loaded rows is much faster than keeping it up to date row
 * by row. The rows are written in the same transaction as the drop, so a sync that stops before the
 * index is back leaves them here, and the next sync makes them first.
 */
export const migration004: Migration = {
  version: 4,
  name: 'deferred_indexes',
  up: `
    CREATE TABLE deferred_indexes (
      name        TEXT PRIMARY KEY,     -- the index
      table_name  TEXT NOT NULL,
      sql         TEXT NOT NULL         -- its CREATE INDEX, as sqlite_schema held it
    ) STRICT;
  `,
};
