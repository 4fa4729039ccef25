-- Invitations: shareable links (any number of uses, up to max_uses) and personal e-mail
-- invitations (one use), each optionally tagged with a source and a campaign. Keep in step
-- with the other backend's tree: a test compares the two.
CREATE TABLE invitations (
    id TEXT PRIMARY KEY NOT NULL,
    community_id TEXT NOT NULL REFERENCES communities(id) ON DELETE CASCADE,
    -- 'link' or 'email'
    kind TEXT NOT NULL,
    -- SHA-256 of the token in the link; the token itself is kept (link_token) only for
    -- shareable links, which managers copy again from the list. E-mail links exist only in
    -- the e-mail.
    token_hash TEXT NOT NULL UNIQUE,
    link_token TEXT,
    email TEXT,
    source TEXT NOT NULL DEFAULT '',
    campaign TEXT NOT NULL DEFAULT '',
    max_uses BIGINT,
    use_count BIGINT NOT NULL DEFAULT 0,
    expires_at BIGINT,
    revoked_at BIGINT,
    created_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX invitations_community_created ON invitations(community_id, created_at);
CREATE INDEX invitations_community_email ON invitations(community_id, email);

-- How a member came in, so acquisition can be counted per source and campaign.
ALTER TABLE memberships ADD COLUMN invitation_id TEXT REFERENCES invitations(id) ON DELETE SET NULL;
ALTER TABLE memberships ADD COLUMN source TEXT NOT NULL DEFAULT '';
ALTER TABLE memberships ADD COLUMN campaign TEXT NOT NULL DEFAULT '';
CREATE INDEX memberships_community_campaign ON memberships(community_id, campaign, source);
