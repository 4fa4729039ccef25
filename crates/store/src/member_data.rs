//! Everything the platform holds about one member, read for their own export. Each read goes
//! by the member's id through an index that starts with it.

use crate::db::Db;
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportedMembership {
    pub community_slug: String,
    pub community_name: String,
    pub role: String,
    pub status: String,
    pub joined_at: i64,
}

pub async fn memberships(db: &Db, user_id: &str) -> Result<Vec<ExportedMembership>> {
    with_read!(db, |c| sqlx::query_as::<_, ExportedMembership>(
        "SELECT c.slug AS community_slug, c.name AS community_name, m.role, m.status, m.joined_at
         FROM memberships m JOIN communities c ON c.id = m.community_id
         WHERE m.user_id = $1 ORDER BY m.joined_at"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportedPost {
    pub id: String,
    pub community_slug: String,
    pub topic_id: String,
    pub topic_title: String,
    pub is_first: bool,
    pub body_markdown: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// The member's posts that still exist (topics' opening posts and replies), oldest first.
pub async fn posts(db: &Db, user_id: &str) -> Result<Vec<ExportedPost>> {
    with_read!(db, |c| sqlx::query_as::<_, ExportedPost>(
        "SELECT p.id, c.slug AS community_slug, p.topic_id, t.title AS topic_title, p.is_first,
                p.body_markdown, p.created_at, p.edited_at
         FROM posts p JOIN topics t ON t.id = p.topic_id JOIN communities c ON c.id = p.community_id
         WHERE p.author_id = $1 AND p.deleted_at IS NULL ORDER BY p.created_at, p.id"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportedRegistration {
    pub event_id: String,
    pub event_title: String,
    pub community_slug: String,
    pub starts_at: i64,
    pub status: String,
    pub registered_at: i64,
    pub checked_in_at: Option<i64>,
}

pub async fn registrations(db: &Db, user_id: &str) -> Result<Vec<ExportedRegistration>> {
    with_read!(db, |c| sqlx::query_as::<_, ExportedRegistration>(
        "SELECT e.id AS event_id, e.title AS event_title, c.slug AS community_slug, e.starts_at,
                r.status, r.queued_at AS registered_at, r.checked_in_at
         FROM event_registrations r JOIN events e ON e.id = r.event_id
         JOIN communities c ON c.id = e.community_id
         WHERE r.user_id = $1 ORDER BY e.starts_at"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExportedActivity {
    pub community_slug: Option<String>,
    pub verb: String,
    pub object_type: String,
    pub object_id: String,
    pub detail: String,
    pub created_at: i64,
}

/// What the member did, as the activity log recorded it, oldest first.
pub async fn activities(db: &Db, user_id: &str) -> Result<Vec<ExportedActivity>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, ExportedActivity>(
        "SELECT c.slug AS community_slug, a.verb, a.object_type, a.object_id, a.detail, a.created_at
         FROM activities a LEFT JOIN communities c ON c.id = a.community_id
         WHERE a.actor_id = $1 ORDER BY a.created_at, a.id"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db()
    })
}
