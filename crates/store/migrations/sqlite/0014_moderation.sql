-- Moderation: members' flags on any kind of content, hidden posts, and the append-only audit
-- log of moderators' actions. Identical DDL for both backends.

-- A flag on an item (`post`, `topic`, `user`; later `chat_message`, `event`). `open_key` is
-- reporter:kind:id while the flag is open and NULL once handled, so its unique index allows
-- one open flag per member per item and any number of handled ones.
CREATE TABLE flags (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    -- The space the item is in, for the queue's filter (NULL for members).
    space_id TEXT REFERENCES spaces(id) ON DELETE SET NULL,
    reporter_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    open_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT REFERENCES users(id),
    resolution TEXT
);
CREATE INDEX flags_queue ON flags(community_id, status, created_at);
CREATE INDEX flags_target ON flags(target_kind, target_id, status);
CREATE INDEX flags_reporter ON flags(reporter_id, created_at);

-- Hidden by a moderator: its author still sees it, marked; others see that it is hidden.
ALTER TABLE posts ADD COLUMN hidden_at BIGINT;

-- Every moderation action: who did what to which item or member, and why. No route updates
-- or deletes these rows.
CREATE TABLE moderation_actions (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    actor_id TEXT NOT NULL REFERENCES users(id),
    action TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    subject_user_id TEXT REFERENCES users(id),
    reason TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX moderation_actions_log ON moderation_actions(community_id, created_at, id);
CREATE INDEX moderation_actions_subject ON moderation_actions(subject_user_id, created_at);
