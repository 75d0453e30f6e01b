//! The life cycle of standards: the one rule that says which status an edition has on a date,
//! and the one rule that links editions into chains (who replaces whom).
//!
//! Search (filters, facets, ranking), record pages, edition chains, the barrier check and 查新
//! all call these two functions, so every answer agrees. Both are pure and generic over the date
//! type ([`Day`]): the index evaluates them over `yyyymmdd` integers in its per-document loop,
//! everything else over [`NaiveDate`].
//!
//! The rules (README, "Status of a standard"):
//! - Links from any source count in both directions: A `replaces` B means B is `replaced_by` A.
//!   One standard replacing two (merged predecessors) and one replaced by several parts (split
//!   successors) keep every link. A later edition of the same number replaces the earlier ones
//!   even when no source says so ([`LinkBasis::Inferred`]).
//! - On a date D an edition is 被代替 once a successor is in force (its implementation date ≤ D),
//!   废止 on its abolition date with no successor, 即将实施 until its implementation (an edition
//!   asked about before its issue is not in force yet either), 现行 otherwise.
//! - Missing dates: an edition without an implementation date is taken to come into force on its
//!   issue date, else at the start of the year after its edition year; every status says how it
//!   was reached ([`Basis`]).
//! - A catalog's status label is evidence, not the answer: dates and links win when they
//!   contradict it, and the verdict says so ([`Verdict::disagrees`]).

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::code::StandardCode;
use crate::standard::{Standard, Status};

/// How a status was reached: shown next to it, so a user knows how far to trust it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// A source says so (a catalog's status label) and no date or link contradicts it.
    Stated,
    /// Computed from dates (implementation, abolition) and the successors' dates.
    Derived,
    /// Estimated from edition order or edition years where dates are missing.
    Inferred,
}

impl Basis {
    /// Stable machine name (`stated`, `derived`, `inferred`).
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Stated => "stated",
            Basis::Derived => "derived",
            Basis::Inferred => "inferred",
        }
    }

    /// The label users see next to the status (据来源 / 据日期 / 据版本推断).
    pub fn label_zh(self) -> &'static str {
        match self {
            Basis::Stated => "据来源",
            Basis::Derived => "据日期",
            Basis::Inferred => "据版本推断",
        }
    }
}

/// A date type the rule can run on: [`NaiveDate`], or `i64` holding `yyyymmdd` (the index's
/// encoding, whose integer order is the date order).
pub trait Day: Copy + Ord {
    /// The calendar year.
    fn year_of(self) -> i32;
    /// 1 January of `year`.
    fn first_of_year(year: i32) -> Self;
}

impl Day for NaiveDate {
    fn year_of(self) -> i32 {
        self.year()
    }
    fn first_of_year(year: i32) -> Self {
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
    }
}

/// `yyyymmdd`, e.g. `20151201`.
impl Day for i64 {
    fn year_of(self) -> i32 {
        i32::try_from(self.div_euclid(10_000)).unwrap_or(i32::MAX)
    }
    fn first_of_year(year: i32) -> Self {
        i64::from(year) * 10_000 + 101
    }
}

/// A date and how it is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dated<D> {
    /// The date.
    pub on: D,
    /// `Derived` for a date a source gives, `Inferred` for an estimate.
    pub basis: Basis,
}

/// What is known of one edition, from its own record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EditionFacts<D> {
    /// Edition year from the code (`2015` in `GB/T 7714-2015`).
    pub year: Option<u16>,
    /// The status label a source gave (evidence, not the answer).
    pub stated: Option<Status>,
    /// 发布日期.
    pub issue: Option<D>,
    /// 实施日期.
    pub implement: Option<D>,
    /// 废止日期.
    pub abolish: Option<D>,
}

impl<D: Day> EditionFacts<D> {
    /// When the edition comes into force: its implementation date; without one, its issue
    /// date, else 1 January after its edition year (both `Inferred`).
    pub fn start(&self) -> Option<Dated<D>> {
        if let Some(on) = self.implement {
            return Some(Dated {
                on,
                basis: Basis::Derived,
            });
        }
        if let Some(on) = self.issue {
            return Some(Dated {
                on,
                basis: Basis::Inferred,
            });
        }
        self.year.map(|y| Dated {
            on: D::first_of_year(i32::from(y) + 1),
            basis: Basis::Inferred,
        })
    }
}

impl EditionFacts<NaiveDate> {
    /// The facts a standard's own record gives.
    pub fn of(s: &Standard) -> EditionFacts<NaiveDate> {
        EditionFacts {
            year: s.code.year(),
            stated: s.status,
            issue: s.issue_date,
            implement: s.implement_date,
            abolish: s.abolish_date,
        }
    }
}

/// What is known of an edition's successors: whether it has any, and when the first of them
/// comes into force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Successors<D> {
    /// A source or the edition order says it has a successor.
    pub any: bool,
    /// The earliest date a successor comes into force, when one can be told.
    pub earliest: Option<SuccessorStart<D>>,
}

/// When a successor comes into force, how that date is known and how the link is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuccessorStart<D> {
    /// The date.
    pub on: D,
    /// `Derived` for the successor's implementation date, `Inferred` for an estimate.
    pub date: Basis,
    /// How the link to the successor is known.
    pub link: LinkBasis,
}

impl<D> SuccessorStart<D> {
    /// How a replacement on this date is known: inferred when either the date or the link is.
    fn basis(&self) -> Basis {
        if self.link == LinkBasis::Inferred {
            Basis::Inferred
        } else {
            self.date
        }
    }
}

impl<D> Successors<D> {
    /// No successor known.
    pub fn none() -> Successors<D> {
        Successors {
            any: false,
            earliest: None,
        }
    }
}

/// The status of an edition on a date, how it was reached, and whether the source's label
/// contradicts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    /// The status; `None` when nothing at all is known (no date, no year, no label, no link).
    pub status: Option<Status>,
    /// How the status was reached.
    pub basis: Basis,
    /// The stated label says otherwise than dates and links on this date (a stale catalog:
    /// 现行 for an edition replaced since, 即将实施 long after implementation).
    pub disagrees: bool,
}

/// The status of an edition on `on`: THE rule (see the module documentation).
pub fn status_on<D: Day>(e: &EditionFacts<D>, succ: &Successors<D>, on: D) -> Verdict {
    let verdict = |status: Option<Status>, basis: Basis| Verdict {
        status,
        basis,
        disagrees: status.is_some() && basis != Basis::Stated && contradicts(e.stated, status),
    };
    // A successor in force replaces it, whatever any label says.
    if let Some(s) = succ.earliest.filter(|s| s.on <= on) {
        let basis = if e.stated == Some(Status::Replaced) && s.basis() == Basis::Inferred {
            Basis::Stated
        } else {
            s.basis()
        };
        return verdict(Some(Status::Replaced), basis);
    }
    if e.abolish.is_some_and(|a| a <= on) {
        let status = if succ.any {
            Status::Replaced
        } else {
            Status::Abolished
        };
        return verdict(Some(status), Basis::Derived);
    }
    match e.start() {
        Some(start) if on < start.on => {
            let basis = if start.basis == Basis::Derived {
                Basis::Derived
            } else if e.stated == Some(Status::Upcoming) {
                Basis::Stated
            } else {
                start.basis
            };
            verdict(Some(Status::Upcoming), basis)
        }
        Some(start) => {
            // In force by its dates. A label or a link saying it has ended, with no date for
            // the end, is believed: the source knows of a successor or an abolition we cannot
            // date (its successor is not in the index, say).
            if succ.earliest.is_none() {
                if succ.any {
                    return verdict(Some(Status::Replaced), Basis::Stated);
                }
                if let Some(s @ (Status::Replaced | Status::Abolished)) = e.stated {
                    return verdict(Some(s), Basis::Stated);
                }
            }
            let own = if start.basis == Basis::Derived {
                Basis::Derived
            } else if e.stated == Some(Status::Current) {
                Basis::Stated
            } else {
                Basis::Inferred
            };
            // Still in force only because a successor's estimated date is ahead: inferred.
            let basis = match succ.earliest {
                Some(s) if s.date == Basis::Inferred && own == Basis::Derived => Basis::Inferred,
                _ => own,
            };
            verdict(Some(Status::Current), basis)
        }
        None => {
            // No date and no year: only the label and the links speak.
            if succ.any {
                return verdict(Some(Status::Replaced), Basis::Stated);
            }
            Verdict {
                status: e.stated,
                basis: Basis::Stated,
                disagrees: false,
            }
        }
    }
}

/// Whether a stated label contradicts the status found: it names an earlier stage of life
/// (a stale export), or the other way of ending (废止 where a successor is known).
fn contradicts(stated: Option<Status>, found: Option<Status>) -> bool {
    let (Some(s), Some(f)) = (stated, found) else {
        return false;
    };
    let stage = |x: Status| match x {
        Status::Upcoming => 0,
        Status::Current => 1,
        Status::Replaced | Status::Abolished => 2,
    };
    stage(s) < stage(f) || (stage(s) == 2 && stage(f) == 2 && s != f)
}

/// Where a link between two editions comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum LinkBasis {
    /// A source says so (a catalog's `replaces`/`replaced_by`, a cover's 代替 line), on either
    /// side of the link.
    Stated,
    /// Edition order: a later edition of the same number.
    Inferred,
}

/// One edition as the chain builder sees it: its code, its facts and the links its own record
/// states.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EditionNode<D> {
    /// The edition's code (with its year when known).
    pub code: StandardCode,
    /// Its dates and stated label.
    pub facts: EditionFacts<D>,
    /// Codes its record says it replaces.
    pub replaces: Vec<StandardCode>,
    /// Codes its record says replace it.
    pub replaced_by: Vec<StandardCode>,
}

/// The key all editions of one standard share: base prefix and number without padding, so
/// `GB 7714-1987` and `GB/T 7714-2015` are one standard (many GB became GB/T in 2017).
pub fn edition_key(code: &StandardCode) -> String {
    let c = code.unpadded();
    format!("{} {}", c.base_prefix(), c.number())
}

/// The id a code has in the graph: padding-insensitive (`YY 505-2012` is `YY 0505-2012`).
fn node_id(code: &StandardCode) -> String {
    code.unpadded().to_string()
}

/// The links of every edition of a set, in both directions, with inferred links between
/// editions of the same number. Codes named by a link but absent from the set appear as
/// neighbours too (their facts unknown but their year, if any).
#[derive(Debug, Clone)]
pub struct EditionGraph<D> {
    nodes: Vec<EditionNode<D>>,
    /// Node by unpadded code: looked up for every node and link when the graph is built at
    /// each index open (300k standards at the bench's full preset), so hashed, not ordered.
    index: HashMap<String, usize>,
    /// (successor, how) per node index, sorted by node: most nodes have one link or none, and
    /// a one-entry `BTreeMap` allocated a whole B-tree node (~110 bytes) per node and direction
    /// (300k nodes at the bench's full preset).
    succ: Vec<Links>,
    /// (predecessor, how) per node index, sorted by node.
    pred: Vec<Links>,
    /// Whether the node was given (true) or only named by a link (false).
    known: Vec<bool>,
}

/// The links of one node in one direction: (other node, how), sorted by node, one per node.
type Links = Vec<(u32, LinkBasis)>;

/// Adds the link to `to` (keeping the stronger basis when there is one already).
fn add_link(links: &mut Links, to: usize, how: LinkBasis) {
    let to = to as u32;
    match links.binary_search_by_key(&to, |&(j, _)| j) {
        Ok(k) => {
            if let Some(e) = links.get_mut(k) {
                e.1 = e.1.min(how);
            }
        }
        Err(k) => links.insert(k, (to, how)),
    }
}

impl<D: Day> EditionGraph<D> {
    /// Builds the graph: stated links in both directions, then each edition of a number is
    /// linked to the next edition of that number unless a stated link already joins them.
    pub fn build(nodes: Vec<EditionNode<D>>) -> EditionGraph<D> {
        Self::build_indexed(nodes).0
    }

    /// [`EditionGraph::build`], also giving the node of each input (two inputs of one code
    /// share the first's node), so a caller need not keep a copy of every code to find them.
    /// The nodes keep their code and facts; their stated links, once turned into the graph's
    /// links, are dropped (they are the inputs, not the answer: see `successors`).
    pub fn build_indexed(nodes: Vec<EditionNode<D>>) -> (EditionGraph<D>, Vec<usize>) {
        let (g, input_node, _) = Self::build_traced(nodes);
        (g, input_node)
    }

    /// [`EditionGraph::build_indexed`], also saying which stated link first named each node that
    /// was not given: `(input, link)` per such node, in node order, where `link` counts the
    /// input's `replaces` then its `replaced_by`. A caller that kept the links' source text can
    /// so keep each node's code as written instead of the parsed codes.
    pub fn build_traced(
        nodes: Vec<EditionNode<D>>,
    ) -> (EditionGraph<D>, Vec<usize>, Vec<(usize, usize)>) {
        let mut input_node = Vec::with_capacity(nodes.len());
        let mut first_input: Vec<usize> = Vec::with_capacity(nodes.len());
        let mut named_by: Vec<(usize, usize)> = Vec::new();
        let mut g = EditionGraph {
            nodes: Vec::with_capacity(nodes.len()),
            index: HashMap::with_capacity(nodes.len()),
            succ: Vec::new(),
            pred: Vec::new(),
            known: Vec::new(),
        };
        for n in nodes {
            let id = node_id(&n.code);
            match g.index.get(&id) {
                // Two records of one code: the first wins (the index holds one per id).
                Some(&i) => {
                    input_node.push(i);
                    continue;
                }
                None => {
                    first_input.push(input_node.len());
                    input_node.push(g.nodes.len());
                    g.index.insert(id, g.nodes.len());
                    g.nodes.push(n);
                    g.known.push(true);
                }
            }
        }
        let given = g.nodes.len();
        g.succ = vec![Vec::new(); given];
        g.pred = vec![Vec::new(); given];
        for (i, &input) in first_input.iter().enumerate().take(given) {
            let replaces = std::mem::take(&mut g.nodes[i].replaces);
            let replaced_by = std::mem::take(&mut g.nodes[i].replaced_by);
            let n_replaces = replaces.len();
            for (k, c) in replaces.into_iter().enumerate() {
                let before = g.nodes.len();
                let j = g.node_for(&c);
                if j >= before {
                    named_by.push((input, k));
                }
                if j != i {
                    g.link(j, i, LinkBasis::Stated);
                }
            }
            for (k, c) in replaced_by.into_iter().enumerate() {
                let before = g.nodes.len();
                let j = g.node_for(&c);
                if j >= before {
                    named_by.push((input, n_replaces + k));
                }
                if j != i {
                    g.link(i, j, LinkBasis::Stated);
                }
            }
        }
        // Edition order within one number: each dated edition (amendments aside) is succeeded
        // by the next year's, unless a stated link already leads from one to a later one.
        // Each number's editions are linked among themselves only: the order the numbers are
        // visited in does not matter, so a hash map.
        let mut by_key: HashMap<String, Vec<(u16, usize)>> = HashMap::new();
        for (i, n) in g.nodes.iter().enumerate() {
            if let (Some(y), None) = (n.code.year(), n.code.amendment()) {
                by_key.entry(edition_key(&n.code)).or_default().push((y, i));
            }
        }
        for (_, mut eds) in by_key {
            eds.sort();
            for w in eds.windows(2) {
                let ((y0, a), (y1, b)) = (w[0], w[1]);
                if y0 == y1 {
                    continue;
                }
                let stated_later = g.succ[a].iter().any(|&(s, _)| {
                    let s = &g.nodes[s as usize].code;
                    s.year().is_some_and(|y| y > y0)
                        && edition_key(s) == edition_key(&g.nodes[a].code)
                });
                let linked = g.succ[a]
                    .binary_search_by_key(&(b as u32), |&(j, _)| j)
                    .is_ok();
                if !stated_later && !linked {
                    g.link(a, b, LinkBasis::Inferred);
                }
            }
        }
        for l in g.succ.iter_mut().chain(g.pred.iter_mut()) {
            l.shrink_to_fit();
        }
        g.nodes.shrink_to_fit();
        (g, input_node, named_by)
    }

    /// The node of a code, adding an unknown one when the set does not hold it.
    fn node_for(&mut self, code: &StandardCode) -> usize {
        let id = node_id(code);
        if let Some(&i) = self.index.get(&id) {
            return i;
        }
        let i = self.nodes.len();
        self.index.insert(id, i);
        self.nodes.push(EditionNode {
            code: code.clone(),
            facts: EditionFacts {
                year: code.year(),
                stated: None,
                issue: None,
                implement: None,
                abolish: None,
            },
            replaces: Vec::new(),
            replaced_by: Vec::new(),
        });
        self.known.push(false);
        self.succ.push(Vec::new());
        self.pred.push(Vec::new());
        i
    }

    fn link(&mut self, from: usize, to: usize, how: LinkBasis) {
        add_link(&mut self.succ[from], to, how);
        add_link(&mut self.pred[to], from, how);
    }

    /// Every node (given ones first, then codes only named by links), with its code and facts
    /// (its stated links are in `successors`/`predecessors`, no longer in the node).
    pub fn nodes(&self) -> &[EditionNode<D>] {
        &self.nodes
    }

    /// The node index of a code.
    pub fn find(&self, code: &StandardCode) -> Option<usize> {
        self.index.get(&node_id(code)).copied()
    }

    /// Whether node `i` was given (a record exists) rather than only named by a link.
    pub fn is_known(&self, i: usize) -> bool {
        self.known.get(i).copied().unwrap_or(false)
    }

    /// The editions that replace node `i`, with how each link is known.
    pub fn successors(&self, i: usize) -> impl Iterator<Item = (usize, LinkBasis)> + '_ {
        self.succ
            .get(i)
            .into_iter()
            .flatten()
            .map(|&(j, b)| (j as usize, b))
    }

    /// The editions node `i` replaces, with how each link is known.
    pub fn predecessors(&self, i: usize) -> impl Iterator<Item = (usize, LinkBasis)> + '_ {
        self.pred
            .get(i)
            .into_iter()
            .flatten()
            .map(|&(j, b)| (j as usize, b))
    }

    /// What the rule needs of node `i`'s successors: whether it has any and when the first
    /// comes into force (an inferred link makes the date inferred).
    pub fn successor_facts(&self, i: usize) -> Successors<D> {
        let mut out = Successors::none();
        for (j, how) in self.successors(i) {
            out.any = true;
            if let Some(s) = self.nodes[j].facts.start() {
                let s = SuccessorStart {
                    on: s.on,
                    date: s.basis,
                    link: how,
                };
                out.earliest = match out.earliest {
                    Some(e) if (e.on, e.basis()) <= (s.on, s.basis()) => Some(e),
                    _ => Some(s),
                };
            }
        }
        out
    }

    /// The status of node `i` on `on`.
    pub fn verdict(&self, i: usize, on: D) -> Verdict {
        match self.nodes.get(i) {
            Some(n) => status_on(&n.facts, &self.successor_facts(i), on),
            None => Verdict {
                status: None,
                basis: Basis::Inferred,
                disagrees: false,
            },
        }
    }

    /// Every node connected to `i` by links (both directions), `i` included, in index order.
    pub fn component(&self, i: usize) -> Vec<usize> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            if n >= self.nodes.len() || !seen.insert(n) {
                continue;
            }
            stack.extend(self.successors(n).map(|(j, _)| j));
            stack.extend(self.predecessors(n).map(|(j, _)| j));
        }
        seen.into_iter().collect()
    }

    /// The editions in force on `on` that node `i` leads to: itself when it is in force, else
    /// (following successors) the first editions in force; empty when the path ends without
    /// one (abolished, or successors not yet in force).
    pub fn in_force_from(&self, i: usize, on: D) -> Vec<usize> {
        let mut out = Vec::new();
        let mut seen = BTreeSet::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            match self.verdict(n, on).status {
                Some(Status::Current) if !out.contains(&n) => out.push(n),
                Some(Status::Replaced) => {
                    stack.extend(self.successors(n).map(|(j, _)| j));
                }
                _ => {}
            }
        }
        out.sort_by_key(|&n| std::cmp::Reverse(self.nodes[n].code.year()));
        out
    }
}

#[cfg(test)]
mod tests;
