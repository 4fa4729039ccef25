//! In-app notifications, written in the transaction of their cause.

use crate::db::{Db, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NotificationRow {
    pub id: String,
    pub user_id: String,
    pub community_id: Option<String>,
    /// `reply`, `reaction`, `answer_accepted`, ...
    pub kind: String,
    pub actor_id: Option<String>,
    pub topic_id: Option<String>,
    pub post_id: Option<String>,
    pub excerpt: String,
    pub created_at: i64,
    pub read_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, n: &NotificationRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO notifications (id, user_id, community_id, kind, actor_id, topic_id, post_id, excerpt, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(&n.id)
    .bind(&n.user_id)
    .bind(&n.community_id)
    .bind(&n.kind)
    .bind(&n.actor_id)
    .bind(&n.topic_id)
    .bind(&n.post_id)
    .bind(&n.excerpt)
    .bind(n.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

/// A notification with what its list shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedNotification {
    #[sqlx(flatten)]
    pub notification: NotificationRow,
    pub actor_name: Option<String>,
    pub topic_title: Option<String>,
    pub community_slug: Option<String>,
}

/// A member's notifications, newest first, before the keyset cursor `(created_at, id)`.
pub async fn list(
    db: &Db,
    user_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<ListedNotification>> {
    let (time, id) = before.unwrap_or((i64::MAX, "g"));
    with_read!(db, |c| {
        sqlx::query_as::<_, ListedNotification>(
        "SELECT n.id, n.user_id, n.community_id, n.kind, n.actor_id, n.topic_id, n.post_id, n.excerpt,
                n.created_at, n.read_at, a.display_name AS actor_name, t.title AS topic_title,
                c.slug AS community_slug
         FROM notifications n
         LEFT JOIN users a ON a.id = n.actor_id
         LEFT JOIN topics t ON t.id = n.topic_id
         LEFT JOIN communities c ON c.id = n.community_id
         WHERE n.user_id = $1 AND (n.created_at, n.id) < ($2, $3)
         ORDER BY n.created_at DESC, n.id DESC
         LIMIT $4"
    )
    .bind(user_id)
    .bind(time)
    .bind(id)
    .bind(limit)
    .fetch_all(c)
    .await
    .db()
    })
}

pub async fn unread_count(db: &Db, user_id: &str) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .fetch_one(c)
    .await
    .db())
}

/// Marks all of a member's notifications read; returns how many changed.
pub async fn mark_all_read(tx: &mut Tx, user_id: &str, now: i64) -> Result<u64> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE notifications SET read_at = $2 WHERE user_id = $1 AND read_at IS NULL"
    )
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())
}
