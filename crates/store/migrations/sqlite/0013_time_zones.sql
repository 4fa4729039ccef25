-- Named (IANA) time zones: a community's, for what its managers schedule, and a member's, for
-- when their daily digest arrives. Identical DDL for both backends.
ALTER TABLE communities ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE users ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
