//! The rules of the analytics lists (docs/metrics.md, "Lists"): champions, quiet experts,
//! members at risk, support deflection and trending tags. Counting happens in the store; the
//! thresholds and scores live here so that the page, the API and the tests share them.

/// A champion's score: accepted answers weigh three times a reply others reacted to or a
/// welcome, because an accepted answer solved someone's problem.
pub fn champion_score(accepted_answers: i64, helpful_replies: i64, welcomes: i64) -> i64 {
    3 * accepted_answers + helpful_replies + welcomes
}

/// Quiet experts post little: at least this many posts in the period ...
pub const QUIET_MIN_POSTS: i64 = 2;
/// ... and at most this many.
pub const QUIET_MAX_POSTS: i64 = 5;
/// Accepted answers per post that make a quiet expert.
pub const QUIET_ACCEPTED_RATE: f64 = 0.25;
/// Reactions received (from others) per post that make a quiet expert.
pub const QUIET_REACTIONS_PER_POST: f64 = 2.0;

/// Whether a member with these figures for the period is a quiet expert.
pub fn is_quiet_expert(posts: i64, accepted_answers: i64, reactions_received: i64) -> bool {
    if !(QUIET_MIN_POSTS..=QUIET_MAX_POSTS).contains(&posts) {
        return false;
    }
    let per_post = |n: i64| n as f64 / posts as f64;
    per_post(accepted_answers) >= QUIET_ACCEPTED_RATE
        || per_post(reactions_received) >= QUIET_REACTIONS_PER_POST
}

/// Members silent for this many days (ending on the as-of day) are at risk ...
pub const AT_RISK_SILENT_DAYS: i64 = 21;
/// ... if they were active in each of this many calendar months before the current one.
pub const AT_RISK_ACTIVE_MONTHS: i64 = 3;

/// The median of some durations (the mean of the middle two for an even count); `None` when
/// there are none.
pub fn median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid]
    } else {
        (values[mid - 1] + values[mid]) / 2
    })
}

/// Trending compares the 7 days ending on the as-of day ...
pub const TRENDING_RECENT_DAYS: i64 = 7;
/// ... with the 28 days before them.
pub const TRENDING_BASELINE_DAYS: i64 = 28;
/// A tag needs this many topics in the recent days to trend.
pub const TRENDING_MIN_TOPICS: i64 = 2;

/// How much a tag's share of new topics in the recent days exceeds its share in the
/// baseline days (a difference of fractions; 0 shares when a window has no topics).
pub fn trend_lift(recent: i64, recent_total: i64, baseline: i64, baseline_total: i64) -> f64 {
    super::ratio(recent, recent_total) - super::ratio(baseline, baseline_total)
}

/// Whether a tag with these counts trends: enough recent topics and a larger share than
/// before.
pub fn is_trending(recent: i64, recent_total: i64, baseline: i64, baseline_total: i64) -> bool {
    recent >= TRENDING_MIN_TOPICS
        && trend_lift(recent, recent_total, baseline, baseline_total) > 0.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_champion_score_weighs_accepted_answers_three_times() {
        assert_eq!(champion_score(2, 1, 1), 8);
        assert_eq!(champion_score(0, 0, 0), 0);
    }

    #[test]
    fn quiet_experts_post_little_but_help_much() {
        assert!(is_quiet_expert(2, 1, 0)); // half of the posts accepted
        assert!(is_quiet_expert(4, 0, 8)); // two reactions a post
        assert!(!is_quiet_expert(4, 0, 7));
        assert!(!is_quiet_expert(1, 1, 10)); // too few posts to tell
        assert!(!is_quiet_expert(6, 6, 0)); // not quiet
    }

    #[test]
    fn the_median_takes_the_middle_or_the_mean_of_the_middle_two() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 10]), Some(3));
    }

    #[test]
    fn a_tag_trends_when_its_share_grows_with_enough_topics() {
        // 3 of 6 recent topics (50%) against 2 of 20 before (10%).
        assert!((trend_lift(3, 6, 2, 20) - 0.4).abs() < 1e-9);
        assert!(is_trending(3, 6, 2, 20));
        assert!(!is_trending(1, 2, 0, 20)); // one topic is not a trend
        assert!(!is_trending(2, 10, 10, 20)); // a smaller share than before
        assert!(is_trending(2, 4, 0, 0)); // new this week
    }
}
