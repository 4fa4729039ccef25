//! Serving uploaded files: the stored type, `nosniff`, and `attachment` for everything but
//! safe raster images. The bytes are found by the file's id, never by a path from the request.

use crate::context::Ctx;
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::Response;
use axum::routing::get;
use townsquare_app::files::{is_inline_image, ByteRange, FileBody, OCTET_STREAM};
use townsquare_app::AppError;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/files/{id}", get(download))
}

/// Download a file: community files for those who can see the community, other files for
/// anyone signed in (an event's uploaded recording: those who may see the event); 404
/// otherwise. One byte range (`Range: bytes=…`) is answered with 206, so players can seek.
#[utoipa::path(get, path = "/files/{id}", tag = "files", params(("id" = String, Path),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`")),
    responses((status = 200, description = "The file's bytes, with its stored type", content_type = "application/octet-stream"),
        (status = 206, description = "The range asked for", content_type = "application/octet-stream"),
        (status = 404), (status = 416, description = "The range is outside the file")))]
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<Response, HtmlError> {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::NotFound("file").into());
    }
    let body = state
        .app
        .file_body(ctx.actor.as_ref(), &id, range_header(&headers))
        .await?;
    let inline = is_inline_image(&body.row.content_type);
    Ok(file_response(body, inline))
}

/// The request's `Range` header, if it reads as text.
pub(crate) fn range_header(headers: &HeaderMap) -> Option<&str> {
    headers.get(header::RANGE).and_then(|v| v.to_str().ok())
}

/// A stored file's bytes as a response: its stored type, `nosniff`, a private immutable cache,
/// `Accept-Ranges`, and 206 with `Content-Range` for a range (416 for one outside the file).
pub(crate) fn file_response(body: FileBody, inline: bool) -> Response {
    let FileBody { row, range, stream } = body;
    let size = u64::try_from(row.size_bytes).unwrap_or(0);
    let content_type = HeaderValue::from_str(&row.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static(OCTET_STREAM));
    let disposition = HeaderValue::from_str(&content_disposition(inline, &row.filename))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    let (status, length, content_range) = match range {
        ByteRange::Whole => (StatusCode::OK, size, None),
        ByteRange::Part { start, end } => (
            StatusCode::PARTIAL_CONTENT,
            end + 1 - start,
            Some(format!("bytes {start}-{end}/{size}")),
        ),
        ByteRange::Unsatisfiable => (
            StatusCode::RANGE_NOT_SATISFIABLE,
            0,
            Some(format!("bytes */{size}")),
        ),
    };
    let mut response = Response::new(Body::from_stream(stream));
    *response.status_mut() = status;
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, content_type);
    h.insert(header::CONTENT_DISPOSITION, disposition);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A file's bytes never change under its id (a new picture is a new file), so
    // browsers may keep it; `private` keeps shared caches out, as access is checked.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=31536000, immutable"),
    );
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    if let Some(v) = content_range.and_then(|v| HeaderValue::from_str(&v).ok()) {
        h.insert(header::CONTENT_RANGE, v);
    }
    response
}

/// `attachment` (or `inline`) with an ASCII fallback name and the exact UTF-8 name (RFC 6266).
pub fn content_disposition(inline: bool, filename: &str) -> String {
    let kind = if inline { "inline" } else { "attachment" };
    let fallback: String = filename
        .chars()
        .map(|c| {
            if c == ' ' || (c.is_ascii_graphic() && !matches!(c, '"' | '\\' | ';' | '%')) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let mut encoded = String::new();
    for b in filename.bytes() {
        let attr_char = b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'!' | b'#' | b'$' | b'&' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`' | b'|' | b'~'
            );
        if attr_char {
            encoded.push(b as char);
        } else {
            encoded.push_str(&format!("%{b:02X}"));
        }
    }
    format!("{kind}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn names_are_quoted_and_encoded() {
        assert_eq!(
            content_disposition(false, "naïve \"plan\".txt"),
            "attachment; filename=\"na_ve _plan_.txt\"; filename*=UTF-8''na%C3%AFve%20%22plan%22.txt"
        );
        assert!(content_disposition(true, "a.png").starts_with("inline; "));
    }
}
