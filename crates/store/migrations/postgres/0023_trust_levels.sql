-- Trust levels (0–4) per membership, recomputed by a scheduled job from the member's
-- activity (see docs/trust-levels.md), and each community's auto-hide threshold: a post
-- flagged by that many members at trust level 2 or higher is hidden until a moderator
-- reviews it. Identical DDL for both backends.
ALTER TABLE memberships ADD COLUMN trust_level BIGINT NOT NULL DEFAULT 0;
ALTER TABLE memberships ADD COLUMN trust_computed_at BIGINT;
ALTER TABLE communities ADD COLUMN auto_hide_flags BIGINT NOT NULL DEFAULT 3;
-- Hidden automatically (pending review) rather than by a moderator.
ALTER TABLE posts ADD COLUMN hidden_automatically BOOLEAN NOT NULL DEFAULT FALSE;
