//! The member 360 reads: one member's activity in one community, newest first, and the
//! counts the page's facts come from (read from the per-day rollup, never the whole log).

use crate::activity::ActivityRow;
use crate::db::Db;
use crate::error::MapErr;
use crate::sql::placeholders;
use crate::Result;

/// (days active since `since_30`, days active since `since_90`, posts since `since_90`,
/// last active day) from the member's rollup rows.
pub async fn activity_counts(
    db: &Db,
    community_id: &str,
    user_id: &str,
    since_30: i64,
    since_90: i64,
) -> Result<(i64, i64, i64, Option<i64>)> {
    let sql = "SELECT CAST(COALESCE(SUM(CASE WHEN day >= $3 THEN 1 ELSE 0 END), 0) AS BIGINT),
               COUNT(*), CAST(COALESCE(SUM(posts), 0) AS BIGINT)
        FROM analytics_member_days WHERE community_id = $1 AND user_id = $2 AND day >= $4";
    let (d30, d90, posts) = with_read!(db, |c| sqlx::query_as::<_, (i64, i64, i64)>(sql)
        .bind(community_id)
        .bind(user_id)
        .bind(since_30)
        .bind(since_90)
        .fetch_one(c)
        .await
        .db())?;
    let last = with_read!(db, |c| sqlx::query_scalar::<_, Option<i64>>(
        "SELECT MAX(day) FROM analytics_member_days WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .fetch_one(c)
    .await
    .db())?;
    Ok((d30, d90, posts, last))
}

/// The membership tier events about a member (an admin or the sweep is their actor): a
/// member's timeline shows them with the member's own activities.
const TIER_VERBS: &str =
    "'tier_started', 'tier_renewed', 'tier_changed', 'tier_ended', 'tier_expired'";

/// Which verbs a timeline keeps.
pub enum VerbFilter<'a> {
    All,
    Verbs(&'a [&'a str]),
    Prefix(&'a str),
}

/// The member's activities in the community in `[from, until)`, newest first, before the
/// keyset `(created_at, id)` when given.
#[allow(clippy::too_many_arguments)]
pub async fn timeline(
    db: &Db,
    community_id: &str,
    user_id: &str,
    filter: &VerbFilter<'_>,
    from: i64,
    until: i64,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<ActivityRow>> {
    let (before_at, before_id) = before.unwrap_or((i64::MAX, ""));
    let verb_condition = match filter {
        VerbFilter::All => "TRUE".to_string(),
        VerbFilter::Verbs(v) => format!("verb IN ({})", placeholders(8, v.len())),
        VerbFilter::Prefix(_) => "verb LIKE $8".to_string(),
    };
    let sql = format!(
        "SELECT id, community_id, actor_id, verb, object_type, object_id, detail, created_at
         FROM activities
         WHERE (actor_id = $1 OR (object_type = 'user' AND object_id = $1 AND verb IN ({TIER_VERBS})))
           AND community_id = $2 AND created_at >= $3 AND created_at < $4
           AND (created_at < $5 OR (created_at = $5 AND id < $6)) AND {verb_condition}
         ORDER BY created_at DESC, id DESC LIMIT $7"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, ActivityRow>(&sql)
            .bind(user_id)
            .bind(community_id)
            .bind(from)
            .bind(until)
            .bind(before_at)
            .bind(before_id)
            .bind(limit);
        match filter {
            VerbFilter::All => {}
            VerbFilter::Verbs(verbs) => {
                for v in *verbs {
                    q = q.bind(*v);
                }
            }
            VerbFilter::Prefix(p) => q = q.bind(format!("{p}%")),
        }
        q.fetch_all(c).await.db()
    })
}
