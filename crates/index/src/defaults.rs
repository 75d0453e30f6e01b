//! The default index configuration, built into the binary.
//!
//! `index-config/` in the repository is the source; its files are compiled in here so the
//! binary works from any directory (`biaozhun serve --index /tmp/x` outside a checkout used to
//! fail looking for `index-config/schema.toml`). A folder given by flag, config file or
//! environment variable still overrides the defaults; `biaozhun config dump` writes them out
//! for editing. The index code reads configuration from a directory, so the defaults are
//! written once to a folder named by their hash in the user's cache directory
//! (`$XDG_CACHE_HOME/biaozhun` or `~/.cache/biaozhun`; the system temp directory when neither is
//! writable).

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::IndexError;

/// Every file of the default configuration: (name, contents).
pub const FILES: &[(&str, &str)] = &[
    (
        "schema.toml",
        include_str!("../../../index-config/schema.toml"),
    ),
    (
        "jieba-user-dict.txt",
        include_str!("../../../index-config/jieba-user-dict.txt"),
    ),
    (
        "stopwords.txt",
        include_str!("../../../index-config/stopwords.txt"),
    ),
    (
        "synonyms.toml",
        include_str!("../../../index-config/synonyms.toml"),
    ),
    (
        "glossary.toml",
        include_str!("../../../index-config/glossary.toml"),
    ),
    (
        "hs-chapters.toml",
        include_str!("../../../index-config/hs-chapters.toml"),
    ),
    (
        "catalog-aliases.toml",
        include_str!("../../../index-config/catalog-aliases.toml"),
    ),
];

/// A directory holding the built-in configuration, written on first use (to
/// `CACHE/biaozhun/index-config-HASH`, shared by every process of the same build).
pub fn builtin_dir() -> Result<PathBuf, IndexError> {
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".cache"))
        })
        .map(|c| c.join("biaozhun"))
        .filter(|c| std::fs::create_dir_all(c).is_ok());
    match cache {
        Some(parent) => builtin_dir_in(&parent).or_else(|_| builtin_dir_in(&std::env::temp_dir())),
        None => builtin_dir_in(&std::env::temp_dir()),
    }
}

fn builtin_dir_in(parent: &Path) -> Result<PathBuf, IndexError> {
    let mut h = Sha256::new();
    for (name, body) in FILES {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(body.as_bytes());
    }
    let hash: String = h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let dir = parent.join(format!("biaozhun-index-config-{hash}"));
    if FILES
        .iter()
        .all(|(name, body)| std::fs::read(dir.join(name)).is_ok_and(|b| b == body.as_bytes()))
    {
        return Ok(dir);
    }
    // Written into a private folder and renamed, so a concurrent process never reads half.
    let staging = tempfile::Builder::new()
        .prefix(".biaozhun-index-config-")
        .tempdir_in(parent)
        .map_err(|source| IndexError::Io {
            path: parent.display().to_string(),
            source,
        })?;
    write(staging.path(), false)?;
    let staged = staging.keep();
    if std::fs::rename(&staged, &dir).is_err() {
        // Another process won the race (or an old copy is in the way): use a fresh one.
        let _ = std::fs::remove_dir_all(&dir);
        if std::fs::rename(&staged, &dir).is_err() {
            return Ok(staged);
        }
    }
    Ok(dir)
}

/// Writes the default configuration files into `dir` (created when missing). Refuses to
/// overwrite an existing file unless `force`.
pub fn write(dir: &Path, force: bool) -> Result<Vec<PathBuf>, IndexError> {
    std::fs::create_dir_all(dir).map_err(|source| IndexError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let mut written = Vec::new();
    for (name, body) in FILES {
        let path = dir.join(name);
        if !force && path.exists() {
            return Err(IndexError::Config {
                path: path.display().to_string(),
                message: "exists already (pass --force to overwrite)".into(),
            });
        }
        std::fs::write(&path, body).map_err(|source| IndexError::Io {
            path: path.display().to_string(),
            source,
        })?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in copy is the repository's `index-config/`, file for file.
    #[test]
    fn builtin_matches_the_repository() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
        let mut names: Vec<String> = std::fs::read_dir(&repo)
            .expect("index-config")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        names.sort();
        let mut ours: Vec<String> = FILES.iter().map(|(n, _)| n.to_string()).collect();
        ours.sort();
        assert_eq!(names, ours, "a file of index-config/ is not built in");
        let dir = builtin_dir().expect("builtin");
        assert_eq!(
            crate::config::config_hash(&dir).expect("hash"),
            crate::config::config_hash(&repo).expect("hash")
        );
    }
}
