//! The live page of an event: the Q&A board and the polls, for registrants and hosts.
//! Works without JavaScript (every action is a form that comes back to the page); with it,
//! app.js follows `event:<id>` on the realtime stream and refreshes the lists.

use super::events::event_in;
use super::{page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::html::format::{ago, iso};
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::event_live::{Board, PollView};
use townsquare_app::events::{local_label, EventView};
use townsquare_app::AppError;
use townsquare_domain::event_live::{PollDraft, QUESTION_MAX_CHARS};
use townsquare_domain::{markdown, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/events/{event}/live", get(show))
        .post("/c/{slug}/events/{event}/questions", post(ask))
        .post(
            "/c/{slug}/events/{event}/questions/{question}/vote",
            post(vote),
        )
        .post(
            "/c/{slug}/events/{event}/questions/{question}/answer",
            post(answer),
        )
        .post(
            "/c/{slug}/events/{event}/questions/{question}/hide",
            post(hide),
        )
        .post("/c/{slug}/events/{event}/polls", post(create_poll))
        .post(
            "/c/{slug}/events/{event}/polls/{poll}/status",
            post(poll_status),
        )
        .post(
            "/c/{slug}/events/{event}/polls/{poll}/vote",
            post(poll_vote),
        )
}

pub struct QuestionItem {
    pub id: String,
    pub body: String,
    pub author: String,
    pub asked_ago: String,
    pub asked_iso: String,
    pub votes: i64,
    pub voted: bool,
    pub answered: bool,
    pub answer_html: String,
    pub answer: String,
    pub hidden: bool,
    pub mine: bool,
}

pub struct OptionItem {
    pub id: String,
    pub label: String,
    pub votes: i64,
    pub percent: i64,
    pub chosen: bool,
}

pub struct PollItem {
    pub id: String,
    pub question: String,
    pub status: String,
    pub multiple: bool,
    pub after_close: bool,
    pub results_visible: bool,
    pub ballots: i64,
    pub voted: bool,
    pub options: Vec<OptionItem>,
}

impl PollItem {
    fn of(p: PollView) -> PollItem {
        let total: i64 = p.options.iter().map(|o| o.votes).sum();
        let voted = p.has_voted();
        PollItem {
            id: p.poll.id.clone(),
            question: p.poll.question.clone(),
            status: p.poll.status.clone(),
            multiple: p.choice == townsquare_domain::event_live::PollChoice::Multiple,
            after_close: p.results == townsquare_domain::event_live::PollResults::AfterClose,
            results_visible: p.results_visible,
            ballots: p.ballots,
            voted,
            options: p
                .options
                .into_iter()
                .map(|o| OptionItem {
                    chosen: p.my_choices.contains(&o.id),
                    percent: if total > 0 { o.votes * 100 / total } else { 0 },
                    id: o.id,
                    label: o.label,
                    votes: o.votes,
                })
                .collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "events/live.html")]
struct LivePage {
    layout: Layout,
    community_slug: String,
    id: String,
    title: String,
    when: String,
    is_ama: bool,
    can_host: bool,
    can_take_part: bool,
    closed_reason: Option<&'static str>,
    questions: Vec<QuestionItem>,
    polls: Vec<PollItem>,
    errors: ValidationErrors,
    draft_question: String,
    max_chars: usize,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    view: &EventView,
    status: StatusCode,
    errors: ValidationErrors,
    draft_question: String,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let Board {
        questions,
        closed_reason,
        can_take_part,
    } = state.app.event_board(actor, view).await?;
    let polls = state.app.event_polls(actor, view).await?;
    let now = state.app.now();
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(state, ctx, &format!("Q&A: {}", view.event.title))
        .await?
        .in_community(&view.community, &spaces, Some(&view.space.slug));
    let body = LivePage {
        layout,
        community_slug: view.community.community.slug.clone(),
        id: view.event.id.clone(),
        title: view.event.title.clone(),
        when: local_label(view.event.starts_at, view.time_zone()),
        is_ama: view.format() == townsquare_domain::events::EventFormat::Ama,
        can_host: view.can_host(),
        can_take_part,
        closed_reason,
        questions: questions
            .into_iter()
            .map(|q| QuestionItem {
                mine: q.question.author_id == actor.user_id,
                id: q.question.id,
                body: q.question.body,
                author: q.author_name,
                asked_ago: ago(q.question.created_at, now),
                asked_iso: iso(q.question.created_at),
                votes: q.question.vote_count,
                voted: q.voted,
                answered: q.question.answered_at.is_some(),
                answer_html: markdown::render(&q.question.answer),
                answer: q.question.answer,
                hidden: q.question.hidden_at.is_some(),
            })
            .collect(),
        polls: polls.into_iter().map(PollItem::of).collect(),
        errors,
        draft_question,
        max_chars: QUESTION_MAX_CHARS,
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
    render(
        &state,
        &ctx,
        &view,
        StatusCode::OK,
        ValidationErrors::new(),
        String::new(),
    )
    .await
}

fn back(slug: &str, event: &str, anchor: &str, message: &str) -> Response {
    redirect_with_flash(&format!("/c/{slug}/events/{event}/live#{anchor}"), message)
}

/// Re-renders the page with a form's field errors (422); other failures are error pages.
async fn refused(
    state: &AppState,
    ctx: &Ctx,
    view: &EventView,
    e: AppError,
    draft_question: String,
) -> Result<Response, HtmlError> {
    let errors = super::form_errors(e)?;
    render(
        state,
        ctx,
        view,
        StatusCode::UNPROCESSABLE_ENTITY,
        errors,
        draft_question,
    )
    .await
}

#[derive(Deserialize, Default)]
struct AskForm {
    #[serde(default)]
    body: String,
}

async fn ask(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<AskForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    match state.app.ask_question(actor, &view, &form.body).await {
        Ok(q) => Ok(back(
            &slug,
            &event,
            &format!("q-{}", q.id),
            "Question sent.",
        )),
        Err(e) => refused(&state, &ctx, &view, e, form.body).await,
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, question)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let voted = state
        .app
        .toggle_question_vote(actor, &view, &question)
        .await?;
    Ok(back(
        &slug,
        &event,
        &format!("q-{question}"),
        if voted {
            "Upvoted."
        } else {
            "Upvote taken back."
        },
    ))
}

#[derive(Deserialize, Default)]
struct AnswerForm {
    #[serde(default)]
    answer: String,
    /// "0" to mark the question unanswered again.
    #[serde(default)]
    answered: String,
}

async fn answer(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, question)): Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<AnswerForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let answered = form.answered != "0";
    let result = state
        .app
        .answer_question(
            actor,
            &view,
            &question,
            answered.then_some(form.answer.as_str()),
        )
        .await;
    match result {
        Ok(()) => Ok(back(
            &slug,
            &event,
            &format!("q-{question}"),
            if answered {
                "Marked answered."
            } else {
                "Marked unanswered."
            },
        )),
        Err(e) => refused(&state, &ctx, &view, e, String::new()).await,
    }
}

#[derive(Deserialize, Default)]
struct HideForm {
    /// "0" to show the question again.
    #[serde(default)]
    hidden: String,
}

async fn hide(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, question)): Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<HideForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let hidden = form.hidden != "0";
    state
        .app
        .hide_question(actor, &view, &question, hidden)
        .await?;
    Ok(back(
        &slug,
        &event,
        "questions",
        if hidden {
            "Question hidden."
        } else {
            "Question shown again."
        },
    ))
}

/// The poll form: `question`, `choice`, `results`, `open` and one `option` field per option
/// (read from the raw pairs, since a form repeats the name).
async fn create_poll(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let field = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let draft = PollDraft {
        question: field("question"),
        options: pairs
            .iter()
            .filter(|(k, _)| k == "option")
            .map(|(_, v)| v.clone())
            .collect(),
        choice: field("choice"),
        results: field("results"),
    };
    let open_now = field("open") == "1";
    match state.app.create_poll(actor, &view, &draft, open_now).await {
        Ok(p) => Ok(back(
            &slug,
            &event,
            &format!("poll-{}", p.id),
            if open_now {
                "Poll opened."
            } else {
                "Poll saved as a draft."
            },
        )),
        Err(e) => refused(&state, &ctx, &view, e, String::new()).await,
    }
}

#[derive(Deserialize, Default)]
struct StatusForm {
    #[serde(default)]
    status: String,
}

async fn poll_status(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, poll)): Path<(String, String, String)>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    state
        .app
        .set_poll_status(actor, &view, &poll, &form.status)
        .await?;
    Ok(back(
        &slug,
        &event,
        &format!("poll-{poll}"),
        if form.status == "closed" {
            "Poll closed."
        } else {
            "Poll opened."
        },
    ))
}

async fn poll_vote(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, poll)): Path<(String, String, String)>,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let chosen: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "option")
        .map(|(_, v)| v)
        .collect();
    match state.app.vote_in_poll(actor, &view, &poll, &chosen).await {
        Ok(()) => Ok(back(
            &slug,
            &event,
            &format!("poll-{poll}"),
            "Vote counted.",
        )),
        Err(e) => refused(&state, &ctx, &view, e, String::new()).await,
    }
}
