//! The notification centre and notification e-mail. A notification is written in its
//! cause's transaction; the recipient's preference decides whether it is kept at all, mailed
//! right away (through the outbox, in the same transaction) or saved for the daily digest.

use crate::clock::MICROS_PER_HOUR;
use crate::{mail, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::notifications::{self as kinds, Delivery};
use townsquare_domain::{new_id, time_zones};
use townsquare_store::notifications::{self as store, ListedNotification, NotificationRow};
use townsquare_store::Tx;

/// Sends each member their waiting digest notifications, once a day at DIGEST_HOUR on the
/// member's clock: the job runs hourly and serves the members for whom it is that hour.
pub const DIGEST: &str = "notifications.digest";
/// The hour of the member's day the digest goes out.
const DIGEST_HOUR: u32 = 8;

/// One notification to write.
pub struct Notice<'a> {
    pub user_id: &'a str,
    pub community_id: &'a str,
    pub kind: &'a str,
    pub actor_id: &'a str,
    pub topic_id: Option<&'a str>,
    pub post_id: Option<&'a str>,
    pub excerpt: &'a str,
}

/// What a notification says, in a sentence's middle: "Ada {replied in} Topic".
pub fn describe(kind: &str) -> &'static str {
    match kind {
        "reply" => "replied in",
        "mention" => "mentioned you in",
        "reaction" => "reacted to your post in",
        "answer_accepted" => "accepted your answer in",
        "featured" => "featured your post in",
        "new_topic" => "started a topic:",
        "moderation" => "moderated your post in",
        "flag_handled" => "handled your flag in",
        "sanction" => "sent you a moderation notice in",
        "welcome" => "welcomed you to",
        "join_approved" => "approved your request to join",
        "join_declined" => "declined your request to join",
        "tier_change_requested" => "asked for another membership tier in",
        _ => "did something in",
    }
}

async fn delivery_for(tx: &mut Tx, user_id: &str, kind: &str) -> AppResult<Delivery> {
    let chosen = store::preferences_of(&mut *tx, user_id)
        .await?
        .into_iter()
        .find(|(k, _)| k == kind)
        .and_then(|(_, d)| Delivery::parse(&d).ok());
    Ok(chosen
        .or_else(|| kinds::kind(kind).map(|k| k.default))
        .unwrap_or(Delivery::InApp))
}

fn link(base_url: &str, n: &ListedNotification) -> String {
    match (&n.community_slug, &n.notification.topic_id) {
        (Some(c), Some(t)) => match &n.notification.post_id {
            Some(p) => format!("{base_url}/c/{c}/t/{t}#post-{p}"),
            None => format!("{base_url}/c/{c}/t/{t}"),
        },
        (Some(c), None) => format!("{base_url}/c/{c}"),
        _ => format!("{base_url}/notifications"),
    }
}

fn line(n: &ListedNotification) -> String {
    format!(
        "{} {} {}",
        n.actor_name.as_deref().unwrap_or("Someone"),
        describe(&n.notification.kind),
        n.topic_title
            .as_deref()
            .or(n.community_slug.as_deref())
            .unwrap_or("a topic")
    )
}

impl App {
    /// Writes a notification per the recipient's preference, e-mails it if they asked for
    /// that, and pings their open streams.
    pub(crate) async fn notify(&self, tx: &mut Tx, n: Notice<'_>, now: i64) -> AppResult<()> {
        let delivery = delivery_for(tx, n.user_id, n.kind).await?;
        if delivery == Delivery::Off {
            return Ok(());
        }
        let row = NotificationRow {
            id: new_id(),
            user_id: n.user_id.to_string(),
            community_id: Some(n.community_id.to_string()),
            kind: n.kind.to_string(),
            actor_id: Some(n.actor_id.to_string()),
            topic_id: n.topic_id.map(str::to_string),
            post_id: n.post_id.map(str::to_string),
            excerpt: n.excerpt.to_string(),
            created_at: now,
            read_at: None,
            delivery: delivery.as_str().to_string(),
            emailed_at: (delivery == Delivery::Email).then_some(now),
        };
        store::insert(tx, &row).await?;
        if delivery == Delivery::Email {
            self.mail_notification(tx, &row, now).await?;
        }
        tx.notify(
            &format!("user:{}", n.user_id),
            &json!({"kind": "notification", "notification_kind": n.kind}).to_string(),
        )
        .await?;
        Ok(())
    }

    async fn mail_notification(
        &self,
        tx: &mut Tx,
        row: &NotificationRow,
        now: i64,
    ) -> AppResult<()> {
        let Some(recipient) =
            townsquare_store::accounts::user_by_id(&mut *tx, &row.user_id).await?
        else {
            return Ok(());
        };
        let actor = match &row.actor_id {
            Some(id) => townsquare_store::accounts::user_by_id(&mut *tx, id)
                .await?
                .map(|u| u.display_name),
            None => None,
        };
        let topic = match &row.topic_id {
            Some(id) => townsquare_store::discussions::topic_by_id(&mut *tx, id).await?,
            None => None,
        };
        let community = match &row.community_id {
            Some(id) => townsquare_store::communities::community_by_id(&mut *tx, id).await?,
            None => None,
        };
        let listed = ListedNotification {
            notification: row.clone(),
            actor_name: actor,
            topic_title: topic.map(|t| t.title),
            community_slug: community.map(|c| c.slug),
        };
        let base = &self.settings().base_url;
        let quote = if row.excerpt.is_empty() {
            String::new()
        } else {
            format!("\n> {}\n", row.excerpt)
        };
        let body = format!(
            "Hello {name},\n\n{line}.\n{quote}\nRead it: {link}\n\n\
             You get this e-mail because of your notification settings: {base}/settings/notifications\n",
            name = recipient.display_name,
            line = line(&listed),
            link = link(base, &listed),
        );
        let quoted: Vec<String> = row.post_id.iter().cloned().collect();
        mail::enqueue_quoting(tx, &recipient.email, &line(&listed), &body, &quoted, now).await
    }

    pub async fn notifications(
        &self,
        actor: &Actor,
        before: Option<(i64, &str)>,
        limit: i64,
    ) -> AppResult<Vec<ListedNotification>> {
        Ok(store::list(self.db(), &actor.user_id, before, limit.clamp(1, 100)).await?)
    }

    pub async fn unread_notifications(&self, actor: &Actor) -> AppResult<i64> {
        Ok(store::unread_count(self.db(), &actor.user_id).await?)
    }

    pub async fn mark_notifications_read(&self, actor: &Actor) -> AppResult<u64> {
        let mut tx = self.db().begin().await?;
        let n = store::mark_all_read(&mut tx, &actor.user_id, self.now()).await?;
        self.commit(tx).await?;
        Ok(n)
    }

    /// Every notification kind with the member's delivery for it.
    pub async fn notification_preferences(
        &self,
        actor: &Actor,
    ) -> AppResult<Vec<(&'static kinds::NotificationKind, Delivery)>> {
        let chosen = store::preferences_of(self.db(), &actor.user_id).await?;
        Ok(kinds::KINDS
            .iter()
            .map(|k| {
                let d = chosen
                    .iter()
                    .find(|(kind, _)| kind == k.name)
                    .and_then(|(_, d)| Delivery::parse(d).ok())
                    .unwrap_or(k.default);
                (k, d)
            })
            .collect())
    }

    /// Saves deliveries given as (kind, delivery) pairs; unknown kinds or deliveries are errors.
    pub async fn set_notification_preferences(
        &self,
        actor: &Actor,
        choices: &[(String, String)],
    ) -> AppResult<()> {
        let mut errors = townsquare_domain::ValidationErrors::new();
        let mut valid = Vec::new();
        for (kind, delivery) in choices {
            if kinds::kind(kind).is_none() {
                errors.add(kind, format!("\"{kind}\" is not a kind of notification."));
                continue;
            }
            match Delivery::parse(delivery) {
                Ok(d) => valid.push((kind.clone(), d)),
                Err(m) => errors.add(kind, m),
            }
        }
        if !errors.is_empty() {
            return Err(AppError::Invalid(errors));
        }
        let mut tx = self.db().begin().await?;
        for (kind, delivery) in &valid {
            store::set_preference(&mut tx, &actor.user_id, kind, delivery.as_str()).await?;
        }
        self.commit(tx).await
    }

    /// Makes sure the next hourly digest run is queued (any instance may call it; the job id is
    /// the hour, so it is queued once).
    pub async fn schedule_next_digest(&self) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        self.enqueue_next_digest(&mut tx).await?;
        self.commit(tx).await
    }

    async fn enqueue_next_digest(&self, tx: &mut Tx) -> AppResult<()> {
        let now = self.now();
        let run_at = now - now.rem_euclid(MICROS_PER_HOUR) + MICROS_PER_HOUR;
        let hour = chrono::DateTime::from_timestamp_micros(run_at)
            .map(|d| d.format("%Y-%m-%dT%H").to_string())
            .unwrap_or_default();
        let id = format!("{DIGEST}:{hour}");
        let job = townsquare_store::jobs::NewJob {
            id: &id,
            kind: DIGEST,
            payload: "{}",
            run_at,
            max_attempts: 5,
            now,
        };
        townsquare_store::jobs::enqueue_once(tx, &job).await?;
        Ok(())
    }

    /// The job: one e-mail per member listing their waiting digest notifications; then the
    /// next day's digest is queued.
    pub(crate) async fn send_digests(&self, tx: &mut Tx) -> AppResult<()> {
        let now = self.now();
        let base = self.settings().base_url.clone();
        for (user_id, zone) in store::digest_recipients(self.db()).await? {
            // Each member's digest leaves at DIGEST_HOUR on their own clock.
            let zone = time_zones::parse_or_utc(&zone);
            if time_zones::local_hour(now, zone) != DIGEST_HOUR {
                continue;
            }
            let items = store::digest_items(tx, &user_id).await?;
            if items.is_empty() {
                continue;
            }
            let Some(recipient) =
                townsquare_store::accounts::user_by_id(&mut *tx, &user_id).await?
            else {
                continue;
            };
            let lines: Vec<String> = items
                .iter()
                .map(|n| format!("- {}: {}", line(n), link(&base, n)))
                .collect();
            let body = format!(
                "Hello {},\n\nHere is what happened since your last digest:\n\n{}\n\n\
                 Change what you receive: {base}/settings/notifications\n",
                recipient.display_name,
                lines.join("\n")
            );
            let subject = format!(
                "Your Townsquare digest: {} update{}",
                items.len(),
                if items.len() == 1 { "" } else { "s" }
            );
            let quoted: Vec<String> = items
                .iter()
                .filter_map(|n| n.notification.post_id.clone())
                .collect();
            mail::enqueue_quoting(tx, &recipient.email, &subject, &body, &quoted, now).await?;
            let ids: Vec<String> = items.into_iter().map(|n| n.notification.id).collect();
            store::mark_emailed(tx, &ids, now).await?;
        }
        self.enqueue_next_digest(tx).await
    }
}
