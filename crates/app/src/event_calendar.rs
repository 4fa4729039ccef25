//! Browsing a community's events: every upcoming event in the events spaces the viewer may
//! see, and a month calendar on the community's clock with each event on its local start
//! day. Both can be narrowed to one format.

use crate::communities::CommunityView;
use crate::{Actor, App, AppResult};
use chrono::{Datelike, NaiveDate};
use townsquare_domain::event_calendar::{self as rules, Month};
use townsquare_domain::events::EventFormat;
use townsquare_domain::{time_zones, SpaceKind};
use townsquare_store::events::{self as store, EventRow};
use townsquare_store::spaces::SpaceRow;

/// How many upcoming events the community list shows, and how many a month may hold.
const LIST_LIMIT: i64 = 100;
const MONTH_LIMIT: i64 = 500;

/// One day cell of the month calendar.
#[derive(Debug, Clone)]
pub struct CalendarDay {
    pub date: NaiveDate,
    /// False for the days of the months before and after that fill the first and last week.
    pub in_month: bool,
    pub today: bool,
    /// The events starting that day on the community's clock, by start time.
    pub events: Vec<EventRow>,
}

#[derive(Debug, Clone)]
pub struct MonthCalendar {
    pub month: Month,
    pub time_zone: time_zones::Tz,
    /// Monday to Sunday.
    pub weeks: Vec<Vec<CalendarDay>>,
}

/// A community's events as one viewer may browse them.
#[derive(Debug, Clone)]
pub struct CommunityEvents {
    pub community: CommunityView,
    /// Every space the viewer may see (for the navigation).
    pub spaces: Vec<SpaceRow>,
    /// The ids of the visible events spaces.
    pub events_spaces: Vec<String>,
}

impl CommunityEvents {
    pub fn time_zone(&self) -> time_zones::Tz {
        time_zones::parse_or_utc(&self.community.community.time_zone)
    }
}

impl App {
    /// The events spaces of a community the viewer may see.
    pub async fn community_events(
        &self,
        actor: Option<&Actor>,
        slug: &str,
    ) -> AppResult<CommunityEvents> {
        let community = self.community(actor, slug).await?;
        let spaces = self.visible_spaces(&community).await?;
        let events_spaces = spaces
            .iter()
            .filter(|s| crate::spaces::kind_of(s) == SpaceKind::Events)
            .map(|s| s.id.clone())
            .collect();
        Ok(CommunityEvents {
            community,
            spaces,
            events_spaces,
        })
    }

    /// Events not yet over in the given (visible) spaces, soonest first.
    pub async fn upcoming_events(
        &self,
        space_ids: &[String],
        format: Option<EventFormat>,
    ) -> AppResult<Vec<EventRow>> {
        Ok(store::events_in_spaces(
            self.db(),
            space_ids,
            self.now(),
            format.map(EventFormat::as_str),
            LIST_LIMIT,
        )
        .await?)
    }

    /// Events starting in a month on `tz`'s clock in the given (visible) spaces.
    pub async fn events_in_month(
        &self,
        space_ids: &[String],
        month: Month,
        tz: time_zones::Tz,
        format: Option<EventFormat>,
    ) -> AppResult<Vec<EventRow>> {
        let (from, until) = month.range(tz);
        Ok(store::events_starting_in(
            self.db(),
            space_ids,
            from,
            until,
            format.map(EventFormat::as_str),
            MONTH_LIMIT,
        )
        .await?)
    }

    /// The month calendar: whole weeks around `month` (the current month on `tz`'s clock
    /// when `None`), each event on the day it starts there.
    pub async fn month_calendar(
        &self,
        space_ids: &[String],
        month: Option<Month>,
        tz: time_zones::Tz,
        format: Option<EventFormat>,
    ) -> AppResult<MonthCalendar> {
        let now = self.now();
        let month = month.unwrap_or_else(|| Month::containing(now, tz));
        let (from, until) = month.grid_range(tz);
        let events = store::events_starting_in(
            self.db(),
            space_ids,
            from,
            until,
            format.map(EventFormat::as_str),
            MONTH_LIMIT,
        )
        .await?;
        let today = rules::local_day(now, tz);
        let mut weeks: Vec<Vec<CalendarDay>> = month
            .weeks()
            .into_iter()
            .map(|w| {
                w.into_iter()
                    .map(|date| CalendarDay {
                        date,
                        in_month: date.month() == month.month && date.year() == month.year,
                        today: date == today,
                        events: Vec::new(),
                    })
                    .collect()
            })
            .collect();
        for e in events {
            let day = rules::local_day(e.starts_at, tz);
            if let Some(cell) = weeks.iter_mut().flatten().find(|d| d.date == day) {
                cell.events.push(e);
            }
        }
        Ok(MonthCalendar {
            month,
            time_zone: tz,
            weeks,
        })
    }
}
