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
    /// When to remind registrants, e.g. "24h, 1h"; `None` for the default (24 hours and
    /// 1 hour before), an empty text for no reminders.
    pub reminders: Option<String>,
    /// Registration questions (see `registration_questions`); `None` leaves an event's
    /// questions as they are (and a new event without any).
    pub questions: Option<Vec<crate::registration_questions::QuestionDraft>>,
    /// Ticket types (see `ticket_types`); `None` leaves an event's types as they are (and
    /// gives a new event "General admission").
    pub ticket_types: Option<Vec<crate::ticket_types::TicketTypeDraft>>,
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
    /// Minutes before the start, largest first.
    pub reminder_minutes: Vec<i64>,
}

/// Reminders when the host says nothing: a day before and an hour before.
pub const DEFAULT_REMINDERS: [i64; 2] = [24 * 60, 60];
const MAX_REMINDERS: usize = 3;
const MAX_REMINDER_MINUTES: i64 = 14 * 24 * 60;

/// Reads reminder times such as "24h, 1h", "2d" or "30m" (a bare number is minutes);
/// "" or "none" means no reminders. Returns minutes before the start, largest first.
pub fn parse_reminders(input: &str) -> Result<Vec<i64>, String> {
    let s = input.trim();
    if s.is_empty() || s.eq_ignore_ascii_case("none") {
        return Ok(Vec::new());
    }
    let mut minutes = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (number, unit) = match part.find(|c: char| !c.is_ascii_digit()) {
            Some(i) => (&part[..i], part[i..].trim()),
            None => (part, "m"),
        };
        let n: i64 = number.parse().map_err(|_| {
            format!("\"{part}\" is not a reminder time: write them like \"24h, 1h\" or \"30m\".")
        })?;
        let factor = match unit {
            "m" | "min" | "minutes" => 1,
            "h" | "hours" => 60,
            "d" | "days" => 24 * 60,
            _ => {
                return Err(format!(
                    "\"{part}\": use m, h or d for minutes, hours or days, as in \"24h, 1h\"."
                ))
            }
        };
        let m = n.saturating_mul(factor);
        if !(5..=MAX_REMINDER_MINUTES).contains(&m) {
            return Err(
                "Each reminder must be between 5 minutes and 14 days before the start.".into(),
            );
        }
        minutes.push(m);
    }
    minutes.sort_unstable_by(|a, b| b.cmp(a));
    minutes.dedup();
    if minutes.len() > MAX_REMINDERS {
        return Err(format!("Set at most {MAX_REMINDERS} reminders."));
    }
    Ok(minutes)
}

/// Reminder times as a host would type them: "24h, 1h".
pub fn format_reminders(minutes: &[i64]) -> String {
    minutes
        .iter()
        .map(|&m| {
            if m % (24 * 60) == 0 && m >= 48 * 60 {
                format!("{}d", m / (24 * 60))
            } else if m % 60 == 0 {
                format!("{}h", m / 60)
            } else {
                format!("{m}m")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The stored form of reminder times: "1440,60". Unreadable parts are skipped.
pub fn stored_reminders(stored: &str) -> Vec<i64> {
    stored
        .split(',')
        .filter_map(|p| p.trim().parse().ok())
        .collect()
}

pub fn store_reminders(minutes: &[i64]) -> String {
    minutes
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// How long after its time a reminder may still go out (a server that was down at the
/// time sends it when it is back): half the lead time, at most 30 minutes, so that nobody
/// gets "tomorrow" the evening before a morning event they registered for at midnight.
pub fn reminder_grace_minutes(minutes_before: i64) -> i64 {
    (minutes_before / 2).clamp(1, 30)
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
    let reminder_minutes = match &draft.reminders {
        None => Some(DEFAULT_REMINDERS.to_vec()),
        Some(r) => e.check("reminders", parse_reminders(r)),
    };
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
    let Some(reminder_minutes) = reminder_minutes else {
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
        reminder_minutes,
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
    fn reminders_read_as_a_host_writes_them() {
        assert_eq!(parse_reminders("24h, 1h"), Ok(vec![1440, 60]));
        assert_eq!(parse_reminders("1h,2d, 90"), Ok(vec![2880, 90, 60]));
        assert_eq!(parse_reminders(" none "), Ok(vec![]));
        assert_eq!(parse_reminders(""), Ok(vec![]));
        assert!(parse_reminders("2 weeks").is_err());
        assert!(parse_reminders("1m").is_err(), "under five minutes");
        assert!(parse_reminders("15d").is_err(), "over fourteen days");
        assert!(parse_reminders("1h,2h,3h,4h").is_err(), "at most three");
        assert_eq!(format_reminders(&[2880, 1440, 90, 60]), "2d, 24h, 90m, 1h");
        assert_eq!(
            stored_reminders(&store_reminders(&[1440, 60])),
            vec![1440, 60]
        );
        let d = validate(&draft(), time_zones::UTC).unwrap();
        assert_eq!(d.reminder_minutes, DEFAULT_REMINDERS.to_vec());
    }

    #[test]
    fn a_reminder_may_be_late_by_half_its_lead_time_up_to_half_an_hour() {
        assert_eq!(reminder_grace_minutes(1440), 30);
        assert_eq!(reminder_grace_minutes(20), 10);
        assert_eq!(reminder_grace_minutes(5), 2);
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
