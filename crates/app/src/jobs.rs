//! Background jobs: enqueued inside a use case's transaction, run by the worker loop of any
//! instance. A job's effects and its completion commit in one transaction, so a job that
//! is retried after a crash does not repeat what it already did.

use crate::clock::{MICROS_PER_MINUTE, MICROS_PER_SECOND};
use crate::{mail, App, AppError, AppResult};
use serde_json::Value;
use std::time::Duration;
use townsquare_domain::new_id;
use townsquare_store::jobs::{self as store, ClaimedJob, NewJob};
use townsquare_store::Tx;

/// Sends a new member the community's welcome e-mail.
pub const WELCOME_EMAIL: &str = "communities.welcome_email";

const LEASE: i64 = 5 * MICROS_PER_MINUTE;
const MAX_ATTEMPTS: i64 = 5;

impl App {
    pub(crate) async fn enqueue_job_in(
        &self,
        tx: &mut Tx,
        kind: &str,
        payload: &Value,
        run_at: i64,
    ) -> AppResult<String> {
        let id = new_id();
        store::enqueue(
            tx,
            &NewJob {
                id: &id,
                kind,
                payload: &payload.to_string(),
                run_at,
                max_attempts: MAX_ATTEMPTS,
                now: self.now(),
            },
        )
        .await?;
        Ok(id)
    }

    /// Runs every job that is due now; returns how many ran. Tests call this directly.
    pub async fn run_due_jobs(&self) -> AppResult<usize> {
        let mut ran = 0;
        loop {
            let now = self.now();
            let Some(job) = store::claim(self.db(), self.instance_id(), now, now + LEASE).await?
            else {
                return Ok(ran);
            };
            let span =
                tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempts);
            let _guard = span.enter();
            let mut tx = self.db().begin().await?;
            match self.run_job(&mut tx, &job).await {
                Ok(()) => {
                    if store::mark_done(&mut tx, &job.id, self.instance_id(), self.now()).await? {
                        self.commit(tx).await?;
                        ran += 1;
                    } else {
                        // Our lease ran out and another worker took the job: its run counts.
                        tracing::warn!(
                            "lease lost before completion; this run's effects rolled back"
                        );
                    }
                }
                Err(error) => {
                    drop(tx); // roll back whatever the job wrote
                    let retry_at = (job.attempts < job.max_attempts)
                        .then(|| self.now() + MICROS_PER_SECOND * 30 * job.attempts);
                    tracing::warn!(%error, "job failed");
                    store::mark_failed(
                        self.db(),
                        &job.id,
                        self.instance_id(),
                        &error.to_string(),
                        retry_at,
                        self.now(),
                    )
                    .await?;
                }
            }
        }
    }

    async fn run_job(&self, tx: &mut Tx, job: &ClaimedJob) -> AppResult<()> {
        let payload: Value = serde_json::from_str(&job.payload)
            .map_err(|e| AppError::Internal(format!("bad payload: {e}")))?;
        match job.kind.as_str() {
            WELCOME_EMAIL => self.send_welcome_email(tx, &payload).await,
            crate::engagement::POST_PROMPT => self.post_prompt(tx, &payload).await,
            crate::notifications::DIGEST => self.send_digests(tx).await,
            crate::topic_lists::RANK_TOP => self.rank_top_topics(tx).await,
            crate::files::ORPHAN_SWEEP => self.orphan_sweep_job(tx).await,
            crate::moderation::trust::TRUST_LEVELS => self.trust_levels_job(tx).await,
            crate::event_followups::FEEDBACK_REQUEST => {
                self.feedback_request_job(tx, &payload).await
            }
            crate::event_followups::AMA_ARCHIVE => self.ama_archive_job(tx, &payload).await,
            other => Err(AppError::Internal(format!(
                "no handler for job kind {other}"
            ))),
        }
    }

    async fn send_welcome_email(&self, tx: &mut Tx, payload: &Value) -> AppResult<()> {
        let field = |name: &str| {
            payload[name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| AppError::Internal(format!("payload lacks {name}")))
        };
        let (community_id, user_id) = (field("community_id")?, field("user_id")?);
        let Some(community) =
            townsquare_store::communities::community_by_id(&mut *tx, &community_id).await?
        else {
            return Ok(()); // deleted since: nothing to welcome to
        };
        let Some(user) = townsquare_store::accounts::user_by_id(&mut *tx, &user_id).await? else {
            return Ok(());
        };
        let link = format!("{}/c/{}", self.settings().base_url, community.slug);
        let guidelines = if community.guidelines.is_empty() {
            String::new()
        } else {
            format!(
                "\nOur guidelines, in short:\n\n{}\n",
                community.guidelines.chars().take(1200).collect::<String>()
            )
        };
        // New members are invited to introduce themselves where the managers chose.
        let intro_space =
            match townsquare_store::engagement::introductions_space_id(&mut *tx, &community.id)
                .await?
            {
                Some(id) => townsquare_store::spaces::space_by_id(&mut *tx, &id).await?,
                None => None,
            };
        let introduce = match intro_space {
            Some(space) => format!(
                "Tell us who you are in {}: {}/c/{}/s/{}/new-topic\n\n",
                space.name,
                self.settings().base_url,
                community.slug,
                space.slug
            ),
            None => String::new(),
        };
        // The admins' welcome message opens both the e-mail and the in-app notice.
        let onboarding = self.onboarding_of(&community.id).await?;
        let welcome = townsquare_domain::onboarding::render_welcome(
            &onboarding.welcome_message,
            &user.display_name,
            &community.name,
        );
        let body = format!(
            "{welcome}\n\n{description}\n{guidelines}\n\
             {introduce}Say hello and find your way around: {link}\n",
            description = community.description,
        );
        self.notify(
            tx,
            crate::notifications::Notice {
                user_id: &user.id,
                community_id: &community.id,
                kind: "welcome",
                actor_id: &community.created_by,
                topic_id: None,
                post_id: None,
                excerpt: &welcome.chars().take(280).collect::<String>(),
            },
            self.now(),
        )
        .await?;
        mail::enqueue(
            tx,
            &user.email,
            &format!("Welcome to {}", community.name),
            &body,
            self.now(),
        )
        .await?;
        Ok(())
    }

    /// The worker loop of this instance: delivers mail and runs jobs until `shutdown` fires.
    pub async fn run_workers(self, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        if let Err(e) = self.schedule_next_digest().await {
            tracing::error!(error = %e, "could not queue the daily digest");
        }
        if let Err(e) = self.schedule_top_ranking().await {
            tracing::error!(error = %e, "could not queue the top-topics ranking");
        }
        if let Err(e) = self.schedule_orphan_sweep().await {
            tracing::error!(error = %e, "could not queue the orphan-blob sweep");
        }
        if let Err(e) = self.schedule_trust_levels().await {
            tracing::error!(error = %e, "could not queue the trust-level run");
        }
        match self.queue_missing_followups().await {
            Ok(0) => {}
            Ok(n) => tracing::info!(events = n, "queued missing event follow-up jobs"),
            Err(e) => tracing::error!(error = %e, "could not queue missing event follow-ups"),
        }
        if let Err(e) = self.recover_interrupted_mail().await {
            tracing::error!(error = %e, "could not check for interrupted mail");
        }
        let mut ticks: u64 = 0;
        loop {
            if let Err(e) = self.run_due_jobs().await {
                tracing::error!(error = %e, "job worker");
            }
            // Every ten seconds, and first thing after a start.
            if ticks.is_multiple_of(20) {
                if let Err(e) = self.send_due_event_reminders().await {
                    tracing::error!(error = %e, "event reminders");
                }
            }
            // Every ten minutes: nudges are due by the day, so this is prompt enough.
            if ticks.is_multiple_of(1200) {
                if let Err(e) = self.send_onboarding_nudges().await {
                    tracing::error!(error = %e, "onboarding nudges");
                }
                if let Err(e) = self.send_leadership_reports().await {
                    tracing::error!(error = %e, "leadership reports");
                }
                // Off the loop: a first sweep of a large community takes seconds to minutes,
                // and mail and jobs must not wait for it.
                self.spawn_day_sealing();
            }
            // Every ten minutes: tier reminders are due by the day, and expiry is also checked
            // at every read, so the sweep only has to record it.
            if ticks.is_multiple_of(1200) {
                if let Err(e) = self.run_tier_sweep().await {
                    tracing::error!(error = %e, "membership tier sweep");
                }
                if let Err(e) = self.erase_old_mail_bodies().await {
                    tracing::error!(error = %e, "mail retention sweep");
                }
            }
            if let Err(e) = self.deliver_due_mail().await {
                tracing::error!(error = %e, "mail worker");
            }
            if ticks.is_multiple_of(7200) {
                self.maintenance().await;
            }
            ticks += 1;
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_millis(500)) => {}
                _ = shutdown.changed() => return,
            }
        }
    }

    async fn maintenance(&self) {
        let mut tx = match self.db().begin().await {
            Ok(tx) => tx,
            Err(e) => return tracing::error!(error = %e, "maintenance"),
        };
        let result = townsquare_store::accounts::delete_expired_sessions(&mut tx, self.now()).await;
        if let Err(e) = result {
            return tracing::error!(error = %e, "maintenance: sessions");
        }
        if let Err(e) = self.commit(tx).await {
            return tracing::error!(error = %e, "maintenance: commit");
        }
        if let Err(e) = self.prune_rate_limits().await {
            tracing::error!(error = %e, "maintenance: rate limits");
        }
    }
}
