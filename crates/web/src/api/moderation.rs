//! Moderation in the API: flags, actions on posts, the queue and the audit log.

pub(crate) mod edits;
pub(crate) mod members;
pub(crate) mod reports;

use super::{cursor_param, decode_time_cursor, encode_cursor, limit_param, ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::moderation::QueueFilter;
use townsquare_app::AppError;
use townsquare_domain::moderation::FlagReason;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    let r = reports::routes(members::routes(edits::routes(r)));
    r.post("/api/v1/posts/{id}/flags", post(flag))
        .post("/api/v1/posts/{id}/moderation", post(act))
        .get("/api/v1/communities/{slug}/moderation/queue", get(queue))
        .get("/api/v1/communities/{slug}/moderation/log", get(log))
        .post(
            "/api/v1/communities/{slug}/members/{user_id}/sanctions",
            post(sanction),
        )
        .get("/api/v1/communities/{slug}/sanctions", get(sanctions))
        .post("/api/v1/sanctions/{id}/lift", post(lift))
        .post("/api/v1/communities/{slug}/appeals", post(appeal))
        .get("/api/v1/communities/{slug}/appeals", get(appeals))
        .post("/api/v1/appeals/{id}/resolve", post(resolve_appeal))
        .get("/api/v1/communities/{slug}/my-moderation", get(mine))
}

#[derive(Serialize, ToSchema)]
pub struct ActionAboutMe {
    action_id: String,
    action: String,
    reason: String,
    created_at: String,
    /// The appeal, if the caller made one.
    appeal: Option<Appeal>,
}

/// The moderation actions about the caller in a community, with their appeals.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/my-moderation", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<ActionAboutMe>), (status = 401), (status = 404)))]
pub async fn mine(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<ActionAboutMe>>, ApiError> {
    let (_, rows) = state.app.my_moderation(ctx.actor()?, &slug).await?;
    Ok(Json(
        rows.into_iter()
            .map(|(a, appeal)| ActionAboutMe {
                action_id: a.id,
                action: a.action,
                reason: a.reason,
                created_at: iso(a.created_at),
                appeal: appeal.map(appeal_json),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct NewAppeal {
    /// The moderation action about the caller (from the audit of their own actions).
    action_id: String,
    statement: String,
}

#[derive(Serialize, ToSchema)]
pub struct Appeal {
    id: String,
    action_id: String,
    user_id: String,
    statement: String,
    /// open, upheld or overturned.
    status: String,
    created_at: String,
    resolution: Option<String>,
}

fn appeal_json(a: townsquare_app::store::moderation::AppealRow) -> Appeal {
    Appeal {
        id: a.id,
        action_id: a.action_id,
        user_id: a.user_id,
        statement: a.statement,
        status: a.status,
        created_at: iso(a.created_at),
        resolution: a.resolution,
    }
}

/// Appeal a moderation action about oneself (once per action).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/appeals", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = NewAppeal,
    responses((status = 201, body = Appeal), (status = 404), (status = 409, description = "Already appealed"), (status = 422)))]
pub async fn appeal(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<NewAppeal>,
) -> Result<impl IntoResponse, ApiError> {
    let a = state
        .app
        .appeal(ctx.actor()?, &slug, &b.action_id, &b.statement)
        .await?;
    Ok((StatusCode::CREATED, Json(appeal_json(a))))
}

/// Open appeals, oldest first (moderators).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/appeals", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<Appeal>), (status = 403), (status = 404)))]
pub async fn appeals(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Appeal>>, ApiError> {
    let (_, rows) = state.app.open_appeals(ctx.actor()?, &slug).await?;
    Ok(Json(
        rows.into_iter().map(|r| appeal_json(r.appeal)).collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct AppealDecision {
    /// upheld or overturned (which undoes a hide, mute, suspension or ban).
    decision: String,
    /// The member sees it.
    reason: String,
}

/// Decide an appeal (moderators).
#[utoipa::path(post, path = "/api/v1/appeals/{id}/resolve", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = AppealDecision,
    responses((status = 200, body = Appeal), (status = 404), (status = 422)))]
pub async fn resolve_appeal(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<AppealDecision>,
) -> Result<Json<Appeal>, ApiError> {
    let a = state
        .app
        .resolve_appeal(ctx.actor()?, &id, &b.decision, &b.reason)
        .await?;
    Ok(Json(appeal_json(a)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewSanction {
    /// warn, mute, suspend or ban.
    kind: String,
    /// For mutes and suspensions: 1 to 365.
    days: Option<i64>,
    /// Why, citing the guideline: the member sees it.
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct Sanction {
    id: String,
    user_id: String,
    kind: String,
    reason: String,
    created_at: String,
    /// When it ends; absent for warnings and bans.
    ends_at: Option<String>,
    lifted_at: Option<String>,
}

fn sanction_json(s: townsquare_app::store::moderation::SanctionRow) -> Sanction {
    Sanction {
        id: s.id,
        user_id: s.user_id,
        kind: s.kind,
        reason: s.reason,
        created_at: iso(s.created_at),
        ends_at: s.ends_at.map(iso),
        lifted_at: s.lifted_at.map(iso),
    }
}

/// Warn, mute, suspend or ban a member (moderators; admins and owners only by someone ranked
/// above them).
#[utoipa::path(post, path = "/api/v1/communities/{slug}/members/{user_id}/sanctions", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), ("user_id" = String, Path)), request_body = NewSanction,
    responses((status = 201, body = Sanction), (status = 403), (status = 404), (status = 422)))]
pub async fn sanction(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, user_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<NewSanction>,
) -> Result<impl IntoResponse, ApiError> {
    let s = state
        .app
        .sanction_member(ctx.actor()?, &slug, &user_id, &b.kind, b.days, &b.reason)
        .await?;
    Ok((StatusCode::CREATED, Json(sanction_json(s))))
}

/// Mutes, suspensions and bans in force (moderators).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/sanctions", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<Sanction>), (status = 403), (status = 404)))]
pub async fn sanctions(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<Sanction>>, ApiError> {
    let (_, rows) = state.app.sanctions_in_force(ctx.actor()?, &slug).await?;
    Ok(Json(
        rows.into_iter()
            .map(|r| sanction_json(r.sanction))
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct Lift {
    reason: String,
}

/// Lift a mute, suspension or ban early (moderators).
#[utoipa::path(post, path = "/api/v1/sanctions/{id}/lift", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = Lift,
    responses((status = 200, body = Sanction), (status = 404), (status = 422)))]
pub async fn lift(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<Lift>,
) -> Result<Json<Sanction>, ApiError> {
    let s = state
        .app
        .lift_sanction(ctx.actor()?, &id, &b.reason)
        .await?;
    Ok(Json(sanction_json(s)))
}

#[derive(Deserialize, ToSchema)]
pub struct NewFlag {
    /// spam, harassment, off_topic, inappropriate or other.
    reason: String,
    /// Needed when the reason is `other`.
    #[serde(default)]
    note: String,
}

#[derive(Serialize, ToSchema)]
pub struct Flag {
    id: String,
    target_kind: String,
    target_id: String,
    reason: String,
    note: String,
    /// open, dismissed or actioned.
    status: String,
    created_at: String,
}

/// Flag a post for the moderators (members; one open flag per member per post).
#[utoipa::path(post, path = "/api/v1/posts/{id}/flags", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = NewFlag,
    responses((status = 201, body = Flag), (status = 403), (status = 404), (status = 409, description = "Already flagged"), (status = 422)))]
pub async fn flag(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<NewFlag>,
) -> Result<impl IntoResponse, ApiError> {
    let f = state
        .app
        .flag_post(ctx.actor()?, &id, &b.reason, &b.note)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Flag {
            id: f.id,
            target_kind: f.target_kind,
            target_id: f.target_id,
            reason: f.reason,
            note: f.note,
            status: f.status,
            created_at: iso(f.created_at),
        }),
    ))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct PostAction {
    /// approve (dismiss the flags), hide, unhide or delete.
    action: String,
    /// Why: the author sees it and the audit log keeps it.
    reason: String,
}

/// Act on a post (moderators; admins' and owners' posts only by someone ranked above them).
#[utoipa::path(post, path = "/api/v1/posts/{id}/moderation", tag = "moderation", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PostAction,
    responses((status = 200, body = PostAction), (status = 403), (status = 404), (status = 422)))]
pub async fn act(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PostAction>,
) -> Result<Json<PostAction>, ApiError> {
    let action = state
        .app
        .act_on_post(ctx.actor()?, &id, &b.action, &b.reason)
        .await?;
    Ok(Json(PostAction {
        action: action.as_str().into(),
        reason: b.reason.trim().into(),
    }))
}

#[derive(Deserialize, IntoParams)]
pub struct QueueQuery {
    /// Only flags of this reason.
    reason: Option<String>,
    /// Only items in this space (its slug).
    space: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct QueueItem {
    post_id: String,
    topic_id: String,
    topic_title: String,
    author_id: String,
    author_name: String,
    body_html: String,
    hidden: bool,
    /// The author's posts in this community.
    author_posts: i64,
    /// Moderators' private notes on the author, newest first.
    author_notes: Vec<members::MemberNote>,
    /// The author's trust level (0–4).
    author_trust_level: i64,
    /// Hidden automatically after flags from trusted members, pending review (approving
    /// shows it again).
    hidden_automatically: bool,
    flags: Vec<QueuedFlag>,
}

#[derive(Serialize, ToSchema)]
pub struct QueuedFlag {
    reason: String,
    note: String,
    reporter_name: String,
    created_at: String,
}

/// The moderation queue: flagged posts, oldest flag first (moderators).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/moderation/queue", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), QueueQuery), responses((status = 200, body = Vec<QueueItem>), (status = 403), (status = 404), (status = 422)))]
pub async fn queue(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<QueueQuery>,
) -> Result<Json<Vec<QueueItem>>, ApiError> {
    let actor = ctx.actor()?;
    let reason = match q.reason.as_deref().unwrap_or("") {
        "" => None,
        r => Some(FlagReason::parse(r).map_err(|m| AppError::invalid("reason", m))?),
    };
    let space_id = match q.space.as_deref().unwrap_or("") {
        "" => None,
        s => Some(
            state
                .app
                .space(Some(actor), &slug, s)
                .await
                .map_err(|_| AppError::invalid("space", "There is no such space here."))?
                .space
                .id,
        ),
    };
    let (_, items) = state
        .app
        .moderation_queue(actor, &slug, &QueueFilter { reason, space_id })
        .await?;
    Ok(Json(
        items
            .into_iter()
            .map(|i| QueueItem {
                post_id: i.post.id,
                topic_id: i.post.topic_id,
                topic_title: i.topic_title,
                author_id: i.post.author_id,
                author_name: i.author_name,
                body_html: i.post.body_html,
                hidden: i.post.hidden_at.is_some(),
                author_posts: i.author_posts,
                author_notes: i.author_notes.into_iter().map(members::note_json).collect(),
                author_trust_level: i.author_trust_level,
                hidden_automatically: i.hidden_automatically,
                flags: i
                    .flags
                    .into_iter()
                    .map(|f| QueuedFlag {
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

#[derive(Deserialize, IntoParams)]
pub struct LogQuery {
    cursor: Option<String>,
    /// 1 to 100.
    limit: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LogEntry {
    id: String,
    created_at: String,
    actor_id: String,
    actor_name: String,
    action: String,
    target_kind: String,
    target_id: String,
    subject_user_id: Option<String>,
    subject_name: Option<String>,
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct LogPage {
    items: Vec<LogEntry>,
    next_cursor: Option<String>,
}

/// The append-only audit log of moderation actions, newest first (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/moderation/log", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), LogQuery), responses((status = 200, body = LogPage), (status = 403), (status = 404)))]
pub async fn log(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<LogQuery>,
) -> Result<Json<LogPage>, ApiError> {
    let cursor = cursor_param(q.cursor.as_deref(), decode_time_cursor)?;
    let limit = limit_param(q.limit.as_deref(), 50)?;
    let (_, rows) = state
        .app
        .audit_log(
            ctx.actor()?,
            &slug,
            cursor.as_ref().map(|(t, id)| (*t, id.as_str())),
            limit,
        )
        .await?;
    let next_cursor = (rows.len() as i64 == limit)
        .then(|| {
            rows.last()
                .map(|r| encode_cursor(&r.action.created_at.to_string(), &r.action.id))
        })
        .flatten();
    Ok(Json(LogPage {
        items: rows
            .into_iter()
            .map(|r| LogEntry {
                id: r.action.id,
                created_at: iso(r.action.created_at),
                actor_id: r.action.actor_id,
                actor_name: r.actor_name,
                action: r.action.action,
                target_kind: r.action.target_kind,
                target_id: r.action.target_id,
                subject_user_id: r.action.subject_user_id,
                subject_name: r.subject_name,
                reason: r.action.reason,
            })
            .collect(),
        next_cursor,
    }))
}
