//! One pass over the matching documents: the status filter (the status on the request's date
//! comes from the edition table, `crate::editions`, which applies the one rule of
//! `biaozhun_model::lifecycle`, so the index never goes stale; the loop reads it from a dense
//! row per document and date, `editions::DayRow`), facet counts from fast columns, the
//! relevance tweak (current editions and newer years first among equal scores), the
//! proximity rescoring window ([`Proximity`]), sorting, and search-after cursors.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use rustc_hash::FxHashMap;
use std::sync::{Arc, Mutex, OnceLock};

use biaozhun_model::{Status, Verdict};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::query::{Bm25StatisticsProvider, EnableScoring, Scorer, Weight};
use tantivy::{
    DocAddress, DocId, DocSet, Score, SeekDangerResult, SegmentOrdinal, SegmentReader, TERMINATED,
};

use crate::document::facet_label;
use crate::editions::{DayRow, EditionTable, StatedLinks};
use crate::fields::names;
use crate::request::{FacetCount, Sort};
use crate::IndexError;

pub(crate) mod stored;

/// Facet values returned per field at most.
const MAX_FACET_VALUES: usize = 50;

/// A sort value: numbers (scores, dates), strings (codes), or a segment-local ordinal of a
/// string that becomes `Str` before segments are merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum SortValue {
    /// Score or date.
    Num(f64),
    /// Code sort key.
    Str(String),
    /// Segment-local ordinal (never leaves a segment).
    #[serde(skip)]
    Ord(u64),
}

/// A collected document.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Tweaked relevance score.
    pub score: f32,
    /// The query's score, before the ranking tweak.
    pub raw: f32,
    /// Sort value.
    pub value: SortValue,
    /// Tie-breaker.
    pub id_hash: u64,
    /// Where the document is.
    pub doc: DocAddress,
    /// Its status on the request's date (standards), as filtered and counted.
    pub verdict: Option<Verdict>,
}

/// A search-after position: the sort value and id hash of the last hit of a page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Cursor {
    /// Sort value.
    #[serde(rename = "v")]
    pub value: SortValue,
    /// Tie-breaker.
    #[serde(rename = "h")]
    pub id_hash: u64,
}

impl Cursor {
    /// Opaque text form (hex of a small JSON).
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        // Two digits per byte from a table: `format!` per byte was a String each, 31k
        // instructions per page (1 % of a hits-only query, `bench/callgrind`, session 12).
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut out = String::with_capacity(json.len() * 2);
        for b in json {
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 15)]));
        }
        out
    }

    /// Reads a cursor produced by [`Cursor::encode`].
    pub fn decode(s: &str) -> Result<Cursor, IndexError> {
        let bad = || IndexError::BadRequest("invalid cursor".into());
        if !s.len().is_multiple_of(2) || s.len() > 4096 {
            return Err(bad());
        }
        let bytes = (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(s.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| bad())?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }
}

/// The collector's result.
#[derive(Debug, Default)]
pub struct HitsFruit {
    /// Matching documents (after the status filter, before the cursor).
    pub total: u64,
    /// The best `k` in sort order.
    pub top: Vec<Candidate>,
    /// Facet counts.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// False when ranges that could not reach the page were skipped ([`crate::prune`]):
    /// `total` is then a lower bound.
    pub exact: bool,
}

/// Per-segment result: counts stay ordinals until the segments are merged, so each distinct
/// value becomes a string once per query instead of once per segment.
pub struct SegmentFruit {
    total: u64,
    top: Vec<Candidate>,
    facets: Vec<(usize, FacetCounts)>,
    status: Option<[u64; 4]>,
    pruned: bool,
}

/// Collects hits, facets and the total in one pass; with `k == 0`, facets and the total only.
#[derive(Clone)]
pub struct HitsCollector {
    /// Date statuses are derived for, as yyyymmdd.
    pub as_of: i64,
    /// Keep only these derived statuses.
    pub statuses: Option<Vec<Status>>,
    /// Sort order.
    pub sort: Sort,
    /// How many top candidates to keep.
    pub k: usize,
    /// Search after this position.
    pub after: Option<Cursor>,
    /// Facet fields (fast str columns, or `year`) to count.
    pub facets: Vec<String>,
    /// Whether to count the derived statuses as the `status` facet.
    pub count_status: bool,
    /// The index's per-segment arrays, shared across queries.
    pub columns: Arc<ColumnCache>,
    /// The edition table of the searcher the collector runs on.
    pub editions: Arc<EditionTable>,
    /// Clauses scored only for documents that can still reach the page (relevance sort).
    pub proximity: Option<Arc<Proximity>>,
    /// Count matches exactly up to this many per segment; beyond, skip the ranges of
    /// documents that cannot reach the page ([`crate::prune`]) and report the total as a
    /// lower bound. `u64::MAX` counts every match. Only a relevance-sorted pass that counts
    /// no facet prunes.
    pub exact_up_to: u64,
}

/// Scoring clauses the collector adds itself (the words next to each other: sloppy phrases)
/// to a rescoring window, as Elasticsearch's `rescore` and Lucene's `QueryRescorer` do.
/// As `Should` clauses of the query they were checked, positions and all, on every match of
/// the words: a tenth of the time of a hits-only query on the 300k-document bench corpus, on
/// queries matching 10k-30k documents. A bound on what they can add (BM25's maximum) did not
/// prune: it is larger than the spread of the scores. So the collector keeps the
/// [`PROXIMITY_WINDOW`] best candidates per segment without them, then adds them to those
/// alone (with `seek_danger`, which checks one document without scanning ahead) and keeps
/// the best `k`. A query with fewer matches than the window ranks exactly as before; a
/// document outside the window is not lifted onto the page by proximity alone.
pub struct Proximity {
    weights: Vec<Box<dyn Weight>>,
}

/// Candidates per segment the proximity clauses are scored for.
pub const PROXIMITY_WINDOW: usize = 256;

impl Proximity {
    /// The clauses (terms of a sloppy phrase with their offsets, and a boost; see
    /// `query::proximity`), weighted for `searcher`; `None` without clauses. `known` tells
    /// the document frequencies of terms already looked up in `searcher` (the query's words
    /// hold the same terms: `Plan::known_doc_freq`), so weighing a clause needs no dictionary
    /// lookup. A clause with a term no document holds can never match and is left out (a
    /// title phrase of words that are in no title): weighing it and opening its postings in
    /// every segment cost as much as scoring the window (`bench/callgrind`, session 12).
    pub fn new(
        searcher: &tantivy::Searcher,
        clauses: Vec<(Vec<(usize, tantivy::Term)>, Score)>,
        known: &dyn Fn(&tantivy::Term) -> Option<u64>,
    ) -> tantivy::Result<Option<Arc<Proximity>>> {
        if clauses.is_empty() {
            return Ok(None);
        }
        let stats = KnownStats { searcher, known };
        let scoring = EnableScoring::enabled_from_statistics_provider(&stats, searcher);
        let mut weights = Vec::with_capacity(clauses.len());
        for (terms, boost) in clauses {
            // tantivy panics on a phrase of fewer than two terms.
            if terms.len() < 2 {
                continue;
            }
            let mut absent = false;
            for (_, t) in &terms {
                absent |= stats.doc_freq(t)? == 0;
            }
            if absent {
                continue;
            }
            let q = crate::query::phrase_boosted(terms, boost);
            weights.push(q.weight(scoring)?);
        }
        Ok((!weights.is_empty()).then(|| Arc::new(Proximity { weights })))
    }
}

/// The searcher's BM25 statistics, with the document frequencies already known answered
/// without the term dictionary (the same numbers: the scores do not change).
struct KnownStats<'a> {
    searcher: &'a tantivy::Searcher,
    known: &'a dyn Fn(&tantivy::Term) -> Option<u64>,
}

impl Bm25StatisticsProvider for KnownStats<'_> {
    fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_tokens(self.searcher, field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Bm25StatisticsProvider::total_num_docs(self.searcher)
    }

    fn doc_freq(&self, term: &tantivy::Term) -> tantivy::Result<u64> {
        match (self.known)(term) {
            Some(n) => Ok(n),
            None => self.searcher.doc_freq(term),
        }
    }
}

impl Proximity {
    /// How many clauses are scored (those whose words some document holds).
    pub fn len(&self) -> usize {
        self.weights.len()
    }

    /// Whether no clause is scored (never: [`Proximity::new`] gives `None` then).
    pub fn is_empty(&self) -> bool {
        self.weights.is_empty()
    }
}

/// One proximity clause in one segment.
struct ProxScorer {
    scorer: Box<dyn Scorer>,
    /// No document before this one can match (the `seek_danger` contract).
    next: DocId,
    /// The scorer stands on `next`, which matches (as created).
    on_next: bool,
}

// edition-table rules: begin (see `editions::stored::rules`)
/// Status derivation and ranking inputs of one document, read from fast columns once per
/// segment. The profile showed per-hit column reads (optional-index ranks, bit unpacking) as a
/// quarter of search time; a dense array makes them one cache-friendly load. 16 bytes (dates as
/// `i32`, the rank and the file flag in one byte): at 550k documents (300k records and their
/// files) the array was 17.6 MB at 32 bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DocInfo {
    /// Issue date as yyyymmdd, [`NO_DATE`] when absent.
    issue: i32,
    /// Implementation date as yyyymmdd, [`NO_DATE`] when absent.
    implement: i32,
    /// Abolition date as yyyymmdd, [`NO_DATE`] when absent.
    abolish: i32,
    /// Edition year, 0 when absent.
    year: u16,
    /// The status label as catalogued.
    pub(crate) label: Option<Status>,
    /// Stored status rank (1 when absent; 0-3), and [`FILE_FLAG`] for a file bookkeeping
    /// document (kind `file`), never a hit.
    rank_file: u8,
}

const _: () = assert!(std::mem::size_of::<DocInfo>() == 16);

/// The bit of [`DocInfo::rank_file`] that marks a file bookkeeping document.
const FILE_FLAG: u8 = 0x80;

impl DocInfo {
    fn date(v: i32) -> Option<i64> {
        (v != NO_DATE).then_some(i64::from(v))
    }
    /// A column's yyyymmdd as stored ([`NO_DATE`] when absent or no date: out of `i32`).
    fn pack_date(v: Option<i64>) -> i32 {
        v.and_then(|v| i32::try_from(v).ok())
            .filter(|&v| v != NO_DATE)
            .unwrap_or(NO_DATE)
    }
    /// Issue date (yyyymmdd).
    pub(crate) fn issue(&self) -> Option<i64> {
        Self::date(self.issue)
    }
    /// Implementation date (yyyymmdd).
    pub(crate) fn implement(&self) -> Option<i64> {
        Self::date(self.implement)
    }
    /// Abolition date (yyyymmdd).
    pub(crate) fn abolish(&self) -> Option<i64> {
        Self::date(self.abolish)
    }
    /// Edition year, 0 when absent.
    pub(crate) fn year(&self) -> u16 {
        self.year
    }
    /// Stored status rank (1 when absent).
    pub(crate) fn rank(&self) -> u8 {
        self.rank_file & !FILE_FLAG
    }
    /// Whether it is a file bookkeeping document.
    pub(crate) fn is_file(&self) -> bool {
        self.rank_file & FILE_FLAG != 0
    }
}

/// Sentinel of an absent date in [`DocInfo`].
const NO_DATE: i32 = i32::MIN;
// edition-table rules: end

// edition-table rules: begin (see `editions::stored::rules`)
/// The values of one string facet for every document of a segment, as ordinals into `names`.
struct FacetOrds {
    names: Vec<String>,
    values: FacetValues,
}

/// Where a facet's per-document ordinals are.
enum FacetValues {
    /// Offsets per document, like a CSR matrix: multi-valued facets such as ICS (every level).
    Csr { offsets: Vec<u32>, ords: Vec<u32> },
    /// Column `slot` of the segment's facet rows ([`SegmentColumns::facet_rows`]): a facet
    /// with at most one value per document and fewer than [`NO_ORD`] values.
    Row(usize),
}

/// An absent value in a facet row.
const NO_ORD: u16 = u16::MAX;

impl FacetOrds {
    fn build(col: &StrColumn, max_doc: DocId) -> tantivy::Result<FacetOrds> {
        // One sequential pass over the dictionary: looking up each ordinal decompresses its
        // block again (zstd context and all), which dominated preparing a segment.
        let mut names = Vec::with_capacity(col.num_terms());
        let mut stream = col.dictionary().stream()?;
        while stream.advance() {
            names.push(String::from_utf8_lossy(stream.key()).into_owned());
        }
        if names.len() != col.num_terms() {
            names.clear();
            for ord in 0..col.num_terms() as u64 {
                let mut s = String::new();
                col.ord_to_str(ord, &mut s)?;
                names.push(s);
            }
        }
        let mut offsets = Vec::with_capacity(max_doc as usize + 1);
        let mut ords = Vec::with_capacity(max_doc as usize);
        offsets.push(0);
        for doc in 0..max_doc {
            ords.extend(col.term_ords(doc).map(|o| o as u32));
            offsets.push(ords.len() as u32);
        }
        Ok(FacetOrds {
            names,
            values: FacetValues::Csr { offsets, ords },
        })
    }

    /// The ordinals of `doc` (a facet kept in rows has none here: read the row).
    fn of(&self, doc: DocId) -> &[u32] {
        let FacetValues::Csr { offsets, ords } = &self.values else {
            return &[];
        };
        let d = doc as usize;
        match (offsets.get(d), offsets.get(d + 1)) {
            (Some(&a), Some(&b)) => ords.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }

    /// Whether every document has at most one value and the ordinals fit a row cell.
    fn single_valued(&self) -> bool {
        match &self.values {
            FacetValues::Csr { offsets, .. } => {
                self.names.len() < usize::from(NO_ORD)
                    && offsets.windows(2).all(|w| w[1] - w[0] <= 1)
            }
            FacetValues::Row(_) => true,
        }
    }
}
// edition-table rules: end

/// What queries read of one segment, built once per segment (segments never change) and shared
/// by all queries through [`ColumnCache`].
pub(crate) struct SegmentColumns {
    docs: Vec<DocInfo>,
    /// Each standard's code and stated links, for the edition table (deleted documents too:
    /// deletes change without the segment changing, the table checks them). Read from
    /// `edition_col` at the first build of an edition graph: when the table is read back from
    /// its file, a start needs none of them (the column's dictionary is every code and link
    /// of the index: decoding it was a good part of opening a 300k segment).
    editions: OnceLock<Vec<(DocId, StatedLinks)>>,
    edition_col: Option<StrColumn>,
    /// The tie-breaker of every document, dense: read for each candidate that passes the
    /// floor (the rescoring window keeps a few hundred), where the column's optional index
    /// and bit unpacking showed in the profile.
    id_hash: Vec<u64>,
    issue_date: Column<i64>,
    implement: Column<i64>,
    code_sort: Option<StrColumn>,
    facets: HashMap<String, Arc<FacetOrds>>,
    /// The single-valued facets' ordinals, one row of [`Self::row_width`] cells per document
    /// ([`NO_ORD`] when absent). Counting read two offsets and an ordinal from separate
    /// arrays per facet and document: on the 300k-document bench corpus the loads of the
    /// offsets were the hottest instructions of a query with facets (cache misses, one per
    /// facet). A row puts a document's values in one or two cache lines.
    facet_rows: Vec<u16>,
    row_width: usize,
}

// column-cache rules: begin (see `collect::stored`)
impl SegmentColumns {
    fn open(reader: &SegmentReader, facets: &[String]) -> tantivy::Result<SegmentColumns> {
        let ff = reader.fast_fields();
        let max_doc = reader.max_doc();
        // edition-table rules: begin (see `editions::stored::rules`)
        let status_col = ff.str(names::status)?;
        let mut status_of_ord = Vec::new();
        if let Some(col) = &status_col {
            let mut s = String::new();
            for ord in 0..col.num_terms() as u64 {
                s.clear();
                col.ord_to_str(ord, &mut s)?;
                status_of_ord.push(Status::parse(&s));
            }
        }
        let implement = ff.i64(names::implement_date)?;
        let abolish = ff.i64(names::abolish_date)?;
        let issue_date = ff.i64(names::issue_date)?;
        let rank = ff.u64(names::status_rank)?;
        let year = ff.u64(names::year)?;
        let kind = ff.str(names::kind)?;
        let file_ord = match &kind {
            Some(col) => col
                .dictionary()
                .term_ord(crate::document::FILE_KIND.as_bytes())?,
            None => None,
        };
        let docs = (0..max_doc)
            .map(|doc| DocInfo {
                issue: DocInfo::pack_date(issue_date.first(doc)),
                implement: DocInfo::pack_date(implement.first(doc)),
                abolish: DocInfo::pack_date(abolish.first(doc)),
                year: year
                    .first(doc)
                    .map_or(0, |y| u16::try_from(y).unwrap_or(u16::MAX)),
                label: status_col
                    .as_ref()
                    .and_then(|c| c.term_ords(doc).next())
                    .and_then(|o| status_of_ord.get(o as usize).copied().flatten()),
                rank_file: rank.first(doc).map_or(1, |r| r.min(3) as u8)
                    | if file_ord.is_some_and(|f| {
                        kind.as_ref()
                            .is_some_and(|c| c.term_ords(doc).any(|o| o == f))
                    }) {
                        FILE_FLAG
                    } else {
                        0
                    },
            })
            .collect();
        // edition-table rules: end
        // A single-valued facet's ordinals go to one u16 a document as soon as it is read, so
        // only one facet's offsets and ordinals (4.4 MB at 550k documents) exist at a time:
        // holding every facet's until the rows were laid out left ~15 MB of freed heap resident
        // after the open of a 300k index (bench/RESULTS.md, session 8).
        let mut built: Vec<(String, FacetOrds, Option<Vec<u16>>)> = Vec::new();
        for name in facets {
            if name == names::year {
                continue;
            }
            if let Some(col) = ff.str(name)? {
                let mut f = FacetOrds::build(&col, max_doc)?;
                let single = f.single_valued().then(|| {
                    (0..max_doc)
                        .map(|doc| f.of(doc).first().map_or(NO_ORD, |&o| o as u16))
                        .collect::<Vec<u16>>()
                });
                if single.is_some() {
                    // Its slot is set below; the offsets and ordinals are freed now.
                    f.values = FacetValues::Row(0);
                }
                built.push((name.clone(), f, single));
            }
        }
        let row_width = built
            .iter()
            .filter(|(_, _, single)| single.is_some())
            .count();
        let mut facet_rows = vec![NO_ORD; row_width * max_doc as usize];
        let mut slot = 0;
        let mut facet_ords = HashMap::new();
        for (name, mut f, single) in built {
            if let Some(ords) = single {
                for (doc, &o) in ords.iter().enumerate() {
                    if let Some(cell) = facet_rows.get_mut(doc * row_width + slot) {
                        *cell = o;
                    }
                }
                f.values = FacetValues::Row(slot);
                slot += 1;
            }
            facet_ords.insert(name, Arc::new(f));
        }
        Ok(SegmentColumns {
            docs,
            editions: OnceLock::new(),
            edition_col: ff.str(names::edition)?,
            id_hash: {
                let col = ff.u64(names::id_hash)?;
                (0..max_doc).map(|d| col.first(d).unwrap_or(0)).collect()
            },
            issue_date,
            implement,
            code_sort: ff.str(names::code_sort)?,
            facets: facet_ords,
            facet_rows,
            row_width,
        })
    }
}
// column-cache rules: end

impl SegmentColumns {
    // edition-table rules: begin (see `editions::stored::rules`)
    /// Each standard's code and stated links, by document (read from the column at the first
    /// call: only edition graph builds ask).
    pub(crate) fn editions(&self) -> tantivy::Result<&[(DocId, StatedLinks)]> {
        if let Some(e) = self.editions.get() {
            return Ok(e);
        }
        let mut editions = Vec::new();
        if let Some(col) = &self.edition_col {
            let values = FacetOrds::build(col, self.max_doc())?;
            for doc in 0..self.max_doc() {
                let ords = values.of(doc);
                if ords.is_empty() {
                    continue;
                }
                let vals = ords
                    .iter()
                    .filter_map(|&o| values.names.get(o as usize).map(String::as_str));
                if let Some(links) = StatedLinks::from_values(vals) {
                    editions.push((doc, links));
                }
            }
        }
        // Two graph builds at once read the column twice; the first to finish is kept.
        Ok(self.editions.get_or_init(|| editions))
    }

    /// The status inputs of one document.
    pub(crate) fn doc_info(&self, doc: DocId) -> Option<DocInfo> {
        self.docs.get(doc as usize).copied()
    }
    // edition-table rules: end

    /// Documents in the segment (deleted ones included).
    pub(crate) fn max_doc(&self) -> DocId {
        self.docs.len() as DocId
    }
}

/// Per-segment column handles of an index, shared by all its queries.
pub struct ColumnCache {
    facets: Vec<String>,
    segments: Mutex<HashMap<SegmentId, Prepared>>,
}

/// A segment's arrays and what the facet merge derives from their value names, once.
#[derive(Clone)]
struct Prepared {
    cols: Arc<SegmentColumns>,
    /// By facet field, its ordinals and their meta (none when its names are not in byte
    /// order: merged by name); one lookup per facet and query.
    facets: Arc<HashMap<String, SegmentFacet>>,
}

/// A segment's ordinals of one facet and their meta.
type SegmentFacet = (Arc<FacetOrds>, Option<Arc<FacetMeta>>);

impl Prepared {
    fn new(cols: Arc<SegmentColumns>) -> Prepared {
        let facets = cols
            .facets
            .iter()
            .map(|(name, f)| {
                let meta = FacetMeta::new(name, &f.names)
                    .map(|m| m.with_docs(f))
                    .map(Arc::new);
                (name.clone(), (Arc::clone(f), meta))
            })
            .collect();
        Prepared {
            cols,
            facets: Arc::new(facets),
        }
    }
}

/// What the facet merge needs of each value of one segment's facet, by ordinal: whether it is
/// listed at all (HS: chapters only) and, for a hierarchical facet, its level and its parent's
/// ordinal. A segment's dictionary is in byte order, the order of `str`: ordinal order is
/// value order, so a segment's counts are chosen, tie-broken and sorted by ordinal, and only
/// the values returned are read as strings. On the small preset, choosing among the touched
/// values by string (level by splitting on dots, parents in a hash set, sorting strings) was
/// two thirds of the facet merge after [`OrdCounts`] (session 11, callgrind).
struct FacetMeta {
    /// Per ordinal: 0 when never listed, else the level (1 for a flat facet).
    level: Vec<u8>,
    /// The ordinals listed, one bit each (the merge skips a word of HS headings and exact
    /// codes at once; a broad query touches thousands of them).
    listed: Vec<u64>,
    /// Whether some values are never listed (HS): those are not even counted
    /// ([`HitsSegment::count_facets`]).
    partly_listed: bool,
    /// For a multi-valued facet that most documents lack (HS, notifications only), the
    /// documents with a value, one bit each (69 kB at 550k documents).
    docs_with_values: Option<Vec<u64>>,
    /// Per ordinal: the parent's ordinal, [`NO_PARENT`] at the top level, [`LOST_PARENT`]
    /// when the parent is not a value of the segment (the value is never kept).
    parent: Vec<u32>,
    hierarchical: bool,
}

/// [`FacetMeta::parent`] of a top-level value.
const NO_PARENT: u32 = u32::MAX;
/// [`FacetMeta::parent`] of a value whose parent the segment does not have.
const LOST_PARENT: u32 = u32::MAX - 1;

impl FacetMeta {
    /// With [`FacetMeta::docs_with_values`] when fewer than a quarter of the documents
    /// have a value of the multi-valued facet `f`.
    fn with_docs(mut self, f: &FacetOrds) -> FacetMeta {
        let FacetValues::Csr { offsets, .. } = &f.values else {
            return self;
        };
        let docs = offsets.len().saturating_sub(1);
        let with = offsets.windows(2).filter(|w| w[1] > w[0]).count();
        if with * 4 < docs {
            let mut bits = vec![0u64; docs.div_ceil(64)];
            for (d, w) in offsets.windows(2).enumerate() {
                if w[1] > w[0] {
                    if let Some(b) = bits.get_mut(d / 64) {
                        *b |= 1 << (d % 64);
                    }
                }
            }
            self.docs_with_values = Some(bits);
        }
        self
    }

    /// Whether ordinal `o` is ever listed.
    #[inline]
    fn is_listed(&self, o: u32) -> bool {
        self.listed
            .get(o as usize / 64)
            .is_some_and(|w| w & (1 << (o % 64)) != 0)
    }

    /// The meta of facet `field` with these value names; `None` when they are not strictly
    /// ascending (ordinal order would not be value order) or too deep for a `u8` level.
    fn new(field: &str, names: &[String]) -> Option<FacetMeta> {
        if names.windows(2).any(|w| w[0] >= w[1]) || names.len() >= LOST_PARENT as usize {
            return None;
        }
        let hierarchical = HIERARCHICAL.contains(&field);
        let mut level = Vec::with_capacity(names.len());
        let mut parent = Vec::with_capacity(names.len());
        let mut listed = vec![0u64; names.len().div_ceil(64)];
        for (o, v) in names.iter().enumerate() {
            if facet_listed(field, v) {
                if let Some(w) = listed.get_mut(o / 64) {
                    *w |= 1 << (o % 64);
                }
            }
            if !facet_listed(field, v) {
                level.push(0);
                parent.push(NO_PARENT);
                continue;
            }
            if !hierarchical {
                level.push(1);
                parent.push(NO_PARENT);
                continue;
            }
            level.push(
                u8::try_from(facet_level(field, v))
                    .ok()
                    .filter(|&l| l > 0)?,
            );
            parent.push(match facet_parent(field, v) {
                None => NO_PARENT,
                Some(p) => names
                    .binary_search_by(|n| n.as_str().cmp(p))
                    .map_or(LOST_PARENT, |o| o as u32),
            });
        }
        let partly_listed = level.contains(&0);
        Some(FacetMeta {
            level,
            listed,
            partly_listed,
            docs_with_values: None,
            parent,
            hierarchical,
        })
    }
}

impl ColumnCache {
    /// A cache that prepares these facet fields with the others.
    pub fn new(facets: Vec<String>) -> ColumnCache {
        ColumnCache {
            facets,
            segments: Mutex::new(HashMap::new()),
        }
    }

    /// The arrays of one segment (built on first use).
    pub(crate) fn segment(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        self.get(reader)
    }

    fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        Ok(self.prepared(reader)?.cols)
    }

    fn prepared(&self, reader: &SegmentReader) -> tantivy::Result<Prepared> {
        let id = reader.segment_id();
        if let Some(c) = self.lock().get(&id) {
            return Ok(c.clone());
        }
        // Built outside the lock; a concurrent query may build the same segment, harmlessly.
        let prepared = Prepared::new(Arc::new(SegmentColumns::open(reader, &self.facets)?));
        self.lock().insert(id, prepared.clone());
        Ok(prepared)
    }

    /// Prepares every segment of a searcher ahead of the first query (after opening or a
    /// reload), so no user waits for the per-segment arrays.
    pub fn warm(&self, searcher: &tantivy::Searcher) -> tantivy::Result<()> {
        for r in searcher.segment_readers() {
            self.get(r)?;
        }
        Ok(())
    }

    /// [`ColumnCache::warm`], reading the arrays of the segments the stored file in
    /// `data_dir` holds back from it (see [`stored`]) instead of decoding the columns; the
    /// other segments are built. A damaged file is logged as a warning and every segment
    /// built; never an error of its own. Says how many segments were read back and, when
    /// the file was not used, why.
    pub(crate) fn warm_stored(
        &self,
        searcher: &tantivy::Searcher,
        data_dir: &std::path::Path,
    ) -> tantivy::Result<ColumnsRead> {
        let read = stored::read(data_dir, stored::key(&self.facets), searcher);
        let out = match read {
            Ok(arrays) => {
                let n = arrays.len();
                let mut segments = self.lock();
                for (id, cols) in arrays {
                    segments
                        .entry(id)
                        .or_insert_with(|| Prepared::new(Arc::new(cols)));
                }
                ColumnsRead {
                    segments: n,
                    unused: None,
                }
            }
            Err(why) => {
                if let stored::Unused::Unreadable(e) = &why {
                    tracing::warn!(
                        file = %data_dir.join(stored::COLUMNS_FILE).display(),
                        error = %e,
                        "column cache file unreadable; the columns were read from the index"
                    );
                }
                ColumnsRead {
                    segments: 0,
                    unused: Some(why),
                }
            }
        };
        self.warm(searcher)?;
        Ok(out)
    }

    /// Writes the arrays of `searcher`'s segments to the stored file in `data_dir` (a
    /// temporary file, then a rename), unless it holds exactly them already. Only writable
    /// handles call it (after a commit or a merge); a failure costs the next open the
    /// columns' decoding, nothing else: it is logged.
    pub(crate) fn persist(&self, searcher: &tantivy::Searcher, data_dir: &std::path::Path) {
        let key = stored::key(&self.facets);
        if stored::is_current(data_dir, key, searcher) {
            return;
        }
        let mut segments = Vec::with_capacity(searcher.segment_readers().len());
        for r in searcher.segment_readers() {
            match self.get(r) {
                Ok(cols) => segments.push((r, cols)),
                Err(e) => {
                    tracing::warn!(error = %e, "column cache not stored");
                    return;
                }
            }
        }
        let pairs: Vec<(&SegmentReader, &SegmentColumns)> =
            segments.iter().map(|(r, c)| (*r, &**c)).collect();
        let path = data_dir.join(stored::COLUMNS_FILE);
        let tmp = path.with_file_name(format!(
            "{}.{}.tmp",
            stored::COLUMNS_FILE,
            searcher.generation().generation_id()
        ));
        let res = std::fs::write(&tmp, stored::encode(key, &pairs))
            .and_then(|()| std::fs::rename(&tmp, &path));
        if let Err(e) = res {
            let _ = std::fs::remove_file(&tmp);
            tracing::warn!(file = %path.display(), error = %e, "column cache not stored; the next open reads the columns");
        }
    }

    /// Forgets segments that are no longer searched (merged away), bounding the cache.
    pub fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|id, _| live.contains(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Prepared>> {
        self.segments.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// What [`ColumnCache::warm_stored`] read back from the stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnsRead {
    /// Segments whose arrays were read back (the others were built).
    pub(crate) segments: usize,
    /// Why the file was not used, when it was not.
    pub(crate) unused: Option<stored::Unused>,
}

/// Counts of one facet in one segment.
enum FacetCounts {
    /// By ordinal of a string facet (with its meta, when its names allow one).
    Str(Arc<FacetOrds>, Option<Arc<FacetMeta>>, OrdCounts),
    /// Edition years (1900..2156 by offset; others in the map).
    Year(OrdCounts, HashMap<u16, u32>),
}

/// A string facet's counts by ordinal, and which ordinals some match has (one bit each).
/// The dictionaries are large (at 300k documents 13,747 HS values, 2,400 CCS and 1,381 ICS;
/// the small preset's alike) while a query's matches have a few of them: walking every
/// ordinal's count at the merge was most of the merge, itself a fifth of a facets query on
/// the small preset (session 11, callgrind). The bits are set unconditionally (no branch in
/// the per-document loop) and walked a word at a time, in ordinal order.
///
/// The arrays are reused: a dropped `OrdCounts` zeroes the counts it touched and goes to a
/// small per-thread pool ([`COUNTS_POOL`]) that the next query's segment of the same
/// dictionary size takes. Allocating them zeroed per query (`calloc`: a `memset` of the whole
/// array, and glibc consolidating its free lists before each large request) was 6 % of a
/// facets query on the small preset.
struct OrdCounts {
    n: Vec<u32>,
    touched: Vec<u64>,
}

thread_local! {
    /// Zeroed [`OrdCounts`] arrays of finished queries, for the next ones on this thread.
    static COUNTS_POOL: std::cell::RefCell<Vec<(Vec<u32>, Vec<u64>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// At most this many arrays pooled per thread ...
const POOL_ARRAYS: usize = 32;
/// ... and at most this many counts in them (4 MB): a thread that served an index with a
/// huge dictionary does not keep it forever.
const POOL_VALUES: usize = 1 << 20;

impl OrdCounts {
    fn new(values: usize) -> OrdCounts {
        let pooled = COUNTS_POOL
            .try_with(|p| {
                let mut p = p.borrow_mut();
                let i = p.iter().position(|(n, _)| n.len() == values)?;
                Some(p.swap_remove(i))
            })
            .ok()
            .flatten();
        let (n, touched) =
            pooled.unwrap_or_else(|| (vec![0; values], vec![0; values.div_ceil(64)]));
        OrdCounts { n, touched }
    }

    /// Counts one document with value `o`.
    #[inline]
    fn add(&mut self, o: usize) {
        if let (Some(x), Some(w)) = (self.n.get_mut(o), self.touched.get_mut(o / 64)) {
            *x += 1;
            *w |= 1 << (o % 64);
        }
    }

    /// Zeroes what was counted (only the touched counts), leaving both arrays as new.
    fn clear(&mut self) {
        for (i, word) in self.touched.iter_mut().enumerate() {
            let mut bits = *word;
            while bits != 0 {
                if let Some(x) = self.n.get_mut(i * 64 + bits.trailing_zeros() as usize) {
                    *x = 0;
                }
                bits &= bits - 1;
            }
            *word = 0;
        }
    }

    /// The ordinals some document has, ascending, with their counts.
    fn nonzero(&self) -> impl Iterator<Item = (usize, u32)> + '_ {
        self.nonzero_of(None)
    }

    /// [`OrdCounts::nonzero`], only the ordinals set in `mask` (one bit each) when given.
    fn nonzero_of<'a>(
        &'a self,
        mask: Option<&'a [u64]>,
    ) -> impl Iterator<Item = (usize, u32)> + 'a {
        self.touched.iter().enumerate().flat_map(move |(i, &word)| {
            let mut bits = match mask {
                Some(m) => word & m.get(i).copied().unwrap_or(0),
                None => word,
            };
            std::iter::from_fn(move || {
                if bits == 0 {
                    return None;
                }
                let o = i * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                Some((o, self.n.get(o).copied().unwrap_or(0)))
            })
        })
    }
}

impl Drop for OrdCounts {
    fn drop(&mut self) {
        if self.n.is_empty() {
            return;
        }
        self.clear();
        let arrays = (
            std::mem::take(&mut self.n),
            std::mem::take(&mut self.touched),
        );
        // A thread being torn down has no pool any more: the arrays are freed.
        let _ = COUNTS_POOL.try_with(|p| {
            let mut p = p.borrow_mut();
            let held: usize = p.iter().map(|(n, _)| n.len()).sum();
            if p.len() < POOL_ARRAYS && held + arrays.0.len() <= POOL_VALUES {
                p.push(arrays);
            }
        });
    }
}

/// Per-segment state.
pub struct HitsSegment {
    seg: SegmentOrdinal,
    as_of: i64,
    statuses: Option<Vec<Status>>,
    sort: Sort,
    k: usize,
    after: Option<Cursor>,
    cols: Arc<SegmentColumns>,
    editions: Arc<EditionTable>,
    /// Year and ranking class of each document on `as_of`.
    rows: Arc<Vec<DayRow>>,
    /// Edition-table node of each document (none for other kinds).
    nodes: Option<Arc<Vec<u32>>>,
    date_sort: Option<Column<i64>>,
    code_sort: Option<StrColumn>,
    facets: Vec<(usize, FacetCounts)>,
    count_status: bool,
    status_counts: [u64; 4],
    total: u64,
    top: Vec<Candidate>,
    /// The worst candidate kept once `top` held `k`: anything not better is dropped at once.
    floor: Option<Candidate>,
    /// Proximity clauses of the segment, scored for the window of best candidates.
    prox: Vec<ProxScorer>,
    /// Candidates kept until the end: `k`, or the rescoring window with proximity clauses.
    keep: usize,
    /// Whether a range of documents was skipped unseen: `total` is a lower bound.
    pruned: bool,
    /// Candidates held before the worst kept is recomputed: often when pruning (the floor
    /// is the threshold of [`crate::prune`]), rarely otherwise.
    refloor_at: usize,
    /// Matches not yet added to the facet counts: they are counted [`FACET_BATCH`] at a
    /// time, facet by facet ([`HitsSegment::count_facets`]).
    pending: Vec<DocId>,
}

impl Collector for HitsCollector {
    type Fruit = HitsFruit;
    type Child = HitsSegment;

    fn for_segment(
        &self,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<HitsSegment> {
        let Prepared {
            cols,
            facets: prepared,
        } = self.columns.prepared(reader)?;
        let mut facets = Vec::new();
        for (i, name) in self.facets.iter().enumerate() {
            if name == names::year {
                facets.push((i, FacetCounts::Year(OrdCounts::new(256), HashMap::new())));
            } else if let Some((f, meta)) = prepared.get(name) {
                let n = f.names.len();
                facets.push((
                    i,
                    FacetCounts::Str(Arc::clone(f), meta.clone(), OrdCounts::new(n)),
                ));
            }
        }
        let date_sort = match self.sort {
            Sort::IssueDate => Some(cols.issue_date.clone()),
            Sort::ImplementDate => Some(cols.implement.clone()),
            _ => None,
        };
        let code_sort = match self.sort {
            Sort::Code => cols.code_sort.clone(),
            _ => None,
        };
        let mut prox = Vec::new();
        if let Some(p) = self.proximity.as_ref().filter(|_| self.requires_scoring()) {
            for w in &p.weights {
                // `scorer` would scan for the first document where the words are next to
                // each other, positions and all: most of the work the window saves.
                let (found, scorer) = w.scorer_danger(reader, 0, 1.0)?;
                prox.push(match found {
                    SeekDangerResult::Found => ProxScorer {
                        scorer,
                        next: 0,
                        on_next: true,
                    },
                    SeekDangerResult::SeekLowerBound(next) => ProxScorer {
                        scorer,
                        next,
                        on_next: false,
                    },
                });
            }
        }
        let keep = if prox.is_empty() {
            self.k
        } else {
            self.k.max(PROXIMITY_WINDOW)
        };
        Ok(HitsSegment {
            seg,
            as_of: self.as_of,
            statuses: self.statuses.clone(),
            sort: self.sort,
            k: self.k,
            after: self.after.clone(),
            rows: self
                .editions
                .day_rows(reader.segment_id(), &cols, self.as_of),
            cols,
            editions: Arc::clone(&self.editions),
            nodes: self.editions.segment_nodes(reader.segment_id()),
            date_sort,
            code_sort,
            facets,
            count_status: self.count_status,
            status_counts: [0; 4],
            total: 0,
            top: Vec::new(),
            floor: None,
            prox,
            keep,
            pruned: false,
            pending: if self.facets.is_empty() {
                Vec::new()
            } else {
                Vec::with_capacity(FACET_BATCH)
            },
            refloor_at: if self.prunes() {
                keep + keep / 4 + 16
            } else {
                2 * keep + 64
            },
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance && self.k > 0
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFruit> {
        let mut collector = self.for_segment(seg, reader)?;
        let alive = reader.alive_bitset();
        if self.prunes() {
            let mut scorer = weight.scorer(reader, 1.0)?;
            collect_pruning(&mut *scorer, &mut collector, self.exact_up_to, |doc| {
                alive.is_none_or(|a| a.is_alive(doc))
            });
        } else {
            // tantivy's default (`default_collect_segment_impl`, not public).
            match (alive, self.requires_scoring()) {
                (Some(alive), true) => weight.for_each(reader, &mut |doc, score| {
                    if alive.is_alive(doc) {
                        collector.collect(doc, score);
                    }
                })?,
                (Some(alive), false) => weight.for_each_no_score(reader, &mut |docs| {
                    for &doc in docs {
                        if alive.is_alive(doc) {
                            collector.collect(doc, 0.0);
                        }
                    }
                })?,
                (None, true) => {
                    weight.for_each(reader, &mut |doc, score| collector.collect(doc, score))?
                }
                (None, false) => {
                    weight.for_each_no_score(reader, &mut |docs| collector.collect_block(docs))?
                }
            }
        }
        Ok(collector.harvest())
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<HitsFruit> {
        let mut facets = BTreeMap::new();
        {
            // Per field, the counts of each segment (by its own ordinals). One segment (an
            // optimized index) needs no merging by value at all.
            let mut strs: Vec<(&str, Vec<SegmentCounts>)> = Vec::new();
            let mut years: HashMap<&str, HashMap<u16, u64>> = HashMap::new();
            let mut status: Option<[u64; 4]> = None;
            for f in &fruits {
                for (i, counts) in &f.facets {
                    let Some(name) = self.facets.get(*i) else {
                        continue;
                    };
                    match counts {
                        FacetCounts::Str(ords, meta, n) => {
                            let seg = (&**ords, meta.as_deref(), n);
                            match strs.iter_mut().find(|(field, _)| *field == name.as_str()) {
                                Some((_, segs)) => segs.push(seg),
                                None => strs.push((name.as_str(), vec![seg])),
                            }
                        }
                        FacetCounts::Year(by_offset, other) => {
                            let e = years.entry(name.as_str()).or_default();
                            for (i, c) in by_offset.nonzero() {
                                *e.entry(1900 + i as u16).or_default() += u64::from(c);
                            }
                            for (y, c) in other {
                                *e.entry(*y).or_default() += u64::from(*c);
                            }
                        }
                    }
                }
                if let Some(st) = f.status {
                    let acc = status.get_or_insert([0; 4]);
                    for (a, b) in acc.iter_mut().zip(st) {
                        *a += b;
                    }
                }
            }
            for (field, segs) in strs {
                let list = match segs.as_slice() {
                    [(ords, Some(meta), n)] => facet_list_ords(field, ords, meta, n),
                    [one] => facet_list(field, nonzero(*one)),
                    _ => {
                        let mut merged: FxHashMap<&str, u64> = FxHashMap::default();
                        for seg in segs {
                            for (v, c) in nonzero(seg) {
                                *merged.entry(v).or_default() += c;
                            }
                        }
                        facet_list(field, merged)
                    }
                };
                facets.insert(field.to_string(), list);
            }
            for (field, values) in years {
                let values = values.into_iter().map(|(y, c)| (y.to_string(), c));
                facets.insert(field.to_string(), facet_list(field, values));
            }
            if let Some(st) = status {
                let values = [
                    Status::Current,
                    Status::Upcoming,
                    Status::Replaced,
                    Status::Abolished,
                ]
                .into_iter()
                .map(|s| (s.as_str(), st[s.rank() as usize]));
                facets.insert("status".to_string(), facet_list("status", values));
            }
        }
        let mut total = 0;
        let mut top = Vec::new();
        let mut exact = true;
        for f in fruits {
            total += f.total;
            top.extend(f.top);
            exact &= !f.pruned;
        }
        let sort = self.sort;
        top.sort_by(|a, b| compare(sort, a, b));
        top.truncate(self.k);
        Ok(HitsFruit {
            total,
            top,
            facets,
            exact,
        })
    }
}

/// Facets whose values form a hierarchy, listed parents first: ICS (`01`, `01.140`,
/// `01.140.20`, every level of a document's codes is indexed) and CCS (category `B`, code `B31`).
const HIERARCHICAL: &[&str] = &[names::ics, names::ccs];

/// The level of a hierarchical facet value: ICS by dotted parts, CCS letter (1) or code (2).
fn facet_level(field: &str, value: &str) -> usize {
    match field {
        names::ccs => usize::from(value.len() > 1) + 1,
        _ => value.split('.').count(),
    }
}

/// The parent of a hierarchical facet value (`01.140` of `01.140.20`, `B` of `B31`).
fn facet_parent<'a>(field: &str, value: &'a str) -> Option<&'a str> {
    match field {
        names::ccs => (value.len() > 1).then(|| value.get(..1)).flatten(),
        _ => value.rsplit_once('.').map(|(p, _)| p),
    }
}

/// Counts of one facet as returned: years newest first; hierarchical facets by value (parents
/// before children) keeping the most frequent values of each level whose parent is kept; HS by
/// chapter only (`84`; the index also holds headings and `=`-exact codes for filtering);
/// others most frequent first. At most [`MAX_FACET_VALUES`] values per list (per level).
///
/// A facet over the whole index has thousands of values (ICS codes of every level): they are
/// chosen by reference and count, and only the few returned become strings with labels. Sorting
/// them all with owned strings made the facet merge 48 % of a facets query on the small preset
/// (session 8, callgrind).
pub(crate) fn facet_list<S: AsRef<str>>(
    field: &str,
    values: impl IntoIterator<Item = (S, u64)>,
) -> Vec<FacetCount> {
    let values: Vec<(S, u64)> = values
        .into_iter()
        .filter(|(v, c)| *c > 0 && facet_listed(field, v.as_ref()))
        .collect();
    let by_count =
        |a: &(S, u64), b: &(S, u64)| b.1.cmp(&a.1).then_with(|| a.0.as_ref().cmp(b.0.as_ref()));
    let out = |kept: &[&(S, u64)]| -> Vec<FacetCount> {
        kept.iter()
            .map(|(v, count)| FacetCount {
                label: facet_label(field, v.as_ref()),
                value: v.as_ref().to_string(),
                count: *count,
            })
            .collect()
    };
    if field == names::year {
        let mut list: Vec<&(S, u64)> = values.iter().collect();
        list.sort_by(|a, b| b.0.as_ref().cmp(a.0.as_ref()));
        list.truncate(MAX_FACET_VALUES);
        return out(&list);
    }
    if HIERARCHICAL.contains(&field) {
        // Level by level from the top: the most frequent values whose parent was kept.
        let mut by_level: Vec<Vec<&(S, u64)>> = Vec::new();
        for v in &values {
            let level = facet_level(field, v.0.as_ref());
            if by_level.len() < level {
                by_level.resize_with(level, Vec::new);
            }
            if let Some(l) = level.checked_sub(1).and_then(|i| by_level.get_mut(i)) {
                l.push(v);
            }
        }
        let mut kept: Vec<&(S, u64)> = Vec::new();
        let mut kept_values: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
        for level in by_level {
            let mut level: Vec<&(S, u64)> = level
                .into_iter()
                .filter(|v| {
                    facet_parent(field, v.0.as_ref()).is_none_or(|p| kept_values.contains(p))
                })
                .collect();
            top_by(&mut level, MAX_FACET_VALUES, |a, b| by_count(a, b));
            kept_values.extend(level.iter().map(|v| v.0.as_ref()));
            kept.extend(level);
        }
        kept.sort_by(|a, b| a.0.as_ref().cmp(b.0.as_ref()));
        return out(&kept);
    }
    let mut list: Vec<&(S, u64)> = values.iter().collect();
    top_by(&mut list, MAX_FACET_VALUES, |a, b| by_count(a, b));
    out(&list)
}

/// Whether a value of `field` is ever listed: HS by chapter only (`84`; the index also holds
/// headings and `=`-exact codes for filtering).
fn facet_listed(field: &str, v: &str) -> bool {
    field != names::hs || (v.len() == 2 && !v.starts_with('='))
}

/// [`facet_list`] of one segment's counts, by ordinal (see [`FacetMeta`]): the same list.
fn facet_list_ords(
    field: &str,
    ords: &FacetOrds,
    meta: &FacetMeta,
    counts: &OrdCounts,
) -> Vec<FacetCount> {
    let level = |o: u32| meta.level.get(o as usize).copied().unwrap_or(0);
    let values: Vec<(u32, u64)> = counts
        .nonzero_of(Some(&meta.listed))
        .map(|(o, c)| (o as u32, u64::from(c)))
        .filter(|&(o, _)| level(o) > 0)
        .collect();
    // Most frequent first, ties by value (ordinal order is value order).
    let by_count = |a: &(u32, u64), b: &(u32, u64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    let out = |kept: &[(u32, u64)]| -> Vec<FacetCount> {
        kept.iter()
            .filter_map(|&(o, count)| {
                let v = ords.names.get(o as usize)?;
                Some(FacetCount {
                    label: facet_label(field, v),
                    value: v.clone(),
                    count,
                })
            })
            .collect()
    };
    if !meta.hierarchical {
        let mut list = values;
        top_by(&mut list, MAX_FACET_VALUES, by_count);
        return out(&list);
    }
    // Level by level from the top: the most frequent values whose parent was kept.
    let mut kept_bits = vec![0u64; ords.names.len().div_ceil(64)];
    let is_kept = |bits: &[u64], o: u32| {
        bits.get(o as usize / 64)
            .is_some_and(|w| w & (1 << (o % 64)) != 0)
    };
    let deepest = values.iter().map(|&(o, _)| level(o)).max().unwrap_or(0);
    let mut kept: Vec<(u32, u64)> = Vec::new();
    for l in 1..=deepest {
        let mut this: Vec<(u32, u64)> = values
            .iter()
            .copied()
            .filter(|&(o, _)| level(o) == l)
            .filter(
                |&(o, _)| match meta.parent.get(o as usize).copied().unwrap_or(LOST_PARENT) {
                    NO_PARENT => true,
                    LOST_PARENT => false,
                    p => is_kept(&kept_bits, p),
                },
            )
            .collect();
        top_by(&mut this, MAX_FACET_VALUES, by_count);
        for &(o, _) in &this {
            if let Some(w) = kept_bits.get_mut(o as usize / 64) {
                *w |= 1 << (o % 64);
            }
        }
        kept.extend(this);
    }
    kept.sort_unstable_by_key(|&(o, _)| o);
    out(&kept)
}

/// One segment's counts of a facet, by the segment's own ordinals.
type SegmentCounts<'a> = (&'a FacetOrds, Option<&'a FacetMeta>, &'a OrdCounts);

/// The values of a segment's facet that some match has, with their counts.
fn nonzero<'a>((ords, _, n): SegmentCounts<'a>) -> impl Iterator<Item = (&'a str, u64)> {
    n.nonzero().filter_map(|(o, c)| {
        let v = ords.names.get(o)?;
        Some((v.as_str(), u64::from(c)))
    })
}

/// Keeps the `n` first of `list` in the order `cmp`, sorted; the rest is never sorted.
fn top_by<T>(list: &mut Vec<T>, n: usize, mut cmp: impl FnMut(&T, &T) -> Ordering) {
    if n == 0 {
        list.clear();
        return;
    }
    if list.len() > n {
        list.select_nth_unstable_by(n - 1, &mut cmp);
        list.truncate(n);
    }
    list.sort_by(cmp);
}

/// Sort order of candidates: `Less` means `a` comes first.
fn compare(sort: Sort, a: &Candidate, b: &Candidate) -> Ordering {
    let _ = sort;
    compare_values(&a.value, &b.value).then_with(|| a.id_hash.cmp(&b.id_hash))
}

/// Order of sort values alone: `Less` means `a` comes first.
fn compare_values(a: &SortValue, b: &SortValue) -> Ordering {
    match (a, b) {
        (SortValue::Num(x), SortValue::Num(y)) => y.partial_cmp(x).unwrap_or(Ordering::Equal),
        (SortValue::Str(x), SortValue::Str(y)) => x.cmp(y),
        (SortValue::Ord(x), SortValue::Ord(y)) => x.cmp(y),
        // Documents without a code sort after those with one.
        (SortValue::Num(_), _) => Ordering::Greater,
        (_, SortValue::Num(_)) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

impl HitsCollector {
    /// Whether this pass may skip documents ([`crate::prune`]): ranked by relevance, hits
    /// wanted, nothing counted but the total, and the request accepts a lower bound.
    fn prunes(&self) -> bool {
        self.exact_up_to != u64::MAX
            && self.sort == Sort::Relevance
            && self.k > 0
            && self.facets.is_empty()
            && !self.count_status
    }
}

/// The most the ranking tweak of [`HitsSegment::value_of`] adds to a raw score: an edition
/// factor of at most 1 and a year bonus of at most (2050 - 1950) / 1000.
const MAX_TWEAK: f64 = 0.1;

/// Collects the matches of `scorer`, every one until `exact_up_to` have been counted; then,
/// once the kept candidates are full, it skips what cannot beat the worst of them
/// ([`crate::prune`]): the documents held only by terms whose best scores cannot lift them
/// (MaxScore, [`crate::prune::raise_floor`], each time the worst kept candidate improves),
/// and each range of documents whose block maxima ([`crate::prune::bound`]) cannot. A tree
/// the bounds do not know is collected whole.
fn collect_pruning(
    scorer: &mut dyn Scorer,
    c: &mut HitsSegment,
    exact_up_to: u64,
    alive: impl Fn(DocId) -> bool,
) {
    let mut doc = scorer.doc();
    // The current range: its last document and the bound of its scores.
    let mut range: Option<(DocId, Option<Score>)> = None;
    // After a range that could not be skipped, the next bound is asked only past this
    // document, twice as far after each miss in a row: a query whose bounds never prune
    // (scores spread evenly) pays for a few checks, not one per range.
    let (mut quiet_until, mut gap): (DocId, DocId) = (0, 0);
    let mut bounded = true;
    let mut floor = Score::MIN;
    while doc != TERMINATED {
        if bounded && c.total >= exact_up_to {
            if let Some(threshold) = c.threshold() {
                // The maxima are loose: a rise of a few percent makes no new child lazy.
                if threshold > floor + floor.abs() * 0.02 {
                    floor = threshold;
                    c.pruned |= crate::prune::raise_floor(scorer, floor);
                    range = None;
                    quiet_until = 0;
                }
                let current = match range {
                    Some(r) if doc <= r.0 => Some(r),
                    _ if doc < quiet_until => None,
                    _ => {
                        let end = crate::prune::block_end(scorer);
                        let ub = crate::prune::bound(scorer, end);
                        if ub.is_some_and(|ub| ub > threshold) {
                            gap = (gap * 2).clamp(128, 1 << 16);
                            quiet_until = end.saturating_add(gap);
                        }
                        range = Some((end, ub));
                        range
                    }
                };
                match current {
                    Some((_, None)) => bounded = false,
                    Some((end, Some(ub))) if ub <= threshold => {
                        c.pruned = true;
                        gap = 0;
                        if end >= TERMINATED - 1 {
                            break;
                        }
                        doc = scorer.seek(end + 1);
                        continue;
                    }
                    _ => {}
                }
            }
        }
        if alive(doc) {
            let score = scorer.score();
            c.collect(doc, score);
        }
        doc = scorer.advance();
    }
}

impl HitsSegment {
    /// The raw score a document must exceed to have a chance against the worst candidate
    /// kept, once they are full (relevance sort): its tweaked value is at most the raw score
    /// plus [`MAX_TWEAK`], and only a greater value than the worst's enters. A margin covers
    /// the rounding of float sums in another order.
    fn threshold(&self) -> Option<Score> {
        match &self.floor {
            Some(Candidate {
                value: SortValue::Num(v),
                ..
            }) if self.sort == Sort::Relevance => {
                Some((v - MAX_TWEAK - (v.abs() * 1e-4 + 1e-4)) as Score)
            }
            _ => None,
        }
    }

    fn value_of(&self, doc: DocId, score: Score, rank: u64, year: u16) -> SortValue {
        match self.sort {
            Sort::Relevance => {
                let year = if year == 0 {
                    1950
                } else {
                    year.clamp(1950, 2050)
                };
                // Current editions first: a multiplier, so it works for BM25 and constant
                // code scores alike; newer years break the remaining ties.
                let factor = [1.0, 0.9, 0.6, 0.55][rank.min(3) as usize];
                SortValue::Num(f64::from(score) * factor + f64::from(year - 1950) / 1000.0)
            }
            Sort::IssueDate | Sort::ImplementDate => SortValue::Num(
                self.date_sort
                    .as_ref()
                    .and_then(|c| c.first(doc))
                    .map_or(f64::MIN, |v| v as f64),
            ),
            Sort::Code => match &self.code_sort {
                Some(c) => match c.term_ords(doc).next() {
                    Some(o) => SortValue::Ord(o),
                    None => SortValue::Num(0.0),
                },
                None => SortValue::Num(0.0),
            },
        }
    }

    /// Whether a candidate comes after the request's cursor (always, without one).
    fn is_after_cursor(&self, cand: &Candidate) -> bool {
        let Some(after) = &self.after else {
            return true;
        };
        let probe = Candidate {
            value: self.resolve(&cand.value),
            ..cand.clone()
        };
        let pos = Candidate {
            value: after.value.clone(),
            id_hash: after.id_hash,
            ..cand.clone()
        };
        compare(self.sort, &probe, &pos) == Ordering::Greater
    }

    /// Adds the proximity clauses' scores to the window of best candidates kept, then keeps
    /// the `k` best of them (see [`Proximity`]).
    fn rescore(&mut self) {
        if self.prox.is_empty() || self.top.is_empty() {
            return;
        }
        let mut top = std::mem::take(&mut self.top);
        top.sort_by_key(|c| c.doc.doc_id);
        for cand in &mut top {
            let doc = cand.doc.doc_id;
            let add = self.prox_score(doc);
            if add == 0.0 {
                continue;
            }
            let Some(row) = self.rows.get(doc as usize).copied() else {
                continue;
            };
            cand.raw += add;
            cand.value = self.value_of(doc, cand.raw, u64::from(row.rank), row.year);
            if let SortValue::Num(v) = cand.value {
                cand.score = v as f32;
            }
        }
        // A candidate the clauses lifted before the cursor was on an earlier page.
        top.retain(|c| self.is_after_cursor(c));
        self.top = top;
        self.keep = self.k;
        self.floor = None;
        self.prune();
    }

    /// What the proximity clauses add to the score of `doc` (increasing between calls).
    fn prox_score(&mut self, doc: DocId) -> Score {
        let mut add = 0.0;
        for p in &mut self.prox {
            if doc < p.next {
                continue;
            }
            let found = if p.on_next && doc == p.next {
                SeekDangerResult::Found
            } else {
                p.scorer.seek_danger(doc)
            };
            p.on_next = false;
            match found {
                SeekDangerResult::Found => {
                    add += p.scorer.score();
                    p.next = doc + 1;
                }
                // The scorer may be anywhere now: only `seek_danger` at or after the bound.
                SeekDangerResult::SeekLowerBound(next) => p.next = next,
            }
        }
        add
    }

    fn resolve(&self, v: &SortValue) -> SortValue {
        match (v, &self.code_sort) {
            (SortValue::Ord(o), Some(col)) => {
                let mut s = String::new();
                let _ = col.ord_to_str(*o, &mut s);
                SortValue::Str(s)
            }
            _ => v.clone(),
        }
    }

    fn prune(&mut self) {
        let sort = self.sort;
        let k = self.keep;
        if k == 0 {
            self.top.clear();
        } else if self.top.len() >= k {
            if self.top.len() > k {
                self.top
                    .select_nth_unstable_by(k - 1, |a, b| compare(sort, a, b));
                self.top.truncate(k);
            }
            self.floor = self.top.iter().max_by(|a, b| compare(sort, a, b)).cloned();
        }
    }
}

/// Matches counted at once by [`HitsSegment::count_facets`].
const FACET_BATCH: usize = 64;

impl HitsSegment {
    /// Adds the pending matches to the facet counts, one facet at a time over all of them.
    /// Counting each match's facets as it came (a dozen facets, each its own column: a row
    /// cell, or offsets and ordinals of a multi-valued facet) put the per-facet dispatch in
    /// the per-document loop and, at 300k documents, a cache miss per multi-valued facet
    /// between two matches the scorer had to wait for; over a batch the loads of different
    /// documents are independent and overlap (issue 15, session 11).
    fn count_facets(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let docs = &self.pending;
        let width = self.cols.row_width;
        let cells = &self.cols.facet_rows;
        for (_, counts) in &mut self.facets {
            match counts {
                FacetCounts::Str(ords, meta, n) => match ords.values {
                    FacetValues::Row(slot) if slot < width => {
                        for &doc in docs {
                            if let Some(&o) = cells.get(doc as usize * width + slot) {
                                if o != NO_ORD {
                                    n.add(usize::from(o));
                                }
                            }
                        }
                    }
                    FacetValues::Row(_) => {}
                    // HS values are counted by chapter only: its headings and exact codes (three
                    // in four of its values) are skipped by a bit of the meta, which keeps the
                    // count increments in the few cache lines of the chapters instead of all
                    // over a 55 kB array (at 300k documents; the list is the same).
                    // A sparse facet (HS: notifications only) is read only for the documents its
                    // bitmap says have values: no offsets to load for the others.
                    FacetValues::Csr { .. } => {
                        let listed = meta.as_deref().filter(|m| m.partly_listed);
                        let sparse = meta.as_deref().and_then(|m| m.docs_with_values.as_deref());
                        for &doc in docs {
                            if let Some(bits) = sparse {
                                let has = bits
                                    .get(doc as usize / 64)
                                    .is_some_and(|w| w & (1 << (doc % 64)) != 0);
                                if !has {
                                    continue;
                                }
                            }
                            let values = ords.of(doc);
                            match listed {
                                Some(m) => {
                                    for &o in values {
                                        if m.is_listed(o) {
                                            n.add(o as usize);
                                        }
                                    }
                                }
                                None => {
                                    for &o in values {
                                        n.add(o as usize);
                                    }
                                }
                            }
                        }
                    }
                },
                FacetCounts::Year(by_offset, other) => {
                    for &doc in docs {
                        let year = self.rows.get(doc as usize).map_or(0, |r| r.year);
                        if year != 0 {
                            let i = usize::from(year.wrapping_sub(1900));
                            if year >= 1900 && i < by_offset.n.len() {
                                by_offset.add(i);
                            } else {
                                *other.entry(year).or_default() += 1;
                            }
                        }
                    }
                }
            }
        }
        self.pending.clear();
    }
}

impl SegmentCollector for HitsSegment {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let Some(row) = self.rows.get(doc as usize).copied() else {
            return;
        };
        if !row.is_record() {
            // A file bookkeeping document (the query does not exclude them: `build_lean`).
            return;
        }
        let derived = row.status();
        if let Some(want) = &self.statuses {
            match derived {
                Some(s) if want.contains(&s) => {}
                _ => return,
            }
        }
        self.total += 1;
        if let Some(s) = derived {
            self.status_counts[s.rank() as usize] += 1;
        }
        if !self.facets.is_empty() {
            self.pending.push(doc);
            if self.pending.len() >= FACET_BATCH {
                self.count_facets();
            }
        }
        if self.k == 0 {
            // A facet-only pass (disjunctive facets): no hits wanted.
            return;
        }
        let value = self.value_of(doc, score, u64::from(row.rank), row.year);
        let mut cand = Candidate {
            raw: score,
            score: match &value {
                SortValue::Num(v) if self.sort == Sort::Relevance => *v as f32,
                _ => score,
            },
            value,
            id_hash: 0,
            doc: DocAddress::new(self.seg, doc),
            verdict: None,
        };
        // Most matches cannot enter the page: compare with the floor before reading the id
        // hash (a tie on the sort value still needs it as the tie-breaker).
        if let Some(floor) = &self.floor {
            match compare_values(&cand.value, &floor.value) {
                Ordering::Greater => return,
                Ordering::Equal => {
                    cand.id_hash = self.cols.id_hash.get(doc as usize).copied().unwrap_or(0);
                    if cand.id_hash >= floor.id_hash {
                        return;
                    }
                }
                Ordering::Less => {
                    cand.id_hash = self.cols.id_hash.get(doc as usize).copied().unwrap_or(0);
                }
            }
        } else {
            cand.id_hash = self.cols.id_hash.get(doc as usize).copied().unwrap_or(0);
        }
        if !self.is_after_cursor(&cand) {
            return;
        }
        self.top.push(cand);
        if self.top.len() >= self.refloor_at {
            self.prune();
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        self.count_facets();
        self.prune();
        self.rescore();
        // The full verdict (basis, disagreement) only for the few that may be shown.
        let (nodes, editions, as_of) = (&self.nodes, &self.editions, self.as_of);
        for c in &mut self.top {
            c.verdict = nodes
                .as_ref()
                .and_then(|n| n.get(c.doc.doc_id as usize))
                .and_then(|&node| editions.verdict_num(node, as_of));
        }
        let sort = self.sort;
        self.top.sort_by(|a, b| compare(sort, a, b));
        let top: Vec<Candidate> = self
            .top
            .iter()
            .map(|c| Candidate {
                value: self.resolve(&c.value),
                ..c.clone()
            })
            .collect();
        SegmentFruit {
            total: self.total,
            top,
            facets: self.facets,
            status: self.count_status.then_some(self.status_counts),
            pruned: self.pruned,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_the_hex_of_their_json_and_read_back() {
        for value in [
            SortValue::Num(12.5),
            SortValue::Str("GB/T 7714—2015 \u{0}é".into()),
        ] {
            let c = Cursor {
                value: value.clone(),
                id_hash: u64::MAX - 3,
            };
            let text = c.encode();
            let json = serde_json::to_vec(&c).expect("json");
            let want: String = json.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(text, want);
            let back = Cursor::decode(&text).expect("decodes");
            assert_eq!((back.value, back.id_hash), (value, u64::MAX - 3));
        }
        assert!(Cursor::decode("7g").is_err());
    }

    /// `facet_list` over `(value, count)` pairs, as `value:count` strings in the order returned.
    fn check(field: &str, values: &[(&str, u64)], want: &[&str]) {
        let got: Vec<String> = facet_list(field, values.iter().copied())
            .into_iter()
            .map(|f| format!("{}:{}", f.value, f.count))
            .collect();
        assert_eq!(got, want, "{field} {values:?}");
    }

    #[test]
    fn facet_lists_keep_the_most_frequent_values_of_each_level_under_kept_parents() {
        // Hierarchical: parents first (by value), zero counts dropped, a child of a dropped
        // parent dropped even when it is frequent.
        check(
            names::ics,
            &[
                ("01.140", 5),
                ("01", 9),
                ("03", 0),
                ("03.120", 4),
                ("01.140.20", 2),
            ],
            &["01:9", "01.140:5", "01.140.20:2"],
        );
        check(
            names::ccs,
            &[("B31", 3), ("B", 7), ("A01", 2)],
            &["B:7", "B31:3"],
        );
        // Plain facets: most frequent first, ties by value; HS by chapter only.
        check(
            names::kind,
            &[("standard", 3), ("notification", 3), ("regulation", 9)],
            &["regulation:9", "notification:3", "standard:3"],
        );
        check(
            names::hs,
            &[("84", 2), ("8471", 9), ("=847130", 9), ("85", 4)],
            &["85:4", "84:2"],
        );
        // Years newest first.
        check(
            names::year,
            &[("2019", 1), ("2021", 1), ("2020", 5)],
            &["2021:1", "2020:5", "2019:1"],
        );
    }

    /// A segment facet of these value names (sorted here) counted for these documents' values.
    fn counted(names: &[&str], docs: &[&[&str]]) -> (FacetOrds, OrdCounts) {
        let mut names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        names.sort();
        names.dedup();
        let mut counts = OrdCounts::new(names.len());
        for doc in docs {
            for v in *doc {
                if let Ok(o) = names.binary_search_by(|n| n.as_str().cmp(v)) {
                    counts.add(o);
                }
            }
        }
        let ords = FacetOrds {
            names,
            values: FacetValues::Row(0),
        };
        (ords, counts)
    }

    #[test]
    fn facet_lists_by_ordinal_equal_those_by_name() {
        // A small pseudo-random generator: the same cases on every run.
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for round in 0..40 {
            // ICS-like codes of three levels (a parent sometimes missing from the
            // dictionary), CCS-like letters and codes, HS chapters, headings and exact codes,
            // and flat values with ties.
            let mut ics = Vec::new();
            let mut ccs = Vec::new();
            let mut hs = Vec::new();
            let mut flat = Vec::new();
            for _ in 0..(20 + next(400)) {
                let (a, b, c) = (10 + next(70), 10 + next(30) * 10, 1 + next(60));
                match next(4) {
                    0 => ics.push(format!("{a:02}")),
                    1 => ics.push(format!("{a:02}.{b:03}")),
                    _ => ics.push(format!("{a:02}.{b:03}.{c:02}")),
                }
                let letter = char::from(b'A' + next(26) as u8);
                ccs.push(if next(3) == 0 {
                    letter.to_string()
                } else {
                    format!("{letter}{:02}", next(100))
                });
                hs.push(match next(3) {
                    0 => format!("{:02}", 1 + next(97)),
                    1 => format!("{:04}", 100 + next(9700)),
                    _ => format!("={:06}", next(999_999)),
                });
                flat.push(format!("d{}", next(90)));
            }
            for (field, values) in [
                (names::ics, &ics),
                (names::ccs, &ccs),
                (names::hs, &hs),
                (names::department, &flat),
            ] {
                let all: Vec<&str> = values.iter().map(String::as_str).collect();
                // Documents have one to three values; some values of the dictionary none.
                let docs: Vec<Vec<&str>> = (0..next(600))
                    .map(|_| {
                        (0..1 + next(3))
                            .map(|_| all[next(all.len() as u64 / 2 + 1) as usize])
                            .collect()
                    })
                    .collect();
                let docs: Vec<&[&str]> = docs.iter().map(Vec::as_slice).collect();
                let (ords, counts) = counted(&all, &docs);
                let meta = FacetMeta::new(field, &ords.names).expect("sorted names");
                let by_name = facet_list(field, nonzero((&ords, None, &counts)));
                let by_ord = facet_list_ords(field, &ords, &meta, &counts);
                assert_eq!(by_ord, by_name, "{field}, round {round}");
            }
        }
        // Names out of byte order get no meta (the merge goes by name).
        let names = vec!["b".to_string(), "a".to_string()];
        assert!(FacetMeta::new(names::kind, &names).is_none());
    }

    #[test]
    fn facet_counts_are_reused_zeroed() {
        let (ords, counts) = counted(&["a", "b", "c"], &[&["a", "c"], &["c"]]);
        let got: Vec<(usize, u32)> = counts.nonzero().collect();
        assert_eq!(got, vec![(0, 1), (2, 2)]);
        drop(counts);
        // The pooled arrays come back with nothing counted.
        let again = OrdCounts::new(ords.names.len());
        assert_eq!(again.nonzero().count(), 0);
        assert!(again.n.iter().all(|&c| c == 0));
    }

    #[test]
    fn facet_lists_stop_at_the_limit_per_level() {
        // 60 top-level ICS values (count = its number) each with one child: the 50 most
        // frequent parents are kept, and only their children, again 50 at most.
        let values: Vec<(String, u64)> = (10..70u64)
            .flat_map(|i| [(format!("{i}"), i), (format!("{i}.010"), 1)])
            .collect();
        let list = facet_list(names::ics, values.iter().map(|(v, c)| (v.as_str(), *c)));
        let parents: Vec<&str> = list
            .iter()
            .map(|f| f.value.as_str())
            .filter(|v| !v.contains('.'))
            .collect();
        let children = list.iter().filter(|f| f.value.contains('.')).count();
        assert_eq!(parents.len(), MAX_FACET_VALUES);
        assert_eq!(parents.first(), Some(&"20"));
        assert_eq!(children, MAX_FACET_VALUES);
        assert!(list.iter().all(|f| !f.value.starts_with("1")));
        // Plain facets keep the 50 most frequent, ties broken by value.
        let values: Vec<(String, u64)> = (0..80u64).map(|i| (format!("d{i:02}"), i % 7)).collect();
        let list = facet_list(
            names::department,
            values.iter().map(|(v, c)| (v.as_str(), *c)),
        );
        assert_eq!(list.len(), MAX_FACET_VALUES);
        assert!(list
            .windows(2)
            .all(|w| (w[1].count, &w[0].value) <= (w[0].count, &w[1].value)));
    }
}
