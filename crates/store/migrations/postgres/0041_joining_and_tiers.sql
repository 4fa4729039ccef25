-- Application questions get a help text shown under the question on the join form (admins
-- edit a question's text, help and requirement; answers already given keep the question's
-- text as it was asked, so an edit or a reorder never moves them to another question).
ALTER TABLE application_questions ADD COLUMN help TEXT NOT NULL DEFAULT '';

-- A community's default reminder days for new membership tiers (an admin setting; without a
-- row, 14 and 3 days). Stored as the tier's are: "14, 3", largest first; empty for none.
CREATE TABLE community_tier_settings (
    community_id TEXT PRIMARY KEY NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    default_reminder_days TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
