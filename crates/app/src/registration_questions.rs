//! Registration questions: hosts ask up to five with the event (set on the event form and in
//! the API); members answer them when they register, in the registration's transaction;
//! hosts read the answers on the attendance list and export them as CSV; members see their
//! own on the event page.

use crate::events::EventView;
use crate::{App, AppError, AppResult};
use std::collections::HashMap;
use townsquare_domain::registration_questions::{
    self as rules, Question, QuestionDraft, QuestionKind,
};
use townsquare_domain::{new_id, ValidationErrors};
use townsquare_store::events::Registrant;
use townsquare_store::registration_questions::{self as store, QuestionRow};
use townsquare_store::Tx;

/// A question as stored, with its id (answers are keyed by it).
#[derive(Debug, Clone)]
pub struct EventQuestion {
    pub id: String,
    pub question: Question,
}

impl EventQuestion {
    pub(crate) fn of(row: QuestionRow) -> EventQuestion {
        EventQuestion {
            question: Question {
                prompt: row.prompt,
                kind: QuestionKind::parse(&row.kind).unwrap_or(QuestionKind::Text),
                required: row.required,
                options: serde_json::from_str(&row.options).unwrap_or_default(),
            },
            id: row.id,
        }
    }

    /// The form field (and API error field) of the answer to this question.
    pub fn field(&self) -> String {
        answer_field(&self.id)
    }
}

pub fn answer_field(question_id: &str) -> String {
    format!("answer_{question_id}")
}

/// A registrant with their answers, in the order of the questions (`None`: not answered).
#[derive(Debug, Clone)]
pub struct RegistrantAnswers {
    pub registrant: Registrant,
    pub answers: Vec<Option<String>>,
}

/// Checks a host's questions, adding their errors to `errors`.
pub(crate) fn check_questions(
    drafts: Option<&[QuestionDraft]>,
    errors: &mut ValidationErrors,
) -> Option<Vec<Question>> {
    match drafts.map(rules::validate_questions) {
        None => None,
        Some(Ok(q)) => Some(q),
        Some(Err(e)) => {
            errors.0.extend(e.0);
            None
        }
    }
}

/// Replaces an event's questions. A question that keeps its place, wording and kind keeps
/// its id and its answers (its options or whether it is required may change); one that
/// changed is a new question, and the answers to the old one go with it, so no answer is
/// ever shown under a question it was not given to. Questions past the new last one go too.
pub(crate) async fn save_questions(
    tx: &mut Tx,
    event_id: &str,
    questions: &[Question],
) -> AppResult<()> {
    let existing = store::questions(&mut *tx, event_id).await?;
    for (i, q) in questions.iter().enumerate() {
        let position = i as i64 + 1;
        let kept = existing.iter().find(|e| e.position == position);
        let id = match kept {
            Some(old) if old.prompt == q.prompt && old.kind == q.kind.as_str() => old.id.clone(),
            Some(old) => {
                store::delete_question(tx, &old.id).await?;
                new_id()
            }
            None => new_id(),
        };
        store::upsert_question(
            tx,
            &QuestionRow {
                id,
                event_id: event_id.into(),
                position,
                prompt: q.prompt.clone(),
                kind: q.kind.as_str().into(),
                required: q.required,
                options: serde_json::to_string(&q.options).unwrap_or_else(|_| "[]".into()),
            },
        )
        .await?;
    }
    store::truncate_questions(tx, event_id, questions.len() as i64).await?;
    Ok(())
}

/// Checks a member's answers (keyed by question id) against the event's questions; returns
/// (question id, answer) pairs to store, or errors under `answer_<question id>`.
pub(crate) fn check_answers(
    questions: &[EventQuestion],
    given: &HashMap<String, String>,
) -> AppResult<Vec<(String, String)>> {
    let plain: Vec<Question> = questions.iter().map(|q| q.question.clone()).collect();
    let checked = rules::check_answers(
        &plain,
        |i| given.get(&questions[i].id).map(String::as_str),
        |i| questions[i].field(),
    )
    .map_err(AppError::Invalid)?;
    Ok(checked
        .into_iter()
        .map(|(i, a)| (questions[i].id.clone(), a))
        .collect())
}

impl App {
    /// An event's registration questions, in order (anyone who may see the event).
    pub async fn event_questions(&self, event_id: &str) -> AppResult<Vec<EventQuestion>> {
        Ok(store::questions(self.db(), event_id)
            .await?
            .into_iter()
            .map(EventQuestion::of)
            .collect())
    }

    /// The viewer's own answers, with the questions: (prompt, answer) in question order.
    pub async fn my_registration_answers(
        &self,
        view: &EventView,
    ) -> AppResult<Vec<(String, String)>> {
        let Some(reg) = &view.registration else {
            return Ok(Vec::new());
        };
        let questions = self.event_questions(&view.event.id).await?;
        if questions.is_empty() {
            return Ok(Vec::new());
        }
        let answers: HashMap<String, String> =
            store::answers_of(self.db(), &view.event.id, &reg.user_id)
                .await?
                .into_iter()
                .map(|a| (a.question_id, a.answer))
                .collect();
        Ok(questions
            .into_iter()
            .filter_map(|q| {
                answers
                    .get(&q.id)
                    .map(|a| (q.question.prompt.clone(), a.clone()))
            })
            .collect())
    }

    /// Everyone registered or waitlisted with their answers (hosts only): two queries.
    pub async fn registrant_answers(
        &self,
        view: &EventView,
    ) -> AppResult<(Vec<EventQuestion>, Vec<RegistrantAnswers>)> {
        if !view.can_host() {
            return Err(AppError::Forbidden(
                "Only the event's hosts can see registrants' answers.".into(),
            ));
        }
        let questions = self.event_questions(&view.event.id).await?;
        let registrants = townsquare_store::events::registrants(self.db(), &view.event.id).await?;
        let mut by_person: HashMap<(String, String), String> = HashMap::new();
        for a in store::answers_for_event(self.db(), &view.event.id).await? {
            by_person.insert((a.user_id, a.question_id), a.answer);
        }
        let rows = registrants
            .into_iter()
            .map(|r| RegistrantAnswers {
                answers: questions
                    .iter()
                    .map(|q| by_person.remove(&(r.user_id.clone(), q.id.clone())))
                    .collect(),
                registrant: r,
            })
            .collect();
        Ok((questions, rows))
    }
}
