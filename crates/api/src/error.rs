//! The one table of API errors.
//!
//! Every error the service answers is `{"error": {"code": "...", "message": "..."}}` with a code
//! from [`ErrorCode`]: clients (government portals, scripts) branch on the code, never on the
//! message. User mistakes map to 4xx; anything else becomes `internal`, whose details go to the
//! log with the request id and never to the client.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// Stable machine-readable error codes, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// A query parameter, path segment or body field is malformed or out of range (400).
    InvalidParameter,
    /// Missing, malformed or wrong admin key, or a key sent in the query string (401).
    Unauthorized,
    /// No record or route with that name (404).
    NotFound,
    /// The route exists but not for this HTTP method (405).
    MethodNotAllowed,
    /// The request body exceeds the configured limit (413).
    PayloadTooLarge,
    /// The body is not of a content type the route accepts (415).
    UnsupportedMediaType,
    /// Too many requests from this client; retry after the `Retry-After` seconds (429).
    RateLimited,
    /// A write sent to a read-only replica; send it to the writer (403).
    ReadOnly,
    /// Something failed on our side; the log has the details under the request id (500).
    Internal,
    /// A configuration file the operator wrote is invalid (a broken `catalog-aliases.toml`);
    /// the message names it and nothing was done (500).
    Misconfigured,
    /// The index is not open yet or is being rebuilt (503).
    NotReady,
    /// The request took longer than the configured timeout (503).
    Timeout,
    /// Every search thread is busy and the search queue is full; retry after the `Retry-After`
    /// seconds (503).
    Overloaded,
}

impl ErrorCode {
    /// Every code, for documentation and tests.
    pub const ALL: [ErrorCode; 13] = [
        ErrorCode::InvalidParameter,
        ErrorCode::Unauthorized,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::RateLimited,
        ErrorCode::ReadOnly,
        ErrorCode::Internal,
        ErrorCode::Misconfigured,
        ErrorCode::NotReady,
        ErrorCode::Timeout,
        ErrorCode::Overloaded,
    ];

    /// The HTTP status this code is always answered with.
    pub fn status(self) -> StatusCode {
        match self {
            ErrorCode::InvalidParameter => StatusCode::BAD_REQUEST,
            ErrorCode::Unauthorized => StatusCode::UNAUTHORIZED,
            ErrorCode::NotFound => StatusCode::NOT_FOUND,
            ErrorCode::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ErrorCode::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::RateLimited => StatusCode::TOO_MANY_REQUESTS,
            ErrorCode::ReadOnly => StatusCode::FORBIDDEN,
            ErrorCode::Internal | ErrorCode::Misconfigured => StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::NotReady | ErrorCode::Timeout | ErrorCode::Overloaded => {
                StatusCode::SERVICE_UNAVAILABLE
            }
        }
    }

    /// The wire name (`invalid_parameter`).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidParameter => "invalid_parameter",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ReadOnly => "read_only",
            ErrorCode::Internal => "internal",
            ErrorCode::Misconfigured => "misconfigured",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Overloaded => "overloaded",
        }
    }
}

/// The JSON error envelope: `{"error": {...}}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code and human-readable message of an error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable code to branch on.
    pub code: ErrorCode,
    /// Lowercase English explanation for humans; may change between versions.
    pub message: String,
}

/// An error answered to the client.
///
/// Build user errors with the constructors ([`ApiError::invalid`], [`ApiError::not_found`], ...)
/// and internal ones with [`ApiError::internal`], which logs the cause and hides it.
#[derive(Debug, Clone)]
pub struct ApiError {
    /// The code (and so the status).
    pub code: ErrorCode,
    /// Message shown to the client.
    pub message: String,
    /// Seconds for the `Retry-After` header of `rate_limited` and `overloaded` answers.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with a code and a client-facing message.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A malformed or out-of-range parameter, named in the message.
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::InvalidParameter, message)
    }

    /// No such record or route.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::NotFound, message)
    }

    /// Missing or wrong credentials.
    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        ApiError::new(ErrorCode::Unauthorized, message)
    }

    /// Too many requests; the client may retry after `seconds`.
    pub fn rate_limited(seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(
                ErrorCode::RateLimited,
                "too many requests from this client, retry later",
            )
        }
    }

    /// The search queue is full; the client may retry after `seconds`.
    pub fn overloaded(seconds: u64) -> ApiError {
        ApiError {
            retry_after: Some(seconds.max(1)),
            ..ApiError::new(
                ErrorCode::Overloaded,
                "every search thread is busy and the queue is full, retry later",
            )
        }
    }

    /// An internal failure: logs `cause` (with the current span, hence the request id) and
    /// answers a generic message.
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::new(
            ErrorCode::Internal,
            "internal error, the server log has the details under the request id",
        )
    }

    /// A configuration file of the operator is invalid: logged, and answered with the message
    /// (it names the file, which only an admin route reveals; see [`crate::ingest`]).
    pub fn misconfigured(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "invalid configuration file");
        ApiError::new(ErrorCode::Misconfigured, cause.to_string())
    }

    /// The JSON body.
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error: ErrorDetail {
                code: self.code,
                message: self.message.clone(),
            },
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.code.status();
        let mut response = (status, axum::Json(self.body())).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        if self.code == ErrorCode::Unauthorized {
            // RFC 6750: a 401 names the scheme the client should use.
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"biaozhun\""),
            );
        }
        response
    }
}

/// Maps an axum rejection status to our code, for extractor wrappers and body limits.
pub fn code_for_status(status: StatusCode) -> ErrorCode {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
        StatusCode::NOT_FOUND => ErrorCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
        StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
        StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
        s if s.is_client_error() => ErrorCode::InvalidParameter,
        _ => ErrorCode::Internal,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_distinct_names_and_4xx_or_5xx() {
        let mut names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), ErrorCode::ALL.len());
        for c in ErrorCode::ALL {
            let json = serde_json::to_value(c).expect("serialize");
            assert_eq!(json, c.as_str());
            assert!(c.status().is_client_error() || c.status().is_server_error());
        }
    }
}
