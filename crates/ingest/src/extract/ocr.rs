//! OCR for garbled and image-only PDFs with poppler's `pdftoppm` and `tesseract`.
//!
//! Pages are rendered at 150 dpi (the first `max_pages` only: OCR costs seconds per page) and
//! recognised with `chi_sim+eng` as one column of text of varying sizes (`--psm 4`): the
//! settings ([`OCR_DPI`] and the constants after it) were chosen by accuracy and speed measured
//! with `bench/ocr.py --sweep` (bench/RESULTS.md, "OCR settings"). Both tools are optional:
//! [`ocr_available`] checks for them (and for the `chi_sim` traineddata) once per process.
//!
//! Pages are recognised in parallel: one `tesseract` process per page, each single-threaded
//! (`OMP_THREAD_LIMIT=1`), up to `workers` at once for a file and never more than the machine's
//! cores across the whole process (a batch already reads several files at once; without the
//! process-wide cap, files times pages would oversubscribe the cores). Tesseract's own OpenMP
//! threads parallelise within a page and spin while they wait, which is slower than one page per
//! core when pages are many (measured in bench/RESULTS.md, "OCR"). Rendering stays one
//! `pdftoppm` run: it is a small part of the time. Memory is bounded by the page images on disk
//! and one page of text per worker.

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, OnceLock};
use std::time::Duration;

use super::pdf::{on_path, run_tool};

/// What to install to enable OCR (Debian/Ubuntu).
pub const OCR_INSTALL_HINT: &str = "install OCR tools to recover the text: apt-get install tesseract-ocr tesseract-ocr-chi-sim poppler-utils poppler-data";

/// Resolution pages are rendered at for OCR (`pdftoppm -r`), in dots per inch.
///
/// 150, measured by `bench/ocr.py --sweep` on 24 pages (the cover and first text page of five
/// born-digital standards, as rendered and as simulated scans, against their text layer; the
/// covers of four real scanned or garbled files), one page at a time, with `--psm 4`: 92.6 % of
/// the reference characters recognised (LCS) against 89.7 % at 200 dpi, 2.57 against 3.71 CPU s
/// a page (1.44x), the same 9 of 10 cover numbers parsed and all 4 real files' numbers. With
/// the old `--psm 3`: 150 dpi read 90.4 %, 200 dpi 87.3 %, 300 dpi 84.9 % at 7.55 CPU s a page
/// (more pixels cost time and bought no accuracy on these pages).
pub const OCR_DPI: u32 = 150;
/// Tesseract's languages (`-l`): Chinese with English.
///
/// `chi_sim` alone recognises a little more of the Chinese (93.6 % against 92.6 % at 150 dpi,
/// `--psm 4`) but reads the Latin of standard numbers as Chinese look-alikes: no cover number
/// exactly and 6 of 10 parsed, against 9 of 10 with `+eng`; a wrong number is worse than a wrong
/// character. Adding `chi_sim_vert` (vertical text) read no better (86.9 % against 87.3 % at
/// 200 dpi, `--psm 3`) and cost 25 % more CPU.
pub const OCR_LANG: &str = "chi_sim+eng";
/// Tesseract's page segmentation mode (`--psm`): 4, one column of text of varying sizes.
///
/// Standards are set in one column, and their covers mix large spaced titles with small lines;
/// 3 (automatic layout, Tesseract's default) misread more of those titles (CER of clean covers
/// 10.9 % with 3, 5.7 % with 4, at 200 dpi; of simulated scan pages 25.1 % and 18.3 %); 6 (one
/// uniform block) lost a real scan's number and read simulated scan covers at 17.0 % CER
/// against 6.1 %; 11 (sparse text) was no better than 3 (86.4 % recognised).
pub const OCR_PSM: u8 = 4;
/// Tesseract's engine mode (`--oem`): 1 is the LSTM recogniser, the only one the `chi_sim`
/// traineddata of Debian/Ubuntu (tessdata_fast, LSTM only) carries; 0 (legacy) and 2 (both)
/// fail with it, and 3 (the default) picks 1 (identical text in the sweep).
pub const OCR_OEM: u8 = 1;
/// Whether Tesseract keeps the spaces it sees between words (`preserve_interword_spaces`).
///
/// It changes only runs of spaces, never a character (the sweep's figures are identical with
/// it off); kept on so Latin words and spaced numbers keep their gaps for the cover parser.
pub const OCR_PRESERVE_SPACES: bool = true;

/// How pages are rendered and recognised. [`Default`] is the measured trade-off above
/// (the `OCR_*` constants); [`super::ExtractOptions::ocr_settings`] overrides it, and
/// `bench/ocr.py --sweep` measures the alternatives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OcrSettings {
    /// `pdftoppm -r`: dots per inch of the page images.
    pub dpi: u32,
    /// `tesseract -l`: languages joined by `+`, each an installed traineddata.
    pub lang: String,
    /// `tesseract --psm`: page segmentation mode (0-13).
    pub psm: u8,
    /// `tesseract --oem`: engine mode (0-3).
    pub oem: u8,
    /// `tesseract -c preserve_interword_spaces=1`.
    pub preserve_interword_spaces: bool,
}

impl Default for OcrSettings {
    fn default() -> Self {
        OcrSettings {
            dpi: OCR_DPI,
            lang: OCR_LANG.to_string(),
            psm: OCR_PSM,
            oem: OCR_OEM,
            preserve_interword_spaces: OCR_PRESERVE_SPACES,
        }
    }
}

impl OcrSettings {
    /// Refuses settings the tools would reject or misread (a language name that is not a
    /// traineddata name could also be taken as an option), naming the field.
    pub fn check(&self) -> Result<(), OcrError> {
        if !(50..=1200).contains(&self.dpi) {
            return Err(OcrError::new(format!(
                "ocr dpi {} out of range 50-1200",
                self.dpi
            )));
        }
        let lang_ok = !self.lang.is_empty()
            && self
                .lang
                .split('+')
                .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !lang_ok {
            return Err(OcrError::new(format!(
                "ocr lang {:?} is not traineddata names joined by +",
                self.lang
            )));
        }
        if self.psm > 13 {
            return Err(OcrError::new(format!(
                "ocr psm {} out of range 0-13",
                self.psm
            )));
        }
        if self.oem > 3 {
            return Err(OcrError::new(format!(
                "ocr oem {} out of range 0-3",
                self.oem
            )));
        }
        Ok(())
    }
}

/// Why OCR of a file failed: a tool missing, failing or timing out, or bad settings. The
/// message says which tool and what it printed.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct OcrError {
    message: String,
}

impl OcrError {
    fn new(message: impl Into<String>) -> Self {
        OcrError {
            message: message.into(),
        }
    }
}

/// Whether `pdftoppm` and `tesseract` with the `chi_sim` language are installed.
pub fn ocr_available() -> bool {
    static AVAILABLE: OnceLock<bool> = OnceLock::new();
    *AVAILABLE.get_or_init(|| {
        if !(on_path("pdftoppm") && on_path("tesseract")) {
            return false;
        }
        let mut cmd = Command::new("tesseract");
        cmd.arg("--list-langs");
        match run_tool(cmd, Duration::from_secs(20)) {
            Ok(out) => {
                let langs = String::from_utf8_lossy(&out.stdout).into_owned() + &out.stderr;
                langs.lines().any(|l| l.trim() == "chi_sim")
            }
            Err(_) => false,
        }
    })
}

/// OCR text of the first pages of a PDF.
pub(crate) struct OcrResult {
    pub text: String,
    /// Pages recognised.
    pub pages: u32,
}

/// The cores this process may use for OCR.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A process-wide cap on concurrent `tesseract` runs.
struct Slots {
    free: Mutex<usize>,
    freed: Condvar,
}

/// Held while one `tesseract` runs; gives the slot back when dropped.
struct Slot(&'static Slots);

impl Slots {
    fn global() -> &'static Slots {
        static SLOTS: OnceLock<Slots> = OnceLock::new();
        SLOTS.get_or_init(|| Slots {
            free: Mutex::new(default_workers()),
            freed: Condvar::new(),
        })
    }

    fn take(&'static self) -> Slot {
        let mut free = self.free.lock().unwrap_or_else(|p| p.into_inner());
        while *free == 0 {
            free = self.freed.wait(free).unwrap_or_else(|p| p.into_inner());
        }
        *free -= 1;
        Slot(self)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut free = self.0.free.lock().unwrap_or_else(|p| p.into_inner());
        *free += 1;
        self.0.freed.notify_one();
    }
}

/// Recognises one page image.
fn ocr_page(
    img: &std::path::Path,
    settings: &OcrSettings,
    timeout: Duration,
) -> Result<String, OcrError> {
    let _slot = Slots::global().take();
    let mut cmd = Command::new("tesseract");
    cmd.arg(img)
        .arg("stdout")
        .args(["-l", &settings.lang])
        .args(["--psm", &settings.psm.to_string()])
        .args(["--oem", &settings.oem.to_string()])
        .args([
            "-c",
            if settings.preserve_interword_spaces {
                "preserve_interword_spaces=1"
            } else {
                "preserve_interword_spaces=0"
            },
        ])
        // One thread per process: pages run in parallel instead (see the module doc).
        .env("OMP_THREAD_LIMIT", "1");
    let out = run_tool(cmd, timeout).map_err(OcrError::new)?;
    if !out.status_ok {
        return Err(OcrError::new(format!(
            "tesseract failed: {}",
            out.stderr.trim()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Renders and recognises up to `max_pages` pages from the first, `workers` pages at once (0:
/// one per core); `timeout` applies to each tool run.
pub(crate) fn ocr_pdf(
    bytes: &[u8],
    max_pages: u32,
    settings: &OcrSettings,
    timeout: Duration,
    workers: usize,
) -> Result<OcrResult, OcrError> {
    let pages = ocr_pdf_pages(bytes, 1, max_pages.max(1), settings, workers, timeout)?;
    let mut text = String::new();
    for page in &pages {
        text.push_str(page);
        text.push_str("\n\u{c}");
    }
    Ok(OcrResult {
        text,
        pages: u32::try_from(pages.len()).unwrap_or(u32::MAX),
    })
}

/// The text of pages `first..=last` (1-based; pages past the end are not there) of a PDF, one
/// string per page, read the way ingest reads a scan: `pdftoppm` renders them, then one
/// single-threaded `tesseract` per page, `workers` pages at once (0: one per core). Public so
/// that `bench/ocr.py` (through `examples/ocr_pages.rs`) measures exactly this path on pages of
/// its choosing; ingest calls it through [`super::extract_file`].
pub fn ocr_pdf_pages(
    bytes: &[u8],
    first: u32,
    last: u32,
    settings: &OcrSettings,
    workers: usize,
    timeout: Duration,
) -> Result<Vec<String>, OcrError> {
    settings.check()?;
    let first = first.max(1);
    if last < first {
        return Ok(Vec::new());
    }
    let dir = tempfile::tempdir().map_err(|e| OcrError::new(format!("temp dir: {e}")))?;
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| OcrError::new(format!("temp file: {e}")))?;
    let prefix = dir.path().join("page");
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-r", &settings.dpi.to_string(), "-gray", "-png", "-f"])
        .arg(first.to_string())
        .arg("-l")
        .arg(last.to_string())
        .arg(&input)
        .arg(&prefix);
    let out = run_tool(cmd, timeout).map_err(OcrError::new)?;
    if !out.status_ok {
        return Err(OcrError::new(format!(
            "pdftoppm failed: {}",
            out.stderr.trim()
        )));
    }
    let mut images: Vec<_> = std::fs::read_dir(dir.path())
        .map_err(|e| OcrError::new(format!("temp dir: {e}")))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    // pdftoppm pads page numbers to the same width, so names sort in page order.
    images.sort();
    let workers = match workers {
        0 => default_workers(),
        n => n,
    }
    .min(images.len())
    .max(1);
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Result<String, OcrError>>>> =
        Mutex::new(vec![None; images.len()]);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(img) = images.get(i) else { break };
                let page = ocr_page(img, settings, timeout);
                let failed = page.is_err();
                if let Some(slot) = results.lock().unwrap_or_else(|p| p.into_inner()).get_mut(i) {
                    *slot = Some(page);
                }
                if failed {
                    // Stop taking pages: the file fails with this page's error.
                    next.store(images.len(), Ordering::Relaxed);
                    break;
                }
            });
        }
    });
    let mut pages = Vec::new();
    for page in results.into_inner().unwrap_or_else(|p| p.into_inner()) {
        match page {
            Some(Ok(t)) => pages.push(t),
            Some(Err(e)) => return Err(e),
            // Not reached: another page failed first.
            None => {}
        }
    }
    Ok(pages)
}
