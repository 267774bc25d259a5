/**
 * Ticket activity spans for queue time travel (story 7): one row per stretch of time a ticket was
 * active, derived from the status events of every source together, so a close event that only the
 * second database holds still ends the span. A ticket is active at T when a span has
 * opened_at <= T and (closed_at IS NULL OR closed_at > T).
 *
 * Spans of the tickets in a batch of status events are recomputed inside that batch's transaction;
 * a sync that reads a status-events table from its beginning (full, or first) instead marks the
 * spans stale (derived_state) and rebuilds them all once at its end (REBUILD_SPANS_SQL).
 */
import type Database from 'better-sqlite3';

/** How long a span may be and still be found by the short-span range scan; longer ones are flagged `long_lived`. */
export const SHORT_SPAN_DAYS = 30;

/** The spans of the tickets whose ids are given as a JSON array in `$tickets`, from all their events. */
const SPANS_OF_TICKETS_SELECT = `
  WITH ev AS (
    SELECT ticket_id, at, status = 'closed' AS is_close,
           lag(status = 'closed', 1, 1) OVER (PARTITION BY ticket_id ORDER BY at, status = 'closed') AS after_close
    FROM ticket_status_events
    WHERE ticket_id IN (SELECT value FROM json_each($tickets))
  )
  SELECT ev.ticket_id, ev.at,
         (SELECT min(c.at) FROM ticket_status_events c WHERE c.ticket_id = ev.ticket_id AND c.status = 'closed' AND c.at >= ev.at),
         (SELECT t.team_id FROM tickets t WHERE t.id = ev.ticket_id)
  FROM ev
  WHERE NOT ev.is_close AND ev.after_close`;

/** Recomputing the spans of the tickets whose ids are given as a JSON array in `$tickets`: first this... */
export const DELETE_SPANS_SQL = `DELETE FROM ticket_spans WHERE ticket_id IN (SELECT value FROM json_each($tickets))`;
/** ...then this. */
export const INSERT_SPANS_SQL = `INSERT INTO ticket_spans (ticket_id, opened_at, closed_at, team_id) ${SPANS_OF_TICKETS_SELECT}`;

/**
 * Brings the spans of some tickets to what their events give, writing only the spans that changed.
 * Deleting and inserting every span of a batch's tickets rewrote each of them in the spans' three
 * b-trees (ticket, open time, long-lived by team), scattered pages all; a new event usually changes
 * one span of its ticket, or adds one. The new spans are computed into a temporary table, and
 * ticket_spans loses the spans that are not there and gains those it lacks: the same rows as
 * DELETE_SPANS_SQL then INSERT_SPANS_SQL (spans.test.ts checks it over generated event streams).
 */
export class SpanUpdater {
  private readonly stage: Database.Statement;
  private readonly dropChanged: Database.Statement;
  private readonly addChanged: Database.Statement;
  private readonly clear: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS spans_stage (
      ticket_id INTEGER NOT NULL, opened_at TEXT NOT NULL, closed_at TEXT, team_id INTEGER,
      PRIMARY KEY (ticket_id, opened_at)) WITHOUT ROWID`);
    this.stage = db.prepare(`INSERT INTO temp.spans_stage (ticket_id, opened_at, closed_at, team_id) ${SPANS_OF_TICKETS_SELECT}`);
    this.dropChanged = db.prepare(`
      DELETE FROM ticket_spans
      WHERE ticket_id IN (SELECT value FROM json_each($tickets))
        AND NOT EXISTS (SELECT 1 FROM temp.spans_stage n
                        WHERE n.ticket_id = ticket_spans.ticket_id AND n.opened_at = ticket_spans.opened_at
                          AND n.closed_at IS ticket_spans.closed_at AND n.team_id IS ticket_spans.team_id)`);
    // What is left of a ticket's spans after that delete is equal to its staged span: the key suffices.
    this.addChanged = db.prepare(`
      INSERT INTO ticket_spans (ticket_id, opened_at, closed_at, team_id)
      SELECT n.ticket_id, n.opened_at, n.closed_at, n.team_id FROM temp.spans_stage n
      WHERE NOT EXISTS (SELECT 1 FROM ticket_spans s WHERE s.ticket_id = n.ticket_id AND s.opened_at = n.opened_at)`);
    this.clear = db.prepare('DELETE FROM temp.spans_stage');
  }

  /** `tickets`: a JSON array of ticket ids. Run inside the caller's transaction. */
  update(tickets: string): void {
    this.clear.run();
    this.stage.run({ tickets });
    this.dropChanged.run({ tickets });
    this.addChanged.run();
    this.clear.run();
  }
}

/**
 * Every span from every status event, into an empty ticket_spans: the same rows INSERT_SPANS_SQL
 * gives for all tickets, computed without its sort. In INSERT_SPANS_SQL's order (at, then closes
 * last) the events of one moment are its non-closes, then its closes; so a span starts at a moment
 * with a non-close whose previous moment had a close (or that is the ticket's first moment), and
 * the index's (ticket_id, at) order is all the window needs.
 */
export const REBUILD_SPANS_SQL = `
  INSERT INTO ticket_spans (ticket_id, opened_at, closed_at, team_id)
  SELECT m.ticket_id, m.at,
         (SELECT min(c.at) FROM ticket_status_events c WHERE c.ticket_id = m.ticket_id AND c.status = 'closed' AND c.at >= m.at),
         (SELECT t.team_id FROM tickets t WHERE t.id = m.ticket_id)
  FROM (
    SELECT ticket_id, at, max(status <> 'closed') AS has_open,
           lag(max(status = 'closed'), 1, 1) OVER (PARTITION BY ticket_id ORDER BY at) AS after_close
    FROM ticket_status_events
    GROUP BY ticket_id, at
  ) AS m
  WHERE m.has_open AND m.after_close`;

/**
 * The team of the spans of the tickets whose ids are given as a JSON array in $tickets, from
 * `tickets` (after a batch of tickets landed): only spans whose team changed are written.
 */
export const UPDATE_SPAN_TEAMS_SQL = `
  UPDATE ticket_spans SET team_id = (SELECT t.team_id FROM tickets t WHERE t.id = ticket_spans.ticket_id)
  WHERE ticket_id IN (SELECT value FROM json_each($tickets))
    AND team_id IS NOT (SELECT t.team_id FROM tickets t WHERE t.id = ticket_spans.ticket_id)`;

/**
 * Tickets active at $at, counted per team (each span carries its ticket's team; spans of tickets
 * the cache does not have are left out). Short spans are found by a range scan over the
 * SHORT_SPAN_DAYS before $at; long-lived (and still open) spans through their own partial index.
 */
export const ACTIVE_AT_PER_TEAM_SQL = `
  SELECT s.team_id, count(*) AS active
  FROM (
    SELECT team_id FROM ticket_spans
     WHERE opened_at > strftime('%Y-%m-%dT%H:%M:%fZ', $at, '-${SHORT_SPAN_DAYS} days') AND opened_at <= $at
       AND (closed_at IS NULL OR closed_at > $at)
    UNION ALL
    SELECT team_id FROM ticket_spans
     WHERE long_lived = 1 AND opened_at <= strftime('%Y-%m-%dT%H:%M:%fZ', $at, '-${SHORT_SPAN_DAYS} days')
       AND (closed_at IS NULL OR closed_at > $at)
  ) AS s
  WHERE s.team_id IS NOT NULL
  GROUP BY s.team_id
  ORDER BY s.team_id`;
