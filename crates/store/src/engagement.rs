//! Community managers' engagement tools: featured posts, scheduled prompts, the
//! introductions space and its "to welcome" list.

use crate::db::{Db, Source, Tx};
use crate::discussions::ListedTopic;
use crate::error::MapErr;
use crate::Result;

use crate::sql::placeholders;

/// Features a post (or changes its shout-out line).
pub async fn feature_post(
    tx: &mut Tx,
    post_id: &str,
    community_id: &str,
    by: &str,
    shout_out: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO featured_posts (post_id, community_id, featured_by, shout_out, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (post_id) DO UPDATE SET shout_out = excluded.shout_out, featured_by = excluded.featured_by"
    )
    .bind(post_id)
    .bind(community_id)
    .bind(by)
    .bind(shout_out)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

pub async fn unfeature_post(tx: &mut Tx, post_id: &str) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM featured_posts WHERE post_id = $1"
    )
    .bind(post_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeaturedPost {
    pub post_id: String,
    pub topic_id: String,
    pub topic_title: String,
    pub author_id: String,
    pub author_name: String,
    pub body_markdown: String,
    pub shout_out: String,
    pub featured_at: i64,
}

/// Featured posts in the given (readable) spaces, newest first.
pub async fn featured(
    db: &Db,
    community_id: &str,
    space_ids: &[String],
    limit: i64,
) -> Result<Vec<FeaturedPost>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT f.post_id, p.topic_id, t.title AS topic_title, p.author_id, u.display_name AS author_name,
                p.body_markdown, f.shout_out, f.created_at AS featured_at
         FROM featured_posts f
         JOIN posts p ON p.id = f.post_id
         JOIN topics t ON t.id = p.topic_id
         JOIN users u ON u.id = p.author_id
         WHERE f.community_id = $1 AND p.deleted_at IS NULL AND t.deleted_at IS NULL
           AND p.held_at IS NULL AND t.held_at IS NULL
           AND p.space_id IN ({})
         ORDER BY f.created_at DESC
         LIMIT $2",
        placeholders(3, space_ids.len())
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, FeaturedPost>(&sql)
            .bind(community_id)
            .bind(limit);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// Which of these posts are featured.
pub async fn featured_among(db: &Db, topic_id: &str) -> Result<Vec<(String, String)>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, (String, String)>(
        "SELECT f.post_id, f.shout_out FROM featured_posts f JOIN posts p ON p.id = f.post_id WHERE p.topic_id = $1"
    )
    .bind(topic_id)
    .fetch_all(c)
    .await
    .db()
    })
}

/// Questions nobody has replied to yet, in the given spaces, oldest first (waiting longest).
pub async fn unanswered(
    db: &Db,
    community_id: &str,
    space_ids: &[String],
    limit: i64,
) -> Result<Vec<ListedTopic>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.id, t.community_id, t.space_id, t.author_id, t.title, t.tags, t.is_question,
                t.accepted_post_id, t.pinned, t.locked, t.reply_count, t.reaction_count,
                t.last_post_at, t.last_poster_id, t.created_at, t.deleted_at, t.held_at,
                a.display_name AS author_name, NULL AS last_poster_name
         FROM topics t JOIN users a ON a.id = t.author_id
         WHERE t.community_id = $1 AND t.is_question = TRUE AND t.reply_count = 0
           AND t.deleted_at IS NULL AND t.held_at IS NULL AND t.space_id IN ({})
         ORDER BY t.created_at
         LIMIT $2",
        placeholders(3, space_ids.len())
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

// --- scheduled prompts -----------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PromptRow {
    pub id: String,
    pub community_id: String,
    pub space_id: String,
    pub author_id: String,
    pub title: String,
    pub body: String,
    pub run_at: i64,
    /// `scheduled`, `posted` or `cancelled`.
    pub status: String,
    pub topic_id: Option<String>,
    pub created_at: i64,
}

const PROMPT_COLUMNS: &str =
    "id, community_id, space_id, author_id, title, body, run_at, status, topic_id, created_at";

pub async fn insert_prompt(tx: &mut Tx, p: &PromptRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO scheduled_prompts (id, community_id, space_id, author_id, title, body, run_at, status, topic_id, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)"
    )
    .bind(&p.id)
    .bind(&p.community_id)
    .bind(&p.space_id)
    .bind(&p.author_id)
    .bind(&p.title)
    .bind(&p.body)
    .bind(p.run_at)
    .bind(&p.status)
    .bind(p.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

pub async fn prompt_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<PromptRow>> {
    let sql = format!("SELECT {PROMPT_COLUMNS} FROM scheduled_prompts WHERE id = $1");
    with_read!(src, |c| sqlx::query_as::<_, PromptRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// A community's prompts: upcoming first, then the ones already posted.
pub async fn prompts_of(db: &Db, community_id: &str) -> Result<Vec<PromptRow>> {
    let sql = format!(
        "SELECT {PROMPT_COLUMNS} FROM scheduled_prompts WHERE community_id = $1
         ORDER BY CASE WHEN status = 'scheduled' THEN 0 ELSE 1 END, run_at DESC LIMIT 200"
    );
    with_read!(db, |c| sqlx::query_as::<_, PromptRow>(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

/// Moves a prompt out of `scheduled`; false if it was not scheduled any more.
pub async fn finish_prompt(
    tx: &mut Tx,
    id: &str,
    status: &str,
    topic_id: Option<&str>,
) -> Result<bool> {
    let n = with_tx!(tx, |c| {
        sqlx::query(
        "UPDATE scheduled_prompts SET status = $2, topic_id = $3 WHERE id = $1 AND status = 'scheduled'"
    )
    .bind(id)
    .bind(status)
    .bind(topic_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(n == 1)
}

// --- introductions ---------------------------------------------------------------------

pub async fn set_introductions_space(
    tx: &mut Tx,
    community_id: &str,
    space_id: Option<&str>,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE communities SET introductions_space_id = $2 WHERE id = $1"
    )
    .bind(community_id)
    .bind(space_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn introductions_space_id<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
) -> Result<Option<String>> {
    with_read!(src, |c| sqlx::query_scalar::<_, Option<String>>(
        "SELECT introductions_space_id FROM communities WHERE id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await
    .map(Option::flatten)
    .db())
}

/// A recent member and whether they have been welcomed yet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NewcomerRow {
    pub user_id: String,
    pub display_name: String,
    pub joined_at: i64,
    /// Started a topic in the introductions space.
    pub introduced: bool,
    /// Wrote anything in the community.
    pub posted: bool,
    /// Someone else replied to their introduction.
    pub greeted: bool,
}

/// Members who joined since `since`, newest first, with their welcome status (one query).
pub async fn newcomers(
    db: &Db,
    community_id: &str,
    intro_space_id: &str,
    since: i64,
) -> Result<Vec<NewcomerRow>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, NewcomerRow>(
        "SELECT m.user_id, u.display_name, m.joined_at,
                EXISTS (SELECT 1 FROM topics t WHERE t.space_id = $2 AND t.author_id = m.user_id AND t.deleted_at IS NULL) AS introduced,
                EXISTS (SELECT 1 FROM posts p WHERE p.author_id = m.user_id AND p.community_id = $1 AND p.deleted_at IS NULL) AS posted,
                EXISTS (SELECT 1 FROM topics t JOIN posts r ON r.topic_id = t.id
                        WHERE t.space_id = $2 AND t.author_id = m.user_id AND r.author_id <> m.user_id
                          AND r.deleted_at IS NULL) AS greeted
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.community_id = $1 AND m.status = 'active' AND m.joined_at >= $3
         ORDER BY m.joined_at DESC
         LIMIT 500"
    )
    .bind(community_id)
    .bind(intro_space_id)
    .bind(since)
    .fetch_all(c)
    .await
    .db()
    })
}
