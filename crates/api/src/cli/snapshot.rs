//! `biaozhun snapshot` and `biaozhun restore`: an index directory to one `.tar.zst` archive
//! and back (see `biaozhun_index::snapshot`). A snapshot can be taken while the service serves
//! and ingests; a restore goes into a stopped service's directory.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_index::snapshot;

/// Arguments of `biaozhun snapshot`.
#[derive(Debug, clap::Args)]
pub struct SnapshotArgs {
    /// The index directory (may be served and written meanwhile).
    #[arg(long)]
    pub index: PathBuf,
    /// The archive to write (`.tar.zst`).
    #[arg(long)]
    pub out: PathBuf,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Writes the snapshot and prints what it holds.
pub fn run_snapshot(args: &SnapshotArgs) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let report = snapshot::snapshot(&args.index, &args.out)
        .with_context(|| format!("cannot snapshot {}", args.index.display()))?;
    tracing::info!(
        out = %report.path.display(),
        bytes = report.bytes,
        files = report.files,
        ms = started.elapsed().as_millis() as u64,
        "snapshot written"
    );
    if args.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        println!(
            "{}: {} files ({} state files), {} bytes, generation {}",
            report.path.display(),
            report.files,
            report.state_files,
            report.bytes,
            report.generation
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// Arguments of `biaozhun restore`.
#[derive(Debug, clap::Args)]
pub struct RestoreArgs {
    /// The snapshot archive written by `biaozhun snapshot`.
    pub archive: PathBuf,
    /// The index directory to restore into (stop services using it first).
    #[arg(long)]
    pub index: PathBuf,
    /// Replace a non-empty index directory.
    #[arg(long)]
    pub force: bool,
}

/// Restores the archive; the target is untouched unless the whole archive checks out.
pub fn run_restore(args: &RestoreArgs) -> anyhow::Result<ExitCode> {
    let report = snapshot::restore(&args.archive, &args.index, args.force)?;
    tracing::info!(index = %args.index.display(), files = report.files, "snapshot restored");
    println!(
        "restored {} files ({} state files) of generation {} into {}",
        report.files,
        report.state_files,
        report.generation,
        args.index.display()
    );
    Ok(ExitCode::SUCCESS)
}
