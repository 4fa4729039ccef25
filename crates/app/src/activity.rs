//! Appending to the activity log: every use case calls `record` inside its transaction.

use crate::AppResult;
use townsquare_domain::new_id;
use townsquare_store::activity::{self as store, ActivityRow};
use townsquare_store::Tx;

#[allow(clippy::too_many_arguments)]
pub async fn record(
    tx: &mut Tx,
    community_id: Option<&str>,
    actor_id: Option<&str>,
    verb: &str,
    object_type: &str,
    object_id: &str,
    detail: serde_json::Value,
    now: i64,
) -> AppResult<()> {
    store::append(
        tx,
        &ActivityRow {
            id: new_id(),
            community_id: community_id.map(str::to_string),
            actor_id: actor_id.map(str::to_string),
            verb: verb.to_string(),
            object_type: object_type.to_string(),
            object_id: object_id.to_string(),
            detail: detail.to_string(),
            created_at: now,
        },
    )
    .await?;
    Ok(())
}

pub use store::ActivityRow as Activity;

impl crate::App {
    /// The latest things members did in a community (members only: it names people).
    pub async fn recent_activity(
        &self,
        view: &crate::communities::CommunityView,
        limit: i64,
    ) -> AppResult<Vec<(Activity, String)>> {
        if view.role().is_none() && !view.viewer.superadmin {
            return Err(crate::AppError::Forbidden(
                "Only members can see the community's activity.".into(),
            ));
        }
        let rows =
            store::recent_in_community(self.db(), &view.community.id, None, limit.clamp(1, 100))
                .await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.activity, r.actor_name.unwrap_or_else(|| "Someone".into())))
            .collect())
    }
}
