//! Membership tiers: what a community offers its members (a name, a free-text price, benefits
//! in Markdown, how long a term lasts, which spaces it unlocks) and the rules for a member's
//! term: when it ends, when to remind, and what a renewal moves the end to.

use crate::values::{optional_text, required_text};
use crate::ValidationErrors;
use chrono::{Months, NaiveDate};

/// Reminders before expiry when a tier does not say: two weeks and three days ahead.
pub const DEFAULT_REMINDER_DAYS: [i64; 2] = [14, 3];

/// A term's status.
pub const ACTIVE: &str = "active";
pub const EXPIRED: &str = "expired";
pub const ENDED: &str = "ended";
/// Replaced by another tier (an upgrade or downgrade): the term ended at the change and the
/// member carries on in a new term; not counted in membership churn (docs/metrics.md).
pub const CHANGED: &str = "changed";
/// A change dated in the future: the new term waits from its start; the sweep makes it
/// `active` (and the term it replaces `changed`) once that start has come. Access does not
/// wait for the sweep: it follows the dates.
pub const SCHEDULED: &str = "scheduled";

/// How far ahead a tier change can be scheduled: two years.
pub const MAX_SCHEDULE_MONTHS: u32 = 24;

/// Checks the start of a tier change against today: today or earlier takes effect at once
/// (`Ok(false)`), later is scheduled (`Ok(true)`) up to two years ahead.
pub fn change_is_scheduled(starts_on: NaiveDate, today: NaiveDate) -> Result<bool, String> {
    let latest = today
        .checked_add_months(Months::new(MAX_SCHEDULE_MONTHS))
        .unwrap_or(NaiveDate::MAX);
    if starts_on > latest {
        return Err(format!(
            "A change can be scheduled at most two years ahead (until {latest})."
        ));
    }
    Ok(starts_on > today)
}

/// A tier as an admin describes it, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    pub name: String,
    pub price_label: String,
    pub benefits: String,
    /// Months a term lasts; None for a tier without end (no renewals, no reminders).
    pub period_months: Option<i64>,
    /// Days before expiry on which the holder is reminded, largest first.
    pub reminder_days: Vec<i64>,
}

impl Tier {
    /// Checks an admin's input; every field's problem is reported at once.
    pub fn parse(
        name: &str,
        price_label: &str,
        benefits: &str,
        period_months: &str,
        reminder_days: &str,
    ) -> Result<Tier, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = e.check("name", required_text(name, "tier name", 60));
        let price_label = e.check("price_label", optional_text(price_label, "price", 60));
        let benefits = e.check("benefits", optional_text(benefits, "benefits text", 4000));
        let period = e.check("period_months", parse_period(period_months));
        let days = e.check("reminder_days", parse_reminder_days(reminder_days));
        match (name, price_label, benefits, period, days) {
            (Some(name), Some(price_label), Some(benefits), Some(period_months), Some(days)) => e
                .finish(Tier {
                    name,
                    price_label,
                    benefits,
                    period_months,
                    reminder_days: days,
                }),
            _ => Err(e),
        }
    }

    pub fn reminder_days_text(&self) -> String {
        days_text(&self.reminder_days)
    }
}

pub fn days_text(days: &[i64]) -> String {
    days.iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// A period in whole months, 1 to 120; empty for a tier without end.
pub fn parse_period(input: &str) -> Result<Option<i64>, String> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    match s.parse::<i64>() {
        Ok(n) if (1..=120).contains(&n) => Ok(Some(n)),
        _ => Err("Give the period as a number of months from 1 to 120, or leave it empty for a tier without end.".into()),
    }
}

/// Days before expiry, separated by commas or spaces: each 1 to 90, at most five; empty for
/// no reminders. Stored and shown largest first, without repeats.
pub fn parse_reminder_days(input: &str) -> Result<Vec<i64>, String> {
    let mut days = Vec::new();
    for part in input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        match part.parse::<i64>() {
            Ok(n) if (1..=90).contains(&n) => days.push(n),
            _ => {
                return Err(format!(
                    "“{part}” is not a number of days from 1 to 90. Write for example 14, 3."
                ))
            }
        }
    }
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    if days.len() > 5 {
        return Err("Choose at most five reminder days.".into());
    }
    Ok(days)
}

/// Stored reminder days back to numbers (as saved by `days_text`).
pub fn reminder_days_from_stored(stored: &str) -> Vec<i64> {
    parse_reminder_days(stored).unwrap_or_else(|_| DEFAULT_REMINDER_DAYS.to_vec())
}

/// The date a term that starts on `start` ends, `months` later (the 31st of January plus one
/// month is the last day of February).
pub fn end_of_term(start: NaiveDate, months: i64) -> NaiveDate {
    start
        .checked_add_months(Months::new(months.clamp(0, 1200) as u32))
        .unwrap_or(NaiveDate::MAX)
}

/// Where a renewal moves a term's end: one more period from the current end if that is still
/// ahead, otherwise one period from today (a lapsed member starts afresh).
pub fn renewed_end(current_end: NaiveDate, today: NaiveDate, months: i64) -> NaiveDate {
    end_of_term(current_end.max(today), months)
}

/// Parses a YYYY-MM-DD date field.
pub fn parse_date(input: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(input.trim(), "%Y-%m-%d")
        .map_err(|_| "Give a date as YYYY-MM-DD.".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn a_tier_reports_every_bad_field() {
        let e = Tier::parse("", "€60 / year", "", "0", "14, 100").unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, ["name", "period_months", "reminder_days"]);
        let t = Tier::parse(" Supporter ", "€60 / year", "*Thanks*", "12", "3 14 14").unwrap();
        assert_eq!(t.name, "Supporter");
        assert_eq!(t.period_months, Some(12));
        assert_eq!(t.reminder_days, [14, 3]);
        assert_eq!(t.reminder_days_text(), "14, 3");
        assert_eq!(
            Tier::parse("Life", "", "", "", "").unwrap().period_months,
            None
        );
    }

    #[test]
    fn changes_are_scheduled_up_to_two_years_ahead() {
        let today = d("2026-03-10");
        assert_eq!(change_is_scheduled(d("2026-03-01"), today), Ok(false));
        assert_eq!(change_is_scheduled(today, today), Ok(false));
        assert_eq!(change_is_scheduled(d("2026-03-20"), today), Ok(true));
        assert_eq!(change_is_scheduled(d("2028-03-10"), today), Ok(true));
        assert!(change_is_scheduled(d("2028-03-11"), today).is_err());
    }

    #[test]
    fn terms_end_by_calendar_months() {
        assert_eq!(end_of_term(d("2026-01-31"), 1), d("2026-02-28"));
        assert_eq!(end_of_term(d("2026-03-15"), 12), d("2027-03-15"));
        // Renewing early extends from the current end; renewing late, from today.
        assert_eq!(
            renewed_end(d("2026-06-01"), d("2026-05-20"), 12),
            d("2027-06-01")
        );
        assert_eq!(
            renewed_end(d("2026-06-01"), d("2026-07-10"), 1),
            d("2026-08-10")
        );
    }
}
