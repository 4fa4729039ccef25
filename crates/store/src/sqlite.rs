//! Statements that only SQLite speaks.

use crate::error::MapErr;
use crate::jobs::ClaimedJob;
use crate::search::{Arg, Driver, SearchFilter, SearchHit, COUNT_CAP};
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
        let indexes: Vec<(String, bool)> = sqlx::query_as(
            "SELECT name, \"partial\" FROM pragma_index_list($1)
             WHERE name NOT LIKE 'sqlite_autoindex%'",
        )
        .bind(&table)
        .fetch_all(pool)
        .await
        .db()?;
        for (index, partial) in indexes {
            let cols: Vec<(String,)> =
                sqlx::query_as("SELECT name FROM pragma_index_info($1) ORDER BY seqno")
                    .bind(&index)
                    .fetch_all(pool)
                    .await
                    .db()?;
            let cols: Vec<String> = cols.into_iter().map(|(c,)| c).collect();
            let partial = if partial { " partial" } else { "" };
            lines.push(format!(
                "index {table}.{index} ({}){partial}",
                cols.join(",")
            ));
        }
    }
    lines.sort();
    Ok(lines)
}

/// Writes a post's FTS5 row under its time key: the rowid it had (a rewrite keeps its place),
/// else `created_at * 1000 + n` with the first free `n` (see `search`'s module notes).
pub(crate) async fn index_post(
    conn: &mut SqliteConnection,
    post_id: &str,
    title: &str,
    body: &str,
) -> Result<()> {
    let existing: Option<(i64,)> =
        sqlx::query_as("SELECT search_rowid FROM post_search_rowids WHERE post_id = $1")
            .bind(post_id)
            .fetch_optional(&mut *conn)
            .await
            .db()?;
    let key = match existing {
        Some((rowid,)) => {
            unindex_post(&mut *conn, post_id).await?;
            rowid
        }
        None => {
            let (created_at,): (i64,) =
                sqlx::query_as("SELECT COALESCE((SELECT created_at FROM posts WHERE id = $1), 0)")
                    .bind(post_id)
                    .fetch_one(&mut *conn)
                    .await
                    .db()?;
            let base = created_at.saturating_mul(1000);
            let (taken,): (Option<i64>,) = sqlx::query_as(
                "SELECT max(rowid) FROM post_search WHERE rowid >= $1 AND rowid < $2",
            )
            .bind(base)
            .bind(base.saturating_add(1000))
            .fetch_one(&mut *conn)
            .await
            .db()?;
            match taken {
                None => base,
                Some(t) if t + 1 < base.saturating_add(1000) => t + 1,
                // A thousand posts in one microsecond: take any free rowid.
                Some(_) => {
                    let (max,): (Option<i64>,) =
                        sqlx::query_as("SELECT max(rowid) FROM post_search")
                            .fetch_one(&mut *conn)
                            .await
                            .db()?;
                    max.unwrap_or(0) + 1
                }
            }
        }
    };
    sqlx::query("INSERT INTO post_search (rowid, post_id, title, body) VALUES ($1, $2, $3, $4)")
        .bind(key)
        .bind(post_id)
        .bind(title)
        .bind(body)
        .execute(&mut *conn)
        .await
        .db()?;
    sqlx::query("INSERT INTO post_search_rowids (post_id, search_rowid) VALUES ($1, $2)")
        .bind(post_id)
        .bind(key)
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
pub fn fts5_query(query: &str) -> String {
    fts5_terms(query)
        .iter()
        .map(|w| format!("\"{w}\"*"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each word as a quoted (stemmed, not prefix) term.
pub fn fts5_exact_query(query: &str) -> String {
    fts5_terms(query)
        .iter()
        .map(|w| format!("\"{w}\""))
        .collect::<Vec<_>>()
        .join(" ")
}

fn fts5_terms(query: &str) -> Vec<String> {
    query
        .split_whitespace()
        .map(|w| {
            w.chars()
                .filter(|c| c.is_alphanumeric() || *c == '-' || *c == '_' || *c == '\'')
                .collect::<String>()
                .replace('"', "")
        })
        .filter(|w| !w.is_empty())
        .collect()
}

/// Words with at least this many exact matches are searched as whole (stemmed) words, not
/// prefixes: FTS5 merges the doclists of every term a prefix covers before it returns the
/// first match (0.17 s for "release"* at 930,000 matches, per query and per snippet), while a
/// whole word's doclist is read lazily, newest first. Counting up to this costs ~2 ms.
pub const WHOLE_WORDS_FROM: i64 = 20_000;

fn bind_all<'q>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Sqlite, SearchHit, sqlx::sqlite::SqliteArguments<'q>>,
    args: &'q [Arg],
) -> sqlx::query::QueryAs<'q, sqlx::Sqlite, SearchHit, sqlx::sqlite::SqliteArguments<'q>> {
    for a in args {
        q = match a {
            Arg::Text(s) => q.bind(s.as_str()),
            Arg::Int(i) => q.bind(*i),
        };
    }
    q
}

/// Chooses the driving index: with an author filter and words with at least `COUNT_CAP`
/// matches, the author's posts (newest first; reading the words' matches until enough are the
/// author's would read thousands for a word in every post), else the word index.
pub(crate) async fn choose_driver(
    pool: &SqlitePool,
    fts: &str,
    filter: &SearchFilter,
) -> Result<Driver> {
    if filter.author_id.is_none() {
        return Ok(Driver::Words);
    }
    let (words,): (i64,) = sqlx::query_as(&format!(
        "SELECT count(*) FROM (SELECT 1 FROM post_search WHERE post_search MATCH $1 LIMIT {COUNT_CAP})"
    ))
    .bind(fts)
    .fetch_one(pool)
    .await
    .db()?;
    Ok(if words >= COUNT_CAP {
        Driver::AuthorPosts
    } else {
        Driver::Words
    })
}

pub(crate) async fn search(
    pool: &SqlitePool,
    query: &str,
    filter: &SearchFilter,
) -> Result<Vec<SearchHit>> {
    let mut fts = fts5_query(query);
    if !fts.is_empty() {
        let exact = fts5_exact_query(query);
        let (whole,): (i64,) = sqlx::query_as(&format!(
            "SELECT count(*) FROM (SELECT 1 FROM post_search WHERE post_search MATCH $1 LIMIT {WHOLE_WORDS_FROM})"
        ))
        .bind(&exact)
        .fetch_one(pool)
        .await
        .db()?;
        if whole >= WHOLE_WORDS_FROM {
            fts = exact;
        }
    }
    let statement = if fts.is_empty() || !crate::search::has_words(query) {
        crate::search::list_sql(filter)
    } else {
        let driver = choose_driver(pool, &fts, filter).await?;
        crate::search::search_sql(crate::db::Backend::Sqlite, &fts, filter, driver)
    };
    bind_all(
        sqlx::query_as::<_, SearchHit>(&statement.sql),
        &statement.args,
    )
    .fetch_all(pool)
    .await
    .db()
}
