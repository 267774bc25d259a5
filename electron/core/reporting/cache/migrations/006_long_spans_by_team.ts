import type { Migration } from '../../../store/migrations/migration.js';

/**
 * Long-lived spans indexed by team: the queue at a recent moment is mostly tickets open for months
 * (tens of thousands at 1M tickets), counted per team by a range of this index each, instead of
 * grouping them all through a temporary b-tree.
 */
export const migration006: Migration = {
  version: 6,
  name: 'long_spans_by_team',
  up: `
    DROP INDEX ticket_spans_long;
    CREATE INDEX ticket_spans_long ON ticket_spans(long_lived, team_id, opened_at, closed_at) WHERE long_lived = 1;
  `,
};
