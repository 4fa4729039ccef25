//! Files: uploads (avatars, attachments, recordings) kept in one blob store — the data
//! directory by default, an S3-compatible bucket when several instances share the work.
//!
//! The bytes are stored under a key the server makes (`files/<id>`), never a path built from
//! what the uploader sent; the type we serve a file as is decided from its content, and
//! anything a browser could run (HTML, SVG, XML, scripts) is stored as
//! `application/octet-stream`.

use crate::clock::{MICROS_PER_DAY, MICROS_PER_HOUR};
use crate::{activity, Actor, App, AppError, AppResult};
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path as BlobPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload, WriteMultipart};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::AsyncWriteExt;
use townsquare_domain::new_id;
use townsquare_store::communities::community_by_id;
use townsquare_store::files::{self as store, FileRow};
use townsquare_store::jobs::NewJob;
use townsquare_store::Tx;

pub use bytes::Bytes;
pub use object_store;

/// The largest upload accepted unless configured otherwise: 25 MiB.
pub const DEFAULT_MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

/// The largest event recording accepted unless configured otherwise: 500 MiB.
pub const DEFAULT_MAX_RECORDING_BYTES: usize = 500 * 1024 * 1024;

/// Where files go and how large they may be.
#[derive(Debug, Clone)]
pub struct FileSettings {
    /// An S3-compatible bucket; without it, files live under `DATA_DIR/blobs`.
    pub s3: Option<S3Settings>,
    pub max_upload_bytes: usize,
    /// The limit for an event's uploaded recording (video or audio).
    pub max_recording_bytes: usize,
}

impl Default for FileSettings {
    fn default() -> Self {
        FileSettings {
            s3: None,
            max_upload_bytes: DEFAULT_MAX_UPLOAD_BYTES,
            max_recording_bytes: DEFAULT_MAX_RECORDING_BYTES,
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
    /// The local store's directories; `None` for S3.
    local: Option<LocalDirs>,
    /// A description for logs: `local:/srv/data/blobs` or `s3://bucket`.
    pub description: String,
}

/// Where the local store keeps blobs, and where uploads are written before they are renamed
/// into place (the same file system, so the rename is atomic).
#[derive(Clone, Debug)]
struct LocalDirs {
    blobs: PathBuf,
    staging: PathBuf,
}

/// How many bytes of an upload decide its type; also the most kept in memory on the local
/// store (the rest goes straight to disk).
pub const SNIFF_BYTES: usize = 8 * 1024;

/// The size of an S3 multipart part (S3's minimum is 5 MiB). An upload up to this size is
/// sent with one `PUT`; a larger one as parts, with at most `S3_PARTS_IN_FLIGHT` being sent
/// at once, so an upload holds at most about `(1 + S3_PARTS_IN_FLIGHT) × S3_PART_BYTES` in
/// memory whatever its size.
pub const S3_PART_BYTES: usize = 5 * 1024 * 1024;
const S3_PARTS_IN_FLIGHT: usize = 2;

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
                    local: None,
                    description: format!("s3://{}", s3.bucket),
                })
            }
            None => {
                let dir = data_dir.join("blobs");
                let staging = data_dir.join("tmp").join("uploads");
                for d in [&dir, &staging] {
                    std::fs::create_dir_all(d)
                        .map_err(|e| format!("cannot create {}: {e}", d.display()))?;
                }
                let store = LocalFileSystem::new_with_prefix(&dir)
                    .map_err(|e| format!("cannot use {}: {e}", dir.display()))?;
                Ok(BlobStore {
                    inner: Arc::new(store),
                    local: Some(LocalDirs {
                        blobs: dir.clone(),
                        staging,
                    }),
                    description: format!("local:{}", dir.display()),
                })
            }
        }
    }

    /// The underlying store (tests list it to see what was written).
    pub fn object_store(&self) -> Arc<dyn ObjectStore> {
        self.inner.clone()
    }

    /// Writes a blob in one go (tests and the sweep's tests write orphans this way).
    pub async fn put(&self, key: &str, bytes: Bytes) -> AppResult<()> {
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

    /// A blob's bytes, or those of `range` (start inclusive, end exclusive), as a stream:
    /// large files are never held in memory whole.
    pub(crate) async fn stream(
        &self,
        key: &str,
        range: Option<std::ops::Range<u64>>,
    ) -> AppResult<futures::stream::BoxStream<'static, object_store::Result<Bytes>>> {
        let options = object_store::GetOptions {
            range: range.map(object_store::GetRange::Bounded),
            ..Default::default()
        };
        let result = self
            .inner
            .get_opts(&BlobPath::from(key), options)
            .await
            .map_err(|e| AppError::Internal(format!("reading blob {key}: {e}")))?;
        Ok(result.into_stream())
    }

    async fn delete(&self, key: &str) {
        if let Err(e) = self.inner.delete(&BlobPath::from(key)).await {
            tracing::warn!(key, error = %e, "could not delete an orphaned blob");
        }
    }

    /// Starts writing a blob piece by piece; nothing is visible under `key` until `finish`.
    async fn writer(&self, key: &str) -> AppResult<BlobWriter> {
        match &self.local {
            Some(dirs) => {
                let tmp = dirs.staging.join(format!("{}.part", new_id()));
                let file = tokio::fs::File::create(&tmp)
                    .await
                    .map_err(|e| AppError::Unavailable(format!("staging an upload: {e}")))?;
                Ok(BlobWriter::Local {
                    file,
                    tmp,
                    dest: dirs.blobs.join(key),
                })
            }
            None => Ok(BlobWriter::S3 {
                store: self.inner.clone(),
                path: BlobPath::from(key),
                buffered: Vec::new(),
                buffered_len: 0,
                multipart: None,
            }),
        }
    }
}

/// A blob being written: on the local store a staging file renamed into place at the end; on
/// S3 one `PUT` for a small blob, a multipart upload for a large one.
enum BlobWriter {
    Local {
        file: tokio::fs::File,
        tmp: PathBuf,
        dest: PathBuf,
    },
    S3 {
        store: Arc<dyn ObjectStore>,
        path: BlobPath,
        buffered: Vec<Bytes>,
        buffered_len: usize,
        multipart: Option<WriteMultipart>,
    },
}

fn write_failed(e: impl fmt::Display) -> AppError {
    AppError::Unavailable(format!("writing an upload: {e}"))
}

impl BlobWriter {
    async fn write(&mut self, chunk: Bytes) -> AppResult<()> {
        match self {
            BlobWriter::Local { file, .. } => file.write_all(&chunk).await.map_err(write_failed),
            BlobWriter::S3 {
                store,
                path,
                buffered,
                buffered_len,
                multipart,
            } => {
                if let Some(upload) = multipart {
                    upload
                        .wait_for_capacity(S3_PARTS_IN_FLIGHT)
                        .await
                        .map_err(write_failed)?;
                    upload.put(chunk);
                    return Ok(());
                }
                *buffered_len += chunk.len();
                buffered.push(chunk);
                if *buffered_len >= S3_PART_BYTES {
                    let started = store.put_multipart(path).await.map_err(write_failed)?;
                    let mut upload = WriteMultipart::new_with_chunk_size(started, S3_PART_BYTES);
                    for chunk in buffered.drain(..) {
                        upload.put(chunk);
                    }
                    *buffered_len = 0;
                    *multipart = Some(upload);
                }
                Ok(())
            }
        }
    }

    async fn finish(self) -> AppResult<()> {
        match self {
            BlobWriter::Local {
                mut file,
                tmp,
                dest,
            } => {
                let done = async {
                    file.flush().await?;
                    file.sync_all().await?;
                    drop(file);
                    if let Some(parent) = dest.parent() {
                        tokio::fs::create_dir_all(parent).await?;
                    }
                    tokio::fs::rename(&tmp, &dest).await
                }
                .await;
                if let Err(e) = done {
                    let _ = tokio::fs::remove_file(&tmp).await;
                    return Err(write_failed(e));
                }
                Ok(())
            }
            BlobWriter::S3 {
                store,
                path,
                buffered,
                multipart,
                ..
            } => match multipart {
                Some(upload) => upload.finish().await.map(|_| ()).map_err(write_failed),
                None => store
                    .put(&path, PutPayload::from_iter(buffered))
                    .await
                    .map(|_| ())
                    .map_err(write_failed),
            },
        }
    }

    /// Gives up: nothing of the blob is left behind.
    async fn abort(self) {
        match self {
            BlobWriter::Local { file, tmp, .. } => {
                drop(file);
                if let Err(e) = tokio::fs::remove_file(&tmp).await {
                    tracing::warn!(path = %tmp.display(), error = %e, "could not remove a staged upload");
                }
            }
            BlobWriter::S3 {
                multipart: Some(upload),
                ..
            } => {
                if let Err(e) = upload.abort().await {
                    tracing::warn!(error = %e, "could not abort a multipart upload");
                }
            }
            BlobWriter::S3 { .. } => {}
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
    content_type_of_head(bytes, declared, true)
}

/// `content_type_of` from the first bytes of a file (`SNIFF_BYTES` of them, or all if
/// `complete`): the magic bytes are at the start, and text is judged by its beginning (a
/// multi-byte character cut at the end of the head is fine).
fn content_type_of_head(head: &[u8], declared: &str, complete: bool) -> String {
    if let Some(kind) = infer::get(head) {
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
    let utf8 = match std::str::from_utf8(head) {
        Ok(_) => true,
        // Only an incomplete character at the very end, where the head was cut.
        Err(e) => !complete && e.error_len().is_none(),
    };
    if declared == "text/plain" && utf8 {
        return "text/plain; charset=utf-8".into();
    }
    OCTET_STREAM.into()
}

/// What an upload must be: at most so large and, if `accept` is given, of a type it accepts
/// (with the message that says what is accepted).
pub(crate) struct UploadRules {
    pub max_bytes: usize,
    pub accept: Option<TypeRule>,
}

/// A test of a file's detected type, and the message for a file that fails it.
pub(crate) type TypeRule = (fn(&str) -> bool, &'static str);

impl UploadRules {
    fn check_type(&self, head: &[u8], declared: &str, complete: bool) -> AppResult<()> {
        match self.accept {
            Some((accept, message)) if !accept(&content_type_of_head(head, declared, complete)) => {
                Err(AppError::invalid("file", message))
            }
            _ => Ok(()),
        }
    }
}

/// What an uploader sends, whole (the demo and tests); the API streams instead (`stage_upload`).
#[derive(Debug, Clone)]
pub struct Upload {
    pub filename: String,
    pub declared_type: String,
    pub bytes: Bytes,
}

/// An upload whose bytes are in the blob store but which has no row yet: `commit_upload`
/// records it, `discard_upload` deletes it. One that is neither (a crash in between) is
/// removed by the orphan-blob sweep.
#[derive(Debug)]
#[must_use = "commit or discard a staged upload"]
pub struct StagedUpload {
    row: FileRow,
}

impl StagedUpload {
    pub fn size_bytes(&self) -> i64 {
        self.row.size_bytes
    }

    /// The row to record, for a use case that records it with rows of its own.
    pub(crate) fn into_row(self) -> FileRow {
        self.row
    }
}

/// What a `Range` request header asks of a file of `size` bytes (one range; RFC 9110 §14).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// No range, or one we answer with the whole file (several ranges, another unit).
    Whole,
    /// Bytes `start..=end`.
    Part { start: u64, end: u64 },
    /// A range outside the file: 416.
    Unsatisfiable,
}

impl ByteRange {
    pub fn parse(header: Option<&str>, size: u64) -> ByteRange {
        let Some(spec) = header.and_then(|h| h.trim().strip_prefix("bytes=")) else {
            return ByteRange::Whole;
        };
        if spec.contains(',') {
            return ByteRange::Whole;
        }
        let Some((first, last)) = spec.trim().split_once('-') else {
            return ByteRange::Whole;
        };
        let (first, last) = (first.trim(), last.trim());
        let parsed = match (first.is_empty(), last.is_empty()) {
            // bytes=-N: the last N bytes.
            (true, false) => match last.parse::<u64>() {
                Ok(0) => return ByteRange::Unsatisfiable,
                Ok(n) => Some((size.saturating_sub(n), size.saturating_sub(1))),
                Err(_) => None,
            },
            (false, true) => first
                .parse::<u64>()
                .ok()
                .map(|a| (a, size.saturating_sub(1))),
            (false, false) => match (first.parse::<u64>(), last.parse::<u64>()) {
                (Ok(a), Ok(b)) if a <= b => Some((a, b.min(size.saturating_sub(1)))),
                _ => None,
            },
            (true, true) => None,
        };
        match parsed {
            None => ByteRange::Whole,
            Some((start, _)) if size == 0 || start >= size => ByteRange::Unsatisfiable,
            Some((start, end)) => ByteRange::Part { start, end },
        }
    }

    /// Whether the request reads from the first byte (a player starting, not seeking).
    pub fn from_start(&self) -> bool {
        matches!(self, ByteRange::Whole | ByteRange::Part { start: 0, .. })
    }
}

/// A file's bytes as they are sent: all of them or one range.
pub struct FileBody {
    pub row: FileRow,
    pub range: ByteRange,
    pub stream: futures::stream::BoxStream<'static, object_store::Result<Bytes>>,
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

    /// Where an upload goes: no community, or one the actor is an active member of.
    pub async fn upload_target(
        &self,
        actor: &Actor,
        community_slug: Option<&str>,
    ) -> AppResult<Option<String>> {
        match community_slug.map(str::trim).filter(|s| !s.is_empty()) {
            Some(slug) => {
                let view = self.community(Some(actor), slug).await?;
                if view.role().is_none() {
                    return Err(AppError::Forbidden(
                        "Join the community to share files in it.".into(),
                    ));
                }
                Ok(Some(view.community.id))
            }
            None => Ok(None),
        }
    }

    /// Stores an upload held in memory: signed in, and an active member of the community if
    /// one is given.
    pub async fn upload_file(
        &self,
        actor: &Actor,
        community_slug: Option<&str>,
        upload: Upload,
    ) -> AppResult<FileRow> {
        self.upload_target(actor, community_slug).await?;
        let chunks = futures::stream::once(async move { Ok(upload.bytes) });
        let staged = self
            .stage_upload(
                actor,
                &upload.filename,
                &upload.declared_type,
                Box::pin(chunks),
            )
            .await?;
        self.commit_upload(actor, community_slug, staged).await
    }

    /// Streams an upload's bytes into the blob store as they arrive, holding at most a
    /// bounded buffer in memory (see `SNIFF_BYTES`, `S3_PART_BYTES`): its type is decided
    /// from its first bytes, its digest and size as it goes. Past the size limit, or on an
    /// error from `chunks`, the write is abandoned and nothing is left in the store.
    pub async fn stage_upload<S>(
        &self,
        actor: &Actor,
        filename: &str,
        declared_type: &str,
        chunks: S,
    ) -> AppResult<StagedUpload>
    where
        S: futures::Stream<Item = AppResult<Bytes>> + Unpin,
    {
        let rules = UploadRules {
            max_bytes: self.max_upload_bytes(),
            accept: None,
        };
        self.stage_upload_with(actor, filename, declared_type, chunks, &rules)
            .await
    }

    /// `stage_upload` with a size limit of its own and, if given, a test of the type decided
    /// from the first bytes: a file of another type is refused as soon as they are read.
    pub(crate) async fn stage_upload_with<S>(
        &self,
        actor: &Actor,
        filename: &str,
        declared_type: &str,
        mut chunks: S,
        rules: &UploadRules,
    ) -> AppResult<StagedUpload>
    where
        S: futures::Stream<Item = AppResult<Bytes>> + Unpin,
    {
        use futures::StreamExt;
        let max = rules.max_bytes;
        let mut type_checked = rules.accept.is_none();
        let id = new_id();
        let key = storage_key(&id);
        let mut writer = self.blobs()?.writer(&key).await?;
        let mut head: Vec<u8> = Vec::with_capacity(SNIFF_BYTES);
        let mut digest = Sha256::new();
        let mut size: usize = 0;
        let streamed: AppResult<()> = async {
            while let Some(chunk) = chunks.next().await {
                let chunk = chunk?;
                size += chunk.len();
                if size > max {
                    return Err(AppError::TooLarge(if max >= 1024 * 1024 {
                        format!("Files can be at most {} MiB.", max / (1024 * 1024))
                    } else {
                        format!("Files can be at most {} KiB.", max.div_ceil(1024))
                    }));
                }
                if head.len() < SNIFF_BYTES {
                    let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                    head.extend_from_slice(&chunk[..take]);
                }
                if !type_checked && head.len() >= SNIFF_BYTES {
                    rules.check_type(&head, declared_type, false)?;
                    type_checked = true;
                }
                digest.update(&chunk);
                writer.write(chunk).await?;
            }
            if size == 0 {
                return Err(AppError::invalid("file", "The file is empty."));
            }
            if !type_checked {
                rules.check_type(&head, declared_type, true)?;
            }
            Ok(())
        }
        .await;
        if let Err(e) = streamed {
            writer.abort().await;
            return Err(e);
        }
        writer.finish().await?;
        Ok(StagedUpload {
            row: FileRow {
                id,
                community_id: None,
                uploader_id: Some(actor.user_id.clone()),
                filename: sanitize_filename(filename),
                content_type: content_type_of_head(&head, declared_type, size == head.len()),
                size_bytes: size as i64,
                sha256: hex::encode(digest.finalize()),
                storage_key: key,
                created_at: self.now(),
            },
        })
    }

    /// Records a staged upload (in a community the actor is an active member of, if one is
    /// given): the row and the activity record in one transaction. If anything fails, the
    /// blob is deleted again.
    pub async fn commit_upload(
        &self,
        actor: &Actor,
        community_slug: Option<&str>,
        staged: StagedUpload,
    ) -> AppResult<FileRow> {
        let mut row = staged.row;
        let recorded = async {
            row.community_id = self.upload_target(actor, community_slug).await?;
            self.record_upload(actor, &row).await
        }
        .await;
        if let Err(e) = recorded {
            self.blobs()?.delete(&row.storage_key).await;
            return Err(e);
        }
        Ok(row)
    }

    /// Writes bytes the server made (a processed picture) to the blob store and returns the
    /// row to insert, in the caller's transaction; if that fails, `forget_blob` removes it.
    pub(crate) async fn stage_processed(
        &self,
        uploader_id: Option<&str>,
        community_id: Option<&str>,
        filename: &str,
        content_type: &str,
        bytes: Vec<u8>,
    ) -> AppResult<FileRow> {
        let id = new_id();
        let key = storage_key(&id);
        let size = bytes.len() as i64;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        self.blobs()?.put(&key, Bytes::from(bytes)).await?;
        Ok(FileRow {
            id,
            community_id: community_id.map(str::to_string),
            uploader_id: uploader_id.map(str::to_string),
            filename: filename.to_string(),
            content_type: content_type.to_string(),
            size_bytes: size,
            sha256,
            storage_key: key,
            created_at: self.now(),
        })
    }

    /// Deletes a blob whose row was not written, or was deleted (best effort: the sweep
    /// removes what is left).
    pub(crate) async fn forget_blob(&self, storage_key: &str) {
        if let Ok(blobs) = self.blobs() {
            blobs.delete(storage_key).await;
        }
    }

    /// After a transaction that put the stored file `new` in the place of another: if it
    /// committed, the replaced file's blob goes; if not, the new blob does. The new file's id.
    pub(crate) async fn settle_replacement(
        &self,
        saved: AppResult<Option<FileRow>>,
        new: &FileRow,
    ) -> AppResult<String> {
        match saved {
            Ok(replaced) => {
                if let Some(old) = replaced {
                    self.forget_blob(&old.storage_key).await;
                }
                Ok(new.id.clone())
            }
            Err(e) => {
                self.forget_blob(&new.storage_key).await;
                Err(e)
            }
        }
    }

    /// Deletes a staged upload that will not be recorded.
    pub async fn discard_upload(&self, staged: StagedUpload) {
        if let Ok(blobs) = self.blobs() {
            blobs.delete(&staged.row.storage_key).await;
        }
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
        // Members' pictures show wherever the member does, to visitors too.
        let public_avatar = row.community_id.is_none()
            && actor.is_none()
            && townsquare_store::profiles::is_avatar(self.db(), &row.id).await?;
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
            None if actor.is_none() && !public_avatar => return Err(AppError::NotFound("file")),
            None => {}
        }
        // An event's uploaded recording is for whoever may see the event, not the whole
        // community (the event may be in a space with members of its own).
        if let Some(event_id) =
            townsquare_store::event_followups::recording_event_of_file(self.db(), &row.id).await?
        {
            self.event(actor, &event_id)
                .await
                .map_err(|_| AppError::NotFound("file"))?;
        }
        Ok(row)
    }

    /// A file's bytes, or the range asked for, streamed from the blob store: with the same
    /// rules as `file_info`.
    pub async fn file_body(
        &self,
        actor: Option<&Actor>,
        id: &str,
        range_header: Option<&str>,
    ) -> AppResult<FileBody> {
        let row = self.file_info(actor, id).await?;
        self.stream_file(row, range_header).await
    }

    /// The bytes of a file the caller checked the viewer may read.
    pub(crate) async fn stream_file(
        &self,
        row: FileRow,
        range_header: Option<&str>,
    ) -> AppResult<FileBody> {
        let size = u64::try_from(row.size_bytes).unwrap_or(0);
        let range = ByteRange::parse(range_header, size);
        let stream = match range {
            ByteRange::Whole => self.blobs()?.stream(&row.storage_key, None).await?,
            ByteRange::Part { start, end } => {
                self.blobs()?
                    .stream(&row.storage_key, Some(start..end + 1))
                    .await?
            }
            ByteRange::Unsatisfiable => Box::pin(futures::stream::empty()),
        };
        Ok(FileBody { row, range, stream })
    }

    /// A file's record and bytes, with the same rules as `file_info`.
    pub async fn file(&self, actor: Option<&Actor>, id: &str) -> AppResult<(FileRow, Bytes)> {
        let row = self.file_info(actor, id).await?;
        let bytes = self.blobs()?.get(&row.storage_key).await?;
        Ok((row, bytes))
    }
}

/// The recurring job that deletes blobs no file row refers to (see `sweep_orphan_blobs`).
pub const ORPHAN_SWEEP: &str = "files.orphan_sweep";

/// How old an unreferenced blob must be before the sweep deletes it: older than any upload
/// still between writing its blob and committing its row.
pub const ORPHAN_GRACE: i64 = MICROS_PER_HOUR;

/// The hour of day (UTC) the sweep runs at.
const ORPHAN_SWEEP_HOUR_UTC: i64 = 3;

/// How many blobs are checked against the database per query.
const SWEEP_BATCH: usize = 500;

impl App {
    /// Makes sure the next daily orphan-blob sweep is queued (any instance may call it; the
    /// job id is the day, so it is queued once).
    pub async fn schedule_orphan_sweep(&self) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        self.enqueue_next_orphan_sweep(&mut tx).await?;
        self.commit(tx).await
    }

    async fn enqueue_next_orphan_sweep(&self, tx: &mut Tx) -> AppResult<()> {
        let now = self.now();
        let today = now - now.rem_euclid(MICROS_PER_DAY);
        let mut run_at = today + ORPHAN_SWEEP_HOUR_UTC * MICROS_PER_HOUR;
        if run_at <= now {
            run_at += MICROS_PER_DAY;
        }
        let day = chrono::DateTime::from_timestamp_micros(run_at)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let id = format!("{ORPHAN_SWEEP}:{day}");
        let job = NewJob {
            id: &id,
            kind: ORPHAN_SWEEP,
            payload: "{}",
            run_at,
            max_attempts: 5,
            now,
        };
        townsquare_store::jobs::enqueue_once(tx, &job).await?;
        Ok(())
    }

    /// The job: sweeps, then queues the next day's sweep.
    pub(crate) async fn orphan_sweep_job(&self, tx: &mut Tx) -> AppResult<()> {
        let removed = self.sweep_orphan_blobs().await?;
        if removed > 0 {
            tracing::info!(removed, "deleted orphaned blobs");
        }
        self.enqueue_next_orphan_sweep(tx).await
    }

    /// Deletes every blob under `files/` older than `ORPHAN_GRACE` that no file row refers to
    /// (its upload crashed between writing the blob and committing the row), and on the local
    /// store the staging files of uploads that never finished. Returns how many went.
    pub async fn sweep_orphan_blobs(&self) -> AppResult<usize> {
        use futures::TryStreamExt;
        let blobs = self.blobs()?;
        let cutoff = self.now() - ORPHAN_GRACE;
        let mut removed = 0;
        let mut listing = blobs.inner.list(Some(&BlobPath::from("files")));
        let mut batch: Vec<(String, String)> = Vec::new();
        loop {
            let next = listing
                .try_next()
                .await
                .map_err(|e| AppError::Unavailable(format!("listing blobs: {e}")))?;
            let done = next.is_none();
            if let Some(meta) = next {
                let key = meta.location.to_string();
                let old = meta.last_modified.timestamp_micros() < cutoff;
                // Keys the server did not make (`files/<id>`) are not ours to judge.
                let id = key
                    .strip_prefix("files/")
                    .filter(|id| uuid_shaped(id).is_some());
                if let (true, Some(id)) = (old, id) {
                    batch.push((id.to_string(), key));
                }
            }
            if batch.len() >= SWEEP_BATCH || (done && !batch.is_empty()) {
                let ids: Vec<String> = batch.iter().map(|(id, _)| id.clone()).collect();
                let known: std::collections::HashSet<String> =
                    store::existing_file_ids(self.db(), &ids)
                        .await?
                        .into_iter()
                        .collect();
                for (id, key) in batch.drain(..) {
                    if !known.contains(&id) {
                        blobs.delete(&key).await;
                        removed += 1;
                    }
                }
            }
            if done {
                break;
            }
        }
        if let Some(dirs) = &blobs.local {
            removed += sweep_staging(&dirs.staging, cutoff).await;
        }
        Ok(removed)
    }
}

/// Removes staged uploads last written before `cutoff` (microseconds since the epoch).
async fn sweep_staging(dir: &Path, cutoff: i64) -> usize {
    let mut removed = 0;
    let Ok(mut entries) = tokio::fs::read_dir(dir).await else {
        return 0;
    };
    while let Ok(Some(entry)) = entries.next_entry().await {
        let Ok(modified) = entry.metadata().await.and_then(|m| m.modified()) else {
            continue;
        };
        let modified = chrono::DateTime::<chrono::Utc>::from(modified).timestamp_micros();
        if modified < cutoff && tokio::fs::remove_file(entry.path()).await.is_ok() {
            removed += 1;
        }
    }
    removed
}

/// `Some(())` when `id` looks like a hyphenated UUID (what `new_id` makes); other ids are
/// answered without a query.
pub(crate) fn uuid_shaped(id: &str) -> Option<()> {
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
    fn text_is_judged_by_its_head() {
        // "ü" cut in half at the end of the head: still text, unless the file ends there.
        let head = [b"Gr\xc3\xbc\xc3".as_slice()].concat();
        assert_eq!(
            content_type_of_head(&head, "text/plain", false),
            "text/plain; charset=utf-8"
        );
        assert_eq!(
            content_type_of_head(&head, "text/plain", true),
            OCTET_STREAM
        );
        assert_eq!(
            content_type_of_head(b"\xff\xfe bad", "text/plain", false),
            OCTET_STREAM
        );
    }

    #[test]
    fn only_uuids_are_looked_up() {
        assert!(uuid_shaped("0190b6a4-7c3e-7a1b-9c2d-3e4f5a6b7c8d").is_some());
        assert!(uuid_shaped("../../etc/passwd").is_none());
        assert!(uuid_shaped("0190b6a4-7c3e-7a1b-9c2d-3e4f5a6b7c8").is_none());
    }
}
