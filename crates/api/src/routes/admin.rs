//! Operations routes for the admin key: `POST /api/v1/admin/snapshots` (a snapshot of the
//! served index into the configured folder, taken while searches and uploads go on) and
//! `POST /api/v1/admin/reindex` (rebuild the index from its stored records with the current
//! configuration into a new generation, switch to it atomically, retire the old one once no
//! search uses it). Searches keep answering from the old generation until the switch.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::auth::Admin;
use crate::error::{ApiError, ErrorBody, ErrorCode};
use crate::routes::index_error;
use crate::state::{blocking, AppState, Index};

/// A snapshot written by the service.
#[derive(Debug, Serialize, ToSchema)]
pub struct SnapshotAnswer {
    /// File name of the archive in the snapshot folder.
    pub file: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// Files in it (index and state).
    pub files: usize,
    /// State files among them (jobs, watchlists, sync positions, ...).
    pub state_files: usize,
    /// The index generation snapshotted.
    pub generation: u64,
}

/// Writes a snapshot of the served index into the configured `snapshot_dir`.
#[utoipa::path(post, path = "/api/v1/admin/snapshots", tag = "admin",
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "snapshot written", body = SnapshotAnswer),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 404, description = "`not_found`: no snapshot_dir configured", body = ErrorBody),
        (status = 500, description = "`internal`: writing failed", body = ErrorBody),
        (status = 503, description = "`not_ready`", body = ErrorBody),
    ))]
pub async fn snapshot(
    _admin: Admin,
    State(state): State<AppState>,
) -> Result<Json<SnapshotAnswer>, ApiError> {
    let Some(dir) = state.config.snapshot_dir.clone() else {
        return Err(ApiError::not_found(
            "snapshots are not enabled: set snapshot_dir (BIAOZHUN_SNAPSHOT_DIR)",
        ));
    };
    let index = state.index()?;
    let report = blocking(move || {
        std::fs::create_dir_all(&dir).map_err(|e| ApiError::internal(&e))?;
        let name = format!(
            "biaozhun-{}-gen{}.tar.zst",
            chrono::Utc::now().format("%Y%m%dT%H%M%S%.3fZ"),
            index.generation()
        );
        biaozhun_index::snapshot::snapshot(index.dir(), &dir.join(&name))
            .map_err(|e| ApiError::internal(&e))
    })
    .await?;
    tracing::info!(path = %report.path.display(), bytes = report.bytes, "snapshot written");
    Ok(Json(SnapshotAnswer {
        file: report
            .path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        bytes: report.bytes,
        files: report.files,
        state_files: report.state_files,
        generation: report.generation,
    }))
}

/// What a re-index did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReindexAnswer {
    /// The generation replaced.
    pub from_generation: u64,
    /// The generation now served.
    pub to_generation: u64,
    /// Records copied.
    pub records: u64,
    /// File bookkeeping entries carried over.
    pub files: u64,
    /// Stored records that could not be read (skipped; the log names them).
    pub unreadable: u64,
    /// Seconds the rebuild took.
    pub seconds: f64,
}

/// Rebuilds the index from its stored records with the current configuration and switches to
/// the new generation; uploads wait meanwhile, searches do not.
#[utoipa::path(post, path = "/api/v1/admin/reindex", tag = "admin",
    security(("admin_key" = [])),
    responses(
        (status = 200, description = "the new generation is served", body = ReindexAnswer),
        (status = 401, description = "`unauthorized`", body = ErrorBody),
        (status = 403, description = "`read_only`: a replica; re-index on the writer", body = ErrorBody),
        (status = 500, description = "`internal`: the rebuild failed; the old generation still serves", body = ErrorBody),
        (status = 503, description = "`not_ready`", body = ErrorBody),
    ))]
pub async fn reindex(
    _admin: Admin,
    State(state): State<AppState>,
) -> Result<Json<ReindexAnswer>, ApiError> {
    refuse_read_only(&state)?;
    let _guard = state.write_lock.lock().await;
    let index = state.index()?;
    let config_dir = state.config.index_config_dir.clone();
    let started = std::time::Instant::now();
    let (new, report) = blocking(move || {
        let (new, report) = index.reindex(&config_dir).map_err(index_error)?;
        if let Err(e) = new.warm() {
            tracing::warn!(error = %e, "warming the new generation failed");
        }
        Ok((new, report))
    })
    .await?;
    if let Some(old) = state.swap_index(Arc::new(new)) {
        retire(old);
    }
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        from = report.from_generation,
        to = report.to_generation,
        records = report.records,
        seconds,
        "re-index done, new generation served"
    );
    Ok(Json(ReindexAnswer {
        from_generation: report.from_generation,
        to_generation: report.to_generation,
        records: report.records,
        files: report.files,
        unreadable: report.unreadable,
        seconds,
    }))
}

/// `read_only` for writes sent to a replica.
pub fn refuse_read_only(state: &AppState) -> Result<(), ApiError> {
    if state.config.read_only {
        return Err(ApiError::new(
            ErrorCode::ReadOnly,
            "this server is a read-only replica; send writes to the writer",
        ));
    }
    Ok(())
}

/// Removes a replaced generation once no search holds it any more (plus a grace period for
/// replicas in other processes, which follow the switch within a second).
pub fn retire(old: Arc<Index>) {
    tokio::spawn(async move {
        while Arc::strong_count(&old) > 1 {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
        let (root, generation) = (old.dir().to_path_buf(), old.generation());
        drop(old);
        let removed = tokio::task::spawn_blocking(move || {
            biaozhun_index::alias::remove_generation(&root, generation)
        })
        .await;
        match removed {
            Ok(Ok(())) => tracing::info!(generation, "old generation removed"),
            Ok(Err(e)) => tracing::warn!(error = %e, generation, "old generation not removed"),
            Err(e) => tracing::warn!(error = %e, "removal task failed"),
        }
    });
}
