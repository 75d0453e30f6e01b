//! Admin routes: `POST /api/v1/documents` (multipart upload of PDFs, texts, catalogs) and
//! `DELETE /api/v1/documents/{id}`.
//!
//! An upload is streamed to a private temporary directory under sanitised names (no path
//! traversal, no hidden files), ingested by the one ingest service ([`crate::ingest`], the
//! same as `biaozhun ingest`), committed, and the reader reloaded before answering: what the
//! report says was imported is searchable when the response arrives. An invalid
//! `catalog-aliases.toml` is answered `misconfigured` before the body is read.

use std::path::{Path, PathBuf};

use axum::extract::multipart::MultipartError;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use biaozhun_ingest::batch::{BatchSummary, FileReport};
use biaozhun_model::{NotificationSymbol, RecordKind, StandardCode};
use serde::{Deserialize, Serialize};
use tokio::io::AsyncWriteExt;
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::error::{code_for_status, ApiError, ErrorBody, ErrorCode};
use crate::extract::ApiPath;
use crate::routes::index_error;
use crate::state::{blocking, AppState};

/// Longest file name kept (bytes); longer names are cut.
const MAX_NAME_BYTES: usize = 180;

/// Answer of an upload: one report per file, as `biaozhun ingest --report` writes them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UploadAnswer {
    /// One entry per uploaded file.
    pub files: Vec<FileReportWire>,
    /// Totals.
    pub summary: SummaryWire,
}

/// What happened to one uploaded file.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FileReportWire {
    /// The file name as stored (sanitised).
    pub path: String,
    /// What the file was recognised as (`catalog`, `pdf`, `text`, `html`, `regulation`,
    /// `notification_form`, `unsupported`).
    pub input: String,
    /// `ok`, `warning`, `error` or `skipped`.
    pub status: String,
    /// Why it failed or was skipped; the first warning otherwise.
    pub reason: Option<String>,
    /// Record kind produced by single-record files.
    pub record_kind: Option<String>,
    /// Detected code, symbol or regulation id.
    pub code: Option<String>,
    /// How a full text's number was read: `cover+file_name` (both agree), `cover`,
    /// `file_name`, or `catalog` (a catalog record of the same standard wins: catalog over
    /// cover over file name). Absent for catalogs and files without a number.
    #[serde(default)]
    pub code_from: Option<String>,
    /// Other spellings of the same number merged into `code`, each with its source
    /// (`YY 505-2012 (file name)`): one record per standard, whatever the padding.
    #[serde(default)]
    pub merged_spellings: Vec<String>,
    /// Measured text quality of full texts.
    pub quality: Option<String>,
    /// Extractor used.
    pub extractor: Option<String>,
    /// Pages of PDFs.
    pub pages: Option<u32>,
    /// Records imported.
    pub imported: usize,
    /// Catalog rows skipped.
    pub skipped: usize,
    /// Catalog rows rejected.
    pub rejected: usize,
    /// Rejected rows with reasons.
    pub line_errors: Vec<LineErrorWire>,
    /// Warnings.
    pub warnings: Vec<LineErrorWire>,
    /// sha256 of the content.
    pub sha256: Option<String>,
}

/// A problem on one line of a catalog.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LineErrorWire {
    /// 1-based line, row or record number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Totals of an upload.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SummaryWire {
    /// Files received.
    pub files: usize,
    /// Files imported without remarks.
    pub ok: usize,
    /// Files imported with warnings.
    pub warning: usize,
    /// Files that failed.
    pub error: usize,
    /// Files skipped (unchanged, unsupported).
    pub skipped: usize,
    /// Standards stored.
    pub standards: usize,
    /// Notifications stored.
    pub notifications: usize,
    /// Regulations stored.
    pub regulations: usize,
}

/// Uploads files (multipart/form-data, any field name, one file per part) and ingests them.
#[utoipa::path(post, path = "/api/v1/documents", tag = "admin",
    security(("admin_key" = [])),
    params(UploadParams),
    request_body(content_type = "multipart/form-data", description = "PDFs, texts (.txt, .md, .html), catalogs (.jsonl, .json, .csv, .xlsx), notification forms"),
    responses(
        (status = 200, description = "per-file report; imported documents are searchable", body = UploadAnswer),
        (status = 202, description = "`wait=false`: queued as a job (Location: /api/v1/jobs/{id})", body = crate::jobs::Job),
        (status = 400, description = "`invalid_parameter`: malformed multipart body or no file", body = ErrorBody),
        (status = 401, description = "`unauthorized`: missing or wrong key, or key in the query string", body = ErrorBody),
        (status = 403, description = "`read_only`: a replica; upload to the writer", body = ErrorBody),
        (status = 413, description = "`payload_too_large`: body above max_upload_bytes", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`: not multipart/form-data", body = ErrorBody),
        (status = 500, description = "`internal`: the commit failed; `misconfigured`: the server's catalog-aliases.toml is invalid (named in the message), nothing stored", body = ErrorBody),
        (status = 503, description = "`not_ready`", body = ErrorBody),
    ))]
pub async fn upload(
    _admin: Admin,
    State(state): State<AppState>,
    params: Result<Query<UploadParams>, QueryRejection>,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, ApiError> {
    let wait = params
        .map_err(|e| ApiError::invalid(format!("invalid query: {}", e.body_text().to_lowercase())))?
        .0
        .wait
        .unwrap_or(true);
    crate::routes::admin::refuse_read_only(&state)?;
    let is_multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        });
    if !is_multipart {
        return Err(ApiError::new(
            ErrorCode::UnsupportedMediaType,
            "upload documents as multipart/form-data",
        ));
    }
    let mut multipart = multipart.map_err(|e| {
        ApiError::new(
            code_for_status(e.status()),
            format!("invalid multipart body: {}", e.body_text().to_lowercase()),
        )
    })?;
    let index = state.index()?;
    // A broken alias table is the operator's to fix: said before the body is read, so nothing
    // is staged or queued that could not be imported as the operator meant.
    let config_dir = state.config.index_config_dir.clone();
    let check_dir = config_dir.clone();
    blocking(move || {
        crate::ingest::aliases(&check_dir)
            .map(drop)
            .map_err(|e| ApiError::misconfigured(&e))
    })
    .await?;
    // A job stages its files in the index directory (they must survive a restart); a
    // synchronous upload in a temporary folder.
    let job = if wait {
        None
    } else {
        let jobs = state.start_jobs()?;
        let (id, files) = jobs.stage().map_err(|e| ApiError::internal(&e))?;
        Some((jobs, id, files))
    };
    let dir = match &job {
        Some((_, _, files)) => Staging::Job(files.clone()),
        None => Staging::Temp(
            tempfile::Builder::new()
                .prefix("biaozhun-upload-")
                .tempdir()
                .map_err(|e| ApiError::internal(&e))?,
        ),
    };
    let received = receive(&mut multipart, dir.path()).await;
    let names = match received {
        Ok(n) if !n.is_empty() => n,
        other => {
            if let Some((_, _, files)) = &job {
                if let Some(parent) = files.parent() {
                    let _ = std::fs::remove_dir_all(parent);
                }
            }
            other?;
            return Err(ApiError::invalid(
                "the upload holds no file part (use -F file=@path)",
            ));
        }
    };
    if let Some((jobs, id, _)) = job {
        let queued = jobs.queue(&id).map_err(|e| ApiError::internal(&e))?;
        tracing::info!(job = %id, files = names.len(), "upload queued as a job");
        let location = format!("/api/v1/jobs/{id}");
        return Ok((
            StatusCode::ACCEPTED,
            [(header::LOCATION, location)],
            Json(queued),
        )
            .into_response());
    }
    let ocr_max_pages = state.config.ocr_max_pages;
    let _guard = state.write_lock.lock().await;
    let root = dir.path().to_path_buf();
    let (hook_index, hooks) = (index.clone(), state.config.webhooks.clone());
    let (reports, summary, before) = blocking(move || {
        let before = crate::webhook::snapshot(&hooks, &index);
        let opts = crate::ingest::IngestOptions {
            ocr_max_pages,
            ..Default::default()
        };
        let done = crate::ingest::run(
            &config_dir,
            crate::ingest::Inputs::Staged {
                folder: &root,
                prefix: crate::ingest::UPLOAD_PREFIX,
            },
            crate::ingest::Destination::Index(&index),
            &opts,
        )
        .map_err(|e| ApiError::misconfigured(&e))?;
        Ok((done.reports, done.summary, before))
    })
    .await?;
    drop(dir);
    for r in &reports {
        state.metrics.observe_ingest(r.status.as_str());
    }
    if let Some(e) = &summary.commit_error {
        return Err(ApiError::internal(&format!("commit of upload failed: {e}")));
    }
    // Watchlists: changes of watched standards, on a background task as well.
    crate::watch::spawn_after_ingest(hook_index.clone(), Default::default());
    if let Some(before) = before {
        // Background task: the answer does not wait for the receivers.
        let hooks = state.config.webhooks.clone();
        crate::webhook::spawn_after_ingest(hook_index, hooks, before, Default::default());
    }
    let prefix = dir_prefix(&reports);
    Ok(Json(UploadAnswer {
        files: reports.iter().map(|r| report_wire(r, &prefix)).collect(),
        summary: summary_wire(&summary),
    })
    .into_response())
}

/// Where an upload is staged.
enum Staging {
    /// A synchronous upload: removed when the answer is sent.
    Temp(tempfile::TempDir),
    /// A job's folder in the index directory.
    Job(PathBuf),
}

impl Staging {
    fn path(&self) -> &Path {
        match self {
            Staging::Temp(t) => t.path(),
            Staging::Job(p) => p,
        }
    }
}

/// Streams every file part into `dir` under sanitised, unique names.
async fn receive(multipart: &mut Multipart, dir: &Path) -> Result<Vec<String>, ApiError> {
    let mut names: Vec<String> = Vec::new();
    while let Some(mut field) = multipart.next_field().await.map_err(multipart_error)? {
        let Some(original) = field.file_name().map(str::to_string) else {
            continue; // a plain form field, not a file
        };
        let name = unique_name(&sanitize_file_name(&original, names.len()), &names);
        let path = dir.join(&name);
        let mut file = tokio::fs::File::create(&path)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        while let Some(chunk) = field.chunk().await.map_err(multipart_error)? {
            file.write_all(&chunk)
                .await
                .map_err(|e| ApiError::internal(&e))?;
        }
        file.flush().await.map_err(|e| ApiError::internal(&e))?;
        tracing::info!(file = %name, original = %original, "upload received");
        names.push(name);
    }
    if names.is_empty() {
        return Err(ApiError::invalid(
            "the upload holds no file part (use -F file=@path)",
        ));
    }
    Ok(names)
}

/// The totals of a batch as answered.
pub(crate) fn summary_wire(summary: &BatchSummary) -> SummaryWire {
    SummaryWire {
        files: summary.files,
        ok: summary.ok,
        warning: summary.warning,
        error: summary.error,
        skipped: summary.skipped,
        standards: summary.standards,
        notifications: summary.notifications,
        regulations: summary.regulations,
    }
}

/// Query parameters of an upload.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UploadParams {
    /// `false`: answer `202` with a job at once and ingest in the background (see
    /// `/api/v1/jobs/{id}`); default `true`: answer when the files are searchable.
    pub wait: Option<bool>,
}

fn multipart_error(e: MultipartError) -> ApiError {
    let code = code_for_status(e.status());
    let code = if code == ErrorCode::Internal {
        ErrorCode::InvalidParameter
    } else {
        code
    };
    ApiError::new(
        code,
        format!("invalid multipart body: {}", e.body_text().to_lowercase()),
    )
}

/// The temp-dir prefix common to report paths, stripped so clients see their own file names.
pub(crate) fn dir_prefix(reports: &[FileReport]) -> String {
    reports
        .iter()
        .find_map(|r| {
            Path::new(&r.path)
                .parent()
                .map(|p| format!("{}/", p.display()))
        })
        .unwrap_or_default()
}

pub(crate) fn report_wire(r: &FileReport, prefix: &str) -> FileReportWire {
    let lines = |v: &[biaozhun_ingest::catalog::LineError]| {
        v.iter()
            .map(|l| LineErrorWire {
                line: l.line,
                message: l.message.clone(),
            })
            .collect()
    };
    FileReportWire {
        path: r.path.strip_prefix(prefix).unwrap_or(&r.path).to_string(),
        input: r.input.as_str().to_string(),
        status: r.status.as_str().to_string(),
        reason: r.reason.clone(),
        record_kind: r.record_kind.map(|k| k.as_str().to_string()),
        code: r.code.clone(),
        code_from: r.code_from.map(|c| c.as_str().to_string()),
        merged_spellings: r.merged_spellings.clone(),
        quality: r.quality.map(|q| q.as_str().to_string()),
        extractor: r.extractor.map(|x| x.as_str().to_string()),
        pages: r.pages,
        imported: r.imported,
        skipped: r.skipped,
        rejected: r.rejected,
        line_errors: lines(&r.line_errors),
        warnings: lines(&r.warnings),
        sha256: r.sha256.clone(),
    }
}

/// A safe file name from a client-supplied one: the last path component (both `/` and `\`),
/// without control characters, leading dots or reserved characters, at most
/// [`MAX_NAME_BYTES`] bytes; `upload-N` when nothing is left.
pub fn sanitize_file_name(original: &str, n: usize) -> String {
    let last = original.rsplit(['/', '\\']).next().unwrap_or_default();
    let cleaned: String = last
        .chars()
        .filter(|c| !c.is_control())
        .map(|c| match c {
            ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').trim();
    let mut name = String::new();
    for c in trimmed.chars() {
        if name.len() + c.len_utf8() > MAX_NAME_BYTES {
            break;
        }
        name.push(c);
    }
    if name.is_empty() {
        format!("upload-{n}")
    } else {
        name
    }
}

fn unique_name(name: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == name) {
        return name.to_string();
    }
    (2..)
        .map(|i| format!("{i}-{name}"))
        .find(|cand| !taken.iter().any(|t| t == cand))
        .unwrap_or_else(|| name.to_string())
}

/// Answer of a delete.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeleteAnswer {
    /// The id of the deleted record.
    pub deleted: String,
    /// Its kind.
    pub kind: String,
}

/// Deletes a record (standard code, notification symbol or regulation id, in any spelling).
#[utoipa::path(delete, path = "/api/v1/documents/{id}", tag = "admin",
    security(("admin_key" = [])),
    params(("id" = String, Path, description = "standard code, notification symbol or regulation id")),
    responses(
        (status = 200, description = "deleted", body = DeleteAnswer),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`read_only`: a replica; delete on the writer", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 503, description = "`not_ready`", body = ErrorBody),
    ))]
pub async fn delete(
    _admin: Admin,
    State(state): State<AppState>,
    ApiPath(raw): ApiPath<String>,
) -> Result<Json<DeleteAnswer>, ApiError> {
    crate::routes::admin::refuse_read_only(&state)?;
    let raw = raw.trim_start_matches('/').trim().to_string();
    let index = state.index()?;
    let _guard = state.write_lock.lock().await;
    let found = blocking(move || -> Result<Option<(String, String)>, ApiError> {
        let mut candidates: Vec<(String, RecordKind)> = Vec::new();
        if let Ok(s) = NotificationSymbol::parse(&raw) {
            candidates.push((s.to_string(), RecordKind::Notification));
        }
        if let Ok(c) = StandardCode::parse(&raw) {
            candidates.push((c.to_string(), RecordKind::Standard));
        }
        candidates.push((raw.clone(), RecordKind::Regulation));
        for (id, kind) in candidates {
            let exists = match kind {
                RecordKind::Notification => {
                    index.get_notification(&id).map_err(index_error)?.is_some()
                }
                RecordKind::Standard => index.get_standard(&id).map_err(index_error)?.is_some(),
                RecordKind::Regulation => index.get_regulation(&id).map_err(index_error)?.is_some(),
            };
            if exists {
                index.delete(&id).map_err(index_error)?;
                return Ok(Some((id, kind.as_str().to_string())));
            }
        }
        Ok(None)
    })
    .await?;
    match found {
        Some((deleted, kind)) => {
            tracing::info!(id = %deleted, kind = %kind, "record deleted");
            Ok(Json(DeleteAnswer { deleted, kind }))
        }
        None => Err(ApiError::not_found("no record with that id in the index")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_cannot_escape() {
        for (input, want) in [
            ("../../etc/passwd", "passwd"),
            ("..\\..\\boot.ini", "boot.ini"),
            ("/abs/GB T 7714-2015.pdf", "GB T 7714-2015.pdf"),
            (".hidden", "hidden"),
            ("..", "upload-3"),
            ("", "upload-3"),
            ("a\u{0}b:c.txt", "ab_c.txt"),
            ("标准.pdf", "标准.pdf"),
        ] {
            assert_eq!(sanitize_file_name(input, 3), want, "{input:?}");
        }
        let long = "长".repeat(100);
        assert!(sanitize_file_name(&long, 0).len() <= MAX_NAME_BYTES);
        assert_eq!(unique_name("a.pdf", &["a.pdf".into()]), "2-a.pdf");
    }
}

/// A job: state, progress, and the per-file report once done.
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "admin",
    security(("admin_key" = [])),
    params(("id" = String, Path, description = "the job id answered by an upload with wait=false")),
    responses(
        (status = 200, description = "the job", body = crate::jobs::Job),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such job", body = ErrorBody),
        (status = 503, description = "`not_ready`", body = ErrorBody),
    ))]
pub async fn job(
    _admin: Admin,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<String>,
) -> Result<Json<crate::jobs::Job>, ApiError> {
    let jobs = state.start_jobs()?;
    let found = blocking(move || jobs.get(&id).map_err(|e| ApiError::internal(&e))).await?;
    found
        .map(Json)
        .ok_or_else(|| ApiError::not_found("no job with that id"))
}
