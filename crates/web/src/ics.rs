//! iCalendar (RFC 5545) output, written by the `icalendar` crate: times in UTC, a UID that
//! stays the same for the event's life, and a SEQUENCE that grows with every edit.

use crate::AppState;
use icalendar::{Calendar, Component, Event, EventLike, Property};
use townsquare_app::calendars::CalendarEntry;
use townsquare_app::events::EventView;
use townsquare_domain::markdown;

fn utc(micros: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// The domain part of UIDs: the host of the instance's public URL.
fn uid_domain(state: &AppState) -> String {
    let base = &state.app.settings().base_url;
    base.split("://")
        .nth(1)
        .unwrap_or(base)
        .split(['/', ':'])
        .next()
        .unwrap_or("townsquare")
        .to_string()
}

/// One event as a calendar. The online link is included only for those who may see it.
pub fn event_calendar(state: &AppState, view: &EventView) -> String {
    calendar(
        state,
        &view.community.community.name,
        &[CalendarEntry::of_view(view)],
    )
}

/// A calendar of several events (a member's feed, a community's public feed).
pub fn calendar(state: &AppState, name: &str, entries: &[CalendarEntry]) -> String {
    let domain = uid_domain(state);
    let mut calendar = Calendar::new();
    calendar
        .name(name)
        .append_property(Property::new("METHOD", "PUBLISH"));
    for entry in entries {
        calendar.push(event(state, &domain, entry));
    }
    calendar.done().to_string()
}

fn event(state: &AppState, domain: &str, entry: &CalendarEntry) -> Event {
    let e = &entry.event;
    let url = state.app.event_url(&entry.community_slug, &e.id);
    let online = (entry.show_online_url && !e.online_url.is_empty()).then_some(&e.online_url);
    let mut text = markdown::plain_text(&e.description);
    if let Some(link) = online {
        text = format!("{text}\n\nJoin online: {link}").trim().to_string();
    }
    text = format!("{text}\n\n{url}").trim().to_string();
    let location = match (e.venue.is_empty(), online) {
        (false, _) => e.venue.clone(),
        (true, Some(link)) => link.to_string(),
        (true, None) => "Online".to_string(),
    };
    let mut event = Event::new();
    if e.cancelled_at.is_some() {
        event.append_property(Property::new("STATUS", "CANCELLED"));
    }
    event
        .uid(&format!("{}@{domain}", e.id))
        .summary(&e.title)
        .description(&text)
        .location(&location)
        .starts(utc(e.starts_at))
        .ends(utc(e.ends_at))
        .sequence(e.sequence.clamp(0, u32::MAX as i64) as u32)
        .timestamp(utc(e.updated_at))
        .append_property(Property::new("URL", &url))
        .append_property(Property::new(
            "CREATED",
            utc(e.created_at).format("%Y%m%dT%H%M%SZ").to_string(),
        ))
        .done()
}
