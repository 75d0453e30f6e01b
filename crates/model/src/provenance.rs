//! Where each field of a record came from: a catalog (file and line), a PDF's cover, its body
//! text, or the file name. Ingest stamps the fields each source fills
//! ([`crate::Standard::stamp`]); merging two records keeps, field by field, the value of the
//! stronger source together with its stamp ([`crate::merge`]); the API shows the stamps as
//! `sources`, so a user can tell a curated catalog value from text pulled out of a PDF.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// What kind of source gave a field's value. The order is the order of trust when two sources
/// disagree: a catalog is curated, a cover is text pulled from a file, a text's body is only
/// evidence of itself, a file name is a guess.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The code in a file's name (`GBT7714-2015.pdf`).
    FileName,
    /// A text's body (sections, terms, references).
    Text,
    /// The fields of a notification form (the WTO's TBT/SPS notification format).
    Form,
    /// A text's cover page and front matter (number, titles, dates, 代替 line).
    Cover,
    /// A catalog row (JSON, JSONL, CSV, XLSX).
    Catalog,
}

impl SourceKind {
    /// Stable machine name (`catalog`, `cover`, `form`, `text`, `file_name`).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::FileName => "file_name",
            SourceKind::Text => "text",
            SourceKind::Form => "form",
            SourceKind::Cover => "cover",
            SourceKind::Catalog => "catalog",
        }
    }
}

/// Where one field's value came from.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FieldSource {
    /// The file as the ingest was given it (path, upload name or URL).
    pub file: String,
    /// The line (JSONL, CSV) or record number (JSON list, XLSX row) in a catalog.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// Catalog, cover, text or file name.
    pub kind: SourceKind,
}

impl FieldSource {
    /// A catalog row.
    pub fn catalog(file: &str, line: Option<u64>) -> FieldSource {
        FieldSource {
            file: file.to_string(),
            line,
            kind: SourceKind::Catalog,
        }
    }

    /// A part of a full-text file (its cover, body or name).
    pub fn file(file: &str, kind: SourceKind) -> FieldSource {
        FieldSource {
            file: file.to_string(),
            line: None,
            kind,
        }
    }
}

/// The source of each field of a record, by field name (`title_zh`, `implement_date`, ...).
pub type Provenance = BTreeMap<String, FieldSource>;

/// Whether a value from the source `new` replaces one from `old` for a field: the stronger
/// kind wins; between equal kinds the newer source wins, as a later import corrects an earlier
/// one. A value without a stamp counts as the weakest source.
pub fn newer_wins(old: Option<&FieldSource>, new: Option<&FieldSource>) -> bool {
    match (old, new) {
        (_, None) => false,
        (None, Some(_)) => true,
        (Some(o), Some(n)) => n.kind >= o.kind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trust_order() {
        let cat = FieldSource::catalog("a.jsonl", Some(3));
        let cat2 = FieldSource::catalog("b.csv", Some(9));
        let cover = FieldSource::file("x.pdf", SourceKind::Cover);
        let text = FieldSource::file("x.pdf", SourceKind::Text);
        let name = FieldSource::file("x.pdf", SourceKind::FileName);
        for (old, new, want) in [
            (Some(&cover), Some(&cat), true),
            (Some(&cat), Some(&cover), false),
            (Some(&cat), Some(&cat2), true),
            (Some(&text), Some(&cover), true),
            (Some(&name), Some(&text), true),
            (Some(&cover), Some(&name), false),
            (None, Some(&name), true),
            (Some(&name), None, false),
            (None, None, false),
        ] {
            assert_eq!(newer_wins(old, new), want, "{old:?} -> {new:?}");
        }
        assert_eq!(
            serde_json::to_string(&cat).expect("json"),
            r#"{"file":"a.jsonl","line":3,"kind":"catalog"}"#
        );
    }
}
