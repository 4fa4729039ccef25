//! Query plans of the hot queries on the filled database: EXPLAIN QUERY PLAN on SQLite,
//! EXPLAIN (ANALYZE, BUFFERS) on PostgreSQL. The SQL is a copy of the store's
//! (crates/store/src/{discussions,search,sqlite,postgres,activity}.rs), with its parameters.

use crate::fill::Bulk;
use crate::text;
use anyhow::Result;

const TOPIC_COLUMNS: &str = "t.id, t.community_id, t.space_id, t.author_id, t.title, t.tags, \
     t.is_question, t.accepted_post_id, t.pinned, t.locked, t.reply_count, t.reaction_count, \
     t.last_post_at, t.last_poster_id, t.created_at, t.deleted_at";
const POST_COLUMNS: &str = "p.id, p.topic_id, p.community_id, p.space_id, p.author_id, \
     p.reply_to_id, p.is_first, p.body_markdown, p.body_html, p.reaction_count, p.created_at, \
     p.edited_at, p.deleted_at";

/// A parameter.
enum P {
    S(String),
    I(i64),
    B(bool),
}

pub struct Params {
    pub community_id: String,
    pub space_id: String,
    pub topic_id: String,
    /// A keyset cursor half way down the space list.
    pub deep: (bool, i64, String),
    /// The long topic's author, for searches filtered by author.
    pub author_id: String,
    /// Now, in microseconds.
    pub now: i64,
}

fn queries(pg: bool, p: &Params) -> Vec<(String, String, Vec<P>)> {
    let list = format!(
        "SELECT {TOPIC_COLUMNS}, a.display_name AS author_name, l.display_name AS last_poster_name
         FROM topics t
         JOIN users a ON a.id = t.author_id
         LEFT JOIN users l ON l.id = t.last_poster_id
         WHERE t.space_id = $1 AND t.deleted_at IS NULL
           AND (t.pinned, t.last_post_at, t.id) < ($2, $3, $4)
         ORDER BY t.pinned DESC, t.last_post_at DESC, t.id DESC
         LIMIT $5"
    );
    let posts = format!(
        "SELECT {POST_COLUMNS}, a.display_name AS author_name, ra.display_name AS reply_to_author_name
         FROM posts p
         JOIN users a ON a.id = p.author_id
         LEFT JOIN posts r ON r.id = p.reply_to_id
         LEFT JOIN users ra ON ra.id = r.author_id
         WHERE p.topic_id = $1 AND (p.created_at, p.id) > ($2, $3)
         ORDER BY p.created_at, p.id
         LIMIT $4"
    );
    let latest = format!(
        "SELECT {TOPIC_COLUMNS}, a.display_name AS author_name, l.display_name AS last_poster_name
         FROM topics t
         JOIN users a ON a.id = t.author_id
         LEFT JOIN users l ON l.id = t.last_poster_id
         WHERE t.community_id = $1 AND t.deleted_at IS NULL AND t.space_id IN ($3)
         ORDER BY t.last_post_at DESC, t.id DESC
         LIMIT $2"
    );
    let activity =
        "SELECT a.id, a.community_id, a.actor_id, a.verb, a.object_type, a.object_id, a.detail,
                a.created_at, u.display_name
         FROM activities a LEFT JOIN users u ON u.id = a.actor_id
         WHERE a.community_id = $1 AND (a.created_at < $2 OR (a.created_at = $2 AND a.id < $3))
         ORDER BY a.created_at DESC, a.id DESC
         LIMIT $4"
            .to_string();
    let reactions = "SELECT r.post_id, r.emoji, COUNT(*) AS count,
                SUM(CASE WHEN r.user_id = $2 THEN 1 ELSE 0 END) AS mine
         FROM reactions r JOIN posts p ON p.id = r.post_id
         WHERE p.topic_id = $1
         GROUP BY r.post_id, r.emoji"
        .to_string();
    // The statements the app runs (one readable space here), with their arguments.
    use townsquare_app::store::search::{self as search, Arg, Driver, SearchFilter, SearchOrder};
    let backend = if pg {
        townsquare_app::store::Backend::Postgres
    } else {
        townsquare_app::store::Backend::Sqlite
    };
    let term = |w: &str| {
        if pg {
            format!("{w}:*")
        } else {
            format!("\"{w}\"*")
        }
    };
    // Words with WHOLE_WORDS_FROM or more matches are whole words on SQLite, not prefixes.
    let common = |w: &str| {
        if pg {
            format!("{w}:*")
        } else {
            format!("\"{w}\"")
        }
    };
    let base = SearchFilter {
        community_id: p.community_id.clone(),
        space_ids: vec![p.space_id.clone()],
        limit: 30,
        ..SearchFilter::default()
    };
    let by_author = SearchFilter {
        author_id: Some(p.author_id.clone()),
        ..base.clone()
    };
    let month = SearchFilter {
        from: Some(p.now - 30 * 86_400_000_000),
        until: Some(p.now),
        ..base.clone()
    };
    let newest = SearchFilter {
        order: SearchOrder::Newest,
        ..base.clone()
    };
    // The drivers the app picks for these words (PostgreSQL: past COUNT_CAP matches, the
    // newest posts; SQLite: an author with fewer posts than the word has matches).
    let many = if pg {
        Driver::RecentPosts {
            window: search::RECENT_WINDOW,
        }
    } else {
        Driver::Words
    };
    let author_driver = if pg { many } else { Driver::AuthorPosts };
    let searches = [
        (
            format!("search \"{}\" (common)", text::COMMON_WORD),
            search::search_sql(backend, &common(text::COMMON_WORD), &base, many),
        ),
        (
            format!("search \"{}\" (very common)", text::VERY_COMMON_WORD),
            search::search_sql(backend, &common(text::VERY_COMMON_WORD), &base, many),
        ),
        (
            format!("search \"{}\" (rare)", text::MARKER_WORD),
            search::search_sql(backend, &term(text::MARKER_WORD), &base, Driver::Words),
        ),
        (
            format!("search \"{}\", newest first", text::VERY_COMMON_WORD),
            search::search_sql(backend, &common(text::VERY_COMMON_WORD), &newest, many),
        ),
        (
            format!("search \"{}\" by one author", text::VERY_COMMON_WORD),
            search::search_sql(
                backend,
                &common(text::VERY_COMMON_WORD),
                &by_author,
                author_driver,
            ),
        ),
        (
            format!("search \"{}\" by one author (rare word)", text::MARKER_WORD),
            search::search_sql(backend, &term(text::MARKER_WORD), &by_author, Driver::Words),
        ),
        (
            format!("search \"{}\" in the last 30 days", text::VERY_COMMON_WORD),
            search::search_sql(backend, &common(text::VERY_COMMON_WORD), &month, many),
        ),
        (
            "search without words: one author's posts, newest first".to_string(),
            search::list_sql(&SearchFilter {
                order: SearchOrder::Newest,
                ..by_author.clone()
            }),
        ),
        (
            "search without words: the space, newest first".to_string(),
            search::list_sql(&newest),
        ),
    ];
    let s = |v: &str| P::S(v.to_string());
    let all = vec![
        (
            "index_post's delete (every reply, topic and edit)".into(),
            if pg {
                "DELETE FROM post_search WHERE post_id = $1".into()
            } else {
                "DELETE FROM post_search WHERE rowid = (SELECT search_rowid FROM post_search_rowids WHERE post_id = $1)".into()
            },
            vec![s("no-such-post")],
        ),
        (
            "list_topics (first page)".into(),
            list.clone(),
            vec![s(&p.space_id), P::B(true), P::I(i64::MAX), s("g"), P::I(31)],
        ),
        (
            "list_topics (deep page)".into(),
            list,
            vec![
                s(&p.space_id),
                P::B(p.deep.0),
                P::I(p.deep.1),
                s(&p.deep.2),
                P::I(31),
            ],
        ),
        (
            "posts_of_topic (first page)".into(),
            posts,
            vec![s(&p.topic_id), P::I(i64::MIN), s(""), P::I(51)],
        ),
        (
            "latest_in_spaces (community home)".into(),
            latest,
            vec![s(&p.community_id), P::I(10), s(&p.space_id)],
        ),
        (
            "recent_in_community (community home)".into(),
            activity,
            vec![s(&p.community_id), P::I(i64::MAX), s("g"), P::I(8)],
        ),
        (
            "reaction_tallies (topic page)".into(),
            reactions,
            vec![s(&p.topic_id), s("")],
        ),
    ];
    let mut all = all;
    for (name, st) in searches {
        let args = st
            .args
            .into_iter()
            .map(|a| match a {
                Arg::Text(t) => P::S(t),
                Arg::Int(i) => P::I(i),
            })
            .collect();
        all.push((name, st.sql, args));
    }
    all
}

pub async fn print(db: &mut Bulk, p: &Params) -> Result<()> {
    let pg = db.is_pg();
    println!(
        "\n## Query plans ({})\n",
        if pg {
            "PostgreSQL, EXPLAIN (ANALYZE, BUFFERS)"
        } else {
            "SQLite, EXPLAIN QUERY PLAN"
        }
    );
    for (name, sql, params) in queries(pg, p) {
        println!("### {name}");
        macro_rules! bind_all {
            ($q:expr) => {{
                let mut q = $q;
                for v in &params {
                    q = match v {
                        P::S(s) => q.bind(s.as_str()),
                        P::I(i) => q.bind(*i),
                        P::B(b) => q.bind(*b),
                    };
                }
                q
            }};
        }
        match db {
            Bulk::Sqlite(c) => {
                let explain = format!("EXPLAIN QUERY PLAN {sql}");
                let rows: Vec<(i64, i64, i64, String)> = bind_all!(sqlx::query_as(&explain))
                    .fetch_all(&mut *c)
                    .await?;
                let mut depth: Vec<(i64, usize)> = Vec::new();
                for (id, parent, _, detail) in rows {
                    while depth.last().is_some_and(|(d, _)| *d != parent) {
                        depth.pop();
                    }
                    let level = depth.last().map_or(0, |(_, l)| l + 1);
                    println!("    {}{detail}", "  ".repeat(level));
                    depth.push((id, level));
                }
                let started = std::time::Instant::now();
                let n = bind_all!(sqlx::query(&sql)).fetch_all(&mut *c).await?.len();
                println!(
                    "    -> {n} rows in {:.2} ms",
                    started.elapsed().as_secs_f64() * 1000.0
                );
            }
            Bulk::Pg(c) => {
                let explain = format!("EXPLAIN (ANALYZE, BUFFERS) {sql}");
                let rows: Vec<(String,)> = bind_all!(sqlx::query_as(&explain))
                    .fetch_all(&mut *c)
                    .await?;
                for (line,) in rows {
                    println!("    {line}");
                }
            }
        }
        println!();
    }
    Ok(())
}
