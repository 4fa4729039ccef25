-- Ticket types: every event has at least one (free; `price_label` is only shown, never
-- charged). `quantity` NULL means no limit of its own (the event's capacity still holds).
-- `taken` counts the seats held with this type: changed only with the event's row locked
-- and by a conditional UPDATE, so it never passes `quantity`. Identical DDL for both backends.
CREATE TABLE event_ticket_types (
    id TEXT PRIMARY KEY NOT NULL,
    event_id TEXT NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    ordinal BIGINT NOT NULL,
    name TEXT NOT NULL,
    price_label TEXT NOT NULL,
    description TEXT NOT NULL,
    quantity BIGINT,
    taken BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);
CREATE INDEX event_ticket_types_event ON event_ticket_types(event_id, ordinal);

-- The type a registration holds a seat of, or waits for (its own first-come-first-served
-- waitlist).
ALTER TABLE event_registrations ADD COLUMN ticket_type_id TEXT
    REFERENCES event_ticket_types(id) ON DELETE SET NULL;
CREATE INDEX event_registrations_ticket_queue
    ON event_registrations(ticket_type_id, status, queued_at, id);

-- Existing events get one "General admission" type without a limit of its own: their
-- capacity keeps governing, so they behave as before.
INSERT INTO event_ticket_types
    (id, event_id, ordinal, name, price_label, description, quantity, taken, created_at)
SELECT 'general-' || id, id, 1, 'General admission', '', '', NULL, registered_count, created_at
FROM events;
UPDATE event_registrations SET ticket_type_id = 'general-' || event_id;
