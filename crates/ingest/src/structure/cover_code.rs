//! The standard number on a cover page as real PDFs print it: text layers of scans that space
//! every character (`G B / T 1 2 3 4 5 . 6 — 2 0 0 5`), OCR confusions (`VT` or `|T` for `/T`,
//! `O` for `0`, `一` for `—`), and a number broken over two lines (`ＧＢ／` then `Ｔ １４８３３一
//! ９３`). Each cover line is read as it is and repaired; the longest consistent reading wins.

use std::sync::OnceLock;

use biaozhun_model::normalize::fold;
use biaozhun_model::{prefixes, StandardCode};
use regex::Regex;

/// A cover line may hold this many characters besides the number (`代替`, page furniture).
const MAX_REST: usize = 4;

/// The standard number a folded cover line prints on its own, if any.
pub(crate) fn code_on_line(lf: &str) -> Option<StandardCode> {
    let mut best: Option<StandardCode> = None;
    for candidate in [lf.to_string(), repair(lf)] {
        let Some((span, code)) = StandardCode::find_all(&candidate).into_iter().next() else {
            continue;
        };
        let rest = candidate[..span.start]
            .chars()
            .chain(candidate[span.end..].chars())
            .filter(|ch| !ch.is_whitespace())
            .count();
        if rest > MAX_REST {
            continue;
        }
        // The fuller reading wins: `GB/T 12345.6-2005` over a `GB/T 1` read off a spaced line.
        if best
            .as_ref()
            .is_none_or(|b| code.to_string().len() > b.to_string().len())
        {
            best = Some(code);
        }
    }
    best
}

/// The number of a cover broken over two short lines (`ＧＢ／` + `Ｔ １４８３３一 ９３`).
pub(crate) fn code_on_two_lines(first: &str, second: &str) -> Option<StandardCode> {
    let a = fold(first);
    let a = a.trim();
    let short = a.chars().filter(|c| !c.is_whitespace()).count() <= 6;
    if !short || !a.chars().next().is_some_and(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    code_on_line(&format!("{a}{}", fold(second).trim_start()))
}

/// The line with OCR confusions undone: spaced characters joined, `VT`/`|T`/`IT` after a
/// prefix read as `/T`, `O` inside digits read as `0`.
pub(crate) fn repair(lf: &str) -> String {
    let joined = join_spaced(lf);
    let slashed = fix_nature_slash(&joined);
    fix_letter_o(&slashed)
}

/// `G B / T 1 2 3 4 5 . 6 - 2 0 0 5` → `GB/T12345.6-2005`: a line of mostly one-character
/// tokens is a spaced text layer; other lines are kept.
fn join_spaced(lf: &str) -> String {
    let tokens: Vec<&str> = lf.split_whitespace().collect();
    let single = tokens.iter().filter(|t| t.chars().count() == 1).count();
    if tokens.len() >= 4 && single * 10 >= tokens.len() * 7 {
        tokens.concat()
    } else {
        lf.to_string()
    }
}

/// `GMVT 0031`, `GB|T 7714`, `WS IT 303` → `GM/T 0031`, ...: OCR reads the slash before the
/// nature letter as `V`, `|`, `I`, `L` or `J`; repaired only after a known prefix and before a
/// number.
fn fix_nature_slash(s: &str) -> String {
    static MISREAD: OnceLock<Regex> = OnceLock::new();
    let re = MISREAD.get_or_init(|| {
        Regex::new(r"([A-Z]{1,5})\s*[VIL|J]\s*([TZ])\s*([0-9O])")
            .unwrap_or_else(|e| unreachable!("bad regex {e}"))
    });
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let (Some(all), Some(prefix), Some(nature), Some(digit)) =
            (caps.get(0), caps.get(1), caps.get(2), caps.get(3))
        else {
            continue;
        };
        let glued = s[..all.start()]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_ascii_alphanumeric());
        if glued || !prefixes::is_chinese_prefix(prefix.as_str()) {
            continue;
        }
        out.push_str(&s[last..all.start()]);
        out.push_str(&format!(
            "{}/{} {}",
            prefix.as_str(),
            nature.as_str(),
            digit.as_str()
        ));
        last = all.end();
    }
    out.push_str(&s[last..]);
    out
}

/// `7O14-2O15`, `OO31` → `7014-2015`, `0031`: a letter O in a run of digits, dots and dashes
/// (with at least one digit) is a zero.
fn fix_letter_o(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let numeric = |c: char| c.is_ascii_digit() || matches!(c, 'O' | 'o' | '.' | '-');
    let mut out: Vec<char> = chars.clone();
    let mut i = 0;
    while i < chars.len() {
        if !numeric(chars[i]) {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < chars.len() && numeric(chars[j]) {
            j += 1;
        }
        // A run glued to letters on its left belongs to a word (`ISO`, `TO`), except the
        // nature letter right after a slash (`/T0O31`).
        let glued = i > 0 && chars[i - 1].is_ascii_alphabetic() && !(i > 1 && chars[i - 2] == '/');
        let has_digit = chars[i..j].iter().any(char::is_ascii_digit);
        if has_digit && !glued {
            for c in &mut out[i..j] {
                if matches!(*c, 'O' | 'o') {
                    *c = '0';
                }
            }
        }
        i = j;
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(line: &str) -> Option<String> {
        code_on_line(&fold(line)).map(|c| c.to_string())
    }

    #[test]
    fn real_layouts() {
        for (line, want) in [
            ("GB/T 7714—2015", "GB/T 7714-2015"),
            ("G B / T 1 2 3 4 5 . 6 — 2 0 0 5", "GB/T 12345.6-2005"),
            ("G B / T  1 2 3 4 5 . 6  —  2 0 0 5", "GB/T 12345.6-2005"),
            ("W S / T 4 4 9 一 2 0 1 4", "WS/T 449-2014"),
            ("GMVT 0031一2014", "GM/T 0031-2014"),
            ("GB|T 7714—2015", "GB/T 7714-2015"),
            ("WS IT 303—2023", "WS/T 303-2023"),
            ("GB/T 7O14—2O15", "GB/T 7014-2015"),
            ("GM/T OO31—2O14", "GM/T 0031-2014"),
            ("YY O5O5—2O12", "YY 0505-2012"),
            ("代替 GB/T 7714—2005", "GB/T 7714-2005"),
        ] {
            assert_eq!(read(line).as_deref(), Some(want), "{line:?}");
        }
        for line in [
            "中 华 人 民 共 和 国 国 家 标 准",
            "ISO 690",
            "本标准按照GB/T 1.1—2009给出的规则起草",
        ] {
            let got = read(line);
            assert!(
                got.is_none() || line.starts_with("ISO"),
                "{line:?}: {got:?}"
            );
        }
    }

    #[test]
    fn broken_over_two_lines() {
        assert_eq!(
            code_on_two_lines("ＧＢ／", "Ｔ １４８３３一 ９３")
                .map(|c| c.to_string())
                .as_deref(),
            Some("GB/T 14833-1993")
        );
    }
}
