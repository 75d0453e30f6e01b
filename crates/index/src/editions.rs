//! Edition chains over the whole index: which editions a standard has, who replaces whom (links
//! from every record, in both directions, plus edition order), the status of each on a date and
//! the edition in force. The rules themselves are `biaozhun_model::lifecycle`; this module
//! gathers their inputs.
//!
//! The [`EditionTable`] is built once per searcher generation (after each commit) from fast
//! columns only: each standard's `edition` values (its code and stated links) and its dates and
//! label, kept per segment by the column cache. No stored record is read, so building it for
//! 24k standards takes milliseconds, and a link stated by one record changes the status of
//! another without re-indexing either. Search (status filter, facets, ranking, hit status),
//! record pages, the barrier check and 查新 all read the same table, so they agree.
//!
//! Entry points: [`Index::edition_chain`] (the chain of a code on a date, with the editions in
//! force it leads to) and [`Index::editions`] (the table of the current generation).

use std::collections::HashMap;
use std::sync::Arc;

use biaozhun_model::lifecycle::{
    edition_key, status_on, Basis, EditionFacts, EditionGraph, EditionNode, LinkBasis, Successors,
    Verdict,
};
use biaozhun_model::{RecordKind, StandardCode, Status};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Searcher};

use crate::document::date_num;
use crate::{Index, IndexError};

/// No edition: the document is not a standard.
const NONE: u32 = u32::MAX;

/// The editions of every standard of one searcher generation, linked.
pub struct EditionTable {
    generation: u64,
    searcher: Searcher,
    graph: EditionGraph<i64>,
    /// Per node: the rule's inputs, precomputed (the search loop evaluates them per match).
    life: Vec<(EditionFacts<i64>, Successors<i64>)>,
    /// Per node given by a document: where it is.
    addr: Vec<Option<DocAddress>>,
    /// Per segment: node index of each document ([`NONE`] for other kinds and deleted ones).
    docs: HashMap<SegmentId, Arc<Vec<u32>>>,
    /// Nodes by [`edition_key`]: every edition of a number, GB and GB/T together.
    by_key: HashMap<String, Vec<usize>>,
    /// The search loop's rows of each segment on a date (see [`DayRow`]), built at the first
    /// query of that date: nearly every query asks about today.
    days: std::sync::Mutex<DayRows>,
}

/// Rows per (segment, date as yyyymmdd).
type DayRows = HashMap<(SegmentId, i64), Arc<Vec<DayRow>>>;

/// What the search loop reads of one document on one date, in four bytes: its edition year
/// and its ranking class (the status derived on the date, or the stored rank when it is no
/// standard). Deriving the status per match (`status_on` over the node's facts, three arrays
/// apart in memory) was 8-13 % of the time of hits-only queries on the 300k-document bench
/// corpus, and the collector's own loads of 40-byte [`crate::collect::DocInfo`]s another
/// large share; a dense row per document is one load.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayRow {
    /// Edition year, 0 when absent.
    pub year: u16,
    /// Ranking class 0-3: the derived status's rank, else the stored rank.
    pub rank: u8,
    /// The derived status's rank, [`DayRow::NO_STATUS`] when none is derived.
    status: u8,
}

impl DayRow {
    const NO_STATUS: u8 = u8::MAX;
    /// The `status` of a file bookkeeping document: never a hit.
    const FILE: u8 = u8::MAX - 1;
    /// The row of a document the columns do not know: no year, no status, no hit.
    const UNKNOWN: DayRow = DayRow {
        year: 0,
        rank: 1,
        status: DayRow::FILE,
    };

    /// Whether the document is a record (not a file bookkeeping document).
    pub fn is_record(&self) -> bool {
        self.status != Self::FILE
    }

    /// The status derived on the row's date.
    pub fn status(&self) -> Option<Status> {
        match self.status {
            0 => Some(Status::Current),
            1 => Some(Status::Upcoming),
            2 => Some(Status::Replaced),
            3 => Some(Status::Abolished),
            _ => None,
        }
    }
}

/// Day rows kept at most (segments x dates) before the cache starts over: a few dates (today,
/// a portal's fixed as-of) of every segment.
const MAX_DAY_ROWS: usize = 64;

/// A standard's links as its document states them (from the `edition` column).
#[derive(Debug, Clone)]
pub(crate) struct StatedLinks {
    pub code: StandardCode,
    pub replaces: Vec<StandardCode>,
    pub replaced_by: Vec<StandardCode>,
}

impl StatedLinks {
    /// Reads the `edition` values of one document (`=code`, `<replaced`, `>successor`);
    /// `None` without an own code or with one that no longer parses.
    pub(crate) fn from_values<'a>(values: impl Iterator<Item = &'a str>) -> Option<StatedLinks> {
        let mut code = None;
        let mut replaces = Vec::new();
        let mut replaced_by = Vec::new();
        for v in values {
            let (tag, rest) = v.split_at_checked(1)?;
            let Ok(c) = StandardCode::parse(rest) else {
                continue;
            };
            match tag {
                "=" => code = Some(c),
                "<" => replaces.push(c),
                ">" => replaced_by.push(c),
                _ => {}
            }
        }
        Some(StatedLinks {
            code: code?,
            replaces,
            replaced_by,
        })
    }
}

/// One edition in a chain, with its status on the chain's date.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Edition {
    /// Canonical code (the record id when the index holds it).
    pub id: String,
    /// The code.
    #[serde(skip)]
    pub code: StandardCode,
    /// Whether the index holds a record of it (else it is only named by a link).
    pub in_index: bool,
    /// Chinese title, when the index holds it.
    pub title_zh: Option<String>,
    /// English title, when the index holds it.
    pub title_en: Option<String>,
    /// Status on the chain's date (the one rule).
    pub status: Option<Status>,
    /// How the status was reached.
    pub status_basis: Basis,
    /// The status label a source stated (evidence).
    pub stated_status: Option<Status>,
    /// The stated label contradicts dates and links on this date.
    pub sources_disagree: bool,
    /// Whether this edition is in force on the date.
    pub in_force: bool,
    /// 发布日期.
    pub issue_date: Option<NaiveDate>,
    /// 实施日期.
    pub implement_date: Option<NaiveDate>,
    /// 废止日期.
    pub abolish_date: Option<NaiveDate>,
    /// Editions it replaces, with how each link is known.
    pub replaces: Vec<EditionLink>,
    /// Editions that replace it, with how each link is known.
    pub replaced_by: Vec<EditionLink>,
}

/// A link to another edition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EditionLink {
    /// The other edition's canonical code.
    pub id: String,
    /// `stated` by a source (either side), or `inferred` from edition order.
    pub basis: LinkBasis,
}

/// The editions of a standard on a date: what 查新 and record pages answer from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EditionChain {
    /// The code asked about, canonical.
    pub asked: String,
    /// The date the statuses hold on.
    pub as_of: NaiveDate,
    /// The edition the code names: itself when dated and known (in the index or named by a
    /// link), else `None` (an undated code, or an edition nobody knows).
    pub edition: Option<String>,
    /// The editions in force on the date that the code leads to: the edition itself when in
    /// force, else its successors in force (several for a standard split into parts); for an
    /// undated code, the edition of its number in force. Empty when none is (abolished, or the
    /// successor not yet in force).
    pub in_force: Vec<String>,
    /// Every edition of the number and every edition linked to them, newest first.
    pub editions: Vec<Edition>,
}

impl EditionChain {
    /// The entry of `id` in the chain.
    pub fn get(&self, id: &str) -> Option<&Edition> {
        self.editions.iter().find(|e| e.id == id)
    }

    /// The edition an undated citation or a lookup without year means: the one in force,
    /// else the newest edition of the asked number in the index.
    pub fn best(&self) -> Option<&Edition> {
        self.in_force
            .first()
            .and_then(|id| self.get(id))
            .or_else(|| self.editions.iter().find(|e| e.in_index))
    }
}

impl EditionTable {
    /// Builds the table of `searcher`'s generation from the column cache's per-segment values.
    pub(crate) fn build(index: &Index, searcher: &Searcher) -> Result<EditionTable, IndexError> {
        let mut nodes: Vec<EditionNode<i64>> = Vec::new();
        let mut where_: Vec<(SegmentId, u32, DocId)> = Vec::new();
        let mut sizes: Vec<(SegmentId, usize)> = Vec::new();
        for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let cols = index.columns.segment(reader)?;
            sizes.push((reader.segment_id(), reader.max_doc() as usize));
            for (doc, links) in cols.editions() {
                if reader.is_deleted(*doc) {
                    continue;
                }
                let Some(info) = cols.doc_info(*doc) else {
                    continue;
                };
                nodes.push(EditionNode {
                    facts: EditionFacts {
                        year: links.code.year(),
                        stated: info.label,
                        issue: info.issue(),
                        implement: info.implement(),
                        abolish: info.abolish(),
                    },
                    code: links.code.clone(),
                    replaces: links.replaces.clone(),
                    replaced_by: links.replaced_by.clone(),
                });
                where_.push((reader.segment_id(), ord as u32, *doc));
            }
        }
        let codes: Vec<StandardCode> = nodes.iter().map(|n| n.code.clone()).collect();
        let graph = EditionGraph::build(nodes);
        let mut docs: HashMap<SegmentId, Vec<u32>> = sizes
            .into_iter()
            .map(|(id, n)| (id, vec![NONE; n]))
            .collect();
        let mut addr = vec![None; graph.nodes().len()];
        for (code, (seg, ord, doc)) in codes.iter().zip(where_) {
            let Some(i) = graph.find(code) else { continue };
            if let Some(slot) = docs.get_mut(&seg).and_then(|v| v.get_mut(doc as usize)) {
                *slot = i as u32;
            }
            if let Some(a @ None) = addr.get_mut(i) {
                *a = Some(DocAddress::new(ord, doc));
            }
        }
        let mut life = Vec::with_capacity(graph.nodes().len());
        for (i, n) in graph.nodes().iter().enumerate() {
            life.push((n.facts, graph.successor_facts(i)));
        }
        let mut by_key: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, n) in graph.nodes().iter().enumerate() {
            by_key.entry(edition_key(&n.code)).or_default().push(i);
        }
        Ok(EditionTable {
            generation: searcher.generation().generation_id(),
            searcher: searcher.clone(),
            graph,
            life,
            addr,
            docs: docs.into_iter().map(|(k, v)| (k, Arc::new(v))).collect(),
            by_key,
            days: std::sync::Mutex::new(HashMap::new()),
        })
    }

    /// The rows of a segment's documents on `on` (`yyyymmdd`), built once per date.
    pub(crate) fn day_rows(
        &self,
        segment: SegmentId,
        cols: &crate::collect::SegmentColumns,
        on: i64,
    ) -> Arc<Vec<DayRow>> {
        let lock = || self.days.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(rows) = lock().get(&(segment, on)) {
            return Arc::clone(rows);
        }
        let nodes = self.docs.get(&segment);
        let rows: Vec<DayRow> = (0..cols.max_doc())
            .map(|doc| {
                let Some(info) = cols.doc_info(doc) else {
                    return DayRow::UNKNOWN;
                };
                let derived = nodes
                    .and_then(|n| n.get(doc as usize))
                    .and_then(|&node| self.verdict_num(node, on))
                    .and_then(|v| v.status);
                DayRow {
                    year: info.year(),
                    rank: derived.map_or(info.rank(), |s| s.rank()),
                    status: if info.is_file() {
                        DayRow::FILE
                    } else {
                        derived.map_or(DayRow::NO_STATUS, |s| s.rank())
                    },
                }
            })
            .collect();
        let rows = Arc::new(rows);
        let mut days = lock();
        if days.len() >= MAX_DAY_ROWS {
            days.clear();
        }
        days.insert((segment, on), Arc::clone(&rows));
        rows
    }

    /// The ids of every standard the index holds, in no particular order: what a walk over
    /// all edition chains starts from (the lifecycle test over real data, audits).
    pub fn ids(&self) -> impl Iterator<Item = String> + '_ {
        let g = &self.graph;
        g.nodes()
            .iter()
            .enumerate()
            .filter(|&(i, _)| g.is_known(i))
            .map(|(_, n)| n.code.to_string())
    }

    /// The generation of the searcher it was built from.
    pub(crate) fn generation(&self) -> u64 {
        self.generation
    }

    /// Node index per document of a segment, for the search loop.
    pub(crate) fn segment_nodes(&self, segment: SegmentId) -> Option<Arc<Vec<u32>>> {
        self.docs.get(&segment).cloned()
    }

    /// The verdict of node `node` on `on` (`yyyymmdd`), as the search loop computes it.
    pub(crate) fn verdict_num(&self, node: u32, on: i64) -> Option<Verdict> {
        let (facts, succ) = self.life.get(node as usize)?;
        Some(status_on(facts, succ, on))
    }

    /// The verdict of the standard `id` on `on`; `None` when the index holds no such standard.
    pub fn verdict(&self, id: &str, on: NaiveDate) -> Option<Verdict> {
        let code = StandardCode::parse(id).ok()?;
        let i = self.graph.find(&code).filter(|&i| self.graph.is_known(i))?;
        self.verdict_num(i as u32, date_num(on))
    }

    /// The chain of `code` on `as_of` (see [`EditionChain`]); `None` when the index knows
    /// no edition of the code's number and nothing links to it.
    pub fn chain(&self, code: &StandardCode, as_of: NaiveDate) -> Option<EditionChain> {
        let on = date_num(as_of);
        let g = &self.graph;
        let exact = code.year().and_then(|_| g.find(code));
        let same_number: Vec<usize> = self
            .by_key
            .get(&edition_key(code))
            .cloned()
            .unwrap_or_default();
        if exact.is_none() && same_number.is_empty() {
            return None;
        }
        // Every edition connected to the code or to an edition of its number.
        let mut members: Vec<usize> = Vec::new();
        for start in exact.into_iter().chain(same_number.iter().copied()) {
            if members.contains(&start) {
                continue;
            }
            for i in g.component(start) {
                if !members.contains(&i) {
                    members.push(i);
                }
            }
        }
        let in_force: Vec<usize> = match exact {
            Some(i) => g.in_force_from(i, on),
            None => {
                // An undated (or unknown) code: the newest edition of the number that leads
                // to an edition in force.
                let mut eds = same_number.clone();
                eds.sort_by_key(|&i| std::cmp::Reverse(g.nodes()[i].code.year()));
                eds.into_iter()
                    .map(|i| g.in_force_from(i, on))
                    .find(|v| !v.is_empty())
                    .unwrap_or_default()
            }
        };
        let mut editions: Vec<Edition> = members
            .iter()
            .map(|&i| self.edition(i, on, in_force.contains(&i)))
            .collect();
        editions.sort_by(|a, b| {
            b.code
                .year()
                .cmp(&a.code.year())
                .then_with(|| a.id.cmp(&b.id))
        });
        Some(EditionChain {
            asked: code.to_string(),
            as_of,
            edition: exact.map(|i| g.nodes()[i].code.to_string()),
            in_force: in_force
                .iter()
                .map(|&i| g.nodes()[i].code.to_string())
                .collect(),
            editions,
        })
    }

    fn edition(&self, i: usize, on: i64, in_force: bool) -> Edition {
        let g = &self.graph;
        let n = &g.nodes()[i];
        let v = g.verdict(i, on);
        let links = |it: &mut dyn Iterator<Item = (usize, LinkBasis)>| {
            let mut out: Vec<EditionLink> = it
                .map(|(j, basis)| EditionLink {
                    id: g.nodes()[j].code.to_string(),
                    basis,
                })
                .collect();
            out.sort_by(|a, b| a.id.cmp(&b.id));
            out
        };
        let head = self
            .addr
            .get(i)
            .copied()
            .flatten()
            .and_then(|a| self.head(a));
        Edition {
            id: n.code.to_string(),
            code: n.code.clone(),
            in_index: g.is_known(i),
            title_zh: head.as_ref().and_then(|h| h.title_zh.clone()),
            title_en: head.as_ref().and_then(|h| h.title_en.clone()),
            status: v.status,
            status_basis: v.basis,
            stated_status: n.facts.stated,
            sources_disagree: v.disagrees,
            in_force,
            issue_date: n.facts.issue.and_then(num_date),
            implement_date: n.facts.implement.and_then(num_date),
            abolish_date: n.facts.abolish.and_then(num_date),
            replaces: links(&mut g.predecessors(i)),
            replaced_by: links(&mut g.successors(i)),
        }
    }

    fn head(&self, addr: DocAddress) -> Option<crate::document::Head> {
        let bytes: crate::store::FirstBytes = self.searcher.doc(addr).ok()?;
        bytes
            .0
            .and_then(|b| serde_json::from_slice::<crate::document::Head>(&b).ok())
    }
}

/// `yyyymmdd` back to a date.
fn num_date(n: i64) -> Option<NaiveDate> {
    let y = i32::try_from(n / 10_000).ok()?;
    let m = u32::try_from(n / 100 % 100).ok()?;
    let d = u32::try_from(n % 100).ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

impl Index {
    /// The edition table of the current searcher generation (built on first use after a
    /// commit, then shared).
    pub fn editions(&self) -> Result<Arc<EditionTable>, IndexError> {
        self.editions_for(&self.reader.searcher())
    }

    /// The edition table of `searcher`'s generation: a search uses the table of the very
    /// searcher it runs on, so its statuses and the documents it sees agree.
    pub(crate) fn editions_for(
        &self,
        searcher: &Searcher,
    ) -> Result<Arc<EditionTable>, IndexError> {
        let gen = searcher.generation().generation_id();
        {
            let cached = self.edition_cache.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(t) = cached.as_ref().filter(|t| t.generation() == gen) {
                return Ok(Arc::clone(t));
            }
        }
        // Built outside the lock; two queries racing on a new generation build it twice,
        // harmlessly.
        let table = Arc::new(EditionTable::build(self, searcher)?);
        *self.edition_cache.lock().unwrap_or_else(|p| p.into_inner()) = Some(Arc::clone(&table));
        Ok(table)
    }

    /// The edition chain of `code` on `as_of`: every edition of its number and every edition
    /// linked to it, each with its status on that date, and the editions in force the code
    /// leads to. `None` when the index knows nothing of the number. This is what 查新 asks:
    /// "what is in force on D, and what replaced the edition cited".
    pub fn edition_chain(
        &self,
        code: &StandardCode,
        as_of: NaiveDate,
    ) -> Result<Option<EditionChain>, IndexError> {
        Ok(self.editions()?.chain(code, as_of))
    }
}

/// A record citing a standard (a standard's normative reference, or a notification citing or
/// mentioning it).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Citing {
    /// Record id.
    pub id: String,
    /// A standard or a notification.
    pub kind: RecordKind,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Status on the date asked (standards).
    pub status: Option<Status>,
}

impl Index {
    /// The records citing any edition of `code` (the `cites` field holds each record's cited
    /// edition keys), `code`'s own record excluded, at most `limit`, by id.
    pub fn cited_by(
        &self,
        code: &StandardCode,
        as_of: NaiveDate,
        limit: usize,
    ) -> Result<Vec<Citing>, IndexError> {
        use tantivy::collector::TopDocs;
        use tantivy::query::TermQuery;
        use tantivy::schema::IndexRecordOption;
        let searcher = self.reader.searcher();
        let table = self.editions_for(&searcher)?;
        let q = TermQuery::new(
            tantivy::Term::from_field_text(self.fields.cites, &edition_key(code)),
            IndexRecordOption::Basic,
        );
        let own = code.to_string();
        let top = searcher.search(&q, &TopDocs::with_limit(limit + 1).order_by_score())?;
        let mut out = Vec::new();
        for (_, addr) in top {
            let head = self.hit_head(&searcher, addr)?;
            if head.id == own {
                continue;
            }
            let status = if head.kind == RecordKind::Standard {
                table.verdict(&head.id, as_of).and_then(|v| v.status)
            } else {
                None
            };
            out.push(Citing {
                id: head.id,
                kind: head.kind,
                title_zh: head.title_zh,
                title_en: head.title_en,
                status,
            });
        }
        out.truncate(limit);
        out.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        Ok(out)
    }
}
