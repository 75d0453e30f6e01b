//! Wire types of `GET /api/v1/barriers` and `GET /api/v1/feeds/notifications.atom`: the query
//! parameters and the barrier-check answer, converted from the index's
//! [`biaozhun_index::barriers`] types so the engine can change without changing the JSON.

use biaozhun_index::barriers::{
    BarrierError, BarrierFamily, BarrierReport, BarrierRequest, ChineseCounterpart, CitedStandard,
    HsInfo, MarketInfo, MeasureState, MemberDocument, StateEvent,
};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::Limits;
use crate::error::ApiError;
use crate::wire::records::{notification_url, standard_url};

/// Query parameters of `GET /api/v1/barriers` (and of the feed, without `open_on`/`limit`).
#[derive(Debug, Default, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BarrierParams {
    /// Market: WTO member code, English or Chinese name (`EU`, `European Union`, `欧盟`, `沙特`).
    pub market: Option<String>,
    /// HS code at any level (`95`, `9503`, `8415.10`); matched both ways, and notifications
    /// without HS codes are matched on the chapter's names (flagged `product_text`).
    pub hs: Option<String>,
    /// Product words in Chinese or English (`玩具`, `toys`); expanded through the glossary.
    pub q: Option<String>,
    /// Date comment periods are judged on, `YYYY-MM-DD` (default today).
    pub open_on: Option<String>,
    /// Families to return, 1 to 200 (default 50).
    #[param(value_type = Option<u32>)]
    pub limit: Option<String>,
}

impl BarrierParams {
    /// Validates the parameters and builds the index request.
    pub fn into_request(self, limits: &Limits) -> Result<BarrierRequest, ApiError> {
        let q = self.q.filter(|q| !q.trim().is_empty());
        if let Some(q) = &q {
            let chars = q.chars().count();
            if chars > limits.max_query_chars {
                return Err(ApiError::invalid(format!(
                    "q has {chars} characters, at most {} are accepted",
                    limits.max_query_chars
                )));
            }
        }
        let open_on = match self.open_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(s) => Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                ApiError::invalid(format!("open_on must be a date YYYY-MM-DD, got {s:?}"))
            })?),
        };
        let max = biaozhun_index::barriers::MAX_FAMILIES;
        let limit = match self.limit.as_deref().map(str::trim) {
            None | Some("") => 0,
            Some(s) => match s.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    return Err(ApiError::invalid(format!(
                        "limit must be between 1 and {max}, got {s:?}"
                    )))
                }
            },
        };
        Ok(BarrierRequest {
            market: self.market,
            hs: self.hs,
            q,
            open_on,
            limit,
        })
    }
}

/// Maps a barrier-check error: bad market, HS code or limit are the client's mistake.
pub fn barrier_error(e: BarrierError) -> ApiError {
    match e {
        BarrierError::Index(e) => crate::routes::index_error(e),
        user => ApiError::invalid(user.to_string()),
    }
}

/// Answer of `GET /api/v1/barriers`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BarrierAnswer {
    /// The market as resolved.
    pub market: Option<MarketWire>,
    /// The HS code as resolved, with its chapter names.
    pub hs: Option<HsWire>,
    /// The words as given.
    pub q: Option<String>,
    /// Query terms as understood.
    pub terms: Vec<String>,
    /// HS chapters whose names contain a query word.
    pub q_chapters: Vec<String>,
    /// Date comment periods were judged on.
    pub open_on: NaiveDate,
    /// Families found (before `limit`).
    pub total: usize,
    /// True when all words together found nothing and any word was accepted.
    pub relaxed: bool,
    /// Matching measures grouped by family, newest first.
    pub families: Vec<FamilyWire>,
}

/// A resolved market.
#[derive(Debug, Serialize, ToSchema)]
pub struct MarketWire {
    /// WTO code in symbols (`SAU`).
    pub code: String,
    /// English name.
    pub name_en: String,
    /// Chinese name.
    pub name_zh: String,
}

/// A resolved HS code.
#[derive(Debug, Serialize, ToSchema)]
pub struct HsWire {
    /// Customs notation.
    pub code: String,
    /// Two-digit chapter.
    pub chapter: String,
    /// Chapter name in Chinese.
    pub chapter_zh: Option<String>,
    /// Chapter name in English.
    pub chapter_en: Option<String>,
}

/// One notified measure with all its documents.
#[derive(Debug, Serialize, ToSchema)]
pub struct FamilyWire {
    /// Base symbol.
    pub base: String,
    /// API path of the base notification.
    pub url: String,
    /// Web page of the base notification.
    pub page: String,
    /// `TBT` or `SPS`.
    pub agreement: String,
    /// Member code.
    pub member: Option<String>,
    /// Member name.
    pub member_name: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Products covered.
    pub products: Option<String>,
    /// HS codes listed.
    pub hs_codes: Vec<String>,
    /// Objectives.
    pub objectives: Vec<String>,
    /// Distribution date of the base.
    pub distribution_date: Option<NaiveDate>,
    /// Distribution date of the newest document.
    pub last_update: Option<NaiveDate>,
    /// Latest comment deadline.
    pub comment_deadline: Option<NaiveDate>,
    /// Proposed or reported adoption date.
    pub proposed_adoption: Option<NaiveDate>,
    /// Proposed or reported entry into force.
    pub entry_into_force: Option<NaiveDate>,
    /// State of the measure.
    pub state: StateWire,
    /// Open for comment on `open_on`.
    pub open_for_comment: bool,
    /// Days left to comment, when open.
    pub days_left: Option<i64>,
    /// Standards cited, with catalog records when present.
    pub cited_standards: Vec<CitedWire>,
    /// `hs`, `product_text` (weaker: matched on HS chapter names) or `query`.
    pub match_kind: String,
    /// The family's documents, base first.
    pub documents: Vec<DocumentWire>,
}

/// State of a measure as its addenda report it.
#[derive(Debug, Serialize, ToSchema)]
pub struct StateWire {
    /// `proposed`, `adopted`, `in_force` or `withdrawn`.
    pub label: String,
    /// Adoption.
    pub adopted: Option<EventWire>,
    /// Entry into force.
    pub entered_into_force: Option<EventWire>,
    /// Withdrawal.
    pub withdrawn: Option<EventWire>,
    /// Extension of the comment period.
    pub comment_period_extended: Option<EventWire>,
}

/// An event and the document reporting it.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventWire {
    /// Symbol of the reporting document.
    pub reported_by: String,
    /// Date reported, when given.
    pub date: Option<NaiveDate>,
}

/// A cited standard.
#[derive(Debug, Serialize, ToSchema)]
pub struct CitedWire {
    /// The code as cited.
    pub code: String,
    /// Catalog record id, when the index holds the code.
    pub id: Option<String>,
    /// API path of that record.
    pub url: Option<String>,
    /// Its Chinese title.
    pub title_zh: Option<String>,
    /// Its status on `open_on`.
    pub status: Option<String>,
    /// True when the cited edition itself is the record; false when the current edition of
    /// the code was taken.
    pub exact: Option<bool>,
    /// The Chinese standards adopting the cited one (采标), current ones first.
    pub adopted_by: Vec<CounterpartWire>,
}

/// A Chinese standard adopting a cited foreign standard.
#[derive(Debug, Serialize, ToSchema)]
pub struct CounterpartWire {
    /// Record id (`GB/T 42061-2022`).
    pub id: String,
    /// API path of the record.
    pub url: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Status on `open_on`.
    pub status: Option<String>,
    /// The foreign edition it adopts.
    pub adopts: String,
    /// `IDT`, `MOD`, `NEQ`, `EQV` or `≈`, when stated.
    pub degree: Option<String>,
}

/// One document of a family.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentWire {
    /// Symbol.
    pub symbol: String,
    /// `base`, `addendum`, `corrigendum` or `revision`.
    pub role: String,
    /// API path.
    pub url: String,
    /// Distribution date.
    pub distribution_date: Option<NaiveDate>,
    /// Comment deadline it sets.
    pub comment_deadline: Option<NaiveDate>,
    /// English title.
    pub title_en: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Whether it matched itself (otherwise it came with its family).
    pub matched: bool,
}

/// Web page of a notification (the WEB helper's route).
pub fn notification_page(symbol: &str) -> String {
    notification_url(symbol).replacen("/api/v1/notifications/", "/notification/", 1)
}

fn event(e: Option<StateEvent>) -> Option<EventWire> {
    e.map(|e| EventWire {
        reported_by: e.reported_by,
        date: e.date,
    })
}

pub(crate) fn snake<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl BarrierAnswer {
    /// Converts the index's report.
    pub fn from_report(r: BarrierReport) -> BarrierAnswer {
        BarrierAnswer {
            market: r.market.map(MarketWire::from),
            hs: r.hs.map(HsWire::from),
            q: r.q,
            terms: r.terms,
            q_chapters: r.q_chapters,
            open_on: r.open_on,
            total: r.total,
            relaxed: r.relaxed,
            families: r.families.into_iter().map(family).collect(),
        }
    }
}

impl From<MarketInfo> for MarketWire {
    fn from(m: MarketInfo) -> MarketWire {
        MarketWire {
            code: m.code.into(),
            name_en: m.name_en.into(),
            name_zh: m.name_zh.into(),
        }
    }
}

impl From<HsInfo> for HsWire {
    fn from(h: HsInfo) -> HsWire {
        HsWire {
            code: h.code,
            chapter: h.chapter,
            chapter_zh: h.chapter_zh,
            chapter_en: h.chapter_en,
        }
    }
}

impl From<ChineseCounterpart> for CounterpartWire {
    fn from(a: ChineseCounterpart) -> CounterpartWire {
        CounterpartWire {
            url: standard_url(&a.id),
            id: a.id,
            title_zh: a.title_zh,
            status: a.status.as_ref().map(snake),
            adopts: a.adopts,
            degree: a.degree.map(str::to_string),
        }
    }
}

/// Converts one family (the dossier lists the same families).
pub(crate) fn family(f: BarrierFamily) -> FamilyWire {
    let MeasureState {
        label,
        adopted,
        entered_into_force,
        withdrawn,
        comment_period_extended,
    } = f.state;
    FamilyWire {
        url: notification_url(&f.base),
        page: notification_page(&f.base),
        base: f.base,
        agreement: f.agreement.into(),
        member: f.member,
        member_name: f.member_name,
        title_en: f.title_en,
        title_zh: f.title_zh,
        products: f.products,
        hs_codes: f.hs_codes,
        objectives: f.objectives,
        distribution_date: f.distribution_date,
        last_update: f.last_update,
        comment_deadline: f.comment_deadline,
        proposed_adoption: f.proposed_adoption,
        entry_into_force: f.entry_into_force,
        state: StateWire {
            label: snake(&label),
            adopted: event(adopted),
            entered_into_force: event(entered_into_force),
            withdrawn: event(withdrawn),
            comment_period_extended: event(comment_period_extended),
        },
        open_for_comment: f.open_for_comment,
        days_left: f.days_left,
        cited_standards: f.cited_standards.into_iter().map(cited).collect(),
        match_kind: snake(&f.match_kind),
        documents: f.documents.into_iter().map(document).collect(),
    }
}

fn cited(c: CitedStandard) -> CitedWire {
    let adopted_by = c
        .adopted_by
        .into_iter()
        .map(CounterpartWire::from)
        .collect();
    match c.record {
        Some(r) => CitedWire {
            code: c.code,
            url: Some(standard_url(&r.id)),
            status: r.status.as_ref().map(snake),
            id: Some(r.id),
            title_zh: r.title_zh,
            exact: Some(r.exact),
            adopted_by,
        },
        None => CitedWire {
            code: c.code,
            id: None,
            url: None,
            title_zh: None,
            status: None,
            exact: None,
            adopted_by,
        },
    }
}

fn document(d: MemberDocument) -> DocumentWire {
    DocumentWire {
        url: notification_url(&d.symbol),
        symbol: d.symbol,
        role: d.role.into(),
        distribution_date: d.distribution_date,
        comment_deadline: d.comment_deadline,
        title_en: d.title_en,
        title_zh: d.title_zh,
        description: d.description,
        matched: d.matched,
    }
}
