-- A tier change dated in the future (docs/metrics.md, membership tiers): the new term waits in
-- member_tiers with status 'scheduled' from its start, and the term it replaces gets the
-- change's start as its end. This row links the two and keeps the end the replaced term had
-- before (NULL: it had none), so cancelling the change restores it.
CREATE TABLE member_tier_changes (
    term_id TEXT PRIMARY KEY NOT NULL REFERENCES member_tiers(id) ON DELETE CASCADE,
    from_term_id TEXT NOT NULL REFERENCES member_tiers(id) ON DELETE CASCADE,
    from_expires_at BIGINT,
    scheduled_by TEXT REFERENCES users(id) ON DELETE SET NULL,
    scheduled_at BIGINT NOT NULL
);
CREATE INDEX member_tier_changes_from ON member_tier_changes (from_term_id);
-- The sweep looks for scheduled terms whose start has come.
CREATE INDEX member_tiers_starts ON member_tiers (status, started_at);

-- A member's 360 timeline also shows what others did to them (activities with the member as
-- object): this index serves that side of its query, as activities_actor_time serves theirs.
CREATE INDEX activities_object_time ON activities (community_id, object_type, object_id, created_at);

-- Sent e-mail keeps no text of removed posts or deleted accounts (docs/member-360.md, "Mail").
-- Which posts an e-mail quotes (notification e-mails, digests), so removing a post erases
-- those e-mails' text; when an e-mail's text was erased (by a removal, an account deletion
-- or the retention sweep); lookups by address for account deletion.
CREATE TABLE outbox_quotes (
    mail_id TEXT NOT NULL REFERENCES outbox(id) ON DELETE CASCADE,
    post_id TEXT NOT NULL,
    PRIMARY KEY (mail_id, post_id)
);
CREATE INDEX outbox_quotes_post ON outbox_quotes (post_id);
ALTER TABLE outbox ADD COLUMN erased_at BIGINT;
CREATE INDEX outbox_retention ON outbox (status, erased_at, sent_at);
CREATE INDEX outbox_to_address ON outbox (to_address);
