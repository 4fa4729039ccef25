//! Reading a picture from a `multipart/form-data` body (the avatar and event cover forms, and
//! their API routes): the picture part is read up to the picture limit and no further into
//! memory (the rest is skipped as it arrives), small text parts (the CSRF token) up to a few
//! hundred bytes. What the bytes are is decided later, from their content (`app::images`).

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request};
use axum::http::{header, StatusCode};
use townsquare_app::images::{ImageRejection, MAX_IMAGE_BYTES};
use townsquare_app::AppError;

/// The body limit of the picture routes: the picture limit, with room for the form's other
/// parts and a client's multipart overhead. A larger body is cut off by the server.
pub const PICTURE_BODY_LIMIT: usize = MAX_IMAGE_BYTES + 256 * 1024;

/// The body limit layer for a picture route.
pub fn body_limit() -> DefaultBodyLimit {
    DefaultBodyLimit::max(PICTURE_BODY_LIMIT)
}

const MAX_SMALL_PART: usize = 200;

/// What a picture form carried.
#[derive(Debug, Default)]
pub struct PictureForm {
    pub csrf_token: String,
    /// The picture's bytes (empty when no file was chosen).
    pub picture: Vec<u8>,
    /// The picture part passed the limit (its bytes were dropped).
    pub too_large: bool,
}

impl PictureForm {
    /// The picture, or the field error to show on `field`.
    pub fn picture(self, field: &str) -> Result<Vec<u8>, AppError> {
        if self.too_large {
            return Err(AppError::invalid(field, ImageRejection::TooLarge.message()));
        }
        if self.picture.is_empty() {
            return Err(AppError::invalid(field, ImageRejection::Empty.message()));
        }
        Ok(self.picture)
    }
}

fn body_error(e: MultipartError, field: &str) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::invalid(field, ImageRejection::TooLarge.message())
    } else {
        AppError::invalid(
            "body",
            format!("The form could not be read: {}", e.body_text()),
        )
    }
}

/// Reads a part up to `max` bytes; past that, the rest is read and dropped.
async fn read_part(
    part: &mut Field<'_>,
    max: usize,
    field: &str,
) -> Result<(Vec<u8>, bool), AppError> {
    let mut buf: Vec<u8> = Vec::new();
    let mut over = false;
    while let Some(chunk) = part.chunk().await.map_err(|e| body_error(e, field))? {
        if over || buf.len() + chunk.len() > max {
            over = true;
            buf = Vec::new();
        } else {
            buf.extend_from_slice(&chunk);
        }
    }
    Ok((buf, over))
}

/// Reads a picture form whose file part is named `field`. A body that is not multipart is a
/// field error too (the form was sent without its file).
pub async fn read<S: Send + Sync>(
    req: Request,
    state: &S,
    field: &str,
) -> Result<PictureForm, AppError> {
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(AppError::invalid(
            field,
            format!("Send the picture as multipart/form-data, in a part named \"{field}\"."),
        ));
    }
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|e| AppError::invalid(field, format!("The form could not be read: {e}")))?;
    let mut form = PictureForm::default();
    while let Some(mut part) = multipart
        .next_field()
        .await
        .map_err(|e| body_error(e, field))?
    {
        let name = part.name().unwrap_or("").to_string();
        if name == field {
            let (bytes, over) = read_part(&mut part, MAX_IMAGE_BYTES, field).await?;
            form.too_large |= over;
            if !over && !bytes.is_empty() {
                form.picture = bytes;
            }
        } else if name == "csrf_token" {
            let (bytes, _) = read_part(&mut part, MAX_SMALL_PART, field).await?;
            form.csrf_token = String::from_utf8_lossy(&bytes).into_owned();
        } else {
            read_part(&mut part, 0, field).await?;
        }
    }
    Ok(form)
}
