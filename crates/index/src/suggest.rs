//! Prefix completion: codes (`GB/T 77`, `gbt77` → `GB/T 7714-2015`, current editions first)
//! and titles (all words but the last typed in full, the last as a prefix).

use std::ops::Bound;

use biaozhun_model::{RecordKind, StandardCode};
use serde::{Deserialize, Serialize};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

use crate::collect::HitsCollector;
use crate::document::{compact, date_num, FILE_KIND};
use crate::request::Sort;
use crate::store::Index;
use crate::IndexError;

/// One completion.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Suggestion {
    /// What to show and put in the search box (code or title).
    pub text: String,
    /// Record id.
    pub id: String,
    /// Record kind.
    pub kind: RecordKind,
    /// `code` or `title`.
    pub source: String,
}

/// Where a suggested code goes after a typed base number: own editions (0), then parts by
/// part number (1, part), then the rest (2); the order within stays (current editions first).
fn base_order(base: &StandardCode, id: &str) -> (u8, u64) {
    let Ok(code) = StandardCode::parse(id) else {
        return (2, 0);
    };
    if code.same_standard(base) {
        return (0, 0);
    }
    let (key, typed) = (code.unpadded(), base.unpadded());
    let part = key
        .number()
        .strip_prefix(typed.number())
        .and_then(|rest| rest.strip_prefix('.'))
        .and_then(|rest| rest.split('.').next())
        .and_then(|p| p.parse::<u64>().ok());
    match part {
        Some(p) if key.prefix() == typed.prefix() => (1, p),
        _ => (2, 0),
    }
}

fn prefix_query(field: Field, prefix: &str) -> Box<dyn Query> {
    let mut upper = prefix.to_string();
    upper.push(char::MAX);
    Box::new(RangeQuery::new(
        Bound::Included(Term::from_field_text(field, prefix)),
        Bound::Excluded(Term::from_field_text(field, &upper)),
    ))
}

impl Index {
    /// Completions for what a user has typed so far.
    pub fn suggest(&self, q: &str, limit: usize) -> Result<Vec<Suggestion>, IndexError> {
        let limit = limit.clamp(1, 50);
        let mut out: Vec<Suggestion> = Vec::new();
        let c = compact(q);
        if c.len() >= 2 && c.bytes().any(|b| b.is_ascii_alphabetic()) {
            let query = prefix_query(self.fields.code_compact, &c);
            // A base number typed whole (`GB 4806`) lists its own editions first, then its
            // parts in part order, as the search does: look at more candidates, then order.
            let base = StandardCode::parse(q.trim())
                .ok()
                .filter(|b| b.year().is_none() && !b.number().contains('.'));
            let wanted = if base.is_some() { 4 * limit } else { limit };
            let mut codes: Vec<Suggestion> = self
                .top(query, wanted)?
                .into_iter()
                .map(|(id, kind, _)| Suggestion {
                    text: id.clone(),
                    id,
                    kind,
                    source: "code".into(),
                })
                .collect();
            if let Some(base) = base {
                codes.sort_by_cached_key(|s| base_order(&base, &s.id));
            }
            codes.truncate(limit);
            out.extend(codes);
        }
        if out.len() < limit {
            let toks = self.zh.tokens(q);
            if let Some(last) = toks.last() {
                let last_pos = last.position;
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for t in toks.iter().filter(|t| t.position != last_pos) {
                    clauses.push((
                        Occur::Must,
                        Box::new(TermQuery::new(
                            Term::from_field_text(self.fields.title_zh, &t.text),
                            IndexRecordOption::Basic,
                        )),
                    ));
                }
                let base = toks
                    .iter()
                    .find(|t| t.position == last_pos)
                    .map(|t| t.text.clone());
                if let Some(b) = base {
                    clauses.push((Occur::Must, prefix_query(self.fields.title_zh, &b)));
                    for (id, kind, title) in
                        self.top(Box::new(BooleanQuery::new(clauses)), limit)?
                    {
                        if out.len() >= limit {
                            break;
                        }
                        if let Some(t) = title {
                            if !out.iter().any(|s| s.text == t) {
                                out.push(Suggestion {
                                    text: t,
                                    id,
                                    kind,
                                    source: "title".into(),
                                });
                            }
                        }
                    }
                }
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// Top documents of a query by the relevance tweak: (id, kind, title_zh).
    fn top(
        &self,
        query: Box<dyn Query>,
        limit: usize,
    ) -> Result<Vec<(String, RecordKind, Option<String>)>, IndexError> {
        let q = BooleanQuery::new(vec![
            (Occur::Must, query),
            (
                Occur::MustNot,
                Box::new(TermQuery::new(
                    Term::from_field_text(self.fields.kind, FILE_KIND),
                    IndexRecordOption::Basic,
                )),
            ),
        ]);
        let searcher = self.reader.searcher();
        let collector = HitsCollector {
            as_of: date_num(chrono::Local::now().date_naive()),
            statuses: None,
            sort: Sort::Relevance,
            k: limit,
            after: None,
            facets: Vec::new(),
            count_status: false,
            columns: self.columns.clone(),
            editions: self.editions_for(&searcher)?,
            proximity: None,
            exact_up_to: u64::MAX,
        };
        let fruit = searcher.search(&q, &collector)?;
        let mut out = Vec::new();
        for c in fruit.top {
            let head = self.hit_head(&searcher, c.doc)?;
            out.push((head.id, head.kind, head.title_zh));
        }
        Ok(out)
    }
}
