//! Analytics rules (see docs/metrics.md): community-local days and months as integers, the
//! kinds of activity a member-day rollup records, periods and their predecessors, ratios and
//! the retention matrix's shape. Pure: the store counts, these rules say what to count.

pub mod lists;
pub mod member_sets;
pub mod replay;
pub mod terms;

use chrono::{Datelike, Duration, NaiveDate, NaiveTime};
use chrono_tz::Tz;

/// A community-local calendar date as days since 1970-01-01.
pub type Day = i64;
/// A calendar month as months since January 1970 (0 = 1970-01).
pub type Month = i64;

/// Bits of `analytics_member_days.kinds`: what a member did on a day.
pub mod kind {
    pub const VISITED: i64 = 1;
    pub const TOPIC: i64 = 1 << 1;
    pub const REPLY: i64 = 1 << 2;
    pub const REACTED: i64 = 1 << 3;
    pub const RESOURCE: i64 = 1 << 4;
    pub const EVENT_CREATED: i64 = 1 << 5;
    pub const EVENT_REGISTERED: i64 = 1 << 6;
    pub const JOINED: i64 = 1 << 7;
    pub const ANSWER_ACCEPTED: i64 = 1 << 8;
    pub const MODERATED: i64 = 1 << 9;
    pub const OTHER: i64 = 1 << 30;

    /// Any activity at all.
    pub const ANY: i64 = -1;
    /// Posted a topic or replied.
    pub const POSTED: i64 = TOPIC | REPLY;
    /// Posted, replied or reacted (the active member rate).
    pub const PARTICIPATED: i64 = TOPIC | REPLY | REACTED;
    /// Created content: topic, reply, resource or event (the contribution rate).
    pub const CONTRIBUTED: i64 = TOPIC | REPLY | RESOURCE | EVENT_CREATED;
}

/// The verb a visit is recorded under.
pub const VISITED: &str = "visited";

/// The kind bit of an activity verb done by a member, or `None` when the verb is not the
/// member's own activity (a join request, a promotion from a waitlist).
pub fn kind_of_verb(verb: &str) -> Option<i64> {
    Some(match verb {
        VISITED => kind::VISITED,
        "topic_created" => kind::TOPIC,
        "post_created" => kind::REPLY,
        "reaction_added" => kind::REACTED,
        "file_uploaded" => kind::RESOURCE,
        "event_created" => kind::EVENT_CREATED,
        "event_registered" | "event_waitlisted" => kind::EVENT_REGISTERED,
        "joined" => kind::JOINED,
        "answer_accepted" => kind::ANSWER_ACCEPTED,
        "moderation_action" | "appeal_resolved" => kind::MODERATED,
        "join_requested" | "event_promoted" | "left" => return None,
        _ => kind::OTHER,
    })
}

const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => panic!("epoch"),
};

pub fn day_of_date(date: NaiveDate) -> Day {
    (date - EPOCH).num_days()
}

pub fn date_of_day(day: Day) -> NaiveDate {
    EPOCH + Duration::days(day)
}

/// The community-local day of a UTC instant (microseconds).
pub fn local_day(utc_micros: i64, tz: Tz) -> Day {
    let t = chrono::DateTime::from_timestamp_micros(utc_micros).unwrap_or_default();
    day_of_date(t.with_timezone(&tz).date_naive())
}

/// The UTC instant (microseconds) at which a local day begins.
pub fn day_start_utc(day: Day, tz: Tz) -> i64 {
    crate::time_zones::to_utc(date_of_day(day).and_time(NaiveTime::MIN), tz)
}

pub fn month_of_date(date: NaiveDate) -> Month {
    (date.year() as i64 - 1970) * 12 + date.month0() as i64
}

pub fn month_of_day(day: Day) -> Month {
    month_of_date(date_of_day(day))
}

/// The first day of a month.
pub fn month_first_day(month: Month) -> Day {
    let year = 1970 + month.div_euclid(12);
    let m = month.rem_euclid(12) as u32 + 1;
    day_of_date(NaiveDate::from_ymd_opt(year as i32, m, 1).unwrap_or(EPOCH))
}

/// The last day of a month.
pub fn month_last_day(month: Month) -> Day {
    month_first_day(month + 1) - 1
}

/// `2026-11` for a month.
pub fn month_label(month: Month) -> String {
    date_of_day(month_first_day(month))
        .format("%Y-%m")
        .to_string()
}

/// `November 2026` for a month.
pub fn month_name(month: Month) -> String {
    date_of_day(month_first_day(month))
        .format("%B %Y")
        .to_string()
}

/// A month written `2026-11`.
pub fn parse_month(s: &str) -> Result<Month, String> {
    let s = s.trim();
    NaiveDate::parse_from_str(&format!("{s}-01"), "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 7)
        .map(month_of_date)
        .ok_or_else(|| format!("\"{s}\" is not a month like 2026-11."))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PeriodKind {
    Day,
    Week,
    Month,
    Custom,
}

impl PeriodKind {
    pub fn parse(s: &str) -> Option<PeriodKind> {
        Some(match s.trim() {
            "day" => PeriodKind::Day,
            "week" => PeriodKind::Week,
            "" | "month" => PeriodKind::Month,
            "custom" => PeriodKind::Custom,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Day => "day",
            PeriodKind::Week => "week",
            PeriodKind::Month => "month",
            PeriodKind::Custom => "custom",
        }
    }
}

/// The longest custom range, in days.
pub const MAX_CUSTOM_DAYS: i64 = 366;

/// An inclusive range of community-local days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub kind: PeriodKind,
    pub first: Day,
    pub last: Day,
}

/// Why a period request is refused: the field and a message for people.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeriodError {
    pub field: &'static str,
    pub message: String,
}

fn parse_date(field: &'static str, s: &str) -> Result<Day, PeriodError> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .map(day_of_date)
        .map_err(|_| PeriodError {
            field,
            message: format!("\"{}\" is not a date like 2026-11-28.", s.trim()),
        })
}

impl Period {
    /// The period of `kind` containing `at` (today when empty), or `from`..`to` for custom.
    pub fn parse(
        kind: &str,
        at: &str,
        from: &str,
        to: &str,
        today: Day,
    ) -> Result<Period, PeriodError> {
        let kind = PeriodKind::parse(kind).ok_or_else(|| PeriodError {
            field: "period",
            message: "The period is one of day, week, month or custom.".into(),
        })?;
        if kind == PeriodKind::Custom {
            let (from, to) = (parse_date("from", from)?, parse_date("to", to)?);
            if to < from {
                return Err(PeriodError {
                    field: "to",
                    message: "The end date is before the start date.".into(),
                });
            }
            if to - from + 1 > MAX_CUSTOM_DAYS {
                return Err(PeriodError {
                    field: "to",
                    message: format!("A custom range is at most {MAX_CUSTOM_DAYS} days."),
                });
            }
            return Ok(Period {
                kind,
                first: from,
                last: to,
            });
        }
        let at = if at.trim().is_empty() {
            today
        } else {
            parse_date("at", at)?
        };
        Ok(Period::containing(kind, at))
    }

    /// The day, ISO week or calendar month containing `day` (a custom kind gives the day).
    pub fn containing(kind: PeriodKind, day: Day) -> Period {
        let (first, last) = match kind {
            PeriodKind::Day | PeriodKind::Custom => (day, day),
            PeriodKind::Week => {
                let monday = day - date_of_day(day).weekday().num_days_from_monday() as i64;
                (monday, monday + 6)
            }
            PeriodKind::Month => {
                let m = month_of_day(day);
                (month_first_day(m), month_last_day(m))
            }
        };
        Period { kind, first, last }
    }

    pub fn days(&self) -> i64 {
        self.last - self.first + 1
    }

    /// The period of the same kind just before (same length for a custom range).
    pub fn previous(&self) -> Period {
        match self.kind {
            PeriodKind::Custom => Period {
                kind: self.kind,
                first: self.first - self.days(),
                last: self.first - 1,
            },
            kind => Period::containing(kind, self.first - 1),
        }
    }

    /// The day figures "as of" the period are taken on: its last day, or today if earlier.
    pub fn as_of(&self, today: Day) -> Day {
        self.last.min(today).max(self.first)
    }

    /// `2026-11-01 – 2026-11-30`, or one date for a day.
    pub fn label(&self) -> String {
        let f = date_of_day(self.first).format("%Y-%m-%d");
        if self.first == self.last {
            f.to_string()
        } else {
            format!("{f} – {}", date_of_day(self.last).format("%Y-%m-%d"))
        }
    }
}

/// `numerator ÷ denominator`, 0 when the denominator is 0.
pub fn ratio(numerator: i64, denominator: i64) -> f64 {
    if denominator <= 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// The 12 months ending with `last` (oldest first).
pub fn trailing_months(last: Month) -> Vec<Month> {
    (last - 11..=last).collect()
}

/// Retention: one row per cohort month; `cells[k]` is the share of the cohort active in month
/// cohort + k, or `None` for months after `current`.
#[derive(Debug, Clone, PartialEq)]
pub struct CohortRow {
    pub month: Month,
    pub size: i64,
    pub cells: Vec<Option<f64>>,
}

/// Builds the retention matrix for `cohorts` (oldest first) from cohort sizes and
/// `(cohort month, activity month, distinct active members)` counts.
pub fn cohort_matrix(
    cohorts: &[Month],
    current: Month,
    sizes: &[(Month, i64)],
    active: &[(Month, Month, i64)],
) -> Vec<CohortRow> {
    cohorts
        .iter()
        .map(|&m| {
            let size = sizes.iter().find(|(c, _)| *c == m).map_or(0, |(_, n)| *n);
            let cells = (0..12)
                .map(|k| {
                    (m + k <= current).then(|| {
                        let n = active
                            .iter()
                            .find(|(c, a, _)| *c == m && *a == m + k)
                            .map_or(0, |(_, _, n)| *n);
                        ratio(n, size)
                    })
                })
                .collect();
            CohortRow {
                month: m,
                size,
                cells,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        parse_date("at", s).unwrap()
    }

    #[test]
    fn months_are_read_as_year_and_month_only() {
        assert_eq!(parse_month("2026-11"), Ok(month_of_day(d("2026-11-28"))));
        assert_eq!(
            month_name(parse_month(" 1971-02 ").unwrap()),
            "February 1971"
        );
        for bad in ["2026-13", "2026-1", "2026-11-01", "November", ""] {
            assert!(parse_month(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn days_and_months_are_integers_in_the_community_zone() {
        assert_eq!(d("1970-01-02"), 1);
        assert_eq!(date_of_day(d("2026-11-28")).to_string(), "2026-11-28");
        assert_eq!(month_of_day(d("1971-02-10")), 13);
        assert_eq!(month_first_day(13), d("1971-02-01"));
        assert_eq!(month_last_day(13), d("1971-02-28"));
        assert_eq!(month_label(month_of_day(d("2026-11-28"))), "2026-11");
        // 23:30 UTC on 28 Nov is already 29 Nov in Berlin and still 28 Nov in New York.
        let t = chrono::NaiveDateTime::parse_from_str("2026-11-28T23:30", "%Y-%m-%dT%H:%M")
            .unwrap()
            .and_utc()
            .timestamp_micros();
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        let ny: Tz = "America/New_York".parse().unwrap();
        assert_eq!(local_day(t, berlin), d("2026-11-29"));
        assert_eq!(local_day(t, ny), d("2026-11-28"));
        assert_eq!(
            local_day(day_start_utc(d("2026-11-29"), berlin), berlin),
            d("2026-11-29")
        );
        assert_eq!(
            local_day(day_start_utc(d("2026-11-29"), berlin) - 1, berlin),
            d("2026-11-28")
        );
    }

    #[test]
    fn periods_and_their_predecessors() {
        let today = d("2026-11-28"); // a Saturday
        let month = Period::parse("month", "", "", "", today).unwrap();
        assert_eq!(
            (month.first, month.last),
            (d("2026-11-01"), d("2026-11-30"))
        );
        let prev = month.previous();
        assert_eq!((prev.first, prev.last), (d("2026-10-01"), d("2026-10-31")));
        let march = Period::parse("month", "2026-03-31", "", "", today).unwrap();
        assert_eq!(march.previous().days(), 28);
        let week = Period::parse("week", "", "", "", today).unwrap();
        assert_eq!((week.first, week.last), (d("2026-11-23"), d("2026-11-29")));
        assert_eq!(week.previous().first, d("2026-11-16"));
        let day = Period::parse("day", "2026-01-01", "", "", today).unwrap();
        assert_eq!(day.previous().first, d("2025-12-31"));
        let custom = Period::parse("custom", "", "2026-11-10", "2026-11-19", today).unwrap();
        assert_eq!(custom.days(), 10);
        assert_eq!(
            (custom.previous().first, custom.previous().last),
            (d("2026-10-31"), d("2026-11-09"))
        );
        assert_eq!(month.as_of(today), today);
        assert_eq!(prev.as_of(today), d("2026-10-31"));
        assert_eq!(month.label(), "2026-11-01 – 2026-11-30");
    }

    #[test]
    fn bad_periods_say_what_is_wrong() {
        let today = d("2026-11-28");
        assert_eq!(
            Period::parse("year", "", "", "", today).unwrap_err().field,
            "period"
        );
        assert_eq!(
            Period::parse("day", "28/11/2026", "", "", today)
                .unwrap_err()
                .field,
            "at"
        );
        assert_eq!(
            Period::parse("custom", "", "2026-11-10", "2026-11-01", today)
                .unwrap_err()
                .field,
            "to"
        );
        assert!(
            Period::parse("custom", "", "2025-01-01", "2026-11-01", today)
                .unwrap_err()
                .message
                .contains("366")
        );
        assert_eq!(
            Period::parse("custom", "", "", "2026-11-01", today)
                .unwrap_err()
                .field,
            "from"
        );
    }

    #[test]
    fn verbs_map_to_kinds_and_ratios_never_divide_by_zero() {
        assert_eq!(kind_of_verb("visited"), Some(kind::VISITED));
        assert_eq!(kind_of_verb("post_created"), Some(kind::REPLY));
        assert_eq!(kind_of_verb("flag_raised"), Some(kind::OTHER));
        assert_eq!(kind_of_verb("join_requested"), None);
        assert_eq!(kind_of_verb("left"), None);
        assert_ne!(kind::PARTICIPATED & kind::REACTED, 0);
        assert_eq!(kind::CONTRIBUTED & kind::REACTED, 0);
        assert_eq!(ratio(1, 0), 0.0);
        assert_eq!(ratio(1, 4), 0.25);
    }

    #[test]
    fn the_cohort_matrix_leaves_the_future_empty() {
        let rows = cohort_matrix(
            &[10, 11],
            11,
            &[(10, 4), (11, 2)],
            &[(10, 10, 4), (10, 11, 1), (11, 11, 2)],
        );
        assert_eq!(rows[0].size, 4);
        assert_eq!(rows[0].cells[0], Some(1.0));
        assert_eq!(rows[0].cells[1], Some(0.25));
        assert_eq!(rows[0].cells[2], None);
        assert_eq!(rows[1].cells[0], Some(1.0));
        assert_eq!(rows[1].cells[1], None);
        assert_eq!(rows[1].cells.len(), 12);
    }
}
