//! What the batch does with one file: recognise it, read it, turn it into records and a report.
//!
//! Runs on the worker threads for full-text files; never panics on bad input, every problem is
//! a status and a reason in the [`FileReport`].

use std::collections::HashMap;
use std::io::Read;
use std::path::Path;

use biaozhun_model::{NotificationSymbol, Standard, StandardCode, TextQuality};
use sha2::{Digest, Sha256};

use biaozhun_model::{Record, RecordKind, Store};

use super::{code_from_file_name, BatchOptions, CodeSource, FileReport, Recognised, MAX_LISTED};
use crate::catalog::{extension, read_catalog, CATALOG_EXTENSIONS};
use crate::extract::{decode_text, extract_file, ExtractError};

mod text;

/// What a file is, from its extension (and first bytes when the extension says nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// JSON, JSONL, CSV or spreadsheet metadata.
    Catalog,
    /// A PDF.
    Pdf,
    /// Plain text, Markdown or HTML: a standard's text, a regulation or a notification form.
    Text,
    /// A Word document (`.docx`): read like a text once unzipped.
    Docx,
    /// A legacy Word 97-2003 document (`.doc`): read like a text through `antiword`, when
    /// installed (see `extract::office::doc_to_text`).
    Doc,
    /// Anything else.
    Unsupported,
}

/// Recognises a file by extension; files without a known extension are sniffed for `%PDF`.
pub fn classify(path: &Path) -> InputKind {
    let ext = extension(path);
    if CATALOG_EXTENSIONS.contains(&ext.as_str()) {
        return InputKind::Catalog;
    }
    match ext.as_str() {
        "pdf" => InputKind::Pdf,
        "txt" | "text" | "md" | "markdown" | "html" | "htm" | "xhtml" => InputKind::Text,
        "docx" => InputKind::Docx,
        "doc" => InputKind::Doc,
        _ => {
            let mut head = [0u8; 5];
            let n = std::fs::File::open(path)
                .and_then(|mut f| f.read(&mut head))
                .unwrap_or(0);
            if head[..n].starts_with(b"%PDF-") {
                InputKind::Pdf
            } else {
                InputKind::Unsupported
            }
        }
    }
}

/// Reads the file if it is within the size limit and not empty; `Err` is the reason.
fn read_checked(path: &Path, opts: &BatchOptions) -> Result<Vec<u8>, String> {
    let limit = opts.extract.max_file_bytes;
    let size = std::fs::metadata(path)
        .map_err(|e| format!("cannot read file: {e}"))?
        .len();
    if size > limit {
        return Err(format!(
            "file is {size} bytes, over the limit of {limit} bytes (--max-file-size)"
        ));
    }
    if size == 0 {
        return Err("empty file (0 bytes)".to_string());
    }
    std::fs::read(path).map_err(|e| format!("cannot read file: {e}"))
}

/// Lower-case hex sha256 of the content: the idempotence key.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in digest {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

pub(crate) const UNCHANGED: &str = "unchanged since the last ingest (same sha256)";

/// Reads one catalog, resolving duplicates against records of earlier catalogs of the batch
/// (`pending`, indexed by `kind:id`; the later catalog wins, conflicts become warnings).
pub(crate) fn read_catalog_file(
    path: &Path,
    opts: &BatchOptions,
    store: &dyn Store,
    pending: &mut Vec<Option<Record>>,
    index: &mut HashMap<String, usize>,
) -> FileReport {
    let mut report = FileReport::new(path, Recognised::Catalog);
    let bytes = match read_checked(path, opts) {
        Ok(b) => b,
        Err(reason) => return report.fail(reason),
    };
    let hash = sha256_hex(&bytes);
    drop(bytes);
    report.sha256 = Some(hash.clone());
    if store.seen(&report.path, &hash) {
        return report.skip(UNCHANGED);
    }
    let outcome = match read_catalog(path, &opts.aliases) {
        Ok(o) => o,
        Err(e) => return report.fail(e.to_string()),
    };
    report.unit = Some(outcome.unit);
    report.rejected = outcome.rejected.len();
    report.skipped = outcome.skipped;
    report.line_errors = outcome.rejected.iter().take(MAX_LISTED).cloned().collect();
    let mut total_warnings = outcome.warnings.len();
    report.warnings = outcome.warnings.into_iter().take(MAX_LISTED).collect();
    let imported = outcome.records.len();
    for (record, line) in outcome.records.into_iter().zip(outcome.record_lines) {
        let key = record.merge_key();
        match index.get(&key).and_then(|&i| pending.get_mut(i)) {
            Some(Some(Record::Standard(old))) => {
                if let Record::Standard(new) = record {
                    let id = new.id();
                    for c in biaozhun_model::merge::merge_standard(old, new) {
                        total_warnings += 1;
                        report.warn(line, format!("{id} also in an earlier catalog: {c}"));
                    }
                }
            }
            Some(slot) => *slot = Some(record),
            None => {
                index.insert(key, pending.len());
                pending.push(Some(record));
            }
        }
    }
    report.imported = imported;
    let rejected = report.rejected;
    let no_code = |e: &crate::catalog::LineError| e.message.starts_with("no standard code");
    if imported == 0 && rejected > 0 && report.line_errors.iter().all(no_code) {
        return report.fail(format!(
            "not a catalog: none of the {rejected} rows has a code or symbol field (known names \
             for the code: {})",
            opts.aliases.code_names().join(", ")
        ));
    }
    if imported == 0 && rejected > 0 {
        let first = report
            .line_errors
            .first()
            .map(|e| format!("; first: {} {}: {}", outcome.unit, e.line, e.message))
            .unwrap_or_default();
        return report.fail(format!(
            "no record imported: all {rejected} rows rejected{first}"
        ));
    }
    if imported == 0 {
        return report.fail("no records in the file");
    }
    report.settle(total_warnings);
    report
}

/// The report's `input` for a full-text file (one [`classify`] did not call a catalog or
/// unsupported): its [`FileKind`](crate::extract::FileKind).
pub(crate) fn input_name(path: &Path) -> Recognised {
    use crate::extract::FileKind;
    let kind = match (classify(path), extension(path).as_str()) {
        (InputKind::Pdf, _) => FileKind::Pdf,
        (InputKind::Docx, _) => FileKind::Docx,
        (InputKind::Doc, _) => FileKind::Doc,
        (_, "html" | "htm" | "xhtml") => FileKind::Html,
        (_, "md" | "markdown") => FileKind::Markdown,
        _ => FileKind::Text,
    };
    kind.into()
}

/// Checks size and emptiness and hashes the content; `Err` is the reason.
pub(crate) fn hash_file(path: &Path, opts: &BatchOptions) -> Result<String, String> {
    read_checked(path, opts).map(|b| sha256_hex(&b))
}

/// Processes one full-text file (PDF, DOCX, text, Markdown, HTML) into at most one record; `hash`
/// is its sha256 from [`hash_file`].
pub(crate) fn process_text_file(
    path: &Path,
    hash: &str,
    opts: &BatchOptions,
) -> (FileReport, Option<Record>) {
    let kind = classify(path);
    let mut report = FileReport::new(path, input_name(path));
    let bytes = match read_checked(path, opts) {
        Ok(b) => b,
        Err(reason) => return (report.fail(reason), None),
    };
    report.sha256 = Some(hash.to_string());
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();

    // Regulations and notification forms are recognised on the raw text (Markdown headings
    // matter to the regulation parser); a DOCX is unzipped first (WTO notification forms and
    // draft regulations circulate as Word files).
    let mut docx_text = None;
    let raw = match kind {
        InputKind::Text => match decode_text(&bytes) {
            Ok(d) => Some(d.text),
            Err(e) => return (report.fail(inner(&e)), None),
        },
        InputKind::Docx | InputKind::Doc => {
            match crate::extract::extract_bytes(path, &bytes, &opts.extract) {
                Ok(x) => {
                    let text = x.text.clone();
                    docx_text = Some(x);
                    Some(text)
                }
                Err(e) => return (report.fail(inner(&e)), None),
            }
        }
        _ => None,
    };
    drop(bytes);
    if let Some(raw) = raw {
        if text::is_regulation(path, &raw) {
            report.input = Recognised::Regulation;
            return match text::regulation(&file_name, &raw) {
                Ok((reg, warnings)) => {
                    report.code = Some(reg.id.clone());
                    report.record_kind = Some(RecordKind::Regulation);
                    for w in warnings {
                        report.warn(0, w);
                    }
                    let mut reg = reg;
                    reg.sources.push(report.path.clone());
                    (report, Some(Record::Regulation(reg)))
                }
                Err(e) => (report.fail(e), None),
            };
        }
        if text::is_notification_form(&raw) {
            report.input = Recognised::NotificationForm;
            return match text::notification(&raw) {
                Ok((mut n, warnings)) => {
                    report.code = Some(n.id());
                    report.record_kind = Some(RecordKind::Notification);
                    for w in warnings {
                        report.warn(0, w);
                    }
                    n.sources.push(report.path.clone());
                    n.stamp(&biaozhun_model::FieldSource::file(
                        &report.path,
                        biaozhun_model::SourceKind::Form,
                    ));
                    (report, Some(Record::Notification(n)))
                }
                Err(e) => (report.fail(e), None),
            };
        }
    }

    let extracted = match docx_text.map_or_else(|| extract_file(path, &opts.extract), Ok) {
        Ok(x) => x,
        Err(e) => return (report.fail(inner(&e)), None),
    };
    report.quality = Some(extracted.quality);
    report.extractor = Some(extracted.extractor);
    report.pages = extracted.pages;
    for w in &extracted.warnings {
        report.warn(0, w.clone());
    }
    if extracted.needs_ocr {
        report.warn(
            0,
            "text is garbled or missing and OCR did not run: only the file-name code is usable",
        );
    }
    let from_name = code_from_file_name(&file_name);
    let (standard, warnings, reading) =
        text::standard(&extracted.text, extracted.quality, from_name);
    for w in warnings {
        report.warn(0, w);
    }
    let code_from_name = reading
        .as_ref()
        .is_some_and(|r| r.from == CodeSource::FileName);
    if let Some(r) = reading {
        report.code_from = Some(r.from);
        report.merged_spellings = r.merged;
    }
    let Some(mut standard) = standard else {
        let reason = if extracted.text.trim().is_empty() {
            "no text and no standard code in the file name".to_string()
        } else {
            "not a standard: no code in the file name and no standard's layout (cover code, \
             numbered clauses) in the text"
                .to_string()
        };
        // A text without any code is most likely not a standard at all (a word list, a
        // README); a PDF without one is a real failure.
        if kind == InputKind::Pdf {
            return (report.fail(reason), None);
        }
        return (report.skip(reason), None);
    };
    standard.sources.push(report.path.clone());
    if standard.text_quality == TextQuality::Missing {
        standard.text_quality = extracted.quality;
    }
    stamp_file_standard(&mut standard, &report.path, code_from_name);
    report.code = Some(standard.id());
    report.record_kind = Some(RecordKind::Standard);
    (report, Some(Record::Standard(standard)))
}

/// Stamps the fields of a standard read from a full-text file: the code as `file_name` when
/// only the name gave it (else `cover`), the body (sections, terms, references, the scope
/// clause) as `text`, and the metadata the structure parser read off the cover and front
/// matter as `cover`.
fn stamp_file_standard(s: &mut Standard, path: &str, code_from_name: bool) {
    use biaozhun_model::{FieldSource, SourceKind};
    const BODY: [&str; 4] = ["sections", "terms", "references", "scope"];
    let code_kind = if code_from_name {
        SourceKind::FileName
    } else {
        SourceKind::Cover
    };
    s.stamp_fields(&FieldSource::file(path, code_kind), |f| f == "code");
    s.stamp_fields(&FieldSource::file(path, SourceKind::Text), |f| {
        BODY.contains(&f)
    });
    s.stamp(&FieldSource::file(path, SourceKind::Cover));
}

/// The message of an extraction error without the file name (the report already names it).
fn inner(e: &ExtractError) -> String {
    e.kind().to_string()
}

/// The number a full-text file gave its record, and how it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CodeReading {
    /// The number the record gets.
    pub code: StandardCode,
    /// Where it was read (never [`CodeSource::Catalog`]: the batch decides that later).
    pub from: CodeSource,
    /// Other spellings of the same number that were merged into `code` (`YY 505-2012 (file
    /// name)` when the cover prints `YY 0505-2012`).
    pub merged: Vec<String>,
}

/// Chooses between the code in the file name and the one on the cover page: the cover when
/// both name one standard (it prints the issuer's spelling, padding included), the year from
/// whichever has it; a cover reading that is a truncated prefix of the file name's
/// (`GB/T 1` for `GB/T 12345.6-2005`) never replaces it; otherwise the cover of a good text
/// layer, the file name of an unreliable one.
pub(crate) fn reconcile_codes(
    from_name: Option<StandardCode>,
    from_cover: Option<StandardCode>,
    quality: TextQuality,
    warnings: &mut Vec<String>,
) -> Option<CodeReading> {
    let reading = |code, from, merged| CodeReading { code, from, merged };
    match (from_name, from_cover) {
        (None, None) => None,
        (Some(n), None) => Some(reading(n, CodeSource::FileName, Vec::new())),
        (None, Some(c)) => Some(reading(c, CodeSource::Cover, Vec::new())),
        (Some(n), Some(c)) => {
            if n == c {
                return Some(reading(c, CodeSource::CoverAndFileName, Vec::new()));
            }
            let (nk, ck) = (n.unpadded().compact(), c.unpadded().compact());
            if nk == ck || n.same_standard(&c) && (n.year().is_none() || c.year().is_none()) {
                // One standard: the cover's spelling, the year from whichever has one.
                let code = match (c.year(), n.year()) {
                    (None, Some(y)) => c.with_year(y),
                    _ => c,
                };
                // Another padding (`YY 505` in the name, `YY 0505` on the cover) is a merged
                // spelling; a missing year is not.
                if n.number() == code.number() {
                    return Some(reading(code, CodeSource::CoverAndFileName, Vec::new()));
                }
                return Some(reading(
                    code,
                    CodeSource::Cover,
                    vec![format!("{n} (file name)")],
                ));
            }
            if nk.len() > ck.len() && nk.starts_with(&ck) {
                warnings.push(format!(
                    "the cover page reads {c}, a truncated {n}; using the file name's {n}"
                ));
                return Some(reading(
                    n,
                    CodeSource::FileName,
                    vec![format!("{c} (cover, truncated)")],
                ));
            }
            if quality == TextQuality::Good {
                warnings.push(format!(
                    "file name says {n} but the cover page says {c}; using {c}"
                ));
                Some(reading(c, CodeSource::Cover, Vec::new()))
            } else {
                warnings.push(format!(
                    "file name says {n} but the (unreliable) text says {c}; using {n}"
                ));
                Some(reading(n, CodeSource::FileName, Vec::new()))
            }
        }
    }
}

/// A minimal standard from a text when the structure parser gives nothing better: the code
/// and the whole text as one section.
pub(crate) fn bare_standard(code: StandardCode, text: &str, quality: TextQuality) -> Standard {
    let mut s = Standard::new(code);
    if !text.trim().is_empty() {
        s.sections.push(biaozhun_model::Section {
            number: String::new(),
            title: String::new(),
            level: 1,
            text: text.to_string(),
        });
    }
    s.text_quality = quality;
    s
}

/// A notification symbol in the first lines of a text.
pub(crate) fn leading_symbol(text: &str) -> Option<NotificationSymbol> {
    let head: String = text.chars().take(400).collect();
    NotificationSymbol::find_all(&head)
        .into_iter()
        .next()
        .map(|(_, s)| s)
}
