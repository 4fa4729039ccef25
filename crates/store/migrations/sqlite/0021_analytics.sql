-- Analytics rollups (docs/metrics.md), written in the transaction of each activity so that no
-- dashboard figure scans the activity log. Keep in step with the other backend's tree: a test
-- compares the two.

-- One row per member per community-local day with any activity: a bitmask of what they did
-- (domain::analytics::kind) and a few counts. `day` is days since 1970-01-01 of the local date,
-- `month` months since 1970-01.
CREATE TABLE analytics_member_days (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    month BIGINT NOT NULL,
    kinds BIGINT NOT NULL,
    activities BIGINT NOT NULL,
    posts BIGINT NOT NULL,
    reactions BIGINT NOT NULL,
    PRIMARY KEY (community_id, day, user_id)
);
CREATE INDEX analytics_member_days_month ON analytics_member_days(community_id, month, user_id);
CREATE INDEX analytics_member_days_user ON analytics_member_days(community_id, user_id, month, day);

-- Membership history: one row per stint (joined .. left), with how the member came in and
-- when they first posted in that stint.
CREATE TABLE analytics_memberships (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    joined_at BIGINT NOT NULL,
    joined_day BIGINT NOT NULL,
    joined_month BIGINT NOT NULL,
    left_at BIGINT,
    left_day BIGINT,
    source TEXT NOT NULL,
    campaign TEXT NOT NULL,
    first_post_at BIGINT,
    PRIMARY KEY (community_id, user_id, joined_at)
);
CREATE INDEX analytics_memberships_joined ON analytics_memberships(community_id, joined_day);
CREATE INDEX analytics_memberships_open ON analytics_memberships(community_id, user_id, left_at);

-- Members who joined before this migration: their stints, with UTC days.
INSERT INTO analytics_memberships (community_id, user_id, joined_at, joined_day, joined_month,
    left_at, left_day, source, campaign, first_post_at)
SELECT community_id, user_id, joined_at, joined_at / 86400000000,
    (CAST(strftime('%Y', joined_at / 1000000, 'unixepoch') AS INTEGER) - 1970) * 12
        + CAST(strftime('%m', joined_at / 1000000, 'unixepoch') AS INTEGER) - 1,
    NULL, NULL, source, campaign, NULL
FROM memberships WHERE status = 'active';
