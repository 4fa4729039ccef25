//! The member side of moderation: accepted guidelines, moderators' private notes, and the
//! reason kept with a moderator's edit of someone else's post.

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AcceptanceRow {
    pub id: String,
    pub community_id: String,
    pub user_id: String,
    /// A digest of the guidelines' text as it was shown.
    pub version: String,
    pub accepted_at: i64,
}

pub async fn insert_acceptance(tx: &mut Tx, a: &AcceptanceRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO guideline_acceptances (id, community_id, user_id, version, accepted_at)
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&a.id)
    .bind(&a.community_id)
    .bind(&a.user_id)
    .bind(&a.version)
    .bind(a.accepted_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The member's latest acceptance of the community's guidelines, if any.
pub async fn latest_acceptance<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
) -> Result<Option<AcceptanceRow>> {
    with_read!(src, |c| sqlx::query_as::<_, AcceptanceRow>(
        "SELECT id, community_id, user_id, version, accepted_at FROM guideline_acceptances
         WHERE community_id = $1 AND user_id = $2
         ORDER BY accepted_at DESC, id DESC LIMIT 1"
    )
    .bind(community_id)
    .bind(user_id)
    .fetch_optional(c)
    .await
    .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct NoteRow {
    pub id: String,
    pub community_id: String,
    pub user_id: String,
    pub author_id: String,
    pub body: String,
    pub created_at: i64,
}

/// A note with its author's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedNote {
    #[sqlx(flatten)]
    pub note: NoteRow,
    pub author_name: String,
}

/// Appends a note. There is no update or delete: notes only accumulate.
pub async fn insert_note(tx: &mut Tx, n: &NoteRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO member_notes (id, community_id, user_id, author_id, body, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(&n.id)
    .bind(&n.community_id)
    .bind(&n.user_id)
    .bind(&n.author_id)
    .bind(&n.body)
    .bind(n.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// The notes on members of a community, newest first, for the given members.
pub async fn notes_about<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_ids: &[String],
) -> Result<Vec<ListedNote>> {
    if user_ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = (0..user_ids.len())
        .map(|i| format!("${}", i + 2))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT n.id, n.community_id, n.user_id, n.author_id, n.body, n.created_at,
                u.display_name AS author_name
         FROM member_notes n JOIN users u ON u.id = n.author_id
         WHERE n.community_id = $1 AND n.user_id IN ({marks})
         ORDER BY n.created_at DESC, n.id DESC"
    );
    with_read!(src, |c| {
        let mut q = sqlx::query_as::<_, ListedNote>(&sql).bind(community_id);
        for id in user_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// Keeps the text a post had before a moderator's edit, with the moderator's reason.
pub async fn insert_moderated_revision(
    tx: &mut Tx,
    id: &str,
    post_id: &str,
    editor_id: &str,
    markdown: &str,
    reason: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO post_revisions (id, post_id, editor_id, body_markdown, created_at, reason)
         VALUES ($1, $2, $3, $4, $5, $6)"
    )
    .bind(id)
    .bind(post_id)
    .bind(editor_id)
    .bind(markdown)
    .bind(now)
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}
