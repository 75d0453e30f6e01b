//! The one ingest service: files in, records in the index (or nowhere, for a dry run), one
//! report line per file.
//!
//! Every path that ingests goes through [`run`]: `biaozhun ingest` (the CLI), uploads
//! (`POST /api/v1/documents`), ingest jobs (uploads with `wait=false`), the bootstrap of an empty
//! index at `serve` start-up, and the ePing sync. They differ only in what they pass: the
//! inputs ([`Inputs`]: paths remembered as given, or a staging folder remembered under stable
//! `PREFIX/NAME` keys), the destination ([`Destination`]: the index, or a dry run into memory)
//! and the [`IngestOptions`] (OCR, workers, size limit, progress callback). The batch itself
//! ([`biaozhun_ingest::batch`]) knows neither HTTP nor the index; this module wires the two.
//!
//! # One rule for the catalog alias table
//!
//! The column names of catalogs come from `catalog-aliases.toml` in the index configuration
//! directory, read at the start of every batch (an edit applies to the next batch without a
//! restart, as it does for the CLI). The rule, the same for every caller ([`aliases`]):
//!
//! - the file is absent: the built-in table (the one in `index-config/` of this build), with a
//!   warning in the log. A configuration directory without the file is an older or partial
//!   one; the built-in table is what the operator gets without one.
//! - the file is present but unreadable or invalid (TOML error, unknown key, wrong version,
//!   ambiguous names): an [`IngestError`] naming the file, and nothing is ingested.
//!
//! A present but broken file is an operator error, and silently reading catalogs with other
//! column names than the operator wrote would import them wrongly (columns dropped, fields
//! mixed up) without anyone noticing. So it is reported loudly, where the operator looks:
//! `serve` refuses to start (checked before the listener is bound, and again by the
//! bootstrap); `biaozhun ingest` exits with code 2 naming the file; an upload answers `500`
//! with the stable code `misconfigured` naming the file (the caller is an admin, the file is
//! theirs to fix) and stores nothing; a queued job fails with the same message and keeps its
//! staged files; the ePing sync stops with it and resumes from the same page next time.

use std::path::{Path, PathBuf};

use biaozhun_index::Index;
use biaozhun_ingest::batch::{ingest_paths, BatchOptions, BatchSummary, FileReport, MemoryStore};
use biaozhun_ingest::catalog::{AliasError, Aliases, ALIASES_FILE};
use biaozhun_ingest::extract::ExtractOptions;
use biaozhun_model::{Record, Store, StoreError};

/// The key prefix of uploaded files (synchronous uploads and jobs alike): a file uploaded twice
/// is `upload/NAME` both times, so the second upload of the same content imports nothing.
pub const UPLOAD_PREFIX: &str = "upload";

/// Why a batch could not start (a bad input file never is: it gets a report line).
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// `catalog-aliases.toml` of the configuration directory exists but cannot be used; the
    /// message names the file.
    #[error("{0} (fix the file, or remove it to use the built-in table)")]
    Aliases(#[source] AliasError),
}

/// Knobs of one batch, whoever runs it.
#[derive(Clone, Copy)]
pub struct IngestOptions<'a> {
    /// OCR at most this many pages of a scanned PDF (from the first); `0` turns OCR off.
    pub ocr_max_pages: u32,
    /// Pages of one file recognised at once (`0`: one per core).
    pub ocr_workers: usize,
    /// Files larger than this are refused (a report line says so).
    pub max_file_bytes: u64,
    /// Worker threads for full-text files.
    pub threads: usize,
    /// Called once per file, on the calling thread, after the file's records were stored.
    pub progress: &'a dyn Fn(&FileReport),
}

impl std::fmt::Debug for IngestOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IngestOptions")
            .field("ocr_max_pages", &self.ocr_max_pages)
            .field("ocr_workers", &self.ocr_workers)
            .field("max_file_bytes", &self.max_file_bytes)
            .field("threads", &self.threads)
            .finish_non_exhaustive()
    }
}

impl Default for IngestOptions<'_> {
    /// The batch's defaults: OCR of up to 30 pages with one worker per core, files up to
    /// 200 MiB, two workers, no progress callback.
    fn default() -> Self {
        let extract = ExtractOptions::default();
        IngestOptions {
            ocr_max_pages: extract.ocr_max_pages,
            ocr_workers: extract.ocr_workers,
            max_file_bytes: extract.max_file_bytes,
            threads: 2,
            progress: &|_| {},
        }
    }
}

/// What to ingest, and under which names the files are remembered (the keys that make a
/// second ingest of the same content import nothing).
#[derive(Debug, Clone, Copy)]
pub enum Inputs<'a> {
    /// Files and folders (walked recursively), remembered under their paths as given: the CLI
    /// and the bootstrap folder.
    Paths(&'a [PathBuf]),
    /// Every file in a staging folder, remembered as `PREFIX/NAME` rather than under the
    /// temporary path: uploads and jobs use `upload`, the ePing sync `eping`.
    Staged {
        /// The folder holding the files.
        folder: &'a Path,
        /// The key prefix.
        prefix: &'a str,
    },
}

/// Where the records go.
#[derive(Debug, Clone, Copy)]
pub enum Destination<'a> {
    /// The index: records are upserted, committed once, and the reader reloaded, so what the
    /// report says was imported is searchable when [`run`] returns.
    Index(&'a Index),
    /// Nowhere: files are read and reported, records kept in memory and dropped (the CLI
    /// without `--index`).
    DryRun,
}

/// What a batch did.
#[derive(Debug, Clone)]
pub struct Ingested {
    /// One report per input file, in the order the batch finished them.
    pub reports: Vec<FileReport>,
    /// Totals (and the commit error, if the commit failed).
    pub summary: BatchSummary,
}

/// The catalog alias table of `config_dir`, by the rule of this module: the built-in table when
/// the file is absent, an error naming the file when it is present but bad. `serve`, the CLI
/// and the ePing sync call it before they start, uploads before they receive anything; [`run`]
/// again for each batch (and logs the fallback to the built-in table there, once per batch).
pub fn aliases(config_dir: &Path) -> Result<Aliases, IngestError> {
    let path = config_dir.join(ALIASES_FILE);
    if path.exists() {
        return Aliases::load(&path).map_err(IngestError::Aliases);
    }
    Aliases::builtin().map_err(IngestError::Aliases)
}

/// Ingests `inputs` into `destination` with the aliases of `config_dir` (see [`aliases`]).
/// One bad file never stops the batch; only an unusable configuration does, before any file
/// is read.
pub fn run(
    config_dir: &Path,
    inputs: Inputs<'_>,
    destination: Destination<'_>,
    opts: &IngestOptions<'_>,
) -> Result<Ingested, IngestError> {
    let table = aliases(config_dir)?;
    if !config_dir.join(ALIASES_FILE).exists() {
        tracing::warn!(
            path = %config_dir.join(ALIASES_FILE).display(),
            "catalog aliases not found, using the built-in table"
        );
    }
    let mut batch = BatchOptions::new(table);
    batch.extract.ocr = opts.ocr_max_pages > 0;
    batch.extract.ocr_max_pages = opts.ocr_max_pages;
    batch.extract.ocr_workers = opts.ocr_workers;
    batch.extract.max_file_bytes = opts.max_file_bytes;
    batch.threads = opts.threads.max(1);

    let reports = std::cell::RefCell::new(Vec::new());
    let progress = |r: &FileReport| {
        tracing::info!(path = %r.path, status = r.status.as_str(), imported = r.imported, "ingested");
        (opts.progress)(r);
        reports.borrow_mut().push(r.clone());
    };
    let staged;
    let paths: &[PathBuf] = match inputs {
        Inputs::Paths(p) => p,
        Inputs::Staged { folder, .. } => {
            staged = [folder.to_path_buf()];
            &staged
        }
    };
    let summary = match (destination, inputs) {
        (Destination::DryRun, _) => ingest_paths(paths, &batch, &mut MemoryStore::new(), &progress),
        (Destination::Index(index), Inputs::Paths(_)) => {
            let mut store: &Index = index;
            ingest_paths(paths, &batch, &mut store, &progress)
        }
        (Destination::Index(index), Inputs::Staged { folder, prefix }) => {
            let mut store = StagedStore {
                index,
                prefix,
                staging: format!("{}/", folder.display()),
            };
            ingest_paths(paths, &batch, &mut store, &progress)
        }
    };
    if let Destination::Index(index) = destination {
        if let Err(e) = index.reload() {
            tracing::warn!(error = %e, "reader reload failed");
        }
    }
    Ok(Ingested {
        reports: reports.into_inner(),
        summary,
    })
}

/// The index as the store of staged files: staged paths become stable `PREFIX/NAME` keys.
struct StagedStore<'a> {
    index: &'a Index,
    prefix: &'a str,
    staging: String,
}

impl StagedStore<'_> {
    fn key(&self, path: &str) -> String {
        format!(
            "{}/{}",
            self.prefix,
            path.strip_prefix(&self.staging).unwrap_or(path)
        )
    }
}

impl Store for StagedStore<'_> {
    fn seen(&self, path: &str, content_hash: &str) -> bool {
        <&Index as Store>::seen(&self.index, &self.key(path), content_hash)
    }

    fn put(&mut self, records: Vec<Record>, files: &[(String, String)]) -> Result<(), StoreError> {
        let files: Vec<(String, String)> = files
            .iter()
            .map(|(p, h)| (self.key(p), h.clone()))
            .collect();
        let mut inner: &Index = self.index;
        inner.put(records, &files)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        let mut inner: &Index = self.index;
        inner.commit()
    }
}
