//! `bench/discussions`: fills a database with a large community (100,000 topics, 1,000,000
//! posts, a topic with 500 replies by default), serves the real app on it in-process, and
//! prints requests per second and p50/p99 latency of the discussion pages, signed in as a
//! member, on SQLite or PostgreSQL. It prints figures; it is not a test and gates nothing.

mod fill;
mod load;
mod plans;
mod text;

use anyhow::{Context, Result};
use base64::Engine;
use clap::{Parser, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use townsquare_app::accounts::CredentialKind;
use townsquare_app::clock::Clock;
use townsquare_app::{App, Settings};

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Fill a database with a large community and measure the discussion pages.
#[derive(Parser, Debug)]
#[command(name = "discussions")]
struct Args {
    #[arg(long, value_enum, default_value = "sqlite")]
    backend: Backend,
    /// PostgreSQL server; a fresh database `ts_bench_<id>` is created in it.
    #[arg(
        long,
        env = "TOWNSQUARE_BENCH_DATABASE_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/test"
    )]
    database_url: String,
    /// Topics in the space.
    #[arg(long, default_value_t = 100_000)]
    topics: usize,
    /// Posts in all (first posts and replies).
    #[arg(long, default_value_t = 1_000_000)]
    posts: usize,
    /// Replies of the long topic.
    #[arg(long, default_value_t = 500)]
    long_topic_replies: usize,
    /// Members of the community.
    #[arg(long, default_value_t = 3_000)]
    users: usize,
    /// Seconds each scenario is measured.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Seconds each scenario runs before it is measured.
    #[arg(long, default_value_t = 1)]
    warmup: u64,
    /// Concurrent clients (one keep-alive connection each).
    #[arg(long, default_value_t = 8)]
    concurrency: usize,
    /// Keep the database afterwards (and print where it is).
    #[arg(long)]
    keep: bool,
    /// Seed of the generated content.
    #[arg(long, default_value_t = 20_260_301)]
    seed: u64,
    /// Skip printing the query plans.
    #[arg(long)]
    no_plans: bool,
    /// Measure a database kept by an earlier run (`--keep`) instead of filling a new one:
    /// its URL (new migrations are applied first). It is kept afterwards.
    #[arg(long)]
    reuse: Option<String>,
}

/// Where the database lives, to remove it afterwards.
enum Place {
    Sqlite(PathBuf),
    Postgres { server: String, name: String },
}

async fn create_postgres_database(server_url: &str) -> Result<(String, String)> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server_url)
        .await
        .with_context(|| format!("connect to {server_url}"))?;
    let name = format!("ts_bench_{}", uuid::Uuid::now_v7().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await?;
    conn.close().await?;
    let mut url = reqwest::Url::parse(server_url)?;
    url.set_path(&format!("/{name}"));
    Ok((url.to_string(), name))
}

async fn drop_postgres_database(server_url: &str, name: &str) -> Result<()> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(server_url).await?;
    sqlx::query(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .execute(&mut conn)
        .await?;
    Ok(())
}

fn cursor(a: &str, b: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{a}\u{0}{b}"))
}

/// `YYYY-MM-DD` (UTC) of a time in microseconds.
fn day(micros: i64) -> String {
    chrono::DateTime::from_timestamp_micros(micros)
        .map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(url) = &args.reuse {
        return run(&args, url).await;
    }
    let (url, place) = match args.backend {
        Backend::Sqlite => {
            let dir =
                std::env::temp_dir().join(format!("ts_bench_{}", uuid::Uuid::now_v7().simple()));
            std::fs::create_dir_all(&dir)?;
            (
                format!("sqlite://{}", dir.join("townsquare.db").display()),
                Place::Sqlite(dir),
            )
        }
        Backend::Postgres => {
            let (url, name) = create_postgres_database(&args.database_url).await?;
            (
                url,
                Place::Postgres {
                    server: args.database_url.clone(),
                    name,
                },
            )
        }
    };
    let result = run(&args, &url).await;
    if args.keep {
        println!("\nkept the database: {url}");
    } else {
        match &place {
            Place::Sqlite(dir) => std::fs::remove_dir_all(dir)?,
            Place::Postgres { server, name } => drop_postgres_database(server, name).await?,
        }
    }
    result
}

async fn run(args: &Args, url: &str) -> Result<()> {
    println!(
        "# bench/discussions: {:?}, {} topics, {} posts, long topic {} replies, {} members, {} clients, {} s per scenario",
        args.backend, args.topics, args.posts, args.long_topic_replies, args.users, args.concurrency, args.duration
    );
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("machine: {cores} cores; server and load generator share them (in-process)\n");

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let base_url = format!("http://{address}");
    let db = townsquare_app::store::Db::connect(url).await?;
    db.migrate().await?;
    let data_dir =
        std::env::temp_dir().join(format!("ts_bench_data_{}", uuid::Uuid::now_v7().simple()));
    let settings = Settings::for_data_dir(data_dir.clone(), &base_url);
    let app = App::new(db.clone(), settings, Clock::offset());

    let cfg = fill::Config {
        topics: args.topics,
        posts: args.posts,
        long_topic_replies: args.long_topic_replies,
        users: args.users,
        seed: args.seed,
    };
    let filled = if args.reuse.is_some() {
        fill::filled(url, args.concurrency).await?
    } else {
        fill::fill(&app, url, &cfg, args.concurrency).await?
    };

    // The keyset cursor half way down the space list, for a deep page.
    let mut bulk = fill::Bulk::connect(url).await?;
    let deep_sql = "SELECT pinned, last_post_at, id FROM topics
         WHERE space_id = $1 AND deleted_at IS NULL
         ORDER BY pinned DESC, last_post_at DESC, id DESC LIMIT 1 OFFSET $2";
    let offset = (args.topics / 2) as i64;
    let deep: (bool, i64, String) = match &mut bulk {
        fill::Bulk::Sqlite(c) => {
            sqlx::query_as(deep_sql)
                .bind(&filled.space_id)
                .bind(offset)
                .fetch_one(&mut *c)
                .await?
        }
        fill::Bulk::Pg(c) => {
            sqlx::query_as(deep_sql)
                .bind(&filled.space_id)
                .bind(offset)
                .fetch_one(&mut *c)
                .await?
        }
    };
    // The long topic's author, for searches filtered by author.
    let author_sql = "SELECT t.author_id, u.handle FROM topics t JOIN users u ON u.id = t.author_id WHERE t.id = $1";
    let (author_id, author_handle): (String, String) = match &mut bulk {
        fill::Bulk::Sqlite(c) => {
            sqlx::query_as(author_sql)
                .bind(&filled.long_topic_id)
                .fetch_one(&mut *c)
                .await?
        }
        fill::Bulk::Pg(c) => {
            sqlx::query_as(author_sql)
                .bind(&filled.long_topic_id)
                .fetch_one(&mut *c)
                .await?
        }
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)?
        .as_micros() as i64;
    if !args.no_plans {
        let params = plans::Params {
            author_id: author_id.clone(),
            now,
            community_id: filled.community_id.clone(),
            space_id: filled.space_id.clone(),
            topic_id: filled.long_topic_id.clone(),
            deep: deep.clone(),
        };
        plans::print(&mut bulk, &params).await?;
    }
    match bulk {
        fill::Bulk::Sqlite(c) => sqlx::Connection::close(c).await?,
        fill::Bulk::Pg(c) => sqlx::Connection::close(c).await?,
    }

    // Serve the real app, as the test kit does.
    let (shutdown, rx) = tokio::sync::watch::channel(false);
    tokio::spawn(app.clone().run_listener(rx.clone()));
    let router = townsquare_web::router(townsquare_web::AppState::new(app.clone()));
    let mut serve_rx = rx;
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            let _ = serve_rx.changed().await;
        })
        .await
    });

    // Members sign in through the app (one session each, from distinct addresses so the
    // login rate limit does not apply to the bench).
    let mut sessions = Vec::new();
    for (i, email) in filled.member_emails.iter().enumerate() {
        let (_, credential) = app
            .log_in(
                email,
                fill::PASSWORD,
                &format!("10.9.{}.{}", i / 250, i % 250 + 1),
                CredentialKind::Session,
            )
            .await
            .map_err(|e| anyhow::anyhow!("log in {email}: {e:?}"))?;
        let s = credential
            .into_session()
            .map_err(|e| anyhow::anyhow!("{e:?}"))?;
        sessions.push(load::Session {
            token: s.token,
            csrf: s.csrf_token,
        });
    }

    let slug = fill::COMMUNITY_SLUG;
    let topic = &filled.long_topic_id;
    let mut scenarios = vec![load::Scenario {
        name: "topic page (500 replies), first page".into(),
        kind: load::Kind::Get(format!("/c/{slug}/t/{topic}")),
    }];
    if let Some((at, id)) = &filled.long_topic_later {
        scenarios.push(load::Scenario {
            name: "topic page, page 6 (?after=)".into(),
            kind: load::Kind::Get(format!(
                "/c/{slug}/t/{topic}?after={}",
                cursor(&at.to_string(), id)
            )),
        });
    }
    let deep_cursor = cursor(&format!("{}|{}", u8::from(deep.0), deep.1), &deep.2);
    scenarios.extend([
        load::Scenario {
            name: "space list, first page".into(),
            kind: load::Kind::Get(format!("/c/{slug}/s/{}", fill::SPACE_SLUG)),
        },
        load::Scenario {
            name: format!("space list, deep page (?before=, topic {offset})"),
            kind: load::Kind::Get(format!(
                "/c/{slug}/s/{}?before={deep_cursor}",
                fill::SPACE_SLUG
            )),
        },
        load::Scenario {
            name: "community home".into(),
            kind: load::Kind::Get(format!("/c/{slug}")),
        },
        load::Scenario {
            name: format!("search, common word \"{}\"", text::COMMON_WORD),
            kind: load::Kind::Get(format!("/c/{slug}/search?q={}", text::COMMON_WORD)),
        },
        load::Scenario {
            name: format!("search, very common word \"{}\"", text::VERY_COMMON_WORD),
            kind: load::Kind::Get(format!("/c/{slug}/search?q={}", text::VERY_COMMON_WORD)),
        },
        load::Scenario {
            name: format!("search, rare word \"{}\"", text::MARKER_WORD),
            kind: load::Kind::Get(format!("/c/{slug}/search?q={}", text::MARKER_WORD)),
        },
        load::Scenario {
            name: format!("search \"{}\", newest first", text::VERY_COMMON_WORD),
            kind: load::Kind::Get(format!(
                "/c/{slug}/search?q={}&sort=newest",
                text::VERY_COMMON_WORD
            )),
        },
        load::Scenario {
            name: format!("search \"{}\" by @{author_handle}", text::VERY_COMMON_WORD),
            kind: load::Kind::Get(format!(
                "/c/{slug}/search?q={}&author={author_handle}",
                text::VERY_COMMON_WORD
            )),
        },
        load::Scenario {
            name: format!(
                "search \"{}\" in the space, last 30 days",
                text::VERY_COMMON_WORD
            ),
            kind: load::Kind::Get(format!(
                "/c/{slug}/search?q={}&space={}&from={}",
                text::VERY_COMMON_WORD,
                fill::SPACE_SLUG,
                day(now - 30 * 86_400_000_000)
            )),
        },
        load::Scenario {
            name: format!("search without words: @{author_handle}'s posts, newest first"),
            kind: load::Kind::Get(format!("/c/{slug}/search?author={author_handle}")),
        },
        load::Scenario {
            name: "create reply (POST, 303)".into(),
            kind: load::Kind::Reply {
                slug: slug.into(),
                topics: Arc::new(filled.topic_ids.clone()),
            },
        },
    ]);

    let started = Instant::now();
    let mut outcomes = Vec::new();
    for s in &scenarios {
        eprintln!("  running: {}", s.name);
        outcomes.push(
            load::run(
                &base_url,
                s,
                &sessions,
                args.concurrency,
                Duration::from_secs(args.warmup),
                Duration::from_secs(args.duration),
            )
            .await?,
        );
    }
    load::print_table(
        &format!(
            "Load ({:?}, {} clients, {} s each, measured in {:.0} s)",
            args.backend,
            args.concurrency,
            args.duration,
            started.elapsed().as_secs_f64()
        ),
        &outcomes,
    );

    let _ = shutdown.send(true);
    let _ = server.await;
    db.close().await;
    let _ = std::fs::remove_dir_all(&data_dir);
    Ok(())
}
