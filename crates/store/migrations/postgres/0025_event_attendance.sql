-- Event reminders, check-in and calendar feeds. Identical DDL for both backends.

-- Minutes before the start at which registrants are reminded, comma-separated ("" for none).
ALTER TABLE events ADD COLUMN reminder_minutes TEXT NOT NULL DEFAULT '1440,60';
-- The reminder sweep looks for events starting soon, across communities.
CREATE INDEX events_start ON events(starts_at);

-- Attendance: set by a host from the registrant list or by scanning the member's QR code,
-- which carries `checkin_code` (random, per registration; useless without a host's session).
ALTER TABLE event_registrations ADD COLUMN checked_in_at BIGINT;
ALTER TABLE event_registrations ADD COLUMN checked_in_by TEXT REFERENCES users(id) ON DELETE SET NULL;
ALTER TABLE event_registrations ADD COLUMN checkin_code TEXT;
CREATE UNIQUE INDEX event_registrations_checkin_code ON event_registrations(checkin_code);

-- One row per reminder sent: the primary key makes a reminder go out once, however often
-- the sweep runs or restarts. `starts_at` is part of the key so a rescheduled event
-- reminds again for its new time.
CREATE TABLE event_reminders (
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    minutes_before BIGINT NOT NULL,
    starts_at BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (event_id, user_id, minutes_before, starts_at)
);

-- A member's private calendar feed of their registrations: the address carries a random
-- token, of which only the hash is kept (like sessions); resetting it replaces the row.
CREATE TABLE calendar_feeds (
    user_id TEXT PRIMARY KEY NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);
