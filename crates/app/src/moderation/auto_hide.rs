//! Hiding a post automatically, pending review, once enough trusted members flagged it: K
//! open flags (per community, 3 by default; 0 turns it off) from members at trust level 2
//! or higher. The post stays in the queue; approving it shows it again.

use crate::notifications::Notice;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::new_id;
use townsquare_store::discussions::PostRow;
use townsquare_store::moderation::trust as trust_store;
use townsquare_store::moderation::{self as store, ActionRow};
use townsquare_store::search;
use townsquare_store::Tx;

/// The trust level from which a member's flags count towards hiding automatically.
pub const TRUSTED_LEVEL: i64 = 2;
/// The largest threshold an admin may set.
pub const MAX_AUTO_HIDE_FLAGS: i64 = 20;

impl App {
    /// After a flag on `post` (inside the flag's transaction): hides the post if the trusted
    /// flags reached the community's threshold. Returns whether it hid it.
    pub(crate) async fn auto_hide_if_due(
        &self,
        tx: &mut Tx,
        post: &PostRow,
        reporter_id: &str,
        now: i64,
    ) -> AppResult<bool> {
        if post.hidden_at.is_some() {
            return Ok(false);
        }
        let threshold = trust_store::auto_hide_flags(&mut *tx, &post.community_id).await?;
        if threshold <= 0 {
            return Ok(false);
        }
        let trusted = trust_store::trusted_open_flags(&mut *tx, &post.id, TRUSTED_LEVEL).await?;
        if trusted < threshold {
            return Ok(false);
        }
        store::set_post_hidden(tx, &post.id, Some(now)).await?;
        trust_store::set_hidden_automatically(tx, &post.id, true).await?;
        search::unindex_post(tx, &post.id).await?;
        let reason = format!(
            "Hidden automatically after {trusted} flags from trusted members, pending review."
        );
        // The audit log names a person as actor: the member whose flag reached the
        // threshold; `detail.actor` says the system acted.
        store::insert_action(
            tx,
            &ActionRow {
                id: new_id(),
                community_id: post.community_id.clone(),
                actor_id: reporter_id.to_string(),
                action: "auto_hide".into(),
                target_kind: "post".into(),
                target_id: post.id.clone(),
                subject_user_id: Some(post.author_id.clone()),
                reason: reason.clone(),
                detail: json!({"actor": "system", "trusted_flags": trusted, "threshold": threshold, "topic_id": post.topic_id}).to_string(),
                created_at: now,
            },
        )
        .await?;
        activity::record(
            tx,
            Some(&post.community_id),
            None,
            "post_auto_hidden",
            "post",
            &post.id,
            json!({"actor": "system", "trusted_flags": trusted, "threshold": threshold, "subject_user_id": post.author_id}),
            now,
        )
        .await?;
        let notice = Notice {
            user_id: &post.author_id,
            community_id: &post.community_id,
            kind: "moderation",
            actor_id: reporter_id,
            topic_id: Some(&post.topic_id),
            post_id: Some(&post.id),
            excerpt: &reason,
        };
        self.notify(tx, notice, now).await?;
        Ok(true)
    }

    /// Sets how many flags from trusted members hide a post automatically (admins; 0 is off).
    pub async fn set_auto_hide_flags(
        &self,
        actor: &Actor,
        community_slug: &str,
        flags: i64,
    ) -> AppResult<i64> {
        let view = self.managed_community(actor, community_slug).await?;
        if !(0..=MAX_AUTO_HIDE_FLAGS).contains(&flags) {
            return Err(AppError::invalid(
                "auto_hide_flags",
                format!("Give a number from 0 (off) to {MAX_AUTO_HIDE_FLAGS}."),
            ));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        trust_store::set_auto_hide_flags(&mut tx, &view.community.id, flags).await?;
        activity::record(
            &mut tx,
            Some(&view.community.id),
            Some(&actor.user_id),
            "moderation_settings_changed",
            "community",
            &view.community.id,
            json!({"auto_hide_flags": flags}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(flags)
    }

    /// The community's auto-hide threshold (moderators).
    pub async fn auto_hide_flags(&self, actor: &Actor, community_slug: &str) -> AppResult<i64> {
        let view = self.moderated_community(actor, community_slug).await?;
        Ok(trust_store::auto_hide_flags(self.db(), &view.community.id).await?)
    }
}
