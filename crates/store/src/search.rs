//! Full-text search over posts. Indexing and querying differ per dialect (FTS5 against
//! tsvector); both live in `sqlite.rs` and `postgres.rs`, and this module picks and builds
//! the statements (shared with bench/discussions, so the benchmark explains what the app runs).
//!
//! Cost is bounded for every query shape: matches are read newest first and at most
//! [`RANK_WINDOW`] of them (after the filters) are ranked, so a word in nearly every post costs
//! a few thousand rows, not a million. A word with fewer matches than that (in the filtered
//! range) is ranked over all of them, exactly as before. SQLite's FTS5 rowid is a time key
//! (`created_at * 1000 + n`), so the index itself yields matches newest first and answers a
//! date range; PostgreSQL walks `posts_community_time` / `posts_space_time` /
//! `posts_author_time` backwards and checks the tsvector, or uses the GIN index for rarer
//! words, as its planner estimates.

use crate::db::{Backend, Db, Pools, Tx, TxInner};
use crate::Result;

/// Snippet highlight markers: control characters that never occur in posts, so the web layer
/// can escape the snippet and then turn these into `<mark>` safely.
pub const MARK_START: char = '\u{2}';
pub const MARK_END: char = '\u{3}';

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SearchHit {
    pub post_id: String,
    pub topic_id: String,
    pub title: String,
    /// With the match highlighted between [`MARK_START`] and [`MARK_END`]; for a search
    /// without words, the start of the post's Markdown.
    pub snippet: String,
    pub author_name: String,
    pub author_handle: String,
    pub space_id: String,
    pub is_first: bool,
    pub created_at: i64,
}

/// The order of results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SearchOrder {
    /// Best matches first (bm25 / ts_rank), among the newest [`RANK_WINDOW`] matches.
    #[default]
    Relevance,
    /// Newest first.
    Newest,
}

/// What to search and where. Every condition narrows: the caller puts only spaces the
/// reader may see into `space_ids`, and nothing here can widen that.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub community_id: String,
    /// Spaces to search (readable by the reader; one when filtered by space).
    pub space_ids: Vec<String>,
    pub author_id: Option<String>,
    pub tag: Option<String>,
    /// Written at or after (microseconds UTC).
    pub from: Option<i64>,
    /// Written before (microseconds UTC).
    pub until: Option<i64>,
    /// Only first posts of topics.
    pub topics_only: bool,
    pub order: SearchOrder,
    pub limit: i64,
}

/// How many matches (newest first, after the filters) are ranked by relevance at most.
pub const RANK_WINDOW: i64 = 2000;

/// Up to this many matches are counted to choose the driving index: on SQLite, with an author
/// filter, between the word index and the author's posts; on PostgreSQL between ranking every match (fewer than
/// this) and ranking the matches among the newest [`RECENT_WINDOW`] filtered posts.
pub const COUNT_CAP: i64 = 5000;

/// PostgreSQL, words with many matches: how many of the newest filtered posts are checked
/// first; a window that holds less than a page of matches is widened tenfold, then all
/// matches are ranked (a word common long ago and rare since).
pub const RECENT_WINDOW: i64 = 10_000;

/// Writes (or rewrites) a post's search document in the post's transaction. The post row
/// must exist (SQLite keys the document by the post's time).
pub async fn index_post(tx: &mut Tx, post_id: &str, title: &str, body: &str) -> Result<()> {
    match &mut tx.inner {
        TxInner::Sqlite(t) => crate::sqlite::index_post(t, post_id, title, body).await,
        TxInner::Postgres(t) => crate::postgres::index_post(t, post_id, title, body).await,
    }
}

pub async fn unindex_post(tx: &mut Tx, post_id: &str) -> Result<()> {
    match &mut tx.inner {
        TxInner::Sqlite(t) => crate::sqlite::unindex_post(t, post_id).await,
        TxInner::Postgres(t) => crate::postgres::unindex_post(t, post_id).await,
    }
}

/// Whether a member's query has words to look for (both dialects keep letters and digits).
pub fn has_words(query: &str) -> bool {
    query.chars().any(char::is_alphanumeric)
}

/// Posts matching `query` (words, each a prefix) under `filter`. A query without words lists
/// the filtered posts newest first.
pub async fn search(db: &Db, query: &str, filter: &SearchFilter) -> Result<Vec<SearchHit>> {
    if filter.space_ids.is_empty() || filter.limit <= 0 {
        return Ok(Vec::new());
    }
    if let (Some(from), Some(until)) = (filter.from, filter.until) {
        if from >= until {
            return Ok(Vec::new());
        }
    }
    match db.pools() {
        Pools::Sqlite { reader, .. } => crate::sqlite::search(reader, query, filter).await,
        Pools::Postgres(pool) => crate::postgres::search(pool, query, filter).await,
    }
}

/// A bound value of a built statement.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Text(String),
    Int(i64),
}

/// Which index drives a word search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    /// The word index (FTS5 newest first; PostgreSQL: the planner's choice).
    Words,
    /// The author's posts newest first, each checked against the word index, listed newest
    /// first (SQLite, for words with at least [`COUNT_CAP`] matches and an author filter).
    AuthorPosts,
    /// The newest `window` filtered posts, each checked against the words (PostgreSQL, for
    /// words with at least [`COUNT_CAP`] matches).
    RecentPosts { window: i64 },
}

/// A statement and its arguments, in placeholder order.
#[derive(Debug, Clone)]
pub struct Statement {
    pub sql: String,
    pub args: Vec<Arg>,
}

struct Builder {
    args: Vec<Arg>,
}

impl Builder {
    fn push(&mut self, a: Arg) -> String {
        self.args.push(a);
        format!("${}", self.args.len())
    }

    /// The filter conditions on `p` (posts), `AND`-joined. `time` says whether the date range
    /// applies to `p.created_at` (else the caller applies it elsewhere).
    fn post_conditions(&mut self, f: &SearchFilter, time: bool) -> String {
        let mut c = vec![format!(
            "p.community_id = {}",
            self.push(Arg::Text(f.community_id.clone()))
        )];
        let spaces: Vec<String> = f
            .space_ids
            .iter()
            .map(|s| self.push(Arg::Text(s.clone())))
            .collect();
        c.push(format!("p.space_id IN ({})", spaces.join(", ")));
        // Hidden posts leave search (the full-text index drops them too; this covers the
        // word-less listings, which read posts directly).
        c.push("p.deleted_at IS NULL AND p.hidden_at IS NULL AND p.held_at IS NULL".into());
        if let Some(a) = &f.author_id {
            c.push(format!("p.author_id = {}", self.push(Arg::Text(a.clone()))));
        }
        if time {
            if let Some(from) = f.from {
                c.push(format!("p.created_at >= {}", self.push(Arg::Int(from))));
            }
            if let Some(until) = f.until {
                c.push(format!("p.created_at < {}", self.push(Arg::Int(until))));
            }
        }
        if f.topics_only {
            c.push("p.is_first = TRUE".into());
        }
        if let Some(tag) = &f.tag {
            c.push(format!(
                "EXISTS (SELECT 1 FROM topic_tags tt WHERE tt.topic_id = p.topic_id AND tt.tag = {})",
                self.push(Arg::Text(tag.clone()))
            ));
        }
        c.join(" AND ")
    }
}

const HIT_COLUMNS: &str = "u.display_name AS author_name, u.handle AS author_handle, \
     p.space_id, p.is_first, p.created_at";

/// The statement listing filtered posts newest first, without words (both dialects).
pub fn list_sql(filter: &SearchFilter) -> Statement {
    let mut b = Builder { args: Vec::new() };
    let conditions = b.post_conditions(filter, true);
    let limit = b.push(Arg::Int(filter.limit));
    Statement {
        sql: format!(
            "SELECT p.id AS post_id, p.topic_id, t.title, substr(p.body_markdown, 1, 400) AS snippet,
                    {HIT_COLUMNS}
             FROM posts p
             JOIN topics t ON t.id = p.topic_id
             JOIN users u ON u.id = p.author_id
             WHERE {conditions} AND t.deleted_at IS NULL AND t.held_at IS NULL
             ORDER BY p.created_at DESC, p.id DESC
             LIMIT {limit}"
        ),
        args: b.args,
    }
}

/// The word search statement of a backend. `query` is the dialect's query text (FTS5
/// expression / tsquery); `$1` is always the query.
pub fn search_sql(
    backend: Backend,
    query: &str,
    filter: &SearchFilter,
    driver: Driver,
) -> Statement {
    let mut b = Builder {
        args: vec![Arg::Text(query.to_string())],
    };
    // Newest first needs only a page of matches; relevance ranks a bounded window of them.
    let window = match filter.order {
        SearchOrder::Newest => filter.limit,
        SearchOrder::Relevance => RANK_WINDOW,
    };
    let relevance = filter.order == SearchOrder::Relevance;
    match backend {
        Backend::Sqlite => {
            let score = if relevance {
                "bm25(post_search, 0.0, 5.0, 1.0)"
            } else {
                "0.0"
            };
            let hits = match driver {
                Driver::Words => {
                    // FTS5 reads the rowid (time key) range newest first and stops after the
                    // window; the joins check the filters per match.
                    let mut range = String::new();
                    if let Some(from) = filter.from {
                        let p = b.push(Arg::Int(from.saturating_mul(1000)));
                        range.push_str(&format!(" AND post_search.rowid >= {p}"));
                    }
                    if let Some(until) = filter.until {
                        let p = b.push(Arg::Int(until.saturating_mul(1000)));
                        range.push_str(&format!(" AND post_search.rowid < {p}"));
                    }
                    let conditions = b.post_conditions(filter, false);
                    format!(
                        "SELECT post_search.rowid AS search_rowid, p.id AS post_id, {score} AS score
                         FROM post_search
                         CROSS JOIN posts p ON p.id = post_search.post_id
                         CROSS JOIN topics t ON t.id = p.topic_id
                         WHERE post_search MATCH $1{range} AND {conditions} AND t.deleted_at IS NULL AND t.held_at IS NULL
                         ORDER BY post_search.rowid DESC
                         LIMIT {window}"
                    )
                }
                Driver::AuthorPosts | Driver::RecentPosts { .. } => {
                    // Newest first, without bm25: FTS5 recomputes bm25's statistics (a pass
                    // over every match of each word) for every probe by rowid.
                    let conditions = b.post_conditions(filter, true);
                    let page = filter.limit;
                    format!(
                        "SELECT post_search.rowid AS search_rowid, p.id AS post_id, 0.0 AS score
                         FROM posts p
                         CROSS JOIN topics t ON t.id = p.topic_id
                         CROSS JOIN post_search_rowids m ON m.post_id = p.id
                         CROSS JOIN post_search ON post_search.rowid = m.search_rowid
                         WHERE post_search MATCH $1 AND {conditions} AND t.deleted_at IS NULL AND t.held_at IS NULL
                         ORDER BY p.created_at DESC
                         LIMIT {page}"
                    )
                }
            };
            let limit = b.push(Arg::Int(filter.limit));
            let order = if relevance {
                "hits.score, hits.search_rowid DESC"
            } else {
                "hits.search_rowid DESC"
            };
            Statement {
                sql: format!(
                    "WITH hits AS ({hits})
                     SELECT p.id AS post_id, p.topic_id, t.title,
                            (SELECT snippet(post_search, 2, char(2), char(3), '…', 24) FROM post_search
                             WHERE post_search MATCH $1 AND rowid = hits.search_rowid) AS snippet,
                            {HIT_COLUMNS}
                     FROM hits
                     JOIN posts p ON p.id = hits.post_id
                     JOIN topics t ON t.id = p.topic_id
                     JOIN users u ON u.id = p.author_id
                     ORDER BY {order}
                     LIMIT {limit}"
                ),
                args: b.args,
            }
        }
        Backend::Postgres => {
            let conditions = b.post_conditions(filter, true);
            let limit = b.push(Arg::Int(filter.limit));
            let score = if relevance {
                "ts_rank(s.document, to_tsquery('english', $1))"
            } else {
                "0::real"
            };
            let hits = match driver {
                // Few matches: the GIN index finds them all; all are ranked.
                Driver::Words | Driver::AuthorPosts => format!(
                    "SELECT p.id AS post_id, {score} AS score, p.created_at
                     FROM post_search s
                     JOIN posts p ON p.id = s.post_id
                     JOIN topics t ON t.id = p.topic_id
                     WHERE s.document @@ to_tsquery('english', $1) AND {conditions} AND t.deleted_at IS NULL AND t.held_at IS NULL"
                ),
                // Many matches: the newest filtered posts, read backwards on a posts index
                // (the LIMIT keeps the planner to that), are checked against the words.
                Driver::RecentPosts { window } => format!(
                    "SELECT recent.id AS post_id, {score} AS score, recent.created_at
                     FROM (SELECT p.id, p.created_at
                           FROM posts p JOIN topics t ON t.id = p.topic_id
                           WHERE {conditions} AND t.deleted_at IS NULL AND t.held_at IS NULL
                           ORDER BY p.created_at DESC
                           LIMIT {window}) recent
                     JOIN post_search s ON s.post_id = recent.id
                     WHERE s.document @@ to_tsquery('english', $1)"
                ),
            };
            Statement {
                sql: format!(
                    "WITH hits AS ({hits}
                         ORDER BY score DESC, created_at DESC
                         LIMIT {limit})
                     SELECT p.id AS post_id, p.topic_id, t.title,
                            ts_headline('english', p.body_markdown, to_tsquery('english', $1),
                                'StartSel=' || chr(2) || ', StopSel=' || chr(3) || ', MaxWords=30, MinWords=12') AS snippet,
                            {HIT_COLUMNS}
                     FROM hits
                     JOIN posts p ON p.id = hits.post_id
                     JOIN topics t ON t.id = p.topic_id
                     JOIN users u ON u.id = p.author_id
                     ORDER BY hits.score DESC, hits.created_at DESC, p.id DESC"
                ),
                args: b.args,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter() -> SearchFilter {
        SearchFilter {
            community_id: "c".into(),
            space_ids: vec!["s1".into(), "s2".into()],
            limit: 30,
            ..SearchFilter::default()
        }
    }

    #[test]
    fn placeholders_follow_the_arguments() {
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let f = SearchFilter {
                author_id: Some("a".into()),
                tag: Some("rust".into()),
                from: Some(10),
                until: Some(20),
                topics_only: true,
                ..filter()
            };
            for driver in [
                Driver::Words,
                Driver::AuthorPosts,
                Driver::RecentPosts { window: 10 },
            ] {
                let s = search_sql(backend, "x", &f, driver);
                for i in 1..=s.args.len() {
                    assert!(s.sql.contains(&format!("${i}")), "${i} in {}", s.sql);
                }
                assert!(!s.sql.contains(&format!("${}", s.args.len() + 1)));
            }
        }
        let s = list_sql(&filter());
        assert_eq!(s.args.len(), 4, "community, two spaces, limit");
        assert!(s.sql.contains("$4") && !s.sql.contains("$5"));
    }

    #[test]
    fn sqlite_date_range_is_a_rowid_range_on_the_word_index() {
        let f = SearchFilter {
            from: Some(7),
            until: Some(9),
            ..filter()
        };
        let s = search_sql(Backend::Sqlite, "x", &f, Driver::Words);
        assert!(s.args.contains(&Arg::Int(7000)) && s.args.contains(&Arg::Int(9000)));
        assert!(s.sql.contains("post_search.rowid >= $2"));
    }
}
