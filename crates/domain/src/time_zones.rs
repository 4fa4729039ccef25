//! Named time zones (IANA, through chrono-tz): a community's, for what managers schedule,
//! and a member's, for when their digest arrives.

use chrono::{LocalResult, NaiveDateTime, TimeZone, Timelike};
pub use chrono_tz::{Tz, UTC};

/// Parses an IANA time zone name such as `Europe/Berlin` or `UTC`.
pub fn parse(name: &str) -> Result<Tz, String> {
    name.trim().parse::<Tz>().map_err(|_| {
        format!(
            "\"{}\" is not a time zone name such as Europe/Berlin or UTC.",
            name.trim()
        )
    })
}

/// A stored time zone name, or UTC if it is somehow unknown (names are validated on save).
pub fn parse_or_utc(name: &str) -> Tz {
    parse(name).unwrap_or(UTC)
}

/// Every time zone name, for pickers: the canonical `Area/City` names and `UTC`.
pub fn names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| tz.name())
        .filter(|n| *n == "UTC" || (n.contains('/') && !n.starts_with("Etc/")))
}

/// The UTC instant (microseconds) of a wall-clock time in `tz`. A time skipped by a
/// daylight-saving change is moved past the gap; an ambiguous one takes the earlier instant.
pub fn to_utc(local: NaiveDateTime, tz: Tz) -> i64 {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.timestamp_micros(),
        LocalResult::Ambiguous(earlier, _) => earlier.timestamp_micros(),
        LocalResult::None => {
            let later = local + chrono::Duration::hours(1);
            tz.from_local_datetime(&later)
                .earliest()
                .map(|t| t.timestamp_micros())
                .unwrap_or_else(|| local.and_utc().timestamp_micros())
        }
    }
}

/// The hour of the day (0–23) in `tz` at a UTC instant (microseconds).
pub fn local_hour(utc_micros: i64, tz: Tz) -> u32 {
    chrono::DateTime::from_timestamp_micros(utc_micros)
        .map(|t| t.with_timezone(&tz).hour())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    #[test]
    fn names_parse_and_nonsense_does_not() {
        assert_eq!(parse(" Europe/Berlin ").unwrap().name(), "Europe/Berlin");
        assert!(parse("Mars/Olympus").unwrap_err().contains("Mars/Olympus"));
        assert!(names().any(|n| n == "America/New_York"));
        assert!(names().any(|n| n == "UTC"));
        assert!(names().all(|n| parse(n).is_ok()));
    }

    #[test]
    fn wall_clock_times_convert_with_daylight_saving() {
        let berlin = parse("Europe/Berlin").unwrap();
        // Winter: UTC+1; summer: UTC+2.
        let winter = to_utc(at("2026-01-15T09:00"), berlin);
        assert_eq!(winter, at("2026-01-15T08:00").and_utc().timestamp_micros());
        let summer = to_utc(at("2026-07-15T09:00"), berlin);
        assert_eq!(summer, at("2026-07-15T07:00").and_utc().timestamp_micros());
        // 02:30 does not exist on the spring-forward night: it becomes 03:30 local.
        let gap = to_utc(at("2026-03-29T02:30"), berlin);
        assert_eq!(gap, at("2026-03-29T01:30").and_utc().timestamp_micros());
        assert_eq!(local_hour(summer, berlin), 9);
    }
}
