-- Usernames are unique regardless of case ("Name" and "name" cannot both exist: impersonation).
-- Names stay as registered, while uniqueness and login compare lower(username).
--
-- Existing collisions: in each group of names equal but for case, the earliest account (created_at,
-- then id) keeps its name. Each later one, in a fixed order, gets the smallest number n >= 1 appended
-- (the name cut to leave room within 32 characters) that neither an existing account in any case nor
-- an earlier rename holds. Deterministic, and the new names still match the username rule (letters,
-- digits, "_" and "."). One statement without semicolons inside (Prisma's driver-adapter migrate
-- splits scripts at every semicolon): the recursion carries the names given so far.
WITH RECURSIVE later AS (
  SELECT id, username, row_number() OVER (ORDER BY lower(username), rank) AS k
  FROM (
    SELECT id, username, row_number() OVER (PARTITION BY lower(username) ORDER BY created_at, id) AS rank
    FROM "users"
  ) ranked
  WHERE rank > 1
), renamed (k, id, username, given) AS (
  SELECT 0::bigint, NULL::bigint, NULL::text, ARRAY[]::text[]
  UNION ALL
  SELECT l.k, l.id, c.username, r.given || lower(c.username)
  FROM renamed r
  JOIN later l ON l.k = r.k + 1
  CROSS JOIN LATERAL (
    SELECT left(l.username, 32 - length(n::text)) || n::text AS username
    FROM generate_series(1, 1000000) AS n
    WHERE lower(left(l.username, 32 - length(n::text)) || n::text) <> ALL (r.given)
      AND NOT EXISTS (SELECT 1 FROM "users" u WHERE lower(u.username) = lower(left(l.username, 32 - length(n::text)) || n::text))
    ORDER BY n
    LIMIT 1
  ) c
)
UPDATE "users" SET "username" = renamed.username FROM renamed WHERE "users".id = renamed.id;

-- An expression index, which Prisma's schema cannot state (migrate diff ignores it: no drift).
CREATE UNIQUE INDEX "users_username_lower_key" ON "users" (lower("username"));
