//! Shared helpers of the catalog_*, merge_* and batch_* tests: paths of the repo's fixtures and
//! of the shared real data, and the alias table.

use std::path::{Path, PathBuf};

use biaozhun_ingest::catalog::Aliases;

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file under `fixtures/`.
pub fn fixture(rel: &str) -> PathBuf {
    repo().join("fixtures").join(rel)
}

/// The shared real data, or `None` (with a note) when absent outside CI.
pub fn shared_data() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if p.is_dir() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data missing at {}", p.display());
    }
    eprintln!("note: {} is absent, skipping", p.display());
    None
}

/// The alias table of `index-config/`.
pub fn aliases() -> Aliases {
    Aliases::load_dir(&repo().join("index-config")).expect("alias table loads")
}
