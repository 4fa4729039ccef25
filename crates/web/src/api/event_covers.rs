//! An event's cover picture in the API: read it (those who can see the event), set it from a
//! `multipart/form-data` upload or remove it (the event's hosts).

use super::ApiCtx;
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, put};
use axum::Json;
use serde::Serialize;
use townsquare_app::AppError;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/events/{id}/cover", get(cover))
        .put(
            "/api/v1/events/{id}/cover",
            put(set_cover).layer(crate::picture_upload::body_limit()),
        )
        .delete("/api/v1/events/{id}/cover", delete(remove_cover))
}

/// An event's cover picture.
#[derive(Serialize, ToSchema)]
pub struct Cover {
    file_id: String,
    /// Where it is served (`GET /files/{id}`): a PNG of 1200×600 pixels.
    url: String,
}

fn cover_of(file_id: String) -> Cover {
    Cover {
        url: format!("/files/{file_id}"),
        file_id,
    }
}

/// The event's cover picture (404 when it has none).
#[utoipa::path(get, path = "/api/v1/events/{id}/cover", tag = "events", params(("id" = String, Path)),
    responses((status = 200, body = Cover), (status = 404)))]
pub async fn cover(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Cover>, ApiError> {
    let view = state.app.event(ctx.0.actor.as_ref(), &id).await?;
    let file_id = state
        .app
        .event_cover(&view.event.id)
        .await?
        .ok_or(AppError::NotFound("cover"))?;
    Ok(Json(cover_of(file_id)))
}

/// Set the event's cover (its hosts): `multipart/form-data` with the picture in a part named
/// `file` (PNG, JPEG, WebP or GIF, at most 5 MB and 4096×4096 pixels). It is cropped to 2:1,
/// scaled to 1200×600 and stored as PNG without the original's metadata.
#[utoipa::path(put, path = "/api/v1/events/{id}/cover", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = super::profiles::PictureUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Cover), (status = 401), (status = 403), (status = 404), (status = 422, description = "Not a picture, too large, or too many pixels (on `file`)")))]
pub async fn set_cover(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    req: Request,
) -> Result<Json<Cover>, ApiError> {
    let actor = ctx.actor()?.clone();
    // Who may is decided before the body is read.
    let view = state.app.event(Some(&actor), &id).await?;
    if !view.can_host() {
        return Err(ApiError(AppError::Forbidden(
            "Only the event's hosts can change its cover.".into(),
        )));
    }
    let form = crate::picture_upload::read(req, &state, "file").await?;
    let file_id = state
        .app
        .set_event_cover(&actor, &id, "file", form.picture("file")?)
        .await?;
    Ok(Json(cover_of(file_id)))
}

/// Remove the event's cover (its hosts).
#[utoipa::path(delete, path = "/api/v1/events/{id}/cover", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 204), (status = 401), (status = 403), (status = 404)))]
pub async fn remove_cover(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_event_cover(ctx.actor()?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}
