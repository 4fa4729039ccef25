//! After an event, in the API: materials, the recap, the feedback request, feedback, and the
//! AMA archive.

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Json;
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use townsquare_app::event_followups::FollowupSettings as Settings;
use townsquare_app::events::EventView;
use townsquare_app::AppError;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/events/{id}/followup", get(followup))
        .put("/api/v1/events/{id}/recording", put(set_recording))
        .post("/api/v1/events/{id}/resources", post(add_resource))
        .post("/api/v1/events/{id}/recap", post(publish_recap))
        .post(
            "/api/v1/events/{id}/feedback-request",
            post(request_feedback),
        )
        .put("/api/v1/events/{id}/feedback", put(give_feedback))
        .get("/api/v1/events/{id}/feedback", get(feedback_summary))
        .post("/api/v1/events/{id}/ama-archive", post(archive))
        .get(
            "/api/v1/events/{id}/followup-settings",
            get(followup_settings),
        )
        .put(
            "/api/v1/events/{id}/followup-settings",
            put(set_followup_settings),
        )
        .put(
            "/api/v1/events/{id}/recording/file",
            put(upload_recording).layer(DefaultBodyLimit::max(super::files::UPLOAD_BODY_CEILING)),
        )
}

#[derive(Serialize, ToSchema)]
pub struct Resource {
    id: String,
    title: String,
    url: String,
}

#[derive(Serialize, ToSchema)]
pub struct RecordingFile {
    content_type: String,
    size_bytes: i64,
    /// The player's address: whoever may see the event; `Range` requests get 206.
    media_url: String,
}

#[derive(Serialize, ToSchema)]
pub struct Followup {
    /// The recording's address on this server: opening it counts the view and redirects.
    recording_url: Option<String>,
    /// An uploaded recording: its type and size, and where it plays (byte ranges answered).
    recording_file: Option<RecordingFile>,
    resources: Vec<Resource>,
    recap_topic_id: Option<String>,
    archive_topic_id: Option<String>,
}

async fn followup_of(state: &AppState, view: &EventView) -> Result<Followup, ApiError> {
    let f = state.app.event_followup(view).await?;
    let event_url = state
        .app
        .event_url(&view.community.community.slug, &view.event.id);
    Ok(Followup {
        recording_file: f.recording_file.map(|file| RecordingFile {
            content_type: file.content_type,
            size_bytes: file.size_bytes,
            media_url: format!("{event_url}/recording/media"),
        }),
        recording_url: f.recording.map(|_| {
            format!(
                "{}/recording",
                state
                    .app
                    .event_url(&view.community.community.slug, &view.event.id)
            )
        }),
        resources: f
            .resources
            .into_iter()
            .map(|r| Resource {
                id: r.id,
                title: r.title,
                url: r.url,
            })
            .collect(),
        recap_topic_id: f.state.recap_topic_id,
        archive_topic_id: f.state.archive_topic_id,
    })
}

/// What the event left behind: recording, resources, recap and archive topics (whoever may
/// see the event).
#[utoipa::path(get, path = "/api/v1/events/{id}/followup", tag = "events",
    params(("id" = String, Path)),
    responses((status = 200, body = Followup), (status = 404)))]
pub async fn followup(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Followup>, ApiError> {
    let view = state.app.event(ctx.0.actor.as_ref(), &id).await?;
    Ok(Json(followup_of(&state, &view).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RecordingBody {
    /// https://… or an uploaded file's /files/… address.
    url: Option<String>,
}

/// Attach the recording, replacing an earlier one (hosts).
#[utoipa::path(put, path = "/api/v1/events/{id}/recording", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RecordingBody,
    responses((status = 200, body = Followup), (status = 403), (status = 404), (status = 422)))]
pub async fn set_recording(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<RecordingBody>,
) -> Result<Json<Followup>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    state
        .app
        .set_recording(actor, &view, b.url.as_deref().unwrap_or_default())
        .await?;
    Ok(Json(followup_of(&state, &view).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct ResourceBody {
    title: Option<String>,
    /// https://… or an uploaded file's /files/… address.
    url: Option<String>,
}

/// Add a resource: slides, notes, a file (hosts).
#[utoipa::path(post, path = "/api/v1/events/{id}/resources", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ResourceBody,
    responses((status = 201, body = Followup), (status = 403), (status = 404), (status = 422)))]
pub async fn add_resource(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ResourceBody>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    state
        .app
        .add_resource(
            actor,
            &view,
            b.title.as_deref().unwrap_or_default(),
            b.url.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok((StatusCode::CREATED, Json(followup_of(&state, &view).await?)))
}

#[derive(Deserialize, ToSchema)]
pub struct RecapBody {
    /// The discussion space's slug.
    space: Option<String>,
    /// "Recap: <event title>" when left out.
    title: Option<String>,
    /// Markdown.
    body: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct TopicCreated {
    topic_id: String,
    /// True if the community's automatic rules hold it for a moderator's approval.
    held: bool,
}

/// Publish the recap as a topic in a discussion space, linked from the event; once (hosts).
#[utoipa::path(post, path = "/api/v1/events/{id}/recap", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = RecapBody,
    responses((status = 201, body = TopicCreated), (status = 403), (status = 404), (status = 409, description = "Already published"), (status = 422)))]
pub async fn publish_recap(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<RecapBody>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    let topic = state
        .app
        .publish_recap(
            actor,
            &view,
            b.space.as_deref().unwrap_or_default(),
            b.title.as_deref().unwrap_or_default(),
            b.body.as_deref().unwrap_or_default(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TopicCreated {
            topic_id: topic.id,
            held: topic.held_at.is_some(),
        }),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackRequested {
    /// Attendees e-mailed.
    asked: usize,
}

/// E-mail every attendee the feedback form, once, after the event (hosts).
#[utoipa::path(post, path = "/api/v1/events/{id}/feedback-request", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FeedbackRequested), (status = 403), (status = 404), (status = 409, description = "Already sent"), (status = 422, description = "Not over yet")))]
pub async fn request_feedback(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<FeedbackRequested>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    let asked = state.app.request_feedback(actor, &view).await?;
    Ok(Json(FeedbackRequested { asked }))
}

#[derive(Deserialize, ToSchema)]
pub struct FeedbackBody {
    /// 1 to 5.
    rating: i64,
    comment: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct MyFeedback {
    rating: i64,
    comment: String,
    updated_at: String,
}

/// Give (or change) one's feedback on an event one attended, after its end.
#[utoipa::path(put, path = "/api/v1/events/{id}/feedback", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = FeedbackBody,
    responses((status = 200, body = MyFeedback), (status = 403, description = "Not an attendee"), (status = 404), (status = 422)))]
pub async fn give_feedback(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<FeedbackBody>,
) -> Result<Json<MyFeedback>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    state
        .app
        .give_feedback(
            actor,
            &view,
            b.rating,
            b.comment.as_deref().unwrap_or_default(),
        )
        .await?;
    let saved = state
        .app
        .my_feedback(actor, &view)
        .await?
        .ok_or(townsquare_app::AppError::NotFound("feedback"))?;
    Ok(Json(MyFeedback {
        rating: saved.rating,
        comment: saved.comment,
        updated_at: iso(saved.updated_at),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackComment {
    display_name: String,
    rating: i64,
    comment: String,
}

#[derive(Serialize, ToSchema)]
pub struct FeedbackSummary {
    count: i64,
    /// Mean rating, one decimal; null before any feedback.
    average: Option<f64>,
    /// How many rated 1, 2, 3, 4 and 5.
    distribution: Vec<i64>,
    /// Newest first; comments may be empty.
    entries: Vec<FeedbackComment>,
    /// RFC 3339, when attendees were e-mailed the form.
    requested_at: Option<String>,
}

/// Feedback on the event: average, distribution and comments (hosts).
#[utoipa::path(get, path = "/api/v1/events/{id}/feedback", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FeedbackSummary), (status = 403), (status = 404)))]
pub async fn feedback_summary(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<FeedbackSummary>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    let s = state.app.feedback_summary(&view).await?;
    Ok(Json(FeedbackSummary {
        count: s.count,
        average: s.average_tenths.map(|t| t as f64 / 10.0),
        distribution: s.distribution.to_vec(),
        entries: s
            .entries
            .into_iter()
            .map(|e| FeedbackComment {
                display_name: e.display_name,
                rating: e.rating,
                comment: e.comment,
            })
            .collect(),
        requested_at: s.requested_at.map(iso),
    }))
}

#[derive(Deserialize, ToSchema)]
pub struct ArchiveBody {
    /// The discussion space's slug.
    space: Option<String>,
}

/// Turn an AMA's answered questions into one topic in a discussion space, once, after the
/// AMA ended (hosts).
#[utoipa::path(post, path = "/api/v1/events/{id}/ama-archive", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = ArchiveBody,
    responses((status = 201, body = TopicCreated), (status = 403), (status = 404), (status = 409, description = "Already archived"), (status = 422)))]
pub async fn archive(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<ArchiveBody>,
) -> Result<impl IntoResponse, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    let topic = state
        .app
        .archive_ama(actor, &view, b.space.as_deref().unwrap_or_default())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(TopicCreated {
            topic_id: topic.id,
            held: topic.held_at.is_some(),
        }),
    ))
}

/// Absent stays None (keep as it is); null becomes Some(None).
fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

#[derive(Serialize, ToSchema)]
pub struct FollowupSettings {
    /// Minutes after the end the feedback request goes out on its own; null: off.
    feedback_delay_minutes: Option<i64>,
    /// The discussion space an AMA's answered questions are archived to at its end; null:
    /// the community's first public discussion space, for an AMA in a public space.
    archive_space: Option<String>,
}

impl From<Settings> for FollowupSettings {
    fn from(s: Settings) -> Self {
        FollowupSettings {
            feedback_delay_minutes: s.feedback_delay_minutes,
            archive_space: s.archive_space_slug,
        }
    }
}

#[derive(Deserialize, ToSchema)]
pub struct FollowupSettingsBody {
    /// 0 to 20160 minutes after the end, or null for off; absent: unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<i64>)]
    feedback_delay_minutes: Option<Option<i64>>,
    /// A discussion space's slug, or null for the default; absent: unchanged.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    archive_space: Option<Option<String>>,
}

/// What happens on its own after the event: the feedback request's delay and the AMA
/// archive's space (hosts).
#[utoipa::path(get, path = "/api/v1/events/{id}/followup-settings", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = FollowupSettings), (status = 403), (status = 404)))]
pub async fn followup_settings(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<FollowupSettings>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    Ok(Json(state.app.followup_settings(&view).await?.into()))
}

/// Change what happens on its own after the event (hosts); the jobs are queued anew.
#[utoipa::path(put, path = "/api/v1/events/{id}/followup-settings", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = FollowupSettingsBody,
    responses((status = 200, body = FollowupSettings), (status = 403), (status = 404), (status = 422)))]
pub async fn set_followup_settings(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<FollowupSettingsBody>,
) -> Result<Json<FollowupSettings>, ApiError> {
    let actor = ctx.actor()?;
    let view = state.app.event(Some(actor), &id).await?;
    let current = state.app.followup_settings(&view).await?;
    let settings = Settings {
        feedback_delay_minutes: b
            .feedback_delay_minutes
            .unwrap_or(current.feedback_delay_minutes),
        archive_space_slug: b.archive_space.unwrap_or(current.archive_space_slug),
    };
    Ok(Json(
        state
            .app
            .set_followup_settings(actor, &view, &settings)
            .await?
            .into(),
    ))
}

/// The form of a recording upload.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct RecordingUpload {
    /// The video or audio file (MP4, WebM, MP3, M4A/AAC, Ogg; decided from its bytes).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
}

/// Upload the recording's file, replacing an earlier recording (hosts). At most 500 MiB
/// unless the server is configured otherwise: a larger body is refused (413) while it is read.
#[utoipa::path(put, path = "/api/v1/events/{id}/recording/file", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    request_body(content = RecordingUpload, content_type = "multipart/form-data"),
    responses((status = 200, body = Followup), (status = 403), (status = 404), (status = 413), (status = 422)))]
pub async fn upload_recording(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    req: Request,
) -> Result<Json<Followup>, ApiError> {
    let actor = ctx.actor()?.clone();
    let view = state.app.event(Some(&actor), &id).await?;
    if !view.can_host() {
        return Err(ApiError(AppError::Forbidden(
            "Only the event's hosts can do this.".into(),
        )));
    }
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError(AppError::invalid(
            "body",
            "Send the file as multipart/form-data, in a part named \"file\".",
        )));
    }
    let mut multipart = Multipart::from_request(req, &state).await.map_err(|e| {
        ApiError(AppError::invalid(
            "body",
            format!("The multipart body could not be read: {}", e.body_text()),
        ))
    })?;
    let read_error = |e: axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge("The upload is too large.".into())
        } else {
            AppError::invalid(
                "body",
                format!("The multipart body could not be read: {}", e.body_text()),
            )
        }
    };
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| ApiError(read_error(e)))?
    {
        if field.name() == Some("file") {
            let filename = field.file_name().unwrap_or("").to_string();
            let declared = field.content_type().unwrap_or("").to_string();
            let chunks = field.map_err(read_error);
            state
                .app
                .upload_recording(&actor, &view, &filename, &declared, chunks)
                .await?;
            return Ok(Json(followup_of(&state, &view).await?));
        }
    }
    Err(ApiError(AppError::invalid(
        "file",
        "Add the file in a part named \"file\".",
    )))
}
