//! Fills a migrated database with one community of the requested size, fast: multi-row
//! INSERTs into the store's tables in large transactions on a dedicated connection, with the
//! counters (reply_count, last_post_at, last_poster_id, member_count), the search table and
//! the activity log written as the app would have written them.

use crate::text;
use anyhow::{bail, Context, Result};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::json;
use sqlx::{Connection, PgConnection, SqliteConnection};
use std::time::Instant;
use townsquare_domain::markdown;

pub const PASSWORD: &str = "bench-password-not-secret";
pub const COMMUNITY_SLUG: &str = "bench";
pub const SPACE_SLUG: &str = "general";
const MICROS_PER_MINUTE: i64 = 60_000_000;
const MICROS_PER_DAY: i64 = 24 * 60 * MICROS_PER_MINUTE;
/// Posts per fill transaction.
const POSTS_PER_TX: usize = 20_000;

#[derive(Debug, Clone)]
pub struct Config {
    pub topics: usize,
    pub posts: usize,
    pub long_topic_replies: usize,
    pub users: usize,
    pub seed: u64,
}

/// What the load phase needs to know about the filled database.
pub struct Filled {
    pub community_id: String,
    pub space_id: String,
    pub long_topic_id: String,
    /// `(created_at, id)` of the post after which a later page of the long topic starts.
    pub long_topic_later: Option<(i64, String)>,
    pub topic_ids: Vec<String>,
    /// E-mail addresses of members the load workers sign in as.
    pub member_emails: Vec<String>,
}

/// A value to bind.
#[derive(Clone)]
pub enum V {
    S(String),
    I(i64),
    B(bool),
    /// NULL text.
    Null,
    /// NULL integer (PostgreSQL wants the type right).
    NullI,
}

/// The connection the fill writes through.
pub enum Bulk {
    Sqlite(SqliteConnection),
    Pg(PgConnection),
}

impl Bulk {
    pub async fn connect(url: &str) -> Result<Bulk> {
        if url.starts_with("postgres") {
            let mut c = PgConnection::connect(url).await?;
            sqlx::query("SET synchronous_commit = off")
                .execute(&mut c)
                .await?;
            // Skips foreign-key triggers (the fill is consistent by construction) when the
            // role may; a plain role keeps them, which is only slower.
            if sqlx::query("SET session_replication_role = replica")
                .execute(&mut c)
                .await
                .is_err()
            {
                eprintln!("note: cannot skip foreign-key checks during the fill (not a superuser)");
            }
            Ok(Bulk::Pg(c))
        } else {
            let mut c = SqliteConnection::connect(url).await?;
            for pragma in [
                "PRAGMA foreign_keys = OFF",
                "PRAGMA synchronous = OFF",
                "PRAGMA cache_size = -524288",
                "PRAGMA temp_store = MEMORY",
            ] {
                sqlx::query(pragma).execute(&mut c).await?;
            }
            Ok(Bulk::Sqlite(c))
        }
    }

    pub fn is_pg(&self) -> bool {
        matches!(self, Bulk::Pg(_))
    }

    pub async fn exec(&mut self, sql: &str) -> Result<()> {
        match self {
            Bulk::Sqlite(c) => {
                sqlx::query(sql).execute(&mut *c).await?;
            }
            Bulk::Pg(c) => {
                sqlx::query(sql).execute(&mut *c).await?;
            }
        }
        Ok(())
    }

    pub async fn count(&mut self, table: &str) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        Ok(match self {
            Bulk::Sqlite(c) => sqlx::query_scalar(&sql).fetch_one(&mut *c).await?,
            Bulk::Pg(c) => sqlx::query_scalar(&sql).fetch_one(&mut *c).await?,
        })
    }

    /// `INSERT INTO table (cols) VALUES row, row, ...` in statements of at most ~30,000
    /// bound values. `row` is the template of one row, each `?` a value (default: one `?`
    /// per column).
    pub async fn insert(
        &mut self,
        table: &str,
        cols: &[&str],
        row: Option<&str>,
        rows: &[Vec<V>],
    ) -> Result<()> {
        let default_row = format!("({})", vec!["?"; cols.len()].join(", "));
        let row = row.unwrap_or(&default_row);
        let per_row = row.matches('?').count();
        let per_statement = (30_000 / per_row).clamp(1, 1000);
        for chunk in rows.chunks(per_statement) {
            let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
            let mut n = 0;
            for (i, r) in chunk.iter().enumerate() {
                debug_assert_eq!(r.len(), per_row, "{table}: row width");
                if i > 0 {
                    sql.push_str(", ");
                }
                for part in row.split_inclusive('?') {
                    match part.strip_suffix('?') {
                        Some(head) => {
                            n += 1;
                            sql.push_str(head);
                            sql.push('$');
                            sql.push_str(&n.to_string());
                        }
                        None => sql.push_str(part),
                    }
                }
            }
            macro_rules! bind_all {
                ($c:expr) => {{
                    let mut q = sqlx::query(&sql);
                    for v in chunk.iter().flatten() {
                        q = match v {
                            V::S(s) => q.bind(s.as_str()),
                            V::I(i) => q.bind(*i),
                            V::B(b) => q.bind(*b),
                            V::Null => q.bind(None::<String>),
                            V::NullI => q.bind(None::<i64>),
                        };
                    }
                    q.execute(&mut *$c)
                        .await
                        .with_context(|| format!("insert into {table}"))?;
                }};
            }
            match self {
                Bulk::Sqlite(c) => bind_all!(c),
                Bulk::Pg(c) => bind_all!(c),
            }
        }
        Ok(())
    }
}

/// A UUIDv7 whose time is `micros` (ids sort like the rows were written at that time).
fn id_at(micros: i64, rng: &mut ChaCha8Rng) -> String {
    let secs = (micros / 1_000_000) as u64;
    let nanos = ((micros % 1_000_000) * 1000) as u32;
    let ts = uuid::Timestamp::from_unix(uuid::NoContext, secs, nanos);
    // new_v7 takes its random bits from the OS; mix in ours for a seeded, stable order.
    let mut bytes = *uuid::Uuid::new_v7(ts).as_bytes();
    let r: [u8; 8] = rng.gen();
    bytes[8..].copy_from_slice(&r);
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    uuid::Uuid::from_bytes(bytes).to_string()
}

const FIRST: &[&str] = &[
    "Ada", "Ben", "Chloé", "Dmitri", "Elif", "Farah", "Gabriel", "Hana", "Ines", "Jamal", "Kenji",
    "Lena", "Mateo", "Nadia", "Oskar", "Paula", "Rosa", "Sofia", "Tariq", "Uma",
];
const LAST: &[&str] = &[
    "Okafor",
    "Schmidt",
    "Tanaka",
    "Novak",
    "García",
    "Haddad",
    "Kowalski",
    "Nguyen",
    "Rossi",
    "Johansson",
    "Mensah",
    "Dubois",
    "Silva",
    "Petrov",
    "Yilmaz",
    "Kim",
    "Andersen",
];

/// A user index, skewed: a few people write much of the content.
fn poster(rng: &mut ChaCha8Rng, users: usize) -> usize {
    let u: f64 = rng.gen();
    ((u.powf(2.0) * users as f64) as usize).min(users - 1)
}

pub async fn fill(
    app: &townsquare_app::App,
    url: &str,
    cfg: &Config,
    workers: usize,
) -> Result<Filled> {
    if cfg.topics < 1 || cfg.users < 2 {
        bail!("need at least one topic and two users");
    }
    if cfg.posts < cfg.topics + cfg.long_topic_replies {
        bail!(
            "--posts must be at least --topics + --long-topic-replies ({})",
            cfg.topics + cfg.long_topic_replies
        );
    }
    let started = Instant::now();
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let now = app.now();

    // The owner goes through the app, so the password hash is a real one; every other
    // account reuses it (hashing thousands of passwords would only measure argon2).
    let owner = app
        .create_user(
            "owner@bench.townsquare.test",
            "Bench Owner",
            PASSWORD,
            false,
        )
        .await
        .map_err(|e| anyhow::anyhow!("create owner: {e:?}"))?;
    let mut db = Bulk::connect(url).await?;
    let hash: String = {
        let sql = "SELECT password_hash FROM users WHERE id = $1";
        match &mut db {
            Bulk::Sqlite(c) => {
                sqlx::query_scalar(sql)
                    .bind(&owner.user_id)
                    .fetch_one(&mut *c)
                    .await?
            }
            Bulk::Pg(c) => {
                sqlx::query_scalar(sql)
                    .bind(&owner.user_id)
                    .fetch_one(&mut *c)
                    .await?
            }
        }
    };

    // --- people, the community and its space ----------------------------------------
    let year_ago = now - 365 * MICROS_PER_DAY;
    let mut users: Vec<(String, String)> = vec![(owner.user_id.clone(), "Bench Owner".into())];
    let mut member_emails = Vec::new();
    let mut rows = Vec::new();
    for i in 1..cfg.users {
        let name = format!(
            "{} {}",
            FIRST[i % FIRST.len()],
            LAST[(i * 7 + i / FIRST.len()) % LAST.len()]
        );
        let email = format!("member{i}@bench.townsquare.test");
        let created = year_ago - rng.gen_range(0..365 * MICROS_PER_DAY);
        let id = id_at(created, &mut rng);
        rows.push(vec![
            V::S(id.clone()),
            V::S(email.clone()),
            V::S(name.clone()),
            V::S(format!("member{i}")),
            V::S(hash.clone()),
            V::B(false),
            V::I(created),
            V::I(created),
        ]);
        if member_emails.len() < workers {
            member_emails.push(email);
        }
        users.push((id, name));
    }
    db.exec("BEGIN").await?;
    db.insert(
        "users",
        &[
            "id",
            "email",
            "display_name",
            "handle",
            "password_hash",
            "is_superadmin",
            "created_at",
            "updated_at",
        ],
        None,
        &rows,
    )
    .await?;
    let community_id = id_at(year_ago - 400 * MICROS_PER_DAY, &mut rng);
    let space_id = id_at(year_ago - 400 * MICROS_PER_DAY, &mut rng);
    let since = year_ago - 400 * MICROS_PER_DAY;
    db.insert(
        "communities",
        &[
            "id",
            "slug",
            "name",
            "description",
            "guidelines",
            "visibility",
            "join_policy",
            "accent_color",
            "member_count",
            "created_by",
            "created_at",
            "updated_at",
        ],
        None,
        &[vec![
            V::S(community_id.clone()),
            V::S(COMMUNITY_SLUG.into()),
            V::S("Bench Community".into()),
            V::S("A large community for measuring Townsquare.".into()),
            V::S("Be kind.".into()),
            V::S("public".into()),
            V::S("open".into()),
            V::S("#0f766e".into()),
            V::I(users.len() as i64),
            V::S(owner.user_id.clone()),
            V::I(since),
            V::I(since),
        ]],
    )
    .await?;
    let mut space_members = Vec::new();
    let mut memberships = Vec::new();
    for (i, (id, _)) in users.iter().enumerate() {
        let joined = since + rng.gen_range(0..365 * MICROS_PER_DAY);
        memberships.push(vec![
            V::S(community_id.clone()),
            V::S(id.clone()),
            V::S(if i == 0 { "owner" } else { "member" }.into()),
            V::S("active".into()),
            V::S(String::new()),
            V::I(joined),
        ]);
        if i == 0 || rng.gen_bool(0.6) {
            space_members.push(vec![V::S(space_id.clone()), V::S(id.clone()), V::I(joined)]);
        }
    }
    db.insert(
        "spaces",
        &[
            "id",
            "community_id",
            "slug",
            "name",
            "description",
            "kind",
            "visibility",
            "position",
            "member_count",
            "created_by",
            "created_at",
        ],
        None,
        &[vec![
            V::S(space_id.clone()),
            V::S(community_id.clone()),
            V::S(SPACE_SLUG.into()),
            V::S("General".into()),
            V::S("Everything about everything.".into()),
            V::S("discussion".into()),
            V::S("everyone".into()),
            V::I(0),
            V::I(space_members.len() as i64),
            V::S(owner.user_id.clone()),
            V::I(since),
        ]],
    )
    .await?;
    db.insert(
        "memberships",
        &[
            "community_id",
            "user_id",
            "role",
            "status",
            "request_note",
            "joined_at",
        ],
        None,
        &memberships,
    )
    .await?;
    db.insert(
        "space_members",
        &["space_id", "user_id", "joined_at"],
        None,
        &space_members,
    )
    .await?;
    db.exec("COMMIT").await?;
    drop((memberships, space_members, rows));

    // --- topics and posts -----------------------------------------------------------
    // Replies per topic: topic 0 has exactly `long_topic_replies`; the rest are spread with
    // a skew (some topics busy, most quiet), the busiest staying below the long topic.
    let mut replies = vec![0usize; cfg.topics];
    replies[0] = cfg.long_topic_replies;
    let rest = cfg.posts - cfg.topics - cfg.long_topic_replies;
    if cfg.topics > 1 {
        for _ in 0..rest {
            let u: f64 = rng.gen();
            let i = 1 + ((u.powf(1.5) * (cfg.topics - 1) as f64) as usize).min(cfg.topics - 2);
            replies[i] += 1;
        }
    } else {
        replies[0] += rest;
    }
    // Shuffle the busy topics across time (topic 0 stays the long one).
    replies[1..].shuffle(&mut rng);

    if db.is_pg() {
        // One GIN build at the end is far faster than a million incremental inserts.
        db.exec("DROP INDEX post_search_document").await?;
    } else {
        db.exec("CREATE TABLE bench_search_staging (rowid INTEGER PRIMARY KEY, post_id TEXT, title TEXT, body TEXT)")
            .await?;
    }

    let span = 730 * MICROS_PER_DAY;
    let mut topic_ids = Vec::with_capacity(cfg.topics);
    let mut long_topic_later = None;
    let mut batch = Batch::default();
    let mut post_count = 0u64;
    let mut html_checked = 0;
    let (mut with_common, mut with_very_common) = (0u64, 0u64);
    let mut last_report = Instant::now();
    let mut search_keys = std::collections::HashSet::with_capacity(cfg.posts);
    for (t, &k) in replies.iter().enumerate() {
        let created = now - span + rng.gen_range(0..span - 60 * MICROS_PER_MINUTE);
        let topic_id = id_at(created, &mut rng);
        let author = poster(&mut rng, users.len());
        let title = text::title(&mut rng);
        let mut tags: Vec<&str> = Vec::new();
        for _ in 0..rng.gen_range(0..3) {
            let tag = text::TAGS[rng.gen_range(0..text::TAGS.len())];
            if !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        let is_question = rng.gen_bool(0.1);
        // Replies within a month of the topic (a long topic over three), never in the future.
        let window = if k > 100 { 90 } else { 30 } * MICROS_PER_DAY;
        let end = (created + window).min(now - MICROS_PER_MINUTE);
        let mut times: Vec<i64> = (0..k).map(|_| rng.gen_range(created + 1..=end)).collect();
        times.sort_unstable();
        let mut post_ids: Vec<(String, usize)> = Vec::with_capacity(k + 1);
        let mut last = (created, author);
        for (j, at) in std::iter::once(created).chain(times).enumerate() {
            let who = if j == 0 {
                author
            } else {
                poster(&mut rng, users.len())
            };
            let id = id_at(at, &mut rng);
            post_count += 1;
            let marker = post_count % text::MARKER_EVERY == text::MARKER_EVERY - 1;
            let (md, mut html, mut plain) = text::post(&mut rng, marker);
            if html_checked < 200 {
                html_checked += 1;
                let (h, p) = (markdown::render(&md), markdown::plain_text(&md));
                if h != html || p != plain {
                    eprintln!(
                        "note: generated HTML differs from markdown::render; rendering every post"
                    );
                    html_checked = usize::MAX;
                }
                html = h;
                plain = p;
            } else if html_checked == usize::MAX {
                html = markdown::render(&md);
                plain = markdown::plain_text(&md);
            }
            for (word, n) in [
                (text::COMMON_WORD, &mut with_common),
                (text::VERY_COMMON_WORD, &mut with_very_common),
            ] {
                if plain.contains(word) || title.to_lowercase().contains(word) {
                    *n += 1;
                }
            }
            let reply_to = (j > 0 && rng.gen_bool(0.2))
                .then(|| post_ids[rng.gen_range(0..post_ids.len())].clone());
            batch.posts.push(vec![
                V::S(id.clone()),
                V::S(topic_id.clone()),
                V::S(community_id.clone()),
                V::S(space_id.clone()),
                V::S(users[who].0.clone()),
                reply_to.as_ref().map_or(V::Null, |(p, _)| V::S(p.clone())),
                V::B(j == 0),
                V::S(md),
                V::S(html),
                V::I(0),
                V::I(at),
            ]);
            // SQLite's FTS5 rowid is a time key, as `search::index_post` assigns it.
            let mut key = at * 1000;
            while !search_keys.insert(key) {
                key += 1;
            }
            batch.search.push(vec![
                V::I(key),
                V::S(id.clone()),
                V::S(title.clone()),
                V::S(plain),
            ]);
            let (verb, object_type, object_id, detail) = if j == 0 {
                (
                    "topic_created",
                    "topic",
                    topic_id.clone(),
                    json!({"title": title, "space_id": space_id, "question": is_question, "tags": tags}),
                )
            } else {
                (
                    "post_created",
                    "post",
                    id.clone(),
                    json!({"topic_id": topic_id, "reply_to": reply_to.as_ref().map(|r| &r.0), "topic_author_id": users[author].0}),
                )
            };
            batch.activities.push(vec![
                V::S(id_at(at, &mut rng)),
                V::S(community_id.clone()),
                V::S(users[who].0.clone()),
                V::S(verb.into()),
                V::S(object_type.into()),
                V::S(object_id),
                V::S(detail.to_string()),
                V::I(at),
            ]);
            if t == 0 && j == 5 * townsquare_app::discussions::POSTS_PER_PAGE as usize - 1 {
                long_topic_later = Some((at, id.clone()));
            }
            post_ids.push((id, who));
            last = (at, who);
        }
        // A handful of pinned topics, as moderators keep them.
        let pinned = t % (cfg.topics / 3).max(1) == 1;
        batch.topics.push(vec![
            V::S(topic_id.clone()),
            V::S(community_id.clone()),
            V::S(space_id.clone()),
            V::S(users[author].0.clone()),
            V::S(title),
            V::S(tags.join(" ")),
            V::B(is_question),
            V::Null,
            V::B(pinned),
            V::B(false),
            V::I(k as i64),
            V::I(0),
            V::I(last.0),
            V::S(users[last.1].0.clone()),
            V::I(created),
            V::NullI,
        ]);
        for tag in &tags {
            batch
                .tags
                .push(vec![V::S(topic_id.clone()), V::S((*tag).into())]);
        }
        topic_ids.push(topic_id);
        if batch.posts.len() >= POSTS_PER_TX || t + 1 == cfg.topics {
            batch.write(&mut db).await?;
            batch = Batch::default();
            if last_report.elapsed().as_secs() >= 15 {
                last_report = Instant::now();
                eprintln!(
                    "  ... {} topics, {post_count} posts ({:.0} s)",
                    t + 1,
                    started.elapsed().as_secs_f64()
                );
            }
        }
    }
    let posts_done = Instant::now();
    eprintln!(
        "  topics and posts written in {:.1} s",
        (posts_done - started).as_secs_f64()
    );
    if db.is_pg() {
        db.exec("SET maintenance_work_mem = '1GB'").await?;
        db.exec("CREATE INDEX post_search_document ON post_search USING GIN (document)")
            .await?;
        eprintln!(
            "  search index built in {:.1} s",
            posts_done.elapsed().as_secs_f64()
        );
        db.exec("VACUUM ANALYZE").await?;
    } else {
        db.exec("INSERT INTO post_search (rowid, post_id, title, body) SELECT rowid, post_id, title, body FROM bench_search_staging ORDER BY rowid")
            .await?;
        db.exec("DROP TABLE bench_search_staging").await?;
        eprintln!(
            "  search index written in {:.1} s",
            posts_done.elapsed().as_secs_f64()
        );
        // What `search::index_post` keeps beside the FTS5 table (migration 0008).
        db.exec("INSERT INTO post_search_rowids (post_id, search_rowid) SELECT post_id, rowid FROM post_search")
            .await?;
        db.exec("ANALYZE").await?;
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)").await?;
    }
    println!(
        "fill: {:.1} s (including index build and ANALYZE)",
        started.elapsed().as_secs_f64()
    );
    let mut counts = Vec::new();
    for table in [
        "users",
        "memberships",
        "topics",
        "posts",
        "post_search",
        "activities",
    ] {
        counts.push(format!("{table} {}", db.count(table).await?));
    }
    println!("rows: {}", counts.join(", "));
    println!(
        "long topic: {} replies; posts with \"{}\": {:.1}%, with \"{}\": {:.1}%, with \"{}\": 1 in {}",
        cfg.long_topic_replies,
        text::VERY_COMMON_WORD,
        100.0 * with_very_common as f64 / post_count as f64,
        text::COMMON_WORD,
        100.0 * with_common as f64 / post_count as f64,
        text::MARKER_WORD,
        text::MARKER_EVERY
    );
    match db {
        Bulk::Sqlite(c) => c.close().await?,
        Bulk::Pg(c) => c.close().await?,
    }
    Ok(Filled {
        community_id,
        space_id,
        long_topic_id: topic_ids[0].clone(),
        long_topic_later,
        topic_ids,
        member_emails,
    })
}

/// What `fill` returned, read back from a database it filled earlier.
pub async fn filled(url: &str, workers: usize) -> Result<Filled> {
    let mut db = Bulk::connect(url).await?;
    let community_sql = "SELECT id FROM communities WHERE slug = $1";
    let space_sql = "SELECT id FROM spaces WHERE slug = $1";
    let long_sql = "SELECT id FROM topics ORDER BY reply_count DESC LIMIT 1";
    let topics_sql = "SELECT id FROM topics ORDER BY created_at";
    let later_sql = "SELECT created_at, id FROM posts WHERE topic_id = $1 ORDER BY created_at, id LIMIT 1 OFFSET $2";
    let offset = 5 * townsquare_app::discussions::POSTS_PER_PAGE - 1;
    macro_rules! read {
        ($c:expr) => {{
            let c = $c;
            let (community_id,): (String,) = sqlx::query_as(community_sql)
                .bind(COMMUNITY_SLUG)
                .fetch_one(&mut *c)
                .await?;
            let (space_id,): (String,) = sqlx::query_as(space_sql)
                .bind(SPACE_SLUG)
                .fetch_one(&mut *c)
                .await?;
            let (long_topic_id,): (String,) = sqlx::query_as(long_sql).fetch_one(&mut *c).await?;
            let topic_ids: Vec<(String,)> = sqlx::query_as(topics_sql).fetch_all(&mut *c).await?;
            let long_topic_later: Option<(i64, String)> = sqlx::query_as(later_sql)
                .bind(&long_topic_id)
                .bind(offset)
                .fetch_optional(&mut *c)
                .await?;
            Filled {
                community_id,
                space_id,
                long_topic_id,
                long_topic_later,
                topic_ids: topic_ids.into_iter().map(|(t,)| t).collect(),
                member_emails: (1..=workers)
                    .map(|i| format!("member{i}@bench.townsquare.test"))
                    .collect(),
            }
        }};
    }
    let filled = match &mut db {
        Bulk::Sqlite(c) => read!(c),
        Bulk::Pg(c) => read!(c),
    };
    match db {
        Bulk::Sqlite(c) => c.close().await?,
        Bulk::Pg(c) => c.close().await?,
    }
    Ok(filled)
}

#[derive(Default)]
struct Batch {
    topics: Vec<Vec<V>>,
    tags: Vec<Vec<V>>,
    posts: Vec<Vec<V>>,
    search: Vec<Vec<V>>,
    activities: Vec<Vec<V>>,
}

impl Batch {
    async fn write(&self, db: &mut Bulk) -> Result<()> {
        db.exec("BEGIN").await?;
        db.insert(
            "topics",
            &[
                "id",
                "community_id",
                "space_id",
                "author_id",
                "title",
                "tags",
                "is_question",
                "accepted_post_id",
                "pinned",
                "locked",
                "reply_count",
                "reaction_count",
                "last_post_at",
                "last_poster_id",
                "created_at",
                "deleted_at",
            ],
            None,
            &self.topics,
        )
        .await?;
        db.insert("topic_tags", &["topic_id", "tag"], None, &self.tags)
            .await?;
        db.insert(
            "posts",
            &[
                "id",
                "topic_id",
                "community_id",
                "space_id",
                "author_id",
                "reply_to_id",
                "is_first",
                "body_markdown",
                "body_html",
                "reaction_count",
                "created_at",
            ],
            None,
            &self.posts,
        )
        .await?;
        // The same documents `search::index_post` writes.
        if db.is_pg() {
            let rows: Vec<Vec<V>> = self.search.iter().map(|r| r[1..].to_vec()).collect();
            db.insert(
                "post_search",
                &["post_id", "document"],
                Some("(?, setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('english', ?), 'B'))"),
                &rows,
            )
            .await?;
        } else {
            // Staged, then copied into FTS5 in rowid order at the end: FTS5 flushes its
            // pending terms whenever a rowid goes backwards, and topics are written in random
            // time order.
            db.insert(
                "bench_search_staging",
                &["rowid", "post_id", "title", "body"],
                None,
                &self.search,
            )
            .await?;
        }
        db.insert(
            "activities",
            &[
                "id",
                "community_id",
                "actor_id",
                "verb",
                "object_type",
                "object_id",
                "detail",
                "created_at",
            ],
            None,
            &self.activities,
        )
        .await?;
        db.exec("COMMIT").await?;
        Ok(())
    }
}
