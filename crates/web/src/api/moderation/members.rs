//! The moderators' view of a member and their private notes, over JSON.

use super::super::{ApiCtx, JsonBody};
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
use townsquare_app::store::moderation::members::ListedNote;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get(
        "/api/v1/communities/{slug}/members/{user_id}/moderation",
        get(member_case),
    )
    .get(
        "/api/v1/communities/{slug}/members/{user_id}/notes",
        get(notes),
    )
    .post(
        "/api/v1/communities/{slug}/members/{user_id}/notes",
        post(add_note),
    )
}

#[derive(Serialize, ToSchema)]
pub struct MemberNote {
    id: String,
    user_id: String,
    author_id: String,
    author_name: String,
    body: String,
    created_at: String,
}

pub(crate) fn note_json(n: ListedNote) -> MemberNote {
    MemberNote {
        id: n.note.id,
        user_id: n.note.user_id,
        author_id: n.note.author_id,
        author_name: n.author_name,
        body: n.note.body,
        created_at: iso(n.note.created_at),
    }
}

#[derive(Serialize, ToSchema)]
pub struct GuidelinesAcceptance {
    /// The version accepted: a digest of the guidelines' text then.
    version: String,
    accepted_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberAction {
    id: String,
    action: String,
    reason: String,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberCase {
    user_id: String,
    display_name: String,
    role: String,
    /// `active` or `pending`.
    status: String,
    joined_at: String,
    post_count: i64,
    guidelines_accepted: Option<GuidelinesAcceptance>,
    /// 0 (new) to 4 (leader), recomputed daily from activity; see docs/trust-levels.md.
    trust_level: i64,
    trust_label: String,
    /// When the level was last computed; null for a new member (level 0).
    trust_computed_at: Option<String>,
    /// The latest actions about the member, newest first.
    history: Vec<MemberAction>,
    /// Private moderator notes, newest first.
    notes: Vec<MemberNote>,
}

/// What moderators know about a member: membership, accepted guidelines, actions, notes
/// (moderators and admins of the community only).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members/{user_id}/moderation", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = MemberCase), (status = 401), (status = 403), (status = 404)))]
pub async fn member_case(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<Json<MemberCase>, ApiError> {
    let (_, c) = state.app.member_case(ctx.actor()?, &slug, &user_id).await?;
    Ok(Json(MemberCase {
        user_id: c.user_id,
        display_name: c.display_name,
        role: c.membership.role,
        status: c.membership.status,
        joined_at: iso(c.membership.joined_at),
        post_count: c.post_count,
        trust_level: c.trust_level,
        trust_label: townsquare_domain::trust::label(c.trust_level).into(),
        trust_computed_at: c.trust_computed_at.map(iso),
        guidelines_accepted: c.acceptance.map(|a| GuidelinesAcceptance {
            version: a.version,
            accepted_at: iso(a.accepted_at),
        }),
        history: c
            .history
            .into_iter()
            .map(|a| MemberAction {
                id: a.id,
                action: a.action,
                reason: a.reason,
                created_at: iso(a.created_at),
            })
            .collect(),
        notes: c.notes.into_iter().map(note_json).collect(),
    }))
}

/// Private moderator notes on a member, newest first (moderators only; never the member).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members/{user_id}/notes", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)),
    responses((status = 200, body = Vec<MemberNote>), (status = 401), (status = 403), (status = 404)))]
pub async fn notes(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<Json<Vec<MemberNote>>, ApiError> {
    let rows = state
        .app
        .member_notes(ctx.actor()?, &slug, &user_id)
        .await?;
    Ok(Json(rows.into_iter().map(note_json).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct NewNote {
    body: String,
}

/// Add a private note on a member (moderators; on admins and owners only someone ranked
/// above them). Notes cannot be edited or deleted; each is in the audit log.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{user_id}/notes", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body = NewNote,
    responses((status = 201, body = MemberNote), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn add_note(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<NewNote>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let n = state
        .app
        .add_member_note(actor, &slug, &user_id, &b.body)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(MemberNote {
            id: n.id,
            user_id: n.user_id,
            author_id: n.author_id,
            author_name: actor.display_name.clone(),
            body: n.body,
            created_at: iso(n.created_at),
        }),
    ))
}
