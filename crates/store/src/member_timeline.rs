//! The member 360 reads: one member's activity in one community, newest first, and the
//! counts the page's facts come from (read from the per-day rollup, never the whole log).

use crate::activity::ActivityRow;
use crate::db::Db;
use crate::error::MapErr;
use crate::sql::placeholders;
use crate::Result;
use townsquare_domain::member_segments::VERBS_DONE_TO_MEMBER;

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

/// What was done to the member by others (`VERBS_DONE_TO_MEMBER`, with the member as the
/// object), as SQL over `activities`; the member's id is `$1`. The verbs are the domain's
/// constant identifiers, written in as literals.
fn done_to_member() -> String {
    let verbs = VERBS_DONE_TO_MEMBER
        .iter()
        .map(|v| format!("'{v}'"))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "(a.object_type = 'user' AND a.object_id = $1 AND a.verb IN ({verbs})
          AND (a.actor_id IS NULL OR a.actor_id <> $1))"
    )
}

/// Which verbs a timeline keeps.
pub enum VerbFilter<'a> {
    All,
    Verbs(&'a [&'a str]),
    Prefix(&'a str),
    /// Only what others did to the member.
    DoneToMember,
}

/// A timeline line: the activity and the name of who did it (None for the community's own
/// sweeps and for deleted rows).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TimelineRow {
    #[sqlx(flatten)]
    pub activity: ActivityRow,
    pub actor_name: Option<String>,
}

/// The member's activities in the community in `[from, until)`, and what others did to them,
/// newest first, before the keyset `(created_at, id)` when given.
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
) -> Result<Vec<TimelineRow>> {
    let (before_at, before_id) = before.unwrap_or((i64::MAX, ""));
    let done_to = done_to_member();
    let verb_condition = match filter {
        VerbFilter::All => "TRUE".to_string(),
        VerbFilter::Verbs(v) => format!("a.verb IN ({})", placeholders(8, v.len())),
        VerbFilter::Prefix(_) => "a.verb LIKE $8".to_string(),
        VerbFilter::DoneToMember => done_to.clone(),
    };
    // Two keyset-limited branches, each on its own index (the member's own activities by
    // `activities_actor_time`, what was done to them by `activities_object_time`), merged:
    // one OR over both made the planners walk the whole community's log instead.
    let common = format!(
        "a.community_id = $2 AND a.created_at >= $3 AND a.created_at < $4
           AND (a.created_at < $5 OR (a.created_at = $5 AND a.id < $6)) AND {verb_condition}
         ORDER BY a.created_at DESC, a.id DESC LIMIT $7"
    );
    let columns =
        "a.id, a.community_id, a.actor_id, a.verb, a.object_type, a.object_id, a.detail, a.created_at";
    let sql = format!(
        "SELECT t.id, t.community_id, t.actor_id, t.verb, t.object_type, t.object_id, t.detail,
             t.created_at, u.display_name AS actor_name
         FROM (
             SELECT * FROM (SELECT {columns} FROM activities a
                            WHERE a.actor_id = $1 AND {common}) mine
             UNION ALL
             SELECT * FROM (SELECT {columns} FROM activities a
                            WHERE {done_to} AND {common}) theirs
         ) t
         LEFT JOIN users u ON u.id = t.actor_id
         ORDER BY t.created_at DESC, t.id DESC LIMIT $7"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, TimelineRow>(&sql)
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
            VerbFilter::DoneToMember => {}
        }
        q.fetch_all(c).await.db()
    })
}
