//! Where an index's start-up goes: time and resident memory (VmRSS) after each step of what
//! `biaozhun serve` does before its first answer: open (a read-only open loads jieba's
//! dictionary while it reads the column cache, the stored edition table with today's day rows
//! and the HS names back from their files, so the steps after it find them ready), the
//! CC-CEDICT/HS bridge, the edition table (read back from its stored
//! file, or built with the per-segment columns), the rest of `Index::warm` (columns, day
//! rows), one search and two edition chains (the first reads the stored graph back, or builds
//! it). Linux only (reads `/proc/self/status`).
//!
//! ```sh
//! cargo run --release --example startup -- INDEX_DIR [QUERY]
//! ```
//!
//! Figures of our runs are in `bench/RESULTS.md`; `bench/startup.py` measures the server.

use std::path::PathBuf;
use std::time::Instant;

use biaozhun_index::{Index, SearchRequest};

type Error = Box<dyn std::error::Error>;

fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() -> Result<(), Error> {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        return Err("usage: startup INDEX_DIR [QUERY]".into());
    };
    let q = args.next().unwrap_or_else(|| "食品 安全".to_string());
    let start = Instant::now();
    let mut last = Instant::now();
    let mut step = |name: &str| {
        println!(
            "{name:<28} {:>8.1} ms  total {:>8.1} ms  rss {:>7.1} MB",
            last.elapsed().as_secs_f64() * 1e3,
            start.elapsed().as_secs_f64() * 1e3,
            rss_mb()
        );
        last = Instant::now();
    };
    step("process");
    let index = Index::open(&PathBuf::from(&dir)).map_err(|e| format!("{dir}: {e}"))?;
    step("open");
    index.bridge().warm();
    step(
        &format!("bridge (HS {:?})", index.bridge().hs_origin())
            .chars()
            .take(28)
            .collect::<String>(),
    );
    let table = index.editions()?;
    step(
        &format!("edition table ({:?})", table.origin())
            .chars()
            .take(28)
            .collect::<String>(),
    );
    index.warm()?;
    step("warm rest (columns, days)");
    let req = SearchRequest {
        q,
        ..Default::default()
    };
    let res = index.search(&req)?;
    step(&format!("first search ({} hits)", res.total));
    // A record page or 查新 asks for a chain: the graph is read back (or built) now.
    let code = biaozhun_model::StandardCode::parse("GB/T 7714-2015")?;
    let chain = index.edition_chain(&code, chrono::Local::now().date_naive())?;
    let graph = match table.graph_origin() {
        Some(biaozhun_index::TableOrigin::Stored) => "read",
        Some(_) => "built",
        None => "?",
    };
    step(&format!(
        "first chain ({} eds, {graph})",
        chain.map_or(0, |c| c.editions.len())
    ));
    let chain = index.edition_chain(&code, chrono::Local::now().date_naive())?;
    step(&format!(
        "second chain ({} editions)",
        chain.map_or(0, |c| c.editions.len())
    ));
    Ok(())
}
