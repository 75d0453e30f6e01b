//! Text folding for the analyzer: NFKC, lowercase and dash folding with a byte map back to the
//! original text, so tokens found in the folded text highlight the right bytes of the original.
//!
//! Unlike `biaozhun_model::normalize::fold`, the CJK `一` is only read as a dash between two
//! digits (`7714一2015`): in running Chinese text it is the numeral one.

use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// Folded text plus, for every byte of it, the byte offset in the original of the character it
/// came from; `map[folded.len()]` is the original length.
#[derive(Debug, Default, Clone)]
pub struct Folded {
    /// The folded text.
    pub text: String,
    /// Byte map into the original text (one entry per folded byte, plus the end).
    pub map: Vec<u32>,
}

impl Folded {
    /// Original byte offset of folded byte offset `i`.
    pub fn orig(&self, i: usize) -> usize {
        self.map.get(i).copied().unwrap_or(0) as usize
    }
}

/// Folds `text` into `out` (reusing its buffers).
pub fn fold_into(text: &str, out: &mut Folded) {
    out.text.clear();
    out.map.clear();
    out.text.reserve(text.len());
    out.map.reserve(text.len() + 1);
    let bytes = text.as_bytes();
    let mut prev_digit = false;
    for (i, c) in text.char_indices() {
        let before = out.text.len();
        if c.is_ascii() {
            out.text.push(c.to_ascii_lowercase());
        } else if ('\u{4e00}'..='\u{9fff}').contains(&c) {
            // CJK unified ideographs are NFKC-stable and have no case.
            if c == '一' && prev_digit && next_is_digit(bytes, i + c.len_utf8()) {
                out.text.push('-');
            } else {
                out.text.push(c);
            }
        } else {
            match c {
                '‐' | '‑' | '‒' | '–' | '—' | '―' | '－' | '─' | '━' | '﹣' | '−' => {
                    out.text.push('-')
                }
                '\u{3000}' | '\u{00a0}' => out.text.push(' '),
                // Full-width ASCII: a fixed offset, no table lookup needed.
                '\u{ff01}'..='\u{ff5e}' => {
                    let a = char::from_u32(c as u32 - 0xfee0).unwrap_or(c);
                    out.text.push(a.to_ascii_lowercase());
                }
                // CJK punctuation and quotes that NFKC leaves alone.
                '\u{3001}'..='\u{3035}' | '“' | '”' | '‘' | '’' | '·' => out.text.push(c),
                _ if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes
                    && !c.is_uppercase() =>
                {
                    out.text.push(c)
                }
                _ => {
                    for n in std::iter::once(c).nfkc() {
                        if n.is_ascii() {
                            out.text.push(n.to_ascii_lowercase());
                        } else {
                            for l in n.to_lowercase() {
                                out.text.push(l);
                            }
                        }
                    }
                }
            }
        }
        for _ in before..out.text.len() {
            out.map.push(i as u32);
        }
        prev_digit = out
            .text
            .as_bytes()
            .last()
            .is_some_and(|b| b.is_ascii_digit());
    }
    out.map.push(text.len() as u32);
}

/// Whether the character starting at byte `at` is an ASCII or full-width digit.
fn next_is_digit(bytes: &[u8], at: usize) -> bool {
    match bytes.get(at) {
        Some(b) if b.is_ascii_digit() => true,
        // Full-width digits U+FF10..U+FF19 are EF BC 90..99 in UTF-8.
        Some(0xEF) => {
            bytes.get(at + 1) == Some(&0xBC)
                && bytes.get(at + 2).is_some_and(|b| (0x90..=0x99).contains(b))
        }
        _ => false,
    }
}

/// Folds a string for comparisons (query terms, synonyms, stop words).
pub fn fold(text: &str) -> String {
    let mut f = Folded::default();
    fold_into(text, &mut f);
    f.text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_and_maps_back() {
        let s = "见ＧＢ／Ｔ７７１４—２０１５，一种";
        let mut f = Folded::default();
        fold_into(s, &mut f);
        assert_eq!(f.text, "见gb/t7714-2015,一种");
        let start = f.text.find("gb").expect("found");
        assert_eq!(&s[f.orig(start)..], "ＧＢ／Ｔ７７１４—２０１５，一种");
        assert_eq!(f.orig(f.text.len()), s.len());
        assert_eq!(fold("7714一2015"), "7714-2015");
        assert_eq!(fold("ÄPFEL"), "äpfel");
    }
}
