//! Uploading files through the API: `multipart/form-data` with a `file` part and an optional
//! `community` slug. The bytes are served back by `GET /files/{id}` (see `html::files`).

use super::ApiCtx;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use axum::Json;
use futures::TryStreamExt;
use serde::Serialize;
use townsquare_app::files::StagedUpload;
use townsquare_app::{Actor, AppError};
use utoipa::ToSchema;

/// The most any upload request may carry, whatever the configured file size limit: the
/// global body limit (256 KiB) is lifted to this on the upload route only, and the handler
/// stops reading as soon as the file passes the configured limit (25 MiB by default).
pub const UPLOAD_BODY_CEILING: usize = 1024 * 1024 * 1024;

/// Longest `community` field we read (a slug).
const MAX_FIELD_BYTES: usize = 200;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/files",
        post(upload).layer(DefaultBodyLimit::max(UPLOAD_BODY_CEILING)),
    )
}

#[derive(Serialize, ToSchema)]
pub struct File {
    id: String,
    /// The sanitised file name.
    filename: String,
    /// The type the file is served as, decided from its content.
    content_type: String,
    size_bytes: i64,
    /// Where to download it (`GET /files/{id}`).
    url: String,
}

/// The form of an upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct UploadForm {
    /// The file's bytes, with its name in the part's `filename`.
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The slug of the community to share it in (its members only); none for a file of
    /// your own (readable by anyone signed in who has the link).
    community: Option<String>,
}

fn body_error(e: MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(AppError::TooLarge("The upload is too large.".into()))
    } else {
        ApiError(AppError::invalid(
            "body",
            format!("The multipart body could not be read: {}", e.body_text()),
        ))
    }
}

async fn read_parts(
    state: &AppState,
    actor: &Actor,
    multipart: &mut Multipart,
    staged: &mut Option<StagedUpload>,
    community: &mut Option<String>,
) -> Result<(), ApiError> {
    while let Some(mut field) = multipart.next_field().await.map_err(body_error)? {
        match field.name() {
            Some("file") if staged.is_none() => {
                state.app.upload_target(actor, community.as_deref()).await?;
                let filename = field.file_name().unwrap_or("").to_string();
                let declared_type = field.content_type().unwrap_or("").to_string();
                let chunks = field.map_err(|e| body_error(e).0);
                *staged = Some(
                    state
                        .app
                        .stage_upload(actor, &filename, &declared_type, chunks)
                        .await?,
                );
            }
            Some("community") => {
                let mut buf: Vec<u8> = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(body_error)? {
                    if buf.len() + chunk.len() > MAX_FIELD_BYTES {
                        return Err(ApiError(AppError::invalid(
                            "community",
                            "The community field holds a community's slug.",
                        )));
                    }
                    buf.extend_from_slice(&chunk);
                }
                *community = Some(String::from_utf8_lossy(&buf).into_owned());
            }
            // Other parts are ignored (their bytes are skipped by `next_field`).
            _ => {}
        }
    }
    Ok(())
}

/// Upload a file (signed in; to a community: its active members). The type is decided from
/// the content: HTML, SVG and other types a browser could run are stored as
/// `application/octet-stream`.
#[utoipa::path(post, path = "/api/v1/files", tag = "files", security(("bearer" = [])),
    request_body(content = UploadForm, content_type = "multipart/form-data"),
    responses((status = 201, body = File), (status = 401), (status = 403), (status = 404), (status = 413), (status = 422)))]
pub async fn upload(
    State(state): State<AppState>,
    ctx: ApiCtx,
    req: Request,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?.clone();
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError(AppError::invalid(
            "body",
            "Send the file as multipart/form-data, in a part named \"file\".",
        )));
    }
    let mut multipart = Multipart::from_request(req, &state).await.map_err(|e| {
        ApiError(AppError::invalid(
            "body",
            format!("The multipart body could not be read: {}", e.body_text()),
        ))
    })?;
    // The file is streamed to the blob store as it arrives. If the community part comes
    // first (as it should), membership is checked before a byte is written; if it comes
    // after, the staged file is discarded when the check fails.
    let mut staged: Option<StagedUpload> = None;
    let mut community: Option<String> = None;
    let read = read_parts(&state, &actor, &mut multipart, &mut staged, &mut community).await;
    let staged = match (read, staged) {
        (Ok(()), Some(staged)) => staged,
        (Ok(()), None) => {
            return Err(ApiError(AppError::invalid(
                "file",
                "Add the file in a part named \"file\".",
            )))
        }
        (Err(e), staged) => {
            if let Some(staged) = staged {
                state.app.discard_upload(staged).await;
            }
            return Err(e);
        }
    };
    let row = state
        .app
        .commit_upload(&actor, community.as_deref(), staged)
        .await?;
    let url = format!("{}/files/{}", state.app.settings().base_url, row.id);
    Ok((
        StatusCode::CREATED,
        Json(File {
            id: row.id,
            filename: row.filename,
            content_type: row.content_type,
            size_bytes: row.size_bytes,
            url,
        }),
    ))
}
