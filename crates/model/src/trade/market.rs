//! Market names: what a user typed as a market, resolved to a WTO member, or the close names
//! to offer instead.

use crate::member::{Member, MEMBERS};
use crate::normalize;

/// A market that is no WTO member we know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MarketError {
    /// The name matches no member code, name or alias.
    #[error("unknown market {value:?}{}", did_you_mean(.suggestions))]
    Unknown {
        /// The value as given.
        value: String,
        /// Close member names, best first (see [`suggest_markets`]).
        suggestions: Vec<String>,
    },
}

fn did_you_mean(s: &[String]) -> String {
    if s.is_empty() {
        " (use a WTO member code such as USA, EU, SAU or a name such as 美国)".to_string()
    } else {
        format!(" (did you mean {}?)", s.join(", "))
    }
}

/// Resolves what a user typed as a market (`EU`, `European Union`, `欧盟`, `沙特`); an unknown
/// name comes back with close suggestions, so a typo is answered with what was meant.
pub fn resolve_market(value: &str) -> Result<&'static Member, MarketError> {
    Member::lookup(value).ok_or_else(|| MarketError::Unknown {
        value: value.to_string(),
        suggestions: suggest_markets(value),
    })
}

/// Up to three members whose code, name or alias is close to `value`, as
/// `CODE (English name, 中文名)`, best first: a name containing the value (or contained in it)
/// counts as distance 0, otherwise the edit distance, allowed up to a third of the value's
/// length (at least 1).
pub fn suggest_markets(value: &str) -> Vec<String> {
    let v = normalize::fold(value).trim().to_lowercase();
    if v.is_empty() {
        return Vec::new();
    }
    let allowed = (v.chars().count() / 3).max(1);
    let mut scored: Vec<(usize, String)> = Vec::new();
    for m in MEMBERS {
        let names = [m.code, m.name_en, m.name_zh]
            .into_iter()
            .chain(m.aliases.iter().copied());
        let best = names
            .map(|n| {
                let n = n.to_lowercase();
                if n.contains(&v) || v.contains(&n) {
                    0
                } else {
                    edit_distance(&v, &n)
                }
            })
            .min()
            .unwrap_or(usize::MAX);
        if best <= allowed {
            scored.push((best, format!("{} ({}, {})", m.code, m.name_en, m.name_zh)));
        }
    }
    scored.sort();
    scored.into_iter().take(3).map(|(_, s)| s).collect()
}

/// Levenshtein distance over characters (not bytes, so one Chinese character is one edit).
pub fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}
