//! During an event: the live Q&A board and polls.
//!
//! Who takes part: registrants, and hosts who are members of the community (a superadmin
//! who is not a member watches but does not ask or vote). Only they and the hosts see the
//! board and the polls. When the board takes questions is `domain::event_live::questions_open`:
//! an AMA from registration until its end, other formats from 15 minutes before the start.
//! Hosts mark questions answered (with an optional written answer) and hide unwanted ones
//! (hidden questions are seen by hosts only).
//!
//! Every change raises a realtime notice on `event:<id>` (ids only), so open boards refresh;
//! asking, upvoting and voting are written to the activity log with the event as object,
//! which is what participation is counted from.

use crate::events::EventView;
use crate::{activity, Actor, App, AppError, AppResult};
use serde_json::json;
use townsquare_domain::event_live::{self as rules, PollChoice, PollDraft, PollResults};
use townsquare_domain::{new_id, policy};
use townsquare_store::event_live::{self as store, BoardQuestion, PollOptionRow, PollRow};
use townsquare_store::Tx;

/// The Q&A board as one viewer sees it.
#[derive(Debug, Clone)]
pub struct Board {
    pub questions: Vec<BoardQuestion>,
    /// Why new questions are not taken now, if they are not.
    pub closed_reason: Option<&'static str>,
    pub can_take_part: bool,
}

/// A poll as one viewer sees it: the tally only when the poll's rule allows.
#[derive(Debug, Clone)]
pub struct PollView {
    pub poll: PollRow,
    pub options: Vec<PollOptionRow>,
    pub choice: PollChoice,
    pub results: PollResults,
    pub results_visible: bool,
    /// Ballots cast (shown with the results).
    pub ballots: i64,
    /// The option ids the viewer chose; empty if they have not voted.
    pub my_choices: Vec<String>,
}

impl PollView {
    pub fn has_voted(&self) -> bool {
        !self.my_choices.is_empty()
    }
}

/// Registrants, and hosts who belong to the community.
pub fn can_take_part(view: &EventView) -> bool {
    view.is_registered()
        || (view.can_host() && policy::can_register_for_events(&view.community.viewer))
}

/// Registrants and hosts see the board and the polls.
pub fn can_see_live(view: &EventView) -> bool {
    view.is_registered() || view.can_host()
}

fn require_live(view: &EventView) -> AppResult<()> {
    if can_see_live(view) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Register for the event to see its questions and polls.".into(),
        ))
    }
}

fn require_participant(view: &EventView) -> AppResult<()> {
    if view.event.cancelled_at.is_some() {
        return Err(AppError::invalid("event", "This event was cancelled."));
    }
    if can_take_part(view) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Register for the event to ask questions and vote.".into(),
        ))
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

fn board_window(view: &EventView, now: i64) -> Result<(), &'static str> {
    if view.event.cancelled_at.is_some() {
        return Err("This event was cancelled.");
    }
    rules::questions_open(view.format(), view.event.starts_at, view.event.ends_at, now)
}

async fn tell_board(tx: &mut Tx, event_id: &str, kind: &str, id: &str) -> AppResult<()> {
    tx.notify(
        &format!("event:{event_id}"),
        &json!({"kind": kind, "id": id}).to_string(),
    )
    .await?;
    Ok(())
}

impl App {
    /// The Q&A board: most upvoted first, then oldest first.
    pub async fn event_board(&self, actor: &Actor, view: &EventView) -> AppResult<Board> {
        require_live(view)?;
        let questions =
            store::board(self.db(), &view.event.id, &actor.user_id, view.can_host()).await?;
        Ok(Board {
            questions,
            closed_reason: board_window(view, self.now()).err(),
            can_take_part: can_take_part(view),
        })
    }

    pub async fn ask_question(
        &self,
        actor: &Actor,
        view: &EventView,
        body: &str,
    ) -> AppResult<store::QuestionRow> {
        require_participant(view)?;
        crate::moderation::ensure_can_post(&view.community)?;
        let now = self.now();
        board_window(view, now).map_err(|m| AppError::invalid("event", m))?;
        let body = rules::check_question(body).map_err(|m| AppError::invalid("body", m))?;
        let row = store::QuestionRow {
            id: new_id(),
            event_id: view.event.id.clone(),
            author_id: actor.user_id.clone(),
            body,
            vote_count: 0,
            answer: String::new(),
            answered_at: None,
            answered_by: None,
            hidden_at: None,
            created_at: now,
        };
        let mut tx = self.db().begin().await?;
        store::insert_question(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_question_asked",
            "event",
            &view.event.id,
            json!({"question_id": row.id}),
            now,
        )
        .await?;
        tell_board(&mut tx, &view.event.id, "question_asked", &row.id).await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// A visible question of this event, for a participant to vote on (hosts see hidden
    /// ones too).
    async fn board_question(
        &self,
        view: &EventView,
        question_id: &str,
    ) -> AppResult<store::QuestionRow> {
        store::question(self.db(), question_id)
            .await?
            .filter(|q| q.event_id == view.event.id && (q.hidden_at.is_none() || view.can_host()))
            .ok_or(AppError::NotFound("question"))
    }

    /// Adds (`up`) or takes back the actor's upvote; true if anything changed. One upvote
    /// per member and question, whatever the number of requests.
    pub async fn set_question_vote(
        &self,
        actor: &Actor,
        view: &EventView,
        question_id: &str,
        up: bool,
    ) -> AppResult<bool> {
        require_participant(view)?;
        let question = self.board_question(view, question_id).await?;
        let now = self.now();
        board_window(view, now).map_err(|m| AppError::invalid("event", m))?;
        let mut tx = self.db().begin().await?;
        let changed = if up {
            store::add_vote(&mut tx, &question.id, &actor.user_id, now).await?
        } else {
            store::remove_vote(&mut tx, &question.id, &actor.user_id).await?
        };
        if changed {
            activity::record(
                &mut tx,
                Some(&view.event.community_id),
                Some(&actor.user_id),
                if up {
                    "event_question_upvoted"
                } else {
                    "event_question_vote_withdrawn"
                },
                "event",
                &view.event.id,
                json!({"question_id": question.id}),
                now,
            )
            .await?;
            tell_board(&mut tx, &view.event.id, "question_voted", &question.id).await?;
        }
        self.commit(tx).await?;
        Ok(changed)
    }

    /// Upvotes the question, or takes the upvote back if the actor had given it; returns
    /// whether the actor's upvote stands now.
    pub async fn toggle_question_vote(
        &self,
        actor: &Actor,
        view: &EventView,
        question_id: &str,
    ) -> AppResult<bool> {
        let withdrawn = self
            .set_question_vote(actor, view, question_id, false)
            .await?;
        if withdrawn {
            return Ok(false);
        }
        self.set_question_vote(actor, view, question_id, true)
            .await?;
        Ok(true)
    }

    /// Marks a question answered, with the host's written answer (Markdown, may be empty
    /// when it was answered aloud), or with `None` takes that back. Hosts only.
    pub async fn answer_question(
        &self,
        actor: &Actor,
        view: &EventView,
        question_id: &str,
        answer: Option<&str>,
    ) -> AppResult<()> {
        require_host(view)?;
        let question = self.board_question(view, question_id).await?;
        let answer = match answer {
            Some(a) => Some(rules::check_answer(a).map_err(|m| AppError::invalid("answer", m))?),
            None => None,
        };
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::set_answer(
            &mut tx,
            &question.id,
            answer.as_deref().unwrap_or_default(),
            answer.is_some().then_some(now),
            answer.is_some().then_some(actor.user_id.as_str()),
        )
        .await?;
        if answer.is_some() {
            activity::record(
                &mut tx,
                Some(&view.event.community_id),
                Some(&actor.user_id),
                "event_question_answered",
                "event",
                &view.event.id,
                json!({"question_id": question.id}),
                now,
            )
            .await?;
        }
        tell_board(&mut tx, &view.event.id, "question_answered", &question.id).await?;
        self.commit(tx).await
    }

    /// Hides a question from everyone but the hosts, or shows it again. Hosts only.
    pub async fn hide_question(
        &self,
        actor: &Actor,
        view: &EventView,
        question_id: &str,
        hidden: bool,
    ) -> AppResult<()> {
        require_host(view)?;
        let question = self.board_question(view, question_id).await?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        store::set_hidden(&mut tx, &question.id, hidden.then_some(now)).await?;
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            if hidden {
                "event_question_hidden"
            } else {
                "event_question_shown"
            },
            "event",
            &view.event.id,
            json!({"question_id": question.id}),
            now,
        )
        .await?;
        tell_board(&mut tx, &view.event.id, "question_hidden", &question.id).await?;
        self.commit(tx).await
    }

    /// The event's polls, oldest first; drafts are for hosts only.
    pub async fn event_polls(&self, actor: &Actor, view: &EventView) -> AppResult<Vec<PollView>> {
        require_live(view)?;
        let mut shown = Vec::new();
        for poll in store::polls(self.db(), &view.event.id).await? {
            if poll.status == rules::POLL_DRAFT && !view.can_host() {
                continue;
            }
            shown.push(self.poll_view(actor, view, poll).await?);
        }
        Ok(shown)
    }

    async fn poll_view(
        &self,
        actor: &Actor,
        view: &EventView,
        poll: PollRow,
    ) -> AppResult<PollView> {
        let choice = PollChoice::parse(&poll.choice).unwrap_or(PollChoice::Single);
        let results = PollResults::parse(&poll.results).unwrap_or(PollResults::AfterClose);
        let (ballots, my_choices) = store::ballots(self.db(), &poll.id, &actor.user_id).await?;
        let results_visible = rules::may_see_results(
            results,
            &poll.status,
            view.can_host(),
            !my_choices.is_empty(),
        );
        let mut options = store::options(self.db(), &poll.id).await?;
        if !results_visible {
            for o in &mut options {
                o.votes = 0;
            }
        }
        Ok(PollView {
            poll,
            options,
            choice,
            results,
            results_visible,
            ballots: if results_visible { ballots } else { 0 },
            my_choices,
        })
    }

    /// One poll of this event as the viewer sees it.
    pub async fn event_poll(
        &self,
        actor: &Actor,
        view: &EventView,
        poll_id: &str,
    ) -> AppResult<PollView> {
        require_live(view)?;
        let poll = store::poll(self.db(), poll_id)
            .await?
            .filter(|p| {
                p.event_id == view.event.id && (p.status != rules::POLL_DRAFT || view.can_host())
            })
            .ok_or(AppError::NotFound("poll"))?;
        self.poll_view(actor, view, poll).await
    }

    /// A host adds a poll, as a draft or opened at once.
    pub async fn create_poll(
        &self,
        actor: &Actor,
        view: &EventView,
        draft: &PollDraft,
        open_now: bool,
    ) -> AppResult<PollRow> {
        require_host(view)?;
        if view.event.cancelled_at.is_some() {
            return Err(AppError::invalid("event", "This event was cancelled."));
        }
        let fields = rules::validate_poll(draft).map_err(AppError::Invalid)?;
        let now = self.now();
        let poll = PollRow {
            id: new_id(),
            event_id: view.event.id.clone(),
            question: fields.question,
            choice: fields.choice.as_str().into(),
            results: fields.results.as_str().into(),
            status: rules::POLL_DRAFT.into(),
            created_by: actor.user_id.clone(),
            created_at: now,
            opened_at: None,
            closed_at: None,
        };
        let options: Vec<(String, String)> =
            fields.options.into_iter().map(|o| (new_id(), o)).collect();
        let mut tx = self.db().begin().await?;
        store::insert_poll(&mut tx, &poll, &options).await?;
        if open_now {
            store::set_poll_status(&mut tx, &poll.id, rules::POLL_OPEN, now).await?;
        }
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_poll_created",
            "event",
            &view.event.id,
            json!({"poll_id": poll.id}),
            now,
        )
        .await?;
        tell_board(&mut tx, &view.event.id, "poll_created", &poll.id).await?;
        let poll = store::poll(&mut tx, &poll.id)
            .await?
            .ok_or(AppError::NotFound("poll"))?;
        self.commit(tx).await?;
        Ok(poll)
    }

    /// Opens a poll for voting (a draft, or a closed poll again) or closes it. Hosts only.
    pub async fn set_poll_status(
        &self,
        actor: &Actor,
        view: &EventView,
        poll_id: &str,
        status: &str,
    ) -> AppResult<()> {
        require_host(view)?;
        if status != rules::POLL_OPEN && status != rules::POLL_CLOSED {
            return Err(AppError::invalid("status", "A poll is opened or closed."));
        }
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let poll = store::lock_poll(&mut tx, poll_id)
            .await?
            .filter(|p| p.event_id == view.event.id)
            .ok_or(AppError::NotFound("poll"))?;
        if status == rules::POLL_CLOSED && poll.status != rules::POLL_OPEN {
            return Err(AppError::conflict(
                "status",
                "Only an open poll can be closed.",
            ));
        }
        if poll.status != status {
            store::set_poll_status(&mut tx, &poll.id, status, now).await?;
            activity::record(
                &mut tx,
                Some(&view.event.community_id),
                Some(&actor.user_id),
                if status == rules::POLL_OPEN {
                    "event_poll_opened"
                } else {
                    "event_poll_closed"
                },
                "event",
                &view.event.id,
                json!({"poll_id": poll.id}),
                now,
            )
            .await?;
            tell_board(&mut tx, &view.event.id, "poll_status", &poll.id).await?;
        }
        self.commit(tx).await
    }

    /// Casts the actor's ballot: one option for a single-choice poll, one or more for a
    /// multiple-choice one; once per member and poll.
    pub async fn vote_in_poll(
        &self,
        actor: &Actor,
        view: &EventView,
        poll_id: &str,
        option_ids: &[String],
    ) -> AppResult<()> {
        require_participant(view)?;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        // The poll's row lock orders this ballot against a host closing the poll.
        let poll = store::lock_poll(&mut tx, poll_id)
            .await?
            .filter(|p| p.event_id == view.event.id && p.status != rules::POLL_DRAFT)
            .ok_or(AppError::NotFound("poll"))?;
        if poll.status != rules::POLL_OPEN {
            return Err(AppError::invalid("poll", "This poll is closed."));
        }
        let choice = PollChoice::parse(&poll.choice).unwrap_or(PollChoice::Single);
        let chosen =
            rules::check_ballot(choice, option_ids).map_err(|m| AppError::invalid("options", m))?;
        let valid: Vec<String> = store::options(&mut tx, &poll.id)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        if !chosen.iter().all(|c| valid.contains(c)) {
            return Err(AppError::invalid(
                "options",
                "Choose among this poll's options.",
            ));
        }
        if !store::cast_ballot(&mut tx, &poll.id, &actor.user_id, &chosen, now).await? {
            return Err(AppError::conflict(
                "poll",
                "You have already voted in this poll.",
            ));
        }
        activity::record(
            &mut tx,
            Some(&view.event.community_id),
            Some(&actor.user_id),
            "event_poll_voted",
            "event",
            &view.event.id,
            json!({"poll_id": poll.id, "options": chosen}),
            now,
        )
        .await?;
        tell_board(&mut tx, &view.event.id, "poll_voted", &poll.id).await?;
        self.commit(tx).await
    }

    /// Whether `actor` may follow the live notices of an event (the realtime stream asks on
    /// subscribe and before every delivery).
    pub async fn may_follow_event(&self, actor: &Actor, event_id: &str) -> bool {
        match self.event(Some(actor), event_id).await {
            Ok(view) => can_see_live(&view),
            Err(_) => false,
        }
    }
}
