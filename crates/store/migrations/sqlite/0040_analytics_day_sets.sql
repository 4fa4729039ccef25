-- Analytics rollups, second layer (docs/metrics.md, "How the figures are computed"). Keep in
-- step with the other backend's tree: a test compares the two.

-- Each member of a community gets a small dense number, so that a day's active members are a
-- compressed bitmap of numbers. Numbers are handed out in blocks from a per-community counter
-- whose row lock serialises the hand-out across instances.
CREATE TABLE analytics_member_numbers (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    number BIGINT NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
CREATE UNIQUE INDEX analytics_member_numbers_number ON analytics_member_numbers(community_id, number);

CREATE TABLE analytics_number_counters (
    community_id TEXT PRIMARY KEY REFERENCES communities(id) ON DELETE CASCADE,
    next_number BIGINT NOT NULL
);

-- A community-local day that is over, sealed: the Roaring bitmaps of its members with any
-- activity, who participated, who contributed and whose stint began. Built from
-- analytics_member_days and analytics_memberships when first needed (or by the worker);
-- recording an activity or a join for a sealed day deletes the day's row, so it is rebuilt.
-- `generation` changes at every sealing, so that a cached copy can be checked cheaply.
CREATE TABLE analytics_day_sets (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    generation BIGINT NOT NULL,
    any_set BYTEA NOT NULL,
    participated_set BYTEA NOT NULL,
    contributed_set BYTEA NOT NULL,
    joined_set BYTEA NOT NULL,
    PRIMARY KEY (community_id, day)
);

-- Stints begun and ended per community-local day, kept with each join and leave: the members
-- at the end of any day are a running sum over a few hundred rows.
CREATE TABLE analytics_membership_days (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    joined BIGINT NOT NULL,
    ended BIGINT NOT NULL,
    PRIMARY KEY (community_id, day)
);

INSERT INTO analytics_membership_days (community_id, day, joined, ended)
SELECT community_id, day, SUM(joined), SUM(ended) FROM (
    SELECT community_id, joined_day AS day, 1 AS joined, 0 AS ended FROM analytics_memberships
    UNION ALL
    SELECT community_id, left_day AS day, 0 AS joined, 1 AS ended FROM analytics_memberships
    WHERE left_day IS NOT NULL
) AS changes
GROUP BY community_id, day;

-- The live days are read as a range of (community, day) every dashboard: keep the member-day
-- rows in primary-key order (WITHOUT ROWID), so that range is one sequential read instead of a
-- row lookup per member. PostgreSQL reads the range through its index either way.
CREATE TABLE analytics_member_days_clustered (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    month BIGINT NOT NULL,
    kinds BIGINT NOT NULL,
    activities BIGINT NOT NULL,
    posts BIGINT NOT NULL,
    reactions BIGINT NOT NULL,
    PRIMARY KEY (community_id, day, user_id)
) WITHOUT ROWID;
INSERT INTO analytics_member_days_clustered
SELECT community_id, day, user_id, month, kinds, activities, posts, reactions
FROM analytics_member_days;
DROP TABLE analytics_member_days;
ALTER TABLE analytics_member_days_clustered RENAME TO analytics_member_days;
CREATE INDEX analytics_member_days_month ON analytics_member_days(community_id, month, user_id);
CREATE INDEX analytics_member_days_user ON analytics_member_days(community_id, user_id, month, day);

-- A period's new members by source and campaign (with activation) and the joined sets read
-- stints by join day: cover those reads, so they never visit the table.
DROP INDEX analytics_memberships_joined;
CREATE INDEX analytics_memberships_by_day ON analytics_memberships(community_id, joined_day,
    source, campaign, joined_at, first_post_at, user_id);
