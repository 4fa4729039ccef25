//! Security headers on every response, and the anonymous CSRF cookie.

use axum::extract::Request;
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::middleware::Next;
use axum::response::Response;
use axum_extra::extract::cookie::{Cookie, SameSite};

pub const CSRF_COOKIE: &str = "ts_csrf";
pub const SESSION_COOKIE: &str = "ts_session";

/// The CSRF token of a visitor without a session, put in request extensions by `csrf_cookie`.
#[derive(Clone)]
pub struct AnonymousCsrf(pub String);

pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    res
}

fn cookie_value(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| Cookie::parse(pair.trim().to_string()).ok())
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Gives every visitor a CSRF cookie (double-submit) for the forms they fill before signing in.
pub async fn csrf_cookie(mut req: Request, next: Next) -> Response {
    let existing = cookie_value(&req, CSRF_COOKIE).filter(|v| v.len() >= 32);
    let token = existing
        .clone()
        .unwrap_or_else(townsquare_app::accounts::new_csrf_token);
    req.extensions_mut().insert(AnonymousCsrf(token.clone()));
    let mut res = next.run(req).await;
    if existing.is_none() {
        let cookie = Cookie::build((CSRF_COOKIE, token))
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .build();
        if let Ok(v) = HeaderValue::from_str(&cookie.to_string()) {
            res.headers_mut().append(SET_COOKIE, v);
        }
    }
    res
}
