//! Analytics rollups: per member per community-local day (`analytics_member_days`) and
//! membership stints (`analytics_memberships`), written with each activity, and the new
//! members of a period by source. The dashboard counts with the sealed day sets built from them
//! (`day_sets`, docs/metrics.md). Nothing here reads `activities`.

pub mod day_sets;
pub mod events;
pub mod lists;
pub mod pulse;
pub mod rebuild;
pub mod reports;

use crate::db::{Backend, Db, Tx};
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

/// On PostgreSQL, a write for a community-local day first takes that day's advisory lock in
/// shared mode, in the statement that writes the rollup row: writers never wait for each
/// other, but a sealing of that very day (which takes it exclusively before it reads,
/// `day_sets::lock_for_sealing`) either finishes first — and the writer's later
/// `forget_day`, a new statement with a new snapshot, deletes what it sealed — or waits for the
/// writer to commit and reads its rows. Only days at least two days old are ever sealed, so
/// live writes (dated today) never wait. The key is (hash of the community id, day); a hash
/// collision only makes someone wait. `$1` must be the community id and `$2` the day.
fn day_lock(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => {
            "WITH day_lock AS (
                 SELECT pg_advisory_xact_lock_shared(hashtext($1), CAST($2 AS INTEGER)))"
        }
    }
}

/// The row to insert: on PostgreSQL drawn from the lock, so that the lock is taken first; on
/// SQLite the transaction's write lock already keeps a sealing out.
fn locked_values(backend: Backend, values: &str) -> String {
    match backend {
        Backend::Sqlite => format!("VALUES ({values})"),
        Backend::Postgres => format!("SELECT {values} FROM day_lock"),
    }
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

/// Adds an activity to its member-day row (one upsert), unsealing the day if it was sealed.
pub async fn bump_member_day(tx: &mut Tx, b: &DayBump<'_>) -> Result<()> {
    let sql = format!(
        "{} INSERT INTO analytics_member_days
             (community_id, day, user_id, month, kinds, activities, posts, reactions)
         {}
         ON CONFLICT (community_id, day, user_id) DO UPDATE SET
             kinds = analytics_member_days.kinds | excluded.kinds,
             activities = analytics_member_days.activities + 1,
             posts = analytics_member_days.posts + excluded.posts,
             reactions = analytics_member_days.reactions + excluded.reactions",
        day_lock(tx.backend()),
        locked_values(tx.backend(), "$1, $2, $3, $4, $5, 1, $6, $7"),
    );
    with_tx!(tx, |c| sqlx::query(&sql)
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
    day_sets::forget_day(tx, b.community_id, b.day).await
}

/// Sets the visited bit of a member-day unless it is already set; true if this call set it
/// (the first visit of the day), so the caller records the visit once.
pub async fn mark_visit(tx: &mut Tx, b: &DayBump<'_>) -> Result<bool> {
    let sql = format!(
        "{} INSERT INTO analytics_member_days
             (community_id, day, user_id, month, kinds, activities, posts, reactions)
         {}
         ON CONFLICT (community_id, day, user_id) DO UPDATE SET
             kinds = analytics_member_days.kinds | excluded.kinds,
             activities = analytics_member_days.activities + 1
         WHERE (analytics_member_days.kinds & excluded.kinds) = 0",
        day_lock(tx.backend()),
        locked_values(tx.backend(), "$1, $2, $3, $4, $5, 1, 0, 0"),
    );
    let n = with_tx!(tx, |c| sqlx::query(&sql)
        .bind(b.community_id)
        .bind(b.day)
        .bind(b.user_id)
        .bind(b.month)
        .bind(b.kind)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    if n > 0 {
        day_sets::forget_day(tx, b.community_id, b.day).await?;
    }
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

/// Opens a stint, counts it on its day and unseals that day (its joined set changed).
pub async fn open_stint(tx: &mut Tx, s: &Stint<'_>) -> Result<()> {
    // The day lock's parameters are $1 (community) and $2 (day), hence this order.
    let sql = format!(
        "{} INSERT INTO analytics_memberships (community_id, joined_day, user_id, joined_at,
             joined_month, left_at, left_day, source, campaign, first_post_at)
         {}
         ON CONFLICT (community_id, user_id, joined_at) DO NOTHING",
        day_lock(tx.backend()),
        locked_values(tx.backend(), "$1, $2, $3, $4, $5, NULL, NULL, $6, $7, NULL"),
    );
    let opened = with_tx!(tx, |c| sqlx::query(&sql)
        .bind(s.community_id)
        .bind(s.joined_day)
        .bind(s.user_id)
        .bind(s.joined_at)
        .bind(s.joined_month)
        .bind(s.source)
        .bind(s.campaign)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    if opened > 0 {
        day_sets::count_membership_change(tx, s.community_id, s.joined_day, 1, 0).await?;
        day_sets::forget_day(tx, s.community_id, s.joined_day).await?;
    }
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
    let closed = with_tx!(tx, |c| sqlx::query(
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
    if closed > 0 {
        day_sets::count_membership_change(tx, community_id, left_day, 0, closed as i64).await?;
    }
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
