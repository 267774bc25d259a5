import type { Migration } from '../../../store/migrations/migration.js';

/**
 * Which derived tables (ticket_spans) wait for a rebuild. A full sync writes its status events
 * without touching their spans and rebuilds them once at its end; the mark is set in the same
 * transaction as the first such batch, so a sync killed before the rebuild leaves it set and the
 * next sync rebuilds.
 */
export const migration003: Migration = {
  version: 3,
  name: 'derived_state',
  up: `
    CREATE TABLE derived_state (
      name        TEXT PRIMARY KEY,     -- the derived table
      stale_since TEXT NOT NULL         -- when it stopped following its inputs
    ) STRICT;
  `,
};
