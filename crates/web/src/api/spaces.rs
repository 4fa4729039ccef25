//! Spaces in the API.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::spaces::SpaceInput;
use townsquare_app::store::spaces::SpaceRow;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/spaces", get(list))
        .post("/api/v1/communities/{slug}/spaces", post(create))
        .get("/api/v1/communities/{slug}/spaces/{space}", get(show))
        .patch("/api/v1/communities/{slug}/spaces/{space}", patch(update))
        .post("/api/v1/communities/{slug}/spaces/{space}/join", post(join))
        .post(
            "/api/v1/communities/{slug}/spaces/{space}/leave",
            post(leave),
        )
}

#[derive(Serialize, ToSchema)]
pub struct Space {
    id: String,
    slug: String,
    name: String,
    description: String,
    /// `discussion`, `chat`, `events` or `resources`.
    kind: String,
    /// `everyone`, `members`, `moderators` or `admins`.
    visibility: String,
    position: i64,
    member_count: i64,
    created_at: String,
    /// Whether the caller joined it (only on single-space answers).
    joined: Option<bool>,
}

fn space(s: SpaceRow, joined: Option<bool>) -> Space {
    Space {
        id: s.id,
        slug: s.slug,
        name: s.name,
        description: s.description,
        kind: s.kind,
        visibility: s.visibility,
        position: s.position,
        member_count: s.member_count,
        created_at: iso(s.created_at),
        joined,
    }
}

/// The spaces of a community that the caller can see, in navigation order.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/spaces", tag = "spaces", params(("slug" = String, Path)),
    responses((status = 200, body = Vec<Space>), (status = 404)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Space>>, ApiError> {
    let view = state.app.community(ctx.0.actor.as_ref(), &slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    Ok(Json(spaces.into_iter().map(|s| space(s, None)).collect()))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct SpaceBody {
    name: Option<String>,
    slug: Option<String>,
    description: Option<String>,
    kind: Option<String>,
    visibility: Option<String>,
}

/// Create a space (community admins).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/spaces", tag = "spaces", security(("bearer" = [])), params(("slug" = String, Path)),
    request_body = SpaceBody, responses((status = 201, body = Space), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<SpaceBody>,
) -> Result<impl IntoResponse, ApiError> {
    let input = SpaceInput {
        name: b.name.unwrap_or_default(),
        slug: b.slug.unwrap_or_default(),
        description: b.description.unwrap_or_default(),
        kind: b.kind.unwrap_or_else(|| "discussion".into()),
        visibility: b.visibility.unwrap_or_else(|| "everyone".into()),
    };
    let row = state.app.create_space(ctx.actor()?, &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(space(row, Some(true)))))
}

/// One space.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/spaces/{space}", tag = "spaces", params(("slug" = String, Path), ("space" = String, Path)),
    responses((status = 200, body = Space), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space_slug)): Path<(String, String)>,
) -> Result<Json<Space>, ApiError> {
    let view = state
        .app
        .space(ctx.0.actor.as_ref(), &slug, &space_slug)
        .await?;
    Ok(Json(space(view.space, Some(view.joined))))
}

/// Change a space's name, description or visibility (community admins).
#[utoipa::path(patch, path = "/api/v1/communities/{slug}/spaces/{space}", tag = "spaces", security(("bearer" = [])),
    params(("slug" = String, Path), ("space" = String, Path)), request_body = SpaceBody,
    responses((status = 200, body = Space), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space_slug)): Path<(String, String)>,
    JsonBody(b): JsonBody<SpaceBody>,
) -> Result<Json<Space>, ApiError> {
    let actor = ctx.actor()?;
    let current = state
        .app
        .space(Some(actor), &slug, &space_slug)
        .await?
        .space;
    let input = SpaceInput {
        name: b.name.unwrap_or(current.name),
        slug: current.slug,
        description: b.description.unwrap_or(current.description),
        kind: current.kind,
        visibility: b.visibility.unwrap_or(current.visibility),
    };
    let row = state
        .app
        .update_space(actor, &slug, &space_slug, &input)
        .await?;
    Ok(Json(space(row, None)))
}

/// Join a space (members of the community).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/spaces/{space}/join", tag = "spaces", security(("bearer" = [])),
    params(("slug" = String, Path), ("space" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn join(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space_slug)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .join_space(ctx.actor()?, &slug, &space_slug)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leave a space.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/spaces/{space}/leave", tag = "spaces", security(("bearer" = [])),
    params(("slug" = String, Path), ("space" = String, Path)), responses((status = 204), (status = 404)))]
pub async fn leave(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space_slug)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .leave_space(ctx.actor()?, &slug, &space_slug)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
