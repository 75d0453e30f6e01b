//! The market dossier: for one market and one product, what an exporter works from.
//!
//! Built on the barrier check ([`Index::barriers`]), not beside it: the notified measures are
//! its families (an EU member state's market includes the EU's measures), each with an internal
//! deadline `lead_days` before the WTO comment deadline, because national enquiry points want
//! comments weeks earlier. Around them: the foreign and international standards those measures
//! cite, each with its Chinese adoption and whether the index holds its text; and the Chinese
//! standards for the same product (mandatory GB first, then GB/T, industry, local), found
//! through the HS chapter's names, the glossary (query expansion) and the product words.
//!
//! The wire format (JSON, XLSX) lives in `biaozhun-api`.

use std::collections::BTreeMap;

use biaozhun_model::trade::{chapter_phrases, chinese_group, inherited_from, internal_deadline};
use biaozhun_model::{HsCode, Nature, RecordKind, StandardCode, Status};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::columnar::StrColumn;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

use crate::barriers::{
    BarrierError, BarrierFamily, BarrierReport, BarrierRequest, ChineseCounterpart,
    ResolvedStandard, MAX_FAMILIES,
};
use crate::query::{self, Mode};
use crate::store::Index;

/// Internal lead time when neither the request nor the configuration gives one: 30 days
/// before the WTO comment deadline.
pub const DEFAULT_LEAD_DAYS: i64 = 30;
/// Longest lead time accepted.
pub const MAX_LEAD_DAYS: i64 = 365;
/// Most Chinese standards one dossier lists.
pub const MAX_CHINESE: usize = 100;
/// Candidates the Chinese-standards search looks at before grouping.
const CHINESE_CANDIDATES: usize = 300;

/// A dossier as asked: the barrier check's market, product and date, plus the lead time.
#[derive(Debug, Clone, Default)]
pub struct DossierRequest {
    /// Market, product and check date (the `limit` is ignored: the dossier lists every family
    /// up to [`MAX_FAMILIES`]).
    pub barrier: BarrierRequest,
    /// Days before the comment deadline the internal deadline falls (0..=[`MAX_LEAD_DAYS`]).
    pub lead_days: i64,
}

/// A notified measure with its internal deadline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DossierMeasure {
    /// The family as the barrier check reports it.
    pub family: BarrierFamily,
    /// `comment_deadline` minus the lead time.
    pub internal_deadline: Option<NaiveDate>,
    /// Days from the check date to the internal deadline (negative when it has passed), while
    /// the family is open for comment.
    pub internal_days_left: Option<i64>,
    /// The union whose measure this is, when the market is one of its member states (`EU`).
    pub inherited_from: Option<String>,
}

/// A standard cited by the measures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DossierCited {
    /// The code as cited, canonical.
    pub code: String,
    /// `international`, `foreign`, `national`, ... of the cited code.
    pub level: &'static str,
    /// Base symbols of the families citing it.
    pub cited_by: Vec<String>,
    /// The record this index holds for it, when any.
    pub record: Option<ResolvedStandard>,
    /// Whether the index holds its text (not only its catalog entry).
    pub has_text: bool,
    /// Its Chinese adoptions (采标), current first.
    pub adopted_by: Vec<ChineseCounterpart>,
}

/// A Chinese standard for the product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DossierChinese {
    /// Record id.
    pub id: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Status on the check date.
    pub status: Option<Status>,
    /// `national`, `industry`, `local`, `group`, `enterprise`.
    pub level: &'static str,
    /// `mandatory`, `recommended`, `guidance`.
    pub nature: Option<&'static str>,
    /// 实施日期.
    pub implement_date: Option<NaiveDate>,
}

/// The dossier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Dossier {
    /// The barrier check it is built on, without its families (they are in `measures`).
    pub check: BarrierReport,
    /// Lead time used for the internal deadlines.
    pub lead_days: i64,
    /// Notified measures, newest first.
    pub measures: Vec<DossierMeasure>,
    /// Standards the measures cite, in order of first citation.
    pub cited: Vec<DossierCited>,
    /// Chinese standards for the product: mandatory GB, GB/T (and GB/Z), industry, local, then
    /// group; current before other statuses, best match first within, then by id.
    pub chinese: Vec<DossierChinese>,
    /// Chinese standards found before the cut to [`MAX_CHINESE`].
    pub chinese_total: usize,
}

/// Why a dossier cannot be built as asked.
#[derive(Debug, thiserror::Error)]
pub enum DossierError {
    /// The barrier check refused the market, the HS code or the limit.
    #[error(transparent)]
    Barrier(#[from] BarrierError),
    /// Lead time out of range.
    #[error("lead_days {0} is outside 0..={MAX_LEAD_DAYS}")]
    LeadDays(i64),
    /// Neither a market nor a product.
    #[error("a dossier needs a market and a product (hs or q)")]
    Incomplete,
}

impl From<crate::IndexError> for DossierError {
    fn from(e: crate::IndexError) -> Self {
        DossierError::Barrier(BarrierError::Index(e))
    }
}

impl Index {
    /// Builds the dossier (see the module documentation).
    pub fn dossier(&self, req: &DossierRequest) -> Result<Dossier, DossierError> {
        if !(0..=MAX_LEAD_DAYS).contains(&req.lead_days) {
            return Err(DossierError::LeadDays(req.lead_days));
        }
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|s| s.trim().is_empty());
        if blank(&req.barrier.market) || (blank(&req.barrier.hs) && blank(&req.barrier.q)) {
            return Err(DossierError::Incomplete);
        }
        let mut check = self.barriers(&BarrierRequest {
            limit: MAX_FAMILIES,
            ..req.barrier.clone()
        })?;
        let on = check.open_on;
        let market = check.market.as_ref().map(|m| m.code);
        let families = std::mem::take(&mut check.families);

        let mut cited: Vec<DossierCited> = Vec::new();
        let mut measures = Vec::with_capacity(families.len());
        for family in families {
            for c in &family.cited_standards {
                match cited.iter_mut().find(|x| x.code == c.code) {
                    Some(x) => {
                        if !x.cited_by.contains(&family.base) {
                            x.cited_by.push(family.base.clone());
                        }
                    }
                    None => {
                        let has_text = match &c.record {
                            Some(r) => self
                                .get_standard(&r.id)?
                                .is_some_and(|s| !s.sections.is_empty()),
                            None => false,
                        };
                        let level = StandardCode::parse(&c.code)
                            .map(|x| x.level().as_str())
                            .unwrap_or("foreign");
                        cited.push(DossierCited {
                            code: c.code.clone(),
                            level,
                            cited_by: vec![family.base.clone()],
                            record: c.record.clone(),
                            has_text,
                            adopted_by: c.adopted_by.clone(),
                        });
                    }
                }
            }
            let internal_deadline = internal_deadline(family.comment_deadline, req.lead_days);
            let internal_days_left = if family.open_for_comment {
                internal_deadline.map(|d| (d - on).num_days())
            } else {
                None
            };
            let inherited_from = inherited_from(family.member.as_deref(), market);
            measures.push(DossierMeasure {
                family,
                internal_deadline,
                internal_days_left,
                inherited_from,
            });
        }
        let hs = match req
            .barrier
            .hs
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(h) => HsCode::parse(h).ok(),
            None => None,
        };
        let (chinese, chinese_total) =
            self.chinese_for_product(hs.as_ref(), req.barrier.q.as_deref(), on)?;
        Ok(Dossier {
            check,
            lead_days: req.lead_days,
            measures,
            cited,
            chinese,
            chinese_total,
        })
    }

    /// Chinese standards for a product: the HS chapter's names (Chinese and English) and the
    /// product words, each planned like a search (synonyms, glossary), any of them matching.
    fn chinese_for_product(
        &self,
        hs: Option<&HsCode>,
        q: Option<&str>,
        on: NaiveDate,
    ) -> Result<(Vec<DossierChinese>, usize), crate::IndexError> {
        let f = &self.fields;
        let mut alts: Vec<Box<dyn Query>> = Vec::new();
        if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
            let plan = query::plan(self, q);
            alts.push(query::build(self, &plan, &[], Mode::All));
        }
        if let (Some(hs), Some(chapters)) = (hs, self.hs_chapters()) {
            if let Some(ch) = chapters.of(hs) {
                for p in chapter_phrases(ch) {
                    let plan = query::plan(self, &p);
                    alts.push(query::build(self, &plan, &[], Mode::All));
                }
            }
        }
        if alts.is_empty() {
            return Ok((Vec::new(), 0));
        }
        let kind: Box<dyn Query> = Box::new(TermQuery::new(
            Term::from_field_text(f.kind, RecordKind::Standard.as_str()),
            IndexRecordOption::Basic,
        ));
        let any: Box<dyn Query> = Box::new(BooleanQuery::new(
            alts.into_iter().map(|q| (Occur::Should, q)).collect(),
        ));
        let bq = BooleanQuery::new(vec![(Occur::Must, kind), (Occur::Must, any)]);
        let searcher = self.reader.searcher();
        let table = self.editions_for(&searcher)?;
        let top = searcher.search(
            &bq,
            &TopDocs::with_limit(CHINESE_CANDIDATES).order_by_score(),
        )?;
        // Group order, then status, then score, then id. The group comes from the
        // `level` and `nature` columns; heads (status, titles: a stored-document read each) are
        // read only for the groups that fill the first MAX_CHINESE places, since the status
        // orders within a group only. Same answer as reading all, at half the reads or less.
        let mut by_group: Vec<(u8, usize, f32, tantivy::DocAddress)> = Vec::new();
        let mut columns: BTreeMap<u32, (Option<StrColumn>, Option<StrColumn>)> = BTreeMap::new();
        let mut text = String::new();
        for (rank, (score, addr)) in top.into_iter().enumerate() {
            let (level_col, nature_col) = match columns.entry(addr.segment_ord) {
                std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                std::collections::btree_map::Entry::Vacant(e) => {
                    let ff = searcher.segment_reader(addr.segment_ord).fast_fields();
                    e.insert((ff.str("level")?, ff.str("nature")?))
                }
            };
            let mut first = |col: &Option<StrColumn>| -> Result<Option<String>, crate::IndexError> {
                let Some(col) = col else { return Ok(None) };
                let Some(ord) = col.term_ords(addr.doc_id).next() else {
                    return Ok(None);
                };
                text.clear();
                let found = col
                    .ord_to_str(ord, &mut text)
                    .map_err(tantivy::TantivyError::from)?;
                Ok(found.then(|| text.clone()))
            };
            let level = first(level_col)?;
            let nature = first(nature_col)?;
            let Some(group) = chinese_group(level.as_deref(), nature.as_deref()) else {
                continue;
            };
            by_group.push((group, rank, score, addr));
        }
        let total = by_group.len();
        by_group.sort_by_key(|&(group, rank, _, _)| (group, rank));
        // The groups to read: every group up to and including the one that reaches MAX_CHINESE.
        let mut last_group = None;
        for (n, &(group, ..)) in by_group.iter().enumerate() {
            if n + 1 >= MAX_CHINESE {
                last_group = Some(group);
                break;
            }
        }
        // Within a group and status: best score first, then the id, so standards of equal score
        // come in the same order whatever order the ingest wrote them in (the search order
        // breaks ties by document address, which a parallel ingest or a re-index changes).
        let mut listed: Vec<(u8, u8, f32, DossierChinese)> = Vec::new();
        for (group, _, score, addr) in by_group {
            if last_group.is_some_and(|g| group > g) {
                break;
            }
            let head = self.hit_head(&searcher, addr)?;
            let verdict = table.verdict(&head.id, on);
            let hit = crate::request::hit_from_head(head, score, verdict);
            let Some(code) = hit
                .code
                .as_deref()
                .and_then(|c| StandardCode::parse(c).ok())
            else {
                continue;
            };
            let status = hit.status.map_or(1, Status::rank);
            listed.push((
                group,
                status,
                score,
                DossierChinese {
                    id: hit.id,
                    title_zh: hit.title_zh,
                    title_en: hit.title_en,
                    status: hit.status,
                    level: code.level().as_str(),
                    nature: code.nature().map(Nature::as_str),
                    implement_date: hit.implement_date,
                },
            ));
        }
        listed.sort_by(|a, b| {
            (a.0, a.1)
                .cmp(&(b.0, b.1))
                .then_with(|| b.2.total_cmp(&a.2))
                .then_with(|| a.3.id.cmp(&b.3.id))
        });
        Ok((
            listed
                .into_iter()
                .take(MAX_CHINESE)
                .map(|(.., c)| c)
                .collect(),
            total,
        ))
    }
}
