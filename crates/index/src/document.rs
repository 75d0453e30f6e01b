//! Model records to tantivy documents and back. The whole record is stored as lz4-compressed
//! JSON in the `record` field, so `get_standard` and friends return the full model record; the
//! few fields a hit shows are stored again, small, in `head`; the other fields exist for
//! matching, filtering, sorting and facets.

use biaozhun_model::lifecycle::edition_key;
use biaozhun_model::{
    CcsCode, IcsCode, Notification, Province, Regulation, Standard, StandardCode, Status,
};
use biaozhun_model::{Record, RecordKind};
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use tantivy::TantivyDocument;

use crate::config::fnv64;
use crate::fields::{names, Fields};

/// Kind value of the bookkeeping documents that remember ingested files (not a record, so not
/// a [`RecordKind`]; every other document's `kind` is a [`RecordKind::as_str`]).
pub const FILE_KIND: &str = "file";

/// A date as the i64 the index stores: `20150515`.
pub fn date_num(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())
}

/// The stable 64-bit hash of a record id, the tie-breaker of every sort.
pub fn id_hash(id: &str) -> u64 {
    fnv64(&[id.as_bytes()])
}

/// A sort key for codes that orders numbers numerically: `GB 2` < `GB 10`.
pub fn code_sort_key(code: &StandardCode) -> String {
    let mut out = code.prefix().to_string();
    out.push(' ');
    for (i, part) in code.number().split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let digits = part.chars().take_while(char::is_ascii_digit).count();
        if digits == part.len() {
            out.push_str(&format!("{part:0>10}"));
        } else {
            out.push_str(part);
        }
    }
    if let Some(y) = code.year() {
        out.push_str(&format!("-{y}"));
    }
    out
}

/// The `code_key` value under which a part is listed with its base number: `GB 4806.*` for
/// `GB 4806.1-2016` (unpadded), `None` for a number without dotted parts.
pub fn part_base_key(code: &StandardCode) -> Option<String> {
    let (first, _) = code.number().split_once('.')?;
    Some(format!("{} {first}.*", code.prefix()))
}

/// Compact lowercase spelling of any identifier, for prefix suggestions: `gtbtnusa2146`.
pub fn compact(s: &str) -> String {
    biaozhun_analysis::fold(s)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

/// The document for a record.
pub(crate) fn to_doc(f: &Fields, rec: &Record) -> Result<TantivyDocument, serde_json::Error> {
    Ok(match rec {
        Record::Standard(s) => standard_doc(f, s)?,
        Record::Notification(n) => notification_doc(f, n)?,
        Record::Regulation(r) => regulation_doc(f, r)?,
    })
}

/// The fields a hit shows, stored apart from the record: listing hits then reads a few hundred
/// bytes per hit instead of decompressing, checking and parsing the whole record with its full
/// text (46 % of search time at 24k documents before this field existed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Head {
    /// What the record is (`standard`, `notification` or `regulation` in the stored JSON).
    pub kind: RecordKind,
    /// Record id (canonical code, symbol, regulation id).
    pub id: String,
    /// Standard code or notification symbol.
    pub code: Option<String>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    /// Catalogued status label (standards), from which the status on a date is derived.
    pub status: Option<Status>,
    pub issue_date: Option<NaiveDate>,
    pub implement_date: Option<NaiveDate>,
    pub abolish_date: Option<NaiveDate>,
    pub comment_deadline: Option<NaiveDate>,
}

impl Head {
    /// A head with only kind and id; the builders fill in the rest.
    pub(crate) fn new(kind: RecordKind, id: String) -> Head {
        Head {
            kind,
            id,
            code: None,
            title_zh: None,
            title_en: None,
            status: None,
            issue_date: None,
            implement_date: None,
            abolish_date: None,
            comment_deadline: None,
        }
    }
}

/// The record as stored: lz4-compressed JSON (full texts compress about 2:1, and the stored
/// bytes are never checked as UTF-8 unless the record is read).
pub(crate) fn pack_record(json: &str) -> Vec<u8> {
    lz4_flex::compress_prepend_size(json.as_bytes())
}

/// The JSON of a stored record (`None` when the bytes are not a record this version wrote).
pub(crate) fn unpack_record_bytes(bytes: &[u8]) -> Option<Vec<u8>> {
    lz4_flex::decompress_size_prepended(bytes).ok()
}

/// [`unpack_record_bytes`] as text.
pub(crate) fn unpack_record(bytes: &[u8]) -> Option<String> {
    let raw = lz4_flex::decompress_size_prepended(bytes).ok()?;
    String::from_utf8(raw).ok()
}

fn base(
    f: &Fields,
    record_json: String,
    head: &Head,
) -> Result<TantivyDocument, serde_json::Error> {
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &head.id);
    d.add_u64(f.id_hash, id_hash(&head.id));
    d.add_text(f.kind, head.kind.as_str());
    // The head is the first bytes value stored, before the record: hits read it and stop
    // (`store::FirstBytes`) without deserializing the record.
    d.add_bytes(f.head, &serde_json::to_vec(head)?);
    d.add_bytes(f.record, &pack_record(&record_json));
    Ok(d)
}

fn opt_text(d: &mut TantivyDocument, field: tantivy::schema::Field, v: &Option<String>) {
    if let Some(t) = v.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        d.add_text(field, t);
    }
}

fn date(d: &mut TantivyDocument, field: tantivy::schema::Field, v: Option<NaiveDate>) {
    if let Some(x) = v {
        d.add_i64(field, date_num(x));
    }
}

/// Adds each value once: two codes of one document share ancestors (`65.020.20` and
/// `65.020.30` both give `65`), and a facet counts documents, not values.
fn add_unique(d: &mut TantivyDocument, field: tantivy::schema::Field, mut values: Vec<String>) {
    values.sort();
    values.dedup();
    for v in values {
        d.add_text(field, v);
    }
}

fn departments(d: &mut TantivyDocument, f: &Fields, dept: &Option<String>) {
    if let Some(dept) = dept {
        let parts = dept
            .split([';', '；', ',', '，', '、'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(str::to_string)
            .collect();
        add_unique(d, f.department, parts);
    }
}

/// The head of a standard.
pub(crate) fn standard_head(s: &Standard) -> Head {
    Head {
        kind: RecordKind::Standard,
        id: s.id(),
        code: Some(s.code.to_string()),
        title_zh: s.title_zh.clone(),
        title_en: s.title_en.clone(),
        status: s.status,
        issue_date: s.issue_date,
        implement_date: s.implement_date,
        abolish_date: s.abolish_date,
        comment_deadline: None,
    }
}

fn standard_doc(f: &Fields, s: &Standard) -> Result<TantivyDocument, serde_json::Error> {
    let mut d = base(f, serde_json::to_string(s)?, &standard_head(s))?;
    let code = &s.code;
    // Lookups are padding-insensitive: the exact keys hold the unpadded form (`YY 505-2012`
    // for the id `YY 0505-2012`), which queries compute the same way from any spelling.
    let key = code.unpadded();
    d.add_text(f.code, key.to_string());
    d.add_text(f.code_key, key.key());
    // A part (`GB 4806.1`) is listed under its base number too (`GB 4806.*`), so a base
    // number shows its parts after its own editions.
    if let Some(base) = part_base_key(&key) {
        d.add_text(f.code_key, base);
    }
    d.add_text(f.code_compact, code.compact());
    if key.compact() != code.compact() {
        d.add_text(f.code_compact, key.compact());
    }
    // The bare number (`7714`, `4789.15` and `4789`): a number typed alone is a code lookup.
    // Both paddings (`0505` and `505`).
    let mut numbers = vec![code.number().to_ascii_lowercase()];
    if key.number() != code.number() {
        numbers.push(key.number().to_ascii_lowercase());
    }
    for number in numbers {
        if let Some((first, _)) = number.split_once('.') {
            d.add_text(f.code_num, first);
        }
        d.add_text(f.code_num, number);
    }
    d.add_text(f.code_sort, code_sort_key(code));
    opt_text(&mut d, f.title_zh, &s.title_zh);
    opt_text(&mut d, f.title_en, &s.title_en);
    // The code in an analysed field too: `7714` alone finds GB/T 7714 through its parts.
    d.add_text(f.keywords, code.to_string());
    opt_text(&mut d, f.keywords, &s.scope);
    opt_text(&mut d, f.keywords, &s.category);
    for t in &s.terms {
        d.add_text(f.keywords, &t.term_zh);
        if let Some(en) = &t.term_en {
            d.add_text(f.text_en, en);
        }
    }
    let body = s.full_text();
    if !body.is_empty() {
        d.add_text(f.body, body);
    }
    opt_text(&mut d, f.text_en, &s.title_en);
    d.add_text(f.level, code.level().as_str());
    if let Some(n) = code.nature() {
        d.add_text(f.nature, n.as_str());
    }
    if let Some(st) = s.status {
        d.add_text(f.status, st.as_str());
    }
    d.add_u64(f.status_rank, u64::from(s.status.map_or(1, Status::rank)));
    for v in edition_values(s) {
        d.add_text(f.edition, v);
    }
    add_unique(
        &mut d,
        f.cites,
        s.references.iter().map(edition_key).collect(),
    );
    if let Some(p) = code.province() {
        d.add_text(f.region, p.code);
    }
    if code.industry().is_some() {
        d.add_text(f.industry, code.base_prefix());
    }
    let mut ics_values = Vec::new();
    for ics in &s.ics {
        match IcsCode::parse(ics) {
            Ok(c) => ics_values.extend(c.ancestors()),
            Err(_) => ics_values.push(ics.trim().to_string()),
        }
    }
    add_unique(&mut d, f.ics, ics_values);
    let mut ccs_values = Vec::new();
    for ccs in &s.ccs {
        let c = CcsCode::parse(ccs)
            .map(|c| c.as_str().to_string())
            .unwrap_or_else(|_| ccs.trim().to_uppercase());
        if let Some(first) = c.chars().next() {
            ccs_values.push(first.to_string());
        }
        ccs_values.push(c);
    }
    add_unique(&mut d, f.ccs, ccs_values);
    let year = code.year().map(u64::from).or_else(|| {
        s.issue_date
            .map(|x| x.year())
            .and_then(|y| u64::try_from(y).ok())
    });
    if let Some(y) = year {
        d.add_u64(f.year, y);
    }
    departments(&mut d, f, &s.department);
    date(&mut d, f.issue_date, s.issue_date);
    date(&mut d, f.implement_date, s.implement_date);
    date(&mut d, f.abolish_date, s.abolish_date);
    if let Some(a) = &s.adoption {
        let mut adopts = Vec::new();
        for link in a.links() {
            adopts.push(link.code.key());
            adopts.push(link.code.to_string());
        }
        add_unique(&mut d, f.adopts, adopts);
    }
    Ok(d)
}

/// The `edition` values of a standard: its own code (`=`), the codes it replaces (`<`) and the
/// codes that replace it (`>`). The edition table is built from these and the date columns.
pub(crate) fn edition_values(s: &Standard) -> Vec<String> {
    let mut out = vec![format!("={}", s.code)];
    out.extend(s.replaces.iter().map(|c| format!("<{c}")));
    out.extend(s.replaced_by.iter().map(|c| format!(">{c}")));
    out
}

fn notification_doc(f: &Fields, n: &Notification) -> Result<TantivyDocument, serde_json::Error> {
    let id = n.id();
    let head = Head {
        code: Some(id.clone()),
        title_zh: n.title_zh.clone(),
        title_en: n.title_en.clone(),
        issue_date: n.distribution_date,
        implement_date: n.entry_into_force,
        comment_deadline: n.comment_deadline,
        ..Head::new(RecordKind::Notification, id.clone())
    };
    let mut d = base(f, serde_json::to_string(n)?, &head)?;
    d.add_text(f.code, &id);
    d.add_text(f.symbol_base, n.symbol.base().to_string());
    d.add_text(f.code_compact, compact(&id));
    d.add_text(f.code_sort, &id);
    opt_text(&mut d, f.title_zh, &n.title_zh);
    opt_text(&mut d, f.title_en, &n.title_en);
    d.add_text(f.keywords, &id);
    opt_text(&mut d, f.keywords, &n.products);
    opt_text(&mut d, f.keywords, &n.member_name);
    for o in &n.objectives {
        d.add_text(f.keywords, o);
    }
    for c in &n.cited_standards {
        d.add_text(f.keywords, c.to_string());
    }
    // Cited by code, or mentioned in the texts.
    let mut cites: Vec<String> = n.cited_standards.iter().map(edition_key).collect();
    for t in [&n.title_en, &n.title_zh, &n.description, &n.products]
        .into_iter()
        .flatten()
    {
        cites.extend(
            StandardCode::find_all(t)
                .iter()
                .map(|(_, c)| edition_key(c)),
        );
    }
    add_unique(&mut d, f.cites, cites);
    opt_text(&mut d, f.body, &n.description);
    opt_text(&mut d, f.text_en, &n.description);
    opt_text(&mut d, f.text_en, &n.products);
    for o in &n.objectives {
        d.add_text(f.text_en, o);
    }
    d.add_u64(f.status_rank, 0);
    if let Some(m) = &n.member {
        d.add_text(f.member, m);
    }
    d.add_text(f.agreement, n.symbol.agreement().as_str());
    let mut hs_values = Vec::new();
    for hs in &n.hs_codes {
        // Ancestors find descendants (`84` → `8415.10`); the `=`-prefixed exact code lets a
        // query find notifications listing one of its ancestors (`950300` → `95`).
        hs_values.extend(hs.ancestors());
        hs_values.push(format!("={}", hs.digits()));
    }
    add_unique(&mut d, f.hs, hs_values);
    add_unique(
        &mut d,
        f.ics,
        n.ics_codes.iter().flat_map(|c| c.ancestors()).collect(),
    );
    if let Some(y) = n
        .distribution_date
        .and_then(|x| u64::try_from(x.year()).ok())
    {
        d.add_u64(f.year, y);
    }
    date(&mut d, f.issue_date, n.distribution_date);
    date(&mut d, f.implement_date, n.entry_into_force);
    date(&mut d, f.comment_deadline, n.comment_deadline);
    Ok(d)
}

fn regulation_doc(f: &Fields, r: &Regulation) -> Result<TantivyDocument, serde_json::Error> {
    let head = Head {
        title_zh: Some(r.title.clone()),
        issue_date: r.promulgated,
        implement_date: r.effective,
        ..Head::new(RecordKind::Regulation, r.id.clone())
    };
    let mut d = base(f, serde_json::to_string(r)?, &head)?;
    d.add_text(f.code, &r.id);
    d.add_text(f.code_sort, &r.id);
    d.add_text(f.title_zh, &r.title);
    opt_text(&mut d, f.keywords, &r.issuer);
    let body = r.full_text();
    if !body.is_empty() {
        d.add_text(f.body, body);
    }
    d.add_u64(f.status_rank, 0);
    departments(&mut d, f, &r.issuer);
    if let Some(y) = r.promulgated.and_then(|x| u64::try_from(x.year()).ok()) {
        d.add_u64(f.year, y);
    }
    date(&mut d, f.issue_date, r.promulgated);
    date(&mut d, f.implement_date, r.effective);
    Ok(d)
}

/// The bookkeeping document remembering that `path` was ingested with content `hash`.
pub(crate) fn file_doc(f: &Fields, path: &str, hash: &str) -> TantivyDocument {
    let id = file_id(path);
    let mut d = TantivyDocument::default();
    d.add_text(f.id, &id);
    d.add_u64(f.id_hash, id_hash(&id));
    d.add_text(f.kind, FILE_KIND);
    d.add_text(f.file_key, file_key(path, hash));
    d
}

/// Id of a file bookkeeping document.
pub fn file_id(path: &str) -> String {
    format!("file:{path}")
}

/// The term that says "this path with this content was ingested".
pub fn file_key(path: &str, hash: &str) -> String {
    format!("{path}\u{1}{hash}")
}

/// Label for a facet value (province names for region codes, status labels).
pub fn facet_label(field: &str, value: &str) -> Option<String> {
    match field {
        names::region => Province::by_code(value).map(|p| p.short_zh.to_string()),
        // The derived status facet (the `status` field holds the stated label).
        names::status => match value {
            "current" => Some(Status::Current.label_zh().into()),
            "upcoming" => Some(Status::Upcoming.label_zh().into()),
            "replaced" => Some(Status::Replaced.label_zh().into()),
            "abolished" => Some(Status::Abolished.label_zh().into()),
            _ => None,
        },
        names::level => [
            biaozhun_model::Level::National,
            biaozhun_model::Level::Industry,
            biaozhun_model::Level::Local,
            biaozhun_model::Level::Group,
            biaozhun_model::Level::Enterprise,
            biaozhun_model::Level::International,
            biaozhun_model::Level::Foreign,
        ]
        .into_iter()
        .find(|l| l.as_str() == value)
        .map(|l| l.label_zh().to_string()),
        names::kind => RecordKind::parse(value).map(|k| {
            match k {
                RecordKind::Standard => "标准",
                RecordKind::Notification => "WTO通报",
                RecordKind::Regulation => "法律法规",
            }
            .to_string()
        }),
        // The 24 first-level categories of the Chinese Standard Classification.
        names::ccs if value.len() == 1 => CCS_CATEGORIES
            .iter()
            .find(|(c, _)| *c == value)
            .map(|(_, l)| l.to_string()),
        names::nature => match value {
            "mandatory" => Some("强制性".into()),
            "recommended" => Some("推荐性".into()),
            "guidance" => Some("指导性技术文件".into()),
            _ => None,
        },
        _ => None,
    }
}

/// First-level categories of the Chinese Standard Classification (CCS), for facet labels.
const CCS_CATEGORIES: &[(&str, &str)] = &[
    ("A", "综合"),
    ("B", "农业、林业"),
    ("C", "医药、卫生、劳动保护"),
    ("D", "矿业"),
    ("E", "石油"),
    ("F", "能源、核技术"),
    ("G", "化工"),
    ("H", "冶金"),
    ("J", "机械"),
    ("K", "电工"),
    ("L", "电子元器件与信息技术"),
    ("M", "通信、广播"),
    ("N", "仪器、仪表"),
    ("P", "工程建设"),
    ("Q", "建材"),
    ("R", "公路、水路运输"),
    ("S", "铁路"),
    ("T", "车辆"),
    ("U", "船舶"),
    ("V", "航空、航天"),
    ("W", "纺织"),
    ("X", "食品"),
    ("Y", "轻工、文化与生活用品"),
    ("Z", "环境保护"),
];
