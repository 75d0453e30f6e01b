//! Character-level normalisation shared by every identifier parser.
//!
//! Users and OCR produce full-width forms, a zoo of dashes and stray spaces. Folding them here,
//! one char at a time, keeps a mapping to the original text so a code found in a document can be
//! highlighted at its real byte offsets.

use unicode_normalization::UnicodeNormalization;

/// Folds one character the way identifier parsers want it: NFKC (full-width to ASCII), every
/// dash to `-`, the CJK 一 that OCR and typists use as a dash to `-`, ideographic space to space.
///
/// Returns the folded characters (NFKC may expand one char into several).
pub fn fold_char(c: char, out: &mut String) {
    match c {
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '－' | '一' | '─' | '━' | '﹣' | '−' => {
            out.push('-')
        }
        '\u{3000}' | '\u{00a0}' | '\t' | '\r' | '\n' => out.push(' '),
        '／' => out.push('/'),
        '：' => out.push(':'),
        '．' | '。' => out.push('.'),
        c if c.is_ascii() => out.push(c),
        c => {
            for n in std::iter::once(c).nfkc() {
                out.push(n);
            }
        }
    }
}

/// Folds a whole string with [`fold_char`].
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Folds a string and records, for each byte of the output, the byte offset in the input of the
/// character it came from (plus one final entry for the end), so spans found in the folded text
/// map back to the original.
pub fn fold_with_offsets(s: &str) -> (String, Vec<usize>) {
    let mut out = String::with_capacity(s.len());
    let mut map = Vec::with_capacity(s.len() + 1);
    for (i, c) in s.char_indices() {
        let before = out.len();
        fold_char(c, &mut out);
        for _ in before..out.len() {
            map.push(i);
        }
    }
    map.push(s.len());
    (out, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_full_width_and_dashes() {
        assert_eq!(fold("ＧＢ／Ｔ　７７１４—２０１５"), "GB/T 7714-2015");
        assert_eq!(fold("GB/T 7714一2015"), "GB/T 7714-2015");
    }

    #[test]
    fn offsets_point_into_the_original() {
        let s = "见ＧＢ／Ｔ７７１４";
        let (f, map) = fold_with_offsets(s);
        let start = f.find("GB").expect("found");
        assert_eq!(&s[map[start]..], "ＧＢ／Ｔ７７１４");
        assert_eq!(map[f.len()], s.len());
    }
}
