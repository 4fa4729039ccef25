//! The moderators' view of a member: role, accepted guidelines, history, and private notes.

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
    r.get("/c/{slug}/members/{user_id}/moderation", get(member_case))
        .post("/c/{slug}/members/{user_id}/notes", post(add_note))
}

pub struct NoteLine {
    pub author: String,
    pub when: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "moderation/member.html")]
struct MemberPage {
    layout: Layout,
    community_slug: String,
    user_id: String,
    name: String,
    role: String,
    status: String,
    joined: String,
    post_count: i64,
    /// "version abc… on 3 Dec 2026", if accepted.
    accepted: Option<String>,
    history: Vec<String>,
    notes: Vec<NoteLine>,
    can_act: bool,
    /// "2 (member), computed 3 Dec 2026".
    trust: String,
}

async fn member_case(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let (view, case) = state.app.member_case(actor, &slug, &user_id).await?;
    let spaces = state.app.visible_spaces(&view).await?;
    let layout = Layout::new(&state, &ctx, &case.display_name)
        .await?
        .in_community(&view, &spaces, None);
    let body = MemberPage {
        layout,
        community_slug: slug,
        user_id: case.user_id,
        name: case.display_name,
        role: case.membership.role,
        status: case.membership.status,
        joined: date(case.membership.joined_at),
        post_count: case.post_count,
        accepted: case
            .acceptance
            .map(|a| format!("version {} on {}", a.version, date(a.accepted_at))),
        history: case
            .history
            .iter()
            .map(|a| format!("{} ({}): {}", a.action, date(a.created_at), a.reason))
            .collect(),
        notes: case
            .notes
            .into_iter()
            .map(|n| NoteLine {
                author: n.author_name,
                when: date(n.note.created_at),
                body: n.note.body,
            })
            .collect(),
        can_act: case.can_act,
        trust: format!(
            "{} ({}){}",
            case.trust_level,
            townsquare_domain::trust::label(case.trust_level),
            case.trust_computed_at
                .map(|at| format!(", computed {}", date(at)))
                .unwrap_or_else(|| ", not computed yet".into())
        ),
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

#[derive(Deserialize)]
struct NoteForm {
    #[serde(default)]
    body: String,
}

async fn add_note(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, user_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<NoteForm>,
) -> Result<Response, HtmlError> {
    state
        .app
        .add_member_note(ctx.actor()?, &slug, &user_id, &form.body)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/members/{user_id}/moderation"),
        "Note added. Only moderators see it.",
    ))
}
