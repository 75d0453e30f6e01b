//! Integration tests of the index: one test binary, modules by area. Most tests share one index
//! built once from `fixtures/` through the real ingest batch.

mod adoptions;
mod barriers;
mod config;
mod crash;
mod editions_file;
mod fuzz_regressions;
mod ops;
mod search;
mod store;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use biaozhun_index::Index;
use biaozhun_ingest::batch::{ingest_paths, BatchOptions};
use biaozhun_ingest::catalog::Aliases;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// `index-config/`.
pub fn config_dir() -> PathBuf {
    root().join("index-config")
}

/// Ingests `paths` into a new index in `dir`.
pub fn build_index(dir: &Path, paths: &[PathBuf]) -> Index {
    let mut index = Index::open_or_create(dir, &config_dir()).expect("create index");
    let aliases = Aliases::load_dir(&config_dir()).expect("aliases");
    let mut opts = BatchOptions::new(aliases);
    opts.extract.ocr = false;
    let summary = ingest_paths(paths, &opts, &mut index, &|_| {});
    assert!(
        summary.error == 0 || summary.files > summary.error,
        "{summary:?}"
    );
    index
}

/// The fixture index, built once per test run.
pub fn fixture_index() -> &'static Index {
    static INDEX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = root().join("fixtures");
        let index = build_index(
            dir.path(),
            &[
                f.join("catalog/standards.jsonl"),
                f.join("notifications/notifications.jsonl"),
                f.join("texts"),
                f.join("regulations"),
            ],
        );
        (dir, index)
    });
    index
}
