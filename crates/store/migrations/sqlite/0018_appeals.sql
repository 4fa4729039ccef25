-- A member's appeal against a moderation action about them: one per action, resolved as
-- upheld or overturned with a reason the member sees. Identical DDL for both backends.
CREATE TABLE appeals (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    action_id TEXT NOT NULL UNIQUE REFERENCES moderation_actions(id),
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT REFERENCES users(id),
    resolution TEXT
);
CREATE INDEX appeals_queue ON appeals(community_id, status, created_at);
