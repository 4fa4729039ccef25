//! During an event: the Q&A board (questions and their upvotes) and polls (options, ballots,
//! choices). A question's `vote_count` moves in the voting transaction, guarded by the vote's
//! primary key; poll tallies are counted from the choices, one ballot per member and poll.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuestionRow {
    pub id: String,
    pub event_id: String,
    pub author_id: String,
    pub body: String,
    pub vote_count: i64,
    pub answer: String,
    pub answered_at: Option<i64>,
    pub answered_by: Option<String>,
    pub hidden_at: Option<i64>,
    pub created_at: i64,
}

/// A question on the board, with its author's name and whether the viewer upvoted it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct BoardQuestion {
    #[sqlx(flatten)]
    pub question: QuestionRow,
    pub author_name: String,
    pub voted: bool,
}

const Q_COLUMNS: &str = "q.id, q.event_id, q.author_id, q.body, q.vote_count, q.answer, \
     q.answered_at, q.answered_by, q.hidden_at, q.created_at";

pub async fn insert_question(tx: &mut Tx, q: &QuestionRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_questions (id, event_id, author_id, body, vote_count, created_at)
         VALUES ($1, $2, $3, $4, 0, $5)"
    )
    .bind(&q.id)
    .bind(&q.event_id)
    .bind(&q.author_id)
    .bind(&q.body)
    .bind(q.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn question<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<QuestionRow>> {
    let sql = format!("SELECT {Q_COLUMNS} FROM event_questions q WHERE q.id = $1");
    with_read!(src, |c| sqlx::query_as::<_, QuestionRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// The board: most votes first, then oldest first. Hidden questions only with `with_hidden`.
pub async fn board(
    db: &Db,
    event_id: &str,
    viewer_id: &str,
    with_hidden: bool,
) -> Result<Vec<BoardQuestion>> {
    let sql = format!(
        "SELECT {Q_COLUMNS}, u.display_name AS author_name,
                EXISTS (SELECT 1 FROM event_question_votes v
                        WHERE v.question_id = q.id AND v.user_id = $2) AS voted
         FROM event_questions q JOIN users u ON u.id = q.author_id
         WHERE q.event_id = $1 AND ($3 OR q.hidden_at IS NULL)
         ORDER BY q.vote_count DESC, q.created_at, q.id"
    );
    with_read!(db, |c| sqlx::query_as::<_, BoardQuestion>(&sql)
        .bind(event_id)
        .bind(viewer_id)
        .bind(with_hidden)
        .fetch_all(c)
        .await
        .db())
}

/// Answered, visible questions in the order they were answered: the AMA archive.
pub async fn answered_questions<'a>(
    src: impl Into<Source<'a>>,
    event_id: &str,
) -> Result<Vec<BoardQuestion>> {
    let sql = format!(
        "SELECT {Q_COLUMNS}, u.display_name AS author_name, FALSE AS voted
         FROM event_questions q JOIN users u ON u.id = q.author_id
         WHERE q.event_id = $1 AND q.answered_at IS NOT NULL AND q.hidden_at IS NULL
         ORDER BY q.vote_count DESC, q.answered_at, q.id"
    );
    with_read!(src, |c| sqlx::query_as::<_, BoardQuestion>(&sql)
        .bind(event_id)
        .fetch_all(c)
        .await
        .db())
}

/// Adds the member's upvote; false if they had already voted (nothing changes then).
pub async fn add_vote(tx: &mut Tx, question_id: &str, user_id: &str, now: i64) -> Result<bool> {
    let n = with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO event_question_votes (question_id, user_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING"
    )
    .bind(question_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    if n > 0 {
        bump_votes(tx, question_id, 1).await?;
    }
    Ok(n > 0)
}

/// Takes the member's upvote back; false if there was none.
pub async fn remove_vote(tx: &mut Tx, question_id: &str, user_id: &str) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM event_question_votes WHERE question_id = $1 AND user_id = $2"
    )
    .bind(question_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    if n > 0 {
        bump_votes(tx, question_id, -1).await?;
    }
    Ok(n > 0)
}

async fn bump_votes(tx: &mut Tx, question_id: &str, delta: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_questions SET vote_count = vote_count + $2 WHERE id = $1"
    )
    .bind(question_id)
    .bind(delta)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Marks a question answered (with the host's answer), or takes that back with `None`.
pub async fn set_answer(
    tx: &mut Tx,
    question_id: &str,
    answer: &str,
    at: Option<i64>,
    by: Option<&str>,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_questions SET answer = $2, answered_at = $3, answered_by = $4 WHERE id = $1"
    )
    .bind(question_id)
    .bind(answer)
    .bind(at)
    .bind(by)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn set_hidden(tx: &mut Tx, question_id: &str, at: Option<i64>) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_questions SET hidden_at = $2 WHERE id = $1"
    )
    .bind(question_id)
    .bind(at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollRow {
    pub id: String,
    pub event_id: String,
    pub question: String,
    pub choice: String,
    pub results: String,
    pub status: String,
    pub created_by: String,
    pub created_at: i64,
    pub opened_at: Option<i64>,
    pub closed_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PollOptionRow {
    pub id: String,
    pub poll_id: String,
    pub ordinal: i64,
    pub label: String,
    /// Ballots that chose this option.
    pub votes: i64,
}

const POLL_COLUMNS: &str =
    "id, event_id, question, choice, results, status, created_by, created_at, opened_at, closed_at";

pub async fn insert_poll(tx: &mut Tx, p: &PollRow, options: &[(String, String)]) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_polls (id, event_id, question, choice, results, status, created_by,
             created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&p.id)
    .bind(&p.event_id)
    .bind(&p.question)
    .bind(&p.choice)
    .bind(&p.results)
    .bind(&p.status)
    .bind(&p.created_by)
    .bind(p.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    for (ordinal, (id, label)) in options.iter().enumerate() {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO event_poll_options (id, poll_id, ordinal, label) VALUES ($1, $2, $3, $4)"
        )
        .bind(id)
        .bind(&p.id)
        .bind(ordinal as i64)
        .bind(label)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(())
}

pub async fn poll<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<PollRow>> {
    let sql = format!("SELECT {POLL_COLUMNS} FROM event_polls WHERE id = $1");
    with_read!(src, |c| sqlx::query_as::<_, PollRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// Locks the poll's row for the transaction (so a vote and a close do not cross) and
/// returns it as it now is.
pub async fn lock_poll(tx: &mut Tx, id: &str) -> Result<Option<PollRow>> {
    let sql =
        format!("UPDATE event_polls SET status = status WHERE id = $1 RETURNING {POLL_COLUMNS}");
    with_tx!(tx, |c| sqlx::query_as::<_, PollRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn polls(db: &Db, event_id: &str) -> Result<Vec<PollRow>> {
    let sql = format!(
        "SELECT {POLL_COLUMNS} FROM event_polls WHERE event_id = $1 ORDER BY created_at, id"
    );
    with_read!(db, |c| sqlx::query_as::<_, PollRow>(&sql)
        .bind(event_id)
        .fetch_all(c)
        .await
        .db())
}

/// A poll's options in order, each with how many ballots chose it.
pub async fn options<'a>(src: impl Into<Source<'a>>, poll_id: &str) -> Result<Vec<PollOptionRow>> {
    with_read!(src, |c| sqlx::query_as::<_, PollOptionRow>(
        "SELECT o.id, o.poll_id, o.ordinal, o.label,
                (SELECT COUNT(*) FROM event_poll_choices ch WHERE ch.option_id = o.id) AS votes
         FROM event_poll_options o WHERE o.poll_id = $1 ORDER BY o.ordinal"
    )
    .bind(poll_id)
    .fetch_all(c)
    .await
    .db())
}

/// (ballots cast, the viewer's chosen option ids).
pub async fn ballots(db: &Db, poll_id: &str, viewer_id: &str) -> Result<(i64, Vec<String>)> {
    let cast = with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM event_poll_ballots WHERE poll_id = $1"
    )
    .bind(poll_id)
    .fetch_one(c)
    .await
    .db())?;
    let mine = with_read!(db, |c| sqlx::query_scalar::<_, String>(
        "SELECT option_id FROM event_poll_choices WHERE poll_id = $1 AND user_id = $2"
    )
    .bind(poll_id)
    .bind(viewer_id)
    .fetch_all(c)
    .await
    .db())?;
    Ok((cast, mine))
}

/// Casts the member's ballot; false if they had already voted (nothing is written then).
/// The ballot's primary key settles concurrent ballots of one member: one of them wins.
pub async fn cast_ballot(
    tx: &mut Tx,
    poll_id: &str,
    user_id: &str,
    option_ids: &[String],
    now: i64,
) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO event_poll_ballots (poll_id, user_id, created_at) VALUES ($1, $2, $3)
         ON CONFLICT DO NOTHING"
    )
    .bind(poll_id)
    .bind(user_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    if n == 0 {
        return Ok(false);
    }
    for option_id in option_ids {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO event_poll_choices (poll_id, user_id, option_id) VALUES ($1, $2, $3)"
        )
        .bind(poll_id)
        .bind(user_id)
        .bind(option_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(true)
}

pub async fn set_poll_status(tx: &mut Tx, poll_id: &str, status: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_polls SET status = $2,
             opened_at = CASE WHEN $2 = 'open' THEN COALESCE(opened_at, $3) ELSE opened_at END,
             closed_at = CASE WHEN $2 = 'closed' THEN $3 ELSE NULL END
         WHERE id = $1"
    )
    .bind(poll_id)
    .bind(status)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}
