//! Flags on members' profiles and on events: the profile page with its flag form, flagging
//! an event, and closing those flags from the queue.

use super::super::{date, page, redirect_with_flash, Layout};
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

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/members/{user_id}", get(profile))
        .post("/c/{slug}/members/{user_id}/flag", post(flag_member))
        .post("/c/{slug}/events/{event}/flag", post(flag_event))
        .post("/c/{slug}/moderation/reports/resolve", post(resolve))
        .post("/c/{slug}/moderation/settings", post(settings))
}

#[derive(Deserialize)]
struct SettingsForm {
    #[serde(default)]
    auto_hide_flags: String,
}

async fn settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, HtmlError> {
    let flags = form.auto_hide_flags.trim().parse::<i64>().map_err(|_| {
        townsquare_app::AppError::invalid(
            "auto_hide_flags",
            "Give a whole number, 0 to turn it off.",
        )
    })?;
    state
        .app
        .set_auto_hide_flags(ctx.actor()?, &slug, flags)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/moderation"),
        "Saved.",
    ))
}

#[derive(Template)]
#[template(path = "members/profile.html")]
struct ProfilePage {
    layout: Layout,
    community_slug: String,
    user_id: String,
    name: String,
    handle: String,
    role: String,
    joined: String,
    trust_level: Option<i64>,
    can_moderate: bool,
    can_flag: bool,
    is_self: bool,
    initials: String,
    shown: townsquare_app::profiles::VisibleProfile,
    bio_html: String,
}

async fn profile(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let (view, p) = state
        .app
        .member_profile(ctx.actor.as_ref(), &slug, &user_id)
        .await?;
    let shown = state
        .app
        .visible_profile(ctx.actor.as_ref(), &view, &p.user_id, &p.email)
        .await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(&state, &ctx, &p.display_name)
        .await?
        .in_community(&view, &spaces, None);
    let body = ProfilePage {
        layout,
        community_slug: slug,
        can_flag: view.role().is_some()
            && ctx.actor.as_ref().is_some_and(|a| a.user_id != p.user_id),
        can_moderate: townsquare_domain::policy::can_moderate(&view.viewer),
        is_self: ctx.actor.as_ref().is_some_and(|a| a.user_id == p.user_id),
        initials: super::super::format::initials(&p.display_name),
        bio_html: shown
            .bio
            .as_deref()
            .map(townsquare_domain::markdown::render)
            .unwrap_or_default(),
        shown,
        user_id: p.user_id,
        name: p.display_name,
        handle: p.handle,
        role: p.membership.role,
        joined: date(p.membership.joined_at),
        trust_level: p.trust_level,
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

#[derive(Deserialize)]
struct FlagForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

const RECEIVED: &str =
    "Thank you: your flag is with the moderators. You will hear when it is handled.";

async fn flag_member(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> Result<Response, HtmlError> {
    state
        .app
        .flag_member(ctx.actor()?, &slug, &user_id, &form.reason, &form.note)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/members/{user_id}"),
        RECEIVED,
    ))
}

async fn flag_event(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FlagForm>,
) -> Result<Response, HtmlError> {
    state
        .app
        .flag_event(ctx.actor()?, &event, &form.reason, &form.note)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}"),
        RECEIVED,
    ))
}

#[derive(Deserialize)]
struct ResolveForm {
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reason: String,
}

async fn resolve(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(form): CsrfForm<ResolveForm>,
) -> Result<Response, HtmlError> {
    state
        .app
        .resolve_flags_on(
            ctx.actor()?,
            &slug,
            &form.target_kind,
            &form.target_id,
            &form.outcome,
            &form.reason,
        )
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/moderation"),
        "Flags closed: the members who raised them are told.",
    ))
}
