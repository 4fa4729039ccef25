//! Every route, registered through one builder that also records it, so the authorization
//! test can insist that each route appears in its table.

use crate::{api, assets, feeds, html, metrics, ops, security, ws, AppState};
use axum::routing::MethodRouter;
use axum::Router;
use std::time::Duration;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};

/// How long a request may take before it is answered 503.
const REQUEST_DEADLINE: Duration = Duration::from_secs(30);
/// Recording uploads (up to 500 MiB by default) may take this long: on a 2 Mbit/s uplink such
/// a file takes over half an hour, and cutting it off at 30 s would make them impossible.
const RECORDING_UPLOAD_DEADLINE: Duration = Duration::from_secs(2 * 3600);

fn deadline_for(method: &axum::http::Method, path: &str) -> Duration {
    let recording_upload = (method == axum::http::Method::PUT && path.ends_with("/recording/file"))
        || (method == axum::http::Method::POST && path.ends_with("/recording/upload"));
    if recording_upload {
        RECORDING_UPLOAD_DEADLINE
    } else {
        REQUEST_DEADLINE
    }
}

async fn deadline(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let limit = deadline_for(req.method(), req.uri().path());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => {
            axum::response::IntoResponse::into_response(axum::http::StatusCode::SERVICE_UNAVAILABLE)
        }
    }
}

/// Largest request body we accept (forms and JSON); uploads get their own limit.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

pub(crate) struct Routes {
    router: Router<AppState>,
    table: Vec<(&'static str, &'static str)>,
}

impl Routes {
    fn new() -> Routes {
        Routes {
            router: Router::new(),
            table: Vec::new(),
        }
    }

    pub(crate) fn get(self, path: &'static str, route: MethodRouter<AppState>) -> Routes {
        self.add("GET", path, route)
    }

    pub(crate) fn post(self, path: &'static str, route: MethodRouter<AppState>) -> Routes {
        self.add("POST", path, route)
    }

    pub(crate) fn patch(self, path: &'static str, route: MethodRouter<AppState>) -> Routes {
        self.add("PATCH", path, route)
    }

    pub(crate) fn put(self, path: &'static str, route: MethodRouter<AppState>) -> Routes {
        self.add("PUT", path, route)
    }

    pub(crate) fn delete(self, path: &'static str, route: MethodRouter<AppState>) -> Routes {
        self.add("DELETE", path, route)
    }

    fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        route: MethodRouter<AppState>,
    ) -> Routes {
        self.table.push((method, path));
        self.router = self.router.route(path, route);
        self
    }
}

fn all_routes() -> Routes {
    let r = Routes::new();
    let r = ops::routes(r);
    let r = assets::routes(r);
    let r = html::routes(r);
    let r = feeds::routes(r);
    let r = api::routes(r);
    ws::routes(r)
}

/// (method, path pattern) of every route, in registration order.
pub fn route_table() -> Vec<(&'static str, &'static str)> {
    all_routes().table
}

pub fn router(state: AppState) -> Router {
    let routes = all_routes();
    routes
        .router
        .fallback(not_found)
        .layer(axum::middleware::from_fn(security::csrf_cookie))
        .layer(axum::middleware::from_fn(security::headers))
        .layer(axum::middleware::from_fn_with_state(state.clone(), metrics::track))
        .layer(axum::middleware::from_fn(deadline))
        // Our body extractors enforce MAX_BODY_BYTES themselves and answer in the caller's
        // format (problem+json or a page); this caps axum's own extractors the same way.
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
            let id = req.headers().get("x-request-id").and_then(|v| v.to_str().ok()).unwrap_or("-");
            tracing::info_span!("request", method = %req.method(), uri = %req.uri().path(), request_id = %id)
        }))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .with_state(state)
}

/// Unknown addresses: problem+json under /api/, a page elsewhere.
async fn not_found(uri: axum::http::Uri) -> axum::response::Response {
    if uri.path().starts_with("/api/") {
        axum::response::IntoResponse::into_response(crate::error::ApiError(
            townsquare_app::AppError::NotFound("API endpoint"),
        ))
    } else {
        html::not_found().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::Method;

    #[test]
    fn only_the_recording_upload_routes_get_the_long_deadline() {
        let table = route_table();
        let mut long: Vec<_> = table
            .iter()
            .filter(|(method, path)| {
                let method: Method = method.parse().unwrap();
                deadline_for(&method, path) == RECORDING_UPLOAD_DEADLINE
            })
            .collect();
        long.sort();
        assert_eq!(
            long,
            [
                &("POST", "/c/{slug}/events/{event}/recording/upload"),
                &("PUT", "/api/v1/events/{id}/recording/file"),
            ],
            "the upload routes exist under these names, and nothing else waits that long"
        );
        assert_eq!(
            deadline_for(&Method::GET, "/c/x/events/y/recording/media"),
            REQUEST_DEADLINE
        );
    }
}
