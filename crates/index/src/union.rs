//! [`SeekUnion`]: a union of a few queries (one word in each text field, or the alternatives
//! of a term group) that is cheap to *seek*.
//!
//! Every term group of a query is a union, and the groups are intersected. Tantivy's
//! `BufferedUnionScorer` is built for scanning: each seek past its 4,096-document window
//! re-fills a new window from every child, decoding every posting of a frequent word (`右`,
//! `鸿`) in it even when the intersection's leader only needs to know whether one document
//! matches. The profile of the 300k-document benchmark showed that refill as the top cost of
//! the slow title and topic queries. A union of two to six children is cheaper to keep as
//! plain cursors: seeking moves each child to the target with its skip list, and the current
//! document is the smallest child's. Scores are summed as `BooleanQuery` sums `Should`
//! clauses, so ranking is unchanged.

use tantivy::query::{EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};

use crate::prune::{BoundedTerm, BoundedTermWeight, TermCursor};
use tantivy::{DocId, DocSet, Score, SegmentReader, Term, TERMINATED};

/// `advance`, `seek` and `doc` of a cursor with a `doc` field that finds its next document
/// at or after a target with its own `settle` ([`AtLeastScorer`], [`crate::prune::AllOf`]'s).
macro_rules! settled_cursor {
    () => {
        fn advance(&mut self) -> DocId {
            if self.doc == TERMINATED {
                return TERMINATED;
            }
            self.doc = self.settle(self.doc + 1);
            self.doc
        }

        fn seek(&mut self, target: DocId) -> DocId {
            if self.doc >= target {
                return self.doc;
            }
            self.doc = self.settle(target);
            self.doc
        }

        fn doc(&self) -> DocId {
            self.doc
        }
    };
}
pub(crate) use settled_cursor;

/// The sub-queries of a query that combines them ([`SeekUnion`], [`AtLeast`],
/// [`crate::prune::AllOf`]): cloned, weighted and visited alike.
#[derive(Debug)]
pub(crate) struct Children(Vec<Box<dyn Query>>);

impl Children {
    pub(crate) fn new(queries: Vec<Box<dyn Query>>) -> Children {
        Children(queries)
    }

    /// Each child's weight.
    pub(crate) fn weights(
        &self,
        enable_scoring: EnableScoring<'_>,
    ) -> tantivy::Result<Vec<Box<dyn Weight>>> {
        self.0.iter().map(|q| q.weight(enable_scoring)).collect()
    }

    /// Visits every child's terms.
    pub(crate) fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for q in &self.0 {
            q.query_terms(visitor);
        }
    }
}

impl Clone for Children {
    fn clone(&self) -> Children {
        Children(self.0.iter().map(|q| q.box_clone()).collect())
    }
}

/// The explanation of a document's score as the sum of its children's (`what` names the
/// combination); an error when `scorer` does not hold the document.
pub(crate) fn explain_sum<'w>(
    what: &'static str,
    mut scorer: Box<dyn Scorer>,
    weights: impl IntoIterator<Item = &'w dyn Weight>,
    reader: &SegmentReader,
    doc: DocId,
) -> tantivy::Result<Explanation> {
    if scorer.doc() > doc || scorer.seek(doc) != doc {
        return Err(tantivy::TantivyError::InvalidArgument(format!(
            "document {doc} does not match"
        )));
    }
    let mut e = Explanation::new(what, scorer.score());
    for w in weights {
        if let Ok(child) = w.explain(reader, doc) {
            e.add_detail(child);
        }
    }
    Ok(e)
}

/// A document matches when any child matches; its score is the sum of the matching children's.
#[derive(Debug, Clone)]
pub struct SeekUnion {
    children: Children,
}

impl SeekUnion {
    /// The union of these queries.
    pub fn new(children: Vec<Box<dyn Query>>) -> SeekUnion {
        SeekUnion {
            children: Children::new(children),
        }
    }
}

impl Query for SeekUnion {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .children
            .0
            .iter()
            .map(|q| match q.downcast_ref::<BoundedTerm>() {
                Some(t) => t.term_weight(enable_scoring).map(ChildWeight::Term),
                None => q.weight(enable_scoring).map(ChildWeight::Other),
            })
            .collect::<tantivy::Result<Vec<ChildWeight>>>()?;
        Ok(Box::new(SeekUnionWeight { weights }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.children.query_terms(visitor);
    }
}

/// A union's child weight: a term's by its own type (its cursor is kept by value in the
/// union's scorer: [`Child`]), any other behind the trait.
enum ChildWeight {
    Term(BoundedTermWeight),
    Other(Box<dyn Weight>),
}

impl ChildWeight {
    fn as_weight(&self) -> &dyn Weight {
        match self {
            ChildWeight::Term(w) => w,
            ChildWeight::Other(w) => &**w,
        }
    }
}

struct SeekUnionWeight {
    weights: Vec<ChildWeight>,
}

impl Weight for SeekUnionWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children: Vec<Child> = Vec::with_capacity(self.weights.len() + 2);
        for w in &self.weights {
            let w = match w {
                ChildWeight::Term(t) => {
                    if let Some(c) = t.cursor(reader, boost)? {
                        if c.doc() != TERMINATED {
                            children.push(Child::Term(c));
                        }
                    }
                    continue;
                }
                ChildWeight::Other(w) => w,
            };
            let s = w.scorer(reader, boost)?;
            if s.doc() == TERMINATED {
                continue;
            }
            if children.is_empty() {
                // A union first among a union's children is spliced into it (a word's fields
                // inside its alternatives inside its synonyms: three levels, one cursor).
                // Only first: the sum `0 + (a + b) + c` is `((0 + a) + b) + c` to the bit,
                // while `c + (a + b)` may differ from `(c + a) + b` in its last bit.
                match s.downcast::<SeekUnionScorer>() {
                    Ok(inner) => {
                        children.extend(inner.children);
                        continue;
                    }
                    Err(s) => children.push(Child::Other(s)),
                }
                continue;
            }
            children.push(Child::Other(s));
        }
        Ok(match children.len() {
            0 => Box::new(EmptyScorer),
            1 => match children.swap_remove(0) {
                Child::Term(t) => Box::new(t),
                Child::Other(s) => s,
            },
            _ => Box::new(SeekUnionScorer::new(children)),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let scorer = self.scorer(reader, 1.0)?;
        explain_sum(
            "SeekUnion, sum of the matching children",
            scorer,
            self.weights.iter().map(ChildWeight::as_weight),
            reader,
            doc,
        )
    }
}

/// A union's child cursor. Most children of a word's union are its terms in each text field:
/// kept by value, their steps and scores are direct calls the compiler inlines into the
/// union's loops, where a `Box<dyn Scorer>` made each a virtual call. The union's loops and
/// its terms' steps are over half of a match's instructions at 300k documents; inlining them
/// saved less than hoped (`bench/callgrind`, session 13: -1.3 % per broad multi-word query,
/// -2.4 % per broad single word, -0.8 % per hits-only query on the small preset): what is
/// left is the work itself, a seek and a score per field and sub-word of each word.
#[allow(
    clippy::large_enum_variant,
    reason = "the term's cursor inline is the point; the other kind is rare"
)]
pub(crate) enum Child {
    Term(TermCursor),
    Other(Box<dyn Scorer>),
}

impl Child {
    #[inline]
    fn advance(&mut self) -> DocId {
        match self {
            Child::Term(t) => t.advance(),
            Child::Other(s) => s.advance(),
        }
    }

    #[inline]
    fn seek(&mut self, target: DocId) -> DocId {
        match self {
            Child::Term(t) => t.seek(target),
            Child::Other(s) => s.seek(target),
        }
    }

    #[inline]
    fn score(&mut self) -> Score {
        match self {
            Child::Term(t) => t.score(),
            Child::Other(s) => s.score(),
        }
    }

    #[inline]
    fn doc(&self) -> DocId {
        match self {
            Child::Term(t) => t.doc(),
            Child::Other(s) => s.doc(),
        }
    }

    fn size_hint(&self) -> u32 {
        match self {
            Child::Term(t) => t.size_hint(),
            Child::Other(s) => s.size_hint(),
        }
    }

    fn cost(&self) -> u64 {
        match self {
            Child::Term(t) => t.cost(),
            Child::Other(s) => s.cost(),
        }
    }

    /// The child as a scorer, for [`crate::prune`]'s walks of the cursor tree.
    pub(crate) fn as_scorer(&mut self) -> &mut dyn Scorer {
        match self {
            Child::Term(t) => t,
            Child::Other(s) => &mut **s,
        }
    }

    /// A boxed scorer as a child: a term's cursor is taken out of its box.
    fn from_boxed(s: Box<dyn Scorer>) -> Child {
        match s.downcast::<TermCursor>() {
            Ok(t) => Child::Term(*t),
            Err(s) => Child::Other(s),
        }
    }
}

/// The union's cursor over one segment. Every child sits at or after `doc`, except the
/// *lazy* ones: children [`crate::prune`] found unable, with every other match of the query,
/// to lift a document onto the page (MaxScore). They no longer lead the union (a document
/// only they hold is skipped) and are sought only to add their score to a document another
/// child holds.
pub(crate) struct SeekUnionScorer {
    children: Vec<Child>,
    /// Each child's current document, kept beside it: reading it through the child (a
    /// virtual call per child, per step) was 6.5 % of a hits-only query at 300k documents
    /// (`bench/callgrind`, session 10). Only this scorer moves its children
    /// ([`crate::prune`] reads and bounds them, never moves them).
    docs: Vec<DocId>,
    doc: DocId,
    /// Bit `i`: child `i` is lazy (only the first 64 children can be).
    lazy: u64,
}

impl SeekUnionScorer {
    fn new(children: Vec<Child>) -> SeekUnionScorer {
        let docs: Vec<DocId> = children.iter().map(|c| c.doc()).collect();
        let doc = docs.iter().copied().min().unwrap_or(TERMINATED);
        SeekUnionScorer {
            children,
            docs,
            doc,
            lazy: 0,
        }
    }

    /// The children's cursors, with whether each is lazy, for [`crate::prune`].
    pub(crate) fn children_mut(&mut self) -> impl Iterator<Item = (bool, &mut dyn Scorer)> {
        let lazy = self.lazy;
        self.children
            .iter_mut()
            .enumerate()
            .map(move |(i, c)| (i < 64 && lazy & (1 << i) != 0, c.as_scorer()))
    }

    /// Makes lazy the children whose best scores together reach at most `floor`, the cheapest
    /// first (they cannot lift a document above it by themselves); `maxes` are the children's
    /// best scores. Returns whether a child became lazy. When every child would be, no
    /// document of the union can reach the page any more: the union ends.
    pub(crate) fn make_lazy(&mut self, maxes: &[Score], floor: Score) -> bool {
        let mut order: Vec<usize> = (0..maxes.len().min(64)).collect();
        order.sort_by(|&a, &b| maxes[a].total_cmp(&maxes[b]));
        let mut sum = 0.0;
        let mut lazy = 0u64;
        for i in order {
            sum += maxes[i];
            if sum > floor {
                break;
            }
            lazy |= 1 << i;
        }
        let added = lazy & !self.lazy != 0;
        self.lazy |= lazy;
        let all = if self.children.len() >= 64 {
            false
        } else {
            self.lazy.count_ones() as usize == self.children.len()
        };
        if all {
            self.doc = TERMINATED;
        }
        added
    }

    fn is_lazy(lazy: u64, i: usize) -> bool {
        i < 64 && lazy & (1 << i) != 0
    }
}

// `advance` and `seek` spell out the loop without lazy children (every search's hot path):
// one loop with a closure for the step measured 30 % more instructions in `seek`.
impl DocSet for SeekUnionScorer {
    fn advance(&mut self) -> DocId {
        let current = self.doc;
        if current == TERMINATED {
            return TERMINATED;
        }
        let mut next = TERMINATED;
        if self.lazy == 0 {
            for (c, d) in self.children.iter_mut().zip(&mut self.docs) {
                if *d == current {
                    *d = c.advance();
                }
                next = next.min(*d);
            }
        } else {
            for (i, (c, d)) in self.children.iter_mut().zip(&mut self.docs).enumerate() {
                if Self::is_lazy(self.lazy, i) {
                    continue;
                }
                if *d == current {
                    *d = c.advance();
                }
                next = next.min(*d);
            }
        }
        self.doc = next;
        next
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let mut next = TERMINATED;
        if self.lazy == 0 {
            for (c, d) in self.children.iter_mut().zip(&mut self.docs) {
                if *d < target {
                    *d = c.seek(target);
                }
                next = next.min(*d);
            }
        } else {
            for (i, (c, d)) in self.children.iter_mut().zip(&mut self.docs).enumerate() {
                if Self::is_lazy(self.lazy, i) {
                    continue;
                }
                if *d < target {
                    *d = c.seek(target);
                }
                next = next.min(*d);
            }
        }
        self.doc = next;
        next
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.children.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for SeekUnionScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut score = 0.0;
        if self.lazy == 0 {
            for (c, d) in self.children.iter_mut().zip(&self.docs) {
                debug_assert_eq!(*d, c.doc(), "a child moved behind the union's back");
                if *d == doc {
                    score += c.score();
                }
            }
            return score;
        }
        for (i, (c, d)) in self.children.iter_mut().zip(&mut self.docs).enumerate() {
            if *d < doc && Self::is_lazy(self.lazy, i) {
                *d = c.seek(doc);
            }
            debug_assert_eq!(*d, c.doc(), "a child moved behind the union's back");
            if *d == doc {
                score += c.score();
            }
        }
        score
    }
}

/// Documents that match at least `min` of the children: the partial matches of a query with
/// `min` of its words. tantivy's `BooleanQuery::with_minimum_required_clauses` advances every
/// child through every document it holds (a heap of all children), so a frequent word (`权`)
/// made a pass over nearly the whole index; here the children below the `min`-th smallest
/// current document are sought to it, so frequent words are skipped through by the rarer ones.
/// Scores are summed as for [`SeekUnion`]. With `min <= 1` it is a [`SeekUnion`].
#[derive(Debug, Clone)]
pub struct AtLeast {
    children: Children,
    min: usize,
}

impl AtLeast {
    /// Documents that match at least `min` of `children`.
    pub fn new(children: Vec<Box<dyn Query>>, min: usize) -> AtLeast {
        AtLeast {
            children: Children::new(children),
            min,
        }
    }
}

impl Query for AtLeast {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(AtLeastWeight {
            weights: self.children.weights(enable_scoring)?,
            min: self.min,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.children.query_terms(visitor);
    }
}

struct AtLeastWeight {
    weights: Vec<Box<dyn Weight>>,
    min: usize,
}

impl Weight for AtLeastWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut children = Vec::with_capacity(self.weights.len());
        for w in &self.weights {
            let s = w.scorer(reader, boost)?;
            if s.doc() != TERMINATED {
                children.push(s);
            }
        }
        Ok(if children.len() < self.min.max(1) {
            Box::new(EmptyScorer)
        } else if self.min <= 1 {
            match children.len() {
                1 => children.swap_remove(0),
                _ => Box::new(SeekUnionScorer::new(
                    children.into_iter().map(Child::from_boxed).collect(),
                )),
            }
        } else {
            Box::new(AtLeastScorer::new(children, self.min))
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let scorer = self.scorer(reader, 1.0)?;
        explain_sum(
            "AtLeast, sum of the matching children",
            scorer,
            self.weights.iter().map(|w| &**w),
            reader,
            doc,
        )
    }
}

/// The cursor of [`AtLeast`] over one segment (`min >= 2`).
pub(crate) struct AtLeastScorer {
    children: Vec<Box<dyn Scorer>>,
    min: usize,
    doc: DocId,
    /// Scratch space for the children's current documents.
    docs: Vec<DocId>,
}

impl AtLeastScorer {
    /// The children's cursors (every one sits at or after `doc`), for [`crate::prune`].
    pub(crate) fn children_mut(&mut self) -> &mut [Box<dyn Scorer>] {
        &mut self.children
    }

    fn new(children: Vec<Box<dyn Scorer>>, min: usize) -> AtLeastScorer {
        let docs = Vec::with_capacity(children.len());
        let mut s = AtLeastScorer {
            children,
            min,
            doc: 0,
            docs,
        };
        s.doc = s.settle(0);
        s
    }

    /// The first document at or after `target` that at least `min` children hold. No document
    /// before the `min`-th smallest current document of the children can be one (fewer than
    /// `min` children are before it), so the children behind it are sought to it.
    fn settle(&mut self, mut target: DocId) -> DocId {
        loop {
            self.docs.clear();
            for c in &mut self.children {
                let mut d = c.doc();
                if d < target {
                    d = c.seek(target);
                }
                self.docs.push(d);
            }
            let (_, cand, _) = self.docs.select_nth_unstable(self.min - 1);
            let cand = *cand;
            if cand == TERMINATED {
                return TERMINATED;
            }
            // Every child that holds `cand` counts (and scores), also one still behind it.
            let mut at = 0;
            for c in &mut self.children {
                let mut d = c.doc();
                if d < cand {
                    d = c.seek(cand);
                }
                at += usize::from(d == cand);
            }
            if at >= self.min {
                return cand;
            }
            target = cand + 1;
        }
    }
}

impl DocSet for AtLeastScorer {
    settled_cursor!();

    fn size_hint(&self) -> u32 {
        self.children
            .iter()
            .map(|c| c.size_hint())
            .fold(0u32, u32::saturating_add)
    }

    fn cost(&self) -> u64 {
        self.children.iter().map(|c| c.cost()).sum()
    }
}

impl Scorer for AtLeastScorer {
    fn score(&mut self) -> Score {
        let doc = self.doc;
        let mut score = 0.0;
        for c in &mut self.children {
            if c.doc() == doc {
                score += c.score();
            }
        }
        score
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{BooleanQuery, Occur, TermQuery};
    use tantivy::schema::Field;
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index, Term};

    /// An index of `n` documents with two text fields, `a` and `b`, whose texts `text(i)`
    /// gives for document `i`.
    fn two_fields(n: u32, text: impl Fn(u32) -> (String, String)) -> (Index, Field, Field) {
        let mut sb = Schema::builder();
        let a = sb.add_text_field("a", TEXT);
        let b = sb.add_text_field("b", TEXT);
        let index = Index::create_in_ram(sb.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        for i in 0..n {
            let (ta, tb) = text(i);
            w.add_document(doc!(a => ta, b => tb)).expect("add");
        }
        w.commit().expect("commit");
        (index, a, b)
    }

    /// A term query with frequencies.
    fn t(f: Field, s: &str) -> Box<dyn Query> {
        Box::new(TermQuery::new(
            Term::from_field_text(f, s),
            IndexRecordOption::WithFreqs,
        ))
    }

    /// Every document of `scorer` with its score, in order.
    fn all_scores(mut scorer: Box<dyn Scorer>) -> Vec<(DocId, Score)> {
        let mut out = Vec::new();
        while scorer.doc() != TERMINATED {
            out.push((scorer.doc(), scorer.score()));
            scorer.advance();
        }
        out
    }

    /// Walks `u` by seeks (ahead by up to `stride`) and advances, checking each document it
    /// stands on and every other score against `reference`: to the bit when `exact`.
    fn check_steps(
        u: &mut dyn Scorer,
        reference: &[(DocId, Score)],
        steps: u32,
        stride: u32,
        exact: bool,
    ) {
        let expect = |target: DocId| reference.iter().find(|(d, _)| *d >= target).copied();
        let mut target = 0;
        for step in 0..steps {
            let before = u.doc();
            let (doc, want) = if step % 3 == 2 {
                (u.advance(), expect(before + 1))
            } else {
                target = target.max(before) + 1 + step % stride;
                (u.seek(target), expect(target))
            };
            match want {
                Some((d, score)) => {
                    assert_eq!(doc, d, "step {step}");
                    if step % 2 == 0 {
                        let got = u.score();
                        if exact {
                            assert_eq!(got.to_bits(), score.to_bits(), "step {step}");
                        } else {
                            assert!((got - score).abs() < 1e-5, "step {step}: {got} {score}");
                        }
                    }
                }
                None => assert_eq!(doc, TERMINATED),
            }
            if doc == TERMINATED {
                break;
            }
        }
    }

    /// A union with a union spliced into it sees every document and every child's score, as
    /// tantivy's `Should` query does, whatever the order of seeks, advances and scores.
    #[test]
    fn spliced_unions_match_and_score_in_any_order_of_steps() {
        let (index, a, b) = two_fields(3000, |i| {
            let x = if i % 2 == 0 { "x" } else { "" };
            let y = if i % 5 == 0 { "y" } else { "" };
            let z = if i % 11 == 0 { "x" } else { "" };
            (format!("{x} common"), format!("{y} {z} common"))
        });
        let searcher = index.reader().expect("reader").searcher();
        let boolean = BooleanQuery::new(
            [t(b, "x"), t(b, "y"), t(a, "x")]
                .into_iter()
                .map(|q| (Occur::Should, q))
                .collect(),
        );
        // A union first among the children: spliced into its parent.
        let nested = SeekUnion::new(vec![
            Box::new(SeekUnion::new(vec![t(b, "x"), t(b, "y")])),
            t(a, "x"),
        ]);
        let seg = searcher.segment_reader(0);
        let weight = |q: &dyn Query| {
            q.weight(EnableScoring::enabled_from_searcher(&searcher))
                .expect("weight")
        };
        let reference = all_scores(weight(&boolean).scorer(seg, 1.0).expect("scorer"));
        assert!(reference.len() > 1000);
        let mut u = weight(&nested).scorer(seg, 1.0).expect("scorer");
        let spliced = u
            .downcast_ref::<SeekUnionScorer>()
            .map(|s| s.children.len());
        assert_eq!(spliced, Some(3), "one level of three cursors");
        check_steps(&mut *u, &reference, 400, 13, false);
    }

    /// Term children are kept by value ([`Child::Term`]), spliced ones too, beside a child of
    /// another kind; the union still steps and scores as tantivy's `Should` query of the same
    /// boosted terms, to the bit, whatever the order of seeks, advances and scores.
    #[test]
    fn term_children_kept_by_value_step_and_score_as_boosted_term_queries() {
        let (index, a, b) = two_fields(4000, |i| {
            let x = if i % 3 == 0 { "x x" } else { "" };
            let y = if i % 7 == 0 { "y" } else { "" };
            let z = if i % 13 == 0 { "x" } else { "" };
            (format!("{x} common"), format!("{y} {z} common"))
        });
        let searcher = index.reader().expect("reader").searcher();
        let bt = |f: Field, s: &str, boost: Score| -> Box<dyn Query> {
            Box::new(BoundedTerm::boosted(Term::from_field_text(f, s), boost))
        };
        let boosted = |f: Field, s: &str, boost: Score| -> Box<dyn Query> {
            Box::new(tantivy::query::BoostQuery::new(t(f, s), boost))
        };
        let boolean = BooleanQuery::new(
            [
                boosted(b, "x", 2.0),
                boosted(b, "y", 1.0),
                boosted(a, "x", 4.0),
                t(a, "common"),
            ]
            .into_iter()
            .map(|q| (Occur::Should, q))
            .collect(),
        );
        // A union of terms first (spliced), a term, and a child of another kind.
        let ours = SeekUnion::new(vec![
            Box::new(SeekUnion::new(vec![bt(b, "x", 2.0), bt(b, "y", 1.0)])),
            bt(a, "x", 4.0),
            t(a, "common"),
        ]);
        let seg = searcher.segment_reader(0);
        let weight = |q: &dyn Query| {
            q.weight(EnableScoring::enabled_from_searcher(&searcher))
                .expect("weight")
        };
        let reference = all_scores(weight(&boolean).scorer(seg, 1.0).expect("scorer"));
        assert_eq!(reference.len(), 4000, "every document has `common`");
        let mut u = weight(&ours).scorer(seg, 1.0).expect("scorer");
        let kinds = u.downcast_ref::<SeekUnionScorer>().map(|s| {
            s.children
                .iter()
                .map(|c| matches!(c, Child::Term(_)))
                .collect::<Vec<bool>>()
        });
        assert_eq!(kinds, Some(vec![true, true, true, false]));
        check_steps(&mut *u, &reference, 900, 7, true);
    }

    /// Same documents and scores as the `Should` boolean query it replaces, alone and inside
    /// an intersection (where it is sought rather than scanned).
    #[test]
    fn matches_and_scores_like_a_should_query() {
        let (index, a, b) = two_fields(5000, |i| {
            let x = if i % 3 == 0 { "x common" } else { "common" };
            let y = if i % 7 == 0 { "y" } else { "z" };
            let rare = if i % 401 == 0 { "rare" } else { "" };
            (format!("{x} {rare}"), format!("{y} common"))
        });
        let searcher = index.reader().expect("reader").searcher();
        let children = || vec![t(a, "x"), t(b, "y"), t(a, "zzz")];
        let boolean =
            BooleanQuery::new(children().into_iter().map(|q| (Occur::Should, q)).collect());
        let seek = SeekUnion::new(children());
        for (q1, q2) in [
            (
                Box::new(boolean.clone()) as Box<dyn Query>,
                Box::new(seek.clone()) as Box<dyn Query>,
            ),
            (
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, t(a, "rare")),
                    (Occur::Must, Box::new(boolean.clone())),
                ])),
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, t(a, "rare")),
                    (Occur::Must, Box::new(seek.clone())),
                ])),
            ),
        ] {
            let n1 = searcher.search(&*q1, &Count).expect("count");
            let n2 = searcher.search(&*q2, &Count).expect("count");
            assert_eq!(n1, n2);
            assert!(n1 > 0);
            let top = |q: &dyn Query| {
                searcher
                    .search(q, &TopDocs::with_limit(10_000).order_by_score())
                    .expect("top")
            };
            let (mut r1, mut r2) = (top(&*q1), top(&*q2));
            r1.sort_by_key(|(_, d)| *d);
            r2.sort_by_key(|(_, d)| *d);
            assert_eq!(r1.len(), r2.len());
            for ((s1, d1), (s2, d2)) in r1.iter().zip(&r2) {
                assert_eq!(d1, d2);
                assert!((s1 - s2).abs() < 1e-4, "{s1} {s2}");
            }
        }
    }

    /// The same documents and scores as tantivy's minimum-should-match boolean query, for every
    /// `min`, alone and inside an intersection.
    #[test]
    fn at_least_matches_like_minimum_should_match() {
        let mut sb = Schema::builder();
        let a = sb.add_text_field("a", TEXT);
        let index = Index::create_in_ram(sb.build());
        let mut w: tantivy::IndexWriter = index.writer(15_000_000).expect("writer");
        for i in 0..6000u32 {
            let mut words = vec!["all"];
            for (word, every) in [("p", 2), ("q", 3), ("r", 7), ("s", 11), ("t", 401)] {
                if i % every == 0 {
                    words.push(word);
                }
            }
            w.add_document(doc!(a => words.join(" "))).expect("add");
        }
        w.commit().expect("commit");
        let searcher = index.reader().expect("reader").searcher();
        let t = |s: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(a, s),
                IndexRecordOption::WithFreqs,
            ))
        };
        let children = || vec![t("p"), t("q"), t("r"), t("s"), t("zzz")];
        for min in 1..=5 {
            let boolean = BooleanQuery::with_minimum_required_clauses(
                children().into_iter().map(|q| (Occur::Should, q)).collect(),
                min,
            );
            let ours = AtLeast::new(children(), min);
            let with_rare = |q: Box<dyn Query>| -> Box<dyn Query> {
                Box::new(BooleanQuery::new(vec![
                    (Occur::Must, q),
                    (Occur::Must, t("t")),
                ]))
            };
            for (q1, q2) in [
                (
                    Box::new(boolean.clone()) as Box<dyn Query>,
                    Box::new(ours.clone()) as Box<dyn Query>,
                ),
                (
                    with_rare(Box::new(boolean.clone())),
                    with_rare(Box::new(ours.clone())),
                ),
            ] {
                let n1 = searcher.search(&*q1, &Count).expect("count");
                let n2 = searcher.search(&*q2, &Count).expect("count");
                assert_eq!(n1, n2, "min {min}");
                let top = |q: &dyn Query| {
                    let mut r = searcher
                        .search(q, &TopDocs::with_limit(10_000).order_by_score())
                        .expect("top");
                    r.sort_by_key(|(_, d)| *d);
                    r
                };
                let (r1, r2) = (top(&*q1), top(&*q2));
                assert_eq!(r1.len(), r2.len(), "min {min}");
                for ((s1, d1), (s2, d2)) in r1.iter().zip(&r2) {
                    assert_eq!(d1, d2, "min {min}");
                    assert!((s1 - s2).abs() < 1e-4, "min {min}: {s1} {s2}");
                }
            }
        }
    }
}
