//! Notification families: a base notification with its addenda, corrigenda and revisions, and
//! the state of the measure they describe together.
//!
//! Exporters ask "was the US water-bead rule adopted, and from when does it apply?", which no
//! single document answers: the base (`G/TBT/N/USA/2146`) proposes, `Add.1` extends the comment
//! period, `Add.2` reports the final rule. [`NotificationFamily`] gathers the members and reads
//! the state off the addenda with keyword rules in English and Chinese (the languages of our
//! sources); the dates come from the structured fields when present and otherwise from the date
//! written nearest the keyword.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::dates;
use crate::notification::{Notification, NotificationSymbol, SymbolSuffix};

/// Why a set of notifications cannot form one family.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FamilyError {
    /// No notifications at all.
    #[error("a notification family needs at least one member")]
    Empty,
    /// A member belongs to another base document.
    #[error("{symbol} does not belong to the family of {base}")]
    ForeignMember {
        /// The family's base symbol.
        base: String,
        /// The member that does not share it.
        symbol: String,
    },
}

/// Something that happened to the measure, as reported by one member of the family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FamilyEvent {
    /// The addendum that reports it.
    pub reported_by: NotificationSymbol,
    /// When it happened or happens, when the addendum says.
    pub date: Option<NaiveDate>,
}

/// The state of a notified measure, derived from the family's addenda.
///
/// Each field is the latest addendum reporting that event; `None` means no addendum says so
/// (which is not proof that it did not happen: members may be missing from our sources).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct FamilyState {
    /// The measure was adopted, published as final, or approved.
    pub adopted: Option<FamilyEvent>,
    /// The measure entered (or is announced to enter) into force on the given date.
    pub entered_into_force: Option<FamilyEvent>,
    /// The measure or the notification was withdrawn, lifted or repealed.
    pub withdrawn: Option<FamilyEvent>,
    /// The comment period was extended or reopened; the date is the new deadline.
    pub comment_period_extended: Option<FamilyEvent>,
}

/// A base symbol with every member we hold, ordered: base first, then its corrigenda,
/// revisions and addenda by number (`Add.1`, `Add.1/Corr.1`, `Add.2`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotificationFamily {
    base: NotificationSymbol,
    members: Vec<Notification>,
}

impl NotificationFamily {
    /// Builds a family from members that share one base symbol.
    ///
    /// Duplicate records of one symbol (several sources) are kept, next to each other.
    pub fn new(members: Vec<Notification>) -> Result<NotificationFamily, FamilyError> {
        let base = members
            .first()
            .map(|n| n.symbol.base())
            .ok_or(FamilyError::Empty)?;
        if let Some(stray) = members.iter().find(|n| n.symbol.base() != base) {
            return Err(FamilyError::ForeignMember {
                base: base.to_string(),
                symbol: stray.symbol.to_string(),
            });
        }
        let mut members = members;
        members.sort_by_key(|n| member_order(&n.symbol));
        Ok(NotificationFamily { base, members })
    }

    /// Groups any set of notifications into families, ordered by base symbol text.
    pub fn group(notifications: Vec<Notification>) -> Vec<NotificationFamily> {
        let mut by_base: BTreeMap<String, Vec<Notification>> = BTreeMap::new();
        for n in notifications {
            by_base
                .entry(n.symbol.base().to_string())
                .or_default()
                .push(n);
        }
        by_base
            .into_values()
            .filter_map(|members| {
                let base = members.first()?.symbol.base();
                let mut members = members;
                members.sort_by_key(|n| member_order(&n.symbol));
                Some(NotificationFamily { base, members })
            })
            .collect()
    }

    /// The base symbol every member shares (`G/TBT/N/USA/2146`).
    pub fn base(&self) -> &NotificationSymbol {
        &self.base
    }

    /// All members, ordered (see the type's documentation).
    pub fn members(&self) -> &[Notification] {
        &self.members
    }

    /// The base document itself, when we hold it.
    pub fn base_notification(&self) -> Option<&Notification> {
        self.members.iter().find(|n| n.symbol.is_base())
    }

    /// The latest comment deadline of any member: an addendum that extends the comment period
    /// carries the new deadline.
    pub fn latest_comment_deadline(&self) -> Option<NaiveDate> {
        self.members.iter().filter_map(|n| n.comment_deadline).max()
    }

    /// Whether the family still accepts comments on `date` (deadline inclusive).
    pub fn open_on(&self, date: NaiveDate) -> bool {
        self.latest_comment_deadline().is_some_and(|d| d >= date)
            && self.state().withdrawn.is_none()
    }

    /// The measure's state as the addenda report it. Only addenda (and addenda of revisions)
    /// are read: the base proposes, corrigenda correct wording, neither changes the state.
    pub fn state(&self) -> FamilyState {
        let mut state = FamilyState::default();
        for n in self
            .members
            .iter()
            .filter(|n| matches!(n.symbol.suffixes().last(), Some(SymbolSuffix::Add(_))))
        {
            let text = member_text(n);
            let event = |date: Option<NaiveDate>| {
                Some(FamilyEvent {
                    reported_by: n.symbol.clone(),
                    date,
                })
            };
            if let Some(at) = find_rule(&text, WITHDRAWN) {
                state.withdrawn = event(dates::nearest(&text, at));
            }
            if let Some(at) = find_rule(&text, EXTENDED) {
                let date = n.comment_deadline.or_else(|| dates::nearest(&text, at));
                state.comment_period_extended = event(date);
            }
            if let Some(at) = find_rule(&text, ADOPTED) {
                let date = n.proposed_adoption.or_else(|| dates::nearest(&text, at));
                state.adopted = event(date);
            }
            let in_force = find_rule(&text, IN_FORCE);
            if in_force.is_some() || n.entry_into_force.is_some() {
                let date = n
                    .entry_into_force
                    .or_else(|| in_force.and_then(|at| dates::nearest(&text, at)));
                state.entered_into_force = event(date);
            }
        }
        state
    }
}

/// Sort key of a member: base, then suffix by suffix with corrigenda before revisions before
/// addenda of the same level (`Corr.1` is issued within days of what it corrects).
fn member_order(symbol: &NotificationSymbol) -> Vec<(u8, u32)> {
    symbol
        .suffixes()
        .iter()
        .map(|s| match s {
            SymbolSuffix::Corr(n) => (0, *n),
            SymbolSuffix::Rev(n) => (1, *n),
            SymbolSuffix::Add(n) => (2, *n),
        })
        .collect()
}

/// The text the keyword rules read, lower-cased and folded: the description, or the titles when
/// there is none (an addendum's title is often the base's title, which would mislead).
fn member_text(n: &Notification) -> String {
    let text = match &n.description {
        Some(d) if !d.trim().is_empty() => d.clone(),
        _ => [&n.title_en, &n.title_zh]
            .iter()
            .filter_map(|p| p.as_deref())
            .collect::<Vec<_>>()
            .join(" \n "),
    };
    crate::normalize::fold(&text).to_lowercase()
}

/// One keyword rule: every fragment must occur, in order, within a short window (so
/// "extended ... the comment period" matches but two unrelated sentences do not).
type Rule = &'static [&'static str];

/// Withdrawal, lifting or repeal of the measure.
pub const WITHDRAWN: &[Rule] = &[
    &["withdrawn"],
    &["withdrawal"],
    &["withdraws"],
    &["lifts the"],
    &["lifted"],
    &["ends the", "ban"],
    &["repeal"],
    &["revoked"],
    &["rescinded"],
    &["撤回"],
    &["撤销"],
    &["废止"],
    &["解除", "禁令"],
];

/// Extension or reopening of the comment period.
pub const EXTENDED: &[Rule] = &[
    &["comment period extended"],
    &["extend", "comment"],
    &["extension", "comment"],
    &["reopen", "comment"],
    &["more days to comment"],
    &["延长评议期"],
    &["评议期延长"],
    &["延长", "评议"],
    &["延长", "意见"],
];

/// Adoption, approval or publication of the final measure.
pub const ADOPTED: &[Rule] = &[
    &["adoption of"],
    &["adopted"],
    &["adopts"],
    &["approved"],
    &["final rule"],
    &["final regulation"],
    &["was published"],
    &["published in the"],
    &["最终规则"],
    &["最终法规"],
    &["已通过"],
    &["获得通过"],
    &["正式通过"],
    &["通过并"],
    &["通过,"],
    &["通过。"],
    &["通过."],
    &["批准"],
    &["公布"],
    &["已发布"],
];

/// Entry into force or start of application.
pub const IN_FORCE: &[Rule] = &[
    &["entry into force"],
    &["entered into force"],
    &["enters into force"],
    &["enter into force"],
    &["takes effect"],
    &["took effect"],
    &["come into effect"],
    &["came into effect"],
    &["effective"],
    &["applies from"],
    &["apply from"],
    &["生效"],
    &["施行"],
    &["起实施"],
];

/// How far apart (in bytes) the fragments of one rule may be.
const WINDOW: usize = 80;

/// The byte position of the first rule that matches `text`, if any.
fn find_rule(text: &str, rules: &[Rule]) -> Option<usize> {
    rules.iter().filter_map(|r| match_rule(text, r)).min()
}

fn match_rule(text: &str, rule: Rule) -> Option<usize> {
    let (first, rest) = rule.split_first()?;
    let mut from = 0;
    while let Some(p) = text
        .get(from..)
        .and_then(|t| t.find(first))
        .map(|p| p + from)
    {
        let mut at = p + first.len();
        let ok = rest.iter().all(|frag| {
            let limit = (at + WINDOW).min(text.len());
            let window = text.get(at..limit).or_else(|| text.get(at..));
            match window.and_then(|w| w.find(frag)) {
                Some(q) => {
                    at += q + frag.len();
                    true
                }
                None => false,
            }
        });
        if ok {
            return Some(p);
        }
        from = p + first.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_match_in_order_within_a_window() {
        let t = "cpsc extended by 30 days the comment period";
        assert!(find_rule(t, EXTENDED).is_some());
        assert!(find_rule("the comment period, which we extend", EXTENDED).is_none());
        assert!(find_rule("通过检测方法", ADOPTED).is_none());
        assert!(find_rule("修订案已于2025年7月18日通过并公布", ADOPTED).is_some());
    }
}
