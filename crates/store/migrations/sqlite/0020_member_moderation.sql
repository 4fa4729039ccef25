-- The member side of moderation: accepting a community's guidelines on joining, moderators'
-- private notes on members, and the reason a moderator gives for editing someone's post.
-- Identical DDL for both backends.

-- Who accepted which version of a community's guidelines, and when. `version` is a digest of
-- the guidelines' text as it was shown (see app::moderation::guidelines::version); a member
-- accepts again when they join again after the text changed.
CREATE TABLE guideline_acceptances (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    version TEXT NOT NULL,
    accepted_at BIGINT NOT NULL
);
CREATE INDEX guideline_acceptances_member ON guideline_acceptances(community_id, user_id, accepted_at);

-- Moderators' private notes on a member: append-only (no route updates or deletes them),
-- seen by the community's moderators and admins only, never by the member.
CREATE TABLE member_notes (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    author_id TEXT NOT NULL REFERENCES users(id),
    body TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX member_notes_member ON member_notes(community_id, user_id, created_at);

-- Why a moderator edited someone else's post (NULL for an author's own edits).
ALTER TABLE post_revisions ADD COLUMN reason TEXT;
