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

-- Automatic flags have no human reporter.
ALTER TABLE flags ALTER COLUMN reporter_id DROP NOT NULL;
