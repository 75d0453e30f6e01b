//! Merging two records of the same standard: a catalog entry and a full-text file, or a stored
//! record and a newer import.
//!
//! Catalogs are curated metadata, a PDF cover is OCR-prone text: so the catalog wins for metadata
//! and the file wins for text. Values the winner lacks are taken from the other record, and
//! values both have but disagree on are returned as [`Conflict`]s so the batch report shows them
//! instead of silently dropping one.

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

/// Merges `other` into `base` (both must be the same standard; the caller matches ids).
///
/// Metadata: a record from a catalog beats one from a file; between two catalog records (or two
/// files) the newer one, `other`, wins. Text (sections, terms, references, quality): `other` when
/// it has any, else `base`'s. Sources are united. Returns the fields both had but disagreed on.
pub fn merge_standard(base: &mut Standard, other: Standard) -> Vec<Conflict> {
    let other_meta = has_catalog_metadata(&other);
    let base_meta = has_catalog_metadata(base);
    // Which side's metadata wins.
    let other_wins = other_meta || !base_meta;
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
        text_quality,
    } = other;

    // The code: the spelling of the side whose metadata wins (a catalog prints the official
    // number, padding included: catalog over cover over file name), the year from whichever
    // has one (`GB/T 7714` from a file name vs `GB/T 7714-2015`).
    let (mut kept, dropped) = if other_meta && !base_meta {
        (code, base.code.clone())
    } else {
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
    merge_opt(
        &mut base.title_zh,
        title_zh,
        other_wins,
        "title_zh",
        &mut conflicts,
        norm_eq,
    );
    merge_opt(
        &mut base.title_en,
        title_en,
        other_wins,
        "title_en",
        &mut conflicts,
        norm_eq,
    );
    merge_opt(
        &mut base.status,
        status,
        other_wins,
        "status",
        &mut conflicts,
        |a, b| a == b,
    );
    merge_opt(
        &mut base.issue_date,
        issue_date,
        other_wins,
        "issue_date",
        &mut conflicts,
        |a, b| a == b,
    );
    merge_opt(
        &mut base.implement_date,
        implement_date,
        other_wins,
        "implement_date",
        &mut conflicts,
        |a, b| a == b,
    );
    merge_opt(
        &mut base.abolish_date,
        abolish_date,
        other_wins,
        "abolish_date",
        &mut conflicts,
        |a, b| a == b,
    );
    merge_vec(
        &mut base.replaces,
        replaces,
        other_wins,
        "replaces",
        &mut conflicts,
    );
    merge_vec(
        &mut base.replaced_by,
        replaced_by,
        other_wins,
        "replaced_by",
        &mut conflicts,
    );
    merge_vec(&mut base.ics, ics, other_wins, "ics", &mut conflicts);
    merge_vec(&mut base.ccs, ccs, other_wins, "ccs", &mut conflicts);
    merge_opt(
        &mut base.department,
        department,
        other_wins,
        "department",
        &mut conflicts,
        norm_eq,
    );
    merge_opt(
        &mut base.technical_committee,
        technical_committee,
        other_wins,
        "technical_committee",
        &mut conflicts,
        norm_eq,
    );
    merge_vec(
        &mut base.drafters,
        drafters,
        other_wins,
        "drafters",
        &mut conflicts,
    );
    merge_opt(
        &mut base.adoption,
        adoption,
        other_wins,
        "adoption",
        &mut conflicts,
        |a, b| norm_str_eq(&a.code, &b.code) && a.degree == b.degree,
    );
    // Scope: a catalog's summary and a text's clause 1 are both fine; never a conflict.
    if scope.is_some() && (base.scope.is_none() || other_wins) {
        base.scope = scope;
    }
    if category.is_some() && (base.category.is_none() || other_wins) {
        base.category = category;
    }

    // Text: the file's, and the newer file's when both have one.
    let other_has_text = !sections.is_empty() || text_quality != TextQuality::Missing;
    if other_has_text {
        base.sections = sections;
        base.terms = terms;
        base.references = references;
        base.text_quality = text_quality;
    } else {
        if base.references.is_empty() {
            base.references = references;
        }
        if base.terms.is_empty() {
            base.terms = terms;
        }
    }
    for s in sources {
        if !base.sources.contains(&s) {
            base.sources.push(s);
        }
    }
    conflicts
}

/// Fills the gaps of `winner` from `other` (two records of one notification symbol, e.g. a
/// catalog row and a parsed notification form). `winner`'s values are kept; lists are united.
pub fn merge_notification(winner: &mut Notification, other: Notification) {
    fn fill<T>(a: &mut Option<T>, b: Option<T>) {
        if a.is_none() {
            *a = b;
        }
    }
    fn unite<T: PartialEq>(a: &mut Vec<T>, b: Vec<T>) {
        for x in b {
            if !a.contains(&x) {
                a.push(x);
            }
        }
    }
    fill(&mut winner.member, other.member);
    fill(&mut winner.member_name, other.member_name);
    fill(&mut winner.distribution_date, other.distribution_date);
    fill(&mut winner.comment_deadline, other.comment_deadline);
    fill(&mut winner.proposed_adoption, other.proposed_adoption);
    fill(&mut winner.entry_into_force, other.entry_into_force);
    fill(&mut winner.title_en, other.title_en);
    fill(&mut winner.title_zh, other.title_zh);
    fill(&mut winner.products, other.products);
    fill(&mut winner.description, other.description);
    fill(&mut winner.language, other.language);
    unite(&mut winner.hs_codes, other.hs_codes);
    unite(&mut winner.ics_codes, other.ics_codes);
    unite(&mut winner.objectives, other.objectives);
    unite(&mut winner.cited_standards, other.cited_standards);
    unite(&mut winner.related, other.related);
    unite(&mut winner.sources, other.sources);
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

fn merge_opt<T: std::fmt::Debug>(
    base: &mut Option<T>,
    other: Option<T>,
    other_wins: bool,
    field: &'static str,
    conflicts: &mut Vec<Conflict>,
    same: impl Fn(&T, &T) -> bool,
) {
    let Some(o) = other else { return };
    match base {
        None => *base = Some(o),
        Some(b) => {
            if !same(b, &o) {
                let (kept, dropped) = if other_wins {
                    (show(&o), show(b))
                } else {
                    (show(b), show(&o))
                };
                conflicts.push(Conflict {
                    field,
                    kept,
                    dropped,
                });
                if other_wins {
                    *b = o;
                }
            }
        }
    }
}

fn merge_vec<T: std::fmt::Debug + PartialEq>(
    base: &mut Vec<T>,
    other: Vec<T>,
    other_wins: bool,
    field: &'static str,
    conflicts: &mut Vec<Conflict>,
) {
    if other.is_empty() {
        return;
    }
    if base.is_empty() {
        *base = other;
        return;
    }
    let same = base.len() == other.len() && base.iter().all(|b| other.contains(b));
    if same {
        return;
    }
    let (kept, dropped) = if other_wins {
        (show(&other), show(base))
    } else {
        (show(base), show(&other))
    };
    conflicts.push(Conflict {
        field,
        kept,
        dropped,
    });
    if other_wins {
        *base = other;
    }
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
    use crate::{Section, StandardCode, Status};

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
