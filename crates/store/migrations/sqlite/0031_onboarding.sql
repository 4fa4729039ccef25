-- Onboarding: a community's checklist, welcome message and nudge days (a community without
-- a row uses the defaults in domain::onboarding), the nudges that went out (one per member
-- and nudge day, so several instances and restarts send each once) and the members who
-- asked for no more.
CREATE TABLE onboarding_settings (
    community_id TEXT PRIMARY KEY NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    steps TEXT NOT NULL,
    welcome_message TEXT NOT NULL,
    nudge_days TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE onboarding_nudges (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    day BIGINT NOT NULL,
    -- 'sent', or 'complete' when the checklist was done by then (nothing to send).
    outcome TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, user_id, day)
);

CREATE TABLE onboarding_opt_outs (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, user_id)
);
