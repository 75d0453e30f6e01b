//! `GET /api/v1/dossier`: the market dossier for one market and one product: the notified
//! measures (as the barrier check finds them) with internal deadlines, the standards they cite
//! with their Chinese adoptions, and the Chinese standards for the product. `format=xlsx`
//! downloads it as a workbook. The assembly lives in [`biaozhun_index::dossier`].

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::error::{ApiError, ErrorBody};
use crate::extract::ApiQuery;
use crate::state::AppState;
use crate::wire::dossier::{dossier_error, DossierAnswer, DossierFormat, DossierParams};

/// Everything an exporter needs for one market and one product.
#[utoipa::path(get, path = "/api/v1/dossier", tag = "trade", params(DossierParams),
    responses(
        (status = 200, description = "the dossier as JSON; with `format=xlsx` an XLSX workbook (application/vnd.openxmlformats-officedocument.spreadsheetml.sheet, attachment) with one sheet per section", body = DossierAnswer),
        (status = 400, description = "`invalid_parameter`: no market or no product, unknown market, malformed hs, open_on, lead_days or format", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 503, description = "`not_ready`, `timeout` or `overloaded` (see Retry-After)", body = ErrorBody),
    ))]
pub async fn dossier(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<DossierParams>,
) -> Result<Response, ApiError> {
    let (req, format) =
        params.into_request(&state.config.limits, state.config.dossier_lead_days)?;
    let index = state.index()?;
    let d = state
        .read(move || index.dossier(&req).map_err(dossier_error))
        .await?;
    let answer = DossierAnswer::from_dossier(d);
    match format {
        DossierFormat::Json => Ok(Json(answer).into_response()),
        DossierFormat::Xlsx => {
            let bytes = answer.to_xlsx().map_err(|e| ApiError::internal(&e))?;
            let market = answer.market.as_ref().map_or("market", |m| m.code.as_str());
            let hs = answer.hs.as_ref().map_or("product", |h| h.code.as_str());
            let name = format!("dossier-{market}-{hs}.xlsx").replace(['/', '"', '.'], "_");
            let name = name.replacen("_xlsx", ".xlsx", 1);
            Ok((
                [
                    (
                        header::CONTENT_TYPE,
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                            .to_string(),
                    ),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                ],
                bytes,
            )
                .into_response())
        }
    }
}
