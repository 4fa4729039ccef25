//! Townsquare's HTTP layer: server-rendered pages (`html`), the JSON API (`api`), the
//! realtime stream (`ws`) and operations endpoints (`ops`). Handlers are thin: they parse
//! the request, call one use case of the app layer, and render its result.

mod api;
mod assets;
mod charts;
mod context;
mod csv_export;
mod error;
mod feeds;
mod html;
mod ics;
mod metrics;
mod ops;
mod picture_upload;
mod routes;
mod security;
mod ws;

pub use api::openapi_document;
pub use routes::{route_table, router};

use townsquare_app::App;

/// Shared by every handler.
#[derive(Clone)]
pub struct AppState {
    pub app: App,
    pub metrics: std::sync::Arc<metrics::Metrics>,
}

impl AppState {
    pub fn new(app: App) -> AppState {
        AppState {
            app,
            metrics: Default::default(),
        }
    }
}
