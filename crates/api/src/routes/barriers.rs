//! `GET /api/v1/barriers`: the barrier check. For a market and a product (HS code or words in
//! Chinese or English), the matching WTO measures grouped by family, newest first, with state,
//! comment period and cited standards. The matching itself lives in
//! [`biaozhun_index::barriers`]; this handler validates, runs it on the search pool and
//! converts the answer into [`crate::wire::barriers`] types.

use axum::extract::State;
use axum::Json;

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::wire::barriers::{barrier_error, BarrierAnswer, BarrierParams};

/// Trade measures of a market that touch a product, grouped by notification family.
#[utoipa::path(get, path = "/api/v1/barriers", tag = "trade", params(BarrierParams),
    responses(
        (status = 200, description = "matching measures grouped by family, newest first", body = BarrierAnswer),
        (status = 400, description = "`invalid_parameter`: unknown market (the message suggests close names), malformed hs, open_on or limit", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn barriers(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<BarrierParams>,
) -> Result<Json<BarrierAnswer>, ApiError> {
    let req = params.into_request(&state.config.limits)?;
    let index = state.index()?;
    let report = state
        .read(move || index.barriers(&req).map_err(barrier_error))
        .await?;
    tracing::debug!(families = report.total, "barrier check");
    Ok(Json(BarrierAnswer::from_report(report)))
}
