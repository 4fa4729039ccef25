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
//! Feedback: after the end, a host sends the request once (every attendee — checked-in
//! registrant — gets an e-mail with the form's address); attendees rate 1–5 with an optional
//! comment, once each, and may change it.

use crate::events::EventView;
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::event_live::{self as rules, percent};
use townsquare_domain::events::EventFormat;
use townsquare_domain::new_id;
use townsquare_store::discussions::TopicRow;
use townsquare_store::event_followups::{
    self as store, FeedbackEntry, FeedbackRow, FollowupRow, MaterialRow, RECORDING, RESOURCE,
};
use townsquare_store::event_live as live_store;

/// What the event left behind, for whoever may see the event.
#[derive(Debug, Clone, Default)]
pub struct Followup {
    pub recording: Option<MaterialRow>,
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
                .unwrap_or_default(),
            ..Default::default()
        };
        for m in store::materials(self.db(), &view.event.id).await? {
            if m.kind == RECORDING {
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
        };
        let mut tx = self.db().begin().await?;
        store::delete_recording(&mut tx, &view.event.id).await?;
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
        Ok(row)
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
        let attendees = store::attendees(&mut tx, &view.event.id).await?;
        let url = format!(
            "{}/feedback",
            self.event_url(&view.community.community.slug, &view.event.id)
        );
        for person in &attendees {
            let subject = format!("How was {}?", view.event.title);
            let body = format!(
                "Hello {name},\n\nThank you for coming to {title} in {community}.\n\n\
                 How was it? Rate it from 1 to 5 and tell the hosts what to keep or change \
                 (it takes a minute): {url}\n",
                name = person.display_name,
                title = view.event.title,
                community = view.community.community.name,
            );
            mail::enqueue(&mut tx, &person.email, &subject, &body, now).await?;
        }
        store::set_feedback_requested(&mut tx, &view.event.id, now).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_feedback_requested",
            "event",
            &view.event.id,
            json!({"attendees": attendees.len()}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(attendees.len())
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
        let mut body = format!(
            "The questions answered in [{}]({}), most upvoted first.\n",
            view.event.title,
            self.event_url(&view.community.community.slug, &view.event.id)
        );
        for q in &answered {
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
        let prepared = self
            .prepare_topic(
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
            .await?;
        let mut tx = self.db().begin().await?;
        let state = store::lock_followup(&mut tx, &view.event.id).await?;
        if state.archive_topic_id.is_some() {
            return Err(AppError::conflict(
                "archive",
                "This AMA's questions are already archived.",
            ));
        }
        let topic = self.write_prepared_topic(&mut tx, actor, prepared).await?;
        store::set_archive_topic(&mut tx, &view.event.id, &topic.id).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_questions_archived",
            "event",
            &view.event.id,
            json!({"topic_id": topic.id, "questions": answered.len()}),
            self.now(),
        )
        .await?;
        self.commit(tx).await?;
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
