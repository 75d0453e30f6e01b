//! A standard as the rest of the system sees it: bibliographic metadata from catalogs merged
//! with what the full text says, plus the structure of that text.
//!
//! Everything here is optional except the code, because real catalogs are incomplete: a record
//! with only a number and a title is still worth finding.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::code::StandardCode;

/// Life-cycle state of a standard as published by the issuing body.
///
/// `Replaced` (被代替) is kept apart from `Abolished` (废止) because a replaced standard has a
/// successor the user should be sent to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 现行: in force.
    Current,
    /// 即将实施: issued, implementation date still ahead.
    Upcoming,
    /// 被代替: superseded by a newer edition.
    Replaced,
    /// 废止: withdrawn without (known) successor.
    Abolished,
}

impl Status {
    /// Parses the Chinese and English labels catalogs use; `None` for anything unknown so the
    /// caller can report the raw value instead of guessing.
    pub fn parse(s: &str) -> Option<Status> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        Some(match lower.as_str() {
            "现行" | "现行有效" | "有效" | "current" | "active" | "valid" | "in force" => {
                Status::Current
            }
            "即将实施" | "未实施" | "待实施" | "upcoming" | "to be implemented" | "pending" => {
                Status::Upcoming
            }
            "被代替" | "已被代替" | "代替" | "replaced" | "superseded" => Status::Replaced,
            "废止" | "作废" | "已废止" | "abolished" | "withdrawn" | "obsolete" | "repealed" => {
                Status::Abolished
            }
            _ => return None,
        })
    }

    /// The Chinese label shown to users (现行 / 即将实施 / 被代替 / 废止).
    pub fn label_zh(self) -> &'static str {
        match self {
            Status::Current => "现行",
            Status::Upcoming => "即将实施",
            Status::Replaced => "被代替",
            Status::Abolished => "废止",
        }
    }

    /// Stable machine name used in the index and the API (`current`, `upcoming`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Current => "current",
            Status::Upcoming => "upcoming",
            Status::Replaced => "replaced",
            Status::Abolished => "abolished",
        }
    }

    /// Ranking weight: the edition a user most likely wants sorts first.
    pub fn rank(self) -> u8 {
        match self {
            Status::Current => 0,
            Status::Upcoming => 1,
            Status::Replaced => 2,
            Status::Abolished => 3,
        }
    }
}

/// How trustworthy the full text is, measured by ingest rather than assumed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TextQuality {
    /// Readable text from a text layer.
    Good,
    /// A text layer exists but decodes to nonsense (e.g. openstd glyph remapping).
    Garbled,
    /// No text layer at all: an image-only scan.
    NoText,
    /// Text recovered by OCR; readable but may contain recognition errors.
    Ocr,
    /// Metadata-only record: there was never a full-text file.
    #[default]
    Missing,
}

impl TextQuality {
    /// Stable machine name for the index and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            TextQuality::Good => "good",
            TextQuality::Garbled => "garbled",
            TextQuality::NoText => "no_text",
            TextQuality::Ocr => "ocr",
            TextQuality::Missing => "missing",
        }
    }
}

/// Degree of correspondence with an international standard (GB/T 20000.2).
///
/// `EQV` and `≈` are the older notations (GB/T 20000.2-2001 and before) that catalogs still
/// carry for standards of the 1990s; they are kept apart because an exporter reads them
/// differently from today's `MOD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum AdoptionDegree {
    /// Identical (等同采用).
    Idt,
    /// Modified (修改采用).
    Mod,
    /// Not equivalent (非等效采用).
    Neq,
    /// Equivalent (等效采用), the pre-2001 notation.
    Eqv,
    /// `≈`: "approximately", the old catalogs' mark for an equivalent adoption.
    Approx,
}

impl AdoptionDegree {
    /// The mark catalogs print: `IDT`, `MOD`, `NEQ`, `EQV`, `≈`.
    pub fn label(self) -> &'static str {
        match self {
            AdoptionDegree::Idt => "IDT",
            AdoptionDegree::Mod => "MOD",
            AdoptionDegree::Neq => "NEQ",
            AdoptionDegree::Eqv => "EQV",
            AdoptionDegree::Approx => "≈",
        }
    }

    /// The Chinese name (等同采用, 修改采用, ...).
    pub fn label_zh(self) -> &'static str {
        match self {
            AdoptionDegree::Idt => "等同采用",
            AdoptionDegree::Mod => "修改采用",
            AdoptionDegree::Neq => "非等效采用",
            AdoptionDegree::Eqv => "等效采用",
            AdoptionDegree::Approx => "等效采用(≈)",
        }
    }

    /// Reads one degree mark in any case (`idt`, `IDT`, `等同`, `≈`, `(≈)`); `None` for
    /// anything else, so the caller can report it.
    pub fn parse(s: &str) -> Option<AdoptionDegree> {
        let t = s
            .trim()
            .trim_matches(|c: char| matches!(c, '(' | ')' | '（' | '）' | ',' | '，' | '.'))
            .trim();
        Some(match t.to_ascii_uppercase().as_str() {
            "IDT" | "等同" | "等同采用" | "IDENTICAL" => AdoptionDegree::Idt,
            "MOD" | "修改" | "修改采用" | "MODIFIED" => AdoptionDegree::Mod,
            "NEQ" | "非等效" | "非等效采用" | "参照采用" => AdoptionDegree::Neq,
            "EQV" | "等效" | "等效采用" | "EQUIVALENT" => AdoptionDegree::Eqv,
            "≈" | "~" => AdoptionDegree::Approx,
            _ => return None,
        })
    }
}

/// Adoption of an international or foreign standard, e.g. `ISO 690:2010, MOD`, as the source
/// wrote it; [`Adoption::links`] reads the typed links out of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Adoption {
    /// The adopted standard(s) as written (`ISO 1998-1:1998, ISO 1998-2:1998`); not always
    /// parseable as [`StandardCode`]s (`UNSD:2006 International standard ...`).
    pub code: String,
    /// Degree, when stated once for the whole statement.
    pub degree: Option<AdoptionDegree>,
}

/// One section of a standard's text (前言, 1 范围, 附录 A, ...).
///
/// Sections are flat with a `level` rather than a tree: the page renders a table of contents
/// from them and the index stores their text, neither needs nesting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// Clause number as printed (`1`, `3.2`, `A`, `A.1`), empty for 前言/引言.
    pub number: String,
    /// Heading text (`范围`, `规范性引用文件`).
    pub title: String,
    /// Depth: 1 for chapters and annexes, 2+ for sub-clauses.
    pub level: u8,
    /// The section's body text, repaired (no broken lines inside words or numbers).
    pub text: String,
}

/// A term and its definition from clause 3 (术语和定义).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Term {
    /// Clause number, e.g. `3.1`.
    pub number: String,
    /// Chinese term.
    pub term_zh: String,
    /// English equivalent when given.
    pub term_en: Option<String>,
    /// Definition text.
    pub definition: String,
}

/// A standard: the unit users search for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standard {
    /// The standard number; its canonical form is the record's id.
    pub code: StandardCode,
    /// Chinese title (标准名称).
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Status as a source published it: evidence for the status on a date, which
    /// [`crate::lifecycle::status_on`] decides from dates and links.
    pub status: Option<Status>,
    /// 发布日期.
    pub issue_date: Option<NaiveDate>,
    /// 实施日期.
    pub implement_date: Option<NaiveDate>,
    /// 废止日期.
    pub abolish_date: Option<NaiveDate>,
    /// Editions this one replaces (代替).
    pub replaces: Vec<StandardCode>,
    /// Editions that replace this one (被代替).
    pub replaced_by: Vec<StandardCode>,
    /// ICS codes, e.g. `01.140.20`.
    pub ics: Vec<String>,
    /// CCS (Chinese Standard Classification) codes, e.g. `A14`.
    pub ccs: Vec<String>,
    /// Competent / issuing department(s) (主管部门, 发布单位).
    pub department: Option<String>,
    /// Technical committee (归口单位), e.g. `SAC/TC 4`.
    pub technical_committee: Option<String>,
    /// Drafting organisations (起草单位).
    pub drafters: Vec<String>,
    /// Adoption of an international standard.
    pub adoption: Option<Adoption>,
    /// Scope text or a summary of it.
    pub scope: Option<String>,
    /// Free-form category from the source catalog (e.g. `体育赛事`).
    pub category: Option<String>,
    /// Structured full text; empty for metadata-only records.
    pub sections: Vec<Section>,
    /// Normative references (规范性引用文件) as parsed codes: the citation graph.
    pub references: Vec<StandardCode>,
    /// Terms and definitions.
    pub terms: Vec<Term>,
    /// Files this record was built from (catalog paths, PDFs), for provenance.
    pub sources: Vec<String>,
    /// Where each field's value came from (catalog file and line, PDF cover, body text, file
    /// name), by field name; see [`crate::provenance`]. Records stored before it existed read
    /// back with none.
    #[serde(default)]
    pub provenance: crate::provenance::Provenance,
    /// Quality of the full text.
    pub text_quality: TextQuality,
}

impl Standard {
    /// A record with only a code: the starting point for catalogs and file names alike.
    pub fn new(code: StandardCode) -> Standard {
        Standard {
            code,
            title_zh: None,
            title_en: None,
            status: None,
            issue_date: None,
            implement_date: None,
            abolish_date: None,
            replaces: Vec::new(),
            replaced_by: Vec::new(),
            ics: Vec::new(),
            ccs: Vec::new(),
            department: None,
            technical_committee: None,
            drafters: Vec::new(),
            adoption: None,
            scope: None,
            category: None,
            sections: Vec::new(),
            references: Vec::new(),
            terms: Vec::new(),
            sources: Vec::new(),
            provenance: crate::provenance::Provenance::new(),
            text_quality: TextQuality::Missing,
        }
    }

    /// Stamps every field that has a value and no stamp yet with `source` (an importer calls
    /// it once per record it builds, after any more specific [`Standard::stamp_fields`]).
    pub fn stamp(&mut self, source: &crate::provenance::FieldSource) {
        self.stamp_fields(source, |_| true);
    }

    /// Stamps the filled, unstamped fields that `pick` selects by name with `source`.
    /// Exhaustive on purpose: a new field must say here whether and when it is stamped.
    pub fn stamp_fields(
        &mut self,
        source: &crate::provenance::FieldSource,
        pick: impl Fn(&str) -> bool,
    ) {
        let Standard {
            code: _,
            title_zh,
            title_en,
            status,
            issue_date,
            implement_date,
            abolish_date,
            replaces,
            replaced_by,
            ics,
            ccs,
            department,
            technical_committee,
            drafters,
            adoption,
            scope,
            category,
            sections,
            references,
            terms,
            sources: _,
            provenance,
            text_quality: _,
        } = self;
        let filled = [
            ("code", true),
            ("title_zh", title_zh.is_some()),
            ("title_en", title_en.is_some()),
            ("status", status.is_some()),
            ("issue_date", issue_date.is_some()),
            ("implement_date", implement_date.is_some()),
            ("abolish_date", abolish_date.is_some()),
            ("replaces", !replaces.is_empty()),
            ("replaced_by", !replaced_by.is_empty()),
            ("ics", !ics.is_empty()),
            ("ccs", !ccs.is_empty()),
            ("department", department.is_some()),
            ("technical_committee", technical_committee.is_some()),
            ("drafters", !drafters.is_empty()),
            ("adoption", adoption.is_some()),
            ("scope", scope.is_some()),
            ("category", category.is_some()),
            ("sections", !sections.is_empty()),
            ("references", !references.is_empty()),
            ("terms", !terms.is_empty()),
        ];
        for (field, has) in filled {
            if has && pick(field) && !provenance.contains_key(field) {
                provenance.insert(field.to_string(), source.clone());
            }
        }
    }

    /// The record's id: the canonical code.
    pub fn id(&self) -> String {
        self.code.to_string()
    }

    /// All text of the standard joined by blank lines, for indexing.
    pub fn full_text(&self) -> String {
        join_sections(
            self.sections
                .iter()
                .map(|s| (s.number.as_str(), s.title.as_str(), s.text.as_str())),
        )
    }
}

/// A section's heading line as [`join_sections`] writes it (the number and title trimmed, a
/// space after a number, a newline after them; nothing for a section without either), handed
/// to `push` piece by piece: the snippet reader writes the same text from a record's JSON
/// without building the sections.
pub fn section_heading(number: &str, title: &str, push: &mut dyn FnMut(&str)) {
    if number.is_empty() && title.is_empty() {
        return;
    }
    push(number.trim());
    if !number.is_empty() {
        push(" ");
    }
    push(title.trim());
    push("\n");
}

/// The full text of sections given as `(number, title, text)`: what
/// [`Standard::full_text`] returns, for readers that hold the sections in another form (the
/// snippet reader borrows them from the stored JSON instead of building a [`Standard`]).
pub fn join_sections<'a>(
    sections: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
) -> String {
    let mut out = String::new();
    for (number, title, text) in sections {
        if !out.is_empty() {
            out.push_str("\n\n");
        }
        section_heading(number, title, &mut |s| out.push_str(s));
        out.push_str(text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_labels_parse() {
        for (raw, want) in [
            ("现行", Status::Current),
            ("即将实施", Status::Upcoming),
            ("废止", Status::Abolished),
            ("被代替", Status::Replaced),
            (" Current ", Status::Current),
        ] {
            assert_eq!(Status::parse(raw), Some(want), "{raw}");
        }
        assert_eq!(Status::parse("???"), None);
    }
}
