//! Spaces inside a community, and who has joined them.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpaceRow {
    pub id: String,
    pub community_id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub kind: String,
    pub visibility: String,
    pub position: i64,
    pub member_count: i64,
    pub created_by: String,
    pub created_at: i64,
}

const SPACE_COLUMNS: &str =
    "id, community_id, slug, name, description, kind, visibility, position, \
     member_count, created_by, created_at";

/// Inserts a space at the end of the community's list; returns its position.
pub async fn insert_space(tx: &mut Tx, row: &SpaceRow) -> Result<i64> {
    with_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO spaces (id, community_id, slug, name, description, kind, visibility, position,
             member_count, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7,
             (SELECT COALESCE(MAX(position), 0) + 1 FROM spaces WHERE community_id = $2),
             0, $8, $9)
         RETURNING position"
    )
    .bind(&row.id)
    .bind(&row.community_id)
    .bind(&row.slug)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.kind)
    .bind(&row.visibility)
    .bind(&row.created_by)
    .bind(row.created_at)
    .fetch_one(c)
    .await
    .db())
}

pub async fn update_space(tx: &mut Tx, row: &SpaceRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE spaces SET name = $2, description = $3, visibility = $4 WHERE id = $1"
    )
    .bind(&row.id)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.visibility)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// All spaces of a community in navigation order; the caller filters by visibility.
pub async fn spaces_of(db: &Db, community_id: &str) -> Result<Vec<SpaceRow>> {
    let sql =
        format!("SELECT {SPACE_COLUMNS} FROM spaces WHERE community_id = $1 ORDER BY position, id");
    with_read!(db, |c| sqlx::query_as::<_, SpaceRow>(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

pub async fn space_by_slug<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    slug: &str,
) -> Result<Option<SpaceRow>> {
    let sql = format!("SELECT {SPACE_COLUMNS} FROM spaces WHERE community_id = $1 AND slug = $2");
    with_read!(src, |c| sqlx::query_as::<_, SpaceRow>(&sql)
        .bind(community_id)
        .bind(slug)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn space_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<SpaceRow>> {
    let sql = format!("SELECT {SPACE_COLUMNS} FROM spaces WHERE id = $1");
    with_read!(src, |c| sqlx::query_as::<_, SpaceRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// Adds a member to a space; false if they were already in it.
pub async fn join_space(tx: &mut Tx, space_id: &str, user_id: &str, now: i64) -> Result<bool> {
    let done = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO space_members (space_id, user_id, joined_at) VALUES ($1, $2, $3)
         ON CONFLICT (space_id, user_id) DO NOTHING"
    )
    .bind(space_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let joined = done == 1;
    if joined {
        add_to_space_count(tx, space_id, 1).await?;
    }
    Ok(joined)
}

/// Removes a member from a space; false if they were not in it.
pub async fn leave_space(tx: &mut Tx, space_id: &str, user_id: &str) -> Result<bool> {
    let done = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM space_members WHERE space_id = $1 AND user_id = $2"
    )
    .bind(space_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let left = done == 1;
    if left {
        add_to_space_count(tx, space_id, -1).await?;
    }
    Ok(left)
}

/// Removes someone from every space of a community (when they leave it).
pub async fn leave_all_spaces(tx: &mut Tx, community_id: &str, user_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE spaces SET member_count = member_count - 1
         WHERE community_id = $1
           AND id IN (SELECT space_id FROM space_members WHERE user_id = $2)"
    )
    .bind(community_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM space_members WHERE user_id = $2
         AND space_id IN (SELECT id FROM spaces WHERE community_id = $1)"
    )
    .bind(community_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

async fn add_to_space_count(tx: &mut Tx, space_id: &str, delta: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE spaces SET member_count = member_count + $2 WHERE id = $1"
    )
    .bind(space_id)
    .bind(delta)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The ids of the spaces of a community that a member has joined.
pub async fn joined_space_ids(db: &Db, community_id: &str, user_id: &str) -> Result<Vec<String>> {
    with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT sm.space_id FROM space_members sm JOIN spaces s ON s.id = sm.space_id
         WHERE s.community_id = $1 AND sm.user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}
