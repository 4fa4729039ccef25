-- Engagement tools for community managers: featured posts, scheduled discussion prompts
-- and the introductions space. Identical DDL for SQLite (../sqlite/0004_engagement.sql).

CREATE TABLE featured_posts (
    post_id TEXT PRIMARY KEY NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    featured_by TEXT NOT NULL REFERENCES users(id),
    shout_out TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX featured_posts_community_time ON featured_posts(community_id, created_at);

CREATE TABLE scheduled_prompts (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    run_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    topic_id TEXT REFERENCES topics(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX scheduled_prompts_community_run ON scheduled_prompts(community_id, run_at);

ALTER TABLE communities ADD COLUMN introductions_space_id TEXT REFERENCES spaces(id) ON DELETE SET NULL;

-- Unanswered questions on the community home.
CREATE INDEX topics_unanswered ON topics(community_id, is_question, reply_count, created_at);

-- Feeds list a space's newest topics by creation time.
CREATE INDEX topics_space_created ON topics(space_id, created_at);
