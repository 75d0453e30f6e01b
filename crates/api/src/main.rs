//! The `biaozhun` binary: one executable for the command line (`code`, `ingest`, `search`,
//! `eval`, `barriers`, `check`, `watch`, `optimize`, `querybench`, `snapshot`, `restore`,
//! `reindex`, `config`)
//! and the HTTP service (`serve`). Each subcommand lives in `cli/`; this file only parses
//! arguments, sets up logging and maps errors to exit codes.
//!
//! Exit codes, the same for every subcommand: 0 everything worked; 1 the command ran but some
//! of its inputs failed (a file of an ingest, a query of an eval below its bar, a corrupt
//! archive); 2 usage or configuration error (bad flags, unreadable config, no index where one
//! is needed: nothing was done).

/// With the `mimalloc` feature, mimalloc instead of glibc's malloc: a search makes many small,
/// short-lived allocations, which mimalloc serves faster (bench/RESULTS.md, sessions 7 and 8).
/// What it costs is memory kept per thread that allocates: about 47 MB more after a load at
/// 300k documents even with searches on the bounded pool, which is why it is not the default.
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// biaozhun (标准): full-text standards and trade-measures search.
#[derive(Debug, Parser)]
#[command(name = "biaozhun", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Parse standard numbers in any spelling and print their canonical form and fields.
    Code(cli::code::Args),
    /// Import files and folders (catalogs, PDFs, texts, notifications, regulations) into the
    /// index and report one outcome per file.
    Ingest(cli::ingest::Args),
    /// Serve the JSON API, the web page and metrics over HTTP.
    Serve(cli::serve::Args),
    /// Search an index built by `biaozhun ingest`.
    Search(cli::search::Args),
    /// Run the relevance harness (success@1, recall@k, MRR) over an index.
    Eval(cli::eval::Args),
    /// Trade measures of a market that touch a product (HS code or words), by family.
    Barriers(cli::barriers::Args),
    /// 查新: check every standard the documents cite (status on a date, edition in force);
    /// exit code 1 when something cited is out of date, 2 when a file cannot be read.
    Check(cli::check::Args),
    /// Watchlists of standards: set, show, list, delete, and check for changes (also run
    /// after every ingest); events go to the list's Atom feed and webhook.
    Watch(cli::watch::Args),
    /// The market dossier: measures with internal deadlines, cited standards with their
    /// Chinese adoptions, and the Chinese standards for the product (text, JSON or XLSX).
    Dossier(cli::dossier::Args),
    /// Collect from an outside source into the index: `sync eping` (WTO ePing notifications,
    /// key in BIAOZHUN_EPING_KEY), incremental from the position saved in the index.
    Sync(cli::sync::Args),
    /// Merge the index into one segment after a bulk import (faster queries).
    Optimize(cli::optimize::Args),
    /// Measure query latency and throughput in process over a query file (see bench/).
    Querybench(cli::querybench::Args),
    /// Write a consistent snapshot of an index (tar + zstd) while it is served and written.
    Snapshot(cli::snapshot::SnapshotArgs),
    /// Restore a snapshot into an index directory.
    Restore(cli::snapshot::RestoreArgs),
    /// Rebuild the index from its stored records with the current configuration, then switch
    /// to the new generation atomically.
    Reindex(cli::reindex::Args),
    /// The built-in index configuration (`config dump` writes it out for editing).
    #[command(subcommand)]
    Config(cli::config::Command),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // `serve` sets up logging itself once its configuration (log format) is read.
    if !matches!(cli.command, Command::Serve(_)) {
        cli::init_logging(biaozhun_api::config::LogFormat::Text, "warn");
    }
    let result = match cli.command {
        Command::Code(args) => cli::code::run(&args),
        Command::Ingest(args) => cli::ingest::run(&args),
        Command::Serve(args) => cli::serve::run(&args),
        Command::Search(args) => cli::search::run(&args),
        Command::Eval(args) => cli::eval::run(&args),
        Command::Barriers(args) => cli::barriers::run(&args),
        Command::Check(args) => cli::check::run(&args),
        Command::Watch(args) => cli::watch::run(&args),
        Command::Dossier(args) => cli::dossier::run(&args),
        Command::Sync(args) => cli::sync::run(&args),
        Command::Optimize(args) => cli::optimize::run(&args),
        Command::Querybench(args) => cli::querybench::run(&args),
        Command::Snapshot(args) => cli::snapshot::run_snapshot(&args),
        Command::Restore(args) => cli::snapshot::run_restore(&args),
        Command::Reindex(args) => cli::reindex::run(&args),
        Command::Config(cmd) => cli::config::run(&cmd),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            cli::exit_code(&e)
        }
    }
}
