//! A community's topic lists in the API (latest, unread, trending, top), what is unread, and
//! following or muting whole spaces.

use super::discussions::{topic, Topic};
use super::{limit_param, ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::{get, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::topic_lists::{SpaceLevel, TopicList};
use townsquare_app::AppError;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/topics", get(list))
        .get("/api/v1/communities/{slug}/unread", get(unread))
        .put(
            "/api/v1/communities/{slug}/spaces/{space}/subscription",
            put(set_space_level),
        )
}

#[derive(Deserialize, IntoParams)]
pub struct ListQuery {
    /// latest (default), unread (members), trending or top.
    list: Option<String>,
    /// For `top`: week (default), month or year.
    period: Option<String>,
    /// 1 to 100; 20 by default.
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ListedTopic {
    #[serde(flatten)]
    topic: Topic,
    /// Replies and reactions in the period (top lists only).
    interactions: Option<i64>,
}

#[derive(Serialize, ToSchema)]
pub struct CommunityTopics {
    list: String,
    items: Vec<ListedTopic>,
}

/// A community's topics across the discussion spaces the caller can read (minus those they
/// muted): latest activity, unread by the caller, trending (a time-decayed score of replies
/// and reactions), or top by interactions in a period (recounted hourly).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/topics", tag = "discussions",
    params(("slug" = String, Path), ListQuery), responses((status = 200, body = CommunityTopics), (status = 401), (status = 404), (status = 422)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<ListQuery>,
) -> Result<Json<CommunityTopics>, ApiError> {
    let list = TopicList::parse(q.list.as_deref().unwrap_or(""), q.period.as_deref())?;
    let limit = limit_param(q.limit.as_deref(), 20)?;
    let view = state.app.community(ctx.0.actor.as_ref(), &slug).await?;
    let rows = state
        .app
        .topic_list(ctx.0.actor.as_ref(), &view, list, limit)
        .await?;
    Ok(Json(CommunityTopics {
        list: list.name().into(),
        items: rows
            .into_iter()
            .map(|(t, interactions)| ListedTopic {
                topic: topic(t.topic),
                interactions,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct Unread {
    /// Topics started since the caller joined (within two weeks) that they never opened.
    new_topics: i64,
    /// Topics the caller opened that have replies since.
    updated_topics: i64,
}

/// What is new for the caller across the community's readable spaces (members).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/unread", tag = "discussions", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Unread), (status = 401), (status = 403), (status = 404)))]
pub async fn unread(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Unread>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.community(Some(actor), &slug).await?;
    if view.role().is_none() {
        return Err(
            AppError::Forbidden("Join the community to track what is unread.".into()).into(),
        );
    }
    let summary = state.app.unread_summary(actor, &view).await?;
    Ok(Json(Unread {
        new_topics: summary.new_topics,
        updated_topics: summary.updated_topics,
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct SpaceSubscription {
    /// following (every new topic), normal, or muted (left out of lists; mentions only).
    level: String,
}

/// Follow, mute, or go back to normal for a discussion space (members).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/spaces/{space}/subscription", tag = "discussions", security(("bearer" = [])),
    params(("slug" = String, Path), ("space" = String, Path)), request_body = SpaceSubscription,
    responses((status = 200, body = SpaceSubscription), (status = 401), (status = 404), (status = 422)))]
pub async fn set_space_level(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, space)): Path<(String, String)>,
    JsonBody(b): JsonBody<SpaceSubscription>,
) -> Result<Json<SpaceSubscription>, ApiError> {
    let actor = ctx.actor()?;
    let level = SpaceLevel::parse(&b.level).map_err(|m| AppError::invalid("level", m))?;
    state
        .app
        .set_space_level(actor, &slug, &space, level)
        .await?;
    Ok(Json(SpaceSubscription {
        level: level.as_str().into(),
    }))
}
