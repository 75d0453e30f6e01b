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
///
/// Runs of ASCII and of CJK unified ideographs (most of any Chinese standard) are copied in one
/// go; every other character goes through the per-character rules.
pub fn fold_into(text: &str, out: &mut Folded) {
    out.text.clear();
    out.map.clear();
    out.text.reserve(text.len());
    out.map.reserve(text.len() + 1);
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii() {
                i += 1;
            }
            let at = out.text.len();
            out.text.push_str(&text[start..i]);
            if let Some(s) = out.text.get_mut(at..) {
                s.make_ascii_lowercase();
            }
            out.map.extend((start..i).map(|x| x as u32));
            continue;
        }
        if is_ideograph_at(bytes, i) {
            // `一` between two digits is a dash (`7714一2015`); it can only follow a digit at
            // the start of a run.
            if bytes[i..].starts_with("一".as_bytes())
                && out.text.as_bytes().last().is_some_and(u8::is_ascii_digit)
                && next_is_digit(bytes, i + 3)
            {
                out.text.push('-');
                out.map.push(i as u32);
                i += 3;
                continue;
            }
            let start = i;
            while is_ideograph_at(bytes, i) {
                let x = i as u32;
                out.map.extend_from_slice(&[x, x, x]);
                i += 3;
            }
            out.text.push_str(&text[start..i]);
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let before = out.text.len();
        fold_char(c, &mut out.text);
        for _ in before..out.text.len() {
            out.map.push(i as u32);
        }
        i += c.len_utf8();
    }
    out.map.push(text.len() as u32);
}

/// Whether a CJK unified ideograph (U+4E00..U+9FFF: NFKC-stable, no case) starts at byte `i`.
/// In UTF-8 they are three bytes with lead byte E4 (second byte from B8) to E9.
#[inline]
pub(super) fn is_ideograph_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        Some(0xE4) => bytes.get(i + 1).is_some_and(|b| *b >= 0xB8),
        Some(0xE5..=0xE9) => true,
        _ => false,
    }
}

/// Folds one character that is neither ASCII nor a CJK unified ideograph.
fn fold_char(c: char, out: &mut String) {
    match c {
        '‐' | '‑' | '‒' | '–' | '—' | '―' | '－' | '─' | '━' | '﹣' | '−' => {
            out.push('-')
        }
        '\u{3000}' | '\u{00a0}' => out.push(' '),
        // Full-width ASCII: a fixed offset, no table lookup needed.
        '\u{ff01}'..='\u{ff5e}' => {
            let a = char::from_u32(c as u32 - 0xfee0).unwrap_or(c);
            out.push(a.to_ascii_lowercase());
        }
        // CJK punctuation and quotes that NFKC leaves alone.
        '\u{3001}'..='\u{3035}' | '“' | '”' | '‘' | '’' | '·' => out.push(c),
        _ if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes && !c.is_uppercase() => {
            out.push(c)
        }
        _ => {
            for n in std::iter::once(c).nfkc() {
                if n.is_ascii() {
                    out.push(n.to_ascii_lowercase());
                } else {
                    for l in n.to_lowercase() {
                        out.push(l);
                    }
                }
            }
        }
    }
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
