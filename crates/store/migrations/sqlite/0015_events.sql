-- Events in an events space, and members' registrations with a first-come-first-served
-- waitlist. Identical DDL for both backends. Times are UTC microseconds; `time_zone` is the
-- IANA name the host scheduled in, for showing the wall-clock time.
CREATE TABLE events (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    -- Markdown source; rendered and sanitized when shown.
    description TEXT NOT NULL,
    format TEXT NOT NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    time_zone TEXT NOT NULL,
    -- Shown to registrants (and hosts) only.
    online_url TEXT NOT NULL,
    venue TEXT NOT NULL,
    capacity BIGINT,
    registration_deadline BIGINT,
    -- Seats taken: changed only with the event row locked, so it never passes capacity.
    registered_count BIGINT NOT NULL DEFAULT 0,
    -- RFC 5545 SEQUENCE: bumped on every edit, so calendars take the new version.
    sequence BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX events_space_start ON events(space_id, starts_at);
CREATE INDEX events_community_start ON events(community_id, starts_at);

-- One row per member and event. `status` is registered, waitlisted or cancelled;
-- `queued_at` orders the waitlist (set again when someone registers anew after cancelling).
CREATE TABLE event_registrations (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    queued_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX event_registrations_queue ON event_registrations(event_id, status, queued_at, id);
CREATE INDEX event_registrations_user ON event_registrations(user_id, status);
