//! WTO notification documents (the numbered-box form) as [`Notification`] records.
//!
//! Reads the English original (`1. Notifying Member: … 10. Final date for comments: …`) and
//! the Chinese translation used by Chinese TBT/SPS portals (`1. 通报成员：… 10. 提意见截止日期：…`),
//! as plain text or after HTML/PDF extraction. Boxes are recognised by their number at the
//! start of a line, counting up, so `2.9.2` inside box 3 does not open a box.
//!
//! Dates are read in any layout the model's date finder knows (`15 January 2027`,
//! `2027-01-15`, `2027年1月15日`); relative dates ("60 days from notification") cannot be
//! resolved without the distribution date rules of each agreement and stay `None` with a
//! warning.

use std::sync::OnceLock;

use biaozhun_model::normalize::fold;
use biaozhun_model::{HsCode, IcsCode, Member, Notification, NotificationSymbol, StandardCode};
use chrono::NaiveDate;
use regex::Regex;

/// Why a text is not a notification form.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoticeFormError {
    /// No `G/TBT/N/…` or `G/SPS/N/…` symbol near the top.
    #[error("no WTO notification symbol (such as G/TBT/N/SAU/1190) at the top of the document")]
    NoSymbol,
    /// A symbol but no numbered boxes.
    #[error("no numbered boxes (1. Notifying Member / 1. 通报成员) found")]
    NoBoxes,
}

/// A parsed form and what could not be read from it.
#[derive(Debug, Clone)]
pub struct ParsedForm {
    /// The notification.
    pub notification: Notification,
    /// Fields present but not understood (relative dates, unknown member).
    pub warnings: Vec<String>,
}

/// Parses a notification form; warnings are logged. See [`parse_form`] to receive them.
pub fn parse_notification_form(text: &str) -> Result<Notification, NoticeFormError> {
    let parsed = parse_form(text)?;
    for w in &parsed.warnings {
        tracing::warn!(symbol = %parsed.notification.symbol, warning = %w, "notification form");
    }
    Ok(parsed.notification)
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| unreachable!("bad regex {e}")))
}

/// Parses a notification form, returning the warnings with the record.
pub fn parse_form(text: &str) -> Result<ParsedForm, NoticeFormError> {
    let text = text.trim_start_matches('\u{feff}');
    let head_end = text.char_indices().nth(600).map_or(text.len(), |(i, _)| i);
    let (_, symbol) = NotificationSymbol::find_all(&text[..head_end])
        .into_iter()
        .next()
        .ok_or(NoticeFormError::NoSymbol)?;
    let boxes = split_boxes(text);
    if boxes.is_empty() {
        return Err(NoticeFormError::NoBoxes);
    }
    let zh = boxes
        .iter()
        .any(|(_, b)| b.contains("通报成员") || b.contains("覆盖的产品"));
    let mut n = Notification::new(symbol.clone());
    let mut warnings = Vec::new();
    n.language = Some(if zh { "zh" } else { "en" }.to_string());
    // The distribution date is the first date before box 1.
    let first_box = text
        .find(boxes[0].1.lines().next().unwrap_or_default())
        .unwrap_or(text.len());
    n.distribution_date = first_date(&text[..first_box]);
    let get = |k: u32| boxes.iter().find(|(n, _)| *n == k).map(|(_, t)| t.as_str());

    if let Some(b) = get(1) {
        let name = after_label(first_line(b)).trim().to_string();
        if !name.is_empty() {
            match lookup_member(&name) {
                Some(m) => n.member = Some(m.code.to_string()),
                None if n.member.is_some() => {}
                None => warnings.push(format!("unknown notifying member {name:?}")),
            }
            n.member_name = Some(name);
        }
    }
    if let Some(b) = get(4) {
        let products = after_label(b).trim().to_string();
        n.hs_codes = hs_codes(&products);
        n.ics_codes = ics_codes(&products);
        n.products = Some(products).filter(|p| !p.is_empty());
    }
    let mut cite_text = String::new();
    if let Some(b) = get(5) {
        let title = strip_page_info(after_label(b).trim());
        cite_text.push_str(&title);
        cite_text.push('\n');
        if !title.is_empty() {
            if zh {
                n.title_zh = Some(title);
            } else {
                n.title_en = Some(title);
            }
        }
    }
    if let Some(b) = get(6) {
        let d = collapse(after_label(b));
        cite_text.push_str(&d);
        cite_text.push('\n');
        n.description = Some(d).filter(|d| !d.is_empty());
    }
    if let Some(b) = get(7) {
        n.objectives = objectives(after_label(b));
    }
    if let Some(b) = get(8) {
        cite_text.push_str(after_label(b));
    }
    for (_, code) in StandardCode::find_all(&cite_text) {
        if !n.cited_standards.contains(&code) {
            n.cited_standards.push(code);
        }
    }
    if let Some(b) = get(9) {
        for line in b.lines() {
            let lower = line.to_lowercase();
            let value = after_label(line).trim();
            if value.is_empty() {
                continue;
            }
            let slot = if lower.contains("entry into force") || line.contains("生效") {
                ("entry into force", &mut n.entry_into_force)
            } else if lower.contains("adoption") || line.contains("批准") || line.contains("通过")
            {
                ("adoption", &mut n.proposed_adoption)
            } else {
                continue;
            };
            *slot.1 = first_date(value);
            if slot.1.is_none() {
                warnings.push(format!("proposed date of {} not a date: {value:?}", slot.0));
            }
        }
    }
    if let Some(b) = get(10) {
        let value = after_label(first_line(b)).trim();
        n.comment_deadline = first_date(value);
        if n.comment_deadline.is_none() && !value.is_empty() {
            warnings.push(format!(
                "final date for comments not a date: {value:?} (relative dates are not resolved)"
            ));
        }
    }
    for (_, s) in NotificationSymbol::find_all(text) {
        if s != symbol && !n.related.contains(&s) {
            n.related.push(s);
        }
    }
    Ok(ParsedForm {
        notification: n,
        warnings,
    })
}

/// Splits the form into numbered boxes `(number, text)`, numbers counting up from 1.
fn split_boxes(text: &str) -> Vec<(u32, String)> {
    static BOX: OnceLock<Regex> = OnceLock::new();
    let box_re = re(&BOX, r"^\s*(\d{1,2})\s*[.．、]\s*(\S.*)$");
    let mut boxes: Vec<(u32, String)> = Vec::new();
    for line in text.lines() {
        let expected = boxes.last().map_or(1, |(n, _)| n + 1);
        if let Some(m) = box_re.captures(line) {
            if m[1].parse::<u32>().ok() == Some(expected) {
                boxes.push((expected, m[2].to_string()));
                continue;
            }
        }
        if let Some((_, t)) = boxes.last_mut() {
            t.push('\n');
            t.push_str(line.trim());
        }
    }
    for (_, t) in &mut boxes {
        *t = t.trim().to_string();
    }
    boxes
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or_default()
}

/// The value after a box label: the text after the first `:`/`：` outside parentheses.
fn after_label(s: &str) -> &str {
    let mut depth = 0i32;
    for (i, c) in s.char_indices() {
        match c {
            '(' | '（' => depth += 1,
            ')' | '）' => depth -= 1,
            ':' | '：' if depth <= 0 => return &s[i + c.len_utf8()..],
            _ => {}
        }
    }
    s
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn first_date(s: &str) -> Option<NaiveDate> {
    let folded = fold(s).to_lowercase();
    biaozhun_model::dates::find_dates(&folded)
        .into_iter()
        .next()
        .map(|(_, d)| d)
}

/// `KINGDOM OF SAUDI ARABIA` → the member list writes `Saudi Arabia, Kingdom of`.
fn lookup_member(name: &str) -> Option<&'static Member> {
    let clean = name.trim().trim_end_matches(['.', '。']);
    Member::lookup(clean).or_else(|| {
        let lower = clean.to_lowercase();
        for prefix in ["kingdom of ", "republic of ", "state of ", "the "] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                let title = prefix.trim().trim_start_matches("the").trim();
                let flipped = format!("{rest}, {title}");
                if let Some(m) = Member::lookup(&flipped).or_else(|| Member::lookup(rest)) {
                    return Some(m);
                }
            }
        }
        None
    })
}

/// HS codes: numbers in the segment after `HS` (`HS 7311, 8402`, `HS编码：0808、0701`).
fn hs_codes(products: &str) -> Vec<HsCode> {
    static HS: OnceLock<Regex> = OnceLock::new();
    static NUM: OnceLock<Regex> = OnceLock::new();
    let hs = re(
        &HS,
        r"(?i)HS(?:\s*(?:code|codes|编码|编号|税号))?\s*[:：]?\s*((?:\d{2,4}(?:[.\s]\d{2}){0,3}\s*(?:[,，、;；/]|and|和|及)?\s*)+)",
    );
    let num = re(&NUM, r"\d{2,4}(?:\.\d{2}){0,3}");
    let mut out: Vec<HsCode> = Vec::new();
    for m in hs.captures_iter(&fold(products)) {
        for d in num.find_iter(&m[1]) {
            if let Ok(code) = HsCode::parse(d.as_str()) {
                if !out.contains(&code) {
                    out.push(code);
                }
            }
        }
    }
    out
}

/// ICS codes after `ICS`.
fn ics_codes(products: &str) -> Vec<IcsCode> {
    static ICS: OnceLock<Regex> = OnceLock::new();
    static NUM: OnceLock<Regex> = OnceLock::new();
    let ics = re(
        &ICS,
        r"ICS\s*[:：]?\s*((?:\d{2}(?:\.\d{3}(?:\.\d{2})?)?\s*[,，、;；]?\s*)+)",
    );
    let num = re(&NUM, r"\d{2}(?:\.\d{3}(?:\.\d{2})?)?");
    let mut out: Vec<IcsCode> = Vec::new();
    for m in ics.captures_iter(&fold(products)) {
        for d in num.find_iter(&m[1]) {
            if let Ok(code) = IcsCode::parse(d.as_str()) {
                if !out.contains(&code) {
                    out.push(code);
                }
            }
        }
    }
    out
}

/// Drops the page count and languages from a title (`… (12 page(s), in English)`,
/// `…；页数：14页；使用语言：英语`).
fn strip_page_info(title: &str) -> String {
    static PAGES: OnceLock<Regex> = OnceLock::new();
    let pages = re(
        &PAGES,
        r"(?i)\s*(?:\(\s*\d+\s*page|[;；,，]\s*(?:页数|\d+\s*页|使用语言|语言)).*$",
    );
    collapse(&pages.replace(title, ""))
}

/// Objectives: the ticked items (`[X] 食品安全`) or, without boxes, the `;`-separated list.
fn objectives(s: &str) -> Vec<String> {
    static TICKED: OnceLock<Regex> = OnceLock::new();
    let ticked = re(&TICKED, r"\[\s*[xX✓√]\s*\]\s*([^\[\]]+)");
    let found: Vec<String> = ticked
        .captures_iter(s)
        .map(|m| {
            m[1].trim()
                .trim_end_matches([',', '，', ';', '；'])
                .trim()
                .to_string()
        })
        .filter(|o| !o.is_empty())
        .collect();
    if !found.is_empty() || s.contains('[') {
        return found;
    }
    s.split([';', '；'])
        .map(|o| collapse(o).trim_end_matches('.').to_string())
        .filter(|o| !o.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_codes() {
        assert_eq!(after_label("Products covered (see (a): b): X"), " X");
        let hs: Vec<String> = hs_codes("boilers (HS 7311, 8402, 8419.90); (ICS 23.020.30)")
            .iter()
            .map(|h| h.digits().to_string())
            .collect();
        assert_eq!(hs, ["7311", "8402", "841990"]);
        assert_eq!(
            strip_page_info("Technical Regulation (12 page(s), in English)"),
            "Technical Regulation"
        );
    }
}
