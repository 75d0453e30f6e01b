//! Compiles the compact CC-CEDICT that the cross-lingual bridge reads (`src/cedict.rs`).
//!
//! The `chinese_dictionary` crate embeds CC-CEDICT as bincode maps and, at its first lookup,
//! deserialises all of it (pinyin, measure words, HSK levels...) into hash maps that it never
//! frees: ~440 ms and ~180 MB at every start of a server. The bridge reads only each simplified
//! headword's English senses and the English index. This script reads the crate's own data files
//! once, at build time, with the crate's public types, and writes just that into
//! `$OUT_DIR/cedict.bin` (format in `src/cedict.rs`), which the library includes: nothing to
//! parse or allocate at start, pages mapped from the binary on demand. No third-party data is
//! copied into the repository; the data is the crate's, pinned by its version.
//!
//! The crate's directory comes from `BIAOZHUN_CEDICT_DATA_DIR` (its `data/` directory) when set,
//! else from `cargo metadata` (the `CARGO` that runs this script, offline, with the lock file),
//! else from Cargo's registry sources: on a fresh machine whose first build is `cargo build
//! --release`, `cargo metadata --offline` fails on the dev-dependencies never downloaded
//! (session 12: `failed to download anes v0.1.6`), while this crate, a build-dependency of the
//! script, is always there.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::error::Error;
use std::path::{Path, PathBuf};

use chinese_dictionary::WordEntry;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// The crate (and version) whose data is read; `Cargo.toml` pins the same.
const CRATE: &str = "chinese_dictionary";
const VERSION: &str = "3.0.0";
/// First bytes and version of the compact form; `src/cedict.rs` checks both.
const MAGIC: &[u8; 8] = b"BZCEDICT";
const FORMAT: u32 = 1;

fn main() -> Result<()> {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=BIAOZHUN_CEDICT_DATA_DIR");
    let data = data_dir()?;
    let read = |name: &str| -> Result<Vec<u8>> {
        let path = data.join(name);
        println!("cargo:rerun-if-changed={}", path.display());
        std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()).into())
    };
    let entries: HashMap<u32, WordEntry> = bincode::deserialize(&read("data.dictionary")?)
        .map_err(|e| format!("{CRATE} data.dictionary: {e}"))?;
    let simplified: HashMap<String, Vec<u32>> =
        bincode::deserialize(&read("simplified.dictionary")?)
            .map_err(|e| format!("{CRATE} simplified.dictionary: {e}"))?;
    let english: HashMap<String, Vec<u32>> = bincode::deserialize(&read("english.dictionary")?)
        .map_err(|e| format!("{CRATE} english.dictionary: {e}"))?;
    let out = PathBuf::from(std::env::var("OUT_DIR")?).join("cedict.bin");
    std::fs::write(&out, compact(&entries, &simplified, &english)?)?;
    Ok(())
}

/// The `data/` directory of the pinned `chinese_dictionary` crate.
fn data_dir() -> Result<PathBuf> {
    if let Some(dir) = std::env::var_os("BIAOZHUN_CEDICT_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    match metadata_dir() {
        Ok(dir) => Ok(dir),
        // `cargo metadata --offline` resolves every package of the lock file, dev-dependencies
        // and other platforms' included: on a fresh machine whose first build is `cargo build
        // --release` those were never downloaded, and it fails. The crate itself is a
        // build-dependency of this script, so its source is in the registry: look there.
        Err(e) => registry_dir().ok_or(e),
    }
}

/// The crate's `data/` directory in Cargo's registry sources (`$CARGO_HOME/registry/src/*/`).
fn registry_dir() -> Option<PathBuf> {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))?;
    let src = home.join("registry").join("src");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&src)
        .ok()?
        .flatten()
        .map(|e| e.path().join(format!("{CRATE}-{VERSION}")).join("data"))
        .filter(|d| d.join("data.dictionary").is_file())
        .collect();
    found.sort();
    found.pop()
}

/// The crate's `data/` directory as `cargo metadata` (offline, locked) places it.
fn metadata_dir() -> Result<PathBuf> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string());
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR")?;
    let out = std::process::Command::new(&cargo)
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .current_dir(&manifest_dir)
        .output()
        .map_err(|e| format!("running `{cargo} metadata`: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "`{cargo} metadata` failed (set BIAOZHUN_CEDICT_DATA_DIR to {CRATE}'s data/ directory): {}",
            String::from_utf8_lossy(&out.stderr)
        )
        .into());
    }
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let manifest = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == CRATE && p["version"] == VERSION)
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or_else(|| format!("{CRATE} {VERSION} not in `cargo metadata`"))?;
    Ok(Path::new(manifest)
        .parent()
        .ok_or("manifest path without a directory")?
        .join("data"))
}

/// The compact form: every simplified word (sorted) with the English senses of its entries, and
/// every English index key (sorted) with the words of its entries. Layout (little-endian u32s):
///
/// ```text
/// MAGIC, FORMAT, n_words, n_keys,
/// words:  (n_words + 1) offsets into WORDS, then WORDS (len, bytes)
/// senses: (n_words + 1) offsets into SENSES, then SENSES (len, bytes)
/// keys:   (n_keys + 1) offsets into KEYS, then KEYS (len, bytes)
/// lists:  (n_keys + 1) offsets into LISTS, then LISTS (len, u32 word numbers)
/// ```
///
/// A word's senses are its entries' English definitions in the crate's order (entries whose
/// simplified form is the word, as the crate lists them), joined by `;` (the bridge splits each
/// definition at `;` anyway). A key's list holds each word once, first occurrence first.
fn compact(
    entries: &HashMap<u32, WordEntry>,
    simplified: &HashMap<String, Vec<u32>>,
    english: &HashMap<String, Vec<u32>>,
) -> Result<Vec<u8>> {
    let entry = |id: &u32| -> Result<&WordEntry> {
        entries
            .get(id)
            .ok_or_else(|| format!("{CRATE}: entry {id} missing").into())
    };
    // Words: the simplified headwords, and the simplified form of every entry an English key
    // points to (so every list item is a word).
    let mut words: BTreeSet<&str> = simplified.keys().map(String::as_str).collect();
    for ids in english.values() {
        for id in ids {
            words.insert(entry(id)?.simplified.as_str());
        }
    }
    let words: Vec<&str> = words.into_iter().collect();
    let number: HashMap<&str, u32> = words
        .iter()
        .enumerate()
        .map(|(i, w)| (*w, i as u32))
        .collect();
    let mut senses: Vec<String> = Vec::with_capacity(words.len());
    for w in &words {
        let mut parts: Vec<&str> = Vec::new();
        for id in simplified.get(*w).into_iter().flatten() {
            let e = entry(id)?;
            if e.simplified == *w {
                parts.extend(e.english.iter().map(String::as_str));
            }
        }
        senses.push(parts.join(";"));
    }
    let english: BTreeMap<&str, &Vec<u32>> = english.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let mut lists: Vec<Vec<u32>> = Vec::with_capacity(english.len());
    for ids in english.values() {
        let mut list: Vec<u32> = Vec::new();
        for id in ids.iter() {
            let n = number[entry(id)?.simplified.as_str()];
            if !list.contains(&n) {
                list.push(n);
            }
        }
        lists.push(list);
    }

    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    push(&mut out, FORMAT);
    push(&mut out, u32::try_from(words.len())?);
    push(&mut out, u32::try_from(english.len())?);
    strings(&mut out, words.iter().copied())?;
    strings(&mut out, senses.iter().map(String::as_str))?;
    strings(&mut out, english.keys().copied())?;
    let mut offset = 0u32;
    push(&mut out, 0);
    for l in &lists {
        offset += u32::try_from(l.len())?;
        push(&mut out, offset);
    }
    push(&mut out, offset);
    for n in lists.iter().flatten() {
        push(&mut out, *n);
    }
    Ok(out)
}

fn push(out: &mut Vec<u8>, v: u32) {
    out.extend_from_slice(&v.to_le_bytes());
}

/// Offsets (count + 1), the buffer's length, the buffer.
fn strings<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a str> + Clone) -> Result<()> {
    let mut offset = 0u32;
    push(out, 0);
    for s in items.clone() {
        offset += u32::try_from(s.len())?;
        push(out, offset);
    }
    push(out, offset);
    for s in items {
        out.extend_from_slice(s.as_bytes());
    }
    Ok(())
}
