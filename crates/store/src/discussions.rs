//! Topics, posts, revisions and reactions.

use crate::db::{Db, Source, Tx};
use crate::error::MapErr;
use crate::Result;
use townsquare_domain::ranking::{self, Interaction};

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopicRow {
    pub id: String,
    pub community_id: String,
    pub space_id: String,
    pub author_id: String,
    pub title: String,
    /// Space-separated, lower-case tags (also in `topic_tags` for lookups).
    pub tags: String,
    pub is_question: bool,
    pub accepted_post_id: Option<String>,
    pub pinned: bool,
    pub locked: bool,
    pub reply_count: i64,
    pub reaction_count: i64,
    pub last_post_at: i64,
    pub last_poster_id: Option<String>,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
    /// Held for a moderator's approval (auto-moderation): only its author and moderators see it.
    pub held_at: Option<i64>,
}

pub(crate) const TOPIC_COLUMNS: &str =
    "t.id, t.community_id, t.space_id, t.author_id, t.title, t.tags, \
     t.is_question, t.accepted_post_id, t.pinned, t.locked, t.reply_count, t.reaction_count, \
     t.last_post_at, t.last_poster_id, t.created_at, t.deleted_at, t.held_at";

pub async fn insert_topic(tx: &mut Tx, t: &TopicRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO topics (id, community_id, space_id, author_id, title, tags, is_question,
             accepted_post_id, pinned, locked, reply_count, reaction_count, last_post_at,
             last_poster_id, created_at, deleted_at, trend_score)
         VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8, $9, 0, 0, $10, $4, $11, NULL, $12)"
    )
    .bind(&t.id)
    .bind(&t.community_id)
    .bind(&t.space_id)
    .bind(&t.author_id)
    .bind(&t.title)
    .bind(&t.tags)
    .bind(t.is_question)
    .bind(t.pinned)
    .bind(t.locked)
    .bind(t.last_post_at)
    .bind(t.created_at)
    .bind(ranking::single(Interaction::Topic, t.created_at))
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    for tag in t.tags.split_whitespace() {
        with_tx!(tx, |c| sqlx::query(
            "INSERT INTO topic_tags (topic_id, tag) VALUES ($1, $2) ON CONFLICT DO NOTHING"
        )
        .bind(&t.id)
        .bind(tag)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    Ok(())
}

pub async fn topic_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<TopicRow>> {
    let sql = format!("SELECT {TOPIC_COLUMNS} FROM topics t WHERE t.id = $1");
    with_read!(src, |c| sqlx::query_as::<_, TopicRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// A topic in a list, with the names a list shows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ListedTopic {
    #[sqlx(flatten)]
    pub topic: TopicRow,
    pub author_name: String,
    pub last_poster_name: Option<String>,
}

/// A space's topics: pinned first, then most recently active, after the keyset cursor
/// `(pinned, last_post_at, id)`.
pub async fn list_topics(
    db: &Db,
    space_id: &str,
    before: Option<(bool, i64, &str)>,
    limit: i64,
) -> Result<Vec<ListedTopic>> {
    let (pinned, time, id) = before.unwrap_or((true, i64::MAX, "g"));
    let sql = format!(
        "SELECT {TOPIC_COLUMNS}, a.display_name AS author_name, l.display_name AS last_poster_name
         FROM topics t
         JOIN users a ON a.id = t.author_id
         LEFT JOIN users l ON l.id = t.last_poster_id
         WHERE t.space_id = $1 AND t.deleted_at IS NULL AND t.held_at IS NULL
           AND (t.pinned, t.last_post_at, t.id) < ($2, $3, $4)
         ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC
         LIMIT $5"
    );
    with_read!(db, |c| sqlx::query_as::<_, ListedTopic>(&sql)
        .bind(space_id)
        .bind(pinned)
        .bind(time)
        .bind(id)
        .bind(limit)
        .fetch_all(c)
        .await
        .db())
}

/// The latest topics of a community in the given spaces (the community home).
pub async fn latest_in_spaces(
    db: &Db,
    community_id: &str,
    space_ids: &[String],
    limit: i64,
) -> Result<Vec<ListedTopic>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(3, space_ids.len());
    let sql = format!(
        "SELECT {TOPIC_COLUMNS}, a.display_name AS author_name, l.display_name AS last_poster_name
         FROM topics t
         JOIN users a ON a.id = t.author_id
         LEFT JOIN users l ON l.id = t.last_poster_id
         WHERE t.community_id = $1 AND t.deleted_at IS NULL AND t.held_at IS NULL AND t.space_id IN ({placeholders})
         ORDER BY t.last_post_at DESC, t.id DESC
         LIMIT $2"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, ListedTopic>(&sql)
            .bind(community_id)
            .bind(limit);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// The newest topics (by creation) in the given spaces, with their authors' names: what a
/// feed lists.
pub async fn newest_in_spaces(
    db: &Db,
    space_ids: &[String],
    limit: i64,
) -> Result<Vec<ListedTopic>> {
    if space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(2, space_ids.len());
    let sql = format!(
        "SELECT {TOPIC_COLUMNS}, a.display_name AS author_name, l.display_name AS last_poster_name
         FROM topics t
         JOIN users a ON a.id = t.author_id
         LEFT JOIN users l ON l.id = t.last_poster_id
         WHERE t.deleted_at IS NULL AND t.held_at IS NULL AND t.space_id IN ({placeholders})
         ORDER BY t.created_at DESC, t.id DESC
         LIMIT $1"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, ListedTopic>(&sql).bind(limit);
        for id in space_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// Records replies on their topic: the count, the latest activity and, for new replies, the
/// trending score.
pub async fn bump_topic(
    tx: &mut Tx,
    topic_id: &str,
    poster_id: &str,
    at: i64,
    replies: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET reply_count = reply_count + $4,
             last_post_at = CASE WHEN $3 > last_post_at THEN $3 ELSE last_post_at END,
             last_poster_id = $2
         WHERE id = $1"
    )
    .bind(topic_id)
    .bind(poster_id)
    .bind(at)
    .bind(replies)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    if replies > 0 {
        crate::topic_lists::add_trend(tx, topic_id, Interaction::Reply, at).await?;
    }
    Ok(())
}

/// Sets a topic's latest activity and last poster from the posts that remain shown (not
/// deleted, not held): after removals, the list no longer names a removed post's author.
/// With no reply left, the topic's own start and author.
pub async fn recompute_topic_activity(tx: &mut Tx, topic_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET
             last_post_at = COALESCE((SELECT p.created_at FROM posts p
                 WHERE p.topic_id = topics.id AND p.deleted_at IS NULL AND p.held_at IS NULL
                 ORDER BY p.created_at DESC, p.id DESC LIMIT 1), created_at),
             last_poster_id = COALESCE((SELECT p.author_id FROM posts p
                 WHERE p.topic_id = topics.id AND p.deleted_at IS NULL AND p.held_at IS NULL
                 ORDER BY p.created_at DESC, p.id DESC LIMIT 1), author_id)
         WHERE id = $1"
    )
    .bind(topic_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// A reply left its topic's shown posts (deleted by its author, removed or held by a
/// moderator or the rules, removed with its account): one reply fewer if it was counted
/// (held replies never were), and the latest activity and last poster recomputed from what
/// remains. Every removal path calls this, in its own transaction.
pub async fn reply_removed(tx: &mut Tx, topic_id: &str, counted: bool) -> Result<()> {
    if counted {
        with_tx!(tx, |c| sqlx::query(
            "UPDATE topics SET reply_count = reply_count - 1 WHERE id = $1 AND reply_count > 0"
        )
        .bind(topic_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected())
        .db())?;
    }
    recompute_topic_activity(tx, topic_id).await
}

/// A reply came back among the shown posts (a held reply or edit approved): one reply more
/// and the latest activity recomputed (it may be older than the current latest).
pub async fn reply_restored(tx: &mut Tx, topic_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET reply_count = reply_count + 1 WHERE id = $1"
    )
    .bind(topic_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    recompute_topic_activity(tx, topic_id).await
}

/// Moderators' switches on a topic.
pub async fn set_topic_flags(
    tx: &mut Tx,
    topic_id: &str,
    pinned: bool,
    locked: bool,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET pinned = $2, locked = $3 WHERE id = $1"
    )
    .bind(topic_id)
    .bind(pinned)
    .bind(locked)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn set_accepted(tx: &mut Tx, topic_id: &str, post_id: Option<&str>) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET accepted_post_id = $2 WHERE id = $1"
    )
    .bind(topic_id)
    .bind(post_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn delete_topic(tx: &mut Tx, topic_id: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET deleted_at = $2 WHERE id = $1"
    )
    .bind(topic_id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

// --- posts -----------------------------------------------------------------------------

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostRow {
    pub id: String,
    pub topic_id: String,
    pub community_id: String,
    pub space_id: String,
    pub author_id: String,
    pub reply_to_id: Option<String>,
    pub is_first: bool,
    pub body_markdown: String,
    pub body_html: String,
    pub reaction_count: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    /// Hidden by a moderator (still there for its author and moderators).
    pub hidden_at: Option<i64>,
    /// Held for a moderator's approval (auto-moderation): only its author and moderators see it.
    pub held_at: Option<i64>,
}

pub(crate) const POST_COLUMNS: &str = "p.id, p.topic_id, p.community_id, p.space_id, p.author_id, \
     p.reply_to_id, p.is_first, p.body_markdown, p.body_html, p.reaction_count, p.created_at, \
     p.edited_at, p.deleted_at, p.hidden_at, p.held_at";

pub async fn insert_post(tx: &mut Tx, p: &PostRow) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "INSERT INTO posts (id, topic_id, community_id, space_id, author_id, reply_to_id, is_first,
             body_markdown, body_html, reaction_count, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10)"
    )
    .bind(&p.id)
    .bind(&p.topic_id)
    .bind(&p.community_id)
    .bind(&p.space_id)
    .bind(&p.author_id)
    .bind(&p.reply_to_id)
    .bind(p.is_first)
    .bind(&p.body_markdown)
    .bind(&p.body_html)
    .bind(p.created_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn post_by_id<'a>(src: impl Into<Source<'a>>, id: &str) -> Result<Option<PostRow>> {
    let sql = format!("SELECT {POST_COLUMNS} FROM posts p WHERE p.id = $1");
    with_read!(src, |c| sqlx::query_as::<_, PostRow>(&sql)
        .bind(id)
        .fetch_optional(c)
        .await
        .db())
}

/// The first posts (the opening text) of the given topics, in one query; deleted posts are
/// left out. The order is unspecified: match them to topics by `topic_id`.
pub async fn first_posts(db: &Db, topic_ids: &[String]) -> Result<Vec<PostRow>> {
    if topic_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders = crate::sql::placeholders(1, topic_ids.len());
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p
         WHERE p.is_first AND p.deleted_at IS NULL AND p.topic_id IN ({placeholders})"
    );
    with_read!(db, |c| {
        let mut q = sqlx::query_as::<_, PostRow>(&sql);
        for id in topic_ids {
            q = q.bind(id);
        }
        q.fetch_all(c).await.db()
    })
}

/// A post as a topic page shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ShownPost {
    #[sqlx(flatten)]
    pub post: PostRow,
    pub author_name: String,
    /// The author's picture, if they have one.
    pub author_avatar_file_id: Option<String>,
    pub reply_to_author_name: Option<String>,
}

/// A topic's posts: its opening post first, then replies in time order after the keyset
/// cursor `(created_at, id)` (posts merged in from another topic keep their times).
pub async fn posts_of_topic(
    db: &Db,
    topic_id: &str,
    after: Option<(i64, &str)>,
    limit: i64,
) -> Result<Vec<ShownPost>> {
    let (time, id) = after.unwrap_or((i64::MIN, ""));
    let sql = format!(
        "SELECT {POST_COLUMNS}, a.display_name AS author_name,
                ap.avatar_file_id AS author_avatar_file_id, ra.display_name AS reply_to_author_name
         FROM posts p
         JOIN users a ON a.id = p.author_id
         LEFT JOIN member_profiles ap ON ap.user_id = p.author_id
         LEFT JOIN posts r ON r.id = p.reply_to_id
         LEFT JOIN users ra ON ra.id = r.author_id
         WHERE p.topic_id = $1
           AND ($5 OR (p.is_first = FALSE AND (p.created_at, p.id) > ($2, $3)))
         ORDER BY p.is_first DESC, p.created_at, p.id
         LIMIT $4"
    );
    with_read!(db, |c| sqlx::query_as::<_, ShownPost>(&sql)
        .bind(topic_id)
        .bind(time)
        .bind(id)
        .bind(limit)
        .bind(after.is_none())
        .fetch_all(c)
        .await
        .db())
}

pub async fn update_post_body(
    tx: &mut Tx,
    id: &str,
    markdown: &str,
    html: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE posts SET body_markdown = $2, body_html = $3, edited_at = $4 WHERE id = $1"
    )
    .bind(id)
    .bind(markdown)
    .bind(html)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

pub async fn delete_post(tx: &mut Tx, id: &str, now: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE posts SET deleted_at = $2 WHERE id = $1"
    )
    .bind(id)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RevisionRow {
    pub id: String,
    pub post_id: String,
    pub editor_id: String,
    pub editor_name: String,
    pub body_markdown: String,
    pub created_at: i64,
    /// A moderator's reason for editing someone else's post.
    pub reason: Option<String>,
}

/// Keeps the text a post had before an edit.
pub async fn insert_revision(
    tx: &mut Tx,
    id: &str,
    post_id: &str,
    editor_id: &str,
    markdown: &str,
    now: i64,
) -> Result<()> {
    with_tx!(tx, |c| {
        sqlx::query(
        "INSERT INTO post_revisions (id, post_id, editor_id, body_markdown, created_at) VALUES ($1, $2, $3, $4, $5)"
    )
    .bind(id)
    .bind(post_id)
    .bind(editor_id)
    .bind(markdown)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db()
    })?;
    Ok(())
}

pub async fn revisions_of(db: &Db, post_id: &str) -> Result<Vec<RevisionRow>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, RevisionRow>(
        "SELECT r.id, r.post_id, r.editor_id, u.display_name AS editor_name, r.body_markdown, r.created_at,
                r.reason
         FROM post_revisions r JOIN users u ON u.id = r.editor_id
         WHERE r.post_id = $1 ORDER BY r.created_at, r.id"
    )
    .bind(post_id)
    .fetch_all(c)
    .await
    .db()
    })
}

// --- reactions -------------------------------------------------------------------------

/// Adds a reaction; false if it was already there. Counters follow in the same transaction.
pub async fn add_reaction(
    tx: &mut Tx,
    post: &PostRow,
    user_id: &str,
    emoji: &str,
    now: i64,
) -> Result<bool> {
    let added = with_tx!(tx, |c| sqlx::query(
        "INSERT INTO reactions (post_id, user_id, emoji, created_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (post_id, user_id, emoji) DO NOTHING"
    )
    .bind(&post.id)
    .bind(user_id)
    .bind(emoji)
    .bind(now)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?
        == 1;
    if added {
        count_reaction(tx, post, 1).await?;
        crate::topic_lists::add_trend(tx, &post.topic_id, Interaction::Reaction, now).await?;
    }
    Ok(added)
}

pub async fn remove_reaction(
    tx: &mut Tx,
    post: &PostRow,
    user_id: &str,
    emoji: &str,
) -> Result<bool> {
    let removed = with_tx!(tx, |c| sqlx::query(
        "DELETE FROM reactions WHERE post_id = $1 AND user_id = $2 AND emoji = $3"
    )
    .bind(&post.id)
    .bind(user_id)
    .bind(emoji)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?
        == 1;
    if removed {
        count_reaction(tx, post, -1).await?;
    }
    Ok(removed)
}

async fn count_reaction(tx: &mut Tx, post: &PostRow, delta: i64) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE posts SET reaction_count = reaction_count + $2 WHERE id = $1"
    )
    .bind(&post.id)
    .bind(delta)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET reaction_count = reaction_count + $2 WHERE id = $1"
    )
    .bind(&post.topic_id)
    .bind(delta)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Reaction counts per post and emoji for a topic, and whether `viewer_id` gave each.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReactionTally {
    pub post_id: String,
    pub emoji: String,
    pub count: i64,
    pub mine: i64,
}

pub async fn reaction_tallies(
    db: &Db,
    topic_id: &str,
    viewer_id: &str,
) -> Result<Vec<ReactionTally>> {
    with_read!(db, |c| sqlx::query_as::<_, ReactionTally>(
        "SELECT r.post_id, r.emoji, COUNT(*) AS count,
                SUM(CASE WHEN r.user_id = $2 THEN 1 ELSE 0 END) AS mine
         FROM reactions r JOIN posts p ON p.id = r.post_id
         WHERE p.topic_id = $1
         GROUP BY r.post_id, r.emoji"
    )
    .bind(topic_id)
    .bind(viewer_id)
    .fetch_all(c)
    .await
    .db())
}

/// Who reacted to a post, with which emoji.
pub async fn reactors(db: &Db, post_id: &str) -> Result<Vec<(String, String, String)>> {
    with_read!(db, |c| {
        sqlx::query_as::<_, (String, String, String)>(
        "SELECT r.emoji, r.user_id, u.display_name FROM reactions r JOIN users u ON u.id = r.user_id
         WHERE r.post_id = $1 ORDER BY r.created_at"
    )
    .bind(post_id)
    .fetch_all(c)
    .await
    .db()
    })
}

/// Moves a topic and its posts to another space of the same community.
pub async fn move_topic(tx: &mut Tx, topic_id: &str, space_id: &str) -> Result<()> {
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET space_id = $2 WHERE id = $1"
    )
    .bind(topic_id)
    .bind(space_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE posts SET space_id = $2 WHERE topic_id = $1"
    )
    .bind(topic_id)
    .bind(space_id)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    Ok(())
}

/// Moves every post of `from` into `into` (as replies), adds its counts to `into`, and
/// deletes `from`. Returns the ids of the posts moved (their search documents need the new
/// title).
pub async fn merge_topics(
    tx: &mut Tx,
    from: &TopicRow,
    into: &TopicRow,
    now: i64,
) -> Result<Vec<String>> {
    let moved = with_tx!(tx, |c| {
        sqlx::query_scalar::<_, String>(
        "UPDATE posts SET topic_id = $2, space_id = $3, is_first = FALSE WHERE topic_id = $1 RETURNING id"
    )
    .bind(&from.id)
    .bind(&into.id)
    .bind(&into.space_id)
    .fetch_all(c)
    .await
    .db()
    })?;
    let live = with_tx!(tx, |c| {
        sqlx::query_scalar::<_, i64>(
        "SELECT COUNT(*) FROM posts WHERE topic_id = $1 AND deleted_at IS NULL AND held_at IS NULL AND is_first = FALSE"
    )
    .bind(&into.id)
    .fetch_one(c)
    .await
    .db()
    })?;
    with_tx!(tx, |c| sqlx::query(
        "UPDATE topics SET reply_count = $2, reaction_count = reaction_count + $3,
             last_post_at = CASE WHEN $4 > last_post_at THEN $4 ELSE last_post_at END
         WHERE id = $1"
    )
    .bind(&into.id)
    .bind(live)
    .bind(from.reaction_count)
    .bind(from.last_post_at)
    .execute(c)
    .await
    .map(|r| r.rows_affected())
    .db())?;
    delete_topic(tx, &from.id, now).await?;
    Ok(moved)
}
