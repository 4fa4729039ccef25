//! The notification centre: written with their cause, read and cleared by their recipient.

use crate::{Actor, App, AppResult};
use serde_json::json;
use townsquare_domain::new_id;
use townsquare_store::notifications::{self as store, ListedNotification, NotificationRow};
use townsquare_store::Tx;

/// Notifies `user_id` inside the causing transaction and pings their open streams.
#[allow(clippy::too_many_arguments)]
pub async fn notify(
    tx: &mut Tx,
    user_id: &str,
    community_id: &str,
    kind: &str,
    actor_id: &str,
    topic_id: &str,
    post_id: &str,
    excerpt: &str,
    now: i64,
) -> AppResult<()> {
    store::insert(
        tx,
        &NotificationRow {
            id: new_id(),
            user_id: user_id.to_string(),
            community_id: Some(community_id.to_string()),
            kind: kind.to_string(),
            actor_id: Some(actor_id.to_string()),
            topic_id: Some(topic_id.to_string()),
            post_id: Some(post_id.to_string()),
            excerpt: excerpt.to_string(),
            created_at: now,
            read_at: None,
        },
    )
    .await?;
    tx.notify(
        &format!("user:{user_id}"),
        &json!({"kind": "notification", "notification_kind": kind}).to_string(),
    )
    .await?;
    Ok(())
}

impl App {
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
}
