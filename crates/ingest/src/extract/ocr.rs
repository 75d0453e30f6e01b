//! OCR for garbled and image-only PDFs with poppler's `pdftoppm` and `tesseract`.
//!
//! Pages are rendered at 200 dpi (the first `max_pages` only: OCR costs seconds per page) and
//! recognised with `chi_sim+eng`. Both tools are optional: [`ocr_available`] checks for them
//! (and for the `chi_sim` traineddata) once per process.

use std::process::Command;
use std::sync::OnceLock;
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

/// Renders and recognises up to `max_pages` pages; `timeout` applies to each tool run.
pub(crate) fn ocr_pdf(
    bytes: &[u8],
    max_pages: u32,
    timeout: Duration,
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
    let mut text = String::new();
    let mut pages = 0u32;
    for img in &images {
        let mut cmd = Command::new("tesseract");
        cmd.arg(img)
            .arg("stdout")
            .args(["-l", "chi_sim+eng", "-c", "preserve_interword_spaces=1"]);
        let out = run_tool(cmd, timeout)?;
        if !out.status_ok {
            return Err(format!("tesseract failed: {}", out.stderr.trim()));
        }
        text.push_str(&String::from_utf8_lossy(&out.stdout));
        text.push_str("\n\u{c}");
        pages += 1;
    }
    Ok(OcrResult { text, pages })
}
