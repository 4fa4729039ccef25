//! Rewriting a community's rollups from its activity log (`app::analytics::rebuild`).

use crate::db::{Backend, Db, Tx};
use crate::error::MapErr;
use crate::Result;
use townsquare_domain::analytics::replay::{MemberDay, Stint};

/// Holds off every other writer of the rollups until the rebuild commits. Readers go on. On
/// SQLite the transaction's write lock already does this; on PostgreSQL activity writes wait,
/// and a sealing that began earlier finishes first (it holds `ROW EXCLUSIVE` on the sets).
/// The tables are locked in the order `activity::record` first writes them, so a writer
/// holding one of them is never waiting for another the rebuild holds.
pub async fn lock_rollups(tx: &mut Tx) -> Result<()> {
    if tx.backend() == Backend::Postgres {
        with_tx!(tx, |c| sqlx::query(
            "LOCK TABLE analytics_memberships, analytics_membership_days,
                 analytics_member_days, analytics_day_sets IN EXCLUSIVE MODE"
        )
        .execute(c)
        .await
        .map(|_| ())
        .db())?;
    }
    Ok(())
}

/// Deletes a community's member-days and stints.
pub async fn clear(tx: &mut Tx, community_id: &str) -> Result<()> {
    for table in ["analytics_member_days", "analytics_memberships"] {
        let sql = format!("DELETE FROM {table} WHERE community_id = $1");
        with_tx!(tx, |c| sqlx::query(&sql)
            .bind(community_id)
            .execute(c)
            .await
            .map(|_| ())
            .db())?;
    }
    Ok(())
}

/// One logged activity, as the rebuild reads it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Logged {
    pub id: String,
    pub actor_id: String,
    pub verb: String,
    pub detail: String,
    pub created_at: i64,
}

/// The community's activities by a member after the keyset `(created_at, id)`, oldest first.
pub async fn log_page(
    tx: &mut Tx,
    community_id: &str,
    after: (i64, &str),
    limit: i64,
) -> Result<Vec<Logged>> {
    with_tx!(tx, |c| sqlx::query_as::<_, Logged>(
        "SELECT id, actor_id, verb, detail, created_at FROM activities
         WHERE community_id = $1 AND actor_id IS NOT NULL
           AND (created_at > $2 OR (created_at = $2 AND id > $3))
         ORDER BY created_at, id
         LIMIT $4"
    )
    .bind(community_id)
    .bind(after.0)
    .bind(after.1)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

/// Writes member-days (of a community being rebuilt, so none exists yet).
pub async fn insert_member_days(tx: &mut Tx, community_id: &str, rows: &[MemberDay]) -> Result<()> {
    for chunk in rows.chunks(500) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 2 + 7 * i;
                format!(
                    "($1, ${}, ${}, ${}, ${}, ${}, ${}, ${})",
                    p,
                    p + 1,
                    p + 2,
                    p + 3,
                    p + 4,
                    p + 5,
                    p + 6
                )
            })
            .collect();
        let sql = format!(
            "INSERT INTO analytics_member_days
                 (community_id, day, user_id, month, kinds, activities, posts, reactions)
             VALUES {}",
            values.join(", ")
        );
        with_tx!(tx, |c| {
            let mut q = sqlx::query(&sql).bind(community_id);
            for r in chunk {
                q = q
                    .bind(r.day)
                    .bind(&r.user_id)
                    .bind(r.month)
                    .bind(r.kinds)
                    .bind(r.activities)
                    .bind(r.posts)
                    .bind(r.reactions);
            }
            q.execute(c).await.map(|_| ()).db()
        })?;
    }
    Ok(())
}

/// Writes stints (of a community being rebuilt).
pub async fn insert_stints(tx: &mut Tx, community_id: &str, rows: &[Stint]) -> Result<()> {
    for chunk in rows.chunks(300) {
        let values: Vec<String> = (0..chunk.len())
            .map(|i| {
                let p = 2 + 9 * i;
                let params: Vec<String> = (p..p + 9).map(|n| format!("${n}")).collect();
                format!("($1, {})", params.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO analytics_memberships (community_id, user_id, joined_at, joined_day,
                 joined_month, left_at, left_day, source, campaign, first_post_at)
             VALUES {}
             ON CONFLICT (community_id, user_id, joined_at) DO NOTHING",
            values.join(", ")
        );
        with_tx!(tx, |c| {
            let mut q = sqlx::query(&sql).bind(community_id);
            for s in chunk {
                q = q
                    .bind(&s.user_id)
                    .bind(s.joined_at)
                    .bind(s.joined_day)
                    .bind(s.joined_month)
                    .bind(s.left_at)
                    .bind(s.left_day)
                    .bind(&s.source)
                    .bind(&s.campaign)
                    .bind(s.first_post_at);
            }
            q.execute(c).await.map(|_| ()).db()
        })?;
    }
    Ok(())
}

/// A current membership: `(user id, joined at, source, campaign)`.
pub type Membership = (String, i64, String, String);

/// The community's current members, with when and how they joined.
pub async fn current_memberships(tx: &mut Tx, community_id: &str) -> Result<Vec<Membership>> {
    with_tx!(tx, |c| sqlx::query_as::<_, Membership>(
        "SELECT user_id, joined_at, source, campaign FROM memberships
         WHERE community_id = $1 AND status = 'active' ORDER BY joined_at, user_id"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// Every community's slug.
pub async fn community_slugs(db: &Db) -> Result<Vec<String>> {
    with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT slug FROM communities ORDER BY slug"
    )
    .fetch_all(c)
    .await
    .db())
}
