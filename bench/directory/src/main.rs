//! `bench/directory`: fills one community with 100,000 members (by default) with profiles,
//! interests and answers to three custom fields, written as the app writes them (sort keys,
//! search words), then times typical member-directory requests through `App::directory`, the
//! path the page and the API take, and prints p50/p95. It prints figures; it is not a test.

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::{Duration, Instant};
use townsquare_app::clock::Clock;
use townsquare_app::communities::CommunityInput;
use townsquare_app::directory::{encode_cursor, DirectoryRequest};
use townsquare_app::store::directory::DirectoryCursor;
use townsquare_app::{Actor, App, Settings};
use townsquare_domain::profiles::{name_key, search_terms, value_key, FieldDefinitionInput};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Fill a large community and time the member directory.
#[derive(Parser, Debug)]
#[command(name = "directory")]
struct Args {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// PostgreSQL server; a fresh database `ts_bench_<id>` is created in it (and dropped).
    #[arg(
        long,
        env = "TOWNSQUARE_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    database_url: String,
    #[arg(long, default_value_t = 100_000)]
    members: usize,
    /// Timed runs of each query (after two warm-up runs).
    #[arg(long, default_value_t = 40)]
    runs: usize,
    #[arg(long, default_value_t = 20_261_129)]
    seed: u64,
    /// Keep the database afterwards and print its URL (to EXPLAIN queries on it).
    #[arg(long)]
    keep: bool,
}

const FIRST: &[&str] = &[
    "Ada", "Ben", "Chloe", "Dmitri", "Elif", "Farah", "Gabriel", "Hana", "Ines", "Jamal", "Kenji",
    "Lena", "Mateo", "Nadia", "Oskar", "Paula", "Rosa", "Sofia", "Tariq", "Uma", "Viktor", "Wen",
    "Yusuf", "Zara", "Maria", "Marco", "Martin", "Mariam", "Noah", "Olivia",
];
const LAST: &[&str] = &[
    "Okafor",
    "Lindqvist",
    "Weber",
    "Raman",
    "Silva",
    "Nakamura",
    "Haddad",
    "Novak",
    "Costa",
    "Schmidt",
    "Mensah",
    "Kowalski",
    "Dubois",
    "Rossi",
    "Tanaka",
    "Ivanova",
    "Garcia",
    "Jensen",
    "Moreau",
    "Byrne",
    "Marsh",
    "Petrov",
    "Quinn",
    "Adeyemi",
];
const SIZES: &[&str] = &["Just me", "2-10", "11-50", "51-200", "201+"];
const LANGUAGES: &[&str] = &["Rust", "Go", "Python", "TypeScript", "C++", "Java"];
const TOPICS: &[&str] = &[
    "Release engineering",
    "Fuzzing parsers",
    "Code review etiquette",
    "Funding maintainers",
    "Accessible documentation",
    "Async runtimes",
    "Reproducible builds",
    "Observability",
];
const INTERESTS: &[&str] = &[
    "rust",
    "go",
    "python",
    "documentation",
    "security",
    "accessibility",
    "governance",
    "devops",
    "databases",
    "mentoring",
];

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    let (url, cleanup) = match args.backend {
        Backend::Sqlite => {
            let dir =
                std::env::temp_dir().join(format!("ts_bench_{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}", dir.join("townsquare.db").display());
            (url, Cleanup::Dir(dir))
        }
        Backend::Postgres => {
            let name = format!("ts_bench_{}", uuid::Uuid::now_v7().simple());
            exec_admin(&args.database_url, &format!("CREATE DATABASE {name}")).await?;
            let mut url = reqwest::Url::parse(&args.database_url)?;
            url.set_path(&format!("/{name}"));
            (url.to_string(), Cleanup::Pg(name))
        }
    };
    let result = run(&args, &url).await;
    if args.keep {
        println!("kept the database: {url}");
        return result;
    }
    match cleanup {
        Cleanup::Dir(dir) => std::fs::remove_dir_all(dir)?,
        Cleanup::Pg(name) => {
            exec_admin(
                &args.database_url,
                &format!("DROP DATABASE {name} WITH (FORCE)"),
            )
            .await?
        }
    }
    result
}

enum Cleanup {
    Dir(std::path::PathBuf),
    Pg(String),
}

async fn exec_admin(server: &str, sql: &str) -> Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server)
        .await
        .with_context(|| format!("connect to {server}"))?;
    sqlx::query(sql).execute(&mut conn).await?;
    Ok(())
}

/// A connection of our own for the bulk fill (multi-row INSERTs of generated literals).
enum Fill {
    Sqlite(sqlx::SqliteConnection),
    Postgres(sqlx::PgConnection),
}

impl Fill {
    async fn connect(url: &str) -> Result<Fill> {
        use sqlx::Connection;
        Ok(if url.starts_with("postgres") {
            Fill::Postgres(sqlx::PgConnection::connect(url).await?)
        } else {
            Fill::Sqlite(sqlx::SqliteConnection::connect(url).await?)
        })
    }

    async fn exec(&mut self, sql: &str) -> Result<()> {
        match self {
            Fill::Sqlite(c) => {
                sqlx::raw_sql(sql).execute(c).await?;
            }
            Fill::Postgres(c) => {
                sqlx::raw_sql(sql).execute(c).await?;
            }
        }
        Ok(())
    }

    async fn one_row(&mut self, sql: &str) -> Result<(i64, String)> {
        Ok(match self {
            Fill::Sqlite(c) => sqlx::query_as(sql).fetch_one(c).await?,
            Fill::Postgres(c) => sqlx::query_as(sql).fetch_one(c).await?,
        })
    }
}

/// Rows for one INSERT statement, flushed every `BATCH` rows.
struct Batch {
    head: &'static str,
    rows: Vec<String>,
}

/// Members per INSERT round.
const BATCH: usize = 2_000;

impl Batch {
    fn new(head: &'static str) -> Batch {
        Batch {
            head,
            rows: Vec::new(),
        }
    }

    /// Queues a row; `flush_all` writes them (users first: the other rows refer to them).
    async fn push(&mut self, _fill: &mut Fill, row: String) -> Result<()> {
        self.rows.push(row);
        Ok(())
    }

    async fn flush(&mut self, fill: &mut Fill) -> Result<()> {
        if self.rows.is_empty() {
            return Ok(());
        }
        let sql = format!("{} VALUES {}", self.head, self.rows.join(", "));
        self.rows.clear();
        fill.exec(&sql).await
    }
}

/// Quotes a generated literal (no input from outside reaches here; quotes doubled anyway).
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

async fn run(args: &Args, url: &str) -> Result<()> {
    println!(
        "# bench/directory: {:?}, {} members ({} build)",
        args.backend,
        args.members,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let db = townsquare_app::store::Db::connect(url).await?;
    db.migrate().await?;
    let data_dir = std::env::temp_dir().join(format!("ts_bench_files_{}", uuid::Uuid::now_v7()));
    let app = App::new(
        db.clone(),
        Settings::for_data_dir(data_dir.clone(), "http://127.0.0.1"),
        Clock::System,
    );
    let owner: Actor = app
        .create_user(
            "owner@bench.test",
            "Olga Owner",
            "a long enough password",
            false,
        )
        .await?;
    app.create_community(
        &owner,
        &CommunityInput {
            name: "Bench".into(),
            slug: "bench".into(),
            visibility: "public".into(),
            join_policy: "open".into(),
            accent_color: "#4f46e5".into(),
            ..Default::default()
        },
    )
    .await?;
    let field =
        |label: &str, kind: &str, options: &[&str], visibility: &str| FieldDefinitionInput {
            label: label.into(),
            kind: kind.into(),
            options: options.iter().map(|s| s.to_string()).collect(),
            required: false,
            visibility: visibility.into(),
        };
    let size = app
        .create_profile_field(
            &owner,
            "bench",
            field("Company size", "single_select", SIZES, "members"),
        )
        .await?;
    let topic = app
        .create_profile_field(
            &owner,
            "bench",
            field("Favourite topic", "text", &[], "everyone"),
        )
        .await?;
    let langs = app
        .create_profile_field(
            &owner,
            "bench",
            field("Languages", "multi_select", LANGUAGES, "members"),
        )
        .await?;
    let community_id = app.community(Some(&owner), "bench").await?.community.id;

    let started = Instant::now();
    let mut fill = Fill::connect(url).await?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let now = app.now();
    let day = 86_400_000_000_i64;
    let mut users = Batch::new(
        "INSERT INTO users (id, email, display_name, handle, password_hash, is_superadmin, \
         created_at, updated_at, time_zone, name_key)",
    );
    let mut memberships = Batch::new(
        "INSERT INTO memberships (community_id, user_id, role, status, request_note, joined_at, \
         name_key, last_active_at, trust_level)",
    );
    let mut terms =
        Batch::new("INSERT INTO member_search_terms (community_id, term, field_id, user_id)");
    let mut profiles = Batch::new(
        "INSERT INTO member_profiles (user_id, headline, bio, location, company, job_title, links, \
         interests, show_email, show_details, updated_at)",
    );
    let mut interests = Batch::new("INSERT INTO member_interests (interest, user_id)");
    let mut values = Batch::new(
        "INSERT INTO profile_field_values (field_id, user_id, community_id, value, value_key, position)",
    );
    fill.exec("BEGIN").await?;
    for i in 0..args.members {
        let id = uuid::Uuid::now_v7().to_string();
        let name = format!(
            "{} {}",
            FIRST[rng.gen_range(0..FIRST.len())],
            LAST[rng.gen_range(0..LAST.len())]
        );
        let handle = format!("member_{i}");
        let joined = now - rng.gen_range(0..720) * day - rng.gen_range(0..day);
        let active = joined + (rng.gen::<f64>() * (now - joined) as f64) as i64;
        let key = name_key(&name);
        users
            .push(
                &mut fill,
                format!(
                    "({}, {}, {}, {}, 'x', FALSE, {joined}, {joined}, 'UTC', {})",
                    q(&id),
                    q(&format!("m{i}@bench.test")),
                    q(&name),
                    q(&handle),
                    q(&key)
                ),
            )
            .await?;
        memberships
            .push(
                &mut fill,
                format!(
                    "({}, {}, 'member', 'active', '', {joined}, {}, {active}, {})",
                    q(&community_id),
                    q(&id),
                    q(&key),
                    rng.gen_range(0..5)
                ),
            )
            .await?;
        let mut words = search_terms(&name);
        words.push(handle.clone());
        for w in words {
            terms
                .push(&mut fill, format!("('', {}, '', {})", q(&w), q(&id)))
                .await?;
        }
        let count = rng.gen_range(1..=3);
        let chosen: Vec<&&str> = INTERESTS.choose_multiple(&mut rng, count).collect();
        let show_details = rng.gen_ratio(9, 10);
        profiles
            .push(
                &mut fill,
                format!(
                    "({}, 'Building things in the open', '', 'Berlin', 'Acme', 'Engineer', '[]', {}, FALSE, {}, {now})",
                    q(&id),
                    q(&format!("[{}]", chosen.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(","))),
                    if show_details { "TRUE" } else { "FALSE" }
                ),
            )
            .await?;
        for c in chosen {
            interests
                .push(&mut fill, format!("({}, {})", q(c), q(&id)))
                .await?;
        }
        // Most members answer; each answer is a value row (and search words for text).
        if rng.gen_ratio(3, 4) {
            let s = SIZES[rng.gen_range(0..SIZES.len())];
            values
                .push(
                    &mut fill,
                    format!(
                        "({}, {}, {}, {}, {}, 0)",
                        q(&size.id),
                        q(&id),
                        q(&community_id),
                        q(s),
                        q(&value_key(s))
                    ),
                )
                .await?;
            for w in search_terms(s) {
                terms
                    .push(
                        &mut fill,
                        format!(
                            "({}, {}, {}, {})",
                            q(&community_id),
                            q(&w),
                            q(&size.id),
                            q(&id)
                        ),
                    )
                    .await?;
            }
            let t = TOPICS[rng.gen_range(0..TOPICS.len())];
            values
                .push(
                    &mut fill,
                    format!(
                        "({}, {}, {}, {}, {}, 0)",
                        q(&topic.id),
                        q(&id),
                        q(&community_id),
                        q(t),
                        q(&value_key(t))
                    ),
                )
                .await?;
            for w in search_terms(t) {
                terms
                    .push(
                        &mut fill,
                        format!(
                            "({}, {}, {}, {})",
                            q(&community_id),
                            q(&w),
                            q(&topic.id),
                            q(&id)
                        ),
                    )
                    .await?;
            }
            let count = rng.gen_range(1..=2);
            let chosen: Vec<&&str> = LANGUAGES.choose_multiple(&mut rng, count).collect();
            for (n, l) in chosen.into_iter().enumerate() {
                values
                    .push(
                        &mut fill,
                        format!(
                            "({}, {}, {}, {}, {}, {n})",
                            q(&langs.id),
                            q(&id),
                            q(&community_id),
                            q(l),
                            q(&value_key(l))
                        ),
                    )
                    .await?;
            }
        }
        if i % BATCH == BATCH - 1 {
            // Users before the rows that refer to them.
            users.flush(&mut fill).await?;
            for b in [
                &mut memberships,
                &mut terms,
                &mut profiles,
                &mut interests,
                &mut values,
            ] {
                b.flush(&mut fill).await?;
            }
        }
        if i % 20_000 == 19_999 {
            fill.exec("COMMIT").await?;
            fill.exec("BEGIN").await?;
        }
    }
    users.flush(&mut fill).await?;
    for b in [
        &mut memberships,
        &mut terms,
        &mut profiles,
        &mut interests,
        &mut values,
    ] {
        b.flush(&mut fill).await?;
    }
    fill.exec("COMMIT").await?;
    // PostgreSQL: as autovacuum leaves a table some time after a bulk load (the visibility
    // map lets index-only scans skip the heap).
    fill.exec(match args.backend {
        Backend::Sqlite => "ANALYZE",
        Backend::Postgres => "VACUUM ANALYZE",
    })
    .await?;
    println!("filled in {:.1} s", started.elapsed().as_secs_f64());

    // A cursor half way down the join-date order, as a member paging far would hold.
    let (deep_time, deep_id) = fill
        .one_row(&format!(
            "SELECT joined_at, user_id FROM memberships WHERE community_id = '{community_id}' \
             AND status = 'active' ORDER BY joined_at DESC, user_id DESC LIMIT 1 OFFSET {}",
            args.members / 2
        ))
        .await?;
    let deep = encode_cursor(&DirectoryCursor::Time(deep_time, deep_id));

    let req = |f: &dyn Fn(&mut DirectoryRequest)| {
        let mut r = DirectoryRequest::default();
        f(&mut r);
        r
    };
    let cases: Vec<(&str, DirectoryRequest)> = vec![
        ("name prefix \"mar\", by name", req(&|r| r.q = "mar".into())),
        (
            "two words \"maria okafor\"",
            req(&|r| r.q = "maria okafor".into()),
        ),
        ("answer word \"fuzzing\"", req(&|r| r.q = "fuzzing".into())),
        (
            "filter Company size = 11-50, by name",
            req(&|r| r.fields = vec![(size.id.clone(), "11-50".into())]),
        ),
        (
            "filter Languages = Rust + interest security",
            req(&|r| {
                r.fields = vec![(langs.id.clone(), "Rust".into())];
                r.interest = "security".into();
            }),
        ),
        ("by join date, page 1", req(&|r| r.sort = "joined".into())),
        (
            "by join date, page at 50%",
            req(&|r| {
                r.sort = "joined".into();
                r.cursor = deep.clone();
            }),
        ),
        (
            "recently active, page 1",
            req(&|r| r.sort = "active".into()),
        ),
        ("by name, page 1", req(&|_| {})),
    ];
    println!();
    println!("| query (page of 30, as the owner) | rows | p50 ms | p95 ms |");
    println!("|---|---:|---:|---:|");
    for (label, request) in &cases {
        let mut times: Vec<Duration> = Vec::with_capacity(args.runs);
        let mut rows = 0;
        for run in 0..args.runs + 2 {
            let t = Instant::now();
            let page = app.directory(Some(&owner), "bench", request).await?;
            if run >= 2 {
                times.push(t.elapsed());
            }
            rows = page.entries.len();
        }
        times.sort();
        let pct = |p: f64| times[((times.len() as f64 * p) as usize).min(times.len() - 1)];
        println!(
            "| {label} | {rows} | {:.2} | {:.2} |",
            pct(0.5).as_secs_f64() * 1000.0,
            pct(0.95).as_secs_f64() * 1000.0
        );
    }
    db.close().await;
    let _ = std::fs::remove_dir_all(data_dir);
    Ok(())
}
