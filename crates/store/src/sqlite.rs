//! Statements that only SQLite speaks.

use crate::error::MapErr;
use crate::jobs::ClaimedJob;
use crate::search::SearchHit;
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
         AND name NOT LIKE 'sqlite_%' AND name <> '_sqlx_migrations'
         AND name NOT LIKE 'post_search%'",
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

pub(crate) async fn index_post(
    conn: &mut SqliteConnection,
    post_id: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    unindex_post(&mut *conn, post_id).await?;
    sqlx::query("INSERT INTO post_search (post_id, title, body) VALUES ($1, $2, $3)")
        .bind(post_id)
        .bind(title)
        .bind(body)
        .execute(&mut *conn)
        .await
        .db()?;
    sqlx::query(
        "INSERT INTO post_search_rowids (post_id, search_rowid) VALUES ($1, last_insert_rowid())
         ON CONFLICT (post_id) DO UPDATE SET search_rowid = excluded.search_rowid",
    )
    .bind(post_id)
    .execute(conn)
    .await
    .db()?;
    Ok(())
}

/// Removes a post's search row, found through the rowid map (FTS5 cannot index post_id).
pub(crate) async fn unindex_post(conn: &mut SqliteConnection, post_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM post_search WHERE rowid = (SELECT search_rowid FROM post_search_rowids WHERE post_id = $1)")
        .bind(post_id)
        .execute(&mut *conn)
        .await
        .db()?;
    sqlx::query("DELETE FROM post_search_rowids WHERE post_id = $1")
        .bind(post_id)
        .execute(conn)
        .await
        .db()?;
    Ok(())
}

/// FTS5 query syntax is for us, not for members: each word becomes a quoted prefix term.
fn fts5_query(query: &str) -> String {
    query
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == '\'')
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .map(|w| format!("\"{}\"*", w.replace('"', "")))
        .collect::<Vec<_>>()
        .join(" ")
}

pub(crate) async fn search(
    pool: &SqlitePool,
    space_ids: &[String],
    query: &str,
    limit: i64,
) -> Result<Vec<SearchHit>> {
    let fts = fts5_query(query);
    if fts.is_empty() {
        return Ok(Vec::new());
    }
    let sql = crate::search::search_sql(crate::db::Backend::Sqlite, space_ids.len());
    let mut q = sqlx::query_as::<_, SearchHit>(&sql).bind(fts).bind(limit);
    for id in space_ids {
        q = q.bind(id);
    }
    q.fetch_all(pool).await.db()
}
