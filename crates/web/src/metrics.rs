//! Request counters and a latency histogram per route, in Prometheus' text format.

use crate::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Instant;

const BUCKETS: &[f64] = &[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    /// Per route: count per bucket (cumulative at render time), sum and count.
    latency: BTreeMap<String, (Vec<u64>, f64, u64)>,
}

impl Metrics {
    fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let mut inner = self.inner.lock().expect("metrics lock");
        *inner
            .requests
            .entry((method.to_string(), route.to_string(), status))
            .or_default() += 1;
        let entry = inner
            .latency
            .entry(route.to_string())
            .or_insert_with(|| (vec![0; BUCKETS.len()], 0.0, 0));
        if let Some(i) = BUCKETS.iter().position(|b| seconds <= *b) {
            entry.0[i] += 1;
        }
        entry.1 += seconds;
        entry.2 += 1;
    }

    pub fn render(&self) -> String {
        let inner = self.inner.lock().expect("metrics lock");
        let mut out = String::from("# HELP townsquare_http_requests_total HTTP requests by route and status.\n# TYPE townsquare_http_requests_total counter\n");
        for ((method, route, status), n) in &inner.requests {
            out.push_str(&format!("townsquare_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}\n"));
        }
        out.push_str("# HELP townsquare_http_request_duration_seconds Request latency by route.\n# TYPE townsquare_http_request_duration_seconds histogram\n");
        for (route, (buckets, sum, count)) in &inner.latency {
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(buckets) {
                cumulative += n;
                out.push_str(&format!("townsquare_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {cumulative}\n"));
            }
            out.push_str(&format!("townsquare_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {count}\n"));
            out.push_str(&format!(
                "townsquare_http_request_duration_seconds_sum{{route=\"{route}\"}} {sum}\n"
            ));
            out.push_str(&format!(
                "townsquare_http_request_duration_seconds_count{{route=\"{route}\"}} {count}\n"
            ));
        }
        out
    }
}

pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // The route pattern, not the path, so ids do not explode the label set.
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().to_string();
    let started = Instant::now();
    let res = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        res.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    res
}
