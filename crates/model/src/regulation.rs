//! Laws and regulations that standards work under (标准化法, 进出口商品检验法, provincial
//! 标准化条例), split into chapters and articles so a search can land on 第十条.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One chapter heading or article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegulationSection {
    /// `第一章` or `第十条`.
    pub number: String,
    /// Chapter title (`总则`); empty for articles.
    pub title: String,
    /// 1 for chapters (章), 2 for sections (节), 3 for articles (条).
    pub level: u8,
    /// Body text.
    pub text: String,
}

/// A law or regulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regulation {
    /// Stable id derived from the title and the date of the version (`标准化法-2017-11-04`).
    pub id: String,
    /// Title (`中华人民共和国标准化法`).
    pub title: String,
    /// Issuing body (全国人民代表大会常务委员会), when stated.
    pub issuer: Option<String>,
    /// Promulgation or latest amendment date.
    pub promulgated: Option<NaiveDate>,
    /// Effective date.
    pub effective: Option<NaiveDate>,
    /// Chapters and articles in order.
    pub sections: Vec<RegulationSection>,
    /// Files this record was built from.
    pub sources: Vec<String>,
}

impl Regulation {
    /// All text joined for indexing.
    pub fn full_text(&self) -> String {
        let mut out = String::new();
        for s in &self.sections {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&s.number);
            if !s.title.is_empty() {
                out.push(' ');
                out.push_str(&s.title);
            }
            if !s.text.is_empty() {
                out.push(' ');
                out.push_str(&s.text);
            }
        }
        out
    }
}
