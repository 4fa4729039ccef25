//! The analytics lists' counting queries (docs/metrics.md, "Lists"): champions, quiet
//! experts, members at risk, top content, support deflection and trending tags. Content
//! queries read posts and topics of a period through their (community, created_at) indexes,
//! restricted to the spaces given (the ones the viewer can see, or the one filtered on);
//! members at risk read the member-day rollup. Only live content counts: not deleted, held
//! or hidden.

use crate::db::Db;
use crate::error::MapErr;
use crate::sql::placeholders;
use crate::Result;

/// A half-open UTC range `[start, end)` of a period's local days, and the spaces to read.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    pub community_id: &'a str,
    pub start: i64,
    pub end: i64,
    pub space_ids: &'a [String],
}

const LIVE_POST: &str = "p.deleted_at IS NULL AND p.held_at IS NULL AND p.hidden_at IS NULL";
const LIVE_TOPIC: &str = "t.deleted_at IS NULL AND t.held_at IS NULL";
/// Reactions to post `p` by someone other than its author.
const REACTIONS_FROM_OTHERS: &str =
    "(SELECT COUNT(*) FROM reactions r WHERE r.post_id = p.id AND r.user_id <> p.author_id)";

/// Binds the scope's community, range and spaces as $1, $2, $3, $4.. and runs the query.
macro_rules! scoped {
    ($db:expr, $ty:ty, $sql:expr, $scope:expr $(, $extra:expr)*) => {{
        let scope: &Scope<'_> = $scope;
        with_read!($db, |c| {
            let mut q = sqlx::query_as::<_, $ty>($sql)
                .bind(scope.community_id)
                .bind(scope.start)
                .bind(scope.end);
            $(q = q.bind($extra);)*
            for id in scope.space_ids {
                q = q.bind(id);
            }
            q.fetch_all(c).await.db()
        })
    }};
}

/// What a member did in the period that helped others.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HelpRow {
    pub user_id: String,
    pub display_name: String,
    /// Their replies that were accepted as the answer to someone else's question.
    pub accepted_answers: i64,
    /// Their replies that received at least one reaction from someone else.
    pub helpful_replies: i64,
    /// Their replies to someone else's topic in the introductions space.
    pub welcomes: i64,
}

/// Per member, replies written in the period that were accepted answers, received reactions
/// or welcomed someone (`intro_space_id`, "" for none).
pub async fn help_given(db: &Db, s: &Scope<'_>, intro_space_id: &str) -> Result<Vec<HelpRow>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.user_id, u.display_name,
                CAST(SUM(x.accepted) AS BIGINT) AS accepted_answers,
                CAST(SUM(x.helpful) AS BIGINT) AS helpful_replies,
                CAST(SUM(x.welcome) AS BIGINT) AS welcomes
         FROM (
             SELECT p.author_id AS user_id,
                    CASE WHEN t.accepted_post_id = p.id AND t.author_id <> p.author_id
                         THEN 1 ELSE 0 END AS accepted,
                    CASE WHEN {REACTIONS_FROM_OTHERS} > 0 THEN 1 ELSE 0 END AS helpful,
                    CASE WHEN p.space_id = $4 AND t.author_id <> p.author_id
                         THEN 1 ELSE 0 END AS welcome
             FROM posts p JOIN topics t ON t.id = p.topic_id
             WHERE p.community_id = $1 AND p.created_at >= $2 AND p.created_at < $3
               AND p.is_first = FALSE AND {LIVE_POST} AND {LIVE_TOPIC}
               AND p.space_id IN ({})
         ) x JOIN users u ON u.id = x.user_id
         GROUP BY x.user_id, u.display_name
         HAVING SUM(x.accepted) + SUM(x.helpful) + SUM(x.welcome) > 0",
        placeholders(5, s.space_ids.len())
    );
    scoped!(db, HelpRow, &sql, s, intro_space_id)
}

/// A member who posted a little in the period, with how those posts fared.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PostingRow {
    pub user_id: String,
    pub display_name: String,
    /// Topics and replies written in the period.
    pub posts: i64,
    /// Of them, accepted as the answer to someone else's question.
    pub accepted_answers: i64,
    /// Reactions from others to them.
    pub reactions_received: i64,
}

/// Members with `min..=max` posts in the period and their accepted answers and reactions.
pub async fn light_posters(db: &Db, s: &Scope<'_>, min: i64, max: i64) -> Result<Vec<PostingRow>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.user_id, u.display_name, COUNT(*) AS posts,
                CAST(SUM(x.accepted) AS BIGINT) AS accepted_answers,
                CAST(SUM(x.reactions) AS BIGINT) AS reactions_received
         FROM (
             SELECT p.author_id AS user_id,
                    CASE WHEN t.accepted_post_id = p.id AND t.author_id <> p.author_id
                         THEN 1 ELSE 0 END AS accepted,
                    {REACTIONS_FROM_OTHERS} AS reactions
             FROM posts p JOIN topics t ON t.id = p.topic_id
             WHERE p.community_id = $1 AND p.created_at >= $2 AND p.created_at < $3
               AND {LIVE_POST} AND {LIVE_TOPIC} AND p.space_id IN ({})
         ) x JOIN users u ON u.id = x.user_id
         GROUP BY x.user_id, u.display_name
         HAVING COUNT(*) >= $4 AND COUNT(*) <= $5",
        placeholders(6, s.space_ids.len())
    );
    scoped!(db, PostingRow, &sql, s, min, max)
}

/// A member active before who has gone quiet.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuietRow {
    pub user_id: String,
    pub display_name: String,
    /// Their last local day with any activity.
    pub last_active_day: i64,
}

/// A topic with what happened in it during the period.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopTopicRow {
    pub topic_id: String,
    pub title: String,
    pub space_id: String,
    /// Replies written in the period.
    pub replies: i64,
    /// Reactions from others to the topic's posts written in the period.
    pub reactions: i64,
    /// Distinct authors of the topic's posts written in the period.
    pub participants: i64,
}

/// Topics with posts in the period, ranked by replies, reactions, then participants.
pub async fn top_topics(db: &Db, s: &Scope<'_>, limit: i64) -> Result<Vec<TopTopicRow>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.topic_id, x.title, x.space_id,
                CAST(SUM(x.reply) AS BIGINT) AS replies,
                CAST(SUM(x.reactions) AS BIGINT) AS reactions,
                COUNT(DISTINCT x.author_id) AS participants
         FROM (
             SELECT t.id AS topic_id, t.title, t.space_id, p.author_id,
                    CASE WHEN p.is_first THEN 0 ELSE 1 END AS reply,
                    {REACTIONS_FROM_OTHERS} AS reactions
             FROM posts p JOIN topics t ON t.id = p.topic_id
             WHERE p.community_id = $1 AND p.created_at >= $2 AND p.created_at < $3
               AND {LIVE_POST} AND {LIVE_TOPIC} AND p.space_id IN ({})
         ) x
         GROUP BY x.topic_id, x.title, x.space_id
         ORDER BY SUM(x.reply) DESC, SUM(x.reactions) DESC, COUNT(DISTINCT x.author_id) DESC,
                  x.title, x.topic_id
         LIMIT $4",
        placeholders(5, s.space_ids.len())
    );
    scoped!(db, TopTopicRow, &sql, s, limit)
}

/// A post written in the period and the response to it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TopPostRow {
    pub post_id: String,
    pub topic_id: String,
    pub topic_title: String,
    pub author_name: String,
    /// Reactions from others.
    pub reactions: i64,
    /// Replies that quote or answer it directly (`reply_to`).
    pub replies: i64,
    pub created_at: i64,
}

/// Posts written in the period with at least one reaction or direct reply, ranked by
/// reactions from others, then direct replies.
pub async fn top_posts(db: &Db, s: &Scope<'_>, limit: i64) -> Result<Vec<TopPostRow>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT x.* FROM (
             SELECT p.id AS post_id, t.id AS topic_id, t.title AS topic_title,
                    u.display_name AS author_name,
                    {REACTIONS_FROM_OTHERS} AS reactions,
                    (SELECT COUNT(*) FROM posts q WHERE q.reply_to_id = p.id
                       AND q.deleted_at IS NULL AND q.held_at IS NULL) AS replies,
                    p.created_at
             FROM posts p JOIN topics t ON t.id = p.topic_id JOIN users u ON u.id = p.author_id
             WHERE p.community_id = $1 AND p.created_at >= $2 AND p.created_at < $3
               AND {LIVE_POST} AND {LIVE_TOPIC} AND p.space_id IN ({})
         ) x
         WHERE x.reactions + x.replies > 0
         ORDER BY x.reactions DESC, x.replies DESC, x.created_at, x.post_id
         LIMIT $4",
        placeholders(5, s.space_ids.len())
    );
    scoped!(db, TopPostRow, &sql, s, limit)
}

/// A question asked in the period and who answered it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct QuestionRow {
    pub topic_id: String,
    pub created_at: i64,
    /// The role of the accepted answer's author (None: no accepted answer, or not a member).
    pub accepted_role: Option<String>,
    pub has_accepted: bool,
    /// The first reply by someone other than the asker.
    pub first_reply_at: Option<i64>,
    pub first_reply_role: Option<String>,
}

/// Live questions asked in the period, with their accepted answer's and first reply's authors'
/// roles in the community.
pub async fn questions(db: &Db, s: &Scope<'_>) -> Result<Vec<QuestionRow>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let first_reply = "FROM posts r WHERE r.topic_id = t.id AND r.is_first = FALSE
                         AND r.author_id <> t.author_id AND r.deleted_at IS NULL
                         AND r.held_at IS NULL";
    let sql = format!(
        "SELECT t.id AS topic_id, t.created_at,
                (SELECT m.role FROM posts a JOIN memberships m
                   ON m.community_id = t.community_id AND m.user_id = a.author_id
                 WHERE a.id = t.accepted_post_id AND a.deleted_at IS NULL) AS accepted_role,
                (t.accepted_post_id IS NOT NULL) AS has_accepted,
                (SELECT MIN(r.created_at) {first_reply}) AS first_reply_at,
                (SELECT m.role {first_reply_join} ORDER BY r.created_at, r.id LIMIT 1)
                  AS first_reply_role
         FROM topics t
         WHERE t.community_id = $1 AND t.created_at >= $2 AND t.created_at < $3
           AND t.is_question = TRUE AND {LIVE_TOPIC} AND t.space_id IN ({})",
        placeholders(4, s.space_ids.len()),
        first_reply_join = first_reply.replacen(
            "FROM posts r",
            "FROM posts r JOIN memberships m ON m.community_id = t.community_id
                                          AND m.user_id = r.author_id",
            1
        ),
    );
    scoped!(db, QuestionRow, &sql, s)
}

/// A tag's new topics in the recent and the baseline windows.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TagCounts {
    pub tag: String,
    pub recent: i64,
    pub baseline: i64,
}

/// Per tag, new topics created in `[recent_start, end)` and in `[start, recent_start)`; and
/// the totals of new topics in each window, as a row with the tag "" (zeros, not NULL, when
/// the range has no topic: PostgreSQL will not decode a NULL sum as a number).
pub async fn tag_counts(db: &Db, s: &Scope<'_>, recent_start: i64) -> Result<Vec<TagCounts>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let topics = format!(
        "FROM topics t WHERE t.community_id = $1 AND t.created_at >= $2 AND t.created_at < $3
           AND {LIVE_TOPIC} AND t.space_id IN ({})",
        placeholders(5, s.space_ids.len())
    );
    let sql = format!(
        "SELECT g.tag, CAST(SUM(CASE WHEN t.created_at >= $4 THEN 1 ELSE 0 END) AS BIGINT) AS recent,
                CAST(SUM(CASE WHEN t.created_at < $4 THEN 1 ELSE 0 END) AS BIGINT) AS baseline
         FROM topic_tags g JOIN topics t ON t.id = g.topic_id
         WHERE t.id IN (SELECT t.id {topics})
         GROUP BY g.tag
         UNION ALL
         SELECT '' AS tag,
                CAST(COALESCE(SUM(CASE WHEN t.created_at >= $4 THEN 1 ELSE 0 END), 0) AS BIGINT),
                CAST(COALESCE(SUM(CASE WHEN t.created_at < $4 THEN 1 ELSE 0 END), 0) AS BIGINT)
         {topics}"
    );
    scoped!(db, TagCounts, &sql, s, recent_start)
}

/// An example topic of a tag.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ExampleTopic {
    pub topic_id: String,
    pub title: String,
    pub reply_count: i64,
}

/// The tag's topics created in the range, most replied first (at most `limit`).
pub async fn tag_examples(
    db: &Db,
    s: &Scope<'_>,
    tag: &str,
    limit: i64,
) -> Result<Vec<ExampleTopic>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.id AS topic_id, t.title, t.reply_count
         FROM topics t JOIN topic_tags g ON g.topic_id = t.id AND g.tag = $4
         WHERE t.community_id = $1 AND t.created_at >= $2 AND t.created_at < $3
           AND {LIVE_TOPIC} AND t.space_id IN ({})
         ORDER BY t.reply_count DESC, t.created_at DESC, t.id
         LIMIT $5",
        placeholders(6, s.space_ids.len())
    );
    scoped!(db, ExampleTopic, &sql, s, tag, limit)
}

/// A live topic created in a scope's range, for the terms of its title.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct TitledTopic {
    pub topic_id: String,
    pub title: String,
    pub reply_count: i64,
    pub created_at: i64,
}

/// The topics created in the range, newest first, at most `limit` (memory stays bounded on a
/// busy community: the newest topics carry the trend).
pub async fn topic_titles(db: &Db, s: &Scope<'_>, limit: i64) -> Result<Vec<TitledTopic>> {
    if s.space_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "SELECT t.id AS topic_id, t.title, t.reply_count, t.created_at
         FROM topics t
         WHERE t.community_id = $1 AND t.created_at >= $2 AND t.created_at < $3
           AND {LIVE_TOPIC} AND t.space_id IN ({})
         ORDER BY t.created_at DESC, t.id
         LIMIT $4",
        placeholders(5, s.space_ids.len())
    );
    scoped!(db, TitledTopic, &sql, s, limit)
}
