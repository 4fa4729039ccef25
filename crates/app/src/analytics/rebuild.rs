//! Rebuilding a community's analytics rollups from its activity log, for history written
//! before the rollups existed (an upgrade) or rollups edited by hand. An operator's command
//! (`townsquare admin rebuild-analytics`), not a request: it reads the whole log.
//!
//! One transaction per community: the old rollups are deleted, the log is replayed through
//! the rules `activity::record` applies as it writes (`domain::analytics::replay`), the stints
//! per day are recounted and every sealed day is dropped, so the next dashboard seals afresh.
//! Other writers of the rollups wait until it commits; dashboards keep reading the old figures
//! meanwhile. Memory is bounded: the log is read in pages and only one day of member rows and
//! the open stints are held.

use crate::{App, AppError, AppResult};
use townsquare_domain::analytics::replay::{Entry, Replay, Stint};
use townsquare_domain::analytics::{self as rules};
use townsquare_domain::time_zones;
use townsquare_store::analytics::day_sets;
use townsquare_store::analytics::rebuild as store;
use townsquare_store::communities::community_by_slug;

/// Activities read per page.
const PAGE: i64 = 5_000;

/// What a rebuild wrote for one community.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rebuilt {
    pub slug: String,
    pub activities: u64,
    pub member_days: u64,
    pub stints: u64,
    /// Stints of current members the log never saw begin (joined before it recorded joins).
    pub stints_from_memberships: u64,
}

impl App {
    /// Rebuilds the rollups of the community with this slug from its activity log.
    pub async fn rebuild_analytics(&self, slug: &str) -> AppResult<Rebuilt> {
        let community = community_by_slug(self.db(), slug)
            .await?
            .ok_or(AppError::NotFound("community"))?;
        let tz = time_zones::parse_or_utc(&community.time_zone);
        let id = community.id.as_str();
        let mut done = Rebuilt {
            slug: community.slug.clone(),
            activities: 0,
            member_days: 0,
            stints: 0,
            stints_from_memberships: 0,
        };

        let mut tx = self.db().begin().await?;
        store::lock_rollups(&mut tx).await?;
        store::clear(&mut tx, id).await?;
        let mut replay = Replay::new(tz);
        let mut after: (i64, String) = (i64::MIN, String::new());
        loop {
            let page = store::log_page(&mut tx, id, (after.0, &after.1), PAGE).await?;
            let Some(last) = page.last() else { break };
            after = (last.created_at, last.id.clone());
            for a in &page {
                let join_detail = (a.verb == "joined")
                    .then(|| serde_json::from_str::<serde_json::Value>(&a.detail).ok())
                    .flatten();
                let text = |k: &str| {
                    join_detail
                        .as_ref()
                        .and_then(|d| d.get(k))
                        .and_then(|v| v.as_str())
                        .unwrap_or("")
                        .to_string()
                };
                let (source, campaign) = (text("source"), text("campaign"));
                replay.feed(&Entry {
                    actor_id: &a.actor_id,
                    verb: &a.verb,
                    at: a.created_at,
                    source: &source,
                    campaign: &campaign,
                });
            }
            done.activities += page.len() as u64;
            let (days, stints) = replay.take_finished();
            store::insert_member_days(&mut tx, id, &days).await?;
            store::insert_stints(&mut tx, id, &stints).await?;
            done.member_days += days.len() as u64;
            done.stints += stints.len() as u64;
        }

        // Members whose joining the log never saw: their stint from the membership itself.
        let unseen: Vec<Stint> = store::current_memberships(&mut tx, id)
            .await?
            .into_iter()
            .filter(|(user_id, ..)| !replay.is_open(user_id))
            .map(|(user_id, joined_at, source, campaign)| {
                let day = rules::local_day(joined_at, tz);
                Stint {
                    user_id,
                    joined_at,
                    joined_day: day,
                    joined_month: rules::month_of_day(day),
                    left_at: None,
                    left_day: None,
                    source,
                    campaign,
                    first_post_at: None,
                }
            })
            .collect();
        let (days, mut stints) = replay.finish();
        done.stints_from_memberships = unseen.len() as u64;
        stints.extend(unseen);
        store::insert_member_days(&mut tx, id, &days).await?;
        store::insert_stints(&mut tx, id, &stints).await?;
        done.member_days += days.len() as u64;
        done.stints += stints.len() as u64;

        // Stints per day from the stints, and no sealed day left from the old rollups.
        day_sets::recount_membership_days(&mut tx, id).await?;
        self.commit(tx).await?;
        Ok(done)
    }

    /// Every community's slug (what `townsquare admin rebuild-analytics` walks).
    pub async fn all_community_slugs(&self) -> AppResult<Vec<String>> {
        Ok(store::community_slugs(self.db()).await?)
    }
}
