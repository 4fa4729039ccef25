-- A host can call an event off: it stays visible, marked cancelled with the host's reason,
-- so registrants and calendars learn of it (calendars by STATUS:CANCELLED and a new SEQUENCE).
ALTER TABLE events ADD COLUMN cancelled_at BIGINT;
ALTER TABLE events ADD COLUMN cancel_reason TEXT NOT NULL DEFAULT '';
