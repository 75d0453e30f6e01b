//! Which query words a hit matched: each word's alternatives (the word itself, then its
//! expansions) are checked against the hits' documents, so a hit can say `种植` matched and
//! `土豆` matched by way of `马铃薯`. Only the hits of a page are checked, never every match.
//!
//! The page is checked in one sweep per segment: the hits are sorted by document, and each
//! alternative's scorer is opened once per segment (and only when some hit still lacks the word)
//! and sought forward through them. Opening a scorer looks every term of the alternative up in
//! the term dictionary, so opening them per hit cost more than the search itself on short pages.
//! An alternative's weight is built only when a hit still lacks its word: most words are found
//! by themselves, so their expansions' weights (2.5 % of a hits-only query on the small bench
//! when built up front) are never made.

use tantivy::query::{EnableScoring, Query, Weight};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED};

use crate::query::{MatchedWord, WordQuery};
use crate::IndexError;

/// One alternative of a word: the expansion (`None` for the word itself), its query, and its
/// weight once some hit needed it.
type Alt<'q> = (
    Option<String>,
    &'q dyn Query,
    std::cell::OnceCell<Box<dyn Weight>>,
);

/// The alternatives of a query's words, their weights built when first needed.
pub struct Matcher<'q> {
    words: Vec<(String, Vec<Alt<'q>>)>,
}

impl<'q> Matcher<'q> {
    /// Prepares the words of a query for checking hits.
    pub fn new(words: &'q [WordQuery]) -> Matcher<'q> {
        let words = words
            .iter()
            .map(|w| {
                let alts = w
                    .alts
                    .iter()
                    .map(|(via, q)| (via.clone(), &**q, std::cell::OnceCell::new()))
                    .collect();
                (w.word.clone(), alts)
            })
            .collect();
        Matcher { words }
    }

    /// For each of `docs` (in the order given), the words it matches, in query order; for
    /// each word, the first alternative that matches (the word itself before its expansions).
    /// `every_word[i]`: doc `i` is known to match every word (a complete match of an
    /// all-words query): a word with one alternative is then matched by it, unchecked (after
    /// [`crate::query::Plan::only_present_in`] most words have one: 6 % of a hits-only query
    /// on the small preset was opening their postings again to find what the search had
    /// just found).
    pub fn matched(
        &self,
        searcher: &Searcher,
        docs: &[DocAddress],
        every_word: &[bool],
    ) -> Result<Vec<Vec<MatchedWord>>, IndexError> {
        // found[i][w]: the alternative of word `w` that doc `i` matched first.
        let mut found: Vec<Vec<Option<usize>>> = (0..docs.len())
            .map(|i| {
                let told = every_word.get(i).copied().unwrap_or(false);
                self.words
                    .iter()
                    .map(|(_, alts)| (told && alts.len() == 1).then_some(0))
                    .collect()
            })
            .collect();
        let mut order: Vec<usize> = (0..docs.len()).collect();
        order.sort_by_key(|&i| (docs[i].segment_ord, docs[i].doc_id));
        for run in order.chunk_by(|&a, &b| docs[a].segment_ord == docs[b].segment_ord) {
            let reader = searcher.segment_reader(docs[run[0]].segment_ord);
            for (w, (_, alts)) in self.words.iter().enumerate() {
                for (a, (_, query, weight)) in alts.iter().enumerate() {
                    let pending: Vec<usize> = run
                        .iter()
                        .copied()
                        .filter(|&i| found[i][w].is_none())
                        .collect();
                    if pending.is_empty() {
                        break;
                    }
                    let weight = match weight.get() {
                        Some(built) => built,
                        None => {
                            let built =
                                query.weight(EnableScoring::disabled_from_searcher(searcher))?;
                            weight.get_or_init(|| built)
                        }
                    };
                    let mut scorer = weight.scorer(reader, 1.0)?;
                    for i in pending {
                        let target = docs[i].doc_id;
                        let mut at = scorer.doc();
                        if at == TERMINATED {
                            break;
                        }
                        if at < target {
                            at = scorer.seek(target);
                        }
                        if at == target {
                            found[i][w] = Some(a);
                        }
                    }
                }
            }
        }
        Ok(found
            .into_iter()
            .map(|per_word| {
                per_word
                    .into_iter()
                    .zip(&self.words)
                    .filter_map(|(a, (word, alts))| {
                        a.map(|a| MatchedWord {
                            word: word.clone(),
                            via: alts[a].0.clone(),
                        })
                    })
                    .collect()
            })
            .collect())
    }
}
