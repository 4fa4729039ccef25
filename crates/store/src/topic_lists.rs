//! A community's topic lists beyond "latest": trending, top per period, unread, and the
//! spaces a member follows or muted (which those lists honour).

use crate::db::{Db, Source, Tx};
use crate::discussions::{ListedTopic, TOPIC_COLUMNS};
use crate::error::MapErr;
use crate::Result;
use townsquare_domain::ranking::{self, Interaction, TopPeriod};

const LISTED: &str = "a.display_name AS author_name, l.display_name AS last_poster_name
         FROM topics t
         JOIN users a ON a.id = t.author_id
         LEFT JOIN users l ON l.id = t.last_poster_id";

/// Adds an interaction to a topic's trending score (see `domain::ranking`).
pub async fn add_trend(
    tx: &mut Tx,
    topic_id: &str,
    interaction: Interaction,
    at: i64,
) -> Result<()> {
    // Lock the row before reading it, so two writers on PostgreSQL cannot both read the old
    // score (SQLite's single writer needs no lock; the statement is harmless there).
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET trend_score = trend_score WHERE id = $1"
    )
    .bind(topic_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let current = with_tx!(tx, |c| sqlx::query_scalar::<_, f64>(
        "SELECT trend_score FROM topics WHERE id = $1"
    )
    .bind(topic_id)
    .fetch_optional(c)
    .await
    .db())?;
    let Some(current) = current else {
        return Ok(());
    };
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET trend_score = $2 WHERE id = $1"
    )
    .bind(topic_id)
    .bind(ranking::add(current, interaction, at))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The community's topics by trending score, in the given spaces.
pub async fn trending_in_spaces(
    db: &Db,
    community_id: &str,
    space_ids: &[String],
    limit: i64,
) -> Result<Vec<ListedTopic>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(3, space_ids.len());
    let sql = format!(
        "SELECT {TOPIC_COLUMNS}, {LISTED}
         WHERE t.community_id = $1 AND t.deleted_at IS NULL AND t.held_at IS NULL AND t.space_id IN ({placeholders})
         ORDER BY t.trend_score DESC
         LIMIT $2"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, ListedTopic>(&sql)
            .bind(community_id)
            .bind(limit);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// A topic in a top list, with its interactions in the period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopTopic {
    #[sqlx(flatten)]
    pub listed: ListedTopic,
    pub interactions: i64,
}

/// The community's top topics of a period (as last computed), in the given spaces.
pub async fn top_in_spaces(
    db: &Db,
    community_id: &str,
    period: TopPeriod,
    space_ids: &[String],
    limit: i64,
) -> Result<Vec<TopTopic>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(4, space_ids.len());
    let sql = format!(
        "SELECT tt.interactions, {TOPIC_COLUMNS}, {LISTED}
         JOIN topic_top tt ON tt.topic_id = t.id
         WHERE tt.community_id = $1 AND tt.period = $2 AND t.deleted_at IS NULL AND t.held_at IS NULL
           AND tt.space_id IN ({placeholders})
         ORDER BY tt.interactions DESC, t.last_post_at DESC
         LIMIT $3"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, TopTopic>(&sql)
            .bind(community_id)
            .bind(period.as_str())
            .bind(limit);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// (topic id, space id, interactions) of the community's most interacted-with topics since
/// `since`: replies and reactions given in the window.
pub async fn count_interactions(
    db: &Db,
    community_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<(String, String, i64)>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, (String, String, i64)>(
        "SELECT t.id, t.space_id, CAST(SUM(x.n) AS BIGINT) AS interactions
         FROM (
             SELECT p.topic_id, COUNT(*) AS n FROM posts p
             WHERE p.community_id = $1 AND p.created_at >= $2 AND p.deleted_at IS NULL AND p.held_at IS NULL
               AND p.is_first = FALSE
             GROUP BY p.topic_id
             UNION ALL
             SELECT p.topic_id, COUNT(*) AS n FROM reactions r JOIN posts p ON p.id = r.post_id
             WHERE r.created_at >= $2 AND p.community_id = $1 AND p.deleted_at IS NULL AND p.held_at IS NULL
             GROUP BY p.topic_id
         ) x
         JOIN topics t ON t.id = x.topic_id
         WHERE t.deleted_at IS NULL AND t.held_at IS NULL
         GROUP BY t.id, t.space_id
         ORDER BY interactions DESC, t.id
         LIMIT $3"
    )
    .bind(community_id)
    .bind(since)
    .bind(limit)
    .fetch_all(c)
    .await
    .db()
    })
}

/// Replaces a community's top list for a period.
pub async fn replace_top(
    tx: &mut Tx,
    community_id: &str,
    period: TopPeriod,
    rows: &[(String, String, i64)],
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM topic_top WHERE community_id = $1 AND period = $2"
    )
    .bind(community_id)
    .bind(period.as_str())
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    for (topic_id, space_id, interactions) in rows {
        with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO topic_top (community_id, period, topic_id, space_id, interactions, computed_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(community_id)
        .bind(period.as_str())
        .bind(topic_id)
        .bind(space_id)
        .bind(interactions)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db()
        })?;
    }
    Ok(())
}

/// Ids of communities with at least one topic: those the top-topics job ranks.
pub async fn communities_with_topics(db: &Db) -> Result<Vec<String>> {
    with_read!(db, |c| {
        sqlx::query_scalar::<_, String>(
        "SELECT c.id FROM communities c WHERE EXISTS (SELECT 1 FROM topics t WHERE t.community_id = c.id)"
    )
    .fetch_all(c)
    .await
    .db()
    })
}

/// A member's unread topics in the given spaces: never opened and created after `new_since`,
/// or opened with replies since; only topics active after `active_since` are considered.
pub async fn unread_in_spaces(
    db: &Db,
    user_id: &str,
    community_id: &str,
    space_ids: &[String],
    new_since: i64,
    active_since: i64,
    limit: i64,
) -> Result<Vec<ListedTopic>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(6, space_ids.len());
    let sql = format!(
        "SELECT {TOPIC_COLUMNS}, {LISTED}
         LEFT JOIN topic_reads r ON r.topic_id = t.id AND r.user_id = $2
         WHERE t.community_id = $1 AND t.deleted_at IS NULL AND t.held_at IS NULL AND t.last_post_at > $4
           AND t.space_id IN ({placeholders})
           AND ((r.topic_id IS NULL AND t.created_at > $3) OR r.read_replies < t.reply_count)
         ORDER BY t.last_post_at DESC, t.id DESC
         LIMIT $5"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, ListedTopic>(&sql)
            .bind(community_id)
            .bind(user_id)
            .bind(new_since)
            .bind(active_since)
            .bind(limit);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// (new topics, topics with new replies) for a member, by the rules of `unread_in_spaces`.
pub async fn unread_counts(
    db: &Db,
    user_id: &str,
    community_id: &str,
    space_ids: &[String],
    new_since: i64,
    active_since: i64,
) -> Result<(i64, i64)> {
    if space_ids.is_empty() {
        return Ok((0, 0));
    }
    let placeholders = crate::sql::placeholders(5, space_ids.len());
    let sql = format!(
        "SELECT
             COALESCE(SUM(CASE WHEN r.topic_id IS NULL AND t.created_at > $3 THEN 1 ELSE 0 END), 0),
             COALESCE(SUM(CASE WHEN r.read_replies < t.reply_count THEN 1 ELSE 0 END), 0)
         FROM topics t
         LEFT JOIN topic_reads r ON r.topic_id = t.id AND r.user_id = $2
         WHERE t.community_id = $1 AND t.deleted_at IS NULL AND t.held_at IS NULL AND t.last_post_at > $4
           AND t.space_id IN ({placeholders})"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, (i64, i64)>(&sql)
            .bind(community_id)
            .bind(user_id)
            .bind(new_since)
            .bind(active_since);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_one(c).await.db()
    })
}

/// Sets a member's level for a space (`following` or `muted`), or clears it with `None`.
pub async fn set_space_subscription(
    tx: &mut Tx,
    user_id: &str,
    space_id: &str,
    level: Option<&str>,
    now: i64,
) -> Result<()> {
    match level {
        Some(level) => with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO space_subscriptions (user_id, space_id, level, created_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT (user_id, space_id) DO UPDATE SET level = excluded.level"
        )
        .bind(user_id)
        .bind(space_id)
        .bind(level)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db()
        })?,
        None => with_tx!(tx, |c| sqlx::query(
            "DELETE FROM space_subscriptions WHERE user_id = $1 AND space_id = $2"
        )
        .bind(user_id)
        .bind(space_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?,
    };
    Ok(())
}

/// (space id, level) of the spaces of a community that a member follows or muted.
pub async fn space_levels<'a>(
    src: impl Into<Source<'a>>,
    user_id: &str,
    community_id: &str,
) -> Result<Vec<(String, String)>> {
    with_read!(src, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT ss.space_id, ss.level FROM space_subscriptions ss
         JOIN spaces s ON s.id = ss.space_id
         WHERE ss.user_id = $1 AND s.community_id = $2"
    )
    .bind(user_id)
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// (user id, level) of everyone who follows or muted a space.
pub async fn space_subscribers(tx: &mut Tx, space_id: &str) -> Result<Vec<(String, String)>> {
    with_tx!(tx, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT user_id, level FROM space_subscriptions WHERE space_id = $1"
    )
    .bind(space_id)
    .fetch_all(c)
    .await
    .db())
}
