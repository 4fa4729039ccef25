//! Communities and memberships.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CommunityRow {
    pub id: String,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub guidelines: String,
    pub visibility: String,
    pub join_policy: String,
    pub accent_color: String,
    /// IANA name; what managers schedule is read in this zone.
    pub time_zone: String,
    pub member_count: i64,
    pub created_by: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const COMMUNITY_COLUMNS: &str = "c.id, c.slug, c.name, c.description, c.guidelines, c.visibility, \
     c.join_policy, c.accent_color, c.time_zone, c.member_count, c.created_by, c.created_at, c.updated_at";

pub async fn insert_community(tx: &mut Tx, row: &CommunityRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO communities (id, slug, name, description, guidelines, visibility, join_policy,
             accent_color, member_count, created_by, created_at, updated_at, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    )
    .bind(&row.id)
    .bind(&row.slug)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.guidelines)
    .bind(&row.visibility)
    .bind(&row.join_policy)
    .bind(&row.accent_color)
    .bind(row.member_count)
    .bind(&row.created_by)
    .bind(row.created_at)
    .bind(row.updated_at)
    .bind(&row.time_zone)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Saves the editable settings (everything but ids, counters and creation facts).
pub async fn update_community(tx: &mut Tx, row: &CommunityRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE communities SET name = $2, description = $3, guidelines = $4, visibility = $5,
             join_policy = $6, accent_color = $7, updated_at = $8, time_zone = $9
         WHERE id = $1"
    )
    .bind(&row.id)
    .bind(&row.name)
    .bind(&row.description)
    .bind(&row.guidelines)
    .bind(&row.visibility)
    .bind(&row.join_policy)
    .bind(&row.accent_color)
    .bind(row.updated_at)
    .bind(&row.time_zone)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn community_by_slug<'a>(
    src: impl Into<Source<'a>>,
    slug: &str,
) -> Result<Option<CommunityRow>> {
    let sql = format!("SELECT {COMMUNITY_COLUMNS} FROM communities c WHERE c.slug = $1");
    with_read!(src, |c| sqlx::query_as::<_, CommunityRow>(&sql)
        .bind(slug)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn community_by_id<'a>(
    src: impl Into<Source<'a>>,
    id: &str,
) -> Result<Option<CommunityRow>> {
    let sql = format!("SELECT {COMMUNITY_COLUMNS} FROM communities c WHERE c.id = $1");
    with_read!(src, |c| sqlx::query_as::<_, CommunityRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// A community in a list, with the viewer's role in it (if any).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedCommunity {
    #[sqlx(flatten)]
    pub community: CommunityRow,
    pub my_role: Option<String>,
    pub my_status: Option<String>,
}

/// Communities a viewer may see, by name, after the keyset cursor `(name, id)`:
/// public ones, the viewer's own, and all of them for a superadmin.
pub async fn list_visible(
    db: &Db,
    viewer_id: Option<&str>,
    superadmin: bool,
    after: Option<(&str, &str)>,
    limit: i64,
) -> Result<Vec<ListedCommunity>> {
    let (after_name, after_id) = after.unwrap_or(("", ""));
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS}, m.role AS my_role, m.status AS my_status
         FROM communities c
         LEFT JOIN memberships m ON m.community_id = c.id AND m.user_id = $1
         WHERE (c.visibility = 'public' OR m.status = 'active' OR $2)
           AND (c.name > $3 OR (c.name = $3 AND c.id > $4))
         ORDER BY c.name, c.id
         LIMIT $5"
    );
    with_read!(db, |c| sqlx::query_as::<_, ListedCommunity>(&sql)
        .bind(viewer_id.unwrap_or(""))
        .bind(superadmin)
        .bind(after_name)
        .bind(after_id)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

/// The communities a person belongs to (active memberships), by name.
pub async fn list_joined(db: &Db, user_id: &str) -> Result<Vec<ListedCommunity>> {
    let sql = format!(
        "SELECT {COMMUNITY_COLUMNS}, m.role AS my_role, m.status AS my_status
         FROM memberships m JOIN communities c ON c.id = m.community_id
         WHERE m.user_id = $1 AND m.status = 'active'
         ORDER BY c.name, c.id"
    );
    with_read!(db, |c| sqlx::query_as::<_, ListedCommunity>(&sql)
        .bind(user_id)
        .fetch_all(c)
        .await
        .db())
}

// --- memberships ----------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MembershipRow {
    pub community_id: String,
    pub user_id: String,
    pub role: String,
    pub status: String,
    pub request_note: String,
    pub joined_at: i64,
}

pub async fn membership<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
) -> Result<Option<MembershipRow>> {
    with_read!(src, |c| sqlx::query_as::<_, MembershipRow>(
        "SELECT community_id, user_id, role, status, request_note, joined_at FROM memberships
         WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .fetch_optional(c)
    .await
    .db())
}

/// Adds or replaces a membership (a declined request may be made again).
pub async fn upsert_membership(tx: &mut Tx, m: &MembershipRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO memberships (community_id, user_id, role, status, request_note, joined_at,
             name_key, last_active_at)
         VALUES ($1, $2, $3, $4, $5, $6, (SELECT name_key FROM users WHERE id = $2), $6)
         ON CONFLICT (community_id, user_id) DO UPDATE
         SET role = excluded.role, status = excluded.status,
             request_note = excluded.request_note, joined_at = excluded.joined_at,
             name_key = excluded.name_key, last_active_at = excluded.last_active_at"
    )
    .bind(&m.community_id)
    .bind(&m.user_id)
    .bind(&m.role)
    .bind(&m.status)
    .bind(&m.request_note)
    .bind(m.joined_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn set_role(tx: &mut Tx, community_id: &str, user_id: &str, role: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE memberships SET role = $3 WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .bind(role)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn delete_membership(tx: &mut Tx, community_id: &str, user_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM memberships WHERE community_id = $1 AND user_id = $2"
    )
    .bind(community_id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Keeps the denormalised member count in step with active memberships.
pub async fn add_to_member_count(tx: &mut Tx, community_id: &str, delta: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE communities SET member_count = member_count + $2 WHERE id = $1"
    )
    .bind(community_id)
    .bind(delta)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn count_owners(tx: &mut Tx, community_id: &str) -> Result<i64> {
    with_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM memberships WHERE community_id = $1 AND role = 'owner' AND status = 'active'"
    )
    .bind(community_id)
    .fetch_one(c)
    .await
    .db()
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MemberListing {
    pub user_id: String,
    pub display_name: String,
    pub handle: String,
    pub role: String,
    pub status: String,
    pub request_note: String,
    pub joined_at: i64,
}

/// Members with a given status, newest first, after the keyset cursor `(joined_at, user_id)`.
pub async fn list_members(
    db: &Db,
    community_id: &str,
    status: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<MemberListing>> {
    let (before_time, before_id) = before.unwrap_or((i64::MAX, ""));
    with_read!(db, |c| sqlx::query_as::<_, MemberListing>(
        "SELECT m.user_id, u.display_name, u.handle, m.role, m.status, m.request_note, m.joined_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.community_id = $1 AND m.status = $2
           AND (m.joined_at < $3 OR (m.joined_at = $3 AND m.user_id < $4) OR $4 = '')
         ORDER BY m.joined_at DESC, m.user_id DESC
         LIMIT $5"
    )
    .bind(community_id)
    .bind(status)
    .bind(before_time)
    .bind(before_id)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

/// Active members whose handle or display name starts with `prefix` (for @mention
/// suggestions), by name.
pub async fn members_starting_with(
    db: &Db,
    community_id: &str,
    prefix: &str,
    limit: i64,
) -> Result<Vec<MemberListing>> {
    let pattern = format!("{}%", prefix.to_lowercase().replace(['%', '_', '\\'], ""));
    with_read!(db, |c| sqlx::query_as::<_, MemberListing>(
        "SELECT m.user_id, u.display_name, u.handle, m.role, m.status, m.request_note, m.joined_at
         FROM memberships m JOIN users u ON u.id = m.user_id
         WHERE m.community_id = $1 AND m.status = 'active'
           AND (u.handle LIKE $2 OR lower(u.display_name) LIKE $2)
         ORDER BY u.display_name
         LIMIT $3"
    )
    .bind(community_id)
    .bind(pattern)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}
