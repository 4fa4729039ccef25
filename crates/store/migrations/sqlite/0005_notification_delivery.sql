-- How each member wants to hear about each kind of notification, and which notifications
-- have gone out by e-mail (immediately or in a digest). Identical DDL for PostgreSQL.

CREATE TABLE notification_preferences (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    delivery TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);

ALTER TABLE notifications ADD COLUMN delivery TEXT NOT NULL DEFAULT 'in_app';
ALTER TABLE notifications ADD COLUMN emailed_at BIGINT;

-- The digest job finds what is waiting for it.
CREATE INDEX notifications_digest_due ON notifications(delivery, emailed_at, user_id);
