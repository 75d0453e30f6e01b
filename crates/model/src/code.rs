//! Standard numbers (`GB/T 7714-2015`) in every spelling users, catalogs and OCR produce.
//!
//! The parser ([`parse`](self::parse)) works on text folded by [`crate::normalize`] (full-width,
//! dashes, `一`), accepts missing or doubled spaces and slashes, compact forms (`GBT77142015`) and
//! two-digit years, and produces one canonical form per spelling of the number so that the
//! canonical string can serve as the record id. The canonical number keeps the leading zeros its
//! issuer prints (`YY 0505-2012`, `JR/T 0025.1-2018`, `T/CAS 001-2019`: the zeros are part of the
//! official number), with a four-digit year (ASTM keeps its two-digit year, ISO-style bodies a
//! colon). Padding is not identity: [`StandardCode::unpadded`] is the key lookups compare, so
//! `YY 505`, `YY 0505` and `yy0505-2012` all find `YY 0505-2012`, and
//! [`StandardCode::same_standard`] ignores it. Finding codes in prose is stricter and lives in
//! [`scan`](self::scan).

mod parse;
mod scan;

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

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
    /// A region code after `DB` that names no province.
    #[error("unknown region {region:?} in local standard {input:?}")]
    UnknownRegion {
        /// The digits after `DB`.
        region: String,
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

/// How the year is attached, which depends on the issuing body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Family {
    /// Chinese numbering: `PREFIX NUMBER-YYYY`.
    Chinese,
    /// ISO style: `PREFIX NUMBER:YYYY`.
    Colon,
    /// Foreign bodies that write `PREFIX NUMBER-YYYY` (GOST, Codex).
    Dash,
    /// ASTM style: `PREFIX NUMBER-YY`.
    Astm,
}

/// What kind of amendment a code carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum AmendmentKind {
    /// ISO/IEC amendment, `/Amd 1:2020` (also typed `+AMD1:2020`).
    Amd,
    /// ISO/IEC technical corrigendum, `/Cor 1:2009`.
    Cor,
    /// CEN amendment, `+A1:2018`.
    EnA,
    /// Chinese amendment sheet (修改单), `/XG1-2023`.
    Xg,
}

/// An amendment or corrigendum attached to an edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Amendment {
    kind: AmendmentKind,
    number: u32,
    year: Option<u16>,
}

impl fmt::Display for Amendment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.number;
        match self.kind {
            AmendmentKind::Amd => write!(f, "/Amd {n}")?,
            AmendmentKind::Cor => write!(f, "/Cor {n}")?,
            AmendmentKind::EnA => write!(f, "+A{n}")?,
            AmendmentKind::Xg => write!(f, "/XG{n}")?,
        }
        match (self.year, self.kind) {
            (None, _) => Ok(()),
            (Some(y), AmendmentKind::Xg) => write!(f, "-{y}"),
            (Some(y), _) => write!(f, ":{y}"),
        }
    }
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
    amendment: Option<Amendment>,
}

impl StandardCode {
    /// Parses a whole string as one standard number, in any spelling a person or catalog uses.
    ///
    /// Errors say why the string is not a number; nothing here panics on any input.
    pub fn parse(input: &str) -> Result<StandardCode, CodeError> {
        parse::parse_whole(input)
    }

    /// Finds every standard number in running text, with byte ranges into `text`.
    ///
    /// Used for normative references, for notifications citing standards, and for query
    /// understanding. Stricter than [`StandardCode::parse`] so prose does not produce false
    /// positives: foreign prefixes that are also words (`IS`, `AS`, `EN`, `SS`, `API`, ...) need
    /// a year, a part or a long number; mandatory industry codes without year (`LD 50`, `HS 9503`)
    /// need Chinese text around them; group and enterprise codes need their slash (`T/CACM`); a
    /// prefix right after a number (`8 GB 2023`) is a unit; a lower-case prefix only counts for
    /// Chinese national and local codes or with an explicit `/t`.
    pub fn find_all(text: &str) -> Vec<(Range<usize>, StandardCode)> {
        scan::find_all(text)
    }

    /// The prefix with its nature suffix: `GB/T`, `DB62/T`, `T/CACM`, `ISO/IEC`.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// The prefix without the `/T` or `/Z` suffix: `GB`, `DB62`, `NY`.
    pub fn base_prefix(&self) -> &str {
        if self.family != Family::Chinese || self.prefix.starts_with("T/") {
            return &self.prefix;
        }
        self.prefix
            .strip_suffix("/T")
            .or_else(|| self.prefix.strip_suffix("/Z"))
            .unwrap_or(&self.prefix)
    }

    /// The number with its parts: `7714`, `4789.15`, `F963`, `27001`, `8124-1`.
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The four-digit year of the edition, when given.
    pub fn year(&self) -> Option<u16> {
        self.year
    }

    /// The amendment or corrigendum the code names, in canonical form (`/Amd 1:2020`,
    /// `+A1:2018`, `/XG1-2023`), so a search can tell an amendment from its base edition.
    pub fn amendment(&self) -> Option<String> {
        self.amendment.map(|a| a.to_string())
    }

    /// The same code without the year (and without any amendment, which only makes sense with
    /// an edition): the key all editions share.
    pub fn without_year(&self) -> StandardCode {
        StandardCode {
            year: None,
            amendment: None,
            ..self.clone()
        }
    }

    /// The same code with another year (and no amendment).
    pub fn with_year(&self, year: u16) -> StandardCode {
        StandardCode {
            year: Some(year),
            amendment: None,
            ..self.clone()
        }
    }

    /// The key without year as a string, `GB/T 7714`: all editions of a standard share it.
    pub fn key(&self) -> String {
        format!("{} {}", self.prefix, self.number)
    }

    /// Whether the two codes are editions of the same standard (padding aside: `YY 505-2005`
    /// and `YY 0505-2012` are).
    pub fn same_standard(&self, other: &StandardCode) -> bool {
        self.prefix == other.prefix && unpad_number(&self.number) == unpad_number(&other.number)
    }

    /// The same code with the leading zeros of its numeric parts dropped (`YY 0505-2012` →
    /// `YY 505-2012`): the padding-insensitive key that indexes and lookups compare, so any
    /// padding a user, a file name or a cover uses finds the record whose id keeps the padding
    /// its issuer prints. Foreign numbers are returned as they are.
    pub fn unpadded(&self) -> StandardCode {
        if self.family != Family::Chinese {
            return self.clone();
        }
        StandardCode {
            number: unpad_number(&self.number),
            ..self.clone()
        }
    }

    /// Whether the number carries leading zeros (`YY 0505`, `T/CAS 001`).
    pub fn is_padded(&self) -> bool {
        self.family == Family::Chinese && unpad_number(&self.number) != self.number
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

    /// The province of a local standard (`DB62` → 甘肃省, `DB1307` → 河北省).
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

/// Drops leading zeros of every numeric part of a Chinese number (`0025.01` → `25.1`); a dash
/// part at the very end that would then read as a year (`0-0019`) keeps them, as lettered
/// parts do.
fn unpad_number(number: &str) -> String {
    let mut out = String::with_capacity(number.len());
    let last = number.split('.').count() - 1;
    for (i, dotted) in number.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let dashed: Vec<&str> = dotted.split('-').collect();
        for (j, part) in dashed.iter().enumerate() {
            if j > 0 {
                out.push('-');
            }
            let stripped = parse::strip_zeros(part);
            let year_like = stripped.len() == 2 || (stripped.len() == 4 && stripped >= "1900");
            // Only at the very end of the number would it read back as a year.
            let keep = i == last && j > 0 && j + 1 == dashed.len() && year_like;
            out.push_str(if keep { part } else { stripped });
        }
    }
    out
}

impl fmt::Display for StandardCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.prefix, self.number)?;
        match (self.year, self.family) {
            (None, _) => {}
            (Some(y), Family::Chinese | Family::Dash) => write!(f, "-{y}")?,
            (Some(y), Family::Colon) => write!(f, ":{y}")?,
            (Some(y), Family::Astm) => write!(f, "-{:02}", y % 100)?,
        }
        if let Some(a) = &self.amendment {
            write!(f, "{a}")?;
        }
        Ok(())
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
            .then_with(|| self.to_string().cmp(&other.to_string()))
    }
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
        check("DB62/1669-2007", "DB62 1669-2007");
        check("ISO 8124-1:2018/Amd 1:2020", "ISO 8124-1:2018/Amd 1:2020");
        check("ASTM F963-17", "ASTM F963-17");
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
    }
}
