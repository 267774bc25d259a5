import type { Migration } from '../../../store/migrations/migration.js';
import { INSERT_SPANS_SQL, SHORT_SPAN_DAYS } from '../spans.js';

/** Activity spans for queue time travel (see spans.ts), backfilled from the events already cached. */
export const migration002: Migration = {
  version: 2,
  name: 'ticket_spans',
  up: `
    CREATE TABLE ticket_spans (
      ticket_id   INTEGER NOT NULL,
      opened_at   TEXT NOT NULL,
      closed_at   TEXT,
      long_lived  INTEGER NOT NULL GENERATED ALWAYS AS
        (closed_at IS NULL OR julianday(closed_at) - julianday(opened_at) > ${SHORT_SPAN_DAYS}) STORED,
      PRIMARY KEY (ticket_id, opened_at)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX ticket_spans_by_open ON ticket_spans(opened_at, closed_at, ticket_id);
    CREATE INDEX ticket_spans_long ON ticket_spans(long_lived, opened_at, closed_at, ticket_id) WHERE long_lived = 1;
    ${INSERT_SPANS_SQL.replaceAll('$tickets', '(SELECT json_group_array(DISTINCT ticket_id) FROM ticket_status_events)')};
  `,
};
