//! The monthly leadership report in the API (admins): the month's figures against the month
//! before, its events, the lists, and the manager's highlights and insights; and the two
//! writes, the notes and the e-mail recipients.

use super::lists::{lists_json, AnalyticsLists};
use super::{analytics_json, Analytics};
use crate::api::{ApiCtx, JsonBody};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::routing::{get, put};
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_domain::analytics::month_label;
use utoipa::{IntoParams, ToSchema};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/api/v1/communities/{slug}/analytics/report", get(report))
        .put(
            "/api/v1/communities/{slug}/analytics/report/notes",
            put(save_notes),
        )
        .put(
            "/api/v1/communities/{slug}/analytics/report/recipients",
            put(save_recipients),
        )
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The month (YYYY-MM, community time); default the last month that is over.
    month: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct LeadershipReport {
    /// YYYY-MM.
    month: String,
    /// False while the month is still running.
    month_is_over: bool,
    /// The month's KPI figures, series, cohorts, acquisition and events (as the dashboard's
    /// `analytics` for `period=month`).
    analytics: Analytics,
    /// The month's lists (as `analytics/lists`).
    lists: AnalyticsLists,
    /// The manager's highlights (Markdown).
    highlights: String,
    /// The manager's insights (Markdown).
    insights: String,
    /// Who receives the report by e-mail when the month is over.
    recipients: Vec<String>,
    /// When this month's report was mailed (RFC 3339), if it was.
    mailed_at: Option<String>,
}

/// A month's leadership report (admins). 422 for a month that is not YYYY-MM or has not begun.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/report", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), ReportQuery),
    responses((status = 200, body = LeadershipReport), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn report(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<ReportQuery>,
) -> Result<Json<LeadershipReport>, ApiError> {
    let month = q.month.unwrap_or_default();
    let r = state
        .app
        .leadership_report(ctx.actor()?, &slug, &month)
        .await?;
    Ok(Json(LeadershipReport {
        month: month_label(r.month),
        month_is_over: r.month_is_over,
        analytics: analytics_json(&r.dashboard),
        lists: lists_json(&r.lists),
        highlights: r.notes.highlights.clone(),
        insights: r.notes.insights.clone(),
        recipients: r.recipients.clone(),
        mailed_at: r.mailed.map(|(at, _)| crate::html::format::iso(at)),
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct ReportNotes {
    /// YYYY-MM; this month or an earlier one.
    month: String,
    /// Markdown, at most 5,000 characters.
    #[serde(default)]
    highlights: String,
    /// Markdown, at most 5,000 characters.
    #[serde(default)]
    insights: String,
}

/// Save a month's highlights and insights (admins); 422 names what was wrong.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/analytics/report/notes", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ReportNotes,
    responses((status = 200, body = ReportNotes), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn save_notes(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<ReportNotes>,
) -> Result<Json<ReportNotes>, ApiError> {
    let month = state
        .app
        .save_report_notes(ctx.actor()?, &slug, &b.month, &b.highlights, &b.insights)
        .await?;
    Ok(Json(ReportNotes {
        month: month_label(month),
        highlights: b.highlights.trim().replace("\r\n", "\n"),
        insights: b.insights.trim().replace("\r\n", "\n"),
    }))
}

#[derive(Deserialize, Serialize, ToSchema)]
pub struct ReportRecipients {
    /// E-mail addresses (at most 50); an empty list stops the mailing.
    recipients: Vec<String>,
}

/// Set who receives the monthly report by e-mail (admins); 422 names a bad address.
#[utoipa::path(put, path = "/api/v1/communities/{slug}/analytics/report/recipients", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path)), request_body = ReportRecipients,
    responses((status = 200, body = ReportRecipients), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn save_recipients(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    JsonBody(b): JsonBody<ReportRecipients>,
) -> Result<Json<ReportRecipients>, ApiError> {
    let recipients = state
        .app
        .save_report_recipients(ctx.actor()?, &slug, &b.recipients.join("\n"))
        .await?;
    Ok(Json(ReportRecipients { recipients }))
}
