//! 采标: which international or foreign standards a Chinese standard adopts, and how closely.
//!
//! Catalogs write the adoption as one free-text field (`ISO 13485:2016 IDT`,
//! `ISO 1998-1:1998, ISO 1998-2:1998 NEQ`, `ISO/IEC Guide 21-1999 (≈)`); mapping files give the
//! foreign number and the degree in two columns. Both end up as an [`Adoption`] statement on the
//! Chinese record, and [`Adoption::links`] turns the statement into typed links
//! ([`AdoptionLink`]) the index stores in both directions (`adopts` on the Chinese record,
//! `adopted_by` looked up for the foreign one).

use serde::Serialize;

use crate::code::StandardCode;
use crate::standard::{Adoption, AdoptionDegree};

/// One adopted standard with the degree of adoption.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AdoptionLink {
    /// The adopted (foreign or international) standard, canonical.
    pub code: StandardCode,
    /// Degree, when the source states it.
    pub degree: Option<AdoptionDegree>,
}

/// Separators between the standards of one statement.
const SEPS: &[char] = &[',', '，', ';', '；', '、', '\n'];

/// Marks that end a statement or a piece of it, longest first so `非等效` wins over `等效`.
const MARKS: &[&str] = &[
    "非等效采用",
    "等同采用",
    "修改采用",
    "等效采用",
    "非等效",
    "IDT",
    "MOD",
    "NEQ",
    "EQV",
    "等同",
    "修改",
    "等效",
    "≈",
];

/// Splits a trailing degree mark off `text`: `("ISO 9001:2015", Some(Idt))`.
fn split_degree(text: &str) -> (&str, Option<AdoptionDegree>) {
    let t = text
        .trim()
        .trim_end_matches(|c: char| c.is_whitespace() || matches!(c, ')' | '）' | '.' | '。'));
    for mark in MARKS {
        let Some(head) = strip_suffix_ignore_case(t, mark) else {
            continue;
        };
        // A mark glued to a word is part of it (`XMOD`), not a degree.
        if head.chars().last().is_some_and(char::is_alphanumeric) && mark.is_ascii() {
            continue;
        }
        let head = head.trim_end_matches(|c: char| {
            c.is_whitespace() || matches!(c, ',' | '，' | '(' | '（' | ';' | '；')
        });
        return (head, AdoptionDegree::parse(mark));
    }
    (text.trim(), None)
}

fn strip_suffix_ignore_case<'a>(t: &'a str, mark: &str) -> Option<&'a str> {
    let cut = t.len().checked_sub(mark.len())?;
    let tail = t.get(cut..)?;
    tail.eq_ignore_ascii_case(mark).then(|| &t[..cut])
}

impl Adoption {
    /// Reads a catalog's adoption field: the standards as written plus a degree stated once
    /// at the end (`ISO 690:2010, MOD`, `ISO 13485:2016 IDT`, `(≈)`).
    pub fn parse(raw: &str) -> Adoption {
        let (code, degree) = split_degree(raw);
        Adoption {
            code: code.trim().to_string(),
            degree,
        }
    }

    /// The typed links of the statement: every standard number in it, each with its own
    /// degree when a piece states one (`ISO 690:1987 IDT, ISO 690-2:1997 MOD`), else the
    /// statement's. Text that names no standard number (`UNSD:2006 International standard
    /// industrial classification`) gives no link.
    pub fn links(&self) -> Vec<AdoptionLink> {
        let mut out: Vec<AdoptionLink> = Vec::new();
        for piece in self.code.split(SEPS) {
            let (text, own) = split_degree(piece);
            if text.is_empty() {
                continue;
            }
            let degree = own.or(self.degree);
            let codes = match StandardCode::parse(text) {
                Ok(c) => vec![c],
                Err(_) => StandardCode::find_all(text)
                    .into_iter()
                    .map(|(_, c)| c)
                    .collect(),
            };
            for code in codes {
                if !out.iter().any(|l| l.code == code) {
                    out.push(AdoptionLink { code, degree });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: &str, want: &str) {
        let links = Adoption::parse(raw).links();
        let got: Vec<String> = links
            .iter()
            .map(|l| format!("{} {}", l.code, l.degree.map_or("?", AdoptionDegree::label)))
            .collect();
        assert_eq!(got.join(" | "), want, "{raw}");
    }

    #[test]
    fn catalog_spellings() {
        check("ISO 13485:2016 IDT", "ISO 13485:2016 IDT");
        check("ASTM B440-2012 MOD", "ASTM B440-12 MOD");
        check("ISO 690:2010, MOD", "ISO 690:2010 MOD");
        check(
            "ISO 1998-1:1998, ISO 1998-2:1998, ISO 1998-4:1998 NEQ",
            "ISO 1998-1:1998 NEQ | ISO 1998-2:1998 NEQ | ISO 1998-4:1998 NEQ",
        );
        check(
            "ISO 690:1987, ISO 690-2:1997",
            "ISO 690:1987 ? | ISO 690-2:1997 ?",
        );
        check(
            "ISO 690:1987 IDT, ISO 690-2:1997 MOD",
            "ISO 690:1987 IDT | ISO 690-2:1997 MOD",
        );
        check("ISO/IEC Guide 21-1999 (≈)", "ISO/IEC GUIDE 21:1999 ≈");
        check("ISO 3166-1:1997 EQV", "ISO 3166-1:1997 EQV");
        check("IEC 61010-1:2001 idt", "IEC 61010-1:2001 IDT");
        check("ISO 8601:2000，等同采用", "ISO 8601:2000 IDT");
        check("OHSAS 18001:1999 IDT", "OHSAS 18001:1999 IDT");
        check(
            "UNSD:2006 International standard industrial classification, NEQ",
            "",
        );
        check("", "");
    }

    #[test]
    fn degrees_parse() {
        for (raw, want) in [
            ("idt", AdoptionDegree::Idt),
            ("MOD", AdoptionDegree::Mod),
            ("(≈)", AdoptionDegree::Approx),
            ("非等效", AdoptionDegree::Neq),
            ("EQV", AdoptionDegree::Eqv),
        ] {
            assert_eq!(AdoptionDegree::parse(raw), Some(want), "{raw}");
        }
        assert_eq!(AdoptionDegree::parse("domestic"), None);
    }
}
