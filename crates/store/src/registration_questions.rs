//! Registration questions of events and members' answers to them.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: String,
    pub event_id: String,
    /// From 1, in the host's order.
    pub position: i64,
    pub prompt: String,
    /// text or choice.
    pub kind: String,
    pub required: bool,
    /// JSON array of the choices.
    pub options: String,
}

const QUESTION_COLUMNS: &str = "id, event_id, position, prompt, kind, required, options";

/// An event's questions, in order.
pub async fn questions<'a>(src: impl Into<Source<'a>>, event_id: &str) -> Result<Vec<QuestionRow>> {
    let sql = format!(
        "SELECT {QUESTION_COLUMNS} FROM registration_questions WHERE event_id = $1
         ORDER BY position"
    );
    with_read!(src, |c| sqlx::query_as::<_, QuestionRow>(&sql)
        .bind(event_id)
        .fetch_all(c)
        .await
        .db())
}

/// Writes the question at its position; a question already there is updated in place
/// (keeping its id and answers).
pub async fn upsert_question(tx: &mut Tx, q: &QuestionRow) -> Result<()> {
    let sql = "INSERT INTO registration_questions
             (id, event_id, position, prompt, kind, required, options)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id, position) DO UPDATE
         SET prompt = excluded.prompt, kind = excluded.kind, required = excluded.required,
             options = excluded.options";
    with_tx!(tx, |c| sqlx::query(sql)
        .bind(&q.id)
        .bind(&q.event_id)
        .bind(q.position)
        .bind(&q.prompt)
        .bind(&q.kind)
        .bind(q.required)
        .bind(&q.options)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    Ok(())
}

/// Removes one question (with its answers).
pub async fn delete_question(tx: &mut Tx, id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM registration_questions WHERE id = $1"
    )
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Removes the questions after the first `keep` (with their answers).
pub async fn truncate_questions(tx: &mut Tx, event_id: &str, keep: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM registration_questions WHERE event_id = $1 AND position > $2"
    )
    .bind(event_id)
    .bind(keep)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Replaces a member's answers for an event.
pub async fn replace_answers(
    tx: &mut Tx,
    event_id: &str,
    user_id: &str,
    answers: &[(String, String)],
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM registration_answers WHERE event_id = $1 AND user_id = $2"
    )
    .bind(event_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    for (question_id, answer) in answers {
        let sql = "INSERT INTO registration_answers
                 (event_id, user_id, question_id, answer, answered_at)
             VALUES ($1, $2, $3, $4, $5)";
        with_tx!(tx, |c| sqlx::query(sql)
            .bind(event_id)
            .bind(user_id)
            .bind(question_id)
            .bind(answer)
            .bind(now)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            .db())?;
    }
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub user_id: String,
    pub question_id: String,
    pub answer: String,
}

/// Every answer given for an event (for the hosts' list and export): one query.
pub async fn answers_for_event(db: &Db, event_id: &str) -> Result<Vec<AnswerRow>> {
    with_read!(db, |c| sqlx::query_as::<_, AnswerRow>(
        "SELECT user_id, question_id, answer FROM registration_answers WHERE event_id = $1"
    )
    .bind(event_id)
    .fetch_all(c)
    .await
    .db())
}

/// One member's answers for an event.
pub async fn answers_of(db: &Db, event_id: &str, user_id: &str) -> Result<Vec<AnswerRow>> {
    with_read!(db, |c| sqlx::query_as::<_, AnswerRow>(
        "SELECT user_id, question_id, answer FROM registration_answers
         WHERE event_id = $1 AND user_id = $2"
    )
    .bind(event_id)
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}
