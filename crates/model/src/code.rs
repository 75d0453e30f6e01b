//! Standard numbers (`GB/T 7714-2015`) in every spelling users, catalogs and OCR produce.
//!
//! The parser works on text folded by [`crate::normalize`] (full-width, dashes, `一`), accepts
//! missing or doubled spaces and slashes, and produces one canonical form per standard so that
//! the canonical string can serve as the record id. The canonical number has no leading zeros
//! (`LB/T 041-2015` and `LB/T 41-2015` are one standard) and a four-digit year.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::normalize;
use crate::prefixes::{self, IndustryPrefix};
use crate::region::Province;

/// Who issued a standard, which decides where it applies and how it is numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// 国家标准: `GB`, `GB/T`, `GB/Z`.
    National,
    /// 行业标准: `NY/T`, `HG/T`, ...
    Industry,
    /// 地方标准: `DB62/T`.
    Local,
    /// 团体标准: `T/CACM`.
    Group,
    /// 企业标准: `Q/...`.
    Enterprise,
    /// ISO, IEC, Codex, ...
    International,
    /// Another country's national standard (ASTM, EN, JIS, ...).
    Foreign,
}

impl Level {
    /// Stable machine name for the index and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::National => "national",
            Level::Industry => "industry",
            Level::Local => "local",
            Level::Group => "group",
            Level::Enterprise => "enterprise",
            Level::International => "international",
            Level::Foreign => "foreign",
        }
    }

    /// Chinese label (国家标准, 行业标准, ...).
    pub fn label_zh(self) -> &'static str {
        match self {
            Level::National => "国家标准",
            Level::Industry => "行业标准",
            Level::Local => "地方标准",
            Level::Group => "团体标准",
            Level::Enterprise => "企业标准",
            Level::International => "国际标准",
            Level::Foreign => "国外标准",
        }
    }
}

/// Legal force of a Chinese standard, read off the `/T` and `/Z` suffixes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nature {
    /// 强制性: no suffix.
    Mandatory,
    /// 推荐性: `/T`.
    Recommended,
    /// 指导性技术文件: `/Z`.
    Guidance,
}

impl Nature {
    /// Stable machine name for the index and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Nature::Mandatory => "mandatory",
            Nature::Recommended => "recommended",
            Nature::Guidance => "guidance",
        }
    }
}

/// Why a string is not a standard number. The message is shown to users as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Nothing but whitespace.
    #[error("empty standard number")]
    Empty,
    /// No letters where the issuing prefix should be.
    #[error("no standard prefix (such as GB/T) at the start of {0:?}")]
    NoPrefix(String),
    /// Letters that are not a known prefix.
    #[error("unknown standard prefix {prefix:?} in {input:?}")]
    UnknownPrefix {
        /// The prefix as read.
        prefix: String,
        /// The whole input.
        input: String,
    },
    /// A prefix without a number after it.
    #[error("no number after the prefix in {0:?}")]
    NoNumber(String),
    /// A year that is not 2 or 4 digits or not plausible.
    #[error("invalid year {year:?} in {input:?}")]
    BadYear {
        /// The year as read.
        year: String,
        /// The whole input.
        input: String,
    },
    /// Characters left over after a complete number.
    #[error("unexpected {rest:?} after the standard number in {input:?}")]
    Trailing {
        /// What was left.
        rest: String,
        /// The whole input.
        input: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Family {
    /// Chinese numbering: `PREFIX NUMBER-YEAR`.
    Chinese,
    /// ISO style: `PREFIX NUMBER:YEAR`.
    Colon,
    /// ASTM style: `PREFIX NUMBER-YY`.
    Astm,
}

/// A parsed standard number.
///
/// Serialises as its canonical string, so JSON and the index see `"GB/T 7714-2015"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StandardCode {
    prefix: String,
    number: String,
    year: Option<u16>,
    family: Family,
}

impl StandardCode {
    /// Parses a whole string as one standard number.
    pub fn parse(input: &str) -> Result<StandardCode, CodeError> {
        let folded = prepare(input);
        if folded.is_empty() {
            return Err(CodeError::Empty);
        }
        let (code, used) = parse_prefix_of(&folded, input, false)?;
        let rest = folded[used..].trim();
        if !rest.is_empty() {
            return Err(CodeError::Trailing {
                rest: rest.to_string(),
                input: input.to_string(),
            });
        }
        Ok(code)
    }

    /// Finds every standard number in running text, with byte ranges into `text`.
    ///
    /// Used for normative references, for notifications citing standards, and for query
    /// understanding. Only upper-case prefixes count here: in prose, `is 2015` is not a code.
    pub fn find_all(text: &str) -> Vec<(Range<usize>, StandardCode)> {
        let (folded, map) = normalize::fold_with_offsets(text);
        let bytes = folded.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            let boundary = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
            if b.is_ascii_uppercase() && boundary {
                let end = scan_end(&folded, i);
                let candidate = folded[i..end].replace('_', "/");
                if let Ok((code, used)) = parse_prefix_of(&candidate, text, true) {
                    // `used` counts bytes of `candidate`, which has the same length as the
                    // original slice (the replacement is byte for byte).
                    let mut stop = i + used;
                    while stop > i && bytes[stop - 1] == b' ' {
                        stop -= 1;
                    }
                    out.push((map[i]..map[stop], code));
                    i = stop.max(i + 1);
                    continue;
                }
            }
            i += 1;
        }
        out
    }

    /// The prefix with its nature suffix: `GB/T`, `DB62/T`, `T/CACM`, `ISO/IEC`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The prefix without the `/T` or `/Z` suffix: `GB`, `DB62`, `NY`.
    pub fn base_prefix(&self) -> &str {
        if self.family != Family::Chinese {
            return &self.prefix;
        }
        self.prefix
            .strip_suffix("/T")
            .or_else(|| self.prefix.strip_suffix("/Z"))
            .unwrap_or(&self.prefix)
    }

    /// The number with its parts: `7714`, `4789.15`, `F963`, `27001`.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The four-digit year of the edition, when given.
    pub fn year(&self) -> Option<u16> {
        self.year
    }

    /// The same code without the year: the key all editions share.
    pub fn without_year(&self) -> StandardCode {
        StandardCode {
            year: None,
            ..self.clone()
        }
    }

    /// The same code with another year.
    pub fn with_year(&self, year: u16) -> StandardCode {
        StandardCode {
            year: Some(year),
            ..self.clone()
        }
    }

    /// The key without year as a string, `GB/T 7714`: all editions of a standard share it.
    pub fn key(&self) -> String {
        format!("{} {}", self.prefix, self.number)
    }

    /// Whether the two codes are editions of the same standard.
    pub fn same_standard(&self, other: &StandardCode) -> bool {
        self.prefix == other.prefix && self.number == other.number
    }

    /// National, industry, local, group, enterprise, international or foreign.
    pub fn level(&self) -> Level {
        if self.family != Family::Chinese {
            let first = self.prefix.split(['/', ' ']).next().unwrap_or_default();
            return if prefixes::INTERNATIONAL_BODIES.contains(&first) {
                Level::International
            } else {
                Level::Foreign
            };
        }
        let base = self.base_prefix();
        if prefixes::NATIONAL_PREFIXES.contains(&base) {
            Level::National
        } else if base.starts_with("DB") && base.len() > 2 {
            Level::Local
        } else if base.starts_with("T/") {
            Level::Group
        } else if base.starts_with("Q/") {
            Level::Enterprise
        } else {
            Level::Industry
        }
    }

    /// Mandatory, recommended or guidance; `None` where the distinction does not exist (group,
    /// enterprise, international and foreign standards are all voluntary by nature).
    pub fn nature(&self) -> Option<Nature> {
        match self.level() {
            Level::National | Level::Industry | Level::Local => {
                Some(if self.prefix.ends_with("/T") {
                    Nature::Recommended
                } else if self.prefix.ends_with("/Z") {
                    Nature::Guidance
                } else {
                    Nature::Mandatory
                })
            }
            _ => None,
        }
    }

    /// The sector of an industry standard (`NY` → 农业).
    pub fn industry(&self) -> Option<&'static IndustryPrefix> {
        if self.level() == Level::Industry {
            prefixes::industry(self.base_prefix())
        } else {
            None
        }
    }

    /// The province of a local standard (`DB62` → 甘肃省).
    pub fn province(&self) -> Option<&'static Province> {
        if self.level() != Level::Local {
            return None;
        }
        let digits = self.base_prefix().get(2..4)?;
        Province::by_code(digits)
    }

    /// The `GB` ↔ `GB/T` counterpart: many mandatory GB standards became GB/T in 2017, so a
    /// lookup of one should also find the other. `None` for codes without such a twin.
    pub fn alias(&self) -> Option<StandardCode> {
        if self.family != Family::Chinese {
            return None;
        }
        let prefix = match self.prefix.as_str() {
            "GB" => "GB/T".to_string(),
            "GB/T" => "GB".to_string(),
            _ => return None,
        };
        Some(StandardCode {
            prefix,
            ..self.clone()
        })
    }

    /// Compact spelling without spaces or punctuation (`GBT7714-2015` → `gbt77142015`), the form
    /// file names and hurried users type; used as an extra index key.
    pub fn compact(&self) -> String {
        self.to_string()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    }
}

impl fmt::Display for StandardCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.prefix, self.number)?;
        match (self.year, self.family) {
            (None, _) => Ok(()),
            (Some(y), Family::Chinese) => write!(f, "-{y}"),
            (Some(y), Family::Colon) => write!(f, ":{y}"),
            (Some(y), Family::Astm) => write!(f, "-{:02}", y % 100),
        }
    }
}

impl FromStr for StandardCode {
    type Err = CodeError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StandardCode::parse(s)
    }
}

impl Serialize for StandardCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for StandardCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        StandardCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl PartialOrd for StandardCode {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for StandardCode {
    /// Orders by prefix, then numerically by number parts, then year: `GB 2` < `GB 10`.
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        fn parts(n: &str) -> Vec<(u64, &str)> {
            n.split(['.', '-'])
                .map(|p| {
                    let digits: String = p.chars().filter(|c| c.is_ascii_digit()).collect();
                    (digits.parse().unwrap_or(0), p)
                })
                .collect()
        }
        self.prefix
            .cmp(&other.prefix)
            .then_with(|| parts(&self.number).cmp(&parts(&other.number)))
            .then_with(|| self.year.cmp(&other.year))
    }
}

/// Folds, upper-cases, turns `_` into `/` and collapses whitespace.
fn prepare(input: &str) -> String {
    let folded = normalize::fold(input)
        .to_ascii_uppercase()
        .replace('_', "/");
    let mut out = String::with_capacity(folded.len());
    for word in folded.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Where a code that starts at `start` could end: the run of characters codes are made of.
fn scan_end(folded: &str, start: usize) -> usize {
    let bytes = folded.as_bytes();
    let mut end = start;
    while end < bytes.len() && end - start < 48 {
        let b = bytes[end];
        if b.is_ascii_alphanumeric() || matches!(b, b'/' | b' ' | b'.' | b'-' | b':' | b'_') {
            end += 1;
        } else {
            break;
        }
    }
    end
}

/// A tiny cursor over folded ASCII-ish text.
struct Cur<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Cur<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }
    fn peek_at(&self, k: usize) -> Option<u8> {
        self.s.get(self.i + k).copied()
    }
    fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn skip_spaces(&mut self) -> usize {
        let start = self.i;
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
        self.i - start
    }
    fn take_while(&mut self, f: impl Fn(u8) -> bool) -> &'a str {
        let start = self.i;
        while self.peek().is_some_and(&f) {
            self.i += 1;
        }
        // Only ASCII bytes are taken, so this is always a char boundary.
        std::str::from_utf8(&self.s[start..self.i]).unwrap_or_default()
    }
}

/// Parses a code at the start of `s` (already prepared or folded) and returns it with the number
/// of bytes used. `scanning` makes the parser stricter about what counts as a code in prose.
fn parse_prefix_of(
    s: &str,
    input: &str,
    scanning: bool,
) -> Result<(StandardCode, usize), CodeError> {
    let upper;
    let s = if scanning {
        s
    } else {
        upper = s.to_ascii_uppercase();
        &upper
    };
    let mut c = Cur {
        s: s.as_bytes(),
        i: 0,
    };
    let letters = c.take_while(|b| b.is_ascii_uppercase());
    if letters.is_empty() {
        return Err(CodeError::NoPrefix(input.to_string()));
    }
    if prefixes::is_foreign_body(letters) {
        return parse_foreign(letters, c, input);
    }
    let prefix = chinese_prefix(letters, &mut c, input, scanning)?;
    let number = parse_number(&mut c, input)?;
    let year = parse_year(&mut c, input, Family::Chinese)?;
    Ok((
        StandardCode {
            prefix,
            number,
            year,
            family: Family::Chinese,
        },
        c.i,
    ))
}

/// Reads the rest of a Chinese prefix after its first run of letters, leaving the cursor before
/// the number.
fn chinese_prefix(
    letters: &str,
    c: &mut Cur<'_>,
    input: &str,
    scanning: bool,
) -> Result<String, CodeError> {
    // Local standards: DB + 2/4/6-digit division code, optional /T.
    if letters == "DB" && c.peek().is_some_and(|b| b.is_ascii_digit() || b == b' ') {
        let save = c.i;
        c.skip_spaces();
        let digits = c.take_while(|b| b.is_ascii_digit());
        if digits.len() >= 2 {
            let (region, rest_digits) = match digits.len() {
                2 | 4 | 6 => (digits, ""),
                _ => digits.split_at(2),
            };
            if Province::by_code(&region[..2]).is_none() {
                return Err(CodeError::UnknownPrefix {
                    prefix: format!("DB{region}"),
                    input: input.to_string(),
                });
            }
            let mut prefix = format!("DB{region}");
            if rest_digits.is_empty() {
                let suffix = nature_suffix(c);
                if let Some(sfx) = suffix {
                    prefix.push('/');
                    prefix.push(sfx as char);
                }
                // `DB62/1669`: a slash before the number of a mandatory local standard.
                c.skip_spaces();
                if c.peek() == Some(b'/') {
                    c.i += 1;
                }
            } else {
                // `DB621669`: the number follows the province digits directly.
                c.i -= rest_digits.len();
            }
            return Ok(prefix);
        }
        c.i = save;
    }
    // Group standards: T/ORG or T ORG.
    if letters == "T" {
        let save = c.i;
        if c.eat(b'/') || c.skip_spaces() > 0 {
            c.skip_spaces();
            let org = c.take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
            let org = org.trim_end_matches(|ch: char| ch.is_ascii_digit());
            if org.len() >= 2 && !org.as_bytes()[0].is_ascii_digit() {
                c.i = save;
                c.eat(b'/');
                c.skip_spaces();
                c.i += org.len();
                return Ok(format!("T/{org}"));
            }
        }
        c.i = save;
        return Err(CodeError::NoNumber(input.to_string()));
    }
    // Enterprise standards: Q/ORG.
    if letters == "Q" && c.eat(b'/') {
        c.skip_spaces();
        let region = c.take_while(|b| b.is_ascii_digit());
        c.skip_spaces();
        let org = c.take_while(|b| b.is_ascii_uppercase());
        if region.is_empty() && org.is_empty() {
            return Err(CodeError::NoNumber(input.to_string()));
        }
        return Ok(format!("Q/{region}{org}"));
    }
    // National and industry: GB, GB/T, GBT, GB T, NY/T ...
    let (base, suffix) = if prefixes::is_chinese_prefix(letters) {
        (letters, nature_suffix(c))
    } else if let Some(base) = letters
        .strip_suffix('T')
        .or_else(|| letters.strip_suffix('Z'))
        .filter(|b| prefixes::is_chinese_prefix(b))
    {
        (base, letters.as_bytes().last().copied())
    } else if !scanning
        && letters.len() >= 3
        && letters.starts_with('T')
        && !prefixes::is_chinese_prefix(&letters[..2])
    {
        // `TCACM1020` typed without the slash.
        return Ok(format!("T/{}", &letters[1..]));
    } else {
        return Err(CodeError::UnknownPrefix {
            prefix: letters.to_string(),
            input: input.to_string(),
        });
    };
    let mut prefix = base.to_string();
    if let Some(sfx) = suffix {
        prefix.push('/');
        prefix.push(sfx as char);
    }
    Ok(prefix)
}

/// Reads `/T`, `/Z`, ` T`, `T` (followed by a separator or digit) after a prefix.
fn nature_suffix(c: &mut Cur<'_>) -> Option<u8> {
    let save = c.i;
    let had_slash = c.eat(b'/');
    c.skip_spaces();
    if let Some(b @ (b'T' | b'Z')) = c.peek() {
        let next = c.peek_at(1);
        if next.is_none_or(|n| n == b' ' || n == b'/' || n.is_ascii_digit()) {
            c.i += 1;
            return Some(b);
        }
    }
    let _ = had_slash;
    c.i = save;
    None
}

/// Reads the number with its dotted parts, dropping leading zeros of each part.
fn parse_number(c: &mut Cur<'_>, input: &str) -> Result<String, CodeError> {
    c.skip_spaces();
    let mut parts: Vec<String> = Vec::new();
    loop {
        let digits = c.take_while(|b| b.is_ascii_digit());
        if digits.is_empty() {
            break;
        }
        let trimmed = digits.trim_start_matches('0');
        parts.push(if trimmed.is_empty() {
            "0".to_string()
        } else {
            trimmed.to_string()
        });
        if c.peek() == Some(b'.') && c.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            c.i += 1;
        } else {
            break;
        }
    }
    if parts.is_empty() {
        return Err(CodeError::NoNumber(input.to_string()));
    }
    Ok(parts.join("."))
}

/// Reads `-YYYY`, `-YY` (or `:YYYY` for ISO-style codes) when present.
fn parse_year(c: &mut Cur<'_>, input: &str, family: Family) -> Result<Option<u16>, CodeError> {
    let save = c.i;
    c.skip_spaces();
    let sep_ok = match family {
        Family::Colon => c.eat(b':'),
        _ => c.eat(b'-'),
    };
    if !sep_ok {
        c.i = save;
        return Ok(None);
    }
    c.skip_spaces();
    let digits = c.take_while(|b| b.is_ascii_digit());
    if c.peek().is_some_and(|b| b.is_ascii_alphabetic()) && family != Family::Astm {
        c.i = save;
        return Ok(None);
    }
    let year = match digits.len() {
        4 => digits
            .parse::<u16>()
            .ok()
            .filter(|y| (1900..=2100).contains(y)),
        2 => digits
            .parse::<u16>()
            .ok()
            .map(|y| if y >= 50 { 1900 + y } else { 2000 + y }),
        0 => None,
        _ => None,
    };
    match year {
        Some(y) => Ok(Some(y)),
        None if digits.is_empty() => {
            c.i = save;
            Ok(None)
        }
        None => Err(CodeError::BadYear {
            year: digits.to_string(),
            input: input.to_string(),
        }),
    }
}

/// ISO, IEC, EN, ASTM, JIS, BS, DIN and friends.
fn parse_foreign(
    first: &str,
    mut c: Cur<'_>,
    input: &str,
) -> Result<(StandardCode, usize), CodeError> {
    let mut prefix = first.to_string();
    // Joint prefixes: ISO/IEC, BS EN ISO, AS/NZS, ISO/TS, ANSI/UL.
    loop {
        let save = c.i;
        let slash = c.eat(b'/');
        if !slash && c.skip_spaces() == 0 {
            break;
        }
        c.skip_spaces();
        let word = c.take_while(|b| b.is_ascii_uppercase());
        let doc_type = matches!(word, "TS" | "TR" | "PAS" | "GUIDE" | "IWA" | "IEEE" | "NZS");
        let next_is_sep = c.peek().is_none_or(|b| b == b' ' || b == b'/');
        if !word.is_empty() && next_is_sep && (prefixes::is_foreign_body(word) || doc_type) {
            prefix.push(if slash { '/' } else { ' ' });
            prefix.push_str(word);
        } else {
            c.i = save;
            break;
        }
    }
    c.skip_spaces();
    let family = if prefix == "ASTM" {
        Family::Astm
    } else {
        Family::Colon
    };
    // JIS numbers start with a division letter and a space (`JIS Z 8301`), ASTM ones with a
    // letter (`F963`).
    let mut number = String::new();
    if let Some(l) = c.peek().filter(|b| b.is_ascii_uppercase()) {
        if c.peek_at(1)
            .is_some_and(|b| b.is_ascii_digit() || b == b' ')
        {
            c.i += 1;
            number.push(l as char);
            if prefix == "JIS" {
                number.push(' ');
            }
            c.skip_spaces();
        }
    }
    let digits = c.take_while(|b| b.is_ascii_digit() || b == b'.');
    let digits = digits.trim_end_matches('.');
    if digits.is_empty() {
        return Err(CodeError::NoNumber(input.to_string()));
    }
    number.push_str(digits);
    // ISO parts: `8601-1`, `71-1`.
    if family == Family::Colon {
        while c.peek() == Some(b'-') && c.peek_at(1).is_some_and(|b| b.is_ascii_digit()) {
            c.i += 1;
            let part = c.take_while(|b| b.is_ascii_digit());
            number.push('-');
            number.push_str(part);
        }
    }
    let year = parse_year(&mut c, input, family)?;
    Ok((
        StandardCode {
            prefix,
            number,
            year,
            family,
        },
        c.i,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, canonical: &str) {
        match StandardCode::parse(input) {
            Ok(code) => assert_eq!(code.to_string(), canonical, "input {input:?}"),
            Err(e) => panic!("{input:?} did not parse: {e}"),
        }
    }

    #[test]
    fn spellings() {
        check("GB/T 7714-2015", "GB/T 7714-2015");
        check("ＧＢ／Ｔ　７７１４—２０１５", "GB/T 7714-2015");
        check("GBT7714", "GB/T 7714");
        check("gb t 7714", "GB/T 7714");
        check("GB_T 7714-2015", "GB/T 7714-2015");
        check("GB/T7714一2015", "GB/T 7714-2015");
        check("GB 2877-81", "GB 2877-1981");
        check("LB/T 041-2015", "LB/T 41-2015");
        check("DB62/T 2704-2016", "DB62/T 2704-2016");
        check("DB62T2704", "DB62/T 2704");
        check("DB62/1669-2007", "DB62 1669-2007");
        check("DB1307/T 123-2020", "DB1307/T 123-2020");
        check("T/CACM 1020.148-2019", "T/CACM 1020.148-2019");
        check("GB 4789.15-2016", "GB 4789.15-2016");
        check("ISO 690:2010", "ISO 690:2010");
        check("ISO/IEC 27001:2022", "ISO/IEC 27001:2022");
        check("ASTM F963-17", "ASTM F963-17");
        check("EN 71-1:2014", "EN 71-1:2014");
        check("JIS Z 8301:2019", "JIS Z 8301:2019");
        check("MT 113-1995", "MT 113-1995");
        check("MTT 113", "MT/T 113");
        check("SJ/Z 11361-2006", "SJ/Z 11361-2006");
        check("Q/GDW 1168-2013", "Q/GDW 1168-2013");
    }

    #[test]
    fn fields() {
        let c = StandardCode::parse("DB62/T 2704-2016").expect("parse");
        assert_eq!(c.level(), Level::Local);
        assert_eq!(c.nature(), Some(Nature::Recommended));
        assert_eq!(c.province().map(|p| p.name_zh), Some("甘肃省"));
        assert_eq!(c.key(), "DB62/T 2704");
        let g = StandardCode::parse("GB 7714-2015").expect("parse");
        assert_eq!(
            g.alias().map(|a| a.to_string()),
            Some("GB/T 7714-2015".into())
        );
        assert_eq!(
            StandardCode::parse("NY/T 391")
                .expect("p")
                .industry()
                .map(|i| i.sector_zh),
            Some("农业")
        );
    }

    #[test]
    fn errors_say_why() {
        assert_eq!(StandardCode::parse("  "), Err(CodeError::Empty));
        assert!(matches!(
            StandardCode::parse("ABC 12"),
            Err(CodeError::UnknownPrefix { .. })
        ));
        assert!(matches!(
            StandardCode::parse("GB/T"),
            Err(CodeError::NoNumber(_))
        ));
        assert!(matches!(
            StandardCode::parse("GB/T 7714-2015 x"),
            Err(CodeError::Trailing { .. })
        ));
        assert!(matches!(
            StandardCode::parse("7714"),
            Err(CodeError::NoPrefix(_))
        ));
    }

    #[test]
    fn finds_codes_in_text() {
        let text = "下列文件：GB/T 7714—\n2015 信息与文献；ＧＢ　２７６３ 食品；ISO 690:2010。";
        let found = StandardCode::find_all(text);
        let codes: Vec<String> = found.iter().map(|(_, c)| c.to_string()).collect();
        assert_eq!(codes, vec!["GB/T 7714-2015", "GB 2763", "ISO 690:2010"]);
        assert_eq!(&text[found[1].0.clone()], "ＧＢ　２７６３");
    }
}
