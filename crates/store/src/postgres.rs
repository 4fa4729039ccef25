//! Statements that only PostgreSQL speaks.

use crate::db::{Notice, NOTIFY_CHANNEL};
use crate::error::MapErr;
use crate::jobs::ClaimedJob;
use crate::search::{Arg, Driver, SearchFilter, SearchHit, COUNT_CAP, RECENT_WINDOW};
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
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations'
           AND table_name NOT LIKE 'post\\_search%'",
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
           AND tablename NOT LIKE 'post\\_search%'
           AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'",
    )
    .fetch_all(pool)
    .await
    .db()?;
    for (table, name, def) in indexes {
        // A partial index: its columns come before the predicate, which is only marked (the
        // two backends spell predicates differently).
        let (def, partial) = match def.split_once(" WHERE ") {
            Some((def, _)) => (def.to_string(), " partial"),
            None => (def, ""),
        };
        let cols = def
            .rsplit_once('(')
            .map(|(_, rest)| rest.trim_end_matches(')').replace(' ', ""))
            .unwrap_or_default();
        lines.push(format!("index {table}.{name} ({cols}){partial}"));
    }
    lines.sort();
    Ok(lines)
}

pub(crate) async fn index_post(
    conn: &mut PgConnection,
    post_id: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO post_search (post_id, document)
         VALUES ($1, setweight(to_tsvector('english', $2), 'A') || setweight(to_tsvector('english', $3), 'B'))
         ON CONFLICT (post_id) DO UPDATE SET document = excluded.document",
    )
    .bind(post_id)
    .bind(title)
    .bind(body)
    .execute(conn)
    .await
    .db()?;
    Ok(())
}

pub(crate) async fn unindex_post(conn: &mut PgConnection, post_id: &str) -> Result<()> {
    sqlx::query("DELETE FROM post_search WHERE post_id = $1")
        .bind(post_id)
        .execute(conn)
        .await
        .db()?;
    Ok(())
}

/// The tsquery of a member's words (each a prefix, all required), empty if none.
pub fn tsquery_text(query: &str) -> String {
    query
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric())
                .collect::<String>()
        })
        .filter(|w| !w.is_empty())
        .map(|w| format!("{w}:*"))
        .collect::<Vec<_>>()
        .join(" & ")
}

async fn run(pool: &PgPool, statement: &crate::search::Statement) -> Result<Vec<SearchHit>> {
    // Unnamed statements are planned with their parameters every time: a generic plan
    // cannot know whether a word is rare or in every post.
    let mut q = sqlx::query_as::<_, SearchHit>(&statement.sql).persistent(false);
    for a in &statement.args {
        q = match a {
            Arg::Text(s) => q.bind(s.as_str()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    q.fetch_all(pool).await.db()
}

pub(crate) async fn search(
    pool: &PgPool,
    query: &str,
    filter: &SearchFilter,
) -> Result<Vec<SearchHit>> {
    let tsquery = tsquery_text(query);
    if tsquery.is_empty() || !crate::search::has_words(query) {
        return run(pool, &crate::search::list_sql(filter)).await;
    }
    // Count the matches, up to a cap: past it, rank among the newest posts only.
    let (matches,): (i64,) = sqlx::query_as(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM post_search
         WHERE document @@ to_tsquery('english', $1) LIMIT {COUNT_CAP}) m"
    ))
    .bind(&tsquery)
    .persistent(false)
    .fetch_one(pool)
    .await
    .db()?;
    let backend = crate::db::Backend::Postgres;
    if matches >= COUNT_CAP {
        let mut window = RECENT_WINDOW;
        while window <= RECENT_WINDOW * 10 {
            let driver = Driver::RecentPosts { window };
            let hits = run(
                pool,
                &crate::search::search_sql(backend, &tsquery, filter, driver),
            )
            .await?;
            if hits.len() as i64 >= filter.limit {
                return Ok(hits);
            }
            window *= 10;
        }
    }
    run(
        pool,
        &crate::search::search_sql(backend, &tsquery, filter, Driver::Words),
    )
    .await
}
