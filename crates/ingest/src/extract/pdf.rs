//! PDF text extraction with three extractors and a referee.
//!
//! - `pdf-extract` (primary): good layout, but panics on CID fonts with named CMaps
//!   (`UniGB-UCS2-H`, reportlab's STSong-Light) and returns nothing for Identity-H fonts
//!   without ToUnicode. It runs on a worker thread under `catch_unwind`, with a time limit
//!   after which the thread is abandoned.
//! - `lopdf`: decodes UniGB-UCS2-H but not GBK-EUC-H; same isolation.
//! - `pdftotext` (poppler-utils), when on PATH: handles every encoding seen so far and is
//!   much faster; killed after [`ExtractOptions::tool_timeout`].
//!
//! Each text is scored with [`assess`]; the best one wins. A panic message never reaches
//! stderr: a process-wide panic hook, installed once, stays quiet for panics on threads that
//! are inside an extractor and defers to the previous hook for everything else.

use std::any::Any;
use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Once};
use std::time::{Duration, Instant};

use biaozhun_model::TextQuality;

use super::quality::{assess, QualityReport};
use super::{ocr, ExtractError, ExtractOptions, Extracted, Extractor};

/// The PDF extractors, in order of preference when scores tie.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfExtractor {
    /// The `pdf-extract` crate.
    PdfExtract,
    /// The `lopdf` crate's text extraction.
    Lopdf,
    /// Poppler's `pdftotext` command.
    Pdftotext,
}

impl PdfExtractor {
    /// Every extractor.
    pub const ALL: [PdfExtractor; 3] = [
        PdfExtractor::PdfExtract,
        PdfExtractor::Pdftotext,
        PdfExtractor::Lopdf,
    ];

    /// The name recorded in [`Extracted::extractor`] (spelt once, by [`Extractor::as_str`]).
    pub fn name(self) -> &'static str {
        Extractor::from(self).as_str()
    }
}

/// Whether the first bytes hold a `%PDF-` header (PDF allows up to 1 KiB of junk before it).
pub(crate) fn has_pdf_header(head: &[u8]) -> bool {
    let n = head.len().min(1024);
    head[..n].windows(5).any(|w| w == b"%PDF-")
}

/// Page count as `lopdf` reads it, `None` when it cannot parse the file.
pub fn pdf_page_count(bytes: &[u8]) -> Option<u32> {
    let owned: Arc<[u8]> = Arc::from(bytes);
    guarded(Duration::from_secs(30), move || {
        lopdf::Document::load_mem(&owned)
            .ok()
            .map(|d| d.get_pages().len() as u32)
    })
    .ok()
    .flatten()
}

/// Runs one extractor on `bytes`, isolated: a panic or a timeout is an `Err` with a message.
pub fn run_extractor(
    which: PdfExtractor,
    bytes: &[u8],
    opts: &ExtractOptions,
) -> Result<String, String> {
    match which {
        PdfExtractor::PdfExtract => {
            let owned: Arc<[u8]> = Arc::from(bytes);
            guarded(opts.library_timeout, move || {
                pdf_extract::extract_text_from_mem_by_pages(&owned)
                    .map(|pages| pages.join("\n\u{c}"))
                    .map_err(|e| e.to_string())
            })?
        }
        PdfExtractor::Lopdf => {
            let owned: Arc<[u8]> = Arc::from(bytes);
            guarded(opts.library_timeout, move || lopdf_text(&owned))?
        }
        PdfExtractor::Pdftotext => pdftotext(bytes, opts.tool_timeout, opts.max_pages),
    }
}

fn lopdf_text(bytes: &[u8]) -> Result<String, String> {
    let doc = lopdf::Document::load_mem(bytes).map_err(|e| e.to_string())?;
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut out = String::new();
    let mut failed = 0usize;
    for chunk in doc.extract_text_chunks(&pages) {
        match chunk {
            Ok(t) => {
                out.push_str(&t);
                // Form feed between pages, as pdftotext writes it, for header/footer detection.
                out.push_str("\n\u{c}");
            }
            Err(_) => failed += 1,
        }
    }
    if out.trim().is_empty() && failed > 0 {
        return Err(format!("text extraction failed on {failed} page(s)"));
    }
    Ok(out)
}

/// Whether `name` is an executable on PATH.
pub(crate) fn on_path(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| {
            let p = dir.join(name);
            p.is_file()
        })
    })
}

fn pdftotext(bytes: &[u8], timeout: Duration, max_pages: u32) -> Result<String, String> {
    if !on_path("pdftotext") {
        return Err(
            "pdftotext is not installed (apt-get install poppler-utils poppler-data)".into(),
        );
    }
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let input = dir.path().join("in.pdf");
    let output = dir.path().join("out.txt");
    std::fs::write(&input, bytes).map_err(|e| format!("temp file: {e}"))?;
    let mut cmd = Command::new("pdftotext");
    cmd.arg("-enc")
        .arg("UTF-8")
        .arg("-l")
        .arg(max_pages.to_string())
        .arg(&input)
        .arg(&output);
    let out = run_tool(cmd, timeout)?;
    if !out.status_ok {
        return Err(format!("pdftotext failed: {}", out.stderr.trim()));
    }
    std::fs::read(&output)
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .map_err(|e| format!("pdftotext output: {e}"))
}

/// What an external tool run gave.
pub(crate) struct ToolOutput {
    pub status_ok: bool,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

/// Runs `cmd`, killing it after `timeout`. Output is drained on threads so a chatty tool
/// cannot block on a full pipe.
pub(crate) fn run_tool(mut cmd: Command, timeout: Duration) -> Result<ToolOutput, String> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    let drain = |r: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut buf);
            }
            buf
        })
    };
    let out_thread = drain(
        child
            .stdout
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    );
    let err_thread = drain(
        child
            .stderr
            .take()
            .map(|s| Box::new(s) as Box<dyn std::io::Read + Send>),
    );
    let deadline = Instant::now() + timeout;
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("{program} timed out after {} s", timeout.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
            Err(e) => return Err(format!("waiting for {program}: {e}")),
        }
    };
    let stdout = out_thread.join().unwrap_or_default();
    let stderr = err_thread.join().unwrap_or_default();
    Ok(ToolOutput {
        status_ok: status.success(),
        stdout,
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    })
}

thread_local! {
    /// Set on worker threads running an extractor: their panics are expected and reported as
    /// per-file errors, so the panic hook keeps quiet.
    static QUIET_PANICS: Cell<bool> = const { Cell::new(false) };
}

fn install_quiet_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(Cell::get) {
                previous(info);
            }
        }));
    });
}

fn panic_message(p: &(dyn Any + Send)) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

/// Runs `f` on a worker thread with panics caught and silenced; after `timeout` the thread is
/// abandoned (it finishes in the background, its result dropped).
pub(crate) fn guarded<T: Send + 'static>(
    timeout: Duration,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    install_quiet_hook();
    let (tx, rx) = mpsc::channel();
    let spawned = std::thread::Builder::new()
        .name("pdf-extractor".into())
        .spawn(move || {
            QUIET_PANICS.with(|q| q.set(true));
            let r = panic::catch_unwind(AssertUnwindSafe(f));
            let _ = tx.send(r.map_err(|p| panic_message(p.as_ref())));
        });
    if let Err(e) = spawned {
        return Err(format!("cannot start extractor thread: {e}"));
    }
    match rx.recv_timeout(timeout) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(msg)) => Err(format!("panicked: {msg}")),
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
            "timed out after {} s (worker abandoned)",
            timeout.as_secs()
        )),
        Err(mpsc::RecvTimeoutError::Disconnected) => Err("worker thread died".into()),
    }
}

struct Candidate {
    extractor: Extractor,
    text: String,
    report: QualityReport,
    elapsed: Duration,
}

/// The PDF pipeline behind [`super::extract_pdf_bytes`].
pub(crate) fn extract_pdf(bytes: &[u8], opts: &ExtractOptions) -> Result<Extracted, ExtractError> {
    if bytes.is_empty() {
        return Err(ExtractError::Empty);
    }
    if !has_pdf_header(bytes) {
        let head: String = String::from_utf8_lossy(&bytes[..bytes.len().min(16)]).into_owned();
        return Err(ExtractError::NotPdf(head));
    }
    let pages = pdf_page_count(bytes);
    if let Some(n) = pages.filter(|n| *n > opts.max_pages) {
        return Err(ExtractError::TooManyPages {
            pages: n,
            limit: opts.max_pages,
        });
    }
    let mut warnings = Vec::new();
    let mut failures = Vec::new();
    let mut candidates = Vec::new();
    let external = opts.external_tools && on_path("pdftotext");
    let order = if opts.pdftotext_first && external {
        [
            PdfExtractor::Pdftotext,
            PdfExtractor::PdfExtract,
            PdfExtractor::Lopdf,
        ]
    } else {
        PdfExtractor::ALL
    };
    for which in order {
        if which == PdfExtractor::Pdftotext && !external {
            continue;
        }
        // A clean text from the first extractor is enough when the caller asked for speed.
        if opts.pdftotext_first
            && candidates
                .first()
                .is_some_and(|c: &Candidate| c.report.quality == TextQuality::Good)
        {
            break;
        }
        let start = Instant::now();
        match run_extractor(which, bytes, opts) {
            Ok(text) => {
                let report = assess(&text, pages);
                tracing::debug!(
                    extractor = which.name(),
                    score = report.score,
                    quality = report.quality.as_str(),
                    elapsed_ms = start.elapsed().as_millis() as u64,
                    "pdf extractor result"
                );
                candidates.push(Candidate {
                    extractor: which.into(),
                    text,
                    report,
                    elapsed: start.elapsed(),
                });
            }
            Err(e) => {
                tracing::debug!(extractor = which.name(), error = %e, "pdf extractor failed");
                failures.push(format!("{}: {e}", which.name()));
            }
        }
    }
    let best = candidates.into_iter().reduce(|a, b| {
        // Earlier extractors win ties (within 2 %); readable beats garbled beats empty.
        let rank = |c: &Candidate| match c.report.quality {
            TextQuality::Good | TextQuality::Ocr => 2u8,
            TextQuality::Garbled => 1,
            TextQuality::NoText | TextQuality::Missing => 0,
        };
        if rank(&b) > rank(&a) || (rank(&b) == rank(&a) && b.report.score > a.report.score * 1.02) {
            b
        } else {
            a
        }
    });
    let joined = failures.join("; ");
    let Some(best) = best else {
        if looks_encrypted(bytes, &joined) {
            return Err(ExtractError::Encrypted);
        }
        return Err(ExtractError::Pdf(joined));
    };
    // An encrypted file that some extractor "read" as empty is still unreadable.
    if best.report.quality == TextQuality::NoText && mentions_password(&joined) {
        return Err(ExtractError::Encrypted);
    }
    // Extractor failures are worth a warning only when the winner is not clean.
    if best.report.quality != TextQuality::Good {
        warnings.extend(failures);
    } else {
        for f in failures {
            tracing::debug!(failure = %f, "pdf extractor failed, another one succeeded");
        }
    }
    tracing::debug!(
        extractor = best.extractor.as_str(),
        elapsed_ms = best.elapsed.as_millis() as u64,
        "pdf extractor chosen"
    );
    let mut out = Extracted {
        text: best.text,
        quality: best.report.quality,
        extractor: best.extractor,
        pages,
        warnings,
        needs_ocr: false,
    };
    if matches!(out.quality, TextQuality::Garbled | TextQuality::NoText) {
        try_ocr(bytes, opts, &mut out, &best.report);
    } else if opts.cover_spaces {
        let owned: Arc<[u8]> = Arc::from(bytes);
        match guarded(opts.library_timeout, move || {
            super::glyphs::cover_lines(&owned)
        }) {
            Ok(Some(lines)) => out.text = super::glyphs::respace(&out.text, &lines),
            Ok(None) => {}
            Err(e) => tracing::debug!(error = %e, "cover word spaces skipped"),
        }
    }
    Ok(out)
}

fn mentions_password(failures: &str) -> bool {
    let f = failures.to_ascii_lowercase();
    f.contains("password") || f.contains("decrypt")
}

fn looks_encrypted(bytes: &[u8], failures: &str) -> bool {
    mentions_password(failures) || {
        // An /Encrypt entry in the trailer, without parsing.
        let tail = &bytes[bytes.len().saturating_sub(4096)..];
        tail.windows(8).any(|w| w == b"/Encrypt")
    }
}

fn try_ocr(bytes: &[u8], opts: &ExtractOptions, out: &mut Extracted, before: &QualityReport) {
    let what = match out.quality {
        TextQuality::NoText => "no text layer (image-only scan?)",
        _ => "the text layer is garbled",
    };
    if !opts.ocr || !opts.external_tools {
        out.needs_ocr = true;
        out.warnings.push(format!("{what}; OCR disabled"));
        return;
    }
    if !ocr::ocr_available() {
        out.needs_ocr = true;
        out.warnings
            .push(format!("{what}; {}", ocr::OCR_INSTALL_HINT));
        return;
    }
    let start = Instant::now();
    match ocr::ocr_pdf(
        bytes,
        opts.ocr_max_pages,
        &opts.ocr_settings,
        opts.tool_timeout,
        opts.ocr_workers,
    ) {
        Ok(result) => {
            let report = assess(&result.text, Some(result.pages.max(1)));
            tracing::info!(
                pages = result.pages,
                elapsed_ms = start.elapsed().as_millis() as u64,
                quality = report.quality.as_str(),
                "ocr finished"
            );
            if report.quality == TextQuality::Good && report.score > before.score {
                out.text = result.text;
                out.quality = TextQuality::Ocr;
                out.extractor = Extractor::Tesseract;
                out.needs_ocr = false;
                if let Some(total) = out.pages {
                    if result.pages < total {
                        out.warnings.push(format!(
                            "ocr covered the first {} of {total} pages",
                            result.pages
                        ));
                    }
                }
            } else {
                out.needs_ocr = true;
                out.warnings
                    .push(format!("{what}; ocr gave no readable text either"));
            }
        }
        Err(e) => {
            out.needs_ocr = true;
            out.warnings.push(format!("{what}; ocr failed: {e}"));
        }
    }
}
