//! Merging two records of the same standard: a catalog entry and a full-text file, or a stored
//! record and a newer import.
//!
//! Catalogs are curated metadata, a PDF cover is OCR-prone text: so the catalog wins for metadata
//! and the file wins for text, field by field, each field keeping the stamp of the source its
//! value came from ([`crate::provenance`]). Values one side lacks are taken from the other, and
//! values both have but disagree on are returned as [`Conflict`]s so the batch report shows them
//! instead of silently dropping one.

use crate::provenance::{newer_wins, Provenance};
use crate::{Notification, Standard, TextQuality};
use serde::Serialize;

/// Two records disagreed on a field; `kept` is what the merged record holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Conflict {
    /// Field name (`title_zh`, `issue_date`, ...).
    pub field: &'static str,
    /// The value kept.
    pub kept: String,
    /// The value dropped.
    pub dropped: String,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} differs: kept {:?}, dropped {:?}",
            self.field, self.kept, self.dropped
        )
    }
}

/// Whether a record carries full text (sections or a measured text quality).
pub fn has_text(s: &Standard) -> bool {
    !s.sections.is_empty() || s.text_quality != TextQuality::Missing
}

/// File extensions of catalog exports (metadata tables, not full texts). The ingest crate reads
/// exactly these as catalogs; the merge rules trust a record from one for its metadata.
pub const CATALOG_EXTENSIONS: &[&str] = &["json", "jsonl", "ndjson", "csv", "xlsx", "xls", "ods"];

/// Whether a source path or URL is a catalog (metadata) rather than a full-text file.
pub fn is_catalog_source(source: &str) -> bool {
    let lower = source.to_ascii_lowercase();
    lower.starts_with("http://")
        || lower.starts_with("https://")
        || CATALOG_EXTENSIONS
            .iter()
            .any(|ext| lower.ends_with(&format!(".{ext}")))
}

fn has_catalog_metadata(s: &Standard) -> bool {
    !has_text(s) || s.sources.iter().any(|src| is_catalog_source(src))
}

/// Merges `other` into `base` (both must be the same standard; the caller matches ids), field
/// by field.
///
/// Each field keeps the value of its stronger source and that source's stamp in `provenance`
/// ([`newer_wins`]: a catalog beats a PDF cover, a cover beats the body text, the text beats a
/// file name; between equals the newer, `other`, wins); a field only one side has is taken from
/// it, stamp included. Fields neither side has stamped (records from before provenance) follow
/// the record-level rule: a record from a catalog beats one from a file, and between two
/// catalogs (or two files) the newer wins. Links (`replaces`, `replaced_by`) are united: a link
/// any source states counts. Text (sections, terms, references, quality): `other`'s when it
/// has any, else `base`'s. Sources are united. Returns the fields both had but disagreed on.
pub fn merge_standard(base: &mut Standard, other: Standard) -> Vec<Conflict> {
    let other_meta = has_catalog_metadata(&other);
    let base_meta = has_catalog_metadata(base);
    let mut conflicts = Vec::new();
    let Standard {
        code,
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
        sources,
        provenance: other_prov,
        text_quality,
    } = other;
    let mut m = Merger {
        base_prov: std::mem::take(&mut base.provenance),
        other_prov,
        // Which side wins a field neither side has stamped.
        other_wins: other_meta || !base_meta,
        conflicts: &mut conflicts,
    };

    // The code: the spelling of the side whose source is stronger (a catalog prints the
    // official number, padding included: catalog over cover over file name), the year from
    // whichever has one (`GB/T 7714` from a file name vs `GB/T 7714-2015`).
    let other_code_wins = match (m.base_prov.get("code"), m.other_prov.get("code")) {
        (None, None) => other_meta && !base_meta,
        (b, o) => o.is_some() && b.is_none_or(|b| o.is_some_and(|o| o.kind > b.kind)),
    };
    let (mut kept, dropped) = if other_code_wins {
        m.take("code");
        (code, base.code.clone())
    } else {
        m.fill_stamp("code");
        (base.code.clone(), code)
    };
    if kept.year().is_none() {
        if let Some(y) = dropped.year() {
            kept = if dropped.number() == kept.number() {
                dropped
            } else {
                kept.with_year(y)
            };
        }
    }
    base.code = kept;
    m.opt(&mut base.title_zh, title_zh, "title_zh", norm_eq);
    m.opt(&mut base.title_en, title_en, "title_en", norm_eq);
    m.opt(&mut base.status, status, "status", |a, b| a == b);
    m.opt(&mut base.issue_date, issue_date, "issue_date", |a, b| {
        a == b
    });
    m.opt(
        &mut base.implement_date,
        implement_date,
        "implement_date",
        |a, b| a == b,
    );
    m.opt(
        &mut base.abolish_date,
        abolish_date,
        "abolish_date",
        |a, b| a == b,
    );
    m.unite(&mut base.replaces, replaces, "replaces");
    m.unite(&mut base.replaced_by, replaced_by, "replaced_by");
    m.list(&mut base.ics, ics, "ics");
    m.list(&mut base.ccs, ccs, "ccs");
    m.opt(&mut base.department, department, "department", norm_eq);
    m.opt(
        &mut base.technical_committee,
        technical_committee,
        "technical_committee",
        norm_eq,
    );
    m.list(&mut base.drafters, drafters, "drafters");
    m.opt(&mut base.adoption, adoption, "adoption", |a, b| {
        norm_str_eq(&a.code, &b.code) && a.degree == b.degree
    });
    // Scope and category: a catalog's summary and a text's clause 1 are both fine; never a
    // conflict.
    m.quiet(&mut base.scope, scope, "scope");
    m.quiet(&mut base.category, category, "category");

    // Text: the file's, and the newer file's when both have one.
    let other_has_text = !sections.is_empty() || text_quality != TextQuality::Missing;
    if other_has_text {
        base.sections = sections;
        base.terms = terms;
        base.references = references;
        base.text_quality = text_quality;
        for f in ["sections", "terms", "references"] {
            m.take(f);
        }
    } else {
        if base.references.is_empty() && !references.is_empty() {
            base.references = references;
            m.take("references");
        }
        if base.terms.is_empty() && !terms.is_empty() {
            base.terms = terms;
            m.take("terms");
        }
    }
    for s in sources {
        if !base.sources.contains(&s) {
            base.sources.push(s);
        }
    }
    base.provenance = m.base_prov;
    conflicts
}

/// The field-by-field decisions of one merge, with both sides' stamps.
struct Merger<'a> {
    base_prov: Provenance,
    other_prov: Provenance,
    other_wins: bool,
    conflicts: &'a mut Vec<Conflict>,
}

impl Merger<'_> {
    /// Whether `other`'s value of `field` beats `base`'s.
    fn wins(&self, field: &str) -> bool {
        match (self.base_prov.get(field), self.other_prov.get(field)) {
            (None, None) => self.other_wins,
            (b, o) => newer_wins(b, o),
        }
    }

    /// `base` now holds `other`'s value of `field`: its stamp moves along.
    fn take(&mut self, field: &str) {
        match self.other_prov.get(field) {
            Some(src) => {
                self.base_prov.insert(field.to_string(), src.clone());
            }
            None => {
                self.base_prov.remove(field);
            }
        }
    }

    /// Both sides agree on `field`: the stronger stamp stays (a catalog confirming a cover),
    /// the newer between equals.
    fn fill_stamp(&mut self, field: &str) {
        if let Some(src) = self.other_prov.get(field) {
            if newer_wins(self.base_prov.get(field), Some(src)) {
                self.base_prov.insert(field.to_string(), src.clone());
            }
        }
    }

    fn opt<T: std::fmt::Debug>(
        &mut self,
        base: &mut Option<T>,
        other: Option<T>,
        field: &'static str,
        same: impl Fn(&T, &T) -> bool,
    ) {
        let Some(o) = other else { return };
        let wins = self.wins(field);
        match base {
            None => {
                *base = Some(o);
                self.take(field);
            }
            Some(b) if same(b, &o) => self.fill_stamp(field),
            Some(b) => {
                let (kept, dropped) = if wins {
                    (show(&o), show(b))
                } else {
                    (show(b), show(&o))
                };
                self.conflicts.push(Conflict {
                    field,
                    kept,
                    dropped,
                });
                if wins {
                    *b = o;
                    self.take(field);
                }
            }
        }
    }

    /// Like [`Merger::opt`], never a conflict.
    fn quiet<T>(&mut self, base: &mut Option<T>, other: Option<T>, field: &'static str) {
        if other.is_some() && (base.is_none() || self.wins(field)) {
            *base = other;
            self.take(field);
        }
    }

    fn list<T: std::fmt::Debug + PartialEq>(
        &mut self,
        base: &mut Vec<T>,
        other: Vec<T>,
        field: &'static str,
    ) {
        if other.is_empty() {
            return;
        }
        if base.is_empty() {
            *base = other;
            self.take(field);
            return;
        }
        if base.len() == other.len() && base.iter().all(|b| other.contains(b)) {
            self.fill_stamp(field);
            return;
        }
        let wins = self.wins(field);
        let (kept, dropped) = if wins {
            (show(&other), show(base))
        } else {
            (show(base), show(&other))
        };
        self.conflicts.push(Conflict {
            field,
            kept,
            dropped,
        });
        if wins {
            *base = other;
            self.take(field);
        }
    }

    /// Links: every link any source states counts, so the lists are united, never a conflict;
    /// the stamp is the stronger source's.
    fn unite<T: PartialEq>(&mut self, base: &mut Vec<T>, other: Vec<T>, field: &'static str) {
        if other.is_empty() {
            return;
        }
        if base.is_empty() {
            self.take(field);
        } else {
            self.fill_stamp(field);
        }
        for x in other {
            if !base.contains(&x) {
                base.push(x);
            }
        }
    }
}

/// Fills the gaps of `winner` from `other` (two records of one notification symbol, e.g. a
/// catalog row and a parsed notification form, or a stored record and a newer import), field by
/// field: `winner`'s values are kept, a field only `other` has is taken from it with its stamp
/// (`provenance`), lists are united.
pub fn merge_notification(winner: &mut Notification, other: Notification) {
    let Notification {
        symbol: _,
        member,
        member_name,
        distribution_date,
        comment_deadline,
        proposed_adoption,
        entry_into_force,
        title_en,
        title_zh,
        products,
        hs_codes,
        ics_codes,
        objectives,
        description,
        cited_standards,
        related,
        language,
        sources,
        provenance: other_prov,
    } = other;
    let prov = &mut winner.provenance;
    let mut take = |field: &str| {
        if let Some(src) = other_prov.get(field) {
            prov.insert(field.to_string(), src.clone());
        }
    };
    fn fill<T>(a: &mut Option<T>, b: Option<T>, field: &str, take: &mut impl FnMut(&str)) {
        if a.is_none() && b.is_some() {
            *a = b;
            take(field);
        }
    }
    fn unite<T: PartialEq>(a: &mut Vec<T>, b: Vec<T>, field: &str, take: &mut impl FnMut(&str)) {
        if a.is_empty() && !b.is_empty() {
            take(field);
        }
        for x in b {
            if !a.contains(&x) {
                a.push(x);
            }
        }
    }
    fill(&mut winner.member, member, "member", &mut take);
    fill(
        &mut winner.member_name,
        member_name,
        "member_name",
        &mut take,
    );
    fill(
        &mut winner.distribution_date,
        distribution_date,
        "distribution_date",
        &mut take,
    );
    fill(
        &mut winner.comment_deadline,
        comment_deadline,
        "comment_deadline",
        &mut take,
    );
    fill(
        &mut winner.proposed_adoption,
        proposed_adoption,
        "proposed_adoption",
        &mut take,
    );
    fill(
        &mut winner.entry_into_force,
        entry_into_force,
        "entry_into_force",
        &mut take,
    );
    fill(&mut winner.title_en, title_en, "title_en", &mut take);
    fill(&mut winner.title_zh, title_zh, "title_zh", &mut take);
    fill(&mut winner.products, products, "products", &mut take);
    fill(
        &mut winner.description,
        description,
        "description",
        &mut take,
    );
    fill(&mut winner.language, language, "language", &mut take);
    unite(&mut winner.hs_codes, hs_codes, "hs_codes", &mut take);
    unite(&mut winner.ics_codes, ics_codes, "ics_codes", &mut take);
    unite(&mut winner.objectives, objectives, "objectives", &mut take);
    unite(
        &mut winner.cited_standards,
        cited_standards,
        "cited_standards",
        &mut take,
    );
    unite(&mut winner.related, related, "related", &mut take);
    for x in sources {
        if !winner.sources.contains(&x) {
            winner.sources.push(x);
        }
    }
}

/// Compares texts ignoring spaces, case and punctuation width (`第1部分:` = `第 1 部分：`).
#[allow(clippy::ptr_arg)] // used as `Fn(&T, &T)` with T = String
fn norm_eq(a: &String, b: &String) -> bool {
    norm_str_eq(a, b)
}

fn norm_str_eq(a: &str, b: &str) -> bool {
    fn norm(s: &str) -> String {
        crate::normalize::fold(s)
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    }
    norm(a) == norm(b)
}

fn show<T: std::fmt::Debug>(v: &T) -> String {
    let s = format!("{v:?}");
    let s = s
        .strip_prefix("Some(")
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(&s);
    s.trim_matches('"').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provenance::{FieldSource, SourceKind};
    use crate::{Section, StandardCode, Status};

    fn pdf() -> Standard {
        let mut s = Standard::new(code("GB/T 7714-2015"));
        s.title_zh = Some("信息与文献参考文献著录规则（封面）".into());
        s.title_en = Some("Information and documentation".into());
        s.replaces = vec![code("GB/T 7714-2005")];
        s.sections.push(Section {
            number: "1".into(),
            title: "范围".into(),
            level: 1,
            text: "本标准规定了……".into(),
        });
        s.text_quality = TextQuality::Good;
        s.sources.push("upload/GBT7714-2015.pdf".into());
        let file = "upload/GBT7714-2015.pdf";
        s.stamp_fields(&FieldSource::file(file, SourceKind::Text), |f| {
            f == "sections"
        });
        s.stamp(&FieldSource::file(file, SourceKind::Cover));
        s
    }

    fn catalog_row(line: u64) -> Standard {
        let mut s = Standard::new(code("GB/T 7714-2015"));
        s.title_zh = Some("信息与文献 参考文献著录规则".into());
        s.implement_date = chrono::NaiveDate::from_ymd_opt(2015, 12, 1);
        s.replaces = vec![code("GB/T 7714-2005")];
        s.sources.push("catalog.jsonl".into());
        s.stamp(&FieldSource::catalog("catalog.jsonl", Some(line)));
        s
    }

    fn kind(s: &Standard, field: &str) -> Option<(SourceKind, Option<u64>)> {
        s.provenance.get(field).map(|f| (f.kind, f.line))
    }

    /// Field by field, in either order: the catalog's title beats the cover's, the cover fills
    /// what the catalog lacks, the text is the file's; each field names its source.
    #[test]
    fn stamped_fields_keep_their_source() {
        let cat = Some((SourceKind::Catalog, Some(3)));
        let cover = Some((SourceKind::Cover, None));
        for catalog_first in [true, false] {
            let (mut base, other) = if catalog_first {
                (catalog_row(3), pdf())
            } else {
                (pdf(), catalog_row(3))
            };
            let conflicts = merge_standard(&mut base, other);
            assert_eq!(conflicts.len(), 1, "{conflicts:?}");
            assert_eq!(conflicts[0].field, "title_zh");
            assert_eq!(
                base.title_zh.as_deref(),
                Some("信息与文献 参考文献著录规则")
            );
            assert_eq!(
                kind(&base, "title_zh"),
                cat,
                "catalog first: {catalog_first}"
            );
            assert_eq!(kind(&base, "implement_date"), cat);
            assert_eq!(kind(&base, "title_en"), cover);
            assert_eq!(kind(&base, "code"), cat);
            // The link both state: the stronger source's stamp.
            assert_eq!(kind(&base, "replaces"), cat);
            assert_eq!(base.replaces, [code("GB/T 7714-2005")]);
            assert_eq!(kind(&base, "sections"), Some((SourceKind::Text, None)));
            assert_eq!(base.sections.len(), 1);
        }
    }

    /// Two rows of one catalog: the later wins where they differ, the earlier's values stay
    /// where the later has none, and links from both count.
    #[test]
    fn two_catalog_rows_merge_field_by_field() {
        let mut early = catalog_row(3);
        early.department = Some("国家市场监督管理总局".into());
        early.status = Some(Status::Current);
        early.stamp(&FieldSource::catalog("catalog.jsonl", Some(3)));
        let mut late = catalog_row(9);
        late.status = Some(Status::Replaced);
        late.replaced_by = vec![code("GB/T 7714-2025")];
        late.provenance.clear();
        late.stamp(&FieldSource::catalog("catalog.jsonl", Some(9)));
        merge_standard(&mut early, late);
        assert_eq!(early.status, Some(Status::Replaced));
        assert_eq!(kind(&early, "status"), Some((SourceKind::Catalog, Some(9))));
        assert_eq!(early.department.as_deref(), Some("国家市场监督管理总局"));
        assert_eq!(
            kind(&early, "department"),
            Some((SourceKind::Catalog, Some(3)))
        );
        assert_eq!(early.replaced_by, [code("GB/T 7714-2025")]);
        assert_eq!(early.replaces, [code("GB/T 7714-2005")]);
    }

    /// A notification's catalog row wins; its form fills the gaps, each with its stamp.
    #[test]
    fn notification_gaps_keep_their_source() {
        use crate::NotificationSymbol;
        let symbol = NotificationSymbol::parse("G/TBT/N/SAU/1190").expect("symbol");
        let mut catalog = Notification::new(symbol.clone());
        catalog.title_en = Some("Technical Regulation for Pressure Equipment".into());
        catalog.stamp(&FieldSource::catalog("n.jsonl", Some(9)));
        let mut form = Notification::new(symbol);
        form.title_en = Some("Technical Regulation for Pressure Equipment (draft)".into());
        form.description = Some("The draft covers equipment above 0.5 bar.".into());
        form.stamp(&FieldSource::file("form.txt", SourceKind::Form));
        merge_notification(&mut catalog, form);
        let kind = |f: &str| catalog.provenance.get(f).map(|s| (s.kind, s.line));
        assert_eq!(
            catalog.title_en.as_deref(),
            Some("Technical Regulation for Pressure Equipment")
        );
        assert_eq!(kind("title_en"), Some((SourceKind::Catalog, Some(9))));
        assert_eq!(kind("description"), Some((SourceKind::Form, None)));
        assert_eq!(kind("symbol"), Some((SourceKind::Catalog, Some(9))));
    }

    /// A file-name code gives way to a cover's reading of the same number, stamp included.
    #[test]
    fn a_cover_code_beats_a_file_name() {
        let mut named = Standard::new(code("YY 505-2012"));
        named.stamp(&FieldSource::file("YY505-2012.pdf", SourceKind::FileName));
        let mut cover = Standard::new(code("YY 0505-2012"));
        cover.stamp(&FieldSource::file("scan.pdf", SourceKind::Cover));
        merge_standard(&mut named, cover);
        assert_eq!(named.id(), "YY 0505-2012");
        assert_eq!(kind(&named, "code"), Some((SourceKind::Cover, None)));
    }

    fn code(s: &str) -> StandardCode {
        StandardCode::parse(s).expect("code")
    }

    #[test]
    fn catalog_wins_metadata_file_wins_text() {
        let mut catalog = Standard::new(code("GB/T 7714-2015"));
        catalog.title_zh = Some("信息与文献 参考文献著录规则".into());
        catalog.status = Some(Status::Current);
        catalog.sources.push("catalog.jsonl".into());
        let mut file = Standard::new(code("GB/T 7714-2015"));
        file.title_zh = Some("信息与文献  参考文献著录规则".into());
        file.status = Some(Status::Replaced);
        file.sections.push(Section {
            number: "1".into(),
            title: "范围".into(),
            level: 1,
            text: "本标准规定了……".into(),
        });
        file.text_quality = TextQuality::Good;
        file.sources.push("GBT7714-2015.pdf".into());
        let conflicts = merge_standard(&mut catalog, file);
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(conflicts[0].field, "status");
        assert_eq!(catalog.status, Some(Status::Current));
        assert_eq!(catalog.sections.len(), 1);
        assert_eq!(catalog.text_quality, TextQuality::Good);
        assert_eq!(catalog.sources.len(), 2);
    }
}
