//! Statements that only PostgreSQL speaks.

use crate::db::{Notice, NOTIFY_CHANNEL};
use crate::error::MapErr;
use crate::jobs::ClaimedJob;
use crate::Result;
use sqlx::{PgConnection, PgPool};

pub(crate) async fn notify(conn: &mut PgConnection, notice: &Notice) -> Result<()> {
    let message = format!("{}\n{}", notice.topic, notice.payload);
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(NOTIFY_CHANNEL)
        .bind(message)
        .execute(conn)
        .await
        .db()?;
    Ok(())
}

/// Splits a NOTIFY payload back into a notice.
pub fn parse_notice(message: &str) -> Option<Notice> {
    let (topic, payload) = message.split_once('\n')?;
    Some(Notice {
        topic: topic.to_string(),
        payload: payload.to_string(),
    })
}

/// Claims one due job; `SKIP LOCKED` lets several instances claim side by side without
/// ever taking the same row.
pub(crate) async fn claim_job(
    conn: &mut PgConnection,
    worker: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<ClaimedJob>> {
    sqlx::query_as::<_, ClaimedJob>(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
         WHERE id = (
             SELECT id FROM jobs
             WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)
             ORDER BY run_at LIMIT 1
             FOR UPDATE SKIP LOCKED)
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind(worker)
    .bind(lease_until)
    .bind(now)
    .fetch_optional(conn)
    .await
    .db()
}

pub(crate) async fn describe_schema(pool: &PgPool) -> Result<Vec<String>> {
    let columns: Vec<(String, String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .db()?;
    let mut lines: Vec<String> = columns
        .into_iter()
        .map(|(t, c, ty, nullable)| {
            let not_null = if nullable == "NO" { " not null" } else { "" };
            format!("column {t}.{c} {}{not_null}", ty.to_lowercase())
        })
        .collect();
    let indexes: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT tablename::text, indexname::text, indexdef::text FROM pg_indexes
         WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations'
           AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
    )
    .fetch_all(pool)
    .await
    .db()?;
    for (table, name, def) in indexes {
        let cols = def
            .rsplit_once('(')
            .map(|(_, rest)| rest.trim_end_matches(')').replace(' ', ""))
            .unwrap_or_default();
        lines.push(format!("index {table}.{name} ({cols})"));
    }
    lines.sort();
    Ok(lines)
}
