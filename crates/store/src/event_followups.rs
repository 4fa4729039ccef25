//! After an event: its recording and resources, the recap and AMA archive topics, the
//! feedback request, attendees' feedback, and the participation figures counted from the
//! rows that events' Q&A boards and polls recorded.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::events::ReminderRecipient;
use crate::Result;

pub const RECORDING: &str = "recording";
pub const RESOURCE: &str = "resource";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MaterialRow {
    pub id: String,
    pub event_id: String,
    pub kind: String,
    pub title: String,
    pub url: String,
    pub created_by: String,
    pub created_at: i64,
    /// An uploaded recording's stored file (then `url` is where it plays on this server).
    pub file_id: Option<String>,
}

pub async fn insert_material(tx: &mut Tx, m: &MaterialRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_materials (id, event_id, kind, title, url, created_by, created_at,
             file_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&m.id)
    .bind(&m.event_id)
    .bind(&m.kind)
    .bind(&m.title)
    .bind(&m.url)
    .bind(&m.created_by)
    .bind(m.created_at)
    .bind(&m.file_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Removes the event's recording (before a new one is attached: there is one at most);
/// returns the stored file it played, if it was uploaded.
pub async fn delete_recording(tx: &mut Tx, event_id: &str) -> Result<Option<String>> {
    let files = with_tx!(tx, |c| sqlx::query_scalar::<_, Option<String>>(
        "DELETE FROM event_materials WHERE event_id = $1 AND kind = 'recording'
         RETURNING file_id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())?;
    Ok(files.into_iter().flatten().next())
}

/// The event whose uploaded recording a stored file is, if it is one.
pub async fn recording_event_of_file(db: &Db, file_id: &str) -> Result<Option<String>> {
    with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT event_id FROM event_materials WHERE file_id = $1 LIMIT 1"
    )
    .bind(file_id)
    .fetch_optional(c)
    .await
    .db())
}

pub async fn delete_material(tx: &mut Tx, event_id: &str, id: &str) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM event_materials WHERE event_id = $1 AND id = $2"
    )
    .bind(event_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n > 0)
}

/// The recording first, then resources in the order they were added.
pub async fn materials(db: &Db, event_id: &str) -> Result<Vec<MaterialRow>> {
    with_read!(db, |c| sqlx::query_as::<_, MaterialRow>(
        "SELECT id, event_id, kind, title, url, created_by, created_at, file_id
         FROM event_materials
         WHERE event_id = $1
         ORDER BY CASE WHEN kind = 'recording' THEN 0 ELSE 1 END, created_at, id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct FollowupRow {
    pub event_id: String,
    pub recap_topic_id: Option<String>,
    pub archive_topic_id: Option<String>,
    pub feedback_requested_at: Option<i64>,
    /// Minutes after the end the feedback request goes out on its own; None: hosts send it.
    pub feedback_delay_minutes: Option<i64>,
    /// Where an AMA's answered questions are archived at its end.
    pub archive_space_id: Option<String>,
}

/// The feedback request's delay when hosts did not choose one.
pub const DEFAULT_FEEDBACK_DELAY_MINUTES: i64 = 60;

impl FollowupRow {
    /// An event's state before anything happened after it.
    pub fn fresh(event_id: &str) -> FollowupRow {
        FollowupRow {
            event_id: event_id.to_string(),
            feedback_delay_minutes: Some(DEFAULT_FEEDBACK_DELAY_MINUTES),
            ..Default::default()
        }
    }
}

const FOLLOWUP_COLUMNS: &str = "event_id, recap_topic_id, archive_topic_id, \
     feedback_requested_at, feedback_delay_minutes, archive_space_id";

pub async fn followup<'a>(
    src: impl Into<Source<'a>>,
    event_id: &str,
) -> Result<Option<FollowupRow>> {
    let sql = format!("SELECT {FOLLOWUP_COLUMNS} FROM event_followups WHERE event_id = $1");
    with_read!(src, |c| sqlx::query_as::<_, FollowupRow>(&sql)
        .bind(event_id)
        .fetch_optional(c)
        .await
        .db())
}

/// Makes sure the event has its followup row, then locks it for the transaction: a recap,
/// an archive or a feedback request happens once even when two hosts click together.
pub async fn lock_followup(tx: &mut Tx, event_id: &str) -> Result<FollowupRow> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_followups (event_id) VALUES ($1) ON CONFLICT DO NOTHING"
    )
    .bind(event_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let sql = format!(
        "UPDATE event_followups SET event_id = event_id WHERE event_id = $1
         RETURNING {FOLLOWUP_COLUMNS}"
    );
    with_tx!(tx, |c| sqlx::query_as::<_, FollowupRow>(&sql)
        .bind(event_id)
        .fetch_one(c)
        .await
        .db())
}

pub async fn set_recap_topic(tx: &mut Tx, event_id: &str, topic_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_followups SET recap_topic_id = $2 WHERE event_id = $1"
    )
    .bind(event_id)
    .bind(topic_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn set_archive_topic(tx: &mut Tx, event_id: &str, topic_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_followups SET archive_topic_id = $2 WHERE event_id = $1"
    )
    .bind(event_id)
    .bind(topic_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The hosts' choices for what happens after the event on its own.
pub async fn set_followup_settings(
    tx: &mut Tx,
    event_id: &str,
    feedback_delay_minutes: Option<i64>,
    archive_space_id: Option<&str>,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_followups (event_id, feedback_delay_minutes, archive_space_id)
         VALUES ($1, $2, $3)
         ON CONFLICT (event_id) DO UPDATE
         SET feedback_delay_minutes = excluded.feedback_delay_minutes,
             archive_space_id = excluded.archive_space_id"
    )
    .bind(event_id)
    .bind(feedback_delay_minutes)
    .bind(archive_space_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn set_feedback_requested(tx: &mut Tx, event_id: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_followups SET feedback_requested_at = $2 WHERE event_id = $1"
    )
    .bind(event_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The event's attendees (registered and checked in), with their e-mail addresses.
pub async fn attendees(tx: &mut Tx, event_id: &str) -> Result<Vec<ReminderRecipient>> {
    with_tx!(tx, |c| sqlx::query_as::<_, ReminderRecipient>(
        "SELECT u.id AS user_id, u.email, u.display_name
         FROM event_registrations r JOIN users u ON u.id = r.user_id
         WHERE r.event_id = $1 AND r.status = 'registered' AND r.checked_in_at IS NOT NULL
         ORDER BY u.id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedbackRow {
    pub event_id: String,
    pub user_id: String,
    pub rating: i64,
    pub comment: String,
    pub created_at: i64,
    pub updated_at: i64,
}

/// Saves the attendee's feedback, replacing what they gave before. True if it is their first.
pub async fn upsert_feedback(tx: &mut Tx, f: &FeedbackRow) -> Result<bool> {
    let created = with_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "INSERT INTO event_feedback (event_id, user_id, rating, comment, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $5)
         ON CONFLICT (event_id, user_id) DO UPDATE
         SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at
         RETURNING created_at"
    )
    .bind(&f.event_id)
    .bind(&f.user_id)
    .bind(f.rating)
    .bind(&f.comment)
    .bind(f.updated_at)
    .fetch_one(c)
    .await
    .db()
    })?;
    Ok(created == f.updated_at)
}

pub async fn feedback_of(db: &Db, event_id: &str, user_id: &str) -> Result<Option<FeedbackRow>> {
    with_read!(db, |c| sqlx::query_as::<_, FeedbackRow>(
        "SELECT event_id, user_id, rating, comment, created_at, updated_at FROM event_feedback
         WHERE event_id = $1 AND user_id = $2"
    )
    .bind(event_id)
    .bind(user_id)
    .fetch_optional(c)
    .await
    .db())
}

/// Feedback as the hosts read it: with the attendee's name, newest first.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FeedbackEntry {
    pub display_name: String,
    pub rating: i64,
    pub comment: String,
    pub updated_at: i64,
}

pub async fn all_feedback(db: &Db, event_id: &str) -> Result<Vec<FeedbackEntry>> {
    with_read!(db, |c| sqlx::query_as::<_, FeedbackEntry>(
        "SELECT u.display_name, f.rating, f.comment, f.updated_at
         FROM event_feedback f JOIN users u ON u.id = f.user_id
         WHERE f.event_id = $1 ORDER BY f.updated_at DESC, f.user_id"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

/// Attendees (checked-in registrants) who asked a question, upvoted one or cast a ballot.
pub async fn participants(db: &Db, event_id: &str) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM event_registrations r
         WHERE r.event_id = $1 AND r.status = 'registered' AND r.checked_in_at IS NOT NULL
           AND (EXISTS (SELECT 1 FROM event_questions q
                        WHERE q.event_id = $1 AND q.author_id = r.user_id)
             OR EXISTS (SELECT 1 FROM event_question_votes v
                        JOIN event_questions q ON q.id = v.question_id
                        WHERE q.event_id = $1 AND v.user_id = r.user_id)
             OR EXISTS (SELECT 1 FROM event_poll_ballots b
                        JOIN event_polls p ON p.id = b.poll_id
                        WHERE p.event_id = $1 AND b.user_id = r.user_id))"
    )
    .bind(event_id)
    .fetch_one(c)
    .await
    .db())
}

/// The id prefixes of an event's follow-up jobs: the id is `<prefix><event id>:<due at>`, so
/// queuing the same job twice (or from two instances) makes one.
pub const FEEDBACK_JOB_PREFIX: &str = "event-feedback:";
pub const AMA_ARCHIVE_JOB_PREFIX: &str = "event-ama-archive:";

/// Events lacking a follow-up job they should have (as those made before the jobs existed
/// do): not cancelled, and either the feedback request — on, not sent, due at or after
/// `due_since` — or an AMA's archive — not made, the AMA ending at or after `due_since` — has
/// no job under its id. Events ending before `ending_since` (the earliest any request can be
/// due at or after `due_since`) are not looked at, so the scan is a range over `events_end`
/// and a primary-key probe of `jobs` per event in it. Keyset-paged by (end, id) after
/// `after`, at most `limit`.
pub async fn events_missing_followups(
    db: &Db,
    ending_since: i64,
    due_since: i64,
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<crate::events::EventRow>> {
    let columns = crate::events::EVENT_COLUMNS
        .split(", ")
        .map(|c| format!("e.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ");
    let (after_end, after_id) = after.unwrap_or((i64::MIN, ""));
    let delay = format!("COALESCE(f.feedback_delay_minutes, {DEFAULT_FEEDBACK_DELAY_MINUTES})");
    let sql = format!(
        "SELECT {columns} FROM events e
         LEFT JOIN event_followups f ON f.event_id = e.id
         WHERE e.ends_at >= $1 AND e.cancelled_at IS NULL
           AND (e.ends_at > $3 OR (e.ends_at = $3 AND e.id > $4))
           AND ((f.feedback_requested_at IS NULL
                 AND (f.event_id IS NULL OR f.feedback_delay_minutes IS NOT NULL)
                 AND e.ends_at + {delay} * 60000000 >= $2
                 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id =
                     '{FEEDBACK_JOB_PREFIX}' || e.id || ':'
                     || CAST(e.ends_at + {delay} * 60000000 AS TEXT)))
             OR (e.format = 'ama' AND f.archive_topic_id IS NULL AND e.ends_at >= $2
                 AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.id =
                     '{AMA_ARCHIVE_JOB_PREFIX}' || e.id || ':' || CAST(e.ends_at AS TEXT))))
         ORDER BY e.ends_at, e.id LIMIT $5"
    );
    with_read!(db, |c| sqlx::query_as::<_, crate::events::EventRow>(&sql)
        .bind(ending_since)
        .bind(due_since)
        .bind(after_end)
        .bind(after_id)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}
