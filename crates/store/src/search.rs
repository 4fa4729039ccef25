//! Full-text search over posts. Indexing and querying differ per dialect (FTS5 against
//! tsvector); both live in `sqlite.rs` and `postgres.rs`, and this module picks.

use crate::db::{Backend, Db, Pools, Tx, TxInner};
use crate::Result;

/// Snippet highlight markers: control characters that never occur in posts, so the web layer
/// can escape the snippet and then turn these into `<mark>` safely.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchHit {
    pub post_id: String,
    pub topic_id: String,
    pub title: String,
    pub snippet: String,
    pub author_name: String,
    pub space_id: String,
    pub created_at: i64,
}

/// Writes (or rewrites) a post's search document in the post's transaction.
pub async fn index_post(tx: &mut Tx, post_id: &str, title: &str, body: &str) -> Result<()> {
    match &mut tx.inner {
        TxInner::Sqlite(t) => crate::sqlite::index_post(t, post_id, title, body).await,
        TxInner::Postgres(t) => crate::postgres::index_post(t, post_id, title, body).await,
    }
}

pub async fn unindex_post(tx: &mut Tx, post_id: &str) -> Result<()> {
    match &mut tx.inner {
        TxInner::Sqlite(t) => crate::sqlite::unindex_post(t, post_id).await,
        TxInner::Postgres(t) => crate::postgres::unindex_post(t, post_id).await,
    }
}

/// Posts matching `query` in the given spaces (the caller passes only spaces the reader may
/// see), best matches first.
pub async fn search(
    db: &Db,
    space_ids: &[String],
    query: &str,
    limit: i64,
) -> Result<Vec<SearchHit>> {
    if space_ids.is_empty() || query.trim().is_empty() {
        return Ok(Vec::new());
    }
    match db.pools() {
        Pools::Sqlite { reader, .. } => {
            crate::sqlite::search(reader, space_ids, query, limit).await
        }
        Pools::Postgres(pool) => crate::postgres::search(pool, space_ids, query, limit).await,
    }
}

/// How many best matches are ranked before visibility filtering and snippets: ranking is
/// done on ids only, so a common word costs a sort of scores, not of whole documents.
pub const CANDIDATES: i64 = 200;

/// The search statement of a backend for `spaces` readable spaces: `$1` is the dialect's
/// query text, `$2` the limit, `$3..` the space ids. Shared with bench/discussions, so
/// the benchmark explains the query the app runs.
pub fn search_sql(backend: Backend, spaces: usize) -> String {
    let placeholders = crate::sql::placeholders(3, spaces.max(1));
    match backend {
        Backend::Sqlite => format!(
            "WITH ranked AS (
                 SELECT rowid AS search_rowid, post_id, bm25(post_search, 0.0, 5.0, 1.0) AS score
                 FROM post_search WHERE post_search MATCH $1
                 ORDER BY score LIMIT {CANDIDATES})
             SELECT p.id AS post_id, p.topic_id, t.title,
                    (SELECT snippet(post_search, 2, char(2), char(3), '…', 24) FROM post_search
                     WHERE post_search MATCH $1 AND rowid = ranked.search_rowid) AS snippet,
                    u.display_name AS author_name, p.space_id, p.created_at
             FROM ranked
             JOIN posts p ON p.id = ranked.post_id
             JOIN topics t ON t.id = p.topic_id
             JOIN users u ON u.id = p.author_id
             WHERE p.deleted_at IS NULL AND t.deleted_at IS NULL AND p.space_id IN ({placeholders})
             ORDER BY ranked.score
             LIMIT $2"
        ),
        Backend::Postgres => format!(
            "WITH q AS (SELECT to_tsquery('english', $1) AS query),
             ranked AS (
                 SELECT s.post_id, ts_rank(s.document, q.query) AS score
                 FROM q, post_search s WHERE s.document @@ q.query
                 ORDER BY score DESC LIMIT {CANDIDATES})
             SELECT p.id AS post_id, p.topic_id, t.title,
                    ts_headline('english', p.body_markdown, q.query,
                        'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12') AS snippet,
                    u.display_name AS author_name, p.space_id, p.created_at
             FROM q, ranked
             JOIN posts p ON p.id = ranked.post_id
             JOIN topics t ON t.id = p.topic_id
             JOIN users u ON u.id = p.author_id
             WHERE p.deleted_at IS NULL AND t.deleted_at IS NULL AND p.space_id IN ({placeholders})
             ORDER BY ranked.score DESC, p.created_at DESC
             LIMIT $2"
        ),
    }
}
