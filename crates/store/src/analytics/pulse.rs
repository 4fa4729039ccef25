//! The pulse check's one query of its own: the conversations with most replies since a moment.
//! Its other cards reuse the welcome list, the moderation summary, unanswered questions and
//! the events list. Each reads an index on (community or space, time).

use crate::db::Db;
use crate::error::MapErr;
use crate::sql::placeholders;
use crate::Result;

/// A topic and the replies (and distinct repliers) it received since the moment asked.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActiveConversation {
    pub topic_id: String,
    pub title: String,
    pub space_id: String,
    pub replies: i64,
    pub repliers: i64,
    pub last_reply_at: i64,
}

/// Topics in `space_ids` with the most live replies created at or after `since`: most
/// replies first, then the latest reply.
pub async fn active_conversations(
    db: &Db,
    community_id: &str,
    space_ids: &[String],
    since: i64,
    limit: i64,
) -> Result<Vec<ActiveConversation>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.id AS topic_id, t.title, t.space_id, COUNT(*) AS replies,
                COUNT(DISTINCT p.author_id) AS repliers, MAX(p.created_at) AS last_reply_at
         FROM posts p JOIN topics t ON t.id = p.topic_id
         WHERE p.community_id = $1 AND p.created_at >= $2 AND p.is_first = FALSE
           AND p.deleted_at IS NULL AND p.held_at IS NULL AND p.hidden_at IS NULL
           AND t.deleted_at IS NULL AND t.held_at IS NULL AND p.space_id IN ({})
         GROUP BY t.id, t.title, t.space_id
         ORDER BY COUNT(*) DESC, MAX(p.created_at) DESC, t.id
         LIMIT $3",
        placeholders(4, space_ids.len())
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, ActiveConversation>(&sql)
            .bind(community_id)
            .bind(since)
            .bind(limit);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}
