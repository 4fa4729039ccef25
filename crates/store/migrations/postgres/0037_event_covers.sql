-- An event's cover picture (a processed PNG in `files`), kept beside the event so the event
-- row and its many writers stay as they are. Identical DDL for SQLite and PostgreSQL.

CREATE TABLE event_covers (
    event_id TEXT PRIMARY KEY NOT NULL REFERENCES events(id) ON DELETE CASCADE,
    file_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
