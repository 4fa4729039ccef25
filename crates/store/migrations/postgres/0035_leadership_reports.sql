-- The monthly leadership report: the manager's own highlights and insights per month (the
-- figures are computed, never stored), who receives it by e-mail, and the months already
-- mailed (one row per community and month, so several instances and restarts send each once).
CREATE TABLE leadership_reports (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    -- Months since 1970-01, as the analytics count them.
    month BIGINT NOT NULL,
    highlights TEXT NOT NULL,
    insights TEXT NOT NULL,
    updated_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, month)
);

CREATE TABLE leadership_report_settings (
    community_id TEXT PRIMARY KEY NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    -- E-mail addresses, one per line.
    recipients TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE leadership_report_mailings (
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    month BIGINT NOT NULL,
    recipients BIGINT NOT NULL,
    sent_at BIGINT NOT NULL,
    PRIMARY KEY (community_id, month)
);
