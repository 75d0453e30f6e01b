//! Citations: every standard a document cites, once per number, with every place it occurs.
//!
//! This is the reading half of 查新 (checking whether the standards a document cites are still
//! in force); the index resolves what is found. The text is repaired first (broken lines
//! joined, page furniture dropped, see [`crate::structure::repair_text`]), then read line by
//! line while following the clause headings with the same conservative rules as the structure
//! parser, so each occurrence knows its clause and whether it sits in the 规范性引用文件 list.
//!
//! Rules, each with a row in the table test below:
//! - Codes are found by [`StandardCode::find_all`] (any spelling: full-width, `—`/`－`, missing
//!   slash, foreign bodies ISO/IEC/EN/ASTM/JIS/...), so prose rules against false positives apply.
//! - Lists that drop a repeated prefix (`GB 5009.3、5009.4`) are read as the same prefix when the
//!   number continues the same series (same root before the first `.` or `-`).
//! - A number is listed once (canonical form, with year when dated). An undated occurrence of a
//!   standard that the document also cites in exactly one dated edition belongs to that edition
//!   (`按GB/T 1.1的规定` after `GB/T 1.1—2020` in the list); with several dated editions, the
//!   undated reference stays separate.
//! - When the text has a standard's cover (lines before the first 前言, 引言 or `1 范围`), the
//!   cover is not read: it names the document itself and the editions it replaces. For the same
//!   reason `代替 …` in the 前言 is skipped, and the document's own number (read off the cover;
//!   also undated) is not a citation anywhere (running headers and examples repeat it).
//! - A `《…》` title right after a code is kept as the cited title.

use std::collections::HashMap;
use std::sync::OnceLock;

use biaozhun_model::StandardCode;
use regex::Regex;
use serde::Serialize;

use crate::structure::{is_toc_line, repair_text, Outline};

/// Characters of context kept on each side of an occurrence.
pub const CONTEXT_CHARS: usize = 30;
/// Longest cited title kept (characters); longer `《…》` runs are not titles.
const MAX_TITLE_CHARS: usize = 120;

/// One cited standard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Citation {
    /// The number in canonical form: the key the index resolves.
    pub code: StandardCode,
    /// The number as first written in the document (`GB/T 1.1—2020`, `ＧＢ／Ｔ　７７１４`).
    pub cited: String,
    /// The `《…》` title written after the number, without the brackets.
    pub title: Option<String>,
    /// Every place the number occurs, in document order.
    pub occurrences: Vec<Occurrence>,
}

impl Citation {
    /// Whether the citation names an edition (a year): an undated reference means the edition
    /// in force, whichever it is.
    pub fn dated(&self) -> bool {
        self.code.year().is_some()
    }

    /// Whether any occurrence sits in the normative references list.
    pub fn in_reference_list(&self) -> bool {
        self.occurrences.iter().any(|o| o.reference_list)
    }
}

/// One place a citation occurs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    /// The clause as printed, number and title (`2 规范性引用文件`, `5.3`, `附录 A`, `前言`);
    /// empty before the first heading or in a text without clause structure.
    pub section: String,
    /// Whether the clause is the normative references list (规范性引用文件, old 引用标准).
    pub reference_list: bool,
    /// 1-based line of the repaired text (a paragraph: broken lines are joined).
    pub line: usize,
    /// The occurrence with up to [`CONTEXT_CHARS`] characters on each side, on one line.
    pub context: String,
}

/// Finds every standard cited in `text`; see the module documentation for the rules.
pub fn find_citations(text: &str) -> Vec<Citation> {
    let repaired = repair_text(text);
    let lines: Vec<&str> = repaired.lines().collect();
    let body_start = cover_end(&lines);
    // The document's own number (on its cover, and in running headers the repair missed).
    let own = (body_start > 0)
        .then(|| {
            crate::structure::cover::parse_cover(&lines[..body_start].join("\n"), &repaired).code
        })
        .flatten();
    let mut outline = Outline::default();
    let mut section = String::new();
    let mut chapter_title = String::new();
    let mut found: Vec<Citation> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (i, line) in lines.iter().enumerate().skip(body_start) {
        if is_toc_line(line) {
            continue;
        }
        if let Some(h) = outline.heading(line) {
            section = match (h.number.is_empty(), h.title.is_empty()) {
                (true, _) => h.title.clone(),
                (false, true) => h.number.clone(),
                (false, false) => format!("{} {}", h.number, h.title),
            };
            if h.level == 1 {
                chapter_title = h.title.chars().filter(|c| !c.is_whitespace()).collect();
            }
        }
        let reference_list = is_reference_list(&chapter_title);
        let in_foreword = chapter_title == "前言";
        for (range, code) in codes_in_line(line) {
            let own_number = own
                .as_ref()
                .is_some_and(|o| *o == code || (code.year().is_none() && o.same_standard(&code)));
            if (in_foreword && replaces_before(line, range.start)) || own_number {
                continue;
            }
            let occurrence = Occurrence {
                section: section.clone(),
                reference_list,
                line: i + 1,
                context: context(line, range.clone()),
            };
            let id = code.to_string();
            match by_id.get(&id) {
                Some(&k) => found[k].occurrences.push(occurrence),
                None => {
                    by_id.insert(id, found.len());
                    found.push(Citation {
                        cited: line[range.clone()].trim().to_string(),
                        title: title_after(&line[range.end..]),
                        code,
                        occurrences: vec![occurrence],
                    });
                }
            }
        }
    }
    let mut found = merge_undated(found);
    // `cited` as the author wrote it: repair folds some characters (full-width letters,
    // ideographic spaces), so take the first spelling of the number in the original text.
    let mut original: HashMap<String, String> = HashMap::new();
    for (range, code) in StandardCode::find_all(text) {
        original
            .entry(code.to_string())
            .or_insert_with(|| text[range].trim().to_string());
    }
    for c in &mut found {
        if let Some(spelling) = original.get(&c.code.to_string()) {
            c.cited.clone_from(spelling);
        }
    }
    found
}

/// Index of the first body line when the text opens with a standard's cover, else 0.
fn cover_end(lines: &[&str]) -> usize {
    lines
        .iter()
        .position(|l| {
            let s: String = l.chars().filter(|c| !c.is_whitespace()).collect();
            !is_toc_line(l) && (s == "前言" || s == "引言" || s == "1范围")
        })
        .unwrap_or(0)
}

/// 规范性引用文件 (GB/T 1.1—2009 on), 引用标准 / 引用文件 (older standards).
fn is_reference_list(chapter_title: &str) -> bool {
    chapter_title.contains("规范性引用文件")
        || chapter_title == "引用标准"
        || chapter_title == "引用文件"
}

/// Whether `代替` (or `替代`) stands right before the code: `本文件代替GB/T 7714—2005`.
fn replaces_before(line: &str, start: usize) -> bool {
    let before: String = line[..start].chars().rev().take(6).collect();
    before.contains("替代") || before.contains("代替")
}

/// The codes of one line with their byte ranges, including numbers in a list that drops the
/// repeated prefix (`GB 5009.3、5009.4`).
fn codes_in_line(line: &str) -> Vec<(std::ops::Range<usize>, StandardCode)> {
    static CONT: OnceLock<Regex> = OnceLock::new();
    let cont = CONT.get_or_init(|| {
        Regex::new(
            r"^[\s\u{3000}]*[、，,][\s\u{3000}]*([0-9０-９]+(?:[.．][0-9０-９]+)+)(?:[\s\u{3000}]*[-－—–―][\s\u{3000}]*([0-9０-９]{4}))?",
        )
        .unwrap_or_else(|e| unreachable!("bad regex {e}"))
    });
    let mut out = Vec::new();
    for (range, code) in StandardCode::find_all(line) {
        let mut end = range.end;
        let root = series_root(code.number()).to_string();
        let prefix = code.prefix().to_string();
        out.push((range, code));
        while let Some(m) = cont.captures(&line[end..]) {
            let whole = m.get(0).map_or(0..0, |g| g.range());
            let after = line[end + whole.end..].chars().next();
            if after.is_some_and(|c| c.is_alphanumeric() && !is_cjk_char(c)) {
                break;
            }
            let number = &m[1];
            let candidate = match m.get(2) {
                Some(y) => format!("{prefix} {number}-{}", y.as_str()),
                None => format!("{prefix} {number}"),
            };
            let Ok(next) = StandardCode::parse(&candidate) else {
                break;
            };
            if series_root(next.number()) != root {
                break;
            }
            let start = end + m.get(1).map_or(whole.start, |g| g.start());
            let stop = end + whole.end;
            out.push((start..stop, next));
            end = stop;
        }
    }
    out
}

fn is_cjk_char(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// `5009` of `5009.3`, `8124` of `8124-1`.
fn series_root(number: &str) -> &str {
    number.split(['.', '-']).next().unwrap_or(number)
}

/// `《…》` right after a code (spaces allowed between).
fn title_after(rest: &str) -> Option<String> {
    let rest = rest.trim_start_matches([' ', '\u{3000}', '\t']);
    let inner = rest.strip_prefix('《')?;
    let end = inner.find('》')?;
    let title = inner[..end].trim();
    (!title.is_empty() && title.chars().count() <= MAX_TITLE_CHARS).then(|| title.to_string())
}

/// The line around `range`, at most [`CONTEXT_CHARS`] characters on each side, `…` where cut.
fn context(line: &str, range: std::ops::Range<usize>) -> String {
    let before: Vec<char> = line[..range.start].chars().collect();
    let after: Vec<char> = line[range.end..].chars().collect();
    let mut out = String::new();
    if before.len() > CONTEXT_CHARS {
        out.push('…');
    }
    out.extend(&before[before.len().saturating_sub(CONTEXT_CHARS)..]);
    out.push_str(&line[range]);
    out.extend(after.iter().take(CONTEXT_CHARS));
    if after.len() > CONTEXT_CHARS {
        out.push('…');
    }
    out.trim().to_string()
}

/// Moves undated citations into the one dated edition of the same standard the document cites;
/// keeps document order of first occurrence.
fn merge_undated(found: Vec<Citation>) -> Vec<Citation> {
    let mut keep: Vec<Option<Citation>> = found.into_iter().map(Some).collect();
    for i in 0..keep.len() {
        let Some(undated) = keep[i].as_ref().filter(|c| !c.dated()) else {
            continue;
        };
        let code = undated.code.clone();
        let dated: Vec<usize> = keep
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.as_ref()
                    .is_some_and(|c| c.dated() && c.code.without_year() == code)
            })
            .map(|(j, _)| j)
            .collect();
        if let [j] = dated[..] {
            if let Some(moved) = keep[i].take() {
                if let Some(target) = keep[j].as_mut() {
                    target.occurrences.extend(moved.occurrences);
                    target.occurrences.sort_by_key(|o| o.line);
                }
            }
        }
    }
    keep.into_iter().flatten().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `expected`: canonical code and number of occurrences, in document order.
    fn check(text: &str, expected: &[(&str, usize)]) {
        let got: Vec<(String, usize)> = find_citations(text)
            .iter()
            .map(|c| (c.code.to_string(), c.occurrences.len()))
            .collect();
        let want: Vec<(String, usize)> =
            expected.iter().map(|(c, n)| (c.to_string(), *n)).collect();
        assert_eq!(got, want, "text: {text}");
    }

    #[test]
    fn reference_lists_and_body() {
        check(
            "2 规范性引用文件\n下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。\n\
             GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》\n\
             GB 2763  食品安全国家标准 食品中农药最大残留限量\n\
             3 术语和定义\n本文件没有需要界定的术语和定义。\n\
             4 要求\n4.1 编写应符合GB/T 1.1的规定，农残应符合GB 2763的规定。\n",
            &[("GB/T 1.1-2020", 2), ("GB 2763", 2)],
        );
        // Lists separated by 、 with and without the repeated prefix; full-width; －.
        let text = "按GB/T 191、GB/T 2828.1—2012、ＧＢ／Ｔ　７７１４－２０１５执行。";
        check(
            text,
            &[
                ("GB/T 191", 1),
                ("GB/T 2828.1-2012", 1),
                ("GB/T 7714-2015", 1),
            ],
        );
        assert_eq!(
            find_citations(text)[2].cited,
            "ＧＢ／Ｔ　７７１４－２０１５"
        );
        check(
            "检验方法按GB 5009.3、5009.4、5009.5—2016执行，另见GB 4789.2。",
            &[
                ("GB 5009.3", 1),
                ("GB 5009.4", 1),
                ("GB 5009.5-2016", 1),
                ("GB 4789.2", 1),
            ],
        );
        // `、` followed by a year or a plain number is not a continuation of the list.
        check("见GB/T 191、2008年版。", &[("GB/T 191", 1)]);
    }

    #[test]
    fn foreign_numbers() {
        check(
            "试验按ISO 8124-1:2018、IEC 60335-1:2020、EN 71-1:2014+A1:2018、ASTM F963-17及JIS S 1021:2017进行；\
             另见ISO/IEC 17025:2017。",
            &[
                ("ISO 8124-1:2018", 1),
                ("IEC 60335-1:2020", 1),
                ("EN 71-1:2014+A1:2018", 1),
                ("ASTM F963-17", 1),
                ("JIS S 1021:2017", 1),
                ("ISO/IEC 17025:2017", 1),
            ],
        );
    }

    #[test]
    fn cover_and_replaces_are_not_citations() {
        let text =
            "ICS 01.140.20\nGB/T 7714—2015\n代替 GB/T 7714—2005\n信息与文献 参考文献著录规则\n\
                    前言\n本标准代替GB/T 7714—2005《文后参考文献著录规则》。\n\
                    本标准按照GB/T 1.1—2009给出的规则起草。\n\
                    1 范围\n本标准规定了参考文献的著录。\n\
                    2 规范性引用文件\nGB/T 2659—2000 世界各国和地区名称代码\nGB/T 7714—2015\n\
                    3 著录规则\n示例：GB/T 7714 的著录格式。\n";
        check(text, &[("GB/T 1.1-2009", 1), ("GB/T 2659-2000", 1)]);
        let found = find_citations(text);
        assert_eq!(found[0].occurrences[0].section, "前言");
        assert!(!found[0].in_reference_list());
        let list = &found[1].occurrences[0];
        assert_eq!(list.section, "2 规范性引用文件");
        assert!(list.reference_list);
    }

    #[test]
    fn undated_merges_only_with_a_single_dated_edition() {
        check(
            "见GB 2763—2019与GB 2763—2021的差异；GB 2763另有规定。",
            &[("GB 2763-2019", 1), ("GB 2763-2021", 1), ("GB 2763", 1)],
        );
        check("先见GB 2763，后见GB 2763—2021。", &[("GB 2763-2021", 2)]);
    }

    #[test]
    fn title_context_and_as_written() {
        let found = find_citations(
            "产品应符合 GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的要求，这是一段很长很长很长很长很长很长的说明文字。",
        );
        assert_eq!(found.len(), 1);
        let c = &found[0];
        assert_eq!(c.cited, "GB/T 1.1—2020");
        assert!(c.dated());
        assert_eq!(
            c.title.as_deref(),
            Some("标准化工作导则 第1部分：标准化文件的结构和起草规则")
        );
        let ctx = &c.occurrences[0].context;
        // Repair drops the space an extractor puts between hanzi and Latin text.
        assert!(ctx.starts_with("产品应符合GB/T 1.1—2020《"), "{ctx}");
        assert!(ctx.ends_with('…'), "{ctx}");
    }

    #[test]
    fn nothing_in_plain_prose() {
        check("本公司2023年营业额增长8 GB 2023。", &[]);
        check("", &[]);
    }
}
