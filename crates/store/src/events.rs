//! Events and registrations. Every change to an event's seats happens with its row locked
//! (`lock_event`), so concurrent registrations and cancellations are serialized per event on
//! PostgreSQL (a row lock) as they are on SQLite (its single writer).

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
    pub community_id: String,
    pub space_id: String,
    pub title: String,
    pub description: String,
    pub format: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: String,
    pub online_url: String,
    pub venue: String,
    pub capacity: Option<i64>,
    pub registration_deadline: Option<i64>,
    pub registered_count: i64,
    pub sequence: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const EVENT_COLUMNS: &str = "id, community_id, space_id, title, description, format, starts_at, \
     ends_at, time_zone, online_url, venue, capacity, registration_deadline, registered_count, \
     sequence, created_by, created_at, updated_at";

pub async fn insert_event(tx: &mut Tx, e: &EventRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO events (id, community_id, space_id, title, description, format, starts_at,
             ends_at, time_zone, online_url, venue, capacity, registration_deadline,
             registered_count, sequence, created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, 0, $14, $15, $15)"
    )
    .bind(&e.id)
    .bind(&e.community_id)
    .bind(&e.space_id)
    .bind(&e.title)
    .bind(&e.description)
    .bind(&e.format)
    .bind(e.starts_at)
    .bind(e.ends_at)
    .bind(&e.time_zone)
    .bind(&e.online_url)
    .bind(&e.venue)
    .bind(e.capacity)
    .bind(e.registration_deadline)
    .bind(&e.created_by)
    .bind(e.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Saves an edit and bumps the calendar SEQUENCE. The seat count is not touched here.
pub async fn update_event(tx: &mut Tx, e: &EventRow, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE events SET title = $2, description = $3, format = $4, starts_at = $5,
             ends_at = $6, time_zone = $7, online_url = $8, venue = $9, capacity = $10,
             registration_deadline = $11, sequence = sequence + 1, updated_at = $12
         WHERE id = $1"
    )
    .bind(&e.id)
    .bind(&e.title)
    .bind(&e.description)
    .bind(&e.format)
    .bind(e.starts_at)
    .bind(e.ends_at)
    .bind(&e.time_zone)
    .bind(&e.online_url)
    .bind(&e.venue)
    .bind(e.capacity)
    .bind(e.registration_deadline)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn event_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<EventRow>> {
    let sql = format!("SELECT {EVENT_COLUMNS} FROM events WHERE id = $1");
    with_read!(src, |c| sqlx::query_as::<_, EventRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// Locks the event's row for the rest of the transaction (a no-op UPDATE: a row lock on
/// PostgreSQL, the write lock on SQLite) and returns it as it now is.
pub async fn lock_event(tx: &mut Tx, id: &str) -> Result<Option<EventRow>> {
    let sql = format!(
        "UPDATE events SET registered_count = registered_count WHERE id = $1
         RETURNING {EVENT_COLUMNS}"
    );
    with_tx!(tx, |c| sqlx::query_as::<_, EventRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn add_seats(tx: &mut Tx, event_id: &str, delta: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE events SET registered_count = registered_count + $2 WHERE id = $1"
    )
    .bind(event_id)
    .bind(delta)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// A space's events starting at or after `from` (ascending), or before it (descending).
pub async fn events_in_space(
    db: &Db,
    space_id: &str,
    now: i64,
    upcoming: bool,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let sql = if upcoming {
        format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE space_id = $1 AND ends_at >= $2
             ORDER BY starts_at, id LIMIT $3"
        )
    } else {
        format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE space_id = $1 AND ends_at < $2
             ORDER BY starts_at DESC, id DESC LIMIT $3"
        )
    };
    with_read!(db, |c| sqlx::query_as::<_, EventRow>(&sql)
        .bind(space_id)
        .bind(now)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationRow {
    pub id: String,
    pub event_id: String,
    pub user_id: String,
    pub status: String,
    pub queued_at: i64,
    pub updated_at: i64,
}

const REG_COLUMNS: &str = "id, event_id, user_id, status, queued_at, updated_at";

pub async fn registration<'a>(
    src: impl Into<Source<'a>>,
    event_id: &str,
    user_id: &str,
) -> Result<Option<RegistrationRow>> {
    let sql = format!(
        "SELECT {REG_COLUMNS} FROM event_registrations WHERE event_id = $1 AND user_id = $2"
    );
    with_read!(src, |c| sqlx::query_as::<_, RegistrationRow>(&sql)
        .bind(event_id)
        .bind(user_id)
        .fetch_optional(c)
        .await
        .db())
}

/// Records a (re-)registration as `status`, at the back of the queue.
pub async fn upsert_registration(tx: &mut Tx, r: &RegistrationRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_registrations (id, event_id, user_id, status, queued_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (event_id, user_id) DO UPDATE
         SET status = excluded.status, queued_at = excluded.queued_at,
             updated_at = excluded.updated_at"
    )
    .bind(&r.id)
    .bind(&r.event_id)
    .bind(&r.user_id)
    .bind(&r.status)
    .bind(r.queued_at)
    .bind(r.updated_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn set_status(tx: &mut Tx, id: &str, status: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_registrations SET status = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(id)
    .bind(status)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The first on the waitlist: first come, first served.
pub async fn first_waitlisted(tx: &mut Tx, event_id: &str) -> Result<Option<RegistrationRow>> {
    let sql = format!(
        "SELECT {REG_COLUMNS} FROM event_registrations
         WHERE event_id = $1 AND status = 'waitlisted'
         ORDER BY queued_at, id LIMIT 1"
    );
    with_tx!(tx, |c| sqlx::query_as::<_, RegistrationRow>(&sql)
        .bind(event_id)
        .fetch_optional(c)
        .await
        .db())
}

/// How many are ahead of this waitlisted registration, plus one: its place in the queue.
pub async fn waitlist_position(db: &Db, r: &RegistrationRow) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM event_registrations
         WHERE event_id = $1 AND status = 'waitlisted'
           AND (queued_at < $2 OR (queued_at = $2 AND id <= $3))"
    )
    .bind(&r.event_id)
    .bind(r.queued_at)
    .bind(&r.id)
    .fetch_one(c)
    .await
    .db())
}

/// (registered, waitlisted) counts, counted from the registrations themselves.
pub async fn counts(db: &Db, event_id: &str) -> Result<(i64, i64)> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT COALESCE(SUM(CASE WHEN status = 'registered' THEN 1 ELSE 0 END), 0),
                COALESCE(SUM(CASE WHEN status = 'waitlisted' THEN 1 ELSE 0 END), 0)
         FROM event_registrations WHERE event_id = $1"
    )
    .bind(event_id)
    .fetch_one(c)
    .await
    .db())
}
