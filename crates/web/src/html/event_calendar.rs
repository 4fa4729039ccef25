//! Browsing events: the community's events page (every events space the viewer may see) and
//! the events part of an events space's page share one block: a list or a month calendar
//! (a table, Monday first, on the community's clock), narrowed to one format if asked.

use super::events::EventItem;
use super::{page, Layout};
use crate::context::Ctx;
use crate::error::HtmlError;
use crate::routes::Routes;
use crate::AppState;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use chrono::Datelike;
use serde::Deserialize;
use townsquare_app::event_calendar::MonthCalendar;
use townsquare_app::events::format_filter;
use townsquare_app::AppError;
use townsquare_domain::event_calendar::{is_weekend, Month, WEEKDAYS};
use townsquare_domain::events::EventFormat;
use townsquare_domain::{time_zones, ValidationErrors};

pub(crate) fn routes(r: Routes) -> Routes {
    r.get("/c/{slug}/events", get(community_events))
}

/// `?view=month&month=2027-03&format=ama`.
#[derive(Deserialize, Default, Clone)]
pub(crate) struct BrowseQuery {
    #[serde(default)]
    pub view: Option<String>,
    #[serde(default)]
    pub month: Option<String>,
    #[serde(default)]
    pub format: Option<String>,
}

/// An event in a day cell.
pub struct CellEvent {
    pub id: String,
    /// "09:00" on the community's clock.
    pub time: String,
    pub title: String,
    pub format_label: &'static str,
    pub cancelled: bool,
}

pub struct DayCell {
    pub day: u32,
    pub iso: String,
    /// "Monday 1 March 2027", for screen readers.
    pub label: String,
    pub in_month: bool,
    pub today: bool,
    pub weekend: bool,
    pub events: Vec<CellEvent>,
}

pub struct MonthGrid {
    pub label: String,
    pub time_zone: String,
    pub prev_href: String,
    pub prev_label: String,
    pub next_href: String,
    pub next_label: String,
    pub today_href: String,
    pub weeks: Vec<Vec<DayCell>>,
    pub event_count: usize,
}

/// The list-or-month block of an events page.
#[derive(Default)]
pub struct Browse {
    pub community_slug: String,
    pub month_view: bool,
    /// The selected format ("" for all).
    pub format: String,
    pub formats: Vec<(&'static str, &'static str)>,
    pub list_href: String,
    pub month_href: String,
    /// The month shown (kept when switching formats).
    pub month_param: String,
    pub upcoming: Vec<EventItem>,
    pub past: Vec<EventItem>,
    pub show_past: bool,
    pub calendar: Option<MonthGrid>,
    pub weekdays: Vec<(&'static str, &'static str)>,
    pub errors: ValidationErrors,
    /// Where to schedule a new event, for hosts.
    pub new_event_href: Option<String>,
}

fn href(base: &str, month_view: bool, month: Option<Month>, format: &str) -> String {
    let mut params = Vec::new();
    if month_view {
        params.push("view=month".to_string());
    }
    if let Some(m) = month {
        params.push(format!("month={}", m.as_param()));
    }
    if !format.is_empty() {
        params.push(format!("format={format}"));
    }
    if params.is_empty() {
        base.to_string()
    } else {
        format!("{base}?{}", params.join("&"))
    }
}

fn grid(base: &str, cal: MonthCalendar, format: &str) -> MonthGrid {
    let tz = cal.time_zone;
    let month = cal.month;
    let mut count = 0;
    let weeks = cal
        .weeks
        .into_iter()
        .map(|w| {
            w.into_iter()
                .map(|d| {
                    count += d.events.len();
                    DayCell {
                        day: d.date.day(),
                        iso: d.date.format("%Y-%m-%d").to_string(),
                        label: d.date.format("%A %-d %B %Y").to_string(),
                        in_month: d.in_month,
                        today: d.today,
                        weekend: is_weekend(d.date),
                        events: d
                            .events
                            .into_iter()
                            .map(|e| CellEvent {
                                time: chrono::DateTime::from_timestamp_micros(e.starts_at)
                                    .map(|t| t.with_timezone(&tz).format("%H:%M").to_string())
                                    .unwrap_or_default(),
                                format_label: EventFormat::parse(&e.format)
                                    .map(|f| f.label())
                                    .unwrap_or("Event"),
                                cancelled: e.cancelled_at.is_some(),
                                title: e.title,
                                id: e.id,
                            })
                            .collect(),
                    }
                })
                .collect()
        })
        .collect();
    MonthGrid {
        label: month.label(),
        time_zone: tz.name().to_string(),
        prev_href: href(base, true, Some(month.prev()), format),
        prev_label: month.prev().label(),
        next_href: href(base, true, Some(month.next()), format),
        next_label: month.next().label(),
        today_href: href(base, true, None, format),
        weeks,
        event_count: count,
    }
}

/// Builds the block for `base` (the page's address) over the given visible events spaces.
/// A format or month that does not read comes back as a field error, with every event shown.
pub(crate) async fn browse(
    state: &AppState,
    slug: &str,
    base: &str,
    space_ids: &[String],
    tz: time_zones::Tz,
    q: &BrowseQuery,
    space: Option<&townsquare_app::spaces::SpaceView>,
) -> Result<Browse, AppError> {
    let mut errors = ValidationErrors::new();
    let format = match format_filter(q.format.as_deref()) {
        Ok(f) => f,
        Err(AppError::Invalid(e)) => {
            errors.0.extend(e.0);
            None
        }
        Err(e) => return Err(e),
    };
    let month_view = q.view.as_deref() == Some("month");
    let month = match q.month.as_deref().map(str::trim).filter(|m| !m.is_empty()) {
        None => None,
        Some(m) => match Month::parse(m) {
            Ok(m) => Some(m),
            Err(message) => {
                errors.add("month", message);
                None
            }
        },
    };
    let format_param = format.map(EventFormat::as_str).unwrap_or("");
    let mut b = Browse {
        community_slug: slug.to_string(),
        month_view,
        format: format_param.to_string(),
        formats: EventFormat::ALL
            .iter()
            .map(|f| (f.as_str(), f.label()))
            .collect(),
        list_href: href(base, false, None, format_param),
        month_href: href(base, true, month, format_param),
        weekdays: WEEKDAYS.to_vec(),
        ..Default::default()
    };
    if month_view {
        let cal = state
            .app
            .month_calendar(space_ids, month, tz, format)
            .await?;
        b.month_param = cal.month.as_param();
        b.calendar = Some(grid(base, cal, format_param));
    } else if let Some(space) = space {
        let (upcoming, past) = state.app.space_events(space, format).await?;
        b.upcoming = upcoming.iter().map(EventItem::of).collect();
        b.past = past.iter().map(EventItem::of).collect();
        b.show_past = true;
    } else {
        let upcoming = state.app.upcoming_events(space_ids, format).await?;
        b.upcoming = upcoming.iter().map(EventItem::of).collect();
    }
    let listed: Vec<String> = b
        .upcoming
        .iter()
        .chain(&b.past)
        .map(|e| e.id.clone())
        .collect();
    let covers = state.app.event_covers(&listed).await?;
    for e in b.upcoming.iter_mut().chain(b.past.iter_mut()) {
        e.cover = covers.get(&e.id).cloned();
    }
    b.errors = errors;
    Ok(b)
}

#[derive(Template)]
#[template(path = "events/index.html")]
struct IndexPage {
    layout: Layout,
    community_name: String,
    browse: Browse,
    /// The events spaces a host may schedule in: (slug, name).
    host_spaces: Vec<(String, String)>,
    has_events_spaces: bool,
}

/// The community's events: every events space the viewer may see.
async fn community_events(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    Query(q): Query<BrowseQuery>,
) -> Result<Response, HtmlError> {
    let events = state
        .app
        .community_events(ctx.actor.as_ref(), &slug)
        .await?;
    let tz = events.time_zone();
    let base = format!("/c/{slug}/events");
    let browse = browse(&state, &slug, &base, &events.events_spaces, tz, &q, None).await?;
    let can_host = townsquare_domain::policy::can_host_events(&events.community.viewer);
    let host_spaces = if can_host {
        events
            .spaces
            .iter()
            .filter(|s| events.events_spaces.contains(&s.id))
            .map(|s| (s.slug.clone(), s.name.clone()))
            .collect()
    } else {
        Vec::new()
    };
    let status = if browse.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let layout = Layout::new(&state, &ctx, "Events").await?.in_community(
        &events.community,
        &events.spaces,
        None,
    );
    let body = IndexPage {
        layout,
        community_name: events.community.community.name.clone(),
        has_events_spaces: !events.events_spaces.is_empty(),
        browse,
        host_spaces,
    };
    Ok(page(status, &body, ctx.flash.is_some()))
}
