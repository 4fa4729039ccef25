//! A moderator's edit of someone else's post, with a reason.

use super::super::discussions::{post_json, Post};
use super::super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::routing::post;
use axum::Json;
use serde::Deserialize;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post("/api/v1/posts/{id}/moderator-edit", post(moderator_edit))
}

#[derive(Deserialize, ToSchema)]
pub struct ModeratorEdit {
    /// The new text (Markdown).
    body: String,
    /// Why: the author, the edit history and the audit log see it.
    reason: String,
}

/// Edit another member's post as a moderator, with a reason. The earlier text is kept as a
/// revision with the reason, the author is notified, and the audit log gets an `edit` row.
#[utoipa::path(post, path = "/api/v1/posts/{id}/moderator-edit", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ModeratorEdit,
    responses((status = 200, body = Post), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn moderator_edit(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ModeratorEdit>,
) -> Result<Json<Post>, ApiError> {
    let row = state
        .app
        .moderator_edit_post(ctx.actor()?, &id, &b.body, &b.reason)
        .await?;
    Ok(Json(post_json(row, None)))
}
