//! Application questions of communities that approve their members, and the answers given
//! with join requests.

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: String,
    pub community_id: String,
    pub prompt: String,
    /// Shown under the question on the join form (may be empty).
    pub help: String,
    pub required: bool,
    pub position: i64,
    pub created_at: i64,
}

/// A community's questions, in the order they are asked.
pub async fn questions<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
) -> Result<Vec<QuestionRow>> {
    with_read!(src, |c| sqlx::query_as::<_, QuestionRow>(
        "SELECT id, community_id, prompt, help, required, ordinal AS position, created_at
         FROM application_questions WHERE community_id = $1 ORDER BY ordinal, id"
    )
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

pub async fn insert_question(tx: &mut Tx, q: &QuestionRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO application_questions (id, community_id, prompt, help, required, ordinal, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    )
    .bind(&q.id)
    .bind(&q.community_id)
    .bind(&q.prompt)
    .bind(&q.help)
    .bind(q.required)
    .bind(q.position)
    .bind(q.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

/// Changes a question's text, help and requirement; false if the community has no such
/// question. Answers already given keep the text they were given to.
pub async fn update_question(tx: &mut Tx, q: &QuestionRow) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE application_questions SET prompt = $3, help = $4, required = $5
         WHERE community_id = $1 AND id = $2"
    )
    .bind(&q.community_id)
    .bind(&q.id)
    .bind(&q.prompt)
    .bind(&q.help)
    .bind(q.required)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n > 0)
}

/// Puts a community's questions in the order of `ids` (every question of the community, each
/// once: the caller checks).
pub async fn set_question_order(tx: &mut Tx, community_id: &str, ids: &[String]) -> Result<()> {
    for (ordinal, id) in ids.iter().enumerate() {
        with_tx!(tx, |c| sqlx::query(
            "UPDATE application_questions SET ordinal = $3 WHERE community_id = $1 AND id = $2"
        )
        .bind(community_id)
        .bind(id)
        .bind(ordinal as i64)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(())
}

/// Removes a question; false if the community has no such question.
pub async fn delete_question(tx: &mut Tx, community_id: &str, id: &str) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM application_questions WHERE community_id = $1 AND id = $2"
    )
    .bind(community_id)
    .bind(id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n > 0)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AnswerRow {
    pub user_id: String,
    pub position: i64,
    pub question: String,
    pub answer: String,
}

/// Replaces a person's answers to a community's questions (`(question, answer)` in order).
pub async fn replace_answers(
    tx: &mut Tx,
    community_id: &str,
    user_id: &str,
    answers: &[(String, String)],
    now: i64,
) -> Result<()> {
    delete_answers(tx, community_id, user_id).await?;
    for (position, (question, answer)) in answers.iter().enumerate() {
        with_tx!(tx, |c| {
            sqlx::query(
            "INSERT INTO application_answers (community_id, user_id, ordinal, question, answer, created_at)
             VALUES ($1, $2, $3, $4, $5, $6)"
        )
        .bind(community_id)
        .bind(user_id)
        .bind(position as i64)
        .bind(question)
        .bind(answer)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db()
        })?;
    }
    Ok(())
}

pub async fn delete_answers(tx: &mut Tx, community_id: &str, user_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM application_answers WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The answers of these people (one statement for a whole page of requests), in order.
pub async fn answers_of<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_ids: &[String],
) -> Result<Vec<AnswerRow>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT user_id, ordinal AS position, question, answer FROM application_answers
         WHERE community_id = $1 AND user_id IN ({}) ORDER BY user_id, ordinal",
        crate::sql::placeholders(2, user_ids.len())
    );
    with_read!(src, |c| {
        let mut q = sqlx::query_as::<_, AnswerRow>(&sql).bind(community_id);
        for id in user_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}
