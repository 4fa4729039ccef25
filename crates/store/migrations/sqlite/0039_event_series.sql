-- Recurring events. A series holds its rule (an RRULE subset: weekly or monthly, ended by
-- COUNT or UNTIL), its named time zone, and the template its occurrences are made from
-- (JSON: title, description, format, places, capacity, reminders, wall-clock start time
-- and length). Occurrences are ordinary events, so registration, reminders and check-in work
-- per date. Identical DDL for both backends.
CREATE TABLE event_series (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    template TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    cancelled_at BIGINT
);
CREATE INDEX event_series_space ON event_series(space_id);

-- An occurrence: its series, its original start (RFC 5545 RECURRENCE-ID, UTC microseconds),
-- and whether a host edited it alone (an exception: editing the series leaves it be).
ALTER TABLE events ADD COLUMN series_id TEXT REFERENCES event_series(id) ON DELETE SET NULL;
ALTER TABLE events ADD COLUMN recurrence_id BIGINT;
ALTER TABLE events ADD COLUMN edited_alone BOOLEAN NOT NULL DEFAULT FALSE;
CREATE INDEX events_series ON events(series_id, recurrence_id);
