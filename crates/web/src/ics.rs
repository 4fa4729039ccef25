//! iCalendar (RFC 5545) output, written by the `icalendar` crate: times in UTC, a UID that
//! stays the same for the event's life, and a SEQUENCE that grows with every edit.

use crate::AppState;
use icalendar::{Calendar, Component, Event, EventLike, Property};
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
    let e = &view.event;
    let url = state.app.event_url(&view.community.community.slug, &e.id);
    let mut text = markdown::plain_text(&e.description);
    if let Some(link) = view.online_url() {
        text = format!("{text}\n\nJoin online: {link}").trim().to_string();
    }
    text = format!("{text}\n\n{url}").trim().to_string();
    let location = match (e.venue.is_empty(), view.online_url()) {
        (false, _) => e.venue.clone(),
        (true, Some(link)) => link.to_string(),
        (true, None) => "Online".to_string(),
    };
    let event = Event::new()
        .uid(&format!("{}@{}", e.id, uid_domain(state)))
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
        .done();
    Calendar::new()
        .name(&view.community.community.name)
        .append_property(Property::new("METHOD", "PUBLISH"))
        .push(event)
        .done()
        .to_string()
}
