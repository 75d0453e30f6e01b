//! `biaozhun optimize --index DIR`: merges the index into one segment after a bulk import, so
//! queries look each term up once instead of once per segment (see `Index::optimize`).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use biaozhun_index::Index;

/// Arguments of `biaozhun optimize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index directory (not served with uploads enabled at the same time: one writer).
    #[arg(long)]
    pub index: PathBuf,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Merges the segments and prints what changed.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let index = Index::open_writable(&args.index)
        .with_context(|| format!("cannot open index {} for writing", args.index.display()))?;
    let started = Instant::now();
    let report = index
        .optimize()
        .with_context(|| format!("cannot merge the segments of {}", args.index.display()))?;
    let secs = started.elapsed().as_secs_f64();
    if args.json {
        let mut v = serde_json::to_value(&report)?;
        v["seconds"] = serde_json::json!(secs);
        println!("{v}");
    } else {
        println!(
            "{} segment(s) merged into {} in {secs:.1} s; {} documents",
            report.segments_before, report.segments_after, report.documents
        );
    }
    Ok(ExitCode::SUCCESS)
}
