//! Recurring event series: the rule, the time zone and the template of their occurrences
//! (which are ordinary events linked by `events.series_id`).

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SeriesRow {
    pub id: String,
    pub community_id: String,
    pub space_id: String,
    /// The RRULE, e.g. `FREQ=WEEKLY;BYDAY=TU;COUNT=8` (UNTIL in UTC).
    pub rule: String,
    pub time_zone: String,
    /// JSON: what occurrences are made from (see app::event_series::Template).
    pub template: String,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub cancelled_at: Option<i64>,
    /// Grows with every edit and the cancellation of the series itself (calendar SEQUENCE).
    pub sequence: i64,
}

const COLUMNS: &str = "id, community_id, space_id, rule, time_zone, template, created_by, \
     created_at, updated_at, cancelled_at, sequence";

pub async fn insert_series(tx: &mut Tx, s: &SeriesRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_series (id, community_id, space_id, rule, time_zone, template,
             created_by, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)"
    )
    .bind(&s.id)
    .bind(&s.community_id)
    .bind(&s.space_id)
    .bind(&s.rule)
    .bind(&s.time_zone)
    .bind(&s.template)
    .bind(&s.created_by)
    .bind(s.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn series_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<SeriesRow>> {
    let sql = format!("SELECT {COLUMNS} FROM event_series WHERE id = $1");
    with_read!(src, |c| sqlx::query_as::<_, SeriesRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// Locks the series' row for the rest of the transaction and returns it.
pub async fn lock_series(tx: &mut Tx, id: &str) -> Result<Option<SeriesRow>> {
    let sql = format!(
        "UPDATE event_series SET updated_at = updated_at WHERE id = $1 RETURNING {COLUMNS}"
    );
    with_tx!(tx, |c| sqlx::query_as::<_, SeriesRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn update_template(tx: &mut Tx, id: &str, template: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_series SET template = $2, updated_at = $3, sequence = sequence + 1
         WHERE id = $1"
    )
    .bind(id)
    .bind(template)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn cancel_series(tx: &mut Tx, id: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_series SET cancelled_at = $2, updated_at = $2, sequence = sequence + 1
         WHERE id = $1 AND cancelled_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}
