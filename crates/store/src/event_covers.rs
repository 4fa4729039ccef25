//! Events' cover pictures: one file per event (see `app::event_covers`).

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

/// The cover's file id of an event, if it has one.
pub async fn cover<'a>(src: impl Into<Source<'a>>, event_id: &str) -> Result<Option<String>> {
    with_read!(src, |c| sqlx::query_scalar::<_, String>(
        "SELECT file_id FROM event_covers WHERE event_id = $1"
    )
    .bind(event_id)
    .fetch_optional(c)
    .await
    .db())
}

/// (event id, file id) of those of `event_ids` that have a cover.
pub async fn covers<'a>(
    src: impl Into<Source<'a>>,
    event_ids: &[String],
) -> Result<Vec<(String, String)>> {
    if event_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT event_id, file_id FROM event_covers WHERE event_id IN ({})",
        crate::sql::placeholders(1, event_ids.len())
    );
    with_read!(src, |c| {
        let mut q = sqlx::query_as::<_, (String, String)>(&sql);
        for id in event_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

pub async fn set_cover(tx: &mut Tx, event_id: &str, file_id: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_covers (event_id, file_id, updated_at) VALUES ($1, $2, $3)
         ON CONFLICT (event_id) DO UPDATE SET file_id = excluded.file_id,
             updated_at = excluded.updated_at"
    )
    .bind(event_id)
    .bind(file_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn remove_cover(tx: &mut Tx, event_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM event_covers WHERE event_id = $1"
    )
    .bind(event_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Every event as (id, community id, creator), oldest first (the demo gives them covers).
pub async fn all_events(db: &crate::db::Db) -> Result<Vec<(String, String, String)>> {
    with_read!(db, |c| sqlx::query_as::<_, (String, String, String)>(
        "SELECT id, community_id, created_by FROM events ORDER BY starts_at, id"
    )
    .fetch_all(c)
    .await
    .db())
}
