-- Membership tiers: what a community offers (name, a free-text price, benefits in Markdown,
-- the period a term lasts — none for tiers without end — and the days before expiry on which
-- holders are reminded), the spaces each tier unlocks (a space listed here is readable only by
-- members holding an active tier that unlocks it, and by staff), the members' terms, the
-- renewals an admin recorded, and the reminders that went out (one per term and day, so
-- several instances and restarts send each once).
CREATE TABLE membership_tiers (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    price_label TEXT NOT NULL,
    benefits TEXT NOT NULL,
    period_months BIGINT,
    reminder_days TEXT NOT NULL,
    archived_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX membership_tiers_name ON membership_tiers (community_id, name);

CREATE TABLE membership_tier_spaces (
    tier_id TEXT NOT NULL REFERENCES membership_tiers(id) ON DELETE CASCADE,
    space_id TEXT NOT NULL REFERENCES spaces(id) ON DELETE CASCADE,
    PRIMARY KEY (tier_id, space_id)
);
CREATE INDEX membership_tier_spaces_space ON membership_tier_spaces (space_id);

-- One row per term a member held a tier: 'active' (until expires_at, if any), 'expired'
-- (set by the expiry sweep) or 'ended' (by an admin).
CREATE TABLE member_tiers (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tier_id TEXT NOT NULL REFERENCES membership_tiers(id) ON DELETE CASCADE,
    status TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    expires_at BIGINT,
    ended_at BIGINT,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX member_tiers_member ON member_tiers (community_id, user_id, status);
CREATE INDEX member_tiers_tier ON member_tiers (tier_id, user_id, status);
CREATE INDEX member_tiers_due ON member_tiers (status, expires_at);
CREATE INDEX member_tiers_expiry ON member_tiers (community_id, expires_at);

CREATE TABLE member_tier_renewals (
    id TEXT PRIMARY KEY NOT NULL,
    member_tier_id TEXT NOT NULL REFERENCES member_tiers(id) ON DELETE CASCADE,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    previous_expires_at BIGINT NOT NULL,
    new_expires_at BIGINT NOT NULL,
    renewed_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    renewed_at BIGINT NOT NULL
);
CREATE INDEX member_tier_renewals_term ON member_tier_renewals (member_tier_id, renewed_at);
CREATE INDEX member_tier_renewals_due ON member_tier_renewals (community_id, previous_expires_at);

CREATE TABLE member_tier_reminders (
    member_tier_id TEXT NOT NULL REFERENCES member_tiers(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL,
    days_before BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (member_tier_id, expires_at, days_before)
);
