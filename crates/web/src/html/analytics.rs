//! The KPI dashboard page (admins): a period picker, cards with the change against the
//! previous period and a sparkline, 12-month charts, the retention heat map and acquisition.
//! The JSON API (api/analytics.rs) serves the same figures.

use super::{page, Layout};
use crate::charts;
use crate::context::Ctx;
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use lists::ListsView;
use serde::Deserialize;
use townsquare_app::analytics::{Dashboard, EventTotals, PeriodQuery};
use townsquare_app::store::analytics::Joined;
use townsquare_domain::analytics::{date_of_day, local_day, month_label, ratio};
use townsquare_domain::events::EventFormat;
use townsquare_domain::ValidationErrors;

mod lists;
mod pulse;
mod report;

pub(crate) fn routes(r: Routes) -> Routes {
    let r = pulse::routes(r);
    let r = report::routes(r);
    r.get("/c/{slug}/analytics", get(dashboard))
}

#[derive(Deserialize, Default, Clone)]
struct PeriodForm {
    #[serde(default)]
    period: String,
    #[serde(default)]
    at: String,
    #[serde(default)]
    from: String,
    #[serde(default)]
    to: String,
    /// A space's slug: narrows the content lists.
    #[serde(default)]
    space: String,
}

pub struct Card {
    pub id: &'static str,
    pub label: &'static str,
    pub value: String,
    pub change: String,
    /// `up`, `down` or `flat`, for the change's colour and its words.
    pub trend: &'static str,
    pub sparkline: String,
    pub hint: String,
}

pub struct MonthLine {
    pub label: String,
    pub mau: i64,
    pub members: i64,
    pub active_rate: String,
    pub contribution_rate: String,
    pub new_members: i64,
}

pub struct CohortLine {
    pub label: String,
    pub size: i64,
    pub cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "analytics/dashboard.html")]
struct DashboardPage {
    layout: Layout,
    slug: String,
    form: PeriodForm,
    errors: ValidationErrors,
    period_label: String,
    previous_label: String,
    time_zone: String,
    query: String,
    cards: Vec<Card>,
    mau_chart: String,
    rate_chart: String,
    heat_map: String,
    months: Vec<MonthLine>,
    cohorts: Vec<CohortLine>,
    acquisition: Vec<Joined>,
    events: Vec<EventLine>,
    event_totals: EventTotals,
    /// Discussion spaces for the space filter, as (slug, name).
    spaces: Vec<(String, String)>,
    lists: ListsView,
}

pub struct EventLine {
    pub event_id: String,
    pub title: String,
    pub format: &'static str,
    /// The local start date (YYYY-MM-DD).
    pub date: String,
    pub registered: i64,
    pub checked_in: i64,
    pub attendance: String,
    pub participation: String,
}

pub(super) fn event_lines(d: &Dashboard) -> Vec<EventLine> {
    let tz = townsquare_domain::time_zones::parse_or_utc(&d.time_zone);
    d.events
        .iter()
        .map(|e| EventLine {
            event_id: e.event_id.clone(),
            title: e.title.clone(),
            format: EventFormat::parse(&e.format).map_or("Event", |f| f.label()),
            date: date_of_day(local_day(e.starts_at, tz)).to_string(),
            registered: e.registered,
            checked_in: e.checked_in,
            attendance: percent(ratio(e.checked_in, e.registered)),
            participation: percent(ratio(e.participants, e.checked_in)),
        })
        .collect()
}

pub(super) fn percent(v: f64) -> String {
    format!("{:.1}%", v * 100.0)
}

fn count_card(
    id: &'static str,
    label: &'static str,
    now: i64,
    before: i64,
    sparkline: String,
    hint: &'static str,
) -> Card {
    let diff = now - before;
    Card {
        id,
        label,
        value: now.to_string(),
        change: format!("{diff:+}"),
        trend: trend(diff as f64),
        sparkline,
        hint: hint.to_string(),
    }
}

fn rate_card(
    id: &'static str,
    label: &'static str,
    now: f64,
    before: f64,
    sparkline: String,
    hint: &'static str,
) -> Card {
    let diff = (now - before) * 100.0;
    Card {
        id,
        label,
        value: percent(now),
        change: format!("{diff:+.1} pts"),
        trend: trend(diff),
        sparkline,
        hint: hint.to_string(),
    }
}

fn trend(diff: f64) -> &'static str {
    if diff > 0.0 {
        "up"
    } else if diff < 0.0 {
        "down"
    } else {
        "flat"
    }
}

/// The key-figure cards: value, change against the previous period, sparkline.
pub(super) fn kpi_cards(d: &Dashboard) -> Vec<Card> {
    let (c, b) = (&d.current, &d.before);
    let daily: Vec<f64> = d.daily_active.iter().map(|x| x.1 as f64).collect();
    let spark = |vals: Vec<f64>, what: &str| charts::sparkline(&vals, what);
    let monthly = |f: fn(&townsquare_app::analytics::MonthFigures) -> f64| -> Vec<f64> {
        d.months.iter().map(f).collect()
    };
    vec![
        count_card(
            "dau",
            "Daily active members",
            c.dau,
            b.dau,
            spark(daily.clone(), "Daily active members, last 30 days"),
            "Members with any activity on the period's last day (DAU).",
        ),
        count_card(
            "wau",
            "Weekly active members",
            c.wau,
            b.wau,
            spark(daily.clone(), "Daily active members, last 30 days"),
            "Any activity in the 7 days ending that day (WAU).",
        ),
        count_card(
            "mau",
            "Monthly active members",
            c.mau,
            b.mau,
            spark(monthly(|m| m.mau as f64), "MAU, last 12 months"),
            "Any activity in the 30 days ending that day (MAU).",
        ),
        rate_card(
            "stickiness",
            "Stickiness",
            c.stickiness,
            b.stickiness,
            spark(daily, "Daily active members, last 30 days"),
            "DAU ÷ MAU.",
        ),
        rate_card(
            "active_member_rate",
            "Active member rate",
            c.active_member_rate,
            b.active_member_rate,
            spark(
                monthly(|m| m.active_member_rate),
                "Active member rate, last 12 months",
            ),
            "Members who posted, replied or reacted ÷ members at the end of the period.",
        ),
        rate_card(
            "contribution_rate",
            "Contribution rate",
            c.contribution_rate,
            b.contribution_rate,
            spark(
                monthly(|m| m.contribution_rate),
                "Contribution rate, last 12 months",
            ),
            "Members who created a topic, reply, resource or event ÷ members.",
        ),
        count_card(
            "new_members",
            "New members",
            c.new_members,
            b.new_members,
            spark(
                monthly(|m| m.new_members as f64),
                "New members, last 12 months",
            ),
            "Memberships begun in the period.",
        ),
        rate_card(
            "activation_rate",
            "Activation rate",
            c.activation_rate,
            b.activation_rate,
            spark(
                monthly(|m| m.new_members as f64),
                "New members, last 12 months",
            ),
            "New members whose first post came within 7 days of joining.",
        ),
        rate_card(
            "activity_churn",
            "Activity churn",
            c.activity_churn,
            b.activity_churn,
            spark(monthly(|m| m.mau as f64), "MAU, last 12 months"),
            "Active last period, not this period ÷ active last period.",
        ),
        count_card(
            "members",
            "Members",
            c.members_at_end,
            b.members_at_end,
            spark(
                monthly(|m| m.members_at_end as f64),
                "Members, last 12 months",
            ),
            "Members at the end of the period.",
        ),
        rate_card(
            "attendance_rate",
            "Event attendance rate",
            d.event_totals.attendance_rate,
            d.event_totals_before.attendance_rate,
            String::new(),
            "Checked in ÷ registered, over the events that started in the period.",
        ),
        rate_card(
            "participation_rate",
            "Event participation rate",
            d.event_totals.participation_rate,
            d.event_totals_before.participation_rate,
            String::new(),
            "Attendees who asked, upvoted or voted in a poll ÷ attendees.",
        ),
        membership_churn_card(c, b),
    ]
}

/// Tiers not renewed ÷ tiers due; "—" when no tier term ended in the period.
fn membership_churn_card(
    c: &townsquare_app::analytics::Figures,
    b: &townsquare_app::analytics::Figures,
) -> Card {
    let diff = match (c.membership_churn, b.membership_churn) {
        (Some(now), Some(before)) => Some((now - before) * 100.0),
        _ => None,
    };
    Card {
        id: "membership_churn",
        label: "Membership churn",
        value: c.membership_churn.map_or("—".into(), percent),
        change: diff.map_or("no comparison".into(), |d| format!("{d:+.1} pts")),
        // Less churn is better: a fall shows as good news.
        trend: diff.map_or("flat", |d| trend(-d)),
        sparkline: String::new(),
        hint: format!(
            "Tier terms due in the period that were not renewed: {} of {}.",
            c.tiers_not_renewed, c.tiers_due
        ),
    }
}

/// The 12-month MAU and active-member-rate line charts.
pub(super) fn series_charts(d: &Dashboard) -> (String, String) {
    let mau_points: Vec<(String, f64)> = d
        .months
        .iter()
        .map(|m| (m.label.clone(), m.mau as f64))
        .collect();
    let rate_points: Vec<(String, f64)> = d
        .months
        .iter()
        .map(|m| (m.label.clone(), m.active_member_rate))
        .collect();
    (
        charts::line_chart(
            "mau-chart",
            "Monthly active members, last 12 months",
            "members",
            &mau_points,
            |v| format!("{v:.0}"),
        ),
        charts::line_chart(
            "rate-chart",
            "Active member rate, last 12 months",
            "share of members",
            &rate_points,
            |v| format!("{:.0}%", v * 100.0),
        ),
    )
}

fn build(
    state_slug: &str,
    d: &Dashboard,
    form: PeriodForm,
    errors: ValidationErrors,
    layout: Layout,
    spaces: Vec<(String, String)>,
    lists: ListsView,
) -> DashboardPage {
    let cards = kpi_cards(d);
    let (mau_chart, rate_chart) = series_charts(d);
    let heat_rows: Vec<(String, Vec<Option<f64>>)> = d
        .cohorts
        .iter()
        .map(|c| (month_label(c.month), c.cells.clone()))
        .collect();
    let mut query = format!("period={}", d.period.kind.as_str());
    if form.period == "custom" {
        query.push_str(&format!(
            "&from={}&to={}",
            date_of_day(d.period.first),
            date_of_day(d.period.last)
        ));
    } else {
        query.push_str(&format!("&at={}", date_of_day(d.period.first)));
    }
    DashboardPage {
        layout,
        slug: state_slug.to_string(),
        form,
        errors,
        period_label: d.period.label(),
        previous_label: d.previous.label(),
        time_zone: d.time_zone.clone(),
        query,
        cards,
        mau_chart,
        rate_chart,
        heat_map: charts::heat_map(
            "retention",
            "Retention by join month: share active k months later",
            &heat_rows,
            |k| format!("+{k}"),
        ),
        months: d
            .months
            .iter()
            .map(|m| MonthLine {
                label: m.label.clone(),
                mau: m.mau,
                members: m.members_at_end,
                active_rate: percent(m.active_member_rate),
                contribution_rate: percent(m.contribution_rate),
                new_members: m.new_members,
            })
            .collect(),
        cohorts: d
            .cohorts
            .iter()
            .map(|c| CohortLine {
                label: month_label(c.month),
                size: c.size,
                cells: c
                    .cells
                    .iter()
                    .map(|x| x.map(|s| format!("{:.0}%", s * 100.0)).unwrap_or_default())
                    .collect(),
            })
            .collect(),
        acquisition: d.acquisition.clone(),
        events: event_lines(d),
        event_totals: d.event_totals,
        spaces,
        lists,
    }
}

async fn dashboard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(form): Query<PeriodForm>,
) -> Result<Response, HtmlError> {
    let actor = ctx.actor()?;
    let q = PeriodQuery {
        kind: form.period.clone(),
        at: form.at.clone(),
        from: form.from.clone(),
        to: form.to.clone(),
    };
    // A period that cannot be read shows this month, with the message beside the picker.
    let (d, errors, status) = match state.app.analytics(actor, &slug, &q).await {
        Ok(d) => (d, ValidationErrors::new(), StatusCode::OK),
        Err(e) => {
            let errors = super::form_errors(e)?;
            let d = state
                .app
                .analytics(actor, &slug, &PeriodQuery::default())
                .await?;
            (d, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    // The lists follow the period shown; a space that cannot be read shows all spaces.
    let shown = if errors.is_empty() {
        q
    } else {
        PeriodQuery::default()
    };
    let (l, errors, status) = match state
        .app
        .analytics_lists(actor, &slug, &shown, &form.space)
        .await
    {
        Ok(l) => (l, errors, status),
        Err(e) => {
            let errors = super::form_errors(e)?;
            let l = state.app.analytics_lists(actor, &slug, &shown, "").await?;
            (l, errors, StatusCode::UNPROCESSABLE_ENTITY)
        }
    };
    let spaces = state.app.visible_spaces(&d.view).await?;
    let layout = Layout::new(&state, &ctx, "Analytics")
        .await?
        .in_community(&d.view, &spaces, None);
    let mut form = form;
    if form.period.is_empty() {
        form.period = "month".into();
    }
    let discussion_spaces = spaces
        .iter()
        .filter(|s| s.kind == "discussion")
        .map(|s| (s.slug.clone(), s.name.clone()))
        .collect();
    let lists = ListsView::of(&l, &spaces);
    let body = build(&slug, &d, form, errors, layout, discussion_spaces, lists);
    Ok(page(status, &body, ctx.flash.is_some()))
}
