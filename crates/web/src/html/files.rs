//! Serving uploaded files: the stored type, `nosniff`, and `attachment` for everything but
//! safe raster images. The bytes are found by the file's id, never by a path from the request.

use crate::context::Ctx;
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use townsquare_app::files::{is_inline_image, OCTET_STREAM};
use townsquare_app::AppError;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/files/{id}", get(download))
}

/// Download a file: community files for those who can see the community, other files for
/// anyone signed in; 404 otherwise.
#[utoipa::path(get, path = "/files/{id}", tag = "files", params(("id" = String, Path)),
    responses((status = 200, description = "The file's bytes, with its stored type", content_type = "application/octet-stream"), (status = 404)))]
pub async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, HtmlError> {
    if uuid::Uuid::parse_str(&id).is_err() {
        return Err(AppError::NotFound("file").into());
    }
    let (row, bytes) = state.app.file(ctx.actor.as_ref(), &id).await?;
    let inline = is_inline_image(&row.content_type);
    let content_type = HeaderValue::from_str(&row.content_type)
        .unwrap_or_else(|_| HeaderValue::from_static(OCTET_STREAM));
    let disposition = HeaderValue::from_str(&content_disposition(inline, &row.filename))
        .unwrap_or_else(|_| HeaderValue::from_static("attachment"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
            // A file's bytes never change under its id (a new picture is a new file), so
            // browsers may keep it; `private` keeps shared caches out, as access is checked.
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, max-age=31536000, immutable"),
            ),
        ],
        bytes,
    )
        .into_response())
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
