//! Adoptions (采标) in both directions: the foreign standards a Chinese standard adopts, and the
//! Chinese standards that adopt a foreign one.
//!
//! A Chinese record stores its adoption statement; the document builder indexes each adopted
//! code in the `adopts` keyword field twice, by key (`ISO 13485`) and canonical code
//! (`ISO 13485:2016`). [`Index::adopted_by`] looks a foreign number up there;
//! [`Index::adopts`] resolves a record's own links against the catalog; [`place_adoptions`]
//! puts the adoptions of a searched foreign number right after it in the hit list.

use biaozhun_model::{AdoptionDegree, AdoptionLink, Standard, StandardCode, Status};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use crate::barriers::ResolvedStandard;
use crate::request::Hit;
pub use crate::request::HitAdoption;
use crate::store::Index;
use crate::IndexError;

/// Most adoptions one foreign number lists.
pub const MAX_ADOPTERS: usize = 50;

/// A Chinese standard that adopts a foreign one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adopter {
    /// The Chinese standard.
    pub standard: Standard,
    /// Its status on the asked date.
    pub status: Option<Status>,
    /// The foreign code it adopts, as its statement names it (possibly another edition).
    pub adopts: StandardCode,
    /// Degree of adoption, when stated.
    pub degree: Option<AdoptionDegree>,
    /// True when it adopts the asked edition (or no edition was asked).
    pub exact: bool,
}

/// One foreign standard a record adopts, with the catalog record when the index holds it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AdoptedStandard {
    /// The link (code and degree).
    pub link: AdoptionLink,
    /// The foreign record, when this index holds one (`exact` says whether the edition too).
    pub record: Option<ResolvedStandard>,
}

impl Index {
    /// The Chinese standards adopting `code` (any edition of it), current ones first, then
    /// those adopting exactly the asked edition, then by id.
    pub fn adopted_by(
        &self,
        code: &StandardCode,
        on: NaiveDate,
    ) -> Result<Vec<Adopter>, IndexError> {
        let searcher = self.reader.searcher();
        let table = self.editions_for(&searcher)?;
        let q = TermQuery::new(
            Term::from_field_text(self.fields.adopts, &code.key()),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(MAX_ADOPTERS).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let (kind, json) = self.doc_record(&doc);
            if kind != Some(biaozhun_model::RecordKind::Standard) {
                continue;
            }
            let s: Standard = serde_json::from_str(&json).map_err(|e| IndexError::Corrupt {
                id: code.to_string(),
                message: e.to_string(),
            })?;
            let links = s.adoption.as_ref().map(|a| a.links()).unwrap_or_default();
            let Some(link) = links.into_iter().find(|l| l.code.same_standard(code)) else {
                continue;
            };
            let exact = code.year().is_none() || link.code.year() == code.year();
            out.push(Adopter {
                status: table.verdict(&s.id(), on).and_then(|v| v.status),
                standard: s,
                adopts: link.code,
                degree: link.degree,
                exact,
            });
        }
        out.sort_by(|a, b| {
            let rank = |x: &Adopter| x.status.map_or(1, Status::rank);
            rank(a)
                .cmp(&rank(b))
                .then_with(|| b.exact.cmp(&a.exact))
                .then_with(|| a.standard.id().cmp(&b.standard.id()))
        });
        Ok(out)
    }

    /// The foreign standards `s` adopts, each resolved against this index's records.
    pub fn adopts(&self, s: &Standard, on: NaiveDate) -> Result<Vec<AdoptedStandard>, IndexError> {
        let links = s.adoption.as_ref().map(|a| a.links()).unwrap_or_default();
        let mut out = Vec::with_capacity(links.len());
        for link in links {
            let record = self
                .resolve_standard(&link.code, on)?
                .map(|(r, exact, status)| ResolvedStandard {
                    id: r.id(),
                    status,
                    title_zh: r.title_zh,
                    title_en: r.title_en,
                    exact,
                });
            out.push(AdoptedStandard { link, record });
        }
        Ok(out)
    }
}

/// Lists the Chinese adoptions of the first foreign or international number in `codes` right
/// after that number's own hits (at the top when the index has no record of it), labelled with
/// the degree; an adoption already among the hits moves up rather than appearing twice. The
/// page keeps at most `limit` hits: the adoptions push the lowest-ranked other matches off it
/// (they come on the next page, see `Index::search`). Returns whether any hit was pushed off.
pub(crate) fn place_adoptions(
    index: &Index,
    hits: &mut Vec<Hit>,
    codes: &[String],
    as_of: NaiveDate,
    limit: usize,
) -> Result<bool, IndexError> {
    let Some(foreign) = codes
        .iter()
        .filter_map(|c| StandardCode::parse(c).ok())
        .find(|c| {
            matches!(
                c.level(),
                biaozhun_model::Level::International | biaozhun_model::Level::Foreign
            )
        })
    else {
        return Ok(false);
    };
    let adopters = index.adopted_by(&foreign, as_of)?;
    if adopters.is_empty() {
        return Ok(false);
    }
    let is_foreign = |h: &Hit| {
        h.code
            .as_deref()
            .and_then(|c| StandardCode::parse(c).ok())
            .is_some_and(|c| c.same_standard(&foreign))
    };
    let score = hits.iter().find(|h| is_foreign(h)).map_or(0.0, |h| h.score);
    let table = index.editions()?;
    let mut placed = Vec::with_capacity(adopters.len());
    for a in adopters {
        let id = a.standard.id();
        if let Some(pos) = hits.iter().position(|h| h.id == id) {
            hits.remove(pos);
        }
        let head = crate::document::standard_head(&a.standard);
        let verdict = table.verdict(&id, as_of);
        let mut hit = crate::request::hit_from_head(head, score, verdict);
        hit.adoption = Some(HitAdoption {
            of: a.adopts.to_string(),
            degree: a.degree.map(|d| d.label().to_string()),
        });
        placed.push(hit);
    }
    let at = hits.iter().rposition(is_foreign).map_or(0, |p| p + 1);
    let n_placed = placed.len();
    hits.splice(at..at, placed);
    if hits.len() <= limit {
        return Ok(false);
    }
    // Over the page size: drop other matches from the end first, then (more adoptions than a
    // page holds) the last adoptions.
    let mut excess = hits.len() - limit;
    let mut i = hits.len();
    while excess > 0 && i > 0 {
        i -= 1;
        let placed_here = (at..at + n_placed).contains(&i);
        if !placed_here && !is_foreign(&hits[i]) {
            hits.remove(i);
            excess -= 1;
        }
    }
    hits.truncate(limit);
    Ok(true)
}
