//! The JSON API, version 1, under `/api/v1`: bearer tokens, cursor pagination, errors as
//! problem+json, and an OpenAPI 3.1 document generated from these handlers.

mod accounts;
mod admin;
mod analytics;
mod applications;
mod auto_moderation;
mod communities;
mod discussions;
mod docs;
mod engagement;
mod event_covers;
mod event_followups;
mod event_hosts;
mod event_live;
mod events;
pub(crate) mod files;
mod invitations;
mod member_360;
mod member_import;
mod membership_tiers;
mod moderation;
mod notifications;
mod onboarding;
mod profiles;
mod reading;
mod spaces;
mod topic_lists;

use crate::context::Ctx;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method};
use base64::Engine;
use serde::de::DeserializeOwned;
use townsquare_app::{Actor, AppError};

pub(crate) fn routes(r: Routes) -> Routes {
    let r = docs::routes(r);
    let r = accounts::routes(r);
    let r = admin::routes(r);
    let r = communities::routes(r);
    let r = discussions::routes(r);
    let r = engagement::routes(r);
    let r = notifications::routes(r);
    let r = reading::routes(r);
    let r = files::routes(r);
    let r = topic_lists::routes(r);
    let r = moderation::routes(r);
    let r = auto_moderation::routes(r);
    let r = membership_tiers::routes(r);
    let r = onboarding::routes(r);
    let r = member_360::routes(r);
    let r = member_import::routes(r);
    let r = applications::routes(r);
    let r = invitations::routes(r);
    let r = events::routes(r);
    let r = event_live::routes(r);
    let r = event_followups::routes(r);
    let r = event_hosts::routes(r);
    let r = event_covers::routes(r);
    let r = analytics::routes(r);
    let r = profiles::routes(r);
    spaces::routes(r)
}

/// The API caller. Bearer tokens are the API's way in; a browser session works too, but
/// then writes must carry the session's CSRF token in `X-CSRF-Token`.
pub struct ApiCtx(pub Ctx);

impl ApiCtx {
    pub fn actor(&self) -> Result<&Actor, ApiError> {
        self.0
            .actor
            .as_ref()
            .ok_or(ApiError(AppError::Unauthenticated))
    }
}

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        let unsafe_method = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if unsafe_method && !ctx.bearer && ctx.actor.is_some() {
            let header = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok());
            ctx.check_csrf(header)?;
        }
        Ok(ApiCtx(ctx))
    }
}

/// A JSON request body, with problem+json answers for the wrong content type or bad JSON.
pub struct JsonBody<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, _state: &AppState) -> Result<Self, ApiError> {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !(content_type.starts_with("application/json") || content_type.contains("+json")) {
            return Err(ApiError(AppError::invalid(
                "body",
                "Send the body as JSON, with Content-Type: application/json.",
            )));
        }
        let bytes = axum::body::to_bytes(req.into_body(), crate::routes::MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                ApiError(AppError::TooLarge(format!(
                    "The body is larger than {} bytes.",
                    crate::routes::MAX_BODY_BYTES
                )))
            })?;
        serde_json::from_slice(&bytes).map(JsonBody).map_err(|e| {
            ApiError(AppError::invalid(
                "body",
                format!("The JSON body could not be read: {e}."),
            ))
        })
    }
}

/// Opaque cursors: base64url of the keyset values, so clients cannot depend on their shape.
pub fn encode_cursor(a: &str, b: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{a}\u{0}{b}"))
}

pub fn decode_cursor(cursor: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (a, b) = text.split_once('\u{0}')?;
    Some((a.to_string(), b.to_string()))
}

pub fn encode_time_cursor(time: i64, id: &str) -> String {
    encode_cursor(&time.to_string(), id)
}

pub fn decode_time_cursor(cursor: &str) -> Option<(i64, String)> {
    let (t, id) = decode_cursor(cursor)?;
    Some((t.parse().ok()?, id))
}

/// Checks a cursor parameter, answering 422 for a malformed one.
pub fn cursor_param<T>(
    raw: Option<&str>,
    decode: fn(&str) -> Option<T>,
) -> Result<Option<T>, ApiError> {
    match raw {
        None | Some("") => Ok(None),
        Some(c) => decode(c).map(Some).ok_or_else(|| {
            ApiError(AppError::invalid(
                "cursor",
                "The cursor is not one this API gave out.",
            ))
        }),
    }
}

/// Reads a `limit` query parameter (1 to 100), answering 422 naming it when it is not a number.
pub fn limit_param(raw: Option<&str>, default: i64) -> Result<i64, ApiError> {
    match raw {
        None | Some("") => Ok(default),
        Some(text) => text
            .trim()
            .parse::<i64>()
            .map(|n| n.clamp(1, 100))
            .map_err(|_| {
                ApiError(AppError::invalid(
                    "limit",
                    format!("limit is a whole number from 1 to 100, not {text:?}."),
                ))
            }),
    }
}

pub use docs::openapi as openapi_document;
