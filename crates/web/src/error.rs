//! One error type per kind of client: HTML pages for people, problem+json for programs.

use askama::Template;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::json;
use townsquare_app::AppError;

pub fn status_of(e: &AppError) -> StatusCode {
    match e {
        AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
        AppError::Conflict(_) => StatusCode::CONFLICT,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::Unauthenticated => StatusCode::UNAUTHORIZED,
        AppError::Forbidden(_) => StatusCode::FORBIDDEN,
        AppError::Gone(_) => StatusCode::GONE,
        AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// A stable machine-readable code per kind of problem.
fn code_of(e: &AppError) -> &'static str {
    match e {
        AppError::Invalid(_) => "invalid-input",
        AppError::Conflict(_) => "conflict",
        AppError::NotFound(_) => "not-found",
        AppError::Unauthenticated => "unauthenticated",
        AppError::Forbidden(_) => "forbidden",
        AppError::Gone(_) => "gone",
        AppError::TooLarge(_) => "too-large",
        AppError::RateLimited { .. } => "rate-limited",
        AppError::Unavailable(_) => "unavailable",
        AppError::Internal(_) => "internal",
    }
}

/// What a person reads; internal details stay in the log.
pub fn human_message(e: &AppError) -> String {
    match e {
        AppError::Invalid(errors) | AppError::Conflict(errors) => errors
            .0
            .iter()
            .map(|f| f.message.clone())
            .collect::<Vec<_>>()
            .join(" "),
        AppError::NotFound(what) => format!(
            "We could not find that {what}. It may have moved, or you may not have access to it."
        ),
        AppError::Unauthenticated => "Sign in to continue.".into(),
        AppError::Forbidden(why) | AppError::TooLarge(why) | AppError::Gone(why) => why.clone(),
        AppError::RateLimited { message, .. } => message.clone(),
        AppError::Unavailable(_) => {
            "The service is briefly unavailable. Try again in a moment.".into()
        }
        AppError::Internal(_) => {
            "Something went wrong on our side. It has been logged; try again.".into()
        }
    }
}

fn log(e: &AppError) {
    match e {
        AppError::Internal(detail) | AppError::Unavailable(detail) => {
            tracing::error!(error = %detail, "request failed")
        }
        _ => {}
    }
}

/// A problem+json error (RFC 9457) for the API.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        ApiError(e)
    }
}

impl From<HtmlError> for ApiError {
    fn from(e: HtmlError) -> Self {
        match e {
            HtmlError::App(a) => ApiError(a),
            HtmlError::Status(s, m) => ApiError(match s {
                StatusCode::PAYLOAD_TOO_LARGE => AppError::TooLarge(m),
                StatusCode::UNSUPPORTED_MEDIA_TYPE => AppError::invalid("body", m),
                _ => AppError::invalid("request", m),
            }),
        }
    }
}

pub fn problem(
    status: StatusCode,
    code: &str,
    title: &str,
    detail: &str,
    errors: serde_json::Value,
) -> Response {
    let body = json!({
        "type": format!("https://townsquare.dev/problems/{code}"),
        "title": title,
        "status": status.as_u16(),
        "detail": detail,
        "errors": errors,
    });
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/problem+json"),
    );
    res
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        log(&self.0);
        let status = status_of(&self.0);
        let errors = self
            .0
            .field_errors()
            .map(|e| json!(e.0))
            .unwrap_or_else(|| json!([]));
        let title = status.canonical_reason().unwrap_or("Error");
        let mut res = problem(
            status,
            code_of(&self.0),
            title,
            &human_message(&self.0),
            errors,
        );
        if let AppError::RateLimited {
            retry_after_secs, ..
        } = &self.0
        {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
        }
        if matches!(self.0, AppError::Unauthenticated) {
            res.headers_mut()
                .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        res
    }
}

/// An error page for people.
#[derive(Debug)]
pub enum HtmlError {
    App(AppError),
    Status(StatusCode, String),
}

impl HtmlError {
    pub fn status(status: StatusCode, message: &str) -> HtmlError {
        HtmlError::Status(status, message.to_string())
    }
}

impl From<AppError> for HtmlError {
    fn from(e: AppError) -> Self {
        HtmlError::App(e)
    }
}

#[derive(Template)]
#[template(path = "errors/error.html")]
struct ErrorPage {
    status: u16,
    heading: String,
    message: String,
}

pub fn error_page(status: StatusCode, message: &str) -> Response {
    let heading = match status {
        StatusCode::NOT_FOUND => "Page not found",
        StatusCode::FORBIDDEN => "You can't do that here",
        StatusCode::TOO_MANY_REQUESTS => "Slow down a little",
        StatusCode::UNPROCESSABLE_ENTITY | StatusCode::BAD_REQUEST => {
            "Something in the request was not right"
        }
        s if s.is_server_error() => "Something went wrong",
        _ => "Something went wrong",
    };
    let page = ErrorPage {
        status: status.as_u16(),
        heading: heading.into(),
        message: message.into(),
    };
    let html = page.render().unwrap_or_else(|_| message.to_string());
    (status, axum::response::Html(html)).into_response()
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        match self {
            HtmlError::App(AppError::Unauthenticated) => Redirect::to("/login").into_response(),
            HtmlError::App(e) => {
                log(&e);
                let mut res = error_page(status_of(&e), &human_message(&e));
                if let AppError::RateLimited {
                    retry_after_secs, ..
                } = &e
                {
                    res.headers_mut()
                        .insert(header::RETRY_AFTER, HeaderValue::from(*retry_after_secs));
                }
                res
            }
            HtmlError::Status(status, message) => error_page(status, &message),
        }
    }
}
