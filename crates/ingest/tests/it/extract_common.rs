//! Paths and helpers shared by the extraction tests.

use std::path::{Path, PathBuf};

/// The repository's `fixtures/` folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// `shared/data`, or `None` (with a note) when it is absent outside CI.
pub fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if p.is_dir() {
        return Some(p);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared data missing at {} in CI",
        p.display()
    );
    eprintln!("note: {} absent, skipping", p.display());
    None
}

/// Whether OCR tools are installed (tests asserting OCR output run only then).
pub fn ocr_installed() -> bool {
    biaozhun_ingest::extract::ocr_available()
}
