-- title: Team names and aliases
-- description: Every team with its current name and every name it has had, with the day each took effect (story 6).
-- description: Reports that take a team accept any of these names, so old and new names report together.

WITH named AS (
  SELECT team_id, name, valid_from,
         lead(valid_from) OVER (PARTITION BY team_id ORDER BY valid_from, id) AS valid_to,
         row_number() OVER (PARTITION BY team_id ORDER BY valid_from DESC, id DESC) AS newest
  FROM team_names
)
SELECT n.team_id,
       cur.name AS current_name,
       n.name,
       substr(n.valid_from, 1, 10) AS took_effect,
       substr(n.valid_to, 1, 10) AS replaced_on,
       n.newest = 1 AS is_current
FROM named AS n
JOIN named AS cur ON cur.team_id = n.team_id AND cur.newest = 1
ORDER BY cur.name, n.valid_from
