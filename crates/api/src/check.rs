//! 查新: the standards a document cites, each with its status on a date and the edition in
//! force. Shared by `POST /api/v1/check`, `biaozhun check` and the `/check` page.
//!
//! Pipeline: [`read_document`] (bytes to text, in memory, bounded) → citations
//! ([`biaozhun_ingest::citations::find_citations`]) → [`resolve`] per cited number (memoised
//! index reads) → [`CheckAnswer`]; [`table`] turns the answer into CSV or XLSX.
//!
//! Documents are confidential: nothing here writes them anywhere but memory (PDF extraction by
//! `pdftotext` uses a private temporary directory that is removed when it returns), nothing
//! is indexed, and log lines carry sizes and counts only, never names, text or cited numbers.
//!
//! Hostile input is bounded by the constants below; they are documented in README (查新).

pub mod resolve;
pub mod table;

use std::path::Path;
use std::time::Duration;

use biaozhun_index::{Index, IndexError};
use biaozhun_ingest::citations::find_citations;
use biaozhun_ingest::extract::office::ZipLimits;
use biaozhun_ingest::extract::{extract_bytes, ExtractError, ExtractOptions, FileKind};
use chrono::NaiveDate;

use crate::error::{ApiError, ErrorCode};
use crate::wire::check::{
    CheckAnswer, CheckSummary, CheckedReference, DocumentInfo, OccurrenceWire,
};
use crate::wire::records::{encode_path, standard_url};
use resolve::{resolve, CheckStatus, IndexEditions, Memo};

/// Largest request body of the check route (a file or text), bytes.
pub const MAX_CHECK_BYTES: usize = 16 * 1024 * 1024;
/// Largest text read from a document, bytes (about 2,000 pages of a standard).
pub const MAX_TEXT_BYTES: usize = 4 * 1024 * 1024;
/// Most cited standards reported for one document.
pub const MAX_REFERENCES: usize = 2_000;
/// Most pages of a checked PDF.
pub const MAX_PAGES: u32 = 1_000;
/// Most bytes a checked DOCX may inflate to (all entries).
pub const MAX_EXPANDED_BYTES: u64 = 64 * 1024 * 1024;
/// Time limit of one PDF extractor on a checked document.
pub const EXTRACT_TIMEOUT: Duration = Duration::from_secs(20);

/// The text of a document to check and what was learnt reading it.
#[derive(Debug, Clone)]
pub struct DocumentText {
    /// The text.
    pub text: String,
    /// Facts for the answer.
    pub info: DocumentInfo,
}

/// Text sent as text (a form field, JSON, stdin).
pub fn text_document(text: String) -> Result<DocumentText, ApiError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(too_much_text(text.len()));
    }
    if text.trim().is_empty() {
        return Err(ApiError::invalid("the text is empty"));
    }
    Ok(DocumentText {
        info: DocumentInfo {
            input: "text".into(),
            pages: None,
            chars: text.chars().count(),
            quality: "good".into(),
            warnings: Vec::new(),
        },
        text,
    })
}

/// Reads a document file held in memory: PDF, DOCX, text, Markdown or HTML (by the extension
/// of `name` and the magic bytes). Errors are user errors with a clear message (empty,
/// encrypted, not a document, too large); the name is not logged.
pub fn read_document(name: &str, bytes: &[u8]) -> Result<DocumentText, ApiError> {
    if bytes.is_empty() {
        return Err(ApiError::invalid("the file is empty"));
    }
    if bytes.len() > MAX_CHECK_BYTES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "the file is {} bytes, over the limit of {MAX_CHECK_BYTES} bytes",
                bytes.len()
            ),
        ));
    }
    let path = Path::new(name);
    let kind = FileKind::detect(path, bytes);
    let opts = ExtractOptions {
        ocr: false,
        max_file_bytes: MAX_CHECK_BYTES as u64,
        tool_timeout: EXTRACT_TIMEOUT,
        library_timeout: EXTRACT_TIMEOUT,
        max_pages: MAX_PAGES,
        pdftotext_first: true,
        // Citations need no cover titles; hostile PDFs get no second in-process parse.
        cover_spaces: false,
        zip: ZipLimits {
            max_expanded_bytes: MAX_EXPANDED_BYTES,
            max_entries: 10_000,
        },
        ..ExtractOptions::default()
    };
    let extracted = extract_bytes(path, bytes, &opts).map_err(|e| extract_error(&e))?;
    if extracted.text.len() > MAX_TEXT_BYTES {
        return Err(too_much_text(extracted.text.len()));
    }
    let input = match kind {
        Some(FileKind::Pdf) => "pdf",
        Some(FileKind::Markdown) => "markdown",
        Some(FileKind::Html) => "html",
        Some(FileKind::Docx) => "docx",
        Some(FileKind::Doc) => "doc",
        _ => "text",
    };
    Ok(DocumentText {
        info: DocumentInfo {
            input: input.into(),
            pages: extracted.pages,
            chars: extracted.text.chars().count(),
            quality: extracted.quality.as_str().into(),
            warnings: extracted.warnings,
        },
        text: extracted.text,
    })
}

fn too_much_text(len: usize) -> ApiError {
    ApiError::new(
        ErrorCode::PayloadTooLarge,
        format!("the document holds {len} bytes of text, over the limit of {MAX_TEXT_BYTES}"),
    )
}

/// Extraction failures are the document's fault (unreadable, encrypted, unsupported): 4xx.
fn extract_error(e: &ExtractError) -> ApiError {
    match e.kind() {
        ExtractError::Unsupported { .. } => ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "unsupported document type (expected .pdf, .docx, .doc, .txt, .md or .html)",
        ),
        ExtractError::TooLarge { size, limit, .. } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the file is {size} bytes, over the limit of {limit} bytes"),
        ),
        ExtractError::Empty => ApiError::invalid("the file is empty"),
        ExtractError::TooManyPages { pages, limit } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the pdf has {pages} pages, over the limit of {limit}"),
        ),
        ExtractError::Expands { limit } => ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("the docx expands to more than {limit} bytes when unzipped"),
        ),
        ExtractError::Encrypted => {
            ApiError::invalid("the pdf is encrypted: a password is required to read it")
        }
        ExtractError::NotPdf(_) => ApiError::invalid("not a pdf: no %PDF- header"),
        ExtractError::Encoding { offset } => ApiError::invalid(format!(
            "the text is not UTF-8, UTF-16 or GB18030 (first bad byte at offset {offset})"
        )),
        other => ApiError::invalid(format!("the document cannot be read: {other}")),
    }
}

/// Checks a document's text against `index` on `as_of`.
pub fn check_document(
    index: &Index,
    doc: DocumentText,
    as_of: NaiveDate,
) -> Result<CheckAnswer, IndexError> {
    let editions = IndexEditions(index);
    let memo = Memo::new(&editions);
    let mut citations = find_citations(&doc.text);
    let mut warnings = doc.info.warnings;
    if citations.len() > MAX_REFERENCES {
        warnings.push(format!(
            "{} standards cited, only the first {MAX_REFERENCES} are checked",
            citations.len()
        ));
        citations.truncate(MAX_REFERENCES);
    }
    let mut summary = CheckSummary {
        references: citations.len(),
        ..CheckSummary::default()
    };
    let mut references = Vec::with_capacity(citations.len());
    for c in citations {
        let r = resolve(&memo, &c.code, as_of)?;
        match r.status {
            CheckStatus::Current => summary.current += 1,
            CheckStatus::Upcoming => summary.upcoming += 1,
            CheckStatus::Replaced => summary.replaced += 1,
            CheckStatus::Abolished => summary.abolished += 1,
            CheckStatus::Unknown => summary.unknown += 1,
        }
        let out_of_date = r.out_of_date();
        if out_of_date {
            summary.out_of_date += 1;
        }
        let edition = r.record.as_ref().map(|s| s.id());
        let page = |id: &str| format!("/standard/{}", encode_path(id));
        references.push(CheckedReference {
            id: c.code.to_string(),
            dated: c.dated(),
            in_index: r.record.is_some(),
            url: edition.as_deref().map(standard_url),
            page: edition.as_deref().map(page),
            title_zh: r.record.as_ref().and_then(|s| s.title_zh.clone()),
            edition,
            title_cited: c.title.clone(),
            status: r.status.as_str().into(),
            status_zh: r.status.label_zh().into(),
            out_of_date,
            current_page: r
                .current
                .as_ref()
                .filter(|s| s.in_index)
                .map(|s| page(&s.id)),
            current_edition: r.current.as_ref().map(|s| s.id.clone()),
            current_edition_in_index: r.current.as_ref().is_some_and(|s| s.in_index),
            current_title_zh: r.current.as_ref().and_then(|s| s.title_zh.clone()),
            chain: r.chain,
            normative: c.in_reference_list(),
            occurrences: c
                .occurrences
                .into_iter()
                .map(|o| OccurrenceWire {
                    section: o.section,
                    reference_list: o.reference_list,
                    line: o.line,
                    context: o.context,
                })
                .collect(),
            cited: c.cited,
        });
    }
    tracing::info!(
        chars = doc.info.chars,
        references = summary.references,
        out_of_date = summary.out_of_date,
        "document checked"
    );
    Ok(CheckAnswer {
        as_of,
        summary,
        references,
        document: DocumentInfo {
            warnings,
            ..doc.info
        },
    })
}

/// Parses `as_of` (`YYYY-MM-DD`), today when absent.
pub fn parse_as_of(raw: Option<&str>) -> Result<NaiveDate, ApiError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(chrono::Local::now().date_naive()),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map_err(|_| ApiError::invalid(format!("as_of: expected YYYY-MM-DD, got {s:?}"))),
    }
}

/// Every status with its count in `summary`, in display order.
pub fn summary_counts(summary: &CheckSummary) -> [(CheckStatus, usize); 5] {
    CheckStatus::ALL.map(|s| {
        let n = match s {
            CheckStatus::Current => summary.current,
            CheckStatus::Upcoming => summary.upcoming,
            CheckStatus::Replaced => summary.replaced,
            CheckStatus::Abolished => summary.abolished,
            CheckStatus::Unknown => summary.unknown,
        };
        (s, n)
    })
}
