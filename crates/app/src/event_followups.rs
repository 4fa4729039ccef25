//! After an event: the recording and resources, the recap topic, the feedback request and
//! the attendees' feedback, the AMA archive, and the participation figures.
//!
//! Materials (recording and resources) are shown to whoever may see the event — members of
//! its space, or everyone for a public space — since a recording is most useful to those
//! who missed it. Opening the recording goes through `/c/<slug>/events/<id>/recording`,
//! which records `event_recording_viewed` and redirects.
//!
//! The recap and the AMA archive are topics started through the discussions use case in a
//! discussion space the host picks, so the space's rules (membership, automatic moderation)
//! apply; each is made once per event, in the transaction that links it to the event.
//!
//! Feedback: after the end, the request goes out once (every attendee — checked-in
//! registrant — gets an e-mail with the form's address); attendees rate 1–5 with an optional
//! comment, once each, and may change it.
//!
//! Both the feedback request and an AMA's archive happen on their own, as jobs queued when
//! the event is scheduled or moved (`schedule_followups`): the request a delay after the end
//! (an hour unless the hosts choose otherwise, or off), the archive at the end into the
//! discussion space the hosts chose (for an AMA in a public space, the community's first
//! public discussion space if they chose none). A job's id names the event and the time it
//! is due, so scheduling twice (or from two instances) makes one job, and a job made stale
//! by a move finds its time no longer matches and does nothing. The event's followup row,
//! locked in the job's transaction, is the marker: whichever of the job and the hosts' button
//! comes first sends or archives, the other finds it done. Cancelled events are skipped.
//! Events made before the jobs existed get theirs from the worker's start-up sweep
//! (`queue_missing_followups`).

use crate::clock::MICROS_PER_MINUTE;
use crate::events::EventView;
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::{json, Value};
use townsquare_domain::event_live::{self as rules, percent};
use townsquare_domain::events::EventFormat;
use townsquare_domain::new_id;
use townsquare_store::discussions::TopicRow;
use townsquare_store::event_followups::{
    self as store, FeedbackEntry, FeedbackRow, FollowupRow, MaterialRow, RECORDING, RESOURCE,
};
use townsquare_store::event_live as live_store;
use townsquare_store::events::EventRow;
use townsquare_store::jobs::NewJob;
use townsquare_store::Tx;

pub use townsquare_store::event_followups::DEFAULT_FEEDBACK_DELAY_MINUTES;

/// Asks an event's attendees for feedback, a delay after its end.
pub const FEEDBACK_REQUEST: &str = "events.feedback_request";
/// Archives an AMA's answered questions as a topic, at its end.
pub const AMA_ARCHIVE: &str = "events.ama_archive";

/// The longest delay a host may set for the feedback request: two weeks.
pub const MAX_FEEDBACK_DELAY_MINUTES: i64 = 14 * 24 * 60;

/// What the event left behind, for whoever may see the event.
#[derive(Debug, Clone, Default)]
pub struct Followup {
    pub recording: Option<MaterialRow>,
    /// The stored file of an uploaded recording (its type picks the player).
    pub recording_file: Option<townsquare_store::files::FileRow>,
    pub resources: Vec<MaterialRow>,
    pub state: FollowupRow,
}

/// The hosts' view of the feedback.
#[derive(Debug, Clone)]
pub struct FeedbackSummary {
    pub count: i64,
    /// Average rating in tenths (42 is 4.2); None before any feedback.
    pub average_tenths: Option<i64>,
    /// How many gave 1, 2, 3, 4 and 5.
    pub distribution: [i64; 5],
    pub entries: Vec<FeedbackEntry>,
    pub requested_at: Option<i64>,
}

/// Attendance and participation of one event, counted from its rows.
#[derive(Debug, Clone, Copy)]
pub struct Participation {
    pub registered: i64,
    pub checked_in: i64,
    /// Attendees who asked or upvoted a question or voted in a poll.
    pub participants: i64,
}

impl Participation {
    pub fn attendance_rate(&self) -> Option<i64> {
        percent(self.checked_in, self.registered)
    }

    pub fn participation_rate(&self) -> Option<i64> {
        percent(self.participants, self.checked_in)
    }
}

fn require_host(view: &EventView) -> AppResult<()> {
    if view.can_host() {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Only the event's hosts can do this.".into(),
        ))
    }
}

fn require_over(view: &EventView, now: i64, what: &str) -> AppResult<()> {
    if view.event.cancelled_at.is_some() {
        return Err(AppError::invalid("event", "This event was cancelled."));
    }
    if now < view.event.ends_at {
        return Err(AppError::invalid(
            "event",
            format!("{what} once the event is over."),
        ));
    }
    Ok(())
}

impl App {
    pub async fn event_followup(&self, view: &EventView) -> AppResult<Followup> {
        let mut followup = Followup {
            state: store::followup(self.db(), &view.event.id)
                .await?
                .unwrap_or_else(|| FollowupRow::fresh(&view.event.id)),
            ..Default::default()
        };
        for m in store::materials(self.db(), &view.event.id).await? {
            if m.kind == RECORDING {
                if let Some(file_id) = &m.file_id {
                    followup.recording_file =
                        townsquare_store::files::file_by_id(self.db(), file_id).await?;
                }
                followup.recording = Some(m);
            } else {
                followup.resources.push(m);
            }
        }
        Ok(followup)
    }

    /// Attaches the recording (replacing an earlier one). Hosts only.
    pub async fn set_recording(
        &self,
        actor: &Actor,
        view: &EventView,
        url: &str,
    ) -> AppResult<MaterialRow> {
        require_host(view)?;
        let url = rules::check_material_url(url).map_err(|m| AppError::invalid("url", m))?;
        let row = MaterialRow {
            id: new_id(),
            event_id: view.event.id.clone(),
            kind: RECORDING.into(),
            title: format!("Recording: {}", view.event.title),
            url,
            created_by: actor.user_id.clone(),
            created_at: self.now(),
            file_id: None,
        };
        let mut tx = self.db().begin().await?;
        let replaced = self.replace_recording(&mut tx, &view.event.id).await?;
        store::insert_material(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_recording_attached",
            "event",
            &view.event.id,
            json!({"material_id": row.id}),
            row.created_at,
        )
        .await?;
        self.commit(tx).await?;
        if let Some(old) = replaced {
            self.forget_blob(&old.storage_key).await;
        }
        Ok(row)
    }

    /// Removes the event's recording in the caller's transaction, and the stored file of an
    /// uploaded one, whose blob the caller forgets once the transaction committed.
    pub(crate) async fn replace_recording(
        &self,
        tx: &mut Tx,
        event_id: &str,
    ) -> AppResult<Option<townsquare_store::files::FileRow>> {
        let Some(file_id) = store::delete_recording(tx, event_id).await? else {
            return Ok(None);
        };
        let old = townsquare_store::files::file_by_id(&mut *tx, &file_id).await?;
        if old.is_some() {
            townsquare_store::files::delete_file(tx, &file_id).await?;
        }
        Ok(old)
    }

    /// Adds a resource (slides, notes, a file): a title and a link. Hosts only.
    pub async fn add_resource(
        &self,
        actor: &Actor,
        view: &EventView,
        title: &str,
        url: &str,
    ) -> AppResult<MaterialRow> {
        require_host(view)?;
        let mut errors = townsquare_domain::ValidationErrors::new();
        let title = errors.check("title", rules::check_material_title(title));
        let url = errors.check("url", rules::check_material_url(url));
        let (Some(title), Some(url)) = (title, url) else {
            return Err(AppError::Invalid(errors));
        };
        let row = MaterialRow {
            id: new_id(),
            event_id: view.event.id.clone(),
            kind: RESOURCE.into(),
            title,
            url,
            created_by: actor.user_id.clone(),
            created_at: self.now(),
            file_id: None,
        };
        let mut tx = self.db().begin().await?;
        store::insert_material(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_resource_added",
            "event",
            &view.event.id,
            json!({"material_id": row.id}),
            row.created_at,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// The recording's address, for whoever may see the event; the view is recorded
    /// (anonymous visitors of a public space without an actor).
    pub async fn open_recording(
        &self,
        actor: Option<&Actor>,
        view: &EventView,
    ) -> AppResult<String> {
        let recording = self
            .event_followup(view)
            .await?
            .recording
            .ok_or(AppError::NotFound("recording"))?;
        let mut tx = self.db().begin().await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            actor.map(|a| a.user_id.as_str()),
            "event_recording_viewed",
            "event",
            &view.event.id,
            json!({"material_id": recording.id}),
            self.now(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(recording.url)
    }

    /// Publishes the host's recap as a topic in a discussion space of the community, linked
    /// from the event; once per event.
    pub async fn publish_recap(
        &self,
        actor: &Actor,
        view: &EventView,
        space_slug: &str,
        title: &str,
        body: &str,
    ) -> AppResult<TopicRow> {
        require_host(view)?;
        let title = if title.trim().is_empty() {
            format!("Recap: {}", view.event.title)
        } else {
            title.trim().to_string()
        };
        let body = if body.trim().is_empty() {
            String::new()
        } else {
            format!(
                "{}\n\n[The event page]({})",
                body.trim(),
                self.event_url(&view.community.community.slug, &view.event.id)
            )
        };
        let prepared = self
            .prepare_topic(
                actor,
                &view.community.community.slug,
                space_slug,
                &crate::discussions::TopicInput {
                    title,
                    body,
                    tags: "recap".into(),
                    is_question: false,
                },
            )
            .await?;
        let mut tx = self.db().begin().await?;
        let state = store::lock_followup(&mut tx, &view.event.id).await?;
        if state.recap_topic_id.is_some() {
            return Err(AppError::conflict(
                "recap",
                "This event's recap is already published.",
            ));
        }
        let topic = self.write_prepared_topic(&mut tx, actor, prepared).await?;
        store::set_recap_topic(&mut tx, &view.event.id, &topic.id).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_recap_published",
            "event",
            &view.event.id,
            json!({"topic_id": topic.id}),
            self.now(),
        )
        .await?;
        self.commit(tx).await?;
        Ok(topic)
    }

    /// E-mails every attendee a link to the feedback form, once per event, after its end.
    /// Returns how many were asked.
    pub async fn request_feedback(&self, actor: &Actor, view: &EventView) -> AppResult<usize> {
        require_host(view)?;
        let now = self.now();
        require_over(view, now, "Feedback can be asked for")?;
        let mut tx = self.db().begin().await?;
        let state = store::lock_followup(&mut tx, &view.event.id).await?;
        if state.feedback_requested_at.is_some() {
            return Err(AppError::conflict(
                "feedback",
                "Attendees were already asked for feedback.",
            ));
        }
        let asked = self
            .send_feedback_requests(&mut tx, &view.event, Some(&actor.user_id), now)
            .await?;
        self.commit(tx).await?;
        Ok(asked)
    }

    /// Whether the actor attended (was checked in); feedback is theirs to give.
    fn require_attendee(view: &EventView) -> AppResult<()> {
        let attended = view
            .registration
            .as_ref()
            .is_some_and(|r| r.status == crate::events::REGISTERED && r.checked_in_at.is_some());
        if attended {
            Ok(())
        } else {
            Err(AppError::Forbidden(
                "Feedback is for the people who attended the event.".into(),
            ))
        }
    }

    /// The actor's feedback so far (attendees only).
    pub async fn my_feedback(
        &self,
        actor: &Actor,
        view: &EventView,
    ) -> AppResult<Option<FeedbackRow>> {
        Self::require_attendee(view)?;
        Ok(store::feedback_of(self.db(), &view.event.id, &actor.user_id).await?)
    }

    /// Saves an attendee's rating and comment, replacing earlier feedback of theirs.
    pub async fn give_feedback(
        &self,
        actor: &Actor,
        view: &EventView,
        rating: i64,
        comment: &str,
    ) -> AppResult<()> {
        Self::require_attendee(view)?;
        let now = self.now();
        require_over(view, now, "Feedback can be given")?;
        let (rating, comment) =
            rules::check_feedback(rating, comment).map_err(AppError::Invalid)?;
        let mut tx = self.db().begin().await?;
        let first = store::upsert_feedback(
            &mut tx,
            &FeedbackRow {
                event_id: view.event.id.clone(),
                user_id: actor.user_id.clone(),
                rating,
                comment,
                created_at: now,
                updated_at: now,
            },
        )
        .await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_feedback_given",
            "event",
            &view.event.id,
            json!({"rating": rating, "first": first}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// Average, distribution and comments (hosts only).
    pub async fn feedback_summary(&self, view: &EventView) -> AppResult<FeedbackSummary> {
        require_host(view)?;
        let entries = store::all_feedback(self.db(), &view.event.id).await?;
        let mut distribution = [0i64; 5];
        for e in &entries {
            if (1..=5).contains(&e.rating) {
                distribution[(e.rating - 1) as usize] += 1;
            }
        }
        let count = entries.len() as i64;
        let sum: i64 = entries.iter().map(|e| e.rating).sum();
        let requested_at = store::followup(self.db(), &view.event.id)
            .await?
            .and_then(|f| f.feedback_requested_at);
        Ok(FeedbackSummary {
            count,
            average_tenths: (count > 0).then(|| (sum * 10 + count / 2) / count),
            distribution,
            entries,
            requested_at,
        })
    }

    /// Turns an AMA's answered questions, with their answers, into one topic in a
    /// discussion space; once, after the AMA ended. Hosts only.
    pub async fn archive_ama(
        &self,
        actor: &Actor,
        view: &EventView,
        space_slug: &str,
    ) -> AppResult<TopicRow> {
        require_host(view)?;
        if view.format() != EventFormat::Ama {
            return Err(AppError::invalid(
                "event",
                "Only an AMA's questions are archived as a topic.",
            ));
        }
        require_over(view, self.now(), "The questions can be archived")?;
        let answered = live_store::answered_questions(self.db(), &view.event.id).await?;
        if answered.is_empty() {
            return Err(AppError::invalid(
                "event",
                "No question is marked answered yet: mark the answered ones first.",
            ));
        }
        let prepared = self
            .prepare_archive(actor, view, space_slug, &answered)
            .await?;
        let mut tx = self.db().begin().await?;
        let state = store::lock_followup(&mut tx, &view.event.id).await?;
        if state.archive_topic_id.is_some() {
            return Err(AppError::conflict(
                "archive",
                "This AMA's questions are already archived.",
            ));
        }
        let topic = self
            .write_archive(&mut tx, actor, view, prepared, answered.len(), false)
            .await?;
        self.commit(tx).await?;
        Ok(topic)
    }

    /// The archive topic of an AMA's answered questions, checked against the space's rules.
    async fn prepare_archive(
        &self,
        actor: &Actor,
        view: &EventView,
        space_slug: &str,
        answered: &[live_store::BoardQuestion],
    ) -> AppResult<crate::discussions::PreparedTopic> {
        let mut body = format!(
            "The questions answered in [{}]({}), most upvoted first.\n",
            view.event.title,
            self.event_url(&view.community.community.slug, &view.event.id)
        );
        for q in answered {
            let quoted: Vec<String> = q.question.body.lines().map(|l| format!("> {l}")).collect();
            body.push_str(&format!(
                "\n---\n\n**{} asked** ({} upvote{}):\n\n{}\n\n{}\n",
                q.author_name,
                q.question.vote_count,
                if q.question.vote_count == 1 { "" } else { "s" },
                quoted.join("\n"),
                if q.question.answer.is_empty() {
                    "_Answered live._".to_string()
                } else {
                    q.question.answer.clone()
                }
            ));
        }
        self.prepare_topic(
            actor,
            &view.community.community.slug,
            space_slug,
            &crate::discussions::TopicInput {
                title: format!("AMA archive: {}", view.event.title),
                body,
                tags: "ama".into(),
                is_question: false,
            },
        )
        .await
    }

    /// Writes the archive topic and links it to the event, in the caller's transaction (which
    /// holds the event's followup row).
    async fn write_archive(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        view: &EventView,
        prepared: crate::discussions::PreparedTopic,
        questions: usize,
        automatic: bool,
    ) -> AppResult<TopicRow> {
        let topic = self.write_prepared_topic(tx, actor, prepared).await?;
        store::set_archive_topic(tx, &view.event.id, &topic.id).await?;
        activity::record(
            tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_questions_archived",
            "event",
            &view.event.id,
            json!({"topic_id": topic.id, "questions": questions, "automatic": automatic}),
            self.now(),
        )
        .await?;
        Ok(topic)
    }

    /// Registered, checked in and taking part, for the hosts' attendance page.
    pub async fn participation(&self, view: &EventView) -> AppResult<Participation> {
        require_host(view)?;
        let (registered, checked_in) =
            townsquare_store::events::attendance(self.db(), &view.event.id).await?;
        let participants = store::participants(self.db(), &view.event.id).await?;
        Ok(Participation {
            registered,
            checked_in,
            participants,
        })
    }
}

/// What hosts choose for the time after the event: the feedback request's delay after the
/// end in minutes (None: off, hosts send it by hand) and the AMA archive's discussion space.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupSettings {
    pub feedback_delay_minutes: Option<i64>,
    pub archive_space_slug: Option<String>,
}

/// Reads a delay as hosts write it: "off", or minutes (0 to two weeks).
pub fn parse_feedback_delay(input: &str) -> Result<Option<i64>, String> {
    let v = input.trim();
    if v.eq_ignore_ascii_case("off") || v.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    match v.parse::<i64>() {
        Ok(m) if (0..=MAX_FEEDBACK_DELAY_MINUTES).contains(&m) => Ok(Some(m)),
        _ => Err(format!(
            "Give minutes after the end (0 to {MAX_FEEDBACK_DELAY_MINUTES}), or \"off\"."
        )),
    }
}

fn payload_field<'a>(payload: &'a Value, name: &str) -> AppResult<&'a Value> {
    let v = &payload[name];
    if v.is_null() {
        Err(AppError::Internal(format!("payload lacks {name}")))
    } else {
        Ok(v)
    }
}

/// Queues an event's after-the-end jobs for its current end and settings, in the caller's
/// transaction. Called whenever an event is scheduled, moved or its followup settings change;
/// queuing the same time again is a no-op (the job id names it).
pub(crate) async fn schedule_followups(tx: &mut Tx, event: &EventRow, now: i64) -> AppResult<()> {
    schedule_followups_due_since(tx, event, now, i64::MIN).await
}

/// As `schedule_followups`, leaving out a job due before `due_since` (the start-up sweep does
/// not send a request for an event long over).
async fn schedule_followups_due_since(
    tx: &mut Tx,
    event: &EventRow,
    now: i64,
    due_since: i64,
) -> AppResult<()> {
    if event.cancelled_at.is_some() {
        return Ok(());
    }
    let state = store::followup(&mut *tx, &event.id)
        .await?
        .unwrap_or_else(|| FollowupRow::fresh(&event.id));
    let mut jobs = Vec::new();
    if let (Some(delay), None) = (state.feedback_delay_minutes, state.feedback_requested_at) {
        let due = event.ends_at + delay * MICROS_PER_MINUTE;
        jobs.push((
            FEEDBACK_REQUEST,
            format!("{}{}:{due}", store::FEEDBACK_JOB_PREFIX, event.id),
            due,
        ));
    }
    if event.format == EventFormat::Ama.as_str() && state.archive_topic_id.is_none() {
        let due = event.ends_at;
        jobs.push((
            AMA_ARCHIVE,
            format!("{}{}:{due}", store::AMA_ARCHIVE_JOB_PREFIX, event.id),
            due,
        ));
    }
    for (kind, id, due) in jobs {
        if due < due_since {
            continue;
        }
        let payload = json!({"event_id": event.id, "due_at": due}).to_string();
        townsquare_store::jobs::enqueue_once(
            tx,
            &NewJob {
                id: &id,
                kind,
                payload: &payload,
                run_at: due,
                max_attempts: 5,
                now,
            },
        )
        .await?;
    }
    Ok(())
}

/// How long after its due time a follow-up missing its job is still queued by the start-up
/// sweep: a request that fell due while the server was being upgraded still goes out.
pub const SWEEP_GRACE_MINUTES: i64 = 60;
const SWEEP_BATCH: i64 = 200;

impl App {
    /// Queues the follow-up jobs that events lack — those made before the jobs existed
    /// (migration 0042) get them only here, or when next edited. Every event not cancelled
    /// whose feedback request or AMA archive is due from an hour ago on and has no job gets
    /// it. The worker runs this at start-up; running it again, or on several instances at
    /// once, queues nothing more: a job's id names the event and its due time, and the event's
    /// followup row still makes each happen once. Pages of 200 events, one transaction each;
    /// returns how many events it queued jobs for.
    pub async fn queue_missing_followups(&self) -> AppResult<usize> {
        let now = self.now();
        let due_since = now - SWEEP_GRACE_MINUTES * MICROS_PER_MINUTE;
        let ending_since = due_since - MAX_FEEDBACK_DELAY_MINUTES * MICROS_PER_MINUTE;
        let mut after: Option<(i64, String)> = None;
        let mut queued = 0;
        loop {
            let events = store::events_missing_followups(
                self.db(),
                ending_since,
                due_since,
                after.as_ref().map(|(end, id)| (*end, id.as_str())),
                SWEEP_BATCH,
            )
            .await?;
            let Some(last) = events.last() else {
                return Ok(queued);
            };
            after = Some((last.ends_at, last.id.clone()));
            let mut tx = self.db().begin().await?;
            for event in &events {
                // The event as it is now: a move since the query queues its new time (and
                // the move queued it too; a job made stale by a move does nothing).
                let Some(current) =
                    townsquare_store::events::event_by_id(&mut tx, &event.id).await?
                else {
                    continue;
                };
                schedule_followups_due_since(&mut tx, &current, self.now(), due_since).await?;
                queued += 1;
            }
            self.commit(tx).await?;
            if (events.len() as i64) < SWEEP_BATCH {
                return Ok(queued);
            }
        }
    }

    /// Queues the event's after-the-end jobs (see `schedule_followups`).
    pub(crate) async fn schedule_followups(&self, tx: &mut Tx, event: &EventRow) -> AppResult<()> {
        schedule_followups(tx, event, self.now()).await
    }

    /// The hosts' choices for after the event (hosts only).
    pub async fn followup_settings(&self, view: &EventView) -> AppResult<FollowupSettings> {
        require_host(view)?;
        let state = store::followup(self.db(), &view.event.id)
            .await?
            .unwrap_or_else(|| FollowupRow::fresh(&view.event.id));
        let archive_space_slug = match &state.archive_space_id {
            Some(id) => townsquare_store::spaces::space_by_id(self.db(), id)
                .await?
                .map(|s| s.slug),
            None => None,
        };
        Ok(FollowupSettings {
            feedback_delay_minutes: state.feedback_delay_minutes,
            archive_space_slug,
        })
    }

    /// Saves the hosts' choices and queues the jobs they call for (hosts only). The archive
    /// space must be a discussion space of the community the host can post in.
    pub async fn set_followup_settings(
        &self,
        actor: &Actor,
        view: &EventView,
        settings: &FollowupSettings,
    ) -> AppResult<FollowupSettings> {
        require_host(view)?;
        if let Some(delay) = settings.feedback_delay_minutes {
            if !(0..=MAX_FEEDBACK_DELAY_MINUTES).contains(&delay) {
                return Err(AppError::invalid(
                    "feedback_delay_minutes",
                    format!("Give minutes after the end, 0 to {MAX_FEEDBACK_DELAY_MINUTES}."),
                ));
            }
        }
        let space_id = match settings
            .archive_space_slug
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(slug) => {
                let space = self
                    .space(Some(actor), &view.community.community.slug, slug)
                    .await
                    .map_err(|_| {
                        AppError::invalid("archive_space", "There is no such discussion space.")
                    })?;
                if crate::spaces::kind_of(&space.space) != townsquare_domain::SpaceKind::Discussion
                {
                    return Err(AppError::invalid(
                        "archive_space",
                        "Archives go to a discussion space.",
                    ));
                }
                Some(space.space.id)
            }
            None => None,
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let event = townsquare_store::events::lock_event(&mut tx, &view.event.id)
            .await?
            .ok_or(AppError::NotFound("event"))?;
        store::set_followup_settings(
            &mut tx,
            &event.id,
            settings.feedback_delay_minutes,
            space_id.as_deref(),
        )
        .await?;
        self.schedule_followups(&mut tx, &event).await?;
        activity::record(
            &mut tx,
            Some(&event.community_id),
            Some(&actor.user_id),
            "event_followup_settings_changed",
            "event",
            &event.id,
            json!({"feedback_delay_minutes": settings.feedback_delay_minutes,
                   "archive_space_id": space_id}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        self.followup_settings(view).await
    }

    /// E-mails every attendee the feedback form's address and marks the request sent, in the
    /// caller's transaction (which holds the followup row). Returns how many were asked.
    async fn send_feedback_requests(
        &self,
        tx: &mut Tx,
        event: &EventRow,
        actor_id: Option<&str>,
        now: i64,
    ) -> AppResult<usize> {
        let community =
            townsquare_store::communities::community_by_id(&mut *tx, &event.community_id)
                .await?
                .ok_or(AppError::NotFound("community"))?;
        let attendees = store::attendees(tx, &event.id).await?;
        let url = format!("{}/feedback", self.event_url(&community.slug, &event.id));
        for person in &attendees {
            let subject = format!("How was {}?", event.title);
            let body = format!(
                "Hello {name},\n\nThank you for coming to {title} in {community}.\n\n\
                 How was it? Rate it from 1 to 5 and tell the hosts what to keep or change \
                 (it takes a minute): {url}\n",
                name = person.display_name,
                title = event.title,
                community = community.name,
            );
            mail::enqueue(tx, &person.email, &subject, &body, now).await?;
        }
        store::set_feedback_requested(tx, &event.id, now).await?;
        activity::record(
            tx,
            Some(&event.community_id),
            actor_id,
            "event_feedback_requested",
            "event",
            &event.id,
            json!({"attendees": attendees.len(), "automatic": actor_id.is_none()}),
            now,
        )
        .await?;
        Ok(attendees.len())
    }

    /// The event a job is about, if it is still due at the time the job was queued for: not
    /// deleted, not cancelled, not moved since.
    async fn due_event(tx: &mut Tx, payload: &Value) -> AppResult<Option<EventRow>> {
        let event_id = payload_field(payload, "event_id")?
            .as_str()
            .unwrap_or_default()
            .to_string();
        let Some(event) = townsquare_store::events::lock_event(tx, &event_id).await? else {
            return Ok(None);
        };
        Ok(event.cancelled_at.is_none().then_some(event))
    }

    /// The feedback request job: once per event, unless the hosts sent it already, turned it
    /// off, or the event moved (a new job was queued for its new end).
    pub(crate) async fn feedback_request_job(&self, tx: &mut Tx, payload: &Value) -> AppResult<()> {
        let due_at = payload_field(payload, "due_at")?
            .as_i64()
            .unwrap_or_default();
        let Some(event) = Self::due_event(tx, payload).await? else {
            return Ok(());
        };
        let state = store::lock_followup(tx, &event.id).await?;
        let Some(delay) = state.feedback_delay_minutes else {
            return Ok(());
        };
        if state.feedback_requested_at.is_some()
            || event.ends_at + delay * MICROS_PER_MINUTE != due_at
        {
            return Ok(());
        }
        let asked = self
            .send_feedback_requests(tx, &event, None, self.now())
            .await?;
        tracing::info!(event = %event.id, asked, "feedback requested");
        Ok(())
    }

    /// The AMA archive job: at the end of an AMA, its answered questions become a topic in
    /// the space the hosts chose (or, for an AMA in a public space, the community's first
    /// public discussion space), written as the event's creator; once, unless the hosts did it
    /// first. Nothing answered, or no space to write to: nothing happens (hosts may still
    /// archive by hand).
    pub(crate) async fn ama_archive_job(&self, tx: &mut Tx, payload: &Value) -> AppResult<()> {
        let due_at = payload_field(payload, "due_at")?
            .as_i64()
            .unwrap_or_default();
        let Some(event) = Self::due_event(tx, payload).await? else {
            return Ok(());
        };
        if event.format != EventFormat::Ama.as_str() || event.ends_at != due_at {
            return Ok(());
        }
        let state = store::lock_followup(tx, &event.id).await?;
        if state.archive_topic_id.is_some() {
            return Ok(());
        }
        let answered = live_store::answered_questions(&mut *tx, &event.id).await?;
        if answered.is_empty() {
            tracing::info!(event = %event.id, "AMA over with no answered question: no archive");
            return Ok(());
        }
        let Some(host) =
            townsquare_store::accounts::user_by_id(&mut *tx, &event.created_by).await?
        else {
            return Ok(());
        };
        let actor = Actor::from(host);
        let view = match self.event(Some(&actor), &event.id).await {
            Ok(view) => view,
            Err(e) => {
                tracing::warn!(event = %event.id, error = %e, "AMA archive skipped");
                return Ok(());
            }
        };
        let space = match &state.archive_space_id {
            Some(id) => townsquare_store::spaces::space_by_id(&mut *tx, id).await?,
            None if view.space.visibility == "public" => {
                townsquare_store::spaces::spaces_of(self.db(), &event.community_id)
                    .await?
                    .into_iter()
                    .find(|s| s.kind == "discussion" && s.visibility == "public")
            }
            None => None,
        };
        let Some(space) = space else {
            tracing::info!(event = %event.id, "no space to archive the AMA to");
            return Ok(());
        };
        let prepared = match self
            .prepare_archive(&actor, &view, &space.slug, &answered)
            .await
        {
            Ok(p) => p,
            Err(e @ (AppError::Invalid(_) | AppError::Forbidden(_) | AppError::NotFound(_))) => {
                tracing::warn!(event = %event.id, error = %e, "AMA archive skipped");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        self.write_archive(tx, &actor, &view, prepared, answered.len(), true)
            .await?;
        Ok(())
    }
}

/// The types an uploaded recording may be (decided from its bytes): MP4, WebM, MP3, M4A/AAC
/// and Ogg video or audio.
pub fn is_recording_type(content_type: &str) -> bool {
    matches!(
        content_type,
        "video/mp4"
            | "video/webm"
            | "video/ogg"
            | "audio/mpeg"
            | "audio/mp4"
            | "audio/m4a"
            | "audio/x-m4a"
            | "audio/aac"
            | "audio/ogg"
            | "audio/webm"
            | "audio/opus"
            | "video/x-m4v"
    )
}

/// What a refused recording is told.
pub const RECORDING_TYPES: &str =
    "A recording is a video or audio file: MP4, WebM, MP3, M4A/AAC or Ogg.";

impl App {
    /// Uploads the recording's file (hosts), replacing an earlier recording: streamed to the
    /// blob store, refused as soon as its first bytes show it is not video or audio, or when
    /// it passes the recording size limit (500 MiB unless configured otherwise). The file row,
    /// the recording and the activity record are written in one transaction.
    pub async fn upload_recording<S>(
        &self,
        actor: &Actor,
        view: &EventView,
        filename: &str,
        declared_type: &str,
        chunks: S,
    ) -> AppResult<MaterialRow>
    where
        S: futures::Stream<Item = AppResult<crate::files::Bytes>> + Unpin,
    {
        require_host(view)?;
        let rules = crate::files::UploadRules {
            max_bytes: self.settings().files.max_recording_bytes,
            accept: Some((is_recording_type, RECORDING_TYPES)),
        };
        let staged = self
            .stage_upload_with(actor, filename, declared_type, chunks, &rules)
            .await?;
        let mut file = staged.into_row();
        file.community_id = Some(view.event.community_id.clone());
        let now = self.now();
        let material = MaterialRow {
            id: new_id(),
            event_id: view.event.id.clone(),
            kind: RECORDING.into(),
            title: format!("Recording: {}", view.event.title),
            url: format!("/files/{}", file.id),
            created_by: actor.user_id.clone(),
            created_at: now,
            file_id: Some(file.id.clone()),
        };
        let saved: AppResult<Option<townsquare_store::files::FileRow>> = async {
            let mut tx = self.db().begin().await?;
            townsquare_store::files::insert_file(&mut tx, &file).await?;
            let replaced = self.replace_recording(&mut tx, &view.event.id).await?;
            store::insert_material(&mut tx, &material).await?;
            activity::record(
                &mut tx,
                Some(&view.event.community_id),
                Some(&actor.user_id),
                "event_recording_attached",
                "event",
                &view.event.id,
                json!({"material_id": material.id, "file_id": file.id,
                       "content_type": file.content_type, "size_bytes": file.size_bytes}),
                now,
            )
            .await?;
            self.commit(tx).await?;
            Ok(replaced)
        }
        .await;
        match saved {
            Ok(replaced) => {
                if let Some(old) = replaced {
                    self.forget_blob(&old.storage_key).await;
                }
                Ok(material)
            }
            Err(e) => {
                self.forget_blob(&file.storage_key).await;
                Err(e)
            }
        }
    }

    /// The uploaded recording's bytes (or the range a player asks for), for whoever may see
    /// the event. A request from the first byte counts as a view (`event_recording_viewed`,
    /// as opening a linked recording does); a player seeking does not count again.
    pub async fn recording_media(
        &self,
        actor: Option<&Actor>,
        view: &EventView,
        range_header: Option<&str>,
    ) -> AppResult<crate::files::FileBody> {
        let followup = self.event_followup(view).await?;
        let (Some(recording), Some(file)) = (followup.recording, followup.recording_file) else {
            return Err(AppError::NotFound("recording"));
        };
        let body = self.stream_file(file, range_header).await?;
        if body.range.from_start() {
            let mut tx = self.db().begin().await?;
            activity::record(
                &mut tx,
                Some(&view.event.community_id),
                actor.map(|a| a.user_id.as_str()),
                "event_recording_viewed",
                "event",
                &view.event.id,
                json!({"material_id": recording.id, "played": true}),
                self.now(),
            )
            .await?;
            self.commit(tx).await?;
        }
        Ok(body)
    }
}
