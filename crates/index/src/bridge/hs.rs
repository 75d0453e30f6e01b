//! The HS names the bridge reads (`hs-ccc-10digit-zh-hant.txt` and `-en.txt`), tokenized, and
//! their cached form beside the index ([`HS_NAMES_FILE`]).
//!
//! Tokenizing the ~12k names (jieba for the Chinese, the English analyzer's stems) and reading
//! the Traditional names through OpenCC took ~0.2 s and a third of the CPU of every server start.
//! What lookups read is small and fixed for given files and rules: the sorted Chinese words with
//! the names containing each, the sorted English stems, and each name's stems. That is written
//! once and read back at the next opens in a few milliseconds.
//!
//! The file is a cache, never the truth: it is used only when its key matches exactly, and is
//! otherwise rebuilt from the names files (with a warning when it was stale or damaged, never an
//! error). The key is a hash of
//! - both names files' bytes (an update of `shared/data` makes the file stale);
//! - the index's configuration hash (the jieba user dictionary and the stop words the Chinese
//!   analyzer is built from);
//! - [`rules`]: the sources of the analyzers, of this module, and `Cargo.lock` (the versions of
//!   jieba's dictionary, OpenCC's tables and the stemmer).
//!
//! A writable handle writes the file after building (a temporary file, then a rename); read-only
//! handles and replicas only read it, as with the stored edition table. `biaozhun optimize`
//! writes it.
//!
//! Layout (little-endian): magic (8 bytes, the format version in the last), key (u64); the
//! words (count, text length, text, `count + 1` ends); the names of each word (item count,
//! `words + 1` ends, items); the stems (as the words); the stems of each name (name count, item
//! count, `names + 1` ends, items); the CRC-32 of everything before (u32; `bytes::seal`).

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use biaozhun_analysis::ChineseAnalyzer;
use tantivy::tokenizer::TextAnalyzer;

use crate::bytes::{le_u32, seal, unseal, unseal_any_key, Reader, Unsealed};
use crate::config::fnv64;

pub use crate::alias::HS_NAMES_FILE;

use super::{HS_EN_FILE, HS_ZH_FILE};

/// Magic and format version (the last byte). Version 3: what the names were built by (rules
/// and analyzer, without the names files) follows the key, so a server that does not find
/// the names files can still use the names stored beside its index.
const MAGIC: &[u8; 8] = b"BZHSNAM\x03";

/// Where the HS names of a bridge came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HsOrigin {
    /// Read from the cached form.
    Stored,
    /// Built from the names files: no cached form (or none asked for).
    Missing,
    /// Built: the cached form was written for other names files, analyzers or rules.
    Stale,
    /// Built: the cached form could not be read or is damaged (logged as a warning).
    Unreadable(String),
    /// Read from the cached form, built from names files this process did not find (they
    /// are not in its HS directory: a server started outside the checkout, a container): the
    /// names the index was last built or optimized with, by the same rules and analyzer.
    StoredWithoutFiles,
    /// No HS names: the names files could not be read, nor a cached form built by the same
    /// rules and analyzer (logged as a warning).
    Absent,
}

/// Sorted, distinct strings in one buffer, found by binary search.
#[derive(Debug, Default, PartialEq, Eq)]
struct Strings {
    text: String,
    /// `len + 1` offsets into `text`, the first 0.
    ends: Vec<u32>,
}

impl Strings {
    fn from_sorted<'a>(items: impl IntoIterator<Item = &'a str>) -> Strings {
        let mut out = Strings {
            text: String::new(),
            ends: vec![0],
        };
        for s in items {
            out.text.push_str(s);
            out.ends.push(out.text.len() as u32);
        }
        out
    }

    fn len(&self) -> usize {
        self.ends.len().saturating_sub(1)
    }

    fn get(&self, i: usize) -> &str {
        let (Some(&a), Some(&b)) = (self.ends.get(i), self.ends.get(i + 1)) else {
            return "";
        };
        self.text.get(a as usize..b as usize).unwrap_or("")
    }

    fn find(&self, s: &str) -> Option<usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.get(mid).cmp(s) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    fn put(&self, out: &mut Vec<u8>) {
        put_u32(out, self.len());
        put_u32(out, self.text.len());
        out.extend_from_slice(self.text.as_bytes());
        for e in &self.ends {
            out.extend_from_slice(&e.to_le_bytes());
        }
    }

    /// Read back; `None` unless offsets, UTF-8 and strict order all hold.
    fn read(r: &mut Reader<'_>) -> Option<Strings> {
        let n = r.u32()? as usize;
        let text_len = r.u32()? as usize;
        let text = std::str::from_utf8(r.take(text_len)?).ok()?.to_string();
        let ends: Vec<u32> = r
            .take(n.checked_add(1)?.checked_mul(4)?)?
            .chunks_exact(4)
            .map(le_u32)
            .collect();
        let ok = ends.first() == Some(&0)
            && ends.last() == Some(&(text_len as u32))
            && ends.windows(2).all(|w| w[0] <= w[1])
            && ends.iter().all(|&e| text.is_char_boundary(e as usize));
        let out = Strings { text, ends };
        (ok && (1..out.len()).all(|i| out.get(i - 1) < out.get(i))).then_some(out)
    }
}

/// One list of numbers per item, in one buffer.
#[derive(Debug, Default, PartialEq, Eq)]
struct Lists {
    /// `len + 1` offsets into `items`, the first 0.
    ends: Vec<u32>,
    items: Vec<u32>,
}

impl Lists {
    fn new() -> Lists {
        Lists {
            ends: vec![0],
            items: Vec::new(),
        }
    }

    fn push(&mut self, list: impl IntoIterator<Item = u32>) {
        self.items.extend(list);
        self.ends.push(self.items.len() as u32);
    }

    fn len(&self) -> usize {
        self.ends.len().saturating_sub(1)
    }

    fn get(&self, i: usize) -> &[u32] {
        let (Some(&a), Some(&b)) = (self.ends.get(i), self.ends.get(i + 1)) else {
            return &[];
        };
        self.items.get(a as usize..b as usize).unwrap_or(&[])
    }

    fn put(&self, out: &mut Vec<u8>) {
        put_u32(out, self.items.len());
        for e in &self.ends {
            out.extend_from_slice(&e.to_le_bytes());
        }
        for i in &self.items {
            out.extend_from_slice(&i.to_le_bytes());
        }
    }

    /// Read back as `lists` lists whose items are all below `bound`; `None` otherwise.
    fn read(r: &mut Reader<'_>, lists: usize, bound: usize) -> Option<Lists> {
        let n_items = r.u32()? as usize;
        let ends: Vec<u32> = r
            .take(lists.checked_add(1)?.checked_mul(4)?)?
            .chunks_exact(4)
            .map(le_u32)
            .collect();
        let items: Vec<u32> = r
            .take(n_items.checked_mul(4)?)?
            .chunks_exact(4)
            .map(le_u32)
            .collect();
        let ok = ends.first() == Some(&0)
            && ends.last() == Some(&(n_items as u32))
            && ends.windows(2).all(|w| w[0] <= w[1])
            && items.iter().all(|&i| (i as usize) < bound);
        ok.then_some(Lists { ends, items })
    }
}

/// The HS names, tokenized: which names contain a Chinese word, and each name's English stems.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct HsNames {
    /// Chinese tokens of two characters or more, sorted.
    words: Strings,
    /// Per word, the names containing it (ascending).
    word_names: Lists,
    /// English stems, sorted.
    stems: Strings,
    /// Per stem, the names it occurs in (derived from `name_stems`).
    df: Vec<u32>,
    /// Per name, its stems (distinct, ascending).
    name_stems: Lists,
}

impl HsNames {
    /// Tokenizes the names: `raw` is (Simplified Chinese, English) per code.
    pub(super) fn build(
        raw: &[(String, String)],
        zh: &ChineseAnalyzer,
        en: &TextAnalyzer,
    ) -> HsNames {
        let mut by_word: HashMap<String, Vec<u32>> = HashMap::new();
        let mut names: Vec<Vec<String>> = Vec::with_capacity(raw.len());
        for (i, (zh_name, en_name)) in raw.iter().enumerate() {
            let i = i as u32;
            let mut seen = HashSet::new();
            for t in zh.tokens(zh_name) {
                if t.text.chars().count() >= 2 && seen.insert(t.text.clone()) {
                    by_word.entry(t.text).or_default().push(i);
                }
            }
            let mut stems = english_stems(en, en_name);
            stems.sort();
            stems.dedup();
            names.push(stems);
        }
        let vocab: BTreeSet<&str> = names.iter().flatten().map(String::as_str).collect();
        let stems = Strings::from_sorted(vocab.iter().copied());
        let stem_id: HashMap<&str, u32> = vocab
            .iter()
            .enumerate()
            .map(|(i, s)| (*s, i as u32))
            .collect();
        let mut name_stems = Lists::new();
        for n in &names {
            name_stems.push(n.iter().filter_map(|s| stem_id.get(s.as_str()).copied()));
        }
        let mut word_list: Vec<(String, Vec<u32>)> = by_word.into_iter().collect();
        word_list.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let words = Strings::from_sorted(word_list.iter().map(|(w, _)| w.as_str()));
        let mut word_names = Lists::new();
        for (_, ids) in word_list {
            word_names.push(ids);
        }
        HsNames::assemble(words, word_names, stems, name_stems)
    }

    fn assemble(words: Strings, word_names: Lists, stems: Strings, name_stems: Lists) -> HsNames {
        let mut df = vec![0u32; stems.len()];
        for &s in &name_stems.items {
            if let Some(d) = df.get_mut(s as usize) {
                *d += 1;
            }
        }
        HsNames {
            words,
            word_names,
            stems,
            df,
            name_stems,
        }
    }

    /// How many names (codes with both a Chinese and an English name).
    pub(super) fn names(&self) -> usize {
        self.name_stems.len()
    }

    /// English stems that most names containing `word` share and few names overall have.
    pub(super) fn stems(&self, word: &str) -> Vec<String> {
        let Some(w) = self.words.find(word) else {
            return Vec::new();
        };
        let ids = self.word_names.get(w);
        if ids.len() > 400 {
            // A word in that many names is a category word (其他, 制品), not a product.
            return Vec::new();
        }
        let mut counts: HashMap<u32, u32> = HashMap::new();
        for &i in ids {
            for &s in self.name_stems.get(i as usize) {
                *counts.entry(s).or_default() += 1;
            }
        }
        let n = ids.len() as f64;
        let total = self.names().max(1) as f64;
        let mut out: Vec<(f64, &str)> = counts
            .into_iter()
            .map(|(s, c)| (self.stems.get(s as usize), c, s))
            .filter(|(s, _, _)| !HS_STOP.contains(s))
            .map(|(s, c, id)| {
                let share = f64::from(c) / n;
                let df = f64::from(self.df.get(id as usize).copied().unwrap_or(1)) / total;
                (share, s, df)
            })
            .filter(|(share, _, df)| *share >= 0.6 && *df <= 0.02)
            .map(|(share, s, _)| (share, s))
            .collect();
        out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        out.into_iter()
            .take(2)
            .map(|(_, s)| s.to_string())
            .collect()
    }

    /// The cached form's bytes under `key`, built by `by` ([`built_by`]).
    pub(super) fn encode(&self, key: u64, by: u64) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            64 + self.words.text.len()
                + self.stems.text.len()
                + 4 * (self.words.ends.len()
                    + self.stems.ends.len()
                    + self.word_names.items.len()
                    + self.word_names.ends.len()
                    + self.name_stems.items.len()
                    + self.name_stems.ends.len()),
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&key.to_le_bytes());
        out.extend_from_slice(&by.to_le_bytes());
        self.words.put(&mut out);
        self.word_names.put(&mut out);
        self.stems.put(&mut out);
        put_u32(&mut out, self.name_stems.len());
        self.name_stems.put(&mut out);
        seal(out)
    }

    /// The names stored in `bytes` under exactly `key`; else why not.
    pub(super) fn decode(bytes: &[u8], key: u64) -> Result<HsNames, HsOrigin> {
        let mut r = unseal(bytes, MAGIC, "an HS names", key).map_err(origin_of)?;
        r.u64()
            .ok_or_else(|| HsOrigin::Unreadable("truncated".to_string()))?;
        Self::read_body(r)
    }

    /// The names stored in `bytes` when they were built by `by` ([`built_by`]), from whatever
    /// names files; else why not.
    pub(super) fn decode_built_by(bytes: &[u8], by: u64) -> Result<HsNames, HsOrigin> {
        let (_, mut r) = unseal_any_key(bytes, MAGIC, "an HS names").map_err(origin_of)?;
        let written = r
            .u64()
            .ok_or_else(|| HsOrigin::Unreadable("truncated".to_string()))?;
        if written != by {
            return Err(HsOrigin::Stale);
        }
        Self::read_body(r)
    }

    fn read_body(mut r: Reader<'_>) -> Result<HsNames, HsOrigin> {
        let bad = |why: &str| HsOrigin::Unreadable(why.to_string());
        let words = Strings::read(&mut r).ok_or_else(|| bad("invalid words"))?;
        // Name numbers are checked against the name count, read after them.
        let word_names =
            Lists::read(&mut r, words.len(), usize::MAX).ok_or_else(|| bad("invalid words"))?;
        let stems = Strings::read(&mut r).ok_or_else(|| bad("invalid stems"))?;
        let n_names = r.u32().ok_or_else(|| bad("truncated"))? as usize;
        let name_stems =
            Lists::read(&mut r, n_names, stems.len()).ok_or_else(|| bad("invalid stems"))?;
        if !r.is_empty() {
            return Err(bad("trailing bytes"));
        }
        if !word_names.items.iter().all(|&i| (i as usize) < n_names) {
            return Err(bad("name number out of range"));
        }
        Ok(HsNames::assemble(words, word_names, stems, name_stems))
    }
}

/// Stems of the HS names that say how a product is presented, not what it is.
const HS_STOP: &[&str] = &[
    "other", "fresh", "chill", "frozen", "dri", "whether", "not", "prepar", "preserv", "contain",
    "includ", "exclud", "than", "weight", "more", "less", "use", "nes", "part", "articl",
    "product", "form", "put", "retail", "sale", "pack", "kind", "type", "whole", "piec",
];

/// Lower-case English words of a name, for stemming.
fn english_stems(en: &TextAnalyzer, text: &str) -> Vec<String> {
    let mut an = en.clone();
    let mut stream = an.token_stream(text);
    let mut out = Vec::new();
    while let Some(t) = stream.next() {
        if t.text.len() >= 3 && t.text.bytes().all(|b| b.is_ascii_alphabetic()) {
            out.push(t.text.clone());
        }
    }
    out
}

/// The fingerprint of the rules a cached form was built by: the analyzers' sources, this
/// module, and the dependency versions (jieba's dictionary, OpenCC's tables, the stemmer).
/// Any edit to them makes older files stale (one rebuild, ~0.2 s).
pub(crate) fn rules() -> u64 {
    static RULES: OnceLock<u64> = OnceLock::new();
    *RULES.get_or_init(|| {
        fnv64(&[
            MAGIC,
            include_bytes!("../../../analysis/src/lib.rs"),
            include_bytes!("../../../analysis/src/fold.rs"),
            include_bytes!("../../../analysis/src/stop.rs"),
            include_bytes!("../../../index/src/schema.rs"),
            include_bytes!("hs.rs"),
            include_bytes!("../../../../Cargo.lock"),
        ])
    })
}

/// Why a sealed names file was not read, as an origin.
fn origin_of(e: Unsealed) -> HsOrigin {
    match e {
        Unsealed::Unreadable(why) => HsOrigin::Unreadable(why),
        Unsealed::Stale => HsOrigin::Stale,
    }
}

/// What a cached form was built by, without the names files: the rules and the analyzer
/// configuration. It tells whether the form can stand in for names files that are not there.
pub(super) fn built_by(analyzer: &str) -> u64 {
    fnv64(&[MAGIC, &rules().to_le_bytes(), analyzer.as_bytes()])
}

/// The key of a cached form: the names files' bytes, the analyzer configuration, the rules.
pub(super) fn key(zh_file: &[u8], en_file: &[u8], analyzer: &str) -> u64 {
    fnv64(&[
        MAGIC,
        &rules().to_le_bytes(),
        analyzer.as_bytes(),
        zh_file,
        en_file,
    ])
}

/// The lines `<10-digit code> <name>` of a names file, by code.
fn read_names(text: &str) -> HashMap<&str, &str> {
    let mut out = HashMap::new();
    for line in text.lines().skip(1) {
        let line = line.trim_end_matches('\r');
        let Some((code, name)) = line.split_once(' ') else {
            continue;
        };
        if code.len() == 10 && code.bytes().all(|b| b.is_ascii_digit()) {
            out.insert(code, name.trim());
        }
    }
    out
}

/// The names of both files' codes: (Simplified Chinese, English), by code.
pub(super) fn parse(zh_file: &[u8], en_file: &[u8]) -> Result<Vec<(String, String)>, String> {
    let zh_text = std::str::from_utf8(zh_file).map_err(|e| format!("{HS_ZH_FILE}: {e}"))?;
    let en_text = std::str::from_utf8(en_file).map_err(|e| format!("{HS_EN_FILE}: {e}"))?;
    let zh = read_names(zh_text);
    let en = read_names(en_text);
    let cc = ferrous_opencc::OpenCC::from_config(ferrous_opencc::config::BuiltinConfig::T2s)
        .map_err(|e| format!("opencc: {e}"))?;
    let mut codes: Vec<&str> = zh.keys().copied().filter(|c| en.contains_key(c)).collect();
    codes.sort_unstable();
    Ok(codes
        .into_iter()
        .filter_map(|c| Some((cc.convert(zh.get(c)?), en.get(c)?.to_string())))
        .collect())
}

/// Both names files' bytes.
pub(super) fn read_files(dir: &Path) -> Result<(Vec<u8>, Vec<u8>), String> {
    let read = |name: &str| std::fs::read(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    Ok((read(HS_ZH_FILE)?, read(HS_EN_FILE)?))
}

/// Where a bridge's HS names are cached: the file, the analyzer configuration's hash that is
/// part of its key, and whether this handle may write it.
#[derive(Debug, Clone, Copy)]
pub struct HsCache<'a> {
    /// The cached form's path ([`HS_NAMES_FILE`] in the index's data directory).
    pub path: &'a Path,
    /// The hash of the configuration the Chinese analyzer was built from.
    pub analyzer: &'a str,
    /// Whether to write the file after building (writable handles only).
    pub write: bool,
}

/// The HS names of the names files in `dir` read back from `cache` when it holds them for
/// these files and analyzers; `None` otherwise (no files, no cached form, stale, damaged:
/// [`load`] then tokenizes them and says why). Needs no analyzer, so a read-only open runs it
/// while jieba's dictionary loads.
pub(super) fn read_stored(dir: &Path, cache: &HsCache<'_>) -> Option<(HsNames, HsOrigin)> {
    match read_files(dir) {
        Ok((zh_file, en_file)) => {
            let key = key(&zh_file, &en_file, cache.analyzer);
            let bytes = crate::bytes::read_mapped(cache.path).ok()?;
            Some((HsNames::decode(&bytes, key).ok()?, HsOrigin::Stored))
        }
        Err(_) => Some((stored_without_files(cache)?, HsOrigin::StoredWithoutFiles)),
    }
}

/// The names stored in `cache` when the same rules and analyzer built them, from whatever
/// names files: what a process that does not find the files can still use.
fn stored_without_files(cache: &HsCache<'_>) -> Option<HsNames> {
    let bytes = crate::bytes::read_mapped(cache.path).ok()?;
    HsNames::decode_built_by(&bytes, built_by(cache.analyzer)).ok()
}

/// The HS names from `dir`: read back from `cache` when its key matches, else tokenized (and
/// written when the cache is writable). `None` when the names files cannot be read.
pub(super) fn load(
    dir: &Path,
    cache: Option<HsCache<'_>>,
    zh: &ChineseAnalyzer,
    en: &TextAnalyzer,
) -> (Option<HsNames>, HsOrigin) {
    let warn_absent = |e: &str| {
        tracing::warn!(dir = %dir.display(), error = %e, "hs names not read; the cross-lingual bridge uses CC-CEDICT only");
    };
    let (zh_file, en_file) = match read_files(dir) {
        Ok(f) => f,
        Err(e) => {
            // The names the index was built with, when they are stored beside it.
            let stored = cache.as_ref().and_then(stored_without_files);
            if let Some(names) = stored {
                tracing::info!(dir = %dir.display(), error = %e, "hs names files not found; using the hs names stored beside the index");
                return (Some(names), HsOrigin::StoredWithoutFiles);
            }
            warn_absent(&e);
            return (None, HsOrigin::Absent);
        }
    };
    let Some(cache) = cache else {
        return match parse(&zh_file, &en_file) {
            Ok(raw) => (Some(HsNames::build(&raw, zh, en)), HsOrigin::Missing),
            Err(e) => {
                warn_absent(&e);
                (None, HsOrigin::Absent)
            }
        };
    };
    let key = key(&zh_file, &en_file, cache.analyzer);
    let path = cache.path;
    let origin = match crate::bytes::read_mapped(path) {
        Ok(bytes) => match HsNames::decode(&bytes, key) {
            Ok(names) => return (Some(names), HsOrigin::Stored),
            Err(origin) => origin,
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => HsOrigin::Missing,
        Err(e) => HsOrigin::Unreadable(e.to_string()),
    };
    let raw = match parse(&zh_file, &en_file) {
        Ok(raw) => raw,
        Err(e) => {
            warn_absent(&e);
            return (None, HsOrigin::Absent);
        }
    };
    let names = HsNames::build(&raw, zh, en);
    match &origin {
        HsOrigin::Unreadable(why) => tracing::warn!(
            file = %path.display(),
            error = %why,
            "hs names file unreadable; the names were tokenized again"
        ),
        HsOrigin::Stale => tracing::warn!(
            file = %path.display(),
            "hs names file written for other names files, analyzers or rules; the names were tokenized again"
        ),
        _ => tracing::info!(file = %path.display(), "hs names tokenized (no cached form yet)"),
    }
    if cache.write {
        store(&names, key, built_by(cache.analyzer), path);
    }
    (Some(names), origin)
}

/// Writes the cached form (a temporary file, then a rename, so a reader sees the old file or the
/// new one). A failure costs the next open a rebuild, nothing else: it is logged.
fn store(names: &HsNames, key: u64, by: u64, path: &Path) {
    let tmp = path.with_file_name(format!("{HS_NAMES_FILE}.{}.tmp", std::process::id()));
    let res =
        std::fs::write(&tmp, names.encode(key, by)).and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        tracing::warn!(file = %path.display(), error = %e, "hs names not stored; the next open tokenizes them again");
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn analyzers() -> (ChineseAnalyzer, TextAnalyzer) {
        let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
        (
            ChineseAnalyzer::from_dir(&dir).expect("analyzer"),
            crate::schema::english_analyzer(),
        )
    }

    fn sample() -> Vec<(String, String)> {
        [
            ("马铃薯，鲜或冷藏的", "Potatoes, fresh or chilled"),
            ("种用马铃薯", "Seed potatoes"),
            ("其他马铃薯", "Other potatoes"),
            ("番茄，鲜或冷藏的", "Tomatoes, fresh or chilled"),
            ("番茄酱", "Tomato ketchup and other tomato sauces"),
            ("大麦种子", "Barley seed"),
        ]
        .iter()
        .map(|(z, e)| (z.to_string(), e.to_string()))
        .collect()
    }

    /// The HS names' lookups before the compact form: hash maps of strings, built the same way.
    struct Reference {
        by_word: HashMap<String, Vec<u32>>,
        en: Vec<Vec<String>>,
        df: HashMap<String, u32>,
    }

    impl Reference {
        fn build(raw: &[(String, String)], zh: &ChineseAnalyzer, en: &TextAnalyzer) -> Reference {
            let mut by_word: HashMap<String, Vec<u32>> = HashMap::new();
            let mut names = Vec::new();
            let mut df: HashMap<String, u32> = HashMap::new();
            for (i, (zh_name, en_name)) in raw.iter().enumerate() {
                let mut seen = HashSet::new();
                for t in zh.tokens(zh_name) {
                    if t.text.chars().count() >= 2 && seen.insert(t.text.clone()) {
                        by_word.entry(t.text).or_default().push(i as u32);
                    }
                }
                let mut stems = english_stems(en, en_name);
                stems.sort();
                stems.dedup();
                for s in &stems {
                    *df.entry(s.clone()).or_default() += 1;
                }
                names.push(stems);
            }
            Reference {
                by_word,
                en: names,
                df,
            }
        }

        fn stems(&self, word: &str) -> Vec<String> {
            let Some(ids) = self.by_word.get(word) else {
                return Vec::new();
            };
            if ids.len() > 400 {
                return Vec::new();
            }
            let mut counts: HashMap<&str, u32> = HashMap::new();
            for &i in ids {
                for s in &self.en[i as usize] {
                    *counts.entry(s.as_str()).or_default() += 1;
                }
            }
            let n = ids.len() as f64;
            let total = self.en.len().max(1) as f64;
            let mut out: Vec<(f64, &str)> = counts
                .into_iter()
                .filter(|(s, _)| !HS_STOP.contains(s))
                .map(|(s, c)| (f64::from(c) / n, s, f64::from(self.df[s]) / total))
                .filter(|(share, _, df)| *share >= 0.6 && *df <= 0.02)
                .map(|(share, s, _)| (share, s))
                .collect();
            out.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
            out.into_iter()
                .take(2)
                .map(|(_, s)| s.to_string())
                .collect()
        }
    }

    /// Every word's stems from the compact form, built and read back, equal those of the hash
    /// maps the bridge used before; the read-back form equals the fresh one. On the real names
    /// files (all ~12k names) when present, else on a small sample.
    #[test]
    fn cached_form_equals_a_fresh_build() {
        let (zh, en) = analyzers();
        let dir = crate::bridge::hs_dir();
        let real = read_files(&dir).ok();
        if real.is_none() && std::env::var("CI").as_deref() == Ok("true") {
            panic!("the HS names files are required in CI: {}", dir.display());
        }
        let raw = match &real {
            Some((z, e)) => parse(z, e).expect("parse the names files"),
            None => sample(),
        };
        let fresh = HsNames::build(&raw, &zh, &en);
        let reference = Reference::build(&raw, &zh, &en);
        assert_eq!(fresh.names(), raw.len());
        let key = 0x1234_5678_9abc_def0;
        let back = HsNames::decode(&fresh.encode(key, 7), key).expect("read back");
        assert_eq!(back, fresh);
        let mut words: Vec<&String> = reference.by_word.keys().collect();
        words.sort();
        assert_eq!(words.len(), fresh.words.len());
        let mut found = 0;
        for w in words {
            let want = reference.stems(w);
            assert_eq!(back.stems(w), want, "stems of {w}");
            found += usize::from(!want.is_empty());
        }
        assert!(found > 0, "no word has stems");
        for w in ["", "不是词", "zzz"] {
            assert_eq!(back.stems(w), reference.stems(w), "{w:?}");
        }
        if real.is_some() {
            assert!(raw.len() > 10_000, "{}", raw.len());
            assert!(found > 100, "{found}");
        }
    }

    /// A damaged, cut, foreign or stale file is an error of its reader, never a panic nor a
    /// wrong answer; `load` rebuilds from the names files and writes the file again.
    #[test]
    fn damaged_or_stale_files_are_rebuilt() {
        let (zh, en) = analyzers();
        let names = HsNames::build(&sample(), &zh, &en);
        let key = 42;
        let good = names.encode(key, 7);
        assert_eq!(HsNames::decode(&good, key + 1), Err(HsOrigin::Stale));
        let unreadable = |b: &[u8]| matches!(HsNames::decode(b, key), Err(HsOrigin::Unreadable(_)));
        assert!(unreadable(&[]));
        assert!(unreadable(&good[..good.len() - 1]));
        assert!(unreadable(&good[..20]));
        assert!(unreadable(b"BZEDTAB\x01 some other file of ours"));
        // Every single flipped byte is caught (by the checksum, or the magic; the magic's
        // last byte is the format version: another version is stale, not damaged).
        for i in (0..good.len()).step_by(7) {
            let mut bad = good.clone();
            bad[i] ^= 0x5a;
            if i == MAGIC.len() - 1 {
                assert_eq!(HsNames::decode(&bad, key), Err(HsOrigin::Stale));
            } else {
                assert!(unreadable(&bad), "byte {i} flipped");
            }
        }
        // Well-formed checksums over impossible content: out-of-range numbers, bad order.
        let reseal = crate::bytes::seal;
        let mut body = good[..good.len() - crate::bytes::SEAL_BYTES].to_vec();
        let last = body.len() - 4;
        body[last..].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(unreadable(&reseal(body)));
        let mut trailing = good[..good.len() - crate::bytes::SEAL_BYTES].to_vec();
        trailing.push(0);
        assert!(unreadable(&reseal(trailing)));
        let mut unsorted = names.encode(key, 7)[..good.len() - crate::bytes::SEAL_BYTES].to_vec();
        // The first two words swapped in place (same lengths) breaks their order.
        let w0 = names.words.get(0).to_string();
        let w1 = names.words.get(1).to_string();
        assert_eq!((w0.len(), w1.len()), (6, 6), "{w0} {w1}");
        let at = 8 + 8 + 8 + 4 + 4; // magic, key, built by, word count, text length
        unsorted[at..at + 6].copy_from_slice(w1.as_bytes());
        unsorted[at + 6..at + 12].copy_from_slice(w0.as_bytes());
        assert!(unreadable(&reseal(unsorted)));

        // `load` over real files in a temporary directory: missing, stored, damaged, stale.
        let tmp = tempfile::tempdir().expect("tempdir");
        let hs_dir = tmp.path().join("codes");
        std::fs::create_dir_all(&hs_dir).expect("mkdir");
        let zh_file = "code name\n0701100000 種用馬鈴薯\n0702000000 番茄，鮮或冷藏\n";
        let en_file =
            "code name\n0701100000 Seed potatoes\n0702000000 Tomatoes, fresh or chilled\n";
        std::fs::write(hs_dir.join(HS_ZH_FILE), zh_file).expect("write");
        std::fs::write(hs_dir.join(HS_EN_FILE), en_file).expect("write");
        let path = tmp.path().join(HS_NAMES_FILE);
        let cache = HsCache {
            path: &path,
            analyzer: "cfg",
            write: true,
        };
        let (built, origin) = load(&hs_dir, Some(cache), &zh, &en);
        assert_eq!(origin, HsOrigin::Missing);
        let built = built.expect("names");
        assert_eq!(built.names(), 2);
        assert!(path.is_file());
        let (stored, origin) = load(&hs_dir, Some(cache), &zh, &en);
        assert_eq!(origin, HsOrigin::Stored);
        assert_eq!(stored.as_ref(), Some(&built));
        // What a read-only open reads without an analyzer: the same names, or nothing.
        let back = read_stored(&hs_dir, &cache);
        assert_eq!(
            back.as_ref().map(|(n, o)| (n, o)),
            Some((&built, &HsOrigin::Stored))
        );
        std::fs::write(&path, b"garbage").expect("write");
        assert!(read_stored(&hs_dir, &cache).is_none());
        let (again, origin) = load(&hs_dir, Some(cache), &zh, &en);
        assert!(matches!(origin, HsOrigin::Unreadable(_)), "{origin:?}");
        assert_eq!(again.as_ref(), Some(&built));
        assert_eq!(load(&hs_dir, Some(cache), &zh, &en).1, HsOrigin::Stored);
        // Another analyzer configuration, or changed names files: stale, rebuilt.
        let other = HsCache {
            analyzer: "other cfg",
            ..cache
        };
        assert!(read_stored(&hs_dir, &other).is_none());
        assert_eq!(load(&hs_dir, Some(other), &zh, &en).1, HsOrigin::Stale);
        std::fs::write(hs_dir.join(HS_EN_FILE), en_file.replace("Seed", "Sown")).expect("write");
        assert!(read_stored(&hs_dir, &other).is_none());
        assert_eq!(load(&hs_dir, Some(other), &zh, &en).1, HsOrigin::Stale);
        assert_eq!(load(&hs_dir, Some(other), &zh, &en).1, HsOrigin::Stored);
        // A read-only handle does not write.
        std::fs::remove_file(&path).expect("rm");
        let read_only = HsCache {
            write: false,
            ..other
        };
        assert_eq!(
            load(&hs_dir, Some(read_only), &zh, &en).1,
            HsOrigin::Missing
        );
        assert!(!path.exists());
        // Without the names files (a server started outside the checkout): the names stored
        // beside the index, when the same rules and analyzer built them, whatever files.
        load(&hs_dir, Some(cache), &zh, &en);
        let (with_files, origin) = load(&hs_dir, Some(cache), &zh, &en);
        assert_eq!(origin, HsOrigin::Stored);
        std::fs::remove_file(hs_dir.join(HS_ZH_FILE)).expect("rm");
        let (without, origin) = load(&hs_dir, Some(cache), &zh, &en);
        assert_eq!(origin, HsOrigin::StoredWithoutFiles);
        assert_eq!(without, with_files);
        assert_eq!(
            read_stored(&hs_dir, &cache).map(|(_, o)| o),
            Some(HsOrigin::StoredWithoutFiles)
        );
        // ... not when another analyzer configuration built them, nor when none is stored.
        let other = HsCache {
            analyzer: "another cfg",
            ..cache
        };
        assert!(read_stored(&hs_dir, &other).is_none());
        assert_eq!(
            load(&hs_dir, Some(other), &zh, &en),
            (None, HsOrigin::Absent)
        );
        std::fs::write(&path, b"garbage").expect("write");
        assert!(read_stored(&hs_dir, &cache).is_none());
        assert_eq!(
            load(&hs_dir, Some(cache), &zh, &en),
            (None, HsOrigin::Absent)
        );
        assert_eq!(load(&hs_dir, None, &zh, &en), (None, HsOrigin::Absent));
    }
}
