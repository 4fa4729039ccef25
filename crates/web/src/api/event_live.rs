//! An event's live Q&A board and polls in the API (registrants and hosts).

use super::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::event_live::PollView;
use townsquare_app::events::EventView;
use townsquare_app::Actor;
use townsquare_domain::event_live::PollDraft;
use utoipa::ToSchema;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/events/{id}/questions", get(list_questions))
        .post("/api/v1/events/{id}/questions", post(ask))
        .put("/api/v1/events/{id}/questions/{question}/vote", put(upvote))
        .delete(
            "/api/v1/events/{id}/questions/{question}/vote",
            axum::routing::delete(withdraw_vote),
        )
        .put(
            "/api/v1/events/{id}/questions/{question}/answer",
            put(answer),
        )
        .put("/api/v1/events/{id}/questions/{question}/hidden", put(hide))
        .get("/api/v1/events/{id}/polls", get(list_polls))
        .post("/api/v1/events/{id}/polls", post(create_poll))
        .put("/api/v1/events/{id}/polls/{poll}/status", put(poll_status))
        .post("/api/v1/events/{id}/polls/{poll}/ballot", post(vote))
}

#[derive(Serialize, ToSchema)]
pub struct Question {
    id: String,
    body: String,
    author_id: String,
    author_name: String,
    votes: i64,
    /// Whether the caller upvoted it.
    voted: bool,
    /// RFC 3339, when a host marked it answered; null otherwise.
    answered_at: Option<String>,
    /// The host's written answer (Markdown); empty if answered aloud or not yet.
    answer: String,
    /// Hidden questions are listed to hosts only.
    hidden: bool,
    created_at: String,
}

#[derive(Serialize, ToSchema)]
pub struct QuestionBoard {
    /// Most upvoted first, then oldest first.
    questions: Vec<Question>,
    /// Whether the board takes questions now, and why not when it does not.
    open: bool,
    closed_reason: Option<String>,
}

async fn viewer(state: &AppState, ctx: &ApiCtx, id: &str) -> Result<(Actor, EventView), ApiError> {
    let actor = ctx.actor()?.clone();
    let view = state.app.event(Some(&actor), id).await?;
    Ok((actor, view))
}

async fn board(
    state: &AppState,
    actor: &Actor,
    view: &EventView,
) -> Result<QuestionBoard, ApiError> {
    let b = state.app.event_board(actor, view).await?;
    Ok(QuestionBoard {
        open: b.closed_reason.is_none(),
        closed_reason: b.closed_reason.map(str::to_string),
        questions: b
            .questions
            .into_iter()
            .map(|q| Question {
                id: q.question.id,
                body: q.question.body,
                author_id: q.question.author_id,
                author_name: q.author_name,
                votes: q.question.vote_count,
                voted: q.voted,
                answered_at: q.question.answered_at.map(iso),
                answer: q.question.answer,
                hidden: q.question.hidden_at.is_some(),
                created_at: iso(q.question.created_at),
            })
            .collect(),
    })
}

/// The event's Q&A board (registrants and hosts).
#[utoipa::path(get, path = "/api/v1/events/{id}/questions", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = QuestionBoard), (status = 403), (status = 404)))]
pub async fn list_questions(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<QuestionBoard>, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    Ok(Json(board(&state, &actor, &view).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct QuestionBody {
    /// 5 to 500 characters.
    body: Option<String>,
}

/// Ask a question (registrants, and hosts who are members). An AMA takes questions from
/// registration until its end; other formats from 15 minutes before the start.
#[utoipa::path(post, path = "/api/v1/events/{id}/questions", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = QuestionBody,
    responses((status = 201, body = QuestionBoard), (status = 403), (status = 404), (status = 422)))]
pub async fn ask(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<QuestionBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    state
        .app
        .ask_question(&actor, &view, b.body.as_deref().unwrap_or_default())
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(board(&state, &actor, &view).await?),
    ))
}

/// Upvote a question (once per member; repeating changes nothing).
#[utoipa::path(put, path = "/api/v1/events/{id}/questions/{question}/vote", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("question" = String, Path)),
    responses((status = 200, body = QuestionBoard), (status = 403), (status = 404), (status = 422)))]
pub async fn upvote(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, question)): Path<(String, String)>,
) -> Result<Json<QuestionBoard>, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    state
        .app
        .set_question_vote(&actor, &view, &question, true)
        .await?;
    Ok(Json(board(&state, &actor, &view).await?))
}

/// Take one's upvote back.
#[utoipa::path(delete, path = "/api/v1/events/{id}/questions/{question}/vote", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("question" = String, Path)),
    responses((status = 200, body = QuestionBoard), (status = 403), (status = 404), (status = 422)))]
pub async fn withdraw_vote(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, question)): Path<(String, String)>,
) -> Result<Json<QuestionBoard>, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    state
        .app
        .set_question_vote(&actor, &view, &question, false)
        .await?;
    Ok(Json(board(&state, &actor, &view).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct AnswerBody {
    /// false to mark the question unanswered again.
    answered: bool,
    /// The written answer (Markdown, optional).
    answer: Option<String>,
}

/// Mark a question answered, with an optional written answer, or unanswered (hosts).
#[utoipa::path(put, path = "/api/v1/events/{id}/questions/{question}/answer", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("question" = String, Path)), request_body = AnswerBody,
    responses((status = 200, body = QuestionBoard), (status = 403), (status = 404), (status = 422)))]
pub async fn answer(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, question)): Path<(String, String)>,
    JsonBody(b): JsonBody<AnswerBody>,
) -> Result<Json<QuestionBoard>, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    let text = b.answer.unwrap_or_default();
    state
        .app
        .answer_question(
            &actor,
            &view,
            &question,
            b.answered.then_some(text.as_str()),
        )
        .await?;
    Ok(Json(board(&state, &actor, &view).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct HiddenBody {
    hidden: bool,
}

/// Hide a question from everyone but the hosts, or show it again (hosts).
#[utoipa::path(put, path = "/api/v1/events/{id}/questions/{question}/hidden", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("question" = String, Path)), request_body = HiddenBody,
    responses((status = 200, body = QuestionBoard), (status = 403), (status = 404)))]
pub async fn hide(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, question)): Path<(String, String)>,
    JsonBody(b): JsonBody<HiddenBody>,
) -> Result<Json<QuestionBoard>, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    state
        .app
        .hide_question(&actor, &view, &question, b.hidden)
        .await?;
    Ok(Json(board(&state, &actor, &view).await?))
}

#[derive(Serialize, ToSchema)]
pub struct PollOption {
    id: String,
    label: String,
    /// Ballots that chose it; null while the results are hidden from the caller.
    votes: Option<i64>,
    /// Whether the caller chose it.
    chosen: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Poll {
    id: String,
    question: String,
    /// single or multiple.
    choice: String,
    /// after_vote or after_close: when voters see the results (hosts always do).
    results: String,
    /// draft (hosts only), open or closed.
    status: String,
    results_visible: bool,
    /// Ballots cast; null while the results are hidden from the caller.
    ballots: Option<i64>,
    voted: bool,
    options: Vec<PollOption>,
}

fn poll(p: PollView) -> Poll {
    let visible = p.results_visible;
    let voted = p.has_voted();
    Poll {
        id: p.poll.id,
        question: p.poll.question,
        choice: p.poll.choice,
        results: p.poll.results,
        status: p.poll.status,
        results_visible: visible,
        ballots: visible.then_some(p.ballots),
        voted,
        options: p
            .options
            .into_iter()
            .map(|o| PollOption {
                chosen: p.my_choices.contains(&o.id),
                votes: visible.then_some(o.votes),
                id: o.id,
                label: o.label,
            })
            .collect(),
    }
}

/// The event's polls, oldest first (registrants and hosts; drafts for hosts only).
#[utoipa::path(get, path = "/api/v1/events/{id}/polls", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)),
    responses((status = 200, body = [Poll]), (status = 403), (status = 404)))]
pub async fn list_polls(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
) -> Result<Json<Vec<Poll>>, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    let polls = state.app.event_polls(&actor, &view).await?;
    Ok(Json(polls.into_iter().map(poll).collect()))
}

#[derive(Deserialize, ToSchema)]
pub struct PollBody {
    question: Option<String>,
    /// 2 to 10 different options.
    #[serde(default)]
    options: Vec<String>,
    /// single (the default) or multiple.
    choice: Option<String>,
    /// after_vote (the default) or after_close.
    results: Option<String>,
    /// true to open it for voting at once; a draft otherwise.
    #[serde(default)]
    open: bool,
}

/// Add a poll to the event (hosts).
#[utoipa::path(post, path = "/api/v1/events/{id}/polls", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path)), request_body = PollBody,
    responses((status = 201, body = Poll), (status = 403), (status = 404), (status = 422)))]
pub async fn create_poll(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(id): Path<String>,
    JsonBody(b): JsonBody<PollBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    let draft = PollDraft {
        question: b.question.unwrap_or_default(),
        options: b.options,
        choice: b.choice.unwrap_or_default(),
        results: b.results.unwrap_or_default(),
    };
    let row = state.app.create_poll(&actor, &view, &draft, b.open).await?;
    let shown = state.app.event_poll(&actor, &view, &row.id).await?;
    Ok((StatusCode::CREATED, Json(poll(shown))))
}

#[derive(Deserialize, ToSchema)]
pub struct PollStatusBody {
    /// open or closed.
    status: String,
}

/// Open a poll for voting, or close it (hosts).
#[utoipa::path(put, path = "/api/v1/events/{id}/polls/{poll}/status", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("poll" = String, Path)), request_body = PollStatusBody,
    responses((status = 200, body = Poll), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn poll_status(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, poll_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<PollStatusBody>,
) -> Result<Json<Poll>, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    state
        .app
        .set_poll_status(&actor, &view, &poll_id, &b.status)
        .await?;
    Ok(Json(poll(
        state.app.event_poll(&actor, &view, &poll_id).await?,
    )))
}

#[derive(Deserialize, ToSchema)]
pub struct BallotBody {
    /// The chosen option ids: exactly one for a single-choice poll.
    #[serde(default)]
    option_ids: Vec<String>,
}

/// Vote in an open poll (registrants, and hosts who are members), once.
#[utoipa::path(post, path = "/api/v1/events/{id}/polls/{poll}/ballot", tag = "events", security(("bearer" = [])),
    params(("id" = String, Path), ("poll" = String, Path)), request_body = BallotBody,
    responses((status = 201, body = Poll), (status = 403), (status = 404), (status = 409, description = "Already voted"), (status = 422)))]
pub async fn vote(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path((id, poll_id)): Path<(String, String)>,
    JsonBody(b): JsonBody<BallotBody>,
) -> Result<impl IntoResponse, ApiError> {
    let (actor, view) = viewer(&state, &ctx, &id).await?;
    state
        .app
        .vote_in_poll(&actor, &view, &poll_id, &b.option_ids)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(poll(state.app.event_poll(&actor, &view, &poll_id).await?)),
    ))
}
