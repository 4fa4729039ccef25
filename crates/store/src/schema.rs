//! A normalised description of the live schema, so a test can check that the SQLite and
//! PostgreSQL migration trees build the same tables, columns and indexes. The full-text search
//! tables (`post_search*`) differ by design (FTS5 against tsvector) and are left out; the
//! search tests cover them on both backends.

use crate::db::{Db, Pools};
use crate::Result;

/// One sorted line per column ("column t.c type [not null]") and per index.
pub async fn describe(db: &Db) -> Result<Vec<String>> {
    match db.pools() {
        Pools::Sqlite { writer, .. } => crate::sqlite::describe_schema(writer).await,
        Pools::Postgres(pool) => crate::postgres::describe_schema(pool).await,
    }
}
