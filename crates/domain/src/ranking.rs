//! How topics are ranked on a community's home: trending (a time-decayed score) and top (by
//! interactions in a period).
//!
//! The trending score is the sum over a topic's interactions of `weight × 2^(-age / HALF_LIFE)`.
//! Every topic decays by the same factor as time passes, so the order never changes between
//! interactions, and the score can be stored as a column that each interaction updates:
//! in log2 units relative to the epoch, an interaction at time `t` adds
//! `weight × 2^(t / HALF_LIFE)` to the sum, i.e. the stored value `s` becomes
//! `log2(2^s + 2^(log2(weight) + t / HALF_LIFE))`. Storing the logarithm keeps the value
//! small forever (it grows by one per half-life), where the sum itself would overflow.

/// How long until an interaction counts half as much for trending.
pub const HALF_LIFE_MICROS: i64 = 2 * 86_400_000_000;

/// What each kind of interaction is worth.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Interaction {
    /// A new topic: its opening post.
    Topic,
    Reply,
    Reaction,
}

impl Interaction {
    pub fn weight(self) -> f64 {
        match self {
            Interaction::Topic => 1.0,
            Interaction::Reply => 1.0,
            Interaction::Reaction => 0.5,
        }
    }
}

/// The stored score of a single interaction at `at` (microseconds since the epoch).
pub fn single(interaction: Interaction, at: i64) -> f64 {
    interaction.weight().log2() + at as f64 / HALF_LIFE_MICROS as f64
}

/// The stored score after adding `interaction` at `at` to a topic whose score is `current`.
pub fn add(current: f64, interaction: Interaction, at: i64) -> f64 {
    let new = single(interaction, at);
    let (high, low) = if current >= new {
        (current, new)
    } else {
        (new, current)
    };
    // log2(2^high + 2^low) without overflow; `low - high` is at most 0.
    high + (1.0 + (low - high).exp2()).log2()
}

/// The periods a community's top topics are counted over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopPeriod {
    Week,
    Month,
    Year,
}

impl TopPeriod {
    pub const ALL: [TopPeriod; 3] = [TopPeriod::Week, TopPeriod::Month, TopPeriod::Year];

    pub fn as_str(self) -> &'static str {
        match self {
            TopPeriod::Week => "week",
            TopPeriod::Month => "month",
            TopPeriod::Year => "year",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            TopPeriod::Week => "this week",
            TopPeriod::Month => "this month",
            TopPeriod::Year => "this year",
        }
    }

    pub fn parse(s: &str) -> Result<TopPeriod, String> {
        TopPeriod::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| format!("\"{s}\" is not one of: week, month, year."))
    }

    /// The trailing window, in microseconds.
    pub fn micros(self) -> i64 {
        let day = 86_400_000_000;
        match self {
            TopPeriod::Week => 7 * day,
            TopPeriod::Month => 30 * day,
            TopPeriod::Year => 365 * day,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DAY: i64 = 86_400_000_000;
    const NOW: i64 = 1_790_000_000_000_000;

    fn score(events: &[(Interaction, i64)]) -> f64 {
        let mut events = events.iter();
        let (first, at) = events.next().unwrap();
        events.fold(single(*first, *at), |s, (i, at)| add(s, *i, *at))
    }

    #[test]
    fn a_burst_of_replies_today_beats_a_quiet_new_topic() {
        let busy = score(&[
            (Interaction::Topic, NOW - DAY),
            (Interaction::Reply, NOW - DAY / 2),
            (Interaction::Reply, NOW - DAY / 4),
            (Interaction::Reaction, NOW - DAY / 8),
        ]);
        let quiet = score(&[(Interaction::Topic, NOW)]);
        assert!(busy > quiet, "{busy} should beat {quiet}");
    }

    #[test]
    fn old_activity_fades_behind_fresh_activity() {
        let last_month = score(&[
            (Interaction::Topic, NOW - 30 * DAY),
            (Interaction::Reply, NOW - 30 * DAY),
            (Interaction::Reply, NOW - 29 * DAY),
            (Interaction::Reply, NOW - 29 * DAY),
            (Interaction::Reply, NOW - 28 * DAY),
        ]);
        let today = score(&[(Interaction::Topic, NOW), (Interaction::Reply, NOW)]);
        assert!(today > last_month);
    }

    #[test]
    fn the_stored_score_is_the_log_of_the_decayed_sum() {
        // Two equal interactions at the same moment count twice one: one more unit of log2.
        let one = single(Interaction::Reply, NOW);
        let two = add(one, Interaction::Reply, NOW);
        assert!((two - one - 1.0).abs() < 1e-9);
        // An interaction one half-life earlier is worth half as much.
        let earlier = add(one, Interaction::Reply, NOW - HALF_LIFE_MICROS);
        assert!((earlier - one - 1.5f64.log2()).abs() < 1e-9);
    }

    #[test]
    fn scores_stay_finite_far_in_the_future() {
        let far = NOW + 100 * 365 * DAY;
        let s = add(single(Interaction::Topic, far), Interaction::Reply, far);
        assert!(s.is_finite());
    }

    #[test]
    fn periods_parse_from_their_names_only() {
        for p in TopPeriod::ALL {
            assert_eq!(TopPeriod::parse(p.as_str()), Ok(p));
        }
        assert!(TopPeriod::parse("decade").is_err());
    }
}
