//! The load phase: for each scenario, N workers with one keep-alive client each request the
//! same page (or post replies) for a fixed time; latencies go into an HDR histogram.

use crate::text;
use anyhow::Result;
use hdrhistogram::Histogram;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A signed-in member: the session cookie and the CSRF token forms carry.
#[derive(Clone)]
pub struct Session {
    pub token: String,
    pub csrf: String,
}

#[derive(Clone)]
pub enum Kind {
    Get(String),
    /// POST `/c/{slug}/t/{topic}/replies` to a random topic of these.
    Reply {
        slug: String,
        topics: Arc<Vec<String>>,
    },
}

#[derive(Clone)]
pub struct Scenario {
    pub name: String,
    pub kind: Kind,
}

pub struct Outcome {
    pub name: String,
    pub requests: u64,
    pub errors: u64,
    pub seconds: f64,
    pub histogram: Histogram<u64>,
    /// Size of one response body, and the first error seen, for the report.
    pub bytes: usize,
    pub first_error: Option<String>,
}

fn client(session: &Session) -> Result<reqwest::Client> {
    let mut headers = reqwest::header::HeaderMap::new();
    // The anonymous CSRF cookie too, so the server does not set one on every response.
    let cookie = format!("ts_session={}; ts_csrf={}", session.token, "b".repeat(43));
    headers.insert(reqwest::header::COOKIE, cookie.parse()?);
    Ok(reqwest::Client::builder()
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(1)
        .build()?)
}

/// One request; returns the status and body size.
async fn once(
    client: &reqwest::Client,
    base: &str,
    kind: &Kind,
    session: &Session,
    rng: &mut ChaCha8Rng,
) -> Result<(u16, usize)> {
    let res = match kind {
        Kind::Get(path) => client.get(format!("{base}{path}")).send().await?,
        Kind::Reply { slug, topics } => {
            let topic = &topics[rng.gen_range(0..topics.len())];
            let body = text::reply(rng);
            client
                .post(format!("{base}/c/{slug}/t/{topic}/replies"))
                .form(&[
                    ("csrf_token", session.csrf.as_str()),
                    ("body", body.as_str()),
                    ("reply_to", ""),
                ])
                .send()
                .await?
        }
    };
    let status = res.status().as_u16();
    let body = res.bytes().await?;
    Ok((status, body.len()))
}

fn ok(status: u16) -> bool {
    (200..400).contains(&status)
}

pub async fn run(
    base: &str,
    scenario: &Scenario,
    sessions: &[Session],
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
) -> Result<Outcome> {
    // One request first: its size goes into the report, and a failure shows at once.
    let probe_client = client(&sessions[0])?;
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    let (status, bytes) = once(&probe_client, base, &scenario.kind, &sessions[0], &mut rng).await?;
    let mut first_error = (!ok(status)).then(|| format!("HTTP {status} on the first request"));

    let start = Instant::now() + warmup;
    let end = start + duration;
    let mut handles = Vec::new();
    for w in 0..concurrency {
        let session = sessions[w % sessions.len()].clone();
        let kind = scenario.kind.clone();
        let base = base.to_string();
        handles.push(tokio::spawn(async move {
            let client = client(&session)?;
            let mut rng = ChaCha8Rng::seed_from_u64(1000 + w as u64);
            let mut h = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
            let (mut errors, mut first_error) = (0u64, None::<String>);
            loop {
                let t0 = Instant::now();
                if t0 >= end {
                    break;
                }
                let result = once(&client, &base, &kind, &session, &mut rng).await;
                let t1 = Instant::now();
                // Counted if it ends in the measured window: a request slower than the
                // warm-up still shows up.
                if t1 < start {
                    continue;
                }
                h.saturating_record((t1 - t0).as_micros() as u64);
                match result {
                    Ok((status, _)) if ok(status) => {}
                    Ok((status, _)) => {
                        errors += 1;
                        first_error.get_or_insert(format!("HTTP {status}"));
                    }
                    Err(e) => {
                        errors += 1;
                        first_error.get_or_insert(e.to_string());
                    }
                }
            }
            anyhow::Ok((h, errors, first_error))
        }));
    }
    let mut histogram = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3)?;
    let mut errors = 0;
    for handle in handles {
        let (h, e, f) = handle.await??;
        histogram.add(h)?;
        errors += e;
        if first_error.is_none() {
            first_error = f;
        }
    }
    Ok(Outcome {
        name: scenario.name.clone(),
        requests: histogram.len(),
        errors,
        seconds: duration.as_secs_f64(),
        histogram,
        bytes,
        first_error,
    })
}

pub fn print_table(title: &str, outcomes: &[Outcome]) {
    println!("\n## {title}\n");
    println!("| scenario | requests | req/s | p50 ms | p99 ms | errors | page bytes |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for o in outcomes {
        let ms = |q: f64| o.histogram.value_at_quantile(q) as f64 / 1000.0;
        println!(
            "| {} | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
            o.name,
            o.requests,
            o.requests as f64 / o.seconds,
            ms(0.5),
            ms(0.99),
            o.errors,
            o.bytes
        );
    }
    for o in outcomes {
        if let Some(e) = &o.first_error {
            println!("\n{}: first error: {e}", o.name);
        }
    }
}
