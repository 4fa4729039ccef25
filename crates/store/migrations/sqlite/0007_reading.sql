-- What each member has read, follows, mutes and bookmarked. Identical DDL for PostgreSQL.

-- The number of replies a member had seen when they last opened a topic.
CREATE TABLE topic_reads (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    read_replies BIGINT NOT NULL,
    read_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, topic_id)
);

-- `following` (told about every reply) or `muted` (told about nothing but mentions).
CREATE TABLE topic_subscriptions (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, topic_id)
);
CREATE INDEX topic_subscriptions_topic ON topic_subscriptions(topic_id, level);

CREATE TABLE bookmarks (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    post_id TEXT NOT NULL REFERENCES posts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, post_id)
);
CREATE INDEX bookmarks_user_time ON bookmarks(user_id, created_at);
