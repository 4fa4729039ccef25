//! Invitations: shareable invite links and personal e-mail invitations, created by a
//! community's admins (`policy::can_invite`), each optionally tagged with a source and a
//! campaign. Joining through one works whatever the join policy (an invitation skips the
//! approval queue and opens invite-only communities), and the membership and the `joined`
//! activity record keep the invitation, source and campaign, so acquisition can be counted.

use crate::clock::MICROS_PER_DAY;
use crate::communities::{CommunityView, JoinOutcome};
use crate::rate_limit::Action;
use crate::secrets::{hash_token, new_token};
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::policy;
use townsquare_domain::values::optional_text;
use townsquare_domain::{new_id, Email, ValidationErrors};
use townsquare_store::communities::{self as communities_store, CommunityRow};
use townsquare_store::invitations::{self as store, AcquisitionCount, InvitationRow};

pub const LINK: &str = "link";
pub const EMAIL: &str = "email";

/// The most addresses one bulk invitation takes.
pub const MAX_ADDRESSES_PER_REQUEST: usize = 200;
/// E-mail invitations can be used for this long.
pub const EMAIL_INVITATION_DAYS: i64 = 30;
/// How many invitations are listed.
const LISTED: i64 = 200;

/// A new invite link.
#[derive(Debug, Clone, Default)]
pub struct LinkInput {
    pub source: String,
    pub campaign: String,
    /// Days until it expires; none for a link that does not expire.
    pub expires_in_days: Option<i64>,
    /// How many people may join through it; none for no limit.
    pub max_uses: Option<i64>,
}

/// E-mail invitations, one per address.
#[derive(Debug, Clone, Default)]
pub struct EmailInput {
    /// Addresses separated by commas, semicolons, spaces or new lines.
    pub addresses: String,
    pub source: String,
    pub campaign: String,
}

/// What a bulk invitation did with each address.
#[derive(Debug, Clone, Default)]
pub struct EmailReport {
    pub invited: Vec<String>,
    /// Given more than once (invited once).
    pub duplicates: Vec<String>,
    pub already_members: Vec<String>,
    /// Already holding an invitation that can still be used (not sent again).
    pub already_invited: Vec<String>,
}

/// Whether an invitation can be used now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationState {
    Valid,
    Expired,
    UsedUp,
    Revoked,
}

impl InvitationState {
    pub fn of(row: &InvitationRow, now: i64) -> InvitationState {
        // Used up before expired: a personal invitation that was used has done its job.
        if row.revoked_at.is_some() {
            InvitationState::Revoked
        } else if row.max_uses.is_some_and(|m| row.use_count >= m) {
            InvitationState::UsedUp
        } else if row.expires_at.is_some_and(|t| t <= now) {
            InvitationState::Expired
        } else {
            InvitationState::Valid
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InvitationState::Valid => "valid",
            InvitationState::Expired => "expired",
            InvitationState::UsedUp => "used_up",
            InvitationState::Revoked => "revoked",
        }
    }

    /// What someone opening the link reads when it cannot be used.
    pub fn message(self) -> &'static str {
        match self {
            InvitationState::Valid => "This invitation is valid.",
            InvitationState::Expired => {
                "This invitation has expired. Ask the person who sent it for a new one."
            }
            InvitationState::UsedUp => {
                "This invitation has been used as many times as it allows. Ask the person who sent it for a new one."
            }
            InvitationState::Revoked => {
                "This invitation was withdrawn by the community's admins. Ask them for a new one."
            }
        }
    }
}

/// An invitation as its holder sees it: the community it opens and whether it still works.
#[derive(Debug, Clone)]
pub struct InvitationLookup {
    pub invitation: InvitationRow,
    pub community: CommunityRow,
    pub state: InvitationState,
    /// Whether the viewer is already an active member.
    pub is_member: bool,
    /// The profile fields joining asks (the community's required ones).
    pub joining_fields: Vec<crate::profiles::Field>,
}

/// A community's invitations, for its admins.
pub struct InvitationsOverview {
    pub view: CommunityView,
    pub links: Vec<InvitationRow>,
    pub emails: Vec<InvitationRow>,
    pub acquisition: Vec<AcquisitionCount>,
}

/// A source or campaign tag: optional, at most 60 characters.
fn tag(input: &str, field: &str, errors: &mut ValidationErrors) -> String {
    match optional_text(input, field, 60) {
        Ok(t) => t,
        Err(m) => {
            errors.add(field, m);
            String::new()
        }
    }
}

/// Splits a textarea of addresses: commas, semicolons, spaces and new lines separate them.
pub fn split_addresses(text: &str) -> Vec<&str> {
    text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(|s| s.trim_matches(|c| c == '<' || c == '>'))
        .filter(|s| !s.is_empty())
        .collect()
}

impl App {
    /// The link someone opens to accept an invitation.
    pub fn invitation_url(&self, token: &str) -> String {
        format!("{}/invite/{token}", self.settings().base_url)
    }

    async fn inviting_community(&self, actor: &Actor, slug: &str) -> AppResult<CommunityView> {
        let view = self.community(Some(actor), slug).await?;
        if !policy::can_invite(&view.viewer) {
            return Err(AppError::Forbidden(
                "Only the community's admins can invite people.".into(),
            ));
        }
        Ok(view)
    }

    /// Invite links and e-mail invitations with their use counts, and members per source
    /// and campaign.
    pub async fn invitations(&self, actor: &Actor, slug: &str) -> AppResult<InvitationsOverview> {
        let view = self.inviting_community(actor, slug).await?;
        let id = &view.community.id;
        Ok(InvitationsOverview {
            links: store::list(self.db(), id, LINK, LISTED).await?,
            emails: store::list(self.db(), id, EMAIL, LISTED).await?,
            acquisition: store::acquisition(self.db(), id).await?,
            view,
        })
    }

    /// Makes a shareable invite link; returns it with its token.
    pub async fn create_invite_link(
        &self,
        actor: &Actor,
        slug: &str,
        input: &LinkInput,
    ) -> AppResult<(InvitationRow, String)> {
        let view = self.inviting_community(actor, slug).await?;
        let mut errors = ValidationErrors::new();
        let source = tag(&input.source, "source", &mut errors);
        let campaign = tag(&input.campaign, "campaign", &mut errors);
        if input
            .expires_in_days
            .is_some_and(|d| !(1..=365).contains(&d))
        {
            errors.add(
                "expires_in_days",
                "A link expires after 1 to 365 days, or never.",
            );
        }
        if input.max_uses.is_some_and(|n| !(1..=100_000).contains(&n)) {
            errors.add(
                "max_uses",
                "A link can be used 1 to 100000 times, or without limit.",
            );
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let now = self.now();
        let token = new_token();
        let row = InvitationRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            kind: LINK.into(),
            token_hash: hash_token(&token),
            link_token: Some(token.clone()),
            email: None,
            source,
            campaign,
            max_uses: input.max_uses,
            use_count: 0,
            expires_at: input.expires_in_days.map(|d| now + d * MICROS_PER_DAY),
            revoked_at: None,
            created_by: Some(actor.user_id.clone()),
            created_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&row.community_id),
            Some(&actor.user_id),
            "invite_link_created",
            "invitation",
            &row.id,
            json!({"source": row.source, "campaign": row.campaign, "max_uses": row.max_uses, "expires_at": row.expires_at}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok((row, token))
    }

    /// Invites each address by e-mail with a personal, single-use link. Invalid addresses
    /// refuse the whole batch (nothing is sent) with each one named; duplicates, members and
    /// people already invited are reported and skipped.
    pub async fn invite_by_email(
        &self,
        actor: &Actor,
        slug: &str,
        input: &EmailInput,
    ) -> AppResult<EmailReport> {
        let view = self.inviting_community(actor, slug).await?;
        let mut errors = ValidationErrors::new();
        let source = tag(&input.source, "source", &mut errors);
        let campaign = tag(&input.campaign, "campaign", &mut errors);
        let raw = split_addresses(&input.addresses);
        if raw.is_empty() {
            errors.add("emails", "Enter at least one e-mail address.");
        } else if raw.len() > MAX_ADDRESSES_PER_REQUEST {
            errors.add(
                "emails",
                format!(
                    "At most {MAX_ADDRESSES_PER_REQUEST} addresses at a time; this list has {}.",
                    raw.len()
                ),
            );
        }
        let mut report = EmailReport::default();
        let mut unique: Vec<String> = Vec::new();
        let mut invalid: Vec<&str> = Vec::new();
        for a in &raw {
            match Email::parse(a) {
                Ok(e) => {
                    let e = e.as_str().to_string();
                    if unique.contains(&e) {
                        if !report.duplicates.contains(&e) {
                            report.duplicates.push(e);
                        }
                    } else {
                        unique.push(e);
                    }
                }
                Err(_) => invalid.push(a),
            }
        }
        if !invalid.is_empty() {
            errors.add(
                "emails",
                format!(
                    "{} {} not an e-mail address: {}. Correct or remove {} and send again; nobody was invited.",
                    invalid.len(),
                    if invalid.len() == 1 { "is" } else { "are" },
                    invalid.join(", "),
                    if invalid.len() == 1 { "it" } else { "them" },
                ),
            );
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        report.already_members = store::member_emails(&mut tx, &c.id, &unique).await?;
        report.already_invited = store::open_email_invitations(&mut tx, &c.id, &unique, now)
            .await?
            .into_iter()
            .filter(|e| !report.already_members.contains(e))
            .collect();
        let to_invite: Vec<String> = unique
            .into_iter()
            .filter(|e| !report.already_members.contains(e) && !report.already_invited.contains(e))
            .collect();
        drop(tx);
        if !to_invite.is_empty() {
            self.check_rate_limit_by(Action::Invitations, &c.id, to_invite.len() as i64)
                .await?;
        }
        let mut tx = self.db().begin().await?;
        for email in &to_invite {
            self.send_email_invitation(&mut tx, c, actor, email, &source, &campaign, now)
                .await?;
        }
        self.commit(tx).await?;
        report.invited = to_invite;
        Ok(report)
    }

    /// Writes one personal e-mail invitation (single use, `EMAIL_INVITATION_DAYS` days), queues
    /// its e-mail and records `invitation_sent`, inside the caller's transaction (shared by
    /// bulk invitations and member imports).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn send_email_invitation(
        &self,
        tx: &mut townsquare_store::Tx,
        c: &CommunityRow,
        actor: &Actor,
        email: &str,
        source: &str,
        campaign: &str,
        now: i64,
    ) -> AppResult<InvitationRow> {
        let inviter = &actor.display_name;
        let expires_at = now + EMAIL_INVITATION_DAYS * MICROS_PER_DAY;
        let until = chrono::DateTime::from_timestamp_micros(expires_at)
            .map(|d| d.format("%-d %B %Y").to_string())
            .unwrap_or_default();
        let token = new_token();
        let row = InvitationRow {
            id: new_id(),
            community_id: c.id.clone(),
            kind: EMAIL.into(),
            token_hash: hash_token(&token),
            link_token: None,
            email: Some(email.to_string()),
            source: source.to_string(),
            campaign: campaign.to_string(),
            max_uses: Some(1),
            use_count: 0,
            expires_at: Some(expires_at),
            revoked_at: None,
            created_by: Some(actor.user_id.clone()),
            created_at: now,
        };
        store::insert(tx, &row).await?;
        let about = if c.description.is_empty() {
            String::new()
        } else {
            format!(
                "\n\n{}",
                c.description.chars().take(600).collect::<String>()
            )
        };
        let body = format!(
            "Hello,\n\n{inviter} invited you to join {community} on Townsquare.{about}\n\n\
             Accept the invitation: {link}\n\n\
             This link is for you and works once, until {until}. If you have no account \
             yet, you can create one on the way.\n\n\
             Not interested? Ignore this e-mail and nothing happens.\n",
            community = c.name,
            link = self.invitation_url(&token),
        );
        mail::enqueue(
            tx,
            email,
            &format!("{inviter} invited you to {}", c.name),
            &body,
            now,
        )
        .await?;
        activity::record(
            tx,
            Some(&c.id),
            Some(&actor.user_id),
            "invitation_sent",
            "invitation",
            &row.id,
            json!({"email": email, "source": source, "campaign": campaign}),
            now,
        )
        .await?;
        Ok(row)
    }

    /// Withdraws an invitation; people who already joined through it stay members.
    pub async fn revoke_invitation(&self, actor: &Actor, slug: &str, id: &str) -> AppResult<()> {
        let view = self.inviting_community(actor, slug).await?;
        let c = &view.community;
        if crate::files::uuid_shaped(id).is_none() {
            return Err(AppError::NotFound("invitation"));
        }
        let row = store::by_id(self.db(), &c.id, id)
            .await?
            .ok_or(AppError::NotFound("invitation"))?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if store::revoke(&mut tx, &row.id, now).await? {
            activity::record(
                &mut tx,
                Some(&c.id),
                Some(&actor.user_id),
                "invitation_revoked",
                "invitation",
                &row.id,
                json!({"kind": row.kind, "source": row.source, "campaign": row.campaign}),
                now,
            )
            .await?;
        }
        self.commit(tx).await
    }

    /// The invitation behind a link, for whoever holds it (signed in or not): the holder
    /// sees the community's name and description even if it is private. Unknown tokens are
    /// `NotFound`.
    pub async fn invitation_by_token(
        &self,
        actor: Option<&Actor>,
        token: &str,
    ) -> AppResult<InvitationLookup> {
        if token.is_empty() || token.len() > 100 {
            return Err(AppError::NotFound("invitation"));
        }
        let invitation = store::by_token_hash(self.db(), &hash_token(token))
            .await?
            .ok_or(AppError::NotFound("invitation"))?;
        let community = communities_store::community_by_id(self.db(), &invitation.community_id)
            .await?
            .ok_or(AppError::NotFound("invitation"))?;
        let is_member = match actor {
            Some(a) => communities_store::membership(self.db(), &community.id, &a.user_id)
                .await?
                .is_some_and(|m| m.status == "active"),
            None => false,
        };
        Ok(InvitationLookup {
            joining_fields: self.joining_fields(&community.id).await?,
            state: InvitationState::of(&invitation, self.now()),
            invitation,
            community,
            is_member,
        })
    }

    /// Joins through an invitation, whatever the community's join policy, accepting the
    /// community's guidelines if it has any and answering its required profile fields
    /// (`fields`: field id -> values, saved with the membership). A member already
    /// in is told so (the invitation is not used up); an expired, used-up or revoked
    /// invitation is `Gone` with a message saying which.
    pub async fn accept_invitation(
        &self,
        actor: &Actor,
        token: &str,
        accepted_guidelines: bool,
        fields: &std::collections::HashMap<String, Vec<String>>,
    ) -> AppResult<(CommunityRow, JoinOutcome)> {
        let lookup = self.invitation_by_token(Some(actor), token).await?;
        let c = lookup.community;
        if lookup.is_member {
            return Ok((c, JoinOutcome::AlreadyMember));
        }
        if lookup.state != InvitationState::Valid {
            return Err(AppError::Gone(lookup.state.message().into()));
        }
        crate::moderation::members::check_accepted(&c, accepted_guidelines)?;
        let inv = lookup.invitation;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let fields = self
            .check_joining_answers(&mut tx, &c.id, &actor.user_id, fields)
            .await?;
        // Checked again where it counts: another join may have used the last place.
        if !store::use_once(&mut tx, &inv.id, now).await? {
            return Err(AppError::Gone(InvitationState::UsedUp.message().into()));
        }
        self.add_member(
            &mut tx,
            &c,
            &actor.user_id,
            now,
            json!({"invitation_id": inv.id, "via": inv.kind, "source": inv.source, "campaign": inv.campaign}),
        )
        .await?;
        self.save_joining_answers(&mut tx, &c.id, &actor.user_id, fields)
            .await?;
        self.record_guidelines_acceptance(&mut tx, &c, &actor.user_id, now)
            .await?;
        store::set_membership_attribution(
            &mut tx,
            &c.id,
            &actor.user_id,
            &inv.id,
            &inv.source,
            &inv.campaign,
        )
        .await?;
        self.commit(tx).await?;
        Ok((c, JoinOutcome::Joined))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_split_on_any_separator() {
        assert_eq!(
            split_addresses("a@x.org, b@x.org;c@x.org\n <d@x.org>\t\n"),
            ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]
        );
        assert!(split_addresses(" ,; \n").is_empty());
    }

    #[test]
    fn state_says_why_a_link_no_longer_works() {
        let row = InvitationRow {
            id: "i".into(),
            community_id: "c".into(),
            kind: LINK.into(),
            token_hash: "h".into(),
            link_token: None,
            email: None,
            source: String::new(),
            campaign: String::new(),
            max_uses: Some(2),
            use_count: 1,
            expires_at: Some(100),
            revoked_at: None,
            created_by: None,
            created_at: 0,
        };
        assert_eq!(InvitationState::of(&row, 99), InvitationState::Valid);
        assert_eq!(InvitationState::of(&row, 100), InvitationState::Expired);
        let used = InvitationRow {
            use_count: 2,
            ..row.clone()
        };
        assert_eq!(InvitationState::of(&used, 0), InvitationState::UsedUp);
        assert_eq!(InvitationState::of(&used, 200), InvitationState::UsedUp);
        let revoked = InvitationRow {
            revoked_at: Some(1),
            ..row
        };
        assert_eq!(InvitationState::of(&revoked, 0), InvitationState::Revoked);
    }
}
