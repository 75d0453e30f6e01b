//! Classification codes: HS (customs tariff), ICS (international standards classification) and
//! CCS (Chinese standard classification).
//!
//! HS and ICS are hierarchies written as prefixes, so "covers" is a prefix relation on the
//! digits. Exporters type `8415.10`, `841510` or `8415 10`; all mean the same subheading.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a classification code was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassifyError {
    /// HS codes are 2 to 10 digits in groups of two (chapter, heading, subheading, national).
    #[error("invalid HS code {0:?}: expected 2 to 10 digits, such as 95, 9503 or 8415.10")]
    Hs(String),
    /// ICS codes are `NN`, `NN.NNN` or `NN.NNN.NN`.
    #[error("invalid ICS code {0:?}: expected a form like 01.140.20")]
    Ics(String),
    /// CCS codes are a letter and two digits.
    #[error("invalid CCS code {0:?}: expected a letter and two digits, such as A14")]
    Ccs(String),
}

/// A Harmonized System code at any level, stored as its digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HsCode(String);

impl HsCode {
    /// Parses `95`, `9503`, `9503.00`, `8415 10`, `841510`; dots and spaces are ignored.
    pub fn parse(s: &str) -> Result<HsCode, ClassifyError> {
        let folded = crate::normalize::fold(s);
        let digits: String = folded.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        if digits.len() < 2 || digits.len() > 10 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(ClassifyError::Hs(s.to_string()));
        }
        // A trailing odd digit cannot be a level of the hierarchy; national lines can have
        // odd lengths (e.g. 9 digits in some tariffs), so only reject single digits.
        Ok(HsCode(digits))
    }

    /// The digits, e.g. `841510`.
    pub fn digits(&self) -> &str {
        &self.0
    }

    /// The two-digit chapter.
    pub fn chapter(&self) -> &str {
        &self.0[..2]
    }

    /// Whether `self` covers `other` (is a prefix of it): chapter `95` covers `950300`.
    pub fn covers(&self, other: &HsCode) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Whether either covers the other: the match rule for "does this measure touch my product".
    pub fn related(&self, other: &HsCode) -> bool {
        self.covers(other) || other.covers(self)
    }

    /// All ancestors including itself, shortest first (`841510` → `84`, `8415`, `841510`), for
    /// indexing so a prefix query is a term query.
    pub fn ancestors(&self) -> Vec<String> {
        (2..=self.0.len())
            .step_by(2)
            .map(|n| self.0[..n].to_string())
            .chain((self.0.len() % 2 == 1).then(|| self.0.clone()))
            .collect()
    }
}

impl fmt::Display for HsCode {
    /// Customs notation: `8415.10`, `9503`, `95`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.len() > 4 {
            write!(f, "{}.{}", &self.0[..4], &self.0[4..])
        } else {
            f.write_str(&self.0)
        }
    }
}

/// An ICS code: field, group, sub-group.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IcsCode(String);

impl IcsCode {
    /// Parses `01`, `01.140`, `01.140.20` (full-width and spaces tolerated).
    pub fn parse(s: &str) -> Result<IcsCode, ClassifyError> {
        let folded = crate::normalize::fold(s).replace(' ', "");
        let parts: Vec<&str> = folded.split('.').collect();
        let ok = match parts.as_slice() {
            [a] => a.len() == 2,
            [a, b] => a.len() == 2 && b.len() == 3,
            [a, b, c] => a.len() == 2 && b.len() == 3 && c.len() == 2,
            _ => false,
        } && parts.iter().all(|p| p.chars().all(|c| c.is_ascii_digit()));
        if ok {
            Ok(IcsCode(folded))
        } else {
            Err(ClassifyError::Ics(s.to_string()))
        }
    }

    /// The code as written canonically, `01.140.20`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `self` is `other` or one of its ancestors (`01.140` covers `01.140.20`).
    pub fn covers(&self, other: &IcsCode) -> bool {
        other.0 == self.0 || other.0.starts_with(&format!("{}.", self.0))
    }

    /// All ancestors including itself, shortest first.
    pub fn ancestors(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut acc = String::new();
        for part in self.0.split('.') {
            if !acc.is_empty() {
                acc.push('.');
            }
            acc.push_str(part);
            out.push(acc.clone());
        }
        out
    }
}

impl fmt::Display for IcsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A CCS code (中国标准文献分类号): a category letter and two digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CcsCode(String);

impl CcsCode {
    /// Parses `A14`, `a14`, `Ａ１４`.
    pub fn parse(s: &str) -> Result<CcsCode, ClassifyError> {
        let folded = crate::normalize::fold(s).trim().to_ascii_uppercase();
        let b = folded.as_bytes();
        if b.len() == 3 && b[0].is_ascii_uppercase() && b[1..].iter().all(u8::is_ascii_digit) {
            Ok(CcsCode(folded))
        } else {
            Err(ClassifyError::Ccs(s.to_string()))
        }
    }

    /// The code, `A14`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The category letter, `A` (综合).
    pub fn category(&self) -> char {
        self.0.as_bytes()[0] as char
    }
}

impl fmt::Display for CcsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

macro_rules! string_serde {
    ($t:ty) => {
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }
        impl<'de> Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                <$t>::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}
string_serde!(HsCode);
string_serde!(IcsCode);
string_serde!(CcsCode);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hs_prefix_relations() {
        let ch = HsCode::parse("95").expect("hs");
        let line = HsCode::parse("950300").expect("hs");
        assert!(ch.covers(&line) && !line.covers(&ch) && line.related(&ch));
        let sub = HsCode::parse("8415.10").expect("hs");
        assert!(HsCode::parse("8415").expect("hs").covers(&sub));
        assert_eq!(sub.to_string(), "8415.10");
        assert_eq!(sub.ancestors(), vec!["84", "8415", "841510"]);
        assert!(HsCode::parse("9").is_err() && HsCode::parse("ab").is_err());
    }

    #[test]
    fn ics_and_ccs() {
        let a = IcsCode::parse("01.140").expect("ics");
        let b = IcsCode::parse("01.140.20").expect("ics");
        assert!(a.covers(&b) && !b.covers(&a));
        assert!(IcsCode::parse("01.14").is_err());
        assert!(IcsCode::parse("1.140").is_err());
        assert_eq!(CcsCode::parse("a14").expect("ccs").as_str(), "A14");
        assert!(CcsCode::parse("A1").is_err());
    }
}
