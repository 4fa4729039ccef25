//! The member side of moderation: accepting the guidelines on joining, and moderators'
//! private notes on a member, shown on the moderators' view of the member.

use crate::communities::{role_of, CommunityView};
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use sha2::{Digest, Sha256};
use townsquare_domain::{new_id, policy};
use townsquare_store::communities::{CommunityRow, MembershipRow};
use townsquare_store::moderation::members::{self as store, AcceptanceRow, ListedNote, NoteRow};
use townsquare_store::moderation::{self as moderation_store, ActionRow};
use townsquare_store::Tx;

/// Longest note a moderator may write on a member.
pub const MAX_MEMBER_NOTE: usize = 2000;

/// The version of a community's guidelines a member accepts: the first 16 hex digits of the
/// SHA-256 of their text. Any change to the text is a new version.
pub fn guidelines_version(guidelines: &str) -> String {
    let digest = Sha256::digest(guidelines.trim().as_bytes());
    hex::encode(&digest[..8])
}

/// Whether joining needs the member to accept guidelines (a community without any has none
/// to accept).
pub fn needs_acceptance(c: &CommunityRow) -> bool {
    !c.guidelines.trim().is_empty()
}

/// Refuses a join that did not accept the community's guidelines.
pub(crate) fn check_accepted(c: &CommunityRow, accepted: bool) -> AppResult<()> {
    if needs_acceptance(c) && !accepted {
        return Err(AppError::invalid(
            "accept_guidelines",
            format!("Read {}'s guidelines and accept them to join.", c.name),
        ));
    }
    Ok(())
}

/// What moderators see about a member: their membership, which guidelines they accepted,
/// the actions about them and the private notes on them.
#[derive(Debug, Clone)]
pub struct MemberCase {
    pub user_id: String,
    pub display_name: String,
    pub handle: String,
    /// For `visible_profile`, which shows it only when the member chose to.
    pub email: String,
    pub membership: MembershipRow,
    pub acceptance: Option<AcceptanceRow>,
    pub post_count: i64,
    pub history: Vec<ActionRow>,
    pub notes: Vec<ListedNote>,
    /// Trust level 0–4 and when it was last computed (never: a new member at 0).
    pub trust_level: i64,
    pub trust_computed_at: Option<i64>,
    /// Whether the viewer may act against this member (not an admin or owner ranked as high).
    pub can_act: bool,
}

/// A member's profile as others in the community see it.
#[derive(Debug, Clone)]
pub struct MemberProfile {
    pub user_id: String,
    pub display_name: String,
    pub handle: String,
    /// For `visible_profile`, which shows it only when the member chose to.
    pub email: String,
    pub membership: MembershipRow,
    /// Moderators only.
    pub trust_level: Option<i64>,
}

impl App {
    /// A member's profile in a community, for those who may see its member list.
    pub async fn member_profile(
        &self,
        actor: Option<&Actor>,
        community_slug: &str,
        user_id: &str,
    ) -> AppResult<(CommunityView, MemberProfile)> {
        let view = self.community(actor, community_slug).await?;
        if !crate::profiles::can_see_profile(&view) {
            return Err(AppError::NotFound("member"));
        }
        let membership =
            townsquare_store::communities::membership(self.db(), &view.community.id, user_id)
                .await?
                .filter(crate::profiles::is_active)
                .ok_or(AppError::NotFound("member"))?;
        let user = townsquare_store::accounts::user_by_id(self.db(), user_id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let trust_level = if policy::can_moderate(&view.viewer) {
            self.trust_levels_of(&view.community.id, &[user_id.to_string()])
                .await?
                .remove(user_id)
                .map(|(level, _)| level)
        } else {
            None
        };
        Ok((
            view,
            MemberProfile {
                user_id: user.id,
                display_name: user.display_name,
                handle: user.handle,
                email: user.email,
                membership,
                trust_level,
            },
        ))
    }

    /// Records that the member accepted the community's current guidelines (when it has any).
    pub(crate) async fn record_guidelines_acceptance(
        &self,
        tx: &mut Tx,
        c: &CommunityRow,
        user_id: &str,
        now: i64,
    ) -> AppResult<()> {
        if !needs_acceptance(c) {
            return Ok(());
        }
        let row = AcceptanceRow {
            id: new_id(),
            community_id: c.id.clone(),
            user_id: user_id.to_string(),
            version: guidelines_version(&c.guidelines),
            accepted_at: now,
        };
        store::insert_acceptance(tx, &row).await?;
        activity::record(
            tx,
            Some(&c.id),
            Some(user_id),
            "guidelines_accepted",
            "community",
            &c.id,
            json!({"version": row.version}),
            now,
        )
        .await
    }

    /// The moderators' view of a member (moderators and admins of the community only).
    pub async fn member_case(
        &self,
        actor: &Actor,
        community_slug: &str,
        user_id: &str,
    ) -> AppResult<(CommunityView, MemberCase)> {
        let view = self.moderated_community(actor, community_slug).await?;
        let membership =
            townsquare_store::communities::membership(self.db(), &view.community.id, user_id)
                .await?
                .ok_or(AppError::NotFound("member"))?;
        let user = townsquare_store::accounts::user_by_id(self.db(), user_id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        let acceptance = store::latest_acceptance(self.db(), &view.community.id, user_id).await?;
        let post_count =
            moderation_store::post_count(self.db(), &view.community.id, user_id).await?;
        let history =
            moderation_store::actions_about(self.db(), &view.community.id, user_id, 20).await?;
        let notes =
            store::notes_about(self.db(), &view.community.id, &[user_id.to_string()]).await?;
        let can_act =
            user_id != actor.user_id && policy::can_act_against(&view.viewer, role_of(&membership));
        let (trust_level, trust_computed_at) = self
            .trust_levels_of(&view.community.id, &[user_id.to_string()])
            .await?
            .remove(user_id)
            .unwrap_or((0, None));
        Ok((
            view,
            MemberCase {
                user_id: user.id,
                display_name: user.display_name,
                handle: user.handle,
                email: user.email,
                membership,
                acceptance,
                post_count,
                history,
                notes,
                trust_level,
                trust_computed_at,
                can_act,
            },
        ))
    }

    /// Adds a private note on a member (moderators; on admins and owners only someone ranked
    /// above them). Notes are never shown to the member, and are never edited or deleted.
    pub async fn add_member_note(
        &self,
        actor: &Actor,
        community_slug: &str,
        user_id: &str,
        body: &str,
    ) -> AppResult<NoteRow> {
        let view = self.moderated_community(actor, community_slug).await?;
        let membership =
            townsquare_store::communities::membership(self.db(), &view.community.id, user_id)
                .await?
                .ok_or(AppError::NotFound("member"))?;
        if user_id == actor.user_id {
            return Err(AppError::invalid(
                "body",
                "You cannot write a moderator note about yourself.",
            ));
        }
        if !policy::can_act_against(&view.viewer, role_of(&membership)) {
            return Err(AppError::Forbidden(
                "Admins and owners are moderated by someone ranked above them.".into(),
            ));
        }
        let body = body.trim();
        if body.is_empty() {
            return Err(AppError::invalid("body", "Write the note."));
        }
        if body.chars().count() > MAX_MEMBER_NOTE {
            return Err(AppError::invalid(
                "body",
                format!("Keep the note under {MAX_MEMBER_NOTE} characters."),
            ));
        }
        let now = self.now();
        let note = NoteRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            user_id: user_id.to_string(),
            author_id: actor.user_id.clone(),
            body: body.to_string(),
            created_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert_note(&mut tx, &note).await?;
        moderation_store::insert_action(
            &mut tx,
            &ActionRow {
                id: new_id(),
                community_id: view.community.id.clone(),
                actor_id: actor.user_id.clone(),
                action: "note".into(),
                target_kind: "user".into(),
                target_id: user_id.to_string(),
                subject_user_id: Some(user_id.to_string()),
                reason: note.body.clone(),
                detail: json!({"note_id": note.id}).to_string(),
                created_at: now,
            },
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "member_note_added",
            "user",
            user_id,
            json!({"note_id": note.id}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(note)
    }

    /// The private notes on a member (moderators only), newest first.
    pub async fn member_notes(
        &self,
        actor: &Actor,
        community_slug: &str,
        user_id: &str,
    ) -> AppResult<Vec<ListedNote>> {
        let view = self.moderated_community(actor, community_slug).await?;
        townsquare_store::communities::membership(self.db(), &view.community.id, user_id)
            .await?
            .ok_or(AppError::NotFound("member"))?;
        Ok(store::notes_about(self.db(), &view.community.id, &[user_id.to_string()]).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_change_to_the_text_is_a_new_version() {
        let a = guidelines_version("Be kind.");
        assert_eq!(a.len(), 16);
        assert_eq!(a, guidelines_version("  Be kind.\n"));
        assert_ne!(a, guidelines_version("Be kind!"));
    }
}
