//! Outgoing mail: written to the outbox inside the causing transaction, delivered by a
//! worker through SMTP when configured, or as .eml files in the data directory otherwise.

use crate::clock::{MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::{App, AppError, AppResult};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;
use townsquare_domain::new_id;
use townsquare_store::outbox::{self as store, OutboxRow};
use townsquare_store::Tx;

const MAX_ATTEMPTS: i64 = 6;

pub async fn enqueue(tx: &mut Tx, to: &str, subject: &str, body: &str, now: i64) -> AppResult<()> {
    enqueue_quoting(tx, to, subject, body, &[], now).await
}

/// Queues an e-mail that quotes the posts `quoted` (their text or title): removing one of
/// them erases the e-mail's text (`forget_post`).
pub async fn enqueue_quoting(
    tx: &mut Tx,
    to: &str,
    subject: &str,
    body: &str,
    quoted: &[String],
    now: i64,
) -> AppResult<()> {
    let id = new_id();
    store::enqueue(
        tx,
        &OutboxRow {
            id: id.clone(),
            to_address: to.to_string(),
            subject: subject.to_string(),
            body_text: body.to_string(),
            status: "queued".into(),
            attempts: 0,
            next_attempt_at: now,
            last_error: None,
            created_at: now,
            sent_at: None,
        },
    )
    .await?;
    store::record_quotes(tx, &id, quoted).await?;
    Ok(())
}

/// What an e-mail that quoted a removed post says instead, subject and body.
pub const REMOVED_QUOTE_NOTICE: &str =
    "This e-mail quoted a post that was removed; its text is no longer kept.";

/// A post was removed (by its author, a moderator, the auto-moderation rules, or with its
/// account): the e-mails that quote it lose their text, in the removal's transaction. Sent
/// ones keep only the notice; queued ones are cancelled (a notice alone is not worth sending).
pub async fn forget_post(tx: &mut Tx, post_id: &str, now: i64) -> AppResult<()> {
    store::erase_quoting(tx, post_id, REMOVED_QUOTE_NOTICE, now).await?;
    Ok(())
}

/// How many sent e-mails the retention sweep erases per transaction.
const RETENTION_BATCH: i64 = 500;

/// Exponential backoff: 1, 2, 4, 8, 16 minutes.
fn retry_delay(attempts: i64) -> i64 {
    MICROS_PER_MINUTE << (attempts - 1).clamp(0, 10)
}

impl App {
    fn build_message(&self, row: &OutboxRow) -> AppResult<Message> {
        let from: Mailbox = self
            .settings()
            .mail_from
            .parse()
            .map_err(|e| AppError::Internal(format!("mail_from: {e}")))?;
        let to: Mailbox = row
            .to_address
            .parse()
            .map_err(|e| AppError::Internal(format!("recipient: {e}")))?;
        Message::builder()
            .from(from)
            .to(to)
            .subject(&row.subject)
            .message_id(Some(format!("<{}@townsquare>", row.id)))
            .header(ContentType::TEXT_PLAIN)
            .body(row.body_text.clone())
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    async fn deliver(&self, row: &OutboxRow) -> Result<String, String> {
        let message = self.build_message(row).map_err(|e| e.to_string())?;
        match &self.settings().smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
                    .map_err(|e| format!("invalid SMTP URL: {e}"))?
                    .timeout(Some(Duration::from_secs(30)))
                    .build();
                transport.send(message).await.map_err(|e| e.to_string())?;
                Ok(format!("sent through SMTP to {}", row.to_address))
            }
            None => {
                let dir = self.settings().data_dir.join("mail");
                tokio::fs::create_dir_all(&dir)
                    .await
                    .map_err(|e| e.to_string())?;
                let path = dir.join(format!("{}.eml", row.id));
                tokio::fs::write(&path, message.formatted())
                    .await
                    .map_err(|e| e.to_string())?;
                Ok(format!("written to {}", path.display()))
            }
        }
    }

    /// Sends every due message once; returns how many were sent. The worker loop calls
    /// this, and tests call it to deliver mail deterministically.
    pub async fn deliver_due_mail(&self) -> AppResult<usize> {
        let mut sent = 0;
        while let Some(row) = store::claim_due(self.db(), self.now()).await? {
            match self.deliver(&row).await {
                Ok(how) => {
                    store::mark_sent(self.db(), &row.id, self.now()).await?;
                    tracing::info!(mail_id = %row.id, subject = %row.subject, "mail {how}");
                    sent += 1;
                }
                Err(error) => {
                    let retry_at = (row.attempts < MAX_ATTEMPTS)
                        .then(|| self.now() + retry_delay(row.attempts));
                    tracing::warn!(mail_id = %row.id, attempts = row.attempts, %error, "mail delivery failed");
                    store::mark_failed(self.db(), &row.id, &error, retry_at).await?;
                }
            }
        }
        Ok(sent)
    }

    /// Marks messages a killed process left mid-send; they are not sent again.
    pub async fn recover_interrupted_mail(&self) -> AppResult<u64> {
        let n = store::mark_interrupted(self.db(), self.now() + MICROS_PER_SECOND).await?;
        if n > 0 {
            tracing::warn!(
                count = n,
                "mail left in 'sending' by an earlier process marked 'unknown' (not resent)"
            );
        }
        Ok(n)
    }

    /// The retention sweep: bodies of e-mails sent more than `mail_body_retention_days` ago
    /// are erased, in batches of 500 (address, subject and times stay). Returns how many.
    pub async fn erase_old_mail_bodies(&self) -> AppResult<u64> {
        let days = self.settings().mail_body_retention_days.max(0);
        let now = self.now();
        let cutoff = now - days * crate::clock::MICROS_PER_DAY;
        let mut erased = 0;
        loop {
            let n = store::erase_old_bodies(self.db(), cutoff, RETENTION_BATCH, now).await?;
            erased += n;
            if n < RETENTION_BATCH as u64 {
                return Ok(erased);
            }
        }
    }

    /// Recent mail to an address (for tests and the operator).
    pub async fn mail_to(&self, address: &str) -> AppResult<Vec<OutboxRow>> {
        Ok(store::recent_to(self.db(), address, 50).await?)
    }
}
