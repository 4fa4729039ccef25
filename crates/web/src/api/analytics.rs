//! Analytics in the API: every figure of the KPI dashboard as JSON, and the 12-month series as
//! CSV, for a community's admins (docs/metrics.md defines each figure).

use super::ApiCtx;
use crate::csv_export::{attachment, spreadsheet_safe};
use crate::error::ApiError;
use crate::routes::Routes;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Json;
use serde::{Deserialize, Serialize};
use townsquare_app::analytics::{Dashboard, EventTotals, Figures as AppFigures, PeriodQuery};
use townsquare_domain::analytics::{date_of_day, month_label, ratio, Period as DomainPeriod};
use utoipa::{IntoParams, ToSchema};

pub(crate) mod charts_csv;
pub(crate) mod lists;
pub(crate) mod pulse;
pub(crate) mod report;

pub(crate) fn routes(r: Routes) -> Routes {
    let r = pulse::routes(r);
    let r = lists::routes(r);
    let r = report::routes(r);
    let r = charts_csv::routes(r);
    r.get("/api/v1/communities/{slug}/analytics", get(analytics))
        .get(
            "/api/v1/communities/{slug}/analytics/series.csv",
            get(series_csv),
        )
        .get(
            "/api/v1/communities/{slug}/analytics/events.csv",
            get(events_csv),
        )
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct AnalyticsQuery {
    /// `day`, `week` (Monday to Sunday), `month` (default) or `custom`.
    period: Option<String>,
    /// A date (YYYY-MM-DD) the day, week or month contains; default today in the
    /// community's time zone.
    at: Option<String>,
    /// First day of a custom period (YYYY-MM-DD).
    from: Option<String>,
    /// Last day of a custom period (YYYY-MM-DD, at most 366 days after `from`).
    to: Option<String>,
}

impl AnalyticsQuery {
    pub fn to_app(&self) -> PeriodQuery {
        let s = |o: &Option<String>| o.clone().unwrap_or_default();
        PeriodQuery {
            kind: s(&self.period),
            at: s(&self.at),
            from: s(&self.from),
            to: s(&self.to),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct Period {
    /// `day`, `week`, `month` or `custom`.
    kind: String,
    /// First day (YYYY-MM-DD, in the community's time zone).
    first: String,
    /// Last day, included.
    last: String,
    /// The day DAU, WAU, MAU and members are taken on: the last day, or today if earlier.
    as_of: String,
}

fn period(p: &DomainPeriod, today: i64) -> Period {
    Period {
        kind: p.kind.as_str().into(),
        first: date_of_day(p.first).to_string(),
        last: date_of_day(p.last).to_string(),
        as_of: date_of_day(p.as_of(today)).to_string(),
    }
}

/// The figures of one period; rates are fractions between 0 and 1.
#[derive(Serialize, ToSchema)]
pub struct Figures {
    dau: i64,
    wau: i64,
    mau: i64,
    /// DAU ÷ MAU.
    stickiness: f64,
    /// Members with any activity (visits included) in the period.
    active_members: i64,
    /// Members who posted, replied or reacted in the period.
    participants: i64,
    /// Members who created a topic, reply, resource or event in the period.
    contributors: i64,
    /// Members at the end of the period (its as-of day).
    members_at_end: i64,
    /// participants ÷ members_at_end.
    active_member_rate: f64,
    /// contributors ÷ members_at_end.
    contribution_rate: f64,
    /// Memberships begun in the period.
    new_members: i64,
    /// New members whose first topic or reply came within 7 days of joining.
    activated: i64,
    /// activated ÷ new_members.
    activation_rate: f64,
    /// Members with any activity in the previous period.
    previously_active: i64,
    /// Of those, members with no activity in this period.
    churned: i64,
    /// churned ÷ previously_active.
    activity_churn: f64,
    /// Tier terms whose end fell in the period.
    tiers_due: i64,
    /// Of those, the ones not renewed (expired or ended).
    tiers_not_renewed: i64,
    /// tiers_not_renewed ÷ tiers_due; null when no term was due.
    membership_churn: Option<f64>,
}

pub(crate) fn figures(f: &AppFigures) -> Figures {
    Figures {
        dau: f.dau,
        wau: f.wau,
        mau: f.mau,
        stickiness: f.stickiness,
        active_members: f.active_members,
        participants: f.participants,
        contributors: f.contributors,
        members_at_end: f.members_at_end,
        active_member_rate: f.active_member_rate,
        contribution_rate: f.contribution_rate,
        new_members: f.new_members,
        activated: f.activated,
        activation_rate: f.activation_rate,
        previously_active: f.previously_active,
        churned: f.churned,
        activity_churn: f.activity_churn,
        tiers_due: f.tiers_due,
        tiers_not_renewed: f.tiers_not_renewed,
        membership_churn: f.membership_churn,
    }
}

#[derive(Serialize, ToSchema)]
pub struct DayCount {
    date: String,
    members: i64,
}

#[derive(Serialize, ToSchema)]
pub struct MonthPoint {
    /// YYYY-MM.
    month: String,
    /// MAU as of the month's last day (today for the current month).
    mau: i64,
    members_at_end: i64,
    active_member_rate: f64,
    contribution_rate: f64,
    new_members: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Cohort {
    /// The month the cohort joined (YYYY-MM).
    month: String,
    /// Members who joined that month.
    size: i64,
    /// Share of the cohort active in month + k, k = 0..11; null for months still to come.
    retention: Vec<Option<f64>>,
}

#[derive(Serialize, ToSchema)]
pub struct AcquisitionRow {
    /// Where the invitation was shared (empty for joins without an invitation).
    source: String,
    campaign: String,
    /// Members who joined in the period this way.
    members: i64,
    /// Of them, activated (first post within 7 days).
    activated: i64,
}

#[derive(Serialize, ToSchema)]
pub struct Analytics {
    community: String,
    /// The IANA time zone days are counted in.
    time_zone: String,
    period: Period,
    previous_period: Period,
    figures: Figures,
    /// The same figures for the previous period, for the change.
    previous: Figures,
    /// Members with any activity per day, the 30 days ending on the period's as-of day.
    daily_active: Vec<DayCount>,
    /// The 12 calendar months ending with the period's.
    months: Vec<MonthPoint>,
    /// Retention cohorts of the same 12 months.
    cohorts: Vec<Cohort>,
    /// New members of the period by source and campaign.
    acquisition: Vec<AcquisitionRow>,
    /// Attendance of the events that started in the period.
    events: EventsSummary,
    /// The same totals for the previous period.
    previous_events: EventTotalsJson,
}

/// Attendance summed over a period's events; rates are fractions between 0 and 1.
#[derive(Serialize, ToSchema)]
pub struct EventTotalsJson {
    /// Events that started in the period (not cancelled).
    events: i64,
    /// Standing registrations (not cancelled or waitlisted).
    registered: i64,
    checked_in: i64,
    /// Checked-in attendees who asked or upvoted a question or voted in a poll.
    participants: i64,
    /// checked_in ÷ registered.
    attendance_rate: f64,
    /// participants ÷ checked_in.
    participation_rate: f64,
}

fn event_totals(t: &EventTotals) -> EventTotalsJson {
    EventTotalsJson {
        events: t.events,
        registered: t.registered,
        checked_in: t.checked_in,
        participants: t.participants,
        attendance_rate: t.attendance_rate,
        participation_rate: t.participation_rate,
    }
}

#[derive(Serialize, ToSchema)]
pub struct EventsSummary {
    totals: EventTotalsJson,
    per_event: Vec<EventAttendance>,
}

#[derive(Serialize, ToSchema)]
pub struct EventAttendance {
    id: String,
    title: String,
    /// webinar, workshop, ama, networking or meetup.
    format: String,
    /// RFC 3339, UTC.
    starts_at: String,
    registered: i64,
    checked_in: i64,
    participants: i64,
    attendance_rate: f64,
    participation_rate: f64,
}

pub fn analytics_json(d: &Dashboard) -> Analytics {
    Analytics {
        community: d.view.community.slug.clone(),
        time_zone: d.time_zone.clone(),
        period: period(&d.period, d.today),
        previous_period: period(&d.previous, d.today),
        figures: figures(&d.current),
        previous: figures(&d.before),
        daily_active: d
            .daily_active
            .iter()
            .map(|(day, n)| DayCount {
                date: date_of_day(*day).to_string(),
                members: *n,
            })
            .collect(),
        months: d
            .months
            .iter()
            .map(|m| MonthPoint {
                month: m.label.clone(),
                mau: m.mau,
                members_at_end: m.members_at_end,
                active_member_rate: m.active_member_rate,
                contribution_rate: m.contribution_rate,
                new_members: m.new_members,
            })
            .collect(),
        cohorts: d
            .cohorts
            .iter()
            .map(|c| Cohort {
                month: month_label(c.month),
                size: c.size,
                retention: c.cells.clone(),
            })
            .collect(),
        acquisition: d
            .acquisition
            .iter()
            .map(|a| AcquisitionRow {
                source: a.source.clone(),
                campaign: a.campaign.clone(),
                members: a.members,
                activated: a.activated,
            })
            .collect(),
        events: EventsSummary {
            totals: event_totals(&d.event_totals),
            per_event: d
                .events
                .iter()
                .map(|e| EventAttendance {
                    id: e.event_id.clone(),
                    title: e.title.clone(),
                    format: e.format.clone(),
                    starts_at: crate::html::format::iso(e.starts_at),
                    registered: e.registered,
                    checked_in: e.checked_in,
                    participants: e.participants,
                    attendance_rate: ratio(e.checked_in, e.registered),
                    participation_rate: ratio(e.participants, e.checked_in),
                })
                .collect(),
        },
        previous_events: event_totals(&d.event_totals_before),
    }
}

/// The KPI dashboard's figures for a period, with the previous period's, the 12-month series,
/// retention cohorts and acquisition (admins). Definitions: docs/metrics.md.
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery),
    responses((status = 200, body = Analytics), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn analytics(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Json<Analytics>, ApiError> {
    let d = state
        .app
        .analytics(ctx.actor()?, &slug, &q.to_app())
        .await?;
    Ok(Json(analytics_json(&d)))
}

/// The 12-month series as CSV (month, mau, members_at_end, active_member_rate,
/// contribution_rate, new_members), for the months ending with the period's (admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/series.csv", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn series_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let d = state
        .app
        .analytics(ctx.actor()?, &slug, &q.to_app())
        .await?;
    let mut csv =
        String::from("month,mau,members_at_end,active_member_rate,contribution_rate,new_members\n");
    for m in &d.months {
        csv.push_str(&format!(
            "{},{},{},{:.4},{:.4},{}\n",
            m.label,
            m.mau,
            m.members_at_end,
            m.active_member_rate,
            m.contribution_rate,
            m.new_members
        ));
    }
    let filename = format!("{}-analytics-series.csv", d.view.community.slug);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        csv,
    )
        .into_response())
}

/// The events of the period with their attendance, as CSV (event_id, title, format,
/// starts_at, registered, checked_in, participants, attendance_rate, participation_rate;
/// admins).
#[utoipa::path(get, path = "/api/v1/communities/{slug}/analytics/events.csv", tag = "analytics", security(("bearer" = [])),
    params(("slug" = String, Path), AnalyticsQuery),
    responses((status = 200, content_type = "text/csv", body = String), (status = 401), (status = 403), (status = 404), (status = 422)))]
pub async fn events_csv(
    State(state): State<AppState>,
    ctx: ApiCtx,
    Path(slug): Path<String>,
    Query(q): Query<AnalyticsQuery>,
) -> Result<Response, ApiError> {
    let d = state
        .app
        .analytics(ctx.actor()?, &slug, &q.to_app())
        .await?;
    let internal = |e: csv::Error| townsquare_app::AppError::Internal(e.to_string());
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record([
        "event_id",
        "title",
        "format",
        "starts_at",
        "registered",
        "checked_in",
        "participants",
        "attendance_rate",
        "participation_rate",
    ])
    .map_err(internal)?;
    for e in &d.events {
        out.write_record([
            e.event_id.clone(),
            spreadsheet_safe(&e.title),
            e.format.clone(),
            crate::html::format::iso(e.starts_at),
            e.registered.to_string(),
            e.checked_in.to_string(),
            e.participants.to_string(),
            format!("{:.4}", ratio(e.checked_in, e.registered)),
            format!("{:.4}", ratio(e.participants, e.checked_in)),
        ])
        .map_err(internal)?;
    }
    let bytes = out
        .into_inner()
        .map_err(|e| townsquare_app::AppError::Internal(e.to_string()))?;
    let filename = format!("{}-analytics-events.csv", d.view.community.slug);
    Ok(attachment(&filename, bytes))
}
