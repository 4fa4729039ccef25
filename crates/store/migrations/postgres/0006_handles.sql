-- Member handles for @mentions: unique, lower-case. Existing accounts get a placeholder
-- handle made from the random tail of their id; members can change it in their settings.
-- Identical DDL for PostgreSQL.

ALTER TABLE users ADD COLUMN handle TEXT NOT NULL DEFAULT '';
UPDATE users SET handle = 'member_' || substr(replace(id, '-', ''), 21, 12) WHERE handle = '';
CREATE UNIQUE INDEX users_handle ON users(handle);
