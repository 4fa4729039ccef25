//! After an event: the hosts' page (recording, resources, recap, feedback request and
//! summary, AMA archive), the recording's counting redirect, and the attendees' feedback form.

use super::events::event_in;
use super::{form_errors, page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::events::{local_label, EventView};
use townsquare_app::AppError;
use townsquare_domain::events::EventFormat;
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/events/{event}/followup", get(show))
        .post("/c/{slug}/events/{event}/recording", post(set_recording))
        .get("/c/{slug}/events/{event}/recording", get(open_recording))
        .post("/c/{slug}/events/{event}/resources", post(add_resource))
        .post("/c/{slug}/events/{event}/recap", post(publish_recap))
        .post(
            "/c/{slug}/events/{event}/feedback-request",
            post(request_feedback),
        )
        .get("/c/{slug}/events/{event}/feedback", get(feedback_form))
        .post("/c/{slug}/events/{event}/feedback", post(give_feedback))
        .post("/c/{slug}/events/{event}/ama-archive", post(archive))
}

pub struct Link {
    pub title: String,
    pub url: String,
}

#[derive(Template)]
#[template(path = "events/followup.html")]
struct FollowupPage {
    layout: Layout,
    community_slug: String,
    id: String,
    title: String,
    when: String,
    is_over: bool,
    is_ama: bool,
    recording: Option<String>,
    resources: Vec<Link>,
    recap_topic: Option<String>,
    archive_topic: Option<String>,
    /// Discussion spaces a recap or archive can go to: (slug, name).
    spaces: Vec<(String, String)>,
    feedback_requested: Option<String>,
    feedback_count: i64,
    average: Option<String>,
    /// (stars, count, percent of all feedback).
    distribution: Vec<(i64, i64, i64)>,
    comments: Vec<(String, i64, String)>,
    errors: ValidationErrors,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    view: &EventView,
    status: StatusCode,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    if !view.can_host() {
        return Err(AppError::Forbidden("Only the event's hosts can do this.".into()).into());
    }
    let followup = state.app.event_followup(view).await?;
    let summary = state.app.feedback_summary(view).await?;
    let tz = view.time_zone();
    let spaces = state.app.visible_spaces(&view.community).await?;
    let discussion_spaces = spaces
        .iter()
        .filter(|s| s.kind == "discussion")
        .map(|s| (s.slug.clone(), s.name.clone()))
        .collect();
    let layout = Layout::new(state, ctx, &format!("After: {}", view.event.title))
        .await?
        .in_community(&view.community, &spaces, Some(&view.space.slug));
    let count = summary.count;
    let body = FollowupPage {
        layout,
        community_slug: view.community.community.slug.clone(),
        id: view.event.id.clone(),
        title: view.event.title.clone(),
        when: local_label(view.event.starts_at, tz),
        is_over: state.app.now() >= view.event.ends_at,
        is_ama: view.format() == EventFormat::Ama,
        recording: followup.recording.map(|r| r.url),
        resources: followup
            .resources
            .into_iter()
            .map(|r| Link {
                title: r.title,
                url: r.url,
            })
            .collect(),
        recap_topic: followup.state.recap_topic_id,
        archive_topic: followup.state.archive_topic_id,
        spaces: discussion_spaces,
        feedback_requested: summary.requested_at.map(|t| local_label(t, tz)),
        feedback_count: count,
        average: summary
            .average_tenths
            .map(|t| format!("{}.{}", t / 10, t % 10)),
        distribution: (1..=5)
            .rev()
            .map(|stars| {
                let n = summary.distribution[(stars - 1) as usize];
                (stars, n, if count > 0 { n * 100 / count } else { 0 })
            })
            .collect(),
        comments: summary
            .entries
            .into_iter()
            .filter(|e| !e.comment.is_empty())
            .map(|e| (e.display_name, e.rating, e.comment))
            .collect(),
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    render(&state, &ctx, &view, StatusCode::OK, ValidationErrors::new()).await
}

/// After a host's form: back to the page with a message, or the page again with the errors.
async fn done(
    state: &AppState,
    ctx: &Ctx,
    view: &EventView,
    result: Result<String, AppError>,
) -> Result<Response, HtmlError> {
    match result {
        Ok(message) => Ok(redirect_with_flash(
            &format!(
                "/c/{}/events/{}/followup",
                view.community.community.slug, view.event.id
            ),
            &message,
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            render(state, ctx, view, StatusCode::UNPROCESSABLE_ENTITY, errors).await
        }
    }
}

#[derive(Deserialize, Default)]
struct LinkForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    url: String,
}

async fn set_recording(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let result = state
        .app
        .set_recording(actor, &view, &form.url)
        .await
        .map(|_| "Recording attached.".to_string());
    done(&state, &ctx, &view, result).await
}

/// Counts the view, then sends the browser to the recording.
async fn open_recording(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let url = state.app.open_recording(ctx.actor.as_ref(), &view).await?;
    Ok(Redirect::to(&url).into_response())
}

async fn add_resource(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<LinkForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let result = state
        .app
        .add_resource(actor, &view, &form.title, &form.url)
        .await
        .map(|_| "Resource added.".to_string());
    done(&state, &ctx, &view, result).await
}

#[derive(Deserialize, Default)]
struct RecapForm {
    #[serde(default)]
    space: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    body: String,
}

async fn publish_recap(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RecapForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let result = state
        .app
        .publish_recap(actor, &view, &form.space, &form.title, &form.body)
        .await
        .map(|_| "Recap published.".to_string());
    done(&state, &ctx, &view, result).await
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn request_feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let result = state
        .app
        .request_feedback(actor, &view)
        .await
        .map(|n| format!("Feedback request sent to {n} attendees."));
    done(&state, &ctx, &view, result).await
}

#[derive(Deserialize, Default)]
struct ArchiveForm {
    #[serde(default)]
    space: String,
}

async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<ArchiveForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let result = state
        .app
        .archive_ama(actor, &view, &form.space)
        .await
        .map(|_| "Answered questions archived as a topic.".to_string());
    done(&state, &ctx, &view, result).await
}

#[derive(Template)]
#[template(path = "events/feedback.html")]
struct FeedbackPage {
    layout: Layout,
    community_slug: String,
    id: String,
    title: String,
    rating: i64,
    comment: String,
    editing: bool,
    errors: ValidationErrors,
}

async fn feedback_page(
    state: &AppState,
    ctx: &Ctx,
    view: &EventView,
    status: StatusCode,
    input: Option<(i64, String)>,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let saved = state.app.my_feedback(actor, view).await?;
    let editing = saved.is_some();
    let (rating, comment) = input
        .or(saved.map(|f| (f.rating, f.comment)))
        .unwrap_or((0, String::new()));
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(state, ctx, &format!("Feedback: {}", view.event.title))
        .await?
        .in_community(&view.community, &spaces, Some(&view.space.slug));
    let body = FeedbackPage {
        layout,
        community_slug: view.community.community.slug.clone(),
        id: view.event.id.clone(),
        title: view.event.title.clone(),
        rating,
        comment,
        editing,
        errors,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn feedback_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    feedback_page(
        &state,
        &ctx,
        &view,
        StatusCode::OK,
        None,
        ValidationErrors::new(),
    )
    .await
}

#[derive(Deserialize, Default)]
struct FeedbackForm {
    #[serde(default)]
    rating: String,
    #[serde(default)]
    comment: String,
}

async fn give_feedback(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<FeedbackForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let rating = form.rating.trim().parse::<i64>().unwrap_or(0);
    match state
        .app
        .give_feedback(actor, &view, rating, &form.comment)
        .await
    {
        Ok(()) => Ok(redirect_with_flash(
            &format!("/c/{slug}/events/{event}"),
            "Thank you for your feedback.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            feedback_page(
                &state,
                &ctx,
                &view,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some((rating, form.comment)),
                errors,
            )
            .await
        }
    }
}
