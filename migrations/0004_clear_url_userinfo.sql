-- URLs were stored as given, user:password@ and all (in plain text, and shown to read keys); the API now
-- refuses them. This drops the user information of every stored URL, keeping the scheme, host and the
-- rest: the authority ends at the first / ? # or \ (as the URL parser reads it), and the user
-- information at its last @. secure_delete zeroes the space the old values leave in the pages, rather
-- than leaving the credentials there for the next checkpoint to write back to the database file.
PRAGMA secure_delete = ON;
--> statement-breakpoint
WITH parts AS (
	SELECT id, substr(url, 1, instr(url, '://') + 2) AS scheme, substr(url, instr(url, '://') + 3) AS rest
	FROM servers
	WHERE instr(url, '://') > 0
), authority AS (
	SELECT id, scheme, rest, substr(rest, 1, min(
		coalesce(nullif(instr(rest, '/'), 0), length(rest) + 1),
		coalesce(nullif(instr(rest, '?'), 0), length(rest) + 1),
		coalesce(nullif(instr(rest, '#'), 0), length(rest) + 1),
		coalesce(nullif(instr(rest, char(92)), 0), length(rest) + 1)
	) - 1) AS auth
	FROM parts
)
UPDATE servers
SET url = a.scheme || substr(a.rest, length(rtrim(a.auth, replace(a.auth, '@', ''))) + 1)
FROM authority AS a
WHERE servers.id = a.id AND instr(a.auth, '@') > 0;
--> statement-breakpoint
PRAGMA secure_delete = OFF;
