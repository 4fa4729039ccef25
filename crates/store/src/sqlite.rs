//! Statements that only SQLite speaks.

use crate::error::MapErr;
use crate::jobs::ClaimedJob;
use crate::Result;
use sqlx::{SqliteConnection, SqlitePool};

/// Claims one due job. SQLite has a single writer connection, so the claim cannot race.
pub(crate) async fn claim_job(
    conn: &mut SqliteConnection,
    worker: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<ClaimedJob>> {
    sqlx::query_as::<_, ClaimedJob>(
        "UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = $1, locked_until = $2
         WHERE id = (
             SELECT id FROM jobs
             WHERE (status = 'queued' AND run_at <= $3) OR (status = 'running' AND locked_until < $3)
             ORDER BY run_at LIMIT 1)
         RETURNING id, kind, payload, attempts, max_attempts",
    )
    .bind(worker)
    .bind(lease_until)
    .bind(now)
    .fetch_optional(conn)
    .await
    .db()
}

pub(crate) async fn describe_schema(pool: &SqlitePool) -> Result<Vec<String>> {
    let tables: Vec<(String,)> = sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'table'
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'",
    )
    .fetch_all(pool)
    .await
    .db()?;
    let mut lines = Vec::new();
    for (table,) in tables {
        let columns: Vec<(String, String, bool, bool)> =
            sqlx::query_as("SELECT name, type, \"notnull\", pk > 0 FROM pragma_table_info($1)")
                .bind(&table)
                .fetch_all(pool)
                .await
                .db()?;
        for (name, ty, not_null, pk) in columns {
            let not_null = if not_null || pk { " not null" } else { "" };
            lines.push(format!(
                "column {table}.{name} {}{not_null}",
                ty.to_lowercase()
            ));
        }
        let indexes: Vec<(String,)> = sqlx::query_as(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = $1
             AND name NOT LIKE 'sqlite_autoindex%'",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .db()?;
        for (index,) in indexes {
            let cols: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .db()?;
            let cols: Vec<String> = cols.into_iter().map(|(c,)| c).collect();
            lines.push(format!("index {table}.{index} ({})", cols.join(",")));
        }
    }
    lines.sort();
    Ok(lines)
}
