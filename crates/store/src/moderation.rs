//! Flags, hidden posts and the moderation audit log.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

pub mod members;
pub mod trust;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlagRow {
    pub id: String,
    pub community_id: String,
    pub target_kind: String,
    pub target_id: String,
    pub space_id: Option<String>,
    pub reporter_id: String,
    pub reason: String,
    pub note: String,
    pub status: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
}

/// Automatic flags have no reporter; they read as reporter "" (see `auto_moderation`).
const FLAG_COLUMNS: &str = "f.id, f.community_id, f.target_kind, f.target_id, f.space_id, \
     COALESCE(f.reporter_id, '') AS reporter_id, f.reason, f.note, f.status, f.created_at, f.resolved_at, f.resolution";

/// Records an open flag; false if the reporter already has an open flag on the item.
pub async fn insert_flag(tx: &mut Tx, f: &FlagRow) -> Result<bool> {
    let mut open_key = format!("{}:{}:{}", f.reporter_id, f.target_kind, f.target_id);
    if f.target_kind == "user" {
        // A member is the same id in every community: one open flag per community.
        open_key = format!("{open_key}:{}", f.community_id);
    }
    let n = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO flags (id, community_id, target_kind, target_id, space_id, reporter_id,
             reason, note, status, open_key, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10)
         ON CONFLICT (open_key) DO NOTHING"
    )
    .bind(&f.id)
    .bind(&f.community_id)
    .bind(&f.target_kind)
    .bind(&f.target_id)
    .bind(&f.space_id)
    .bind(&f.reporter_id)
    .bind(&f.reason)
    .bind(&f.note)
    .bind(&open_key)
    .bind(f.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

/// An open flag with its reporter's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct OpenFlag {
    #[sqlx(flatten)]
    pub flag: FlagRow,
    pub reporter_name: String,
}

/// A community's open flags, oldest first, optionally of one reason or space.
pub async fn open_flags(
    db: &Db,
    community_id: &str,
    reason: Option<&str>,
    space_id: Option<&str>,
    limit: i64,
) -> Result<Vec<OpenFlag>> {
    let sql = format!(
        "SELECT {FLAG_COLUMNS}, COALESCE(u.display_name, 'Auto-moderation') AS reporter_name
         FROM flags f LEFT JOIN users u ON u.id = f.reporter_id
         WHERE f.community_id = $1 AND f.status = 'open'
           AND ($2 = '' OR f.reason = $2) AND ($3 = '' OR f.space_id = $3)
         ORDER BY f.created_at, f.id
         LIMIT $4"
    );
    with_read!(db, |c| sqlx::query_as::<_, OpenFlag>(&sql)
        .bind(community_id)
        .bind(reason.unwrap_or(""))
        .bind(space_id.unwrap_or(""))
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

/// Closes the open flags on an item as `status` (dismissed or actioned); returns the
/// members whose flags were closed.
pub async fn resolve_flags(
    tx: &mut Tx,
    target_kind: &str,
    target_id: &str,
    status: &str,
    resolved_by: &str,
    resolution: &str,
    now: i64,
) -> Result<Vec<String>> {
    let reporters = with_tx!(tx, |c| {
        sqlx::query_scalar::<_, String>(
            "SELECT reporter_id FROM flags
         WHERE target_kind = $1 AND target_id = $2 AND status = 'open' AND reporter_id IS NOT NULL",
        )
        .bind(target_kind)
        .bind(target_id)
        .fetch_all(c)
        .await
        .db()
    })?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE flags SET status = $3, open_key = NULL, resolved_at = $4, resolved_by = $5,
             resolution = $6
         WHERE target_kind = $1 AND target_id = $2 AND status = 'open'"
    )
    .bind(target_kind)
    .bind(target_id)
    .bind(status)
    .bind(now)
    .bind(resolved_by)
    .bind(resolution)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(reporters)
}

/// Closes the open flags on an item in one community as `status`; returns the reporters.
#[allow(clippy::too_many_arguments)]
pub async fn resolve_flags_in(
    tx: &mut Tx,
    community_id: &str,
    target_kind: &str,
    target_id: &str,
    status: &str,
    resolved_by: &str,
    resolution: &str,
    now: i64,
) -> Result<Vec<String>> {
    let reporters = with_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT reporter_id FROM flags
         WHERE community_id = $1 AND target_kind = $2 AND target_id = $3 AND status = 'open'"
    )
    .bind(community_id)
    .bind(target_kind)
    .bind(target_id)
    .fetch_all(c)
    .await
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE flags SET status = $4, open_key = NULL, resolved_at = $5, resolved_by = $6,
             resolution = $7
         WHERE community_id = $1 AND target_kind = $2 AND target_id = $3 AND status = 'open'"
    )
    .bind(community_id)
    .bind(target_kind)
    .bind(target_id)
    .bind(status)
    .bind(now)
    .bind(resolved_by)
    .bind(resolution)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(reporters)
}

/// (open flags, creation time of the oldest) in a community: the "needs attention" card.
pub async fn open_flag_summary(db: &Db, community_id: &str) -> Result<(i64, Option<i64>)> {
    with_read!(db, |c| sqlx::query_as::<_, (i64, Option<i64>)>(
        "SELECT COUNT(*), MIN(created_at) FROM flags WHERE community_id = $1 AND status = 'open'"
    )
    .bind(community_id)
    .fetch_one(c)
    .await
    .db())
}

/// A member's flags, newest first: what they see of what they reported.
pub async fn flags_by_reporter(
    db: &Db,
    reporter_id: &str,
    community_id: &str,
    limit: i64,
) -> Result<Vec<FlagRow>> {
    let sql = format!(
        "SELECT {FLAG_COLUMNS} FROM flags f WHERE f.reporter_id = $1 AND f.community_id = $2
         ORDER BY f.created_at DESC LIMIT $3"
    );
    with_read!(db, |c| sqlx::query_as::<_, FlagRow>(&sql)
        .bind(reporter_id)
        .bind(community_id)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

pub async fn set_post_hidden(tx: &mut Tx, post_id: &str, hidden_at: Option<i64>) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE posts SET hidden_at = $2 WHERE id = $1"
    )
    .bind(post_id)
    .bind(hidden_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ActionRow {
    pub id: String,
    pub community_id: String,
    pub actor_id: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub subject_user_id: Option<String>,
    pub reason: String,
    /// JSON.
    pub detail: String,
    pub created_at: i64,
}

/// Appends to the audit log. There is no update or delete: the log only grows.
pub async fn insert_action(tx: &mut Tx, a: &ActionRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO moderation_actions (id, community_id, actor_id, action, target_kind,
             target_id, subject_user_id, reason, detail, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    )
    .bind(&a.id)
    .bind(&a.community_id)
    .bind(&a.actor_id)
    .bind(&a.action)
    .bind(&a.target_kind)
    .bind(&a.target_id)
    .bind(&a.subject_user_id)
    .bind(&a.reason)
    .bind(&a.detail)
    .bind(a.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// An audit log entry with the names it shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LoggedAction {
    #[sqlx(flatten)]
    pub action: ActionRow,
    pub actor_name: String,
    pub subject_name: Option<String>,
}

/// A community's audit log, newest first, before the keyset cursor `(created_at, id)`.
pub async fn actions(
    db: &Db,
    community_id: &str,
    before: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<LoggedAction>> {
    let (time, id) = before.unwrap_or((i64::MAX, "g"));
    with_read!(db, |c| sqlx::query_as::<_, LoggedAction>(
        "SELECT a.id, a.community_id, a.actor_id, a.action, a.target_kind, a.target_id,
                a.subject_user_id, a.reason, a.detail, a.created_at,
                actor.display_name AS actor_name, subject.display_name AS subject_name
         FROM moderation_actions a
         JOIN users actor ON actor.id = a.actor_id
         LEFT JOIN users subject ON subject.id = a.subject_user_id
         WHERE a.community_id = $1 AND (a.created_at, a.id) < ($2, $3)
         ORDER BY a.created_at DESC, a.id DESC
         LIMIT $4"
    )
    .bind(community_id)
    .bind(time)
    .bind(id)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

/// The latest actions taken about a member in a community: their history in the queue.
pub async fn actions_about<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    subject_user_id: &str,
    limit: i64,
) -> Result<Vec<ActionRow>> {
    with_read!(src, |c| sqlx::query_as::<_, ActionRow>(
        "SELECT id, community_id, actor_id, action, target_kind, target_id, subject_user_id,
                reason, detail, created_at
         FROM moderation_actions WHERE community_id = $1 AND subject_user_id = $2
         ORDER BY created_at DESC LIMIT $3"
    )
    .bind(community_id)
    .bind(subject_user_id)
    .bind(limit)
    .fetch_all(c)
    .await
    .db())
}

/// How many posts a member has written in a community (for the queue's author summary).
pub async fn post_count(db: &Db, community_id: &str, author_id: &str) -> Result<i64> {
    with_read!(db, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM posts WHERE author_id = $1 AND community_id = $2 AND deleted_at IS NULL"
    )
    .bind(author_id)
    .bind(community_id)
    .fetch_one(c)
    .await
    .db()
    })
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SanctionRow {
    pub id: String,
    pub community_id: String,
    pub user_id: String,
    pub kind: String,
    pub reason: String,
    pub created_by: String,
    pub created_at: i64,
    pub ends_at: Option<i64>,
    pub lifted_at: Option<i64>,
    pub lifted_by: Option<String>,
    pub lift_reason: Option<String>,
}

const SANCTION_COLUMNS: &str = "s.id, s.community_id, s.user_id, s.kind, s.reason, s.created_by, \
     s.created_at, s.ends_at, s.lifted_at, s.lifted_by, s.lift_reason";

pub async fn insert_sanction(tx: &mut Tx, s: &SanctionRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO member_sanctions (id, community_id, user_id, kind, reason, created_by,
             created_at, ends_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
    )
    .bind(&s.id)
    .bind(&s.community_id)
    .bind(&s.user_id)
    .bind(&s.kind)
    .bind(&s.reason)
    .bind(&s.created_by)
    .bind(s.created_at)
    .bind(s.ends_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// A member's sanctions in force at `now` (mutes, suspensions, bans; not warnings).
pub async fn active_sanctions<'a>(
    src: impl Into<Source<'a>>,
    community_id: &str,
    user_id: &str,
    now: i64,
) -> Result<Vec<SanctionRow>> {
    let sql = format!(
        "SELECT {SANCTION_COLUMNS} FROM member_sanctions s
         WHERE s.community_id = $1 AND s.user_id = $2 AND s.kind <> 'warn'
           AND s.lifted_at IS NULL AND (s.ends_at IS NULL OR s.ends_at > $3)
         ORDER BY s.created_at DESC"
    );
    with_read!(src, |c| sqlx::query_as::<_, SanctionRow>(&sql)
        .bind(community_id)
        .bind(user_id)
        .bind(now)
        .fetch_all(c)
        .await
        .db())
}

/// A sanction with the member's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedSanction {
    #[sqlx(flatten)]
    pub sanction: SanctionRow,
    pub member_name: String,
}

/// Every sanction in force in a community, newest first.
pub async fn sanctions_in_force(
    db: &Db,
    community_id: &str,
    now: i64,
) -> Result<Vec<ListedSanction>> {
    let sql = format!(
        "SELECT {SANCTION_COLUMNS}, u.display_name AS member_name
         FROM member_sanctions s JOIN users u ON u.id = s.user_id
         WHERE s.community_id = $1 AND s.kind <> 'warn' AND s.lifted_at IS NULL
           AND (s.ends_at IS NULL OR s.ends_at > $2)
         ORDER BY s.created_at DESC LIMIT 200"
    );
    with_read!(db, |c| sqlx::query_as::<_, ListedSanction>(&sql)
        .bind(community_id)
        .bind(now)
        .fetch_all(c)
        .await
        .db())
}

pub async fn sanction_by_id<'a>(
    src: impl Into<Source<'a>>,
    id: &str,
) -> Result<Option<SanctionRow>> {
    let sql = format!("SELECT {SANCTION_COLUMNS} FROM member_sanctions s WHERE s.id = $1");
    with_read!(src, |c| sqlx::query_as::<_, SanctionRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// Lifts a sanction; false if it was already lifted.
pub async fn lift_sanction(
    tx: &mut Tx,
    id: &str,
    lifted_by: &str,
    reason: &str,
    now: i64,
) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE member_sanctions SET lifted_at = $2, lifted_by = $3, lift_reason = $4
         WHERE id = $1 AND lifted_at IS NULL"
    )
    .bind(id)
    .bind(now)
    .bind(lifted_by)
    .bind(reason)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AppealRow {
    pub id: String,
    pub community_id: String,
    pub action_id: String,
    pub user_id: String,
    pub statement: String,
    pub status: String,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
    pub resolution: Option<String>,
}

const APPEAL_COLUMNS: &str = "ap.id, ap.community_id, ap.action_id, ap.user_id, ap.statement, \
     ap.status, ap.created_at, ap.resolved_at, ap.resolution";

/// Records an appeal; false if the action was already appealed.
pub async fn insert_appeal(tx: &mut Tx, a: &AppealRow) -> Result<bool> {
    let n = with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO appeals (id, community_id, action_id, user_id, statement, status, created_at)
         VALUES ($1, $2, $3, $4, $5, 'open', $6)
         ON CONFLICT (action_id) DO NOTHING"
    )
    .bind(&a.id)
    .bind(&a.community_id)
    .bind(&a.action_id)
    .bind(&a.user_id)
    .bind(&a.statement)
    .bind(a.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(n == 1)
}

/// An appeal with the action it contests and the member's name.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedAppeal {
    #[sqlx(flatten)]
    pub appeal: AppealRow,
    pub member_name: String,
    pub action: String,
    pub action_reason: String,
    pub target_kind: String,
    pub target_id: String,
}

/// A community's open appeals, oldest first.
pub async fn open_appeals(db: &Db, community_id: &str) -> Result<Vec<ListedAppeal>> {
    let sql = format!(
        "SELECT {APPEAL_COLUMNS}, u.display_name AS member_name, a.action, a.reason AS action_reason,
                a.target_kind, a.target_id
         FROM appeals ap
         JOIN users u ON u.id = ap.user_id
         JOIN moderation_actions a ON a.id = ap.action_id
         WHERE ap.community_id = $1 AND ap.status = 'open'
         ORDER BY ap.created_at LIMIT 200"
    );
    with_read!(db, |c| sqlx::query_as::<_, ListedAppeal>(&sql)
        .bind(community_id)
        .fetch_all(c)
        .await
        .db())
}

pub async fn appeal_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<AppealRow>> {
    let sql = format!("SELECT {APPEAL_COLUMNS} FROM appeals ap WHERE ap.id = $1");
    with_read!(src, |c| sqlx::query_as::<_, AppealRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// The appeals a member made in a community, keyed by the action they contest.
pub async fn appeals_of_member(
    db: &Db,
    community_id: &str,
    user_id: &str,
) -> Result<Vec<AppealRow>> {
    let sql = format!(
        "SELECT {APPEAL_COLUMNS} FROM appeals ap WHERE ap.community_id = $1 AND ap.user_id = $2"
    );
    with_read!(db, |c| sqlx::query_as::<_, AppealRow>(&sql)
        .bind(community_id)
        .bind(user_id)
        .fetch_all(c)
        .await
        .db())
}

/// Resolves an open appeal; false if it was already resolved.
pub async fn resolve_appeal(
    tx: &mut Tx,
    id: &str,
    status: &str,
    resolved_by: &str,
    resolution: &str,
    now: i64,
) -> Result<bool> {
    let n = with_tx!(tx, |c| sqlx::query(
        "UPDATE appeals SET status = $2, resolved_by = $3, resolution = $4, resolved_at = $5
         WHERE id = $1 AND status = 'open'"
    )
    .bind(id)
    .bind(status)
    .bind(resolved_by)
    .bind(resolution)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(n == 1)
}

pub async fn action_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<ActionRow>> {
    with_read!(src, |c| sqlx::query_as::<_, ActionRow>(
        "SELECT id, community_id, actor_id, action, target_kind, target_id, subject_user_id,
                reason, detail, created_at
         FROM moderation_actions WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(c)
    .await
    .db())
}

/// A flagged post with the names the queue shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct FlaggedPost {
    #[sqlx(flatten)]
    pub post: crate::discussions::PostRow,
    pub topic_title: String,
    pub author_name: String,
}

/// The live posts among `post_ids`, with their topics' titles and authors' names, in one read.
pub async fn flagged_posts(db: &Db, post_ids: &[String]) -> Result<Vec<FlaggedPost>> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(1, post_ids.len());
    let sql = format!(
        "SELECT {}, t.title AS topic_title, u.display_name AS author_name
         FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.author_id
         WHERE p.id IN ({placeholders}) AND p.deleted_at IS NULL AND t.deleted_at IS NULL",
        crate::discussions::POST_COLUMNS
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, FlaggedPost>(&sql);
        for id in post_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// How many appeals wait for a decision in a community.
pub async fn open_appeal_count(db: &Db, community_id: &str) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM appeals WHERE community_id = $1 AND status = 'open'"
    )
    .bind(community_id)
    .fetch_one(c)
    .await
    .db())
}
