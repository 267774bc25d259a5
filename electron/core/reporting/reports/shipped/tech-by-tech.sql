-- title: Who is really working, tech by tech
-- description: One row per tech over a period: tickets touched, comments, points, and the comments worth half a point, also as a share of all their comments. Those who game the statistics with half-point comments come first (story 5).
-- description: A team is given by any of its names, old or new (story 6): it lists everyone who was a member during the period, counting their comments while they were. No team means every tech.
-- description: Days run midnight to midnight UTC, "to" included. Click a column's name to sort by it.
-- param: team text optional "Team (any of its names)" lookup=team_names.name
-- param: from date required "From (day)"
-- param: to date required "To (day, included)"
-- chart: bar x=tech y=half_point_pct

WITH
  period (lo, hi) AS (SELECT date(:from) || 'T00:00:00.000000Z', date(:to, '+1 day') || 'T00:00:00.000000Z'),
  team AS (SELECT DISTINCT team_id FROM team_names WHERE name = :team COLLATE NOCASE),
  -- Whose comments count, and over which stretch: the team's memberships cut to the period, or
  -- every tech over the whole period when no team is given.
  spans (tech_id, lo, hi) AS (
    SELECT m.tech_id, max(m.valid_from, p.lo), min(coalesce(m.valid_to, p.hi), p.hi)
    FROM tech_teams AS m, period AS p
    WHERE :team IS NOT NULL AND m.team_id IN (SELECT team_id FROM team)
    UNION ALL
    SELECT t.id, p.lo, p.hi FROM techs AS t, period AS p WHERE :team IS NULL
  ),
  -- comments_by_tech(tech_id, at, ticket_id, points) answers each stretch from the index alone.
  per_tech AS (
    SELECT s.tech_id,
           count(DISTINCT c.ticket_id) AS tickets_touched,
           count(c.id) AS comments,
           total(c.points) AS points,
           count(CASE WHEN c.points = 0.5 THEN 1 END) AS half_point_comments
    FROM spans AS s
    LEFT JOIN comments AS c ON c.tech_id = s.tech_id AND c.at >= s.lo AND c.at < s.hi
    WHERE s.lo < s.hi
    GROUP BY s.tech_id
  )
SELECT t.login AS tech,
       t.full_name,
       p.tickets_touched,
       p.comments,
       p.points,
       p.half_point_comments,
       round(100.0 * p.half_point_comments / nullif(p.comments, 0), 1) AS half_point_pct
FROM per_tech AS p
JOIN techs AS t ON t.id = p.tech_id
ORDER BY half_point_pct DESC NULLS LAST, p.comments DESC, tech
