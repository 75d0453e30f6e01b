//! HS chapter names as product words: the phrases a chapter's names are made of, and the
//! chapters a query's words name.
//!
//! A notification that lists no HS code is still found for an HS code when its text matches
//! the product phrases of the code's chapter; a query word that is one of those phrases (`玩具`,
//! `toys`) finds the chapter's notifications.

use crate::glossary::{HsChapter, HsChapters};
use crate::normalize;

/// Words of HS chapter names that say nothing about the product (`parts`, `thereof`, `零件`).
pub const GENERIC: &[&str] = &[
    "parts",
    "thereof",
    "accessories",
    "articles",
    "other",
    "products",
    "product",
    "the",
    "their",
    "of",
    "and",
    "or",
    "n.e.s.",
    "nes",
    "whether",
    "not",
    "similar",
    "kind",
    "kinds",
    "used",
    "零件",
    "附件",
    "制品",
    "其他",
    "及其",
    "物品",
    "产品",
];

/// The product phrases of a chapter's names, English (lower case) first, then Chinese:
/// `Toys, games and sports requisites; parts and accessories thereof` → `toys`, `games`,
/// `sports requisites`; `玩具、游戏品、运动用品及其零件、附件` → `玩具`, `游戏品`, `运动用品`.
/// Connectives split phrases; the [`GENERIC`] words are dropped.
pub fn chapter_phrases(ch: &HsChapter) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let en = ch.en.to_lowercase();
    let en = en
        .replace(" and ", ",")
        .replace(" or ", ",")
        .replace(" of ", ",")
        .replace(" with ", ",");
    for p in en.split([',', ';', '(', ')', ':']) {
        let words: Vec<&str> = p
            .split_whitespace()
            .filter(|w| !GENERIC.contains(w))
            .collect();
        if !words.is_empty() {
            out.push(words.join(" "));
        }
    }
    let mut zh = ch.zh.clone();
    for g in ["及其", "及", "和", "或", "与", "的"] {
        zh = zh.replace(g, "、");
    }
    for p in zh.split(['、', '，', '；', ';', ',', '(', ')', '（', '）']) {
        let p = p.trim();
        if !p.is_empty() && !GENERIC.contains(&p) {
            out.push(p.to_string());
        }
    }
    out.dedup();
    out
}

/// The chapters (two-digit codes, in chapter order) one of whose product phrases is one of
/// the query's words: the word itself, its English plural (`toy` → `toys`), or for a Chinese
/// word the start of the phrase (`玩具` → 95). Words shorter than two characters and the
/// reserved chapter never count.
pub fn chapters_for_query(chapters: &HsChapters, q: &str) -> Vec<String> {
    let q = normalize::fold(q).to_lowercase();
    let words: Vec<&str> = q
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '，' | '、' | ';' | '；'))
        .filter(|w| w.chars().count() >= 2)
        .collect();
    let mut out = Vec::new();
    for ch in chapters.all().iter().filter(|c| !c.reserved) {
        let hit = chapter_phrases(ch).iter().any(|p| {
            words.iter().any(|w| {
                let plural = format!("{w}s");
                p == w || *p == plural || (!w.is_ascii() && p.starts_with(w))
            })
        });
        if hit {
            out.push(ch.code.clone());
        }
    }
    out
}
