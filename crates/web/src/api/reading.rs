//! Reading state in the API: following and muting topics, bookmarks.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::reading::TopicLevel;
use townsquare_app::AppError;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.put("/api/v1/topics/{id}/subscription", put(set_level))
        .put("/api/v1/posts/{id}/bookmark", put(add_bookmark))
        .delete(
            "/api/v1/posts/{id}/bookmark",
            axum::routing::delete(remove_bookmark),
        )
        .get("/api/v1/me/bookmarks", get(bookmarks))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct Subscription {
    /// following (every reply), normal (replies to you) or muted (mentions only).
    level: String,
}

/// Follow, mute, or go back to normal notifications for a topic (members).
#[utoipa::path(put, path = "/api/v1/topics/{id}/subscription", tag = "discussions", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Subscription, responses((status = 200, body = Subscription), (status = 403), (status = 404), (status = 422)))]
pub async fn set_level(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Subscription>,
) -> Result<Json<Subscription>, ApiError> {
    let actor = ctx.actor()?;
    let level = TopicLevel::parse(&b.level).map_err(|m| AppError::invalid("level", m))?;
    state.app.set_topic_level(actor, &id, level).await?;
    Ok(Json(Subscription {
        level: level.as_str().into(),
    }))
}

/// Bookmark a post (idempotent).
#[utoipa::path(put, path = "/api/v1/posts/{id}/bookmark", tag = "discussions", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 401), (status = 404)))]
pub async fn add_bookmark(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.set_bookmark(ctx.actor()?, &id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Remove a bookmark (idempotent).
#[utoipa::path(delete, path = "/api/v1/posts/{id}/bookmark", tag = "discussions", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 401), (status = 404)))]
pub async fn remove_bookmark(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.set_bookmark(ctx.actor()?, &id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Bookmark {
    post_id: String,
    topic_id: String,
    topic_title: String,
    community_slug: String,
    author_name: String,
    bookmarked_at: String,
}

/// The caller's bookmarks that they can still read, newest first.
#[utoipa::path(get, path = "/api/v1/me/bookmarks", tag = "discussions", security(("bearer" = [])),
    responses((status = 200, body = Vec<Bookmark>), (status = 401)))]
pub async fn bookmarks(
    State(state): State<AppState>,
    ctx: ApiCtx,
) -> Result<Json<Vec<Bookmark>>, ApiError> {
    let rows = state.app.bookmarks(ctx.actor()?).await?;
    Ok(Json(
        rows.into_iter()
            .map(|b| Bookmark {
                post_id: b.post_id,
                topic_id: b.topic_id,
                topic_title: b.topic_title,
                community_slug: b.community_slug,
                author_name: b.author_name,
                bookmarked_at: iso(b.bookmarked_at),
            })
            .collect(),
    ))
}
