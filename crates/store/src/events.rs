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
    /// Minutes before the start, comma-separated ("1440,60"); see domain::events.
    pub reminder_minutes: String,
    /// Set when a host called the event off, with their reason.
    pub cancelled_at: Option<i64>,
    pub cancel_reason: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    /// The recurring series this is an occurrence of (see `event_series`).
    pub series_id: Option<String>,
    /// The occurrence's original start (RECURRENCE-ID), UTC microseconds.
    pub recurrence_id: Option<i64>,
    /// A host edited this occurrence alone: editing the series leaves it as it is.
    pub edited_alone: bool,
}

pub(crate) const EVENT_COLUMNS: &str =
    "id, community_id, space_id, title, description, format, starts_at, \
     ends_at, time_zone, online_url, venue, capacity, registration_deadline, registered_count, \
     sequence, reminder_minutes, cancelled_at, cancel_reason, created_by, created_at, updated_at, \
     series_id, recurrence_id, edited_alone";

pub async fn insert_event(tx: &mut Tx, e: &EventRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO events (id, community_id, space_id, title, description, format, starts_at,
             ends_at, time_zone, online_url, venue, capacity, registration_deadline,
             registered_count, sequence, reminder_minutes, created_by, created_at, updated_at,
             series_id, recurrence_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 0, 0, $16, $14, $15, $15,
             $17, $18)"
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
    .bind(&e.reminder_minutes)
    .bind(&e.series_id)
    .bind(e.recurrence_id)
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
             registration_deadline = $11, sequence = sequence + 1, updated_at = $12,
             reminder_minutes = $13, edited_alone = $14
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
    .bind(&e.reminder_minutes)
    .bind(e.edited_alone)
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

/// A space's events not yet over (soonest first), or over (latest first); only those of
/// one format when `format` is given.
pub async fn events_in_space(
    db: &Db,
    space_id: &str,
    now: i64,
    upcoming: bool,
    format: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let and_format = if format.is_some() {
        " AND format = $4"
    } else {
        ""
    };
    let sql = if upcoming {
        format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE space_id = $1 AND ends_at >= $2{and_format}
             ORDER BY starts_at, id LIMIT $3"
        )
    } else {
        format!(
            "SELECT {EVENT_COLUMNS} FROM events WHERE space_id = $1 AND ends_at < $2{and_format}
             ORDER BY starts_at DESC, id DESC LIMIT $3"
        )
    };
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, EventRow>(&sql)
            .bind(space_id)
            .bind(now)
            .bind(limit);
        if let Some(f) = format {
            q = q.bind(f);
        }
        q.fetch_all(c).await.db()
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RegistrationRow {
    pub id: String,
    pub event_id: String,
    pub user_id: String,
    pub status: String,
    pub queued_at: i64,
    pub updated_at: i64,
    pub checked_in_at: Option<i64>,
    /// Random, per registration: what the member's check-in QR code carries.
    pub checkin_code: Option<String>,
    /// The ticket type held or waited for (see `ticket_types`).
    pub ticket_type_id: Option<String>,
}

const REG_COLUMNS: &str = "id, event_id, user_id, status, queued_at, updated_at, \
     checked_in_at, checkin_code, ticket_type_id";

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

/// Records a (re-)registration as `status` for its ticket type, at the back of the queue.
pub async fn upsert_registration(tx: &mut Tx, r: &RegistrationRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_registrations
             (id, event_id, user_id, status, queued_at, updated_at, checkin_code, ticket_type_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (event_id, user_id) DO UPDATE
         SET status = excluded.status, queued_at = excluded.queued_at,
             updated_at = excluded.updated_at, ticket_type_id = excluded.ticket_type_id,
             checkin_code = COALESCE(event_registrations.checkin_code, excluded.checkin_code)"
    )
    .bind(&r.id)
    .bind(&r.event_id)
    .bind(&r.user_id)
    .bind(&r.status)
    .bind(r.queued_at)
    .bind(r.updated_at)
    .bind(&r.checkin_code)
    .bind(&r.ticket_type_id)
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

/// The first on the waitlist whose ticket type has a free seat: first come, first served
/// within each type.
pub async fn first_waitlisted(tx: &mut Tx, event_id: &str) -> Result<Option<RegistrationRow>> {
    let columns = REG_COLUMNS
        .split(", ")
        .map(|c| format!("r.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM event_registrations r
         JOIN event_ticket_types t ON t.id = r.ticket_type_id
         WHERE r.event_id = $1 AND r.status = 'waitlisted'
           AND (t.quantity IS NULL OR t.taken < t.quantity)
         ORDER BY r.queued_at, r.id LIMIT 1"
    );
    with_tx!(tx, |c| sqlx::query_as::<_, RegistrationRow>(&sql)
        .bind(event_id)
        .fetch_optional(c)
        .await
        .db())
}

/// How many are ahead of this waitlisted registration for its ticket type, plus one: its
/// place in the queue.
pub async fn waitlist_position(db: &Db, r: &RegistrationRow) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM event_registrations
         WHERE event_id = $1 AND status = 'waitlisted' AND ticket_type_id = $4
           AND (queued_at < $2 OR (queued_at = $2 AND id <= $3))"
    )
    .bind(&r.event_id)
    .bind(r.queued_at)
    .bind(&r.id)
    .bind(&r.ticket_type_id)
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

/// A registrant as a host sees them on the attendance list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Registrant {
    pub user_id: String,
    pub display_name: String,
    pub status: String,
    pub queued_at: i64,
    pub checked_in_at: Option<i64>,
    /// The name of their ticket type.
    pub ticket_type: String,
}

/// Everyone registered or waitlisted, registered first, then in queue order.
pub async fn registrants(db: &Db, event_id: &str) -> Result<Vec<Registrant>> {
    with_read!(db, |c| sqlx::query_as::<_, Registrant>(
        "SELECT r.user_id, u.display_name, r.status, r.queued_at, r.checked_in_at,
                COALESCE(t.name, '') AS ticket_type
         FROM event_registrations r JOIN users u ON u.id = r.user_id
         LEFT JOIN event_ticket_types t ON t.id = r.ticket_type_id
         WHERE r.event_id = $1 AND r.status IN ('registered', 'waitlisted')
         ORDER BY CASE WHEN r.status = 'registered' THEN 0 ELSE 1 END, r.queued_at, r.id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

pub async fn registration_by_checkin_code<'a>(
    src: impl Into<Source<'a>>,
    code: &str,
) -> Result<Option<RegistrationRow>> {
    let sql = format!("SELECT {REG_COLUMNS} FROM event_registrations WHERE checkin_code = $1");
    with_read!(src, |c| sqlx::query_as::<_, RegistrationRow>(&sql)
        .bind(code)
        .fetch_optional(c)
        .await
        .db())
}

/// Marks attendance (or takes it back with `None`). Returns whether anything changed.
pub async fn set_checked_in(
    tx: &mut Tx,
    registration_id: &str,
    at: Option<i64>,
    by: Option<&str>,
) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE event_registrations SET checked_in_at = $2, checked_in_by = $3
         WHERE id = $1 AND status = 'registered'
           AND (checked_in_at IS NULL) <> ($2 IS NULL)"
    )
    .bind(registration_id)
    .bind(at)
    .bind(by)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n > 0)
}

/// (registered, checked in) for one event.
pub async fn attendance(db: &Db, event_id: &str) -> Result<(i64, i64)> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN checked_in_at IS NULL THEN 0 ELSE 1 END), 0)
         FROM event_registrations WHERE event_id = $1 AND status = 'registered'"
    )
    .bind(event_id)
    .fetch_one(c)
    .await
    .db())
}

/// Events starting in `(from, until]`: the candidates for reminders.
pub async fn events_starting_between<'a>(
    src: impl Into<Source<'a>>,
    from: i64,
    until: i64,
) -> Result<Vec<EventRow>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events
         WHERE starts_at > $1 AND starts_at <= $2 AND cancelled_at IS NULL
         ORDER BY starts_at, id"
    );
    with_read!(src, |c| sqlx::query_as::<_, EventRow>(&sql)
        .bind(from)
        .bind(until)
        .fetch_all(c)
        .await
        .db())
}

/// Someone to remind: the reminder row was just written for them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderRecipient {
    pub user_id: String,
    pub email: String,
    pub display_name: String,
}

/// Writes a reminder row for every registrant not yet reminded `minutes_before` this start
/// time, and returns them: whoever is returned must be mailed in this transaction.
pub async fn claim_reminders(
    tx: &mut Tx,
    event: &EventRow,
    minutes_before: i64,
    now: i64,
) -> Result<Vec<ReminderRecipient>> {
    // SQLite has no INSERT inside WITH, so the fresh rows come back first, then the people.
    let fresh: Vec<String> = with_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "INSERT INTO event_reminders (event_id, user_id, minutes_before, starts_at, sent_at)
         SELECT r.event_id, r.user_id, $2, $3, $4 FROM event_registrations r
         WHERE r.event_id = $1 AND r.status = 'registered'
         ON CONFLICT DO NOTHING
         RETURNING user_id"
    )
    .bind(&event.id)
    .bind(minutes_before)
    .bind(event.starts_at)
    .bind(now)
    .fetch_all(c)
    .await
    .db())?;
    let mut recipients = Vec::with_capacity(fresh.len());
    for chunk in fresh.chunks(500) {
        let placeholders = (1..=chunk.len())
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT id AS user_id, email, display_name FROM users WHERE id IN ({placeholders})
             ORDER BY id"
        );
        let rows = with_tx!(tx, |c| {
            let mut q = sqlx::query_as::<_, ReminderRecipient>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(c).await.db()
        })?;
        recipients.extend(rows);
    }
    Ok(recipients)
}

/// A member's registrations (registered, not waitlisted) with their events, for the
/// personal calendar: events ending after `since`, soonest first.
pub async fn my_registered_events(
    db: &Db,
    user_id: &str,
    since: i64,
    limit: i64,
) -> Result<Vec<EventRow>> {
    let columns = EVENT_COLUMNS
        .split(", ")
        .map(|c| format!("e.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM event_registrations r JOIN events e ON e.id = r.event_id
         WHERE r.user_id = $1 AND r.status = 'registered' AND e.ends_at >= $2
         ORDER BY e.starts_at, e.id LIMIT $3"
    );
    with_read!(db, |c| sqlx::query_as::<_, EventRow>(&sql)
        .bind(user_id)
        .bind(since)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

/// A community's events in the given spaces ending after `since`, soonest first; only those
/// of one format when `format` is given.
pub async fn events_in_spaces(
    db: &Db,
    space_ids: &[String],
    since: i64,
    format: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    events_where(db, space_ids, "ends_at >= $1", &[since], format, limit).await
}

/// Events in the given spaces starting in `[from, until)`, soonest first (a calendar month);
/// only those of one format when `format` is given.
pub async fn events_starting_in(
    db: &Db,
    space_ids: &[String],
    from: i64,
    until: i64,
    format: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    events_where(
        db,
        space_ids,
        "starts_at >= $1 AND starts_at < $2",
        &[from, until],
        format,
        limit,
    )
    .await
}

/// Events in `space_ids` matching `condition` (over `$1`.. for `times`), by start time.
async fn events_where(
    db: &Db,
    space_ids: &[String],
    condition: &str,
    times: &[i64],
    format: Option<&str>,
    limit: i64,
) -> Result<Vec<EventRow>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let limit_at = times.len() + 1;
    let mut next = limit_at + 1;
    let and_format = if format.is_some() {
        next += 1;
        format!(" AND format = ${}", limit_at + 1)
    } else {
        String::new()
    };
    let placeholders = (0..space_ids.len())
        .map(|i| format!("${}", i + next))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events
         WHERE {condition}{and_format} AND space_id IN ({placeholders})
         ORDER BY starts_at, id LIMIT ${limit_at}"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, EventRow>(&sql);
        for t in times {
            q = q.bind(*t);
        }
        q = q.bind(limit);
        if let Some(f) = format {
            q = q.bind(f);
        }
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// The user whose private calendar feed this token opens.
pub async fn calendar_feed_owner(db: &Db, token_hash: &str) -> Result<Option<String>> {
    with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT user_id FROM calendar_feeds WHERE token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await
    .db())
}

/// When the member's current feed address was made, if they have one.
pub async fn calendar_feed_created(db: &Db, user_id: &str) -> Result<Option<i64>> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT created_at FROM calendar_feeds WHERE user_id = $1"
    )
    .bind(user_id)
    .fetch_optional(c)
    .await
    .db())
}

/// Gives the member a new feed token; the old address stops working.
pub async fn replace_calendar_feed(
    tx: &mut Tx,
    user_id: &str,
    token_hash: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO calendar_feeds (user_id, token_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (user_id) DO UPDATE
         SET token_hash = excluded.token_hash, created_at = excluded.created_at"
    )
    .bind(user_id)
    .bind(token_hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Calls the event off and bumps its SEQUENCE; false if it already was.
pub async fn cancel_event(tx: &mut Tx, id: &str, reason: &str, now: i64) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE events SET cancelled_at = $2, cancel_reason = $3, sequence = sequence + 1,
             updated_at = $2
         WHERE id = $1 AND cancelled_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n > 0)
}

/// Everyone holding a seat or a waitlist place: who must hear of a change.
pub async fn people_to_tell(tx: &mut Tx, event_id: &str) -> Result<Vec<ReminderRecipient>> {
    with_tx!(tx, |c| sqlx::query_as::<_, ReminderRecipient>(
        "SELECT u.id AS user_id, u.email, u.display_name
         FROM event_registrations r JOIN users u ON u.id = r.user_id
         WHERE r.event_id = $1 AND r.status IN ('registered', 'waitlisted')
         ORDER BY u.id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

/// A series' occurrences, by original start.
pub async fn occurrences<'a>(src: impl Into<Source<'a>>, series_id: &str) -> Result<Vec<EventRow>> {
    let sql = format!(
        "SELECT {EVENT_COLUMNS} FROM events WHERE series_id = $1 ORDER BY recurrence_id, id"
    );
    with_read!(src, |c| sqlx::query_as::<_, EventRow>(&sql)
        .bind(series_id)
        .fetch_all(c)
        .await
        .db())
}
