//! Attendance at an event: the hosts' list with check-in buttons, and the page a host's
//! phone opens from a member's QR code.

use super::events::event_in;
use super::{page, redirect_with_flash, Layout};
use crate::context::{CsrfForm, Ctx};
use crate::csv_export::spreadsheet_safe;
use crate::error::HtmlError;
use crate::html::format::iso;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::events::local_label;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/events/{event}/attendance", get(list))
        .post("/c/{slug}/events/{event}/attendance", post(mark))
        .get(
            "/c/{slug}/events/{event}/check-in/{code}",
            get(confirm_form),
        )
        .post("/c/{slug}/events/{event}/check-in/{code}", post(check_in))
        .get(
            "/c/{slug}/events/{event}/registrants.csv",
            get(registrants_csv),
        )
}

pub struct Row {
    pub user_id: String,
    pub name: String,
    pub waitlisted: bool,
    /// The name of their ticket type.
    pub ticket_type: String,
    pub checked_in: Option<String>,
    /// Answers to the registration questions, in their order ("" when not answered).
    pub answers: Vec<String>,
}

#[derive(Template)]
#[template(path = "events/attendance.html")]
struct ListPage {
    layout: Layout,
    community_slug: String,
    id: String,
    title: String,
    when: String,
    registered: i64,
    checked_in: i64,
    rate: Option<i64>,
    /// Attendees who asked or upvoted a question or voted in a poll, and their share.
    participants: i64,
    participation_rate: Option<i64>,
    /// The registration questions, one column each.
    questions: Vec<String>,
    rows: Vec<Row>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let (questions, registrants) = state.app.registrant_answers(&view).await?;
    let participation = state.app.participation(&view).await?;
    let tz = view.time_zone();
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(&state, &ctx, &format!("Attendance: {}", view.event.title))
        .await?
        .in_community(&view.community, &spaces, Some(&view.space.slug));
    let body = ListPage {
        layout,
        community_slug: slug,
        id: view.event.id.clone(),
        title: view.event.title.clone(),
        when: local_label(view.event.starts_at, tz),
        registered: participation.registered,
        checked_in: participation.checked_in,
        rate: participation.attendance_rate(),
        participants: participation.participants,
        participation_rate: participation.participation_rate(),
        questions: questions.into_iter().map(|q| q.question.prompt).collect(),
        rows: registrants
            .into_iter()
            .map(|a| {
                let r = a.registrant;
                Row {
                    user_id: r.user_id,
                    name: r.display_name,
                    waitlisted: r.status == "waitlisted",
                    ticket_type: r.ticket_type,
                    checked_in: r.checked_in_at.map(|t| local_label(t, tz)),
                    answers: a
                        .answers
                        .into_iter()
                        .map(Option::unwrap_or_default)
                        .collect(),
                }
            })
            .collect(),
    };
    Ok(page(StatusCode::OK, &body, ctx.flash.is_some()))
}

#[derive(Deserialize, Default)]
struct MarkForm {
    #[serde(default)]
    user_id: String,
    /// "1" to check in, "0" to take it back.
    #[serde(default)]
    present: String,
}

async fn mark(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<MarkForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let present = form.present != "0";
    state
        .app
        .set_attendance(actor, &view, &form.user_id, present)
        .await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}/attendance"),
        if present {
            "Checked in."
        } else {
            "Check-in taken back."
        },
    ))
}

#[derive(Template)]
#[template(path = "events/check_in.html")]
struct ConfirmPage {
    layout: Layout,
    community_slug: String,
    id: String,
    code: String,
    title: String,
    name: String,
    already: Option<String>,
}

async fn confirm_form(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, code)): Path<(String, String, String)>,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let (registration, name) = state.app.registration_by_checkin_code(&view, &code).await?;
    let spaces = state.app.visible_spaces(&view.community).await?;
    let layout = Layout::new(&state, &ctx, "Check in").await?.in_community(
        &view.community,
        &spaces,
        Some(&view.space.slug),
    );
    let body = ConfirmPage {
        layout,
        community_slug: slug,
        id: view.event.id.clone(),
        code,
        title: view.event.title.clone(),
        name,
        already: registration
            .checked_in_at
            .map(|t| local_label(t, view.time_zone())),
    };
    Ok(page(StatusCode::OK, &body, false))
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event, code)): Path<(String, String, String)>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let name = state.app.check_in_by_code(actor, &view, &code).await?;
    Ok(redirect_with_flash(
        &format!("/c/{slug}/events/{event}/attendance"),
        &format!("{name} is checked in."),
    ))
}

/// The registrants with their answers as CSV (the event's hosts): name, status, ticket type, when they
/// registered (UTC), when they were checked in, then one column per question.
async fn registrants_csv(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, event)): Path<(String, String)>,
) -> Result<Response, HtmlError> {
    ctx.actor()?;
    let view = event_in(&state, &ctx, &slug, &event).await?;
    let (questions, rows) = state.app.registrant_answers(&view).await?;
    let internal = |e: csv::Error| townsquare_app::AppError::Internal(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = [
        "name",
        "status",
        "ticket_type",
        "registered_at",
        "checked_in_at",
    ]
    .iter()
    .map(|h| h.to_string())
    .collect();
    header.extend(questions.iter().map(|q| q.question.prompt.clone()));
    out.write_record(header.iter().map(|h| spreadsheet_safe(h)))
        .map_err(internal)?;
    for row in rows {
        let r = &row.registrant;
        let mut record = vec![
            spreadsheet_safe(&r.display_name),
            r.status.clone(),
            spreadsheet_safe(&r.ticket_type),
            iso(r.queued_at),
            r.checked_in_at.map(iso).unwrap_or_default(),
        ];
        record.extend(
            row.answers
                .iter()
                .map(|a| spreadsheet_safe(a.as_deref().unwrap_or(""))),
        );
        out.write_record(&record).map_err(internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| townsquare_app::AppError::Internal(e.to_string()))?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"event-{}-registrants.csv\"",
                    view.event.id
                ),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response())
}
