-- title: The queue over time
-- description: Per day and team, how many tickets were active at 12:00 UTC that day, from the status history of every source (story 7). Days run from "from" to "to", both included.
-- description: Teams are shown by their current name; the team parameter accepts any of its names, old or new.
-- param: from date required "From (day)"
-- param: to date required "To (day, included)"
-- param: team text optional "Team (any of its names)" lookup=team_names.name
-- chart: line x=day y=active series=team

-- The queue at the first noon, then day by day what opened and closed since the noon before:
-- a few range scans over ticket_spans instead of one time-travel query per day.
WITH RECURSIVE
  bounds (t0, t1, split) AS (
    SELECT date(:from) || 'T12:00:00.000000Z',
           date(:to) || 'T12:00:00.000000Z',
           date(:from, '-30 days') || 'T12:00:00.000000Z'
  ),
  days (day) AS (
    SELECT date(:from) WHERE date(:from) <= date(:to)
    UNION ALL
    SELECT date(day, '+1 day') FROM days WHERE day < date(:to)
  ),
  picked AS (
    SELECT id AS team_id FROM teams
     WHERE :team IS NULL OR id IN (SELECT team_id FROM team_names WHERE name = :team COLLATE NOCASE)
  ),
  -- Active at the first noon (as in queue-at: short spans by range, long-lived ones by their index;
  -- each span carries its ticket's team, NULL when the cache lacks the ticket).
  at_start AS (
    SELECT s.team_id FROM ticket_spans AS s, bounds AS b
     WHERE s.opened_at > b.split AND s.opened_at <= b.t0 AND (s.closed_at IS NULL OR s.closed_at > b.t0)
    UNION ALL
    SELECT s.team_id FROM ticket_spans AS s, bounds AS b
     WHERE s.long_lived = 1 AND s.opened_at <= b.split AND (s.closed_at IS NULL OR s.closed_at > b.t0)
  ),
  -- +1 when a span opens after the first noon, -1 when one closes after it; a change at x counts
  -- from the first noon at or after x.
  changes (team_id, at, delta) AS (
    SELECT s.team_id, s.opened_at, 1 FROM ticket_spans AS s, bounds AS b
     WHERE s.opened_at > b.t0 AND s.opened_at <= b.t1
    UNION ALL
    SELECT s.team_id, s.closed_at, -1 FROM ticket_spans AS s, bounds AS b
     WHERE s.opened_at > b.split AND s.opened_at <= b.t1 AND s.closed_at > b.t0 AND s.closed_at <= b.t1
    UNION ALL
    SELECT s.team_id, s.closed_at, -1 FROM ticket_spans AS s, bounds AS b
     WHERE s.long_lived = 1 AND s.opened_at <= b.split AND s.closed_at > b.t0 AND s.closed_at <= b.t1
  ),
  start_per_team AS (
    SELECT a.team_id, count(*) AS active FROM at_start AS a WHERE a.team_id IS NOT NULL GROUP BY a.team_id
  ),
  delta_per_day AS (
    SELECT c.team_id,
           CASE WHEN substr(c.at, 12) <= '12:00:00.000000Z' THEN substr(c.at, 1, 10) ELSE date(c.at, '+1 day') END AS day,
           sum(c.delta) AS delta
    FROM changes AS c
    WHERE c.team_id IS NOT NULL
    GROUP BY 1, 2
  )
SELECT d.day,
       (SELECT name FROM team_names WHERE team_id = p.team_id ORDER BY valid_from DESC, id DESC LIMIT 1) AS team,
       coalesce(sp.active, 0) + sum(coalesce(dd.delta, 0)) OVER (PARTITION BY p.team_id ORDER BY d.day) AS active
FROM days AS d
CROSS JOIN picked AS p
LEFT JOIN start_per_team AS sp ON sp.team_id = p.team_id
LEFT JOIN delta_per_day AS dd ON dd.team_id = p.team_id AND dd.day = d.day
ORDER BY d.day, team
