-- Events by their end: the worker's start-up sweep finds events that have not ended (or
-- ended within the longest feedback delay) and lack their follow-up jobs, as events made
-- before 0042 do, by a range over this index. Identical DDL for both backends; keep in step
-- with the other tree (a test compares them).
CREATE INDEX events_end ON events(ends_at);
