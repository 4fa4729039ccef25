//! Communities in the API.

use super::{
    cursor_param, decode_cursor, decode_time_cursor, encode_cursor, encode_time_cursor, ApiCtx,
    JsonBody,
};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, patch, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::communities::{CommunityInput, CommunityView, JoinOutcome, ACTIVE, PENDING};
use townsquare_app::store::communities::CommunityRow;
use townsquare_app::AppError;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities", get(list))
        .post("/api/v1/communities", post(create))
        .get("/api/v1/communities/{slug}", get(show))
        .patch("/api/v1/communities/{slug}", patch(update))
        .get(
            "/api/v1/communities/{slug}/departed-posts",
            get(departed_posts),
        )
        .put(
            "/api/v1/communities/{slug}/departed-posts",
            put(set_departed_posts),
        )
        .post("/api/v1/communities/{slug}/join", post(join))
        .post("/api/v1/communities/{slug}/leave", post(leave))
        .get("/api/v1/communities/{slug}/members", get(members))
        .put(
            "/api/v1/communities/{slug}/members/{user_id}/role",
            put(set_role),
        )
        .post(
            "/api/v1/communities/{slug}/requests/{user_id}/approve",
            post(approve),
        )
        .post(
            "/api/v1/communities/{slug}/requests/{user_id}/decline",
            post(decline),
        )
}

#[derive(Serialize, ToSchema)]
pub struct Community {
    id: String,
    slug: String,
    name: String,
    description: String,
    /// Markdown. Joining needs them accepted (`accept_guidelines`) when not empty.
    guidelines: String,
    /// The version of the guidelines a join accepts (a digest of their text); null if none.
    guidelines_version: Option<String>,
    /// `public` or `private`.
    visibility: String,
    /// `open`, `approval` or `invite`.
    join_policy: String,
    accent_color: String,
    /// IANA name, e.g. Europe/Berlin: scheduled prompts and events are read in it.
    time_zone: String,
    member_count: i64,
    created_at: String,
    /// The caller's role, if a member.
    my_role: Option<String>,
    /// `active` or `pending` (a join request), if any.
    my_status: Option<String>,
}

fn community(c: CommunityRow, my_role: Option<String>, my_status: Option<String>) -> Community {
    let guidelines_version = townsquare_app::moderation::members::needs_acceptance(&c)
        .then(|| townsquare_app::moderation::members::guidelines_version(&c.guidelines));
    Community {
        id: c.id,
        slug: c.slug,
        name: c.name,
        description: c.description,
        guidelines_version,
        guidelines: c.guidelines,
        visibility: c.visibility,
        join_policy: c.join_policy,
        accent_color: c.accent_color,
        time_zone: c.time_zone,
        member_count: c.member_count,
        created_at: iso(c.created_at),
        my_role,
        my_status,
    }
}

pub(super) fn community_of_view(view: CommunityView) -> Community {
    let (role, status) = match &view.membership {
        Some(m) => (
            Some(m.role.clone()).filter(|_| m.status == ACTIVE),
            Some(m.status.clone()),
        ),
        None => (None, None),
    };
    community(view.community, role, status)
}

#[derive(Serialize, ToSchema)]
pub struct CommunityPage {
    items: Vec<Community>,
    /// Pass as `cursor` for the next page; absent on the last page.
    next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct PageQuery {
    cursor: Option<String>,
    /// 1 to 100; default 30.
    limit: Option<String>,
}

/// Communities the caller can see, by name.
#[utoipa::path(get, path = "/api/v1/communities", tag = "communities", params(PageQuery),
    responses((status = 200, body = CommunityPage)))]
pub async fn list(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Query(q): Query<PageQuery>,
) -> Result<Json<CommunityPage>, ApiError> {
    let cursor = cursor_param(q.cursor.as_deref(), decode_cursor)?;
    let limit = super::limit_param(q.limit.as_deref(), 30)?;
    let rows = state
        .app
        .communities(
            ctx.0.actor.as_ref(),
            cursor.as_ref().map(|(a, b)| (a.as_str(), b.as_str())),
            limit,
        )
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|c| encode_cursor(&c.community.name, &c.community.id))
        })
        .flatten();
    let items = rows
        .into_iter()
        .map(|c| community(c.community, c.my_role, c.my_status))
        .collect();
    Ok(Json(CommunityPage { items, next_cursor }))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct CommunityBody {
    name: Option<String>,
    /// Lower-case letters, digits, hyphens; derived from the name when absent.
    slug: Option<String>,
    description: Option<String>,
    guidelines: Option<String>,
    visibility: Option<String>,
    join_policy: Option<String>,
    accent_color: Option<String>,
    /// IANA name, e.g. Europe/Berlin; UTC when absent at creation.
    time_zone: Option<String>,
}

/// Create a community; the caller becomes its owner.
#[utoipa::path(post, path = "/api/v1/communities", tag = "communities", security(("bearer" = [])), request_body = CommunityBody,
    responses((status = 201, body = Community), (status = 409, description = "Slug taken"), (status = 422)))]
pub async fn create(
    State(state): State<AppState>,
    ctx: ApiCtx,
    JsonBody(b): JsonBody<CommunityBody>,
) -> Result<impl IntoResponse, ApiError> {
    let input = CommunityInput {
        name: b.name.unwrap_or_default(),
        slug: b.slug.unwrap_or_default(),
        description: b.description.unwrap_or_default(),
        guidelines: b.guidelines.unwrap_or_default(),
        visibility: b.visibility.unwrap_or_else(|| "public".into()),
        join_policy: b.join_policy.unwrap_or_else(|| "open".into()),
        accent_color: b.accent_color.unwrap_or_default(),
        time_zone: b.time_zone.unwrap_or_default(),
    };
    let row = state.app.create_community(ctx.actor()?, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(community(row, Some("owner".into()), Some(ACTIVE.into()))),
    ))
}

/// One community.
#[utoipa::path(get, path = "/api/v1/communities/{slug}", tag = "communities", params(("slug" = String, Path)),
    responses((status = 200, body = Community), (status = 404)))]
pub async fn show(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Community>, ApiError> {
    let view = state.app.community(ctx.0.actor.as_ref(), &slug).await?;
    Ok(Json(community_of_view(view)))
}

/// Change a community's settings (admins). Absent fields keep their value.
#[utoipa::path(patch, path = "/api/v1/communities/{slug}", tag = "communities", security(("bearer" = [])), params(("slug" = String, Path)),
    request_body = CommunityBody, responses((status = 200, body = Community), (status = 403), (status = 404), (status = 422)))]
pub async fn update(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<CommunityBody>,
) -> Result<Json<Community>, ApiError> {
    let actor = ctx.actor()?;
    let current = state.app.managed_community(actor, &slug).await?.community;
    let input = CommunityInput {
        name: b.name.unwrap_or(current.name),
        slug: current.slug,
        description: b.description.unwrap_or(current.description),
        guidelines: b.guidelines.unwrap_or(current.guidelines),
        visibility: b.visibility.unwrap_or(current.visibility),
        join_policy: b.join_policy.unwrap_or(current.join_policy),
        accent_color: b.accent_color.unwrap_or(current.accent_color),
        time_zone: b.time_zone.unwrap_or(current.time_zone),
    };
    state.app.update_community(actor, &slug, &input).await?;
    Ok(Json(community_of_view(
        state.app.community(Some(actor), &slug).await?,
    )))
}

#[derive(Deserialize, ToSchema, Default)]
pub struct JoinBody {
    /// For approval communities: a note to the admins.
    #[serde(default)]
    note: String,
    /// Must be true when the community has guidelines: the caller accepts them (the version
    /// accepted is recorded).
    #[serde(default)]
    accept_guidelines: bool,
    /// For approval communities: answers to the application questions, by question id
    /// (`GET .../application-questions`); required ones must be answered.
    #[serde(default)]
    answers: std::collections::HashMap<String, String>,
    /// Answers to the community's custom profile fields, by field id
    /// (`GET .../profile-fields`; a select field's choices as given there, several for a
    /// multi select). Every required field must be answered: a missing or invalid one is 422
    /// with the error under `fields.<field id>`.
    #[serde(default)]
    fields: std::collections::HashMap<String, Vec<String>>,
}

#[derive(Serialize, ToSchema)]
pub struct JoinResult {
    /// `joined`, `already_member` or `requested`.
    outcome: String,
}

/// Join (open communities) or ask to join (approval communities).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/join", tag = "communities", security(("bearer" = [])), params(("slug" = String, Path)),
    request_body(content = JoinBody, description = "Optional when the community has no guidelines"), responses((status = 200, body = JoinResult), (status = 403, description = "Invitation only"), (status = 404), (status = 422, description = "The guidelines were not accepted, or a required application question or profile field is missing or invalid")))]
pub async fn join(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    body: axum::body::Bytes,
) -> Result<Json<JoinResult>, ApiError> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        JoinBody::default()
    } else {
        serde_json::from_slice::<JoinBody>(&body).map_err(|e| {
            AppError::invalid("body", format!("The JSON body could not be read: {e}."))
        })?
    };
    let outcome = match state
        .app
        .join_community_answering(
            ctx.actor()?,
            &slug,
            &body.note,
            body.accept_guidelines,
            &body.answers,
            &body.fields,
        )
        .await?
    {
        JoinOutcome::Joined => "joined",
        JoinOutcome::AlreadyMember => "already_member",
        JoinOutcome::Requested => "requested",
    };
    Ok(Json(JoinResult {
        outcome: outcome.into(),
    }))
}

/// Leave a community (or withdraw a join request).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/leave", tag = "communities", security(("bearer" = [])), params(("slug" = String, Path)),
    responses((status = 204), (status = 403, description = "The last owner cannot leave"), (status = 404)))]
pub async fn leave(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.leave_community(ctx.actor()?, &slug).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, ToSchema)]
pub struct Member {
    user_id: String,
    display_name: String,
    handle: String,
    role: String,
    status: String,
    joined_at: String,
    /// The note sent with a join request.
    request_note: String,
    /// A join request's answers to the application questions (admins see requests only).
    answers: Vec<ApplicationAnswer>,
}

#[derive(Serialize, ToSchema)]
pub struct ApplicationAnswer {
    /// The question as it was asked.
    question: String,
    answer: String,
}

#[derive(Serialize, ToSchema)]
pub struct MemberPage {
    items: Vec<Member>,
    next_cursor: Option<String>,
}

#[derive(Deserialize, IntoParams)]
pub struct MemberQuery {
    /// `active` (default) or `pending` (join requests; admins only).
    status: Option<String>,
    cursor: Option<String>,
    limit: Option<String>,
    /// A handle or name prefix: up to 8 matching active members by name (for @mentions).
    q: Option<String>,
}

/// Members, newest first (members of the community only); with `q`, suggestions by prefix.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/members", tag = "communities", params(("slug" = String, Path), MemberQuery),
    responses((status = 200, body = MemberPage), (status = 403), (status = 404)))]
pub async fn members(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<MemberQuery>,
) -> Result<Json<MemberPage>, ApiError> {
    if let Some(prefix) = q.q.as_deref() {
        let actor = ctx.actor()?;
        let rows = state.app.member_suggestions(actor, &slug, prefix).await?;
        let items = rows.into_iter().map(member).collect();
        return Ok(Json(MemberPage {
            items,
            next_cursor: None,
        }));
    }
    let status = q.status.as_deref().unwrap_or(ACTIVE);
    if status != ACTIVE && status != PENDING {
        return Err(AppError::invalid("status", "status is `active` or `pending`.").into());
    }
    let cursor = cursor_param(q.cursor.as_deref(), decode_time_cursor)?;
    let limit = super::limit_param(q.limit.as_deref(), 50)?;
    let (_, rows) = state
        .app
        .members(
            ctx.0.actor.as_ref(),
            &slug,
            status,
            cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
            limit,
        )
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|m| encode_time_cursor(m.joined_at, &m.user_id))
        })
        .flatten();
    let mut answers = if status == PENDING {
        let view = state.app.community(ctx.0.actor.as_ref(), &slug).await?;
        let ids: Vec<String> = rows.iter().map(|m| m.user_id.clone()).collect();
        state
            .app
            .application_answers(&view.community.id, &ids)
            .await?
    } else {
        Default::default()
    };
    let items = rows
        .into_iter()
        .map(|m| {
            let given = answers.remove(&m.user_id).unwrap_or_default();
            let mut item = member(m);
            item.answers = given
                .into_iter()
                .map(|a| ApplicationAnswer {
                    question: a.question,
                    answer: a.answer,
                })
                .collect();
            item
        })
        .collect();
    Ok(Json(MemberPage { items, next_cursor }))
}

fn member(m: townsquare_app::store::communities::MemberListing) -> Member {
    Member {
        user_id: m.user_id,
        display_name: m.display_name,
        handle: m.handle,
        role: m.role,
        status: m.status,
        joined_at: iso(m.joined_at),
        request_note: m.request_note,
        answers: Vec::new(),
    }
}

#[derive(Deserialize, ToSchema)]
pub struct RoleBody {
    /// `member`, `moderator`, `admin` or `owner`.
    role: String,
}

/// Change a member's role, within what the caller's own role allows.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/members/{user_id}/role", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body = RoleBody,
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn set_role(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<RoleBody>,
) -> Result<StatusCode, ApiError> {
    state
        .app
        .set_member_role(ctx.actor()?, &slug, &user_id, &b.role)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, Default)]
pub struct DecisionBody {
    /// For the applicant, by e-mail and in their notifications (optional, at most 2000
    /// characters).
    #[serde(default)]
    message: String,
}

/// An optional JSON body: empty means no message.
fn decision_body(body: &[u8]) -> Result<DecisionBody, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(DecisionBody::default());
    }
    serde_json::from_slice::<DecisionBody>(body).map_err(|e| {
        ApiError(AppError::invalid(
            "body",
            format!("The JSON body could not be read: {e}."),
        ))
    })
}

/// Approve a join request (admins), with an optional message for the applicant.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/requests/{user_id}/approve", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body(content = DecisionBody, description = "Optional"),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn approve(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let b = decision_body(&body)?;
    state
        .app
        .decide_join_request_with_message(ctx.actor()?, &slug, &user_id, true, &b.message)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Decline a join request (admins), with an optional message for the applicant.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/requests/{user_id}/decline", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body(content = DecisionBody, description = "Optional"),
    responses((status = 204), (status = 403), (status = 404), (status = 422)))]
pub async fn decline(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    body: axum::body::Bytes,
) -> Result<StatusCode, ApiError> {
    let b = decision_body(&body)?;
    state
        .app
        .decide_join_request_with_message(ctx.actor()?, &slug, &user_id, false, &b.message)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// What happens to a deleted account's posts in a community.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct DepartedPosts {
    /// `keep` (shown as by "Deleted member") or `remove`.
    departed_posts: String,
}

/// The community's rule for deleted accounts' posts (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/departed-posts", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)),
    responses((status = 200, body = DepartedPosts), (status = 401), (status = 403), (status = 404)))]
pub async fn departed_posts(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<DepartedPosts>, ApiError> {
    let policy = state.app.departed_posts(ctx.actor()?, &slug).await?;
    Ok(Json(DepartedPosts {
        departed_posts: policy.as_str().into(),
    }))
}

/// Set the community's rule for deleted accounts' posts (admins).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/departed-posts", tag = "communities", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = DepartedPosts,
    responses((status = 200, body = DepartedPosts), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn set_departed_posts(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(body): JsonBody<DepartedPosts>,
) -> Result<Json<DepartedPosts>, ApiError> {
    let policy = state
        .app
        .set_departed_posts(ctx.actor()?, &slug, &body.departed_posts)
        .await?;
    Ok(Json(DepartedPosts {
        departed_posts: policy.as_str().into(),
    }))
}
