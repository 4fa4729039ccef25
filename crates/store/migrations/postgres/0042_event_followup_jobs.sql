-- After an event, on their own: the feedback request goes out a delay after the end (per
-- event; NULL is "off"), and an AMA's answered questions are archived at its end into the
-- discussion space the hosts chose. Both run as jobs; the event_followups row is the marker
-- that makes each happen once. Keep in step with the other backend's tree: a test compares them.
ALTER TABLE event_followups ADD COLUMN feedback_delay_minutes BIGINT DEFAULT 60;
ALTER TABLE event_followups ADD COLUMN archive_space_id TEXT REFERENCES spaces(id) ON DELETE SET NULL;

-- A recording uploaded to the server rather than linked: the stored file it plays.
ALTER TABLE event_materials ADD COLUMN file_id TEXT REFERENCES files(id) ON DELETE CASCADE;
CREATE INDEX event_materials_file ON event_materials(file_id);
