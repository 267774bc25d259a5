import type { Migration } from '../../../store/migrations/migration.js';

/**
 * Each span carries its ticket's team, in the spans' own indexes: the queue at a moment counts the
 * active spans per team from an index alone, where looking each ticket up in `tickets` (tens of
 * thousands of scattered reads at 1M tickets) cost nearly all its time. NULL while the cache has no
 * such ticket (reports leave those out, as a join with tickets did). Kept current by the sync: spans
 * are made with their ticket's team, and a ticket whose team changes updates its spans.
 */
export const migration005: Migration = {
  version: 5,
  name: 'span_teams',
  up: `
    ALTER TABLE ticket_spans ADD COLUMN team_id INTEGER;
    DROP INDEX ticket_spans_by_open;
    DROP INDEX ticket_spans_long;
    UPDATE ticket_spans SET team_id = (SELECT t.team_id FROM tickets AS t WHERE t.id = ticket_spans.ticket_id);
    CREATE INDEX ticket_spans_by_open ON ticket_spans(opened_at, closed_at, team_id);
    CREATE INDEX ticket_spans_long ON ticket_spans(long_lived, opened_at, closed_at, team_id) WHERE long_lived = 1;
  `,
};
