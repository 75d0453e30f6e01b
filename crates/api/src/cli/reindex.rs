//! `biaozhun reindex --index DIR`: rebuilds the index from the records it stores, with the
//! current configuration, into a new generation, and switches to it atomically (see
//! `biaozhun_index::reindex`). Services serving DIR read-only follow the switch; a service
//! writing DIR holds its writer lock, so re-index through its admin route instead.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

/// Arguments of `biaozhun reindex`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// Index configuration folder to rebuild with [default: the built-in configuration].
    #[arg(long, value_name = "DIR", env = "BIAOZHUN_INDEX_CONFIG")]
    pub config: Option<PathBuf>,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Rebuilds and switches; prints what was copied.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let config = crate::cli::config_dir(args.config.as_deref())?;
    let started = std::time::Instant::now();
    let report = biaozhun_index::reindex::reindex_dir(&args.index, &config)
        .with_context(|| format!("cannot re-index {}", args.index.display()))?;
    let secs = started.elapsed().as_secs_f64();
    tracing::info!(
        from = report.from_generation,
        to = report.to_generation,
        records = report.records,
        secs,
        "re-index done"
    );
    if args.json {
        let mut v = serde_json::to_value(&report)?;
        v["seconds"] = serde_json::json!(secs);
        println!("{v}");
    } else {
        println!(
            "generation {} -> {}: {} records, {} file entries copied in {secs:.1} s ({} unreadable)",
            report.from_generation,
            report.to_generation,
            report.records,
            report.files,
            report.unreadable
        );
    }
    Ok(ExitCode::SUCCESS)
}
