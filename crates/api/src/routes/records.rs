//! Record routes: a standard with its edition chain and citation graph, a notification with its
//! family, a regulation. Identifiers are accepted in any spelling; a spelling that differs from
//! the canonical one answers `301` to the canonical URL, so links and caches converge.

use axum::extract::State;
use axum::http::{header, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Json;
use biaozhun_index::{Index, SearchRequest};
use biaozhun_model::{Level, NotificationSymbol, Standard, StandardCode, Status};
use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::{ApiError, ErrorBody};
use crate::extract::{ApiPath, ApiQuery};
use crate::routes::index_error;
use crate::state::{blocking, AppState};
use crate::wire::records::{
    notification_detail, notification_ref, notification_url, regulation_detail, sort_editions,
    standard_detail, standard_ref, standard_url, AdoptionWire, NotificationDetail, RecordRef,
    Reference, RegulationDetail, StandardDetail,
};

/// How many records a graph lookup (editions, citing documents) considers.
const GRAPH_LIMIT: usize = 100;

/// Query parameters of `GET /standards/{code}`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StandardParams {
    /// `summary` (default: the first 200 characters of each section) or `full`.
    pub text: Option<String>,
}

/// A standard by code in any spelling (`gbt7714-2015`, `GB%2FT%207714-2015`, `GB/T 7714-2015`).
#[utoipa::path(get, path = "/api/v1/standards/{code}", tag = "records",
    params(("code" = String, Path, description = "standard number in any spelling, URL-encoded; a code without year redirects to the current edition"), StandardParams),
    responses(
        (status = 200, description = "the standard", body = StandardDetail),
        (status = 301, description = "the spelling differs from the canonical code: Location holds the canonical URL"),
        (status = 302, description = "a code without year: Location holds the current edition"),
        (status = 400, description = "`invalid_parameter`: not a standard number, or a bad `text` value", body = ErrorBody),
        (status = 404, description = "`not_found`: no such standard in the index", body = ErrorBody),
        (status = 503, description = "`not_ready` or `timeout`", body = ErrorBody),
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
    let code = StandardCode::parse(raw.trim_start_matches('/'))
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let canonical = code.to_string();
    let index = state.index()?;
    let today = chrono::Local::now().date_naive();
    let answer = blocking(move || -> Result<Lookup, ApiError> {
        // Padding-insensitive: `YY 505-2012` finds `YY 0505-2012` (and redirects to it).
        if let Some(s) = index.find_standard(&code).map_err(index_error)? {
            return Ok(Lookup::Found(Box::new(build_standard(
                &index, &s, today, full,
            )?)));
        }
        if code.year().is_none() {
            let editions = editions_of(&index, &code)?;
            let best = editions
                .iter()
                .find(|(_, r)| r.status.as_deref() == Some(Status::Current.as_str()))
                .or_else(|| editions.first());
            if let Some((c, _)) = best {
                return Ok(Lookup::Edition(c.to_string()));
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

/// Every edition of `code`'s key (and of its GB ↔ GB/T twin), newest first.
fn editions_of(
    index: &Index,
    code: &StandardCode,
) -> Result<Vec<(StandardCode, RecordRef)>, ApiError> {
    let mut out: Vec<(StandardCode, RecordRef)> = Vec::new();
    let mut keys = vec![code.without_year()];
    keys.extend(code.alias().map(|a| a.without_year()));
    for key in keys {
        let res = index
            .search(&SearchRequest {
                q: key.key(),
                kind: Some("standard".into()),
                limit: GRAPH_LIMIT,
                facets: Some(Vec::new()),
                ..SearchRequest::default()
            })
            .map_err(index_error)?;
        for hit in res.hits {
            let Ok(c) = StandardCode::parse(&hit.id) else {
                continue;
            };
            if !c.same_standard(&key) || out.iter().any(|(x, _)| *x == c) {
                continue;
            }
            out.push((
                c,
                RecordRef {
                    url: standard_url(&hit.id),
                    id: hit.id,
                    kind: "standard".into(),
                    title: hit.title_zh.or(hit.title_en),
                    status: hit.status.map(|s| s.as_str().to_string()),
                },
            ));
        }
    }
    sort_editions(&mut out);
    Ok(out)
}

/// Resolves a cited code: the exact edition, or for an undated citation the current edition.
fn resolve(index: &Index, code: &StandardCode) -> Result<Option<RecordRef>, ApiError> {
    if code.year().is_some() {
        return Ok(index
            .find_standard(code)
            .map_err(index_error)?
            .map(|s| standard_ref(&s)));
    }
    let editions = editions_of(index, code)?;
    let current = editions
        .iter()
        .find(|(_, r)| r.status.as_deref() == Some(Status::Current.as_str()))
        .or_else(|| editions.first());
    Ok(current.map(|(_, r)| r.clone()))
}

fn build_standard(
    index: &Index,
    s: &Standard,
    today: chrono::NaiveDate,
    full: bool,
) -> Result<StandardDetail, ApiError> {
    let mut d = standard_detail(s, today, full);
    for a in index.adopts(s, today).map_err(index_error)? {
        d.adopts.push(AdoptionWire {
            code: a.link.code.to_string(),
            adopts: None,
            degree: a.link.degree.map(|x| x.label().to_string()),
            degree_zh: a.link.degree.map(|x| x.label_zh().to_string()),
            record: a.record.map(|r| RecordRef {
                url: standard_url(&r.id),
                id: r.id,
                kind: "standard".into(),
                title: r.title_zh.or(r.title_en),
                status: r.status.map(|x| x.as_str().to_string()),
            }),
        });
    }
    if matches!(s.code.level(), Level::International | Level::Foreign) {
        for a in index.adopted_by(&s.code, today).map_err(index_error)? {
            d.adopted_by.push(AdoptionWire {
                code: a.standard.id(),
                adopts: Some(a.adopts.to_string()),
                degree: a.degree.map(|x| x.label().to_string()),
                degree_zh: a.degree.map(|x| x.label_zh().to_string()),
                record: Some(standard_ref(&a.standard)),
            });
        }
    }
    d.editions = editions_of(index, &s.code)?
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    for code in s.references.iter().take(GRAPH_LIMIT) {
        d.references.push(Reference {
            code: code.to_string(),
            record: resolve(index, code)?,
        });
    }
    // Citing documents: candidates from a search on the bare number (a full code is looked up
    // in the code fields only, while the number also matches reference lists and texts),
    // confirmed on the stored record.
    let id = s.id();
    let res = index
        .search(&SearchRequest {
            q: s.code.number().to_string(),
            limit: GRAPH_LIMIT,
            facets: Some(Vec::new()),
            ..SearchRequest::default()
        })
        .map_err(index_error)?;
    for hit in res.hits {
        if hit.id == id {
            continue;
        }
        match hit.kind.as_str() {
            "standard" => {
                if let Some(other) = index.get_standard(&hit.id).map_err(index_error)? {
                    if other.references.iter().any(|r| r.same_standard(&s.code)) {
                        d.cited_by.push(standard_ref(&other));
                    }
                }
            }
            "notification" => {
                if let Some(n) = index.get_notification(&hit.id).map_err(index_error)? {
                    let key = s.code.key();
                    let mentions = n.cited_standards.iter().any(|c| c.same_standard(&s.code))
                        || [&n.title_en, &n.title_zh, &n.description, &n.products]
                            .iter()
                            .any(|t| t.as_deref().is_some_and(|t| t.contains(&key)));
                    if mentions {
                        d.notifications.push(notification_ref(&n));
                    }
                }
            }
            _ => {}
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
        (status = 503, description = "`not_ready` or `timeout`", body = ErrorBody),
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
    let detail = blocking(move || -> Result<Option<NotificationDetail>, ApiError> {
        let Some(n) = index.get_notification(&id).map_err(index_error)? else {
            return Ok(None);
        };
        let mut d = notification_detail(&n, today);
        for r in &mut d.cited_standards {
            if let Ok(code) = StandardCode::parse(&r.code) {
                r.record = resolve(&index, &code)?;
            }
        }
        let base = n.symbol.base();
        let res = index
            .search(&SearchRequest {
                q: base.to_string(),
                kind: Some("notification".into()),
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
                kind: "notification".into(),
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
        (status = 503, description = "`not_ready` or `timeout`", body = ErrorBody),
    ))]
pub async fn regulation(
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<RegulationDetail>, ApiError> {
    let index = state.index()?;
    let key = id.clone();
    let found = blocking(move || index.get_regulation(&key).map_err(index_error)).await?;
    match found {
        Some(r) => Ok(Json(regulation_detail(&r))),
        None => Err(ApiError::not_found(format!(
            "no regulation {id:?} in the index"
        ))),
    }
}
