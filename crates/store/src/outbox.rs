//! The mail outbox. A message moves queued → sending → sent; the `sending` state is committed
//! before the SMTP conversation starts, so a crash mid-send leaves a row that is never sent
//! again (at most once), and is reported instead.

use crate::db::{Db, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OutboxRow {
    pub id: String,
    pub to_address: String,
    pub subject: String,
    pub body_text: String,
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

const COLUMNS: &str = "id, to_address, subject, body_text, status, attempts, next_attempt_at, \
     last_error, created_at, sent_at";

pub async fn enqueue(tx: &mut Tx, row: &OutboxRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO outbox (id, to_address, subject, body_text, status, attempts, next_attempt_at, created_at)
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6)"
    )
    .bind(&row.id)
    .bind(&row.to_address)
    .bind(&row.subject)
    .bind(&row.body_text)
    .bind(row.next_attempt_at)
    .bind(row.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

/// Moves one due message to `sending` and returns it. The update's WHERE re-checks the
/// status, so two workers can never both claim one message.
pub async fn claim_due(db: &Db, now: i64) -> Result<Option<OutboxRow>> {
    loop {
        let candidate = with_read!(db, |c| sqlx::query_scalar::<_, String>(
            "SELECT id FROM outbox WHERE status = 'queued' AND next_attempt_at <= $1
             ORDER BY next_attempt_at LIMIT 1"
        )
        .bind(now)
        .fetch_optional(c)
        .await
        .db())?;
        let Some(id) = candidate else {
            return Ok(None);
        };
        let mut tx = db.begin().await?;
        let sql = format!(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1
             WHERE id = $1 AND status = 'queued' RETURNING {COLUMNS}"
        );
        let claimed = with_tx!(tx, |c| sqlx::query_as::<_, OutboxRow>(&sql)
            .bind(&id)
            .fetch_optional(c)
            .await
            .db())?;
        tx.commit().await?;
        if claimed.is_some() {
            return Ok(claimed);
        }
        // Another worker took it between our read and our update: look for the next one.
    }
}

pub async fn mark_sent(db: &Db, id: &str, now: i64) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET status = 'sent', sent_at = $2, last_error = NULL WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    tx.commit().await?;
    Ok(())
}

/// Records a failed attempt: back to `queued` for a retry at `retry_at`, or `failed` for good.
pub async fn mark_failed(db: &Db, id: &str, error: &str, retry_at: Option<i64>) -> Result<()> {
    let mut tx = db.begin().await?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET status = CASE WHEN $3 THEN 'queued' ELSE 'failed' END,
             last_error = $2, next_attempt_at = $4
         WHERE id = $1"
    )
    .bind(id)
    .bind(error)
    .bind(retry_at.is_some())
    .bind(retry_at.unwrap_or(0))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    tx.commit().await?;
    Ok(())
}

/// Messages left in `sending` by a process that died mid-send. They are not retried (the
/// message may have gone out); they are marked `unknown` for an operator to look at.
pub async fn mark_interrupted(db: &Db, older_than: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let done = with_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET status = 'unknown', last_error = 'interrupted while sending'
         WHERE status = 'sending' AND next_attempt_at < $1"
    )
    .bind(older_than)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    tx.commit().await?;
    Ok(done)
}

pub async fn backlog(db: &Db) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')"
    )
    .fetch_one(c)
    .await
    .db())
}

/// The newest messages to one address (tests and the admin's mail log read this).
pub async fn recent_to(db: &Db, to_address: &str, limit: i64) -> Result<Vec<OutboxRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE to_address = $1 ORDER BY created_at DESC, id DESC LIMIT $2"
    );
    with_read!(db, |c| sqlx::query_as::<_, OutboxRow>(&sql)
        .bind(to_address)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

// --- erasure -----------------------------------------------------------------------------

/// Records that the e-mail `mail_id` quotes each of `post_ids`.
pub async fn record_quotes(tx: &mut Tx, mail_id: &str, post_ids: &[String]) -> Result<()> {
    for post_id in post_ids {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO outbox_quotes (mail_id, post_id) VALUES ($1, $2)
             ON CONFLICT (mail_id, post_id) DO NOTHING"
        )
        .bind(mail_id)
        .bind(post_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(())
}

/// The e-mails that quote a removed post lose their text: subject and body become `notice`,
/// and those not sent yet are cancelled (status `cancelled`; the worker only sends `queued`).
/// Returns how many e-mails were erased.
pub async fn erase_quoting(tx: &mut Tx, post_id: &str, notice: &str, now: i64) -> Result<u64> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET subject = $2, body_text = $2, erased_at = $3,
             status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END
         WHERE id IN (SELECT mail_id FROM outbox_quotes WHERE post_id = $1)"
    )
    .bind(post_id)
    .bind(notice)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM outbox_quotes WHERE post_id = $1"
    )
    .bind(post_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n)
}

/// The e-mails to a deleted account's address lose address, subject and body (the rows stay,
/// with their times and statuses, for delivery counts); those not sent yet are cancelled.
pub async fn erase_addressed_to(tx: &mut Tx, address: &str, now: i64) -> Result<u64> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET to_address = '', subject = '', body_text = '', erased_at = $2,
             status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END
         WHERE to_address = $1"
    )
    .bind(address)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())
}

/// Erases the bodies of up to `limit` sent e-mails sent before `cutoff` (oldest first; the
/// retention sweep calls it until it returns less than `limit`). Address and subject stay.
pub async fn erase_old_bodies(db: &Db, cutoff: i64, limit: i64, now: i64) -> Result<u64> {
    let mut tx = db.begin().await?;
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE outbox SET body_text = '', erased_at = $3
         WHERE id IN (SELECT id FROM outbox
                      WHERE status = 'sent' AND erased_at IS NULL AND sent_at < $1
                      ORDER BY sent_at LIMIT $2)"
    )
    .bind(cutoff)
    .bind(limit)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    tx.commit().await?;
    Ok(n)
}
