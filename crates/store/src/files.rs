//! Uploaded files: one row per file; the bytes live in the app's blob store.

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FileRow {
    pub id: String,
    pub community_id: Option<String>,
    pub uploader_id: Option<String>,
    /// The sanitised name shown to people and offered when downloading.
    pub filename: String,
    /// The type we serve it as, decided from the content, never the client's word alone.
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    /// Where the blob store keeps the bytes; made by the server (`files/<id>`).
    pub storage_key: String,
    pub created_at: i64,
}

const FILE_COLUMNS: &str = "id, community_id, uploader_id, filename, content_type, size_bytes, \
     sha256, storage_key, created_at";

pub async fn insert_file(tx: &mut Tx, row: &FileRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO files (id, community_id, uploader_id, filename, content_type, size_bytes,
             sha256, storage_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(&row.id)
    .bind(&row.community_id)
    .bind(&row.uploader_id)
    .bind(&row.filename)
    .bind(&row.content_type)
    .bind(row.size_bytes)
    .bind(&row.sha256)
    .bind(&row.storage_key)
    .bind(row.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn file_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<FileRow>> {
    let sql = format!("SELECT {FILE_COLUMNS} FROM files WHERE id = $1");
    with_read!(src, |c| sqlx::query_as::<_, FileRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// Which of these ids have a file row (the orphan-blob sweep keeps their blobs).
pub async fn existing_file_ids<'a>(
    src: impl Into<Source<'a>>,
    ids: &[String],
) -> Result<Vec<String>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT id FROM files WHERE id IN ({})",
        crate::sql::placeholders(1, ids.len())
    );
    with_read!(src, |c| {
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for id in ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// Removes a file's row (its blob is deleted by the caller after the commit, or by the sweep).
pub async fn delete_file(tx: &mut Tx, id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query("DELETE FROM files WHERE id = $1")
        .bind(id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    Ok(())
}
