//! Fixed-window counters in the database, so that every instance counts against one limit.

use crate::db::Tx;
use crate::error::MapErr;
use crate::Result;

/// Adds one hit to `bucket` in the window starting at `window_start` and returns the total.
pub async fn hit(tx: &mut Tx, bucket: &str, window_start: i64) -> Result<i64> {
    hit_by(tx, bucket, window_start, 1).await
}

/// Adds `n` hits at once and returns the total.
pub async fn hit_by(tx: &mut Tx, bucket: &str, window_start: i64, n: i64) -> Result<i64> {
    with_tx!(tx, |c| sqlx::query_scalar::<_, i64>(
        "INSERT INTO rate_limits (bucket, window_start, hits) VALUES ($1, $2, $3)
         ON CONFLICT (bucket, window_start) DO UPDATE SET hits = rate_limits.hits + $3
         RETURNING hits"
    )
    .bind(bucket)
    .bind(window_start)
    .bind(n)
    .fetch_one(c)
    .await
    .db())
}

/// Forgets a bucket (after a successful login, the failures no longer count).
pub async fn clear(tx: &mut Tx, bucket: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM rate_limits WHERE bucket = $1"
    )
    .bind(bucket)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn delete_older_than(tx: &mut Tx, window_start: i64) -> Result<u64> {
    let done = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM rate_limits WHERE window_start < $1"
    )
    .bind(window_start)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(done)
}
