//! Users, sessions, API tokens and password resets.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub display_name: String,
    /// Unique, lower-case; what @mentions use.
    pub handle: String,
    pub password_hash: String,
    pub is_superadmin: bool,
    /// IANA name; the member's digest arrives by this clock.
    pub time_zone: String,
    pub created_at: i64,
    pub updated_at: i64,
}

const USER_COLUMNS: &str = "id, email, display_name, handle, password_hash, is_superadmin, \
     time_zone, created_at, updated_at";

pub async fn insert_user(tx: &mut Tx, user: &UserRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO users (id, email, display_name, handle, password_hash, is_superadmin, created_at, updated_at, time_zone)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(&user.display_name)
    .bind(&user.handle)
    .bind(&user.password_hash)
    .bind(user.is_superadmin)
    .bind(user.created_at)
    .bind(user.updated_at)
    .bind(&user.time_zone)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    crate::profiles::refresh_name(tx, &user.id).await
}

/// Whether a handle is in use (by anyone but `except_user_id`).
pub async fn handle_taken<'a>(
    src: impl Into<Source<'a>>,
    handle: &str,
    except_user_id: &str,
) -> Result<bool> {
    with_read!(src, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users WHERE handle = $1 AND id <> $2"
    )
    .bind(handle)
    .bind(except_user_id)
    .fetch_one(c)
    .await
    .db())
    .map(|n| n > 0)
}

/// The users with these handles (unknown handles are left out).
pub async fn users_by_handles<'a>(
    src: impl Into<Source<'a>>,
    handles: &[String],
) -> Result<Vec<UserRow>> {
    if handles.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(1, handles.len());
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE handle IN ({placeholders})");
    with_read!(src, |c| {
        let mut q = sqlx::query_as::<_, UserRow>(&sql);
        for h in handles {
            q = q.bind(h);
        }
        q.fetch_all(c).await.db()
    })
}

/// Sets a member's time zone (an IANA name, validated by the caller).
pub async fn set_time_zone(tx: &mut Tx, user_id: &str, time_zone: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET time_zone = $2 WHERE id = $1"
    )
    .bind(user_id)
    .bind(time_zone)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn update_handle(tx: &mut Tx, user_id: &str, handle: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET handle = $2 WHERE id = $1"
    )
    .bind(user_id)
    .bind(handle)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    crate::profiles::refresh_name(tx, user_id).await
}

pub async fn user_by_email<'a>(src: impl Into<Source<'a>>, email: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
    with_read!(src, |c| sqlx::query_as::<_, UserRow>(&sql)
        .bind(email)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn user_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<UserRow>> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
    with_read!(src, |c| sqlx::query_as::<_, UserRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

pub async fn update_profile(
    tx: &mut Tx,
    user_id: &str,
    email: &str,
    display_name: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET email = $2, display_name = $3, updated_at = $4 WHERE id = $1"
    )
    .bind(user_id)
    .bind(email)
    .bind(display_name)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    crate::profiles::refresh_name(tx, user_id).await
}

pub async fn update_password(tx: &mut Tx, user_id: &str, hash: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(user_id)
    .bind(hash)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn count_users(db: &Db) -> Result<i64> {
    with_read!(db, |c| sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(c)
    .await
    .db())
}

// --- sessions -------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub expires_at: i64,
}

pub async fn insert_session(tx: &mut Tx, s: &SessionRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&s.token_hash)
    .bind(&s.user_id)
    .bind(&s.csrf_token)
    .bind(s.created_at)
    .bind(s.expires_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// A live session and its user, in one query (every signed-in request makes it).
pub async fn session_with_user(
    db: &Db,
    token_hash: &str,
    now: i64,
) -> Result<Option<(SessionRow, UserRow)>> {
    #[derive(sqlx::FromRow)]
    struct Joined {
        #[sqlx(flatten)]
        session: SessionRow,
        email: String,
        display_name: String,
        handle: String,
        password_hash: String,
        is_superadmin: bool,
        time_zone: String,
        updated_at: i64,
        user_created_at: i64,
    }
    let row = with_read!(db, |c| sqlx::query_as::<_, Joined>(
        "SELECT s.token_hash, s.user_id, s.csrf_token, s.created_at, s.expires_at,
                u.email, u.display_name, u.handle, u.password_hash, u.is_superadmin, u.time_zone,
                u.updated_at, u.created_at AS user_created_at
         FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = $1 AND s.expires_at > $2"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await
    .db())?;
    Ok(row.map(|j| {
        let user = UserRow {
            id: j.session.user_id.clone(),
            email: j.email,
            display_name: j.display_name,
            handle: j.handle,
            password_hash: j.password_hash,
            is_superadmin: j.is_superadmin,
            time_zone: j.time_zone,
            created_at: j.user_created_at,
            updated_at: j.updated_at,
        };
        (j.session, user)
    }))
}

pub async fn delete_session(tx: &mut Tx, token_hash: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE token_hash = $1"
    )
    .bind(token_hash)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Ends every session of a user except, optionally, the one making the change.
pub async fn delete_other_sessions(tx: &mut Tx, user_id: &str, keep: Option<&str>) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2"
    )
    .bind(user_id)
    .bind(keep.unwrap_or(""))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn delete_expired_sessions(tx: &mut Tx, now: i64) -> Result<u64> {
    let done = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM sessions WHERE expires_at <= $1"
    )
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(done)
}

// --- API tokens -----------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ApiTokenRow {
    pub id: String,
    pub user_id: String,
    pub name: String,
    pub token_hash: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

pub async fn insert_api_token(tx: &mut Tx, t: &ApiTokenRow) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(&t.id)
    .bind(&t.user_id)
    .bind(&t.name)
    .bind(&t.token_hash)
    .bind(t.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

pub async fn user_by_api_token(db: &Db, token_hash: &str) -> Result<Option<UserRow>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, UserRow>(
        "SELECT u.id, u.email, u.display_name, u.handle, u.password_hash, u.is_superadmin, u.time_zone,
                u.created_at, u.updated_at
         FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
    )
    .bind(token_hash)
    .fetch_optional(c)
    .await
    .db()
    })
}

pub async fn api_tokens_of(db: &Db, user_id: &str) -> Result<Vec<ApiTokenRow>> {
    with_read!(db, |c| sqlx::query_as::<_, ApiTokenRow>(
        "SELECT id, user_id, name, token_hash, created_at, last_used_at FROM api_tokens
         WHERE user_id = $1 ORDER BY created_at DESC"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

pub async fn delete_api_token(tx: &mut Tx, user_id: &str, id: &str) -> Result<bool> {
    let done = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM api_tokens WHERE id = $1 AND user_id = $2"
    )
    .bind(id)
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(done == 1)
}

// --- password resets ------------------------------------------------------------------

pub async fn insert_password_reset(
    tx: &mut Tx,
    token_hash: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO password_resets (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)"
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

/// Marks a reset token used and returns its user, if it was valid; one statement, so a
/// token can never be used twice.
pub async fn consume_password_reset(
    tx: &mut Tx,
    token_hash: &str,
    now: i64,
) -> Result<Option<String>> {
    with_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "UPDATE password_resets SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING user_id"
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(c)
    .await
    .db())
}
