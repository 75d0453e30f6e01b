//! Extractor wrappers whose rejections use the API error format.
//!
//! axum's own `Query`, `Json` and `Path` answer plain-text 400/415/422 bodies; these wrappers
//! delegate to them and turn every rejection into an [`ApiError`], so a malformed query string
//! answers `{"error": {"code": "invalid_parameter", ...}}` like every other mistake.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{code_for_status, ApiError};

/// `axum::extract::Query` with JSON error answers.
#[derive(Debug, Clone)]
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(query_rejection(&e)),
        }
    }
}

/// `axum::Json` with JSON error answers.
#[derive(Debug, Clone)]
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(e) => Err(json_rejection(&e)),
        }
    }
}

/// `axum::extract::Path` with JSON error answers.
#[derive(Debug, Clone)]
pub struct ApiPath<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiPath<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e) => Err(path_rejection(&e)),
        }
    }
}

fn query_rejection(e: &QueryRejection) -> ApiError {
    // The body text names the parameter (`Failed to deserialize query string: limit: invalid
    // digit found in string`); keep it, lowercased at the front like our other messages.
    ApiError::invalid(format!(
        "invalid query string: {}",
        strip_prefix(&e.body_text())
    ))
}

fn json_rejection(e: &JsonRejection) -> ApiError {
    let code = code_for_status(e.status());
    ApiError::new(
        code,
        format!("invalid json body: {}", strip_prefix(&e.body_text())),
    )
}

fn path_rejection(e: &PathRejection) -> ApiError {
    let code = code_for_status(e.status());
    let code = if code == crate::error::ErrorCode::Internal {
        // A path that matched the route but not the handler's type is still the client's.
        crate::error::ErrorCode::InvalidParameter
    } else {
        code
    };
    ApiError::new(
        code,
        format!("invalid path: {}", strip_prefix(&e.body_text())),
    )
}

/// axum's texts start with `Failed to deserialize ...: `; keep only the part after it.
fn strip_prefix(text: &str) -> String {
    let t = text.trim();
    match t.split_once(": ") {
        Some((head, rest)) if head.starts_with("Failed to") => rest.to_string(),
        _ => t.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;
    use axum::body::Body;
    use axum::http::{header, Request as HttpRequest};

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Q {
        limit: Option<u32>,
    }

    #[tokio::test]
    async fn query_rejection_is_invalid_parameter() {
        let req = HttpRequest::builder()
            .uri("/x?limit=abc")
            .body(Body::empty())
            .expect("request");
        let (mut parts, _) = req.into_parts();
        let err = ApiQuery::<Q>::from_request_parts(&mut parts, &())
            .await
            .expect_err("rejected");
        assert_eq!(err.code, ErrorCode::InvalidParameter);
        assert!(err.message.contains("limit"), "{}", err.message);
    }

    #[tokio::test]
    async fn json_rejections_use_our_codes() {
        let req = HttpRequest::builder()
            .method("POST")
            .uri("/x")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{\"limit\": \"abc\"}"))
            .expect("request");
        let err = ApiJson::<Q>::from_request(req, &())
            .await
            .expect_err("rejected");
        assert_eq!(err.code, ErrorCode::InvalidParameter);
        let req = HttpRequest::builder()
            .method("POST")
            .uri("/x")
            .body(Body::from("{}"))
            .expect("request");
        let err = ApiJson::<Q>::from_request(req, &())
            .await
            .expect_err("rejected");
        assert_eq!(err.code, ErrorCode::UnsupportedMediaType);
    }
}
