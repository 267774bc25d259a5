-- title: Who is really working (reflection)
-- description: Per day, for one tech or a team: tickets touched (distinct tickets commented on), comments, points, and the share of comments worth half a point (story 5).
-- description: A team is given by any of its names, old or new; it counts the comments of whoever was a member when they commented.
-- description: Give a tech, a team, or both (that tech while in that team); neither means everyone. Days run midnight to midnight UTC, "to" included.
-- description: A tech or team name the cache does not know is said so, rather than shown as days of nothing.
-- param: tech text optional "Tech (login)" lookup=techs.login
-- param: team text optional "Team (any of its names)" lookup=team_names.name
-- param: from date required "From (day)"
-- param: to date required "To (day, included)"
-- chart: line x=day y=comments,points

WITH RECURSIVE
  tech AS (SELECT id FROM techs WHERE login = :tech COLLATE NOCASE),
  team AS (SELECT DISTINCT team_id FROM team_names WHERE name = :team COLLATE NOCASE),
  known AS (
    SELECT (:tech IS NULL OR EXISTS (SELECT 1 FROM tech)) AND (:team IS NULL OR EXISTS (SELECT 1 FROM team)) AS ok
  ),
  -- Whose comments count, and over which stretch of the period: the team's memberships cut to the period.
  who (tech_id, lo, hi) AS (
    SELECT m.tech_id, max(m.valid_from, :from), min(coalesce(m.valid_to, date(:to, '+1 day')), date(:to, '+1 day'))
    FROM tech_teams AS m
    WHERE :team IS NOT NULL AND m.team_id IN (SELECT team_id FROM team)
      AND (:tech IS NULL OR m.tech_id IN (SELECT id FROM tech))
    UNION ALL
    SELECT id, :from, date(:to, '+1 day') FROM tech WHERE :team IS NULL
    UNION ALL
    SELECT id, :from, date(:to, '+1 day') FROM techs WHERE :tech IS NULL AND :team IS NULL
  ),
  -- comments_by_tech(tech_id, at, ticket_id, points) answers this from the index alone.
  per_day AS (
    SELECT substr(c.at, 1, 10) AS day,
           count(DISTINCT c.ticket_id) AS tickets_touched,
           count(*) AS comments,
           total(c.points) AS points,
           sum(c.points = 0.5) AS half_points
    FROM who
    JOIN comments AS c ON c.tech_id = who.tech_id AND c.at >= who.lo AND c.at < who.hi
    GROUP BY day
  ),
  days (day) AS (
    SELECT date(:from) FROM known WHERE ok AND date(:from) <= date(:to)
    UNION ALL
    SELECT date(day, '+1 day') FROM days WHERE day < date(:to)
  )
SELECT d.day,
       coalesce(p.tickets_touched, 0) AS tickets_touched,
       coalesce(p.comments, 0) AS comments,
       coalesce(p.points, 0) AS points,
       round(1.0 * p.half_points / p.comments, 3) AS half_point_share
FROM days AS d
LEFT JOIN per_day AS p ON p.day = d.day
ORDER BY d.day
