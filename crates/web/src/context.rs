//! Who is asking: the request context every handler starts from.

use crate::error::HtmlError;
use crate::security::{AnonymousCsrf, SESSION_COOKIE};
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum_extra::extract::CookieJar;
use serde::de::DeserializeOwned;
use std::net::SocketAddr;
use townsquare_app::{Actor, AppError};

/// The person (if any) behind a request, how they authenticated, and what they need for forms.
#[derive(Clone)]
pub struct Ctx {
    pub actor: Option<Actor>,
    /// The token that forms must echo back: the session's, or the anonymous cookie's.
    pub csrf: String,
    pub session_token: Option<String>,
    /// Set when the request carried a bearer token (API clients need no CSRF token).
    pub bearer: bool,
    pub ip: String,
    pub flash: Option<String>,
}

impl Ctx {
    pub fn actor(&self) -> Result<&Actor, AppError> {
        self.actor.as_ref().ok_or(AppError::Unauthenticated)
    }

    pub fn check_csrf(&self, submitted: Option<&str>) -> Result<(), AppError> {
        let ok =
            submitted.is_some_and(|s| townsquare_app::accounts::constant_time_eq(s, &self.csrf));
        if ok {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "This form has expired or came from another site. Go back, reload the page and try again.".into(),
            ))
        }
    }
}

pub const FLASH_COOKIE: &str = "ts_flash";

impl FromRequestParts<AppState> for Ctx {
    type Rejection = HtmlError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, HtmlError> {
        if let Some(ctx) = parts.extensions.get::<Ctx>() {
            return Ok(ctx.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let app = &state.app;
        let ip = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip().to_string())
            .unwrap_or_else(|| "unknown".into());
        let bearer_token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer ").map(|t| t.trim().to_string()));
        let anonymous_csrf = parts
            .extensions
            .get::<AnonymousCsrf>()
            .map(|c| c.0.clone())
            .unwrap_or_default();
        let flash = jar
            .get(FLASH_COOKIE)
            .map(|c| c.value().to_string())
            .filter(|v| !v.is_empty());
        let ctx = if let Some(token) = bearer_token {
            let actor = app.authenticate_api_token(&token).await?;
            if actor.is_none() {
                return Err(AppError::Unauthenticated.into());
            }
            Ctx {
                actor,
                csrf: String::new(),
                session_token: None,
                bearer: true,
                ip,
                flash: None,
            }
        } else if let Some(session) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) {
            match app.authenticate_session(&session).await? {
                Some((actor, csrf)) => Ctx {
                    actor: Some(actor),
                    csrf,
                    session_token: Some(session),
                    bearer: false,
                    ip,
                    flash,
                },
                None => Ctx {
                    actor: None,
                    csrf: anonymous_csrf,
                    session_token: None,
                    bearer: false,
                    ip,
                    flash,
                },
            }
        } else {
            Ctx {
                actor: None,
                csrf: anonymous_csrf,
                session_token: None,
                bearer: false,
                ip,
                flash,
            }
        };
        parts.extensions.insert(ctx.clone());
        Ok(ctx)
    }
}

/// A form body whose CSRF token was checked before the handler runs.
pub struct CsrfForm<T>(pub T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = HtmlError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, HtmlError> {
        let (mut parts, body) = req.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        if parts.method != Method::POST {
            return Err(AppError::invalid("method", "Forms are sent with POST.").into());
        }
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !content_type.starts_with("application/x-www-form-urlencoded") {
            return Err(HtmlError::status(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "This address takes a form (application/x-www-form-urlencoded).",
            ));
        }
        let bytes = axum::body::to_bytes(body, crate::routes::MAX_BODY_BYTES)
            .await
            .map_err(|_| {
                HtmlError::status(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    "The form is too large.",
                )
            })?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| AppError::invalid("form", "The form could not be read."))?;
        let submitted = pairs
            .iter()
            .find(|(k, _)| k == "csrf_token")
            .map(|(_, v)| v.as_str());
        ctx.check_csrf(submitted)?;
        let value = serde_urlencoded::from_bytes::<T>(&bytes).map_err(|e| {
            AppError::invalid(
                "form",
                format!("The form is missing a field or has a wrong value: {e}"),
            )
        })?;
        Ok(CsrfForm(value))
    }
}
