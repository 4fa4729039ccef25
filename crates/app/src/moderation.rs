//! Moderation: members flag posts; moderators work through a queue of flagged items and
//! approve, hide, unhide or delete them with a reason. Every action is appended to the audit
//! log and the activity log in its transaction, and tells the author and the reporters.

pub mod auto_hide;
pub mod edits;
pub mod members;
pub mod reports;
pub mod trust;

use crate::communities::{role_of, CommunityView};
use crate::discussions::TopicView;
use crate::notifications::Notice;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::moderation::{
    check_action_reason, check_flag_note, ContentAction, FlagReason, SanctionKind, TargetKind,
};
use townsquare_domain::{markdown, new_id, policy, time_zones};
use townsquare_store::discussions::{self as discussions_store, PostRow};
use townsquare_store::moderation::{
    self as store, ActionRow, AppealRow, FlagRow, ListedAppeal, ListedSanction, LoggedAction,
    OpenFlag, SanctionRow,
};
use townsquare_store::search;

/// How many open flags the queue reads at once (grouped into items, oldest first).
const QUEUE_FLAGS: i64 = 500;

/// A flagged post in the queue, with what a moderator needs to decide.
#[derive(Debug, Clone)]
pub struct QueueItem {
    pub post: PostRow,
    pub topic_title: String,
    pub author_name: String,
    /// The author's posts in this community, and the latest actions about them.
    pub author_posts: i64,
    pub author_history: Vec<ActionRow>,
    /// Moderators' private notes on the author, newest first.
    pub author_notes: Vec<townsquare_store::moderation::members::ListedNote>,
    /// The author's trust level (0–4).
    pub author_trust_level: i64,
    /// Hidden automatically after flags from trusted members, pending review.
    pub hidden_automatically: bool,
    pub flags: Vec<OpenFlag>,
}

/// Filters of the queue.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub reason: Option<FlagReason>,
    pub space_id: Option<String>,
}

/// The "needs attention" card.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attention {
    pub open_flags: i64,
    pub oldest_flag_at: Option<i64>,
    pub open_appeals: i64,
    /// Posts held for approval by automatic protection.
    pub held_posts: i64,
}

impl App {
    /// Flags a post the member can read; one open flag per member per post.
    pub async fn flag_post(
        &self,
        actor: &Actor,
        post_id: &str,
        reason: &str,
        note: &str,
    ) -> AppResult<FlagRow> {
        let (view, post) = self.readable_post(actor, post_id).await?;
        if view.space.community.role().is_none() {
            return Err(AppError::Forbidden(
                "Join the community to flag posts.".into(),
            ));
        }
        if post.author_id == actor.user_id {
            return Err(AppError::invalid(
                "reason",
                "You cannot flag your own post.",
            ));
        }
        let reason =
            FlagReason::parse(reason.trim()).map_err(|m| AppError::invalid("reason", m))?;
        self.check_flag_rate(&view.space.community, actor).await?;
        let note = check_flag_note(reason, note).map_err(|m| AppError::invalid("note", m))?;
        let now = self.now();
        let flag = FlagRow {
            id: new_id(),
            community_id: post.community_id.clone(),
            target_kind: TargetKind::Post.as_str().into(),
            target_id: post.id.clone(),
            space_id: Some(post.space_id.clone()),
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
            return Err(AppError::conflict(
                "reason",
                "You already flagged this post; moderators will look at it.",
            ));
        }
        activity::record(
            &mut tx,
            Some(&flag.community_id),
            Some(&actor.user_id),
            "flag_raised",
            "post",
            &post.id,
            json!({"reason": flag.reason, "flag_id": flag.id}),
            now,
        )
        .await?;
        self.auto_hide_if_due(&mut tx, &post, &actor.user_id, now)
            .await?;
        self.commit(tx).await?;
        Ok(flag)
    }

    /// The community's moderation queue: flagged posts, oldest flag first (moderators).
    pub async fn moderation_queue(
        &self,
        actor: &Actor,
        community_slug: &str,
        filter: &QueueFilter,
    ) -> AppResult<(CommunityView, Vec<QueueItem>)> {
        let view = self.moderated_community(actor, community_slug).await?;
        let flags = store::open_flags(
            self.db(),
            &view.community.id,
            filter.reason.map(|r| r.as_str()),
            filter.space_id.as_deref(),
            QUEUE_FLAGS,
        )
        .await?;
        // Group by item, keeping the order of each item's oldest flag.
        let mut order: Vec<String> = Vec::new();
        let mut grouped: HashMap<String, Vec<OpenFlag>> = HashMap::new();
        for f in flags {
            let key = f.flag.target_id.clone();
            if !grouped.contains_key(&key) {
                order.push(key.clone());
            }
            grouped.entry(key).or_default().push(f);
        }
        let mut posts: HashMap<String, store::FlaggedPost> =
            store::flagged_posts(self.db(), &order)
                .await?
                .into_iter()
                .map(|f| (f.post.id.clone(), f))
                .collect();
        // Each author's summary is read once, however many of their posts are flagged.
        let mut authors: HashMap<String, (i64, Vec<ActionRow>)> = HashMap::new();
        let author_ids: Vec<String> = posts.values().map(|f| f.post.author_id.clone()).collect();
        let notes = store::members::notes_about(self.db(), &view.community.id, &author_ids).await?;
        let levels = self
            .trust_levels_of(&view.community.id, &author_ids)
            .await?;
        let auto_hidden = store::trust::auto_hidden_among(self.db(), &order).await?;
        let mut items = Vec::new();
        for post_id in order {
            let Some(flagged) = posts.remove(&post_id) else {
                continue; // deleted since it was flagged
            };
            let author_id = flagged.post.author_id.clone();
            if !authors.contains_key(&author_id) {
                let count = store::post_count(self.db(), &view.community.id, &author_id).await?;
                let history =
                    store::actions_about(self.db(), &view.community.id, &author_id, 5).await?;
                authors.insert(author_id.clone(), (count, history));
            }
            let (author_posts, author_history) = authors[&author_id].clone();
            items.push(QueueItem {
                author_posts,
                author_history,
                author_trust_level: levels.get(&author_id).map_or(0, |l| l.0),
                hidden_automatically: auto_hidden.contains(&post_id),
                author_notes: notes
                    .iter()
                    .filter(|n| n.note.user_id == author_id)
                    .cloned()
                    .collect(),
                flags: grouped.remove(&post_id).unwrap_or_default(),
                topic_title: flagged.topic_title,
                author_name: flagged.author_name,
                post: flagged.post,
            });
        }
        Ok((view, items))
    }

    /// Approves, hides, unhides or deletes a post, with a reason (moderators; not against
    /// admins or owners unless ranked above them).
    pub async fn act_on_post(
        &self,
        actor: &Actor,
        post_id: &str,
        action: &str,
        reason: &str,
    ) -> AppResult<ContentAction> {
        let (view, post) = self.readable_post(actor, post_id).await?;
        let community = &view.space.community;
        if !policy::can_moderate(&community.viewer) {
            return Err(AppError::Forbidden("Only moderators can do this.".into()));
        }
        let author_role = townsquare_store::communities::membership(
            self.db(),
            &post.community_id,
            &post.author_id,
        )
        .await?
        .as_ref()
        .and_then(role_of);
        if !policy::can_act_against(&community.viewer, author_role) {
            return Err(AppError::Forbidden(
                "Admins and owners are moderated by someone ranked above them.".into(),
            ));
        }
        let action =
            ContentAction::parse(action.trim()).map_err(|m| AppError::invalid("action", m))?;
        let reason = check_action_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let auto_hidden = post.hidden_at.is_some()
            && !store::trust::auto_hidden_among(self.db(), std::slice::from_ref(&post.id))
                .await?
                .is_empty();
        match action {
            // Approving a post hidden automatically (pending review) shows it again.
            ContentAction::Approve if auto_hidden => {
                store::set_post_hidden(&mut tx, &post.id, None).await?;
                store::trust::set_hidden_automatically(&mut tx, &post.id, false).await?;
                search::index_post(
                    &mut tx,
                    &post.id,
                    &view.topic.title,
                    &markdown::plain_text(&post.body_markdown),
                )
                .await?;
            }
            ContentAction::Approve => {}
            ContentAction::Hide => {
                store::trust::set_hidden_automatically(&mut tx, &post.id, false).await?;
                store::set_post_hidden(&mut tx, &post.id, Some(now)).await?;
                search::unindex_post(&mut tx, &post.id).await?;
            }
            ContentAction::Unhide => {
                store::trust::set_hidden_automatically(&mut tx, &post.id, false).await?;
                store::set_post_hidden(&mut tx, &post.id, None).await?;
                search::index_post(
                    &mut tx,
                    &post.id,
                    &view.topic.title,
                    &markdown::plain_text(&post.body_markdown),
                )
                .await?;
            }
            ContentAction::Delete => {
                if post.is_first {
                    return Err(AppError::invalid(
                        "action",
                        "This is the topic's opening post: hide it, or delete the topic from its page.",
                    ));
                }
                discussions_store::delete_post(&mut tx, &post.id, now).await?;
                search::unindex_post(&mut tx, &post.id).await?;
                crate::mail::forget_post(&mut tx, &post.id, now).await?;
                discussions_store::reply_removed(&mut tx, &post.topic_id, post.held_at.is_none())
                    .await?;
                if view.topic.accepted_post_id.as_deref() == Some(post.id.as_str()) {
                    discussions_store::set_accepted(&mut tx, &post.topic_id, None).await?;
                }
            }
        }
        let status = if action == ContentAction::Approve {
            "dismissed"
        } else {
            "actioned"
        };
        let reporters = store::resolve_flags(
            &mut tx,
            TargetKind::Post.as_str(),
            &post.id,
            status,
            &actor.user_id,
            &reason,
            now,
        )
        .await?;
        let entry = ActionRow {
            id: new_id(),
            community_id: post.community_id.clone(),
            actor_id: actor.user_id.clone(),
            action: action.as_str().into(),
            target_kind: TargetKind::Post.as_str().into(),
            target_id: post.id.clone(),
            subject_user_id: Some(post.author_id.clone()),
            reason: reason.clone(),
            detail: json!({"topic_id": post.topic_id, "flags_closed": reporters.len()}).to_string(),
            created_at: now,
        };
        store::insert_action(&mut tx, &entry).await?;
        activity::record(
            &mut tx,
            Some(&post.community_id),
            Some(&actor.user_id),
            "moderation_action",
            "post",
            &post.id,
            json!({"action": entry.action, "subject_user_id": post.author_id, "flags_closed": reporters.len(), "restored_auto_hidden": auto_hidden && action == ContentAction::Approve}),
            now,
        )
        .await?;
        let excerpt = format!("{}: {reason}", past_tense(action));
        if action != ContentAction::Approve {
            let notice = Notice {
                user_id: &post.author_id,
                community_id: &post.community_id,
                kind: "moderation",
                actor_id: &actor.user_id,
                topic_id: Some(&post.topic_id),
                post_id: Some(&post.id),
                excerpt: &excerpt,
            };
            self.notify(&mut tx, notice, now).await?;
        }
        let handled = format!(
            "Your flag was handled: the post was {}.",
            past_tense(action).to_lowercase()
        );
        let mut told = Vec::new();
        for reporter in reporters {
            if told.contains(&reporter) {
                continue;
            }
            let notice = Notice {
                user_id: &reporter,
                community_id: &post.community_id,
                kind: "flag_handled",
                actor_id: &actor.user_id,
                topic_id: Some(&post.topic_id),
                post_id: Some(&post.id),
                excerpt: &handled,
            };
            self.notify(&mut tx, notice, now).await?;
            told.push(reporter);
        }
        self.commit(tx).await?;
        Ok(action)
    }

    /// The community's audit log, newest first (admins).
    pub async fn audit_log(
        &self,
        actor: &Actor,
        community_slug: &str,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> AppResult<(CommunityView, Vec<LoggedAction>)> {
        let view = self.community(Some(actor), community_slug).await?;
        if !policy::can_read_audit_log(&view.viewer) {
            return Err(AppError::Forbidden(
                "The audit log is for the community's admins.".into(),
            ));
        }
        let rows =
            store::actions(self.db(), &view.community.id, before, limit.clamp(1, 1000)).await?;
        Ok((view, rows))
    }

    /// Open flags and the oldest one's time, for moderators' "needs attention" card.
    pub async fn attention(&self, view: &CommunityView) -> AppResult<Option<Attention>> {
        if !policy::can_moderate(&view.viewer) {
            return Ok(None);
        }
        let (open_flags, oldest_flag_at) =
            store::open_flag_summary(self.db(), &view.community.id).await?;
        let open_appeals = store::open_appeals(self.db(), &view.community.id)
            .await?
            .len() as i64;
        let (held_posts, _) = self.held_summary(view).await?;
        Ok(Some(Attention {
            open_flags,
            oldest_flag_at,
            open_appeals,
            held_posts,
        }))
    }

    /// The member's own flags in a community, newest first: received, then handled.
    pub async fn my_flags(&self, actor: &Actor, view: &CommunityView) -> AppResult<Vec<FlagRow>> {
        Ok(store::flags_by_reporter(self.db(), &actor.user_id, &view.community.id, 50).await?)
    }

    /// Warns, mutes, suspends or bans a member, with a reason (moderators; admins and owners
    /// only by someone ranked above them). Mutes and suspensions last `days`.
    pub async fn sanction_member(
        &self,
        actor: &Actor,
        community_slug: &str,
        user_id: &str,
        kind: &str,
        days: Option<i64>,
        reason: &str,
    ) -> AppResult<SanctionRow> {
        let view = self.moderated_community(actor, community_slug).await?;
        let membership =
            townsquare_store::communities::membership(self.db(), &view.community.id, user_id)
                .await?
                .filter(|m| role_of(m).is_some())
                .ok_or(AppError::NotFound("member"))?;
        if user_id == actor.user_id {
            return Err(AppError::invalid("kind", "You cannot sanction yourself."));
        }
        if !policy::can_act_against(&view.viewer, role_of(&membership)) {
            return Err(AppError::Forbidden(
                "Admins and owners are moderated by someone ranked above them.".into(),
            ));
        }
        let kind = SanctionKind::parse(kind.trim()).map_err(|m| AppError::invalid("kind", m))?;
        let now = self.now();
        let ends_at = kind
            .ends_at(days, now)
            .map_err(|m| AppError::invalid("days", m))?;
        let reason = check_action_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
        let sanction = SanctionRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            user_id: user_id.to_string(),
            kind: kind.as_str().into(),
            reason: reason.clone(),
            created_by: actor.user_id.clone(),
            created_at: now,
            ends_at,
            lifted_at: None,
            lifted_by: None,
            lift_reason: None,
        };
        let mut tx = self.db().begin().await?;
        store::insert_sanction(&mut tx, &sanction).await?;
        self.log_member_action(
            &mut tx,
            actor,
            &view,
            kind.as_str(),
            user_id,
            &reason,
            &sanction.id,
            now,
        )
        .await?;
        let message = match kind {
            SanctionKind::Warn => format!("A warning from the moderators: {reason}"),
            _ => sanction_message(&view, &sanction).replacen("You are", "You were", 1),
        };
        let notice = Notice {
            user_id,
            community_id: &view.community.id,
            kind: "sanction",
            actor_id: &actor.user_id,
            topic_id: None,
            post_id: None,
            excerpt: &message,
        };
        self.notify(&mut tx, notice, now).await?;
        self.commit(tx).await?;
        Ok(sanction)
    }

    /// Lifts a mute, suspension or ban early, with a reason (moderators).
    pub async fn lift_sanction(
        &self,
        actor: &Actor,
        sanction_id: &str,
        reason: &str,
    ) -> AppResult<SanctionRow> {
        let sanction = store::sanction_by_id(self.db(), sanction_id)
            .await?
            .ok_or(AppError::NotFound("sanction"))?;
        let view = self
            .community_by_id(Some(actor), &sanction.community_id)
            .await
            .map_err(|_| AppError::NotFound("sanction"))?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::NotFound("sanction"));
        }
        let reason = check_action_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if !store::lift_sanction(&mut tx, &sanction.id, &actor.user_id, &reason, now).await? {
            return Err(AppError::invalid("reason", "This was already lifted."));
        }
        self.log_member_action(
            &mut tx,
            actor,
            &view,
            "lift",
            &sanction.user_id,
            &reason,
            &sanction.id,
            now,
        )
        .await?;
        let message = format!("The moderators lifted your {}: {reason}", sanction.kind);
        let notice = Notice {
            user_id: &sanction.user_id,
            community_id: &view.community.id,
            kind: "sanction",
            actor_id: &actor.user_id,
            topic_id: None,
            post_id: None,
            excerpt: &message,
        };
        self.notify(&mut tx, notice, now).await?;
        self.commit(tx).await?;
        Ok(SanctionRow {
            lifted_at: Some(now),
            lifted_by: Some(actor.user_id.clone()),
            lift_reason: Some(reason),
            ..sanction
        })
    }

    /// Mutes, suspensions and bans in force in a community (moderators).
    pub async fn sanctions_in_force(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<(CommunityView, Vec<ListedSanction>)> {
        let view = self.moderated_community(actor, community_slug).await?;
        let rows = store::sanctions_in_force(self.db(), &view.community.id, self.now()).await?;
        Ok((view, rows))
    }

    /// The moderation actions about the member in a community, with their appeals.
    pub async fn my_moderation(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<(CommunityView, Vec<(ActionRow, Option<AppealRow>)>)> {
        let view = self.community(Some(actor), community_slug).await?;
        let actions =
            store::actions_about(self.db(), &view.community.id, &actor.user_id, 50).await?;
        let appeals =
            store::appeals_of_member(self.db(), &view.community.id, &actor.user_id).await?;
        let rows = actions
            .into_iter()
            .filter(|a| appealable(&a.action))
            .map(|a| {
                let appeal = appeals.iter().find(|ap| ap.action_id == a.id).cloned();
                (a, appeal)
            })
            .collect();
        Ok((view, rows))
    }

    /// Appeals an action about oneself, once per action.
    pub async fn appeal(
        &self,
        actor: &Actor,
        community_slug: &str,
        action_id: &str,
        statement: &str,
    ) -> AppResult<AppealRow> {
        let view = self.community(Some(actor), community_slug).await?;
        let action = store::action_by_id(self.db(), action_id)
            .await?
            .filter(|a| {
                a.community_id == view.community.id
                    && a.subject_user_id.as_deref() == Some(actor.user_id.as_str())
                    && appealable(&a.action)
            })
            .ok_or(AppError::NotFound("action"))?;
        let statement = statement.trim();
        if statement.is_empty() || statement.chars().count() > 2000 {
            return Err(AppError::invalid(
                "statement",
                "Say in up to 2000 characters why the moderators should reconsider.",
            ));
        }
        let now = self.now();
        let appeal = AppealRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            action_id: action.id.clone(),
            user_id: actor.user_id.clone(),
            statement: statement.to_string(),
            status: "open".into(),
            created_at: now,
            resolved_at: None,
            resolution: None,
        };
        let mut tx = self.db().begin().await?;
        if !store::insert_appeal(&mut tx, &appeal).await? {
            return Err(AppError::conflict(
                "statement",
                "You already appealed this action; each action can be appealed once.",
            ));
        }
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "appeal_made",
            "moderation_action",
            &action.id,
            json!({"appeal_id": appeal.id, "action": action.action}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(appeal)
    }

    /// Open appeals, oldest first (moderators).
    pub async fn open_appeals(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<(CommunityView, Vec<ListedAppeal>)> {
        let view = self.moderated_community(actor, community_slug).await?;
        let rows = store::open_appeals(self.db(), &view.community.id).await?;
        Ok((view, rows))
    }

    /// Upholds or overturns an appeal with a reason the member sees; overturning undoes the
    /// action where it can (shows a hidden post again, lifts a mute, suspension or ban).
    pub async fn resolve_appeal(
        &self,
        actor: &Actor,
        appeal_id: &str,
        decision: &str,
        reason: &str,
    ) -> AppResult<AppealRow> {
        let appeal = store::appeal_by_id(self.db(), appeal_id)
            .await?
            .ok_or(AppError::NotFound("appeal"))?;
        let view = self
            .community_by_id(Some(actor), &appeal.community_id)
            .await
            .map_err(|_| AppError::NotFound("appeal"))?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::NotFound("appeal"));
        }
        let overturn = match decision.trim() {
            "upheld" => false,
            "overturned" => true,
            other => {
                return Err(AppError::invalid(
                    "decision",
                    format!("\"{other}\" is not one of: upheld, overturned."),
                ))
            }
        };
        let reason = check_action_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
        let action = store::action_by_id(self.db(), &appeal.action_id)
            .await?
            .ok_or(AppError::NotFound("appeal"))?;
        let now = self.now();
        let status = if overturn { "overturned" } else { "upheld" };
        let mut tx = self.db().begin().await?;
        if !store::resolve_appeal(&mut tx, &appeal.id, status, &actor.user_id, &reason, now).await?
        {
            return Err(AppError::invalid(
                "decision",
                "This appeal was already decided.",
            ));
        }
        if overturn {
            match action.action.as_str() {
                "hide" => {
                    store::set_post_hidden(&mut tx, &action.target_id, None).await?;
                    if let Some(post) =
                        discussions_store::post_by_id(&mut tx, &action.target_id).await?
                    {
                        let title = discussions_store::topic_by_id(&mut tx, &post.topic_id)
                            .await?
                            .map(|t| t.title)
                            .unwrap_or_default();
                        search::index_post(
                            &mut tx,
                            &post.id,
                            &title,
                            &markdown::plain_text(&post.body_markdown),
                        )
                        .await?;
                    }
                }
                "mute" | "suspend" | "ban" => {
                    let sanction_id = serde_json::from_str::<serde_json::Value>(&action.detail)
                        .ok()
                        .and_then(|d| d["sanction_id"].as_str().map(str::to_string));
                    if let Some(id) = sanction_id {
                        store::lift_sanction(&mut tx, &id, &actor.user_id, &reason, now).await?;
                    }
                }
                _ => {} // a warning has nothing to undo; a deletion stays (see the audit log)
            }
        }
        let entry = ActionRow {
            id: new_id(),
            community_id: appeal.community_id.clone(),
            actor_id: actor.user_id.clone(),
            action: format!("appeal_{status}"),
            target_kind: "moderation_action".into(),
            target_id: action.id.clone(),
            subject_user_id: Some(appeal.user_id.clone()),
            reason: reason.clone(),
            detail: json!({"appeal_id": appeal.id, "contested": action.action}).to_string(),
            created_at: now,
        };
        store::insert_action(&mut tx, &entry).await?;
        activity::record(
            &mut tx,
            Some(&appeal.community_id),
            Some(&actor.user_id),
            "appeal_resolved",
            "appeal",
            &appeal.id,
            json!({"status": status, "contested": action.action}),
            now,
        )
        .await?;
        let message = format!("Your appeal was {status}: {reason}");
        let notice = Notice {
            user_id: &appeal.user_id,
            community_id: &appeal.community_id,
            kind: "sanction",
            actor_id: &actor.user_id,
            topic_id: None,
            post_id: None,
            excerpt: &message,
        };
        self.notify(&mut tx, notice, now).await?;
        self.commit(tx).await?;
        Ok(AppealRow {
            status: status.into(),
            resolved_at: Some(now),
            resolution: Some(reason),
            ..appeal
        })
    }

    #[allow(clippy::too_many_arguments)]
    async fn log_member_action(
        &self,
        tx: &mut townsquare_store::Tx,
        actor: &Actor,
        view: &CommunityView,
        action: &str,
        user_id: &str,
        reason: &str,
        sanction_id: &str,
        now: i64,
    ) -> AppResult<()> {
        let entry = ActionRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            actor_id: actor.user_id.clone(),
            action: action.into(),
            target_kind: TargetKind::User.as_str().into(),
            target_id: user_id.into(),
            subject_user_id: Some(user_id.into()),
            reason: reason.into(),
            detail: json!({"sanction_id": sanction_id}).to_string(),
            created_at: now,
        };
        store::insert_action(tx, &entry).await?;
        activity::record(
            tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "moderation_action",
            "user",
            user_id,
            json!({"action": action, "sanction_id": sanction_id}),
            now,
        )
        .await
    }

    async fn moderated_community(&self, actor: &Actor, slug: &str) -> AppResult<CommunityView> {
        let view = self.community(Some(actor), slug).await?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::Forbidden(
                "The moderation queue is for the community's moderators.".into(),
            ));
        }
        Ok(view)
    }

    /// A live post and its topic, if the actor can read them.
    async fn readable_post(&self, actor: &Actor, post_id: &str) -> AppResult<(TopicView, PostRow)> {
        let post = discussions_store::post_by_id(self.db(), post_id)
            .await?
            .filter(|p| p.deleted_at.is_none())
            .ok_or(AppError::NotFound("post"))?;
        let view = self.topic(Some(actor), &post.topic_id).await?;
        if post.held_at.is_some() && !view.can_moderate && post.author_id != actor.user_id {
            return Err(AppError::NotFound("post"));
        }
        Ok((view, post))
    }
}

/// Actions a member may appeal (and sees): not approvals, lifts or decisions on appeals, and
/// never moderators' private notes.
fn appealable(action: &str) -> bool {
    !matches!(action, "approve" | "lift" | "note") && !action.starts_with("appeal_")
}

fn past_tense(action: ContentAction) -> &'static str {
    match action {
        ContentAction::Approve => "Approved",
        ContentAction::Hide => "Hidden",
        ContentAction::Unhide => "Shown again",
        ContentAction::Delete => "Deleted",
    }
}

/// Refuses a write by a member under a sanction, saying which, why and until when.
pub(crate) fn ensure_can_post(view: &CommunityView) -> AppResult<()> {
    match &view.sanction {
        Some(s) => Err(AppError::Forbidden(sanction_message(view, s))),
        None => Ok(()),
    }
}

/// "You are muted in Guild until 3 Dec 2026, 09:00 (Europe/Berlin): reason".
pub fn sanction_message(view: &CommunityView, s: &SanctionRow) -> String {
    let what = match SanctionKind::parse(&s.kind) {
        Ok(SanctionKind::Mute) => "muted",
        Ok(SanctionKind::Suspend) => "suspended",
        _ => "banned",
    };
    let until = match s.ends_at {
        Some(end) => {
            let tz = time_zones::parse_or_utc(&view.community.time_zone);
            let local = chrono::DateTime::from_timestamp_micros(end)
                .map(|t| t.with_timezone(&tz).format("%-d %b %Y, %H:%M").to_string())
                .unwrap_or_default();
            format!(" until {local} ({})", tz.name())
        }
        None => String::new(),
    };
    format!(
        "You are {what} in {}{until}: {}",
        view.community.name, s.reason
    )
}
