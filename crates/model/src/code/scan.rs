//! Finding standard numbers in prose: the context rules that keep `IS 2015` and `8 GB 2023`
//! out of the results while `按GB/T 7714—2015执行` and `EN 71-1:2014` are found.

use std::ops::Range;

use super::parse::{self, Mode};
use super::{Family, Level, StandardCode};
use crate::normalize;
use crate::prefixes;

/// See [`StandardCode::find_all`].
pub(super) fn find_all(text: &str) -> Vec<(Range<usize>, StandardCode)> {
    let (folded, map) = normalize::fold_with_offsets(text);
    // Byte-for-byte: upper-casing and `_` → `/` keep every offset.
    let upper = folded.to_ascii_uppercase().replace('_', "/");
    let bytes = upper.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() || !is_start(bytes, i) {
            i += 1;
            continue;
        }
        let found = upper
            .get(i..)
            .and_then(|rest| parse::parse_at(rest, text, Mode::Scan).ok());
        if let Some((code, used)) = found {
            let mut stop = i + used;
            while stop > i && bytes[stop - 1] == b' ' {
                stop -= 1;
            }
            let lowercase = folded.as_bytes()[i].is_ascii_lowercase();
            let ends_clean = bytes.get(stop).is_none_or(|b| !b.is_ascii_alphanumeric());
            if ends_clean && plausible_in_prose(&code, &folded, i, stop, lowercase) {
                out.push((map[i]..map[stop], code));
                i = stop;
                continue;
            }
        }
        // Skip the rest of this word: a code never starts inside one.
        while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
            i += 1;
        }
    }
    out
}

/// Whether a code may start at `i`: at a word start, not inside a path or symbol such as
/// `G/TBT/N/...` (unless a foreign body follows a slash, as in `GB/T 1-2015/ISO 690:2010`), and
/// not right after a number (`8 GB`, `16 MT` are units).
fn is_start(bytes: &[u8], i: usize) -> bool {
    let Some(&prev) = i.checked_sub(1).and_then(|p| bytes.get(p)) else {
        return true;
    };
    if prev.is_ascii_alphanumeric() || prev == b'\\' {
        return false;
    }
    // `e.g.GB`, `x-GB`: punctuation glued to a word; `：GB/T` after Chinese text is fine.
    let glued_before = i
        .checked_sub(2)
        .and_then(|p| bytes.get(p))
        .is_some_and(u8::is_ascii_alphanumeric);
    if matches!(prev, b'.' | b'-' | b':') && glued_before {
        return false;
    }
    if prev == b'/' {
        let word: String = bytes[i..]
            .iter()
            .take_while(|b| b.is_ascii_uppercase())
            .map(|&b| char::from(b))
            .collect();
        let before_slash = i.checked_sub(2).and_then(|p| bytes.get(p));
        return prefixes::is_foreign_body(&word) && before_slash.is_some_and(u8::is_ascii_digit);
    }
    let mut j = i;
    while j > 0 && bytes[j - 1] == b' ' {
        j -= 1;
    }
    !(j < i && j > 0 && bytes[j - 1].is_ascii_digit())
}

/// The prose rules on a code the grammar accepted.
fn plausible_in_prose(
    code: &StandardCode,
    folded: &str,
    start: usize,
    stop: usize,
    lowercase: bool,
) -> bool {
    let level = code.level();
    if lowercase {
        // `gb/t 7714` in a query is a code; `is 2015` in a sentence is not.
        let chinese_strong = matches!(level, Level::National | Level::Local)
            || code.prefix().ends_with("/T")
            || code.prefix().ends_with("/Z");
        if !chinese_strong {
            return false;
        }
    }
    if code.family == Family::Chinese {
        if level == Level::Industry && code.nature() == Some(super::Nature::Mandatory) {
            // `LD 50`, `HS 9503`, `SC 2`: only with a year or in Chinese text.
            return code.year().is_some() || cjk_around(folded, start, stop);
        }
        return true;
    }
    let first = code.prefix().split(['/', ' ']).next().unwrap_or_default();
    let joint = code.prefix().contains(['/', ' ']);
    let has_part = code.number().contains('-') || code.number().contains('.');
    let year_like = code.year().is_none()
        && !has_part
        && code.number().len() == 4
        && code
            .number()
            .parse::<u16>()
            .is_ok_and(|n| (1950..=2035).contains(&n));
    if year_like && !joint {
        return false;
    }
    if prefixes::AMBIGUOUS_BODIES.contains(&first) && !joint {
        let long = code.number().bytes().filter(u8::is_ascii_digit).count() >= 4;
        return code.year().is_some() || has_part || long;
    }
    true
}

/// Whether Chinese text touches the span (`NY 525《有机肥料》`, `按YY 0505执行`).
fn cjk_around(folded: &str, start: usize, stop: usize) -> bool {
    let is_cjk =
        |c: char| ('\u{4e00}'..='\u{9fff}').contains(&c) || "《》（）、，。；：".contains(c);
    let before = folded
        .get(..start)
        .and_then(|s| s.trim_end().chars().next_back());
    let after = folded
        .get(stop..)
        .and_then(|s| s.trim_start().chars().next());
    before.is_some_and(is_cjk) || after.is_some_and(is_cjk)
}
