//! Flags on members' profiles and on events (posts have their own queue entries): raising
//! them, the moderators' list with each item's context, and closing them with a reason.

use crate::communities::{role_of, CommunityView};
use crate::notifications::Notice;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::moderation::{check_action_reason, check_flag_note, FlagReason, TargetKind};
use townsquare_domain::{markdown, new_id, policy};
use townsquare_store::moderation::members::{self as members_store, ListedNote};
use townsquare_store::moderation::{self as store, ActionRow, FlagRow, OpenFlag};

/// A flagged member or event in the queue, with what a moderator needs to decide.
#[derive(Debug, Clone)]
pub struct FlaggedItem {
    pub kind: TargetKind,
    pub target_id: String,
    /// The member's name or the event's title.
    pub title: String,
    /// Where the item is seen, e.g. `/c/guild/events/…`.
    pub path: String,
    /// One line of context: when the member joined and how much they wrote, or when the
    /// event is and what it says.
    pub context: String,
    /// The member flagged, or the event's host.
    pub subject_user_id: String,
    pub subject_name: String,
    /// Moderators' notes on that member, newest first.
    pub subject_notes: Vec<ListedNote>,
    /// That member's trust level (0–4).
    pub subject_trust_level: i64,
    pub flags: Vec<OpenFlag>,
}

impl App {
    /// Flags a member's profile (a member of the same community; not oneself).
    pub async fn flag_member(
        &self,
        actor: &Actor,
        community_slug: &str,
        user_id: &str,
        reason: &str,
        note: &str,
    ) -> AppResult<FlagRow> {
        let view = self.community(Some(actor), community_slug).await?;
        if !policy::can_see_member_list(&view.viewer) {
            return Err(AppError::NotFound("member"));
        }
        townsquare_store::communities::membership(self.db(), &view.community.id, user_id)
            .await?
            .filter(|m| role_of(m).is_some())
            .ok_or(AppError::NotFound("member"))?;
        if user_id == actor.user_id {
            return Err(AppError::invalid("reason", "You cannot flag yourself."));
        }
        self.raise_flag(actor, &view, TargetKind::User, user_id, None, reason, note)
            .await
    }

    /// Flags an event the member can see (not one they host).
    pub async fn flag_event(
        &self,
        actor: &Actor,
        event_id: &str,
        reason: &str,
        note: &str,
    ) -> AppResult<FlagRow> {
        let view = self.event(Some(actor), event_id).await?;
        if view.event.created_by == actor.user_id {
            return Err(AppError::invalid(
                "reason",
                "You cannot flag your own event.",
            ));
        }
        let space_id = view.space.id.clone();
        self.raise_flag(
            actor,
            &view.community,
            TargetKind::Event,
            event_id,
            Some(space_id),
            reason,
            note,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn raise_flag(
        &self,
        actor: &Actor,
        view: &CommunityView,
        kind: TargetKind,
        target_id: &str,
        space_id: Option<String>,
        reason: &str,
        note: &str,
    ) -> AppResult<FlagRow> {
        if view.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to flag something.".into(),
            ));
        }
        let reason =
            FlagReason::parse(reason.trim()).map_err(|m| AppError::invalid("reason", m))?;
        let note = check_flag_note(reason, note).map_err(|m| AppError::invalid("note", m))?;
        let now = self.now();
        let flag = FlagRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            target_kind: kind.as_str().into(),
            target_id: target_id.to_string(),
            space_id,
            reporter_id: actor.user_id.clone(),
            reason: reason.as_str().into(),
            note,
            status: "open".into(),
            created_at: now,
            resolved_at: None,
            resolution: None,
        };
        let mut tx = self.db().begin().await?;
        if !store::insert_flag(&mut tx, &flag).await? {
            let what = if kind == TargetKind::User {
                "member"
            } else {
                "event"
            };
            return Err(AppError::conflict(
                "reason",
                format!("You already flagged this {what}; moderators will look at it."),
            ));
        }
        activity::record(
            &mut tx,
            Some(&flag.community_id),
            Some(&actor.user_id),
            "flag_raised",
            kind.as_str(),
            target_id,
            json!({"reason": flag.reason, "flag_id": flag.id}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(flag)
    }

    /// Open flags on members and events, grouped by item, oldest flag first (moderators).
    pub async fn flagged_members_and_events(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<(CommunityView, Vec<FlaggedItem>)> {
        let view = self.moderated_community(actor, community_slug).await?;
        let flags = store::open_flags(self.db(), &view.community.id, None, None, 500).await?;
        let mut order: Vec<(TargetKind, String)> = Vec::new();
        let mut grouped: HashMap<(TargetKind, String), Vec<OpenFlag>> = HashMap::new();
        for f in flags {
            let Ok(kind) = TargetKind::parse(&f.flag.target_kind) else {
                continue;
            };
            if kind == TargetKind::Post {
                continue;
            }
            let key = (kind, f.flag.target_id.clone());
            if !grouped.contains_key(&key) {
                order.push(key.clone());
            }
            grouped.entry(key).or_default().push(f);
        }
        let c = &view.community;
        let mut items = Vec::new();
        for key in order {
            let (kind, target_id) = key.clone();
            let flags = grouped.remove(&key).unwrap_or_default();
            let (title, path, context, subject_user_id) = match kind {
                TargetKind::User => {
                    let Some(m) =
                        townsquare_store::communities::membership(self.db(), &c.id, &target_id)
                            .await?
                    else {
                        continue; // left since
                    };
                    let Some(user) =
                        townsquare_store::accounts::user_by_id(self.db(), &target_id).await?
                    else {
                        continue;
                    };
                    let posts = store::post_count(self.db(), &c.id, &target_id).await?;
                    let joined = chrono::DateTime::from_timestamp_micros(m.joined_at)
                        .map(|t| t.format("%-d %b %Y").to_string())
                        .unwrap_or_default();
                    (
                        user.display_name,
                        format!("/c/{}/members/{}", c.slug, target_id),
                        format!(
                            "Profile · {} since {joined} · {posts} post{}",
                            m.role,
                            if posts == 1 { "" } else { "s" }
                        ),
                        target_id.clone(),
                    )
                }
                _ => {
                    let Some(e) =
                        townsquare_store::events::event_by_id(self.db(), &target_id).await?
                    else {
                        continue;
                    };
                    let starts = chrono::DateTime::from_timestamp_micros(e.starts_at)
                        .map(|t| t.format("%-d %b %Y, %H:%M UTC").to_string())
                        .unwrap_or_default();
                    (
                        e.title.clone(),
                        format!("/c/{}/events/{}", c.slug, e.id),
                        format!(
                            "Event on {starts}: {}",
                            markdown::excerpt(&e.description, 200)
                        ),
                        e.created_by.clone(),
                    )
                }
            };
            let subject_name = townsquare_store::accounts::user_by_id(self.db(), &subject_user_id)
                .await?
                .map(|u| u.display_name)
                .unwrap_or_default();
            let subject_notes = members_store::notes_about(
                self.db(),
                &c.id,
                std::slice::from_ref(&subject_user_id),
            )
            .await?;
            let subject_trust_level = self
                .trust_levels_of(&c.id, std::slice::from_ref(&subject_user_id))
                .await?
                .get(&subject_user_id)
                .map_or(0, |l| l.0);
            items.push(FlaggedItem {
                subject_trust_level,
                kind,
                target_id,
                title,
                path,
                context,
                subject_user_id,
                subject_name,
                subject_notes,
                flags,
            });
        }
        Ok((view, items))
    }

    /// Closes the open flags on a member or an event: `dismissed` (nothing wrong) or
    /// `upheld` (acted on), with a reason; the reporters are told, the audit log and the
    /// activity log get a row (moderators).
    pub async fn resolve_flags_on(
        &self,
        actor: &Actor,
        community_slug: &str,
        kind: &str,
        target_id: &str,
        outcome: &str,
        reason: &str,
    ) -> AppResult<usize> {
        let view = self.moderated_community(actor, community_slug).await?;
        let kind = match TargetKind::parse(kind.trim()) {
            Ok(k @ (TargetKind::User | TargetKind::Event)) => k,
            _ => {
                return Err(AppError::invalid(
                    "target_kind",
                    "Give `user` or `event` (posts are handled from the queue's post entries).",
                ))
            }
        };
        let (status, action) = match outcome.trim() {
            "dismissed" => ("dismissed", "dismiss_flags"),
            "upheld" => ("actioned", "uphold_flags"),
            other => {
                return Err(AppError::invalid(
                    "outcome",
                    format!("\"{other}\" is not one of: dismissed, upheld."),
                ))
            }
        };
        let reason = check_action_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
        let subject = match kind {
            TargetKind::Event => townsquare_store::events::event_by_id(self.db(), target_id)
                .await?
                .filter(|e| e.community_id == view.community.id)
                .map(|e| e.created_by),
            _ => Some(target_id.to_string()),
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let reporters = store::resolve_flags_in(
            &mut tx,
            &view.community.id,
            kind.as_str(),
            target_id,
            status,
            &actor.user_id,
            &reason,
            now,
        )
        .await?;
        if reporters.is_empty() {
            return Err(AppError::NotFound("open flags"));
        }
        store::insert_action(
            &mut tx,
            &ActionRow {
                id: new_id(),
                community_id: view.community.id.clone(),
                actor_id: actor.user_id.clone(),
                action: action.into(),
                target_kind: kind.as_str().into(),
                target_id: target_id.to_string(),
                subject_user_id: subject.clone(),
                reason: reason.clone(),
                detail: json!({"flags_closed": reporters.len()}).to_string(),
                created_at: now,
            },
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "moderation_action",
            kind.as_str(),
            target_id,
            json!({"action": action, "subject_user_id": subject, "flags_closed": reporters.len()}),
            now,
        )
        .await?;
        let what = if kind == TargetKind::User {
            "a member's profile"
        } else {
            "an event"
        };
        let message = format!(
            "Your flag on {what} was handled: {}. {reason}",
            if status == "dismissed" {
                "nothing against the guidelines was found"
            } else {
                "the moderators acted on it"
            }
        );
        let mut told: Vec<String> = Vec::new();
        for reporter in &reporters {
            if told.contains(reporter) {
                continue;
            }
            let notice = Notice {
                user_id: reporter,
                community_id: &view.community.id,
                kind: "flag_handled",
                actor_id: &actor.user_id,
                topic_id: None,
                post_id: None,
                excerpt: &message,
            };
            self.notify(&mut tx, notice, now).await?;
            told.push(reporter.clone());
        }
        self.commit(tx).await?;
        Ok(reporters.len())
    }
}
