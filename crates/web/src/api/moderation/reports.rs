//! Flags on members' profiles and on events over JSON: raising them, the moderators' list,
//! closing them, and the reporter's own flags.

use super::super::{ApiCtx, JsonBody};
use super::members::{note_json, MemberNote};
use super::NewFlag;
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::store::moderation::FlagRow;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.post(
        "/api/v1/communities/{slug}/members/{user_id}/flags",
        post(flag_member),
    )
    .post("/api/v1/events/{id}/flags", post(flag_event))
    .get(
        "/api/v1/communities/{slug}/moderation/reports",
        get(reports),
    )
    .post(
        "/api/v1/communities/{slug}/moderation/reports/resolve",
        post(resolve),
    )
    .get("/api/v1/communities/{slug}/my-flags", get(my_flags))
    .get(
        "/api/v1/communities/{slug}/moderation/settings",
        get(settings),
    )
    .put(
        "/api/v1/communities/{slug}/moderation/settings",
        axum::routing::put(set_settings),
    )
}

#[derive(Serialize, Deserialize, ToSchema)]
pub struct ModerationSettings {
    /// Open flags from members at trust level 2 or higher that hide a post automatically,
    /// pending review: 0 (off) to 20; 3 by default.
    auto_hide_flags: i64,
}

/// The community's moderation settings (moderators).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/moderation/settings", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = ModerationSettings), (status = 401), (status = 403), (status = 404)))]
pub async fn settings(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<ModerationSettings>, ApiError> {
    let auto_hide_flags = state.app.auto_hide_flags(ctx.actor()?, &slug).await?;
    Ok(Json(ModerationSettings { auto_hide_flags }))
}

/// Change the community's moderation settings (admins).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/moderation/settings", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ModerationSettings,
    responses((status = 200, body = ModerationSettings), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn set_settings(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<ModerationSettings>,
) -> Result<Json<ModerationSettings>, ApiError> {
    let auto_hide_flags = state
        .app
        .set_auto_hide_flags(ctx.actor()?, &slug, b.auto_hide_flags)
        .await?;
    Ok(Json(ModerationSettings { auto_hide_flags }))
}

#[derive(Serialize, ToSchema)]
pub struct FlagWithOutcome {
    id: String,
    /// post, user or event.
    target_kind: String,
    target_id: String,
    reason: String,
    note: String,
    /// open (received), dismissed or actioned (handled).
    status: String,
    created_at: String,
    resolved_at: Option<String>,
    /// The moderator's reason when handled.
    resolution: Option<String>,
}

fn flag_json(f: FlagRow) -> FlagWithOutcome {
    FlagWithOutcome {
        id: f.id,
        target_kind: f.target_kind,
        target_id: f.target_id,
        reason: f.reason,
        note: f.note,
        status: f.status,
        created_at: iso(f.created_at),
        resolved_at: f.resolved_at.map(iso),
        resolution: f.resolution,
    }
}

/// Flag a member's profile (members of the same community; one open flag per member).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{user_id}/flags", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body = NewFlag,
    responses((status = 201, body = FlagWithOutcome), (status = 401), (status = 403), (status = 404), (status = 409, description = "Already flagged"), (status = 422)))]
pub async fn flag_member(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<NewFlag>,
) -> Result<impl IntoResponse, ApiError> {
    let f = state
        .app
        .flag_member(ctx.actor()?, &slug, &user_id, &b.reason, &b.note)
        .await?;
    Ok((StatusCode::CREATED, Json(flag_json(f))))
}

/// Flag an event (members of its community; one open flag per member).
#[utoipa::path(post, path = "/api/v1/events/{id}/flags", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewFlag,
    responses((status = 201, body = FlagWithOutcome), (status = 401), (status = 403), (status = 404), (status = 409, description = "Already flagged"), (status = 422)))]
pub async fn flag_event(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewFlag>,
) -> Result<impl IntoResponse, ApiError> {
    let f = state
        .app
        .flag_event(ctx.actor()?, &id, &b.reason, &b.note)
        .await?;
    Ok((StatusCode::CREATED, Json(flag_json(f))))
}

#[derive(Serialize, ToSchema)]
pub struct ReportedFlag {
    reason: String,
    note: String,
    reporter_name: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct Report {
    /// user or event.
    target_kind: String,
    target_id: String,
    /// The member's name or the event's title.
    title: String,
    /// The page where it is seen.
    path: String,
    context: String,
    /// The member flagged, or the event's host.
    subject_user_id: String,
    subject_name: String,
    subject_notes: Vec<MemberNote>,
    /// That member's trust level (0–4).
    subject_trust_level: i64,
    flags: Vec<ReportedFlag>,
}

/// Flagged profiles and events with their context, oldest flag first (moderators).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/moderation/reports", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<Report>), (status = 401), (status = 403), (status = 404)))]
pub async fn reports(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Report>>, ApiError> {
    let (_, items) = state
        .app
        .flagged_members_and_events(ctx.actor()?, &slug)
        .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| Report {
                target_kind: i.kind.as_str().into(),
                target_id: i.target_id,
                title: i.title,
                path: i.path,
                context: i.context,
                subject_user_id: i.subject_user_id,
                subject_name: i.subject_name,
                subject_notes: i.subject_notes.into_iter().map(note_json).collect(),
                subject_trust_level: i.subject_trust_level,
                flags: i
                    .flags
                    .into_iter()
                    .map(|f| ReportedFlag {
                        reason: f.flag.reason,
                        note: f.flag.note,
                        reporter_name: f.reporter_name,
                        created_at: iso(f.flag.created_at),
                    })
                    .collect(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct ResolveReport {
    /// user or event.
    target_kind: String,
    target_id: String,
    /// dismissed or upheld.
    outcome: String,
    /// The reporters and the audit log see it.
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Resolved {
    flags_closed: usize,
}

/// Close the open flags on a profile or an event, with a reason (moderators).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/moderation/reports/resolve", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ResolveReport,
    responses((status = 200, body = Resolved), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn resolve(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<ResolveReport>,
) -> Result<Json<Resolved>, ApiError> {
    let n = state
        .app
        .resolve_flags_on(
            ctx.actor()?,
            &slug,
            &b.target_kind,
            &b.target_id,
            &b.outcome,
            &b.reason,
        )
        .await?;
    Ok(Json(Resolved { flags_closed: n }))
}

/// The caller's own flags in a community, newest first: received (open), then handled.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/my-flags", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<FlagWithOutcome>), (status = 401), (status = 404)))]
pub async fn my_flags(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<FlagWithOutcome>>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.community(Some(actor), &slug).await?;
    let rows = state.app.my_flags(actor, &view).await?;
    Ok(Json(rows.into_iter().map(flag_json).collect()))
}
