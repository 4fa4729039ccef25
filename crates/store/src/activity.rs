//! The activity log: appended in the transaction of the action it records, never updated.

use crate::db::{Db, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityRow {
    pub id: String,
    pub community_id: Option<String>,
    pub actor_id: Option<String>,
    pub verb: String,
    pub object_type: String,
    pub object_id: String,
    /// Small JSON object with what the verb needs (names at the time, sources, ...).
    pub detail: String,
    pub created_at: i64,
}

pub async fn append(tx: &mut Tx, row: &ActivityRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO activities (id, community_id, actor_id, verb, object_type, object_id, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&row.id)
    .bind(&row.community_id)
    .bind(&row.actor_id)
    .bind(&row.verb)
    .bind(&row.object_type)
    .bind(&row.object_id)
    .bind(&row.detail)
    .bind(row.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActivityWithActor {
    #[sqlx(flatten)]
    pub activity: ActivityRow,
    pub actor_name: Option<String>,
}

/// A community's activity with the actors' names, newest first, before the keyset cursor
/// `(created_at, id)`; visits (one per member per day, for analytics) are left out.
pub async fn recent_in_community(
    db: &Db,
    community_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<ActivityWithActor>> {
    let (before_time, before_id) = before.unwrap_or((i64::MAX, "g"));
    with_read!(db, |c| {
        sqlx::query_as::<_, ActivityWithActor>(
        "SELECT a.id, a.community_id, a.actor_id, a.verb, a.object_type, a.object_id, a.detail,
                a.created_at, u.display_name AS actor_name
         FROM activities a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.community_id = $1 AND a.verb <> 'visited' AND (a.created_at < $2 OR (a.created_at = $2 AND a.id < $3))
         ORDER BY a.created_at DESC, a.id DESC
         LIMIT $4"
    )
    .bind(community_id)
    .bind(before_time)
    .bind(before_id)
    .bind(limit)
    .fetch_all(c)
    .await
    .db()
    })
}

/// What one person did, in any community or none, newest first (at most `limit`); visits
/// are left out.
pub async fn recent_by_actor(db: &Db, actor_id: &str, limit: i64) -> Result<Vec<ActivityRow>> {
    with_read!(db, |c| sqlx::query_as::<_, ActivityRow>(
        "SELECT id, community_id, actor_id, verb, object_type, object_id, detail, created_at
         FROM activities WHERE actor_id = $1 AND verb <> 'visited'
         ORDER BY created_at DESC, id DESC
         LIMIT $2"
    )
    .bind(actor_id)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

/// How many times a verb was recorded in a community (operations and tests).
pub async fn count_verb(db: &Db, community_id: &str, verb: &str) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM activities WHERE community_id = $1 AND verb = $2"
    )
    .bind(community_id)
    .bind(verb)
    .fetch_one(c)
    .await
    .db())
}
