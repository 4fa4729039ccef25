//! Recurring events: a subset of iCalendar's RRULE (RFC 5545) — weekly or monthly, ended by
//! COUNT or UNTIL, with INTERVAL, BYDAY and BYMONTHDAY — expanded by the `rrule` crate on the
//! series' named time zone's clock, so 09:00 in Europe/Berlin stays 09:00 there across the
//! clock changes. A series has at most 52 occurrences.

use crate::time_zones::Tz;
use chrono::{NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

pub const MAX_OCCURRENCES: usize = 52;

const ALLOWED: [&str; 7] = [
    "FREQ",
    "INTERVAL",
    "BYDAY",
    "BYMONTHDAY",
    "COUNT",
    "UNTIL",
    "WKST",
];

/// A checked rule and the starts (UTC microseconds) of its occurrences, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// The rule as stored, e.g. `FREQ=WEEKLY;BYDAY=TU;COUNT=8` (UNTIL in UTC).
    pub rule: String,
    pub starts: Vec<i64>,
}

fn parts(rule: &str) -> Vec<(String, String)> {
    let rule = rule.trim();
    let rule = rule
        .strip_prefix("RRULE:")
        .or_else(|| rule.strip_prefix("rrule:"))
        .unwrap_or(rule);
    rule.split(';')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_uppercase(), v.trim().to_ascii_uppercase()),
            None => (p.to_ascii_uppercase(), String::new()),
        })
        .collect()
}

/// Reads UNTIL as a date (the whole day counts) or a local date-time on the series' clock,
/// or as UTC (`Z`), and writes it in UTC as RFC 5545 wants with a TZID start.
fn until_in_utc(value: &str, tz: Tz) -> Result<String, String> {
    let bad =
        || format!("UNTIL={value} is not a date: write it as UNTIL=20270630 (or 20270630T090000).");
    let v = value.replace('-', "");
    let utc = if let Some(z) = v.strip_suffix('Z') {
        NaiveDateTime::parse_from_str(z, "%Y%m%dT%H%M%S")
            .map_err(|_| bad())?
            .and_utc()
    } else {
        let local = if v.len() == 8 {
            NaiveDate::parse_from_str(&v, "%Y%m%d")
                .map_err(|_| bad())?
                .and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or_default())
        } else {
            NaiveDateTime::parse_from_str(&v, "%Y%m%dT%H%M%S").map_err(|_| bad())?
        };
        tz.from_local_datetime(&local)
            .latest()
            .ok_or_else(bad)?
            .with_timezone(&chrono::Utc)
    };
    Ok(utc.format("%Y%m%dT%H%M%SZ").to_string())
}

/// Checks `rule` (the supported subset) and expands it from `first_start`, a wall-clock time
/// in `tz`. The first occurrence is the first date the rule gives on or after it.
pub fn expand(rule: &str, first_start: NaiveDateTime, tz: Tz) -> Result<Expansion, String> {
    let given = parts(rule);
    if given.is_empty() {
        return Err("Give a rule such as FREQ=WEEKLY;COUNT=8.".into());
    }
    let mut normalized = Vec::new();
    let mut freq = None;
    let (mut count, mut until) = (false, false);
    for (key, value) in &given {
        if !ALLOWED.contains(&key.as_str()) {
            return Err(format!(
                "{key} is not supported: use FREQ (WEEKLY or MONTHLY), INTERVAL, BYDAY, \
                 BYMONTHDAY, and COUNT or UNTIL."
            ));
        }
        if normalized.iter().any(|(k, _): &(String, String)| k == key) {
            return Err(format!("{key} is given twice."));
        }
        let value = match key.as_str() {
            "FREQ" => {
                if value != "WEEKLY" && value != "MONTHLY" {
                    return Err(format!(
                        "FREQ={value} is not supported: a series repeats weekly or monthly \
                         (FREQ=WEEKLY or FREQ=MONTHLY)."
                    ));
                }
                freq = Some(value.clone());
                value.clone()
            }
            "COUNT" => {
                count = true;
                value.clone()
            }
            "UNTIL" => {
                until = true;
                until_in_utc(value, tz)?
            }
            _ => value.clone(),
        };
        normalized.push((key.clone(), value));
    }
    if freq.is_none() {
        return Err("Say how often: FREQ=WEEKLY or FREQ=MONTHLY.".into());
    }
    if count == until {
        return Err(
            "End the series with either COUNT (how many times) or UNTIL (a last date).".into(),
        );
    }
    let rule = normalized
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(";");
    let text = format!(
        "DTSTART;TZID={}:{}\nRRULE:{rule}",
        tz.name(),
        first_start.format("%Y%m%dT%H%M%S")
    );
    let set: rrule::RRuleSet = text
        .parse()
        .map_err(|e: rrule::RRuleError| format!("This rule cannot be read: {e}"))?;
    let result = set.all(MAX_OCCURRENCES as u16 + 1);
    if result.dates.len() > MAX_OCCURRENCES {
        return Err(format!(
            "A series may have at most {MAX_OCCURRENCES} occurrences: lower COUNT or bring \
             UNTIL closer."
        ));
    }
    if result.dates.is_empty() {
        return Err("This rule gives no dates after the start.".into());
    }
    let starts = result
        .dates
        .iter()
        .map(|d| d.with_timezone(&chrono::Utc).timestamp_micros())
        .collect();
    Ok(Expansion { rule, starts })
}

/// The rule for the event form's simple choices: `repeat` is "weekly" (on the first date's
/// weekday) or "monthly" (on the same weekday of the month, e.g. the first Thursday; the
/// last one when the first date is in a month's last seven days past the fourth), ending
/// after `count` dates or on `until` (a date, YYYY-MM-DD). Errors name their form field.
pub fn simple_rule(
    repeat: &str,
    count: &str,
    until: &str,
    first_start: Option<NaiveDateTime>,
) -> Result<String, (&'static str, String)> {
    use chrono::Datelike;
    let freq = match repeat.trim() {
        "weekly" => "FREQ=WEEKLY".to_string(),
        "monthly" => match first_start {
            Some(start) => {
                let day = start.day();
                let n = (day as i64 - 1) / 7 + 1;
                let n = if n == 5 { -1 } else { n };
                let code = match start.weekday() {
                    chrono::Weekday::Mon => "MO",
                    chrono::Weekday::Tue => "TU",
                    chrono::Weekday::Wed => "WE",
                    chrono::Weekday::Thu => "TH",
                    chrono::Weekday::Fri => "FR",
                    chrono::Weekday::Sat => "SA",
                    chrono::Weekday::Sun => "SU",
                };
                format!("FREQ=MONTHLY;BYDAY={n}{code}")
            }
            None => "FREQ=MONTHLY".to_string(),
        },
        _ => {
            return Err((
                "repeat",
                "Choose how the event repeats: every week or every month.".into(),
            ))
        }
    };
    let (count, until) = (count.trim(), until.trim());
    let end = match (count.is_empty(), until.is_empty()) {
        (false, true) => match count.parse::<usize>() {
            Ok(n) if (1..=MAX_OCCURRENCES).contains(&n) => format!("COUNT={n}"),
            _ => {
                return Err((
                    "repeat_count",
                    format!(
                        "Give the number of dates as a whole number from 1 to {MAX_OCCURRENCES}."
                    ),
                ))
            }
        },
        (true, false) => match NaiveDate::parse_from_str(until, "%Y-%m-%d") {
            Ok(d) => format!("UNTIL={}", d.format("%Y%m%d")),
            Err(_) => {
                return Err((
                    "repeat_until",
                    "Give the last date as a date such as 2027-06-30.".into(),
                ))
            }
        },
        (true, true) => {
            return Err((
                "repeat_count",
                "Say how many dates, or give a last date.".into(),
            ))
        }
        (false, false) => {
            return Err((
                "repeat_count",
                "Give either a number of dates or a last date, not both.".into(),
            ))
        }
    };
    Ok(format!("{freq};{end}"))
}

fn weekday_name(code: &str) -> Option<&'static str> {
    Some(match code {
        "MO" => "Monday",
        "TU" => "Tuesday",
        "WE" => "Wednesday",
        "TH" => "Thursday",
        "FR" => "Friday",
        "SA" => "Saturday",
        "SU" => "Sunday",
        _ => return None,
    })
}

fn ordinal_word(n: i64) -> String {
    match n {
        1 => "first".into(),
        2 => "second".into(),
        3 => "third".into(),
        4 => "fourth".into(),
        5 => "fifth".into(),
        -1 => "last".into(),
        -2 => "second to last".into(),
        n => format!("{n}th"),
    }
}

/// "every week on Tuesday, 8 times", "every month on the first Thursday, until 30 Jun 2027".
pub fn describe(rule: &str, tz: Tz) -> String {
    let p = parts(rule);
    let get = |k: &str| p.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    let interval: i64 = get("INTERVAL").and_then(|i| i.parse().ok()).unwrap_or(1);
    let unit = if get("FREQ") == Some("MONTHLY") {
        "month"
    } else {
        "week"
    };
    let mut out = if interval > 1 {
        format!("every {interval} {unit}s")
    } else {
        format!("every {unit}")
    };
    let days: Vec<String> = get("BYDAY")
        .unwrap_or_default()
        .split(',')
        .filter(|d| !d.is_empty())
        .filter_map(|d| {
            let split = d.len().saturating_sub(2);
            let (n, code) = d.split_at(split);
            let name = weekday_name(code)?;
            Some(match n.parse::<i64>() {
                Ok(n) => format!("the {} {name}", ordinal_word(n)),
                Err(_) => name.to_string(),
            })
        })
        .collect();
    if !days.is_empty() {
        out.push_str(" on ");
        out.push_str(&days.join(" and "));
    } else if let Some(d) = get("BYMONTHDAY") {
        out.push_str(&format!(" on day {d}"));
    }
    if let Some(c) = get("COUNT") {
        out.push_str(&format!(", {c} times"));
    } else if let Some(u) = get("UNTIL") {
        if let Ok(t) = NaiveDateTime::parse_from_str(u.trim_end_matches('Z'), "%Y%m%dT%H%M%S") {
            let local = t.and_utc().with_timezone(&tz);
            out.push_str(&format!(", until {}", local.format("%-d %b %Y")));
        }
    }
    out
}

/// One date of a series as stored, for writing the series as one recurring calendar event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDate {
    /// Its original start (RECURRENCE-ID as first expanded), UTC microseconds.
    pub recurrence_id: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub cancelled: bool,
    /// Its title, description, format and places are the series' own (not edited apart).
    pub as_series: bool,
}

/// How a series reads as one recurring event (RFC 5545): DTSTART at `first_start` on the
/// series' clock, the stored rule, an EXDATE per cancelled date and an overriding event per
/// date that differs from what the rule and the series' fields give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsRecurring {
    /// The first instance's start (UTC microseconds): DTSTART.
    pub first_start: i64,
    /// Each stored date's instance of the rule (its RECURRENCE-ID), in the order given.
    pub instances: Vec<i64>,
    /// Instances of cancelled dates (EXDATE), unless every date is cancelled.
    pub excluded: Vec<i64>,
    /// Indexes of the dates written as overriding events (moved, edited alone).
    pub overrides: Vec<usize>,
    /// Every date is cancelled: the series as a whole is called off.
    pub all_cancelled: bool,
}

/// The series' dates as one recurring event, when the stored `rule`, expanded on `tz`'s clock
/// at the series' current wall-clock `time` from the first date's original day, gives exactly
/// the stored dates' original days (one instance each); None otherwise, and the dates are
/// then written one by one. A date is covered by the rule when it starts at its instance,
/// lasts `length` and has the series' fields; otherwise it overrides its instance.
pub fn as_recurring(
    rule: &str,
    tz: Tz,
    time: NaiveTime,
    length: i64,
    dates: &[StoredDate],
) -> Option<AsRecurring> {
    let local_day = |micros: i64| {
        chrono::DateTime::from_timestamp_micros(micros).map(|t| t.with_timezone(&tz).date_naive())
    };
    let mut days = dates
        .iter()
        .map(|d| local_day(d.recurrence_id))
        .collect::<Option<Vec<_>>>()?;
    let first_day = *days.iter().min()?;
    let expansion = expand(rule, first_day.and_time(time), tz).ok()?;
    if expansion.rule != rule.trim() {
        return None;
    }
    // The instance of each generated start, by its day on the series' clock; each must fall
    // at the series' time (not shifted by a clock change's gap).
    let mut by_day = std::collections::HashMap::new();
    for &start in &expansion.starts {
        let t = chrono::DateTime::from_timestamp_micros(start)?.with_timezone(&tz);
        if t.time() != time {
            return None;
        }
        by_day.insert(t.date_naive(), start);
    }
    let instances = days
        .iter()
        .map(|d| by_day.get(d).copied())
        .collect::<Option<Vec<_>>>()?;
    days.sort();
    days.dedup();
    if days.len() != dates.len() || days.len() != expansion.starts.len() {
        return None;
    }
    let all_cancelled = dates.iter().all(|d| d.cancelled);
    let mut excluded = Vec::new();
    let mut overrides = Vec::new();
    for (i, (d, &instance)) in dates.iter().zip(&instances).enumerate() {
        if d.cancelled {
            if !all_cancelled {
                excluded.push(instance);
            }
        } else if d.starts_at != instance || d.ends_at != instance + length || !d.as_series {
            overrides.push(i);
        }
    }
    excluded.sort();
    Some(AsRecurring {
        first_start: expansion.starts[0],
        instances,
        excluded,
        overrides,
        all_cancelled,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time_zones;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn utc(s: &str) -> i64 {
        local(s).and_utc().timestamp_micros()
    }

    #[test]
    fn weekly_keeps_the_wall_clock_across_the_clock_change() {
        let berlin = time_zones::parse("Europe/Berlin").unwrap();
        // Tuesdays from 16 March 2027; Europe moves its clocks on 28 March.
        let e = expand(
            "FREQ=WEEKLY;BYDAY=TU;COUNT=8",
            local("2027-03-16T09:00"),
            berlin,
        )
        .unwrap();
        assert_eq!(e.starts.len(), 8);
        assert_eq!(e.starts[0], utc("2027-03-16T08:00"));
        assert_eq!(e.starts[1], utc("2027-03-23T08:00"));
        assert_eq!(e.starts[2], utc("2027-03-30T07:00"), "summer time");
        assert_eq!(e.rule, "FREQ=WEEKLY;BYDAY=TU;COUNT=8");
        assert_eq!(describe(&e.rule, berlin), "every week on Tuesday, 8 times");
    }

    #[test]
    fn monthly_until_a_date() {
        let berlin = time_zones::parse("Europe/Berlin").unwrap();
        let e = expand(
            "RRULE:FREQ=MONTHLY;BYDAY=1TH;UNTIL=20271231",
            local("2027-09-02T09:00"),
            berlin,
        )
        .unwrap();
        // 2 Sep, 7 Oct (summer), 4 Nov, 2 Dec (winter).
        assert_eq!(
            e.starts,
            vec![
                utc("2027-09-02T07:00"),
                utc("2027-10-07T07:00"),
                utc("2027-11-04T08:00"),
                utc("2027-12-02T08:00"),
            ]
        );
        assert_eq!(e.rule, "FREQ=MONTHLY;BYDAY=1TH;UNTIL=20271231T225959Z");
        assert_eq!(
            describe(&e.rule, berlin),
            "every month on the first Thursday, until 31 Dec 2027"
        );
    }

    #[test]
    fn the_forms_simple_choices_make_rules() {
        let thursday = Some(local("2027-09-02T09:00"));
        assert_eq!(
            simple_rule("monthly", "3", "", thursday).unwrap(),
            "FREQ=MONTHLY;BYDAY=1TH;COUNT=3"
        );
        assert_eq!(
            simple_rule("monthly", "", "", Some(local("2027-09-30T09:00")))
                .unwrap_err()
                .0,
            "repeat_count"
        );
        assert_eq!(
            simple_rule("monthly", "", "2027-12-31", Some(local("2027-09-30T09:00"))).unwrap(),
            "FREQ=MONTHLY;BYDAY=-1TH;UNTIL=20271231"
        );
        assert_eq!(
            simple_rule("weekly", "8", "", thursday).unwrap(),
            "FREQ=WEEKLY;COUNT=8"
        );
        assert_eq!(
            simple_rule("weekly", "53", "", thursday).unwrap_err().0,
            "repeat_count"
        );
        assert_eq!(
            simple_rule("weekly", "", "june", thursday).unwrap_err().0,
            "repeat_until"
        );
        assert_eq!(
            simple_rule("daily", "3", "", thursday).unwrap_err().0,
            "repeat"
        );
    }

    #[test]
    fn unsupported_rules_are_refused_with_a_reason() {
        let tz = time_zones::UTC;
        let start = local("2027-01-05T09:00");
        for (rule, says) in [
            ("FREQ=DAILY;COUNT=3", "weekly or monthly"),
            ("FREQ=YEARLY;COUNT=3", "weekly or monthly"),
            ("FREQ=SECONDLY;COUNT=3", "weekly or monthly"),
            ("FREQ=WEEKLY", "COUNT"),
            ("FREQ=WEEKLY;COUNT=3;UNTIL=20270301", "COUNT"),
            ("FREQ=WEEKLY;COUNT=53", "at most 52"),
            ("FREQ=WEEKLY;UNTIL=20300101", "at most 52"),
            ("FREQ=WEEKLY;BYHOUR=9;COUNT=3", "not supported"),
            ("FREQ=WEEKLY;BYDAY=XX;COUNT=3", "cannot be read"),
            ("COUNT=3", "how often"),
            ("", "rule such as"),
        ] {
            let err = expand(rule, start, tz).unwrap_err();
            assert!(err.contains(says), "{rule}: {err}");
        }
    }

    fn date(rid: &str, start: &str, minutes: i64) -> StoredDate {
        StoredDate {
            recurrence_id: utc(rid),
            starts_at: utc(start),
            ends_at: utc(start) + minutes * 60_000_000,
            cancelled: false,
            as_series: true,
        }
    }

    #[test]
    fn a_series_reads_as_one_rule_with_exceptions_across_the_clock_change() {
        let berlin = time_zones::parse("Europe/Berlin").unwrap();
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap();
        let hour = 60 * 60_000_000;
        let mut dates = vec![
            date("2027-03-16T08:00", "2027-03-16T08:00", 60),
            date("2027-03-23T08:00", "2027-03-23T08:00", 60),
            date("2027-03-30T07:00", "2027-03-30T07:00", 60),
            date("2027-04-06T07:00", "2027-04-06T07:00", 60),
        ];
        let plain = as_recurring("FREQ=WEEKLY;COUNT=4", berlin, nine, hour, &dates).unwrap();
        assert_eq!(plain.first_start, utc("2027-03-16T08:00"));
        assert!(plain.overrides.is_empty() && plain.excluded.is_empty());
        assert_eq!(plain.instances[2], utc("2027-03-30T07:00"));
        // One moved to the afternoon, one cancelled, one retitled.
        dates[1].starts_at = utc("2027-03-23T13:00");
        dates[1].ends_at = utc("2027-03-23T14:00");
        dates[2].cancelled = true;
        dates[3].as_series = false;
        let r = as_recurring("FREQ=WEEKLY;COUNT=4", berlin, nine, hour, &dates).unwrap();
        assert_eq!(r.overrides, vec![1, 3]);
        assert_eq!(r.excluded, vec![utc("2027-03-30T07:00")]);
        assert_eq!(r.instances[1], utc("2027-03-23T08:00"));
        // The series moved to 10:00: its dates are instances of the rule at the new time.
        let ten = NaiveTime::from_hms_opt(10, 0, 0).unwrap();
        let r = as_recurring("FREQ=WEEKLY;COUNT=4", berlin, ten, hour, &dates).unwrap();
        assert_eq!(r.first_start, utc("2027-03-16T09:00"));
        assert_eq!(r.overrides, vec![0, 1, 3], "the first keeps 09:00");
        // A rule that does not give the stored dates is not used.
        assert_eq!(
            as_recurring("FREQ=WEEKLY;COUNT=5", berlin, nine, hour, &dates),
            None
        );
        assert_eq!(
            as_recurring("FREQ=WEEKLY;COUNT=3", berlin, nine, hour, &dates[..3])
                .map(|r| r.overrides),
            Some(vec![1])
        );
        assert_eq!(
            as_recurring("FREQ=WEEKLY;COUNT=4", berlin, nine, hour, &dates[1..]),
            None
        );
    }
}
