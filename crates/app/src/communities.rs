//! Communities: creation, settings, joining and leaving, roles and join requests.

use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::moderation::SanctionKind;
use townsquare_domain::policy::{self, Viewer};
use townsquare_domain::time_zones;
use townsquare_domain::values::{optional_text, required_text};
use townsquare_domain::{new_id, CommunityRole, JoinPolicy, Slug, ValidationErrors, Visibility};
use townsquare_store::communities::{
    self as store, CommunityRow, ListedCommunity, MemberListing, MembershipRow,
};
use townsquare_store::moderation::SanctionRow;
use townsquare_store::Tx;

pub const ACTIVE: &str = "active";
pub const PENDING: &str = "pending";

/// What a person submits to create a community or change its settings.
#[derive(Debug, Clone, Default)]
pub struct CommunityInput {
    pub name: String,
    pub slug: String,
    pub description: String,
    pub guidelines: String,
    pub visibility: String,
    pub join_policy: String,
    pub accent_color: String,
    /// An IANA name; empty means UTC.
    pub time_zone: String,
}

struct ValidCommunity {
    name: String,
    slug: Slug,
    description: String,
    guidelines: String,
    visibility: Visibility,
    join_policy: JoinPolicy,
    accent_color: String,
    time_zone: String,
}

const DEFAULT_ACCENT: &str = "#4f46e5";

fn validate(input: &CommunityInput) -> Result<ValidCommunity, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let name = e.check("name", required_text(&input.name, "community name", 80));
    let slug_text = if input.slug.trim().is_empty() {
        Slug::suggest(&input.name)
    } else {
        input.slug.clone()
    };
    let slug = e.check("slug", Slug::parse(&slug_text));
    let description = e.check(
        "description",
        optional_text(&input.description, "description", 500),
    );
    let guidelines = e.check(
        "guidelines",
        optional_text(&input.guidelines, "guidelines", 20_000),
    );
    let visibility = e.check("visibility", Visibility::parse(input.visibility.trim()));
    let join_policy = e.check("join_policy", JoinPolicy::parse(input.join_policy.trim()));
    let accent = input.accent_color.trim();
    let accent_color = if accent.is_empty() {
        Some(DEFAULT_ACCENT.to_string())
    } else {
        e.check("accent_color", parse_colour(accent))
    };
    let time_zone = if input.time_zone.trim().is_empty() {
        Some("UTC".to_string())
    } else {
        e.check(
            "time_zone",
            time_zones::parse(&input.time_zone).map(|tz| tz.name().to_string()),
        )
    };
    match (
        name,
        slug,
        description,
        guidelines,
        visibility,
        join_policy,
        accent_color,
        time_zone,
    ) {
        (
            Some(name),
            Some(slug),
            Some(description),
            Some(guidelines),
            Some(visibility),
            Some(join_policy),
            Some(accent_color),
            Some(time_zone),
        ) => Ok(ValidCommunity {
            name,
            slug,
            description,
            guidelines,
            visibility,
            join_policy,
            accent_color,
            time_zone,
        }),
        _ => Err(e),
    }
}

fn parse_colour(s: &str) -> Result<String, String> {
    let ok = s.len() == 7 && s.starts_with('#') && s[1..].chars().all(|c| c.is_ascii_hexdigit());
    if ok {
        Ok(s.to_lowercase())
    } else {
        Err("Give the accent colour as #rrggbb, for example #4f46e5.".into())
    }
}

/// A community as one viewer sees it.
#[derive(Debug, Clone)]
pub struct CommunityView {
    pub community: CommunityRow,
    pub viewer: Viewer,
    /// The viewer's membership, including a pending request.
    pub membership: Option<MembershipRow>,
    /// The most severe moderation sanction on the viewer in force now (mute, suspension or
    /// ban); a suspended or banned member's role is withheld from `viewer`.
    pub sanction: Option<SanctionRow>,
    /// The spaces that a membership tier unlocks, each with whether the viewer holds an active
    /// tier unlocking it (read once with the community; see `spaces::can_see`).
    pub tier_locks: std::collections::HashMap<String, bool>,
    /// For an active member: the labels of required profile fields they have not answered
    /// (fields made required after they joined); pages prompt them to fill these in.
    pub missing_fields: Vec<String>,
}

impl CommunityView {
    pub fn role(&self) -> Option<CommunityRole> {
        self.viewer.role
    }

    pub fn visibility(&self) -> Visibility {
        Visibility::parse(&self.community.visibility).unwrap_or(Visibility::Private)
    }

    pub fn join_policy(&self) -> JoinPolicy {
        JoinPolicy::parse(&self.community.join_policy).unwrap_or(JoinPolicy::Invite)
    }

    pub fn can_manage(&self) -> bool {
        policy::can_manage_community(&self.viewer)
    }

    pub fn is_pending(&self) -> bool {
        self.membership
            .as_ref()
            .is_some_and(|m| m.status == PENDING)
    }
}

/// What happened when someone asked to join.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JoinOutcome {
    Joined,
    AlreadyMember,
    Requested,
}

pub(crate) fn role_of(m: &MembershipRow) -> Option<CommunityRole> {
    (m.status == ACTIVE).then(|| CommunityRole::parse(&m.role).unwrap_or(CommunityRole::Member))
}

impl App {
    pub async fn create_community(
        &self,
        actor: &Actor,
        input: &CommunityInput,
    ) -> AppResult<CommunityRow> {
        let v = validate(input)?;
        let now = self.now();
        let row = CommunityRow {
            id: new_id(),
            slug: v.slug.to_string(),
            name: v.name,
            description: v.description,
            guidelines: v.guidelines,
            visibility: v.visibility.to_string(),
            join_policy: v.join_policy.to_string(),
            accent_color: v.accent_color,
            time_zone: v.time_zone,
            member_count: 1,
            created_by: actor.user_id.clone(),
            created_at: now,
            updated_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert_community(&mut tx, &row).await.map_err(|e| {
            if e.is_conflict_on("slug") {
                AppError::conflict(
                    "slug",
                    format!("The address /c/{} is taken; choose another slug.", row.slug),
                )
            } else {
                e.into()
            }
        })?;
        store::upsert_membership(
            &mut tx,
            &MembershipRow {
                community_id: row.id.clone(),
                user_id: actor.user_id.clone(),
                role: CommunityRole::Owner.to_string(),
                status: ACTIVE.into(),
                request_note: String::new(),
                joined_at: now,
            },
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&row.id),
            Some(&actor.user_id),
            "community_created",
            "community",
            &row.id,
            json!({"name": row.name}),
            now,
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&row.id),
            Some(&actor.user_id),
            "joined",
            "community",
            &row.id,
            json!({"role": "owner"}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Loads a community for a viewer; a private community the viewer may not see is
    /// reported as not found, exactly like one that does not exist.
    pub async fn community(&self, actor: Option<&Actor>, slug: &str) -> AppResult<CommunityView> {
        let community = store::community_by_slug(self.db(), slug)
            .await?
            .ok_or(AppError::NotFound("community"))?;
        self.view_of(actor, community).await
    }

    /// The same check by id (the realtime stream subscribes by id).
    pub async fn community_by_id(
        &self,
        actor: Option<&Actor>,
        id: &str,
    ) -> AppResult<CommunityView> {
        let community = store::community_by_id(self.db(), id)
            .await?
            .ok_or(AppError::NotFound("community"))?;
        self.view_of(actor, community).await
    }

    async fn view_of(
        &self,
        actor: Option<&Actor>,
        community: CommunityRow,
    ) -> AppResult<CommunityView> {
        let membership = match actor {
            Some(a) => store::membership(self.db(), &community.id, &a.user_id).await?,
            None => None,
        };
        let sanction = match (actor, &membership) {
            (Some(a), Some(_)) => townsquare_store::moderation::active_sanctions(
                self.db(),
                &community.id,
                &a.user_id,
                self.now(),
            )
            .await?
            .into_iter()
            .max_by_key(|s| SanctionKind::parse(&s.kind).unwrap_or(SanctionKind::Ban) as u8),
            _ => None,
        };
        let locked_out = sanction
            .as_ref()
            .is_some_and(|s| SanctionKind::parse(&s.kind).map_or(true, |k| k.locks_out()));
        let viewer = Viewer {
            signed_in: actor.is_some(),
            superadmin: actor.is_some_and(|a| a.superadmin),
            role: membership
                .as_ref()
                .and_then(role_of)
                .filter(|_| !locked_out),
        };
        let tier_locks = townsquare_store::membership_tiers::space_locks(
            self.db(),
            &community.id,
            actor.map_or("", |a| a.user_id.as_str()),
            self.now(),
        )
        .await?
        .into_iter()
        .map(|(space, held)| (space, held == 1))
        .collect();
        let missing_fields = match (actor, &viewer.role) {
            (Some(a), Some(_)) => {
                townsquare_store::profiles::unanswered_required(
                    self.db(),
                    &community.id,
                    &a.user_id,
                )
                .await?
            }
            _ => Vec::new(),
        };
        let view = CommunityView {
            community,
            viewer,
            membership,
            sanction,
            tier_locks,
            missing_fields,
        };
        // A suspended or banned member still finds the community: to read why, and to appeal.
        if !policy::can_see_community(&view.viewer, view.visibility()) && !locked_out {
            return Err(AppError::NotFound("community"));
        }
        if let (Some(a), Some(_)) = (actor, view.role()) {
            self.note_visit(&view.community, &a.user_id).await;
        }
        Ok(view)
    }

    /// A community the actor manages, or an error saying why not.
    pub async fn managed_community(&self, actor: &Actor, slug: &str) -> AppResult<CommunityView> {
        let view = self.community(Some(actor), slug).await?;
        if !view.can_manage() {
            return Err(AppError::Forbidden(
                "Only the community's admins can do this.".into(),
            ));
        }
        Ok(view)
    }

    /// Communities the viewer may see, by name, keyset-paginated on (name, id).
    pub async fn communities(
        &self,
        actor: Option<&Actor>,
        after: Option<(&str, &str)>,
        limit: i64,
    ) -> AppResult<Vec<ListedCommunity>> {
        Ok(store::list_visible(
            self.db(),
            actor.map(|a| a.user_id.as_str()),
            actor.is_some_and(|a| a.superadmin),
            after,
            limit.clamp(1, 100),
        )
        .await?)
    }

    pub async fn my_communities(&self, actor: &Actor) -> AppResult<Vec<ListedCommunity>> {
        Ok(store::list_joined(self.db(), &actor.user_id).await?)
    }

    pub async fn update_community(
        &self,
        actor: &Actor,
        slug: &str,
        input: &CommunityInput,
    ) -> AppResult<CommunityRow> {
        let view = self.managed_community(actor, slug).await?;
        let mut input = input.clone();
        input.slug = view.community.slug.clone(); // the address does not change with settings
        let v = validate(&input)?;
        let now = self.now();
        let row = CommunityRow {
            name: v.name,
            description: v.description,
            guidelines: v.guidelines,
            visibility: v.visibility.to_string(),
            join_policy: v.join_policy.to_string(),
            accent_color: v.accent_color,
            time_zone: v.time_zone,
            updated_at: now,
            ..view.community
        };
        let mut tx = self.db().begin().await?;
        store::update_community(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&row.id),
            Some(&actor.user_id),
            "community_updated",
            "community",
            &row.id,
            json!({}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Joins per the community's policy: open communities at once, approval ones by request.
    /// A community with guidelines needs them accepted (`accepted_guidelines`); the
    /// acceptance is recorded with the version accepted.
    pub async fn join_community(
        &self,
        actor: &Actor,
        slug: &str,
        note: &str,
        accepted_guidelines: bool,
    ) -> AppResult<JoinOutcome> {
        self.join_community_answering(
            actor,
            slug,
            note,
            accepted_guidelines,
            &HashMap::new(),
            &HashMap::new(),
        )
        .await
    }

    /// Joins as `join_community`, with answers (by question id) to the community's
    /// application questions, checked and kept with the request when the community approves
    /// its members; a required question left unanswered refuses the request. `fields` are the
    /// answers to the community's custom profile fields (field id -> values): every required
    /// field must be answered (errors `fields.<id>`), and they are saved with the membership
    /// or the request, in the same transaction.
    pub async fn join_community_answering(
        &self,
        actor: &Actor,
        slug: &str,
        note: &str,
        accepted_guidelines: bool,
        answers: &HashMap<String, String>,
        fields: &HashMap<String, Vec<String>>,
    ) -> AppResult<JoinOutcome> {
        let view = self.community(Some(actor), slug).await?;
        if view.role().is_some() {
            return Ok(JoinOutcome::AlreadyMember);
        }
        // A suspended or banned member keeps their membership row; joining again is no way out.
        if let Some(s) = &view.sanction {
            return Err(AppError::Forbidden(crate::moderation::sanction_message(
                &view, s,
            )));
        }
        let note = optional_text(note, "note", 1000).map_err(|m| AppError::invalid("note", m))?;
        let now = self.now();
        let c = &view.community;
        let mut tx = self.db().begin().await?;
        let outcome = match view.join_policy() {
            JoinPolicy::Invite if !actor.superadmin => {
                return Err(AppError::Forbidden(
                    "This community is invitation-only. Ask an admin for an invitation.".into(),
                ));
            }
            JoinPolicy::Approval if !actor.superadmin => {
                if view.is_pending() {
                    return Ok(JoinOutcome::Requested);
                }
                crate::moderation::members::check_accepted(c, accepted_guidelines)?;
                let questions = townsquare_store::applications::questions(&mut tx, &c.id).await?;
                let answers = crate::applications::check_answers(&questions, answers);
                let fields = self
                    .check_joining_answers(&mut tx, &c.id, &actor.user_id, fields)
                    .await;
                let (answers, fields) = match (answers, fields) {
                    (Ok(a), Ok(f)) => (a, f),
                    (a, f) => {
                        let mut all = ValidationErrors::new();
                        if let Err(e) = a {
                            all.0.extend(e.0);
                        }
                        match f {
                            Err(AppError::Invalid(e)) => all.0.extend(e.0),
                            Err(other) => return Err(other),
                            Ok(_) => {}
                        }
                        return Err(all.into());
                    }
                };
                store::upsert_membership(
                    &mut tx,
                    &membership(c, actor, CommunityRole::Member, PENDING, &note, now),
                )
                .await?;
                townsquare_store::applications::replace_answers(
                    &mut tx,
                    &c.id,
                    &actor.user_id,
                    &answers,
                    now,
                )
                .await?;
                self.save_joining_answers(&mut tx, &c.id, &actor.user_id, fields)
                    .await?;
                activity::record(
                    &mut tx,
                    Some(&c.id),
                    Some(&actor.user_id),
                    "join_requested",
                    "community",
                    &c.id,
                    json!({}),
                    now,
                )
                .await?;
                self.record_guidelines_acceptance(&mut tx, c, &actor.user_id, now)
                    .await?;
                JoinOutcome::Requested
            }
            _ => {
                crate::moderation::members::check_accepted(c, accepted_guidelines)?;
                let fields = self
                    .check_joining_answers(&mut tx, &c.id, &actor.user_id, fields)
                    .await?;
                self.add_member(&mut tx, c, &actor.user_id, now, json!({}))
                    .await?;
                self.save_joining_answers(&mut tx, &c.id, &actor.user_id, fields)
                    .await?;
                self.record_guidelines_acceptance(&mut tx, c, &actor.user_id, now)
                    .await?;
                JoinOutcome::Joined
            }
        };
        self.commit(tx).await?;
        Ok(outcome)
    }

    /// Makes someone an active member and records it (shared by joining and approval).
    pub(crate) async fn add_member(
        &self,
        tx: &mut Tx,
        c: &CommunityRow,
        user_id: &str,
        now: i64,
        detail: serde_json::Value,
    ) -> AppResult<()> {
        store::upsert_membership(
            tx,
            &MembershipRow {
                community_id: c.id.clone(),
                user_id: user_id.to_string(),
                role: CommunityRole::Member.to_string(),
                status: ACTIVE.into(),
                request_note: String::new(),
                joined_at: now,
            },
        )
        .await?;
        store::add_to_member_count(tx, &c.id, 1).await?;
        activity::record(
            tx,
            Some(&c.id),
            Some(user_id),
            "joined",
            "community",
            &c.id,
            detail,
            now,
        )
        .await?;
        tx.notify(
            &format!("community:{}", c.id),
            &json!({"kind": "member_joined", "user_id": user_id}).to_string(),
        )
        .await?;
        self.enqueue_job_in(
            tx,
            crate::jobs::WELCOME_EMAIL,
            &json!({"community_id": c.id, "user_id": user_id}),
            now,
        )
        .await?;
        Ok(())
    }

    /// Leaves a community (or withdraws a request). The last owner cannot leave.
    pub async fn leave_community(&self, actor: &Actor, slug: &str) -> AppResult<()> {
        let view = self.community(Some(actor), slug).await?;
        let Some(m) = view.membership.clone() else {
            return Err(AppError::invalid(
                "community",
                "You are not a member of this community.",
            ));
        };
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if m.role == CommunityRole::Owner.as_str()
            && store::count_owners(&mut tx, &c.id).await? <= 1
        {
            return Err(AppError::Forbidden(
                "You are the only owner. Make someone else an owner before you leave.".into(),
            ));
        }
        store::delete_membership(&mut tx, &c.id, &actor.user_id).await?;
        if m.status == ACTIVE {
            store::add_to_member_count(&mut tx, &c.id, -1).await?;
            townsquare_store::spaces::leave_all_spaces(&mut tx, &c.id, &actor.user_id).await?;
            activity::record(
                &mut tx,
                Some(&c.id),
                Some(&actor.user_id),
                "left",
                "community",
                &c.id,
                json!({}),
                now,
            )
            .await?;
        }
        self.commit(tx).await
    }

    /// Changes a member's role, within what the actor's own role allows.
    pub async fn set_member_role(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        role: &str,
    ) -> AppResult<()> {
        let new_role = CommunityRole::parse(role).map_err(|m| AppError::invalid("role", m))?;
        let view = self.community(Some(actor), slug).await?;
        let c = &view.community;
        let target = store::membership(self.db(), &c.id, user_id)
            .await?
            .filter(|m| m.status == ACTIVE)
            .ok_or(AppError::NotFound("member"))?;
        let current = role_of(&target).unwrap_or(CommunityRole::Member);
        if !policy::can_change_role(&view.viewer, current, new_role) {
            return Err(AppError::Forbidden(format!(
                "You cannot change a {} into a {}.",
                current.label().to_lowercase(),
                new_role.label().to_lowercase()
            )));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if current == CommunityRole::Owner
            && new_role != CommunityRole::Owner
            && store::count_owners(&mut tx, &c.id).await? <= 1
        {
            return Err(AppError::Forbidden(
                "A community needs at least one owner.".into(),
            ));
        }
        store::set_role(&mut tx, &c.id, user_id, new_role.as_str()).await?;
        activity::record(
            &mut tx,
            Some(&c.id),
            Some(&actor.user_id),
            "role_changed",
            "user",
            user_id,
            json!({"from": current.as_str(), "to": new_role.as_str()}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Approves or declines a pending join request.
    pub async fn decide_join_request(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        approve: bool,
    ) -> AppResult<()> {
        self.decide_join_request_with_message(actor, slug, user_id, approve, "")
            .await
    }

    /// Approves or declines a pending join request with an optional message for the
    /// applicant, who gets it by e-mail and in their notifications (with or without one).
    /// A declined request's answers are removed with it.
    pub async fn decide_join_request_with_message(
        &self,
        actor: &Actor,
        slug: &str,
        user_id: &str,
        approve: bool,
        message: &str,
    ) -> AppResult<()> {
        let message = crate::applications::decision_message(message)?;
        let view = self.managed_community(actor, slug).await?;
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let pending = store::membership(&mut tx, &c.id, user_id)
            .await?
            .filter(|m| m.status == PENDING)
            .ok_or(AppError::NotFound("join request"))?;
        if approve {
            self.add_member(
                &mut tx,
                c,
                &pending.user_id,
                now,
                json!({"approved_by": actor.user_id}),
            )
            .await?;
            // The admin's decision, about the applicant (their 360 timeline shows it).
            activity::record(
                &mut tx,
                Some(&c.id),
                Some(&actor.user_id),
                "join_approved",
                "user",
                user_id,
                json!({"with_message": !message.is_empty()}),
                now,
            )
            .await?;
        } else {
            store::delete_membership(&mut tx, &c.id, user_id).await?;
            townsquare_store::applications::delete_answers(&mut tx, &c.id, user_id).await?;
            self.drop_answers(&mut tx, &c.id, user_id).await?;
            activity::record(
                &mut tx,
                Some(&c.id),
                Some(&actor.user_id),
                "join_declined",
                "user",
                user_id,
                json!({"with_message": !message.is_empty()}),
                now,
            )
            .await?;
        }
        self.tell_applicant(&mut tx, &view, actor, user_id, approve, &message, now)
            .await?;
        self.commit(tx).await
    }

    /// Members (or pending requests) of a community, newest first.
    pub async fn members(
        &self,
        actor: Option<&Actor>,
        slug: &str,
        status: &str,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> AppResult<(CommunityView, Vec<MemberListing>)> {
        let view = self.community(actor, slug).await?;
        let allowed = if status == PENDING {
            view.can_manage()
        } else {
            policy::can_see_member_list(&view.viewer)
        };
        if !allowed {
            return Err(AppError::Forbidden(
                "Only members can see who else is a member.".into(),
            ));
        }
        let rows = store::list_members(
            self.db(),
            &view.community.id,
            status,
            before,
            limit.clamp(1, 100),
        )
        .await?;
        Ok((view, rows))
    }
}

fn membership(
    c: &CommunityRow,
    actor: &Actor,
    role: CommunityRole,
    status: &str,
    note: &str,
    now: i64,
) -> MembershipRow {
    MembershipRow {
        community_id: c.id.clone(),
        user_id: actor.user_id.clone(),
        role: role.to_string(),
        status: status.into(),
        request_note: note.to_string(),
        joined_at: now,
    }
}

impl App {
    /// Members to suggest while someone types `@prefix` (members of the community only).
    pub async fn member_suggestions(
        &self,
        actor: &Actor,
        slug: &str,
        prefix: &str,
    ) -> AppResult<Vec<MemberListing>> {
        let view = self.community(Some(actor), slug).await?;
        if !policy::can_see_member_list(&view.viewer) {
            return Err(AppError::Forbidden(
                "Only members can see who else is a member.".into(),
            ));
        }
        let prefix = prefix.trim().trim_start_matches('@');
        if prefix.is_empty() || prefix.chars().count() > 30 {
            return Ok(Vec::new());
        }
        Ok(store::members_starting_with(self.db(), &view.community.id, prefix, 8).await?)
    }
}
