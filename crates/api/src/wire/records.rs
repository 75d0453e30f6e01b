//! Wire types of the record routes (`/standards`, `/notifications`, `/regulations`), built from
//! the model types. Field names here are the public JSON contract.

use biaozhun_model::{Notification, RecordKind, Regulation, Standard, StandardCode};
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// Characters of a section's text shown in the default (summary) view.
pub const SUMMARY_CHARS: usize = 200;

/// A standard with its edition chain, references, citing documents and text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StandardDetail {
    /// Canonical code, the record id (`GB/T 7714-2015`).
    pub id: String,
    /// Always `standard`.
    #[schema(value_type = String)]
    pub kind: RecordKind,
    /// Canonical URL of this record in the API.
    pub url: String,
    /// Code without year, shared by all editions (`GB/T 7714`).
    pub key: String,
    /// Compact spelling (`gbt77142015`).
    pub compact: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// The date the statuses hold on (`as_of`, default today).
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    /// Status on `as_of` (`current`, `upcoming`, `replaced`, `abolished`), by the same rule as
    /// search, facets and the edition chain; `null` before the edition was issued or when
    /// nothing is known.
    pub status: Option<String>,
    /// Chinese label of `status` (现行, 即将实施, 被代替, 废止).
    pub status_label_zh: Option<String>,
    /// How `status` was reached: `stated` (a source's label), `derived` (dates and links),
    /// `inferred` (edition order or years where dates are missing).
    pub status_basis: String,
    /// Chinese label of `status_basis` (据来源, 据日期, 据版本推断).
    pub status_basis_label_zh: String,
    /// The status label a catalog gave (evidence, possibly stale).
    pub stated_status: Option<String>,
    /// The stated label contradicts dates and links on `as_of` (`status` is the derived one).
    pub sources_disagree: bool,
    /// The editions in force on `as_of` this edition leads to: itself, or its successors.
    pub in_force: Vec<String>,
    /// `national`, `industry`, `local`, `group`, `enterprise`, `international`, `foreign`.
    pub level: String,
    /// `mandatory`, `recommended`, `guidance`, when the distinction exists.
    pub nature: Option<String>,
    /// Province of a local standard (甘肃省).
    pub region: Option<String>,
    /// Sector of an industry standard (农业).
    pub industry: Option<String>,
    /// 发布日期.
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_date: Option<NaiveDate>,
    /// 实施日期.
    #[schema(value_type = Option<String>, format = Date)]
    pub implement_date: Option<NaiveDate>,
    /// 废止日期.
    #[schema(value_type = Option<String>, format = Date)]
    pub abolish_date: Option<NaiveDate>,
    /// Editions this one replaces, as any source states it (its own record, or the other
    /// edition's `replaced_by` or 代替 line).
    pub replaces: Vec<String>,
    /// Editions replacing this one, as any source states it (in both directions).
    pub replaced_by: Vec<String>,
    /// ICS codes.
    pub ics: Vec<String>,
    /// CCS codes.
    pub ccs: Vec<String>,
    /// Competent department.
    pub department: Option<String>,
    /// Technical committee.
    pub technical_committee: Option<String>,
    /// Drafting organisations.
    pub drafters: Vec<String>,
    /// Adopted international standard as the source wrote it (`ISO 690:2010, MOD`).
    pub adoption: Option<String>,
    /// The foreign and international standards this standard adopts (采标), each with its
    /// degree and the record when the index holds it.
    pub adopts: Vec<AdoptionWire>,
    /// For a foreign or international standard: the Chinese standards adopting it (any
    /// edition), current ones first.
    pub adopted_by: Vec<AdoptionWire>,
    /// Scope or its summary.
    pub scope: Option<String>,
    /// Catalog category.
    pub category: Option<String>,
    /// `good`, `garbled`, `no_text`, `ocr`, `missing`.
    pub text_quality: String,
    /// The edition chain: every edition of the number and every edition linked to it, newest
    /// first (includes this one), with statuses on `as_of` and the one(s) in force marked.
    pub editions: Vec<EditionRef>,
    /// Normative references, resolved to records where the index has them.
    pub references: Vec<Reference>,
    /// Standards whose normative references cite this standard (any edition).
    pub cited_by: Vec<RecordRef>,
    /// WTO notifications mentioning this standard.
    pub notifications: Vec<RecordRef>,
    /// Terms and definitions.
    pub terms: Vec<TermWire>,
    /// Sections of the text: summaries by default, whole texts with `?text=full`.
    pub sections: Vec<SectionWire>,
    /// Where each field came from, by field name (`title_zh`, `implement_date`, `sections`,
    /// ...): a catalog row, a PDF's cover, its body text or its file name. Fields merged from
    /// two sources name the one whose value was kept (a catalog's title beats a cover's).
    /// Records ingested before provenance existed have none until they are ingested again.
    pub sources: BTreeMap<String, SourceWire>,
}

/// The source of one field's value.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct SourceWire {
    /// `catalog`, `cover`, `form`, `text` or `file_name` (the order of trust, strongest first).
    pub kind: String,
    /// The file's name (no server folders), or the URL it was fetched from.
    pub file: String,
    /// Line (JSONL, CSV) or record number (JSON list, spreadsheet row) in a catalog.
    pub line: Option<u64>,
}

impl SourceWire {
    /// The wire form of a stamp.
    pub fn from_source(s: &biaozhun_model::FieldSource) -> SourceWire {
        let file = if s.file.starts_with("http://") || s.file.starts_with("https://") {
            s.file.clone()
        } else {
            s.file
                .rsplit(['/', '\\'])
                .next()
                .unwrap_or(&s.file)
                .to_string()
        };
        SourceWire {
            kind: s.kind.as_str().to_string(),
            file,
            line: s.line,
        }
    }
}

/// One adoption link (采标): the other standard, the degree, and the record when held.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct AdoptionWire {
    /// The other standard's code: the adopted foreign code in `adopts`, the adopting Chinese
    /// code in `adopted_by`.
    pub code: String,
    /// In `adopted_by`: the foreign edition the Chinese standard adopts (`ISO 13485:2016`).
    pub adopts: Option<String>,
    /// `IDT`, `MOD`, `NEQ`, `EQV` or `≈`, when stated.
    pub degree: Option<String>,
    /// Chinese name of the degree (等同采用, 修改采用, ...).
    pub degree_zh: Option<String>,
    /// The record, when the index holds it.
    pub record: Option<RecordRef>,
}

/// An edition in a chain.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct EditionRef {
    /// Canonical code.
    pub id: String,
    /// Always `standard`.
    #[schema(value_type = String)]
    pub kind: RecordKind,
    /// API URL of the record (also for editions only named by a link: it answers 404).
    pub url: String,
    /// Title (Chinese when known, else English).
    pub title: Option<String>,
    /// Status on `as_of`.
    pub status: Option<String>,
    /// How the status was reached (`stated`, `derived`, `inferred`).
    pub status_basis: String,
    /// The stated label contradicts dates and links.
    pub sources_disagree: bool,
    /// This edition is in force on `as_of`.
    pub in_force: bool,
    /// The index holds a record of it (else a source only names it).
    pub in_index: bool,
    /// 实施日期.
    #[schema(value_type = Option<String>, format = Date)]
    pub implement_date: Option<NaiveDate>,
    /// Codes it replaces, each with `stated` or `inferred` (edition order).
    pub replaces: Vec<LinkWire>,
    /// Codes replacing it.
    pub replaced_by: Vec<LinkWire>,
}

/// A link between editions.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct LinkWire {
    /// The other edition's code.
    pub id: String,
    /// `stated` by a source, or `inferred` from edition order.
    pub basis: String,
}

impl EditionRef {
    /// The wire form of a chain entry.
    pub fn from_edition(e: &biaozhun_index::Edition) -> EditionRef {
        let links = |v: &[biaozhun_index::EditionLink]| {
            v.iter()
                .map(|l| LinkWire {
                    id: l.id.clone(),
                    basis: match l.basis {
                        biaozhun_model::LinkBasis::Stated => "stated",
                        biaozhun_model::LinkBasis::Inferred => "inferred",
                    }
                    .to_string(),
                })
                .collect()
        };
        EditionRef {
            url: standard_url(&e.id),
            id: e.id.clone(),
            kind: RecordKind::Standard,
            title: e.title_zh.clone().or_else(|| e.title_en.clone()),
            status: e.status.map(|s| s.as_str().to_string()),
            status_basis: e.status_basis.as_str().to_string(),
            sources_disagree: e.sources_disagree,
            in_force: e.in_force,
            in_index: e.in_index,
            implement_date: e.implement_date,
            replaces: links(&e.replaces),
            replaced_by: links(&e.replaced_by),
        }
    }

    /// The plain record link of this edition.
    pub fn to_record_ref(&self) -> RecordRef {
        RecordRef {
            id: self.id.clone(),
            kind: self.kind,
            url: self.url.clone(),
            title: self.title.clone(),
            status: self.status.clone(),
        }
    }
}

/// A link to another record.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct RecordRef {
    /// Record id (canonical code or symbol).
    pub id: String,
    /// `standard`, `notification` or `regulation`.
    #[schema(value_type = String)]
    pub kind: RecordKind,
    /// API URL of the record.
    pub url: String,
    /// Title (Chinese when known, else English).
    pub title: Option<String>,
    /// Status (standards).
    pub status: Option<String>,
}

/// A normative reference as cited, and the record it resolves to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reference {
    /// The cited code as parsed (undated references have no year).
    pub code: String,
    /// The record found for it: the exact edition, or for an undated reference the current
    /// edition; `null` when the index has none.
    pub record: Option<RecordRef>,
}

/// A term and its definition.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermWire {
    /// Clause number (`3.1`).
    pub number: String,
    /// Chinese term.
    pub term_zh: String,
    /// English term.
    pub term_en: Option<String>,
    /// Definition.
    pub definition: String,
}

/// A section of a standard's or regulation's text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SectionWire {
    /// Clause number (`3.2`, `A`), or article number (`第十条`).
    pub number: String,
    /// Heading.
    pub title: String,
    /// Depth, 1 for chapters.
    pub level: u8,
    /// Text: the first 200 characters (summary view) or all of it (`text=full`).
    pub text: String,
    /// Whether `text` was cut.
    pub truncated: bool,
}

impl SectionWire {
    fn new(number: &str, title: &str, level: u8, text: &str, full: bool) -> SectionWire {
        let (text, truncated) = if full {
            (text.to_string(), false)
        } else {
            summarize(text, SUMMARY_CHARS)
        };
        SectionWire {
            number: number.to_string(),
            title: title.to_string(),
            level,
            text,
            truncated,
        }
    }
}

/// The first `max` characters of `text` (whitespace collapsed), and whether it was cut.
pub fn summarize(text: &str, max: usize) -> (String, bool) {
    let collapsed: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = collapsed.char_indices();
    match chars.nth(max) {
        Some((cut, _)) => (format!("{}…", &collapsed[..cut]), true),
        None => (collapsed, false),
    }
}

/// API path of a standard (the code percent-encoded as one path segment).
pub fn standard_url(code: &str) -> String {
    format!("/api/v1/standards/{}", encode_path(code))
}

/// API path of a notification (slashes kept: the route is a wildcard).
pub fn notification_url(symbol: &str) -> String {
    format!("/api/v1/notifications/{}", encode_path_keep_slash(symbol))
}

/// API path of a regulation.
pub fn regulation_url(id: &str) -> String {
    format!("/api/v1/regulations/{}", encode_path(id))
}

/// API path of any record kind.
pub fn record_url(kind: RecordKind, id: &str) -> String {
    match kind {
        RecordKind::Standard => standard_url(id),
        RecordKind::Notification => notification_url(id),
        RecordKind::Regulation => regulation_url(id),
    }
}

/// Percent-encodes everything but unreserved characters (RFC 3986), so `GB/T 7714-2015` becomes
/// `GB%2FT%207714-2015`.
pub fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn encode_path_keep_slash(s: &str) -> String {
    s.split('/').map(encode_path).collect::<Vec<_>>().join("/")
}

/// Builds the detail view of `s` on `as_of`; `chain` is its edition chain on that date (the
/// status, basis, links and editions come from it, so the page says what search says). The
/// references, citing documents and notifications are filled by the handler.
pub fn standard_detail(
    s: &Standard,
    chain: Option<&biaozhun_index::EditionChain>,
    as_of: NaiveDate,
    full_text: bool,
) -> StandardDetail {
    let id = s.id();
    let me = chain.and_then(|c| c.get(&id));
    let status = me.and_then(|e| e.status);
    let basis = me.map_or(biaozhun_model::Basis::Stated, |e| e.status_basis);
    let stated_links = |links: Option<&Vec<biaozhun_index::EditionLink>>, own: &[StandardCode]| {
        let mut out: Vec<String> = own.iter().map(ToString::to_string).collect();
        for l in links.into_iter().flatten() {
            if l.basis == biaozhun_model::LinkBasis::Stated && !out.contains(&l.id) {
                out.push(l.id.clone());
            }
        }
        out
    };
    StandardDetail {
        url: standard_url(&id),
        as_of,
        status: status.map(|x| x.as_str().to_string()),
        status_label_zh: status.map(|x| x.label_zh().to_string()),
        status_basis: basis.as_str().to_string(),
        status_basis_label_zh: basis.label_zh().to_string(),
        stated_status: s.status.map(|x| x.as_str().to_string()),
        sources_disagree: me.is_some_and(|e| e.sources_disagree),
        in_force: chain.map(|c| c.in_force.clone()).unwrap_or_default(),
        id,
        kind: RecordKind::Standard,
        key: s.code.key(),
        compact: s.code.compact(),
        title_zh: s.title_zh.clone(),
        title_en: s.title_en.clone(),
        level: s.code.level().as_str().to_string(),
        nature: s.code.nature().map(|n| n.as_str().to_string()),
        region: s.code.province().map(|p| p.name_zh.to_string()),
        industry: s.code.industry().map(|i| i.sector_zh.to_string()),
        issue_date: s.issue_date,
        implement_date: s.implement_date,
        abolish_date: s.abolish_date,
        replaces: stated_links(me.map(|e| &e.replaces), &s.replaces),
        replaced_by: stated_links(me.map(|e| &e.replaced_by), &s.replaced_by),
        ics: s.ics.clone(),
        ccs: s.ccs.clone(),
        department: s.department.clone(),
        technical_committee: s.technical_committee.clone(),
        drafters: s.drafters.clone(),
        adoption: s.adoption.as_ref().map(|a| match a.degree {
            Some(d) => format!("{}, {}", a.code, d.label()),
            None => a.code.clone(),
        }),
        adopts: Vec::new(),
        adopted_by: Vec::new(),
        scope: s.scope.clone(),
        category: s.category.clone(),
        text_quality: s.text_quality.as_str().to_string(),
        editions: chain
            .map(|c| c.editions.iter().map(EditionRef::from_edition).collect())
            .unwrap_or_default(),
        references: Vec::new(),
        cited_by: Vec::new(),
        notifications: Vec::new(),
        terms: s
            .terms
            .iter()
            .map(|t| TermWire {
                number: t.number.clone(),
                term_zh: t.term_zh.clone(),
                term_en: t.term_en.clone(),
                definition: t.definition.clone(),
            })
            .collect(),
        sections: s
            .sections
            .iter()
            .map(|x| SectionWire::new(&x.number, &x.title, x.level, &x.text, full_text))
            .collect(),
        sources: s
            .provenance
            .iter()
            .map(|(field, src)| (field.clone(), SourceWire::from_source(src)))
            .collect(),
    }
}

/// A reference to a standard record.
pub fn standard_ref(s: &Standard) -> RecordRef {
    let id = s.id();
    RecordRef {
        url: standard_url(&id),
        id,
        kind: RecordKind::Standard,
        title: s.title_zh.clone().or_else(|| s.title_en.clone()),
        status: s.status.map(|x| x.as_str().to_string()),
    }
}

/// A reference to a notification record.
pub fn notification_ref(n: &Notification) -> RecordRef {
    let id = n.id();
    RecordRef {
        url: notification_url(&id),
        id,
        kind: RecordKind::Notification,
        title: n.title_zh.clone().or_else(|| n.title_en.clone()),
        status: None,
    }
}

/// A notification and its family.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotificationDetail {
    /// Canonical symbol, the record id.
    pub id: String,
    /// Always `notification`.
    #[schema(value_type = String)]
    pub kind: RecordKind,
    /// API URL.
    pub url: String,
    /// `TBT` or `SPS`.
    pub agreement: String,
    /// Symbol of the family's base document.
    pub base: String,
    /// Member code (`USA`).
    pub member: Option<String>,
    /// Member name.
    pub member_name: Option<String>,
    /// Distribution date.
    #[schema(value_type = Option<String>, format = Date)]
    pub distribution_date: Option<NaiveDate>,
    /// Final date for comments.
    #[schema(value_type = Option<String>, format = Date)]
    pub comment_deadline: Option<NaiveDate>,
    /// Whether comments are accepted today.
    pub open_for_comments: bool,
    /// Proposed date of adoption.
    #[schema(value_type = Option<String>, format = Date)]
    pub proposed_adoption: Option<NaiveDate>,
    /// Date of entry into force.
    #[schema(value_type = Option<String>, format = Date)]
    pub entry_into_force: Option<NaiveDate>,
    /// English title.
    pub title_en: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Products covered.
    pub products: Option<String>,
    /// HS codes.
    pub hs_codes: Vec<String>,
    /// ICS codes.
    pub ics_codes: Vec<String>,
    /// Objectives.
    pub objectives: Vec<String>,
    /// Description of content.
    pub description: Option<String>,
    /// Standards cited, resolved to records where present.
    pub cited_standards: Vec<Reference>,
    /// Other symbols mentioned.
    pub related: Vec<String>,
    /// Language of the source.
    pub language: Option<String>,
    /// The family: base, addenda, corrigenda and revisions known to the index, in symbol order
    /// (this document included).
    pub family: Vec<RecordRef>,
    /// Where each field came from, by field name: a catalog row or a notification form
    /// (`kind` `catalog` or `form`). A field two sources both give keeps the catalog's value.
    pub sources: BTreeMap<String, SourceWire>,
}

/// Builds a notification's view; `family` and resolved citations are filled by the handler.
pub fn notification_detail(n: &Notification, today: NaiveDate) -> NotificationDetail {
    let id = n.id();
    NotificationDetail {
        url: notification_url(&id),
        id,
        kind: RecordKind::Notification,
        agreement: n.symbol.agreement().as_str().to_string(),
        base: n.symbol.base().to_string(),
        member: n.member.clone(),
        member_name: n.member_name.clone(),
        distribution_date: n.distribution_date,
        comment_deadline: n.comment_deadline,
        open_for_comments: n.open_on(today),
        proposed_adoption: n.proposed_adoption,
        entry_into_force: n.entry_into_force,
        title_en: n.title_en.clone(),
        title_zh: n.title_zh.clone(),
        products: n.products.clone(),
        hs_codes: n.hs_codes.iter().map(ToString::to_string).collect(),
        ics_codes: n.ics_codes.iter().map(ToString::to_string).collect(),
        objectives: n.objectives.clone(),
        description: n.description.clone(),
        cited_standards: n
            .cited_standards
            .iter()
            .map(|c| Reference {
                code: c.to_string(),
                record: None,
            })
            .collect(),
        related: n.related.iter().map(ToString::to_string).collect(),
        language: n.language.clone(),
        family: Vec::new(),
        sources: n
            .provenance
            .iter()
            .map(|(field, src)| (field.clone(), SourceWire::from_source(src)))
            .collect(),
    }
}

/// A law or regulation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RegulationDetail {
    /// Record id.
    pub id: String,
    /// Always `regulation`.
    #[schema(value_type = String)]
    pub kind: RecordKind,
    /// API URL.
    pub url: String,
    /// Title.
    pub title: String,
    /// Issuing body.
    pub issuer: Option<String>,
    /// Promulgation or latest amendment date.
    #[schema(value_type = Option<String>, format = Date)]
    pub promulgated: Option<NaiveDate>,
    /// Effective date.
    #[schema(value_type = Option<String>, format = Date)]
    pub effective: Option<NaiveDate>,
    /// Chapters and articles (whole texts: articles are short).
    pub sections: Vec<SectionWire>,
}

/// Builds a regulation's view.
pub fn regulation_detail(r: &Regulation) -> RegulationDetail {
    RegulationDetail {
        url: regulation_url(&r.id),
        id: r.id.clone(),
        kind: RecordKind::Regulation,
        title: r.title.clone(),
        issuer: r.issuer.clone(),
        promulgated: r.promulgated,
        effective: r.effective,
        sections: r
            .sections
            .iter()
            .map(|s| SectionWire::new(&s.number, &s.title, s.level, &s.text, true))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_encode_codes() {
        assert_eq!(
            standard_url("GB/T 7714-2015"),
            "/api/v1/standards/GB%2FT%207714-2015"
        );
        assert_eq!(
            notification_url("G/TBT/N/USA/2146/Add.1"),
            "/api/v1/notifications/G/TBT/N/USA/2146/Add.1"
        );
        assert_eq!(
            regulation_url("标准化法-2017"),
            "/api/v1/regulations/%E6%A0%87%E5%87%86%E5%8C%96%E6%B3%95-2017"
        );
    }

    #[test]
    fn summaries_cut_on_characters() {
        assert_eq!(summarize("一二三四", 2), ("一二…".to_string(), true));
        assert_eq!(summarize("a  b\nc", 10), ("a b c".to_string(), false));
    }
}
