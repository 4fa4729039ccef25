//! iCalendar (RFC 5545) output, written by the `icalendar` crate: times in UTC, a UID that
//! stays the same for the event's life, and a SEQUENCE that grows with every edit.
//!
//! A recurring series (public feed) is one event with UID `series-<series id>@<host>`, its
//! times on the series' clock (`TZID` and a `VTIMEZONE` made from chrono-tz's rules), the
//! series' RRULE, EXDATEs and overriding events (`RECURRENCE-ID`). A single date keeps the
//! UID `<event id>@<host>` wherever it is written alone (its own `.ics`, the private feed,
//! the public feed when its series cannot be written as a rule), so the two never meet.

use crate::AppState;
use icalendar::{Calendar, Component, Event, EventLike, Property};
use townsquare_app::calendars::{CalendarEntry, CommunityCalendar, SeriesEntry};
use townsquare_app::events::EventView;
use townsquare_app::store::events::EventRow;
use townsquare_domain::{markdown, time_zones};

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

/// A community's public feed: its single events, and each series as one recurring event with
/// its time zone described.
pub fn community_calendar(state: &AppState, feed: &CommunityCalendar) -> String {
    let domain = uid_domain(state);
    let mut calendar = Calendar::new();
    calendar
        .name(&format!("{} events", feed.name))
        .append_property(Property::new("METHOD", "PUBLISH"));
    for entry in &feed.events {
        calendar.push(event(state, &domain, entry));
    }
    for s in &feed.series {
        for e in series_events(state, &domain, s) {
            calendar.push(e);
        }
    }
    let text = calendar.done().to_string();
    let zones = vtimezones(&feed.series);
    if zones.is_empty() {
        return text;
    }
    match text.find("BEGIN:VEVENT") {
        Some(i) => format!("{}{zones}{}", &text[..i], &text[i..]),
        None => text,
    }
}

/// `20270316T090000`: a UTC instant on `tz`'s clock.
fn local(micros: i64, tz: time_zones::Tz) -> String {
    utc(micros)
        .with_timezone(&tz)
        .format("%Y%m%dT%H%M%S")
        .to_string()
}

fn zoned(key: &str, micros: i64, tz: time_zones::Tz) -> Property {
    Property::new(key, local(micros, tz))
        .add_parameter("TZID", tz.name())
        .done()
}

/// A series: the recurring event, then an overriding event per date moved or edited alone.
fn series_events(state: &AppState, domain: &str, s: &SeriesEntry) -> Vec<Event> {
    let tz = time_zones::parse_or_utc(&s.series.time_zone);
    let uid = format!("series-{}@{domain}", s.series.id);
    let entry = |event: &EventRow| CalendarEntry {
        community_name: s.community_name.clone(),
        community_slug: s.community_slug.clone(),
        show_online_url: false,
        event: event.clone(),
    };
    let mut master = event(state, domain, &entry(&s.master));
    master
        .uid(&uid)
        .append_property(zoned("DTSTART", s.master.starts_at, tz))
        .append_property(zoned("DTEND", s.master.ends_at, tz))
        .append_property(Property::new("RRULE", &s.series.rule));
    if !s.plan.excluded.is_empty() {
        let dates: Vec<String> = s.plan.excluded.iter().map(|&d| local(d, tz)).collect();
        master.append_property(
            Property::new("EXDATE", dates.join(","))
                .add_parameter("TZID", tz.name())
                .done(),
        );
    }
    let mut out = vec![master.done()];
    for &i in &s.plan.overrides {
        let o = &s.occurrences[i];
        let mut e = event(state, domain, &entry(o));
        e.uid(&uid)
            .append_property(zoned("RECURRENCE-ID", s.plan.instances[i], tz))
            .append_property(zoned("DTSTART", o.starts_at, tz))
            .append_property(zoned("DTEND", o.ends_at, tz));
        out.push(e.done());
    }
    out
}

/// A `VTIMEZONE` for each zone the series use, covering their dates.
fn vtimezones(series: &[SeriesEntry]) -> String {
    let mut spans: Vec<(time_zones::Tz, i64, i64)> = Vec::new();
    for s in series {
        let tz = time_zones::parse_or_utc(&s.series.time_zone);
        let first = s.master.starts_at.min(
            s.occurrences
                .iter()
                .map(|o| o.starts_at)
                .min()
                .unwrap_or(i64::MAX),
        );
        let last = s
            .occurrences
            .iter()
            .map(|o| o.ends_at)
            .chain(
                s.plan
                    .instances
                    .iter()
                    .map(|i| i + (s.master.ends_at - s.master.starts_at)),
            )
            .max()
            .unwrap_or(first);
        match spans.iter_mut().find(|(z, _, _)| *z == tz) {
            Some(span) => {
                span.1 = span.1.min(first);
                span.2 = span.2.max(last);
            }
            None => spans.push((tz, first, last)),
        }
    }
    let offset = |secs: i32| {
        let sign = if secs < 0 { '-' } else { '+' };
        let secs = secs.abs();
        format!("{sign}{:02}{:02}", secs / 3600, secs % 3600 / 60)
    };
    let mut out = String::new();
    for (tz, first, last) in spans {
        const DAY: i64 = 86_400;
        let observances =
            time_zones::observances(tz, first / 1_000_000 - DAY, last / 1_000_000 + DAY);
        out.push_str(&format!("BEGIN:VTIMEZONE\r\nTZID:{}\r\n", tz.name()));
        for o in observances {
            let kind = if o.daylight { "DAYLIGHT" } else { "STANDARD" };
            out.push_str(&format!(
                "BEGIN:{kind}\r\nDTSTART:{}\r\nTZOFFSETFROM:{}\r\nTZOFFSETTO:{}\r\n",
                o.starts_local.format("%Y%m%dT%H%M%S"),
                offset(o.offset_from),
                offset(o.offset_to),
            ));
            if !o.name.is_empty() {
                out.push_str(&format!("TZNAME:{}\r\n", o.name));
            }
            out.push_str(&format!("END:{kind}\r\n"));
        }
        out.push_str("END:VTIMEZONE\r\n");
    }
    out
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
