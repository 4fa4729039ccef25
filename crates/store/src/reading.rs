//! What members have read, follow, mute and bookmarked.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

/// Records that a member has seen a topic with `read_replies` replies.
pub async fn mark_read(
    tx: &mut Tx,
    user_id: &str,
    topic_id: &str,
    read_replies: i64,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO topic_reads (user_id, topic_id, read_replies, read_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (user_id, topic_id) DO UPDATE SET read_replies = excluded.read_replies, read_at = excluded.read_at"
    )
    .bind(user_id)
    .bind(topic_id)
    .bind(read_replies)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

/// (topic id, replies seen) for the topics of a list that the member has opened.
pub async fn read_marks(
    db: &Db,
    user_id: &str,
    topic_ids: &[String],
) -> Result<Vec<(String, i64)>> {
    if topic_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(2, topic_ids.len());
    let sql = format!("SELECT topic_id, read_replies FROM topic_reads WHERE user_id = $1 AND topic_id IN ({placeholders})");
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(user_id);
        for id in topic_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// Sets a member's level for a topic (`following` or `muted`), or clears it with `None`.
pub async fn set_subscription(
    tx: &mut Tx,
    user_id: &str,
    topic_id: &str,
    level: Option<&str>,
    now: i64,
) -> Result<()> {
    match level {
        Some(level) => with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO topic_subscriptions (user_id, topic_id, level, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, topic_id) DO UPDATE SET level = excluded.level"
        )
        .bind(user_id)
        .bind(topic_id)
        .bind(level)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db()
        })?,
        None => with_tx!(tx, |c| sqlx::query(
            "DELETE FROM topic_subscriptions WHERE user_id = $1 AND topic_id = $2"
        )
        .bind(user_id)
        .bind(topic_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?,
    };
    Ok(())
}

pub async fn subscription<'a>(
    src: impl Into<Source<'a>>,
    user_id: &str,
    topic_id: &str,
) -> Result<Option<String>> {
    with_read!(src, |c| sqlx::query_scalar::<_, String>(
        "SELECT level FROM topic_subscriptions WHERE user_id = $1 AND topic_id = $2"
    )
    .bind(user_id)
    .bind(topic_id)
    .fetch_optional(c)
    .await
    .db())
}

/// (user id, level) of everyone who follows or muted a topic.
pub async fn subscribers(tx: &mut Tx, topic_id: &str) -> Result<Vec<(String, String)>> {
    with_tx!(tx, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT user_id, level FROM topic_subscriptions WHERE topic_id = $1"
    )
    .bind(topic_id)
    .fetch_all(c)
    .await
    .db())
}

/// Bookmarks a post; false if it already was.
pub async fn add_bookmark(tx: &mut Tx, user_id: &str, post_id: &str, now: i64) -> Result<bool> {
    let n = with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO bookmarks (user_id, post_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING"
    )
    .bind(user_id)
    .bind(post_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(n == 1)
}

pub async fn remove_bookmark(tx: &mut Tx, user_id: &str, post_id: &str) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM bookmarks WHERE user_id = $1 AND post_id = $2"
    )
    .bind(user_id)
    .bind(post_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

/// The member's bookmarked posts in one topic.
pub async fn bookmarked_in_topic(db: &Db, user_id: &str, topic_id: &str) -> Result<Vec<String>> {
    with_read!(db, |c| {
        sqlx::query_scalar::<_, String>(
        "SELECT b.post_id FROM bookmarks b JOIN posts p ON p.id = b.post_id WHERE b.user_id = $1 AND p.topic_id = $2"
    )
    .bind(user_id)
    .bind(topic_id)
    .fetch_all(c)
    .await
    .db()
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BookmarkRow {
    pub post_id: String,
    pub topic_id: String,
    pub topic_title: String,
    pub community_id: String,
    pub community_slug: String,
    pub space_id: String,
    pub author_name: String,
    pub body_markdown: String,
    pub bookmarked_at: i64,
}

/// A member's bookmarks, newest first (the caller filters what the member may still read).
pub async fn bookmarks_of(db: &Db, user_id: &str, limit: i64) -> Result<Vec<BookmarkRow>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, BookmarkRow>(
        "SELECT b.post_id, p.topic_id, t.title AS topic_title, p.community_id, c.slug AS community_slug,
                p.space_id, u.display_name AS author_name, p.body_markdown, b.created_at AS bookmarked_at
         FROM bookmarks b
         JOIN posts p ON p.id = b.post_id
         JOIN topics t ON t.id = p.topic_id
         JOIN communities c ON c.id = p.community_id
         JOIN users u ON u.id = p.author_id
         WHERE b.user_id = $1 AND p.deleted_at IS NULL AND t.deleted_at IS NULL
           AND p.held_at IS NULL AND t.held_at IS NULL
         ORDER BY b.created_at DESC
         LIMIT $2"
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(c)
    .await
    .db()
    })
}
