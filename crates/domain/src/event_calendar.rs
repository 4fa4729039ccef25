//! The month calendar of events: a month on a community's clock, laid out as whole weeks
//! from Monday to Sunday, and the day an event falls on there (its local start day, which
//! may be another UTC day).

use crate::time_zones::{self, Tz};
use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// A calendar month, such as March 2027.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Month {
    /// Reads `YYYY-MM` (years 1970–9999).
    pub fn parse(s: &str) -> Result<Month, String> {
        let err = || format!("\"{}\" is not a month such as 2027-03.", s.trim());
        let (y, m) = s.trim().split_once('-').ok_or_else(err)?;
        if y.len() != 4 || m.len() != 2 {
            return Err(err());
        }
        let year: i32 = y.parse().map_err(|_| err())?;
        let month: u32 = m.parse().map_err(|_| err())?;
        if !(1970..=9999).contains(&year) || !(1..=12).contains(&month) {
            return Err(err());
        }
        Ok(Month { year, month })
    }

    /// The month an instant (UTC microseconds) falls in on `tz`'s clock.
    pub fn containing(micros: i64, tz: Tz) -> Month {
        let d = local_day(micros, tz);
        Month {
            year: d.year(),
            month: d.month(),
        }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or_default()
    }

    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    pub fn prev(self) -> Month {
        if self.month == 1 {
            Month {
                year: self.year - 1,
                month: 12,
            }
        } else {
            Month {
                year: self.year,
                month: self.month - 1,
            }
        }
    }

    /// `2027-03`, as in addresses.
    pub fn as_param(self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }

    /// "March 2027".
    pub fn label(self) -> String {
        format!("{} {}", MONTH_NAMES[(self.month - 1) as usize], self.year)
    }

    /// The weeks shown for this month: Monday to Sunday, from the week of the 1st to the
    /// week of the last day (so some days belong to the months around it).
    pub fn weeks(self) -> Vec<[NaiveDate; 7]> {
        let first = self.first_day();
        let last = self.next().first_day() - Duration::days(1);
        let mut monday = first - Duration::days(first.weekday().num_days_from_monday() as i64);
        let mut weeks = Vec::with_capacity(6);
        while monday <= last {
            let mut week = [monday; 7];
            for (i, day) in week.iter_mut().enumerate() {
                *day = monday + Duration::days(i as i64);
            }
            weeks.push(week);
            monday += Duration::days(7);
        }
        weeks
    }

    /// The UTC range `[from, until)` of the shown weeks on `tz`'s clock: from midnight of
    /// the first Monday to midnight after the last Sunday.
    pub fn grid_range(self, tz: Tz) -> (i64, i64) {
        let weeks = self.weeks();
        let first = weeks.first().map(|w| w[0]).unwrap_or_default();
        let last = weeks.last().map(|w| w[6]).unwrap_or_default();
        (
            day_start(first, tz),
            day_start(last + Duration::days(1), tz),
        )
    }

    /// The UTC range `[from, until)` of the month itself on `tz`'s clock.
    pub fn range(self, tz: Tz) -> (i64, i64) {
        (
            day_start(self.first_day(), tz),
            day_start(self.next().first_day(), tz),
        )
    }
}

/// The day on `tz`'s clock at an instant (UTC microseconds).
pub fn local_day(micros: i64, tz: Tz) -> NaiveDate {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|t| t.with_timezone(&tz).date_naive())
        .unwrap_or_default()
}

/// The instant a day begins on `tz`'s clock (after the gap where midnight is skipped).
pub fn day_start(day: NaiveDate, tz: Tz) -> i64 {
    time_zones::to_utc(day.and_hms_opt(0, 0, 0).unwrap_or_default(), tz)
}

/// Short weekday names, Monday first, for the calendar's column headers.
pub const WEEKDAYS: [(&str, &str); 7] = [
    ("Mon", "Monday"),
    ("Tue", "Tuesday"),
    ("Wed", "Wednesday"),
    ("Thu", "Thursday"),
    ("Fri", "Friday"),
    ("Sat", "Saturday"),
    ("Sun", "Sunday"),
];

/// Whether a day is a Saturday or Sunday.
pub fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_read_and_step_across_years() {
        let m = Month::parse("2027-03").unwrap();
        assert_eq!(m.label(), "March 2027");
        assert_eq!(m.prev().as_param(), "2027-02");
        assert_eq!(
            Month::parse("2027-12").unwrap().next().as_param(),
            "2028-01"
        );
        assert_eq!(
            Month::parse("2027-01").unwrap().prev().as_param(),
            "2026-12"
        );
        for bad in ["2027-13", "2027-3", "march", "", "0999-01", "2027-00"] {
            assert!(Month::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weeks_run_monday_to_sunday_around_the_month() {
        // March 2027 starts on a Monday and ends on a Wednesday: five weeks.
        let weeks = Month::parse("2027-03").unwrap().weeks();
        assert_eq!(weeks.len(), 5);
        assert_eq!(weeks[0][0].to_string(), "2027-03-01");
        assert_eq!(weeks[4][6].to_string(), "2027-04-04");
        // February 2026 is exactly four weeks starting on a Sunday: the grid starts in January.
        let weeks = Month::parse("2026-02").unwrap().weeks();
        assert_eq!(weeks[0][0].to_string(), "2026-01-26");
        assert_eq!(weeks.last().unwrap()[6].to_string(), "2026-03-01");
    }

    #[test]
    fn half_past_midnight_in_berlin_is_the_local_day_not_the_utc_one() {
        let berlin = time_zones::parse("Europe/Berlin").unwrap();
        // 2027-03-10 00:30 in Berlin (UTC+1) is 2027-03-09 23:30 UTC.
        let at = time_zones::to_utc(
            NaiveDate::from_ymd_opt(2027, 3, 10)
                .unwrap()
                .and_hms_opt(0, 30, 0)
                .unwrap(),
            berlin,
        );
        assert_eq!(local_day(at, berlin).to_string(), "2027-03-10");
        assert_eq!(local_day(at, time_zones::UTC).to_string(), "2027-03-09");
        let (from, until) = Month::parse("2027-03").unwrap().range(berlin);
        assert_eq!(
            from,
            day_start(Month::parse("2027-03").unwrap().first_day(), berlin)
        );
        assert!(from < at && at < until);
        assert_eq!(Month::containing(from, berlin).as_param(), "2027-03");
        assert_eq!(Month::containing(from - 1, berlin).as_param(), "2027-02");
    }
}
