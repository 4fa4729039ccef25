//! Appending to the activity log: every use case calls `record` inside its transaction.

use crate::AppResult;
use townsquare_domain::analytics::{self as rules, kind};
use townsquare_domain::{new_id, time_zones};
use townsquare_store::activity::{self as store, ActivityRow};
use townsquare_store::analytics::{self as rollups, DayBump, Stint};
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
    if let (Some(community_id), Some(actor_id)) = (community_id, actor_id) {
        roll_up(tx, community_id, actor_id, verb, &detail, now).await?;
        // The directory's "recently active" sort reads this column, not the log.
        townsquare_store::profiles::touch_last_active(tx, community_id, actor_id, now).await?;
    }
    Ok(())
}

/// Keeps the analytics rollups (docs/metrics.md) in step with the log, in the same
/// transaction: one upsert of the member's day, plus the membership stint on joining and
/// leaving and the first post of a stint.
async fn roll_up(
    tx: &mut Tx,
    community_id: &str,
    actor_id: &str,
    verb: &str,
    detail: &serde_json::Value,
    now: i64,
) -> AppResult<()> {
    let tz = match rollups::community_time_zone(tx, community_id).await? {
        Some(name) => time_zones::parse_or_utc(&name),
        None => return Ok(()),
    };
    let day = rules::local_day(now, tz);
    let month = rules::month_of_day(day);
    match verb {
        "joined" => {
            let text = |k: &str| detail.get(k).and_then(|v| v.as_str()).unwrap_or("");
            rollups::open_stint(
                tx,
                &Stint {
                    community_id,
                    user_id: actor_id,
                    joined_at: now,
                    joined_day: day,
                    joined_month: month,
                    source: text("source"),
                    campaign: text("campaign"),
                },
            )
            .await?;
        }
        "left" => rollups::close_stint(tx, community_id, actor_id, now, day).await?,
        _ => {}
    }
    let Some(bit) = rules::kind_of_verb(verb) else {
        return Ok(());
    };
    if bit & kind::POSTED != 0 {
        rollups::note_first_post(tx, community_id, actor_id, now).await?;
    }
    rollups::bump_member_day(
        tx,
        &DayBump {
            community_id,
            user_id: actor_id,
            day,
            month,
            kind: bit,
            posts: i64::from(bit & kind::POSTED != 0),
            reactions: i64::from(bit == kind::REACTED),
        },
    )
    .await?;
    Ok(())
}

/// Records a member's visit to a community unless one is already recorded for the
/// community-local day: sets the day's visited bit and, only if this call set it, appends a
/// `visited` activity. True if a visit was recorded.
pub async fn record_visit(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    tz: time_zones::Tz,
    now: i64,
) -> AppResult<bool> {
    let day = rules::local_day(now, tz);
    let first = rollups::mark_visit(
        tx,
        &DayBump {
            community_id,
            user_id,
            day,
            month: rules::month_of_day(day),
            kind: kind::VISITED,
            posts: 0,
            reactions: 0,
        },
    )
    .await?;
    if first {
        store::append(
            tx,
            &ActivityRow {
                id: new_id(),
                community_id: Some(community_id.to_string()),
                actor_id: Some(user_id.to_string()),
                verb: rules::VISITED.to_string(),
                object_type: "community".into(),
                object_id: community_id.to_string(),
                detail: "{}".into(),
                created_at: now,
            },
        )
        .await?;
    }
    Ok(first)
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
