//! Event attendance for the analytics of a period (docs/metrics.md, "Events"): per event that
//! started in the period, registered, checked in and attendees who took part. One statement
//! over the events' (community, starts_at) index; each event's counts are subqueries on its
//! registrations, questions and ballots.

use super::lists::Scope;
use crate::db::Db;
use crate::error::MapErr;
use crate::sql::placeholders;
use crate::Result;

/// One event of the period and how it was attended.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EventAttendanceRow {
    pub event_id: String,
    pub title: String,
    pub format: String,
    pub starts_at: i64,
    /// Registrations still standing (not cancelled, not waitlisted).
    pub registered: i64,
    pub checked_in: i64,
    /// Checked-in attendees who asked or upvoted a question or voted in a poll.
    pub participants: i64,
}

/// Events in the scope's spaces starting in its range, not cancelled, by start.
pub async fn attendance(db: &Db, s: &Scope<'_>) -> Result<Vec<EventAttendanceRow>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT e.id AS event_id, e.title, e.format, e.starts_at,
                (SELECT COUNT(*) FROM event_registrations r
                 WHERE r.event_id = e.id AND r.status = 'registered') AS registered,
                (SELECT COUNT(*) FROM event_registrations r
                 WHERE r.event_id = e.id AND r.status = 'registered'
                   AND r.checked_in_at IS NOT NULL) AS checked_in,
                (SELECT COUNT(*) FROM event_registrations r
                 WHERE r.event_id = e.id AND r.status = 'registered'
                   AND r.checked_in_at IS NOT NULL
                   AND (EXISTS (SELECT 1 FROM event_questions q
                                WHERE q.event_id = e.id AND q.author_id = r.user_id)
                     OR EXISTS (SELECT 1 FROM event_question_votes v
                                JOIN event_questions q ON q.id = v.question_id
                                WHERE q.event_id = e.id AND v.user_id = r.user_id)
                     OR EXISTS (SELECT 1 FROM event_poll_ballots b
                                JOIN event_polls p ON p.id = b.poll_id
                                WHERE p.event_id = e.id AND b.user_id = r.user_id)))
                    AS participants
         FROM events e
         WHERE e.community_id = $1 AND e.starts_at >= $2 AND e.starts_at < $3
           AND e.cancelled_at IS NULL AND e.space_id IN ({})
         ORDER BY e.starts_at, e.id",
        placeholders(4, s.space_ids.len())
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, EventAttendanceRow>(&sql)
            .bind(s.community_id)
            .bind(s.start)
            .bind(s.end);
        for id in s.space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}
