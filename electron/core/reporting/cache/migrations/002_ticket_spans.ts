import type { Migration } from '../../../store/migrations/migration.js';
import { SHORT_SPAN_DAYS } from '../spans.js';

/** spans.ts's INSERT_SPANS_SQL as it was at this version (before span teams, 005): a migration does not change. */
const INSERT_SPANS_V2_SQL = `
  INSERT INTO ticket_spans (ticket_id, opened_at, closed_at)
  WITH ev AS (
    SELECT ticket_id, at, status = 'closed' AS is_close,
           lag(status = 'closed', 1, 1) OVER (PARTITION BY ticket_id ORDER BY at, status = 'closed') AS after_close
    FROM ticket_status_events
    WHERE ticket_id IN (SELECT value FROM json_each($tickets))
  )
  SELECT ev.ticket_id, ev.at,
         (SELECT min(c.at) FROM ticket_status_events c WHERE c.ticket_id = ev.ticket_id AND c.status = 'closed' AND c.at >= ev.at)
  FROM ev
  WHERE NOT ev.is_close AND ev.after_close`;

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
    ${INSERT_SPANS_V2_SQL.replaceAll('$tickets', '(SELECT json_group_array(DISTINCT ticket_id) FROM ticket_status_events)')};
  `,
};
