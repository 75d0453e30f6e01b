//! Undoing what PDF extractors do to Chinese text.
//!
//! Extractors break lines inside words (`多氯\n联苯`) and inside numbers
//! (`GB/T 7714—\n2015`, `ICS01.\n140.\n20`), letter-space whole lines
//! (`中 华 人 民 共 和 国`), insert spaces between hanzi and Latin text, and repeat running
//! headers, footers and page numbers on every page. [`repair_text`] fixes these before parsing
//! and indexing while keeping paragraph breaks and the starts of clauses and list items.

use std::collections::HashMap;

use crate::extract::quality::is_cjk;

/// Repairs extracted text; see the module documentation. Idempotent on clean text.
pub fn repair_text(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let pages = strip_page_furniture(&text);
    let lines: Vec<String> = pages.lines().map(repair_line).collect();
    let joined = join_broken_lines(&lines);
    collapse_blank_lines(&joined)
}

/// Drops running headers/footers (a line repeated on at least half of the pages, from page 2
/// on, so the cover keeps its standard number) and bare page numbers. Pages are separated by
/// form feeds as `pdftotext` writes them; text without form feeds is returned unchanged apart
/// from the form feeds' removal.
pub fn strip_page_furniture(text: &str) -> String {
    let pages: Vec<&str> = text.split('\u{c}').collect();
    let real_pages = pages.iter().filter(|p| !p.trim().is_empty()).count();
    if real_pages < 3 {
        return pages.join("\n");
    }
    let mut counts: HashMap<String, usize> = HashMap::new();
    for p in &pages {
        let mut seen = std::collections::HashSet::new();
        for l in p.lines() {
            let k = squash(l);
            if !k.is_empty() && seen.insert(k.clone()) {
                *counts.entry(k).or_default() += 1;
            }
        }
    }
    let threshold = (real_pages / 2).max(3);
    let mut out = String::with_capacity(text.len());
    for (i, p) in pages.iter().enumerate() {
        let non_empty = p.lines().filter(|l| !l.trim().is_empty()).count();
        let mut nth = 0usize;
        for l in p.lines() {
            let k = squash(l);
            if k.is_empty() {
                out.push('\n');
                continue;
            }
            nth += 1;
            let at_edge = nth <= 3 || nth + 3 > non_empty;
            let repeated = i > 0 && counts.get(&k).is_some_and(|n| *n >= threshold);
            if i > 0 && at_edge && ((repeated && k.chars().count() < 80) || is_page_number(&k)) {
                continue;
            }
            out.push_str(l);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn squash(l: &str) -> String {
    l.chars().filter(|c| !c.is_whitespace()).collect()
}

/// `12`, `Ⅲ`, `- 3 -`, `IV`: a line that is only a page number.
fn is_page_number(squashed: &str) -> bool {
    let core = squashed.trim_matches(|c| c == '-' || c == '—' || c == '–');
    !core.is_empty()
        && core.chars().count() <= 4
        && (core.chars().all(|c| c.is_ascii_digit())
            || core.chars().all(|c| ('\u{2160}'..='\u{217f}').contains(&c))
            || core.chars().all(|c| matches!(c, 'I' | 'V' | 'X')))
}

/// Fixes one line: full-width letters and digits to ASCII, letter-spacing removed, single
/// spaces between hanzi and Latin text removed (not after a clause number at line start),
/// `一` used as a dash between digits.
fn repair_line(line: &str) -> String {
    let folded: String = line
        .trim_end()
        .chars()
        .map(|c| match c {
            '\u{ff10}'..='\u{ff19}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}' => {
                char::from_u32(c as u32 - 0xfee0).unwrap_or(c)
            }
            '\u{3000}' => ' ',
            '\u{a0}' => ' ',
            c => c,
        })
        .collect();
    let chars: Vec<char> = folded.chars().collect();
    let cjkish = |c: char| is_cjk(c) || is_cjk_punct(c);
    // Letter-spaced lines: three or more `hanzi space hanzi` gaps.
    let gaps = (1..chars.len().saturating_sub(1))
        .filter(|&i| chars[i] == ' ' && cjkish(chars[i - 1]) && cjkish(chars[i + 1]))
        .count();
    let leading_number_end = chars
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || *c == '.'))
        .unwrap_or(chars.len());
    let mut out = String::with_capacity(folded.len());
    for i in 0..chars.len() {
        let c = chars[i];
        if c == ' ' && i > 0 && i + 1 < chars.len() {
            let (a, b) = (chars[i - 1], chars[i + 1]);
            let single = chars[i - 1] != ' ' && chars[i + 1] != ' ';
            if single {
                if gaps >= 3 && cjkish(a) && cjkish(b) {
                    continue;
                }
                if is_cjk(a) && b.is_ascii_alphanumeric() {
                    continue;
                }
                if a.is_ascii_alphanumeric() && is_cjk(b) && i > leading_number_end {
                    continue;
                }
            }
        }
        if c == '一' && i > 0 && i + 1 < chars.len() {
            let prev = chars[..i].iter().rev().find(|c| **c != ' ');
            let next = chars[i + 1..].iter().find(|c| **c != ' ');
            if prev.is_some_and(char::is_ascii_digit) && next.is_some_and(char::is_ascii_digit) {
                while out.ends_with(' ') {
                    out.pop();
                }
                out.push('—');
                continue;
            }
        }
        if c == ' ' && out.ends_with('—') && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            continue;
        }
        out.push(c);
    }
    out
}

/// CJK symbols and punctuation, full-width forms.
fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}' | '“' | '”' | '‘' | '’')
}

/// Display width: hanzi and full-width forms count two.
fn width(s: &str) -> usize {
    s.chars()
        .map(|c| if is_cjk(c) || is_cjk_punct(c) { 2 } else { 1 })
        .sum()
}

/// Whether a line starts something that must stay on its own line: a clause number, a list
/// item, a note, an annex, a table or figure caption.
pub(crate) fn starts_block(line: &str) -> bool {
    let t = line.trim_start();
    let mut chars = t.chars();
    let first = chars.next();
    match first {
        None => true,
        Some(c) if c.is_ascii_digit() => true,
        Some('—' | '-' | '·' | '•' | '●' | '○' | '■' | '□' | '★' | '※') => true,
        Some('(' | '（') => true,
        Some(c) if c.is_ascii_lowercase() && matches!(chars.next(), Some(')' | '）' | '.')) => {
            true
        }
        _ => {
            [
                "注",
                "示例",
                "附录",
                "表",
                "图",
                "第",
                "前言",
                "引言",
                "参考文献",
                "索引",
            ]
            .iter()
            .any(|p| t.starts_with(p))
                && (t.chars().nth(1).is_some_and(|c| !is_cjk(c))
                    || t.starts_with("附录")
                    || t.starts_with("示例")
                    || t.starts_with("前言")
                    || t.starts_with("引言")
                    || t.starts_with("参考文献"))
        }
    }
}

fn ends_sentence(c: char) -> bool {
    matches!(c, '。' | '！' | '？' | '；' | '：' | '!' | '?' | ';' | ':')
}

/// Joins lines broken inside numbers and inside Chinese words.
fn join_broken_lines(lines: &[String]) -> String {
    // A "full" line reaches the right margin: at least 75 % of the 90th-percentile width of
    // the document's longer lines.
    let mut widths: Vec<usize> = lines
        .iter()
        .map(|l| width(l))
        .filter(|w| *w >= 20)
        .collect();
    widths.sort_unstable();
    let p90 = widths
        .get(widths.len().saturating_sub(1) * 9 / 10)
        .copied()
        .unwrap_or(0);
    let full = |l: &str| p90 > 0 && width(l) * 4 >= p90 * 3;
    let mut out = String::new();
    let mut prev: Option<&str> = None;
    for line in lines {
        if let Some(p) = prev {
            let last = p.chars().last();
            let before_last = p.chars().rev().nth(1);
            let next_first = line.chars().next();
            let code_break = matches!(last, Some('—' | '-' | '.' | '/' | '／' | '．' | '－'))
                && before_last.is_some_and(|c| c.is_ascii_alphanumeric())
                && next_first.is_some_and(|c| {
                    c.is_ascii_digit()
                        || (last == Some('/') || last == Some('／')) && c.is_ascii_uppercase()
                });
            let word_break = last
                .is_some_and(|c| (is_cjk(c) || is_cjk_punct(c)) && !ends_sentence(c))
                && next_first
                    .is_some_and(|c| is_cjk(c) || matches!(c, '“' | '《' | '（' | '、' | '，'))
                && full(p)
                && !starts_block(line);
            // pdftotext sometimes emits Latin text a few letters per line (`Tr\na\nckandf`).
            let short_ascii = |l: &str| {
                let t = l.trim();
                !t.is_empty() && t.len() <= 3 && t.chars().all(|c| c.is_ascii_alphabetic())
            };
            let latin_break = last.is_some_and(|c| c.is_ascii_alphabetic())
                && next_first.is_some_and(|c| c.is_ascii_alphabetic())
                && (short_ascii(p) || short_ascii(line));
            if code_break || word_break || latin_break {
                out.push_str(line.trim_start());
                prev = Some(line);
                continue;
            }
            out.push('\n');
        }
        out.push_str(line);
        prev = Some(line);
    }
    out.push('\n');
    out
}

fn collapse_blank_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blanks = 0;
    for l in s.lines() {
        if l.trim().is_empty() {
            blanks += 1;
            if blanks > 1 {
                continue;
            }
            out.push('\n');
        } else {
            blanks = 0;
            out.push_str(l);
            out.push('\n');
        }
    }
    out.trim_start_matches('\n').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check() {
        for (input, want) in [
            (
                "按照GB/T 7714—\n2015的规定。",
                "按照GB/T 7714—2015的规定。\n",
            ),
            ("ICS01.\n140.\n20", "ICS01.140.20\n"),
            (
                "本标准规定了食品中多氯\n联苯的测定方法。",
                "本标准规定了食品中多氯联苯的测定方法。\n",
            ),
            (
                "中 华 人 民 共 和 国 国 家 标 准",
                "中华人民共和国国家标准\n",
            ),
            ("本标准按照 GB/T 1.1 给出", "本标准按照GB/T 1.1给出\n"),
            ("1 范围\n本文件规定了", "1 范围\n本文件规定了\n"),
            ("ＧＢ／\nＴ １４８３３一 ９３", "GB／T 14833—93\n"),
        ] {
            assert_eq!(repair_text(input), want, "{input:?}");
        }
    }
}
