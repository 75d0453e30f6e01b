//! Edition chains over the whole index: which editions a standard has, who replaces whom (links
//! from every record, in both directions, plus edition order), the status of each on a date and
//! the edition in force. The rules themselves are `biaozhun_model::lifecycle`; this module
//! gathers their inputs.
//!
//! The [`EditionTable`] belongs to one searcher generation (one commit). It is built from fast
//! columns only: each standard's `edition` values (its code and stated links) and its dates and
//! label, kept per segment by the column cache. No stored record is read, and a link stated by
//! one record changes the status of another without re-indexing either. Search (status
//! filter, facets, ranking, hit status), record pages, the barrier check and 查新 all read the
//! same table, so they agree.
//!
//! Life cycle: a writable handle builds the table after each commit (and `optimize`) and
//! stores its flat part beside the segments ([`stored`], keyed by the exact segments, deletes
//! and rules); an open reads that file back (70 ms at 300k standards instead of a 1.5 s build)
//! and builds the graph behind chains only when a chain is first asked. A missing, stale or
//! damaged file means a build, never a wrong answer.
//!
//! Entry points: [`Index::edition_chain`] (the chain of a code on a date, with the editions in
//! force it leads to) and [`Index::editions`] (the table of the current generation).

use std::collections::HashMap;
use std::sync::Arc;

use biaozhun_model::lifecycle::{
    edition_key, status_on, Basis, EditionFacts, EditionGraph, EditionNode, LinkBasis, Verdict,
};
use biaozhun_model::{RecordKind, StandardCode, Status};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Searcher};

use crate::document::date_num;
use crate::{Index, IndexError};

mod stored;

pub use stored::TableOrigin;
pub(crate) use stored::EDITIONS_FILE;
/// The marked-regions reader and the table's markers, for the stored column cache's key.
pub(crate) use stored::{
    marked_regions, RULES_BEGIN as TABLE_RULES_BEGIN, RULES_END as TABLE_RULES_END,
};

// edition-table rules: begin (see `stored::rules`)
/// No edition: the document is not a standard.
const NONE: u32 = u32::MAX;
// edition-table rules: end

/// The editions of every standard of one searcher generation, linked.
///
/// Two parts. What a search, a facet count or a status lookup by id reads is small and flat:
/// the rule's inputs per node, the node of each document, and the nodes by id; it is either
/// built or read back from the file a writable handle stored beside the segments (see
/// [`stored`]). The graph itself (every edition with its code and links, for chains, record
/// pages and 查新) is built from the fast columns at its first use only: at 300k standards it
/// took a second and ~180 MB, which every start paid before the first answer.
pub struct EditionTable {
    generation: u64,
    /// The segments of that searcher ([`stored::segment_key`]): a reload that changed no
    /// segment (tantivy reloads once right after opening, when its watcher first reads
    /// `meta.json`) keeps the table.
    segments: Vec<(String, u32, u32)>,
    searcher: Searcher,
    columns: Arc<crate::collect::ColumnCache>,
    /// Per node: the rule's inputs, precomputed (the search loop evaluates them per match).
    life: Vec<stored::Life>,
    /// Per segment: node index of each document ([`NONE`] for other kinds and deleted ones).
    docs: HashMap<SegmentId, Arc<Vec<u32>>>,
    /// The given nodes (standards the index holds) by unpadded code, for status lookups.
    keys: NodeKeys,
    /// Where this table came from (stored file or built, and why).
    origin: TableOrigin,
    /// The graph, read back or built at the first chain asked (or kept from a fresh build).
    chains: std::sync::OnceLock<Chains>,
    /// Where the graph is stored ([`stored::GRAPH_FILE`] beside the table's file), when known.
    graph_file: Option<std::path::PathBuf>,
    /// Where the graph came from, once it is in memory.
    graph_origin: std::sync::OnceLock<TableOrigin>,
    /// The search loop's rows of each segment on a date (see [`DayRow`]), built at the first
    /// query of that date: nearly every query asks about today.
    days: std::sync::Mutex<DayRows>,
}

// edition-table rules: begin (see `stored::rules`)
/// The edition graph of a table in numbers: what chains read. Built from the model's
/// [`EditionGraph`] (then dropped) or read back from its stored file ([`stored::GRAPH_FILE`]):
/// the model's graph of parsed codes and string maps was ~150 MB at 300k standards and took
/// 1-1.8 s to build at the first chain after every start.
///
/// Node numbers are the table's: the given nodes (standards the index holds) first, then the
/// codes only named by links. Facts and successor facts are the table's `life`.
#[derive(Debug, PartialEq)]
struct Chains {
    /// Each node's code as its source wrote it (parsed again for the editions a chain shows).
    codes: Texts,
    /// Nodes below this one are given.
    given: u32,
    /// Per node, its successors (see [`Adjacent`]).
    succ: Adjacent,
    /// Per node, its predecessors.
    pred: Adjacent,
    /// Nodes by [`edition_key`]: every edition of a number, GB and GB/T together; one entry
    /// per node, sorted ([`NodeKeys::all`]).
    by_key: NodeKeys,
    /// The nodes only named by links, by unpadded code (the given ones are the table's `keys`).
    named: NodeKeys,
    /// Per given node: where its document is.
    addr: Vec<Option<DocAddress>>,
}

/// Strings in one buffer, in the order pushed.
#[derive(Debug, Default, PartialEq)]
struct Texts {
    text: String,
    /// `len + 1` offsets into `text`, the first 0.
    ends: Vec<u32>,
}

impl Texts {
    fn new() -> Texts {
        Texts {
            text: String::new(),
            ends: vec![0],
        }
    }

    fn push(&mut self, s: &str) {
        self.text.push_str(s);
        self.ends.push(self.text.len() as u32);
    }

    fn len(&self) -> usize {
        self.ends.len().saturating_sub(1)
    }

    fn get(&self, i: usize) -> &str {
        match (self.ends.get(i), self.ends.get(i + 1)) {
            (Some(&a), Some(&b)) => self.text.get(a as usize..b as usize).unwrap_or(""),
            _ => "",
        }
    }
}

/// Links of every node in one direction: per node, (other node << 1 | inferred) sorted by node.
#[derive(Debug, Default, PartialEq)]
struct Adjacent {
    /// `nodes + 1` offsets into `items`, the first 0.
    ends: Vec<u32>,
    items: Vec<u32>,
}

impl Adjacent {
    fn item(node: usize, how: LinkBasis) -> u32 {
        (node as u32) << 1 | u32::from(how == LinkBasis::Inferred)
    }

    fn of(&self, i: usize) -> impl Iterator<Item = (usize, LinkBasis)> + '_ {
        let range = match (self.ends.get(i), self.ends.get(i + 1)) {
            (Some(&a), Some(&b)) => a as usize..b as usize,
            _ => 0..0,
        };
        self.items.get(range).into_iter().flatten().map(|&v| {
            let how = if v & 1 == 0 {
                LinkBasis::Stated
            } else {
                LinkBasis::Inferred
            };
            ((v >> 1) as usize, how)
        })
    }

    /// The links the other way: `to -> from` for every `from -> to`, sorted by node.
    fn reversed(&self, nodes: usize) -> Adjacent {
        let mut count = vec![0u32; nodes + 1];
        for &v in &self.items {
            if let Some(c) = count.get_mut((v >> 1) as usize + 1) {
                *c += 1;
            }
        }
        for i in 1..count.len() {
            count[i] += count[i - 1];
        }
        let ends = count.clone();
        let mut items = vec![0u32; self.items.len()];
        for from in 0..nodes {
            for (to, how) in self.of(from) {
                if let Some(slot) = count.get_mut(to) {
                    if let Some(cell) = items.get_mut(*slot as usize) {
                        *cell = Adjacent::item(from, how);
                    }
                    *slot += 1;
                }
            }
        }
        Adjacent { ends, items }
    }
}

impl Chains {
    /// The compact form of `graph`; `raw(i)` is node `i`'s code as written.
    fn from_graph<'a>(
        graph: &EditionGraph<i64>,
        raw: impl Fn(usize) -> &'a str,
        addr: Vec<Option<DocAddress>>,
        by_key: NodeKeys,
    ) -> Chains {
        let n = graph.nodes().len();
        let given = (0..n).take_while(|&i| graph.is_known(i)).count();
        let mut codes = Texts::new();
        let mut succ = Adjacent {
            ends: vec![0],
            items: Vec::new(),
        };
        let mut named = Vec::new();
        for (i, node) in graph.nodes().iter().enumerate() {
            codes.push(raw(i));
            succ.items
                .extend(graph.successors(i).map(|(j, how)| Adjacent::item(j, how)));
            succ.ends.push(succ.items.len() as u32);
            if i >= given {
                named.push((node_key(&node.code), i as u32));
            }
        }
        let pred = succ.reversed(n);
        Chains {
            codes,
            given: given as u32,
            succ,
            pred,
            by_key,
            named: NodeKeys::new(named),
            addr,
        }
    }

    fn len(&self) -> usize {
        self.codes.len()
    }

    fn is_known(&self, i: usize) -> bool {
        i < self.given as usize
    }

    /// Node `i`'s code.
    fn code(&self, i: usize) -> Result<StandardCode, IndexError> {
        let raw = self.codes.get(i);
        // Parsed when the table was built, by the same rules (they key the stored files).
        StandardCode::parse(raw).map_err(|e| IndexError::Corrupt {
            id: raw.to_string(),
            message: format!("an edition code of the table no longer parses: {e}"),
        })
    }

    /// Every node connected to `i` by links (both directions), `i` included, in node order
    /// (as [`EditionGraph::component`]).
    fn component(&self, i: usize) -> Vec<usize> {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            if n >= self.len() || !seen.insert(n) {
                continue;
            }
            stack.extend(self.succ.of(n).map(|(j, _)| j));
            stack.extend(self.pred.of(n).map(|(j, _)| j));
        }
        seen.into_iter().collect()
    }

    /// Each given node's document: the first one the table maps to it, in segment and
    /// document order (the one a build keeps).
    fn addresses(
        searcher: &Searcher,
        docs: &HashMap<SegmentId, Arc<Vec<u32>>>,
        given: usize,
    ) -> Vec<Option<DocAddress>> {
        let mut addr = vec![None; given];
        for (ord, r) in searcher.segment_readers().iter().enumerate() {
            let Some(nodes) = docs.get(&r.segment_id()) else {
                continue;
            };
            for (doc, &n) in nodes.iter().enumerate() {
                if let Some(a @ None) = addr.get_mut(n as usize) {
                    *a = Some(DocAddress::new(ord as u32, doc as DocId));
                }
            }
        }
        addr
    }
}
// edition-table rules: end

// edition-table rules: begin (see `stored::rules`)
/// The given nodes by unpadded code (`YY 505-2012` for `YY 0505-2012`), sorted: one string
/// buffer and two arrays instead of a map of strings.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct NodeKeys {
    /// The keys, concatenated in sorted order.
    text: String,
    /// Start of each key in `text`, and its end as the last entry.
    ends: Vec<u32>,
    /// Node of each key.
    node: Vec<u32>,
}

impl NodeKeys {
    fn new(mut pairs: Vec<(String, u32)>) -> NodeKeys {
        pairs.sort();
        pairs.dedup_by(|a, b| a.0 == b.0);
        NodeKeys::sorted(pairs)
    }

    /// Every pair kept, equal keys side by side in node order (for [`NodeKeys::all_of`]).
    fn all(mut pairs: Vec<(String, u32)>) -> NodeKeys {
        pairs.sort();
        NodeKeys::sorted(pairs)
    }

    fn sorted(pairs: Vec<(String, u32)>) -> NodeKeys {
        let mut out = NodeKeys {
            text: String::with_capacity(pairs.iter().map(|p| p.0.len()).sum()),
            ends: Vec::with_capacity(pairs.len() + 1),
            node: Vec::with_capacity(pairs.len()),
        };
        out.ends.push(0);
        for (k, n) in pairs {
            out.text.push_str(&k);
            out.ends.push(out.text.len() as u32);
            out.node.push(n);
        }
        out
    }

    fn len(&self) -> usize {
        self.node.len()
    }

    fn key(&self, i: usize) -> &str {
        match (self.ends.get(i), self.ends.get(i + 1)) {
            (Some(&a), Some(&b)) => self.text.get(a as usize..b as usize).unwrap_or(""),
            _ => "",
        }
    }

    /// The nodes of every entry equal to `key`, in node order (a table built by
    /// [`NodeKeys::all`]).
    fn all_of(&self, key: &str) -> &[u32] {
        // First entry not below `key` (`or_equal`: first entry above it).
        let bound = |or_equal: bool| {
            let (mut lo, mut hi) = (0, self.len());
            while lo < hi {
                let mid = lo + (hi - lo) / 2;
                let below = match self.key(mid).cmp(key) {
                    std::cmp::Ordering::Less => true,
                    std::cmp::Ordering::Equal => or_equal,
                    std::cmp::Ordering::Greater => false,
                };
                if below {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            lo
        };
        self.node.get(bound(false)..bound(true)).unwrap_or(&[])
    }

    fn find(&self, key: &str) -> Option<u32> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            match self.key(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return self.node.get(mid).copied(),
            }
        }
        None
    }
}

/// The graph's id of a code: padding-insensitive, as [`EditionGraph::find`] looks it up.
fn node_key(code: &StandardCode) -> String {
    code.unpadded().to_string()
}
// edition-table rules: end

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

// edition-table rules: begin (see `stored::rules`)
/// A standard's links as its document states them (the `edition` column's values: `=code`,
/// `<replaced`, `>successor`), kept as written and parsed only when the graph is built: the
/// column cache holds one per standard of every segment, and 300k parsed codes with their link
/// vectors were ~55 MB and a tenth of the start-up, paid even when the table is read back from
/// its stored file.
#[derive(Debug, Clone)]
pub(crate) struct StatedLinks {
    /// The values, each ended by [`StatedLinks::SEP`].
    values: Box<str>,
}

/// A standard's links, parsed, with each code's text as written.
struct ParsedLinks<'a> {
    code: StandardCode,
    replaces: Vec<StandardCode>,
    replaced_by: Vec<StandardCode>,
    raw_code: &'a str,
    raw_replaces: Vec<&'a str>,
    raw_replaced_by: Vec<&'a str>,
}

impl StatedLinks {
    /// Ends each value (codes hold no control characters).
    const SEP: char = '\u{1}';

    /// Keeps the `edition` values of one document; `None` without any. Whether they hold an
    /// own code that parses is told when the graph is built ([`StatedLinks::parse`]).
    pub(crate) fn from_values<'a>(values: impl Iterator<Item = &'a str>) -> Option<StatedLinks> {
        let mut out = String::new();
        for v in values {
            out.push_str(v);
            out.push(Self::SEP);
        }
        (!out.is_empty()).then(|| StatedLinks {
            values: out.into_boxed_str(),
        })
    }

    /// The own code and the stated links; `None` without an own code or with one that no
    /// longer parses, or with a value too short to carry a tag.
    fn parse(&self) -> Option<ParsedLinks<'_>> {
        let mut code = None;
        let mut replaces = Vec::new();
        let mut replaced_by = Vec::new();
        let mut raw_replaces = Vec::new();
        let mut raw_replaced_by = Vec::new();
        for v in self.values.split_terminator(Self::SEP) {
            let (tag, rest) = v.split_at_checked(1)?;
            let Ok(c) = StandardCode::parse(rest) else {
                continue;
            };
            match tag {
                "=" => code = Some((c, rest)),
                "<" => {
                    replaces.push(c);
                    raw_replaces.push(rest);
                }
                ">" => {
                    replaced_by.push(c);
                    raw_replaced_by.push(rest);
                }
                _ => {}
            }
        }
        let (code, raw_code) = code?;
        Some(ParsedLinks {
            code,
            replaces,
            replaced_by,
            raw_code,
            raw_replaces,
            raw_replaced_by,
        })
    }
}
// edition-table rules: end

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

// edition-table rules: begin (see `stored::rules`)
/// What the graph is built from: every standard of a searcher (deleted ones left out), in
/// segment and document order, with where it is.
struct Gathered {
    nodes: Vec<EditionNode<i64>>,
    at: Vec<(SegmentId, u32, DocId)>,
    sizes: Vec<(SegmentId, usize)>,
    /// Each input's own code as written.
    own: Texts,
    /// Each input's links as written (`replaces` then `replaced_by`), from `link_start[input]`.
    links: Texts,
    link_start: Vec<u32>,
}

fn gather(
    columns: &crate::collect::ColumnCache,
    searcher: &Searcher,
) -> Result<Gathered, IndexError> {
    let mut g = Gathered {
        nodes: Vec::new(),
        at: Vec::new(),
        sizes: Vec::new(),
        own: Texts::new(),
        links: Texts::new(),
        link_start: Vec::new(),
    };
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let cols = columns.segment(reader)?;
        g.sizes
            .push((reader.segment_id(), reader.max_doc() as usize));
        for (doc, links) in cols.editions()? {
            if reader.is_deleted(*doc) {
                continue;
            }
            let (Some(info), Some(links)) = (cols.doc_info(*doc), links.parse()) else {
                continue;
            };
            g.own.push(links.raw_code);
            g.link_start.push(g.links.len() as u32);
            for raw in links.raw_replaces.iter().chain(&links.raw_replaced_by) {
                g.links.push(raw);
            }
            g.nodes.push(EditionNode {
                facts: EditionFacts {
                    year: links.code.year(),
                    stated: info.label,
                    issue: info.issue(),
                    implement: info.implement(),
                    abolish: info.abolish(),
                },
                code: links.code,
                replaces: links.replaces,
                replaced_by: links.replaced_by,
            });
            g.at.push((reader.segment_id(), ord as u32, *doc));
        }
    }
    Ok(g)
}

/// What a fresh build gives: the flat part and the graph.
struct Built {
    life: Vec<stored::Life>,
    docs: HashMap<SegmentId, Vec<u32>>,
    keys: NodeKeys,
    chains: Chains,
}

fn build_all(
    columns: &crate::collect::ColumnCache,
    searcher: &Searcher,
) -> Result<Built, IndexError> {
    let Gathered {
        nodes,
        at,
        sizes,
        own,
        links,
        link_start,
    } = gather(columns, searcher)?;
    let (graph, input_node, named_by) = EditionGraph::build_traced(nodes);
    let mut docs: HashMap<SegmentId, Vec<u32>> = sizes
        .into_iter()
        .map(|(id, n)| (id, vec![NONE; n]))
        .collect();
    let mut addr = vec![None; graph.nodes().len()];
    // Each given node's first input (the one whose code and links it has).
    let mut first_input = vec![usize::MAX; graph.nodes().len()];
    for (k, (&i, (seg, ord, doc))) in input_node.iter().zip(at).enumerate() {
        if let Some(slot) = docs.get_mut(&seg).and_then(|v| v.get_mut(doc as usize)) {
            *slot = i as u32;
        }
        if let Some(a @ None) = addr.get_mut(i) {
            *a = Some(DocAddress::new(ord, doc));
        }
        if let Some(f) = first_input.get_mut(i).filter(|f| **f == usize::MAX) {
            *f = k;
        }
    }
    let mut life = Vec::with_capacity(graph.nodes().len());
    let mut by_key = Vec::with_capacity(graph.nodes().len());
    let mut keys = Vec::new();
    for (i, n) in graph.nodes().iter().enumerate() {
        life.push(stored::Life::pack(&n.facts, &graph.successor_facts(i)));
        by_key.push((edition_key(&n.code), i as u32));
        if graph.is_known(i) {
            keys.push((node_key(&n.code), i as u32));
        }
    }
    let given = keys.len();
    addr.truncate(given);
    let raw = |i: usize| -> &str {
        if i < given {
            own.get(first_input.get(i).copied().unwrap_or(usize::MAX))
        } else {
            named_by.get(i - given).map_or("", |&(input, k)| {
                let start = link_start.get(input).map_or(usize::MAX, |&s| s as usize);
                links.get(start.saturating_add(k))
            })
        }
    };
    let chains = Chains::from_graph(&graph, raw, addr, NodeKeys::all(by_key));
    Ok(Built {
        life,
        docs,
        keys: NodeKeys::new(keys),
        chains,
    })
}
// edition-table rules: end

impl EditionTable {
    /// The table of `searcher`'s generation: read back from `stored` (the bytes of the file
    /// beside the segments) when it was written for exactly this searcher's segments and
    /// deletes by this program's rules, else built from the column cache's per-segment values.
    pub(crate) fn open(
        columns: &Arc<crate::collect::ColumnCache>,
        searcher: &Searcher,
        stored: Result<stored::Flat, TableOrigin>,
        data_dir: &std::path::Path,
    ) -> Result<EditionTable, IndexError> {
        let mut table = Self::open_flat(columns, searcher, stored)?;
        table.graph_file = Some(data_dir.join(stored::GRAPH_FILE));
        Ok(table)
    }

    fn open_flat(
        columns: &Arc<crate::collect::ColumnCache>,
        searcher: &Searcher,
        stored: Result<stored::Flat, TableOrigin>,
    ) -> Result<EditionTable, IndexError> {
        let origin = match stored {
            Ok(flat) => {
                return Ok(EditionTable::new(
                    columns,
                    searcher,
                    flat,
                    TableOrigin::Stored,
                    None,
                ))
            }
            Err(origin) => origin,
        };
        let b = build_all(columns, searcher)?;
        let flat = stored::Flat {
            life: b.life,
            docs: b.docs,
            keys: b.keys,
        };
        Ok(EditionTable::new(
            columns,
            searcher,
            flat,
            origin,
            Some(b.chains),
        ))
    }

    fn new(
        columns: &Arc<crate::collect::ColumnCache>,
        searcher: &Searcher,
        flat: stored::Flat,
        origin: TableOrigin,
        chains: Option<Chains>,
    ) -> EditionTable {
        let cell = std::sync::OnceLock::new();
        let graph_origin = std::sync::OnceLock::new();
        if let Some(c) = chains {
            let _ = cell.set(c);
            let _ = graph_origin.set(origin.clone());
        }
        EditionTable {
            generation: searcher.generation().generation_id(),
            segments: stored::segment_key(searcher),
            searcher: searcher.clone(),
            columns: Arc::clone(columns),
            life: flat.life,
            docs: flat
                .docs
                .into_iter()
                .map(|(k, v)| (k, Arc::new(v)))
                .collect(),
            keys: flat.keys,
            origin,
            chains: cell,
            graph_file: None,
            graph_origin,
            days: std::sync::Mutex::new(HashMap::new()),
        }
    }

    /// Where the table came from: its stored file, or built (and why the file was not used).
    pub fn origin(&self) -> &TableOrigin {
        &self.origin
    }

    /// The stored form of the table (see [`stored`]).
    pub(crate) fn encode(&self) -> Vec<u8> {
        stored::encode(&self.searcher, &self.life, &self.docs, &self.keys)
    }

    /// The graph: read back from its stored file when the table was and the file matches it,
    /// else built now (and kept for the table's life).
    fn chains(&self) -> Result<&Chains, IndexError> {
        if let Some(c) = self.chains.get() {
            return Ok(c);
        }
        let why = match self.read_graph() {
            Ok(c) => {
                let _ = self.graph_origin.set(TableOrigin::Stored);
                return Ok(self.chains.get_or_init(|| c));
            }
            Err(why) => why,
        };
        let b = build_all(&self.columns, &self.searcher)?;
        let _ = self.graph_origin.set(why);
        if b.life != self.life || b.keys != self.keys {
            // Cannot happen while the stored file's key holds (same segments, same rules);
            // the chains then follow the fresh build.
            tracing::warn!("edition graph built after loading differs from the stored table");
        }
        Ok(self.chains.get_or_init(|| b.chains))
    }

    /// The graph from [`EditionTable::graph_file`] when it was stored for exactly this table
    /// (same segments, deletes and rules, same nodes); `None` otherwise (logged).
    fn read_graph(&self) -> Result<Chains, TableOrigin> {
        let Some(path) = self.graph_file.as_ref() else {
            return Err(TableOrigin::Missing);
        };
        let why = match crate::bytes::read_mapped(path) {
            Ok(bytes) => match stored::decode_graph(&bytes, &self.searcher, self.life.len()) {
                Ok(mut c) if c.given as usize == self.keys.len() => {
                    c.addr = Chains::addresses(&self.searcher, &self.docs, c.given as usize);
                    return Ok(c);
                }
                Ok(_) => TableOrigin::Stale("written for another table".into()),
                Err(origin) => origin,
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => TableOrigin::Missing,
            Err(e) => TableOrigin::Unreadable(e.to_string()),
        };
        match &why {
            TableOrigin::Unreadable(e) => tracing::warn!(
                file = %path.display(),
                error = %e,
                "edition graph file unreadable; the graph is built from the index"
            ),
            other => {
                tracing::debug!(file = %path.display(), origin = ?other, "edition graph built")
            }
        }
        Err(why)
    }

    /// Where the graph behind chains came from (its stored file, or built and why the file
    /// was not used); `None` until a chain was asked (or the table was built).
    pub fn graph_origin(&self) -> Option<&TableOrigin> {
        self.graph_origin.get()
    }

    /// Whether the graph is in memory (built, or read back).
    pub(crate) fn has_graph(&self) -> bool {
        self.chains.get().is_some()
    }

    /// The graph read back from its file now, when it matches; `false` otherwise.
    pub(crate) fn load_graph(&self) -> bool {
        match self.read_graph() {
            Ok(c) => {
                let _ = self.graph_origin.set(TableOrigin::Stored);
                let _ = self.chains.set(c);
                true
            }
            Err(_) => false,
        }
    }

    /// The stored form of the graph, when it is in memory (see [`stored::encode_graph`]).
    pub(crate) fn encode_graph(&self) -> Option<Vec<u8>> {
        let c = self.chains.get()?;
        Some(stored::encode_graph(&self.searcher, c))
    }

    /// Builds the graph now if it is neither in memory nor readable from its file.
    pub(crate) fn build_graph(&self) -> Result<(), IndexError> {
        self.chains().map(|_| ())
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
    /// Builds the graph if the table was read from its file.
    pub fn ids(&self) -> Result<Vec<String>, IndexError> {
        let c = self.chains()?;
        (0..c.given as usize)
            .map(|i| c.code(i).map(|code| code.to_string()))
            .collect()
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
        let (facts, succ) = self.life.get(node as usize)?.unpack()?;
        Some(status_on(&facts, &succ, on))
    }

    /// The verdict of the standard `id` on `on`; `None` when the index holds no such standard.
    pub fn verdict(&self, id: &str, on: NaiveDate) -> Option<Verdict> {
        let code = StandardCode::parse(id).ok()?;
        let i = self.keys.find(&node_key(&code))?;
        self.verdict_num(i, date_num(on))
    }

    /// The chain of `code` on `as_of` (see [`EditionChain`]); `None` when the index knows
    /// no edition of the code's number and nothing links to it. Builds the graph if the table
    /// was read from its file.
    pub fn chain(
        &self,
        code: &StandardCode,
        as_of: NaiveDate,
    ) -> Result<Option<EditionChain>, IndexError> {
        let c = self.chains()?;
        let on = date_num(as_of);
        let exact = code.year().and_then(|_| self.find_node(c, code));
        let same_number: Vec<usize> = c
            .by_key
            .all_of(&edition_key(code))
            .iter()
            .map(|&n| n as usize)
            .collect();
        if exact.is_none() && same_number.is_empty() {
            return Ok(None);
        }
        // Every edition connected to the code or to an edition of its number.
        let mut members: Vec<usize> = Vec::new();
        for start in exact.into_iter().chain(same_number.iter().copied()) {
            if members.contains(&start) {
                continue;
            }
            for i in c.component(start) {
                if !members.contains(&i) {
                    members.push(i);
                }
            }
        }
        let in_force: Vec<usize> = match exact {
            Some(i) => self.in_force_from(c, i, on),
            None => {
                // An undated (or unknown) code: the newest edition of the number that leads
                // to an edition in force.
                let mut eds = same_number.clone();
                eds.sort_by_key(|&i| std::cmp::Reverse(self.node_year(i)));
                eds.into_iter()
                    .map(|i| self.in_force_from(c, i, on))
                    .find(|v| !v.is_empty())
                    .unwrap_or_default()
            }
        };
        let mut editions: Vec<Edition> = members
            .iter()
            .map(|&i| self.edition(c, i, on, in_force.contains(&i)))
            .collect::<Result<_, _>>()?;
        editions.sort_by(|a, b| {
            b.code
                .year()
                .cmp(&a.code.year())
                .then_with(|| a.id.cmp(&b.id))
        });
        let id = |i: usize| c.code(i).map(|code| code.to_string());
        Ok(Some(EditionChain {
            asked: code.to_string(),
            as_of,
            edition: exact.map(id).transpose()?,
            in_force: in_force.iter().map(|&i| id(i)).collect::<Result<_, _>>()?,
            editions,
        }))
    }

    /// The node of a code (padding-insensitive): a given one, or one only named by links.
    fn find_node(&self, c: &Chains, code: &StandardCode) -> Option<usize> {
        let key = node_key(code);
        self.keys
            .find(&key)
            .or_else(|| c.named.find(&key))
            .map(|n| n as usize)
    }

    /// Node `i`'s edition year.
    fn node_year(&self, i: usize) -> Option<u16> {
        self.life
            .get(i)
            .and_then(|l| l.unpack())
            .and_then(|(f, _)| f.year)
    }

    /// Node `i`'s verdict on `on` (as [`EditionGraph::verdict`]: the table's `life` holds the
    /// node's facts and its successors' facts).
    fn node_verdict(&self, i: usize, on: i64) -> Verdict {
        self.verdict_num(i as u32, on).unwrap_or(Verdict {
            status: None,
            basis: Basis::Inferred,
            disagrees: false,
        })
    }

    /// The editions in force on `on` that node `i` leads to (as
    /// [`EditionGraph::in_force_from`]): itself when in force, else following successors.
    fn in_force_from(&self, c: &Chains, i: usize, on: i64) -> Vec<usize> {
        let mut out = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            if !seen.insert(n) {
                continue;
            }
            match self.node_verdict(n, on).status {
                Some(Status::Current) if !out.contains(&n) => out.push(n),
                Some(Status::Replaced) => stack.extend(c.succ.of(n).map(|(j, _)| j)),
                _ => {}
            }
        }
        out.sort_by_key(|&n| std::cmp::Reverse(self.node_year(n)));
        out
    }

    fn edition(
        &self,
        c: &Chains,
        i: usize,
        on: i64,
        in_force: bool,
    ) -> Result<Edition, IndexError> {
        let code = c.code(i)?;
        let facts = self.life.get(i).and_then(|l| l.unpack()).map(|(f, _)| f);
        let v = self.node_verdict(i, on);
        let links = |it: &mut dyn Iterator<Item = (usize, LinkBasis)>| {
            let mut out: Vec<EditionLink> = it
                .map(|(j, basis)| {
                    c.code(j).map(|code| EditionLink {
                        id: code.to_string(),
                        basis,
                    })
                })
                .collect::<Result<_, _>>()?;
            out.sort_by(|a, b| a.id.cmp(&b.id));
            Ok::<_, IndexError>(out)
        };
        let head = c.addr.get(i).copied().flatten().and_then(|a| self.head(a));
        let date = |f: fn(&EditionFacts<i64>) -> Option<i64>| {
            facts.as_ref().and_then(f).and_then(num_date)
        };
        Ok(Edition {
            id: code.to_string(),
            in_index: c.is_known(i),
            title_zh: head.as_ref().and_then(|h| h.title_zh.clone()),
            title_en: head.as_ref().and_then(|h| h.title_en.clone()),
            status: v.status,
            status_basis: v.basis,
            stated_status: facts.as_ref().and_then(|f| f.stated),
            sources_disagree: v.disagrees,
            in_force,
            issue_date: date(|f| f.issue),
            implement_date: date(|f| f.implement),
            abolish_date: date(|f| f.abolish),
            replaces: links(&mut c.pred.of(i))?,
            replaced_by: links(&mut c.succ.of(i))?,
            code,
        })
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

/// The stored table of `searcher` read back from its file in `data_dir`, or why not. Needs
/// neither the column cache nor the analyzers: a read-only open runs it beside them.
pub(crate) fn read_stored(
    data_dir: &std::path::Path,
    searcher: &Searcher,
) -> Result<stored::Flat, TableOrigin> {
    match crate::bytes::read_mapped(&data_dir.join(EDITIONS_FILE)) {
        Ok(bytes) => stored::decode(&bytes, searcher),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(TableOrigin::Missing),
        Err(e) => Err(TableOrigin::Unreadable(e.to_string())),
    }
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
        self.editions_with(searcher, None)
    }

    /// The table of `searcher`'s generation when it is already there.
    pub(crate) fn cached_editions(&self, searcher: &Searcher) -> Option<Arc<EditionTable>> {
        let gen = searcher.generation().generation_id();
        let mut cached = self.edition_cache.lock().unwrap_or_else(|p| p.into_inner());
        let (valid_for, t) = cached.as_mut()?;
        if *valid_for == gen {
            return Some(Arc::clone(t));
        }
        // Same segments under a new generation: the same table. Without this the first
        // search after opening rebuilt it (tantivy's watcher reloads once when it first
        // reads `meta.json`, after `warm`): 1.5 s on the 300k-document index when no stored
        // table matches, 0.1 s when one does.
        if t.segments == stored::segment_key(searcher) {
            *valid_for = gen;
            return Some(Arc::clone(t));
        }
        None
    }

    /// The stored table of `searcher` read back from its file, or why not. Needs no column:
    /// [`Index::warm`] runs it beside the column cache.
    pub(crate) fn read_stored_editions(
        &self,
        searcher: &Searcher,
    ) -> Result<stored::Flat, TableOrigin> {
        read_stored(self.data_dir(), searcher)
    }

    /// [`Index::editions_for`], with the stored file already read when `read` is given.
    pub(crate) fn editions_with(
        &self,
        searcher: &Searcher,
        read: Option<Result<stored::Flat, TableOrigin>>,
    ) -> Result<Arc<EditionTable>, IndexError> {
        if let Some(t) = self.cached_editions(searcher) {
            return Ok(t);
        }
        let gen = searcher.generation().generation_id();
        // Built outside the lock; two queries racing on a new generation build it twice,
        // harmlessly.
        let path = self.data_dir().join(EDITIONS_FILE);
        let read = read.unwrap_or_else(|| self.read_stored_editions(searcher));
        let table = EditionTable::open(&self.columns, searcher, read, self.data_dir())?;
        match table.origin() {
            TableOrigin::Stored => {}
            TableOrigin::Unreadable(why) => tracing::warn!(
                file = %path.display(),
                error = %why,
                "edition table file unreadable; the table was rebuilt from the index"
            ),
            other => {
                tracing::debug!(file = %path.display(), origin = ?other, "edition table built")
            }
        }
        if *table.origin() != TableOrigin::Stored && self.is_writable() {
            self.store_editions(&table, &path);
        }
        let table = Arc::new(table);
        *self.edition_cache.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((gen, Arc::clone(&table)));
        Ok(table)
    }

    /// Writes `table` beside the segments (a temporary file, then a rename, so a reader sees
    /// the old file or the new one). Only a writable handle does: one process writes an index
    /// directory. A failure costs the next open a rebuild, nothing else: it is logged.
    fn store_editions(&self, table: &EditionTable, path: &std::path::Path) {
        let tmp = path.with_file_name(format!("{EDITIONS_FILE}.{}.tmp", table.generation()));
        let res = std::fs::write(&tmp, table.encode()).and_then(|()| std::fs::rename(&tmp, path));
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!(file = %path.display(), error = %e, "edition table not stored; the next open rebuilds it");
        }
        self.store_graph(table);
    }

    /// Writes the graph of `table` beside its file, when it is in memory (as
    /// [`Index::store_editions`]; a failure costs the next first chain a build).
    fn store_graph(&self, table: &EditionTable) {
        let Some(bytes) = table.encode_graph() else {
            return;
        };
        let path = self.data_dir().join(stored::GRAPH_FILE);
        let tmp = path.with_file_name(format!("{}.{}.tmp", stored::GRAPH_FILE, table.generation()));
        let res = std::fs::write(&tmp, bytes).and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!(file = %path.display(), error = %e, "edition graph not stored; the next first chain builds it");
        }
    }

    /// Makes sure the current commit's edition graph is stored too (`optimize`): read back
    /// when its file matches, else built and written. A failure is logged.
    pub(crate) fn persist_edition_graph(&self) {
        let res = self.editions().and_then(|table| {
            if table.has_graph() || table.load_graph() {
                // In memory after a build (then stored with the table) or read back.
                if !self.data_dir().join(stored::GRAPH_FILE).is_file() {
                    self.store_graph(&table);
                }
                return Ok(());
            }
            table.build_graph()?;
            self.store_graph(&table);
            Ok(())
        });
        if let Err(e) = res {
            tracing::warn!(error = %e, "edition graph not built after the merge");
        }
    }

    /// Makes sure the current commit's edition table is built and stored (after a commit or a
    /// merge by a writable handle), so the next open reads it instead of building it.
    pub(crate) fn persist_editions(&self) {
        if let Err(e) = self.editions() {
            tracing::warn!(error = %e, "edition table not built after the commit");
        }
        // The column cache's arrays too (the table's build read them all), so the next open
        // reads them back instead of decoding the columns (`collect::stored`).
        self.columns
            .persist(&self.reader.searcher(), self.data_dir());
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
        self.editions()?.chain(code, as_of)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `all` keeps every node of a key, in node order; `new` keeps one node a key.
    #[test]
    fn node_keys_by_key() {
        let pairs = |v: &[(&str, u32)]| -> Vec<(String, u32)> {
            v.iter().map(|(k, n)| (k.to_string(), *n)).collect()
        };
        let input = pairs(&[
            ("GB 2760", 4),
            ("GB 1", 0),
            ("GB 2760", 1),
            ("GB 3", 2),
            ("GB 2760", 3),
        ]);
        let all = NodeKeys::all(input.clone());
        assert_eq!(all.all_of("GB 2760"), &[1, 3, 4]);
        assert_eq!(all.all_of("GB 1"), &[0]);
        assert_eq!(all.all_of("GB 3"), &[2]);
        for absent in ["", "GB 0", "GB 2", "GB 27600", "GB 4"] {
            assert!(all.all_of(absent).is_empty(), "{absent}");
        }
        assert_eq!(NodeKeys::all(Vec::new()).all_of("GB 1"), &[] as &[u32]);
        let one = NodeKeys::new(input);
        assert_eq!(one.len(), 3);
        assert_eq!(one.find("GB 2760"), Some(1));
    }
}
