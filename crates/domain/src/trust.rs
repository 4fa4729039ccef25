//! Trust levels 0–4, computed from what a member did in one community. The thresholds are
//! documented in docs/trust-levels.md; change both together.

/// What a member did in a community, as counted by the trust-level job.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Activity {
    /// Distinct UTC days on which the member read a topic or did anything the activity log
    /// records (posting, reacting, registering, flagging…).
    pub days_visited: i64,
    /// Distinct topics the member opened.
    pub topics_read: i64,
    /// Posts read: for each topic opened, the replies seen plus its opening post.
    pub posts_read: i64,
    /// Live posts written (topics and replies).
    pub posts_written: i64,
    /// Flags upheld against the member: on their posts (hidden or deleted) or their profile.
    pub flags_upheld: i64,
}

/// The highest level.
pub const MAX_LEVEL: i64 = 4;

/// Minimums for levels 1 to 4: (days visited, topics read, posts read, posts written).
/// Tuned for small and mid-sized communities (a few dozen topics a month): reading counts
/// are modest, one post shows participation, and time (days visited) and reading do the
/// separating at the top.
pub const THRESHOLDS: [(i64, i64, i64, i64); 4] = [
    (2, 2, 5, 0),
    (5, 5, 10, 1),
    (15, 10, 20, 1),
    (40, 14, 25, 1),
];

/// The level earned by activity, lowered by one for each upheld flag (never below 0).
pub fn level(a: &Activity) -> i64 {
    let earned = THRESHOLDS
        .iter()
        .take_while(|(days, topics, posts_read, written)| {
            a.days_visited >= *days
                && a.topics_read >= *topics
                && a.posts_read >= *posts_read
                && a.posts_written >= *written
        })
        .count() as i64;
    (earned - a.flags_upheld.max(0)).max(0)
}

/// A short name for each level.
pub fn label(level: i64) -> &'static str {
    match level {
        0 => "new",
        1 => "basic",
        2 => "member",
        3 => "regular",
        _ => "leader",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(days: i64, topics: i64, read: i64, written: i64) -> Activity {
        Activity {
            days_visited: days,
            topics_read: topics,
            posts_read: read,
            posts_written: written,
            flags_upheld: 0,
        }
    }

    #[test]
    fn each_level_needs_every_threshold() {
        assert_eq!(level(&Activity::default()), 0);
        assert_eq!(level(&at(1, 3, 10, 0)), 0, "one day is not enough");
        assert_eq!(level(&at(2, 2, 5, 0)), 1);
        assert_eq!(level(&at(5, 5, 10, 0)), 1, "level 2 needs a post");
        assert_eq!(level(&at(5, 5, 10, 1)), 2);
        assert_eq!(level(&at(15, 10, 20, 1)), 3);
        assert_eq!(level(&at(15, 10, 19, 1)), 2, "posts read gate level 3");
        assert_eq!(level(&at(14, 500, 3000, 150)), 2, "days gate level 3");
        assert_eq!(level(&at(40, 14, 25, 1)), 4);
        assert_eq!(level(&at(40, 13, 25, 1)), 3, "topics read gate level 4");
        assert_eq!(level(&at(1000, 1000, 100_000, 1000)), MAX_LEVEL);
    }

    #[test]
    fn upheld_flags_lower_the_level_but_not_below_zero() {
        let regular = at(15, 10, 20, 1);
        let flagged = |n| Activity {
            flags_upheld: n,
            ..regular
        };
        assert_eq!(level(&flagged(1)), 2);
        assert_eq!(level(&flagged(3)), 0);
        assert_eq!(level(&flagged(9)), 0);
        assert_eq!(label(0), "new");
        assert_eq!(label(4), "leader");
    }
}
