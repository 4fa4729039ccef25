//! The durable job queue. Jobs are claimed with a lease; a worker that dies leaves a lease
//! that expires, and the job is claimed again (jobs must therefore be idempotent).

use crate::db::{Db, Tx, TxInner};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ClaimedJob {
    pub id: String,
    pub kind: String,
    pub payload: String,
    pub attempts: i64,
    pub max_attempts: i64,
}

pub struct NewJob<'a> {
    pub id: &'a str,
    pub kind: &'a str,
    pub payload: &'a str,
    pub run_at: i64,
    pub max_attempts: i64,
    pub now: i64,
}

pub async fn enqueue(tx: &mut Tx, job: &NewJob<'_>) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, run_at, attempts, max_attempts, created_at)
         VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6)"
    )
    .bind(job.id)
    .bind(job.kind)
    .bind(job.payload)
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(job.now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Enqueues a job under a caller-chosen id, once: false if a job with that id exists. A
/// recurring job uses an id per period (e.g. the day), so instances enqueueing it together
/// still make one.
pub async fn enqueue_once(tx: &mut Tx, job: &NewJob<'_>) -> Result<bool> {
    let n = with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO jobs (id, kind, payload, status, run_at, attempts, max_attempts, created_at)
         VALUES ($1, $2, $3, 'queued', $4, 0, $5, $6)
         ON CONFLICT (id) DO NOTHING"
    )
    .bind(job.id)
    .bind(job.kind)
    .bind(job.payload)
    .bind(job.run_at)
    .bind(job.max_attempts)
    .bind(job.now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(n == 1)
}

/// Claims the next due job (or one whose lease expired) for `worker` until `lease_until`.
pub async fn claim(
    db: &Db,
    worker: &str,
    now: i64,
    lease_until: i64,
) -> Result<Option<ClaimedJob>> {
    let mut tx = db.begin().await?;
    let job = match &mut tx.inner {
        TxInner::Sqlite(t) => crate::sqlite::claim_job(t, worker, now, lease_until).await?,
        TxInner::Postgres(t) => crate::postgres::claim_job(t, worker, now, lease_until).await?,
    };
    tx.commit().await?;
    Ok(job)
}

/// Marks a job done inside the transaction that wrote its effects, so the effects and the
/// completion commit together.
pub async fn mark_done(tx: &mut Tx, id: &str, worker: &str, now: i64) -> Result<bool> {
    let done = with_tx!(tx, |c| sqlx::query(
        "UPDATE jobs SET status = 'done', finished_at = $3, locked_until = NULL
         WHERE id = $1 AND locked_by = $2"
    )
    .bind(id)
    .bind(worker)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(done == 1)
}

/// Records a failure: queued again at `retry_at`, or `failed` when attempts are used up.
pub async fn mark_failed(
    db: &Db,
    id: &str,
    worker: &str,
    error: &str,
    retry_at: Option<i64>,
    now: i64,
) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE jobs SET status = CASE WHEN $4 THEN 'queued' ELSE 'failed' END,
             last_error = $3, run_at = $5, locked_until = NULL,
             finished_at = CASE WHEN $4 THEN NULL ELSE $6 END
         WHERE id = $1 AND locked_by = $2"
    )
    .bind(id)
    .bind(worker)
    .bind(error)
    .bind(retry_at.is_some())
    .bind(retry_at.unwrap_or(now))
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    tx.commit().await?;
    Ok(())
}

/// Jobs waiting to run (for /metrics).
pub async fn queue_depth(db: &Db) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')"
    )
    .fetch_one(c)
    .await
    .db())
}
