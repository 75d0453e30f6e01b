//! Skipping what cannot reach the page: block-max pruning and MaxScore for passes that do not
//! need an exact count (a request's `track_total_hits`, as Elasticsearch names it, and the
//! partial-match passes of a hits-only request).
//!
//! A hits-only request wants ten hits. Counting every match is what costs: in the small
//! benchmark the seven broadest queries hold two thirds of all the documents the 220 queries
//! match (19,068 for `技术条件 验收规范` alone), and intersecting, scoring and collecting a
//! match costs about 2,300 instructions. Tantivy stores, for every block of 128 postings of a
//! term, the best BM25 score any document of the block can get from it; its own block-WAND
//! uses that only for pure disjunctions of terms, its term cursor is private, and our queries
//! are intersections of unions (one union of fields and sub-words per query word). Here:
//! - [`BoundedTerm`] walks tantivy's public block postings and tells its block's maximum;
//!   [`AllOf`] is the intersection (tantivy's `Intersection` hides its children). Both score
//!   bit for bit as `TermQuery` and `BooleanQuery`'s `Must` clauses (tests below), so a query
//!   built with them ranks exactly as before.
//! - *Ranges* (`block_end`, `bound`, also through the partial-match
//!   [`crate::union::AtLeast`]): up to which document do the current blocks of all the tree's
//!   terms reach, and what can a document up to there score (the block maxima of the terms
//!   with a posting in the range)? A range that cannot beat the page's worst kept hit is
//!   skipped unseen.
//! - *MaxScore* (`raise_floor`): each time the worst kept hit improves, a union makes
//!   "lazy" the children whose best scores together cannot lift a document above it:
//!   documents only they hold are no longer visited. (In `AtLeast` too it changed nothing
//!   measurable; not kept.)
//!
//! Measured (bench/RESULTS.md, session 9, lead): little. A two-word query keeps 256
//! candidates per segment for its proximity rescoring, so its threshold is the 256th best
//! score; a word's bound sums three fields and its sub-words; and BM25's limit for one term
//! (tantivy keeps true maxima only per block) is 20-40 % above real scores. What pays is the
//! partial-match passes of hits-only requests (-3.2 % instructions on the small bench).
//!
//! Cursors the tree does not know (phrases, the `Should` queries of the any-word retry) have
//! no bound: their segment is collected whole, exactly as before. A block maximum is exact
//! within a segment; across segments tantivy notes that it may rarely be a little low (it
//! assumes the segment's average field length), so on an index of several segments a hit
//! whose score is within that error of the page's last one could be missed. Indexes are
//! optimized into one segment (`biaozhun optimize`).

use std::sync::{Arc, OnceLock};
use tantivy::fieldnorm::FieldNormReader;

use tantivy::index::SegmentId;
use tantivy::postings::{BlockSegmentPostings, TermInfo};
use tantivy::query::{
    Bm25Weight, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight,
};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

use crate::union::{explain_sum, settled_cursor, AtLeastScorer, Children, SeekUnionScorer};

/// One word in one text field, scored by BM25 exactly as tantivy's `TermQuery` (the same
/// `Bm25Weight`), whose cursor can tell the block maxima: tantivy keeps its own term cursor
/// (`TermScorer`) private, so this one walks the public block postings.
///
/// Its dictionary entries are looked up once per searcher and shared by the query's clones:
/// a search weighs the same words in several passes (complete matches, partial matches, the
/// hits' matched words), and tantivy looks a term up twice per weight (its document frequency
/// for the BM25 weight, then its postings per segment). On the small preset those lookups were
/// 62 per query, 7.8 % of a hits-only query's instructions (`bench/callgrind`, session 10).
///
/// It carries its field's boost itself: as a `BoostQuery` around it, each word and field of a
/// query was one more query object, weight and allocation per pass (session 12). The boost
/// is applied where `BoostWeight` applied it (`boost * self.boost`, handed to the scorer), so
/// the scores are the same to the bit.
#[derive(Debug, Clone)]
pub struct BoundedTerm {
    /// Shared by the clones and weights: a query's words are cloned for every pass.
    term: Arc<Term>,
    boost: Score,
    infos: Arc<OnceLock<TermInfos>>,
}

/// A term's entry in each segment of one searcher, and its document frequency there.
struct TermInfos {
    segments: Vec<(SegmentId, Option<TermInfo>)>,
    doc_freq: u64,
    /// The term's BM25 weight with the searcher's own statistics, computed by the first pass
    /// that weighs it (a 256-entry table per weight: 2 % of a hits-only query on the small
    /// preset when every pass computed its own).
    bm25: OnceLock<Bm25Weight>,
}

impl std::fmt::Debug for TermInfos {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TermInfos")
            .field("segments", &self.segments)
            .field("doc_freq", &self.doc_freq)
            .field("bm25", &self.bm25.get().is_some())
            .finish()
    }
}

impl TermInfos {
    /// Whether these are the entries of `searcher`'s segments (a query object may outlive the
    /// searcher it was first weighed with).
    fn of(&self, searcher: &Searcher) -> bool {
        let segs = searcher.segment_readers();
        segs.len() == self.segments.len()
            && segs
                .iter()
                .zip(&self.segments)
                .all(|(r, (id, _))| r.segment_id() == *id)
    }

    fn info(&self, segment: SegmentId) -> Option<Option<&TermInfo>> {
        self.segments
            .iter()
            .find(|(id, _)| *id == segment)
            .map(|(_, info)| info.as_ref())
    }
}

impl BoundedTerm {
    /// The term (of a text field indexed with frequencies).
    pub fn new(term: Term) -> BoundedTerm {
        BoundedTerm::boosted(term, 1.0)
    }

    /// The term with its field's boost, scored as `BoostQuery::new(term, boost)` would be.
    pub fn boosted(term: Term, boost: Score) -> BoundedTerm {
        BoundedTerm {
            term: Arc::new(term),
            boost,
            infos: Arc::new(OnceLock::new()),
        }
    }

    /// The term's entries in `searcher`'s segments, looked up at the first call and shared
    /// by the clones; `None` when they were kept for another searcher.
    fn infos(&self, searcher: &Searcher) -> tantivy::Result<Option<&TermInfos>> {
        if self.infos.get().is_none() {
            let mut segments = Vec::with_capacity(searcher.segment_readers().len());
            let mut doc_freq = 0;
            for r in searcher.segment_readers() {
                let info = r
                    .inverted_index(self.term.field())?
                    .get_term_info(&self.term)?;
                doc_freq += info.as_ref().map_or(0, |i| u64::from(i.doc_freq));
                segments.push((r.segment_id(), info));
            }
            // Two passes racing fill it with the same entries; the first stays.
            let _ = self.infos.set(TermInfos {
                segments,
                doc_freq,
                bm25: OnceLock::new(),
            });
        }
        Ok(self.infos.get().filter(|i| i.of(searcher)))
    }

    /// The term, shared.
    pub(crate) fn term(&self) -> &Arc<Term> {
        &self.term
    }

    /// How many documents of `searcher` hold the term (its entries are kept for the weights
    /// the search then builds on the same searcher).
    pub(crate) fn doc_freq_in(&self, searcher: &Searcher) -> tantivy::Result<u64> {
        Ok(match self.infos(searcher)? {
            Some(i) => i.doc_freq,
            None => searcher.doc_freq(&self.term)?,
        })
    }
}

impl Query for BoundedTerm {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(self.term_weight(enable_scoring)?))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        visitor(&self.term, false);
    }
}

impl BoundedTerm {
    /// The weight as its own type: a [`crate::union::SeekUnion`] keeps its term children's
    /// cursors by value, not behind a `Box<dyn Scorer>` ([`BoundedTermWeight::cursor`]).
    pub(crate) fn term_weight(
        &self,
        enable_scoring: EnableScoring<'_>,
    ) -> tantivy::Result<BoundedTermWeight> {
        let searcher = match enable_scoring {
            EnableScoring::Enabled { searcher, .. } => Some(searcher),
            EnableScoring::Disabled { searcher_opt, .. } => searcher_opt,
        };
        let infos = match searcher {
            Some(s) => self.infos(s)?,
            None => None,
        };
        let (bm25, option) = match enable_scoring {
            EnableScoring::Enabled {
                statistics_provider,
                searcher,
            } => (
                // As `TermQuery` does, without the explanation it builds (three allocations
                // per word and field, for `explain` only).
                {
                    // The searcher's own statistics are the entries' sums; another provider
                    // (none of ours) is asked.
                    let own = std::ptr::addr_eq(statistics_provider, searcher);
                    let freq = match infos {
                        Some(i) if own => i.doc_freq,
                        _ => statistics_provider.doc_freq(&self.term)?,
                    };
                    let compute = || -> tantivy::Result<Bm25Weight> {
                        if freq == 0 {
                            // In no segment: every scorer is empty, nothing is ever scored,
                            // and a weight would compute its 256-entry table for nothing.
                            return Ok(unscored().clone());
                        }
                        let field = self.term.field();
                        let tokens = statistics_provider.total_num_tokens(field)?;
                        let docs = statistics_provider.total_num_docs()?;
                        let average = tokens as Score / docs as Score;
                        Ok(Bm25Weight::for_one_term_without_explain(
                            freq, docs, average,
                        ))
                    };
                    match infos {
                        Some(i) if own => match i.bm25.get() {
                            Some(w) => w.clone(),
                            None => {
                                let w = compute()?;
                                i.bm25.get_or_init(|| w).clone()
                            }
                        },
                        _ => compute()?,
                    }
                },
                IndexRecordOption::WithFreqs,
            ),
            EnableScoring::Disabled { .. } => (
                // Never scored: one shared weight (building one computes a 256-entry table).
                unscored().clone(),
                IndexRecordOption::Basic,
            ),
        };
        Ok(BoundedTermWeight {
            term: Arc::clone(&self.term),
            boost: self.boost,
            infos: infos.map(|_| Arc::clone(&self.infos)),
            bm25,
            option,
        })
    }
}

/// The weight of a term that is never scored (matching only: the hits' matched words).
fn unscored() -> &'static Bm25Weight {
    static WEIGHT: std::sync::OnceLock<Bm25Weight> = std::sync::OnceLock::new();
    WEIGHT.get_or_init(|| Bm25Weight::for_one_term_without_explain(0, 1, 1.0))
}

pub(crate) struct BoundedTermWeight {
    term: Arc<Term>,
    /// The term's own boost, applied as `BoostWeight` does: times the one handed down.
    boost: Score,
    /// The term's entries in the searcher's segments, when they were looked up for it.
    infos: Option<Arc<OnceLock<TermInfos>>>,
    bm25: Bm25Weight,
    option: IndexRecordOption,
}

impl Weight for BoundedTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.cursor(reader, boost)? {
            Some(cursor) => Box::new(cursor),
            None => Box::new(EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let scorer = self.scorer(reader, 1.0)?;
        explain_sum("BM25 of one term", scorer, [], reader, doc)
    }
}

impl BoundedTermWeight {
    /// The term's cursor in one segment; `None` when the segment does not hold the term.
    pub(crate) fn cursor(
        &self,
        reader: &SegmentReader,
        boost: Score,
    ) -> tantivy::Result<Option<TermCursor>> {
        let field = self.term.field();
        let inverted = reader.inverted_index(field)?;
        let known = self
            .infos
            .as_ref()
            .and_then(|i| i.get())
            .and_then(|i| i.info(reader.segment_id()));
        let info = match known {
            Some(info) => info.cloned(),
            None => inverted.get_term_info(&self.term)?,
        };
        let Some(info) = info else {
            return Ok(None);
        };
        let block = inverted.read_block_postings_from_terminfo(&info, self.option)?;
        let fieldnorms = reader.get_fieldnorms_reader(field)?;
        Ok(Some(TermCursor::new(
            block,
            fieldnorms,
            self.bm25.boost_by(boost * self.boost),
        )))
    }
}

/// A term's postings in one segment, a block of 128 at a time: tantivy's `SegmentPostings`
/// walk (the padded block read by position, the next posting tried before a search), over
/// the public `BlockSegmentPostings`.
pub(crate) struct TermCursor {
    block: BlockSegmentPostings,
    /// Position in the loaded block (past the last posting, the padding reads `TERMINATED`).
    cur: usize,
    fieldnorms: FieldNormReader,
    bm25: Bm25Weight,
}

/// Postings per block (tantivy's `COMPRESSION_BLOCK_SIZE`).
const BLOCK: usize = 128;

impl TermCursor {
    fn new(
        mut block: BlockSegmentPostings,
        fieldnorms: FieldNormReader,
        bm25: Bm25Weight,
    ) -> TermCursor {
        let cur = block.seek(0);
        TermCursor {
            block,
            cur,
            fieldnorms,
            bm25,
        }
    }

    /// The last document of the loaded block (the range its maximum holds for).
    fn block_end(&self) -> DocId {
        self.block.docs().last().copied().unwrap_or(TERMINATED)
    }

    /// The best score of a document of the loaded block (tantivy's block maximum).
    fn block_max(&mut self) -> Score {
        self.block.block_max_score(&self.fieldnorms, &self.bm25)
    }
}

impl DocSet for TermCursor {
    #[inline]
    fn advance(&mut self) -> DocId {
        if self.cur == BLOCK - 1 {
            self.cur = 0;
            self.block.advance();
        } else {
            self.cur += 1;
        }
        self.doc()
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc() >= target {
            return self.doc();
        }
        // The next posting first: often the one sought.
        self.cur = (self.cur + 1).min(BLOCK - 1);
        if self.doc() >= target {
            return self.doc();
        }
        self.cur = self.block.seek(target);
        self.doc()
    }

    #[inline]
    fn doc(&self) -> DocId {
        self.block.doc(self.cur)
    }

    fn size_hint(&self) -> u32 {
        self.block.doc_freq()
    }

    fn cost(&self) -> u64 {
        u64::from(self.block.doc_freq())
    }
}

impl Scorer for TermCursor {
    #[inline]
    fn score(&mut self) -> Score {
        let norm = self.fieldnorms.fieldnorm_id(self.doc());
        self.bm25.score(norm, self.block.freq(self.cur))
    }
}

/// A document matches when every child matches; its score is the sum of the children's.
#[derive(Debug, Clone)]
pub struct AllOf {
    children: Children,
}

impl AllOf {
    /// The intersection of these queries.
    pub fn new(children: Vec<Box<dyn Query>>) -> AllOf {
        AllOf {
            children: Children::new(children),
        }
    }
}

impl Query for AllOf {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AllOfWeight {
            weights: self.children.weights(enable_scoring)?,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.children.query_terms(visitor);
    }
}

struct AllOfWeight {
    weights: Vec<Box<dyn Weight>>,
}

impl Weight for AllOfWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = Vec::with_capacity(self.weights.len());
        for w in &self.weights {
            let s = w.scorer(reader, boost)?;
            if s.doc() == TERMINATED {
                // One child matches nothing here: neither does the intersection.
                return Ok(Box::new(EmptyScorer));
            }
            children.push(s);
        }
        Ok(match children.len() {
            0 => Box::new(EmptyScorer),
            1 => children.swap_remove(0),
            _ => Box::new(AllOfScorer::new(children)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let scorer = self.scorer(reader, 1.0)?;
        explain_sum(
            "AllOf, sum of the children",
            scorer,
            self.weights.iter().map(|w| &**w),
            reader,
            doc,
        )
    }
}

/// The intersection's cursor over one segment: every child sits on `doc` (or it is
/// `TERMINATED`). The cheapest child leads, as in tantivy's `Intersection`.
pub(crate) struct AllOfScorer {
    children: Vec<Box<dyn Scorer>>,
    doc: DocId,
}

impl AllOfScorer {
    fn new(mut children: Vec<Box<dyn Scorer>>) -> AllOfScorer {
        children.sort_by_key(|c| c.cost());
        let start = children.iter().map(|c| c.doc()).max().unwrap_or(TERMINATED);
        let mut s = AllOfScorer { children, doc: 0 };
        s.doc = s.settle(start);
        s
    }

    /// The first document at or after `candidate` that every child holds.
    fn settle(&mut self, mut candidate: DocId) -> DocId {
        'outer: while candidate != TERMINATED {
            let Some((lead, rest)) = self.children.split_first_mut() else {
                return TERMINATED;
            };
            if lead.doc() < candidate {
                candidate = lead.seek(candidate);
            } else {
                candidate = lead.doc();
            }
            if candidate == TERMINATED {
                break;
            }
            for c in rest.iter_mut() {
                let mut d = c.doc();
                if d < candidate {
                    d = c.seek(candidate);
                }
                if d > candidate {
                    candidate = d;
                    continue 'outer;
                }
            }
            return candidate;
        }
        TERMINATED
    }
}

impl DocSet for AllOfScorer {
    settled_cursor!();

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .min()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.children.iter().map(|c| c.cost()).min().unwrap_or(0)
    }
}

impl Scorer for AllOfScorer {
    fn score(&mut self) -> Score {
        // Summed in the order of tantivy's intersection (`left + right + others`), so scores
        // and ties are bit for bit those of the `BooleanQuery` this replaces.
        match self.children.as_mut_slice() {
            [] => 0.0,
            [only] => only.score(),
            [left, right, others @ ..] => {
                left.score() + right.score() + others.iter_mut().map(|c| c.score()).sum::<Score>()
            }
        }
    }
}

/// The last document up to which [`bound`] holds for the cursor tree under `s`: the nearest
/// end of a current postings block among its terms (`TERMINATED` when none ends).
pub(crate) fn block_end(s: &mut dyn Scorer) -> DocId {
    if s.doc() == TERMINATED {
        return TERMINATED;
    }
    if let Some(t) = s.downcast_mut::<TermCursor>() {
        return t.block_end();
    }
    if let Some(u) = s.downcast_mut::<SeekUnionScorer>() {
        // A lazy child may lag behind: it counts with its best score anywhere (`bound`).
        return u
            .children_mut()
            .filter(|(lazy, _)| !lazy)
            .map(|(_, c)| block_end(c))
            .min()
            .unwrap_or(TERMINATED);
    }
    if let Some(a) = s.downcast_mut::<AllOfScorer>() {
        return a
            .children
            .iter_mut()
            .map(|c| block_end(&mut **c))
            .min()
            .unwrap_or(TERMINATED);
    }
    if let Some(a) = s.downcast_mut::<AtLeastScorer>() {
        return a
            .children_mut()
            .iter_mut()
            .map(|c| block_end(&mut **c))
            .min()
            .unwrap_or(TERMINATED);
    }
    TERMINATED
}

/// The best score a document from the cursor's current one up to `end` (at most
/// [`block_end`]) can get, or `None` when the tree holds a cursor this module cannot bound.
/// Every cursor of the tree sits at or after the first document the range can hold for it:
/// one beyond `end` adds nothing.
pub(crate) fn bound(s: &mut dyn Scorer, end: DocId) -> Option<Score> {
    let doc = s.doc();
    if doc == TERMINATED || doc > end {
        return Some(0.0);
    }
    if let Some(t) = s.downcast_mut::<TermCursor>() {
        return Some(t.block_max());
    }
    if let Some(u) = s.downcast_mut::<SeekUnionScorer>() {
        let mut sum = 0.0;
        for (lazy, c) in u.children_mut() {
            sum += if lazy { max_score(c)? } else { bound(c, end)? };
        }
        return Some(sum);
    }
    if let Some(a) = s.downcast_mut::<AllOfScorer>() {
        return sum_bounds(&mut a.children, end);
    }
    if let Some(a) = s.downcast_mut::<AtLeastScorer>() {
        // At most every child: the sum of their bounds.
        return sum_bounds(a.children_mut(), end);
    }
    if let Some(c) = s.downcast_mut::<ConstScorer<Box<dyn Scorer>>>() {
        return Some(c.score());
    }
    if s.is::<EmptyScorer>() {
        return Some(0.0);
    }
    None
}

fn sum_bounds(children: &mut [Box<dyn Scorer>], end: DocId) -> Option<Score> {
    let mut sum = 0.0;
    for c in children {
        sum += bound(&mut **c, end)?;
    }
    Some(sum)
}

/// The best score any document can get from the cursor tree under `s` (BM25's limit for each
/// term: a loose bound, as tantivy's `max_score`), or `None` for a cursor this module does
/// not know.
pub(crate) fn max_score(s: &mut dyn Scorer) -> Option<Score> {
    if let Some(t) = s.downcast_mut::<TermCursor>() {
        return Some(t.bm25.max_score());
    }
    if let Some(u) = s.downcast_mut::<SeekUnionScorer>() {
        let mut sum = 0.0;
        for (_, c) in u.children_mut() {
            sum += max_score(c)?;
        }
        return Some(sum);
    }
    if let Some(a) = s.downcast_mut::<AllOfScorer>() {
        let mut sum = 0.0;
        for c in &mut a.children {
            sum += max_score(&mut **c)?;
        }
        return Some(sum);
    }
    if let Some(a) = s.downcast_mut::<AtLeastScorer>() {
        let mut sum = 0.0;
        for c in a.children_mut() {
            sum += max_score(&mut **c)?;
        }
        return Some(sum);
    }
    if let Some(c) = s.downcast_mut::<ConstScorer<Box<dyn Scorer>>>() {
        return Some(c.score());
    }
    if s.is::<EmptyScorer>() {
        return Some(0.0);
    }
    None
}

/// MaxScore: tells the tree under `s` that only documents scoring above `floor` matter now.
/// An intersection passes each child the floor less the best the other children can add; a
/// union makes lazy the children that cannot lift a document above its floor by themselves
/// (see [`SeekUnionScorer::make_lazy`]), so the documents only they hold are no longer
/// visited. Returns whether anything became lazy (the total is then a lower bound). The
/// floor only rises between calls, so lazy children never need to catch up.
pub(crate) fn raise_floor(s: &mut dyn Scorer, floor: Score) -> bool {
    if let Some(u) = s.downcast_mut::<SeekUnionScorer>() {
        let mut maxes = Vec::new();
        for (_, c) in u.children_mut() {
            match max_score(c) {
                Some(m) => maxes.push(m),
                None => return false,
            }
        }
        return u.make_lazy(&maxes, floor);
    }
    if let Some(a) = s.downcast_mut::<AllOfScorer>() {
        let mut maxes = Vec::with_capacity(a.children.len());
        for c in &mut a.children {
            match max_score(&mut **c) {
                Some(m) => maxes.push(m),
                None => return false,
            }
        }
        let all: Score = maxes.iter().sum();
        let mut changed = false;
        for (c, m) in a.children.iter_mut().zip(&maxes) {
            changed |= raise_floor(&mut **c, floor - (all - m));
        }
        return changed;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::union::SeekUnion;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    /// A word of a text field as the query builder makes it: a boosted `BoundedTerm`.
    fn bounded(f: tantivy::schema::Field, s: &str, boost: f32) -> Box<dyn Query> {
        Box::new(BoundedTerm::boosted(Term::from_field_text(f, s), boost))
    }

    /// A word in either field (`a` weighs 4, `b` 1), as a query word's union of fields.
    fn bounded_word(
        a: tantivy::schema::Field,
        b: tantivy::schema::Field,
        s: &str,
    ) -> Box<dyn Query> {
        Box::new(SeekUnion::new(vec![bounded(a, s, 4.0), bounded(b, s, 1.0)]))
    }

    fn sample() -> (Index, tantivy::schema::Field, tantivy::schema::Field) {
        let mut sb = Schema::builder();
        let a = sb.add_text_field("a", TEXT);
        let b = sb.add_text_field("b", TEXT);
        let index = Index::create_in_ram(sb.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        for i in 0..6000u32 {
            let mut wa = vec!["all"];
            let mut wb = vec!["body"];
            for (word, every) in [("p", 2), ("q", 3), ("r", 7), ("s", 11), ("t", 401)] {
                if i % every == 0 {
                    wa.push(word);
                }
                if (i + 1) % (every * 2) == 0 {
                    wb.push(word);
                    wb.push(word);
                }
            }
            w.add_document(doc!(a => wa.join(" "), b => wb.join(" ")))
                .expect("add");
        }
        w.commit().expect("commit");
        (index, a, b)
    }

    /// Same documents and the same scores, bit for bit, as the `Must` boolean query of
    /// boosted `TermQuery`s it replaces, with unions, boosts over boosts and constant-score
    /// filters inside.
    #[test]
    fn matches_and_scores_like_a_must_query() {
        let (index, a, b) = sample();
        let searcher = index.reader().expect("reader").searcher();
        let t = |f, s: &str, boost: f32| -> Box<dyn Query> {
            Box::new(BoostQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(f, s),
                    IndexRecordOption::WithFreqs,
                )),
                boost,
            ))
        };
        let o = |f, s: &str, boost: f32| bounded(f, s, boost);
        type Make = dyn Fn(tantivy::schema::Field, &str, f32) -> Box<dyn Query>;
        // A synonym's words are boosted as a whole (0.7) over their fields' own boosts.
        let word = |make: &Make, s: &str| -> Box<dyn Query> {
            let fields = Box::new(SeekUnion::new(vec![make(a, s, 4.0), make(b, s, 1.0)]));
            if s == "q" {
                Box::new(BoostQuery::new(fields, 0.7))
            } else {
                fields
            }
        };
        let filter = || -> Box<dyn Query> {
            Box::new(ConstScoreQuery::new(
                Box::new(TermQuery::new(
                    Term::from_field_text(a, "all"),
                    IndexRecordOption::Basic,
                )),
                0.0,
            ))
        };
        for words in [
            vec!["p", "q"],
            vec!["q", "r", "s"],
            vec!["p", "t"],
            vec!["p", "zzz"],
        ] {
            let children = |make: &Make| {
                let mut v: Vec<Box<dyn Query>> = words.iter().map(|w| word(make, w)).collect();
                v.push(filter());
                v
            };
            let boolean: Box<dyn Query> = Box::new(BooleanQuery::new(
                children(&t).into_iter().map(|q| (Occur::Must, q)).collect(),
            ));
            let ours: Box<dyn Query> = Box::new(AllOf::new(children(&o)));
            let n1 = searcher.search(&*boolean, &Count).expect("count");
            let n2 = searcher.search(&*ours, &Count).expect("count");
            assert_eq!(n1, n2, "{words:?}");
            let top = |q: &dyn Query| {
                let mut r = searcher
                    .search(q, &TopDocs::with_limit(10_000).order_by_score())
                    .expect("top");
                r.sort_by_key(|(_, d)| *d);
                r
            };
            let (r1, r2) = (top(&*boolean), top(&*ours));
            assert_eq!(r1.len(), r2.len());
            for ((s1, d1), (s2, d2)) in r1.iter().zip(&r2) {
                assert_eq!(d1, d2);
                assert_eq!(s1.to_bits(), s2.to_bits(), "{words:?} doc {d1:?}");
            }
        }
    }

    /// The bound of a range is never below the score of a document in it, and every document
    /// in it is at or before the range's end.
    #[test]
    fn bounds_hold_for_every_document_of_their_range() {
        let (index, a, b) = sample();
        let searcher = index.reader().expect("reader").searcher();
        let word = |s: &str| bounded_word(a, b, s);
        let q = AllOf::new(vec![word("p"), word("q")]);
        let weight = q
            .weight(EnableScoring::enabled_from_searcher(&searcher))
            .expect("weight");
        let reader = searcher.segment_reader(0);
        let mut s = weight.scorer(reader, 1.0).expect("scorer");
        let (mut ranges, mut docs) = (0, 0);
        let mut range: Option<(DocId, Score)> = None;
        while s.doc() != TERMINATED {
            let doc = s.doc();
            if range.is_none_or(|(end, _)| doc > end) {
                let end = block_end(&mut *s);
                assert!(end >= doc);
                let ub = bound(&mut *s, end).expect("a bounded tree");
                range = Some((end, ub));
                ranges += 1;
            }
            let score = s.score();
            let (_, ub) = range.expect("set above");
            assert!(score <= ub * (1.0 + 1e-6), "doc {doc}: {score} > {ub}");
            docs += 1;
            s.advance();
        }
        assert!(
            docs > 500 && ranges > 5,
            "{docs} documents in {ranges} ranges"
        );
    }

    /// MaxScore: after `raise_floor(f)`, every document scoring above `f` is still visited,
    /// with its score unchanged, and fewer documents are visited.
    #[test]
    fn lazy_children_lose_no_document_above_the_floor() {
        let (index, a, b) = sample();
        let searcher = index.reader().expect("reader").searcher();
        let word = |s: &str| bounded_word(a, b, s);
        let reader = searcher.segment_reader(0);
        let queries: Vec<Box<dyn Query>> = vec![
            word("q"),
            Box::new(AllOf::new(vec![word("p"), word("q")])),
            Box::new(AllOf::new(vec![word("q"), word("r"), word("p")])),
        ];
        for (i, q) in queries.into_iter().enumerate() {
            let mut skipped = 0;
            let weight = q
                .weight(EnableScoring::enabled_from_searcher(&searcher))
                .expect("weight");
            let mut all = Vec::new();
            let mut s = weight.scorer(reader, 1.0).expect("scorer");
            while s.doc() != TERMINATED {
                all.push((s.doc(), s.score()));
                s.advance();
            }
            let mut scores: Vec<Score> = all.iter().map(|(_, x)| *x).collect();
            scores.sort_by(|x, y| x.total_cmp(y));
            for quantile in [2, 4, 8] {
                let floor = scores[scores.len() - scores.len() / quantile];
                let mut s = weight.scorer(reader, 1.0).expect("scorer");
                let lazy = raise_floor(&mut *s, floor);
                let mut seen = std::collections::HashMap::new();
                while s.doc() != TERMINATED {
                    seen.insert(s.doc(), s.score());
                    s.advance();
                }
                for (doc, score) in all.iter().filter(|(_, x)| *x > floor) {
                    assert_eq!(
                        seen.get(doc).map(|x| x.to_bits()),
                        Some(score.to_bits()),
                        "doc {doc}"
                    );
                }
                assert_eq!(
                    lazy,
                    seen.len() < all.len(),
                    "{} of {}",
                    seen.len(),
                    all.len()
                );
                skipped += all.len() - seen.len();
            }
            // A single word (a union of fields) skips at the higher floors; an intersection's
            // floors are lowered by the other words' loose maxima and may not.
            assert!(i > 0 || skipped > 0, "no document skipped");
        }
    }
}
