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
    /// `in_app`, `email` or `digest`: how it was delivered (see `notification_preferences`).
    pub delivery: String,
    pub emailed_at: Option<i64>,
}

pub async fn insert(tx: &mut Tx, n: &NotificationRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO notifications (id, user_id, community_id, kind, actor_id, topic_id, post_id, excerpt,
             created_at, delivery, emailed_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
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
    .bind(&n.delivery)
    .bind(n.emailed_at)
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
                n.created_at, n.read_at, n.delivery, n.emailed_at, a.display_name AS actor_name, t.title AS topic_title,
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

// --- preferences and e-mail delivery --------------------------------------------------------

/// A member's choices, as (kind, delivery); kinds not listed use their default.
pub async fn preferences_of<'a>(
    src: impl Into<crate::db::Source<'a>>,
    user_id: &str,
) -> Result<Vec<(String, String)>> {
    with_read!(src, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT kind, delivery FROM notification_preferences WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

pub async fn set_preference(tx: &mut Tx, user_id: &str, kind: &str, delivery: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO notification_preferences (user_id, kind, delivery) VALUES ($1, $2, $3)
         ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery"
    )
    .bind(user_id)
    .bind(kind)
    .bind(delivery)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Members with notifications waiting for the digest.
/// (user id, time zone) of members with notifications waiting for their digest.
pub async fn digest_recipients(db: &Db) -> Result<Vec<(String, String)>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, (String, String)>(
            "SELECT u.id, u.time_zone FROM users u
         WHERE EXISTS (SELECT 1 FROM notifications n
                       WHERE n.user_id = u.id AND n.delivery = 'digest' AND n.emailed_at IS NULL)",
        )
        .fetch_all(c)
        .await
        .db()
    })
}

/// One member's notifications waiting for the digest, oldest first.
pub async fn digest_items(tx: &mut Tx, user_id: &str) -> Result<Vec<ListedNotification>> {
    with_tx!(tx, |c| {
        sqlx::query_as::<_, ListedNotification>(
        "SELECT n.id, n.user_id, n.community_id, n.kind, n.actor_id, n.topic_id, n.post_id, n.excerpt,
                n.created_at, n.read_at, n.delivery, n.emailed_at, a.display_name AS actor_name,
                t.title AS topic_title, c.slug AS community_slug
         FROM notifications n
         LEFT JOIN users a ON a.id = n.actor_id
         LEFT JOIN topics t ON t.id = n.topic_id
         LEFT JOIN communities c ON c.id = n.community_id
         WHERE n.user_id = $1 AND n.delivery = 'digest' AND n.emailed_at IS NULL
         ORDER BY n.created_at, n.id
         LIMIT 200"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db()
    })
}

pub async fn mark_emailed(tx: &mut Tx, ids: &[String], now: i64) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let placeholders = crate::sql::placeholders(2, ids.len());
    let sql = format!("UPDATE notifications SET emailed_at = $1 WHERE id IN ({placeholders})");
    with_tx!(tx, |c| {
        let mut q = sqlx::query(&sql).bind(now);
        for id in ids {
            q = q.bind(id);
        }
        q.execute(c).await.map(|r| r.rows_affected()).db()
    })?;
    Ok(())
}
