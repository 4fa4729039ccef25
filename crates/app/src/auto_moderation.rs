//! Automatic protection, per community: admins' keyword and pattern rules (block, hold for
//! approval, or flag), limits on new members' posts, and per-member rate limits counted from
//! what the database holds (so they hold across instances). Moderators and admins are exempt.
//! Held posts wait for a moderator, who approves them (then they are announced as new posts)
//! or rejects them (deleted), with a reason the author hears and the audit log keeps.

use crate::clock::{MICROS_PER_DAY, MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::communities::CommunityView;
use crate::notifications::Notice;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use townsquare_domain::auto_moderation::{
    check_message, compile, count_links, judge, CompiledRule, Limits, RuleAction, RuleKind,
    MAX_RULES,
};
use townsquare_domain::moderation::check_action_reason;
use townsquare_domain::{markdown, new_id, policy, time_zones, ValidationErrors};
use townsquare_store::auto_moderation::{self as store, HeldPost, RuleRow, SettingsRow};
use townsquare_store::discussions::{self as discussions_store, PostRow};
use townsquare_store::moderation::{self as moderation_store, ActionRow};
use townsquare_store::{search, Tx};

/// How many held posts the moderators' list shows at once.
const HELD_LIST: i64 = 200;

/// What a member is writing, for the rules and limits that apply to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    Topic,
    Reply,
    Edit,
}

/// What the automatic checks decided about a post that may be saved.
#[derive(Debug, Clone, Default)]
pub(crate) struct Screening {
    /// Why the post is held, if it is.
    hold: Option<String>,
    /// The rules that matched: (id, description, action).
    matched: Vec<(String, String, RuleAction)>,
}

/// A community's automatic protection, as its admins see it.
#[derive(Debug, Clone)]
pub struct AutoModeration {
    pub view: CommunityView,
    pub rules: Vec<RuleRow>,
    pub limits: Limits,
}

/// What a moderator decided about a held post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HeldDecision {
    Approve,
    Reject,
}

impl HeldDecision {
    pub fn parse(s: &str) -> Result<HeldDecision, String> {
        match s.trim() {
            "approve" => Ok(HeldDecision::Approve),
            "reject" => Ok(HeldDecision::Reject),
            other => Err(format!("\"{other}\" is not one of: approve, reject.")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            HeldDecision::Approve => "approve",
            HeldDecision::Reject => "reject",
        }
    }
}

fn limits_of(row: Option<SettingsRow>) -> Limits {
    match row {
        Some(s) => Limits {
            hold_first_posts: s.hold_first_posts,
            new_member_days: s.new_member_days,
            new_member_links: s.new_member_links,
            new_member_mentions: s.new_member_mentions,
            posts_per_minute: s.posts_per_minute,
            topics_per_day: s.topics_per_day,
            flags_per_day: s.flags_per_day,
        },
        None => Limits::default(),
    }
}

/// "3 Dec 2026, 09:00 (Europe/Berlin)" in the community's time zone.
fn local_time(view: &CommunityView, at: i64) -> String {
    let tz = time_zones::parse_or_utc(&view.community.time_zone);
    let local = chrono::DateTime::from_timestamp_micros(at)
        .map(|t| t.with_timezone(&tz).format("%-d %b %Y, %H:%M").to_string())
        .unwrap_or_default();
    format!("{local} ({})", tz.name())
}

fn wait_words(secs: u64) -> String {
    match secs {
        0..=1 => "a second".into(),
        2..=59 => format!("{secs} seconds"),
        60..=119 => "a minute".into(),
        120..=3599 => format!("{} minutes", secs.div_ceil(60)),
        _ => {
            let hours = secs.div_ceil(3600);
            if hours == 1 {
                "an hour".into()
            } else {
                format!("{hours} hours")
            }
        }
    }
}

/// Refuses the action when `times` (newest first) already holds `allowed` hits in the window.
fn over_limit(times: &[i64], allowed: i64, window: i64, now: i64, what: &str) -> AppResult<()> {
    if (times.len() as i64) < allowed || allowed <= 0 {
        return Ok(());
    }
    // The window frees a place when the oldest of the last `allowed` hits leaves it.
    let oldest = times[(allowed - 1) as usize];
    let retry_after = ((oldest + window - now) as f64 / MICROS_PER_SECOND as f64).ceil() as i64;
    let retry_after = retry_after.max(1) as u64;
    Err(AppError::RateLimited {
        message: format!(
            "You have reached this community's limit of {allowed} {what}. Try again in {}.",
            wait_words(retry_after)
        ),
        retry_after_secs: retry_after,
    })
}

impl App {
    /// The community's limits (the defaults until an admin saves others).
    pub async fn auto_moderation_limits(&self, community_id: &str) -> AppResult<Limits> {
        Ok(limits_of(store::settings(self.db(), community_id).await?))
    }

    /// The community's rules and limits (admins).
    pub async fn auto_moderation(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<AutoModeration> {
        let view = self.administered_community(actor, community_slug).await?;
        let rules = store::rules_of(self.db(), &view.community.id).await?;
        let limits = self.auto_moderation_limits(&view.community.id).await?;
        Ok(AutoModeration {
            view,
            rules,
            limits,
        })
    }

    /// Adds a rule (admins). The pattern is compiled now, so a bad one is refused with the
    /// reason and never reaches a post.
    pub async fn add_auto_rule(
        &self,
        actor: &Actor,
        community_slug: &str,
        kind: &str,
        pattern: &str,
        action: &str,
        message: &str,
    ) -> AppResult<RuleRow> {
        let view = self.administered_community(actor, community_slug).await?;
        let mut e = ValidationErrors::new();
        let kind = e.check("kind", RuleKind::parse(kind.trim()));
        let action = e.check("action", RuleAction::parse(action.trim()));
        if let Some(kind) = kind {
            e.check("pattern", compile(kind, pattern));
        }
        let message = action.and_then(|a| e.check("message", check_message(a, message)));
        let (Some(kind), Some(action), Some(message)) = (kind, action, message) else {
            return Err(e.into());
        };
        if !e.is_empty() {
            return Err(e.into());
        }
        let existing = store::rules_of(self.db(), &view.community.id).await?;
        if existing.len() >= MAX_RULES {
            return Err(AppError::invalid(
                "pattern",
                format!("A community can have at most {MAX_RULES} rules; remove one first."),
            ));
        }
        let now = self.now();
        let rule = RuleRow {
            id: new_id(),
            community_id: view.community.id.clone(),
            kind: kind.as_str().into(),
            pattern: pattern.trim().into(),
            action: action.as_str().into(),
            message,
            created_by: Some(actor.user_id.clone()),
            created_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert_rule(&mut tx, &rule).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "auto_rule_added",
            "auto_moderation_rule",
            &rule.id,
            json!({"kind": rule.kind, "action": rule.action}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(rule)
    }

    /// Removes a rule (admins).
    pub async fn remove_auto_rule(
        &self,
        actor: &Actor,
        community_slug: &str,
        rule_id: &str,
    ) -> AppResult<RuleRow> {
        let view = self.administered_community(actor, community_slug).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let rule = store::delete_rule(&mut tx, &view.community.id, rule_id)
            .await?
            .ok_or(AppError::NotFound("rule"))?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "auto_rule_removed",
            "auto_moderation_rule",
            &rule.id,
            json!({"kind": rule.kind, "action": rule.action}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(rule)
    }

    /// Saves the community's limits (admins); all out-of-range values are named at once.
    pub async fn save_auto_limits(
        &self,
        actor: &Actor,
        community_slug: &str,
        limits: Limits,
    ) -> AppResult<Limits> {
        let view = self.administered_community(actor, community_slug).await?;
        if let Err(errors) = limits.validate() {
            let mut e = ValidationErrors::new();
            for (field, message) in errors {
                e.add(field, message);
            }
            return Err(e.into());
        }
        let row = SettingsRow {
            hold_first_posts: limits.hold_first_posts,
            new_member_days: limits.new_member_days,
            new_member_links: limits.new_member_links,
            new_member_mentions: limits.new_member_mentions,
            posts_per_minute: limits.posts_per_minute,
            topics_per_day: limits.topics_per_day,
            flags_per_day: limits.flags_per_day,
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::save_settings(&mut tx, &view.community.id, &row, &actor.user_id, now).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "auto_limits_saved",
            "community",
            &view.community.id,
            json!({
                "hold_first_posts": limits.hold_first_posts,
                "posts_per_minute": limits.posts_per_minute,
                "topics_per_day": limits.topics_per_day,
                "flags_per_day": limits.flags_per_day,
            }),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(limits)
    }

    async fn administered_community(&self, actor: &Actor, slug: &str) -> AppResult<CommunityView> {
        let view = self.community(Some(actor), slug).await?;
        if !policy::can_manage_community(&view.viewer) {
            return Err(AppError::Forbidden(
                "Automatic protection is set by the community's admins.".into(),
            ));
        }
        Ok(view)
    }

    /// The community's rules, compiled. Rules are only ever added or removed, so the list of
    /// their ids identifies a compiled set; it is kept per process and reused until it
    /// changes (every instance reads the rules from the database on each post).
    async fn compiled_rules(&self, community_id: &str) -> AppResult<Arc<Vec<CompiledRule>>> {
        let rows = store::rules_of(self.db(), community_id).await?;
        let key = rows
            .iter()
            .map(|r| r.id.as_str())
            .collect::<Vec<_>>()
            .join(",");
        let cache = COMPILED.get_or_init(Default::default);
        if let Some((k, rules)) = cache.lock().ok().and_then(|c| c.get(community_id).cloned()) {
            if k == key {
                return Ok(rules);
            }
        }
        let rules = Arc::new(compile_rows(rows));
        if let Ok(mut c) = cache.lock() {
            if c.len() >= 10_000 {
                c.clear();
            }
            c.insert(community_id.to_string(), (key, rules.clone()));
        }
        Ok(rules)
    }
}

/// Compiled rule sets per community: (the ids they were compiled from, the rules).
type CompiledCache = Mutex<HashMap<String, (String, Arc<Vec<CompiledRule>>)>>;
static COMPILED: OnceLock<CompiledCache> = OnceLock::new();

fn compile_rows(rows: Vec<RuleRow>) -> Vec<CompiledRule> {
    rows.into_iter()
        .filter_map(|r| {
            let kind = RuleKind::parse(&r.kind).ok()?;
            let action = RuleAction::parse(&r.action).ok()?;
            // Every saved pattern compiled when it was saved; a failure now is skipped.
            let regex = compile(kind, &r.pattern).ok()?;
            Some(CompiledRule {
                id: r.id,
                pattern: r.pattern,
                kind,
                action,
                message: r.message,
                regex,
            })
        })
        .collect()
}

impl App {
    /// Runs the community's automatic checks on a post about to be written: refuses it (a
    /// blocking rule, a new member's link or mention limit, a rate limit) or says whether to
    /// hold it and which rules matched. `text` is what rules read (title and body); `body` is
    /// the Markdown whose links and mentions are counted.
    pub(crate) async fn screen_post(
        &self,
        view: &CommunityView,
        actor: &Actor,
        kind: PostKind,
        text: &str,
        body: &str,
    ) -> AppResult<Screening> {
        if policy::can_moderate(&view.viewer) {
            return Ok(Screening::default());
        }
        let community_id = &view.community.id;
        let now = self.now();
        let rules = self.compiled_rules(community_id).await?;
        let verdict = judge(&rules, text);
        let matched: Vec<(String, String, RuleAction)> = verdict
            .matched
            .iter()
            .map(|r| (r.id.clone(), r.describe(), r.action))
            .collect();
        if let Some(rule) = verdict.deciding().filter(|r| r.action == RuleAction::Block) {
            let mut tx = self.db().begin().await?;
            record_matches(&mut tx, community_id, &actor.user_id, "", &matched, now).await?;
            self.commit(tx).await?;
            return Err(AppError::invalid("body", rule.message.clone()));
        }
        let limits = self.auto_moderation_limits(community_id).await?;
        let joined_at = view.membership.as_ref().map(|m| m.joined_at).unwrap_or(now);
        let new_until = joined_at + limits.new_member_days * MICROS_PER_DAY;
        if now < new_until {
            let lifts = local_time(view, new_until);
            let days = limits.new_member_days;
            let links = count_links(body) as i64;
            if links > limits.new_member_links {
                let allowed = limits.new_member_links;
                return Err(AppError::invalid(
                    "body",
                    format!(
                        "New members can share at most {allowed} link{} per post in their first {days} day{}; this post has {links}. The limit lifts on {lifts}.",
                        plural(allowed),
                        plural(days)
                    ),
                ));
            }
            let mentions = markdown::mentions(body).len() as i64;
            if mentions > limits.new_member_mentions {
                let allowed = limits.new_member_mentions;
                return Err(AppError::invalid(
                    "body",
                    format!(
                        "New members can mention at most {allowed} member{} per post in their first {days} day{}; this post mentions {mentions}. The limit lifts on {lifts}.",
                        plural(allowed),
                        plural(days)
                    ),
                ));
            }
        }
        if kind != PostKind::Edit {
            let times = store::recent_post_times(
                self.db(),
                community_id,
                &actor.user_id,
                false,
                now - MICROS_PER_MINUTE,
                limits.posts_per_minute,
            )
            .await?;
            over_limit(
                &times,
                limits.posts_per_minute,
                MICROS_PER_MINUTE,
                now,
                "posts per minute",
            )?;
        }
        if kind == PostKind::Topic {
            let times = store::recent_post_times(
                self.db(),
                community_id,
                &actor.user_id,
                true,
                now - MICROS_PER_DAY,
                limits.topics_per_day,
            )
            .await?;
            over_limit(
                &times,
                limits.topics_per_day,
                MICROS_PER_DAY,
                now,
                "new topics per day",
            )?;
        }
        let mut hold = verdict
            .deciding()
            .filter(|r| r.action == RuleAction::Hold)
            .map(|r| format!("auto-moderation: {}", r.describe()));
        if hold.is_none() && limits.hold_first_posts > 0 && kind != PostKind::Edit {
            let published =
                store::published_post_count(self.db(), community_id, &actor.user_id).await?;
            if published < limits.hold_first_posts {
                hold = Some(format!(
                    "new member: the first {} post{} of a new member wait for approval",
                    limits.hold_first_posts,
                    plural(limits.hold_first_posts)
                ));
            }
        }
        Ok(Screening { hold, matched })
    }

    /// Applies a screening to a post just written (or edited) in `tx`: holds it, or flags it
    /// for the moderators, and records what the rules did. Returns the post as it now is.
    pub(crate) async fn apply_screening(
        &self,
        tx: &mut Tx,
        screening: &Screening,
        actor: &Actor,
        post: PostRow,
        is_edit: bool,
        now: i64,
    ) -> AppResult<PostRow> {
        record_matches(
            tx,
            &post.community_id,
            &actor.user_id,
            &post.id,
            &screening.matched,
            now,
        )
        .await?;
        if let Some(reason) = &screening.hold {
            if post.held_at.is_some() {
                return Ok(post); // already waiting: an edit does not restart the wait
            }
            store::set_post_held(tx, &post, Some(now), Some(reason)).await?;
            if is_edit {
                // It was published: take it out of search and, for a reply, of the count.
                search::unindex_post(tx, &post.id).await?;
                if !post.is_first {
                    discussions_store::reply_removed(tx, &post.topic_id, true).await?;
                }
            }
            activity::record(
                tx,
                Some(&post.community_id),
                Some(&actor.user_id),
                "post_held",
                "post",
                &post.id,
                json!({"topic_id": post.topic_id, "reason": reason, "edit": is_edit, "first": post.is_first}),
                now,
            )
            .await?;
            return Ok(PostRow {
                held_at: Some(now),
                ..post
            });
        }
        let flagged: Vec<&str> = screening
            .matched
            .iter()
            .filter(|(_, _, a)| *a == RuleAction::Flag)
            .map(|(_, d, _)| d.as_str())
            .collect();
        if !flagged.is_empty() {
            let note = format!("auto-moderation: {}", flagged.join(", "));
            store::insert_auto_flag(
                tx,
                &new_id(),
                &post.community_id,
                &post.id,
                &post.space_id,
                "other",
                &note,
                now,
            )
            .await?;
        }
        Ok(post)
    }

    /// Refuses a flag past the member's daily allowance (moderators are exempt).
    pub(crate) async fn check_flag_rate(
        &self,
        view: &CommunityView,
        actor: &Actor,
    ) -> AppResult<()> {
        if policy::can_moderate(&view.viewer) {
            return Ok(());
        }
        let limits = self.auto_moderation_limits(&view.community.id).await?;
        let now = self.now();
        let times = store::recent_flag_times(
            self.db(),
            &view.community.id,
            &actor.user_id,
            now - MICROS_PER_DAY,
            limits.flags_per_day,
        )
        .await?;
        over_limit(
            &times,
            limits.flags_per_day,
            MICROS_PER_DAY,
            now,
            "flags per day",
        )
    }

    /// The community's held posts, oldest first (moderators).
    pub async fn held_posts(
        &self,
        actor: &Actor,
        community_slug: &str,
    ) -> AppResult<(CommunityView, Vec<HeldPost>)> {
        let view = self.community(Some(actor), community_slug).await?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::Forbidden(
                "Held posts are for the community's moderators.".into(),
            ));
        }
        let rows = store::held_posts(self.db(), &view.community.id, HELD_LIST).await?;
        Ok((view, rows))
    }

    /// (held posts, when the oldest was held), for moderators' "needs attention" card.
    pub async fn held_summary(&self, view: &CommunityView) -> AppResult<(i64, Option<i64>)> {
        if !policy::can_moderate(&view.viewer) {
            return Ok((0, None));
        }
        Ok(store::held_summary(self.db(), &view.community.id).await?)
    }

    /// Approves a held post (it is published and announced as a new post) or rejects it (it is
    /// deleted), with a reason the author hears and the audit log keeps (moderators).
    pub async fn decide_held_post(
        &self,
        actor: &Actor,
        post_id: &str,
        decision: &str,
        reason: &str,
    ) -> AppResult<(PostRow, HeldDecision)> {
        let post = discussions_store::post_by_id(self.db(), post_id)
            .await?
            .filter(|p| p.deleted_at.is_none() && p.held_at.is_some())
            .ok_or(AppError::NotFound("held post"))?;
        let view = self
            .community_by_id(Some(actor), &post.community_id)
            .await
            .map_err(|_| AppError::NotFound("held post"))?;
        if !policy::can_moderate(&view.viewer) {
            return Err(AppError::NotFound("held post"));
        }
        let decision =
            HeldDecision::parse(decision).map_err(|m| AppError::invalid("decision", m))?;
        let reason = check_action_reason(reason).map_err(|m| AppError::invalid("reason", m))?;
        let topic = discussions_store::topic_by_id(self.db(), &post.topic_id)
            .await?
            .filter(|t| t.deleted_at.is_none())
            .ok_or(AppError::NotFound("held post"))?;
        let was_new = post.held_at == Some(post.created_at);
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let published = PostRow {
            held_at: None,
            ..post.clone()
        };
        match decision {
            HeldDecision::Approve => {
                store::set_post_held(&mut tx, &post, None, None).await?;
                let (_, mentioned) = self.render_post(&mut tx, &post.body_markdown).await?;
                if was_new && post.is_first {
                    let space = townsquare_store::spaces::space_by_id(&mut tx, &post.space_id)
                        .await?
                        .ok_or(AppError::NotFound("held post"))?;
                    let topic = townsquare_store::discussions::TopicRow {
                        held_at: None,
                        ..topic.clone()
                    };
                    self.announce_topic(&mut tx, &space, &topic, &published, &mentioned, now)
                        .await?;
                } else if was_new {
                    let parent = match &post.reply_to_id {
                        Some(id) => discussions_store::post_by_id(&mut tx, id).await?,
                        None => None,
                    };
                    self.announce_reply(
                        &mut tx,
                        &topic,
                        &published,
                        parent.as_ref(),
                        &mentioned,
                        now,
                    )
                    .await?;
                } else {
                    // An edit that was held: published again as it is now.
                    search::index_post(
                        &mut tx,
                        &post.id,
                        &topic.title,
                        &markdown::plain_text(&post.body_markdown),
                    )
                    .await?;
                    if !post.is_first {
                        discussions_store::reply_restored(&mut tx, &post.topic_id).await?;
                    }
                }
            }
            HeldDecision::Reject => {
                discussions_store::delete_post(&mut tx, &post.id, now).await?;
                search::unindex_post(&mut tx, &post.id).await?;
                crate::mail::forget_post(&mut tx, &post.id, now).await?;
                if post.is_first {
                    discussions_store::delete_topic(&mut tx, &post.topic_id, now).await?;
                }
            }
        }
        let entry = ActionRow {
            id: new_id(),
            community_id: post.community_id.clone(),
            actor_id: actor.user_id.clone(),
            action: decision.as_str().into(),
            target_kind: "post".into(),
            target_id: post.id.clone(),
            subject_user_id: Some(post.author_id.clone()),
            reason: reason.clone(),
            detail: json!({"topic_id": post.topic_id, "held": true, "held_at": post.held_at})
                .to_string(),
            created_at: now,
        };
        moderation_store::insert_action(&mut tx, &entry).await?;
        let verb = match decision {
            HeldDecision::Approve => "post_approved",
            HeldDecision::Reject => "post_rejected",
        };
        activity::record(
            &mut tx,
            Some(&post.community_id),
            Some(&actor.user_id),
            verb,
            "post",
            &post.id,
            json!({"topic_id": post.topic_id, "subject_user_id": post.author_id, "first": post.is_first}),
            now,
        )
        .await?;
        let excerpt = match decision {
            HeldDecision::Approve => {
                format!("Your post was approved and is now published: {reason}")
            }
            HeldDecision::Reject => format!("Your post was not approved and was removed: {reason}"),
        };
        let notice = Notice {
            user_id: &post.author_id,
            community_id: &post.community_id,
            kind: "moderation",
            actor_id: &actor.user_id,
            topic_id: (decision == HeldDecision::Approve).then_some(post.topic_id.as_str()),
            post_id: (decision == HeldDecision::Approve).then_some(post.id.as_str()),
            excerpt: &excerpt,
        };
        self.notify(&mut tx, notice, now).await?;
        self.commit(tx).await?;
        Ok((published, decision))
    }
}

fn plural(n: i64) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// One `rule_matched` activity record per matching rule.
async fn record_matches(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    post_id: &str,
    matched: &[(String, String, RuleAction)],
    now: i64,
) -> AppResult<()> {
    for (rule_id, description, action) in matched {
        activity::record(
            tx,
            Some(community_id),
            Some(user_id),
            "rule_matched",
            "auto_moderation_rule",
            rule_id,
            json!({"action": action.as_str(), "rule": description, "post_id": post_id}),
            now,
        )
        .await?;
    }
    Ok(())
}
