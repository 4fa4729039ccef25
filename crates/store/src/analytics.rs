//! Analytics rollups: per member per community-local day (`analytics_member_days`) and
//! membership stints (`analytics_memberships`), written with each activity; and the counting
//! queries the dashboard runs on them (docs/metrics.md). Nothing here reads `activities`.

pub mod events;
pub mod lists;
pub mod pulse;
pub mod reports;

use crate::db::{Db, Tx};
use crate::error::MapErr;
use crate::Result;

const MICROS_PER_DAY: i64 = 86_400_000_000;

/// The community's IANA time zone name, read in the writing transaction.
pub async fn community_time_zone(tx: &mut Tx, community_id: &str) -> Result<Option<String>> {
    with_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT time_zone FROM communities WHERE id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await
    .db())
}

/// One member-day's worth of an activity: the kind bit and the counts it adds.
#[derive(Debug, Clone)]
pub struct DayBump<'a> {
    pub community_id: &'a str,
    pub user_id: &'a str,
    pub day: i64,
    pub month: i64,
    pub kind: i64,
    pub posts: i64,
    pub reactions: i64,
}

/// Adds an activity to its member-day row (one upsert).
pub async fn bump_member_day(tx: &mut Tx, b: &DayBump<'_>) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO analytics_member_days
             (community_id, day, user_id, month, kinds, activities, posts, reactions)
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7)
         ON CONFLICT (community_id, day, user_id) DO UPDATE SET
             kinds = analytics_member_days.kinds | excluded.kinds,
             activities = analytics_member_days.activities + 1,
             posts = analytics_member_days.posts + excluded.posts,
             reactions = analytics_member_days.reactions + excluded.reactions"
    )
    .bind(b.community_id)
    .bind(b.day)
    .bind(b.user_id)
    .bind(b.month)
    .bind(b.kind)
    .bind(b.posts)
    .bind(b.reactions)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Sets the visited bit of a member-day unless it is already set; true if this call set it
/// (the first visit of the day), so the caller records the visit once.
pub async fn mark_visit(tx: &mut Tx, b: &DayBump<'_>) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO analytics_member_days
             (community_id, day, user_id, month, kinds, activities, posts, reactions)
         VALUES ($1, $2, $3, $4, $5, 1, 0, 0)
         ON CONFLICT (community_id, day, user_id) DO UPDATE SET
             kinds = analytics_member_days.kinds | excluded.kinds,
             activities = analytics_member_days.activities + 1
         WHERE (analytics_member_days.kinds & excluded.kinds) = 0"
    )
    .bind(b.community_id)
    .bind(b.day)
    .bind(b.user_id)
    .bind(b.month)
    .bind(b.kind)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n > 0)
}

/// A membership stint starting (joining).
#[derive(Debug, Clone)]
pub struct Stint<'a> {
    pub community_id: &'a str,
    pub user_id: &'a str,
    pub joined_at: i64,
    pub joined_day: i64,
    pub joined_month: i64,
    pub source: &'a str,
    pub campaign: &'a str,
}

pub async fn open_stint(tx: &mut Tx, s: &Stint<'_>) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO analytics_memberships (community_id, user_id, joined_at, joined_day,
             joined_month, left_at, left_day, source, campaign, first_post_at)
         VALUES ($1, $2, $3, $4, $5, NULL, NULL, $6, $7, NULL)
         ON CONFLICT (community_id, user_id, joined_at) DO NOTHING"
    )
    .bind(s.community_id)
    .bind(s.user_id)
    .bind(s.joined_at)
    .bind(s.joined_day)
    .bind(s.joined_month)
    .bind(s.source)
    .bind(s.campaign)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Ends a member's open stint (leaving).
pub async fn close_stint(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    left_at: i64,
    left_day: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE analytics_memberships SET left_at = $3, left_day = $4
         WHERE community_id = $1 AND user_id = $2 AND left_at IS NULL"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(left_at)
    .bind(left_day)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Keeps the first topic or reply of a member's open stint (for activation).
pub async fn note_first_post(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    at: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE analytics_memberships SET first_post_at = $3
         WHERE community_id = $1 AND user_id = $2 AND left_at IS NULL AND first_post_at IS NULL"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Distinct members with an activity of `mask` kinds (`-1` for any) in `first..=last`.
/// Any activity is counted from the primary key alone (no row reads for `kinds`).
pub async fn distinct_active(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
    mask: i64,
) -> Result<i64> {
    if mask == -1 {
        return with_read!(db, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(DISTINCT user_id) FROM analytics_member_days
             WHERE community_id = $1 AND day >= $2 AND day <= $3"
        )
        .bind(community_id)
        .bind(first)
        .bind(last)
        .fetch_one(c)
        .await
        .db());
    }
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(DISTINCT user_id) FROM analytics_member_days
         WHERE community_id = $1 AND day >= $2 AND day <= $3 AND (kinds & $4) <> 0"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .bind(mask)
    .fetch_one(c)
    .await
    .db())
}

/// Members with any activity per day in `first..=last` (days without any are absent).
pub async fn daily_active(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT day, COUNT(*) FROM analytics_member_days
         WHERE community_id = $1 AND day >= $2 AND day <= $3
         GROUP BY day ORDER BY day"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .fetch_all(c)
    .await
    .db())
}

/// Distinct members with an activity of `mask` kinds per calendar month in
/// `first..=last` (months).
pub async fn monthly_active(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
    mask: i64,
) -> Result<Vec<(i64, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT month, COUNT(DISTINCT user_id) FROM analytics_member_days
         WHERE community_id = $1 AND month >= $2 AND month <= $3 AND (kinds & $4) <> 0
         GROUP BY month ORDER BY month"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .bind(mask)
    .fetch_all(c)
    .await
    .db())
}

/// Members at the end of `day`: stints begun by then and not ended by the end of that day.
pub async fn members_at_end_of(db: &Db, community_id: &str, day: i64) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(DISTINCT user_id) FROM analytics_memberships
         WHERE community_id = $1 AND joined_day <= $2 AND (left_day IS NULL OR left_day > $2)"
    )
    .bind(community_id)
    .bind(day)
    .fetch_one(c)
    .await
    .db())
}

/// Members who had any activity in `prev` and none in `cur` (both inclusive day ranges): a
/// set difference of two day-range scans (a per-row NOT EXISTS probed every member's days).
pub async fn churned(
    db: &Db,
    community_id: &str,
    prev: (i64, i64),
    cur: (i64, i64),
) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM (
             SELECT user_id FROM analytics_member_days
             WHERE community_id = $1 AND day >= $2 AND day <= $3
             EXCEPT
             SELECT user_id FROM analytics_member_days
             WHERE community_id = $1 AND day >= $4 AND day <= $5
         ) AS gone"
    )
    .bind(community_id)
    .bind(prev.0)
    .bind(prev.1)
    .bind(cur.0)
    .bind(cur.1)
    .fetch_one(c)
    .await
    .db())
}

/// New members of a period per source and campaign, with how many were activated (first
/// topic or reply less than 7 days after joining).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Joined {
    pub source: String,
    pub campaign: String,
    pub members: i64,
    pub activated: i64,
}

pub async fn joined(db: &Db, community_id: &str, first: i64, last: i64) -> Result<Vec<Joined>> {
    with_read!(db, |c| sqlx::query_as::<_, Joined>(
        "SELECT source, campaign, COUNT(*) AS members,
                CAST(COALESCE(SUM(CASE WHEN first_post_at IS NOT NULL
                                         AND first_post_at < joined_at + $4
                                   THEN 1 ELSE 0 END), 0) AS BIGINT) AS activated
         FROM analytics_memberships
         WHERE community_id = $1 AND joined_day >= $2 AND joined_day <= $3
         GROUP BY source, campaign
         ORDER BY COUNT(*) DESC, source, campaign"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .bind(7 * MICROS_PER_DAY)
    .fetch_all(c)
    .await
    .db())
}

/// Stints begun per month in `first..=last` (months): the cohort sizes and new members.
pub async fn joined_per_month(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT joined_month, COUNT(DISTINCT user_id) FROM analytics_memberships
         WHERE community_id = $1 AND joined_month >= $2 AND joined_month <= $3
         GROUP BY joined_month ORDER BY joined_month"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .fetch_all(c)
    .await
    .db())
}

/// For cohorts joined in `first..=last` (months): distinct members of each cohort with any
/// activity per later month, as `(cohort month, activity month, members)`.
pub async fn cohort_activity(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, i64, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT m.joined_month, d.month, COUNT(DISTINCT d.user_id)
         FROM analytics_memberships m
         JOIN analytics_member_days d ON d.community_id = m.community_id AND d.user_id = m.user_id
         WHERE m.community_id = $1 AND m.joined_month >= $2 AND m.joined_month <= $3
           AND d.month >= m.joined_month AND d.month < m.joined_month + 12
         GROUP BY m.joined_month, d.month"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .fetch_all(c)
    .await
    .db())
}
