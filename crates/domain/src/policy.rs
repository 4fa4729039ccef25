//! The authorization policy, in one place. Every read and write in the app layer asks one of
//! these functions; none of them does IO, so the whole policy is tested here as a table.

use crate::roles::{CommunityRole, SpaceVisibility, Visibility};

/// Who is asking, as far as a community is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Viewer {
    pub signed_in: bool,
    pub superadmin: bool,
    /// The viewer's active role in the community in question, if they are a member.
    pub role: Option<CommunityRole>,
}

impl Viewer {
    pub const ANONYMOUS: Viewer = Viewer {
        signed_in: false,
        superadmin: false,
        role: None,
    };

    fn at_least(&self, role: CommunityRole) -> bool {
        self.superadmin || self.role.is_some_and(|r| r >= role)
    }
}

/// A private community is invisible to non-members: not even its name shows in lists.
pub fn can_see_community(viewer: &Viewer, visibility: Visibility) -> bool {
    match visibility {
        Visibility::Public => true,
        Visibility::Private => viewer.superadmin || viewer.role.is_some(),
    }
}

pub fn can_see_space(viewer: &Viewer, community: Visibility, space: SpaceVisibility) -> bool {
    if !can_see_community(viewer, community) {
        return false;
    }
    match space.minimum_role() {
        None => true,
        Some(role) => viewer.at_least(role),
    }
}

/// A space that a membership tier unlocks (`locked`) is for the community's members who hold an
/// active tier unlocking it (`holds_tier`), and for staff (moderators and above, superadmins).
/// Asked on top of `can_see_space`, never instead of it.
pub fn can_enter_tier_space(viewer: &Viewer, locked: bool, holds_tier: bool) -> bool {
    !locked || viewer.at_least(CommunityRole::Moderator) || (viewer.role.is_some() && holds_tier)
}

/// Settings, spaces, join requests: the work of admins and owners.
pub fn can_manage_community(viewer: &Viewer) -> bool {
    viewer.at_least(CommunityRole::Admin)
}

/// Pin, lock, move and delete others' posts: moderators and above.
pub fn can_moderate(viewer: &Viewer) -> bool {
    viewer.at_least(CommunityRole::Moderator)
}

pub fn can_see_member_list(viewer: &Viewer) -> bool {
    viewer.superadmin || viewer.role.is_some()
}

/// The instance page (`/admin`): counts, every community, granting superadmin. Superadmins only.
pub fn can_administer_instance(viewer: &Viewer) -> bool {
    viewer.superadmin
}

/// Invite links and e-mail invitations: admins and owners (and superadmins). Not moderators:
/// an invitation lets people past the join policy (into an invite-only community, or past the
/// approval queue), and deciding who gets in is the admins' work, as approving requests is.
pub fn can_invite(viewer: &Viewer) -> bool {
    viewer.at_least(CommunityRole::Admin)
}

/// Whether `actor` may change `target`'s role from `current` to `new`.
/// Owners (and superadmins) appoint admins; admins appoint moderators; nobody may act on
/// someone of their own rank or above, and owners are changed only by superadmins.
pub fn can_change_role(actor: &Viewer, current: CommunityRole, new: CommunityRole) -> bool {
    if actor.superadmin {
        return true;
    }
    let Some(actor_role) = actor.role else {
        return false;
    };
    if current == CommunityRole::Owner || new == CommunityRole::Owner {
        return false;
    }
    match actor_role {
        CommunityRole::Owner => true,
        CommunityRole::Admin => current < CommunityRole::Admin && new < CommunityRole::Admin,
        _ => false,
    }
}

/// Whether a moderator may act on a member's content or on the member: moderators and above,
/// but admins and owners answer only to someone ranked above them (or a superadmin).
pub fn can_act_against(viewer: &Viewer, subject: Option<CommunityRole>) -> bool {
    if !can_moderate(viewer) {
        return false;
    }
    match subject {
        Some(role) if role >= CommunityRole::Admin => {
            viewer.superadmin || viewer.role.is_some_and(|r| r > role)
        }
        _ => true,
    }
}

/// Hosting events (creating and editing them, seeing who registered) is the community
/// managers' work: admins and owners (and superadmins). Moderators and members register.
pub fn can_host_events(viewer: &Viewer) -> bool {
    viewer.at_least(CommunityRole::Admin)
}

/// Registering for an event: the community's members (an event's space must be visible too).
pub fn can_register_for_events(viewer: &Viewer) -> bool {
    viewer.role.is_some()
}

/// The moderation audit log is for admins.
pub fn can_read_audit_log(viewer: &Viewer) -> bool {
    can_manage_community(viewer)
}

#[cfg(test)]
mod tests {
    use super::*;
    use CommunityRole::*;

    fn member(role: CommunityRole) -> Viewer {
        Viewer {
            signed_in: true,
            superadmin: false,
            role: Some(role),
        }
    }

    const OUTSIDER: Viewer = Viewer {
        signed_in: true,
        superadmin: false,
        role: None,
    };
    const SUPER: Viewer = Viewer {
        signed_in: true,
        superadmin: true,
        role: None,
    };

    #[test]
    fn private_communities_are_invisible_to_outsiders() {
        assert!(!can_see_community(&Viewer::ANONYMOUS, Visibility::Private));
        assert!(!can_see_community(&OUTSIDER, Visibility::Private));
        assert!(can_see_community(&member(Member), Visibility::Private));
        assert!(can_see_community(&SUPER, Visibility::Private));
        assert!(can_see_community(&Viewer::ANONYMOUS, Visibility::Public));
    }

    #[test]
    fn space_visibility_follows_roles() {
        use SpaceVisibility as S;
        let cases = [
            (Viewer::ANONYMOUS, S::Everyone, true),
            (Viewer::ANONYMOUS, S::Members, false),
            (OUTSIDER, S::Members, false),
            (member(Member), S::Members, true),
            (member(Member), S::Moderators, false),
            (member(Moderator), S::Moderators, true),
            (member(Moderator), S::Admins, false),
            (member(Admin), S::Admins, true),
            (SUPER, S::Admins, true),
        ];
        for (viewer, space, expected) in cases {
            assert_eq!(
                can_see_space(&viewer, Visibility::Public, space),
                expected,
                "{viewer:?} / {space:?}"
            );
        }
        assert!(!can_see_space(&OUTSIDER, Visibility::Private, S::Everyone));
    }

    #[test]
    fn tier_spaces_are_for_holders_and_staff() {
        assert!(can_enter_tier_space(&member(Member), false, false));
        assert!(!can_enter_tier_space(&member(Member), true, false));
        assert!(can_enter_tier_space(&member(Member), true, true));
        assert!(can_enter_tier_space(&member(Moderator), true, false));
        assert!(can_enter_tier_space(&SUPER, true, false));
        // A tier held by someone who is no longer a member opens nothing.
        assert!(!can_enter_tier_space(&OUTSIDER, true, true));
        assert!(!can_enter_tier_space(&Viewer::ANONYMOUS, true, false));
    }

    #[test]
    fn only_superadmins_administer_the_instance() {
        assert!(can_administer_instance(&SUPER));
        for viewer in [Viewer::ANONYMOUS, OUTSIDER, member(Owner), member(Admin)] {
            assert!(!can_administer_instance(&viewer), "{viewer:?}");
        }
    }

    #[test]
    fn admins_invite_moderators_do_not() {
        assert!(can_invite(&member(Owner)));
        assert!(can_invite(&member(Admin)));
        assert!(can_invite(&SUPER));
        assert!(!can_invite(&member(Moderator)));
        assert!(!can_invite(&member(Member)));
        assert!(!can_invite(&OUTSIDER));
        assert!(!can_invite(&Viewer::ANONYMOUS));
    }

    #[test]
    fn role_changes_respect_rank() {
        assert!(can_change_role(&member(Owner), Member, Admin));
        assert!(can_change_role(&member(Owner), Admin, Member));
        assert!(!can_change_role(&member(Owner), Owner, Member));
        assert!(can_change_role(&member(Admin), Member, Moderator));
        assert!(!can_change_role(&member(Admin), Member, Admin));
        assert!(!can_change_role(&member(Admin), Admin, Member));
        assert!(!can_change_role(&member(Moderator), Member, Moderator));
        assert!(!can_change_role(&OUTSIDER, Member, Moderator));
        assert!(can_change_role(&SUPER, Owner, Member));
    }

    #[test]
    fn moderators_cannot_act_against_admins_or_owners() {
        use CommunityRole::*;
        let as_role = |role| Viewer {
            signed_in: true,
            superadmin: false,
            role: Some(role),
        };
        assert!(can_act_against(&as_role(Moderator), Some(Member)));
        assert!(can_act_against(&as_role(Moderator), Some(Moderator)));
        assert!(can_act_against(&as_role(Moderator), None));
        assert!(!can_act_against(&as_role(Moderator), Some(Admin)));
        assert!(!can_act_against(&as_role(Moderator), Some(Owner)));
        assert!(!can_act_against(&as_role(Admin), Some(Admin)));
        assert!(can_act_against(&as_role(Owner), Some(Admin)));
        assert!(!can_act_against(&as_role(Member), Some(Member)));
        let root = Viewer {
            signed_in: true,
            superadmin: true,
            role: None,
        };
        assert!(can_act_against(&root, Some(Owner)));
        assert!(can_read_audit_log(&as_role(Admin)) && !can_read_audit_log(&as_role(Moderator)));
    }

    #[test]
    fn managers_host_events_and_members_register() {
        assert!(can_host_events(&member(Owner)));
        assert!(can_host_events(&member(Admin)));
        assert!(can_host_events(&SUPER));
        for viewer in [
            member(Moderator),
            member(Member),
            OUTSIDER,
            Viewer::ANONYMOUS,
        ] {
            assert!(!can_host_events(&viewer), "{viewer:?}");
        }
        assert!(can_register_for_events(&member(Member)));
        assert!(!can_register_for_events(&OUTSIDER));
        assert!(!can_register_for_events(&Viewer::ANONYMOUS));
    }
}
