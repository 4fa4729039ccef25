//! Calendars: a member's own (the events they registered for, in the app and as a private
//! feed address for their calendar program) and a community's public feed.
//!
//! The private feed address carries a random token of which only the hash is kept, as with
//! sessions; the member sees the address once when they make it and can replace it, which
//! retires the old one.
//!
//! A recurring series is one recurring event in the public feed (its rule, EXDATEs for the
//! cancelled dates, an overriding event per date moved or edited alone), when its stored rule
//! still gives exactly its stored dates; otherwise, and in a member's private feed (which
//! lists the dates they registered for, one by one), each date is an event of its own.

use crate::events::EventView;
use crate::secrets::{hash_token, new_token};
use crate::{Actor, App, AppError, AppResult};
use std::collections::HashMap;
use townsquare_domain::recurrence::{self, AsRecurring, StoredDate};
use townsquare_domain::{time_zones, SpaceKind};
use townsquare_store::event_series::{self as series_store, SeriesRow};
use townsquare_store::events::{self as store, EventRow};

/// How far back a calendar reaches: a feed keeps last month's events so that calendar
/// programs do not drop them the moment they end.
const PAST_DAYS: i64 = 31;
const FEED_LIMIT: i64 = 500;

/// An event with what the calendar needs to show it to this person.
#[derive(Debug, Clone)]
pub struct CalendarEntry {
    pub community_name: String,
    pub community_slug: String,
    pub event: EventRow,
    /// Whether the online link may be shown (registrants and hosts).
    pub show_online_url: bool,
}

/// A recurring series in a feed, written as one recurring event.
#[derive(Debug, Clone)]
pub struct SeriesEntry {
    pub community_name: String,
    pub community_slug: String,
    pub series: SeriesRow,
    /// The recurring event's own fields, as an event: the series' title, description, format
    /// and places; its first instance's start and the series' length; a SEQUENCE that grows
    /// with any change to the series or any date (the series' own plus the sum of its
    /// dates'); `id` is the date its URL opens.
    pub master: EventRow,
    pub plan: AsRecurring,
    /// The dates, by original start; `plan` indexes them.
    pub occurrences: Vec<EventRow>,
}

/// A community's public calendar: single events and recurring series.
#[derive(Debug, Clone)]
pub struct CommunityCalendar {
    pub name: String,
    pub events: Vec<CalendarEntry>,
    pub series: Vec<SeriesEntry>,
}

/// A series as one recurring event, if its stored rule gives its stored dates (see
/// `recurrence::as_recurring`); None if not, or if it has no dates.
fn as_series_entry(
    series: SeriesRow,
    occurrences: Vec<EventRow>,
    now: i64,
    community_name: &str,
    community_slug: &str,
) -> Option<SeriesEntry> {
    let template: crate::event_series::Template = serde_json::from_str(&series.template).ok()?;
    let tz = time_zones::parse(&series.time_zone).ok()?;
    let time = chrono::NaiveTime::parse_from_str(&template.start_time, "%H:%M").ok()?;
    let length = template.length_minutes * crate::clock::MICROS_PER_MINUTE;
    let dates: Vec<StoredDate> = occurrences
        .iter()
        .map(|o| {
            Some(StoredDate {
                recurrence_id: o.recurrence_id?,
                starts_at: o.starts_at,
                ends_at: o.ends_at,
                cancelled: o.cancelled_at.is_some(),
                as_series: o.title == template.title
                    && o.description == template.description
                    && o.format == template.format
                    && o.online_url == template.online_url
                    && o.venue == template.venue,
            })
        })
        .collect::<Option<_>>()?;
    let plan = recurrence::as_recurring(&series.rule, tz, time, length, &dates)?;
    // The page the recurring event links to: the next date to come, or the last one.
    let linked = occurrences
        .iter()
        .find(|o| o.cancelled_at.is_none() && o.ends_at >= now)
        .or(occurrences.last())?;
    let master = EventRow {
        title: template.title.clone(),
        description: template.description.clone(),
        format: template.format.clone(),
        online_url: template.online_url.clone(),
        venue: template.venue.clone(),
        starts_at: plan.first_start,
        ends_at: plan.first_start + length,
        time_zone: series.time_zone.clone(),
        sequence: series.sequence + occurrences.iter().map(|o| o.sequence).sum::<i64>(),
        created_at: series.created_at,
        updated_at: occurrences
            .iter()
            .map(|o| o.updated_at)
            .chain([series.updated_at])
            .max()
            .unwrap_or(series.updated_at),
        cancelled_at: if plan.all_cancelled {
            series.cancelled_at.or(linked.cancelled_at)
        } else {
            None
        },
        ..linked.clone()
    };
    Some(SeriesEntry {
        community_name: community_name.to_string(),
        community_slug: community_slug.to_string(),
        series,
        master,
        plan,
        occurrences,
    })
}

impl App {
    /// The events the actor is registered for, in communities and spaces they can still see.
    pub async fn my_calendar(
        &self,
        actor: &Actor,
        upcoming_only: bool,
    ) -> AppResult<Vec<CalendarEntry>> {
        let since = if upcoming_only {
            self.now()
        } else {
            self.now() - PAST_DAYS * crate::clock::MICROS_PER_DAY
        };
        let events =
            store::my_registered_events(self.db(), &actor.user_id, since, FEED_LIMIT).await?;
        // One community and space check per distinct community and space, not per event.
        let mut communities = HashMap::new();
        let mut entries = Vec::with_capacity(events.len());
        for event in events {
            if !communities.contains_key(&event.community_id) {
                let view = self
                    .community_by_id(Some(actor), &event.community_id)
                    .await
                    .ok();
                let spaces = match &view {
                    Some(v) => self.visible_spaces(v).await?,
                    None => Vec::new(),
                };
                communities.insert(event.community_id.clone(), (view, spaces));
            }
            let Some((Some(view), spaces)) = communities.get(&event.community_id) else {
                continue;
            };
            if !spaces.iter().any(|s| s.id == event.space_id) {
                continue;
            }
            entries.push(CalendarEntry {
                community_name: view.community.name.clone(),
                community_slug: view.community.slug.clone(),
                show_online_url: true,
                event,
            });
        }
        Ok(entries)
    }

    /// Makes (or replaces) the actor's private feed token and returns it: shown once.
    pub async fn reset_calendar_feed(&self, actor: &Actor) -> AppResult<String> {
        let token = new_token();
        let mut tx = self.db().begin().await?;
        store::replace_calendar_feed(&mut tx, &actor.user_id, &hash_token(&token), self.now())
            .await?;
        crate::activity::record(
            &mut tx,
            None,
            Some(&actor.user_id),
            "calendar_feed_reset",
            "user",
            &actor.user_id,
            serde_json::json!({}),
            self.now(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(token)
    }

    /// When the actor's current feed address was made, if they have one.
    pub async fn calendar_feed_created(&self, actor: &Actor) -> AppResult<Option<i64>> {
        Ok(store::calendar_feed_created(self.db(), &actor.user_id).await?)
    }

    /// The private feed behind a token: its owner's calendar (past month included).
    pub async fn calendar_feed(&self, token: &str) -> AppResult<(Actor, Vec<CalendarEntry>)> {
        let user_id = store::calendar_feed_owner(self.db(), &hash_token(token))
            .await?
            .ok_or(AppError::NotFound("calendar"))?;
        let user = townsquare_store::accounts::user_by_id(self.db(), &user_id)
            .await?
            .ok_or(AppError::NotFound("calendar"))?;
        let actor = Actor::from(user);
        let entries = self.my_calendar(&actor, false).await?;
        Ok((actor, entries))
    }

    /// A community's public calendar: events in events spaces that anyone may see, from the
    /// past month on. Empty for a community that is not public. A series with a date in that
    /// window comes whole, as one recurring event (all its dates, at most 52, whether or not
    /// the window or the feed's limit reach them), or date by date when its rule no longer
    /// gives its dates.
    pub async fn community_calendar(&self, slug: &str) -> AppResult<CommunityCalendar> {
        // Seen as an anonymous visitor: only what anyone may see.
        let view = self.community(None, slug).await?;
        let public_spaces: Vec<String> = self
            .visible_spaces(&view)
            .await?
            .into_iter()
            .filter(|s| crate::spaces::kind_of(s) == SpaceKind::Events)
            .map(|s| s.id)
            .collect();
        let now = self.now();
        let since = now - PAST_DAYS * crate::clock::MICROS_PER_DAY;
        let events =
            store::events_in_spaces(self.db(), &public_spaces, since, None, FEED_LIMIT).await?;
        let (name, slug) = (&view.community.name, &view.community.slug);
        let mut series: Vec<SeriesEntry> = Vec::new();
        let mut by_date: Vec<String> = Vec::new();
        let mut singles = Vec::with_capacity(events.len());
        for event in events {
            if let Some(id) = &event.series_id {
                if series.iter().any(|s| &s.series.id == id) {
                    continue;
                }
                if !by_date.contains(id) {
                    let row = series_store::series_by_id(self.db(), id).await?;
                    let entry = match row {
                        Some(row) if public_spaces.contains(&row.space_id) => {
                            let occurrences = store::occurrences(self.db(), id).await?;
                            as_series_entry(row, occurrences, now, name, slug)
                        }
                        _ => None,
                    };
                    match entry {
                        Some(entry) => {
                            series.push(entry);
                            continue;
                        }
                        None => by_date.push(id.clone()),
                    }
                }
            }
            singles.push(CalendarEntry {
                community_name: name.clone(),
                community_slug: slug.clone(),
                show_online_url: false,
                event,
            });
        }
        Ok(CommunityCalendar {
            name: name.clone(),
            events: singles,
            series,
        })
    }
}

impl CalendarEntry {
    /// The entry for one event page's own `.ics`.
    pub fn of_view(view: &EventView) -> CalendarEntry {
        CalendarEntry {
            community_name: view.community.community.name.clone(),
            community_slug: view.community.community.slug.clone(),
            show_online_url: view.online_url().is_some(),
            event: view.event.clone(),
        }
    }
}
