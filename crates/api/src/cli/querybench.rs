//! `biaozhun querybench QUERIES --index DIR`: query latency and throughput measured in process,
//! without HTTP and JSON, so the engine's own cost can be compared with engines queried in
//! process (the peers of `bench/`) and with the HTTP figures of the same run.
//!
//! Four request shapes are measured over the same queries: the API's default (hits and every
//! facet), the same with ten snippets, hits only (`facets=none`, what a portal listing a page
//! of results asks for), and `hits_top`: hits only with `track_total_hits=false`, where the
//! total may be a lower bound and the documents that cannot reach the page are skipped (the
//! shape comparable with peers that estimate their totals, as Xapian's `get_mset` does). For
//! each: sequential latency percentiles over `--passes` passes, then throughput with
//! `--threads` threads each running the passes.
//!
//! With `--http`, a fourth shape, `http_hits_only`, sends the hits-only requests through the
//! API's own router in process (routing, query extraction, validation, the blocking-pool hop,
//! the wire conversion, JSON, middleware and gzip; no sockets) and splits each request's time
//! into engine, wire conversion + JSON, the rest of the router, and gzip: the HTTP layer's share
//! of a request's cost, which the wrk figures of `bench/` cannot separate from the network.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use biaozhun_index::{Index, SearchRequest};
use serde::Serialize;

/// Arguments of `biaozhun querybench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Queries, JSON lines with `q`, optional `filters` (request fields) and `group`: the
    /// format of `bench/out/<preset>/queries.jsonl` and `fixtures/eval/queries.jsonl`.
    pub queries: PathBuf,
    /// The index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// Timed passes over the queries per shape (after one warm-up pass).
    #[arg(long, default_value_t = 3)]
    pub passes: usize,
    /// Threads of the throughput runs (default: the machine's cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print the figures as JSON.
    #[arg(long)]
    pub json: bool,
    /// Only these shapes (comma-separated: facets, facets_snippets, hits_only, hits_top).
    #[arg(long)]
    pub shapes: Option<String>,
    /// Also list the N slowest queries of each shape (to stderr), for profiling.
    #[arg(long, default_value_t = 0)]
    pub slowest: usize,
    /// Run each query this many times in a row and keep its fastest time: on a shared,
    /// loaded machine one run's wall clock also counts the time the thread waited for a core,
    /// which drowns the p99 of the engine; the fastest of a few is close to the query's own
    /// cost. Throughput runs are not affected.
    #[arg(long, default_value_t = 1)]
    pub best_of: usize,
    /// Also measure the HTTP layer's share (shape `http_hits_only`, see the module doc).
    #[arg(long)]
    pub http: bool,
    /// Skip the warm-up pass. For profilers that count work rather than time it
    /// (`bench/callgrind`): the warm-up runs each query with its own facets, which would
    /// add a facet merge to every shape's count.
    #[arg(long)]
    pub no_warmup: bool,
    /// Write every response of the first timed pass to this file, one JSON line per query and
    /// shape: two binaries' dumps compare byte for byte, so an engine change that must not
    /// change answers (an optimisation) can be checked on a whole benchmark set.
    #[arg(long)]
    pub dump: Option<PathBuf>,
}

/// A request shape: its name, snippets, the facets counted, `track_total_hits`.
type Shape = (&'static str, bool, Option<Vec<String>>, Option<u64>);

/// One benchmark query.
struct BenchQuery {
    group: String,
    req: SearchRequest,
    /// The same query as HTTP parameters (hits only), for `--http`.
    path: Vec<(String, String)>,
}

/// Figures of one request shape.
#[derive(Debug, Serialize)]
struct ShapeFigures {
    shape: &'static str,
    /// Runs per query and pass whose fastest is kept (see [`Args::best_of`]).
    best_of: usize,
    queries: usize,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    mean_ms: f64,
    by_group_p99_ms: BTreeMap<String, f64>,
    threads: usize,
    throughput_qps: f64,
    /// Only for `http_hits_only`: where the time of a request goes.
    #[serde(skip_serializing_if = "Option::is_none")]
    http: Option<HttpShare>,
}

/// The stages of one in-process HTTP request, each timed on its own (fastest of `best_of`).
#[derive(Debug, Serialize)]
struct HttpShare {
    /// `Index::search` alone.
    engine_p50_ms: f64,
    engine_p99_ms: f64,
    /// Wire conversion (`SearchAnswer::from_index`) and `serde_json::to_vec`.
    wire_p50_ms: f64,
    wire_p99_ms: f64,
    /// The whole router without compression (the request as a client without
    /// `Accept-Encoding` sends it).
    router_p50_ms: f64,
    router_p99_ms: f64,
    /// The whole router with `Accept-Encoding: gzip` (what browsers send).
    router_gzip_p50_ms: f64,
    router_gzip_p99_ms: f64,
    /// Shares of the mean uncompressed request, in per cent (they add up to 100): engine,
    /// wire conversion + JSON, and the rest of the router (routing, extraction, validation,
    /// blocking-pool hop, middleware).
    share_engine_pct: f64,
    share_wire_pct: f64,
    share_router_pct: f64,
    /// What gzip adds to the mean request, in per cent of the uncompressed one (near 0 or
    /// even negative when it is within the noise).
    gzip_extra_pct: f64,
    /// Mean response body bytes without and with gzip.
    body_bytes: f64,
    body_gzip_bytes: f64,
}

/// Runs the benchmark and prints its figures.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let index = Index::open(&args.index)
        .with_context(|| format!("cannot open index {}", args.index.display()))?;
    index.warm().context("cannot prepare the index")?;
    let queries = load(&args.queries)?;
    anyhow::ensure!(
        !queries.is_empty(),
        "{} holds no query",
        args.queries.display()
    );
    let threads = args
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    let passes = args.passes.max(1);
    let best_of = args.best_of.max(1);
    // Warm-up: loads the postings and stored blocks the timed passes read.
    for q in queries.iter().filter(|_| !args.no_warmup) {
        index
            .search(&q.req)
            .with_context(|| format!("query {:?} failed", q.req.q))?;
    }
    let shapes: [Shape; 4] = [
        ("facets", false, None, None),
        ("facets_snippets", true, None, None),
        ("hits_only", false, Some(Vec::new()), None),
        ("hits_top", false, Some(Vec::new()), Some(0)),
    ];
    let mut out = Vec::new();
    let mut dump = match &args.dump {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot write {}", p.display()))?,
        )),
        None => None,
    };
    let only: Option<Vec<&str>> = args
        .shapes
        .as_deref()
        .map(|s| s.split(',').map(str::trim).collect());
    for (shape, snippets, facets, track_total_hits) in shapes {
        if only.as_ref().is_some_and(|o| !o.contains(&shape)) {
            continue;
        }
        let reqs: Vec<(String, SearchRequest)> = queries
            .iter()
            .map(|q| {
                let mut r = q.req.clone();
                r.snippets = snippets;
                r.facets = facets.clone();
                r.track_total_hits = track_total_hits;
                (q.group.clone(), r)
            })
            .collect();
        let mut all = Vec::with_capacity(reqs.len() * passes);
        let mut by_group: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut slow: Vec<(f64, &str, u64)> = Vec::new();
        for pass in 0..passes {
            for (group, r) in &reqs {
                let mut ms = f64::MAX;
                let mut res = None;
                for _ in 0..best_of {
                    let t = Instant::now();
                    res = Some(index.search(r)?);
                    ms = ms.min(t.elapsed().as_secs_f64() * 1000.0);
                }
                if let (Some(w), Some(res), 0) = (dump.as_mut(), res.as_ref(), pass) {
                    use std::io::Write;
                    let line = serde_json::json!({"shape": shape, "q": r.q, "response": res});
                    writeln!(w, "{line}").context("cannot write the dump")?;
                }
                let total = res.map_or(0, |r| r.total);
                all.push(ms);
                by_group.entry(group.clone()).or_default().push(ms);
                if args.slowest > 0 {
                    slow.push((ms, r.q.as_str(), total));
                }
            }
        }
        if args.slowest > 0 {
            slow.sort_by(|a, b| b.0.total_cmp(&a.0));
            for (ms, q, total) in slow.iter().take(args.slowest) {
                eprintln!("{shape:<16} {ms:>8.2} ms  {total:>7} hits  {q}");
            }
        }
        let started = Instant::now();
        let done = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let (index, reqs) = (&index, &reqs);
                    s.spawn(move || -> anyhow::Result<usize> {
                        let mut n = 0;
                        for p in 0..passes {
                            // Threads start at different places of the set, like users.
                            let shift = (t * reqs.len() / threads + p) % reqs.len();
                            for i in 0..reqs.len() {
                                index.search(&reqs[(i + shift) % reqs.len()].1)?;
                                n += 1;
                            }
                        }
                        Ok(n)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| {
                    h.join()
                        .map_err(|_| anyhow::anyhow!("a query thread panicked"))?
                })
                .sum::<anyhow::Result<usize>>()
        })?;
        let wall = started.elapsed().as_secs_f64();
        out.push(ShapeFigures {
            shape,
            best_of,
            queries: all.len(),
            p50_ms: pct(&all, 50.0),
            p95_ms: pct(&all, 95.0),
            p99_ms: pct(&all, 99.0),
            max_ms: all.iter().copied().fold(0.0, f64::max),
            mean_ms: all.iter().sum::<f64>() / all.len() as f64,
            by_group_p99_ms: by_group
                .into_iter()
                .map(|(g, v)| (g, pct(&v, 99.0)))
                .collect(),
            threads,
            throughput_qps: done as f64 / wall,
            http: None,
        });
    }
    if let Some(mut w) = dump {
        use std::io::Write;
        w.flush().context("cannot write the dump")?;
    }
    let index = std::sync::Arc::new(index);
    if args.http {
        out.push(http_shape(&index, &queries, passes, best_of)?);
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&out)?);
    } else {
        println!(
            "{:<16} {:>6} {:>8} {:>8} {:>8} {:>8} {:>8} {:>10}",
            "shape", "n", "p50 ms", "p95 ms", "p99 ms", "max ms", "mean ms", "q/s"
        );
        for f in &out {
            println!(
                "{:<16} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>10.0}",
                f.shape,
                f.queries,
                f.p50_ms,
                f.p95_ms,
                f.p99_ms,
                f.max_ms,
                f.mean_ms,
                f.throughput_qps
            );
        }
        println!("(throughput with {threads} threads)");
        if let Some(h) = out.iter().find_map(|f| f.http.as_ref()) {
            println!(
                "http_hits_only: p50/p99 ms engine {:.3}/{:.3}, wire+JSON {:.3}/{:.3}, router {:.3}/{:.3}, router+gzip {:.3}/{:.3}",
                h.engine_p50_ms,
                h.engine_p99_ms,
                h.wire_p50_ms,
                h.wire_p99_ms,
                h.router_p50_ms,
                h.router_p99_ms,
                h.router_gzip_p50_ms,
                h.router_gzip_p99_ms
            );
            println!(
                "http_hits_only: shares of a request: engine {:.1} %, wire+JSON {:.1} %, rest of the router {:.1} %; gzip adds {:.1} % ({:.0} -> {:.0} bytes)",
                h.share_engine_pct,
                h.share_wire_pct,
                h.share_router_pct,
                h.gzip_extra_pct,
                h.body_bytes,
                h.body_gzip_bytes
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The `http_hits_only` shape: every hits-only request through the router, stage by stage.
fn http_shape(
    index: &std::sync::Arc<Index>,
    queries: &[BenchQuery],
    passes: usize,
    best_of: usize,
) -> anyhow::Result<ShapeFigures> {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    let raw = biaozhun_api::config::RawConfig {
        rate_limit_per_minute: Some(0),
        ..biaozhun_api::config::RawConfig::default()
    };
    let config = raw
        .validate()
        .map_err(|e| anyhow::anyhow!("default config: {e}"))?;
    let state =
        biaozhun_api::state::AppState::with_shared_index(config, std::sync::Arc::clone(index));
    let app = biaozhun_api::app::router(state);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    let call = |path: &str, gzip: bool| -> anyhow::Result<(f64, usize)> {
        let mut req = axum::http::Request::get(path);
        if gzip {
            req = req.header("accept-encoding", "gzip");
        }
        let req = req.body(Body::empty()).context("request")?;
        let app = app.clone();
        let t = Instant::now();
        let (status, bytes) = rt.block_on(async move {
            let resp = app.oneshot(req).await?;
            let status = resp.status();
            let bytes = resp.into_body().collect().await?.to_bytes();
            Ok::<_, anyhow::Error>((status, bytes))
        })?;
        let ms = t.elapsed().as_secs_f64() * 1000.0;
        anyhow::ensure!(
            status.is_success(),
            "GET {path} answered {status}: {}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
        );
        Ok((ms, bytes.len()))
    };
    let (mut engine, mut wire, mut router, mut gz) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut body, mut body_gz) = (0usize, 0usize);
    let mut by_group: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for _ in 0..passes {
        for q in queries {
            let mut r = q.req.clone();
            r.facets = Some(Vec::new());
            let path = search_path(&q.path);
            let best = |f: &mut dyn FnMut() -> anyhow::Result<(f64, usize)>| {
                let mut out = (f64::MAX, 0);
                for _ in 0..best_of {
                    let (ms, n) = f()?;
                    if ms < out.0 {
                        out = (ms, n);
                    }
                }
                Ok::<_, anyhow::Error>(out)
            };
            let (e, _) = best(&mut || {
                let t = Instant::now();
                index.search(&r)?;
                Ok((t.elapsed().as_secs_f64() * 1000.0, 0))
            })?;
            let res = index.search(&r)?;
            let (w, _) = best(&mut || {
                let t = Instant::now();
                let answer = biaozhun_api::wire::search::SearchAnswer::from_index(res.clone(), 0);
                let bytes = serde_json::to_vec(&answer)?;
                Ok((t.elapsed().as_secs_f64() * 1000.0, bytes.len()))
            })?;
            let (plain, n) = best(&mut || call(&path, false))?;
            let (zipped, nz) = best(&mut || call(&path, true))?;
            engine.push(e);
            wire.push(w);
            router.push(plain);
            gz.push(zipped);
            body += n;
            body_gz += nz;
            by_group.entry(q.group.clone()).or_default().push(zipped);
        }
    }
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let (me, mw, mr, mg) = (mean(&engine), mean(&wire), mean(&router), mean(&gz));
    let pct_of = |x: f64| if mr > 0.0 { 100.0 * x / mr } else { 0.0 };
    let n = gz.len();
    let share = HttpShare {
        engine_p50_ms: pct(&engine, 50.0),
        engine_p99_ms: pct(&engine, 99.0),
        wire_p50_ms: pct(&wire, 50.0),
        wire_p99_ms: pct(&wire, 99.0),
        router_p50_ms: pct(&router, 50.0),
        router_p99_ms: pct(&router, 99.0),
        router_gzip_p50_ms: pct(&gz, 50.0),
        router_gzip_p99_ms: pct(&gz, 99.0),
        share_engine_pct: pct_of(me),
        share_wire_pct: pct_of(mw),
        share_router_pct: pct_of(mr - me - mw),
        gzip_extra_pct: pct_of(mg - mr),
        body_bytes: body as f64 / n.max(1) as f64,
        body_gzip_bytes: body_gz as f64 / n.max(1) as f64,
    };
    Ok(ShapeFigures {
        shape: "http_hits_only",
        best_of,
        queries: n,
        p50_ms: pct(&gz, 50.0),
        p95_ms: pct(&gz, 95.0),
        p99_ms: pct(&gz, 99.0),
        max_ms: gz.iter().copied().fold(0.0, f64::max),
        mean_ms: mg,
        by_group_p99_ms: by_group
            .into_iter()
            .map(|(g, v)| (g, pct(&v, 99.0)))
            .collect(),
        threads: 1,
        throughput_qps: if mg > 0.0 { 1000.0 / mg } else { 0.0 },
        http: Some(share),
    })
}

/// `/api/v1/search?q=...&limit=10&facets=none&...` for a query's parameters (those of
/// `bench.py`'s `search_path`), percent-encoded.
fn search_path(params: &[(String, String)]) -> String {
    let mut out = String::from("/api/v1/search?");
    for (i, (k, v)) in params.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        encode_into(&mut out, k);
        out.push('=');
        encode_into(&mut out, v);
    }
    out
}

fn encode_into(out: &mut String, s: &str) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// Reads the queries: each line an object with `q`, optional `group` and `filters`.
fn load(path: &std::path::Path) -> anyhow::Result<Vec<BenchQuery>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = || format!("{} line {}", path.display(), i + 1);
        let v: serde_json::Value = serde_json::from_str(line).with_context(at)?;
        let mut req = serde_json::Map::new();
        let q = v
            .get("q")
            .and_then(|q| q.as_str())
            .with_context(|| format!("{}: no \"q\"", at()))?;
        let mut path: Vec<(String, String)> = vec![
            ("q".into(), q.into()),
            ("limit".into(), "10".into()),
            ("snippets".into(), "false".into()),
            ("facets".into(), "none".into()),
        ];
        if let Some(f) = v.get("filters").and_then(|f| f.as_object()) {
            req.extend(f.clone());
            for (k, v) in f {
                let v = match v {
                    serde_json::Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                path.push((k.clone(), v));
            }
        }
        req.insert("q".into(), q.into());
        req.insert("limit".into(), 10.into());
        let req: SearchRequest = serde_json::from_value(serde_json::Value::Object(req))
            .with_context(|| format!("{}: filters are not search fields", at()))?;
        let group = v
            .get("group")
            .and_then(|g| g.as_str())
            .unwrap_or("all")
            .to_string();
        out.push(BenchQuery { group, req, path });
    }
    Ok(out)
}

/// Nearest-rank percentile.
fn pct(xs: &[f64], p: f64) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    if v.is_empty() {
        return 0.0;
    }
    let k = ((p / 100.0 * v.len() as f64).ceil() as usize).clamp(1, v.len()) - 1;
    v[k]
}
