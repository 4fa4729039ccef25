//! The instance superadmin's view: counts across the whole instance, every community with its
//! last activity, the newest accounts, and who is a superadmin.

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct InstanceCounts {
    pub users: i64,
    pub superadmins: i64,
    pub communities: i64,
    pub posts: i64,
    /// Jobs waiting to run (queued or running).
    pub pending_jobs: i64,
    /// Jobs that gave up after their last attempt.
    pub failed_jobs: i64,
    /// Mail waiting to go out (queued or being sent).
    pub queued_mail: i64,
    /// Mail that gave up after its last attempt.
    pub failed_mail: i64,
}

pub async fn counts<'a>(src: impl Into<Source<'a>>) -> Result<InstanceCounts> {
    with_read!(src, |c| sqlx::query_as::<_, InstanceCounts>(
        "SELECT (SELECT COUNT(*) FROM users) AS users,
                (SELECT COUNT(*) FROM users WHERE is_superadmin) AS superadmins,
                (SELECT COUNT(*) FROM communities) AS communities,
                (SELECT COUNT(*) FROM posts) AS posts,
                (SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')) AS pending_jobs,
                (SELECT COUNT(*) FROM jobs WHERE status = 'failed') AS failed_jobs,
                (SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')) AS queued_mail,
                (SELECT COUNT(*) FROM outbox WHERE status = 'failed') AS failed_mail"
    )
    .fetch_one(c)
    .await
    .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommunitySummary {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub visibility: String,
    pub join_policy: String,
    pub member_count: i64,
    pub created_at: i64,
    /// The newest activity record's time; none for a community where nothing happened.
    pub last_activity_at: Option<i64>,
}

/// Communities, most members first (at most `limit`).
pub async fn communities<'a>(
    src: impl Into<Source<'a>>,
    limit: i64,
) -> Result<Vec<CommunitySummary>> {
    with_read!(src, |c| sqlx::query_as::<_, CommunitySummary>(
        "SELECT c.id, c.slug, c.name, c.visibility, c.join_policy, c.member_count, c.created_at,
                (SELECT MAX(a.created_at) FROM activities a WHERE a.community_id = c.id)
                    AS last_activity_at
         FROM communities c
         ORDER BY c.member_count DESC, c.name, c.id
         LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserSummary {
    pub id: String,
    pub email: String,
    pub display_name: String,
    pub is_superadmin: bool,
    pub created_at: i64,
}

/// The newest accounts (at most `limit`).
pub async fn newest_users<'a>(src: impl Into<Source<'a>>, limit: i64) -> Result<Vec<UserSummary>> {
    with_read!(src, |c| sqlx::query_as::<_, UserSummary>(
        "SELECT id, email, display_name, is_superadmin, created_at FROM users
         ORDER BY created_at DESC, id DESC LIMIT $1"
    )
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

/// Every superadmin, by name.
pub async fn superadmins<'a>(src: impl Into<Source<'a>>) -> Result<Vec<UserSummary>> {
    with_read!(src, |c| sqlx::query_as::<_, UserSummary>(
        "SELECT id, email, display_name, is_superadmin, created_at FROM users
         WHERE is_superadmin ORDER BY display_name, id"
    )
    .fetch_all(c)
    .await
    .db())
}

pub async fn count_superadmins(tx: &mut Tx) -> Result<i64> {
    with_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users WHERE is_superadmin"
    )
    .fetch_one(c)
    .await
    .db())
}

pub async fn set_superadmin(tx: &mut Tx, user_id: &str, superadmin: bool, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET is_superadmin = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(user_id)
    .bind(superadmin)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}
