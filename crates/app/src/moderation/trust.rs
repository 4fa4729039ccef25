//! Trust levels: recomputed for every active member by a daily job (and on demand), kept on
//! the membership, shown to moderators. A new member starts at 0 (the column's default).

use crate::clock::MICROS_PER_DAY;
use crate::{App, AppResult};
use std::collections::HashMap;
use townsquare_domain::trust::{self, Activity};
use townsquare_store::moderation::trust as store;
use townsquare_store::Tx;

/// The daily job that recomputes every community's trust levels.
pub const TRUST_LEVELS: &str = "moderation.trust_levels";

impl App {
    /// Makes sure today's trust-level run is queued (the job id is the day, so several
    /// instances queue it once).
    pub async fn schedule_trust_levels(&self) -> AppResult<()> {
        let mut tx = self.db().begin().await?;
        self.enqueue_trust_levels(&mut tx, self.now()).await?;
        self.commit(tx).await
    }

    async fn enqueue_trust_levels(&self, tx: &mut Tx, run_at: i64) -> AppResult<()> {
        let day = chrono::DateTime::from_timestamp_micros(run_at)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default();
        let id = format!("{TRUST_LEVELS}:{day}");
        let job = townsquare_store::jobs::NewJob {
            id: &id,
            kind: TRUST_LEVELS,
            payload: "{}",
            run_at,
            max_attempts: 3,
            now: self.now(),
        };
        townsquare_store::jobs::enqueue_once(tx, &job).await?;
        Ok(())
    }

    /// The job: recomputes every community's trust levels, then queues tomorrow's run.
    pub(crate) async fn trust_levels_job(&self, tx: &mut Tx) -> AppResult<()> {
        let now = self.now();
        self.recompute_trust_levels(tx, now).await?;
        let tomorrow = now - now.rem_euclid(MICROS_PER_DAY) + MICROS_PER_DAY;
        self.enqueue_trust_levels(tx, tomorrow).await
    }

    /// Recomputes every active member's trust level in every community as of `now`. Counts
    /// are read through the reader pool; the transaction only writes the levels.
    pub(crate) async fn recompute_trust_levels(&self, tx: &mut Tx, now: i64) -> AppResult<()> {
        for community_id in store::community_ids(self.db()).await? {
            for (user_id, activity) in self.member_activity(&community_id).await? {
                store::set_trust_level(tx, &community_id, &user_id, trust::level(&activity), now)
                    .await?;
            }
        }
        Ok(())
    }

    /// What each active member of a community did, as the trust levels count it.
    pub async fn member_activity(&self, community_id: &str) -> AppResult<Vec<(String, Activity)>> {
        let db = self.db();
        let mut by_member: HashMap<String, Activity> = store::active_members(db, community_id)
            .await?
            .into_iter()
            .map(|id| (id, Activity::default()))
            .collect();
        for (id, n) in store::days_visited(db, community_id).await? {
            if let Some(a) = by_member.get_mut(&id) {
                a.days_visited = n;
            }
        }
        for (id, topics, posts) in store::reading(db, community_id).await? {
            if let Some(a) = by_member.get_mut(&id) {
                a.topics_read = topics;
                a.posts_read = posts;
            }
        }
        for (id, n) in store::posts_written(db, community_id).await? {
            if let Some(a) = by_member.get_mut(&id) {
                a.posts_written = n;
            }
        }
        for (id, n) in store::flags_upheld(db, community_id).await? {
            if let Some(a) = by_member.get_mut(&id) {
                a.flags_upheld = n;
            }
        }
        let mut rows: Vec<_> = by_member.into_iter().collect();
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(rows)
    }

    /// Stored trust levels of members of a community: user id → (level, computed at).
    pub(crate) async fn trust_levels_of(
        &self,
        community_id: &str,
        user_ids: &[String],
    ) -> AppResult<HashMap<String, (i64, Option<i64>)>> {
        Ok(store::trust_levels(self.db(), community_id, user_ids)
            .await?
            .into_iter()
            .map(|(id, level, at)| (id, (level, at)))
            .collect())
    }
}
