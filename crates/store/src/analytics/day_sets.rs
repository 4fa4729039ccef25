//! The second layer of the analytics rollups (migration 0040): members' dense numbers per
//! community, the sealed bitmaps of each day that is over (`analytics_day_sets`), and stints
//! begun and ended per day (`analytics_membership_days`). `app::analytics::day_sets` decides
//! what to seal and when; this module only reads and writes the rows.

use crate::db::{Backend, Db, Source, Tx};
use crate::error::MapErr;
use crate::sql::{joined, placeholders};
use crate::Result;

/// Drops the sealed sets of a day, because something was just recorded for it; the next
/// reader seals it again. A primary-key probe that finds nothing for a day not yet sealed.
pub async fn forget_day(tx: &mut Tx, community_id: &str, day: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM analytics_day_sets WHERE community_id = $1 AND day = $2"
    )
    .bind(community_id)
    .bind(day)
    .execute(c)
    .await
    .map(|_| ())
    .db())
}

/// Drops every sealed day of a community (after its rollups were rebuilt).
pub async fn forget_all_days(tx: &mut Tx, community_id: &str) -> Result<u64> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM analytics_day_sets WHERE community_id = $1"
    )
    .bind(community_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())
}

/// Adds stints begun (`joined`) and ended (`ended`) on a day to its running counts.
pub async fn count_membership_change(
    tx: &mut Tx,
    community_id: &str,
    day: i64,
    joined: i64,
    ended: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO analytics_membership_days (community_id, day, joined, ended)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (community_id, day) DO UPDATE SET
             joined = analytics_membership_days.joined + excluded.joined,
             ended = analytics_membership_days.ended + excluded.ended"
    )
    .bind(community_id)
    .bind(day)
    .bind(joined)
    .bind(ended)
    .execute(c)
    .await
    .map(|_| ())
    .db())
}

/// Every day on which stints began or ended, oldest first: `(day, joined, ended)`.
pub async fn membership_days(db: &Db, community_id: &str) -> Result<Vec<(i64, i64, i64)>> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64, i64)>(
        "SELECT day, joined, ended FROM analytics_membership_days
         WHERE community_id = $1 ORDER BY day"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// The sealed days in `first..=last` with their generation.
pub async fn sealed_generations<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, i64)>> {
    with_read!(src, |c| sqlx::query_as::<_, (i64, i64)>(
        "SELECT day, generation FROM analytics_day_sets
         WHERE community_id = $1 AND day >= $2 AND day <= $3 ORDER BY day"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .fetch_all(c)
    .await
    .db())
}

/// One sealed day, its bitmaps serialized.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SealedDay {
    pub day: i64,
    pub generation: i64,
    pub any_set: Vec<u8>,
    pub participated_set: Vec<u8>,
    pub contributed_set: Vec<u8>,
    pub joined_set: Vec<u8>,
}

/// The sealed days in `first..=last`.
pub async fn sealed_days(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<SealedDay>> {
    with_read!(db, |c| sqlx::query_as::<_, SealedDay>(
        "SELECT day, generation, any_set, participated_set, contributed_set, joined_set
         FROM analytics_day_sets
         WHERE community_id = $1 AND day >= $2 AND day <= $3 ORDER BY day"
    )
    .bind(community_id)
    .bind(first)
    .bind(last)
    .fetch_all(c)
    .await
    .db())
}

/// Taken first by a sealing of `first..=last` on PostgreSQL, before it reads:
/// - the lock its writes to the sets would take anyway, so that it waits for a rebuild of the
///   rollups in progress (`rebuild::lock_rollups`) and reads what the rebuild wrote;
/// - each day's advisory lock, exclusively, so that it waits for writers of those days still
///   to commit and they wait for it (see `analytics::day_lock`). Days in ascending order, so
///   two sealings never deadlock.
pub async fn lock_for_sealing(
    tx: &mut Tx,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<()> {
    if tx.backend() == Backend::Postgres {
        with_tx!(tx, |c| sqlx::query(
            "LOCK TABLE analytics_day_sets IN ROW EXCLUSIVE MODE"
        )
        .execute(c)
        .await
        .map(|_| ())
        .db())?;
        with_tx!(tx, |c| sqlx::query(
            "SELECT pg_advisory_xact_lock(hashtext($1), CAST(d AS INTEGER))
             FROM generate_series(CAST($2 AS BIGINT), CAST($3 AS BIGINT)) AS d"
        )
        .bind(community_id)
        .bind(first)
        .bind(last)
        .execute(c)
        .await
        .map(|_| ())
        .db())?;
    }
    Ok(())
}

/// Stores a sealed day, replacing one another instance may have sealed meanwhile.
pub async fn seal_day(tx: &mut Tx, community_id: &str, d: &SealedDay) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO analytics_day_sets (community_id, day, generation, any_set,
             participated_set, contributed_set, joined_set)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (community_id, day) DO UPDATE SET
             generation = excluded.generation, any_set = excluded.any_set,
             participated_set = excluded.participated_set,
             contributed_set = excluded.contributed_set, joined_set = excluded.joined_set"
    )
    .bind(community_id)
    .bind(d.day)
    .bind(d.generation)
    .bind(&d.any_set)
    .bind(&d.participated_set)
    .bind(&d.contributed_set)
    .bind(&d.joined_set)
    .execute(c)
    .await
    .map(|_| ())
    .db())
}

/// The members of one (day, kinds) group, as comma-separated member numbers, and those who
/// have no number yet as comma-separated user ids. Aggregated in the database so that a day of
/// fifteen thousand active members is a few rows, not fifteen thousand.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DayGroup {
    pub day: i64,
    pub kinds: i64,
    pub numbers: Option<String>,
    pub unnumbered: Option<String>,
}

fn backend_of(src: &Source<'_>) -> Backend {
    match src {
        Source::Db(db) => db.backend(),
        Source::Tx(tx) => tx.backend(),
    }
}

/// The member-days of `first..=last`, grouped by day and kinds.
pub async fn member_day_groups<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<DayGroup>> {
    let src = src.into();
    let backend = backend_of(&src);
    let sql = format!(
        "SELECT d.day, d.kinds, {} AS numbers, {} AS unnumbered
         FROM analytics_member_days d
         LEFT JOIN analytics_member_numbers n
           ON n.community_id = d.community_id AND n.user_id = d.user_id
         WHERE d.community_id = $1 AND d.day >= $2 AND d.day <= $3
         GROUP BY d.day, d.kinds",
        joined(backend, "n.number", None),
        joined(
            backend,
            "CASE WHEN n.number IS NULL THEN d.user_id END",
            None
        ),
    );
    with_read!(src, |c| sqlx::query_as::<_, DayGroup>(&sql)
        .bind(community_id)
        .bind(first)
        .bind(last)
        .fetch_all(c)
        .await
        .db())
}

/// The stints begun in `first..=last`, grouped by day (with kinds 0).
pub async fn join_groups<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<DayGroup>> {
    let src = src.into();
    let backend = backend_of(&src);
    let sql = format!(
        "SELECT m.joined_day AS day, CAST(0 AS BIGINT) AS kinds, {} AS numbers,
                {} AS unnumbered
         FROM analytics_memberships m
         LEFT JOIN analytics_member_numbers n
           ON n.community_id = m.community_id AND n.user_id = m.user_id
         WHERE m.community_id = $1 AND m.joined_day >= $2 AND m.joined_day <= $3
         GROUP BY m.joined_day",
        joined(backend, "n.number", None),
        joined(
            backend,
            "CASE WHEN n.number IS NULL THEN m.user_id END",
            None
        ),
    );
    with_read!(src, |c| sqlx::query_as::<_, DayGroup>(&sql)
        .bind(community_id)
        .bind(first)
        .bind(last)
        .fetch_all(c)
        .await
        .db())
}

/// The member-days of `first..=last` grouped by day and kinds, as comma-separated user ids
/// (no join: the caller knows most members' numbers already).
pub async fn member_day_ids(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, i64, String)>> {
    let sql = format!(
        "SELECT day, kinds, {} FROM analytics_member_days
         WHERE community_id = $1 AND day >= $2 AND day <= $3
         GROUP BY day, kinds",
        joined(db.backend(), "user_id", None)
    );
    with_read!(db, |c| sqlx::query_as::<_, (i64, i64, String)>(&sql)
        .bind(community_id)
        .bind(first)
        .bind(last)
        .fetch_all(c)
        .await
        .db())
}

/// The stints begun in `first..=last` grouped by day, as comma-separated user ids.
pub async fn join_ids(
    db: &Db,
    community_id: &str,
    first: i64,
    last: i64,
) -> Result<Vec<(i64, String)>> {
    let sql = format!(
        "SELECT joined_day, {} FROM analytics_memberships
         WHERE community_id = $1 AND joined_day >= $2 AND joined_day <= $3
         GROUP BY joined_day",
        joined(db.backend(), "user_id", None)
    );
    with_read!(db, |c| sqlx::query_as::<_, (i64, String)>(&sql)
        .bind(community_id)
        .bind(first)
        .bind(last)
        .fetch_all(c)
        .await
        .db())
}

/// The numbers of those of `user_ids` who have one.
pub async fn numbers_of<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_ids: &[String],
) -> Result<Vec<(String, i64)>> {
    let mut src = src.into();
    let mut out = Vec::with_capacity(user_ids.len());
    for chunk in user_ids.chunks(500) {
        let sql = format!(
            "SELECT user_id, number FROM analytics_member_numbers
             WHERE community_id = $1 AND user_id IN ({})",
            placeholders(2, chunk.len())
        );
        let rows: Vec<(String, i64)> = with_read!(src.reborrow(), |c| {
            let mut q = sqlx::query_as::<_, (String, i64)>(&sql).bind(community_id);
            for id in chunk {
                q = q.bind(id);
            }
            q.fetch_all(c).await.db()
        })?;
        out.extend(rows);
    }
    Ok(out)
}

/// Gives numbers to members of a community who have none and returns every given member's
/// number. The counter row's lock (taken first) serialises concurrent hand-outs, so two
/// instances never give one number twice.
pub async fn number_members(
    tx: &mut Tx,
    community_id: &str,
    user_ids: &[String],
) -> Result<Vec<(String, i64)>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO analytics_number_counters (community_id, next_number) VALUES ($1, 0)
         ON CONFLICT (community_id) DO NOTHING"
    )
    .bind(community_id)
    .execute(c)
    .await
    .map(|_| ())
    .db())?;
    let end = with_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "UPDATE analytics_number_counters SET next_number = next_number + $2
         WHERE community_id = $1 RETURNING next_number"
    )
    .bind(community_id)
    .bind(user_ids.len() as i64)
    .fetch_one(c)
    .await
    .db())?;
    let start = end - user_ids.len() as i64;
    for (chunk_start, chunk) in (0..).step_by(200).zip(user_ids.chunks(200)) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| format!("($1, ${}, ${})", 2 + 2 * i, 3 + 2 * i))
            .collect();
        let sql = format!(
            "INSERT INTO analytics_member_numbers (community_id, user_id, number) VALUES {}
             ON CONFLICT (community_id, user_id) DO NOTHING",
            values.join(", ")
        );
        with_tx!(tx, |c| {
            let mut q = sqlx::query(&sql).bind(community_id);
            for (i, user_id) in chunk.iter().enumerate() {
                q = q.bind(user_id).bind(start + chunk_start + i as i64);
            }
            q.execute(c).await.map(|_| ()).db()
        })?;
    }
    // A member numbered meanwhile by another transaction keeps that number.
    numbers_of(tx, community_id, user_ids).await
}

/// Every community with its time zone (the sealing sweep walks them).
pub async fn communities(db: &Db) -> Result<Vec<(String, String)>> {
    with_read!(db, |c| sqlx::query_as::<_, (String, String)>(
        "SELECT id, time_zone FROM communities ORDER BY id"
    )
    .fetch_all(c)
    .await
    .db())
}

/// Recounts a community's stints begun and ended per day from its stints (after they were
/// written in bulk, as the analytics benchmark does).
pub async fn recount_membership_days(tx: &mut Tx, community_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM analytics_membership_days WHERE community_id = $1"
    )
    .bind(community_id)
    .execute(c)
    .await
    .map(|_| ())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO analytics_membership_days (community_id, day, joined, ended)
         SELECT community_id, day, SUM(joined), SUM(ended) FROM (
             SELECT community_id, joined_day AS day, 1 AS joined, 0 AS ended
             FROM analytics_memberships WHERE community_id = $1
             UNION ALL
             SELECT community_id, left_day AS day, 0 AS joined, 1 AS ended
             FROM analytics_memberships WHERE community_id = $1 AND left_day IS NOT NULL
         ) AS changes
         GROUP BY community_id, day"
    )
    .bind(community_id)
    .execute(c)
    .await
    .map(|_| ())
    .db())?;
    forget_all_days(tx, community_id).await.map(|_| ())
}

/// Current members among the given member numbers: `(number, user id, display name)`.
pub async fn current_members_by_number(
    db: &Db,
    community_id: &str,
    numbers: &[i64],
) -> Result<Vec<(i64, String, String)>> {
    let mut out = Vec::with_capacity(numbers.len());
    for chunk in numbers.chunks(500) {
        let sql = format!(
            "SELECT n.number, n.user_id, u.display_name
             FROM analytics_member_numbers n
             JOIN users u ON u.id = n.user_id
             JOIN memberships m ON m.community_id = n.community_id AND m.user_id = n.user_id
                               AND m.status = 'active'
             WHERE n.community_id = $1 AND n.number IN ({})",
            placeholders(2, chunk.len())
        );
        let rows: Vec<(i64, String, String)> = with_read!(db, |c| {
            let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql).bind(community_id);
            for n in chunk {
                q = q.bind(*n);
            }
            q.fetch_all(c).await.db()
        })?;
        out.extend(rows);
    }
    Ok(out)
}
