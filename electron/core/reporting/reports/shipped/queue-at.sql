-- title: The queue at a moment (time travel)
-- description: How many tickets each team had active at a past moment, rebuilt from the status history of every source, so a ticket whose close event only the archive holds is not counted as still open (story 7).
-- description: Active means opened (or reopened) at or before the moment and not closed by then. A time without a zone is UTC.
-- description: Teams are shown by their current name, with the name they had then and their former names; the team parameter accepts any of them.
-- param: at datetime required "Moment (UTC)"
-- param: team text optional "Team (any of its names)" lookup=team_names.name
-- chart: bar x=team y=active

WITH
  -- Spans of at most 30 days are found by a range scan over the 30 days before the moment, longer
  -- and still-open ones through their own partial index (see cache/spans.ts), one range per team.
  -- The split point keeps :at's microseconds so that both parts agree on it to the digit. Each span
  -- carries its ticket's team (NULL when the cache lacks the ticket): the counts come from indexes alone.
  split (at) AS (SELECT strftime('%Y-%m-%dT%H:%M:%S', :at, '-30 days') || substr(:at, 20)),
  short_per_team AS (
    SELECT s.team_id, count(*) AS active FROM ticket_spans AS s
     WHERE s.opened_at > (SELECT at FROM split) AND s.opened_at <= :at AND (s.closed_at IS NULL OR s.closed_at > :at)
       AND s.team_id IS NOT NULL
     GROUP BY s.team_id
  ),
  picked AS (
    SELECT id AS team_id FROM teams
     WHERE :team IS NULL OR id IN (SELECT team_id FROM team_names WHERE name = :team COLLATE NOCASE)
  ),
  per_team AS (
    SELECT p.team_id,
           coalesce(q.active, 0) + (
             SELECT count(*) FROM ticket_spans AS s
              WHERE s.long_lived = 1 AND s.team_id = p.team_id AND s.opened_at <= (SELECT at FROM split)
                AND (s.closed_at IS NULL OR s.closed_at > :at)
           ) AS active
    FROM picked AS p
    LEFT JOIN short_per_team AS q ON q.team_id = p.team_id
  )
SELECT (SELECT name FROM team_names WHERE team_id = p.team_id ORDER BY valid_from DESC, id DESC LIMIT 1) AS team,
       (SELECT name FROM team_names WHERE team_id = p.team_id AND valid_from <= :at ORDER BY valid_from DESC, id DESC LIMIT 1) AS name_then,
       (SELECT group_concat(name, ', ') FROM (SELECT name FROM team_names WHERE team_id = p.team_id ORDER BY valid_from DESC, id DESC LIMIT -1 OFFSET 1)) AS former_names,
       p.active
FROM per_team AS p
ORDER BY active DESC, team
