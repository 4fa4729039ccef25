-- Automatic protection, per community: keyword and pattern rules, and limits on new members
-- and on how fast a member may post and flag.

-- A rule: a keyword (whole word, any case) or a regular expression, and what a match does:
-- `block` (refuse the post with `message`), `hold` (save it for approval) or `flag`.
CREATE TABLE auto_moderation_rules (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    pattern TEXT NOT NULL,
    action TEXT NOT NULL,
    message TEXT NOT NULL,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX auto_moderation_rules_community ON auto_moderation_rules(community_id, created_at);

-- The community's limits; without a row the defaults apply.
CREATE TABLE auto_moderation_settings (
    community_id TEXT PRIMARY KEY NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    hold_first_posts BIGINT NOT NULL,
    new_member_days BIGINT NOT NULL,
    new_member_links BIGINT NOT NULL,
    new_member_mentions BIGINT NOT NULL,
    posts_per_minute BIGINT NOT NULL,
    topics_per_day BIGINT NOT NULL,
    flags_per_day BIGINT NOT NULL,
    updated_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);

-- A post (or a new topic, with its first post) held for approval: seen only by its author
-- and moderators, out of lists, counts, search, feeds and notifications until approved.
ALTER TABLE posts ADD COLUMN held_at BIGINT;
ALTER TABLE posts ADD COLUMN held_reason TEXT;
ALTER TABLE topics ADD COLUMN held_at BIGINT;
CREATE INDEX posts_held ON posts(community_id, held_at);

-- Automatic flags have no human reporter. SQLite cannot drop a NOT NULL, so the table is
-- rebuilt with the same columns and indexes (nothing references flags).
CREATE TABLE flags_new (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    target_kind TEXT NOT NULL,
    target_id TEXT NOT NULL,
    space_id TEXT REFERENCES spaces(id) ON DELETE SET NULL,
    reporter_id TEXT REFERENCES users(id) ON DELETE CASCADE,
    reason TEXT NOT NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL,
    open_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    resolved_at BIGINT,
    resolved_by TEXT REFERENCES users(id),
    resolution TEXT
);
INSERT INTO flags_new SELECT id, community_id, target_kind, target_id, space_id, reporter_id,
    reason, note, status, open_key, created_at, resolved_at, resolved_by, resolution FROM flags;
DROP TABLE flags;
ALTER TABLE flags_new RENAME TO flags;
CREATE INDEX flags_queue ON flags(community_id, status, created_at);
CREATE INDEX flags_target ON flags(target_kind, target_id, status);
CREATE INDEX flags_reporter ON flags(reporter_id, created_at);
