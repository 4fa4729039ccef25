//! `bench/analytics`: generates a synthetic community (100,000 members, about 10,000,000
//! activities over 12 months by default), then prints the time of a cold and a warm KPI
//! dashboard (`App::analytics`, every figure of the API) and what the rollup adds to recording
//! one activity. It prints figures; it is not a test.
//!
//! The generator writes the raw activity log (member, UTC instant, verb) and derives the
//! rollups from it with `activity::record`'s rules (kind of verb, community-local day, posts
//! and reactions, the stint's first post); the log itself is not inserted into the database
//! (only exported). In the same run it exports the log and the membership stints as CSV, has
//! DuckDB (`duckdb_figures.py`, Python package `duckdb`) compute the month dashboard from the
//! raw rows, checks that every figure is identical (exits non-zero otherwise) and prints
//! DuckDB's times and their ratio to ours. `--no-duckdb` skips that.
//!
//! Run: `cargo run --release -p townsquare-bench-analytics --bin analytics -- --backend sqlite`
//! (or `--backend postgres`; `--members 2000 --activities 200000` for a quick run).

mod duckdb;

use anyhow::{Context, Result};
use clap::{Parser, ValueEnum};
use duckdb::{duckdb_available, duckdb_comparison};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;
use std::time::{Duration, Instant};
use townsquare_app::analytics::PeriodQuery;
use townsquare_app::clock::Clock;
use townsquare_app::store::activity::{self as activity_store, ActivityRow};
use townsquare_app::{activity, Actor, App, Settings};
use townsquare_domain::analytics::{self as rules, kind};
use townsquare_domain::time_zones;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Backend {
    Sqlite,
    Postgres,
}

/// Generate a large community's rollups and time the analytics dashboard.
#[derive(Parser, Debug)]
#[command(name = "analytics")]
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
    /// Activities in all, spread over the members' active days.
    #[arg(long, default_value_t = 10_000_000)]
    activities: u64,
    /// Warm runs of the dashboard (the median and the best are printed).
    #[arg(long, default_value_t = 10)]
    runs: usize,
    /// Activities recorded, each in its own transaction, to time the rollup's cost.
    #[arg(long, default_value_t = 2_000)]
    writes: usize,
    #[arg(long, default_value_t = 20_261_128)]
    seed: u64,
    /// Keep the database afterwards (and print its URL).
    #[arg(long)]
    keep: bool,
    /// Measure a database a `--keep` run left (its URL) instead of generating one.
    #[arg(long)]
    reuse: Option<String>,
    /// Skip the comparison with DuckDB (the raw log is then not exported).
    #[arg(long)]
    no_duckdb: bool,
}

const TZ: &str = "Europe/Berlin";
const HOUR: i64 = 3_600_000_000;

struct Member {
    id: String,
    joined_day: i64,
    left_day: Option<i64>,
    engagement: f64,
}

/// One member-day derived from the log: kinds, activities, posts, reactions, month.
type DayRow = (i64, i64, i64, i64, i64);

/// The verbs of the generated log (a row holds the index, not the string).
const VERBS: [&str; 12] = [
    "visited",
    "topic_created",
    "post_created",
    "reaction_added",
    "file_uploaded",
    "event_registered",
    "joined",
    "left",
    "join_requested",
    "post_edited",
    "poll_voted",
    "profile_updated",
];

mod verb {
    pub const VISITED: u8 = 0;
    pub const TOPIC_CREATED: u8 = 1;
    pub const POST_CREATED: u8 = 2;
    pub const REACTION_ADDED: u8 = 3;
    pub const FILE_UPLOADED: u8 = 4;
    pub const EVENT_REGISTERED: u8 = 5;
    pub const JOINED: u8 = 6;
    pub const LEFT: u8 = 7;
    pub const JOIN_REQUESTED: u8 = 8;
    /// Activities of the kind "other", to make up a member-day's count.
    pub const OTHER: [u8; 3] = [9, 10, 11];
}

/// A member's join: 10:00 local on the day they joined.
fn joined_at_of(m: &Member, tz: time_zones::Tz) -> i64 {
    rules::day_start_utc(m.joined_day, tz) + 10 * HOUR
}

/// A leave: 18:00 local on the day.
fn left_at_of(day: i64, tz: time_zones::Tz) -> i64 {
    rules::day_start_utc(day, tz) + 18 * HOUR
}

/// The invitation source and campaign member `i` joined through.
fn source_of(i: usize) -> (&'static str, &'static str) {
    const SOURCES: [(&str, &str); 3] = [("", ""), ("newsletter", "spring"), ("meetup", "autumn")];
    SOURCES[i % 7 % 3]
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = Args::parse();
    if let Some(url) = &args.reuse {
        if !args.no_duckdb {
            println!(
                "--reuse: the raw activity log is not in the database, so no DuckDB comparison"
            );
        }
        return run(&args, url, None).await;
    }
    if !args.no_duckdb {
        duckdb_available()?;
    }
    // The raw log and the stints, exported for DuckDB.
    let export = (!args.no_duckdb).then(|| {
        std::env::temp_dir().join(format!("ts_bench_raw_{}", uuid::Uuid::now_v7().simple()))
    });
    if let Some(dir) = &export {
        std::fs::create_dir_all(dir)?;
    }
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
    let result = run(&args, &url, export.as_deref()).await;
    if args.keep {
        println!("kept the database: {url}");
        if let Some(dir) = &export {
            println!("kept the exported raw log: {}", dir.display());
        }
        return result;
    }
    if let Some(dir) = &export {
        std::fs::remove_dir_all(dir)?;
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

async fn run(args: &Args, url: &str, export: Option<&Path>) -> Result<()> {
    println!(
        "# bench/analytics: {:?}, {} members, ~{} activities over 12 months ({} build)",
        args.backend,
        args.members,
        args.activities,
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    let db = townsquare_app::store::Db::connect(url).await?;
    db.migrate().await?;
    let tz = time_zones::parse_or_utc(TZ);
    let now = chrono::Utc::now().timestamp_micros();
    let today = rules::local_day(now, tz);
    let ((community_id, owner_id, writer_id), member_ids) = if args.reuse.is_some() {
        (bench_ids(url).await?, Vec::new())
    } else {
        generate(args, url, &db, tz, now, today, export).await?
    };

    // Sealing the year's days, as the worker does once (then once a day for the new day).
    db.close().await;
    let data_dir =
        std::env::temp_dir().join(format!("ts_bench_data_{}", uuid::Uuid::now_v7().simple()));
    let new_app = || async {
        let db = townsquare_app::store::Db::connect(url).await?;
        anyhow::Ok(App::new(
            db,
            Settings::for_data_dir(data_dir.clone(), "http://127.0.0.1"),
            Clock::System,
        ))
    };
    let sealer = new_app().await?;
    let t = Instant::now();
    let sealed = sealer.seal_recent_days().await?;
    println!(
        "sealed {sealed} days of member sets in {:.1} s (the worker's first sweep)",
        t.elapsed().as_secs_f64()
    );
    sealer.db().close().await;

    // The dashboard, through the app: cold (a fresh process: new connection pool, nothing
    // decoded in memory, for each period) and warm.
    let mut app = new_app().await?;
    let owner = Actor {
        user_id: owner_id.clone(),
        email: "owner@bench.test".into(),
        display_name: "Owner".into(),
        handle: "owner".into(),
        superadmin: false,
        time_zone: TZ.into(),
    };
    let mut month_dashboard = None;
    for (label, kind) in [("month", "month"), ("week", "week"), ("day", "day")] {
        let q = PeriodQuery {
            kind: kind.into(),
            ..Default::default()
        };
        app.db().close().await;
        app = new_app().await?;
        let t = Instant::now();
        let d = app.analytics(&owner, "bench", &q).await?;
        let cold = t.elapsed();
        let mut warm: Vec<Duration> = Vec::with_capacity(args.runs);
        for _ in 0..args.runs {
            let t = Instant::now();
            app.analytics(&owner, "bench", &q).await?;
            warm.push(t.elapsed());
        }
        warm.sort();
        let median = warm.get(warm.len() / 2).copied().unwrap_or_default();
        let best = warm.first().copied().unwrap_or_default();
        println!(
            "dashboard ({label}): cold {:.1} ms, warm median {:.1} ms, best {:.1} ms — MAU {}, members {}, active rate {:.3}",
            ms(cold),
            ms(median),
            ms(best),
            d.current.mau,
            d.current.members_at_end,
            d.current.active_member_rate
        );
        // The dashboard page also shows the lists. Here only "at risk" has data (the synthetic
        // community has activity but no posts, so the content lists are empty).
        let mut lists: Vec<Duration> = Vec::with_capacity(args.runs);
        let mut at_risk = 0;
        for _ in 0..args.runs.max(1) {
            let t = Instant::now();
            at_risk = app
                .analytics_lists(&owner, "bench", &q, "")
                .await?
                .at_risk
                .len();
            lists.push(t.elapsed());
        }
        lists.sort();
        println!(
            "  lists ({label}): warm median {:.1} ms — {at_risk} members at risk listed",
            ms(lists[lists.len() / 2])
        );
        if kind == "month" {
            month_dashboard = Some((d, cold, median));
        }
    }

    // The same month dashboard, computed by DuckDB from the raw log, before anything below
    // writes to the community.
    if let (Some(dir), Some((d, cold, warm))) = (export, &month_dashboard) {
        // The app logged activity of its own while we measured (the owner's visit on opening
        // the dashboard): it is in the log, so it goes into the export too.
        let appended = export_app_log(url, &community_id, &member_ids, dir).await?;
        println!("appended {appended} activity rows the app logged during the run to the export");
        duckdb_comparison(dir, d, *cold, *warm)?;
    }

    // What the rollup adds to one activity: the log append alone, then activity::record (log
    // + time zone read + member-day upsert + unsealing probe + the member's last-active time),
    // each in its own committed transaction.
    let writer = &writer_id;
    let mut plain = Duration::ZERO;
    let mut rolled = Duration::ZERO;
    for i in 0..args.writes {
        let t = Instant::now();
        let mut tx = app.db().begin().await?;
        activity_store::append(
            &mut tx,
            &ActivityRow {
                id: townsquare_domain::new_id(),
                community_id: Some(community_id.clone()),
                actor_id: Some(writer.clone()),
                verb: "reaction_added".into(),
                object_type: "post".into(),
                object_id: format!("p{i}"),
                detail: "{}".into(),
                created_at: now,
            },
        )
        .await?;
        tx.commit().await?;
        plain += t.elapsed();
        let t = Instant::now();
        let mut tx = app.db().begin().await?;
        activity::record(
            &mut tx,
            Some(&community_id),
            Some(writer),
            "reaction_added",
            "post",
            &format!("p{i}"),
            serde_json::json!({}),
            now,
        )
        .await?;
        tx.commit().await?;
        rolled += t.elapsed();
    }
    let n = args.writes.max(1) as f64;
    println!(
        "one activity in its own transaction: log only {:.3} ms, log + rollup {:.3} ms ({:+.0}%)",
        ms(plain) / n,
        ms(rolled) / n,
        (rolled.as_secs_f64() / plain.as_secs_f64().max(1e-9) - 1.0) * 100.0
    );

    // What that adds to a real write: posting a reply (post, topic, search index, log, rollup).
    let space = app
        .create_space(
            &owner,
            "bench",
            &townsquare_app::spaces::SpaceInput {
                name: "Talk".into(),
                slug: format!("talk-{}", uuid::Uuid::now_v7().simple()),
                description: String::new(),
                kind: "discussion".into(),
                visibility: "everyone".into(),
            },
        )
        .await?;
    let topic = app
        .create_topic(
            &owner,
            "bench",
            &space.slug,
            &townsquare_app::discussions::TopicInput {
                title: "Write costs".into(),
                body: "Replies follow.".into(),
                tags: String::new(),
                is_question: false,
            },
        )
        .await?;
    let replies = (args.writes / 4).max(1);
    let t = Instant::now();
    for i in 0..replies {
        app.reply(&owner, &topic.id, &format!("Reply number {i}."), None)
            .await?;
    }
    let reply = ms(t.elapsed()) / replies as f64;
    let rollup = (ms(rolled) - ms(plain)) / n;
    println!(
        "posting a reply: {reply:.3} ms, of which the analytics rollup {rollup:.3} ms ({:+.0}% on the write without it)",
        rollup / (reply - rollup).max(1e-9) * 100.0
    );
    let _ = std::fs::remove_dir_all(data_dir);
    Ok(())
}

/// Generates the synthetic community into the rollups; returns (community, owner, a member).
async fn generate(
    args: &Args,
    url: &str,
    db: &townsquare_app::store::Db,
    tz: time_zones::Tz,
    now: i64,
    today: i64,
    export: Option<&Path>,
) -> Result<((String, String, String), Vec<String>)> {
    let first_day = today - 364;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);

    // Members: joins lean recent (growth), engagement is skewed, some leave.
    let members: Vec<Member> = (0..args.members)
        .map(|i| {
            let joined_day = if i == 0 {
                first_day - 30
            } else {
                first_day - 30 + (rng.gen::<f64>().powf(0.7) * 394.0) as i64
            };
            let left_day = rng
                .gen_bool(0.05)
                .then(|| joined_day + rng.gen_range(1..200))
                .filter(|d| *d <= today);
            Member {
                id: uuid::Uuid::now_v7().to_string(),
                joined_day,
                left_day,
                engagement: rng.gen::<f64>().powi(2),
            }
        })
        .collect();

    // Active days first, then activities per active day to reach the total.
    let started = Instant::now();
    let mut plan: Vec<Vec<i64>> = Vec::with_capacity(members.len());
    let mut active_days: u64 = 0;
    for m in &members {
        let mut days = Vec::new();
        let end = m.left_day.unwrap_or(today + 1).min(today + 1);
        for day in m.joined_day.max(first_day)..end {
            let month = rules::date_of_day(day);
            let season = match chrono::Datelike::month(&month) {
                7 | 8 => 0.65,
                12 => 0.75,
                _ => 1.0,
            };
            if rng.gen_bool(((0.01 + m.engagement * 0.45) * season).min(1.0)) {
                days.push(day);
            }
        }
        active_days += days.len() as u64;
        plan.push(days);
    }
    let mean = (args.activities as f64 / active_days.max(1) as f64).max(1.0);
    let spread = ((mean - 1.0) * 2.0).round() as i64;

    // The raw activity log, member by member: a join (some after a join request), on each
    // active day a visit and what the member did (at random instants of the community-local
    // day, after the join on the day of joining), and the leave. The log is the source of
    // truth: it is exported for DuckDB, and the member-days and first posts written into the
    // rollups are derived from it with `activity::record`'s rules.
    let mut log = match export {
        Some(dir) => {
            let mut w = csv::Writer::from_path(dir.join("activities.csv"))?;
            w.write_record(["member", "ts", "verb"])?;
            Some(w)
        }
        None => None,
    };
    let mut raw: Vec<(i64, u8)> = Vec::new();
    let mut total_activities: u64 = 0;
    let mut rows: Vec<(usize, i64, DayRow)> = Vec::with_capacity(active_days as usize);
    let mut first_post: Vec<Option<i64>> = vec![None; members.len()];
    for (mi, days) in plan.iter().enumerate() {
        let m = &members[mi];
        let e = m.engagement;
        let joined_at = joined_at_of(m, tz);
        let left_at = m.left_day.map(|d| left_at_of(d, tz));
        raw.clear();
        if mi % 5 == 1 {
            raw.push((joined_at - HOUR, verb::JOIN_REQUESTED));
        }
        raw.push((joined_at, verb::JOINED));
        for &day in days {
            let n = 1 + if spread > 0 {
                rng.gen_range(0..=spread)
            } else {
                0
            };
            let topic = rng.gen_bool(0.02);
            let reply = rng.gen_bool((0.05 + e * 0.3).min(1.0));
            let react = rng.gen_bool((0.05 + e * 0.4).min(1.0));
            let resource = rng.gen_bool(0.005);
            let event = rng.gen_bool(0.01);
            let counts = [
                (verb::VISITED, 1),
                (verb::TOPIC_CREATED, i64::from(topic)),
                (verb::POST_CREATED, if reply { 1 + (n - 1) / 4 } else { 0 }),
                (
                    verb::REACTION_ADDED,
                    if react { 1 + (n - 1) / 3 } else { 0 },
                ),
                (verb::FILE_UPLOADED, i64::from(resource)),
                (verb::EVENT_REGISTERED, i64::from(event)),
            ];
            let others = n - counts.iter().map(|(_, c)| c).sum::<i64>();
            let lo = if day == m.joined_day {
                joined_at + 1
            } else {
                rules::day_start_utc(day, tz)
            };
            let mut hi = rules::day_start_utc(day + 1, tz);
            if day == today {
                hi = hi.min(now).max(lo + 1);
            }
            for (v, count) in counts {
                for _ in 0..count {
                    raw.push((rng.gen_range(lo..hi), v));
                }
            }
            for i in 0..others.max(0) {
                raw.push((
                    rng.gen_range(lo..hi),
                    verb::OTHER[i as usize % verb::OTHER.len()],
                ));
            }
        }
        if let Some(at) = left_at {
            raw.push((at, verb::LEFT));
        }
        raw.sort_unstable();

        // What `activity::record` keeps for each of these rows, in the same order.
        let mut member_days: BTreeMap<i64, (i64, i64, i64, i64)> = BTreeMap::new();
        for &(ts, v) in &raw {
            let name = VERBS[v as usize];
            total_activities += 1;
            if let Some(w) = log.as_mut() {
                w.serialize((mi, ts, name))?;
            }
            let Some(bit) = rules::kind_of_verb(name) else {
                continue;
            };
            let day = member_days.entry(rules::local_day(ts, tz)).or_default();
            day.0 |= bit;
            day.1 += 1;
            day.2 += i64::from(bit & kind::POSTED != 0);
            day.3 += i64::from(bit == kind::REACTED);
            let in_stint = ts >= joined_at && left_at.is_none_or(|l| ts < l);
            if bit & kind::POSTED != 0 && in_stint && first_post[mi].is_none() {
                first_post[mi] = Some(ts);
            }
        }
        rows.extend(
            member_days
                .into_iter()
                .map(|(day, (k, n, p, r))| (mi, day, (k, n, p, r, rules::month_of_day(day)))),
        );
    }
    if let Some(mut w) = log {
        w.flush()?;
    }
    if let Some(dir) = export {
        let mut w = csv::Writer::from_path(dir.join("stints.csv"))?;
        w.write_record(["member", "joined_at", "left_at", "source", "campaign"])?;
        for (i, m) in members.iter().enumerate() {
            let (source, campaign) = source_of(i);
            let left_at = m.left_day.map(|d| left_at_of(d, tz));
            w.serialize((i, joined_at_of(m, tz), left_at, source, campaign))?;
        }
        w.flush()?;
    }
    println!(
        "generated {} raw activity rows and {} member-days from them ({} members) in {:.1} s{}",
        total_activities,
        rows.len(),
        members.len(),
        started.elapsed().as_secs_f64(),
        export.map_or(String::new(), |d| format!(", exported to {}", d.display()))
    );

    let started = Instant::now();
    let community_id = fill(url, &members, &first_post, &rows, tz, now).await?;
    println!("filled in {:.1} s", started.elapsed().as_secs_f64());
    drop(rows);

    // The per-day counts of stints, which `activity::record` keeps as members join and leave.
    let mut tx = db.begin().await?;
    townsquare_app::store::analytics::day_sets::recount_membership_days(&mut tx, &community_id)
        .await?;
    tx.commit().await?;
    let ids = (community_id, members[0].id.clone(), members[1].id.clone());
    Ok((ids, members.into_iter().map(|m| m.id).collect()))
}

/// Appends the community's activity rows that the app itself wrote to the log (not the
/// generator) to the exported `activities.csv`. Returns how many.
async fn export_app_log(
    url: &str,
    community_id: &str,
    member_ids: &[String],
    dir: &Path,
) -> Result<usize> {
    use sqlx::Connection;
    const LOG: &str = "SELECT actor_id, created_at, verb FROM activities
        WHERE community_id = $1 AND actor_id IS NOT NULL ORDER BY created_at";
    let rows: Vec<(String, i64, String)> = if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        sqlx::query_as(LOG)
            .bind(community_id)
            .fetch_all(&mut conn)
            .await?
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        sqlx::query_as(LOG)
            .bind(community_id)
            .fetch_all(&mut conn)
            .await?
    };
    let index: std::collections::HashMap<&str, usize> = member_ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.as_str(), i))
        .collect();
    let file = std::fs::OpenOptions::new()
        .append(true)
        .open(dir.join("activities.csv"))?;
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(file);
    let mut n = 0;
    for (actor, ts, verb) in &rows {
        let member = index
            .get(actor.as_str())
            .with_context(|| format!("the log names {actor}, who is not a generated member"))?;
        w.serialize((member, ts, verb))?;
        n += 1;
    }
    w.flush()?;
    Ok(n)
}

/// The ids of a database this benchmark filled before (`--keep`, then `--reuse`).
async fn bench_ids(url: &str) -> Result<(String, String, String)> {
    use sqlx::Connection;
    const OWNER: &str = "SELECT c.id, m.user_id FROM communities c
        JOIN memberships m ON m.community_id = c.id WHERE c.slug = 'bench' AND m.role = 'owner'";
    const MEMBER: &str =
        "SELECT user_id FROM memberships WHERE community_id = $1 AND role = 'member' LIMIT 1";
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        let (c, owner): (String, String) = sqlx::query_as(OWNER).fetch_one(&mut conn).await?;
        let member: String = sqlx::query_scalar(MEMBER)
            .bind(&c)
            .fetch_one(&mut conn)
            .await?;
        Ok((c, owner, member))
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        let (c, owner): (String, String) = sqlx::query_as(OWNER).fetch_one(&mut conn).await?;
        let member: String = sqlx::query_scalar(MEMBER)
            .bind(&c)
            .fetch_one(&mut conn)
            .await?;
        Ok((c, owner, member))
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Writes users, the community, memberships, stints and member-days with multi-row INSERTs on
/// one connection, in transactions of about 50,000 rows. Returns the community id.
async fn fill(
    url: &str,
    members: &[Member],
    first_post: &[Option<i64>],
    rows: &[(usize, i64, DayRow)],
    tz: time_zones::Tz,
    now: i64,
) -> Result<String> {
    let community_id = uuid::Uuid::now_v7().to_string();
    let mut statements: Vec<String> = Vec::new();
    let active = members.iter().filter(|m| m.left_day.is_none()).count();
    let mut batch = |table: &str, columns: &str, values: Vec<String>| {
        for chunk in values.chunks(1000) {
            statements.push(format!(
                "INSERT INTO {table} ({columns}) VALUES {}",
                chunk.join(",")
            ));
        }
    };
    batch(
        "users",
        "id, email, display_name, password_hash, is_superadmin, created_at, updated_at, handle, time_zone",
        members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                format!(
                    "('{}', 'm{i}@bench.test', 'Member {i}', 'x', FALSE, {now}, {now}, 'm{i}', 'UTC')",
                    m.id
                )
            })
            .collect(),
    );
    batch(
        "communities",
        "id, slug, name, description, guidelines, visibility, join_policy, accent_color, member_count, created_by, created_at, updated_at, time_zone",
        vec![format!(
            "('{community_id}', 'bench', 'Bench', '', '', 'public', 'open', '#0f766e', {active}, '{}', {now}, {now}, '{TZ}')",
            members[0].id
        )],
    );
    let joined_at = |m: &Member| joined_at_of(m, tz);
    batch(
        "memberships",
        "community_id, user_id, role, status, joined_at",
        members
            .iter()
            .enumerate()
            .filter(|(_, m)| m.left_day.is_none())
            .map(|(i, m)| {
                let role = if i == 0 { "owner" } else { "member" };
                format!(
                    "('{community_id}', '{}', '{role}', 'active', {})",
                    m.id,
                    joined_at(m)
                )
            })
            .collect(),
    );
    batch(
        "analytics_memberships",
        "community_id, user_id, joined_at, joined_day, joined_month, left_at, left_day, source, campaign, first_post_at",
        members
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let (source, campaign) = source_of(i);
                let left = m
                    .left_day
                    .map_or("NULL, NULL".to_string(), |d| format!("{}, {d}", left_at_of(d, tz)));
                let first = first_post[i].map_or("NULL".to_string(), |t| t.to_string());
                format!(
                    "('{community_id}', '{}', {}, {}, {}, {left}, '{source}', '{campaign}', {first})",
                    m.id,
                    joined_at(m),
                    m.joined_day,
                    rules::month_of_day(m.joined_day)
                )
            })
            .collect(),
    );
    let mut values = Vec::with_capacity(rows.len());
    for (mi, day, (kinds, n, posts, reactions, month)) in rows {
        let mut v = String::with_capacity(96);
        let _ = write!(
            v,
            "('{community_id}', {day}, '{}', {month}, {kinds}, {n}, {posts}, {reactions})",
            members[*mi].id
        );
        values.push(v);
    }
    batch(
        "analytics_member_days",
        "community_id, day, user_id, month, kinds, activities, posts, reactions",
        values,
    );
    execute_all(url, &statements).await?;
    Ok(community_id)
}

async fn execute_all(url: &str, statements: &[String]) -> Result<()> {
    use sqlx::Connection;
    if url.starts_with("postgres") {
        let mut conn = sqlx::PgConnection::connect(url).await?;
        for group in statements.chunks(50) {
            let mut tx = conn.begin().await?;
            for s in group {
                sqlx::raw_sql(s.as_str()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        sqlx::raw_sql("VACUUM ANALYZE").execute(&mut conn).await?;
    } else {
        let mut conn = sqlx::SqliteConnection::connect(url).await?;
        for group in statements.chunks(50) {
            let mut tx = conn.begin().await?;
            for s in group {
                sqlx::raw_sql(s.as_str()).execute(&mut *tx).await?;
            }
            tx.commit().await?;
        }
        sqlx::raw_sql("ANALYZE").execute(&mut conn).await?;
    }
    Ok(())
}
