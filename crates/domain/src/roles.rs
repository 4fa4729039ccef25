//! The closed vocabularies of communities and spaces. Each is stored as its `as_str` text,
//! which is also what the API and the HTML forms use.

use serde::{Deserialize, Serialize};

macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(s: &str) -> Result<Self, String> {
                match s {
                    $($text => Ok($name::$variant),)+
                    other => Err(format!(
                        "\"{other}\" is not one of: {}.",
                        [$($text),+].join(", ")
                    )),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use text_enum;

text_enum!(
    /// A member's role in one community, from least to most powerful (the order is used).
    CommunityRole { Member => "member", Moderator => "moderator", Admin => "admin", Owner => "owner" }
);

impl PartialOrd for CommunityRole {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for CommunityRole {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl CommunityRole {
    fn rank(self) -> u8 {
        match self {
            CommunityRole::Member => 0,
            CommunityRole::Moderator => 1,
            CommunityRole::Admin => 2,
            CommunityRole::Owner => 3,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CommunityRole::Member => "Member",
            CommunityRole::Moderator => "Moderator",
            CommunityRole::Admin => "Admin",
            CommunityRole::Owner => "Owner",
        }
    }
}

text_enum!(
    /// Who can see that a community exists.
    Visibility { Public => "public", Private => "private" }
);

text_enum!(
    /// How a person becomes a member.
    JoinPolicy { Open => "open", Approval => "approval", Invite => "invite" }
);

impl JoinPolicy {
    pub fn label(self) -> &'static str {
        match self {
            JoinPolicy::Open => "Anyone can join",
            JoinPolicy::Approval => "Join requests are approved by admins",
            JoinPolicy::Invite => "By invitation only",
        }
    }
}

text_enum!(
    /// What a space holds; each kind's content is built by its own product area.
    SpaceKind { Discussion => "discussion", Chat => "chat", Events => "events", Resources => "resources" }
);

impl SpaceKind {
    pub fn label(self) -> &'static str {
        match self {
            SpaceKind::Discussion => "Discussion",
            SpaceKind::Chat => "Chat",
            SpaceKind::Events => "Events",
            SpaceKind::Resources => "Resources",
        }
    }
}

text_enum!(
    /// Who can see a space inside a community they can see.
    SpaceVisibility { Everyone => "everyone", Members => "members", Moderators => "moderators", Admins => "admins" }
);

impl SpaceVisibility {
    pub fn label(self) -> &'static str {
        match self {
            SpaceVisibility::Everyone => "Everyone who can see the community",
            SpaceVisibility::Members => "Members",
            SpaceVisibility::Moderators => "Moderators and admins",
            SpaceVisibility::Admins => "Admins",
        }
    }

    /// The least role that sees the space; `None` when non-members see it too.
    pub fn minimum_role(self) -> Option<CommunityRole> {
        match self {
            SpaceVisibility::Everyone => None,
            SpaceVisibility::Members => Some(CommunityRole::Member),
            SpaceVisibility::Moderators => Some(CommunityRole::Moderator),
            SpaceVisibility::Admins => Some(CommunityRole::Admin),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_are_ordered_and_round_trip() {
        assert!(CommunityRole::Owner > CommunityRole::Admin);
        assert!(CommunityRole::Moderator > CommunityRole::Member);
        for r in CommunityRole::ALL {
            assert_eq!(CommunityRole::parse(r.as_str()).unwrap(), *r);
        }
        assert!(SpaceKind::parse("forum")
            .unwrap_err()
            .contains("discussion, chat"));
    }
}
