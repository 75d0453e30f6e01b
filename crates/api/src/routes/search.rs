//! `GET /api/v1/search` and `GET /api/v1/suggest`.

use std::time::Instant;

use axum::extract::State;
use axum::Json;

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::routes::index_error;
use crate::state::AppState;
use crate::wire::records::record_url;
use crate::wire::search::{
    SearchAnswer, SearchParams, SuggestAnswer, SuggestParams, SuggestionWire,
};
use crate::wire::SizedJson;

/// Full-text search over standards, notifications and regulations, with filters, facets,
/// snippets and paging.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", params(SearchParams),
    responses(
        (status = 200, description = "hits, facets and paging", body = SearchAnswer),
        (status = 400, description = "`invalid_parameter`: a parameter is malformed or out of range", body = ErrorBody),
        (status = 429, description = "`rate_limited`: too many searches from this client; see Retry-After", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn search(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SearchParams>,
) -> Result<SizedJson<SearchAnswer>, ApiError> {
    let req = params.into_request(&state.config.limits)?;
    let index = state.index()?;
    let start = Instant::now();
    let res = state
        .read(move || index.search(&req).map_err(index_error))
        .await?;
    let took = u64::try_from(start.elapsed().as_millis()).unwrap_or(u64::MAX);
    tracing::debug!(total = res.total, took_ms = took, "search");
    let answer = SearchAnswer::from_index(res, took);
    let capacity = answer_capacity(&answer);
    Ok(SizedJson {
        value: answer,
        capacity,
    })
}

/// Codes and titles completing what a user typed in a search box.
#[utoipa::path(get, path = "/api/v1/suggest", tag = "search", params(SuggestParams),
    responses(
        (status = 200, description = "suggestions, best first", body = SuggestAnswer),
        (status = 400, description = "`invalid_parameter`", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn suggest(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<SuggestParams>,
) -> Result<Json<SuggestAnswer>, ApiError> {
    let q = params.q.unwrap_or_default();
    let max = state.config.limits.max_query_chars;
    if q.chars().count() > max {
        return Err(ApiError::invalid(format!(
            "q has more than {max} characters"
        )));
    }
    let limit = match params.limit.as_deref().map(str::trim) {
        None | Some("") => 8,
        Some(s) => match s.parse::<usize>() {
            Ok(n) if (1..=20).contains(&n) => n,
            _ => return Err(ApiError::invalid("limit must be between 1 and 20")),
        },
    };
    if q.trim().is_empty() {
        return Ok(Json(SuggestAnswer {
            suggestions: Vec::new(),
        }));
    }
    let index = state.index()?;
    let found = state
        .read(move || index.suggest(&q, limit).map_err(index_error))
        .await?;
    Ok(Json(SuggestAnswer {
        suggestions: found
            .into_iter()
            .map(|s| SuggestionWire {
                url: record_url(s.kind, &s.id),
                id: s.id,
                kind: s.kind,
                text: s.text,
                source: s.source,
            })
            .collect(),
    }))
}

/// About the size of `answer` in JSON: a page of 10 hits without snippets or facets is about
/// 3.3 kB (the 300k benchmark corpus), a highlight or facet value under 200 bytes.
fn answer_capacity(answer: &SearchAnswer) -> usize {
    let highlights: usize = answer.hits.iter().map(|h| h.highlights.len()).sum();
    let facet_values: usize = answer.facets.values().map(Vec::len).sum();
    1024 + 384 * answer.hits.len() + 256 * highlights + 96 * facet_values
}
