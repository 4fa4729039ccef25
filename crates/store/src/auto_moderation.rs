//! Automatic protection: each community's rules and limits, held posts, automatic flags.

use crate::db::{Db, Source, Tx};
use crate::discussions::{PostRow, POST_COLUMNS};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RuleRow {
    pub id: String,
    pub community_id: String,
    /// `keyword` or `pattern`.
    pub kind: String,
    pub pattern: String,
    /// `block`, `hold` or `flag`.
    pub action: String,
    pub message: String,
    pub created_by: Option<String>,
    pub created_at: i64,
}

pub async fn insert_rule(tx: &mut Tx, r: &RuleRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO auto_moderation_rules (id, community_id, kind, pattern, action, message,
             created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&r.id)
    .bind(&r.community_id)
    .bind(&r.kind)
    .bind(&r.pattern)
    .bind(&r.action)
    .bind(&r.message)
    .bind(&r.created_by)
    .bind(r.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Removes a rule of the community; the removed rule, if there was one.
pub async fn delete_rule(tx: &mut Tx, community_id: &str, id: &str) -> Result<Option<RuleRow>> {
    let rule = with_tx!(tx, |c| sqlx::query_as::<_, RuleRow>(
        "SELECT id, community_id, kind, pattern, action, message, created_by, created_at
         FROM auto_moderation_rules WHERE id = $1 AND community_id = $2"
    )
    .bind(id)
    .bind(community_id)
    .fetch_optional(c)
    .await
    .db())?;
    if rule.is_some() {
        with_tx!(tx, |c| sqlx::query(
            "DELETE FROM auto_moderation_rules WHERE id = $1 AND community_id = $2"
        )
        .bind(id)
        .bind(community_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(rule)
}

/// A community's rules, oldest first.
pub async fn rules_of<'a>(src: impl Into<Source<'a>>, community_id: &str) -> Result<Vec<RuleRow>> {
    with_read!(src, |c| sqlx::query_as::<_, RuleRow>(
        "SELECT id, community_id, kind, pattern, action, message, created_by, created_at
         FROM auto_moderation_rules WHERE community_id = $1 ORDER BY created_at, id"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct SettingsRow {
    pub hold_first_posts: i64,
    pub new_member_days: i64,
    pub new_member_links: i64,
    pub new_member_mentions: i64,
    pub posts_per_minute: i64,
    pub topics_per_day: i64,
    pub flags_per_day: i64,
}

/// The community's saved limits, if an admin ever saved them.
pub async fn settings<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
) -> Result<Option<SettingsRow>> {
    with_read!(src, |c| sqlx::query_as::<_, SettingsRow>(
        "SELECT hold_first_posts, new_member_days, new_member_links, new_member_mentions,
             posts_per_minute, topics_per_day, flags_per_day
         FROM auto_moderation_settings WHERE community_id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await
    .db())
}

pub async fn save_settings(
    tx: &mut Tx,
    community_id: &str,
    s: &SettingsRow,
    by: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO auto_moderation_settings (community_id, hold_first_posts, new_member_days,
             new_member_links, new_member_mentions, posts_per_minute, topics_per_day,
             flags_per_day, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (community_id) DO UPDATE SET
             hold_first_posts = excluded.hold_first_posts,
             new_member_days = excluded.new_member_days,
             new_member_links = excluded.new_member_links,
             new_member_mentions = excluded.new_member_mentions,
             posts_per_minute = excluded.posts_per_minute,
             topics_per_day = excluded.topics_per_day,
             flags_per_day = excluded.flags_per_day,
             updated_by = excluded.updated_by,
             updated_at = excluded.updated_at"
    )
    .bind(community_id)
    .bind(s.hold_first_posts)
    .bind(s.new_member_days)
    .bind(s.new_member_links)
    .bind(s.new_member_mentions)
    .bind(s.posts_per_minute)
    .bind(s.topics_per_day)
    .bind(s.flags_per_day)
    .bind(by)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Holds a post (and, for an opening post, its topic) or releases it (`None`).
pub async fn set_post_held(
    tx: &mut Tx,
    post: &PostRow,
    held_at: Option<i64>,
    reason: Option<&str>,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE posts SET held_at = $2, held_reason = $3 WHERE id = $1"
    )
    .bind(&post.id)
    .bind(held_at)
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    if post.is_first {
        with_tx!(tx, |c| sqlx::query(
            "UPDATE topics SET held_at = $2 WHERE id = $1"
        )
        .bind(&post.topic_id)
        .bind(held_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(())
}

/// A held post as the moderators' list shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldPost {
    #[sqlx(flatten)]
    pub post: PostRow,
    pub held_reason: Option<String>,
    pub topic_title: String,
    pub author_name: String,
}

/// The community's held posts, oldest first.
pub async fn held_posts(db: &Db, community_id: &str, limit: i64) -> Result<Vec<HeldPost>> {
    let sql = format!(
        "SELECT {POST_COLUMNS}, p.held_reason, t.title AS topic_title, u.display_name AS author_name
         FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.author_id
         WHERE p.community_id = $1 AND p.held_at IS NOT NULL
           AND p.deleted_at IS NULL AND t.deleted_at IS NULL
         ORDER BY p.held_at, p.id
         LIMIT $2"
    );
    with_read!(db, |c| sqlx::query_as::<_, HeldPost>(&sql)
        .bind(community_id)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

/// (held posts, when the oldest was held) in a community: the "needs attention" card.
pub async fn held_summary(db: &Db, community_id: &str) -> Result<(i64, Option<i64>)> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT COUNT(*), MIN(p.held_at) FROM posts p
         WHERE p.community_id = $1 AND p.held_at IS NOT NULL AND p.deleted_at IS NULL"
    )
    .bind(community_id)
    .fetch_one(c)
    .await
    .db())
}

/// The member's published posts in a community (not deleted, not held): how far along the
/// "first posts are held" rule they are.
pub async fn published_post_count<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    author_id: &str,
) -> Result<i64> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM posts
         WHERE community_id = $1 AND author_id = $2 AND deleted_at IS NULL AND held_at IS NULL"
    )
    .bind(community_id)
    .bind(author_id)
    .fetch_one(c)
    .await
    .db())
}

/// Raises an automatic flag (no reporter) on a post; one open automatic flag per post.
#[allow(clippy::too_many_arguments)]
pub async fn insert_auto_flag(
    tx: &mut Tx,
    id: &str,
    community_id: &str,
    post_id: &str,
    space_id: &str,
    reason: &str,
    note: &str,
    now: i64,
) -> Result<bool> {
    let open_key = format!("auto:post:{post_id}");
    let n = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO flags (id, community_id, target_kind, target_id, space_id, reporter_id,
             reason, note, status, open_key, created_at)
         VALUES ($1, $2, 'post', $3, $4, NULL, $5, $6, 'open', $7, $8)
         ON CONFLICT (open_key) DO NOTHING"
    )
    .bind(id)
    .bind(community_id)
    .bind(post_id)
    .bind(space_id)
    .bind(reason)
    .bind(note)
    .bind(&open_key)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

/// When the member's latest posts (`topics_only`: opening posts) in a community were
/// written, newest first, since `since`; deleted and held ones count too.
pub async fn recent_post_times<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    author_id: &str,
    topics_only: bool,
    since: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT created_at FROM posts
         WHERE author_id = $1 AND community_id = $2 AND created_at > $3 AND ($4 = FALSE OR is_first)
         ORDER BY created_at DESC LIMIT $5"
    )
    .bind(author_id)
    .bind(community_id)
    .bind(since)
    .bind(topics_only)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

/// When the member's latest flags in a community were raised, newest first, since `since`.
pub async fn recent_flag_times<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    reporter_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<i64>> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT created_at FROM flags
         WHERE reporter_id = $1 AND community_id = $2 AND created_at > $3
         ORDER BY created_at DESC LIMIT $4"
    )
    .bind(reporter_id)
    .bind(community_id)
    .bind(since)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}
