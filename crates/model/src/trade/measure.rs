//! What a notification family says about its measure: the state label on a date, how the
//! family was found for an HS code, the facts a report shows (which member's title, which
//! dates), the role of each document, and the dossier's internal deadline and grouping of
//! Chinese standards.

use chrono::NaiveDate;
use serde::Serialize;

use crate::classify::HsCode;
use crate::code::StandardCode;
use crate::family::{FamilyState, NotificationFamily};
use crate::notification::{Notification, NotificationSymbol, SymbolSuffix};

/// The measure's state, summarised for display.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StateLabel {
    /// Notified as a draft; no addendum reports adoption.
    Proposed,
    /// An addendum reports adoption (entry into force not reported or still ahead).
    Adopted,
    /// An addendum reports entry into force on or before the check date.
    InForce,
    /// Withdrawn, lifted or repealed.
    Withdrawn,
}

impl StateLabel {
    /// The label of a family's state on `on`: withdrawn wins over everything; entry into force
    /// counts once its date is reached (or when no date is reported); a reported adoption, or
    /// an entry into force still ahead, is adopted; anything else is proposed.
    pub fn of(state: &FamilyState, on: NaiveDate) -> StateLabel {
        let in_force = state
            .entered_into_force
            .as_ref()
            .is_some_and(|e| e.date.is_none_or(|d| d <= on));
        if state.withdrawn.is_some() {
            StateLabel::Withdrawn
        } else if in_force {
            StateLabel::InForce
        } else if state.adopted.is_some() || state.entered_into_force.is_some() {
            StateLabel::Adopted
        } else {
            StateLabel::Proposed
        }
    }

    /// Stable machine name (`proposed`, `adopted`, `in_force`, `withdrawn`), the same as the
    /// JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            StateLabel::Proposed => "proposed",
            StateLabel::Adopted => "adopted",
            StateLabel::InForce => "in_force",
            StateLabel::Withdrawn => "withdrawn",
        }
    }
}

/// How a family was found. The order is the order of strength (`Hs` first), which sorts
/// families of the same date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchKind {
    /// One of its HS codes is the asked code, an ancestor or a descendant of it.
    Hs,
    /// It lists no HS code, but its text matches the names of the asked code's HS chapter:
    /// a weaker match, worth a human look.
    ProductText,
    /// No HS code was asked: matched on market and words only.
    Query,
}

impl MatchKind {
    /// How a family whose members list the HS codes `listed` answers a check for `asked`.
    /// `None` when the family lists HS codes and none is related to the asked one: its text
    /// matched the chapter's names by coincidence, and the family is left out.
    pub fn of(asked: Option<&HsCode>, listed: &[&HsCode]) -> Option<MatchKind> {
        let Some(asked) = asked else {
            return Some(MatchKind::Query);
        };
        if listed.iter().any(|c| c.related(asked)) {
            Some(MatchKind::Hs)
        } else if listed.is_empty() {
            Some(MatchKind::ProductText)
        } else {
            None
        }
    }

    /// Stable machine name (`hs`, `product_text`, `query`), the same as the JSON spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchKind::Hs => "hs",
            MatchKind::ProductText => "product_text",
            MatchKind::Query => "query",
        }
    }
}

/// A document's role in its family, from its last suffix: `base`, `addendum`, `corrigendum`
/// or `revision` (`G/TBT/N/USA/2146/Add.1/Corr.1` is a corrigendum).
pub fn document_role(symbol: &NotificationSymbol) -> &'static str {
    match symbol.suffixes().last() {
        None => "base",
        Some(SymbolSuffix::Add(_)) => "addendum",
        Some(SymbolSuffix::Corr(_)) => "corrigendum",
        Some(SymbolSuffix::Rev(_)) => "revision",
    }
}

/// The facts a report shows for a family on a date, gathered from its members by one set of
/// rules: a text field comes from the base document when it has one, else from the newest
/// member that does; lists (HS codes, objectives, cited standards) are the union over members
/// in member order; dates of adoption and entry into force are the addenda's reports, else the
/// base's proposals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyFacts {
    /// Member code.
    pub member: Option<String>,
    /// Member name as the source wrote it.
    pub member_name: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Products covered.
    pub products: Option<String>,
    /// HS codes listed by any member, customs notation.
    pub hs_codes: Vec<String>,
    /// Objectives listed by any member.
    pub objectives: Vec<String>,
    /// Standards cited by any member.
    pub cited: Vec<StandardCode>,
    /// Distribution date of the base, else of the earliest member held.
    pub distribution_date: Option<NaiveDate>,
    /// Distribution date of the newest member.
    pub last_update: Option<NaiveDate>,
    /// Latest comment deadline of any member.
    pub comment_deadline: Option<NaiveDate>,
    /// Reported adoption date, else the base's proposed one.
    pub proposed_adoption: Option<NaiveDate>,
    /// Reported entry into force, else the base's proposed one.
    pub entry_into_force: Option<NaiveDate>,
    /// The state the addenda report.
    pub state: FamilyState,
    /// Its label on the date.
    pub label: StateLabel,
    /// Open for comment on the date (deadline not passed, not withdrawn).
    pub open_for_comment: bool,
    /// Days from the date to the comment deadline, while open.
    pub days_left: Option<i64>,
}

impl FamilyFacts {
    /// The facts of `family` on `on`.
    pub fn of(family: &NotificationFamily, on: NaiveDate) -> FamilyFacts {
        let members = family.members();
        let base = family.base_notification();
        let pick = |get: &dyn Fn(&Notification) -> Option<String>| {
            base.and_then(get)
                .or_else(|| members.iter().rev().find_map(get))
        };
        let state = family.state();
        let deadline = family.latest_comment_deadline();
        let open = family.open_on(on);
        let mut hs_codes: Vec<String> = Vec::new();
        let mut objectives: Vec<String> = Vec::new();
        let mut cited: Vec<StandardCode> = Vec::new();
        for n in members {
            for c in &n.hs_codes {
                push_unique(&mut hs_codes, c.to_string());
            }
            for o in &n.objectives {
                push_unique(&mut objectives, o.clone());
            }
            for c in &n.cited_standards {
                push_unique(&mut cited, c.clone());
            }
        }
        let dates: Vec<NaiveDate> = members.iter().filter_map(|n| n.distribution_date).collect();
        FamilyFacts {
            member: pick(&|n| n.member.clone()),
            member_name: pick(&|n| n.member_name.clone()),
            title_en: pick(&|n| n.title_en.clone()),
            title_zh: pick(&|n| n.title_zh.clone()),
            products: pick(&|n| n.products.clone()),
            hs_codes,
            objectives,
            cited,
            distribution_date: base
                .and_then(|b| b.distribution_date)
                .or_else(|| dates.iter().min().copied()),
            last_update: dates.iter().max().copied(),
            comment_deadline: deadline,
            proposed_adoption: state
                .adopted
                .as_ref()
                .and_then(|e| e.date)
                .or_else(|| base.and_then(|b| b.proposed_adoption)),
            entry_into_force: state
                .entered_into_force
                .as_ref()
                .and_then(|e| e.date)
                .or_else(|| base.and_then(|b| b.entry_into_force)),
            label: StateLabel::of(&state, on),
            state,
            open_for_comment: open,
            days_left: if open {
                deadline.map(|d| (d - on).num_days())
            } else {
                None
            },
        }
    }
}

fn push_unique<T: PartialEq>(v: &mut Vec<T>, x: T) {
    if !v.contains(&x) {
        v.push(x);
    }
}

/// The dossier's internal deadline: `lead_days` before the WTO comment deadline, because
/// national enquiry points collect comments weeks earlier.
pub fn internal_deadline(comment_deadline: Option<NaiveDate>, lead_days: i64) -> Option<NaiveDate> {
    comment_deadline.map(|d| d - chrono::Duration::days(lead_days))
}

/// The market a measure listed in a dossier comes from when it is not the market asked: the
/// family's member (`EU` for an EU measure in the dossier of `DEU`, whose market includes its
/// union's measures); `None` for the asked market's own measures.
pub fn inherited_from(member: Option<&str>, market: Option<&str>) -> Option<String> {
    match (member, market) {
        (Some(m), Some(asked)) if m != asked => Some(m.to_string()),
        _ => None,
    }
}

/// The group a Chinese standard is listed in by the dossier, from its `level` and `nature`
/// (their stable machine names): mandatory national (GB) 0, other national (GB/T, GB/Z) 1,
/// industry 2, local 3, group and enterprise 4; `None` for international and foreign
/// standards, which are not Chinese standards for the product.
pub fn chinese_group(level: Option<&str>, nature: Option<&str>) -> Option<u8> {
    match (level, nature) {
        (Some("national"), Some("mandatory")) => Some(0),
        (Some("national"), _) => Some(1),
        (Some("industry"), _) => Some(2),
        (Some("local"), _) => Some(3),
        (Some("group" | "enterprise"), _) => Some(4),
        _ => None,
    }
}
