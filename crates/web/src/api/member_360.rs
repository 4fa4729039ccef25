//! Member 360 in the API: one member's facts, segment and timeline (moderators and admins).

use super::ApiCtx;
use crate::error::ApiError;
use crate::html::format::iso;
use crate::html::member_360::TimelineForm;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::Json;
use serde::Serialize;
use townsquare_app::member_360::kind_of;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/communities/{slug}/members/{user_id}/timeline",
        get(timeline),
    )
    .get(
        "/api/v1/communities/{slug}/members/{user_id}/timeline.csv",
        get(timeline_csv),
    )
}

/// A member's activity in the community as CSV, newest first (admins), with the same `kind`,
/// `from` and `to` filters as the timeline: columns time (UTC), kind, what, title, link.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members/{user_id}/timeline.csv", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path),
        ("kind" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query)),
    responses((status = 200, description = "The timeline as CSV", content_type = "text/csv"), (status = 403), (status = 404), (status = 422)))]
pub async fn timeline_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    Query(form): Query<TimelineForm>,
) -> Result<axum::response::Response, ApiError> {
    Ok(crate::html::member_360::timeline_csv(&state, ctx.actor()?, &slug, &user_id, &form).await?)
}

#[derive(Serialize, ToSchema)]
pub struct MemberFacts {
    days_since_joined: i64,
    days_active_30: i64,
    days_active_90: i64,
    posts_90: i64,
    /// None if the member never did anything here.
    days_since_active: Option<i64>,
    /// new, champion, active, at_risk or dormant (docs/member-360.md).
    segment: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct TimelineEntry {
    id: String,
    /// posts, reactions, events, membership, moderation, visits, admin (done to the member
    /// by an admin, a moderator or the community's sweeps) or other.
    kind: &'static str,
    /// Who did it, when someone other than the member did (null for the community's sweeps).
    actor_id: Option<String>,
    actor_name: Option<String>,
    verb: String,
    object_type: String,
    object_id: String,
    #[schema(value_type = Object)]
    detail: serde_json::Value,
    at: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberTimeline {
    user_id: String,
    display_name: String,
    handle: String,
    /// The role in this community; None for a member who left or was removed.
    role: Option<String>,
    joined_at: String,
    facts: MemberFacts,
    entries: Vec<TimelineEntry>,
    /// Pass as `before` for the next (older) page.
    next: Option<String>,
}

/// A member's facts, segment and activity in the community, newest first (moderators and
/// admins). `kind` is posts, reactions, events, membership, moderation or visits; `from` and
/// `to` are dates on the community's clock.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members/{user_id}/timeline", tag = "members", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path),
        ("kind" = Option<String>, Query), ("from" = Option<String>, Query), ("to" = Option<String>, Query), ("before" = Option<String>, Query)),
    responses((status = 200, body = MemberTimeline), (status = 403), (status = 404), (status = 422)))]
pub async fn timeline(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    Query(form): Query<TimelineForm>,
) -> Result<Json<MemberTimeline>, ApiError> {
    let m = state
        .app
        .member_360(ctx.actor()?, &slug, &user_id, &form.to_app())
        .await?;
    Ok(Json(MemberTimeline {
        user_id: m.user.id.clone(),
        display_name: m.user.display_name.clone(),
        handle: m.user.handle.clone(),
        role: m.role.map(|r| r.to_string()),
        joined_at: iso(m.joined_at),
        facts: MemberFacts {
            days_since_joined: m.facts.days_since_joined,
            days_active_30: m.facts.days_active_30,
            days_active_90: m.facts.days_active_90,
            posts_90: m.facts.posts_90,
            days_since_active: m.facts.days_since_active,
            segment: m.segment.as_str(),
        },
        entries: m
            .entries
            .iter()
            .map(|e| (&e.activity, e.actor_name.clone()))
            .map(|(a, actor_name)| TimelineEntry {
                id: a.id.clone(),
                kind: kind_of(a, &m.user.id),
                actor_id: a.actor_id.clone().filter(|id| *id != m.user.id),
                actor_name: actor_name.filter(|_| a.actor_id.as_deref() != Some(&m.user.id)),
                verb: a.verb.clone(),
                object_type: a.object_type.clone(),
                object_id: a.object_id.clone(),
                detail: serde_json::from_str(&a.detail).unwrap_or_default(),
                at: iso(a.created_at),
            })
            .collect(),
        next: m.next,
    }))
}
