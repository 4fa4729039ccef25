//! Files: uploads (avatars, attachments, recordings) kept in one blob store — the data
//! directory by default, an S3-compatible bucket when several instances share the work.
//!
//! The bytes are stored under a key the server makes (`files/<id>`), never a path built from
//! what the uploader sent; the type we serve a file as is decided from its content, and
//! anything a browser could run (HTML, SVG, XML, scripts) is stored as
//! `application/octet-stream`.

use crate::{activity, Actor, App, AppError, AppResult};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as BlobPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::Path;
use std::sync::Arc;
use townsquare_domain::new_id;
use townsquare_store::communities::community_by_id;
use townsquare_store::files::{self as store, FileRow};

pub use bytes::Bytes;
pub use object_store;

/// The largest upload accepted unless configured otherwise: 25 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// Where files go and how large they may be.
#[derive(Debug, Clone)]
pub struct FileSettings {
    /// An S3-compatible bucket; without it, files live under `DATA_DIR/blobs`.
    pub s3: Option<S3Settings>,
    pub max_upload_bytes: usize,
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings {
            s3: None,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
        }
    }
}

/// An S3-compatible bucket. Unset credentials and region fall back to the usual `AWS_*`
/// environment variables (then region `us-east-1`).
#[derive(Clone, Default)]
pub struct S3Settings {
    pub bucket: String,
    /// For S3-compatible servers (MinIO, Garage, moto...): `http://127.0.0.1:9000`.
    /// Plain `http://` endpoints are allowed, for servers on a private network or loopback.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub access_key_id: Option<String>,
    pub secret_access_key: Option<String>,
}

impl fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Settings")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field(
                "secret_access_key",
                &self.secret_access_key.as_ref().map(|_| "***"),
            )
            .finish()
    }
}

/// The blob store: a thin wrapper so the rest of the app never builds object paths itself.
#[derive(Clone, Debug)]
pub struct BlobStore {
    inner: Arc<dyn ObjectStore>,
    /// A description for logs: `local:/srv/data/blobs` or `s3://bucket`.
    pub description: String,
}

impl BlobStore {
    /// The store the settings describe: the S3 bucket if one is configured, else the data
    /// directory's `blobs/` (created if missing).
    pub fn from_settings(data_dir: &Path, files: &FileSettings) -> Result<BlobStore, String> {
        match &files.s3 {
            Some(s3) => {
                // `from_env` picks up the usual `AWS_*` variables (keys, region, web identity)
                // for whatever the settings leave unset.
                let mut b = AmazonS3Builder::from_env().with_bucket_name(&s3.bucket);
                if let Some(endpoint) = &s3.endpoint {
                    b = b
                        .with_endpoint(endpoint)
                        .with_allow_http(endpoint.starts_with("http://"));
                }
                if let Some(region) = &s3.region {
                    b = b.with_region(region);
                }
                if let Some(key) = &s3.access_key_id {
                    b = b.with_access_key_id(key);
                }
                if let Some(secret) = &s3.secret_access_key {
                    b = b.with_secret_access_key(secret);
                }
                let store = b
                    .build()
                    .map_err(|e| format!("the S3 settings are not usable: {e}"))?;
                Ok(BlobStore {
                    inner: Arc::new(store),
                    description: format!("s3://{}", s3.bucket),
                })
            }
            None => {
                let dir = data_dir.join("blobs");
                std::fs::create_dir_all(&dir)
                    .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
                let store = LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|e| format!("cannot use {}: {e}", dir.display()))?;
                Ok(BlobStore {
                    inner: Arc::new(store),
                    description: format!("local:{}", dir.display()),
                })
            }
        }
    }

    /// The underlying store (tests list it to see what was written).
    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        self.inner.clone()
    }

    async fn put(&self, key: &str, bytes: Bytes) -> AppResult<()> {
        self.inner
            .put(&BlobPath::from(key), PutPayload::from(bytes))
            .await
            .map(|_| ())
            .map_err(|e| AppError::Unavailable(format!("writing blob {key}: {e}")))
    }

    async fn get(&self, key: &str) -> AppResult<Bytes> {
        let path = BlobPath::from(key);
        let result = self
            .inner
            .get(&path)
            .await
            .map_err(|e| AppError::Internal(format!("reading blob {key}: {e}")))?;
        result
            .bytes()
            .await
            .map_err(|e| AppError::Internal(format!("reading blob {key}: {e}")))
    }

    async fn delete(&self, key: &str) {
        if let Err(e) = self.inner.delete(&BlobPath::from(key)).await {
            tracing::warn!(key, error = %e, "could not delete an orphaned blob");
        }
    }
}

/// The storage key of a file: made from the server's id, never from user input.
fn storage_key(id: &str) -> String {
    format!("files/{id}")
}

/// A display name safe to store and to offer back: the last path segment, without control
/// characters, at most 200 characters; `file` when nothing is left.
pub fn sanitize_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| if matches!(c, '"' | '<' | '>') { '_' } else { c })
        .take(200)
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.to_string()
    }
}

/// Types a browser renders without running anything, which we may serve inline.
pub fn is_inline_image(content_type: &str) -> bool {
    matches!(
        content_type,
        "image/png" | "image/jpeg" | "image/gif" | "image/webp"
    )
}

/// Whether a detected type could carry script or markup a browser would interpret.
fn is_scriptable(mime: &str) -> bool {
    mime.starts_with("text/")
        || mime.contains("html")
        || mime.contains("xml")
        || mime.contains("svg")
        || mime.contains("javascript")
        || mime.contains("ecmascript")
        || mime.contains("shockwave")
        || mime.contains("x-sh")
}

pub const OCTET_STREAM: &str = "application/octet-stream";

/// The type a file is stored and served as: what its magic bytes say, unless that could be
/// run by a browser; plain UTF-8 text declared as `text/plain` stays plain text; everything
/// else is `application/octet-stream`. The client's declared type is never trusted beyond that.
pub fn content_type_of(bytes: &[u8], declared: &str) -> String {
    if let Some(kind) = infer::get(bytes) {
        let mime = kind.mime_type();
        return if is_scriptable(mime) {
            OCTET_STREAM.into()
        } else {
            mime.to_string()
        };
    }
    let declared = declared
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if declared == "text/plain" && std::str::from_utf8(bytes).is_ok() {
        return "text/plain; charset=utf-8".into();
    }
    OCTET_STREAM.into()
}

/// What an uploader sends.
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub declared_type: String,
    pub bytes: Bytes,
}

impl App {
    /// The blob store, or 503 when its settings could not be used (reported at start-up too).
    pub fn blobs(&self) -> AppResult<&BlobStore> {
        self.blob_store()
            .map_err(|e| AppError::Unavailable(format!("file storage: {e}")))
    }

    pub fn max_upload_bytes(&self) -> usize {
        self.settings().files.max_upload_bytes
    }

    /// Stores an upload: signed in, and an active member of the community if one is given.
    /// The blob is written first, then the row and the activity record in one transaction;
    /// if that transaction fails, the blob is deleted again.
    pub async fn upload_file(
        &self,
        actor: &Actor,
        community_slug: Option<&str>,
        upload: Upload,
    ) -> AppResult<FileRow> {
        let community_id = match community_slug.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => {
                let view = self.community(Some(actor), slug).await?;
                if view.role().is_none() {
                    return Err(AppError::Forbidden(
                        "Join the community to share files in it.".into(),
                    ));
                }
                Some(view.community.id)
            }
            None => None,
        };
        let max = self.max_upload_bytes();
        if upload.bytes.len() > max {
            return Err(AppError::TooLarge(format!(
                "Files can be at most {} MiB.",
                max / (1024 * 1024)
            )));
        }
        if upload.bytes.is_empty() {
            return Err(AppError::invalid("file", "The file is empty."));
        }
        let id = new_id();
        let row = FileRow {
            id: id.clone(),
            community_id,
            uploader_id: Some(actor.user_id.clone()),
            filename: sanitize_filename(&upload.filename),
            content_type: content_type_of(&upload.bytes, &upload.declared_type),
            size_bytes: upload.bytes.len() as i64,
            sha256: hex::encode(Sha256::digest(&upload.bytes)),
            storage_key: storage_key(&id),
            created_at: self.now(),
        };
        let blobs = self.blobs()?;
        blobs.put(&row.storage_key, upload.bytes).await?;
        if let Err(e) = self.record_upload(actor, &row).await {
            blobs.delete(&row.storage_key).await;
            return Err(e);
        }
        Ok(row)
    }

    async fn record_upload(&self, actor: &Actor, row: &FileRow) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        store::insert_file(&mut tx, row).await?;
        activity::record(
            &mut tx,
            row.community_id.as_deref(),
            Some(&actor.user_id),
            "file_uploaded",
            "file",
            &row.id,
            json!({"filename": row.filename, "content_type": row.content_type, "size_bytes": row.size_bytes}),
            row.created_at,
        )
        .await?;
        self.commit(tx).await
    }

    /// A file's record, if the viewer may read it: community files for those who can see the
    /// community, other files for anyone signed in. Otherwise (and for ids that are not ours)
    /// `NotFound`, so that private files do not reveal that they exist.
    pub async fn file_info(&self, actor: Option<&Actor>, id: &str) -> AppResult<FileRow> {
        if uuid_shaped(id).is_none() {
            return Err(AppError::NotFound("file"));
        }
        let row = store::file_by_id(self.db(), id)
            .await?
            .ok_or(AppError::NotFound("file"))?;
        match &row.community_id {
            Some(community_id) => {
                let community = community_by_id(self.db(), community_id)
                    .await?
                    .ok_or(AppError::NotFound("file"))?;
                self.community(actor, &community.slug)
                    .await
                    .map_err(|e| match e {
                        AppError::NotFound(_) => AppError::NotFound("file"),
                        other => other,
                    })?;
            }
            None if actor.is_none() => return Err(AppError::NotFound("file")),
            None => {}
        }
        Ok(row)
    }

    /// A file's record and bytes, with the same rules as `file_info`.
    pub async fn file(&self, actor: Option<&Actor>, id: &str) -> AppResult<(FileRow, Bytes)> {
        let row = self.file_info(actor, id).await?;
        let bytes = self.blobs()?.get(&row.storage_key).await?;
        Ok((row, bytes))
    }
}

/// `Some(())` when `id` looks like a hyphenated UUID (what `new_id` makes); other ids are
/// answered without a query.
fn uuid_shaped(id: &str) -> Option<()> {
    let ok = id.len() == 36
        && id.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        });
    ok.then_some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filenames_lose_paths_and_control_characters() {
        assert_eq!(sanitize_filename("../../etc/passwd"), "passwd");
        assert_eq!(sanitize_filename("C:\\Users\\me\\report.pdf"), "report.pdf");
        assert_eq!(sanitize_filename("a\u{0}b\nc.txt"), "abc.txt");
        assert_eq!(sanitize_filename("..."), "file");
        assert_eq!(sanitize_filename(""), "file");
        assert_eq!(sanitize_filename("\"x\".png"), "_x_.png");
    }

    #[test]
    fn scriptable_content_is_never_served_as_itself() {
        let html = b"<!DOCTYPE html><html><script>alert(1)</script></html>";
        assert_eq!(content_type_of(html, "text/html"), OCTET_STREAM);
        let svg = b"<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>";
        assert_eq!(content_type_of(svg, "image/svg+xml"), OCTET_STREAM);
        assert_eq!(content_type_of(b"hello", "image/png"), OCTET_STREAM);
        assert_eq!(
            content_type_of(b"hello", "text/plain"),
            "text/plain; charset=utf-8"
        );
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        assert_eq!(content_type_of(png, "text/html"), "image/png");
    }

    #[test]
    fn only_uuids_are_looked_up() {
        assert!(uuid_shaped("0190b6a4-7c3e-7a1b-9c2d-3e4f5a6b7c8d").is_some());
        assert!(uuid_shaped("../../etc/passwd").is_none());
        assert!(uuid_shaped("0190b6a4-7c3e-7a1b-9c2d-3e4f5a6b7c8").is_none());
    }
}
