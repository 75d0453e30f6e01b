//! One catalog row (a JSON object, a CSV or spreadsheet row turned into one) to a record.
//!
//! Columns are mapped through the [`Aliases`] table; values are forgiving about shape (arrays or
//! `;`/`,`/`、` separated strings, numbers for dates). A value that cannot be read is a warning
//! naming the field, and the record still imports; only a missing or unparseable code/symbol
//! rejects the row.

use std::collections::{BTreeSet, HashMap};

use biaozhun_model::{
    Adoption, AdoptionDegree, CcsCode, HsCode, IcsCode, Member, Notification, NotificationSymbol,
    Standard, StandardCode, Status,
};
use serde_json::Value;

use super::aliases::{Aliases, NotifField, StdField};
use crate::dates::parse_date_value;
use biaozhun_model::Record;

/// The outcome of converting one row.
#[derive(Debug)]
pub(crate) struct Converted {
    pub record: Record,
    pub warnings: Vec<String>,
}

/// Converts one row; `Err` is the reason the row is rejected. `unknown` collects columns that
/// are neither mapped nor ignored (reported once per file by the caller).
pub(crate) fn convert_row(
    row: &[(String, Value)],
    aliases: &Aliases,
    source: &str,
    unknown: &mut BTreeSet<String>,
) -> Result<Converted, String> {
    if row
        .iter()
        .any(|(k, v)| aliases.is_symbol(k) && !is_blank(v))
    {
        convert_notification(row, aliases, source, unknown)
    } else {
        convert_standard(row, aliases, source, unknown)
    }
}

/// Whether a value carries nothing (null, blank string, empty array).
pub(crate) fn is_blank(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(is_blank),
        _ => false,
    }
}

/// For each field, the non-blank value of its highest-priority column, with the column name.
fn pick<'a, F: Copy + Eq + std::hash::Hash>(
    row: &'a [(String, Value)],
    field_of: impl Fn(&str) -> Option<(F, usize)>,
    aliases: &Aliases,
    unknown: &mut BTreeSet<String>,
) -> HashMap<F, (&'a str, &'a Value)> {
    let mut best: HashMap<F, (usize, &'a str, &'a Value)> = HashMap::new();
    for (k, v) in row {
        match field_of(k) {
            Some((f, prio)) => {
                if is_blank(v) {
                    continue;
                }
                match best.get(&f) {
                    Some((p, _, _)) if *p <= prio => {}
                    _ => {
                        best.insert(f, (prio, k.as_str(), v));
                    }
                }
            }
            None => {
                if !aliases.is_ignored(k) && !k.trim().is_empty() {
                    unknown.insert(k.clone());
                }
            }
        }
    }
    best.into_iter().map(|(f, (_, k, v))| (f, (k, v))).collect()
}

fn convert_standard(
    row: &[(String, Value)],
    aliases: &Aliases,
    source: &str,
    unknown: &mut BTreeSet<String>,
) -> Result<Converted, String> {
    let f = pick(row, |k| aliases.standard_field(k), aliases, unknown);
    let Some((col, raw_code)) = f.get(&StdField::code) else {
        return Err(format!(
            "no standard code (expected a column named one of: {})",
            aliases.code_names().join(", ")
        ));
    };
    let code_text = text(raw_code).unwrap_or_default();
    let mut w = Vec::new();
    let code = match StandardCode::parse(&code_text) {
        Ok(c) => c,
        Err(e) => {
            let repaired = repair_code(&code_text)
                .and_then(|r| StandardCode::parse(&r).ok())
                .ok_or_else(|| format!("{col}: {e}"))?;
            w.push(format!("{col}: {code_text:?} repaired to {repaired}"));
            repaired
        }
    };
    let mut s = Standard::new(code);
    s.sources.push(source.to_string());

    let get = |field: StdField| f.get(&field).copied();
    let title_any = get(StdField::title)
        .and_then(|(_, v)| text(v))
        .map(plain_text);
    s.title_zh = get(StdField::title_zh)
        .and_then(|(_, v)| text(v))
        .map(plain_text)
        .or_else(|| title_any.clone().filter(|t| has_cjk(t)));
    s.title_en = get(StdField::title_en)
        .and_then(|(_, v)| text(v))
        .map(plain_text)
        .or_else(|| title_any.filter(|t| !has_cjk(t)));
    if let Some((col, v)) = get(StdField::status) {
        let raw = text(v).unwrap_or_default();
        match Status::parse(&raw) {
            Some(st) => s.status = Some(st),
            None => w.push(format!("{col}: unknown status {raw:?}, left empty")),
        }
    }
    s.issue_date = date(get(StdField::issue_date), &mut w);
    s.implement_date = date(get(StdField::implement_date), &mut w);
    s.abolish_date = date(get(StdField::abolish_date), &mut w);
    let mut committees = Vec::new();
    s.replaces = codes(get(StdField::replaces), &mut w, &mut committees);
    s.replaced_by = codes(get(StdField::replaced_by), &mut w, &mut committees);
    if let Some((col, v)) = get(StdField::ics) {
        for item in list(v, LIST_SEPS) {
            match IcsCode::parse(&item) {
                Ok(c) => push_unique(&mut s.ics, c.as_str().to_string()),
                Err(e) => w.push(format!("{col}: {e}")),
            }
        }
    }
    if let Some((col, v)) = get(StdField::ccs) {
        for item in list(v, LIST_SEPS) {
            match CcsCode::parse(&item) {
                Ok(c) => push_unique(&mut s.ccs, c.as_str().to_string()),
                Err(e) => w.push(format!("{col}: {e}")),
            }
        }
    }
    s.department = get(StdField::department).and_then(|(_, v)| joined(v));
    s.technical_committee = get(StdField::technical_committee).and_then(|(_, v)| joined(v));
    if s.technical_committee.is_none() {
        s.technical_committee = committees.first().cloned();
    }
    if let Some((_, v)) = get(StdField::drafters) {
        s.drafters = list(v, LIST_SEPS);
    }
    if let Some((_, v)) = get(StdField::adopted) {
        s.adoption = text(v).map(|t| parse_adoption(&t));
    }
    // Mapping files give the degree in a column of its own (`adoption_type: "idt"`).
    if let Some((col, v)) = get(StdField::adoption_degree) {
        let raw = text(v).unwrap_or_default();
        match (AdoptionDegree::parse(&raw), s.adoption.as_mut()) {
            (Some(d), Some(a)) => {
                if a.degree.is_none() {
                    a.degree = Some(d);
                }
            }
            (Some(_), None) => w.push(format!("{col}: a degree {raw:?} but no adopted standard")),
            (None, _) => w.push(format!(
                "{col}: unknown adoption degree {raw:?}, left empty"
            )),
        }
    }
    s.scope = get(StdField::scope)
        .and_then(|(_, v)| text(v))
        .map(plain_text);
    s.category = get(StdField::category).and_then(|(_, v)| joined(v));
    if let Some((_, v)) = get(StdField::source) {
        for u in list(v, &[';', '；', '\n']) {
            push_unique(&mut s.sources, u);
        }
    }
    Ok(Converted {
        record: Record::Standard(s),
        warnings: w,
    })
}

fn convert_notification(
    row: &[(String, Value)],
    aliases: &Aliases,
    source: &str,
    unknown: &mut BTreeSet<String>,
) -> Result<Converted, String> {
    let f = pick(row, |k| aliases.notification_field(k), aliases, unknown);
    let get = |field: NotifField| f.get(&field).copied();
    let Some((col, raw)) = get(NotifField::symbol) else {
        return Err("no notification symbol".to_string());
    };
    let sym_text = text(raw).unwrap_or_default();
    let symbol = NotificationSymbol::parse(&sym_text).map_err(|e| format!("{col}: {e}"))?;
    let mut n = Notification::new(symbol);
    let mut w = Vec::new();
    n.sources.push(source.to_string());

    let member_en = get(NotifField::member).and_then(|(_, v)| text(v));
    let member_zh = get(NotifField::member_zh).and_then(|(_, v)| text(v));
    n.member_name = member_en.clone().or_else(|| member_zh.clone());
    let resolved = member_en
        .as_deref()
        .and_then(Member::lookup)
        .or_else(|| member_zh.as_deref().and_then(Member::lookup));
    match (resolved, n.symbol.member()) {
        (Some(m), Some(sym_member)) if m.code != sym_member => w.push(format!(
            "member {:?} is {} but the symbol says {sym_member}; kept {sym_member}",
            n.member_name.as_deref().unwrap_or_default(),
            m.code
        )),
        (Some(m), None) => n.member = Some(m.code.to_string()),
        (None, None) => {
            if let Some(name) = &n.member_name {
                w.push(format!("member {name:?} is not a known WTO member"));
            }
        }
        _ => {}
    }
    n.distribution_date = date(get(NotifField::distribution_date), &mut w);
    n.comment_deadline = date(get(NotifField::comment_deadline), &mut w);
    n.proposed_adoption = date(get(NotifField::proposed_adoption), &mut w);
    n.entry_into_force = date(get(NotifField::entry_into_force), &mut w);
    let title_any = get(NotifField::title)
        .and_then(|(_, v)| text(v))
        .map(plain_text);
    n.title_en = get(NotifField::title_en)
        .and_then(|(_, v)| text(v))
        .map(plain_text)
        .or_else(|| title_any.clone().filter(|t| !has_cjk(t)));
    n.title_zh = get(NotifField::title_zh)
        .and_then(|(_, v)| text(v))
        .map(plain_text)
        .or_else(|| title_any.filter(|t| has_cjk(t)));
    n.products = get(NotifField::products)
        .and_then(|(_, v)| joined(v))
        .map(plain_text);
    if let Some((col, v)) = get(NotifField::hs_codes) {
        for item in list(v, LIST_SEPS) {
            match parse_hs(&item) {
                Ok(c) => {
                    if !n.hs_codes.contains(&c) {
                        n.hs_codes.push(c)
                    }
                }
                Err(e) => w.push(format!("{col}: {e}")),
            }
        }
    }
    if let Some((col, v)) = get(NotifField::ics_codes) {
        for item in list(v, LIST_SEPS) {
            match IcsCode::parse(&item) {
                Ok(c) => {
                    if !n.ics_codes.contains(&c) {
                        n.ics_codes.push(c)
                    }
                }
                Err(e) => w.push(format!("{col}: {e}")),
            }
        }
    }
    if let Some((_, v)) = get(NotifField::objectives) {
        n.objectives = list(v, &[';', '；', '\n']);
    }
    n.description = get(NotifField::description)
        .and_then(|(_, v)| text(v))
        .map(plain_text);
    n.language = get(NotifField::language).and_then(|(_, v)| text(v));
    if let Some((_, v)) = get(NotifField::source) {
        for u in list(v, &[';', '；', '\n']) {
            push_unique(&mut n.sources, u);
        }
    }

    // Family links: the declared base, the symbol's own base and parent, symbols in the text.
    let mut related: Vec<NotificationSymbol> = Vec::new();
    if let Some((col, v)) = get(NotifField::addendum_of) {
        for item in list(v, LIST_SEPS) {
            match NotificationSymbol::parse(&item) {
                Ok(s) => related.push(s),
                Err(e) => w.push(format!("{col}: {e}")),
            }
        }
    }
    if !n.symbol.is_base() {
        related.push(n.symbol.base());
        if let Some(p) = n.symbol.parent() {
            related.push(p);
        }
    }
    for t in [&n.description, &n.title_en, &n.title_zh]
        .into_iter()
        .flatten()
    {
        related.extend(NotificationSymbol::find_all(t).into_iter().map(|(_, s)| s));
    }
    for s in related {
        if s != n.symbol && !n.related.contains(&s) {
            n.related.push(s);
        }
    }
    let mut cited: Vec<StandardCode> = Vec::new();
    for t in [&n.title_en, &n.title_zh, &n.description, &n.products]
        .into_iter()
        .flatten()
    {
        for (_, c) in StandardCode::find_all(t) {
            if !cited.contains(&c) {
                cited.push(c);
            }
        }
    }
    n.cited_standards = cited;
    Ok(Converted {
        record: Record::Notification(n),
        warnings: w,
    })
}

/// Fixes typing slips seen in real exports: a doubled prefix (`T/CSGF T/CSGF024—2023`), a dot
/// or a second dash before the year (`T/HSCA 001.—2017`, `001--2017`). `None` if nothing changed.
pub(crate) fn repair_code(raw: &str) -> Option<String> {
    let folded = biaozhun_model::normalize::fold(raw);
    let mut t = folded.trim().to_string();
    if let Some((first, rest)) = t.split_once(char::is_whitespace) {
        let rest = rest.trim_start();
        if first.len() >= 2 && rest.starts_with(first) {
            t = rest.to_string();
        }
    }
    while t.contains("--") {
        t = t.replace("--", "-");
    }
    t = t.replace(".-", "-").replace("-.", "-");
    let t = t.trim_end_matches('.').to_string();
    (t != folded.trim()).then_some(t)
}

/// Separators of list values written as one string.
const LIST_SEPS: &[char] = &[';', '；', ',', '，', '、', '\n'];

/// A scalar as text (numbers too); arrays joined with `; `; blank is `None`.
pub(crate) fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        Value::Array(_) => joined(v),
        Value::Object(o) => ["name", "text", "value", "code", "title"]
            .iter()
            .find_map(|k| o.get(*k).and_then(text)),
        _ => None,
    }
}

fn joined(v: &Value) -> Option<String> {
    match v {
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().filter_map(text).collect();
            Some(parts.join("; ")).filter(|s| !s.is_empty())
        }
        other => text(other),
    }
}

/// A list value: array elements, or one string split at `seps`.
fn list(v: &Value, seps: &[char]) -> Vec<String> {
    let mut out = Vec::new();
    match v {
        Value::Array(a) => {
            for item in a {
                if let Some(t) = match item {
                    Value::Object(o) => ["code", "id", "name", "text", "value"]
                        .iter()
                        .find_map(|k| o.get(*k).and_then(text)),
                    other => text(other),
                } {
                    out.push(t);
                }
            }
        }
        other => {
            if let Some(t) = text(other) {
                out.extend(
                    t.split(seps)
                        .map(str::trim)
                        .filter(|p| !p.is_empty())
                        .map(str::to_string),
                );
            }
        }
    }
    out
}

fn date(field: Option<(&str, &Value)>, warnings: &mut Vec<String>) -> Option<chrono::NaiveDate> {
    let (col, v) = field?;
    match parse_date_value(v) {
        Ok(d) => d,
        Err(e) => {
            warnings.push(format!("{col}: {e}"));
            None
        }
    }
}

/// Standard codes from a list value. Items that are technical-committee numbers (`TC291`, seen
/// in the `replacedBy` column of a real export) go to `committees` instead of being lost.
fn codes(
    field: Option<(&str, &Value)>,
    warnings: &mut Vec<String>,
    committees: &mut Vec<String>,
) -> Vec<StandardCode> {
    let Some((col, v)) = field else {
        return Vec::new();
    };
    let mut out: Vec<StandardCode> = Vec::new();
    for item in list(v, LIST_SEPS) {
        let found: Vec<StandardCode> = match StandardCode::parse(&item) {
            Ok(c) => vec![c],
            Err(e) => {
                let in_text: Vec<StandardCode> = StandardCode::find_all(&item)
                    .into_iter()
                    .map(|(_, c)| c)
                    .collect();
                if in_text.is_empty() {
                    if is_committee(&item) {
                        warnings.push(format!(
                            "{col}: {item:?} is a technical committee, not a standard; \
                             kept as technical_committee"
                        ));
                        committees.push(format!("SAC/{item}"));
                    } else {
                        warnings.push(format!("{col}: {e}"));
                    }
                }
                in_text
            }
        };
        for c in found {
            if !out.contains(&c) {
                out.push(c);
            }
        }
    }
    out
}

fn is_committee(s: &str) -> bool {
    let t = s.trim().to_ascii_uppercase();
    let t = t.strip_prefix("SAC/").unwrap_or(&t);
    t.strip_prefix("TC")
        .map(|r| {
            let r = r.trim();
            !r.is_empty()
                && r.split('/').all(|p| {
                    p.trim()
                        .trim_start_matches("SC")
                        .trim_start()
                        .chars()
                        .all(|c| c.is_ascii_digit())
                })
        })
        .unwrap_or(false)
}

/// `8415.10`, `9503`, also `8415: Air conditioning machines` (an ePing label).
fn parse_hs(item: &str) -> Result<HsCode, biaozhun_model::ClassifyError> {
    HsCode::parse(item).or_else(|e| {
        let lead: String = item
            .chars()
            .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | ' '))
            .collect();
        // Only a label after a separator (`8415: Air…`, `8415 - Air…`), not `95x`.
        let rest = &item[lead.len()..];
        let separated = rest.starts_with([':', '：', '-', '(', '（']) || lead.ends_with(' ');
        if lead.trim().len() >= 2 && separated {
            HsCode::parse(lead.trim())
        } else {
            Err(e)
        }
    })
}

/// `ISO 690:2010, MOD`, `IEC 61010-1:2001 IDT`, `ISO/IEC Guide 21-1999 (≈)`.
pub(crate) fn parse_adoption(raw: &str) -> Adoption {
    Adoption::parse(raw)
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.contains(&s) {
        v.push(s);
    }
}

fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF))
}

/// Plain text of a value that may contain HTML (ePing titles carry `<em>`, `&amp;`): tags
/// dropped, common entities decoded, whitespace collapsed.
pub fn plain_text(s: String) -> String {
    if !s.contains(['<', '&']) && !s.contains(char::is_whitespace) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '<' if chars
                .peek()
                .is_some_and(|n| n.is_ascii_alphabetic() || *n == '/' || *n == '!') =>
            {
                in_tag = true;
                out.push(' ');
            }
            '>' if in_tag => in_tag = false,
            _ if in_tag => {}
            '&' => {
                let mut ent = String::new();
                while let Some(&n) = chars.peek() {
                    if n == ';' || ent.len() > 8 || !(n.is_ascii_alphanumeric() || n == '#') {
                        break;
                    }
                    ent.push(n);
                    chars.next();
                }
                let decoded = if chars.peek() == Some(&';') {
                    decode_entity(&ent)
                } else {
                    None
                };
                match decoded {
                    Some(d) => {
                        chars.next();
                        out.push(d);
                    }
                    None => {
                        out.push('&');
                        out.push_str(&ent);
                    }
                }
            }
            c => out.push(c),
        }
    }
    // Collapse runs of whitespace, but keep the text's own single spaces.
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

fn decode_entity(e: &str) -> Option<char> {
    Some(match e {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        _ => {
            let num = e.strip_prefix('#')?;
            let n = match num.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(n)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_to_plain() {
        assert_eq!(
            plain_text("Toys: <em>water</em>&nbsp;beads &amp; more".into()),
            "Toys: water beads & more"
        );
        assert_eq!(plain_text("a < b & c".into()), "a < b & c");
        assert_eq!(plain_text("&#24040;&#x4E00;".into()), "巨一");
    }

    #[test]
    fn adoptions() {
        let a = parse_adoption("ISO 1998-1:1998, ISO 1998-2:1998 NEQ");
        assert_eq!(a.code, "ISO 1998-1:1998, ISO 1998-2:1998");
        assert_eq!(a.degree, Some(AdoptionDegree::Neq));
        let a = parse_adoption("ISO 690:2010, MOD");
        assert_eq!(
            (a.code.as_str(), a.degree),
            ("ISO 690:2010", Some(AdoptionDegree::Mod))
        );
        // The old notations are degrees of their own now (they were dropped before).
        let a = parse_adoption("ISO/IEC Guide 21-1999 (≈)");
        assert_eq!(
            (a.code.as_str(), a.degree),
            ("ISO/IEC Guide 21-1999", Some(AdoptionDegree::Approx))
        );
        let a = parse_adoption("ISO 3166-1:1997 EQV");
        assert_eq!(a.degree, Some(AdoptionDegree::Eqv));
    }

    #[test]
    fn repairs() {
        assert_eq!(
            repair_code("T/CSGF T/CSGF024—2023").as_deref(),
            Some("T/CSGF024-2023")
        );
        assert_eq!(
            repair_code("T/HSCA 001.—2017").as_deref(),
            Some("T/HSCA 001-2017")
        );
        assert_eq!(repair_code("GB 1-2000"), None);
    }

    #[test]
    fn committees() {
        assert!(is_committee("TC291"));
        assert!(is_committee("SAC/TC 291/SC 3"));
        assert!(!is_committee("GB 1"));
    }
}
