//! The cover page of a Chinese standard: number, ICS/CCS, titles, dates, issuers, replaced
//! edition and adoption of an international standard.

use std::borrow::Cow;
use std::sync::OnceLock;

use biaozhun_model::normalize::fold;
use biaozhun_model::{Adoption, AdoptionDegree, CcsCode, IcsCode, StandardCode};
use chrono::NaiveDate;
use regex::Regex;

use crate::extract::quality::{decode_glyph_latin, is_cjk};

/// What the cover says.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Cover {
    pub code: Option<StandardCode>,
    pub ics: Vec<String>,
    pub ccs: Vec<String>,
    pub title_zh: Option<String>,
    pub title_en: Option<String>,
    pub issue_date: Option<NaiveDate>,
    pub implement_date: Option<NaiveDate>,
    pub issuers: Vec<String>,
    pub replaces: Vec<StandardCode>,
    pub adoption: Option<Adoption>,
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| unreachable!("bad regex {e}")))
}

fn date_re(word: &str) -> Regex {
    // `2015-05-15 发布`, `2015年5月15日发布`, `20200929 发布`, `2015\n05\n15 发布`.
    let pattern = format!(
        r"(\d{{4}})[^\d]{{0,3}}?(\d{{1,2}})[^\d]{{0,3}}?(\d{{1,2}})\s*日?\s*{}",
        word.chars()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
            .join(r"\s*")
    );
    Regex::new(&pattern).unwrap_or_else(|e| unreachable!("bad regex {e}"))
}

fn ymd(caps: &regex::Captures<'_>) -> Option<NaiveDate> {
    let y = caps.get(1)?.as_str().parse().ok()?;
    let m = caps.get(2)?.as_str().parse().ok()?;
    let d = caps.get(3)?.as_str().parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Parses the cover: the text before the first body heading.
pub(crate) fn parse_cover(raw: &str, whole: &str) -> Cover {
    static ISSUE: OnceLock<Regex> = OnceLock::new();
    static IMPLEMENT: OnceLock<Regex> = OnceLock::new();
    static ICS: OnceLock<Regex> = OnceLock::new();
    static CCS: OnceLock<Regex> = OnceLock::new();
    static BARE_CCS: OnceLock<Regex> = OnceLock::new();
    static ADOPTION: OnceLock<Regex> = OnceLock::new();
    let text = decode_glyph_latin(raw);
    let folded = fold(&text);
    let mut c = Cover::default();
    let issue = ISSUE.get_or_init(|| date_re("发布"));
    let implement = IMPLEMENT.get_or_init(|| date_re("实施"));
    c.issue_date = issue.captures(&folded).and_then(|m| ymd(&m));
    c.implement_date = implement.captures(&folded).and_then(|m| ymd(&m));
    // Some scans print the dates at the very end; look there when the cover has none.
    if c.issue_date.is_none() && c.implement_date.is_none() {
        let all = fold(whole);
        c.issue_date = issue.captures(&all).and_then(|m| ymd(&m));
        c.implement_date = implement.captures(&all).and_then(|m| ymd(&m));
    }
    let ics = re(
        &ICS,
        r"ICS\s*((?:\d{2}(?:\.\d{3}(?:\.\d{2})?)?)(?:\s*[;,]\s*\d{2}(?:\.\d{3}(?:\.\d{2})?)?)*)",
    );
    if let Some(m) = ics.captures(&folded).and_then(|m| m.get(1)) {
        for part in m.as_str().split([';', ',']) {
            if let Ok(code) = IcsCode::parse(part.trim()) {
                c.ics.push(code.to_string());
            }
        }
    }
    let ccs = re(&CCS, r"(?m)CCS\s*([A-Z])\s*(\d{2})\b");
    let bare = re(&BARE_CCS, r"^\s*([A-Z])\s?(\d{2})(?:\s|$)");
    if let Some(m) = ccs.captures(&folded) {
        push_ccs(&mut c.ccs, &m[1], &m[2]);
    } else {
        // Old covers print the CCS code without a label, just under the ICS line.
        // (`fold` turns newlines into spaces, so fold line by line here.)
        for line in text.lines().filter(|l| !l.trim().is_empty()).take(8) {
            if let Some(m) = bare.captures(&fold(line)) {
                push_ccs(&mut c.ccs, &m[1], &m[2]);
                break;
            }
        }
    }
    let adoption = re(
        &ADOPTION,
        r"[(（]\s*((?:ISO|IEC|ITU|CAC|Codex|EN|ASTM|IEEE|OIML)[^,，)）]*?)\s*[,，][^)）]*?\b(IDT|MOD|NEQ)\s*[)）]",
    );
    if let Some(m) = adoption.captures(&folded) {
        let degree = match &m[2] {
            "IDT" => AdoptionDegree::Idt,
            "MOD" => AdoptionDegree::Mod,
            _ => AdoptionDegree::Neq,
        };
        c.adoption = Some(Adoption {
            code: m[1].trim().to_string(),
            degree: Some(degree),
        });
    }

    let mut title_zh: Vec<String> = Vec::new();
    let mut title_en: Vec<String> = Vec::new();
    let mut seen_dates = false;
    let mut in_parens = false;
    for line in text.lines() {
        let l = line.trim();
        if l.is_empty() {
            continue;
        }
        let l = &*latin_dashes(l);
        // `(ISO 690:2010, …, NEQ)` may run over several lines; it is not part of the title.
        if in_parens
            || l.starts_with(['(', '（'])
                && l.chars().filter(|c| c.is_ascii_alphabetic()).count() > 3
        {
            in_parens = !l.ends_with([')', '）']);
            continue;
        }
        let lf = fold(l);
        let squashed: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        if lf.contains("代替") || lf.contains("代 替") {
            c.replaces.extend(
                StandardCode::find_all(&lf)
                    .into_iter()
                    .map(|(_, code)| code),
            );
            continue;
        }
        if is_filing_number(&squashed) {
            continue;
        }
        if issue.is_match(&lf)
            || implement.is_match(&lf)
            || squashed.ends_with("实施")
            || squashed.ends_with("发布") && squashed.chars().take(2).all(|c| c.is_ascii_digit())
        {
            seen_dates = true;
            continue;
        }
        if c.code.is_none() && !lf.starts_with("ICS") {
            // The cover prints the number on a line of its own (spaced, OCR'd: see
            // `cover_code`); a code inside a sentence (a README, a foreword that cites another
            // standard) is not this document's number.
            if let Some(code) = super::cover_code::code_on_line(&lf) {
                c.code = Some(code);
                continue;
            }
        }
        let cjk = l.chars().filter(|c| is_cjk(*c)).count();
        let ascii_letters = l.chars().filter(char::is_ascii_alphabetic).count();
        if seen_dates {
            if cjk >= 4 && !is_watermark(&squashed) {
                // `…委员会 ”发 布`: the gap before `发布` read as a quote mark.
                let name: String = stray_quotes_to_gaps(std::slice::from_ref(&squashed))
                    .concat()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                let name = name.trim_end_matches("发布").to_string();
                if squashed.ends_with("发布") || is_organisation(&name) {
                    c.issuers.push(name);
                } else if title_zh.is_empty() && !is_banner(&squashed) {
                    // HTML covers may put the title heading after the dates.
                    title_zh.push(l.to_string());
                }
            }
            continue;
        }
        if cjk > 0 && ascii_letters <= cjk && !is_banner(&squashed) && !is_watermark(&squashed) {
            if !squashed.starts_with("ICS") && !squashed.starts_with("CCS") && squashed != "目次"
            {
                title_zh.push(l.to_string());
            }
        } else if cjk == 0
            && ascii_letters >= 8
            && !lf.starts_with('(')
            && !lf.starts_with("ICS")
            && !lf.starts_with("CCS")
        {
            title_en.push(l.to_string());
        }
    }
    if c.code.is_none() {
        // A number broken over two lines (`ＧＢ／` then `Ｔ １４８３３一 ９３`).
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        c.code = lines
            .windows(2)
            .find_map(|w| super::cover_code::code_on_two_lines(w[0], w[1]));
    }
    c.title_zh = join_title_zh(&title_zh);
    c.title_en = join_title_en(&title_en);
    c
}

fn push_ccs(out: &mut Vec<String>, letter: &str, digits: &str) {
    if let Ok(code) = CcsCode::parse(&format!("{letter}{digits}")) {
        out.push(code.to_string());
    }
}

/// `中华人民共和国国家标准`, `甘肃省地方标准`, `...行业标准`: the level banner, not a title.
fn is_banner(squashed: &str) -> bool {
    squashed.starts_with("中华人民共和国")
        && (squashed.ends_with("标准") || squashed.ends_with("规范"))
        || squashed.ends_with("地方标准")
        || squashed.ends_with("行业标准")
        || squashed.ends_with("团体标准")
        || squashed.ends_with("企业标准")
        || squashed == "国家标准"
        || squashed.chars().count() <= 2 && squashed.chars().all(|c| !is_cjk(c))
}

/// `备案号：44632—2014`: the number under which an industry or local standard was filed, printed
/// under the ICS and CCS codes of many covers. Its three hanzi and no Latin letters make it
/// look like a title line, so it is recognised by the label: `备案号` with at most one of its
/// hanzi misread (`备柔号`, `各案号`), in any spacing and punctuation, followed by
/// the number (digits, any dash) or by nothing when the number went to the next line. A title
/// that merely contains the word (`…备案号编码规则`) has more hanzi around the label.
fn is_filing_number(squashed: &str) -> bool {
    let chars: Vec<char> = squashed.chars().collect();
    let Some(at) = chars.windows(3).position(|w| {
        u8::from(w[0] == '备') + u8::from(w[1] == '案') + u8::from(w[2] == '号') >= 2
    }) else {
        return false;
    };
    let (before, rest) = (&chars[..at], &chars[at + 3..]);
    let hanzi = |s: &[char]| s.iter().filter(|c| is_cjk(**c)).count();
    // `一` is OCR's dash inside the number; one more stray hanzi is noise.
    let rest_hanzi = rest.iter().filter(|c| is_cjk(**c) && **c != '一').count();
    let digits = rest.iter().filter(|c| c.is_ascii_digit()).count();
    hanzi(before) <= 2
        && rest_hanzi <= 1
        && (digits >= 4 || rest.iter().all(|c| !c.is_alphanumeric()))
}

/// Issuing bodies end in an organisation word (局, 委员会, 署, 厅, ...).
fn is_organisation(name: &str) -> bool {
    [
        "局",
        "委员会",
        "署",
        "厅",
        "部",
        "院",
        "会",
        "中心",
        "政府",
        "办公室",
        "委",
        "协会",
        "学会",
    ]
    .iter()
    .any(|s| name.ends_with(s))
}

/// Distributor watermarks (`中国标准出版社授权…推广使用`) and page furniture on covers.
fn is_watermark(squashed: &str) -> bool {
    squashed.contains("授权")
        || squashed.contains("推广使用")
        || squashed.contains("出版社")
        || squashed.contains("版权")
        || squashed.starts_with("发布")
        || squashed == "发布"
        || squashed == "目次"
}

fn join_title_zh(parts: &[String]) -> Option<String> {
    if parts.is_empty() {
        return None;
    }
    // Vertical covers give one hanzi per line (`塑\n胶\n跑\n道`): join those without spaces.
    if parts.iter().all(|p| p.trim().chars().count() == 1) {
        return Some(parts.concat());
    }
    let parts = stray_quotes_to_gaps(parts);
    let mut out = String::new();
    for p in &parts {
        let p = p.split_whitespace().collect::<Vec<_>>().join(" ");
        if p.is_empty() {
            continue;
        }
        if !out.is_empty() {
            // A title broken mid-phrase (`…释放量的\n测定`) joins without a space.
            if out.ends_with('的') || out.ends_with('和') || out.ends_with('与') {
                out.push_str(&p);
                continue;
            }
            out.push(' ');
        }
        out.push_str(&p);
    }
    Some(out)
}

/// `…synthetic sports surfaces一`: OCR reads the em dash between the parts of an English
/// title as the hanzi `一`, which made the line count as Chinese and dropped it from both
/// titles. In a line of Latin words whose only hanzi is `一`, it is the dash, set without the
/// spaces OCR puts around it (`surfaces—Environmental`, as text layers print it).
fn latin_dashes(l: &str) -> Cow<'_, str> {
    let latin = l.chars().filter(char::is_ascii_alphabetic).count();
    if latin >= 8 && l.contains('一') && l.chars().all(|c| c == '一' || !is_cjk(c)) {
        let parts: Vec<&str> = l.split('一').map(str::trim).collect();
        Cow::Owned(parts.join("—"))
    } else {
        Cow::Borrowed(l)
    }
}

/// Quote marks that pair with none: OCR reads the wide gap a cover sets between a title's parts
/// (`…的测定  环境测试舱法`), and at times a dash or a line end, as `”` or `"`. A title quotes
/// in pairs (`“互联网+”…`, also across the lines of a title), so a quote mark without its
/// partner in the whole title is a gap: it becomes a space inside a line and goes at a line's
/// ends. `“` opens, `”` closes, a straight `"` does what is due (OCR mixes the kinds).
fn stray_quotes_to_gaps(parts: &[String]) -> Vec<String> {
    let mut chars: Vec<Vec<char>> = parts.iter().map(|p| p.chars().collect()).collect();
    let mut stray: Vec<(usize, usize)> = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, line) in chars.iter().enumerate() {
        for (j, &c) in line.iter().enumerate() {
            match (c, open) {
                // A second opening quote: the first had no partner.
                ('“', Some(at)) => {
                    stray.push(at);
                    open = Some((i, j));
                }
                ('“' | '"' | '＂', None) => open = Some((i, j)),
                ('”' | '"' | '＂', Some(_)) => open = None,
                ('”', None) => stray.push((i, j)),
                _ => {}
            }
        }
    }
    stray.extend(open);
    for (i, j) in stray {
        if let Some(c) = chars.get_mut(i).and_then(|l| l.get_mut(j)) {
            // A space at a line's end is trimmed by the join; inside it separates the parts.
            *c = ' ';
        }
    }
    chars
        .into_iter()
        .map(|l| l.into_iter().collect::<String>().trim().to_string())
        .collect()
}

fn join_title_en(parts: &[String]) -> Option<String> {
    let mut out = String::new();
    for p in parts {
        let p = p.trim();
        if !out.is_empty() && !out.ends_with('—') && !out.ends_with('-') {
            out.push(' ');
        }
        out.push_str(p);
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_ccs_and_adoption() {
        let c = parse_cover(
            "ICS01.140.20\nA 14\n\n中华人民共和国国家标准\nGB/T 7714—2015\n代替 GB/T7714—2005\n信息与文献 参考文献著录规则\nInformation and documentation—Rules\n(ISO690:2010,Information and documentation—Guidelines for\nbibliographic references,NEQ)\n2015-05-15发布 2015-12-01实施\n",
            "",
        );
        assert_eq!(c.ccs, vec!["A14"]);
        assert_eq!(c.ics, vec!["01.140.20"]);
        assert_eq!(
            c.title_en.as_deref(),
            Some("Information and documentation—Rules")
        );
        assert_eq!(c.adoption.map(|a| a.code), Some("ISO690:2010".to_string()));
    }
}
