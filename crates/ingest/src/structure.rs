//! The structure of a Chinese standard's text: cover, 前言, 引言, numbered chapters and
//! sub-clauses, annexes, normative references and terms.
//!
//! Input is extracted text of any origin (PDF, OCR, HTML, plain text); it is first repaired
//! ([`repair_text`]) so that numbers and words broken across lines match again. Headings are
//! recognised conservatively: chapter numbers must count up (1, 2, 3, …) and sub-clause numbers
//! must belong to the current chapter or annex, so a body line that happens to start with a
//! number does not open a section. Table-of-contents lines (with dot leaders) are skipped.

pub(crate) mod cover;
mod cover_code;
mod repair;

use std::sync::OnceLock;

use biaozhun_model::{Adoption, Section, Standard, StandardCode, Term, TextQuality};
use chrono::NaiveDate;
use regex::Regex;

pub use repair::{repair_text, strip_page_furniture};

use crate::extract::quality::is_cjk;

/// What [`parse_standard_text`] found; every field may be empty for a poor text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParsedText {
    /// The standard number on the cover.
    pub code: Option<StandardCode>,
    /// ICS codes (`01.140.20`).
    pub ics: Vec<String>,
    /// CCS codes (`A14`).
    pub ccs: Vec<String>,
    /// Chinese title; parts printed on separate lines are joined with a space.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// `2015-05-15 发布`.
    pub issue_date: Option<NaiveDate>,
    /// `2015-12-01 实施`.
    pub implement_date: Option<NaiveDate>,
    /// Issuing bodies printed at the foot of the cover.
    pub issuers: Vec<String>,
    /// Editions replaced (`代替 GB/T 7714—2005`).
    pub replaces: Vec<StandardCode>,
    /// Adopted international standard (`(ISO 690:2010, …, NEQ)`).
    pub adoption: Option<Adoption>,
    /// 前言, 引言, chapters, sub-clauses and annexes in order.
    pub sections: Vec<Section>,
    /// Standards cited in 规范性引用文件, in order, without duplicates.
    pub references: Vec<StandardCode>,
    /// Terms and definitions from 术语和定义.
    pub terms: Vec<Term>,
    /// Text of 1 范围.
    pub scope: Option<String>,
    /// Technical committee from the foreword (`SAC/TC 4`).
    pub technical_committee: Option<String>,
    /// Drafting organisations from the foreword (本文件起草单位：…).
    pub drafters: Vec<String>,
}

impl ParsedText {
    /// Builds a [`Standard`] from the parsed text, with the cover's code or else
    /// `fallback_code` (e.g. from the file name); `None` when neither is known.
    ///
    /// `text_quality` is set to `Good` when sections were found; callers that know the
    /// extraction quality ([`crate::extract::Extracted::quality`]) should overwrite it.
    pub fn into_standard(self, fallback_code: Option<StandardCode>) -> Option<Standard> {
        let code = self.code.or(fallback_code)?;
        let mut s = Standard::new(code);
        s.title_zh = self.title_zh;
        s.title_en = self.title_en;
        s.issue_date = self.issue_date;
        s.implement_date = self.implement_date;
        s.replaces = self.replaces;
        s.ics = self.ics;
        s.ccs = self.ccs;
        s.department = (!self.issuers.is_empty()).then(|| self.issuers.join("、"));
        s.technical_committee = self.technical_committee;
        s.drafters = self.drafters;
        s.adoption = self.adoption;
        s.scope = self.scope;
        s.text_quality = if self.sections.is_empty() {
            TextQuality::Missing
        } else {
            TextQuality::Good
        };
        s.sections = self.sections;
        s.references = self.references;
        s.terms = self.terms;
        Some(s)
    }
}

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).unwrap_or_else(|e| unreachable!("bad regex {e}")))
}

/// A recognised heading line.
#[derive(Debug)]
struct Heading {
    number: String,
    title: String,
    level: u8,
    /// Body text on the heading's own line (`4.1  种薯田应选在…`).
    rest: String,
}

/// Parses the text of a standard. The text is repaired first, so raw extractor output is fine.
pub fn parse_standard_text(text: &str) -> ParsedText {
    let repaired = repair_text(text);
    let lines: Vec<&str> = repaired.lines().filter(|l| !is_toc_line(l)).collect();
    let body_start = find_body_start(&lines);
    let cover_text = lines[..body_start].join("\n");
    let cover = cover::parse_cover(&cover_text, &repaired);
    let sections = parse_sections(&lines[body_start..]);
    let mut p = ParsedText {
        code: cover.code,
        ics: cover.ics,
        ccs: cover.ccs,
        title_zh: cover.title_zh,
        title_en: cover.title_en,
        issue_date: cover.issue_date,
        implement_date: cover.implement_date,
        issuers: cover.issuers,
        replaces: cover.replaces,
        adoption: cover.adoption,
        ..ParsedText::default()
    };
    for s in &sections {
        let title: String = s.title.chars().filter(|c| !c.is_whitespace()).collect();
        if s.level == 1 && title == "范围" && p.scope.is_none() {
            p.scope = Some(s.text.trim().to_string()).filter(|t| !t.is_empty());
        }
        if s.level == 1 && title.contains("规范性引用文件") {
            for (_, code) in StandardCode::find_all(&s.text) {
                if !p.references.contains(&code) {
                    p.references.push(code);
                }
            }
        }
        if s.level == 1 && title == "前言" {
            read_foreword(&s.text, &mut p);
        }
    }
    p.terms = parse_terms(&sections);
    p.sections = sections;
    p
}

fn read_foreword(text: &str, p: &mut ParsedText) {
    static TC: OnceLock<Regex> = OnceLock::new();
    static DRAFTERS: OnceLock<Regex> = OnceLock::new();
    let tc = re(&TC, r"SAC\s*/?\s*TC\s*(\d+)(?:\s*/\s*SC\s*(\d+))?");
    if let Some(m) = tc.captures(text) {
        p.technical_committee = Some(match m.get(2) {
            Some(sc) => format!("SAC/TC {}/SC {}", &m[1], sc.as_str()),
            None => format!("SAC/TC {}", &m[1]),
        });
    }
    let drafters = re(&DRAFTERS, r"起草单位\s*[:：]\s*([^。\n]+)");
    if let Some(m) = drafters.captures(text) {
        p.drafters = m[1]
            .split(['、', '，', ','])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
    }
}

/// Table-of-contents lines: dot leaders (`……`, `···`, `....`).
pub(crate) fn is_toc_line(l: &str) -> bool {
    l.contains("……") || l.contains("···") || l.contains("......") || l.contains("…………")
}

/// Index of the first body heading (前言, 引言 or `1 范围`); the cover is what precedes it.
fn find_body_start(lines: &[&str]) -> usize {
    for (i, l) in lines.iter().enumerate() {
        let s: String = l.chars().filter(|c| !c.is_whitespace()).collect();
        if s == "前言" || s == "引言" || s == "1范围" {
            return i;
        }
    }
    // Old standards have no foreword and start with `1 主题内容与适用范围`.
    for (i, l) in lines.iter().enumerate() {
        if heading(l, 0, None).is_some_and(|h| h.number == "1") {
            return i;
        }
    }
    // No recognisable body: treat the first 40 lines as the cover.
    lines.len().min(40)
}

fn parse_sections(lines: &[&str]) -> Vec<Section> {
    let mut sections: Vec<Section> = Vec::new();
    let mut chapter: u32 = 0;
    let mut annex: Option<char> = None;
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        if let Some(mut h) = heading(line, chapter, annex) {
            if h.level == 1 && !h.number.is_empty() {
                if let Ok(n) = h.number.parse::<u32>() {
                    chapter = n;
                    annex = None;
                } else {
                    annex = h.number.chars().next();
                    // 附录 A / （规范性） / 田间检验方法 on following lines.
                    let mut nature = None;
                    while h.title.is_empty() || nature.is_none() {
                        let Some(next) = lines.get(i + 1).map(|l| l.trim()) else {
                            break;
                        };
                        if next.is_empty() {
                            i += 1;
                            continue;
                        }
                        let squashed: String =
                            next.chars().filter(|c| !c.is_whitespace()).collect();
                        if nature.is_none()
                            && (squashed.starts_with('(') || squashed.starts_with('（'))
                            && (squashed.contains("规范性") || squashed.contains("资料性"))
                        {
                            nature = Some(squashed);
                            i += 1;
                        } else if h.title.is_empty() && !repair::starts_block(next) {
                            h.title = next.to_string();
                            i += 1;
                        } else {
                            break;
                        }
                    }
                    if let Some(n) = nature {
                        h.rest = n;
                    }
                }
            }
            sections.push(Section {
                number: h.number,
                title: h.title,
                level: h.level,
                text: h.rest,
            });
        } else if let Some(s) = sections.last_mut() {
            if !s.text.is_empty() {
                s.text.push('\n');
            }
            s.text.push_str(line);
        }
        i += 1;
    }
    for s in &mut sections {
        s.text = s.text.trim().to_string();
    }
    sections
}

/// Follows the headings of a text line by line with the same conservative rules as
/// [`parse_standard_text`] (chapters count up, sub-clauses belong to the current chapter or
/// annex), for callers that need to know which clause a line is in without keeping sections.
#[derive(Debug, Default)]
pub(crate) struct Outline {
    chapter: u32,
    annex: Option<char>,
}

/// A heading [`Outline::heading`] recognised: clause number (empty for 前言, 引言, 参考文献),
/// title (may be empty), and depth (1 for chapters and annexes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HeadingLine {
    pub number: String,
    pub title: String,
    pub level: u8,
}

impl Outline {
    /// The heading `line` opens, if any, advancing the chapter/annex state.
    pub(crate) fn heading(&mut self, line: &str) -> Option<HeadingLine> {
        let h = heading(line, self.chapter, self.annex)?;
        if h.level == 1 && !h.number.is_empty() {
            if let Ok(n) = h.number.parse::<u32>() {
                self.chapter = n;
                self.annex = None;
            } else {
                self.annex = h.number.chars().next();
            }
        }
        Some(HeadingLine {
            number: h.number,
            title: h.title,
            level: h.level,
        })
    }
}

/// Recognises a heading line given the current chapter number and annex letter.
fn heading(line: &str, chapter: u32, annex: Option<char>) -> Option<Heading> {
    static CHAPTER: OnceLock<Regex> = OnceLock::new();
    static CLAUSE: OnceLock<Regex> = OnceLock::new();
    static ANNEX: OnceLock<Regex> = OnceLock::new();
    let t = line.trim();
    let squashed: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    for named in ["前言", "引言", "参考文献", "索引"] {
        if squashed == named {
            return Some(Heading {
                number: String::new(),
                title: named.to_string(),
                level: 1,
                rest: String::new(),
            });
        }
    }
    let annex_re = re(&ANNEX, r"^附\s*录\s*([A-Z])\s*(.*)$");
    if let Some(m) = annex_re.captures(t) {
        let letter = m[1].chars().next()?;
        let expected = annex.map_or('A', |a| (a as u8 + 1) as char);
        if letter == expected {
            let rest = m[2].trim();
            // `附录 A (资料性附录) 标题` on one line.
            let (nature, title) = match rest.find([')', '）']) {
                Some(i) if rest.starts_with(['(', '（']) => {
                    let close = rest[i..].chars().next().map_or(1, char::len_utf8);
                    (
                        rest[..i + close].to_string(),
                        rest[i + close..].trim().to_string(),
                    )
                }
                _ => (String::new(), rest.to_string()),
            };
            return Some(Heading {
                number: letter.to_string(),
                title,
                level: 1,
                rest: nature,
            });
        }
    }
    let chapter_re = re(&CHAPTER, r"^(\d{1,2})\s*([^\d\s.].*)$");
    if let Some(m) = chapter_re.captures(t) {
        let n: u32 = m[1].parse().ok()?;
        let title = m[2].trim();
        let title_ok = title.chars().next().is_some_and(is_cjk)
            && title.chars().count() <= 30
            && !title.contains(['。', '，', '；', '：', ',', ';'])
            && (t
                .as_bytes()
                .get(m[1].len())
                .is_some_and(|b| b.is_ascii_whitespace())
                || title.chars().count() <= 12);
        if n == chapter + 1 && annex.is_none() && title_ok {
            return Some(Heading {
                number: n.to_string(),
                title: title.to_string(),
                level: 1,
                rest: String::new(),
            });
        }
    }
    let clause_re = re(
        &CLAUSE,
        r"^((?:\d{1,2}|[A-Z])(?:\.\d{1,3}){1,4})(?:\s+(.*))?$",
    );
    if let Some(m) = clause_re.captures(t) {
        let number = m[1].to_string();
        let head = number.split('.').next().unwrap_or_default();
        let belongs = match annex {
            Some(a) => head.len() == 1 && head.starts_with(a),
            None => head.parse::<u32>().ok() == Some(chapter) && chapter > 0,
        };
        if belongs {
            let rest = m.get(2).map_or("", |r| r.as_str()).trim();
            let level = number.split('.').count().min(6) as u8;
            let is_title = !rest.is_empty()
                && rest.chars().count() <= 30
                && !rest.contains(['。', '；', '：', ':', '，'])
                && rest.chars().next().is_some_and(is_cjk)
                && !rest.chars().any(|c| c.is_ascii_alphabetic());
            return Some(if is_title {
                Heading {
                    number,
                    title: rest.to_string(),
                    level,
                    rest: String::new(),
                }
            } else {
                Heading {
                    number,
                    title: String::new(),
                    level,
                    rest: rest.to_string(),
                }
            });
        }
    }
    None
}

/// Terms: the sub-clauses of the 术语和定义 chapter. The first line holds the Chinese term and
/// its English equivalent; the rest is the definition.
fn parse_terms(sections: &[Section]) -> Vec<Term> {
    let Some(chapter) = sections.iter().find(|s| {
        s.level == 1
            && !s.number.is_empty()
            && (s.title.contains("术语") || s.title.contains("定义"))
    }) else {
        return Vec::new();
    };
    let prefix = format!("{}.", chapter.number);
    let mut terms = Vec::new();
    for s in sections.iter().filter(|s| s.number.starts_with(&prefix)) {
        let mut body = String::new();
        if !s.title.is_empty() {
            body.push_str(&s.title);
            body.push('\n');
        }
        body.push_str(&s.text);
        let mut lines = body.lines().map(str::trim).filter(|l| !l.is_empty());
        let Some(first) = lines.next() else { continue };
        let split = first
            .char_indices()
            .find(|(_, c)| c.is_ascii_alphabetic())
            .map_or(first.len(), |(i, _)| i);
        let term_zh = first[..split]
            .trim()
            .trim_end_matches([' ', '　'])
            .to_string();
        if !term_zh.chars().next().is_some_and(is_cjk) {
            continue;
        }
        let term_en = Some(first[split..].trim().to_string()).filter(|e| !e.is_empty());
        let definition = lines.collect::<Vec<_>>().join("\n");
        terms.push(Term {
            number: s.number.clone(),
            term_zh,
            term_en,
            definition,
        });
    }
    terms
}
