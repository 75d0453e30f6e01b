//! The relevance harness: queries with expected hits (`fixtures/eval/queries.jsonl`), run
//! against an index, scored as success@1, recall@k and MRR per group, with every failure listed.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::request::SearchRequest;
use crate::store::Index;
use crate::IndexError;

/// One evaluation query.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EvalQuery {
    /// Group name for the report (`code`, `title`, `region`, ...).
    pub group: String,
    /// The query text.
    pub q: String,
    /// Filters, with the field names of [`SearchRequest`].
    #[serde(default)]
    pub filters: serde_json::Map<String, serde_json::Value>,
    /// Ids that must be found.
    pub expect: Vec<String>,
    /// Rank within which every expected id must appear (1 = first).
    #[serde(default = "one")]
    pub at: usize,
}

fn one() -> usize {
    1
}

/// Scores of a group of queries.
#[derive(Debug, Clone, Default, Serialize)]
pub struct GroupScore {
    /// Queries.
    pub queries: usize,
    /// Share of queries whose first hit is expected.
    pub success_at_1: f64,
    /// Mean share of expected ids found within `at`.
    pub recall_at_k: f64,
    /// Mean reciprocal rank of the first expected hit (top 10).
    pub mrr: f64,
}

/// A query that did not find all expected ids within `at`.
#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    /// Group.
    pub group: String,
    /// Query.
    pub q: String,
    /// Expected ids.
    pub expect: Vec<String>,
    /// Rank limit.
    pub at: usize,
    /// What came back (top 10 ids).
    pub got: Vec<String>,
    /// Whether the answer was relaxed.
    pub relaxed: bool,
}

/// The whole report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct EvalReport {
    /// Per group.
    pub groups: BTreeMap<String, GroupScore>,
    /// Over all queries.
    pub overall: GroupScore,
    /// Failed queries.
    pub failures: Vec<Failure>,
}

/// Reads a queries file (JSON lines; blank lines and `//` comments skipped).
pub fn load_queries(path: &Path) -> Result<Vec<EvalQuery>, IndexError> {
    let text = std::fs::read_to_string(path).map_err(|source| IndexError::Io {
        path: path.display().to_string(),
        source,
    })?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let l = line.trim();
        if l.is_empty() || l.starts_with("//") {
            continue;
        }
        out.push(serde_json::from_str(l).map_err(|e| IndexError::Config {
            path: format!("{}:{}", path.display(), n + 1),
            message: e.to_string(),
        })?);
    }
    Ok(out)
}

/// Runs the queries against the index.
pub fn run(index: &Index, queries: &[EvalQuery]) -> Result<EvalReport, IndexError> {
    let mut sums: BTreeMap<String, (usize, f64, f64, f64)> = BTreeMap::new();
    let mut report = EvalReport::default();
    for q in queries {
        let mut req: SearchRequest =
            serde_json::from_value(serde_json::Value::Object(q.filters.clone()))
                .map_err(|e| IndexError::BadRequest(format!("filters of {:?}: {e}", q.q)))?;
        req.q = q.q.clone();
        req.limit = 10.max(q.at).min(crate::MAX_LIMIT);
        let resp = index.search(&req)?;
        let ids: Vec<String> = resp.hits.iter().map(|h| h.id.clone()).collect();
        let s1 = ids.first().is_some_and(|id| q.expect.contains(id));
        let within = &ids[..q.at.min(ids.len())];
        let found = q.expect.iter().filter(|e| within.contains(e)).count();
        let recall = if q.expect.is_empty() {
            1.0
        } else {
            found as f64 / q.expect.len() as f64
        };
        let rr = ids
            .iter()
            .take(10)
            .position(|id| q.expect.contains(id))
            .map_or(0.0, |p| 1.0 / (p + 1) as f64);
        for key in [q.group.clone(), "\u{0}all".to_string()] {
            let e = sums.entry(key).or_default();
            e.0 += 1;
            e.1 += f64::from(u8::from(s1));
            e.2 += recall;
            e.3 += rr;
        }
        if found < q.expect.len() {
            report.failures.push(Failure {
                group: q.group.clone(),
                q: q.q.clone(),
                expect: q.expect.clone(),
                at: q.at,
                got: ids.into_iter().take(10).collect(),
                relaxed: resp.relaxed,
            });
        }
    }
    for (k, (n, s1, rec, rr)) in sums {
        let n_f = n.max(1) as f64;
        let g = GroupScore {
            queries: n,
            success_at_1: s1 / n_f,
            recall_at_k: rec / n_f,
            mrr: rr / n_f,
        };
        if k == "\u{0}all" {
            report.overall = g;
        } else {
            report.groups.insert(k, g);
        }
    }
    Ok(report)
}
