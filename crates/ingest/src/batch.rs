//! Batches: many files and folders in, one outcome per file and records for a [`Store`] out.
//!
//! The batch walks the inputs, recognises each file (catalog, PDF, standard text, regulation,
//! WTO notification form), runs the full-text files on a small rayon pool in chunks so only a
//! few texts are in memory at once, merges full texts with catalog records of the same standard
//! ([`biaozhun_model::merge::merge_standard`]) and sends records to the store chunk by chunk. Unchanged
//! files (same sha256) are skipped through [`Store::seen`], so re-running is idempotent. One bad
//! file never stops the batch: it gets a [`FileReport`] with status `error` and the reason.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use biaozhun_model::{Record, RecordKind, Standard, Store, TextQuality};
use serde::Serialize;

use crate::catalog::{Aliases, LineError, LineUnit};
use crate::extract::{ExtractOptions, Extractor, FileKind};

mod files;
mod memory;
mod name;

pub use files::{classify, InputKind};
pub use memory::MemoryStore;
pub use name::code_from_file_name;

/// Knobs of a batch.
#[derive(Debug, Clone)]
pub struct BatchOptions {
    /// Extraction settings (OCR, size limit, timeouts).
    pub extract: ExtractOptions,
    /// Column names of catalogs.
    pub aliases: Aliases,
    /// Worker threads for full-text files (each may hold a whole PDF and its text).
    pub threads: usize,
    /// Full-text files processed between two store writes.
    pub files_per_chunk: usize,
    /// Catalog records sent to the store per `put`.
    pub records_per_chunk: usize,
}

impl BatchOptions {
    /// Defaults: two workers, chunks of 8 files and 500 catalog records.
    pub fn new(aliases: Aliases) -> BatchOptions {
        BatchOptions {
            extract: ExtractOptions::default(),
            aliases,
            threads: 2,
            files_per_chunk: 8,
            records_per_chunk: 500,
        }
    }
}

/// Outcome of one input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FileStatus {
    /// Imported without remarks.
    Ok,
    /// Imported, with warnings (or some catalog rows rejected).
    Warning,
    /// Nothing imported: the reason says why.
    Error,
    /// Deliberately not imported (unchanged, unsupported type, not a document).
    Skipped,
}

impl FileStatus {
    /// `ok`, `warning`, `error` or `skipped`.
    pub fn as_str(self) -> &'static str {
        match self {
            FileStatus::Ok => "ok",
            FileStatus::Warning => "warning",
            FileStatus::Error => "error",
            FileStatus::Skipped => "skipped",
        }
    }
}

/// What an input file was recognised as: the report's `input`. A full text's file format
/// ([`FileKind`]) until its content shows a regulation or a notification form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recognised {
    /// A catalog (JSON, JSONL, CSV, XLSX).
    Catalog,
    /// A PDF.
    Pdf,
    /// A Word `.docx`.
    Docx,
    /// A legacy Word `.doc`.
    Doc,
    /// An HTML page.
    Html,
    /// A Markdown text.
    Markdown,
    /// A plain text.
    Text,
    /// A law or regulation (a text or Word file whose content is one).
    Regulation,
    /// A WTO notification form (a text or Word file whose content is one).
    NotificationForm,
    /// Not a kind of file the batch reads (or not readable at all).
    Unsupported,
}

impl Recognised {
    /// The JSON spelling: `catalog`, `pdf`, `docx`, `doc`, `html`, `markdown`, `text`,
    /// `regulation`, `notification_form` or `unsupported`.
    pub fn as_str(self) -> &'static str {
        match self {
            Recognised::Catalog => "catalog",
            Recognised::Pdf => "pdf",
            Recognised::Docx => "docx",
            Recognised::Doc => "doc",
            Recognised::Html => "html",
            Recognised::Markdown => "markdown",
            Recognised::Text => "text",
            Recognised::Regulation => "regulation",
            Recognised::NotificationForm => "notification_form",
            Recognised::Unsupported => "unsupported",
        }
    }
}

impl From<FileKind> for Recognised {
    fn from(k: FileKind) -> Recognised {
        match k {
            FileKind::Pdf => Recognised::Pdf,
            FileKind::Text => Recognised::Text,
            FileKind::Markdown => Recognised::Markdown,
            FileKind::Html => Recognised::Html,
            FileKind::Docx => Recognised::Docx,
            FileKind::Doc => Recognised::Doc,
        }
    }
}

/// Where a full text's standard number was read: the report's `code_from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum CodeSource {
    /// The cover page and the file name agree.
    #[serde(rename = "cover+file_name")]
    CoverAndFileName,
    /// The cover page.
    #[serde(rename = "cover")]
    Cover,
    /// The file name.
    #[serde(rename = "file_name")]
    FileName,
    /// A catalog record of the same standard in the batch: its spelling wins.
    #[serde(rename = "catalog")]
    Catalog,
}

impl CodeSource {
    /// The JSON spelling: `cover+file_name`, `cover`, `file_name` or `catalog`.
    pub fn as_str(self) -> &'static str {
        match self {
            CodeSource::CoverAndFileName => "cover+file_name",
            CodeSource::Cover => "cover",
            CodeSource::FileName => "file_name",
            CodeSource::Catalog => "catalog",
        }
    }
}

/// One line of the batch report: what happened to one input file.
#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    /// The file as given or found by the walk.
    pub path: String,
    /// What the file was recognised as.
    pub input: Recognised,
    /// Outcome.
    pub status: FileStatus,
    /// Why the file failed or was skipped; first warning otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Record kind produced by single-record files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_kind: Option<RecordKind>,
    /// The detected standard code (or symbol, or regulation id).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// How a full text's number was read (a catalog record of the batch with the same
    /// standard wins: catalog over cover over file name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_from: Option<CodeSource>,
    /// Other spellings of the same number merged into `code`, each with its source
    /// (`YY 505-2012 (file name)`): one record per standard, whatever the padding.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub merged_spellings: Vec<String>,
    /// Measured text quality for full-text files.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quality: Option<TextQuality>,
    /// The extractor whose text was used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extractor: Option<Extractor>,
    /// Page count of PDFs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    /// Records imported from this file.
    pub imported: usize,
    /// Catalog rows skipped (blank, earlier duplicates).
    pub skipped: usize,
    /// Catalog rows rejected.
    pub rejected: usize,
    /// What `line` counts in `line_errors` and `warnings` of catalogs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<LineUnit>,
    /// Rejected catalog rows with the reason (at most [`MAX_LISTED`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub line_errors: Vec<LineError>,
    /// Warnings (at most [`MAX_LISTED`]); catalog warnings carry their line.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<LineError>,
    /// sha256 of the content (hex), when it was read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
}

/// Report lines list at most this many line errors and warnings per file (the counts are
/// complete).
pub const MAX_LISTED: usize = 200;

impl FileReport {
    /// A report with nothing decided yet.
    pub fn new(path: &Path, input: Recognised) -> FileReport {
        FileReport {
            path: path.display().to_string(),
            input,
            status: FileStatus::Ok,
            reason: None,
            record_kind: None,
            code: None,
            code_from: None,
            merged_spellings: Vec::new(),
            quality: None,
            extractor: None,
            pages: None,
            imported: 0,
            skipped: 0,
            rejected: 0,
            unit: None,
            line_errors: Vec::new(),
            warnings: Vec::new(),
            sha256: None,
        }
    }

    fn fail(mut self, reason: impl Into<String>) -> FileReport {
        self.status = FileStatus::Error;
        self.reason = Some(reason.into());
        self
    }

    fn skip(mut self, reason: impl Into<String>) -> FileReport {
        self.status = FileStatus::Skipped;
        self.reason = Some(reason.into());
        self
    }

    fn warn(&mut self, line: usize, message: impl Into<String>) {
        if self.warnings.len() < MAX_LISTED {
            self.warnings.push(LineError {
                line,
                message: message.into(),
            });
        }
    }

    /// Sets `ok`/`warning` from the warnings and rejections (errors and skips stay).
    fn settle(&mut self, total_warnings: usize) {
        if matches!(self.status, FileStatus::Error | FileStatus::Skipped) {
            return;
        }
        if total_warnings > 0 || self.rejected > 0 {
            self.status = FileStatus::Warning;
            if self.reason.is_none() {
                self.reason = self
                    .line_errors
                    .first()
                    .map(|e| {
                        format!(
                            "{} {}: {}",
                            self.unit.unwrap_or_default(),
                            e.line,
                            e.message
                        )
                    })
                    .or_else(|| self.warnings.first().map(|w| w.message.clone()));
            }
        }
    }
}

/// Totals of a batch.
#[derive(Debug, Default, Clone, Serialize)]
pub struct BatchSummary {
    /// Input files seen.
    pub files: usize,
    /// Files per status.
    pub ok: usize,
    /// Files imported with warnings.
    pub warning: usize,
    /// Files that failed.
    pub error: usize,
    /// Files skipped.
    pub skipped: usize,
    /// Records sent to the store, per kind.
    pub standards: usize,
    /// Notifications sent to the store.
    pub notifications: usize,
    /// Regulations sent to the store.
    pub regulations: usize,
    /// Catalog rows rejected in all files.
    pub rejected_rows: usize,
    /// Full texts merged with a catalog record of the same batch.
    pub merged: usize,
    /// The store's final commit failed (nothing of this batch may be durable).
    pub commit_error: Option<String>,
}

impl BatchSummary {
    /// Whether anything failed (an error file or the commit): the exit code.
    pub fn failed(&self) -> bool {
        self.error > 0 || self.commit_error.is_some()
    }

    fn count(&mut self, r: &FileReport) {
        self.files += 1;
        match r.status {
            FileStatus::Ok => self.ok += 1,
            FileStatus::Warning => self.warning += 1,
            FileStatus::Error => self.error += 1,
            FileStatus::Skipped => self.skipped += 1,
        }
        // Rows of a file that failed as a whole (not a catalog at all) are not counted here;
        // its report says why.
        if r.status != FileStatus::Error {
            self.rejected_rows += r.rejected;
        }
    }

    fn count_records(&mut self, records: &[Record]) {
        for r in records {
            match r {
                Record::Standard(_) => self.standards += 1,
                Record::Notification(_) => self.notifications += 1,
                Record::Regulation(_) => self.regulations += 1,
            }
        }
    }
}

/// Walks `paths` (files and folders) and ingests every file; see [`ingest_files`].
pub fn ingest_paths(
    paths: &[PathBuf],
    opts: &BatchOptions,
    store: &mut dyn Store,
    progress: &dyn Fn(&FileReport),
) -> BatchSummary {
    let (files, missing) = walk(paths);
    let mut summary = BatchSummary::default();
    for (p, e) in missing {
        let r = FileReport::new(&p, Recognised::Unsupported).fail(format!("cannot read: {e}"));
        summary.count(&r);
        progress(&r);
    }
    let rest = ingest_files(&files, opts, store, progress);
    merge_summaries(&mut summary, rest);
    summary
}

fn merge_summaries(a: &mut BatchSummary, b: BatchSummary) {
    a.files += b.files;
    a.ok += b.ok;
    a.warning += b.warning;
    a.error += b.error;
    a.skipped += b.skipped;
    a.standards += b.standards;
    a.notifications += b.notifications;
    a.regulations += b.regulations;
    a.rejected_rows += b.rejected_rows;
    a.merged += b.merged;
    a.commit_error = a.commit_error.take().or(b.commit_error);
}

/// Every file under `paths` in a stable order (sorted per folder), skipping hidden entries;
/// paths that cannot be read are returned separately with the error.
pub fn walk(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<(PathBuf, std::io::Error)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        walk_one(p, 0, &mut files, &mut errors);
    }
    (files, errors)
}

fn walk_one(
    p: &Path,
    depth: usize,
    files: &mut Vec<PathBuf>,
    errors: &mut Vec<(PathBuf, std::io::Error)>,
) {
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        Err(e) => {
            errors.push((p.to_path_buf(), e));
            return;
        }
    };
    if meta.is_file() {
        files.push(p.to_path_buf());
        return;
    }
    if !meta.is_dir() || depth > 32 {
        return;
    }
    let mut entries: Vec<PathBuf> = match std::fs::read_dir(p) {
        Ok(rd) => rd.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(e) => {
            errors.push((p.to_path_buf(), e));
            return;
        }
    };
    entries.sort();
    for e in entries {
        let hidden = e
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'));
        if !hidden {
            walk_one(&e, depth + 1, files, errors);
        }
    }
}

/// Ingests the given files: catalogs first (their records wait in memory so full texts of the
/// same standards can be merged with them), then full-text files in parallel chunks, then the
/// remaining catalog records in chunks; one commit at the end. `progress` is called once per
/// file, on the calling thread, after the file's records were stored.
pub fn ingest_files(
    files: &[PathBuf],
    opts: &BatchOptions,
    store: &mut dyn Store,
    progress: &dyn Fn(&FileReport),
) -> BatchSummary {
    let mut summary = BatchSummary::default();
    let mut catalogs = Vec::new();
    let mut texts = Vec::new();
    for f in files {
        match classify(f) {
            InputKind::Catalog => catalogs.push(f.clone()),
            InputKind::Unsupported => {
                let r = FileReport::new(f, Recognised::Unsupported).skip(
                    "unsupported file type (expected .pdf, .docx, .doc, .txt, .md, .html, .json, .jsonl, .csv or .xlsx)",
                );
                summary.count(&r);
                progress(&r);
            }
            _ => texts.push(f.clone()),
        }
    }

    // Phase 1: catalogs, in order (later files win for duplicates).
    let mut pending: Vec<Option<Record>> = Vec::new();
    let mut pending_index: HashMap<String, usize> = HashMap::new();
    let mut catalog_reports: Vec<FileReport> = Vec::new();
    for path in &catalogs {
        let report =
            files::read_catalog_file(path, opts, &*store, &mut pending, &mut pending_index);
        catalog_reports.push(report);
    }

    // Phase 2: full texts, a chunk at a time on a small pool.
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .thread_name(|i| format!("ingest-{i}"))
        .build();
    for chunk in texts.chunks(opts.files_per_chunk.max(1)) {
        // Hash in parallel, ask the store on this thread, then process what changed.
        let hashed: Vec<(PathBuf, Result<String, String>)> =
            run(&pool, chunk, |p| (p.clone(), files::hash_file(p, opts)));
        let mut results: Vec<(FileReport, Option<Record>)> = Vec::new();
        let mut todo = Vec::new();
        for h in hashed {
            match h {
                (p, Err(reason)) => results.push((
                    FileReport::new(&p, files::input_name(&p)).fail(reason),
                    None,
                )),
                (p, Ok(hash)) if store.seen(&p.display().to_string(), &hash) => {
                    let mut r = FileReport::new(&p, files::input_name(&p));
                    r.sha256 = Some(hash);
                    results.push((r.skip(files::UNCHANGED), None));
                }
                (p, Ok(hash)) => todo.push((p, hash)),
            }
        }
        results.extend(run(&pool, &todo, |(p, h)| {
            files::process_text_file(p, h, opts)
        }));
        let mut records = Vec::new();
        let mut seen_files = Vec::new();
        let mut reports = Vec::new();
        for (mut report, record) in results {
            if let Some(mut record) = record {
                let key = record.merge_key();
                if let Record::Standard(s) = &mut record {
                    if let Some(Some(Record::Standard(mut cat))) = pending_index
                        .remove(&key)
                        .and_then(|i| pending.get_mut(i))
                        .map(Option::take)
                    {
                        if cat.code.number() != s.code.number() {
                            // Catalog over cover over file name: the catalog's spelling wins.
                            let how = report.code_from.map_or("file", CodeSource::as_str);
                            let how = how.replace('_', " ");
                            report.merged_spellings.push(format!("{} ({how})", s.code));
                            report.code_from = Some(CodeSource::Catalog);
                        }
                        let file_std = std::mem::replace(s, Standard::new(cat.code.clone()));
                        for c in biaozhun_model::merge::merge_standard(&mut cat, file_std) {
                            report.warn(0, format!("catalog and file disagree: {c}"));
                        }
                        *s = cat;
                        report.code = Some(s.id());
                        summary.merged += 1;
                    }
                }
                if let Record::Notification(n) = &mut record {
                    // `key` is `notification:SYMBOL`, as the catalog's records were filed.
                    if let Some(Some(Record::Notification(mut cat))) = pending_index
                        .remove(&key)
                        .and_then(|i| pending.get_mut(i))
                        .map(Option::take)
                    {
                        let form = std::mem::replace(
                            n,
                            biaozhun_model::Notification::new(cat.symbol.clone()),
                        );
                        biaozhun_model::merge::merge_notification(&mut cat, form);
                        *n = cat;
                        summary.merged += 1;
                    }
                }
                let n = report.warnings.len();
                report.settle(n);
                report.imported = 1;
                if let Some(h) = &report.sha256 {
                    seen_files.push((report.path.clone(), h.clone()));
                }
                records.push(record);
            }
            reports.push(report);
        }
        summary.count_records(&records);
        if !records.is_empty() {
            if let Err(e) = store.put(records, &seen_files) {
                for r in reports.iter_mut().filter(|r| r.imported > 0) {
                    r.status = FileStatus::Error;
                    r.reason = Some(format!("store failed: {e}"));
                    r.imported = 0;
                }
            }
        }
        for r in reports {
            summary.count(&r);
            progress(&r);
        }
    }

    // Phase 3: the catalog records not merged with a text, in chunks.
    let remaining: Vec<Record> = pending.into_iter().flatten().collect();
    summary.count_records(&remaining);
    let catalog_files: Vec<(String, String)> = catalog_reports
        .iter()
        .filter(|r| r.imported > 0)
        .filter_map(|r| r.sha256.clone().map(|h| (r.path.clone(), h)))
        .collect();
    let mut store_error = None;
    let mut it = remaining.into_iter().peekable();
    let per = opts.records_per_chunk.max(1);
    loop {
        let chunk: Vec<Record> = it.by_ref().take(per).collect();
        let last = it.peek().is_none();
        if chunk.is_empty() && catalog_files.is_empty() {
            break;
        }
        let files_now: &[(String, String)] = if last { &catalog_files } else { &[] };
        if let Err(e) = store.put(chunk, files_now) {
            store_error = Some(e.to_string());
            break;
        }
        if last {
            break;
        }
    }
    for mut r in catalog_reports {
        if let Some(e) = &store_error {
            if r.imported > 0 {
                r.status = FileStatus::Error;
                r.reason = Some(format!("store failed: {e}"));
            }
        }
        summary.count(&r);
        progress(&r);
    }
    if let Err(e) = store.commit() {
        summary.commit_error = Some(e.to_string());
    }
    summary
}

/// Maps `f` over `items` on the pool (or on this thread if the pool could not be built).
fn run<T: Sync, R: Send>(
    pool: &Result<rayon::ThreadPool, rayon::ThreadPoolBuildError>,
    items: &[T],
    f: impl Fn(&T) -> R + Sync + Send,
) -> Vec<R> {
    match pool {
        Ok(pool) => pool.install(|| {
            use rayon::prelude::*;
            items.par_iter().map(&f).collect()
        }),
        Err(_) => items.iter().map(f).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The report's JSON says what `as_str` says: the spelling of `--report` lines and upload
    /// answers from before these fields were typed.
    #[test]
    fn report_fields_serialise_as_their_names() {
        fn json<T: Serialize>(v: &T) -> String {
            serde_json::to_string(v).unwrap_or_default()
        }
        for r in [
            Recognised::Catalog,
            Recognised::Pdf,
            Recognised::Docx,
            Recognised::Doc,
            Recognised::Html,
            Recognised::Markdown,
            Recognised::Text,
            Recognised::Regulation,
            Recognised::NotificationForm,
            Recognised::Unsupported,
        ] {
            assert_eq!(json(&r), format!("\"{}\"", r.as_str()));
        }
        for c in [
            CodeSource::CoverAndFileName,
            CodeSource::Cover,
            CodeSource::FileName,
            CodeSource::Catalog,
        ] {
            assert_eq!(json(&c), format!("\"{}\"", c.as_str()));
        }
        for x in [
            Extractor::PdfExtract,
            Extractor::Lopdf,
            Extractor::Pdftotext,
            Extractor::Tesseract,
            Extractor::Text,
            Extractor::Html,
            Extractor::Docx,
            Extractor::Antiword,
        ] {
            assert_eq!(json(&x), format!("\"{}\"", x.as_str()));
        }
        for u in [LineUnit::Line, LineUnit::Row, LineUnit::Record] {
            assert_eq!(json(&u), format!("\"{}\"", u.as_str()));
        }
        let spelled: Vec<&str> = [
            Recognised::NotificationForm.as_str(),
            CodeSource::CoverAndFileName.as_str(),
            Extractor::PdfExtract.as_str(),
            Recognised::from(FileKind::Markdown).as_str(),
        ]
        .to_vec();
        assert_eq!(
            spelled,
            [
                "notification_form",
                "cover+file_name",
                "pdf-extract",
                "markdown"
            ]
        );
    }
}
