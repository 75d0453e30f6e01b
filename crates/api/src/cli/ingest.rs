//! `biaozhun ingest`: files and folders into the index, with a per-file report.
//!
//! Thin wrapper over the one ingest service ([`biaozhun_api::ingest`], the same as uploads,
//! jobs, the bootstrap and the ePing sync): parses flags, opens the index (or runs dry without
//! `--index`), shows a progress bar (files, MB, rate, ETA; the file name cut to the terminal's
//! width in columns, so double-width Chinese names do not wrap it) when stderr is a terminal,
//! writes one JSON line per input file to `--report`, and prints a summary. Exit code 1 when
//! any file failed or the commit did; 2, naming the file, when `catalog-aliases.toml` of the
//! configuration is present but invalid (nothing is read).

use std::cell::RefCell;
use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_api::ingest::{Destination, IngestOptions, Inputs};
use biaozhun_ingest::batch::{self, FileReport, FileStatus};

/// Flags of `biaozhun ingest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Index directory (created when missing). Without it the batch is a dry run: files are
    /// read and reported, nothing is stored.
    #[arg(long)]
    pub index: Option<PathBuf>,
    /// Configuration directory (schema, analyzer files, catalog-aliases.toml) [default: the
    /// built-in configuration; `biaozhun config dump` writes it out].
    #[arg(long, env = "BIAOZHUN_INDEX_CONFIG")]
    pub config: Option<PathBuf>,
    /// Write one JSON line per input file here.
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// Never run OCR, even when tesseract is installed.
    #[arg(long)]
    pub no_ocr: bool,
    /// Pages of one scanned PDF recognised at once (0: one per core). The whole process never
    /// runs more OCR processes than it has cores, whatever `--threads` is.
    #[arg(long, default_value_t = 0)]
    pub ocr_workers: usize,
    /// Refuse files larger than this many bytes.
    #[arg(long, default_value_t = 200 * 1024 * 1024)]
    pub max_file_size: u64,
    /// Worker threads for full-text files.
    #[arg(long, default_value_t = 2)]
    pub threads: usize,
    /// Merge the index into one segment after the batch (`biaozhun optimize`): worth it after
    /// a bulk import, as queries then look each term up once instead of once per segment.
    #[arg(long)]
    pub optimize: bool,
    /// Files and folders to ingest (folders are walked recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// TOML file with `[[webhooks]]` subscriptions (the service config file works): new
    /// notifications matching one are POSTed to it after the ingest.
    #[arg(long)]
    pub webhooks: Option<PathBuf>,
}

/// Runs the batch.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let config = crate::cli::config_dir(args.config.as_deref())?;
    // Checked before the index is opened or the report created: the service checks it again.
    biaozhun_api::ingest::aliases(&config)?;

    let hooks = match &args.webhooks {
        Some(p) => biaozhun_api::webhook::load_file(p)?,
        None => Vec::new(),
    };
    let before = biaozhun_api::webhook::snapshot_dir(args.index.as_deref(), &hooks);
    let index = match &args.index {
        Some(dir) => Some(
            biaozhun_index::Index::open_or_create(dir, &config)
                .with_context(|| format!("cannot open index {}", dir.display()))?,
        ),
        None => {
            eprintln!("note: no --index given: dry run, nothing is stored");
            None
        }
    };
    let destination = match &index {
        Some(ix) => Destination::Index(ix),
        None => Destination::DryRun,
    };

    let report_file = match &args.report {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("cannot create {}", p.display()))?,
        )),
        None => None,
    };
    // The walk is repeated inside the batch; counting first gives the progress line its total.
    let (files, unreadable) = batch::walk(&args.paths);
    let sizes: HashMap<String, u64> = files
        .iter()
        .map(|p| {
            let len = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
            (p.display().to_string(), len)
        })
        .collect();
    let bar = progress_bar(sizes.values().sum(), files.len() + unreadable.len());
    crate::cli::set_progress(Some(bar.clone()));
    let state = RefCell::new(Progress {
        report: report_file,
        write_error: None,
        done: 0,
        total: files.len() + unreadable.len(),
        sizes,
        bar: bar.clone(),
        failures: Vec::new(),
    });
    let progress = |r: &FileReport| state.borrow_mut().file(r);
    let opts = IngestOptions {
        ocr_max_pages: if args.no_ocr {
            0
        } else {
            IngestOptions::default().ocr_max_pages
        },
        ocr_workers: args.ocr_workers,
        max_file_bytes: args.max_file_size,
        threads: args.threads,
        progress: &progress,
    };
    let ran = biaozhun_api::ingest::run(&config, Inputs::Paths(&args.paths), destination, &opts);
    bar.finish_and_clear();
    crate::cli::set_progress(None);
    let s = ran?.summary;
    let state = state.into_inner();
    if let Some(mut w) = state.report {
        w.flush().context("cannot write the report")?;
    }
    if let Some(e) = state.write_error {
        anyhow::bail!("cannot write the report: {e}");
    }
    for line in &state.failures {
        eprintln!("{line}");
    }
    println!(
        "{} files: {} ok, {} with warnings, {} failed, {} skipped",
        s.files, s.ok, s.warning, s.error, s.skipped
    );
    println!(
        "records: {} standards, {} notifications, {} regulations ({} full texts merged with catalog records); {} catalog rows rejected",
        s.standards, s.notifications, s.regulations, s.merged, s.rejected_rows
    );
    if let Some(e) = &s.commit_error {
        println!("commit failed: {e}");
    } else if let (true, Some(ix)) = (args.optimize, &index) {
        let started = std::time::Instant::now();
        let r = ix.optimize().context("cannot merge the index segments")?;
        println!(
            "optimized: {} segment(s) merged into {} in {:.1} s",
            r.segments_before,
            r.segments_after,
            started.elapsed().as_secs_f64()
        );
    }
    if args.index.is_none() {
        println!("dry run: nothing stored (pass --index DIR to store)");
    }
    biaozhun_api::webhook::deliver_after_cli_ingest(args.index.as_deref(), &hooks, before);
    if let (Some(dir), None) = (&args.index, &s.commit_error) {
        let today = chrono::Local::now().date_naive();
        if let Err(e) = biaozhun_api::watch::detect_and_deliver_cli(dir, today) {
            eprintln!("watchlists: {e}");
        }
    }
    Ok(if s.failed() {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

/// A bar of bytes (rate and ETA follow from them) with files done and the current file name;
/// hidden when stderr is not a terminal.
fn progress_bar(bytes: u64, files: usize) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(bytes),
        indicatif::ProgressDrawTarget::stderr(),
    );
    let style = indicatif::ProgressStyle::with_template(
        "{prefix} [{bar:24}] {bytes}/{total_bytes} {binary_bytes_per_sec} ETA {eta} {wide_msg}",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar.set_prefix(format!("0/{files}"));
    bar
}

struct Progress {
    report: Option<std::io::BufWriter<std::fs::File>>,
    write_error: Option<String>,
    done: usize,
    total: usize,
    sizes: HashMap<String, u64>,
    bar: indicatif::ProgressBar,
    failures: Vec<String>,
}

impl Progress {
    fn file(&mut self, r: &FileReport) {
        self.done += 1;
        if let Some(w) = &mut self.report {
            let line = serde_json::to_string(r).unwrap_or_default();
            if let Err(e) = writeln!(w, "{line}") {
                self.write_error.get_or_insert(e.to_string());
            }
        }
        if r.status == FileStatus::Error {
            self.failures.push(format!(
                "error: {}: {}",
                r.path,
                r.reason.as_deref().unwrap_or("failed")
            ));
        }
        self.bar
            .inc(self.sizes.get(&r.path).copied().unwrap_or_default());
        self.bar.set_prefix(format!("{}/{}", self.done, self.total));
        // `wide_msg` is cut to the columns left (display width, not bytes or chars).
        let name = std::path::Path::new(&r.path)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| r.path.clone());
        self.bar
            .set_message(format!("{} {name}", r.status.as_str()));
    }
}
