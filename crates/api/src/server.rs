//! Running the service: open (or create and bootstrap) the index, bind, serve until SIGTERM or
//! ctrl-c, drain in-flight requests.
//!
//! The listener is bound first and the URL printed at once; the index opens on the blocking pool
//! meanwhile (`/readyz` answers 503 until it is open). On a fresh clone the index does not exist
//! yet: it is created and the bootstrap folder (`fixtures/`) ingested into it, so
//! `cargo run --release -- serve` shows a working search without any other step. Sub-folders
//! holding a `.no-bootstrap` file (`fixtures/bad`, the deliberately broken inputs) are left out.
//!
//! A server that may ingest (any but a replica) checks the index configuration's
//! `catalog-aliases.toml` before it binds and refuses to start when the file is present but
//! invalid, naming it (the one rule of [`crate::ingest`]); the bootstrap applies the same rule.
//!
//! A read-only server (`--read-only`, a replica) never creates, bootstraps or writes: it waits
//! for the writer to create the index, follows its commits (tantivy reloads within about half a
//! second of a commit) and its re-index switches (the alias is polled every
//! [`FOLLOW_INTERVAL`]), and answers writes with `read_only`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use biaozhun_index::{Index, IndexError};
use tokio::net::TcpListener;

use crate::config::Config;
use crate::ingest::{Destination, IngestError, IngestOptions, Inputs};
use crate::metrics::Metrics;
use crate::state::AppState;

/// How often a server that does not write checks whether the index was re-indexed.
pub const FOLLOW_INTERVAL: Duration = Duration::from_millis(500);
/// Marker file: a bootstrap sub-folder holding it is not ingested.
pub const NO_BOOTSTRAP: &str = ".no-bootstrap";

/// Why the service could not start or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The address is taken or not ours.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The OS error.
        source: std::io::Error,
    },
    /// The index cannot be opened or created.
    #[error("cannot open the index in {dir}: {source}")]
    Index {
        /// The index directory.
        dir: PathBuf,
        /// The index error (schema mismatch, missing config, ...).
        source: IndexError,
    },
    /// The bootstrap ingest could not commit.
    #[error("bootstrap ingest of {dir} failed: {message}")]
    Bootstrap {
        /// The bootstrap folder.
        dir: PathBuf,
        /// The commit error.
        message: String,
    },
    /// The index configuration cannot be used to ingest (a present but invalid
    /// `catalog-aliases.toml`, named in the message).
    #[error("{0}")]
    Config(#[from] IngestError),
    /// The HTTP server failed.
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    /// The opening task panicked.
    #[error("index opening task failed: {0}")]
    Task(String),
}

/// Serves `config` until a shutdown signal.
pub async fn serve(config: Config) -> Result<(), ServeError> {
    if !config.read_only {
        // Uploads, jobs, the sync and the bootstrap ingest: a bad alias file stops us here.
        crate::ingest::aliases(&config.index_config_dir)?;
    }
    let addr = config.addr;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| ServeError::Bind { addr, source })?;
    let local = listener.local_addr()?;
    let state = AppState::new(config.clone());
    println!(
        "biaozhun serving on http://{local}/ (search: http://{local}/api/v1/search?q=gbt7714)"
    );
    tracing::info!(addr = %local, index = %config.index_dir.display(), "listening");

    let (fail_tx, mut fail_rx) = tokio::sync::watch::channel(None::<String>);
    let opener = {
        let state = state.clone();
        let handle = tokio::runtime::Handle::current();
        tokio::task::spawn_blocking(move || match open_index(&state.config, &state.metrics) {
            Ok(index) => {
                let writable = index.is_writable();
                // Per-segment arrays before readiness, so the first searches are not slow.
                let started = std::time::Instant::now();
                match index.warm() {
                    Ok(()) => {
                        tracing::info!(ms = started.elapsed().as_millis() as u64, "index warmed")
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "warming the index failed; searches will prepare segments themselves")
                    }
                }
                let generation = index.generation();
                state.set_index(index);
                tracing::info!(generation, writable, "index open, ready");
                if writable {
                    // Resumes the ingest jobs a previous process left.
                    let state = state.clone();
                    handle.spawn(async move {
                        if let Err(e) = state.start_jobs() {
                            tracing::warn!(error = %e, "ingest jobs not started");
                        }
                    });
                } else {
                    handle.spawn(follow(state.clone(), generation));
                }
                Ok(())
            }
            Err(e) => {
                tracing::error!(error = %e, "index not available, shutting down");
                let _ = fail_tx.send(Some(e.to_string()));
                Err(e)
            }
        })
    };

    if let Some(cfg) = config.sync_eping.clone() {
        if let Some(interval) = cfg.interval {
            match crate::sync::key_from_env() {
                Some(key) => {
                    tracing::info!(every_secs = interval.as_secs(), "ePing sync scheduled");
                    crate::sync::spawn_eping(state.clone(), cfg, interval, key);
                }
                None => tracing::error!(
                    env = crate::sync::EPING_KEY_ENV,
                    "sync.eping is scheduled but the key is not set; the sync will not run"
                ),
            }
        }
    }
    let app = crate::router(state);
    let shutdown = async move {
        tokio::select! {
            () = signal() => {}
            () = async {
                // The sender is dropped once the index is open: that is no reason to stop.
                if fail_rx.wait_for(Option::is_some).await.is_err() {
                    std::future::pending::<()>().await;
                }
            } => {}
        }
    };
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await?;
    tracing::info!("stopped");
    if opener.is_finished() {
        match opener.await {
            Ok(Err(e)) => return Err(e),
            Err(e) => return Err(ServeError::Task(e.to_string())),
            Ok(Ok(())) => {}
        }
    }
    Ok(())
}

/// Opens the index for serving. Creates it (and ingests the bootstrap folder) when it is missing
/// or empty. It stays writable only when admin keys are configured (uploads, deletes); otherwise
/// it is reopened read-only, so `biaozhun ingest` can update it while it is served.
pub fn open_index(config: &Config, metrics: &Metrics) -> Result<Index, ServeError> {
    let dir = &config.index_dir;
    let index_err = |source| ServeError::Index {
        dir: dir.clone(),
        source,
    };
    if config.read_only {
        return open_replica(dir).map_err(index_err);
    }
    // Uploads and the scheduled sync write; otherwise the index is served read-only.
    let syncing = config
        .sync_eping
        .as_ref()
        .is_some_and(|s| s.interval.is_some());
    let writable = config.admin_keys.is_configured() || syncing;
    let bootstrap = config.bootstrap.as_ref().filter(|p| p.is_dir());
    if !writable {
        match Index::open(dir) {
            Ok(index) if bootstrap.is_none() || !is_empty(&index) => return Ok(index),
            Ok(_) | Err(IndexError::NotFound(_)) => {}
            Err(e) => return Err(index_err(e)),
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        index_err(IndexError::Io {
            path: dir.display().to_string(),
            source: e,
        })
    })?;
    let index = Index::open_or_create(dir, &config.index_config_dir).map_err(index_err)?;
    if let Some(folder) = bootstrap {
        if is_empty(&index) {
            tracing::info!(folder = %folder.display(), "empty index, ingesting the bootstrap folder");
            let opts = IngestOptions {
                ocr_max_pages: config.ocr_max_pages,
                ..Default::default()
            };
            let crate::ingest::Ingested { reports, summary } = crate::ingest::run(
                &config.index_config_dir,
                Inputs::Paths(&bootstrap_paths(folder)),
                Destination::Index(&index),
                &opts,
            )?;
            for r in &reports {
                metrics.observe_ingest(r.status.as_str());
            }
            if let Some(message) = summary.commit_error {
                return Err(ServeError::Bootstrap {
                    dir: folder.clone(),
                    message,
                });
            }
            tracing::info!(
                files = summary.files,
                standards = summary.standards,
                notifications = summary.notifications,
                regulations = summary.regulations,
                errors = summary.error,
                "bootstrap ingest done"
            );
        }
    } else if config.bootstrap.is_some() && is_empty(&index) {
        tracing::warn!("the index is empty and the bootstrap folder does not exist");
    }
    if writable {
        return Ok(index);
    }
    drop(index);
    Index::open(dir).map_err(index_err)
}

/// What to ingest of the bootstrap folder: the folder itself, or its entries without the
/// sub-folders marked [`NO_BOOTSTRAP`].
fn bootstrap_paths(folder: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(folder) else {
        return vec![folder.to_path_buf()];
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    if !paths.iter().any(|p| p.join(NO_BOOTSTRAP).exists()) {
        return vec![folder.to_path_buf()];
    }
    paths.retain(|p| {
        let skip = p.join(NO_BOOTSTRAP).exists();
        if skip {
            tracing::info!(folder = %p.display(), "not bootstrapped (marked {NO_BOOTSTRAP})");
        }
        let hidden = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'));
        !skip && !hidden
    });
    paths.sort();
    paths
}

/// Opens the index a writer process creates, waiting for it to exist.
fn open_replica(dir: &Path) -> Result<Index, IndexError> {
    let mut waited = false;
    loop {
        match Index::open(dir) {
            Err(IndexError::NotFound(_)) => {
                if !waited {
                    tracing::info!(index = %dir.display(), "read-only: waiting for the writer to create the index");
                    waited = true;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
            other => return other,
        }
    }
}

/// Follows re-index switches of the index this (non-writing) server serves: when the alias
/// names a new generation, opens and warms it, then swaps it in. Commits within a generation
/// are followed by tantivy's own reload.
async fn follow(state: AppState, mut generation: u64) {
    let root = state.config.index_dir.clone();
    loop {
        tokio::time::sleep(FOLLOW_INTERVAL).await;
        let current = match biaozhun_index::alias::resolve(&root) {
            Ok(r) => r.generation,
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the index alias");
                continue;
            }
        };
        if current == generation {
            continue;
        }
        let dir = root.clone();
        let opened = tokio::task::spawn_blocking(move || {
            let index = Index::open(&dir)?;
            if let Err(e) = index.warm() {
                tracing::warn!(error = %e, "warming the new generation failed");
            }
            Ok::<_, IndexError>(index)
        })
        .await;
        match opened {
            Ok(Ok(index)) => {
                generation = index.generation();
                state.swap_index(Arc::new(index));
                tracing::info!(generation, "following the re-indexed generation");
            }
            Ok(Err(e)) => tracing::warn!(error = %e, "new generation not opened yet"),
            Err(e) => tracing::warn!(error = %e, "opening task failed"),
        }
    }
}

fn is_empty(index: &Index) -> bool {
    match index.stats() {
        Ok(s) => biaozhun_model::RecordKind::ALL
            .iter()
            .all(|k| s.records(*k) == 0),
        Err(e) => {
            tracing::warn!(error = %e, "index stats failed");
            false
        }
    }
}

/// Resolves on ctrl-c or SIGTERM.
async fn signal() {
    let ctrl_c = async {
        if let Err(e) = tokio::signal::ctrl_c().await {
            tracing::warn!(error = %e, "cannot listen for ctrl-c");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => tracing::info!("ctrl-c, shutting down"),
        () = term => tracing::info!("SIGTERM, shutting down"),
    }
}
