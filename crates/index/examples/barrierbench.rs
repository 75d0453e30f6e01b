//! Barrier-check and dossier latency measured in process (no HTTP, no JSON), the
//! `querybench` way: one warm-up pass, then `PASSES` timed passes over a list of requests,
//! keeping each request's fastest time (on a shared, loaded machine the fastest of a few runs is
//! close to the request's own cost) and its median.
//!
//! ```sh
//! cargo run --example barrierbench -- INDEX_DIR REQUESTS [PASSES]
//! ```
//!
//! `REQUESTS` (`bench/barrier-requests.txt`) holds one request a line, `market|hs|q` (any part may be empty), judged on
//! 2026-12-01; lines with a market are also run as dossiers (30 days' lead). Figures of our runs
//! are in `bench/RESULTS.md`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use biaozhun_index::barriers::BarrierRequest;
use biaozhun_index::dossier::DossierRequest;
use biaozhun_index::Index;
use chrono::NaiveDate;

type Error = Box<dyn std::error::Error>;

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(list)) = (args.next(), args.next()) else {
        return Err("usage: barrierbench INDEX_DIR REQUESTS [PASSES]".into());
    };
    let passes: usize = match args.next() {
        Some(p) => p.parse().map_err(|e| format!("passes {p:?}: {e}"))?,
        None => 10,
    };
    let index = Index::open(&PathBuf::from(&dir)).map_err(|e| format!("{dir}: {e}"))?;
    let text = std::fs::read_to_string(&list).map_err(|e| format!("{list}: {e}"))?;
    let on = NaiveDate::from_ymd_opt(2026, 12, 1);
    let mut barriers = Vec::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let mut parts = line.split('|').map(|p| {
            let p = p.trim();
            (!p.is_empty()).then(|| p.to_string())
        });
        barriers.push(BarrierRequest {
            market: parts.next().flatten(),
            hs: parts.next().flatten(),
            q: parts.next().flatten(),
            open_on: on,
            limit: 0,
        });
    }
    let dossiers: Vec<DossierRequest> = barriers
        .iter()
        .filter(|r| r.market.is_some() && (r.hs.is_some() || r.q.is_some()))
        .map(|r| DossierRequest {
            barrier: r.clone(),
            lead_days: 30,
        })
        .collect();
    // What reading the HS chapter names costs the requests that need them.
    let start = Instant::now();
    for _ in 0..100 {
        let _ = index.hs_chapters();
    }
    let chapters = start.elapsed() / 100;
    let b = measure(passes, &barriers, |r| index.barriers(r).map(|_| ()))?;
    let d = measure(passes, &dossiers, |r| index.dossier(r).map(|_| ()))?;
    println!(
        "{} barrier checks, {} dossiers, {passes} passes",
        barriers.len(),
        dossiers.len()
    );
    println!(
        "hs_chapters(): {:.3} ms a call",
        chapters.as_secs_f64() * 1e3
    );
    report("barriers", &b);
    report("dossier", &d);
    Ok(())
}

/// Per request: (fastest, median) over the timed passes.
fn measure<R, E: std::error::Error + 'static>(
    passes: usize,
    reqs: &[R],
    run: impl Fn(&R) -> Result<(), E>,
) -> Result<Vec<(Duration, Duration)>, Error> {
    for r in reqs {
        run(r)?;
    }
    let mut times = vec![Vec::with_capacity(passes); reqs.len()];
    for _ in 0..passes {
        for (r, t) in reqs.iter().zip(times.iter_mut()) {
            let start = Instant::now();
            run(r)?;
            t.push(start.elapsed());
        }
    }
    Ok(times
        .into_iter()
        .map(|mut t| {
            t.sort();
            (t.first().copied().unwrap_or_default(), t[t.len() / 2])
        })
        .collect())
}

fn report(name: &str, figures: &[(Duration, Duration)]) {
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mut best: Vec<f64> = figures.iter().map(|f| ms(f.0)).collect();
    let mut median: Vec<f64> = figures.iter().map(|f| ms(f.1)).collect();
    best.sort_by(f64::total_cmp);
    median.sort_by(f64::total_cmp);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
    let pct = |v: &[f64], p: usize| {
        v.get((v.len() * p / 100).min(v.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    println!(
        "{name}: fastest-of-passes mean {:.2} ms, p50 {:.2}, p90 {:.2}; median-of-passes mean {:.2} ms, p50 {:.2}, p90 {:.2}",
        mean(&best),
        pct(&best, 50),
        pct(&best, 90),
        mean(&median),
        pct(&median, 50),
        pct(&median, 90),
    );
}
