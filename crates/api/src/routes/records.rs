//! Record routes: a standard with its edition chain and citation graph, a notification with its
//! family, a regulation. Identifiers are accepted in any spelling; a spelling that differs from
//! the canonical one answers `301` to the canonical URL, so links and caches converge.

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use biaozhun_index::{Index, SearchRequest};
use biaozhun_model::{Level, NotificationSymbol, RecordKind, Standard, StandardCode};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::routes::index_error;
use crate::state::AppState;
use crate::wire::records::{
    notification_detail, notification_ref, notification_url, regulation_detail, standard_detail,
    standard_ref, standard_url, AdoptionWire, EditionRef, NotificationDetail, RecordRef, Reference,
    RegulationDetail, StandardDetail,
};
use crate::wire::search::parse_date;

/// How many records a graph lookup (editions, citing documents) considers.
const GRAPH_LIMIT: usize = 100;

/// Query parameters of `GET /standards/{code}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StandardParams {
    /// `summary` (default: the first 200 characters of each section) or `full`.
    pub text: Option<String>,
    /// The date statuses hold on (`YYYY-MM-DD`, default today): the record's status, its
    /// edition chain and the edition in force, as search answers for the same date.
    pub as_of: Option<String>,
}

/// A standard by code in any spelling (`gbt7714-2015`, `GB%2FT%207714-2015`, `GB/T 7714-2015`).
#[utoipa::path(get, path = "/api/v1/standards/{code}", tag = "records",
    params(("code" = String, Path, description = "standard number in any spelling, URL-encoded; a code without year redirects to the current edition"), StandardParams),
    responses(
        (status = 200, description = "the standard", body = StandardDetail),
        (status = 301, description = "the spelling differs from the canonical code: Location holds the canonical URL"),
        (status = 302, description = "a code without year: Location holds the current edition"),
        (status = 400, description = "`invalid_parameter`: not a standard number, a bad `text` value, or `as_of` not a date", body = ErrorBody),
        (status = 404, description = "`not_found`: no such standard in the index", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn standard(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    ApiQuery(params): ApiQuery<StandardParams>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let full = match params.text.as_deref() {
        None | Some("summary") => false,
        Some("full") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "text {other:?} is neither summary nor full"
            )))
        }
    };
    let as_of = parse_date("as_of", params.as_of.as_deref())?
        .unwrap_or_else(|| chrono::Local::now().date_naive());
    let code = StandardCode::parse(raw.trim_start_matches('/'))
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let canonical = code.to_string();
    let index = state.index()?;
    let answer = state
        .read(move || -> Result<Lookup, ApiError> {
            // Padding-insensitive: `YY 505-2012` finds `YY 0505-2012` (and redirects to it).
            if let Some(s) = index.find_standard(&code).map_err(index_error)? {
                return Ok(Lookup::Found(Box::new(build_standard(
                    &index, &s, as_of, full,
                )?)));
            }
            if code.year().is_none() {
                let chain = index.edition_chain(&code, as_of).map_err(index_error)?;
                if let Some(e) = chain.as_ref().and_then(|c| c.best()) {
                    return Ok(Lookup::Edition(e.id.clone()));
                }
            }
            Ok(Lookup::Missing)
        })
        .await?;
    match answer {
        Lookup::Found(detail) => {
            // Any other spelling (case, slash, padding) answers 301 to the official one.
            if raw.trim_start_matches('/') != detail.id {
                return Ok(redirect(
                    StatusCode::MOVED_PERMANENTLY,
                    &standard_url(&detail.id),
                    &uri,
                ));
            }
            Ok(Json(*detail).into_response())
        }
        Lookup::Edition(id) => Ok(redirect(StatusCode::FOUND, &standard_url(&id), &uri)),
        Lookup::Missing => Err(ApiError::not_found(format!(
            "no standard {canonical} in the index"
        ))),
    }
}

enum Lookup {
    Found(Box<StandardDetail>),
    Edition(String),
    Missing,
}

fn redirect(status: StatusCode, path: &str, uri: &Uri) -> Response {
    let location = match uri.query() {
        Some(q) => format!("{path}?{q}"),
        None => path.to_string(),
    };
    (status, [(header::LOCATION, location)]).into_response()
}

/// Resolves a cited code on `as_of`: the exact edition when the index holds it, else (an
/// undated citation, or an edition the index lacks) the edition in force it leads to, else the
/// newest edition of its number. From the edition table: no record is read.
fn resolve(
    index: &Index,
    code: &StandardCode,
    as_of: chrono::NaiveDate,
) -> Result<Option<RecordRef>, ApiError> {
    let Some(chain) = index.edition_chain(code, as_of).map_err(index_error)? else {
        return Ok(None);
    };
    let exact = chain
        .edition
        .as_deref()
        .and_then(|id| chain.get(id))
        .filter(|e| e.in_index);
    Ok(exact
        .or_else(|| chain.best().filter(|e| e.in_index))
        .map(|e| EditionRef::from_edition(e).to_record_ref()))
}

fn build_standard(
    index: &Index,
    s: &Standard,
    as_of: chrono::NaiveDate,
    full: bool,
) -> Result<StandardDetail, ApiError> {
    let chain = index.edition_chain(&s.code, as_of).map_err(index_error)?;
    let mut d = standard_detail(s, chain.as_ref(), as_of, full);
    for a in index.adopts(s, as_of).map_err(index_error)? {
        d.adopts.push(AdoptionWire {
            code: a.link.code.to_string(),
            adopts: None,
            degree: a.link.degree.map(|x| x.label().to_string()),
            degree_zh: a.link.degree.map(|x| x.label_zh().to_string()),
            record: a.record.map(|r| RecordRef {
                url: standard_url(&r.id),
                id: r.id,
                kind: RecordKind::Standard,
                title: r.title_zh.or(r.title_en),
                status: r.status.map(|x| x.as_str().to_string()),
            }),
        });
    }
    if matches!(s.code.level(), Level::International | Level::Foreign) {
        for a in index.adopted_by(&s.code, as_of).map_err(index_error)? {
            // The status on `as_of` by the edition table, as search shows it.
            let mut record = standard_ref(&a.standard);
            record.status = a.status.map(|x| x.as_str().to_string());
            d.adopted_by.push(AdoptionWire {
                code: a.standard.id(),
                adopts: Some(a.adopts.to_string()),
                degree: a.degree.map(|x| x.label().to_string()),
                degree_zh: a.degree.map(|x| x.label_zh().to_string()),
                record: Some(record),
            });
        }
    }
    for code in s.references.iter().take(GRAPH_LIMIT) {
        d.references.push(Reference {
            code: code.to_string(),
            record: resolve(index, code, as_of)?,
        });
    }
    for c in index
        .cited_by(&s.code, as_of, GRAPH_LIMIT)
        .map_err(index_error)?
    {
        let r = RecordRef {
            url: crate::wire::records::record_url(c.kind, &c.id),
            title: c.title_zh.or(c.title_en),
            status: c.status.map(|x| x.as_str().to_string()),
            id: c.id,
            kind: c.kind,
        };
        match r.kind {
            RecordKind::Standard => d.cited_by.push(r),
            RecordKind::Notification => d.notifications.push(r),
            RecordKind::Regulation => {}
        }
    }
    Ok(d)
}

/// A WTO notification by symbol, with its family (base, addenda, corrigenda, revisions).
#[utoipa::path(get, path = "/api/v1/notifications/{symbol}", tag = "records",
    params(("symbol" = String, Path, description = "document symbol, slashes as is: G/TBT/N/USA/2146/Add.1")),
    responses(
        (status = 200, description = "the notification and its family", body = NotificationDetail),
        (status = 301, description = "the spelling differs from the canonical symbol"),
        (status = 400, description = "`invalid_parameter`: not a notification symbol", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn notification(
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
    uri: Uri,
) -> Result<Response, ApiError> {
    let raw = raw.trim_start_matches('/').to_string();
    let symbol = NotificationSymbol::parse(&raw).map_err(|e| ApiError::invalid(e.to_string()))?;
    let canonical = symbol.to_string();
    let index = state.index()?;
    let today = chrono::Local::now().date_naive();
    let id = canonical.clone();
    let detail = state
        .read(move || -> Result<Option<NotificationDetail>, ApiError> {
            let Some(n) = index.get_notification(&id).map_err(index_error)? else {
                return Ok(None);
            };
            let mut d = notification_detail(&n, today);
            for r in &mut d.cited_standards {
                if let Ok(code) = StandardCode::parse(&r.code) {
                    r.record = resolve(&index, &code, today)?;
                }
            }
            let base = n.symbol.base();
            let res = index
                .search(&SearchRequest {
                    q: base.to_string(),
                    kind: Some(RecordKind::Notification),
                    limit: GRAPH_LIMIT,
                    facets: Some(Vec::new()),
                    ..SearchRequest::default()
                })
                .map_err(index_error)?;
            let mut family: Vec<RecordRef> = res
                .hits
                .into_iter()
                .filter(|h| NotificationSymbol::parse(&h.id).is_ok_and(|s| s.base() == base))
                .map(|h| RecordRef {
                    url: notification_url(&h.id),
                    id: h.id,
                    kind: RecordKind::Notification,
                    title: h.title_zh.or(h.title_en),
                    status: None,
                })
                .collect();
            if !family.iter().any(|r| r.id == d.id) {
                family.push(notification_ref(&n));
            }
            family.sort_by(|a, b| a.id.cmp(&b.id));
            d.family = family;
            Ok(Some(d))
        })
        .await?;
    match detail {
        Some(_) if raw != canonical => Ok(redirect(
            StatusCode::MOVED_PERMANENTLY,
            &notification_url(&canonical),
            &uri,
        )),
        Some(d) => Ok(Json(d).into_response()),
        None => Err(ApiError::not_found(format!(
            "no notification {canonical} in the index"
        ))),
    }
}

/// A law or regulation by id, with its chapters and articles.
#[utoipa::path(get, path = "/api/v1/regulations/{id}", tag = "records",
    params(("id" = String, Path, description = "regulation id as found in search hits")),
    responses(
        (status = 200, description = "the regulation", body = RegulationDetail),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn regulation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RegulationDetail>, ApiError> {
    let index = state.index()?;
    let key = id.clone();
    let found = state
        .read(move || index.get_regulation(&key).map_err(index_error))
        .await?;
    match found {
        Some(r) => Ok(Json(regulation_detail(&r))),
        None => Err(ApiError::not_found(format!(
            "no regulation {id:?} in the index"
        ))),
    }
}
