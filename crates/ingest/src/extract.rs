//! Full text out of files: PDF, DOCX, plain text, Markdown and HTML.
//!
//! Extraction is best effort and measured: every result carries the extractor that produced it,
//! a [`TextQuality`] computed from the text itself, and warnings. PDF extraction never trusts a
//! single library (see [`pdf`]): `pdf-extract` runs isolated (panics and hangs become per-file
//! errors), `lopdf` and `pdftotext` are tried as well, and the best-scoring text wins. Garbled or
//! image-only PDFs go to OCR ([`ocr`]) when `tesseract` and `pdftoppm` are installed.
//!
//! Errors name the file; a bad file is a per-file outcome for the batch, never a crash.

mod glyphs;
mod ocr;
pub mod office;
mod pdf;
pub mod quality;
mod text;

use std::path::{Path, PathBuf};
use std::time::Duration;

use biaozhun_model::TextQuality;

pub use ocr::{
    ocr_available, ocr_pdf_pages, OcrError, OcrSettings, OCR_DPI, OCR_INSTALL_HINT, OCR_LANG,
    OCR_OEM, OCR_PRESERVE_SPACES, OCR_PSM,
};
pub use pdf::{pdf_page_count, run_extractor, PdfExtractor};
pub use quality::{assess, QualityReport};
pub use text::{decode_text, html_to_text, markdown_to_text};

/// Knobs for [`extract_file`]. Build with `ExtractOptions { ocr: false, ..Default::default() }`
/// so new fields do not break callers.
#[derive(Debug, Clone)]
pub struct ExtractOptions {
    /// Try OCR on garbled and image-only PDFs when the tools are installed.
    pub ocr: bool,
    /// Files larger than this are refused before being read.
    pub max_file_bytes: u64,
    /// OCR at most this many pages (from the first); OCR costs seconds per page.
    pub ocr_max_pages: u32,
    /// Pages of one file recognised at once (0: one per core); the whole process never runs
    /// more `tesseract`s than it has cores.
    pub ocr_workers: usize,
    /// Resolution, languages and Tesseract modes of OCR; the default is the measured
    /// trade-off documented on [`OcrSettings`]'s constants ([`OCR_DPI`], [`OCR_PSM`], ...).
    pub ocr_settings: OcrSettings,
    /// Time limit for one external tool run (`pdftotext`, `pdftoppm`, one `tesseract` page).
    pub tool_timeout: Duration,
    /// Time limit for one in-process extractor (`pdf-extract`, `lopdf`); past it the worker
    /// thread is abandoned and the extractor counts as failed.
    pub library_timeout: Duration,
    /// Use external tools (`pdftotext`, OCR) when found on PATH. Off, only the Rust
    /// extractors run (benchmarks, reproducible tests).
    pub external_tools: bool,
    /// Bounds on ZIP-based inputs (DOCX) once inflated.
    pub zip: office::ZipLimits,
    /// PDFs with more pages than this are refused before text extraction (`pdftotext` is also
    /// told to stop there).
    pub max_pages: u32,
    /// Run `pdftotext` first and stop when its text is clean, instead of scoring every
    /// extractor: faster, and hostile PDFs are parsed in a separate process first (the check
    /// route sets it; ingest keeps the referee for the best text).
    pub pdftotext_first: bool,
    /// Put word spaces back into the first page's Latin lines from glyph positions when the
    /// PDF's widths lost them (`Informationanddocumentation` on a cover): one more in-process
    /// parse of page 1. Ingest wants it for titles; the check route turns it off.
    pub cover_spaces: bool,
}

impl Default for ExtractOptions {
    fn default() -> Self {
        ExtractOptions {
            ocr: true,
            max_file_bytes: 200 * 1024 * 1024,
            ocr_max_pages: 30,
            ocr_workers: 0,
            ocr_settings: OcrSettings::default(),
            tool_timeout: Duration::from_secs(120),
            library_timeout: Duration::from_secs(60),
            external_tools: true,
            zip: office::ZipLimits::default(),
            max_pages: 20_000,
            pdftotext_first: false,
            cover_spaces: true,
        }
    }
}

/// Who produced a text: one PDF extractor, OCR, or the reader of a text or Word format. The
/// name ([`Extractor::as_str`], also the JSON spelling) is what reports and logs show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum Extractor {
    /// The `pdf-extract` crate.
    #[serde(rename = "pdf-extract")]
    PdfExtract,
    /// The `lopdf` crate's text extraction.
    #[serde(rename = "lopdf")]
    Lopdf,
    /// Poppler's `pdftotext` command.
    #[serde(rename = "pdftotext")]
    Pdftotext,
    /// OCR of the rendered pages (`tesseract`).
    #[serde(rename = "tesseract")]
    Tesseract,
    /// A plain text or Markdown file, decoded.
    #[serde(rename = "text")]
    Text,
    /// An HTML file, its markup removed.
    #[serde(rename = "html")]
    Html,
    /// A Word `.docx`, unzipped.
    #[serde(rename = "docx")]
    Docx,
    /// A legacy Word `.doc`, through `antiword`.
    #[serde(rename = "antiword")]
    Antiword,
}

impl Extractor {
    /// `pdf-extract`, `lopdf`, `pdftotext`, `tesseract`, `text`, `html`, `docx` or `antiword`.
    pub fn as_str(self) -> &'static str {
        match self {
            Extractor::PdfExtract => "pdf-extract",
            Extractor::Lopdf => "lopdf",
            Extractor::Pdftotext => "pdftotext",
            Extractor::Tesseract => "tesseract",
            Extractor::Text => "text",
            Extractor::Html => "html",
            Extractor::Docx => "docx",
            Extractor::Antiword => "antiword",
        }
    }
}

impl std::fmt::Display for Extractor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<PdfExtractor> for Extractor {
    fn from(p: PdfExtractor) -> Extractor {
        match p {
            PdfExtractor::PdfExtract => Extractor::PdfExtract,
            PdfExtractor::Lopdf => Extractor::Lopdf,
            PdfExtractor::Pdftotext => Extractor::Pdftotext,
        }
    }
}

/// The text of one file and how far it can be trusted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Extracted {
    /// Extracted text, not yet repaired (see [`crate::structure::repair_text`]).
    pub text: String,
    /// Measured quality of `text`.
    pub quality: TextQuality,
    /// Who produced `text`.
    pub extractor: Extractor,
    /// Page count for PDFs.
    pub pages: Option<u32>,
    /// Problems worth telling the user about (extractor failures, OCR not installed, ...).
    pub warnings: Vec<String>,
    /// The text is garbled or missing and OCR did not (or could not) run.
    pub needs_ocr: bool,
}

/// Why a file gave no text at all.
#[derive(Debug, thiserror::Error)]
pub enum ExtractError {
    /// The file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The OS error.
        source: std::io::Error,
    },
    /// The file is over [`ExtractOptions::max_file_bytes`].
    #[error("{}: file is {size} bytes, over the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// Its size.
        size: u64,
        /// The limit.
        limit: u64,
    },
    /// Neither the extension nor the content says what the file is.
    #[error("{}: unsupported file type (expected .pdf, .docx, .doc, .txt, .md, .html or .htm)", path.display())]
    Unsupported {
        /// The file.
        path: PathBuf,
    },
    /// Zero bytes.
    #[error("empty file")]
    Empty,
    /// A `.pdf` that does not start with `%PDF-`.
    #[error("not a pdf: no %PDF- header (the file starts with {0:?})")]
    NotPdf(String),
    /// A PDF with more pages than [`ExtractOptions::max_pages`].
    #[error("the pdf has {pages} pages, over the limit of {limit}")]
    TooManyPages {
        /// Pages the page tree declares.
        pages: u32,
        /// The limit.
        limit: u32,
    },
    /// The PDF is encrypted with a user password.
    #[error("encrypted pdf: a password is required to read it")]
    Encrypted,
    /// A `.docx` that is not a readable Word document (another ZIP, an encrypted or legacy
    /// `.doc` container, malformed XML).
    #[error("not a readable docx: {0}")]
    Docx(String),
    /// A legacy Word `.doc` that cannot be read: `antiword` is not installed, or it failed
    /// (see [`office::doc_to_text`]).
    #[error("not a readable .doc: {0}")]
    Doc(String),
    /// A ZIP-based file whose entries inflate past the limit (see [`office::ZipLimits`]).
    #[error("the file expands to more than {limit} bytes when unzipped (a zip bomb?)")]
    Expands {
        /// The limit passed.
        limit: u64,
    },
    /// Every PDF extractor failed; the message lists what each said.
    #[error("no pdf extractor could read the file: {0}")]
    Pdf(String),
    /// Text bytes that are neither UTF-8, UTF-16 with BOM nor GB18030.
    #[error("text is not valid UTF-8, UTF-16 (with BOM) or GB18030/GBK (first bad byte at offset {offset})")]
    Encoding {
        /// Byte offset of the first undecodable byte (UTF-8 view).
        offset: usize,
    },
    /// An error inside a named file.
    #[error("{}: {source}", path.display())]
    File {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        #[source]
        source: Box<ExtractError>,
    },
}

impl ExtractError {
    /// The innermost error, without the file wrapper, for callers that branch on the kind.
    pub fn kind(&self) -> &ExtractError {
        match self {
            ExtractError::File { source, .. } => source.kind(),
            other => other,
        }
    }
}

/// What kind of input a file is, from its extension and first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A PDF (by extension or `%PDF-` magic).
    Pdf,
    /// Plain text.
    Text,
    /// Markdown (`.md`): text with heading markers removed.
    Markdown,
    /// HTML (`.html`, `.htm`).
    Html,
    /// Word (`.docx`, or a ZIP archive without a known extension).
    Docx,
    /// Legacy Word 97-2003 (`.doc`, or an OLE compound file without a known extension), read
    /// by `antiword` when installed.
    Doc,
}

impl FileKind {
    /// Classifies `path`, looking at `head` (the first bytes) when the extension is unknown.
    pub fn detect(path: &Path, head: &[u8]) -> Option<FileKind> {
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("pdf") => return Some(FileKind::Pdf),
            Some("txt" | "text") => return Some(FileKind::Text),
            Some("md" | "markdown") => return Some(FileKind::Markdown),
            Some("html" | "htm" | "xhtml") => return Some(FileKind::Html),
            Some("docx") => return Some(FileKind::Docx),
            Some("doc") => return Some(FileKind::Doc),
            _ => {}
        }
        if pdf::has_pdf_header(head) {
            return Some(FileKind::Pdf);
        }
        if office::is_zip(head) {
            return Some(FileKind::Docx);
        }
        if office::is_ole(head) {
            return Some(FileKind::Doc);
        }
        let start = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
        let start = start.trim_start_matches('\u{feff}').trim_start();
        if start.starts_with("<!doctype html") || start.starts_with("<html") {
            return Some(FileKind::Html);
        }
        None
    }
}

/// Extracts the text of one file, dispatching on extension and magic bytes.
///
/// Errors name the file. A file over `opts.max_file_bytes` is refused before it is read.
pub fn extract_file(path: &Path, opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
    let in_file = |e: ExtractError| ExtractError::File {
        path: path.to_path_buf(),
        source: Box::new(e),
    };
    let io = |source| ExtractError::Io {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > opts.max_file_bytes {
        return Err(ExtractError::TooLarge {
            path: path.to_path_buf(),
            size,
            limit: opts.max_file_bytes,
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    let _span = tracing::debug_span!("extract", path = %path.display()).entered();
    extract_bytes(path, &bytes, opts).map_err(|e| match e {
        ExtractError::Unsupported { .. } | ExtractError::File { .. } => e,
        other => in_file(other),
    })
}

/// Extracts the text of a file held in memory (uploads, `/api/v1/check`), dispatching on the
/// extension of `name` and the magic bytes. Nothing is logged about the content or the name
/// (documents sent to the check route are confidential); errors do not name the file either,
/// callers that know it wrap them.
pub fn extract_bytes(
    name: &Path,
    bytes: &[u8],
    opts: &ExtractOptions,
) -> Result<Extracted, ExtractError> {
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(ExtractError::TooLarge {
            path: name.to_path_buf(),
            size: bytes.len() as u64,
            limit: opts.max_file_bytes,
        });
    }
    let kind = FileKind::detect(name, bytes).ok_or_else(|| ExtractError::Unsupported {
        path: name.to_path_buf(),
    })?;
    match kind {
        FileKind::Pdf => extract_pdf_bytes(bytes, opts),
        FileKind::Docx => {
            let text = office::docx_to_text(bytes, opts.zip)?;
            let report = assess(&text, None);
            Ok(Extracted {
                text,
                quality: report.quality,
                extractor: Extractor::Docx,
                pages: None,
                warnings: Vec::new(),
                needs_ocr: false,
            })
        }
        FileKind::Doc => {
            let text = office::doc_to_text(bytes, opts.tool_timeout)?;
            let report = assess(&text, None);
            Ok(Extracted {
                text,
                quality: report.quality,
                extractor: Extractor::Antiword,
                pages: None,
                warnings: Vec::new(),
                needs_ocr: false,
            })
        }
        FileKind::Text | FileKind::Markdown | FileKind::Html => {
            let decoded = decode_text(bytes)?;
            let (text, extractor) = match kind {
                FileKind::Html => (html_to_text(&decoded.text), Extractor::Html),
                FileKind::Markdown => (markdown_to_text(&decoded.text), Extractor::Text),
                _ => (decoded.text, Extractor::Text),
            };
            let report = assess(&text, None);
            let mut warnings = Vec::new();
            if let Some(enc) = decoded.encoding {
                if enc != "UTF-8" {
                    warnings.push(format!("decoded as {enc}"));
                }
            }
            Ok(Extracted {
                text,
                quality: report.quality,
                extractor,
                pages: None,
                warnings,
                needs_ocr: false,
            })
        }
    }
}

/// Extracts the text of a PDF held in memory (uploads, tests).
///
/// Runs every available extractor, scores each text with [`assess`] and keeps the best; a
/// garbled or empty result goes to OCR when `opts.ocr` is set and the tools are installed.
pub fn extract_pdf_bytes(bytes: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
    if bytes.len() as u64 > opts.max_file_bytes {
        return Err(ExtractError::Pdf(format!(
            "{} bytes, over the limit of {} bytes",
            bytes.len(),
            opts.max_file_bytes
        )));
    }
    pdf::extract_pdf(bytes, opts)
}
