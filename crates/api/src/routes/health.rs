//! Operational routes: liveness, readiness, Prometheus metrics and the OpenAPI document.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ErrorBody};
use crate::metrics::IndexGauges;
use crate::state::{blocking, AppState};

/// Answer of `healthz` and `readyz`.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`.
    pub status: &'static str,
    /// Service version.
    pub version: &'static str,
    /// Readiness details (`readyz` only): the scheduled syncs' last outcomes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<ReadyDetails>,
}

/// What `readyz` adds about background work.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadyDetails {
    /// The scheduled ePing sync, when one is configured.
    pub sync_eping: Option<crate::metrics::SyncStatus>,
}

/// Liveness: the process answers HTTP.
#[utoipa::path(get, path = "/healthz", tag = "operations",
    responses((status = 200, description = "the process is alive", body = Health)))]
pub async fn healthz() -> Json<Health> {
    Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        details: None,
    })
}

/// Readiness: the index is open and can answer searches.
#[utoipa::path(get, path = "/readyz", tag = "operations",
    responses(
        (status = 200, description = "the index is open", body = Health),
        (status = 503, description = "`not_ready`: the index is not open yet", body = ErrorBody),
    ))]
pub async fn readyz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.index()?;
    Ok(Json(Health {
        status: "ok",
        version: env!("CARGO_PKG_VERSION"),
        details: Some(ReadyDetails {
            sync_eping: state.metrics.sync_status(),
        }),
    }))
}

/// Prometheus metrics: requests and latency per route, index size, documents per kind, ingest
/// outcomes, the search pool.
#[utoipa::path(get, path = "/metrics", tag = "operations",
    responses((status = 200, description = "Prometheus text format 0.0.4", body = String, content_type = "text/plain")))]
pub async fn metrics(State(state): State<AppState>) -> Response {
    let gauges = match state.index() {
        Ok(index) => blocking(move || Ok(index_gauges(&index)))
            .await
            .unwrap_or_default(),
        Err(_) => IndexGauges::default(),
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        {
            let mut text = state.metrics.render(&gauges);
            state.search_pool().render_metrics(&mut text);
            text
        },
    )
        .into_response()
}

fn index_gauges(index: &crate::state::Index) -> IndexGauges {
    let mut g = IndexGauges {
        ready: true,
        ..IndexGauges::default()
    };
    match index.stats() {
        Ok(stats) => {
            for (kind, n) in &stats.kinds {
                g.documents.insert(kind.clone(), *n);
            }
        }
        Err(e) => tracing::warn!(error = %e, "index stats failed"),
    }
    g.size_bytes = dir_size(index.dir());
    g.generation = index.generation();
    g.searcher_generation = index.searcher_generation();
    g
}

/// Bytes of the files in `dir` and its sub-directories (tantivy's segments and our sidecars).
fn dir_size(dir: &std::path::Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .flatten()
        .map(|e| match e.metadata() {
            Ok(m) if m.is_dir() => dir_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// The OpenAPI 3.1 document of this service.
#[utoipa::path(get, path = "/openapi.json", tag = "operations",
    responses((status = 200, description = "OpenAPI 3.1 document", body = Object)))]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document_json(),
    )
        .into_response()
}
