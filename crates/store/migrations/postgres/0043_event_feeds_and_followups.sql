-- Events by their end: the worker's start-up sweep finds events that have not ended (or
-- ended within the longest feedback delay) and lack their follow-up jobs, as events made
-- before 0042 do, by a range over this index. Identical DDL for both backends; keep in step
-- with the other tree (a test compares them).
CREATE INDEX events_end ON events(ends_at);

-- A series' own calendar SEQUENCE: bumped when the series is edited or cancelled, so the
-- recurring event in the public feed (whose SEQUENCE adds its dates' to this) changes even
-- when no date did.
ALTER TABLE event_series ADD COLUMN sequence BIGINT NOT NULL DEFAULT 0;
