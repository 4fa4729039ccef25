//! Community managers' tools in the API: prompts, featured posts, newcomers.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::engagement::PromptInput;
use townsquare_app::store::engagement::PromptRow;
use townsquare_app::AppError;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/prompts", get(list_prompts))
        .post("/api/v1/communities/{slug}/prompts", post(schedule_prompt))
        .delete(
            "/api/v1/communities/{slug}/prompts/{prompt}",
            delete(cancel_prompt),
        )
        .put("/api/v1/posts/{id}/feature", put(feature))
        .delete("/api/v1/posts/{id}/feature", delete(unfeature))
        .get("/api/v1/communities/{slug}/newcomers", get(newcomers))
        .put(
            "/api/v1/communities/{slug}/introductions",
            put(set_introductions),
        )
}

#[derive(Serialize, ToSchema)]
pub struct Prompt {
    id: String,
    space_id: String,
    author_id: String,
    title: String,
    body: String,
    run_at: String,
    /// scheduled, posted or cancelled.
    status: String,
    topic_id: Option<String>,
}

fn prompt(p: PromptRow) -> Prompt {
    Prompt {
        id: p.id,
        space_id: p.space_id,
        author_id: p.author_id,
        title: p.title,
        body: p.body,
        run_at: iso(p.run_at),
        status: p.status,
        topic_id: p.topic_id,
    }
}

/// The community's discussion prompts, upcoming first (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/prompts", tag = "engagement", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<Prompt>), (status = 403), (status = 404)))]
pub async fn list_prompts(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Prompt>>, ApiError> {
    let (_, rows) = state.app.prompts(ctx.actor()?, &slug).await?;
    Ok(Json(rows.into_iter().map(prompt).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewPrompt {
    /// Slug of a discussion space.
    space: String,
    title: String,
    /// Markdown.
    body: String,
    /// RFC 3339, e.g. 2026-12-01T09:00:00+01:00.
    run_at: String,
}

/// Schedule a discussion prompt, posted under the caller's name at `run_at` (admins).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/prompts", tag = "engagement", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = NewPrompt, responses((status = 201, body = Prompt), (status = 403), (status = 404), (status = 422)))]
pub async fn schedule_prompt(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<NewPrompt>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let run_at = chrono::DateTime::parse_from_rfc3339(b.run_at.trim())
        .map(|t| t.timestamp_micros())
        .map_err(|_| {
            AppError::invalid(
                "run_at",
                "Give run_at as an RFC 3339 time, e.g. 2026-12-01T09:00:00+01:00.",
            )
        })?;
    let input = PromptInput {
        space: b.space,
        title: b.title,
        body: b.body,
        run_at: Some(run_at),
    };
    let row = state.app.schedule_prompt(actor, &slug, &input).await?;
    Ok((StatusCode::CREATED, Json(prompt(row))))
}

/// Cancel a scheduled prompt (admins).
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/prompts/{prompt}", tag = "engagement", security(("bearer" = [])),
    params(("slug" = String, Path), ("prompt" = String, Path)), responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn cancel_prompt(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.app.cancel_prompt(ctx.actor()?, &slug, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct Feature {
    /// A line that thanks the author, shown above the post on the community home.
    #[serde(default)]
    shout_out: String,
}

/// Feature a post on the community home (moderators); the author is notified.
#[utoipa::path(put, path = "/api/v1/posts/{id}/feature", tag = "engagement", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Feature, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn feature(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Feature>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .feature_post(ctx.actor()?, &id, &b.shout_out)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Stop featuring a post (moderators).
#[utoipa::path(delete, path = "/api/v1/posts/{id}/feature", tag = "engagement", security(("bearer" = [])),
    params(("id" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn unfeature(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.unfeature_post(ctx.actor()?, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Newcomer {
    user_id: String,
    display_name: String,
    joined_at: String,
    introduced: bool,
    posted: bool,
    greeted: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Newcomers {
    /// Slug of the introductions space, if one is chosen.
    introductions_space: Option<String>,
    items: Vec<Newcomer>,
}

/// Members who joined in the last 7 days and whether they were welcomed (moderators).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/newcomers", tag = "engagement", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Newcomers), (status = 403), (status = 404)))]
pub async fn newcomers(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Newcomers>, ApiError> {
    let (_, intro, rows) = state.app.newcomers(ctx.actor()?, &slug).await?;
    Ok(Json(Newcomers {
        introductions_space: intro.map(|s| s.slug),
        items: rows
            .into_iter()
            .map(|r| Newcomer {
                user_id: r.user_id,
                display_name: r.display_name,
                joined_at: iso(r.joined_at),
                introduced: r.introduced,
                posted: r.posted,
                greeted: r.greeted,
            })
            .collect(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct Introductions {
    /// Slug of a discussion space, or null to clear.
    space: Option<String>,
}

/// Choose the space where newcomers introduce themselves (admins).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/introductions", tag = "engagement", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = Introductions, responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_introductions(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<Introductions>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_introductions_space(ctx.actor()?, &slug, b.space.as_deref().unwrap_or(""))
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
