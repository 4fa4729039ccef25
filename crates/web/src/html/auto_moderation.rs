//! Automatic protection pages: the admins' rules and limits, and the moderators' list of posts
//! held for approval.

use super::{ago, form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::auto_moderation::HeldDecision;
use townsquare_app::AppError;
use townsquare_domain::auto_moderation::{Limits, RuleAction};
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/settings/auto-moderation", get(settings))
        .post("/c/{slug}/settings/auto-moderation/rules", post(add_rule))
        .post(
            "/c/{slug}/settings/auto-moderation/rules/{rule}/delete",
            post(remove_rule),
        )
        .post(
            "/c/{slug}/settings/auto-moderation/limits",
            post(save_limits),
        )
        .get("/c/{slug}/moderation/held", get(held))
        .post("/c/{slug}/held-posts/{held}/decision", post(decide))
}

pub struct RuleLine {
    pub id: String,
    pub kind: String,
    pub pattern: String,
    pub action: &'static str,
    pub message: String,
}

#[derive(Deserialize, Default)]
struct RuleForm {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    pattern: String,
    #[serde(default)]
    action: String,
    #[serde(default)]
    message: String,
}

/// The limits form as typed (numbers as text, so a bad one can be shown back).
#[derive(Deserialize, Default)]
struct LimitsForm {
    #[serde(default)]
    hold_first_posts: String,
    #[serde(default)]
    new_member_days: String,
    #[serde(default)]
    new_member_links: String,
    #[serde(default)]
    new_member_mentions: String,
    #[serde(default)]
    posts_per_minute: String,
    #[serde(default)]
    topics_per_day: String,
    #[serde(default)]
    flags_per_day: String,
}

impl LimitsForm {
    fn from_limits(l: &Limits) -> LimitsForm {
        LimitsForm {
            hold_first_posts: l.hold_first_posts.to_string(),
            new_member_days: l.new_member_days.to_string(),
            new_member_links: l.new_member_links.to_string(),
            new_member_mentions: l.new_member_mentions.to_string(),
            posts_per_minute: l.posts_per_minute.to_string(),
            topics_per_day: l.topics_per_day.to_string(),
            flags_per_day: l.flags_per_day.to_string(),
        }
    }

    fn parse(&self) -> Result<Limits, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let mut num = |field: &str, v: &str| -> i64 {
            match v.trim().parse::<i64>() {
                Ok(n) => n,
                Err(_) => {
                    e.add(field, "Give a whole number.");
                    0
                }
            }
        };
        let limits = Limits {
            hold_first_posts: num("hold_first_posts", &self.hold_first_posts),
            new_member_days: num("new_member_days", &self.new_member_days),
            new_member_links: num("new_member_links", &self.new_member_links),
            new_member_mentions: num("new_member_mentions", &self.new_member_mentions),
            posts_per_minute: num("posts_per_minute", &self.posts_per_minute),
            topics_per_day: num("topics_per_day", &self.topics_per_day),
            flags_per_day: num("flags_per_day", &self.flags_per_day),
        };
        e.finish(limits)
    }
}

#[derive(Template)]
#[template(path = "auto_moderation/settings.html")]
struct SettingsPage {
    layout: Layout,
    community_slug: String,
    rules: Vec<RuleLine>,
    actions: Vec<(&'static str, &'static str)>,
    rule: RuleForm,
    limits: LimitsForm,
    errors: ValidationErrors,
}

async fn settings_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    rule: Option<RuleForm>,
    limits: Option<LimitsForm>,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let a = state.app.auto_moderation(ctx.actor()?, slug).await?;
    let spaces = state.app.visible_spaces(&a.view).await?;
    let layout = Layout::new(state, ctx, "Automatic protection")
        .await?
        .in_community(&a.view, &spaces, None);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = SettingsPage {
        layout,
        community_slug: slug.to_string(),
        rules: a
            .rules
            .into_iter()
            .map(|r| RuleLine {
                action: RuleAction::parse(&r.action)
                    .map(|a| a.label())
                    .unwrap_or("?"),
                id: r.id,
                kind: r.kind,
                pattern: r.pattern,
                message: r.message,
            })
            .collect(),
        actions: RuleAction::ALL
            .iter()
            .map(|a| (a.as_str(), a.label()))
            .collect(),
        rule: rule.unwrap_or(RuleForm {
            kind: "keyword".into(),
            action: "hold".into(),
            ..RuleForm::default()
        }),
        limits: limits.unwrap_or_else(|| LimitsForm::from_limits(&a.limits)),
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    settings_page(&state, &ctx, &slug, None, None, ValidationErrors::new()).await
}

async fn add_rule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<RuleForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    match state
        .app
        .add_auto_rule(
            actor,
            &slug,
            &form.kind,
            &form.pattern,
            &form.action,
            &form.message,
        )
        .await
    {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/auto-moderation"),
            "Rule added: it applies to new posts and edits from now on.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            settings_page(&state, &ctx, &slug, Some(form), None, errors).await
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn remove_rule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    state.app.remove_auto_rule(ctx.actor()?, &slug, &id).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/settings/auto-moderation"),
        "Rule removed.",
    ))
}

async fn save_limits(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<LimitsForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let result = match form.parse() {
        Ok(limits) => state.app.save_auto_limits(actor, &slug, limits).await,
        Err(e) => {
            // Only admins learn which numbers were wrong.
            state.app.auto_moderation(actor, &slug).await?;
            Err(AppError::Invalid(e))
        }
    };
    match result {
        Ok(_) => Ok(redirect_with_flash(
            &format!("/c/{slug}/settings/auto-moderation"),
            "Limits saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            settings_page(&state, &ctx, &slug, None, Some(form), errors).await
        }
    }
}

pub struct HeldEntry {
    pub post_id: String,
    pub topic_id: String,
    pub topic_title: String,
    pub author_name: String,
    pub body_html: String,
    pub is_first: bool,
    pub reason: String,
    pub iso: String,
    pub ago: String,
}

#[derive(Template)]
#[template(path = "auto_moderation/held.html")]
struct HeldPage {
    layout: Layout,
    community_slug: String,
    entries: Vec<HeldEntry>,
    can_configure: bool,
}

async fn held(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, rows) = state.app.held_posts(actor, &slug).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let now = state.app.now();
    let layout = Layout::new(&state, &ctx, "Held for approval")
        .await?
        .in_community(&view, &spaces, None);
    let body = HeldPage {
        layout,
        community_slug: slug,
        can_configure: view.can_manage(),
        entries: rows
            .into_iter()
            .map(|h| {
                let at = h.post.held_at.unwrap_or(h.post.created_at);
                HeldEntry {
                    iso: super::format::iso(at),
                    ago: ago(at, now),
                    post_id: h.post.id,
                    topic_id: h.post.topic_id,
                    topic_title: h.topic_title,
                    author_name: h.author_name,
                    body_html: h.post.body_html,
                    is_first: h.post.is_first,
                    reason: h.held_reason.unwrap_or_default(),
                }
            })
            .collect(),
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

async fn decide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, post_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Result<Response, HtmlError> {
    let (_, decision) = state
        .app
        .decide_held_post(ctx.actor()?, &post_id, &form.decision, &form.reason)
        .await?;
    let message = match decision {
        HeldDecision::Approve => "Approved: the post is published and the author told.",
        HeldDecision::Reject => "Rejected: the post is deleted and the author told why.",
    };
    Ok(redirect_with_flash(
        &format!("/c/{slug}/moderation/held"),
        message,
    ))
}
