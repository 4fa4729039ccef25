//! Moderation's vocabulary: why members flag things, what can be flagged, and what
//! moderators do about it.

use crate::roles::text_enum;
use serde::{Deserialize, Serialize};

text_enum! {
    /// Why a member flags an item.
    FlagReason {
        Spam => "spam",
        Harassment => "harassment",
        OffTopic => "off_topic",
        Inappropriate => "inappropriate",
        Other => "other",
    }
}

impl FlagReason {
    pub fn label(self) -> &'static str {
        match self {
            FlagReason::Spam => "Spam",
            FlagReason::Harassment => "Harassment",
            FlagReason::OffTopic => "Off-topic",
            FlagReason::Inappropriate => "Inappropriate",
            FlagReason::Other => "Something else",
        }
    }
}

text_enum! {
    /// What a flag or a moderation action is about. Chat messages and events join as those
    /// areas land; flags and actions name their target by kind and id.
    TargetKind {
        Post => "post",
        User => "user",
        Event => "event",
    }
}

text_enum! {
    /// What a moderator does with flagged content: approve (keep it, dismiss the flags), hide
    /// (from everyone but its author and moderators), unhide, delete.
    ContentAction {
        Approve => "approve",
        Hide => "hide",
        Unhide => "unhide",
        Delete => "delete",
    }
}

text_enum! {
    /// What a moderator does about a member: warn (a private message citing the guidelines),
    /// mute (cannot post, can read), suspend (no more than a visitor's access), ban (a
    /// suspension without end). Listed from mildest to most severe.
    SanctionKind {
        Warn => "warn",
        Mute => "mute",
        Suspend => "suspend",
        Ban => "ban",
    }
}

impl SanctionKind {
    /// Whether the member keeps no more than a visitor's access while it lasts.
    pub fn locks_out(self) -> bool {
        matches!(self, SanctionKind::Suspend | SanctionKind::Ban)
    }

    /// When a sanction given at `now` for `days` ends: mutes and suspensions need 1 to 365
    /// days; warnings and bans take none (a ban lasts until lifted).
    pub fn ends_at(self, days: Option<i64>, now: i64) -> Result<Option<i64>, String> {
        const DAY: i64 = 86_400_000_000;
        match (self, days) {
            (SanctionKind::Mute | SanctionKind::Suspend, Some(d)) if (1..=365).contains(&d) => {
                Ok(Some(now + d * DAY))
            }
            (SanctionKind::Mute | SanctionKind::Suspend, _) => {
                Err("Give a period from 1 to 365 days.".into())
            }
            (_, Some(_)) => Err("Only mutes and suspensions have a period.".into()),
            (_, None) => Ok(None),
        }
    }
}

/// Longest note on a flag, and longest reason on an action.
pub const MAX_NOTE: usize = 1000;

/// Checks a flag's note: "other" needs one, and none may be too long.
pub fn check_flag_note(reason: FlagReason, note: &str) -> Result<String, String> {
    let note = note.trim();
    if reason == FlagReason::Other && note.is_empty() {
        return Err(
            "Say what is wrong: a note is needed when the reason is \"something else\".".into(),
        );
    }
    if note.chars().count() > MAX_NOTE {
        return Err(format!("Keep the note under {MAX_NOTE} characters."));
    }
    Ok(note.to_string())
}

/// Checks an action's reason: every action needs one, for the member and the audit log.
pub fn check_action_reason(reason: &str) -> Result<String, String> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err("Give a reason: the member sees it, and the audit log keeps it.".into());
    }
    if reason.chars().count() > MAX_NOTE {
        return Err(format!("Keep the reason under {MAX_NOTE} characters."));
    }
    Ok(reason.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn other_needs_a_note_and_actions_need_a_reason() {
        assert!(check_flag_note(FlagReason::Other, "  ").is_err());
        assert_eq!(check_flag_note(FlagReason::Spam, " ").unwrap(), "");
        assert_eq!(check_flag_note(FlagReason::Other, " ads ").unwrap(), "ads");
        assert!(check_flag_note(FlagReason::Spam, &"x".repeat(MAX_NOTE + 1)).is_err());
        assert!(check_action_reason("").is_err());
        assert_eq!(check_action_reason(" Rule 2 ").unwrap(), "Rule 2");
    }

    #[test]
    fn mutes_and_suspensions_need_a_period_and_bans_do_not() {
        let now = 1_000;
        let day = 86_400_000_000;
        assert_eq!(
            SanctionKind::Mute.ends_at(Some(3), now),
            Ok(Some(now + 3 * day))
        );
        assert!(SanctionKind::Suspend.ends_at(None, now).is_err());
        assert!(SanctionKind::Suspend.ends_at(Some(0), now).is_err());
        assert!(SanctionKind::Mute.ends_at(Some(366), now).is_err());
        assert_eq!(SanctionKind::Ban.ends_at(None, now), Ok(None));
        assert!(SanctionKind::Warn.ends_at(Some(2), now).is_err());
        assert!(SanctionKind::Ban.locks_out() && !SanctionKind::Mute.locks_out());
    }

    #[test]
    fn reasons_and_actions_parse_from_their_names() {
        assert_eq!(FlagReason::parse("off_topic"), Ok(FlagReason::OffTopic));
        assert!(FlagReason::parse("boring").is_err());
        assert_eq!(ContentAction::parse("hide"), Ok(ContentAction::Hide));
        assert_eq!(TargetKind::parse("post"), Ok(TargetKind::Post));
        assert_eq!(TargetKind::parse("event"), Ok(TargetKind::Event));
    }
}
