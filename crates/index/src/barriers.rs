//! Barrier checks: "which trade measures of this market touch my product?"
//!
//! An exporter names a market (WTO code, English or Chinese name) and a product (an HS code at
//! any level, or words in Chinese or English). The answer is the matching WTO notifications
//! grouped into families (base, addenda, corrigenda, revisions), newest first, each with its
//! state (adopted, in force, withdrawn), whether it is open for comment on a date, and the
//! standards it cites resolved against the catalog records of this index.
//!
//! Matching, in this file (the pure rules it follows are in [`biaozhun_model::trade`]: market
//! names, HS chapter phrases, the state label and the facts of a family):
//! - market: the `member` keyword field, the member's union included (an EU member state's
//!   market has the EU's measures too);
//! - HS code: prefix in both directions (`95` listed covers a user's `950300`, a user's `84`
//!   finds `8415.10`); notifications that list no HS code at all are also matched when their
//!   text matches the names of the code's HS chapter (`index-config/hs-chapters.toml`), and
//!   flagged as the weaker [`MatchKind::ProductText`];
//! - words: the ordinary query plan of [`crate::query`] (glossary and synonym expansion make a
//!   Chinese word find English texts), plus the HS chapters whose names contain the word.
//!
//! The wire format lives in `biaozhun-api`; the types here are the engine's answer.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use biaozhun_model::trade::{
    chapter_phrases, chapters_for_query, document_role, resolve_market, FamilyFacts, MarketError,
};
use biaozhun_model::{
    FamilyEvent, HsChapters, HsCode, Notification, NotificationFamily, RecordKind, Standard,
    StandardCode, Status,
};
use chrono::NaiveDate;
use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::{TantivyDocument, Term};

use crate::query::{self, Mode};
use crate::store::Index;
use crate::IndexError;

pub use biaozhun_model::trade::{MatchKind, StateLabel};

/// Most notifications one check looks at (the answer is grouped and cut to `limit` families).
pub const MAX_MATCHES: usize = 2_000;
/// Most families one answer lists.
pub const MAX_FAMILIES: usize = 200;
/// Families listed when the request gives no limit.
pub const DEFAULT_FAMILIES: usize = 50;

/// A barrier check as the caller typed it; validated by [`Index::barriers`].
#[derive(Debug, Clone, Default)]
pub struct BarrierRequest {
    /// WTO member code, English or Chinese name (`EU`, `European Union`, `欧盟`, `沙特`).
    pub market: Option<String>,
    /// HS code at any level (`95`, `9503`, `8415.10`).
    pub hs: Option<String>,
    /// Product words in Chinese or English.
    pub q: Option<String>,
    /// Date "open for comment" is judged on (today when absent).
    pub open_on: Option<NaiveDate>,
    /// Families to return (0 means [`DEFAULT_FAMILIES`]).
    pub limit: usize,
}

/// Why a barrier check cannot be answered as asked. The user errors name the value.
#[derive(Debug, thiserror::Error)]
pub enum BarrierError {
    /// The market is no WTO member we know (the error names close ones).
    #[error(transparent)]
    Market(#[from] MarketError),
    /// The HS code is malformed.
    #[error("invalid hs {value:?}: expected 2 to 10 digits, such as 95, 9503 or 8415.10")]
    InvalidHs {
        /// The value as given.
        value: String,
    },
    /// `limit` above [`MAX_FAMILIES`].
    #[error("limit {0} is above the maximum {MAX_FAMILIES}")]
    Limit(usize),
    /// The index failed.
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// One event of the family state: which document reports it, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateEvent {
    /// The document that reports it.
    pub reported_by: String,
    /// The date it reports, when it gives one.
    pub date: Option<NaiveDate>,
}

/// The state of the measure as the family's addenda report it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeasureState {
    /// Summary label.
    pub label: StateLabel,
    /// Adoption, when reported.
    pub adopted: Option<StateEvent>,
    /// Entry into force, when reported (possibly in the future).
    pub entered_into_force: Option<StateEvent>,
    /// Withdrawal, when reported.
    pub withdrawn: Option<StateEvent>,
    /// Extension of the comment period, when reported.
    pub comment_period_extended: Option<StateEvent>,
}

/// A catalog record a cited code resolved to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedStandard {
    /// Record id (canonical code with year).
    pub id: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Status on the check date.
    pub status: Option<Status>,
    /// True when the cited edition itself is in the catalog; false when the code was cited
    /// without that edition and the current edition was taken.
    pub exact: bool,
}

/// A standard cited by a member of the family.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CitedStandard {
    /// The code as cited, canonical (`ASTM F963-17`, `ISO 16528-1`).
    pub code: String,
    /// The catalog record, when this index holds one.
    pub record: Option<ResolvedStandard>,
    /// For a foreign or international code: the Chinese standards adopting it (采标), current
    /// ones first, so an exporter sees the domestic counterpart.
    pub adopted_by: Vec<ChineseCounterpart>,
}

/// A Chinese standard adopting a cited foreign one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChineseCounterpart {
    /// Record id (`GB/T 42061-2022`).
    pub id: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Status on the check date.
    pub status: Option<Status>,
    /// The foreign edition it adopts.
    pub adopts: String,
    /// `IDT`, `MOD`, `NEQ`, `EQV` or `≈`, when stated.
    pub degree: Option<&'static str>,
}

/// One document of a family.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberDocument {
    /// Symbol (`G/TBT/N/USA/2146/Add.1`).
    pub symbol: String,
    /// `base`, `addendum`, `corrigendum` or `revision` (its last suffix).
    pub role: &'static str,
    /// Distribution date.
    pub distribution_date: Option<NaiveDate>,
    /// Comment deadline it sets.
    pub comment_deadline: Option<NaiveDate>,
    /// English title.
    pub title_en: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Description of content.
    pub description: Option<String>,
    /// Whether this document itself matched the check (the others came with their family).
    pub matched: bool,
}

/// One notified measure: a family with its state and dates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarrierFamily {
    /// Base symbol (`G/TBT/N/USA/2146`), even when the base document is not in the index.
    pub base: String,
    /// `TBT` or `SPS`.
    pub agreement: &'static str,
    /// Member code.
    pub member: Option<String>,
    /// Member name as the source wrote it.
    pub member_name: Option<String>,
    /// English title (of the base, else of the newest member that has one).
    pub title_en: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Products covered.
    pub products: Option<String>,
    /// HS codes listed by any member.
    pub hs_codes: Vec<String>,
    /// Objectives listed by any member.
    pub objectives: Vec<String>,
    /// Distribution date of the base (or of the earliest member held).
    pub distribution_date: Option<NaiveDate>,
    /// Distribution date of the newest member (the family order).
    pub last_update: Option<NaiveDate>,
    /// Latest comment deadline of any member.
    pub comment_deadline: Option<NaiveDate>,
    /// Proposed (or reported) adoption date.
    pub proposed_adoption: Option<NaiveDate>,
    /// Proposed (or reported) entry into force.
    pub entry_into_force: Option<NaiveDate>,
    /// State as reported by the addenda.
    pub state: MeasureState,
    /// Open for comment on the check date (deadline not passed, not withdrawn).
    pub open_for_comment: bool,
    /// Days from the check date to the deadline, when open.
    pub days_left: Option<i64>,
    /// Standards cited by any member.
    pub cited_standards: Vec<CitedStandard>,
    /// How the family was found.
    pub match_kind: MatchKind,
    /// Member documents, base first.
    pub documents: Vec<MemberDocument>,
}

/// The resolved market.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarketInfo {
    /// WTO code in symbols (`SAU`).
    pub code: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
}

/// The resolved HS code with its chapter names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HsInfo {
    /// Customs notation (`7311`, `8415.10`).
    pub code: String,
    /// Two-digit chapter.
    pub chapter: String,
    /// Chapter name in Chinese.
    pub chapter_zh: Option<String>,
    /// Chapter name in English.
    pub chapter_en: Option<String>,
}

/// The answer to a barrier check.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarrierReport {
    /// The market, resolved.
    pub market: Option<MarketInfo>,
    /// The HS code, resolved.
    pub hs: Option<HsInfo>,
    /// The words as given.
    pub q: Option<String>,
    /// Query terms as understood (after segmentation).
    pub terms: Vec<String>,
    /// HS chapters whose names contain a query word (their notifications match too).
    pub q_chapters: Vec<String>,
    /// The date comment periods are judged on.
    pub open_on: NaiveDate,
    /// Families found (before the limit).
    pub total: usize,
    /// True when all words together found nothing and any word was accepted.
    pub relaxed: bool,
    /// Families, newest first.
    pub families: Vec<BarrierFamily>,
}

impl Index {
    /// The HS chapter names the index was opened with (its `config/` copy, read and validated
    /// once at open), `None` when the file is absent.
    pub fn hs_chapters(&self) -> Option<&HsChapters> {
        self.chapters.as_ref()
    }

    /// Every notification id in the index (for "what is new after this ingest").
    pub fn notification_ids(&self) -> Result<HashSet<String>, IndexError> {
        let searcher = self.reader.searcher();
        let q = keyword(self.fields.kind, RecordKind::Notification.as_str());
        let top = searcher.search(&q, &TopDocs::with_limit(1_000_000).order_by_score())?;
        let mut out = HashSet::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let (_, json) = self.doc_record(&doc);
            if let Ok(n) = serde_json::from_str::<Notification>(&json) {
                out.insert(n.id());
            }
        }
        Ok(out)
    }

    /// Runs a barrier check (see the module documentation for the matching rules).
    pub fn barriers(&self, req: &BarrierRequest) -> Result<BarrierReport, BarrierError> {
        let limit = if req.limit == 0 {
            DEFAULT_FAMILIES
        } else {
            req.limit
        };
        if limit > MAX_FAMILIES {
            return Err(BarrierError::Limit(limit));
        }
        let open_on = req
            .open_on
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let market = match nonempty(&req.market) {
            Some(m) => Some(resolve_market(m)?),
            None => None,
        };
        let hs = match nonempty(&req.hs) {
            Some(h) => Some(HsCode::parse(h).map_err(|_| BarrierError::InvalidHs {
                value: h.to_string(),
            })?),
            None => None,
        };
        let q = nonempty(&req.q).map(str::to_string);
        let chapters = self.hs_chapters();
        let f = &self.fields;

        let mut must: Vec<Box<dyn Query>> =
            vec![keyword(f.kind, RecordKind::Notification.as_str())];
        if let Some(m) = market {
            // A member state's market includes its union's measures (DEU → DEU, EU).
            let codes = m
                .market_codes()
                .into_iter()
                .map(|c| keyword(f.member, c))
                .collect();
            must.push(should(codes));
        }
        if let Some(hs) = &hs {
            let mut alts = vec![keyword(f.hs, hs.digits())];
            for a in hs.ancestors() {
                alts.push(keyword(f.hs, &format!("={a}")));
            }
            if let Some(ch) = chapters.and_then(|c| c.of(hs)) {
                for p in chapter_phrases(ch) {
                    let plan = query::plan(self, &p);
                    alts.push(query::build(self, &plan, &[], Mode::All));
                }
            }
            must.push(should(alts));
        }
        let mut q_chapters = Vec::new();
        let mut terms = Vec::new();
        let plan = q.as_deref().map(|q| query::plan(self, q));
        if let (Some(q), Some(c)) = (&q, chapters) {
            q_chapters = chapters_for_query(c, q);
        }
        if let Some(p) = &plan {
            terms = p.understood().terms;
        }
        let searcher = self.reader.searcher();
        let run = |mode: Mode| -> Result<Vec<Notification>, IndexError> {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                must.iter().map(|q| (Occur::Must, q.box_clone())).collect();
            if let Some(p) = &plan {
                let mut alts = vec![query::build(self, p, &[], mode)];
                for ch in &q_chapters {
                    alts.push(keyword(f.hs, ch));
                }
                clauses.push((Occur::Must, should(alts)));
            }
            let bq = BooleanQuery::new(clauses);
            let top = searcher.search(&bq, &TopDocs::with_limit(MAX_MATCHES).order_by_score())?;
            let mut out = Vec::with_capacity(top.len());
            for (_, addr) in top {
                let doc: TantivyDocument = searcher.doc(addr)?;
                let (_, json) = self.doc_record(&doc);
                let n: Notification =
                    serde_json::from_str(&json).map_err(|e| IndexError::Corrupt {
                        id: String::new(),
                        message: e.to_string(),
                    })?;
                out.push(n);
            }
            Ok(out)
        };
        let mut matched = run(Mode::All)?;
        let mut relaxed = false;
        if matched.is_empty() && plan.as_ref().is_some_and(query::Plan::can_relax) {
            matched = run(Mode::Any)?;
            relaxed = !matched.is_empty();
        }

        let matched_ids: HashSet<String> = matched.iter().map(Notification::id).collect();
        let bases: BTreeSet<String> = matched
            .iter()
            .map(|n| n.symbol.base().to_string())
            .collect();
        let mut families = Vec::new();
        for base in bases {
            let members = self.family_members(&base)?;
            let Ok(family) = NotificationFamily::new(members) else {
                continue;
            };
            let listed: Vec<&HsCode> = family.members().iter().flat_map(|n| &n.hs_codes).collect();
            // A family listing HS codes, none of them related to the user's: a text coincidence.
            let Some(match_kind) = MatchKind::of(hs.as_ref(), &listed) else {
                continue;
            };
            families.push(self.family_report(&family, &matched_ids, match_kind, open_on)?);
        }
        families.sort_by(|a, b| {
            b.last_update
                .cmp(&a.last_update)
                .then_with(|| a.match_kind.cmp(&b.match_kind))
                .then_with(|| a.base.cmp(&b.base))
        });
        let total = families.len();
        families.truncate(limit);
        Ok(BarrierReport {
            market: market.map(|m| MarketInfo {
                code: m.code,
                name_en: m.name_en,
                name_zh: m.name_zh,
            }),
            hs: hs.as_ref().map(|h| {
                let ch = chapters.and_then(|c| c.of(h));
                HsInfo {
                    code: h.to_string(),
                    chapter: h.chapter().to_string(),
                    chapter_zh: ch.map(|c| c.zh.clone()),
                    chapter_en: ch.map(|c| c.en.clone()),
                }
            }),
            q,
            terms,
            q_chapters,
            open_on,
            total,
            relaxed,
            families,
        })
    }

    /// Every notification sharing the base symbol `base`.
    pub fn family_members(&self, base: &str) -> Result<Vec<Notification>, IndexError> {
        let searcher = self.reader.searcher();
        let q = keyword(self.fields.symbol_base, base);
        let top = searcher.search(&q, &TopDocs::with_limit(1_000).order_by_score())?;
        let mut out = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let (kind, json) = self.doc_record(&doc);
            if kind != Some(RecordKind::Notification) {
                continue;
            }
            match serde_json::from_str::<Notification>(&json) {
                Ok(n) => out.push(n),
                Err(e) => {
                    return Err(IndexError::Corrupt {
                        id: base.to_string(),
                        message: e.to_string(),
                    })
                }
            }
        }
        Ok(out)
    }

    /// The edition a cited code stands for on `on`: the exact edition when the index holds it,
    /// else the edition in force that the code leads to (or the newest edition of its number),
    /// from the edition table (`crate::editions`). Returns the record, whether it is the
    /// edition cited, and its status on `on` by the one rule.
    pub fn resolve_standard(
        &self,
        code: &StandardCode,
        on: NaiveDate,
    ) -> Result<Option<(Standard, bool, Option<Status>)>, IndexError> {
        let Some(chain) = self.edition_chain(code, on)? else {
            return Ok(None);
        };
        let exact = chain
            .edition
            .as_deref()
            .and_then(|id| chain.get(id))
            .filter(|e| e.in_index);
        let (pick, is_exact) = match exact {
            Some(e) => (Some(e), true),
            None => (chain.best().filter(|e| e.in_index), false),
        };
        let Some(e) = pick else { return Ok(None) };
        Ok(self.get_standard(&e.id)?.map(|s| (s, is_exact, e.status)))
    }

    fn family_report(
        &self,
        family: &NotificationFamily,
        matched: &HashSet<String>,
        match_kind: MatchKind,
        on: NaiveDate,
    ) -> Result<BarrierFamily, IndexError> {
        let facts = FamilyFacts::of(family, on);
        let event = |e: &Option<FamilyEvent>| {
            e.as_ref().map(|e| StateEvent {
                reported_by: e.reported_by.to_string(),
                date: e.date,
            })
        };
        let mut cited_standards = Vec::with_capacity(facts.cited.len());
        for c in &facts.cited {
            let record = self
                .resolve_standard(c, on)?
                .map(|(s, exact, status)| ResolvedStandard {
                    id: s.id(),
                    status,
                    title_zh: s.title_zh,
                    title_en: s.title_en,
                    exact,
                });
            let adopted_by = self
                .adopted_by(c, on)?
                .into_iter()
                .map(|a| ChineseCounterpart {
                    id: a.standard.id(),
                    title_zh: a.standard.title_zh,
                    status: a.status,
                    adopts: a.adopts.to_string(),
                    degree: a.degree.map(|d| d.label()),
                })
                .collect();
            cited_standards.push(CitedStandard {
                code: c.to_string(),
                record,
                adopted_by,
            });
        }
        Ok(BarrierFamily {
            base: family.base().to_string(),
            agreement: family.base().agreement().as_str(),
            member: facts.member,
            member_name: facts.member_name,
            title_en: facts.title_en,
            title_zh: facts.title_zh,
            products: facts.products,
            hs_codes: facts.hs_codes,
            objectives: facts.objectives,
            distribution_date: facts.distribution_date,
            last_update: facts.last_update,
            comment_deadline: facts.comment_deadline,
            proposed_adoption: facts.proposed_adoption,
            entry_into_force: facts.entry_into_force,
            state: MeasureState {
                label: facts.label,
                adopted: event(&facts.state.adopted),
                entered_into_force: event(&facts.state.entered_into_force),
                withdrawn: event(&facts.state.withdrawn),
                comment_period_extended: event(&facts.state.comment_period_extended),
            },
            open_for_comment: facts.open_for_comment,
            days_left: facts.days_left,
            cited_standards,
            match_kind,
            documents: family
                .members()
                .iter()
                .map(|n| MemberDocument {
                    symbol: n.id(),
                    role: document_role(&n.symbol),
                    distribution_date: n.distribution_date,
                    comment_deadline: n.comment_deadline,
                    title_en: n.title_en.clone(),
                    title_zh: n.title_zh.clone(),
                    description: n.description.clone(),
                    matched: matched.contains(&n.id()),
                })
                .collect(),
        })
    }
}

impl BarrierReport {
    /// The matched notifications of every family, newest first (what a feed lists).
    pub fn newest_documents(&self) -> Vec<(&BarrierFamily, &MemberDocument)> {
        let mut out: Vec<(&BarrierFamily, &MemberDocument)> = self
            .families
            .iter()
            .flat_map(|f| f.documents.iter().map(move |d| (f, d)))
            .collect();
        out.sort_by(|a, b| {
            b.1.distribution_date
                .cmp(&a.1.distribution_date)
                .then_with(|| a.1.symbol.cmp(&b.1.symbol))
        });
        out
    }

    /// Families per state label, for summaries.
    pub fn count_by_state(&self) -> BTreeMap<&'static str, usize> {
        let mut out = BTreeMap::new();
        for f in &self.families {
            *out.entry(f.state.label.as_str()).or_insert(0) += 1;
        }
        out
    }
}

fn nonempty(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn keyword(field: tantivy::schema::Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::Basic,
    ))
}

fn should(mut qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if qs.len() == 1 {
        if let Some(q) = qs.pop() {
            return q;
        }
    }
    Box::new(BooleanQuery::new(
        qs.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}
