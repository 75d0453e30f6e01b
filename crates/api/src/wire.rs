//! JSON wire types: the public contract of the API, converted from index and model types at the
//! edge. Nothing outside this crate derives `Serialize` for clients.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

pub mod barriers;
pub mod check;
pub mod dossier;
pub mod records;
pub mod search;

/// A JSON answer serialised straight into a buffer sized for it. The same bytes and
/// `Content-Type` as `axum::Json`, which starts from a 128-byte buffer and grows it several
/// times for a page of hits (about 3 kB).
#[derive(Debug)]
pub struct SizedJson<T> {
    /// What is answered.
    pub value: T,
    /// Bytes to reserve: an estimate of the serialised size (the buffer still grows beyond it).
    pub capacity: usize,
}

impl<T: Serialize> IntoResponse for SizedJson<T> {
    fn into_response(self) -> Response {
        let mut buf = Vec::with_capacity(self.capacity);
        match serde_json::to_writer(&mut buf, &self.value) {
            Ok(()) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                )],
                buf,
            )
                .into_response(),
            // As `axum::Json` does: a serialisation failure is ours, a 500.
            Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn sized_json_answers_what_axum_json_answers() {
        let value = serde_json::json!({"total": 3, "hits": [{"id": "GB/T 7714-2015", "title_zh": "信息与文献"}], "next_cursor": null});
        for capacity in [0, 16, 4096] {
            let ours = SizedJson {
                value: value.clone(),
                capacity,
            }
            .into_response();
            let theirs = axum::Json(value.clone()).into_response();
            assert_eq!(ours.status(), theirs.status());
            assert_eq!(
                ours.headers().get(header::CONTENT_TYPE),
                theirs.headers().get(header::CONTENT_TYPE)
            );
            let ours = axum::body::to_bytes(ours.into_body(), usize::MAX).await;
            let theirs = axum::body::to_bytes(theirs.into_body(), usize::MAX).await;
            assert_eq!(ours.ok(), theirs.ok());
        }
    }
}
