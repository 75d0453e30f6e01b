//! `POST /api/v1/check` (查新): which standards a document cites and whether they are in force.
//!
//! Anonymous, under the search rate limit and the request timeout. The body is a multipart
//! form (`file`, or `text`; optional `as_of`), JSON `{"text": ..., "as_of": ...}` or plain
//! text; `?format=csv|xlsx` answers a table for download instead of JSON. The document stays in
//! memory and is never indexed or logged (see [`crate::check`]); at most
//! [`CHECK_CONCURRENCY`] documents are read at once, the others wait their turn (and time out
//! like any slow request), which bounds the memory several hostile uploads can take.

use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use crate::check::{self, read_document, text_document, MAX_CHECK_BYTES};
use crate::error::{code_for_status, ApiError, ErrorBody, ErrorCode};
use crate::extract::ApiQuery;
use crate::routes::index_error;
use crate::state::{blocking, AppState};
use crate::wire::check::CheckAnswer;

/// Documents read at the same time; further requests wait for a slot.
pub const CHECK_CONCURRENCY: usize = 2;

/// Query parameters of the check.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckParams {
    /// Date statuses are judged on, `YYYY-MM-DD` (default today); a form or JSON `as_of`
    /// takes precedence.
    pub as_of: Option<String>,
    /// `json` (default), `csv` or `xlsx`.
    pub format: Option<String>,
}

/// JSON body of a check.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    /// The document's text.
    pub text: String,
    /// Date statuses are judged on, `YYYY-MM-DD`.
    pub as_of: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
    Xlsx,
}

/// Checks the standards a document cites.
#[utoipa::path(post, path = "/api/v1/check", tag = "check", params(CheckParams),
    request_body(description = "multipart/form-data with `file` (PDF, DOCX, TXT, MD, HTML) or `text`, and optional `as_of`; or JSON `{\"text\": ..., \"as_of\": ...}`; or text/plain", content(
        (CheckBody = "application/json"),
        (String = "text/plain"),
        (String = "multipart/form-data"),
    )),
    responses(
        (status = 200, description = "the cited standards; `format=csv` answers text/csv, `format=xlsx` an XLSX workbook", body = CheckAnswer,
            content(
                (CheckAnswer = "application/json"),
                (String = "text/csv"),
                (String = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )),
        (status = 400, description = "`invalid_parameter`: empty, encrypted or unreadable document, bad `as_of` or `format`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: body over 16 MiB or text over 4 MiB, XML of a DOCX over its expansion limit", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: not a document type or content type the route reads", body = ErrorBody),
        (status = 429, description = "`rate_limited`", body = ErrorBody),
        (status = 503, description = "`not_ready` or `timeout`", body = ErrorBody),
    ))]
pub async fn check(
    State(state): State<AppState>,
    ApiQuery(params): ApiQuery<CheckParams>,
    req: Request,
) -> Result<Response, ApiError> {
    let format = match params.format.as_deref().map(str::trim) {
        None | Some("") | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some("xlsx") => Format::Xlsx,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "format: expected json, csv or xlsx, got {other:?}"
            )))
        }
    };
    let index = state.index()?;
    let input = read_input(req, &state).await?;
    let as_of = check::parse_as_of(input.as_of.as_deref().or(params.as_of.as_deref()))?;
    let slot = state
        .check_slots
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let answer = blocking(move || {
        let _slot = slot;
        let doc = match input.body {
            Input::File { name, bytes } => read_document(&name, &bytes)?,
            Input::Text(text) => text_document(text)?,
        };
        check::check_document(&index, doc, as_of).map_err(index_error)
    })
    .await?;
    respond(&answer, format)
}

enum Input {
    File { name: String, bytes: Bytes },
    Text(String),
}

struct Received {
    body: Input,
    as_of: Option<String>,
}

async fn read_input(req: Request, state: &AppState) -> Result<Received, ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    if content_type.starts_with("multipart/form-data") {
        let multipart = Multipart::from_request(req, state).await.map_err(|e| {
            ApiError::new(
                code_for_status(e.status()),
                format!("invalid multipart body: {}", e.body_text().to_lowercase()),
            )
        })?;
        return read_multipart(multipart).await;
    }
    let bytes = axum::body::to_bytes(req.into_body(), MAX_CHECK_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                ErrorCode::PayloadTooLarge,
                format!("the body is over the limit of {MAX_CHECK_BYTES} bytes"),
            )
        })?;
    if content_type.starts_with("application/json") {
        let body: CheckBody = serde_json::from_slice(&bytes)
            .map_err(|e| ApiError::invalid(format!("invalid JSON body: {e}")))?;
        return Ok(Received {
            body: Input::Text(body.text),
            as_of: body.as_of,
        });
    }
    if content_type.starts_with("text/plain") {
        let text = String::from_utf8(bytes.to_vec())
            .map_err(|_| ApiError::invalid("the text/plain body is not UTF-8"))?;
        return Ok(Received {
            body: Input::Text(text),
            as_of: None,
        });
    }
    Err(ApiError::new(
        ErrorCode::UnsupportedMediaType,
        "send multipart/form-data (file or text), application/json or text/plain",
    ))
}

async fn read_multipart(mut multipart: Multipart) -> Result<Received, ApiError> {
    let mut body = None;
    let mut as_of = None;
    let bad = |e: axum::extract::multipart::MultipartError| {
        let code = match code_for_status(e.status()) {
            ErrorCode::Internal => ErrorCode::InvalidParameter,
            c => c,
        };
        ApiError::new(
            code,
            format!("invalid multipart body: {}", e.body_text().to_lowercase()),
        )
    };
    while let Some(mut field) = multipart.next_field().await.map_err(bad)? {
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().map(str::to_string);
        let mut data: Vec<u8> = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(bad)? {
            if data.len() + chunk.len() > MAX_CHECK_BYTES {
                return Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    format!("the body is over the limit of {MAX_CHECK_BYTES} bytes"),
                ));
            }
            data.extend_from_slice(&chunk);
        }
        match (name.as_str(), file_name) {
            ("as_of", None) => as_of = Some(String::from_utf8_lossy(&data).into_owned()),
            ("text", None) => {
                let text = String::from_utf8(data)
                    .map_err(|_| ApiError::invalid("the text field is not UTF-8"))?;
                body.get_or_insert(Input::Text(text));
            }
            (_, Some(file_name)) => {
                body.get_or_insert(Input::File {
                    name: file_name,
                    bytes: Bytes::from(data),
                });
            }
            _ => {}
        }
    }
    let body =
        body.ok_or_else(|| ApiError::invalid("send a `file` part or a `text` field to check"))?;
    Ok(Received { body, as_of })
}

fn respond(answer: &CheckAnswer, format: Format) -> Result<Response, ApiError> {
    let download = |bytes: Vec<u8>, mime: &'static str, ext: &str| {
        let mut res = bytes.into_response();
        res.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        let disposition = format!("attachment; filename=\"check-{}.{ext}\"", answer.as_of);
        if let Ok(v) = HeaderValue::from_str(&disposition) {
            res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
        }
        res
    };
    Ok(match format {
        Format::Json => Json(answer).into_response(),
        Format::Csv => download(
            check::table::csv(answer).map_err(|e| ApiError::internal(&e))?,
            "text/csv; charset=utf-8",
            "csv",
        ),
        Format::Xlsx => download(
            check::table::xlsx(answer).map_err(|e| ApiError::internal(&e))?,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        ),
    })
}
