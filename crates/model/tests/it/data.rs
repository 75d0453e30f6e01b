//! Locating the shared real data (read-only, outside the repo) and the repo fixtures.

use std::path::{Path, PathBuf};

/// `/work/shared/data` seen from this crate, or `None` (with a note) when it is absent; with
/// `CI=true` an absent data directory fails the test instead.
pub fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "shared data missing at {}",
        dir.display()
    );
    println!("note: {} is absent, skipping", dir.display());
    None
}

/// The repo's own fixtures directory.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// The repo's index-config directory.
pub fn index_config() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config")
}

/// Reads a JSON Lines file into values, skipping blank lines.
pub fn read_jsonl(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(n, l)| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{}:{}: bad json: {e}", path.display(), n + 1))
        })
        .collect()
}
