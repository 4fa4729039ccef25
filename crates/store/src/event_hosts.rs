//! An event's co-hosts and speakers.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

/// Whether the user co-hosts the event.
pub async fn is_cohost<'a>(
    src: impl Into<Source<'a>>,
    event_id: &str,
    user_id: &str,
) -> Result<bool> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM event_hosts WHERE event_id = $1 AND user_id = $2"
    )
    .bind(event_id)
    .bind(user_id)
    .fetch_one(c)
    .await
    .db())
    .map(|n| n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HostRow {
    pub user_id: String,
    pub display_name: String,
    pub handle: String,
    /// The account is deleted: shown as "Deleted member", with no link to a profile.
    pub deleted: bool,
}

/// A member as an event's host (its creator, say).
pub async fn host(db: &Db, user_id: &str) -> Result<Option<HostRow>> {
    with_read!(db, |c| sqlx::query_as::<_, HostRow>(
        "SELECT id AS user_id, display_name, handle, deleted_at IS NOT NULL AS deleted
         FROM users WHERE id = $1"
    )
    .bind(user_id)
    .fetch_optional(c)
    .await
    .db())
}

/// The co-hosts, in the order they were added.
pub async fn cohosts(db: &Db, event_id: &str) -> Result<Vec<HostRow>> {
    with_read!(db, |c| sqlx::query_as::<_, HostRow>(
        "SELECT h.user_id, u.display_name, u.handle, u.deleted_at IS NOT NULL AS deleted
         FROM event_hosts h JOIN users u ON u.id = h.user_id
         WHERE h.event_id = $1 ORDER BY h.added_at, h.user_id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

/// Adds a co-host; false if they already were one.
pub async fn add_cohost(
    tx: &mut Tx,
    event_id: &str,
    user_id: &str,
    by: &str,
    now: i64,
) -> Result<bool> {
    let sql = "INSERT INTO event_hosts (event_id, user_id, added_by, added_at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(event_id)
        .bind(user_id)
        .bind(by)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())
    .map(|n| n > 0)
}

/// Removes a co-host; false if they were not one.
pub async fn remove_cohost(tx: &mut Tx, event_id: &str, user_id: &str) -> Result<bool> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM event_hosts WHERE event_id = $1 AND user_id = $2"
    )
    .bind(event_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())
    .map(|n| n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SpeakerRow {
    pub id: String,
    pub event_id: String,
    pub position: i64,
    pub name: String,
    /// The member the speaker is, if any.
    pub user_id: Option<String>,
    /// Their handle, for the link.
    pub handle: Option<String>,
    pub bio: String,
    /// The member's account is deleted: shown as "Deleted member", with no link.
    pub deleted: bool,
}

/// The speakers, in order.
pub async fn speakers<'a>(src: impl Into<Source<'a>>, event_id: &str) -> Result<Vec<SpeakerRow>> {
    with_read!(src, |c| sqlx::query_as::<_, SpeakerRow>(
        "SELECT s.id, s.event_id, s.ordinal AS position,
             CASE WHEN u.deleted_at IS NULL THEN s.name ELSE 'Deleted member' END AS name,
             s.user_id, CASE WHEN u.deleted_at IS NULL THEN u.handle END AS handle,
             CASE WHEN u.deleted_at IS NULL THEN s.bio ELSE '' END AS bio,
             u.deleted_at IS NOT NULL AS deleted
         FROM event_speakers s LEFT JOIN users u ON u.id = s.user_id
         WHERE s.event_id = $1 ORDER BY s.ordinal, s.id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

/// Adds a speaker after the others.
pub async fn insert_speaker(tx: &mut Tx, s: &SpeakerRow, now: i64) -> Result<()> {
    let sql = "INSERT INTO event_speakers (id, event_id, ordinal, name, user_id, bio, created_at)
         VALUES ($1, $2,
             (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM event_speakers WHERE event_id = $2),
             $3, $4, $5, $6)";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(&s.id)
        .bind(&s.event_id)
        .bind(&s.name)
        .bind(&s.user_id)
        .bind(&s.bio)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    Ok(())
}

/// Removes a speaker of the event; false if there was none with that id.
pub async fn delete_speaker(tx: &mut Tx, event_id: &str, id: &str) -> Result<bool> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM event_speakers WHERE event_id = $1 AND id = $2"
    )
    .bind(event_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())
    .map(|n| n > 0)
}
