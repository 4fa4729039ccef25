//! Deleting an account: what a community decides about a leaving account's posts, the
//! member's memberships and posts, the personal rows that go, and the user row made anonymous.

use crate::db::{Source, Tx};
use crate::error::MapErr;
use crate::Result;

/// The tables of personal data keyed by `user_id` that go with the account (the profile, its
/// answers and search words, notifications and preferences, reading state, subscriptions,
/// calendar feeds, moderators' notes about the member, onboarding state).
const PERSONAL_TABLES: &[&str] = &[
    "sessions",
    "api_tokens",
    "password_resets",
    "member_profiles",
    "member_interests",
    "profile_field_values",
    "member_search_terms",
    "notifications",
    "notification_preferences",
    "calendar_feeds",
    "bookmarks",
    "topic_subscriptions",
    "space_subscriptions",
    "topic_reads",
    "member_notes",
    "onboarding_nudges",
    "onboarding_opt_outs",
];

/// A community's rule for a deleted account's posts: `keep` or `remove`.
pub async fn departed_posts<'a>(src: impl Into<Source<'a>>, community_id: &str) -> Result<String> {
    with_read!(src, |c| sqlx::query_scalar::<_, String>(
        "SELECT departed_posts FROM communities WHERE id = $1"
    )
    .bind(community_id)
    .fetch_optional(c)
    .await
    .map(|r| r.unwrap_or_else(|| "keep".into()))
    .db())
}

pub async fn set_departed_posts(
    tx: &mut Tx,
    community_id: &str,
    policy: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE communities SET departed_posts = $2, updated_at = $3 WHERE id = $1"
    )
    .bind(community_id)
    .bind(policy)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Every membership row of a user (active, pending, banned...).
pub async fn memberships_of(
    tx: &mut Tx,
    user_id: &str,
) -> Result<Vec<crate::communities::MembershipRow>> {
    with_tx!(tx, |c| {
        sqlx::query_as::<_, crate::communities::MembershipRow>(
            "SELECT community_id, user_id, role, status, request_note, joined_at
         FROM memberships WHERE user_id = $1 ORDER BY community_id",
        )
        .bind(user_id)
        .fetch_all(c)
        .await
        .db()
    })
}

/// The communities a user has posts in that are not deleted.
pub async fn communities_with_posts(tx: &mut Tx, user_id: &str) -> Result<Vec<String>> {
    with_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT DISTINCT community_id FROM posts WHERE author_id = $1 AND deleted_at IS NULL
         ORDER BY community_id"
    )
    .bind(user_id)
    .fetch_all(c)
    .await
    .db())
}

/// A post being removed with its account.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RemovedPost {
    pub id: String,
    pub topic_id: String,
    pub is_first: bool,
    pub counted: bool,
}

/// The live posts of a user in a community.
pub async fn posts_in(tx: &mut Tx, user_id: &str, community_id: &str) -> Result<Vec<RemovedPost>> {
    with_tx!(tx, |c| sqlx::query_as::<_, RemovedPost>(
        "SELECT id, topic_id, is_first, held_at IS NULL AS counted FROM posts
         WHERE author_id = $1 AND community_id = $2 AND deleted_at IS NULL
         ORDER BY created_at"
    )
    .bind(user_id)
    .bind(community_id)
    .fetch_all(c)
    .await
    .db())
}

/// Deletes the user's rows of personal data (see `PERSONAL_TABLES`).
pub async fn delete_personal_rows(tx: &mut Tx, user_id: &str) -> Result<()> {
    for table in PERSONAL_TABLES {
        let sql = format!("DELETE FROM {table} WHERE user_id = $1");
        with_tx!(tx, |c| sqlx::query(&sql)
            .bind(user_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            .db())?;
    }
    Ok(())
}

/// Makes the user row anonymous: a tombstone address nobody can receive mail at (the real one
/// can sign up again), "Deleted member", a handle nobody would pick (the old one is free), a
/// password hash no password matches, and the deletion time.
pub async fn anonymise_user(tx: &mut Tx, user_id: &str, now: i64) -> Result<()> {
    let tail: String = user_id.chars().filter(|c| *c != '-').collect();
    let email = format!("deleted-{tail}@deleted.invalid");
    let handle = format!("deleted_{}", &tail[tail.len().saturating_sub(12)..]);
    with_tx!(tx, |c| sqlx::query(
        "UPDATE users SET email = $2, display_name = 'Deleted member', handle = $3,
             password_hash = '!deleted', is_superadmin = FALSE, deleted_at = $4, updated_at = $4
         WHERE id = $1"
    )
    .bind(user_id)
    .bind(&email)
    .bind(&handle)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Takes the text of a post removed with its account out of the database: the body (the row
/// stays, deleted, so replies and counts still refer to it), its earlier versions, the
/// notifications that quoted it, its place among featured posts and as an accepted answer.
pub async fn erase_post_text(tx: &mut Tx, post_id: &str) -> Result<()> {
    for sql in [
        "UPDATE posts SET body_markdown = '', body_html = '' WHERE id = $1",
        "DELETE FROM post_revisions WHERE post_id = $1",
        "DELETE FROM notifications WHERE post_id = $1",
        "DELETE FROM featured_posts WHERE post_id = $1",
        "UPDATE topics SET accepted_post_id = NULL WHERE accepted_post_id = $1",
    ] {
        with_tx!(tx, |c| sqlx::query(sql)
            .bind(post_id)
            .execute(c)
            .await
            .map(|r| r.rows_affected())
            .db())?;
    }
    crate::search::unindex_post(tx, post_id).await
}

/// Takes the title of a topic removed with its account (its first post was theirs) out of the
/// database: the title itself, the search documents of the other posts in it (each carries
/// the title), and the notifications the author's posting caused there.
pub async fn erase_topic_text(tx: &mut Tx, topic_id: &str, author_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET title = '' WHERE id = $1"
    )
    .bind(topic_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "DELETE FROM notifications WHERE topic_id = $1 AND actor_id = $2"
    )
    .bind(topic_id)
    .bind(author_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    let posts = with_tx!(tx, |c| sqlx::query_scalar::<_, String>(
        "SELECT id FROM posts WHERE topic_id = $1 ORDER BY id"
    )
    .bind(topic_id)
    .fetch_all(c)
    .await
    .db())?;
    for post_id in posts {
        crate::search::unindex_post(tx, &post_id).await?;
    }
    Ok(())
}

/// Event speaker entries that name the account become "Deleted member", without a bio (the
/// link to the account stays, so pages show it is a deleted member's entry).
pub async fn anonymise_speakers(tx: &mut Tx, user_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE event_speakers SET name = 'Deleted member', bio = '' WHERE user_id = $1"
    )
    .bind(user_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}
