//! `biaozhun querybench QUERIES --index DIR`: query latency and throughput measured in process,
//! without HTTP and JSON, so the engine's own cost can be compared with engines queried in
//! process (the peers of `bench/`) and with the HTTP figures of the same run.
//!
//! Three request shapes are measured over the same queries: the API's default (hits and every
//! facet), the same with ten snippets, and hits only (`facets=none`, what a portal listing a
//! page of results asks for). For each: sequential latency percentiles over `--passes` passes,
//! then throughput with `--threads` threads each running the passes.

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
    /// Only these shapes (comma-separated: facets, facets_snippets, hits_only).
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
}

/// One benchmark query.
struct BenchQuery {
    group: String,
    req: SearchRequest,
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
    for q in &queries {
        index
            .search(&q.req)
            .with_context(|| format!("query {:?} failed", q.req.q))?;
    }
    let shapes: [(&'static str, bool, Option<Vec<String>>); 3] = [
        ("facets", false, None),
        ("facets_snippets", true, None),
        ("hits_only", false, Some(Vec::new())),
    ];
    let mut out = Vec::new();
    let only: Option<Vec<&str>> = args
        .shapes
        .as_deref()
        .map(|s| s.split(',').map(str::trim).collect());
    for (shape, snippets, facets) in shapes {
        if only.as_ref().is_some_and(|o| !o.contains(&shape)) {
            continue;
        }
        let reqs: Vec<(String, SearchRequest)> = queries
            .iter()
            .map(|q| {
                let mut r = q.req.clone();
                r.snippets = snippets;
                r.facets = facets.clone();
                (q.group.clone(), r)
            })
            .collect();
        let mut all = Vec::with_capacity(reqs.len() * passes);
        let mut by_group: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        let mut slow: Vec<(f64, &str, u64)> = Vec::new();
        for _ in 0..passes {
            for (group, r) in &reqs {
                let mut ms = f64::MAX;
                let mut res = None;
                for _ in 0..best_of {
                    let t = Instant::now();
                    res = Some(index.search(r)?);
                    ms = ms.min(t.elapsed().as_secs_f64() * 1000.0);
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
        });
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
    }
    Ok(ExitCode::SUCCESS)
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
        if let Some(f) = v.get("filters").and_then(|f| f.as_object()) {
            req.extend(f.clone());
        }
        let q = v
            .get("q")
            .and_then(|q| q.as_str())
            .with_context(|| format!("{}: no \"q\"", at()))?;
        req.insert("q".into(), q.into());
        req.insert("limit".into(), 10.into());
        let req: SearchRequest = serde_json::from_value(serde_json::Value::Object(req))
            .with_context(|| format!("{}: filters are not search fields", at()))?;
        let group = v
            .get("group")
            .and_then(|g| g.as_str())
            .unwrap_or("all")
            .to_string();
        out.push(BenchQuery { group, req });
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
