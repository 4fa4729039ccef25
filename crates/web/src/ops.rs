//! Operations endpoints: liveness, readiness and Prometheus metrics.

use crate::routes::Routes;
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/healthz", get(healthz))
        .get("/readyz", get(readyz))
        .get("/metrics", get(metrics))
}

/// The process is up and serving.
async fn healthz() -> &'static str {
    "ok\n"
}

/// The database answers.
async fn readyz(State(state): State<AppState>) -> Response {
    match state.app.db().ping().await {
        Ok(()) => (StatusCode::OK, "ready\n").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let mut text = state.metrics.render();
    let app = &state.app;
    if let Ok(depth) = townsquare_app::store::jobs::queue_depth(app.db()).await {
        text.push_str("# HELP townsquare_job_queue_depth Jobs queued or running.\n# TYPE townsquare_job_queue_depth gauge\n");
        text.push_str(&format!("townsquare_job_queue_depth {depth}\n"));
    }
    if let Ok(backlog) = townsquare_app::store::outbox::backlog(app.db()).await {
        text.push_str("# HELP townsquare_outbox_backlog Mail messages waiting to be sent.\n# TYPE townsquare_outbox_backlog gauge\n");
        text.push_str(&format!("townsquare_outbox_backlog {backlog}\n"));
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], text).into_response()
}
