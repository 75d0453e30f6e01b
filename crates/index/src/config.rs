//! The index configuration from `index-config/`: the versioned schema file (what an operator
//! tunes: analyzers, boosts, facets), parsed with `deny_unknown_fields` and validated against
//! the fields declared in [`crate::schema`] into a [`SchemaConfig`] that cannot be invalid, the
//! synonym groups, and the hash that ties an index to the analyzer files it was built with.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use serde::Deserialize;

use crate::fields::{decl, FieldType, FIELDS};
use crate::IndexError;

/// The schema version this code reads and writes.
pub const SCHEMA_VERSION: u32 = 7;
/// Schema file name in `index-config/`.
pub const SCHEMA_FILE: &str = "schema.toml";
/// Synonym file name in `index-config/`.
pub const SYNONYMS_FILE: &str = "synonyms.toml";
/// Bilingual glossary file name in `index-config/` (query-time expansion, like synonyms).
pub const GLOSSARY_FILE: &str = "glossary.toml";
/// HS chapter names in `index-config/` (barrier checks match product texts against them).
pub const HS_CHAPTERS_FILE: &str = "hs-chapters.toml";
/// Files whose content decides how documents are indexed: a change means re-ingesting.
pub const HASHED_FILES: &[&str] = &[
    SCHEMA_FILE,
    biaozhun_analysis::USER_DICT_FILE,
    biaozhun_analysis::STOPWORDS_FILE,
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSchema {
    version: u32,
    facets: Vec<String>,
    text: BTreeMap<String, RawText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    analyzer: String,
    boost: f32,
}

/// Which analyzer a text field uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Analyzer {
    /// The jieba analyzer (`zh`).
    Zh,
    /// English: simple tokenizer, lowercase, Porter stemmer (`en`).
    En,
}

impl Analyzer {
    /// The tokenizer name registered in tantivy.
    pub fn name(self) -> &'static str {
        match self {
            Analyzer::Zh => "biaozhun_zh",
            Analyzer::En => "biaozhun_en",
        }
    }
}

/// The analyzer and relevance weight of one text field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TextSpec {
    /// The analyzer it is indexed and searched with.
    pub analyzer: Analyzer,
    /// Relevance weight (positive).
    pub boost: f32,
}

/// What an operator tunes in `schema.toml`, validated against the fields the code declares
/// ([`crate::schema::FIELDS`]): the analyzer and boost of every text field, and the facets.
/// The fields themselves (names, types, stored, fast) are declared in code only.
#[derive(Debug, Clone)]
pub struct SchemaConfig {
    /// Schema version from the file.
    pub version: u32,
    /// Every declared text field, by name.
    pub text: BTreeMap<String, TextSpec>,
    /// Fields counted in facets, in file order.
    pub facets: Vec<String>,
}

impl SchemaConfig {
    /// Reads and validates `schema.toml` in `dir`.
    pub fn load(dir: &Path) -> Result<SchemaConfig, IndexError> {
        let path = dir.join(SCHEMA_FILE);
        let text = std::fs::read_to_string(&path).map_err(|e| IndexError::Config {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        Self::parse(&text, &path.display().to_string())
    }

    /// Parses and validates schema text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<SchemaConfig, IndexError> {
        let err = |message: String| IndexError::Config {
            path: origin.to_string(),
            message,
        };
        let table: toml::Table = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if table.contains_key("field") {
            // Up to this format change, schema.toml listed every field (`[[field]]`), and so
            // does the config copy inside an index built then.
            return Err(IndexError::SchemaMismatch(format!(
                "{origin} lists every field ([[field]] tables), the format of indexes built \
                 before fields were declared in code; this program reads a schema.toml with \
                 only `version`, `facets` and `[text]`"
            )));
        }
        let raw: RawSchema = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if raw.version != SCHEMA_VERSION {
            return Err(IndexError::SchemaMismatch(format!(
                "{origin} has schema version {}, this program reads version {SCHEMA_VERSION}",
                raw.version
            )));
        }
        let declared_text: Vec<&str> = FIELDS
            .iter()
            .filter(|f| f.ty == FieldType::Text)
            .map(|f| f.name)
            .collect();
        let mut text = BTreeMap::new();
        for (name, t) in raw.text {
            if !declared_text.contains(&name.as_str()) {
                return Err(err(format!(
                    "[text] names {name:?}, which is not a text field; the text fields are {}",
                    declared_text.join(", ")
                )));
            }
            let analyzer = match t.analyzer.as_str() {
                "zh" => Analyzer::Zh,
                "en" => Analyzer::En,
                other => {
                    return Err(err(format!(
                        "text field {name:?} needs analyzer \"zh\" or \"en\", not {other:?}"
                    )))
                }
            };
            if !(t.boost.is_finite() && t.boost > 0.0) {
                return Err(err(format!("boost of {name:?} must be positive")));
            }
            text.insert(
                name,
                TextSpec {
                    analyzer,
                    boost: t.boost,
                },
            );
        }
        if let Some(missing) = declared_text.iter().find(|n| !text.contains_key(**n)) {
            return Err(err(format!(
                "text field {missing:?} is missing from [text] (each text field needs an \
                 analyzer and a boost)"
            )));
        }
        let facetable = || {
            FIELDS
                .iter()
                .filter(|f| f.facetable)
                .map(|f| f.name)
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut facets: Vec<String> = Vec::new();
        for name in raw.facets {
            if !decl(&name).is_some_and(|d| d.facetable) {
                return Err(err(format!(
                    "facets names {name:?}, which is not a field that can be counted; those \
                     are {}",
                    facetable()
                )));
            }
            if facets.contains(&name) {
                return Err(err(format!("facet {name:?} is listed twice")));
            }
            facets.push(name);
        }
        Ok(SchemaConfig {
            version: raw.version,
            text,
            facets,
        })
    }

    /// The analyzer and boost of a declared text field.
    pub fn text(&self, name: &str) -> Option<(Analyzer, f32)> {
        self.text.get(name).map(|t| (t.analyzer, t.boost))
    }

    /// Names of facet fields.
    pub fn facets(&self) -> Vec<String> {
        self.facets.clone()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSynonyms {
    version: u32,
    #[serde(default)]
    group: Vec<RawGroup>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    terms: Vec<String>,
}

/// Synonym groups: a folded term maps to the group it belongs to.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    groups: Vec<Vec<String>>,
    by_term: HashMap<String, usize>,
}

impl Synonyms {
    /// Reads `synonyms.toml` from `dir`; a missing file means no synonyms.
    pub fn load(dir: &Path) -> Result<Synonyms, IndexError> {
        let path = dir.join(SYNONYMS_FILE);
        let mut out = match std::fs::read_to_string(&path) {
            Ok(text) => Self::parse(&text, &path.display().to_string())?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Synonyms::default(),
            Err(e) => {
                return Err(IndexError::Config {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        out.expand_glossary(dir)?;
        Ok(out)
    }

    /// Adds the bilingual groups of `glossary.toml` in `dir` (when present), so a Chinese query
    /// word also finds English notification texts and the reverse. A glossary group that shares
    /// a term with a synonym group is merged into it.
    pub fn expand_glossary(&mut self, dir: &Path) -> Result<(), IndexError> {
        let path = dir.join(GLOSSARY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => {
                return Err(IndexError::Config {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        };
        let err = |message: String| IndexError::Config {
            path: path.display().to_string(),
            message,
        };
        let file: biaozhun_model::glossary::GlossaryFile =
            toml::from_str(&text).map_err(|e| err(e.to_string()))?;
        let glossary = biaozhun_model::Glossary::build(file).map_err(|e| err(e.to_string()))?;
        for group in glossary.groups() {
            let terms: Vec<String> = group
                .terms()
                .map(|t| biaozhun_analysis::fold(t.trim()))
                .filter(|t| !t.is_empty())
                .collect();
            self.add_group(terms);
        }
        Ok(())
    }

    /// Adds a group of equivalent folded terms, merging it into the group of a known term.
    fn add_group(&mut self, terms: Vec<String>) {
        let target = terms.iter().find_map(|t| self.by_term.get(t).copied());
        let g = match target {
            Some(g) => g,
            None => {
                self.groups.push(Vec::new());
                self.groups.len() - 1
            }
        };
        for t in terms {
            if !self.by_term.contains_key(&t) {
                self.by_term.insert(t.clone(), g);
                self.groups[g].push(t);
            }
        }
    }

    /// Parses synonym text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &str) -> Result<Synonyms, IndexError> {
        let err = |message: String| IndexError::Config {
            path: origin.to_string(),
            message,
        };
        let raw: RawSynonyms = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if raw.version != 1 {
            return Err(err(format!("unknown synonyms version {}", raw.version)));
        }
        let mut out = Synonyms::default();
        for (i, g) in raw.group.into_iter().enumerate() {
            let terms: Vec<String> = g
                .terms
                .iter()
                .map(|t| biaozhun_analysis::fold(t.trim()))
                .filter(|t| !t.is_empty())
                .collect();
            if terms.len() < 2 {
                return Err(err(format!("group {} needs at least two terms", i + 1)));
            }
            for t in &terms {
                out.by_term.entry(t.clone()).or_insert(out.groups.len());
            }
            out.groups.push(terms);
        }
        Ok(out)
    }

    /// The other terms of the group `term` (folded) belongs to.
    pub fn expand(&self, term: &str) -> Vec<&str> {
        match self.by_term.get(term) {
            Some(&g) => self.groups[g]
                .iter()
                .filter(|t| *t != term)
                .map(String::as_str)
                .collect(),
            None => Vec::new(),
        }
    }
}

/// A stable 64-bit FNV-1a hash, hex encoded: config hashes and id hashes.
pub fn fnv64(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for p in parts {
        for b in p.iter() {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x100000001b3);
        }
        h ^= 0xff;
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Hash of the files that decide indexing ([`HASHED_FILES`]) in `dir`.
pub fn config_hash(dir: &Path) -> Result<String, IndexError> {
    let mut parts = Vec::new();
    for name in HASHED_FILES {
        let path = dir.join(name);
        let bytes = std::fs::read(&path).map_err(|e| IndexError::Config {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        parts.push(bytes);
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    Ok(format!("{:016x}", fnv64(&refs)))
}
