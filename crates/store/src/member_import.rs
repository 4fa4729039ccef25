//! What an import of members reads in bulk (accounts and memberships by e-mail address, a
//! batch of bound parameters at a time) and the attribution it writes on each membership.

use crate::db::Tx;
use crate::error::MapErr;
use crate::Result;

/// Addresses looked up per statement (well under both backends' parameter limits).
const BATCH: usize = 500;

/// An account found by its (lower-case) e-mail address, with its membership of the community
/// if it has one.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct KnownPerson {
    pub user_id: String,
    pub email: String,
    /// `active` or `pending`; none when not a member.
    pub membership_status: Option<String>,
}

/// Of these addresses, those with an account, with their membership status in the community.
pub async fn known_people(
    tx: &mut Tx,
    community_id: &str,
    emails: &[String],
) -> Result<Vec<KnownPerson>> {
    let mut found = Vec::new();
    for chunk in emails.chunks(BATCH) {
        let sql = format!(
            "SELECT u.id AS user_id, u.email, m.status AS membership_status FROM users u
             LEFT JOIN memberships m ON m.user_id = u.id AND m.community_id = $1
             WHERE u.email IN ({})",
            crate::sql::placeholders(2, chunk.len())
        );
        let rows = with_tx!(tx, |c| {
            let mut q = sqlx::query_as::<_, KnownPerson>(&sql).bind(community_id);
            for e in chunk {
                q = q.bind(e);
            }
            q.fetch_all(c).await.db()
        })?;
        found.extend(rows);
    }
    Ok(found)
}

/// Of these addresses, those with an e-mail invitation to the community that can still be used.
pub async fn open_invitations(
    tx: &mut Tx,
    community_id: &str,
    emails: &[String],
    now: i64,
) -> Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in emails.chunks(BATCH) {
        found.extend(
            crate::invitations::open_email_invitations(tx, community_id, chunk, now).await?,
        );
    }
    Ok(found)
}

/// Marks a membership as coming from an import (no invitation), with the admin's campaign.
pub async fn set_import_attribution(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    campaign: &str,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE memberships SET invitation_id = NULL, source = 'import', campaign = $3
         WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(campaign)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}
