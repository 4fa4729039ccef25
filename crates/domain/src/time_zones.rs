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

/// One of a zone's observances (RFC 5545 `STANDARD`/`DAYLIGHT` in a `VTIMEZONE`): from
/// `starts_local` (on the clock in use before it) the offset is `offset_to` seconds east of
/// UTC, having been `offset_from`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observance {
    pub starts_local: NaiveDateTime,
    pub offset_from: i32,
    pub offset_to: i32,
    pub daylight: bool,
    pub name: String,
}

/// The observances of `tz` that cover the UTC instants `[from, until]` (seconds): the one in
/// force at `from`, then one per change of offset up to `until`, found a day at a time and
/// to the second in between.
pub fn observances(tz: Tz, from: i64, until: i64) -> Vec<Observance> {
    use chrono_tz::{OffsetComponents, OffsetName};
    const DAY: i64 = 86_400;
    let offset = |secs: i64| {
        let t = chrono::DateTime::from_timestamp(secs, 0)
            .unwrap_or_default()
            .with_timezone(&tz);
        let o = *t.offset();
        (
            o.base_utc_offset().num_seconds() as i32 + o.dst_offset().num_seconds() as i32,
            o.dst_offset().num_seconds() != 0,
            o.abbreviation().unwrap_or("").to_string(),
        )
    };
    let local = |secs: i64, off: i32| {
        chrono::DateTime::from_timestamp(secs + off as i64, 0)
            .unwrap_or_default()
            .naive_utc()
    };
    let (off, daylight, name) = offset(from);
    let mut out = vec![Observance {
        starts_local: local(from, off),
        offset_from: off,
        offset_to: off,
        daylight,
        name,
    }];
    let mut at = from;
    let mut current = off;
    while at < until {
        let next = (at + DAY).min(until);
        if offset(next).0 != current {
            // The first second on the new offset.
            let (mut lo, mut hi) = (at, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset(mid).0 == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            let (to, daylight, name) = offset(hi);
            out.push(Observance {
                starts_local: local(hi, current),
                offset_from: current,
                offset_to: to,
                daylight,
                name,
            });
            current = to;
            at = hi;
        } else {
            at = next;
        }
    }
    out
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

    #[test]
    fn observances_find_the_clock_changes_to_the_second() {
        let berlin = parse("Europe/Berlin").unwrap();
        let from = to_utc(at("2027-01-01T00:00"), berlin) / 1_000_000;
        let until = to_utc(at("2027-12-31T00:00"), berlin) / 1_000_000;
        let o = observances(berlin, from, until);
        assert_eq!(o.len(), 3, "{o:?}");
        assert_eq!((o[0].offset_to, o[0].daylight), (3600, false));
        assert_eq!(o[1].starts_local, at("2027-03-28T02:00"));
        assert_eq!((o[1].offset_from, o[1].offset_to), (3600, 7200));
        assert!(o[1].daylight);
        assert_eq!(o[1].name, "CEST");
        assert_eq!(o[2].starts_local, at("2027-10-31T03:00"));
        assert_eq!((o[2].offset_from, o[2].offset_to), (7200, 3600));
        assert_eq!(observances(UTC, from, until).len(), 1);
    }
}
