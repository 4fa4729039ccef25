//! Automatic protection in the API: a community's rules and limits (admins), and the posts
//! held for approval (moderators).

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
use townsquare_app::store::auto_moderation::RuleRow;
use townsquare_domain::auto_moderation::Limits;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/auto-moderation", get(settings))
        .post(
            "/api/v1/communities/{slug}/auto-moderation/rules",
            post(add_rule),
        )
        .delete(
            "/api/v1/communities/{slug}/auto-moderation/rules/{rule}",
            delete(remove_rule),
        )
        .put(
            "/api/v1/communities/{slug}/auto-moderation/limits",
            put(save_limits),
        )
        .get("/api/v1/communities/{slug}/moderation/held", get(held))
        .post("/api/v1/held-posts/{held}/decision", post(decide))
}

#[derive(Serialize, ToSchema)]
pub struct Rule {
    id: String,
    /// keyword (case-insensitive, whole word) or pattern (a regular expression, any case).
    kind: String,
    pattern: String,
    /// block, hold or flag.
    action: String,
    /// Shown to the member when the rule blocks their post.
    message: String,
    created_at: String,
}

fn rule_json(r: RuleRow) -> Rule {
    Rule {
        id: r.id,
        kind: r.kind,
        pattern: r.pattern,
        action: r.action,
        message: r.message,
        created_at: iso(r.created_at),
    }
}

/// A community's limits. Moderators and admins are exempt from all of them.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct AutoLimits {
    /// A new member's first N posts wait for approval (0: off).
    hold_first_posts: i64,
    /// How many days a member counts as new.
    new_member_days: i64,
    /// Links a new member may put in one post.
    new_member_links: i64,
    /// Mentions a new member may put in one post.
    new_member_mentions: i64,
    posts_per_minute: i64,
    topics_per_day: i64,
    flags_per_day: i64,
}

impl From<Limits> for AutoLimits {
    fn from(l: Limits) -> Self {
        AutoLimits {
            hold_first_posts: l.hold_first_posts,
            new_member_days: l.new_member_days,
            new_member_links: l.new_member_links,
            new_member_mentions: l.new_member_mentions,
            posts_per_minute: l.posts_per_minute,
            topics_per_day: l.topics_per_day,
            flags_per_day: l.flags_per_day,
        }
    }
}

impl From<AutoLimits> for Limits {
    fn from(l: AutoLimits) -> Self {
        Limits {
            hold_first_posts: l.hold_first_posts,
            new_member_days: l.new_member_days,
            new_member_links: l.new_member_links,
            new_member_mentions: l.new_member_mentions,
            posts_per_minute: l.posts_per_minute,
            topics_per_day: l.topics_per_day,
            flags_per_day: l.flags_per_day,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct AutoModerationSettings {
    rules: Vec<Rule>,
    limits: AutoLimits,
}

/// The community's automatic protection: rules and limits (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/auto-moderation", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = AutoModerationSettings), (status = 403), (status = 404)))]
pub async fn settings(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<AutoModerationSettings>, ApiError> {
    let a = state.app.auto_moderation(ctx.actor()?, &slug).await?;
    Ok(Json(AutoModerationSettings {
        rules: a.rules.into_iter().map(rule_json).collect(),
        limits: a.limits.into(),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct NewRule {
    /// keyword or pattern.
    kind: String,
    pattern: String,
    /// block, hold or flag.
    action: String,
    /// Needed for blocking rules: what the member reads.
    #[serde(default)]
    message: String,
}

/// Add a rule (admins). Patterns are checked now: invalid or too complex ones get a 422
/// naming the problem.
#[utoipa::path(post, path = "/api/v1/communities/{slug}/auto-moderation/rules", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = NewRule,
    responses((status = 201, body = Rule), (status = 403), (status = 404), (status = 422)))]
pub async fn add_rule(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<NewRule>,
) -> Result<impl IntoResponse, ApiError> {
    let rule = state
        .app
        .add_auto_rule(
            ctx.actor()?,
            &slug,
            &b.kind,
            &b.pattern,
            &b.action,
            &b.message,
        )
        .await?;
    Ok((StatusCode::CREATED, Json(rule_json(rule))))
}

/// Remove a rule (admins).
#[utoipa::path(delete, path = "/api/v1/communities/{slug}/auto-moderation/rules/{rule}", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path), ("rule" = String, Path)), responses((status = 204), (status = 403), (status = 404)))]
pub async fn remove_rule(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((slug, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    state.app.remove_auto_rule(ctx.actor()?, &slug, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Save the community's limits (admins).
#[utoipa::path(put, path = "/api/v1/communities/{slug}/auto-moderation/limits", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = AutoLimits,
    responses((status = 200, body = AutoLimits), (status = 403), (status = 404), (status = 422)))]
pub async fn save_limits(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<AutoLimits>,
) -> Result<Json<AutoLimits>, ApiError> {
    let saved = state
        .app
        .save_auto_limits(ctx.actor()?, &slug, b.into())
        .await?;
    Ok(Json(saved.into()))
}

#[derive(Serialize, ToSchema)]
pub struct HeldPost {
    post_id: String,
    topic_id: String,
    topic_title: String,
    /// Whether this opens a topic (approving it publishes the topic).
    is_first: bool,
    author_id: String,
    author_name: String,
    body_markdown: String,
    body_html: String,
    held_at: String,
    /// Why it was held: the rule that matched, or the new-member rule.
    reason: String,
}

/// Posts held for approval, oldest first (moderators).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/moderation/held", tag = "moderation", security(("bearer" = [])),
    params(("slug" = String, Path)), responses((status = 200, body = Vec<HeldPost>), (status = 403), (status = 404)))]
pub async fn held(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
) -> Result<Json<Vec<HeldPost>>, ApiError> {
    let (_, rows) = state.app.held_posts(ctx.actor()?, &slug).await?;
    Ok(Json(
        rows.into_iter()
            .map(|h| HeldPost {
                held_at: iso(h.post.held_at.unwrap_or(h.post.created_at)),
                post_id: h.post.id,
                topic_id: h.post.topic_id,
                topic_title: h.topic_title,
                is_first: h.post.is_first,
                author_id: h.post.author_id,
                author_name: h.author_name,
                body_markdown: h.post.body_markdown,
                body_html: h.post.body_html,
                reason: h.held_reason.unwrap_or_default(),
            })
            .collect(),
    ))
}

#[derive(Deserialize, ToSchema)]
pub struct HeldDecisionBody {
    /// approve (publish it, and tell whoever a new post tells) or reject (delete it).
    decision: String,
    /// The author and the audit log see it.
    reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct HeldDecisionDone {
    post_id: String,
    decision: String,
    reason: String,
}

/// Approve or reject a held post, with a reason (moderators).
#[utoipa::path(post, path = "/api/v1/held-posts/{held}/decision", tag = "moderation", security(("bearer" = [])),
    params(("held" = String, Path, description = "The held post")), request_body = HeldDecisionBody,
    responses((status = 200, body = HeldDecisionDone), (status = 404), (status = 422)))]
pub async fn decide(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<HeldDecisionBody>,
) -> Result<Json<HeldDecisionDone>, ApiError> {
    let (post, decision) = state
        .app
        .decide_held_post(ctx.actor()?, &id, &b.decision, &b.reason)
        .await?;
    Ok(Json(HeldDecisionDone {
        post_id: post.id,
        decision: decision.as_str().into(),
        reason: b.reason.trim().into(),
    }))
}
