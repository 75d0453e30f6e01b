//! A small hand-written Prometheus registry.
//!
//! The service needs four families: request counts and latency histograms per route
//! (`MatchedPath`, so `/standards/{*code}` is one series, not one per code), index size,
//! documents per kind, and ingest outcomes per status. A mutex-guarded map per family is enough
//! at this scale and keeps the text format under our control; gauges read from the index are
//! passed in at scrape time.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency histogram, seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

/// Request and ingest counters of one process.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Counts and latency per route, under one lock taken once per request.
    routes: Mutex<BTreeMap<String, RouteStats>>,
    ingest: Mutex<BTreeMap<String, u64>>,
    sync_eping: Mutex<Option<SyncStatus>>,
}

/// Outcomes of the scheduled ePing sync in this process (`/metrics`, `/readyz`).
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct SyncStatus {
    /// Seconds between runs.
    pub interval_secs: u64,
    /// Runs finished (completely or not).
    pub runs: u64,
    /// Runs that failed or stopped early.
    pub errors: u64,
    /// Records received over all runs.
    pub records_fetched: u64,
    /// Records imported (new or changed) over all runs.
    pub records_imported: u64,
    /// When the last complete run finished (RFC 3339).
    pub last_success: Option<String>,
    /// Unix time of `last_success`.
    pub last_success_unix: Option<i64>,
    /// Why the last failed run failed or stopped.
    pub last_error: Option<String>,
}

/// What is counted of one route.
#[derive(Debug, Clone, Default)]
struct RouteStats {
    /// Requests by (method, status).
    requests: BTreeMap<(String, u16), u64>,
    latency: Histogram,
}

#[derive(Debug, Clone, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// Index figures sampled at scrape time.
#[derive(Debug, Clone, Default)]
pub struct IndexGauges {
    /// Bytes on disk.
    pub size_bytes: u64,
    /// Documents per kind (`standard`, `notification`, `regulation`).
    pub documents: BTreeMap<String, u64>,
    /// Whether the index is open.
    pub ready: bool,
    /// The index generation served (0 until the first re-index).
    pub generation: u64,
    /// Commits followed by the searchers of this process (grows with each reload).
    pub searcher_generation: u64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// Records one finished request.
    /// Allocates only the first time a route, method and status are seen.
    pub fn observe_request(&self, route: &str, method: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let mut routes = lock(&self.routes);
        if !routes.contains_key(route) {
            routes.insert(route.to_string(), RouteStats::default());
        }
        let Some(stats) = routes.get_mut(route) else {
            return;
        };
        match stats
            .requests
            .iter_mut()
            .find(|((m, s), _)| m == method && *s == status)
        {
            Some((_, n)) => *n += 1,
            None => {
                stats.requests.insert((method.to_string(), status), 1);
            }
        }
        let h = &mut stats.latency;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.sum += secs;
        h.count += 1;
    }

    /// Counts one ingested file by outcome (`ok`, `warning`, `error`, `skipped`).
    pub fn observe_ingest(&self, status: &str) {
        *lock(&self.ingest).entry(status.to_string()).or_default() += 1;
    }

    /// Marks the ePing schedule as active.
    pub fn sync_started(&self, interval: Duration) {
        let mut s = lock(&self.sync_eping);
        s.get_or_insert_with(SyncStatus::default).interval_secs = interval.as_secs();
    }

    /// Records one ePing run: its report, or the reason it could not run.
    pub fn observe_sync(&self, outcome: Result<&crate::sync::eping::Report, &str>) {
        let mut guard = lock(&self.sync_eping);
        let s = guard.get_or_insert_with(SyncStatus::default);
        s.runs += 1;
        match outcome {
            Ok(r) => {
                s.records_fetched += r.fetched as u64;
                s.records_imported += r.imported.len() as u64;
                match &r.stopped {
                    Some(why) => {
                        s.errors += 1;
                        s.last_error = Some(why.clone());
                    }
                    None => {
                        let now = chrono::Utc::now();
                        s.last_success = Some(now.to_rfc3339());
                        s.last_success_unix = Some(now.timestamp());
                    }
                }
            }
            Err(e) => {
                s.errors += 1;
                s.last_error = Some(e.to_string());
            }
        }
    }

    /// The ePing sync status, when a schedule runs.
    pub fn sync_status(&self) -> Option<SyncStatus> {
        lock(&self.sync_eping).clone()
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self, index: &IndexGauges) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP biaozhun_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE biaozhun_http_requests_total counter\n");
        let routes = lock(&self.routes);
        for (route, stats) in routes.iter() {
            for ((method, status), n) in &stats.requests {
                let _ = writeln!(
                    out,
                    "biaozhun_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    escape(route),
                    escape(method)
                );
            }
        }
        out.push_str(
            "# HELP biaozhun_http_request_duration_seconds HTTP request latency by route.\n",
        );
        out.push_str("# TYPE biaozhun_http_request_duration_seconds histogram\n");
        for (route, stats) in routes.iter() {
            let h = &stats.latency;
            let route = escape(route);
            for (i, bound) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "biaozhun_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(
                out,
                "biaozhun_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(
                out,
                "biaozhun_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "biaozhun_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        drop(routes);
        out.push_str("# HELP biaozhun_index_ready Whether the index is open (1) or not (0).\n");
        out.push_str("# TYPE biaozhun_index_ready gauge\n");
        let _ = writeln!(out, "biaozhun_index_ready {}", u8::from(index.ready));
        let (delivered, failed, attempts) = crate::webhook::counters();
        out.push_str("# HELP biaozhun_webhook_deliveries_total Webhook deliveries by outcome.\n");
        out.push_str("# TYPE biaozhun_webhook_deliveries_total counter\n");
        let _ = writeln!(
            out,
            "biaozhun_webhook_deliveries_total{{outcome=\"delivered\"}} {delivered}"
        );
        let _ = writeln!(
            out,
            "biaozhun_webhook_deliveries_total{{outcome=\"failed\"}} {failed}"
        );
        out.push_str(
            "# HELP biaozhun_webhook_attempts_total Webhook POST attempts, retries included.\n",
        );
        out.push_str("# TYPE biaozhun_webhook_attempts_total counter\n");
        let _ = writeln!(out, "biaozhun_webhook_attempts_total {attempts}");
        out.push_str(
            "# HELP biaozhun_index_generation Index generation served (re-index switches).\n",
        );
        out.push_str("# TYPE biaozhun_index_generation gauge\n");
        let _ = writeln!(out, "biaozhun_index_generation {}", index.generation);
        out.push_str("# HELP biaozhun_index_searcher_generation Commits this process's searchers have followed.\n");
        out.push_str("# TYPE biaozhun_index_searcher_generation gauge\n");
        let _ = writeln!(
            out,
            "biaozhun_index_searcher_generation {}",
            index.searcher_generation
        );
        out.push_str("# HELP biaozhun_index_size_bytes Size of the index directory on disk.\n");
        out.push_str("# TYPE biaozhun_index_size_bytes gauge\n");
        let _ = writeln!(out, "biaozhun_index_size_bytes {}", index.size_bytes);
        out.push_str("# HELP biaozhun_index_documents Documents in the index by kind.\n");
        out.push_str("# TYPE biaozhun_index_documents gauge\n");
        for (kind, n) in &index.documents {
            let _ = writeln!(
                out,
                "biaozhun_index_documents{{kind=\"{}\"}} {n}",
                escape(kind)
            );
        }
        out.push_str(
            "# HELP biaozhun_ingest_files_total Files ingested by this process, by outcome.\n",
        );
        out.push_str("# TYPE biaozhun_ingest_files_total counter\n");
        for (status, n) in lock(&self.ingest).iter() {
            let _ = writeln!(
                out,
                "biaozhun_ingest_files_total{{status=\"{}\"}} {n}",
                escape(status)
            );
        }
        if let Some(s) = lock(&self.sync_eping).as_ref() {
            for (name, kind, help, value) in [
                (
                    "runs_total",
                    "counter",
                    "ePing sync runs finished by this process.",
                    s.runs,
                ),
                (
                    "errors_total",
                    "counter",
                    "ePing sync runs that failed or stopped early.",
                    s.errors,
                ),
                (
                    "records_fetched_total",
                    "counter",
                    "Records received from ePing.",
                    s.records_fetched,
                ),
                (
                    "records_imported_total",
                    "counter",
                    "ePing records imported (new or changed).",
                    s.records_imported,
                ),
                (
                    "interval_seconds",
                    "gauge",
                    "Seconds between scheduled ePing syncs.",
                    s.interval_secs,
                ),
            ] {
                let _ = writeln!(out, "# HELP biaozhun_sync_eping_{name} {help}");
                let _ = writeln!(out, "# TYPE biaozhun_sync_eping_{name} {kind}");
                let _ = writeln!(out, "biaozhun_sync_eping_{name} {value}");
            }
            if let Some(t) = s.last_success_unix {
                out.push_str("# HELP biaozhun_sync_eping_last_success_timestamp_seconds Unix time of the last complete ePing sync.\n");
                out.push_str("# TYPE biaozhun_sync_eping_last_success_timestamp_seconds gauge\n");
                let _ = writeln!(
                    out,
                    "biaozhun_sync_eping_last_success_timestamp_seconds {t}"
                );
            }
        }
        out
    }
}

/// Escapes a label value (backslash, quote, newline).
fn escape(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.observe_request("/api/v1/search", "GET", 200, Duration::from_millis(3));
        m.observe_request("/api/v1/search", "GET", 200, Duration::from_millis(30));
        m.observe_ingest("ok");
        let mut g = IndexGauges {
            ready: true,
            size_bytes: 42,
            ..IndexGauges::default()
        };
        g.documents
            .insert(biaozhun_model::RecordKind::Standard.as_str().into(), 7);
        let text = m.render(&g);
        assert!(text.contains(
            "biaozhun_http_requests_total{route=\"/api/v1/search\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains(
            "biaozhun_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"0.005\"} 1"
        ));
        assert!(text.contains(
            "biaozhun_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("biaozhun_index_documents{kind=\"standard\"} 7"));
        assert!(text.contains("biaozhun_ingest_files_total{status=\"ok\"} 1"));
        assert!(text.contains("biaozhun_index_size_bytes 42"));
    }
}
