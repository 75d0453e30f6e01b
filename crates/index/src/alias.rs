//! The index alias: which generation of the index a directory serves, and what in that
//! directory is index data and what is the service's own state.
//!
//! An index directory (the `--index DIR` users give) starts as a plain index: tantivy's files,
//! `biaozhun-index.json` and `config/` directly in `DIR` (generation 0). `biaozhun reindex`
//! builds a new generation under `DIR/generations/gen-NNNNNN/` and then switches the pointer
//! file `DIR/CURRENT` to it with one atomic rename; every process opening `DIR` afterwards, and
//! every read-only server following it, serves the new generation. State that is not index
//! data (ingest jobs, watchlists, sync positions, anything a later feature adds) lives in `DIR`
//! itself, outside the generations, so it survives a re-index untouched and snapshots take it
//! whole: [`is_index_entry`] is the one rule saying which names are index data.

use std::path::{Path, PathBuf};

use crate::IndexError;

/// The pointer file naming the current generation (`gen-000002`); absent for generation 0.
pub const CURRENT_FILE: &str = "CURRENT";
/// The folder holding generations after the first re-index.
pub const GENERATIONS_DIR: &str = "generations";
/// The sidecar recording schema version and config hash (one per generation).
pub const META_FILE: &str = "biaozhun-index.json";
/// The copy of the index configuration a generation was built with.
pub const CONFIG_DIR: &str = "config";
/// The stored edition table of a generation's latest commit (a cache of what the index holds,
/// see `editions::stored`; its temporary files start with the same name).
pub const EDITIONS_FILE: &str = "biaozhun-editions.bin";
/// The HS names tokenized for the cross-lingual bridge (a cache of the names files for this
/// generation's analyzers, see `bridge::hs`; its temporary files start with the same name).
pub const HS_NAMES_FILE: &str = "biaozhun-hs-names.bin";
/// The column cache's arrays of a generation's latest commit (a cache of the segments' fast
/// columns, see `collect::stored`; its temporary files start with the same name).
pub const COLUMNS_FILE: &str = "biaozhun-columns.bin";

/// Where an index directory's data lives now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// The directory users name: state files live here.
    pub root: PathBuf,
    /// The directory of the current generation's index files (`root` for generation 0).
    pub data: PathBuf,
    /// The generation number (0 for a plain index).
    pub generation: u64,
}

/// Follows `root/CURRENT` (when present) to the generation being served.
pub fn resolve(root: &Path) -> Result<Resolved, IndexError> {
    let pointer = root.join(CURRENT_FILE);
    let name = match std::fs::read_to_string(&pointer) {
        Ok(s) => s.trim().to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(Resolved {
                root: root.to_path_buf(),
                data: root.to_path_buf(),
                generation: 0,
            })
        }
        Err(source) => {
            return Err(IndexError::Io {
                path: pointer.display().to_string(),
                source,
            })
        }
    };
    let generation = parse_generation(&name).ok_or_else(|| IndexError::Config {
        path: pointer.display().to_string(),
        message: format!("names {name:?}, not a generation like gen-000002"),
    })?;
    Ok(Resolved {
        root: root.to_path_buf(),
        data: root.join(GENERATIONS_DIR).join(&name),
        generation,
    })
}

/// The folder name of generation `n`.
pub fn generation_name(n: u64) -> String {
    format!("gen-{n:06}")
}

fn parse_generation(name: &str) -> Option<u64> {
    name.strip_prefix("gen-")
        .filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|d| d.parse().ok())
}

/// A fresh, empty directory for the next generation (one above every generation present,
/// including half-built ones left by a failed re-index, which are removed first).
pub fn prepare_next(root: &Path) -> Result<(PathBuf, u64), IndexError> {
    let current = resolve(root)?.generation;
    let gens = root.join(GENERATIONS_DIR);
    let mut highest = current;
    if let Ok(entries) = std::fs::read_dir(&gens) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            let Some(n) = parse_generation(&name) else {
                continue;
            };
            highest = highest.max(n);
            if n > current {
                // A re-index that failed before switching: nobody serves it.
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let next = highest + 1;
    let dir = gens.join(generation_name(next));
    std::fs::create_dir_all(&dir).map_err(|source| IndexError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    Ok((dir, next))
}

/// Points `root` at generation `n` with one atomic rename: a process opening `root` sees the
/// old generation or the new one, never neither.
pub fn switch(root: &Path, n: u64) -> Result<(), IndexError> {
    let tmp = root.join(format!("{CURRENT_FILE}.tmp"));
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| IndexError::Io { path, source }
    };
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&tmp).map_err(io(&tmp))?;
        f.write_all(generation_name(n).as_bytes())
            .map_err(io(&tmp))?;
        f.sync_all().map_err(io(&tmp))?;
    }
    let dest = root.join(CURRENT_FILE);
    std::fs::rename(&tmp, &dest).map_err(io(&dest))?;
    if let Ok(d) = std::fs::File::open(root) {
        let _ = d.sync_all();
    }
    Ok(())
}

/// Removes the index data of generation `n` (for generation 0: the index files in `root`
/// itself, never its state files).
pub fn remove_generation(root: &Path, n: u64) -> Result<(), IndexError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| IndexError::Io { path, source }
    };
    if n > 0 {
        let dir = root.join(GENERATIONS_DIR).join(generation_name(n));
        return match std::fs::remove_dir_all(&dir) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(&dir)(e)),
            _ => Ok(()),
        };
    }
    let entries = std::fs::read_dir(root).map_err(io(root))?;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().to_string();
        if !is_index_entry(&name) || name == CURRENT_FILE || name == GENERATIONS_DIR {
            continue;
        }
        let path = e.path();
        let r = if path.is_dir() {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        if let Err(e) = r {
            if e.kind() != std::io::ErrorKind::NotFound {
                return Err(io(&path)(e));
            }
        }
    }
    Ok(())
}

/// Whether a top-level name in an index directory is index data (tantivy's files, locks, the
/// sidecar, the config copy, the alias and its generations) rather than service state. Every
/// other name is state: kept across re-indexes and included in snapshots.
pub fn is_index_entry(name: &str) -> bool {
    matches!(
        name,
        "meta.json" | ".managed.json" | META_FILE | CONFIG_DIR | CURRENT_FILE | GENERATIONS_DIR
    ) || name.starts_with(".tantivy-")
        || name == format!("{CURRENT_FILE}.tmp")
        || name == format!("{META_FILE}.tmp")
        || name.starts_with(EDITIONS_FILE)
        || name.starts_with(HS_NAMES_FILE)
        || name.starts_with(crate::heads::PREFIX)
        || name.starts_with(COLUMNS_FILE)
        || is_segment_file(name)
}

/// Whether `name` is a tantivy segment file: a 32-hex-digit segment id, then an extension
/// (`.idx`, `.store`, `.fast`, `.123.del`, ...).
pub fn segment_of(name: &str) -> Option<&str> {
    let (stem, _) = name.split_once('.')?;
    (stem.len() == 32 && stem.bytes().all(|b| b.is_ascii_hexdigit())).then_some(stem)
}

fn is_segment_file(name: &str) -> bool {
    segment_of(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_entries_and_state() {
        for (name, index) in [
            ("meta.json", true),
            (".managed.json", true),
            (".tantivy-writer.lock", true),
            ("biaozhun-index.json", true),
            ("config", true),
            ("CURRENT", true),
            ("generations", true),
            ("0123456789abcdef0123456789abcdef.idx", true),
            ("0123456789abcdef0123456789abcdef.12.del", true),
            ("biaozhun-editions.bin", true),
            ("biaozhun-hs-names.bin", true),
            ("biaozhun-hs-names.bin.4242.tmp", true),
            ("biaozhun-heads-0123456789abcdef0123456789abcdef.bin", true),
            ("biaozhun-columns.bin", true),
            ("biaozhun-columns.bin.7.tmp", true),
            ("jobs", false),
            ("watchlists.json", false),
            ("eping-sync.json", false),
            ("0123.idx", false),
        ] {
            assert_eq!(is_index_entry(name), index, "{name}");
        }
    }

    #[test]
    fn generations_resolve_and_switch() {
        let dir = tempfile::tempdir().expect("tmp");
        let r = resolve(dir.path()).expect("resolve");
        assert_eq!((r.generation, r.data.as_path()), (0, dir.path()));
        let (next, n) = prepare_next(dir.path()).expect("next");
        assert_eq!(n, 1);
        assert!(next.ends_with("generations/gen-000001"));
        switch(dir.path(), n).expect("switch");
        let r = resolve(dir.path()).expect("resolve");
        assert_eq!((r.generation, r.data), (1, next));
        // A half-built generation above the current one is cleared by the next attempt.
        let (half, n) = prepare_next(dir.path()).expect("next");
        std::fs::write(half.join("x"), "x").expect("write");
        let (again, m) = prepare_next(dir.path()).expect("next");
        assert_eq!((n, m), (2, 3));
        assert!(!half.exists() && again.exists());
        std::fs::write(dir.path().join(CURRENT_FILE), "nonsense").expect("write");
        assert!(resolve(dir.path()).is_err());
    }
}
