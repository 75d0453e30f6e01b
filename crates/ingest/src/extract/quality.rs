//! Measuring extracted text instead of trusting it.
//!
//! A text layer can decode to nonsense: fonts without a ToUnicode map give private-use or
//! Latin-1 junk, and openstd-style PDFs remap glyphs so the cover reads `犌犅／犜` for `GB/T`
//! while the body turns into ASCII punctuation. The signals used here:
//! - the share of hanzi that are among the ~3,500 most common ones (`data/common-hanzi.txt`,
//!   generated from the shared lexicon and laws by `data/gen_common_hanzi.py`): real Chinese
//!   text scores above 0.95, remapped glyphs below 0.2;
//! - replacement characters, private-use characters, control characters and Latin-1 symbols;
//! - the openstd "glyph Latin" pattern (hanzi whose GBK code is `A0 xx`, see
//!   [`decode_glyph_latin`]);
//! - fragmentation: many one- or two-character lines mean the extractor lost the layout.

use std::collections::HashMap;
use std::collections::HashSet;
use std::sync::OnceLock;

use biaozhun_model::TextQuality;

/// The common-hanzi list, one character per entry; lines starting with `#` are comments.
const COMMON_HANZI: &str = include_str!("../../data/common-hanzi.txt");

/// Measurements of one text; `quality` is the verdict, `score` ranks candidate extractions.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct QualityReport {
    /// Non-whitespace characters.
    pub chars: usize,
    /// CJK ideographs.
    pub cjk: usize,
    /// CJK ideographs in the common set.
    pub common_cjk: usize,
    /// Characters that signal a broken decoding (U+FFFD, private use, controls, Latin-1
    /// symbols, openstd glyph Latin).
    pub bad: usize,
    /// openstd glyph-Latin characters (`犌犅／犜`).
    pub glyph_latin: usize,
    /// Share of non-empty lines with at most two characters.
    pub fragmented_lines: f64,
    /// Ranking score: roughly the number of trustworthy characters, penalised for bad ones and
    /// for fragmentation. Only comparable between extractions of the same file.
    pub score: f64,
    /// The verdict.
    pub quality: TextQuality,
}

impl QualityReport {
    /// Share of CJK characters that are common hanzi (1.0 when there are none).
    pub fn common_share(&self) -> f64 {
        if self.cjk == 0 {
            1.0
        } else {
            self.common_cjk as f64 / self.cjk as f64
        }
    }

    /// Share of bad characters among all non-whitespace characters.
    pub fn bad_share(&self) -> f64 {
        if self.chars == 0 {
            0.0
        } else {
            self.bad as f64 / self.chars as f64
        }
    }
}

/// Fewer non-whitespace characters per page than this means an image-only scan.
const MIN_CHARS_PER_PAGE: usize = 20;

/// Measures `text`; `pages` (for PDFs) sets the bar for "no text".
pub fn assess(text: &str, pages: Option<u32>) -> QualityReport {
    let common = common_hanzi();
    let glyphs = glyph_latin_table();
    let mut r = QualityReport::default();
    let mut good = 0usize;
    for c in text.chars() {
        if c.is_whitespace() {
            continue;
        }
        r.chars += 1;
        if is_cjk(c) {
            r.cjk += 1;
            if common.contains(&c) {
                r.common_cjk += 1;
                good += 1;
            } else if glyphs.contains_key(&c) {
                r.glyph_latin += 1;
                r.bad += 1;
            }
        } else if is_bad_char(c) {
            r.bad += 1;
        } else if c.is_ascii_alphanumeric() || is_cjk_punct(c) {
            good += 1;
        }
    }
    let mut lines = 0usize;
    let mut short = 0usize;
    for l in text.lines() {
        let n = l.chars().filter(|c| !c.is_whitespace()).count();
        if n > 0 {
            lines += 1;
            if n <= 2 {
                short += 1;
            }
        }
    }
    r.fragmented_lines = if lines == 0 {
        0.0
    } else {
        short as f64 / lines as f64
    };
    r.score = (good as f64 - 3.0 * r.bad as f64) * (1.0 - 0.5 * r.fragmented_lines);
    let min_chars = MIN_CHARS_PER_PAGE * pages.unwrap_or(1).max(1) as usize;
    r.quality = if r.chars < min_chars.min(200) || (r.chars < min_chars && r.cjk == 0) {
        TextQuality::NoText
    } else if r.bad_share() > 0.10
        || r.glyph_latin >= 3 && r.glyph_latin * 20 > r.cjk
        || (r.cjk >= 30 && r.common_share() < 0.7)
    {
        TextQuality::Garbled
    } else {
        TextQuality::Good
    };
    r
}

/// Whether `c` is a CJK unified ideograph (basic block or extension A).
pub fn is_cjk(c: char) -> bool {
    matches!(c, '\u{4e00}'..='\u{9fff}' | '\u{3400}'..='\u{4dbf}' | '\u{f900}'..='\u{faff}')
}

/// CJK punctuation and full-width forms that belong in Chinese text.
fn is_cjk_punct(c: char) -> bool {
    matches!(c, '\u{3000}'..='\u{303f}' | '\u{ff00}'..='\u{ffef}')
}

/// Characters that real standards text (almost) never contains but broken decodings produce.
fn is_bad_char(c: char) -> bool {
    match c {
        '\u{fffd}' => true,
        '\u{e000}'..='\u{f8ff}' => true,
        c if c.is_control() => true,
        // Latin-1 supplement symbols and letters, except the ones standards do use.
        '\u{a1}'..='\u{ff}' => !matches!(c, '°' | '±' | '×' | '÷' | '·' | 'µ' | '§' | '²' | '³'),
        _ => false,
    }
}

/// The common-hanzi set (3,500 characters).
pub fn common_hanzi() -> &'static HashSet<char> {
    static SET: OnceLock<HashSet<char>> = OnceLock::new();
    SET.get_or_init(|| {
        COMMON_HANZI
            .lines()
            .filter(|l| !l.starts_with('#'))
            .flat_map(str::chars)
            .filter(|c| is_cjk(*c))
            .collect()
    })
}

/// openstd glyph Latin: hanzi whose GBK code is `A0 xx` stand for ASCII `xx - 0x80`
/// (`犌` = A0C7 → `G`). Built once from the GBK decoder.
fn glyph_latin_table() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        let mut m = HashMap::new();
        for b in 0xA1u8..=0xFE {
            let ascii = (b - 0x80) as char;
            if !ascii.is_ascii_graphic() {
                continue;
            }
            let pair = [0xA0, b];
            let (s, _, bad) = encoding_rs::GBK.decode(&pair);
            let mut chars = s.chars();
            if let (false, Some(c), None) = (bad, chars.next(), chars.next()) {
                if is_cjk(c) {
                    m.insert(c, ascii);
                }
            }
        }
        m
    })
}

/// Replaces openstd glyph-Latin hanzi by the ASCII characters they stand for, so a garbled
/// cover still yields `GB/T 39059—2020` and `ICS 83.140.99`. Returns the text unchanged when
/// it has no such characters.
pub fn decode_glyph_latin(text: &str) -> String {
    let map = glyph_latin_table();
    text.chars()
        .map(|c| map.get(&c).copied().unwrap_or(c))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glyph_latin_decodes_cover() {
        assert_eq!(decode_glyph_latin("犌犅／犜３９０５９"), "GB／T３９０５９");
        assert_eq!(decode_glyph_latin("犐犆犛"), "ICS");
    }

    #[test]
    fn verdicts() {
        let good = "本文件规定了马铃薯脱毒种薯生产的基地条件、繁育程序、田间管理、质量检验、收获与贮藏要求。".repeat(3);
        assert_eq!(assess(&good, Some(1)).quality, TextQuality::Good);
        assert_eq!(assess("  \n 1 \n", Some(3)).quality, TextQuality::NoText);
        let garbled =
            "犌犅／犜３９０５９ vbwxy ApC ¡¢£¤¥¦§¨© ¬ \u{AD} ® ¯ ° ± ´ µ ¶ · ¸ ¹ ºA4 ".repeat(4);
        assert_eq!(assess(&garbled, Some(1)).quality, TextQuality::Garbled);
    }
}
