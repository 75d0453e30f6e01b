//! The bilingual glossary (`index-config/glossary.toml`) and the HS chapter names
//! (`index-config/hs-chapters.toml`) as typed, validated values.
//!
//! Model does no IO and knows no TOML: callers read the file and deserialise it (with `toml`)
//! into [`GlossaryFile`] / [`HsChapterFile`], then validate into [`Glossary`] / [`HsChapters`],
//! which cannot be invalid. Validation collects every problem at once so a maintainer fixes the
//! file in one go.

use std::collections::HashMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::classify::HsCode;
use crate::normalize;

/// The only file format version this code reads.
pub const CONFIG_VERSION: u32 = 1;

/// What a glossary group names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TermKind {
    /// Something traded: apples, toys, lithium batteries.
    Product,
    /// Regulatory vocabulary: labelling, conformity assessment, maximum residue limits.
    Measure,
    /// An organisation: WTO, Codex, CPSC.
    Body,
}

/// `glossary.toml` as written, before validation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlossaryFile {
    /// File format version; must be [`CONFIG_VERSION`].
    pub version: u32,
    /// The groups of equivalent terms (`[[group]]` tables).
    #[serde(default, rename = "group")]
    pub groups: Vec<TermGroup>,
}

/// One group of equivalent terms in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TermGroup {
    /// Product, measure or body.
    pub kind: TermKind,
    /// Chinese terms.
    #[serde(default)]
    pub zh: Vec<String>,
    /// English terms.
    #[serde(default)]
    pub en: Vec<String>,
}

impl TermGroup {
    /// Every term of the group, Chinese first.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.zh.iter().chain(&self.en).map(String::as_str)
    }
}

/// One thing wrong with a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigProblem {
    /// `version` is not [`CONFIG_VERSION`].
    Version(u32),
    /// A group with no Chinese or no English term (the glossary exists to cross languages).
    NotBilingual {
        /// Index of the group in the file (0-based).
        group: usize,
    },
    /// A term that is empty after trimming.
    EmptyTerm {
        /// Index of the group in the file (0-based).
        group: usize,
    },
    /// A term listed in two groups, which would make its expansion ambiguous.
    DuplicateTerm {
        /// The term as written the second time.
        term: String,
        /// The group that listed it first.
        first: usize,
        /// The group that lists it again.
        second: usize,
    },
    /// A chapter code that is not two digits from 01 to 97.
    BadChapter(String),
    /// A chapter listed twice.
    DuplicateChapter(String),
    /// A chapter from 01 to 97 that is not in the file.
    MissingChapter(String),
    /// A chapter without its Chinese or English name.
    UnnamedChapter(String),
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigProblem::Version(v) => {
                write!(f, "unsupported version {v} (expected {CONFIG_VERSION})")
            }
            ConfigProblem::NotBilingual { group } => {
                write!(f, "group {group} needs at least one zh and one en term")
            }
            ConfigProblem::EmptyTerm { group } => write!(f, "group {group} has an empty term"),
            ConfigProblem::DuplicateTerm {
                term,
                first,
                second,
            } => write!(f, "term {term:?} is in group {first} and group {second}"),
            ConfigProblem::BadChapter(c) => write!(f, "chapter code {c:?} is not 01-97"),
            ConfigProblem::DuplicateChapter(c) => write!(f, "chapter {c} is listed twice"),
            ConfigProblem::MissingChapter(c) => write!(f, "chapter {c} is missing"),
            ConfigProblem::UnnamedChapter(c) => write!(f, "chapter {c} lacks a zh or en name"),
        }
    }
}

/// A configuration file that failed validation, with every problem found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {file}: {}", problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct ConfigError {
    /// Which file (`glossary`, `hs-chapters`).
    pub file: &'static str,
    /// Everything wrong with it.
    pub problems: Vec<ConfigProblem>,
}

/// How terms are compared: NFKC, lower case, single spaces.
fn term_key(term: &str) -> String {
    normalize::fold(term)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A validated glossary: every term maps to exactly one group.
#[derive(Debug, Clone)]
pub struct Glossary {
    groups: Vec<TermGroup>,
    index: HashMap<String, usize>,
}

impl Glossary {
    /// Validates a parsed file: right version, bilingual groups, no empty or repeated terms.
    pub fn build(file: GlossaryFile) -> Result<Glossary, ConfigError> {
        let mut problems = Vec::new();
        if file.version != CONFIG_VERSION {
            problems.push(ConfigProblem::Version(file.version));
        }
        let mut index = HashMap::new();
        for (g, group) in file.groups.iter().enumerate() {
            if group.zh.is_empty() || group.en.is_empty() {
                problems.push(ConfigProblem::NotBilingual { group: g });
            }
            for term in group.terms() {
                let key = term_key(term);
                if key.is_empty() {
                    problems.push(ConfigProblem::EmptyTerm { group: g });
                    continue;
                }
                if let Some(&first) = index.get(&key) {
                    problems.push(ConfigProblem::DuplicateTerm {
                        term: term.to_string(),
                        first,
                        second: g,
                    });
                } else {
                    index.insert(key, g);
                }
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError {
                file: "glossary",
                problems,
            });
        }
        Ok(Glossary {
            groups: file.groups,
            index,
        })
    }

    /// Every term equivalent to `term` (itself included, as written in the glossary), for
    /// query expansion; empty when the glossary does not know the term. Matching ignores case,
    /// width and extra spaces.
    pub fn expand(&self, term: &str) -> Vec<&str> {
        self.group_of(term)
            .map(|g| g.terms().collect())
            .unwrap_or_default()
    }

    /// The group holding `term`, if any.
    pub fn group_of(&self, term: &str) -> Option<&TermGroup> {
        self.index
            .get(&term_key(term))
            .and_then(|&g| self.groups.get(g))
    }

    /// All groups, in file order.
    pub fn groups(&self) -> &[TermGroup] {
        &self.groups
    }
}

/// `hs-chapters.toml` as written, before validation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsChapterFile {
    /// File format version; must be [`CONFIG_VERSION`].
    pub version: u32,
    /// The chapters (`[[chapter]]` tables).
    #[serde(default, rename = "chapter")]
    pub chapters: Vec<HsChapter>,
}

/// One HS chapter with its names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HsChapter {
    /// Two digits, `01` to `97`.
    pub code: String,
    /// The HS section in Roman numerals (`I` to `XXI`).
    pub section: String,
    /// Chapter 77 is reserved for future use and holds no products.
    #[serde(default)]
    pub reserved: bool,
    /// Chinese name.
    pub zh: String,
    /// English name (WCO nomenclature).
    pub en: String,
}

/// The validated chapter list: all 97 chapters, 01 to 97, each once and named.
#[derive(Debug, Clone)]
pub struct HsChapters {
    chapters: Vec<HsChapter>,
}

impl HsChapterFile {
    /// Validates the file: right version, chapters 01-97 each exactly once, all named.
    pub fn validate(self) -> Result<HsChapters, ConfigError> {
        let mut problems = Vec::new();
        if self.version != CONFIG_VERSION {
            problems.push(ConfigProblem::Version(self.version));
        }
        let mut slots: Vec<Option<HsChapter>> = vec![None; 98];
        for ch in self.chapters {
            let n = ch
                .code
                .parse::<usize>()
                .ok()
                .filter(|n| ch.code.len() == 2 && (1..=97).contains(n));
            let Some(n) = n else {
                problems.push(ConfigProblem::BadChapter(ch.code));
                continue;
            };
            if ch.zh.trim().is_empty() || ch.en.trim().is_empty() {
                problems.push(ConfigProblem::UnnamedChapter(ch.code.clone()));
            }
            if slots[n].is_some() {
                problems.push(ConfigProblem::DuplicateChapter(ch.code));
            } else {
                slots[n] = Some(ch);
            }
        }
        for (n, slot) in slots.iter().enumerate().skip(1) {
            if slot.is_none() {
                problems.push(ConfigProblem::MissingChapter(format!("{n:02}")));
            }
        }
        if !problems.is_empty() {
            return Err(ConfigError {
                file: "hs-chapters",
                problems,
            });
        }
        Ok(HsChapters {
            chapters: slots.into_iter().flatten().collect(),
        })
    }
}

impl HsChapters {
    /// The chapter with this two-digit code.
    pub fn get(&self, code: &str) -> Option<&HsChapter> {
        self.chapters.iter().find(|c| c.code == code)
    }

    /// The chapter an HS code belongs to (`950300` → chapter 95, 玩具...).
    pub fn of(&self, hs: &HsCode) -> Option<&HsChapter> {
        self.get(hs.chapter())
    }

    /// All chapters in order, 01 to 97 (the reserved chapter 77 included).
    pub fn all(&self) -> &[HsChapter] {
        &self.chapters
    }
}
