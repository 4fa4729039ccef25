//! Trust levels: the activity counts they are computed from, and the level kept on each
//! membership.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

const DAY: i64 = 86_400_000_000;

/// Per member of a community: (user id, count), from one grouped query.
async fn grouped(db: &Db, sql: &str, community_id: &str) -> Result<Vec<(String, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (String, i64)>(sql)
        .bind(community_id)
        .bind(DAY)
        .fetch_all(c)
        .await
        .db())
}

/// Distinct UTC days each member read a topic in the community or did anything its
/// activity log records.
pub async fn days_visited(db: &Db, community_id: &str) -> Result<Vec<(String, i64)>> {
    grouped(
        db,
        "SELECT uid, COUNT(DISTINCT d) FROM (
             SELECT actor_id AS uid, created_at / $2 AS d FROM activities
             WHERE community_id = $1 AND actor_id IS NOT NULL
             UNION
             SELECT r.user_id AS uid, r.read_at / $2 AS d FROM topic_reads r
             JOIN topics t ON t.id = r.topic_id WHERE t.community_id = $1
         ) visits GROUP BY uid",
        community_id,
    )
    .await
}

/// Per member: (topics opened, posts read — the replies seen plus each opening post).
pub async fn reading(db: &Db, community_id: &str) -> Result<Vec<(String, i64, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (String, i64, i64)>(
        "SELECT r.user_id, COUNT(*), CAST(SUM(r.read_replies + 1) AS BIGINT)
         FROM topic_reads r JOIN topics t ON t.id = r.topic_id
         WHERE t.community_id = $1 GROUP BY r.user_id"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// Live posts each member wrote in the community.
pub async fn posts_written(db: &Db, community_id: &str) -> Result<Vec<(String, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (String, i64)>(
        "SELECT author_id, COUNT(*) FROM posts
         WHERE community_id = $1 AND deleted_at IS NULL GROUP BY author_id"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// Flags upheld against each member: posts of theirs acted on after flags (each post once),
/// and each time flags on their profile were upheld.
pub async fn flags_upheld(db: &Db, community_id: &str) -> Result<Vec<(String, i64)>> {
    grouped(
        db,
        "SELECT uid, COUNT(*) FROM (
             SELECT DISTINCT p.author_id AS uid, f.target_id AS item FROM flags f
             JOIN posts p ON p.id = f.target_id
             WHERE f.community_id = $1 AND f.target_kind = 'post' AND f.status = 'actioned'
             UNION
             SELECT DISTINCT f.target_id AS uid, f.target_id || ':' || CAST(f.resolved_at / $2 AS TEXT) AS item
             FROM flags f
             WHERE f.community_id = $1 AND f.target_kind = 'user' AND f.status = 'actioned'
         ) upheld GROUP BY uid",
        community_id,
    )
    .await
}

/// Active members of a community.
pub async fn active_members(db: &Db, community_id: &str) -> Result<Vec<String>> {
    with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM memberships WHERE community_id = $1 AND status = 'active'"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// Every community's id.
pub async fn community_ids(db: &Db) -> Result<Vec<String>> {
    with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT id FROM communities"
    )
    .fetch_all(c)
    .await
    .db())
}

pub async fn set_trust_level(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    level: i64,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE memberships SET trust_level = $3, trust_computed_at = $4
         WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(level)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// (trust level, when computed) of members of a community.
pub async fn trust_levels<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_ids: &[String],
) -> Result<Vec<(String, i64, Option<i64>)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (0..user_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT user_id, trust_level, trust_computed_at FROM memberships
         WHERE community_id = $1 AND user_id IN ({marks})"
    );
    with_read!(src, |c| {
        let mut q = sqlx::query_as::<_, (String, i64, Option<i64>)>(&sql).bind(community_id);
        for id in user_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// A community's topics with their reply counts, oldest first (the demo's reading history).
pub async fn topics_with_replies(db: &Db, community_id: &str) -> Result<Vec<(String, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (String, i64)>(
        "SELECT id, reply_count FROM topics WHERE community_id = $1 ORDER BY created_at, id"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// Open flags on a post from members of its community at `min_level` or above.
pub async fn trusted_open_flags<'a>(
    src: impl Into<Source<'a>>,
    post_id: &str,
    min_level: i64,
) -> Result<i64> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM flags f
         JOIN memberships m ON m.community_id = f.community_id AND m.user_id = f.reporter_id
         WHERE f.target_kind = 'post' AND f.target_id = $1 AND f.status = 'open'
           AND m.trust_level >= $2"
    )
    .bind(post_id)
    .bind(min_level)
    .fetch_one(c)
    .await
    .db())
}

/// A community's auto-hide threshold (0: off).
pub async fn auto_hide_flags<'a>(src: impl Into<Source<'a>>, community_id: &str) -> Result<i64> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT auto_hide_flags FROM communities WHERE id = $1"
    )
    .bind(community_id)
    .fetch_one(c)
    .await
    .db())
}

pub async fn set_auto_hide_flags(tx: &mut Tx, community_id: &str, flags: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE communities SET auto_hide_flags = $2 WHERE id = $1"
    )
    .bind(community_id)
    .bind(flags)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Marks whether a post's hiding was automatic (pending review) or a moderator's.
pub async fn set_hidden_automatically(tx: &mut Tx, post_id: &str, automatic: bool) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE posts SET hidden_automatically = $2 WHERE id = $1"
    )
    .bind(post_id)
    .bind(automatic)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Which of these posts are hidden automatically, pending review.
pub async fn auto_hidden_among(db: &Db, post_ids: &[String]) -> Result<Vec<String>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (0..post_ids.len())
        .map(|i| format!("${}", i + 1))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT id FROM posts WHERE hidden_automatically AND hidden_at IS NOT NULL AND id IN ({marks})"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for id in post_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}
