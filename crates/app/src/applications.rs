//! Application questions for communities that approve their members: admins define up to
//! `MAX_QUESTIONS` (text, required or not); the join form asks them; the answers wait with the
//! pending request, where only the community's admins see them; approving or declining takes
//! an optional message for the applicant, e-mailed and shown in their notifications.

use crate::communities::CommunityView;
use crate::notifications::Notice;
use crate::{activity, mail, Actor, App, AppError, AppResult};
use serde_json::json;
use std::collections::HashMap;
use townsquare_domain::values::{optional_text, required_text};
use townsquare_domain::{new_id, ValidationErrors};
use townsquare_store::applications::{self as store, AnswerRow, QuestionRow};
use townsquare_store::Tx;

/// Questions per community: enough to screen, few enough to answer.
pub const MAX_QUESTIONS: usize = 10;
pub const MAX_PROMPT: usize = 300;
pub const MAX_ANSWER: usize = 2_000;
pub const MAX_MESSAGE: usize = 2_000;

pub const MAX_HELP: usize = 500;

/// A question as an admin writes it.
#[derive(Debug, Clone, Default)]
pub struct QuestionInput {
    pub prompt: String,
    pub help: String,
    pub required: bool,
}

impl QuestionInput {
    /// The question's text and help, checked (errors `prompt` and `help`).
    fn parse(&self) -> Result<(String, String), ValidationErrors> {
        let mut errors = ValidationErrors::new();
        let prompt = errors.check(
            "prompt",
            required_text(&self.prompt, "question", MAX_PROMPT),
        );
        let help = errors.check("help", optional_text(&self.help, "help text", MAX_HELP));
        errors.finish(())?;
        Ok((prompt.unwrap_or_default(), help.unwrap_or_default()))
    }
}

/// The answers to a join request's questions, by person (for a page of requests).
pub type AnswersByPerson = HashMap<String, Vec<AnswerRow>>;

/// Checks answers against the questions: each required one answered, none too long, no
/// unknown question. Returns `(question, answer)` pairs in the questions' order (unanswered
/// optional questions left out). Errors are named `answers.<question id>`.
pub fn check_answers(
    questions: &[QuestionRow],
    given: &HashMap<String, String>,
) -> Result<Vec<(String, String)>, ValidationErrors> {
    let mut errors = ValidationErrors::new();
    for id in given.keys() {
        if !questions.iter().any(|q| &q.id == id) {
            errors.add(&format!("answers.{id}"), "There is no such question.");
        }
    }
    let mut answers = Vec::new();
    for q in questions {
        let field = format!("answers.{}", q.id);
        let text = given.get(&q.id).map(String::as_str).unwrap_or("");
        match optional_text(text, "answer", MAX_ANSWER) {
            Ok(a) if a.is_empty() && q.required => {
                errors.add(&field, format!("Answer “{}”: it is required.", q.prompt))
            }
            Ok(a) if a.is_empty() => {}
            Ok(a) => answers.push((q.prompt.clone(), a)),
            Err(m) => errors.add(&field, m),
        }
    }
    errors.finish(answers)
}

impl App {
    /// A community's application questions, for whoever can see the community (the join form
    /// shows them).
    pub async fn application_questions(
        &self,
        actor: Option<&Actor>,
        slug: &str,
    ) -> AppResult<(CommunityView, Vec<QuestionRow>)> {
        let view = self.community(actor, slug).await?;
        let questions = store::questions(self.db(), &view.community.id).await?;
        Ok((view, questions))
    }

    /// The questions of a community already looked up for its viewer.
    pub async fn application_questions_of(
        &self,
        view: &CommunityView,
    ) -> AppResult<Vec<QuestionRow>> {
        Ok(store::questions(self.db(), &view.community.id).await?)
    }

    /// Adds a question at the end (admins); at most `MAX_QUESTIONS`.
    pub async fn add_application_question(
        &self,
        actor: &Actor,
        slug: &str,
        input: &QuestionInput,
    ) -> AppResult<QuestionRow> {
        let view = self.managed_community(actor, slug).await?;
        let (prompt, help) = input.parse()?;
        let required = input.required;
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let existing = store::questions(&mut tx, &c.id).await?;
        if existing.len() >= MAX_QUESTIONS {
            return Err(AppError::invalid(
                "prompt",
                format!("A community asks at most {MAX_QUESTIONS} questions; remove one first."),
            ));
        }
        let row = QuestionRow {
            id: new_id(),
            community_id: c.id.clone(),
            prompt,
            help,
            required,
            position: existing.iter().map(|q| q.position + 1).max().unwrap_or(0),
            created_at: now,
        };
        store::insert_question(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&c.id),
            Some(&actor.user_id),
            "application_question_added",
            "community",
            &c.id,
            json!({"question_id": row.id, "required": required}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Changes a question's text, help and requirement (admins). Answers already given keep
    /// the question as it was asked (they are stored with its text), so pending requests show
    /// what the applicant answered.
    pub async fn update_application_question(
        &self,
        actor: &Actor,
        slug: &str,
        id: &str,
        input: &QuestionInput,
    ) -> AppResult<QuestionRow> {
        let view = self.managed_community(actor, slug).await?;
        let (prompt, help) = input.parse()?;
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let existing = store::questions(&mut tx, &c.id)
            .await?
            .into_iter()
            .find(|q| q.id == id)
            .ok_or(AppError::NotFound("question"))?;
        let row = QuestionRow {
            prompt,
            help,
            required: input.required,
            ..existing.clone()
        };
        store::update_question(&mut tx, &row).await?;
        activity::record(
            &mut tx,
            Some(&c.id),
            Some(&actor.user_id),
            "application_question_edited",
            "community",
            &c.id,
            json!({"question_id": id, "required": row.required,
                   "prompt_changed": row.prompt != existing.prompt}),
            now,
        )
        .await?;
        self.commit(tx).await?;
        Ok(row)
    }

    /// Puts the community's questions in the order of `ids` (admins): every question once.
    pub async fn reorder_application_questions(
        &self,
        actor: &Actor,
        slug: &str,
        ids: &[String],
    ) -> AppResult<Vec<QuestionRow>> {
        let view = self.managed_community(actor, slug).await?;
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        let existing = store::questions(&mut tx, &c.id).await?;
        let mut seen: Vec<&String> = Vec::new();
        for id in ids {
            if !existing.iter().any(|q| &q.id == id) {
                return Err(AppError::invalid(
                    "ids",
                    format!("“{id}” is not one of this community's questions."),
                ));
            }
            if seen.contains(&id) {
                return Err(AppError::invalid(
                    "ids",
                    format!("“{id}” is listed twice; give each question once."),
                ));
            }
            seen.push(id);
        }
        if ids.len() != existing.len() {
            return Err(AppError::invalid(
                "ids",
                format!(
                    "Give all {} questions in their new order (you gave {}).",
                    existing.len(),
                    ids.len()
                ),
            ));
        }
        store::set_question_order(&mut tx, &c.id, ids).await?;
        activity::record(
            &mut tx,
            Some(&c.id),
            Some(&actor.user_id),
            "application_questions_reordered",
            "community",
            &c.id,
            json!({"order": ids}),
            now,
        )
        .await?;
        let questions = store::questions(&mut tx, &c.id).await?;
        self.commit(tx).await?;
        Ok(questions)
    }

    /// Moves one question a place up (`up`) or down (admins; the page's buttons). At either
    /// end it stays where it is.
    pub async fn move_application_question(
        &self,
        actor: &Actor,
        slug: &str,
        id: &str,
        up: bool,
    ) -> AppResult<()> {
        // Admins only, even when the question is already at that end and nothing moves.
        let view = self.managed_community(actor, slug).await?;
        let questions = self.application_questions_of(&view).await?;
        let mut ids: Vec<String> = questions.into_iter().map(|q| q.id).collect();
        let i = ids
            .iter()
            .position(|q| q == id)
            .ok_or(AppError::NotFound("question"))?;
        let j = if up { i.checked_sub(1) } else { Some(i + 1) };
        match j {
            Some(j) if j < ids.len() => ids.swap(i, j),
            _ => return Ok(()),
        }
        self.reorder_application_questions(actor, slug, &ids)
            .await
            .map(|_| ())
    }

    /// Removes a question (admins); answers already given keep its text.
    pub async fn delete_application_question(
        &self,
        actor: &Actor,
        slug: &str,
        id: &str,
    ) -> AppResult<()> {
        let view = self.managed_community(actor, slug).await?;
        let c = &view.community;
        let now = self.now();
        let mut tx = self.db().begin().await?;
        if !store::delete_question(&mut tx, &c.id, id).await? {
            return Err(AppError::NotFound("question"));
        }
        activity::record(
            &mut tx,
            Some(&c.id),
            Some(&actor.user_id),
            "application_question_removed",
            "community",
            &c.id,
            json!({"question_id": id}),
            now,
        )
        .await?;
        self.commit(tx).await
    }

    /// The answers given with these people's join requests (admins only: the caller checks).
    pub async fn application_answers(
        &self,
        community_id: &str,
        user_ids: &[String],
    ) -> AppResult<AnswersByPerson> {
        let mut by_person: AnswersByPerson = HashMap::new();
        for a in store::answers_of(self.db(), community_id, user_ids).await? {
            by_person.entry(a.user_id.clone()).or_default().push(a);
        }
        Ok(by_person)
    }

    /// Writes the decision's message to the applicant: an e-mail, and a notification in the
    /// app (inside the deciding transaction).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn tell_applicant(
        &self,
        tx: &mut Tx,
        view: &CommunityView,
        actor: &Actor,
        user_id: &str,
        approved: bool,
        message: &str,
        now: i64,
    ) -> AppResult<()> {
        let c = &view.community;
        let Some(user) = townsquare_store::accounts::user_by_id(&mut *tx, user_id).await? else {
            return Ok(());
        };
        let (subject, outcome) = if approved {
            (
                format!("Welcome to {}: your request was approved", c.name),
                format!(
                    "{} approved your request to join {}.",
                    actor.display_name, c.name
                ),
            )
        } else {
            (
                format!("Your request to join {}", c.name),
                format!(
                    "{} declined your request to join {}.",
                    actor.display_name, c.name
                ),
            )
        };
        let quoted = if message.is_empty() {
            String::new()
        } else {
            format!("\n\nTheir message:\n\n{message}")
        };
        let body = format!(
            "Hello {name},\n\n{outcome}{quoted}\n\n{base}/c/{slug}\n",
            name = user.display_name,
            base = self.settings().base_url,
            slug = c.slug,
        );
        // Approval without a message is said by the welcome e-mail that joining sends.
        if !(approved && message.is_empty()) {
            mail::enqueue(tx, &user.email, &subject, &body, now).await?;
        }
        self.notify(
            tx,
            Notice {
                user_id,
                community_id: &c.id,
                kind: if approved {
                    "join_approved"
                } else {
                    "join_declined"
                },
                actor_id: &actor.user_id,
                topic_id: None,
                post_id: None,
                excerpt: message,
            },
            now,
        )
        .await
    }
}

/// Checks a decision's message: optional, at most `MAX_MESSAGE` characters.
pub fn decision_message(input: &str) -> AppResult<String> {
    optional_text(input, "message", MAX_MESSAGE).map_err(|m| AppError::invalid("message", m))
}
