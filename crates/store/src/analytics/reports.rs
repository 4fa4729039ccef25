//! The leadership report's stored parts: the manager's notes per month, the recipients, and
//! the months already mailed.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

/// What the manager wrote for a month.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub struct ReportNotes {
    pub highlights: String,
    pub insights: String,
    /// The display name of who saved them last (None if that account is gone).
    pub updated_by_name: Option<String>,
    pub updated_at: i64,
}

pub async fn notes<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    month: i64,
) -> Result<Option<ReportNotes>> {
    let sql = "SELECT r.highlights, r.insights, u.display_name AS updated_by_name, r.updated_at
               FROM leadership_reports r LEFT JOIN users u ON u.id = r.updated_by
               WHERE r.community_id = $1 AND r.month = $2";
    with_read!(src, |c| sqlx::query_as::<_, ReportNotes>(sql)
        .bind(community_id)
        .bind(month)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn save_notes(
    tx: &mut Tx,
    community_id: &str,
    month: i64,
    highlights: &str,
    insights: &str,
    user_id: &str,
    now: i64,
) -> Result<()> {
    let sql = "INSERT INTO leadership_reports
                   (community_id, month, highlights, insights, updated_by, updated_at)
               VALUES ($1, $2, $3, $4, $5, $6)
               ON CONFLICT (community_id, month) DO UPDATE SET highlights = excluded.highlights,
                   insights = excluded.insights, updated_by = excluded.updated_by,
                   updated_at = excluded.updated_at";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(community_id)
        .bind(month)
        .bind(highlights)
        .bind(insights)
        .bind(user_id)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
        .db())
}

/// The recipients as stored (one address per line), "" when none.
pub async fn recipients<'a>(src: impl Into<Source<'a>>, community_id: &str) -> Result<String> {
    let sql = "SELECT recipients FROM leadership_report_settings WHERE community_id = $1";
    let found = with_read!(src, |c| sqlx::query_scalar::<_, String>(sql)
        .bind(community_id)
        .fetch_optional(c)
        .await
        .db())?;
    Ok(found.unwrap_or_default())
}

pub async fn save_recipients(
    tx: &mut Tx,
    community_id: &str,
    recipients: &str,
    now: i64,
) -> Result<()> {
    let sql = "INSERT INTO leadership_report_settings (community_id, recipients, updated_at)
               VALUES ($1, $2, $3)
               ON CONFLICT (community_id) DO UPDATE SET recipients = excluded.recipients,
                   updated_at = excluded.updated_at";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(community_id)
        .bind(recipients)
        .bind(now)
        .execute(c)
        .await
        .map(|_| ())
        .db())
}

/// Communities with at least one recipient, with their recipients.
pub async fn communities_with_recipients(db: &Db) -> Result<Vec<(String, String)>> {
    let sql = "SELECT community_id, recipients FROM leadership_report_settings
               WHERE recipients <> '' ORDER BY community_id";
    with_read!(db, |c| sqlx::query_as::<_, (String, String)>(sql)
        .fetch_all(c)
        .await
        .db())
}

/// Claims a month's mailing; false when it was claimed before (by any instance).
pub async fn claim_mailing(
    tx: &mut Tx,
    community_id: &str,
    month: i64,
    recipients: i64,
    now: i64,
) -> Result<bool> {
    let sql = "INSERT INTO leadership_report_mailings (community_id, month, recipients, sent_at)
               VALUES ($1, $2, $3, $4) ON CONFLICT (community_id, month) DO NOTHING";
    let n = with_tx!(tx, |c| sqlx::query(sql)
        .bind(community_id)
        .bind(month)
        .bind(recipients)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    Ok(n == 1)
}

/// When a month's report was mailed, and to how many.
pub async fn mailing<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    month: i64,
) -> Result<Option<(i64, i64)>> {
    let sql = "SELECT sent_at, recipients FROM leadership_report_mailings
               WHERE community_id = $1 AND month = $2";
    with_read!(src, |c| sqlx::query_as::<_, (i64, i64)>(sql)
        .bind(community_id)
        .bind(month)
        .fetch_optional(c)
        .await
        .db())
}
