//! Events: their formats and the rules for a valid schedule, read as wall-clock times in a
//! named time zone and stored as UTC microseconds.

use crate::time_zones::{self, Tz};
use crate::values::{optional_text, required_text};
use crate::ValidationErrors;
use chrono::NaiveDateTime;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventFormat {
    Webinar,
    Workshop,
    Ama,
    Networking,
    Meetup,
}

impl EventFormat {
    pub const ALL: [EventFormat; 5] = [
        EventFormat::Webinar,
        EventFormat::Workshop,
        EventFormat::Ama,
        EventFormat::Networking,
        EventFormat::Meetup,
    ];

    pub fn parse(s: &str) -> Result<EventFormat, String> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s.trim())
            .ok_or_else(|| {
                "Choose a format: webinar, workshop, ama, networking or meetup.".to_string()
            })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventFormat::Webinar => "webinar",
            EventFormat::Workshop => "workshop",
            EventFormat::Ama => "ama",
            EventFormat::Networking => "networking",
            EventFormat::Meetup => "meetup",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventFormat::Webinar => "Webinar",
            EventFormat::Workshop => "Workshop",
            EventFormat::Ama => "AMA",
            EventFormat::Networking => "Networking",
            EventFormat::Meetup => "Meetup",
        }
    }
}

/// What a host typed: times as `YYYY-MM-DDTHH:MM` wall-clock times in `time_zone`.
#[derive(Debug, Clone, Default)]
pub struct EventDraft {
    pub title: String,
    pub description: String,
    pub format: String,
    pub starts_at: String,
    pub ends_at: String,
    pub time_zone: String,
    pub online_url: String,
    pub venue: String,
    pub capacity: String,
    pub registration_deadline: String,
}

/// A valid event schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct EventFields {
    pub title: String,
    pub description: String,
    pub format: EventFormat,
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: Tz,
    pub online_url: String,
    pub venue: String,
    pub capacity: Option<i64>,
    pub registration_deadline: Option<i64>,
}

/// The longest an event may last.
const MAX_DAYS: i64 = 14;
const MICROS_PER_DAY: i64 = 86_400_000_000;

fn parse_local(value: &str, what: &str) -> Result<NaiveDateTime, String> {
    let v = value.trim();
    NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M:%S"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M"))
        .map_err(|_| {
            if v.is_empty() {
                format!("Enter the {what} as a date and time.")
            } else {
                format!("Give the {what} as a date and time such as 2026-03-30T09:00.")
            }
        })
}

/// Checks a draft; `default_tz` (the community's) is used when no time zone is given.
pub fn validate(draft: &EventDraft, default_tz: Tz) -> Result<EventFields, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let title = e.check("title", required_text(&draft.title, "title", 120));
    let description = e.check(
        "description",
        optional_text(&draft.description, "description", 20_000),
    );
    let format = e.check("format", EventFormat::parse(&draft.format));
    let tz = if draft.time_zone.trim().is_empty() {
        Some(default_tz)
    } else {
        e.check("time_zone", time_zones::parse(&draft.time_zone))
    };
    let starts = e.check("starts_at", parse_local(&draft.starts_at, "start"));
    let ends = e.check("ends_at", parse_local(&draft.ends_at, "end"));
    let online_url = e.check("online_url", check_url(&draft.online_url));
    let venue = e.check("venue", optional_text(&draft.venue, "venue", 200));
    let capacity = e.check("capacity", parse_capacity(&draft.capacity));
    let deadline = if draft.registration_deadline.trim().is_empty() {
        Some(None)
    } else {
        e.check(
            "registration_deadline",
            parse_local(&draft.registration_deadline, "registration deadline").map(Some),
        )
    };
    if let (Some(url), Some(venue)) = (&online_url, &venue) {
        if url.is_empty() && venue.is_empty() {
            e.add(
                "venue",
                "Give an online link or a venue, so registrants know where to go.",
            );
        }
    }
    let (Some(title), Some(description), Some(format), Some(tz)) = (title, description, format, tz)
    else {
        return Err(e);
    };
    let (Some(starts), Some(ends), Some(online_url), Some(venue), Some(capacity), Some(deadline)) =
        (starts, ends, online_url, venue, capacity, deadline)
    else {
        return Err(e);
    };
    let starts_at = time_zones::to_utc(starts, tz);
    let ends_at = time_zones::to_utc(ends, tz);
    if ends_at <= starts_at {
        e.add("ends_at", "The event must end after it starts.");
    } else if ends_at - starts_at > MAX_DAYS * MICROS_PER_DAY {
        e.add("ends_at", "An event can last at most 14 days.");
    }
    let registration_deadline = deadline.map(|d| time_zones::to_utc(d, tz));
    if registration_deadline.is_some_and(|d| d > starts_at) {
        e.add(
            "registration_deadline",
            "The registration deadline must be before the event starts.",
        );
    }
    e.finish(EventFields {
        title,
        description,
        format,
        starts_at,
        ends_at,
        time_zone: tz,
        online_url,
        venue,
        capacity,
        registration_deadline,
    })
}

fn check_url(input: &str) -> Result<String, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(String::new());
    }
    if s.chars().count() > 500 {
        return Err("Keep the online link under 500 characters.".into());
    }
    let ok = (s.starts_with("https://") || s.starts_with("http://"))
        && s.len() > "https://".len()
        && !s.chars().any(char::is_whitespace);
    if ok {
        Ok(s.to_string())
    } else {
        Err("Give the online link as a web address starting with https://.".into())
    }
}

fn parse_capacity(input: &str) -> Result<Option<i64>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if (1..=100_000).contains(&n) => Ok(Some(n)),
        _ => Err("Give the capacity as a whole number from 1 to 100000, or leave it empty.".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft() -> EventDraft {
        EventDraft {
            title: "Office hours".into(),
            format: "ama".into(),
            starts_at: "2026-03-30T09:00".into(),
            ends_at: "2026-03-30T10:00".into(),
            time_zone: "Europe/Berlin".into(),
            online_url: "https://meet.example.org/office".into(),
            ..Default::default()
        }
    }

    fn utc(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
            .unwrap()
            .and_utc()
            .timestamp_micros()
    }

    #[test]
    fn nine_in_berlin_the_day_after_the_dst_change_is_seven_utc() {
        let f = validate(&draft(), time_zones::UTC).unwrap();
        assert_eq!(f.starts_at, utc("2026-03-30T07:00"));
        assert_eq!(f.ends_at, utc("2026-03-30T08:00"));
        // The day before the change Berlin is UTC+1.
        let mut before = draft();
        before.starts_at = "2026-03-28T09:00".into();
        before.ends_at = "2026-03-28T10:00".into();
        assert_eq!(
            validate(&before, time_zones::UTC).unwrap().starts_at,
            utc("2026-03-28T08:00")
        );
    }

    #[test]
    fn the_community_zone_is_the_default() {
        let mut d = draft();
        d.time_zone = String::new();
        let f = validate(&d, time_zones::parse("America/New_York").unwrap()).unwrap();
        assert_eq!(f.time_zone.name(), "America/New_York");
        assert_eq!(f.starts_at, utc("2026-03-30T13:00"));
    }

    #[test]
    fn bad_input_names_the_field() {
        let field = |d: EventDraft| {
            validate(&d, time_zones::UTC)
                .unwrap_err()
                .0
                .first()
                .map(|e| e.field.clone())
                .unwrap()
        };
        let mut d = draft();
        d.ends_at = "2026-03-30T08:59".into();
        assert_eq!(field(d), "ends_at");
        let mut d = draft();
        d.format = "party".into();
        assert_eq!(field(d), "format");
        let mut d = draft();
        d.capacity = "0".into();
        assert_eq!(field(d), "capacity");
        let mut d = draft();
        d.online_url = "javascript:alert(1)".into();
        assert_eq!(field(d), "online_url");
        let mut d = draft();
        d.online_url = String::new();
        assert_eq!(field(d), "venue");
        let mut d = draft();
        d.registration_deadline = "2026-03-30T09:30".into();
        assert_eq!(field(d), "registration_deadline");
        let mut d = draft();
        d.starts_at = "next tuesday".into();
        assert_eq!(field(d), "starts_at");
        let mut d = draft();
        d.time_zone = "Mars/Olympus".into();
        assert_eq!(field(d), "time_zone");
    }
}
