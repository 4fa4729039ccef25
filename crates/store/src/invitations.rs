//! Invitations to a community: shareable links and personal e-mail invitations. A use is
//! counted by one conditional update, so a link's limit holds with several instances.

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InvitationRow {
    pub id: String,
    pub community_id: String,
    /// `link` or `email`.
    pub kind: String,
    pub token_hash: String,
    /// The token of a shareable link (kept so managers can copy it again); none for e-mail.
    pub link_token: Option<String>,
    pub email: Option<String>,
    pub source: String,
    pub campaign: String,
    pub max_uses: Option<i64>,
    pub use_count: i64,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
    pub created_by: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "id, community_id, kind, token_hash, link_token, email, source, campaign, \
     max_uses, use_count, expires_at, revoked_at, created_by, created_at";

pub async fn insert(tx: &mut Tx, row: &InvitationRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO invitations (id, community_id, kind, token_hash, link_token, email, source,
             campaign, max_uses, use_count, expires_at, revoked_at, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    )
    .bind(&row.id)
    .bind(&row.community_id)
    .bind(&row.kind)
    .bind(&row.token_hash)
    .bind(&row.link_token)
    .bind(&row.email)
    .bind(&row.source)
    .bind(&row.campaign)
    .bind(row.max_uses)
    .bind(row.use_count)
    .bind(row.expires_at)
    .bind(row.revoked_at)
    .bind(&row.created_by)
    .bind(row.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn by_token_hash<'a>(
    src: impl Into<Source<'a>>,
    token_hash: &str,
) -> Result<Option<InvitationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE token_hash = $1");
    with_read!(src, |c| sqlx::query_as::<_, InvitationRow>(&sql)
        .bind(token_hash)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn by_id<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    id: &str,
) -> Result<Option<InvitationRow>> {
    let sql = format!("SELECT {COLUMNS} FROM invitations WHERE community_id = $1 AND id = $2");
    with_read!(src, |c| sqlx::query_as::<_, InvitationRow>(&sql)
        .bind(community_id)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// A community's invitations, newest first (at most `limit`).
pub async fn list<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    kind: &str,
    limit: i64,
) -> Result<Vec<InvitationRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM invitations WHERE community_id = $1 AND kind = $2
         ORDER BY created_at DESC, id DESC LIMIT $3"
    );
    with_read!(src, |c| sqlx::query_as::<_, InvitationRow>(&sql)
        .bind(community_id)
        .bind(kind)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

/// Of these (lower-case) addresses, those with an e-mail invitation to the community that can
/// still be used.
pub async fn open_email_invitations(
    tx: &mut Tx,
    community_id: &str,
    emails: &[String],
    now: i64,
) -> Result<Vec<String>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT DISTINCT email FROM invitations
         WHERE community_id = $1 AND kind = 'email' AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > $2)
           AND (max_uses IS NULL OR use_count < max_uses)
           AND email IN ({})",
        crate::sql::placeholders(3, emails.len())
    );
    with_tx!(tx, |c| {
        let mut q = sqlx::query_scalar::<_, String>(&sql)
            .bind(community_id)
            .bind(now);
        for e in emails {
            q = q.bind(e);
        }
        q.fetch_all(c).await.db()
    })
}

/// Of these (lower-case) addresses, those of active members of the community.
pub async fn member_emails(
    tx: &mut Tx,
    community_id: &str,
    emails: &[String],
) -> Result<Vec<String>> {
    if emails.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT u.email FROM users u
         JOIN memberships m ON m.user_id = u.id AND m.community_id = $1 AND m.status = 'active'
         WHERE u.email IN ({})",
        crate::sql::placeholders(2, emails.len())
    );
    with_tx!(tx, |c| {
        let mut q = sqlx::query_scalar::<_, String>(&sql).bind(community_id);
        for e in emails {
            q = q.bind(e);
        }
        q.fetch_all(c).await.db()
    })
}

/// Counts one use if the invitation can still be used at `now`; false if it is revoked,
/// expired or used up (checked and counted in one statement, so concurrent joins cannot
/// exceed the limit).
pub async fn use_once(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE invitations SET use_count = use_count + 1
         WHERE id = $1 AND revoked_at IS NULL
           AND (expires_at IS NULL OR expires_at > $2)
           AND (max_uses IS NULL OR use_count < max_uses)"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

pub async fn revoke(tx: &mut Tx, id: &str, now: i64) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE invitations SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

/// Records on a membership how the member came in.
pub async fn set_membership_attribution(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    invitation_id: &str,
    source: &str,
    campaign: &str,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE memberships SET invitation_id = $3, source = $4, campaign = $5
         WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(invitation_id)
    .bind(source)
    .bind(campaign)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AcquisitionCount {
    pub source: String,
    pub campaign: String,
    pub members: i64,
}

/// Active members who came through invitations, counted per source and campaign.
pub async fn acquisition<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
) -> Result<Vec<AcquisitionCount>> {
    with_read!(src, |c| sqlx::query_as::<_, AcquisitionCount>(
        "SELECT source, campaign, COUNT(*) AS members FROM memberships
         WHERE community_id = $1 AND status = 'active' AND invitation_id IS NOT NULL
         GROUP BY source, campaign
         ORDER BY COUNT(*) DESC, source, campaign"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// Sets a use count outright (the demo seeds invitations whose uses happened in the past).
pub async fn set_use_count(tx: &mut Tx, id: &str, use_count: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE invitations SET use_count = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(use_count)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}
