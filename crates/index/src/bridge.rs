//! Expansions of a query word from two maintained, licensed resources, so that a Chinese product
//! word outside the hand-written glossary still finds English notifications, and a near word
//! (`土豆` for `马铃薯`) still finds the standard that uses it:
//!
//! - CC-CEDICT (CC BY-SA 4.0, shipped by the `chinese_dictionary` crate, read in the compact
//!   form `build.rs` compiles from its data, see [`crate::cedict`]): word-level English
//!   translations (`cedict`), and near-synonyms (`thesaurus`): other words whose first English
//!   sense is the same as the word's own first sense (`番茄`/`西红柿` → "tomato").
//! - The HS nomenclature's names (`hs-ccc-10digit-zh-hant.txt` and `-en.txt`, Traditional
//!   Chinese converted to Simplified with `ferrous-opencc`): English stems that most of the
//!   names containing a Chinese word share, and that are rare over all names (`hs`).
//!
//! Restricted and weighted: only Chinese words of two characters or more, a few short senses
//! per word, expansions are alternatives of the word that count less than the word itself, and
//! they never replace it. Nothing here is stored in the index: expansions are query-time only,
//! so the resources can be updated without re-indexing. Results are cached per word.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use biaozhun_analysis::ChineseAnalyzer;

use crate::cedict::Cedict;
use tantivy::tokenizer::TextAnalyzer;

mod hs;

use hs::HsNames;
pub use hs::{HsCache, HsOrigin, HS_NAMES_FILE};

/// The environment variable naming the directory of the HS names files.
pub const HS_DIR_ENV: &str = "BIAOZHUN_HS_NAMES_DIR";
/// Where the HS names are looked for when [`HS_DIR_ENV`] is not set (a checkout beside the
/// shared data, as in development and CI).
pub const HS_DIR_DEFAULT: &str = "../shared/data/codes";
/// Traditional Chinese HS names file.
pub const HS_ZH_FILE: &str = "hs-ccc-10digit-zh-hant.txt";
/// English HS names file.
pub const HS_EN_FILE: &str = "hs-ccc-10digit-en.txt";

/// Words cached at most; beyond, the cache starts over (queries are Zipf-distributed).
const CACHE_MAX: usize = 20_000;

/// One expansion of a query word.
#[derive(Debug, Clone, PartialEq)]
pub struct BridgeAlt {
    /// A Chinese near-synonym, or English words (a translation).
    pub text: String,
    /// `thesaurus`, `cedict` or `hs`.
    pub source: &'static str,
    /// Whether `text` is English (matched as stems in English fields).
    pub english: bool,
}

/// The expansions of query words (see the module doc).
pub struct Bridge {
    hs: Option<HsNames>,
    hs_origin: HsOrigin,
    cache: Mutex<HashMap<String, Arc<Vec<BridgeAlt>>>>,
}

impl std::fmt::Debug for Bridge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bridge")
            .field("hs_names", &self.hs_names())
            .field("hs_origin", &self.hs_origin)
            .finish()
    }
}

/// The directory of the HS names: [`HS_DIR_ENV`] when set; otherwise `shared/data/codes` in the
/// nearest parent of the working directory that has the names files, so the binary started in
/// the checkout and `cargo test` (which runs in each crate's own directory) find the same files;
/// else [`HS_DIR_DEFAULT`] (then missing, which the first query logs).
pub fn hs_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os(HS_DIR_ENV) {
        return PathBuf::from(dir);
    }
    hs_dir_from(std::env::current_dir().ok().as_deref())
}

fn hs_dir_from(cwd: Option<&Path>) -> PathBuf {
    cwd.into_iter()
        .flat_map(|c| c.ancestors().skip(1))
        .map(|a| a.join("shared").join("data").join("codes"))
        .find(|d| d.join(HS_ZH_FILE).is_file() && d.join(HS_EN_FILE).is_file())
        .unwrap_or_else(|| PathBuf::from(HS_DIR_DEFAULT))
}

/// A cleaned CC-CEDICT sense: parenthesised notes and leading `to`/`a`/`the` dropped; `None` for
/// dialect, regional, archaic and classifier-only senses, or for ones longer than two words.
fn clean_sense(raw: &str) -> Option<String> {
    let lower = raw.to_ascii_lowercase();
    for marker in [
        "(dialect",
        "(tw)",
        "(old)",
        "(archaic)",
        "(slang)",
        "(cantonese)",
        "variant of",
        "surname",
        "abbr.",
        "see ",
        "(literary)",
        "(loanword",
        "(coll",
    ] {
        if lower.contains(marker) {
            return None;
        }
    }
    let mut s = String::new();
    let mut depth = 0u32;
    for c in lower.chars() {
        match c {
            '(' | '[' => depth += 1,
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => s.push(c),
            _ => {}
        }
    }
    let mut words: Vec<&str> = s.split_whitespace().collect();
    if matches!(
        words.first(),
        Some(&"to") | Some(&"a") | Some(&"an") | Some(&"the")
    ) {
        words.remove(0);
    }
    let ok = !words.is_empty()
        && words.len() <= 2
        && words
            .iter()
            .all(|w| w.len() >= 2 && w.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-'))
        && !words.iter().any(|w| SENSE_STOP.contains(w));
    ok.then(|| words.join(" "))
}

/// Words that mark a sense as grammar or too vague to translate a product.
const SENSE_STOP: &[&str] = &[
    "sth", "sb", "etc", "one", "oneself", "of", "cl", "kind", "thing", "things", "matter", "do",
    "make", "be", "have", "get", "general",
];

/// One CC-CEDICT sense of a word: as written (lower case) and cleaned ([`clean_sense`]).
#[derive(Debug, Clone, PartialEq)]
struct Sense {
    raw: String,
    clean: String,
}

/// The usable senses of a simplified word, in dictionary order, deduplicated. A sense narrowed
/// by a trailing `(of ...)`/`(as ...)` note (`working (of machinery)`) is left out.
fn senses(word: &str) -> Vec<Sense> {
    let mut out: Vec<Sense> = Vec::new();
    for part in Cedict::get().definitions(word) {
        push_sense(&mut out, part);
    }
    out
}

/// Adds one CC-CEDICT sense to `out` unless it is a note on another word's use
/// (`(of ...)`, `(as ...)`), unusable, or there already.
fn push_sense(out: &mut Vec<Sense>, part: &str) {
    let lower = part.trim().to_ascii_lowercase();
    if lower.contains("(of ") || lower.contains("(as ") {
        return;
    }
    if let Some(clean) = clean_sense(part) {
        if !out.iter().any(|s| s.clean == clean) {
            out.push(Sense { raw: lower, clean });
        }
    }
}

/// Whether `a` and `b` are near-synonyms by their senses: the same first sense as written (a
/// noun: verbs such as "to inspect" are too broad), and at least half of their senses shared.
fn near(a: &[Sense], b: &[Sense]) -> bool {
    let (Some(fa), Some(fb)) = (a.first(), b.first()) else {
        return false;
    };
    if fa.raw != fb.raw || fa.raw.starts_with("to ") {
        return false;
    }
    let shared = a
        .iter()
        .filter(|s| b.iter().any(|t| t.clean == s.clean))
        .count();
    let union = a.len() + b.len() - shared;
    2 * shared >= union
}

/// Whether `w` is a Chinese word the bridge expands (two Han characters or more).
fn expandable(w: &str) -> bool {
    w.chars().count() >= 2 && w.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

impl Bridge {
    /// A bridge over CC-CEDICT and, when `hs_dir` holds the HS names files, the HS names:
    /// read back from `cache` when it holds them for these files and analyzers, else tokenized
    /// (~0.2 s) and written there when `cache.write`. A missing or unreadable HS directory is
    /// logged and leaves CC-CEDICT alone; a stale or damaged cache is logged and rebuilt.
    pub fn new(
        hs_dir: &Path,
        cache: Option<HsCache<'_>>,
        zh: &ChineseAnalyzer,
        en: &TextAnalyzer,
    ) -> Bridge {
        let (hs, hs_origin) = hs::load(hs_dir, cache, zh, en);
        Bridge {
            hs,
            hs_origin,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The bridge over the HS names of `hs_dir` read back from `cache`, when it holds them for
    /// these names files and analyzers (no analyzer needed: a read-only open prepares it while
    /// jieba's dictionary loads, and checks the compiled CC-CEDICT as [`Bridge::warm`] does);
    /// `None` when they must be tokenized, which [`Bridge::new`] does later.
    pub fn read_back(hs_dir: &Path, cache: &HsCache<'_>) -> Option<Bridge> {
        let (hs, hs_origin) = hs::read_stored(hs_dir, cache)?;
        let bridge = Bridge {
            hs: Some(hs),
            hs_origin,
            cache: Mutex::new(HashMap::new()),
        };
        bridge.warm();
        Some(bridge)
    }

    /// Where the HS names came from (their cached form, or tokenized and why).
    pub fn hs_origin(&self) -> &HsOrigin {
        &self.hs_origin
    }

    /// How many HS names (codes with both a Chinese and an English name) the bridge reads; 0
    /// when the files were not found, which `/readyz`-style checks and tests can tell apart.
    pub fn hs_names(&self) -> usize {
        self.hs.as_ref().map_or(0, HsNames::names)
    }

    /// Checks the compiled CC-CEDICT's tables now (a few milliseconds; its pages are read from
    /// the binary as lookups touch them), so the first query does not.
    pub fn warm(&self) {
        let _ = Cedict::get();
    }

    /// The expansions of a query word (a compound token), best first; empty for words the
    /// bridge does not expand.
    pub fn expand(&self, word: &str) -> Arc<Vec<BridgeAlt>> {
        if !expandable(word) {
            return Arc::new(Vec::new());
        }
        if let Some(hit) = self.lock().get(word) {
            return Arc::clone(hit);
        }
        let out = Arc::new(self.compute(word));
        let mut cache = self.lock();
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(word.to_string(), Arc::clone(&out));
        out
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Vec<BridgeAlt>>>> {
        self.cache.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn compute(&self, word: &str) -> Vec<BridgeAlt> {
        let mut out: Vec<BridgeAlt> = Vec::new();
        let own = senses(word);
        // Near-synonyms: words with this word's first sense and most of its other senses.
        if let Some(first) = own.first() {
            let mut near_words: Vec<String> = Vec::new();
            for w in Cedict::get().by_english(&first.clean) {
                if w == word || !expandable(w) || near_words.iter().any(|n| n == w) {
                    continue;
                }
                if near(&own, &senses(w)) {
                    near_words.push(w.to_string());
                }
            }
            near_words.sort();
            out.extend(near_words.into_iter().take(3).map(|w| BridgeAlt {
                text: w,
                source: "thesaurus",
                english: false,
            }));
        }
        // Translations: the first few short senses.
        for s in own.iter().take(3) {
            out.push(BridgeAlt {
                text: s.clean.clone(),
                source: "cedict",
                english: true,
            });
        }
        // The HS names only for words CC-CEDICT cannot translate: they name products, and a
        // word common in them (标准, 其他) is no product.
        if own.is_empty() {
            if let Some(hs) = &self.hs {
                out.extend(hs.stems(word).into_iter().map(|s| BridgeAlt {
                    text: s,
                    source: "hs",
                    english: true,
                }));
            }
        }
        out
    }

    /// The English translations of a sub-word of a compound (single characters included: in
    /// a compound, `油` of `椰子油` is "oil").
    pub fn translate_part(&self, part: &str) -> Option<String> {
        if part.chars().count() >= 2 {
            return self
                .expand(part)
                .iter()
                .find(|b| b.english && b.source == "cedict")
                .map(|b| b.text.clone());
        }
        // Cached like whole words (under a key no word has): looking a character up in
        // CC-CEDICT on every query was a visible share of short queries.
        let key = format!("\u{1}{part}");
        if let Some(hit) = self.lock().get(&key) {
            return hit.first().map(|b| b.text.clone());
        }
        let first: Vec<BridgeAlt> = senses(part)
            .into_iter()
            .take(1)
            .map(|s| BridgeAlt {
                text: s.clean,
                source: "cedict",
                english: true,
            })
            .collect();
        let out = first.first().map(|b| b.text.clone());
        let mut cache = self.lock();
        if cache.len() >= CACHE_MAX {
            cache.clear();
        }
        cache.insert(key, Arc::new(first));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn senses_are_cleaned() {
        let cases: &[(&str, Option<&str>)] = &[
            ("potato", Some("potato")),
            ("to test", Some("test")),
            ("(Tw) peanut (CL:顆|颗[ke1])", None),
            ("cigarette (CL:支[zhi1],條|条[tiao2])", Some("cigarette")),
            ("(dialect) potato", None),
            ("variant of 煙|烟[yan1]", None),
            ("to do sth for sb", None),
            ("tea leaves", Some("tea leaves")),
            ("loquat tree (Eriobotrya japonica)", Some("loquat tree")),
            ("people around the world", None),
        ];
        for (raw, want) in cases {
            assert_eq!(clean_sense(raw).as_deref(), *want, "{raw}");
        }
    }

    #[test]
    fn only_chinese_words_of_two_characters_expand() {
        for (w, want) in [
            ("番茄", true),
            ("茶", false),
            ("tea", false),
            ("番茄2", false),
        ] {
            assert_eq!(expandable(w), want, "{w}");
        }
    }

    /// The HS names are found from the checkout and from a crate directory (where `cargo test`
    /// runs) alike; without them the default path is returned for the warning to name.
    #[test]
    fn hs_dir_is_found_from_any_directory_below_the_checkout() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let codes = tmp.path().join("shared").join("data").join("codes");
        let crate_dir = tmp.path().join("main").join("crates").join("index");
        std::fs::create_dir_all(&codes).expect("mkdir");
        std::fs::create_dir_all(&crate_dir).expect("mkdir");
        assert_eq!(hs_dir_from(Some(&crate_dir)), PathBuf::from(HS_DIR_DEFAULT));
        std::fs::write(codes.join(HS_ZH_FILE), "code name\n").expect("write");
        // One file alone is not the pair.
        assert_eq!(hs_dir_from(Some(&crate_dir)), PathBuf::from(HS_DIR_DEFAULT));
        std::fs::write(codes.join(HS_EN_FILE), "code name\n").expect("write");
        for cwd in [tmp.path().join("main"), crate_dir] {
            assert_eq!(hs_dir_from(Some(&cwd)), codes, "{}", cwd.display());
        }
        assert_eq!(hs_dir_from(None), PathBuf::from(HS_DIR_DEFAULT));
    }

    /// The bridge's lookups before the compact CC-CEDICT, through the crate itself.
    fn crate_senses(word: &str) -> Vec<Sense> {
        let mut out: Vec<Sense> = Vec::new();
        for e in chinese_dictionary::query_by_simplified(word) {
            if e.simplified != word {
                continue;
            }
            for raw in &e.english {
                // The same filter as `senses`: what is compared is the data's source.
                for part in raw.split(';') {
                    push_sense(&mut out, part);
                }
            }
        }
        out
    }

    /// Senses, and the words an English sense finds, are the crate's on a sample of the
    /// dictionary (every 97th headword and common product words), with every sense of each.
    #[test]
    fn compact_cedict_equals_the_crate() {
        let dict = Cedict::get();
        let mut sample: Vec<String> = ["番茄", "土豆", "马铃薯", "大麦", "标准", "茶", "油", "T恤"]
            .iter()
            .map(|w| w.to_string())
            .collect();
        sample.extend(
            (0..dict.words())
                .step_by(97)
                .map(|i| dict.word(i).to_string()),
        );
        let mut english_checked = 0;
        for w in &sample {
            let own = senses(w);
            assert_eq!(own, crate_senses(w), "senses of {w}");
            for s in &own {
                let mut mine: Vec<&str> = dict.by_english(&s.clean);
                let mut theirs: Vec<&str> = chinese_dictionary::query_by_english(&s.clean)
                    .into_iter()
                    .map(|e| e.simplified.as_str())
                    .collect();
                mine.sort_unstable();
                theirs.sort_unstable();
                theirs.dedup();
                assert_eq!(mine, theirs, "words for {:?} (a sense of {w})", s.clean);
                english_checked += 1;
            }
        }
        assert!(english_checked > 1000, "{english_checked}");
    }

    /// CC-CEDICT gives near-synonyms with the same first sense, and translations.
    #[test]
    fn cedict_expansions() {
        let bridge = Bridge {
            hs: None,
            hs_origin: HsOrigin::Absent,
            cache: Mutex::new(HashMap::new()),
        };
        let texts = |w: &str, source: &str| -> Vec<String> {
            bridge
                .expand(w)
                .iter()
                .filter(|a| a.source == source)
                .map(|a| a.text.clone())
                .collect()
        };
        assert!(texts("土豆", "thesaurus").contains(&"马铃薯".to_string()));
        assert!(texts("马铃薯", "thesaurus").contains(&"土豆".to_string()));
        assert!(texts("西红柿", "thesaurus").contains(&"番茄".to_string()));
        assert_eq!(texts("番茄", "cedict"), vec!["tomato".to_string()]);
        assert!(texts("大麦", "cedict").contains(&"barley".to_string()));
        assert!(texts("标准", "thesaurus").len() <= 3);
        assert!(bridge.expand("茶").is_empty());
    }
}
