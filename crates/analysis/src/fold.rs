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
    out.map.clear();
    out.map.reserve(text.len() + 1);
    fold_with(text, &mut out.text, &mut out.map);
}

/// Folded text with a sparse map back to the original: one entry per run of ASCII, per run of
/// ideographs and per other character, instead of four bytes per folded byte. For readers of
/// long texts that map back only a few offsets (snippets over 100 kB bodies); the offsets are
/// those of [`Folded::orig`].
#[derive(Debug, Default, Clone)]
pub struct FoldedRuns {
    /// The folded text (the same as [`Folded::text`]).
    pub text: String,
    runs: Vec<Run>,
}

/// A run of folded bytes starting at `folded` and what its bytes map to.
#[derive(Debug, Clone, Copy)]
struct Run {
    folded: u32,
    orig: u32,
    kind: RunKind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum RunKind {
    /// ASCII copied (lowercased): byte `k` of the run is byte `orig + k`.
    Ascii,
    /// Ideographs copied: byte `k` of the run is in the character at `orig + k / 3 * 3`.
    Ideographs,
    /// The folding of the one character at `orig` (also the end of the text).
    Char,
}

impl FoldedRuns {
    /// Original byte offset of folded byte offset `i`, as [`Folded::orig`] gives it.
    pub fn orig(&self, i: usize) -> usize {
        let Some(last) = self.runs.last() else {
            return 0;
        };
        if i > last.folded as usize {
            return 0;
        }
        let at = self.runs.partition_point(|r| r.folded as usize <= i);
        let Some(r) = at.checked_sub(1).and_then(|k| self.runs.get(k)) else {
            return 0;
        };
        let k = i - r.folded as usize;
        r.orig as usize
            + match r.kind {
                RunKind::Ascii => k,
                RunKind::Ideographs => k / 3 * 3,
                RunKind::Char => 0,
            }
    }
}

/// Folds `text` into `out` with a sparse map (see [`FoldedRuns`]).
pub fn fold_runs_into(text: &str, out: &mut FoldedRuns) {
    out.runs.clear();
    fold_with(text, &mut out.text, &mut out.runs);
}

/// Where folded bytes come from, as [`fold_with`] tells it.
trait MapSink {
    /// `len` ASCII bytes from original offset `orig`, folded at `at`.
    fn ascii(&mut self, at: usize, orig: usize, len: usize);
    /// `len` bytes of ideographs from original offset `orig`, folded at `at`.
    fn ideographs(&mut self, at: usize, orig: usize, len: usize);
    /// `len` folded bytes at `at` from the one character at `orig` (`len` 0: the end).
    fn char(&mut self, at: usize, orig: usize, len: usize);
}

impl MapSink for Vec<u32> {
    fn ascii(&mut self, _: usize, orig: usize, len: usize) {
        self.extend((orig..orig + len).map(|x| x as u32));
    }
    fn ideographs(&mut self, _: usize, orig: usize, len: usize) {
        for x in (orig..orig + len).step_by(3) {
            let x = x as u32;
            self.extend_from_slice(&[x, x, x]);
        }
    }
    fn char(&mut self, _: usize, orig: usize, len: usize) {
        for _ in 0..len.max(1) {
            self.push(orig as u32);
        }
    }
}

impl MapSink for Vec<Run> {
    fn ascii(&mut self, at: usize, orig: usize, _: usize) {
        self.push(Run {
            folded: at as u32,
            orig: orig as u32,
            kind: RunKind::Ascii,
        });
    }
    fn ideographs(&mut self, at: usize, orig: usize, _: usize) {
        self.push(Run {
            folded: at as u32,
            orig: orig as u32,
            kind: RunKind::Ideographs,
        });
    }
    fn char(&mut self, at: usize, orig: usize, _: usize) {
        self.push(Run {
            folded: at as u32,
            orig: orig as u32,
            kind: RunKind::Char,
        });
    }
}

/// The folding itself, telling `map` where each folded byte comes from; ends with the end of
/// the text (`char` with `len` 0 at the folded length).
fn fold_with<M: MapSink>(text: &str, out: &mut String, map: &mut M) {
    out.clear();
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii() {
                i += 1;
            }
            let at = out.len();
            out.push_str(&text[start..i]);
            if let Some(s) = out.get_mut(at..) {
                s.make_ascii_lowercase();
            }
            map.ascii(at, start, i - start);
            continue;
        }
        if is_ideograph_at(bytes, i) {
            // `一` between two digits is a dash (`7714一2015`); it can only follow a digit at
            // the start of a run.
            if bytes[i..].starts_with("一".as_bytes())
                && out.as_bytes().last().is_some_and(u8::is_ascii_digit)
                && next_is_digit(bytes, i + 3)
            {
                map.char(out.len(), i, 1);
                out.push('-');
                i += 3;
                continue;
            }
            let start = i;
            while is_ideograph_at(bytes, i) {
                i += 3;
            }
            map.ideographs(out.len(), start, i - start);
            out.push_str(&text[start..i]);
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let before = out.len();
        fold_char(c, out);
        if out.len() > before {
            map.char(before, i, out.len() - before);
        }
        i += c.len_utf8();
    }
    map.char(out.len(), text.len(), 0);
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

    /// The sparse map gives every offset the dense map gives, on text with every kind of run.
    #[test]
    fn runs_map_back_as_the_dense_map() {
        for s in [
            "",
            "abc",
            "见ＧＢ／Ｔ７７１４—２０１５，一种",
            "7714一2015 一种 ÄPFEL ﬁ ㊀ 豈 Straße\n第十条。",
            "\u{200b}零宽\u{200b}",
        ] {
            let mut dense = Folded::default();
            fold_into(s, &mut dense);
            let mut runs = FoldedRuns::default();
            fold_runs_into(s, &mut runs);
            assert_eq!(runs.text, dense.text, "{s}");
            for i in 0..dense.text.len() + 3 {
                assert_eq!(runs.orig(i), dense.orig(i), "{s} at {i}");
            }
        }
    }
}
