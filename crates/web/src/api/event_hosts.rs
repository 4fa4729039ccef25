//! Co-hosts and speakers of an event in the API.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::event_hosts::EventPeople;
use townsquare_app::store::event_hosts::{HostRow, SpeakerRow};
use townsquare_domain::event_hosts::SpeakerDraft;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/events/{id}/people", get(people))
        .put("/api/v1/events/{id}/hosts/{user_id}", put(add_host))
        .delete("/api/v1/events/{id}/hosts/{user_id}", delete(remove_host))
        .post("/api/v1/events/{id}/speakers", post(add_speaker))
        .delete(
            "/api/v1/events/{id}/speakers/{speaker}",
            delete(remove_speaker),
        )
}

#[derive(Serialize, ToSchema)]
pub struct Host {
    user_id: String,
    display_name: String,
    handle: String,
    /// The account is deleted (the name is "Deleted member"; there is no profile to open).
    deleted: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Speaker {
    id: String,
    name: String,
    /// The member the speaker is, if any.
    user_id: Option<String>,
    handle: Option<String>,
    bio: String,
    /// The member's account is deleted (the name is "Deleted member"; no handle, no bio).
    deleted: bool,
}

#[derive(Serialize, ToSchema)]
pub struct People {
    /// The member who created the event.
    creator: Option<Host>,
    /// Members with the hosts' rights over this event.
    cohosts: Vec<Host>,
    /// In the hosts' order.
    speakers: Vec<Speaker>,
}

fn host(h: HostRow) -> Host {
    Host {
        user_id: h.user_id,
        display_name: h.display_name,
        handle: h.handle,
        deleted: h.deleted,
    }
}

fn speaker(s: SpeakerRow) -> Speaker {
    Speaker {
        id: s.id,
        name: s.name,
        user_id: s.user_id,
        handle: s.handle,
        bio: s.bio,
        deleted: s.deleted,
    }
}

pub(crate) fn people_of(p: EventPeople) -> People {
    People {
        creator: p.creator.map(host),
        cohosts: p.cohosts.into_iter().map(host).collect(),
        speakers: p.speakers.into_iter().map(speaker).collect(),
    }
}

/// Who runs an event: its creator, co-hosts and speakers (whoever may see the event).
#[utoipa::path(get, path = "/api/v1/events/{id}/people", tag = "events",
    params(("id" = String, Path)),
    responses((status = 200, body = People), (status = 404)))]
pub async fn people(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<People>, ApiError> {
    let view = state.app.event(ctx.0.actor.as_ref(), &id).await?;
    Ok(Json(people_of(state.app.event_people(&view).await?)))
}

/// Make a member of the community a co-host (the event's creator and the community's
/// admins). Co-hosts edit the event, check registrants in and moderate its Q&A.
#[utoipa::path(put, path = "/api/v1/events/{id}/hosts/{user_id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = People), (status = 403), (status = 404), (status = 409, description = "Already a co-host"), (status = 422, description = "Not a member")))]
pub async fn add_host(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<Json<People>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    state.app.add_cohost(actor, &view, &user_id).await?;
    Ok(Json(people_of(state.app.event_people(&view).await?)))
}

/// Take a co-host's rights away (the event's creator and the community's admins); 204 also
/// when they were not one.
#[utoipa::path(delete, path = "/api/v1/events/{id}/hosts/{user_id}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("user_id" = String, Path)),
    responses((status = 204), (status = 403), (status = 404, description = "No such event")))]
pub async fn remove_host(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, user_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    state.app.remove_cohost(actor, &view, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct SpeakerBody {
    name: Option<String>,
    /// A member's @handle, to link the speaker to them.
    handle: Option<String>,
    /// Up to 500 characters.
    bio: Option<String>,
}

/// List a speaker on the event (its hosts).
#[utoipa::path(post, path = "/api/v1/events/{id}/speakers", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = SpeakerBody,
    responses((status = 201, body = Speaker), (status = 403), (status = 404), (status = 422)))]
pub async fn add_speaker(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<SpeakerBody>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    let draft = SpeakerDraft {
        name: b.name.unwrap_or_default(),
        handle: b.handle.unwrap_or_default(),
        bio: b.bio.unwrap_or_default(),
    };
    let row = state.app.add_speaker(actor, &view, &draft).await?;
    Ok((StatusCode::CREATED, Json(speaker(row))))
}

/// Take a speaker off the event (its hosts); 204 also when it was already gone.
#[utoipa::path(delete, path = "/api/v1/events/{id}/speakers/{speaker}", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("speaker" = String, Path)),
    responses((status = 204), (status = 403), (status = 404, description = "No such event")))]
pub async fn remove_speaker(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, speaker_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    state.app.remove_speaker(actor, &view, &speaker_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
