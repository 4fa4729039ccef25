-- Discussions (SQLite). Keep the shared tables in step with ../postgres/0002_discussions.sql;
-- only the search table differs (FTS5 here, tsvector there).

CREATE TABLE topics (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    title TEXT NOT NULL,
    tags TEXT NOT NULL,
    is_question BOOLEAN NOT NULL DEFAULT FALSE,
    accepted_post_id TEXT,
    pinned BOOLEAN NOT NULL DEFAULT FALSE,
    locked BOOLEAN NOT NULL DEFAULT FALSE,
    reply_count BIGINT NOT NULL DEFAULT 0,
    reaction_count BIGINT NOT NULL DEFAULT 0,
    last_post_at BIGINT NOT NULL,
    last_poster_id TEXT REFERENCES users(id),
    created_at BIGINT NOT NULL,
    deleted_at BIGINT
);
-- The space list: pinned first, then by latest activity (keyset on last_post_at, id).
CREATE INDEX topics_space_list ON topics(space_id, pinned, last_post_at, id);
CREATE INDEX topics_community_last ON topics(community_id, last_post_at);

CREATE TABLE topic_tags (
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (topic_id, tag)
);
CREATE INDEX topic_tags_tag ON topic_tags(tag);

CREATE TABLE posts (
    id TEXT PRIMARY KEY NOT NULL,
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    reply_to_id TEXT REFERENCES posts(id) ON DELETE SET NULL,
    is_first BOOLEAN NOT NULL,
    body_markdown TEXT NOT NULL,
    body_html TEXT NOT NULL,
    reaction_count BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    edited_at BIGINT,
    deleted_at BIGINT
);
CREATE INDEX posts_topic_time ON posts(topic_id, created_at, id);
CREATE INDEX posts_author_time ON posts(author_id, created_at);

CREATE TABLE post_revisions (
    id TEXT PRIMARY KEY NOT NULL,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    editor_id TEXT NOT NULL REFERENCES users(id),
    body_markdown TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX post_revisions_post ON post_revisions(post_id, created_at);

CREATE TABLE reactions (
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    emoji TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (post_id, user_id, emoji)
);
CREATE INDEX reactions_user ON reactions(user_id, created_at);

CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    community_id TEXT REFERENCES communities(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    actor_id TEXT REFERENCES users(id) ON DELETE SET NULL,
    topic_id TEXT REFERENCES topics(id) ON DELETE CASCADE,
    post_id TEXT REFERENCES posts(id) ON DELETE CASCADE,
    excerpt TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user_time ON notifications(user_id, created_at);
CREATE INDEX notifications_user_unread ON notifications(user_id, read_at);

-- Full-text search over posts (with their topic's title), written with each post.
CREATE VIRTUAL TABLE post_search USING fts5(post_id UNINDEXED, title, body, tokenize = 'porter unicode61');
