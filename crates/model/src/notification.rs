//! WTO TBT and SPS notifications and their document symbols.
//!
//! A notification is a family: the base document (`G/TBT/N/USA/2146`) and its addenda,
//! corrigenda and revisions (`…/Add.1`, `…/Add.1/Corr.1`, `…/Rev.1`). Exporters care about the
//! family as a whole: was the measure adopted, when does it enter into force, is it still open
//! for comment. The symbol parser therefore exposes the base symbol every member shares.

use std::fmt;
use std::ops::Range;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::classify::{HsCode, IcsCode};
use crate::code::StandardCode;

/// The WTO agreement a notification is made under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Agreement {
    /// Technical Barriers to Trade.
    #[serde(rename = "TBT")]
    Tbt,
    /// Sanitary and Phytosanitary Measures.
    #[serde(rename = "SPS")]
    Sps,
}

impl Agreement {
    /// `TBT` or `SPS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Agreement::Tbt => "TBT",
            Agreement::Sps => "SPS",
        }
    }
}

/// One step of a symbol's suffix chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymbolSuffix {
    /// Addendum: adoption, entry into force, new comment period, withdrawal.
    Add(u32),
    /// Corrigendum: a correction of the document it follows.
    Corr(u32),
    /// Revision: replaces the document it follows.
    Rev(u32),
}

impl fmt::Display for SymbolSuffix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SymbolSuffix::Add(n) => write!(f, "Add.{n}"),
            SymbolSuffix::Corr(n) => write!(f, "Corr.{n}"),
            SymbolSuffix::Rev(n) => write!(f, "Rev.{n}"),
        }
    }
}

/// Why a string is not a notification symbol.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SymbolError {
    /// Not of the form `G/TBT/N/MEMBER/NUMBER` or `G/TBT/Notif.YY.NUMBER`.
    #[error("not a WTO notification symbol: {0:?} (expected e.g. G/TBT/N/USA/2146/Add.1)")]
    Invalid(String),
}

/// A parsed document symbol such as `G/TBT/N/EU/1057/Add.1/Corr.1`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct NotificationSymbol {
    agreement: Agreement,
    /// Member code in the symbol (`USA`), `None` for old-style `Notif.95.328` symbols.
    member: Option<String>,
    /// For old-style symbols, the two-digit year (`95`).
    old_year: Option<u16>,
    number: u32,
    suffixes: Vec<SymbolSuffix>,
}

impl NotificationSymbol {
    /// Parses a symbol in any case, with full-width characters and stray spaces.
    pub fn parse(input: &str) -> Result<NotificationSymbol, SymbolError> {
        let folded: String = crate::normalize::fold(input)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let err = || SymbolError::Invalid(input.to_string());
        let upper = folded.to_ascii_uppercase();
        let mut parts = upper.split('/');
        if parts.next() != Some("G") {
            return Err(err());
        }
        let agreement = match parts.next() {
            Some("TBT") => Agreement::Tbt,
            Some("SPS") => Agreement::Sps,
            _ => return Err(err()),
        };
        let kind = parts.next().ok_or_else(err)?;
        let (member, old_year, number) = if kind == "N" {
            let member = parts.next().filter(|m| {
                (2..=4).contains(&m.len()) && m.chars().all(|c| c.is_ascii_uppercase())
            });
            let member = member.ok_or_else(err)?.to_string();
            let number = parts
                .next()
                .and_then(|n| n.parse::<u32>().ok())
                .ok_or_else(err)?;
            (Some(member), None, number)
        } else if let Some(rest) = kind.strip_prefix("NOTIF.") {
            let (yy, num) = rest.split_once('.').ok_or_else(err)?;
            let yy = yy
                .parse::<u16>()
                .ok()
                .filter(|y| *y < 100)
                .ok_or_else(err)?;
            (None, Some(yy), num.parse::<u32>().map_err(|_| err())?)
        } else {
            return Err(err());
        };
        let mut suffixes = Vec::new();
        for p in parts {
            let (name, n) = p.split_once('.').ok_or_else(err)?;
            let n = n.parse::<u32>().map_err(|_| err())?;
            suffixes.push(match name {
                "ADD" => SymbolSuffix::Add(n),
                "CORR" => SymbolSuffix::Corr(n),
                "REV" => SymbolSuffix::Rev(n),
                _ => return Err(err()),
            });
        }
        Ok(NotificationSymbol {
            agreement,
            member,
            old_year,
            number,
            suffixes,
        })
    }

    /// Finds symbols in running text (`see G/TBT/N/USA/2146/Add.1.`), with byte ranges.
    pub fn find_all(text: &str) -> Vec<(Range<usize>, NotificationSymbol)> {
        let (folded, map) = crate::normalize::fold_with_offsets(text);
        let upper = folded.to_ascii_uppercase();
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(pos) = upper[from..].find("G/").map(|p| p + from) {
            let boundary = pos == 0 || !upper.as_bytes()[pos - 1].is_ascii_alphanumeric();
            let mut end = pos;
            let b = upper.as_bytes();
            while end < b.len() && (b[end].is_ascii_alphanumeric() || matches!(b[end], b'/' | b'.'))
            {
                end += 1;
            }
            // Trim trailing dots (sentence end) and retry shorter spans until one parses.
            let mut stop = end;
            let mut found = None;
            while stop > pos + 2 && boundary {
                let cand = upper[pos..stop].trim_end_matches(['.', '/']);
                if let Ok(sym) = NotificationSymbol::parse(cand) {
                    found = Some((pos + cand.len(), sym));
                    break;
                }
                stop = upper[pos..stop].rfind('/').map(|p| pos + p).unwrap_or(pos);
            }
            if let Some((stop, sym)) = found {
                out.push((map[pos]..map[stop], sym));
                from = stop;
            } else {
                from = pos + 2;
            }
        }
        out
    }

    /// TBT or SPS.
    pub fn agreement(&self) -> Agreement {
        self.agreement
    }

    /// The member code in the symbol (`USA`, `EU`), `None` for old-style symbols.
    pub fn member(&self) -> Option<&str> {
        self.member.as_deref()
    }

    /// The serial number (`2146`).
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The suffix chain (`Add.1`, `Corr.1`).
    pub fn suffixes(&self) -> &[SymbolSuffix] {
        &self.suffixes
    }

    /// The base symbol of the family (all suffixes dropped).
    pub fn base(&self) -> NotificationSymbol {
        NotificationSymbol {
            suffixes: Vec::new(),
            ..self.clone()
        }
    }

    /// The document this one directly amends (`…/Add.1/Corr.1` → `…/Add.1`).
    pub fn parent(&self) -> Option<NotificationSymbol> {
        let mut p = self.clone();
        p.suffixes.pop()?;
        Some(p)
    }

    /// Whether this is the base document of its family.
    pub fn is_base(&self) -> bool {
        self.suffixes.is_empty()
    }
}

impl fmt::Display for NotificationSymbol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "G/{}/", self.agreement.as_str())?;
        match (&self.member, self.old_year) {
            (Some(m), _) => write!(f, "N/{m}/{}", self.number)?,
            (None, Some(y)) => write!(f, "Notif.{y:02}.{}", self.number)?,
            (None, None) => write!(f, "N/{}", self.number)?,
        }
        for s in &self.suffixes {
            write!(f, "/{s}")?;
        }
        Ok(())
    }
}

impl Serialize for NotificationSymbol {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NotificationSymbol {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NotificationSymbol::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A WTO TBT or SPS notification document (base or addendum).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// The document symbol; its display form is the record id.
    pub symbol: NotificationSymbol,
    /// Member code (`USA`), resolved from the symbol or the member name.
    pub member: Option<String>,
    /// Member name as given by the source.
    pub member_name: Option<String>,
    /// Date the WTO distributed the document.
    pub distribution_date: Option<NaiveDate>,
    /// Final date for comments.
    pub comment_deadline: Option<NaiveDate>,
    /// Proposed date of adoption.
    pub proposed_adoption: Option<NaiveDate>,
    /// Proposed (or actual, for addenda) date of entry into force.
    pub entry_into_force: Option<NaiveDate>,
    /// English title.
    pub title_en: Option<String>,
    /// Chinese title (Chinese portals translate).
    pub title_zh: Option<String>,
    /// Products covered, free text in whatever language the source used.
    pub products: Option<String>,
    /// HS codes of the products.
    pub hs_codes: Vec<HsCode>,
    /// ICS codes.
    pub ics_codes: Vec<IcsCode>,
    /// Objectives (protection of human health, consumer information, ...).
    pub objectives: Vec<String>,
    /// Description of content.
    pub description: Option<String>,
    /// Standards cited in the title, description or relevant documents.
    pub cited_standards: Vec<StandardCode>,
    /// Other symbols mentioned (the base of an addendum, related notifications).
    pub related: Vec<NotificationSymbol>,
    /// Language of the source text (`en`, `zh`, ...).
    pub language: Option<String>,
    /// Where the record came from.
    pub sources: Vec<String>,
    /// Where each field's value came from (catalog file and line, notification form), by field
    /// name; see [`crate::provenance`]. Records stored before it existed read back with none.
    #[serde(default)]
    pub provenance: crate::provenance::Provenance,
}

impl Notification {
    /// A record with only a symbol, for importers to fill in.
    pub fn new(symbol: NotificationSymbol) -> Notification {
        Notification {
            member: symbol.member().map(str::to_string),
            symbol,
            member_name: None,
            distribution_date: None,
            comment_deadline: None,
            proposed_adoption: None,
            entry_into_force: None,
            title_en: None,
            title_zh: None,
            products: None,
            hs_codes: Vec::new(),
            ics_codes: Vec::new(),
            objectives: Vec::new(),
            description: None,
            cited_standards: Vec::new(),
            related: Vec::new(),
            language: None,
            sources: Vec::new(),
            provenance: crate::provenance::Provenance::new(),
        }
    }

    /// Stamps every field that has a value and no stamp yet with `source` (an importer calls
    /// it once per record it builds). Exhaustive on purpose: a new field must say here whether
    /// it is stamped.
    pub fn stamp(&mut self, source: &crate::provenance::FieldSource) {
        let Notification {
            symbol: _,
            member,
            member_name,
            distribution_date,
            comment_deadline,
            proposed_adoption,
            entry_into_force,
            title_en,
            title_zh,
            products,
            hs_codes,
            ics_codes,
            objectives,
            description,
            cited_standards,
            related,
            language,
            sources: _,
            provenance,
        } = self;
        let filled = [
            ("symbol", true),
            ("member", member.is_some()),
            ("member_name", member_name.is_some()),
            ("distribution_date", distribution_date.is_some()),
            ("comment_deadline", comment_deadline.is_some()),
            ("proposed_adoption", proposed_adoption.is_some()),
            ("entry_into_force", entry_into_force.is_some()),
            ("title_en", title_en.is_some()),
            ("title_zh", title_zh.is_some()),
            ("products", products.is_some()),
            ("hs_codes", !hs_codes.is_empty()),
            ("ics_codes", !ics_codes.is_empty()),
            ("objectives", !objectives.is_empty()),
            ("description", description.is_some()),
            ("cited_standards", !cited_standards.is_empty()),
            ("related", !related.is_empty()),
            ("language", language.is_some()),
        ];
        for (field, has) in filled {
            if has && !provenance.contains_key(field) {
                provenance.insert(field.to_string(), source.clone());
            }
        }
    }

    /// The record id: the symbol's canonical form.
    pub fn id(&self) -> String {
        self.symbol.to_string()
    }

    /// Whether comments are still accepted on `date` (deadline inclusive).
    pub fn open_on(&self, date: NaiveDate) -> bool {
        self.comment_deadline.is_some_and(|d| d >= date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_round_trips() {
        for s in [
            "G/TBT/N/EU/1057/Add.1/Corr.1",
            "G/TBT/N/USA/2146",
            "G/SPS/N/TUR/109/Add.5/Corr.1",
            "G/TBT/Notif.95.328",
            "G/TBT/N/TPKM/425/Add.5",
            "G/TBT/N/USA/1504/Rev.1",
        ] {
            let sym = NotificationSymbol::parse(s).expect(s);
            assert_eq!(sym.to_string(), s);
        }
        let lower = NotificationSymbol::parse("g/tbt/n/usa/2146/add.1").expect("lower");
        assert_eq!(lower.to_string(), "G/TBT/N/USA/2146/Add.1");
        assert_eq!(lower.base().to_string(), "G/TBT/N/USA/2146");
        assert_eq!(lower.member(), Some("USA"));
        assert!(NotificationSymbol::parse("G/ABC/N/USA/1").is_err());
        assert!(NotificationSymbol::parse("G/TBT/N/USA/x").is_err());
    }

    #[test]
    fn finds_symbols_in_text() {
        let t = "See G/TBT/N/USA/2146/Add.1. Also G/SPS/N/EU/174.";
        let f: Vec<String> = NotificationSymbol::find_all(t)
            .iter()
            .map(|(_, s)| s.to_string())
            .collect();
        assert_eq!(f, vec!["G/TBT/N/USA/2146/Add.1", "G/SPS/N/EU/174"]);
    }
}
