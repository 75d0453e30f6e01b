//! The index configuration from `index-config/`: the versioned schema file, parsed with
//! `deny_unknown_fields` and validated into a [`SchemaConfig`] that cannot be invalid, the
//! synonym groups, and the hash that ties an index to the analyzer files it was built with.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use crate::IndexError;

/// The schema version this code reads and writes.
pub const SCHEMA_VERSION: u32 = 6;
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
    field: Vec<RawField>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawField {
    name: String,
    #[serde(rename = "type")]
    ty: String,
    analyzer: Option<String>,
    #[serde(default)]
    stored: bool,
    #[serde(default)]
    fast: bool,
    #[serde(default)]
    facet: bool,
    boost: Option<f32>,
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

/// A validated field type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    /// Tokenized text.
    Text(Analyzer),
    /// Indexed as one term.
    Keyword,
    /// Signed number (dates as yyyymmdd).
    I64,
    /// Unsigned number.
    U64,
    /// Stored only.
    Stored,
}

/// One validated field.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// Field name.
    pub name: String,
    /// Type.
    pub ty: FieldType,
    /// Stored in the doc store.
    pub stored: bool,
    /// Has a fast column.
    pub fast: bool,
    /// Counted in facets.
    pub facet: bool,
    /// Relevance weight (text fields).
    pub boost: f32,
}

/// The validated schema.
#[derive(Debug, Clone)]
pub struct SchemaConfig {
    /// Schema version from the file.
    pub version: u32,
    /// Fields in file order.
    pub fields: Vec<FieldSpec>,
}

/// What the code needs from the schema: name and a predicate on the spec.
const REQUIRED: &[(&str, &str)] = &[
    ("id", "keyword"),
    ("id_hash", "u64 fast"),
    ("kind", "keyword fast"),
    ("code", "keyword"),
    ("code_key", "keyword"),
    ("symbol_base", "keyword"),
    ("code_num", "keyword"),
    ("code_compact", "keyword"),
    ("code_sort", "keyword fast"),
    ("title_zh", "text zh"),
    ("title_en", "text en"),
    ("keywords", "text zh"),
    ("body", "text zh"),
    ("text_en", "text en"),
    ("level", "keyword fast"),
    ("nature", "keyword fast"),
    ("status", "keyword fast"),
    ("status_rank", "u64 fast"),
    ("edition", "keyword fast"),
    ("cites", "keyword"),
    ("region", "keyword fast"),
    ("industry", "keyword fast"),
    ("ics", "keyword fast"),
    ("ccs", "keyword fast"),
    ("year", "u64 fast"),
    ("department", "keyword fast"),
    ("member", "keyword fast"),
    ("agreement", "keyword fast"),
    ("hs", "keyword fast"),
    ("issue_date", "i64 fast"),
    ("implement_date", "i64 fast"),
    ("abolish_date", "i64 fast"),
    ("comment_deadline", "i64 fast"),
    ("record", "stored"),
    ("head", "stored"),
    ("file_key", "keyword"),
    ("adopts", "keyword"),
];

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
        let raw: RawSchema = toml::from_str(text).map_err(|e| err(e.to_string()))?;
        if raw.version != SCHEMA_VERSION {
            return Err(IndexError::SchemaMismatch(format!(
                "{origin} has schema version {}, this program reads version {SCHEMA_VERSION}",
                raw.version
            )));
        }
        let mut seen = HashSet::new();
        let mut fields = Vec::new();
        for f in raw.field {
            if !seen.insert(f.name.clone()) {
                return Err(err(format!("field {:?} is defined twice", f.name)));
            }
            let ty = match (f.ty.as_str(), f.analyzer.as_deref()) {
                ("text", Some("zh")) => FieldType::Text(Analyzer::Zh),
                ("text", Some("en")) => FieldType::Text(Analyzer::En),
                ("text", other) => {
                    return Err(err(format!(
                        "text field {:?} needs analyzer \"zh\" or \"en\", not {other:?}",
                        f.name
                    )))
                }
                (_, Some(a)) => {
                    return Err(err(format!(
                        "field {:?}: analyzer {a:?} only applies to text fields",
                        f.name
                    )))
                }
                ("keyword", None) => FieldType::Keyword,
                ("i64", None) => FieldType::I64,
                ("u64", None) => FieldType::U64,
                ("stored", None) => FieldType::Stored,
                (t, None) => {
                    return Err(err(format!(
                        "field {:?} has unknown type {t:?} (text, keyword, i64, u64, stored)",
                        f.name
                    )))
                }
            };
            if f.facet && !f.fast {
                return Err(err(format!("facet field {:?} must be fast", f.name)));
            }
            if f.boost.is_some() && !matches!(ty, FieldType::Text(_)) {
                return Err(err(format!("boost on non-text field {:?}", f.name)));
            }
            let boost = f.boost.unwrap_or(1.0);
            if !(boost.is_finite() && boost > 0.0) {
                return Err(err(format!("boost of {:?} must be positive", f.name)));
            }
            fields.push(FieldSpec {
                name: f.name,
                ty,
                stored: f.stored || ty == FieldType::Stored,
                fast: f.fast,
                facet: f.facet,
                boost,
            });
        }
        let cfg = SchemaConfig {
            version: raw.version,
            fields,
        };
        for (name, need) in REQUIRED {
            let spec = cfg
                .field(name)
                .ok_or_else(|| err(format!("required field {name:?} ({need}) is missing")))?;
            let ok = match *need {
                "keyword" => spec.ty == FieldType::Keyword,
                "keyword fast" => spec.ty == FieldType::Keyword && spec.fast,
                "u64 fast" => spec.ty == FieldType::U64 && spec.fast,
                "i64 fast" => spec.ty == FieldType::I64 && spec.fast,
                "text zh" => spec.ty == FieldType::Text(Analyzer::Zh),
                "text en" => spec.ty == FieldType::Text(Analyzer::En),
                "stored" => spec.stored,
                _ => false,
            };
            if !ok {
                return Err(err(format!("field {name:?} must be {need}")));
            }
        }
        Ok(cfg)
    }

    /// The spec of a field.
    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Names of facet fields.
    pub fn facets(&self) -> Vec<String> {
        self.fields
            .iter()
            .filter(|f| f.facet)
            .map(|f| f.name.clone())
            .collect()
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
