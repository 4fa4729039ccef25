-- Moderators' actions on members: a warning (a private message), a mute (cannot post, can
-- read), a suspension (no access beyond a visitor's) or a ban (a suspension without end).
-- Identical DDL for both backends.
CREATE TABLE member_sanctions (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    -- NULL: until lifted (a ban; a warning has no duration).
    ends_at BIGINT,
    lifted_at BIGINT,
    lifted_by TEXT REFERENCES users(id),
    lift_reason TEXT
);
CREATE INDEX member_sanctions_member ON member_sanctions(community_id, user_id, created_at);
CREATE INDEX member_sanctions_active ON member_sanctions(community_id, lifted_at, ends_at);
