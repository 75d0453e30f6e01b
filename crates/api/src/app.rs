//! The router: routes, fallbacks and the middleware stack.
//!
//! Order of the layers, outermost first: request id (set, then propagated to the response),
//! trace span (named by the matched route, carrying the request id), panic catcher, CORS,
//! gzip, metrics. Read routes additionally get the request timeout; search routes the per-client
//! rate limit (the anonymous check route too); the upload and check routes their own body limits
//! instead of the default 2 MB.

use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::classify::ServerErrorsFailureClass;
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::trace::{DefaultOnResponse, TraceLayer};

use crate::error::{ApiError, ErrorCode};
use crate::ratelimit::client_ip;
use crate::routes::{
    admin, barriers, check, documents, dossier, feeds, health, records, search, watchlists,
};
use crate::state::AppState;

/// The `x-request-id` header.
pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole service: API, operational routes and the web page.
pub fn router(state: AppState) -> Router {
    let limited = Router::new()
        .route("/api/v1/search", get(search::search))
        .route("/api/v1/barriers", get(barriers::barriers))
        .route("/api/v1/dossier", get(dossier::dossier))
        .route(
            "/api/v1/feeds/notifications.atom",
            get(feeds::notifications_atom),
        )
        .route("/api/v1/suggest", get(search::suggest))
        .route(
            "/api/v1/check",
            post(check::check).layer(DefaultBodyLimit::max(
                crate::check::MAX_CHECK_BYTES + 64 * 1024,
            )),
        )
        .route_layer(middleware::from_fn_with_state(state.clone(), rate_limit));

    let reads = Router::new()
        .merge(limited)
        .route("/api/v1/standards/{*code}", get(records::standard))
        .route(
            "/api/v1/notifications/{*symbol}",
            get(records::notification),
        )
        .route("/api/v1/regulations/{id}", get(records::regulation))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(health::metrics))
        .route("/openapi.json", get(health::openapi))
        // The same document beside the routes it describes, where API clients look for it.
        .route("/api/v1/openapi.json", get(health::openapi))
        .merge(crate::web::router())
        .route_layer(middleware::from_fn_with_state(state.clone(), timeout));

    let admin = Router::new()
        .route(
            "/api/v1/documents",
            post(documents::upload).layer(DefaultBodyLimit::max(body_limit(&state))),
        )
        .route("/api/v1/documents/{*id}", delete(documents::delete))
        .route("/api/v1/watchlists", get(watchlists::list))
        .route(
            "/api/v1/watchlists/{name}",
            get(watchlists::get)
                .put(watchlists::put)
                .delete(watchlists::delete),
        )
        .route("/api/v1/feeds/watchlists/{name}", get(watchlists::feed))
        .route("/api/v1/jobs/{id}", get(documents::job))
        .route("/api/v1/admin/snapshots", post(admin::snapshot))
        .route("/api/v1/admin/reindex", post(admin::reindex));

    let cors = cors_layer(&state);
    Router::new()
        .merge(reads)
        .merge(admin)
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(CompressionLayer::new())
        .layer(cors)
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request| {
                // The field values are only computed when the span is enabled (not at
                // RUST_LOG=warn): nothing is allocated for a disabled span.
                tracing::info_span!(
                    "request",
                    method = %req.method(),
                    uri = %req.uri().path(),
                    route = %req.extensions().get::<MatchedPath>().map(MatchedPath::as_str).unwrap_or_default(),
                    request_id = %req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or_default(),
                )
            })
            .on_response(DefaultOnResponse::new().level(tracing::Level::INFO))
            .on_failure(log_failure),
        )
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
        .with_state(state)
}

/// Server errors are logged at ERROR, except 503 (not ready while the index opens at start-up,
/// or overloaded): expected and transient, answered with a clear error, so a WARN.
fn log_failure(class: ServerErrorsFailureClass, latency: Duration, _span: &tracing::Span) {
    let ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
    match class {
        ServerErrorsFailureClass::StatusCode(s) if s == StatusCode::SERVICE_UNAVAILABLE => {
            tracing::warn!(status = s.as_u16(), latency_ms = ms, "service unavailable");
        }
        other => tracing::error!(classification = %other, latency_ms = ms, "response failed"),
    }
}

fn body_limit(state: &AppState) -> usize {
    usize::try_from(state.config.limits.max_upload_bytes).unwrap_or(usize::MAX)
}

fn cors_layer(state: &AppState) -> CorsLayer {
    let cors = &state.config.cors;
    let origin = if cors.any {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(cors.origins.clone())
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([Method::GET, Method::HEAD, Method::OPTIONS])
        .allow_headers([axum::http::header::CONTENT_TYPE])
        .expose_headers([REQUEST_ID, axum::http::header::RETRY_AFTER])
        .max_age(std::time::Duration::from_secs(3600))
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route; the API is documented at /openapi.json")
}

async fn method_not_allowed() -> ApiError {
    ApiError::new(
        ErrorCode::MethodNotAllowed,
        "method not allowed on this route",
    )
}

fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal(&"handler panicked").into_response()
}

/// Counts the request and its latency under its matched route.
async fn observe(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // Cheap clones (a shared string, a method constant): nothing is allocated per request.
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let start = Instant::now();
    let response = next.run(req).await;
    state.metrics.observe_request(
        route.as_ref().map_or("unmatched", MatchedPath::as_str),
        method.as_str(),
        response.status().as_u16(),
        start.elapsed(),
    );
    response
}

/// Answers `timeout` when a read request exceeds the configured duration. The blocking search
/// keeps running to completion on its thread; only the client stops waiting.
async fn timeout(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limit = state.config.limits.request_timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            ErrorCode::Timeout,
            format!("request took longer than {} s", limit.as_secs()),
        )
        .into_response(),
    }
}

/// Per-client token bucket on the search routes.
async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(limiter) = &state.limiter {
        let peer = req
            .extensions()
            .get::<ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0);
        let ip = client_ip(
            req.headers(),
            peer,
            state.config.trust_proxy,
            &state.config.trusted_proxies,
        );
        if let Err(wait) = limiter.check(ip, Instant::now()) {
            tracing::info!(client = %ip, retry_after = wait, "rate limited");
            return ApiError::rate_limited(wait).into_response();
        }
    }
    next.run(req).await
}
