//! The facts a member 360 page states about one member of one community, and the segment
//! they put the member in. The rules are documented in docs/member-360.md; change both
//! together.

/// Counted from the per-member, per-day analytics rollup (visits included), on the
/// community's calendar.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Facts {
    /// Days since the member joined (0 on the day they joined).
    pub days_since_joined: i64,
    /// Days with any activity among the last 30 and the last 90 (today included).
    pub days_active_30: i64,
    pub days_active_90: i64,
    /// Topics and replies written in the last 90 days.
    pub posts_90: i64,
    /// Days since the last day with activity, if there was one.
    pub days_since_active: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment {
    New,
    Champion,
    Active,
    AtRisk,
    Dormant,
}

/// A champion posted at least this many times in 90 days…
pub const CHAMPION_POSTS_90: i64 = 20;
/// …and was active on at least this many of the last 30 days.
pub const CHAMPION_DAYS_30: i64 = 8;
/// Members count as new for this many days after joining.
pub const NEW_DAYS: i64 = 30;

impl Segment {
    pub fn as_str(self) -> &'static str {
        match self {
            Segment::New => "new",
            Segment::Champion => "champion",
            Segment::Active => "active",
            Segment::AtRisk => "at_risk",
            Segment::Dormant => "dormant",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Segment::New => "New",
            Segment::Champion => "Champion",
            Segment::Active => "Active",
            Segment::AtRisk => "At risk",
            Segment::Dormant => "Dormant",
        }
    }
}

/// The first rule that holds, in this order: new (joined in the last 30 days), champion
/// (20+ posts in 90 days and active on 8+ of the last 30), active (any activity in the last
/// 30 days), at risk (none in 30 days but some in the 60 before), dormant (none in 90 days).
pub fn segment(f: &Facts) -> Segment {
    if f.days_since_joined < NEW_DAYS {
        Segment::New
    } else if f.posts_90 >= CHAMPION_POSTS_90 && f.days_active_30 >= CHAMPION_DAYS_30 {
        Segment::Champion
    } else if f.days_active_30 > 0 {
        Segment::Active
    } else if f.days_active_90 > 0 {
        Segment::AtRisk
    } else {
        Segment::Dormant
    }
}

/// Verbs done *to* a member by someone else — an admin, a moderator, or the community's own
/// sweeps — recorded with the member as the object (`object_type = 'user'`, `object_id` the
/// member). A member's timeline shows them beside the member's own activities, with who did
/// them, under the kind `DONE_TO_MEMBER` ("Admin & moderation"). Adding a verb is this line.
pub const VERBS_DONE_TO_MEMBER: &[&str] = &[
    "role_changed",
    "join_approved",
    "join_declined",
    "moderation_action",
    "tier_started",
    "tier_renewed",
    "tier_changed",
    "tier_change_scheduled",
    "tier_change_cancelled",
    "tier_ended",
    "tier_expired",
];

/// The timeline kind (and filter) of what was done to the member by others.
pub const DONE_TO_MEMBER: &str = "admin";

/// The kind of a line in `member_id`'s timeline: what others did to them is `admin`; the
/// member's own activities go by their verb's group.
pub fn timeline_kind(
    verb: &str,
    object_type: &str,
    object_id: &str,
    actor_id: Option<&str>,
    member_id: &str,
) -> &'static str {
    if object_type == "user"
        && object_id == member_id
        && actor_id != Some(member_id)
        && VERBS_DONE_TO_MEMBER.contains(&verb)
    {
        DONE_TO_MEMBER
    } else {
        verb_group(verb)
    }
}

/// A timeline kind in words, for the filter.
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "posts" => "Posts",
        "reactions" => "Reactions",
        "events" => "Events",
        "membership" => "Membership",
        "moderation" => "Moderation",
        "visits" => "Visits",
        DONE_TO_MEMBER => "Admin & moderation (done to them)",
        _ => "Other",
    }
}

/// Timeline filters: a group's verbs (events: every verb starting with `event_`; `admin`:
/// `VERBS_DONE_TO_MEMBER` with the member as their object).
pub const VERB_GROUPS: [(&str, &[&str]); 7] = [
    (
        "posts",
        &[
            "topic_created",
            "post_created",
            "post_edited",
            "post_deleted",
            "answer_accepted",
        ],
    ),
    ("reactions", &["reaction_added", "reaction_removed"]),
    ("events", &[]),
    (
        "membership",
        &[
            "joined",
            "left",
            "join_requested",
            "guidelines_accepted",
            "space_joined",
            "space_left",
            "role_changed",
            "tier_started",
            "tier_renewed",
            "tier_changed",
            "tier_change_scheduled",
            "tier_change_cancelled",
            "tier_ended",
            "tier_expired",
        ],
    ),
    (
        "moderation",
        &[
            "flag_raised",
            "appeal_made",
            "appeal_resolved",
            "moderation_action",
            "post_held",
            "post_auto_hidden",
        ],
    ),
    ("visits", &["visited"]),
    (DONE_TO_MEMBER, VERBS_DONE_TO_MEMBER),
];

/// The prefix of every event verb.
pub const EVENT_VERB_PREFIX: &str = "event_";

/// What kind of thing an activity verb is ("other" when no group claims it).
pub fn verb_group(verb: &str) -> &'static str {
    if verb.starts_with(EVENT_VERB_PREFIX) {
        return "events";
    }
    VERB_GROUPS
        .iter()
        .find(|(_, verbs)| verbs.contains(&verb))
        .map(|(g, _)| *g)
        .unwrap_or("other")
}

/// The verbs of a filter group, or None for an unknown group.
pub fn group_verbs(group: &str) -> Option<&'static [&'static str]> {
    VERB_GROUPS
        .iter()
        .find(|(g, _)| *g == group)
        .map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(joined: i64, d30: i64, d90: i64, posts: i64) -> Facts {
        Facts {
            days_since_joined: joined,
            days_active_30: d30,
            days_active_90: d90,
            posts_90: posts,
            days_since_active: None,
        }
    }

    #[test]
    fn segments_follow_the_documented_order() {
        assert_eq!(segment(&facts(3, 0, 0, 0)), Segment::New);
        assert_eq!(segment(&facts(29, 20, 20, 50)), Segment::New);
        assert_eq!(segment(&facts(30, 8, 20, 20)), Segment::Champion);
        assert_eq!(segment(&facts(30, 7, 20, 20)), Segment::Active);
        assert_eq!(segment(&facts(100, 1, 1, 0)), Segment::Active);
        assert_eq!(segment(&facts(100, 0, 5, 3)), Segment::AtRisk);
        assert_eq!(segment(&facts(100, 0, 0, 0)), Segment::Dormant);
    }

    #[test]
    fn verbs_fall_into_groups() {
        assert_eq!(verb_group("post_created"), "posts");
        assert_eq!(verb_group("event_checked_in"), "events");
        assert_eq!(verb_group("visited"), "visits");
        assert_eq!(verb_group("calendar_feed_reset"), "other");
        assert_eq!(verb_group("flag_raised"), "moderation");
        assert_eq!(group_verbs("visits"), Some(&["visited"][..]));
        assert_eq!(group_verbs("nonsense"), None);
    }
}
