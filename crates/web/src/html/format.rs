//! Times as people read them.

use chrono::{DateTime, Utc};

fn to_datetime(micros: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(micros).unwrap_or_default()
}

/// "3 days ago", relative to `now`.
pub fn ago(micros: i64, now: i64) -> String {
    let secs = (now - micros).max(0) / 1_000_000;
    let (n, unit) = match secs {
        0..=59 => return "just now".into(),
        60..=3599 => (secs / 60, "minute"),
        3600..=86_399 => (secs / 3600, "hour"),
        86_400..=2_591_999 => (secs / 86_400, "day"),
        2_592_000..=31_535_999 => (secs / 2_592_000, "month"),
        _ => (secs / 31_536_000, "year"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// "2026-11-28".
pub fn date(micros: i64) -> String {
    to_datetime(micros).format("%Y-%m-%d").to_string()
}

/// RFC 3339, for `<time datetime>` and the API.
pub fn iso(micros: i64) -> String {
    to_datetime(micros).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Up to two initials of a name, for the avatar placeholder of someone without a picture.
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}
