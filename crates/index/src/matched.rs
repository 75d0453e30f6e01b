//! Which query words a hit matched: each word's alternatives (the word itself, then its
//! expansions) are checked against the hit's document, so a hit can say `种植` matched and
//! `土豆` matched by way of `马铃薯`. Only the hits of a page are checked, never every match.

use tantivy::query::{EnableScoring, Weight};
use tantivy::{DocAddress, DocSet, Searcher, TERMINATED};

use crate::query::{MatchedWord, WordQuery};
use crate::IndexError;

/// One alternative of a word: the expansion (`None` for the word itself) and its weight.
type AltWeight = (Option<String>, Box<dyn Weight>);

/// The weights of a query's words, built once per search.
pub struct Matcher {
    words: Vec<(String, Vec<AltWeight>)>,
}

impl Matcher {
    /// Prepares the words of a query for checking hits of `searcher`.
    pub fn new(searcher: &Searcher, words: &[WordQuery]) -> Result<Matcher, IndexError> {
        let scoring = EnableScoring::disabled_from_searcher(searcher);
        let mut out = Vec::with_capacity(words.len());
        for w in words {
            let mut alts = Vec::with_capacity(w.alts.len());
            for (via, q) in &w.alts {
                alts.push((via.clone(), q.weight(scoring)?));
            }
            out.push((w.word.clone(), alts));
        }
        Ok(Matcher { words: out })
    }

    /// The words `doc` matches, in query order; for each, the first alternative that matches
    /// (the word itself before its expansions).
    pub fn matched(
        &self,
        searcher: &Searcher,
        doc: DocAddress,
    ) -> Result<Vec<MatchedWord>, IndexError> {
        let reader = searcher.segment_reader(doc.segment_ord);
        let mut out = Vec::new();
        for (word, alts) in &self.words {
            for (via, weight) in alts {
                let mut scorer = weight.scorer(reader, 1.0)?;
                let at = if scorer.doc() == TERMINATED || scorer.doc() > doc.doc_id {
                    scorer.doc()
                } else {
                    scorer.seek(doc.doc_id)
                };
                if at == doc.doc_id {
                    out.push(MatchedWord {
                        word: word.clone(),
                        via: via.clone(),
                    });
                    break;
                }
            }
        }
        Ok(out)
    }
}
