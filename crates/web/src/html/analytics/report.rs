//! The monthly leadership report page (admins): a month's key figures, charts, events, lists
//! and the manager's own highlights and insights, laid out to print (print CSS hides the
//! forms); with the forms that save the notes and the e-mail recipients.

use super::lists::ListsView;
use super::{event_lines, kpi_cards, percent, series_charts, Card, EventLine};
use crate::context::{CsrfForm, Ctx};
use crate::error::HtmlError;
use crate::html::format::iso;
use crate::html::{form_errors, page, redirect_with_flash, Layout};
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use townsquare_app::analytics::report::LeadershipReport;
use townsquare_app::analytics::EventTotals;
use townsquare_app::store::spaces::SpaceRow;
use townsquare_domain::analytics::{month_label, month_name};
use townsquare_domain::markdown;
use townsquare_domain::ValidationErrors;

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/analytics/report", get(report))
        .post("/c/{slug}/analytics/report/notes", post(save_notes))
        .post(
            "/c/{slug}/analytics/report/recipients",
            post(save_recipients),
        )
}

#[derive(Deserialize, Default)]
struct MonthQuery {
    #[serde(default)]
    month: String,
}

#[derive(Deserialize, Default)]
struct NotesForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    highlights: String,
    #[serde(default)]
    insights: String,
}

#[derive(Deserialize, Default)]
struct RecipientsForm {
    #[serde(default)]
    month: String,
    #[serde(default)]
    recipients: String,
}

/// What a failed form sent, shown again beside its errors.
#[derive(Default)]
struct Submitted {
    highlights: Option<String>,
    insights: Option<String>,
    recipients: Option<String>,
}

#[derive(Template)]
#[template(path = "analytics/report.html")]
struct ReportPage {
    layout: Layout,
    slug: String,
    community_name: String,
    month: String,
    month_name: String,
    previous_month: String,
    next_month: Option<String>,
    month_is_over: bool,
    time_zone: String,
    cards: Vec<Card>,
    mau_chart: String,
    rate_chart: String,
    events: Vec<EventLine>,
    event_totals: EventTotals,
    attendance: String,
    lists: ListsView,
    highlights_html: String,
    insights_html: String,
    highlights: String,
    insights: String,
    notes_by: String,
    recipients: String,
    recipient_count: usize,
    mailed: String,
    errors: ValidationErrors,
}

fn build(
    r: &LeadershipReport,
    layout: Layout,
    spaces: &[SpaceRow],
    sub: Submitted,
    errors: ValidationErrors,
) -> ReportPage {
    let d = &r.dashboard;
    let (mau_chart, rate_chart) = series_charts(d);
    let notes_by = match (&r.notes.updated_by_name, r.notes.updated_at) {
        (_, 0) => String::new(),
        (Some(name), at) => format!("Last saved by {name} on {}", &iso(at)[..10]),
        (None, at) => format!("Last saved on {}", &iso(at)[..10]),
    };
    let mailed = match r.mailed {
        Some((at, n)) => format!(
            "Mailed on {} to {n} address{}.",
            &iso(at)[..10],
            if n == 1 { "" } else { "es" }
        ),
        None if r.month_is_over => "Not mailed yet: it goes out at the next check, within ten minutes, when the list has an address.".into(),
        None => "This report is mailed when the month is over.".into(),
    };
    ReportPage {
        layout,
        slug: d.view.community.slug.clone(),
        community_name: d.view.community.name.clone(),
        month: month_label(r.month),
        month_name: r.month_name(),
        previous_month: month_label(r.month - 1),
        next_month: r.month_is_over.then(|| month_label(r.month + 1)),
        month_is_over: r.month_is_over,
        time_zone: d.time_zone.clone(),
        cards: kpi_cards(d),
        mau_chart,
        rate_chart,
        events: event_lines(d),
        event_totals: d.event_totals,
        attendance: percent(d.event_totals.attendance_rate),
        lists: ListsView::of(&r.lists, spaces),
        highlights_html: markdown::render(&r.notes.highlights),
        insights_html: markdown::render(&r.notes.insights),
        highlights: sub.highlights.unwrap_or_else(|| r.notes.highlights.clone()),
        insights: sub.insights.unwrap_or_else(|| r.notes.insights.clone()),
        notes_by,
        recipients: sub.recipients.unwrap_or_else(|| r.recipients.join("\n")),
        recipient_count: r.recipients.len(),
        mailed,
        errors,
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    month: &str,
    sub: Submitted,
    errors: ValidationErrors,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    // A month that cannot be read shows last month, with the message beside the picker.
    let (r, errors, status) = match state.app.leadership_report(actor, slug, month).await {
        Ok(r) => (r, errors, status),
        Err(e) => {
            let mut errors = errors;
            errors.0.extend(form_errors(e)?.0);
            let r = state.app.leadership_report(actor, slug, "").await?;
            (r, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let spaces = state.app.visible_spaces(&r.dashboard.view).await?;
    let title = format!("Community report, {}", month_name(r.month));
    let layout =
        Layout::new(state, ctx, &title)
            .await?
            .in_community(&r.dashboard.view, &spaces, None);
    let body = build(&r, layout, &spaces, sub, errors);
    Ok(page(status, &body, ctx.flash.is_some()))
}

async fn report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, HtmlError> {
    render(
        &state,
        &ctx,
        &slug,
        &q.month,
        Submitted::default(),
        ValidationErrors::new(),
    )
    .await
}

async fn save_notes(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<NotesForm>,
) -> Result<Response, HtmlError> {
    let result = state
        .app
        .save_report_notes(ctx.actor()?, &slug, &f.month, &f.highlights, &f.insights)
        .await;
    match result {
        Ok(month) => Ok(redirect_with_flash(
            &format!("/c/{slug}/analytics/report?month={}", month_label(month)),
            "Highlights and insights saved.",
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let sub = Submitted {
                highlights: Some(f.highlights),
                insights: Some(f.insights),
                recipients: None,
            };
            render(&state, &ctx, &slug, &f.month, sub, errors).await
        }
    }
}

async fn save_recipients(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    CsrfForm(f): CsrfForm<RecipientsForm>,
) -> Result<Response, HtmlError> {
    let result = state
        .app
        .save_report_recipients(ctx.actor()?, &slug, &f.recipients)
        .await;
    match result {
        Ok(list) => Ok(redirect_with_flash(
            &format!("/c/{slug}/analytics/report?month={}", f.month.trim()),
            &if list.is_empty() {
                "The report will not be mailed: the list is empty.".to_string()
            } else {
                format!(
                    "The report will be mailed to {} address{} each month.",
                    list.len(),
                    if list.len() == 1 { "" } else { "es" }
                )
            },
        )),
        Err(e) => {
            let errors = form_errors(e)?;
            let sub = Submitted {
                recipients: Some(f.recipients),
                ..Submitted::default()
            };
            render(&state, &ctx, &slug, &f.month, sub, errors).await
        }
    }
}
