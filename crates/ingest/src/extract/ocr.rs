//! OCR for garbled and image-only PDFs with poppler's `pdftoppm` and `tesseract`.
//!
//! Pages are rendered at 200 dpi (the first `max_pages` only: OCR costs seconds per page) and
//! recognised with `chi_sim+eng`. Both tools are optional: [`ocr_available`] checks for them
//! (and for the `chi_sim` traineddata) once per process.
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
fn ocr_page(img: &std::path::Path, timeout: Duration) -> Result<String, String> {
    let _slot = Slots::global().take();
    let mut cmd = Command::new("tesseract");
    cmd.arg(img)
        .arg("stdout")
        .args(["-l", "chi_sim+eng", "-c", "preserve_interword_spaces=1"])
        // One thread per process: pages run in parallel instead (see the module doc).
        .env("OMP_THREAD_LIMIT", "1");
    let out = run_tool(cmd, timeout)?;
    if !out.status_ok {
        return Err(format!("tesseract failed: {}", out.stderr.trim()));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Renders and recognises up to `max_pages` pages, `workers` pages at once (0: one per core);
/// `timeout` applies to each tool run.
pub(crate) fn ocr_pdf(
    bytes: &[u8],
    max_pages: u32,
    timeout: Duration,
    workers: usize,
) -> Result<OcrResult, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("temp dir: {e}"))?;
    let input = dir.path().join("in.pdf");
    std::fs::write(&input, bytes).map_err(|e| format!("temp file: {e}"))?;
    let prefix = dir.path().join("page");
    let mut cmd = Command::new("pdftoppm");
    cmd.args(["-r", "200", "-gray", "-png", "-f", "1", "-l"])
        .arg(max_pages.max(1).to_string())
        .arg(&input)
        .arg(&prefix);
    let out = run_tool(cmd, timeout)?;
    if !out.status_ok {
        return Err(format!("pdftoppm failed: {}", out.stderr.trim()));
    }
    let mut images: Vec<_> = std::fs::read_dir(dir.path())
        .map_err(|e| format!("temp dir: {e}"))?
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
    let results: Mutex<Vec<Option<Result<String, String>>>> = Mutex::new(vec![None; images.len()]);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(img) = images.get(i) else { break };
                let page = ocr_page(img, timeout);
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
    let mut text = String::new();
    let mut pages = 0u32;
    for page in results.into_inner().unwrap_or_else(|p| p.into_inner()) {
        match page {
            Some(Ok(t)) => {
                text.push_str(&t);
                text.push_str("\n\u{c}");
                pages += 1;
            }
            Some(Err(e)) => return Err(e),
            // Not reached: another page failed first.
            None => {}
        }
    }
    Ok(OcrResult { text, pages })
}
