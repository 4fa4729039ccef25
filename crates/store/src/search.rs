//! Full-text search over posts. Indexing and querying differ per dialect (FTS5 against
//! tsvector); both live in `sqlite.rs` and `postgres.rs`, and this module picks.

use crate::db::{Db, Pools, Tx, TxInner};
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
