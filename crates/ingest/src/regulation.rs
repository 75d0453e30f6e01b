//! Laws and regulations (标准化法, 产品质量法, provincial 标准化条例) as [`Regulation`] records
//! split into chapters (第一章 总则), sections (第一节) and articles (第十条 …).
//!
//! The input layout is the Markdown of the shared law files: a `#` title, info lines with the
//! adoption and amendment history, `<!-- INFO END -->`, `##` chapter headings and one article
//! per paragraph starting with `第…条`. Plain text with the same markers works too.

use std::sync::OnceLock;

use biaozhun_model::{Regulation, RegulationSection};
use chrono::NaiveDate;
use regex::Regex;

/// Why a text is not a regulation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegulationError {
    /// No title line (a `#` heading or a first non-empty line).
    #[error("{file}: no title found")]
    NoTitle {
        /// The file name.
        file: String,
    },
    /// Not a single `第…条` article.
    #[error("{file}: no articles (第…条) found")]
    NoArticles {
        /// The file name.
        file: String,
    },
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| unreachable!("bad regex {e}")))
}

const NUM: &str = "[一二三四五六七八九十百千零〇两]+";

/// Parses a law or regulation; `file_name` gives the id (`标准化法(2017-11-04).md` →
/// `标准化法-2017-11-04`) and is used in error messages.
pub fn parse_regulation(file_name: &str, text: &str) -> Result<Regulation, RegulationError> {
    static CHAPTER: OnceLock<Regex> = OnceLock::new();
    static SECTION: OnceLock<Regex> = OnceLock::new();
    static ARTICLE: OnceLock<Regex> = OnceLock::new();
    let chapter_re = re(&CHAPTER, &format!(r"^(第{NUM}章)\s*(.*)$"));
    let section_re = re(&SECTION, &format!(r"^(第{NUM}节)\s*(.*)$"));
    let article_re = re(
        &ARTICLE,
        &format!(r"^(第{NUM}条(?:之{NUM})?)(?:\s+|　|$)(.*)$"),
    );
    let text = text.trim_start_matches('\u{feff}');
    let (info, body) = match text.find("<!-- INFO END -->") {
        Some(i) => (&text[..i], &text[i + "<!-- INFO END -->".len()..]),
        None => ("", text),
    };
    let title_line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .ok_or_else(|| RegulationError::NoTitle {
            file: file_name.to_string(),
        })?;
    let title = title_line.trim_start_matches('#').trim().to_string();
    if title.is_empty() {
        return Err(RegulationError::NoTitle {
            file: file_name.to_string(),
        });
    }
    let mut sections: Vec<RegulationSection> = Vec::new();
    let mut articles = 0usize;
    let body = if info.is_empty() {
        // Skip the title line itself.
        text.split_once(title_line).map_or(text, |(_, rest)| rest)
    } else {
        body
    };
    for line in body.lines() {
        let l = line.trim().trim_start_matches('#').trim();
        if l.is_empty() {
            continue;
        }
        if let Some(m) = chapter_re.captures(l) {
            sections.push(section(&m[1], m[2].trim(), 1));
        } else if let Some(m) = section_re.captures(l) {
            sections.push(section(&m[1], m[2].trim(), 2));
        } else if let Some(m) = article_re.captures(l) {
            articles += 1;
            let mut s = section(&m[1], "", 3);
            s.text = m[2].trim().to_string();
            sections.push(s);
        } else if let Some(last) = sections.last_mut().filter(|s| s.level == 3) {
            last.text.push('\n');
            last.text.push_str(l);
        }
    }
    if articles == 0 {
        return Err(RegulationError::NoArticles {
            file: file_name.to_string(),
        });
    }
    let history: Vec<(NaiveDate, &str)> = info
        .lines()
        .filter_map(|l| find_date(l).map(|d| (d, l)))
        .collect();
    let promulgated = history.iter().map(|(d, _)| *d).max().or_else(|| {
        file_stem(file_name)
            .rsplit_once('(')
            .and_then(|(_, d)| NaiveDate::parse_from_str(d.trim_end_matches(')'), "%Y-%m-%d").ok())
    });
    let issuer = history.iter().rev().find_map(|(_, l)| issuer_of(l));
    let effective = sections
        .iter()
        .filter(|s| s.level == 3)
        .rev()
        .find_map(|s| effective_date(&s.text));
    Ok(Regulation {
        id: regulation_id(file_name, &title),
        title,
        issuer,
        promulgated,
        effective,
        sections,
        sources: vec![file_name.to_string()],
    })
}

fn section(number: &str, title: &str, level: u8) -> RegulationSection {
    RegulationSection {
        number: number.to_string(),
        title: title.to_string(),
        level,
        text: String::new(),
    }
}

fn file_stem(file_name: &str) -> &str {
    let base = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name);
    base.rsplit_once('.').map_or(base, |(stem, _)| stem)
}

/// `标准化法(2017-11-04).md` → `标准化法-2017-11-04`; without a file name, the title.
pub fn regulation_id(file_name: &str, title: &str) -> String {
    let stem = file_stem(file_name);
    let stem = if stem.is_empty() { title } else { stem };
    let mut id = String::new();
    for c in stem.chars() {
        match c {
            '(' | '（' => {
                if !id.ends_with('-') {
                    id.push('-');
                }
            }
            ')' | '）' => {}
            c if c.is_whitespace() => id.push('-'),
            c => id.push(c),
        }
    }
    id.trim_matches('-').to_string()
}

fn find_date(s: &str) -> Option<NaiveDate> {
    static DATE: OnceLock<Regex> = OnceLock::new();
    let m = re(&DATE, r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日").captures(s)?;
    NaiveDate::from_ymd_opt(m[1].parse().ok()?, m[2].parse().ok()?, m[3].parse().ok()?)
}

fn effective_date(article: &str) -> Option<NaiveDate> {
    static EFFECTIVE: OnceLock<Regex> = OnceLock::new();
    let m = re(
        &EFFECTIVE,
        r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起\s*(?:施行|实施)",
    )
    .captures(article)?;
    NaiveDate::from_ymd_opt(m[1].parse().ok()?, m[2].parse().ok()?, m[3].parse().ok()?)
}

fn issuer_of(info_line: &str) -> Option<String> {
    static ISSUER: OnceLock<Regex> = OnceLock::new();
    let m = re(
        &ISSUER,
        r"(全国人民代表大会常务委员会|全国人民代表大会|国务院|[\p{Han}]{2,16}?人民代表大会常务委员会|[\p{Han}]{2,10}?人民政府)",
    )
    .captures(info_line)?;
    // `第十二届全国人民代表大会常务委员会`, `示例省第一届…` → drop the session number.
    static SESSION: OnceLock<Regex> = OnceLock::new();
    let session = re(&SESSION, &format!("第{NUM}届"));
    Some(session.replace_all(&m[1], "").into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_from_file_names() {
        assert_eq!(
            regulation_id("标准化法(2017-11-04).md", "x"),
            "标准化法-2017-11-04"
        );
        assert_eq!(
            regulation_id("示例省标准化条例.md", "x"),
            "示例省标准化条例"
        );
    }
}
