//! Onboarding: the checklist a community shows its new members, the welcome message and the
//! days on which unfinished checklists are nudged. A step is done when the activity log holds
//! the action that completes it, never because the member ticked a box.

use crate::values::ValidationErrors;

/// One thing a new member is asked to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    AcceptGuidelines,
    CompleteProfile,
    IntroduceYourself,
    JoinSpace,
    ReplyToTopic,
    RegisterForEvent,
}

impl Step {
    pub const ALL: [Step; 6] = [
        Step::AcceptGuidelines,
        Step::CompleteProfile,
        Step::IntroduceYourself,
        Step::JoinSpace,
        Step::ReplyToTopic,
        Step::RegisterForEvent,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Step::CompleteProfile => "complete_profile",
            Step::AcceptGuidelines => "accept_guidelines",
            Step::IntroduceYourself => "introduce_yourself",
            Step::JoinSpace => "join_space",
            Step::ReplyToTopic => "reply_to_topic",
            Step::RegisterForEvent => "register_for_event",
        }
    }

    pub fn parse(key: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            Step::CompleteProfile => "Complete your profile",
            Step::AcceptGuidelines => "Accept the community guidelines",
            Step::IntroduceYourself => "Introduce yourself",
            Step::JoinSpace => "Join a space",
            Step::ReplyToTopic => "Reply to a topic",
            Step::RegisterForEvent => "Register for an event",
        }
    }

    /// The activity verbs that complete the step. Introducing yourself is a `topic_created`
    /// in the community's introductions space, which the caller checks separately.
    pub fn verbs(self) -> &'static [&'static str] {
        match self {
            Step::CompleteProfile => &["profile_updated"],
            Step::AcceptGuidelines => &["guidelines_accepted"],
            Step::IntroduceYourself => &["topic_created"],
            Step::JoinSpace => &["space_joined"],
            Step::ReplyToTopic => &["post_created"],
            Step::RegisterForEvent => &["event_registered", "event_waitlisted"],
        }
    }
}

/// Every verb any step listens for, for one query over a member's activity.
pub fn all_verbs() -> Vec<&'static str> {
    let mut verbs: Vec<&str> = Step::ALL.iter().flat_map(|s| s.verbs()).copied().collect();
    verbs.sort_unstable();
    verbs.dedup();
    verbs
}

/// The checklist a community starts with (in `Step::ALL` order).
pub const DEFAULT_STEPS: [Step; 5] = [
    Step::AcceptGuidelines,
    Step::CompleteProfile,
    Step::IntroduceYourself,
    Step::JoinSpace,
    Step::ReplyToTopic,
];

/// Nudges go out this many days after joining unless the community chose otherwise.
pub const DEFAULT_NUDGE_DAYS: [i64; 3] = [1, 3, 7];

pub const DEFAULT_WELCOME: &str = "Hello {name}, welcome to {community}! \
Start with the checklist on the community page: it shows the few things that help you \
find your way around.";

pub const MAX_WELCOME_CHARS: usize = 4000;
const MAX_NUDGES: usize = 5;
const MAX_NUDGE_DAY: i64 = 60;

/// A community's onboarding, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Onboarding {
    pub steps: Vec<Step>,
    pub welcome_message: String,
    pub nudge_days: Vec<i64>,
}

impl Default for Onboarding {
    fn default() -> Self {
        Onboarding {
            steps: DEFAULT_STEPS.to_vec(),
            welcome_message: DEFAULT_WELCOME.to_string(),
            nudge_days: DEFAULT_NUDGE_DAYS.to_vec(),
        }
    }
}

impl Onboarding {
    /// Validates what an admin submitted: step keys, the welcome template and the nudge days
    /// ("1, 3, 7"; empty for none).
    pub fn parse(
        steps: &[String],
        welcome_message: &str,
        nudge_days: &str,
    ) -> Result<Onboarding, ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let mut chosen = Vec::new();
        for key in steps {
            match Step::parse(key.trim()) {
                Some(step) if !chosen.contains(&step) => chosen.push(step),
                Some(_) => {}
                None => errors.add("steps", format!("\"{key}\" is not an onboarding step.")),
            }
        }
        // Keep the canonical order whatever order the form sent.
        chosen.sort_by_key(|s| Step::ALL.iter().position(|x| x == s));
        let welcome = welcome_message.trim();
        if welcome.is_empty() {
            errors.add("welcome_message", "Write a welcome message.");
        } else if welcome.chars().count() > MAX_WELCOME_CHARS {
            errors.add(
                "welcome_message",
                format!("Keep the welcome message under {MAX_WELCOME_CHARS} characters."),
            );
        }
        let days = errors.check("nudge_days", parse_nudge_days(nudge_days));
        errors.finish(Onboarding {
            steps: chosen,
            welcome_message: welcome.to_string(),
            nudge_days: days.unwrap_or_default(),
        })
    }

    /// The step keys as stored: space-separated.
    pub fn steps_text(&self) -> String {
        self.steps
            .iter()
            .map(|s| s.key())
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn nudge_days_text(&self) -> String {
        self.nudge_days
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Reads stored values back; anything unknown is dropped rather than failing a page.
    pub fn from_stored(steps: &str, welcome_message: &str, nudge_days: &str) -> Onboarding {
        Onboarding {
            steps: steps.split_whitespace().filter_map(Step::parse).collect(),
            welcome_message: welcome_message.to_string(),
            nudge_days: parse_nudge_days(nudge_days).unwrap_or_default(),
        }
    }
}

/// "1, 3, 7" → [1, 3, 7]: whole days from 1 to 60, at most five, sorted, no repeats.
pub fn parse_nudge_days(input: &str) -> Result<Vec<i64>, String> {
    let mut days = Vec::new();
    for part in input
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
    {
        let day: i64 = part
            .parse()
            .map_err(|_| format!("\"{part}\" is not a number of days."))?;
        if !(1..=MAX_NUDGE_DAY).contains(&day) {
            return Err(format!("Nudge days must be between 1 and {MAX_NUDGE_DAY}."));
        }
        days.push(day);
    }
    days.sort_unstable();
    days.dedup();
    if days.len() > MAX_NUDGES {
        return Err(format!("At most {MAX_NUDGES} nudges."));
    }
    Ok(days)
}

/// The welcome template with the member's and the community's names filled in.
pub fn render_welcome(template: &str, member_name: &str, community_name: &str) -> String {
    template
        .replace("{name}", member_name)
        .replace("{community}", community_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nudge_days_are_sorted_unique_and_bounded() {
        assert_eq!(parse_nudge_days("7, 1 3,3"), Ok(vec![1, 3, 7]));
        assert_eq!(parse_nudge_days(""), Ok(vec![]));
        assert!(parse_nudge_days("0").is_err());
        assert!(parse_nudge_days("61").is_err());
        assert!(parse_nudge_days("soon").is_err());
        assert!(parse_nudge_days("1 2 3 4 5 6").is_err());
    }

    #[test]
    fn steps_keep_their_canonical_order_and_unknown_ones_are_refused() {
        let o = Onboarding::parse(
            &["reply_to_topic".into(), "accept_guidelines".into()],
            "Hi {name}",
            "1",
        )
        .unwrap();
        assert_eq!(o.steps, vec![Step::AcceptGuidelines, Step::ReplyToTopic]);
        let bad = Onboarding::parse(&["fly".into()], "", "0").unwrap_err();
        assert!(bad.for_field("steps").is_some());
        assert!(bad.for_field("welcome_message").is_some());
        assert!(bad.for_field("nudge_days").is_some());
    }

    #[test]
    fn the_welcome_names_the_member_and_the_community() {
        assert_eq!(
            render_welcome("Hi {name}, welcome to {community}.", "Ada", "Makers"),
            "Hi Ada, welcome to Makers."
        );
    }

    #[test]
    fn stored_values_round_trip() {
        let o = Onboarding::default();
        assert_eq!(
            Onboarding::from_stored(&o.steps_text(), &o.welcome_message, &o.nudge_days_text()),
            o
        );
    }
}
