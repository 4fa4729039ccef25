-- The community home's topic lists: trending, top per period, and following or muting whole
-- spaces. Identical DDL for both backends.

-- Trending: a time-decayed interaction score in log2 units (see domain::ranking), updated by
-- every interaction. Existing topics start as if their last post were their one interaction.
ALTER TABLE topics ADD COLUMN trend_score DOUBLE PRECISION NOT NULL DEFAULT 0;
UPDATE topics SET trend_score = CAST(last_post_at AS DOUBLE PRECISION) / 172800000000.0;
CREATE INDEX topics_community_trend ON topics(community_id, trend_score);

-- Top topics per community and period (week, month, year), by replies and reactions in the
-- trailing window; recomputed by a job, so the home page reads a few rows.
CREATE TABLE topic_top (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    period TEXT NOT NULL,
    topic_id TEXT NOT NULL REFERENCES topics(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    interactions BIGINT NOT NULL,
    computed_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, period, topic_id)
);
CREATE INDEX topic_top_rank ON topic_top(community_id, period, interactions);
-- What the job counts: replies and reactions of a community since a moment.
CREATE INDEX posts_community_time ON posts(community_id, created_at);
CREATE INDEX reactions_time ON reactions(created_at);

-- `following` (told about every new topic) or `muted` (its topics left out of the home's
-- lists, and no notifications but mentions).
CREATE TABLE space_subscriptions (
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    level TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, space_id)
);
CREATE INDEX space_subscriptions_space ON space_subscriptions(space_id, level);
