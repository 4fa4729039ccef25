//! After an event: the hosts' page (recording, resources, recap, feedback request and
//! summary, AMA archive), the recording's counting redirect, and the attendees' feedback form.

use super::events::event_in;
use super::{form_errors, page, redirect_with_flash, Layout};
use crate::api::files::UPLOAD_BODY_CEILING;
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::multipart::MultipartError;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use futures::TryStreamExt;
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
        .post(
            "/c/{slug}/events/{event}/followup-settings",
            post(save_settings),
        )
        .post(
            "/c/{slug}/events/{event}/recording/upload",
            post(upload_recording).layer(DefaultBodyLimit::max(UPLOAD_BODY_CEILING)),
        )
        .get(
            "/c/{slug}/events/{event}/recording/media",
            get(recording_media),
        )
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
    /// An uploaded recording's file name and type.
    recording_file: Option<(String, String)>,
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
    /// The feedback request's delay: the choices (minutes or "off", label) and the chosen one.
    delay_choices: Vec<(String, String)>,
    delay: String,
    archive_space: String,
    max_recording_mib: usize,
    errors: ValidationErrors,
}

/// The delays offered for the feedback request (any other, set through the API, is kept).
const DELAYS: &[(&str, &str)] = &[
    ("off", "Off: we send it ourselves"),
    ("0", "Right at the end"),
    ("60", "An hour after the end"),
    ("240", "Four hours after the end"),
    ("1440", "A day after the end"),
];

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
    let settings = state.app.followup_settings(view).await?;
    let delay = settings
        .feedback_delay_minutes
        .map_or("off".to_string(), |m| m.to_string());
    let mut delay_choices: Vec<(String, String)> = DELAYS
        .iter()
        .map(|(v, l)| (v.to_string(), l.to_string()))
        .collect();
    if !delay_choices.iter().any(|(v, _)| *v == delay) {
        delay_choices.push((delay.clone(), format!("{delay} minutes after the end")));
    }
    let body = FollowupPage {
        layout,
        community_slug: view.community.community.slug.clone(),
        id: view.event.id.clone(),
        title: view.event.title.clone(),
        when: local_label(view.event.starts_at, tz),
        is_over: state.app.now() >= view.event.ends_at,
        is_ama: view.format() == EventFormat::Ama,
        recording: followup.recording.map(|r| r.url),
        recording_file: followup
            .recording_file
            .map(|f| (f.filename, f.content_type)),
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
        delay_choices,
        delay,
        archive_space: settings.archive_space_slug.unwrap_or_default(),
        max_recording_mib: state.app.settings().files.max_recording_bytes / (1024 * 1024),
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

#[derive(Deserialize, Default)]
struct SettingsForm {
    #[serde(default)]
    feedback_delay: String,
    #[serde(default)]
    archive_space: String,
}

/// The hosts' choices for what happens on its own after the event.
async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<SettingsForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let result = async {
        let delay = townsquare_app::event_followups::parse_feedback_delay(&form.feedback_delay)
            .map_err(|m| AppError::invalid("feedback_delay", m))?;
        let space = Some(form.archive_space.trim().to_string()).filter(|s| !s.is_empty());
        state
            .app
            .set_followup_settings(
                actor,
                &view,
                &townsquare_app::event_followups::FollowupSettings {
                    feedback_delay_minutes: delay,
                    archive_space_slug: space,
                },
            )
            .await
    }
    .await
    .map(|_| "Saved: what happens after the event.".to_string());
    done(&state, &ctx, &view, result).await
}

fn multipart_error(e: MultipartError) -> AppError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        AppError::TooLarge("The upload is too large.".into())
    } else {
        AppError::invalid("file", "The form could not be read; choose the file again.")
    }
}

/// Reads the upload form: the CSRF token (first in the form) is checked before a byte of the
/// file is stored; the file streams to storage as it arrives.
async fn read_recording_form(
    state: &AppState,
    ctx: &Ctx,
    view: &EventView,
    req: Request,
) -> Result<(), AppError> {
    let actor = ctx.actor()?;
    if !view.can_host() {
        return Err(AppError::Forbidden(
            "Only the event's hosts can do this.".into(),
        ));
    }
    let mut multipart = Multipart::from_request(req, state)
        .await
        .map_err(|_| AppError::invalid("file", "Send the form with the file attached."))?;
    let mut checked = false;
    let mut uploaded = false;
    while let Some(field) = multipart.next_field().await.map_err(multipart_error)? {
        match field.name() {
            Some("csrf_token") => {
                let token = field.text().await.map_err(multipart_error)?;
                ctx.check_csrf(Some(token.trim()))?;
                checked = true;
            }
            Some("recording") if checked && !uploaded => {
                let filename = field.file_name().unwrap_or("").to_string();
                let declared = field.content_type().unwrap_or("").to_string();
                if filename.is_empty() {
                    continue;
                }
                let chunks = field.map_err(multipart_error);
                state
                    .app
                    .upload_recording(actor, view, &filename, &declared, chunks)
                    .await?;
                uploaded = true;
            }
            _ => {}
        }
    }
    if !checked {
        ctx.check_csrf(None)?;
    }
    if uploaded {
        Ok(())
    } else {
        Err(AppError::invalid("file", "Choose the recording's file."))
    }
}

/// Uploads the recording's file (hosts). Too large or not video/audio: the page again with
/// the reason next to the field.
async fn upload_recording(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    req: Request,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let result = match read_recording_form(&state, &ctx, &view, req).await {
        Err(AppError::TooLarge(m)) => Err(AppError::invalid("file", m)),
        other => other.map(|_| "Recording uploaded.".to_string()),
    };
    done(&state, &ctx, &view, result).await
}

/// The uploaded recording's bytes for the event page's player, for whoever may see the
/// event; answers one byte range with 206 so the player can seek.
async fn recording_media(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Response, HtmlError> {
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let body = state
        .app
        .recording_media(
            ctx.actor.as_ref(),
            &view,
            super::files::range_header(&headers),
        )
        .await?;
    Ok(super::files::file_response(body, true))
}
