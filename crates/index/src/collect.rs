//! One pass over the matching documents: the status filter (status is derived from dates for
//! the request's date, like `Standard::status_on`, so the index never goes stale), facet counts
//! from fast columns, the relevance tweak (current editions and newer years first among equal
//! scores), sorting, and search-after cursors.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use biaozhun_model::Status;
use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::fastfield::FastFieldReaders;
use tantivy::index::SegmentId;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use crate::document::facet_label;
use crate::search::{FacetCount, Sort};
use crate::IndexError;

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
    /// Sort value.
    pub value: SortValue,
    /// Tie-breaker.
    pub id_hash: u64,
    /// Where the document is.
    pub doc: DocAddress,
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
        json.iter().map(|b| format!("{b:02x}")).collect()
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
}

/// Per-segment result.
pub struct SegmentFruit {
    total: u64,
    top: Vec<Candidate>,
    facets: HashMap<String, HashMap<String, u64>>,
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
    /// Facet fields (fast str or u64 columns).
    pub facets: Vec<String>,
    /// Column handles reused across queries (opened per query without it).
    pub columns: Option<Arc<ColumnCache>>,
}

/// A facet column as opened.
#[derive(Clone)]
enum FacetSource {
    Str(StrColumn),
    U64(Column<u64>),
}

/// The fast columns of one segment that queries read. Segments never change, so these are
/// opened once per segment and shared (cheap `Arc` clones) instead of on every query, which the
/// profile showed as 7 % of search time.
struct SegmentColumns {
    status_col: Option<StrColumn>,
    status_of_ord: Vec<Option<Status>>,
    implement: Column<i64>,
    abolish: Column<i64>,
    successor: Column<u64>,
    rank: Column<u64>,
    year: Column<u64>,
    id_hash: Column<u64>,
    issue_date: Column<i64>,
    code_sort: Option<StrColumn>,
    facets: HashMap<String, Option<FacetSource>>,
}

/// Opens one facet column (`None` when the segment has no such string column).
fn open_facet(ff: &FastFieldReaders, name: &str) -> tantivy::Result<Option<FacetSource>> {
    Ok(if name == "year" {
        Some(FacetSource::U64(ff.u64(name)?))
    } else {
        ff.str(name)?.map(FacetSource::Str)
    })
}

impl SegmentColumns {
    fn open(reader: &SegmentReader, facets: &[String]) -> tantivy::Result<SegmentColumns> {
        let ff = reader.fast_fields();
        let status_col = ff.str("status")?;
        let mut status_of_ord = Vec::new();
        if let Some(col) = &status_col {
            let mut s = String::new();
            for ord in 0..col.num_terms() as u64 {
                s.clear();
                col.ord_to_str(ord, &mut s)?;
                status_of_ord.push(Status::parse(&s));
            }
        }
        let mut facet_cols = HashMap::new();
        for name in facets {
            facet_cols.insert(name.clone(), open_facet(ff, name)?);
        }
        Ok(SegmentColumns {
            status_col,
            status_of_ord,
            implement: ff.i64("implement_date")?,
            abolish: ff.i64("abolish_date")?,
            successor: ff.u64("has_successor")?,
            rank: ff.u64("status_rank")?,
            year: ff.u64("year")?,
            id_hash: ff.u64("id_hash")?,
            issue_date: ff.i64("issue_date")?,
            code_sort: ff.str("code_sort")?,
            facets: facet_cols,
        })
    }
}

/// Per-segment column handles of an index, shared by all its queries.
pub struct ColumnCache {
    facets: Vec<String>,
    segments: Mutex<HashMap<SegmentId, Arc<SegmentColumns>>>,
}

impl ColumnCache {
    /// A cache that opens these facet columns with the others.
    pub fn new(facets: Vec<String>) -> ColumnCache {
        ColumnCache {
            facets,
            segments: Mutex::new(HashMap::new()),
        }
    }

    fn get(&self, reader: &SegmentReader) -> tantivy::Result<Arc<SegmentColumns>> {
        let id = reader.segment_id();
        if let Some(c) = self.lock().get(&id) {
            return Ok(Arc::clone(c));
        }
        // Opened outside the lock; a concurrent query may open the same segment, harmlessly.
        let cols = Arc::new(SegmentColumns::open(reader, &self.facets)?);
        self.lock().insert(id, Arc::clone(&cols));
        Ok(cols)
    }

    /// Forgets segments that are no longer searched (merged away), bounding the cache.
    pub fn retain(&self, live: &[SegmentId]) {
        self.lock().retain(|id, _| live.contains(id));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<SegmentColumns>>> {
        self.segments.lock().unwrap_or_else(|p| p.into_inner())
    }
}

enum FacetCol {
    Str(StrColumn, Vec<u64>),
    U64(Column<u64>, HashMap<u64, u64>),
}

/// Per-segment state.
pub struct HitsSegment {
    seg: SegmentOrdinal,
    as_of: i64,
    statuses: Option<Vec<Status>>,
    sort: Sort,
    k: usize,
    after: Option<Cursor>,
    status_col: Option<StrColumn>,
    status_of_ord: Vec<Option<Status>>,
    implement: Column<i64>,
    abolish: Column<i64>,
    successor: Column<u64>,
    rank: Column<u64>,
    year: Column<u64>,
    id_hash: Column<u64>,
    date_sort: Option<Column<i64>>,
    code_sort: Option<StrColumn>,
    facets: Vec<(String, FacetCol)>,
    status_counts: [u64; 4],
    total: u64,
    top: Vec<Candidate>,
}

impl Collector for HitsCollector {
    type Fruit = HitsFruit;
    type Child = HitsSegment;

    fn for_segment(
        &self,
        seg: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<HitsSegment> {
        let cols = match &self.columns {
            Some(cache) => cache.get(reader)?,
            None => Arc::new(SegmentColumns::open(reader, &self.facets)?),
        };
        let mut facets = Vec::new();
        for name in &self.facets {
            let source = match cols.facets.get(name) {
                Some(f) => f.clone(),
                None => open_facet(reader.fast_fields(), name)?,
            };
            match source {
                Some(FacetSource::U64(col)) => {
                    facets.push((name.clone(), FacetCol::U64(col, HashMap::new())));
                }
                Some(FacetSource::Str(col)) => {
                    let n = col.num_terms();
                    facets.push((name.clone(), FacetCol::Str(col, vec![0; n])));
                }
                None => {}
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
        Ok(HitsSegment {
            seg,
            as_of: self.as_of,
            statuses: self.statuses.clone(),
            sort: self.sort,
            k: self.k,
            after: self.after.clone(),
            status_col: cols.status_col.clone(),
            status_of_ord: cols.status_of_ord.clone(),
            implement: cols.implement.clone(),
            abolish: cols.abolish.clone(),
            successor: cols.successor.clone(),
            rank: cols.rank.clone(),
            year: cols.year.clone(),
            id_hash: cols.id_hash.clone(),
            date_sort,
            code_sort,
            facets,
            status_counts: [0; 4],
            total: 0,
            top: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance && self.k > 0
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<HitsFruit> {
        let mut total = 0;
        let mut top = Vec::new();
        let mut counts: HashMap<String, HashMap<String, u64>> = HashMap::new();
        for f in fruits {
            total += f.total;
            top.extend(f.top);
            for (field, values) in f.facets {
                let e = counts.entry(field).or_default();
                for (v, c) in values {
                    *e.entry(v).or_default() += c;
                }
            }
        }
        let sort = self.sort;
        top.sort_by(|a, b| compare(sort, a, b));
        top.truncate(self.k);
        let facets = counts
            .into_iter()
            .map(|(field, values)| {
                let list = facet_list(&field, values);
                (field, list)
            })
            .collect();
        Ok(HitsFruit { total, top, facets })
    }
}

/// Facets whose values form a hierarchy, listed parents first: ICS (`01`, `01.140`,
/// `01.140.20`, every level of a document's codes is indexed) and CCS (category `B`, code `B31`).
const HIERARCHICAL: &[&str] = &["ics", "ccs"];

/// The level of a hierarchical facet value: ICS by dotted parts, CCS letter (1) or code (2).
fn facet_level(field: &str, value: &str) -> usize {
    match field {
        "ccs" => usize::from(value.len() > 1) + 1,
        _ => value.split('.').count(),
    }
}

/// The parent of a hierarchical facet value (`01.140` of `01.140.20`, `B` of `B31`).
fn facet_parent<'a>(field: &str, value: &'a str) -> Option<&'a str> {
    match field {
        "ccs" => (value.len() > 1).then(|| value.get(..1)).flatten(),
        _ => value.rsplit_once('.').map(|(p, _)| p),
    }
}

/// Counts of one facet as returned: years newest first; hierarchical facets by value (parents
/// before children) keeping the most frequent values of each level whose parent is kept; HS by
/// chapter only (`84`; the index also holds headings and `=`-exact codes for filtering);
/// others most frequent first. At most [`MAX_FACET_VALUES`] values per list (per level).
pub(crate) fn facet_list(field: &str, values: HashMap<String, u64>) -> Vec<FacetCount> {
    let mut list: Vec<FacetCount> = values
        .into_iter()
        .filter(|(v, c)| *c > 0 && (field != "hs" || (v.len() == 2 && !v.starts_with('='))))
        .map(|(value, count)| FacetCount {
            label: facet_label(field, &value),
            value,
            count,
        })
        .collect();
    let by_count =
        |a: &FacetCount, b: &FacetCount| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value));
    if field == "year" {
        list.sort_by(|a, b| b.value.cmp(&a.value));
    } else if HIERARCHICAL.contains(&field) {
        list.sort_by(|a, b| {
            facet_level(field, &a.value)
                .cmp(&facet_level(field, &b.value))
                .then_with(|| by_count(a, b))
        });
        let mut kept: Vec<FacetCount> = Vec::new();
        let mut per_level: HashMap<usize, usize> = HashMap::new();
        for f in list {
            let level = facet_level(field, &f.value);
            let parent_kept =
                facet_parent(field, &f.value).is_none_or(|p| kept.iter().any(|k| k.value == p));
            let n = per_level.entry(level).or_default();
            if parent_kept && *n < MAX_FACET_VALUES {
                *n += 1;
                kept.push(f);
            }
        }
        kept.sort_by(|a, b| a.value.cmp(&b.value));
        return kept;
    } else {
        list.sort_by(by_count);
    }
    list.truncate(MAX_FACET_VALUES);
    list
}

/// Sort order of candidates: `Less` means `a` comes first.
fn compare(sort: Sort, a: &Candidate, b: &Candidate) -> Ordering {
    let primary = match (&a.value, &b.value) {
        (SortValue::Num(x), SortValue::Num(y)) => y.partial_cmp(x).unwrap_or(Ordering::Equal),
        (SortValue::Str(x), SortValue::Str(y)) => x.cmp(y),
        (SortValue::Ord(x), SortValue::Ord(y)) => x.cmp(y),
        // Documents without a code sort after those with one.
        (SortValue::Num(_), _) => Ordering::Greater,
        (_, SortValue::Num(_)) => Ordering::Less,
        _ => Ordering::Equal,
    };
    let _ = sort;
    primary.then_with(|| a.id_hash.cmp(&b.id_hash))
}

/// `Standard::status_on` over fast-field values (dates as yyyymmdd).
fn derive_status(
    label: Option<Status>,
    implement: Option<i64>,
    abolish: Option<i64>,
    has_successor: bool,
    date: i64,
) -> Option<Status> {
    if let Some(a) = abolish {
        if a <= date {
            return Some(if has_successor || label == Some(Status::Replaced) {
                Status::Replaced
            } else {
                Status::Abolished
            });
        }
    }
    if let Some(i) = implement {
        if i > date {
            return match label {
                Some(Status::Abolished) | Some(Status::Replaced) => label,
                _ => Some(Status::Upcoming),
            };
        }
        if label == Some(Status::Upcoming) || label.is_none() {
            return Some(Status::Current);
        }
    }
    label
}

impl HitsSegment {
    fn value_of(&self, doc: DocId, score: Score, rank: u64) -> SortValue {
        match self.sort {
            Sort::Relevance => {
                let year = self.year.first(doc).unwrap_or(1950).clamp(1950, 2050);
                // Current editions first: a multiplier, so it works for BM25 and constant
                // code scores alike; newer years break the remaining ties.
                let factor = [1.0, 0.9, 0.6, 0.55][rank.min(3) as usize];
                SortValue::Num(f64::from(score) * factor + (year - 1950) as f64 / 1000.0)
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
        let k = self.k;
        if k == 0 {
            self.top.clear();
        } else if self.top.len() > k {
            self.top
                .select_nth_unstable_by(k - 1, |a, b| compare(sort, a, b));
            self.top.truncate(k);
        }
    }
}

impl SegmentCollector for HitsSegment {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        let label = self
            .status_col
            .as_ref()
            .and_then(|c| c.term_ords(doc).next())
            .and_then(|o| self.status_of_ord.get(o as usize).copied().flatten());
        let derived = if label.is_some() || self.implement.first(doc).is_some() {
            derive_status(
                label,
                self.implement.first(doc),
                self.abolish.first(doc),
                self.successor.first(doc).unwrap_or(0) == 1,
                self.as_of,
            )
        } else {
            None
        };
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
        for (_, col) in &mut self.facets {
            match col {
                FacetCol::Str(c, counts) => {
                    for o in c.term_ords(doc) {
                        if let Some(x) = counts.get_mut(o as usize) {
                            *x += 1;
                        }
                    }
                }
                FacetCol::U64(c, counts) => {
                    if let Some(v) = c.first(doc) {
                        *counts.entry(v).or_default() += 1;
                    }
                }
            }
        }
        if self.k == 0 {
            // A facet-only pass (disjunctive facets): no hits wanted.
            return;
        }
        let rank = derived
            .map(|s| u64::from(s.rank()))
            .or_else(|| self.rank.first(doc))
            .unwrap_or(1);
        let value = self.value_of(doc, score, rank);
        let id_hash = self.id_hash.first(doc).unwrap_or(0);
        let cand = Candidate {
            score: match &value {
                SortValue::Num(v) if self.sort == Sort::Relevance => *v as f32,
                _ => score,
            },
            value,
            id_hash,
            doc: DocAddress::new(self.seg, doc),
        };
        if let Some(after) = &self.after {
            let probe = Candidate {
                value: self.resolve(&cand.value),
                ..cand.clone()
            };
            let pos = Candidate {
                value: after.value.clone(),
                id_hash: after.id_hash,
                ..cand.clone()
            };
            if compare(self.sort, &probe, &pos) != Ordering::Greater {
                return;
            }
        }
        self.top.push(cand);
        if self.top.len() >= 2 * self.k + 64 {
            self.prune();
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        self.prune();
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
        let mut facets: HashMap<String, HashMap<String, u64>> = HashMap::new();
        for (name, col) in &self.facets {
            let e = facets.entry(name.clone()).or_default();
            match col {
                FacetCol::Str(c, counts) => {
                    let mut s = String::new();
                    for (o, n) in counts.iter().enumerate() {
                        if *n > 0 {
                            s.clear();
                            if c.ord_to_str(o as u64, &mut s).unwrap_or(false) {
                                *e.entry(s.clone()).or_default() += n;
                            }
                        }
                    }
                }
                FacetCol::U64(_, counts) => {
                    for (v, n) in counts {
                        *e.entry(v.to_string()).or_default() += n;
                    }
                }
            }
        }
        let st = facets.entry("status".into()).or_default();
        for s in [
            Status::Current,
            Status::Upcoming,
            Status::Replaced,
            Status::Abolished,
        ] {
            let n = self.status_counts[s.rank() as usize];
            if n > 0 {
                *st.entry(s.as_str().into()).or_default() += n;
            }
        }
        SegmentFruit {
            total: self.total,
            top,
            facets,
        }
    }
}
