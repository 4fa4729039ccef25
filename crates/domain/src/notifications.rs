//! Kinds of notifications and how a member may choose to receive each.

use serde::{Deserialize, Serialize};

/// Where a notification goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivery {
    /// Only in the notification centre.
    InApp,
    /// In the notification centre and by e-mail right away.
    Email,
    /// In the notification centre and in the daily digest e-mail.
    Digest,
    /// Not at all.
    Off,
}

impl Delivery {
    pub const ALL: &'static [Delivery] = &[
        Delivery::InApp,
        Delivery::Email,
        Delivery::Digest,
        Delivery::Off,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Delivery::InApp => "in_app",
            Delivery::Email => "email",
            Delivery::Digest => "digest",
            Delivery::Off => "off",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Delivery::InApp => "In the app only",
            Delivery::Email => "E-mail me right away",
            Delivery::Digest => "In the daily digest",
            Delivery::Off => "Off",
        }
    }

    pub fn parse(s: &str) -> Result<Delivery, String> {
        Delivery::ALL
            .iter()
            .copied()
            .find(|d| d.as_str() == s)
            .ok_or_else(|| format!("\"{s}\" is not one of: in_app, email, digest, off."))
    }
}

/// A kind of notification, what it is called in settings, and its default delivery.
pub struct NotificationKind {
    pub name: &'static str,
    pub label: &'static str,
    pub default: Delivery,
}

pub const KINDS: &[NotificationKind] = &[
    NotificationKind {
        name: "mention",
        label: "Someone mentions you",
        default: Delivery::Email,
    },
    NotificationKind {
        name: "reply",
        label: "Replies to your topics and posts",
        default: Delivery::Email,
    },
    NotificationKind {
        name: "answer_accepted",
        label: "Your answer was accepted",
        default: Delivery::Email,
    },
    NotificationKind {
        name: "featured",
        label: "Your post was featured",
        default: Delivery::Email,
    },
    NotificationKind {
        name: "reaction",
        label: "Reactions to your posts",
        default: Delivery::InApp,
    },
    NotificationKind {
        name: "moderation",
        label: "Moderators act on your posts",
        default: Delivery::Email,
    },
    NotificationKind {
        name: "sanction",
        label: "Moderators warn, mute or suspend you",
        default: Delivery::Email,
    },
    NotificationKind {
        name: "flag_handled",
        label: "Your flags are handled",
        default: Delivery::InApp,
    },
    NotificationKind {
        name: "new_topic",
        label: "New topics in spaces you follow",
        default: Delivery::Digest,
    },
];

pub fn kind(name: &str) -> Option<&'static NotificationKind> {
    KINDS.iter().find(|k| k.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deliveries_round_trip_and_kinds_have_defaults() {
        for d in Delivery::ALL {
            assert_eq!(Delivery::parse(d.as_str()).unwrap(), *d);
        }
        assert!(Delivery::parse("sms").is_err());
        assert_eq!(kind("reaction").unwrap().default, Delivery::InApp);
        assert!(kind("unknown").is_none());
    }
}
