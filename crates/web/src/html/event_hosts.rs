//! Hosts and speakers of an event: the page where the creator (and admins) add co-hosts and
//! hosts list speakers.

use super::events::event_in;
use super::{form_errors, page, redirect_with_flash, Layout};
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
use townsquare_app::store::event_hosts::{HostRow, SpeakerRow};
use townsquare_app::AppError;
use townsquare_domain::event_hosts::SpeakerDraft;
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/events/{event}/people", get(people))
        .post("/c/{slug}/events/{event}/hosts", post(add_host))
        .post(
            "/c/{slug}/events/{event}/hosts/{user_id}/remove",
            post(remove_host),
        )
        .post("/c/{slug}/events/{event}/speakers", post(add_speaker))
        .post(
            "/c/{slug}/events/{event}/speakers/{speaker}/remove",
            post(remove_speaker),
        )
}

#[derive(Deserialize, Default)]
struct HostForm {
    #[serde(default)]
    handle: String,
}

#[derive(Deserialize, Default)]
struct SpeakerForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    handle: String,
    #[serde(default)]
    bio: String,
}

#[derive(Template)]
#[template(path = "events/people.html")]
struct PeoplePage {
    layout: Layout,
    community_slug: String,
    id: String,
    title: String,
    can_manage_hosts: bool,
    creator: Option<HostRow>,
    cohosts: Vec<HostRow>,
    speakers: Vec<SpeakerRow>,
    host_input: String,
    host_errors: ValidationErrors,
    speaker_input: SpeakerForm,
    speaker_errors: ValidationErrors,
}

/// What the two forms re-show after a refused submission.
#[derive(Default)]
struct Forms {
    host_input: String,
    host_errors: ValidationErrors,
    speaker_input: SpeakerForm,
    speaker_errors: ValidationErrors,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    event: &str,
    forms: Forms,
) -> Result<Response, HtmlError> {
    let Forms {
        host_input,
        host_errors,
        speaker_input,
        speaker_errors,
    } = forms;
    ctx.actor()?;
    let view = event_in(state, ctx, slug, event).await?;
    if !view.can_host() {
        return Err(AppError::Forbidden(
            "Only the event's hosts can change its hosts and speakers.".into(),
        )
        .into());
    }
    let people = state.app.event_people(&view).await?;
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(
        state,
        ctx,
        &format!("Hosts and speakers: {}", view.event.title),
    )
    .await?
    .in_community(&view.community, &spaces, Some(&view.space.slug));
    let status = if host_errors.is_empty() && speaker_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let body = PeoplePage {
        layout,
        community_slug: slug.to_string(),
        id: view.event.id.clone(),
        title: view.event.title.clone(),
        can_manage_hosts: view.can_manage_hosts(),
        creator: people.creator,
        cohosts: people.cohosts,
        speakers: people.speakers,
        host_input,
        host_errors,
        speaker_input,
        speaker_errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn people(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    render(&state, &ctx, &slug, &event, Forms::default()).await
}

async fn add_host(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<HostForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    match state
        .app
        .add_cohost_by_handle(actor, &view, &form.handle)
        .await
    {
        Ok(h) => Ok(redirect_with_flash(
            &format!("/c/{slug}/events/{event}/people"),
            &format!("{} co-hosts this event now.", h.display_name),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let forms = Forms {
                host_input: form.handle,
                host_errors: errors,
                ..Default::default()
            };
            render(&state, &ctx, &slug, &event, forms).await
        }
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn remove_host(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, user_id)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    state.app.remove_cohost(actor, &view, &user_id).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}/people"),
        "Co-host removed.",
    ))
}

async fn add_speaker(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<SpeakerForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let draft = SpeakerDraft {
        name: form.name.clone(),
        handle: form.handle.clone(),
        bio: form.bio.clone(),
    };
    match state.app.add_speaker(actor, &view, &draft).await {
        Ok(s) => Ok(redirect_with_flash(
            &format!("/c/{slug}/events/{event}/people"),
            &format!("{} is listed as a speaker.", s.name),
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let forms = Forms {
                speaker_input: form,
                speaker_errors: errors,
                ..Default::default()
            };
            render(&state, &ctx, &slug, &event, forms).await
        }
    }
}

async fn remove_speaker(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, speaker)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    state.app.remove_speaker(actor, &view, &speaker).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}/people"),
        "Speaker removed.",
    ))
}
