-- Deleting an account: the user row stays (anonymised) so that analytics rollups keep their
-- anonymous counts; `deleted_at` marks it. Each community decides what happens to a deleted
-- account's posts: 'keep' (shown by "Deleted member") or 'remove'.
-- Identical DDL for SQLite and PostgreSQL.

ALTER TABLE users ADD COLUMN deleted_at BIGINT;
ALTER TABLE communities ADD COLUMN departed_posts TEXT NOT NULL DEFAULT 'keep';
