//! Shared state of the service: configuration, the open index, metrics and the rate limiter.
//!
//! The index sits behind a lock that only guards the *slot* (so `readyz` can answer before the
//! index is open and an admin upload can swap nothing but the reader state); searches clone an
//! `Arc<Index>` out of it and run on the search pool ([`crate::pool`]: a fixed set of threads
//! behind a bounded queue). Writes (uploads, deletes) run on tokio's blocking pool and are
//! serialised by one async mutex: tantivy allows one writer per index.

use std::sync::{Arc, RwLock};

use axum::extract::FromRef;
pub use biaozhun_index::Index;

use crate::config::{AdminKeys, Config};
use crate::error::{ApiError, ErrorCode};
use crate::jobs::Jobs;
use crate::metrics::Metrics;
use crate::pool::SearchPool;
use crate::ratelimit::RateLimiter;

/// Cheaply clonable handle to the shared state.
#[derive(Clone)]
pub struct AppState(Arc<Inner>);

/// The shared state itself.
pub struct Inner {
    /// Validated configuration.
    pub config: Config,
    index: RwLock<Option<Arc<Index>>>,
    /// Serialises writes to the index (uploads, deletes).
    pub write_lock: tokio::sync::Mutex<()>,
    /// Request and ingest counters.
    pub metrics: Metrics,
    /// Per-client limiter of search routes, when enabled.
    pub limiter: Option<RateLimiter>,
    /// Slots for reading documents sent to `/api/v1/check` (bounds their memory).
    pub check_slots: Arc<tokio::sync::Semaphore>,
    /// The threads that run searches and other index reads.
    search_pool: SearchPool,
    /// The ingest job store, once started (writers only).
    jobs: std::sync::OnceLock<Arc<Jobs>>,
}

impl AppState {
    /// State with no index yet (`readyz` answers 503 until [`AppState::set_index`]).
    pub fn new(config: Config) -> AppState {
        let limiter = config.rate_limit.map(RateLimiter::new);
        let search_pool = SearchPool::new(config.search.threads, config.search.queue);
        AppState(Arc::new(Inner {
            config,
            index: RwLock::new(None),
            write_lock: tokio::sync::Mutex::new(()),
            metrics: Metrics::default(),
            limiter,
            check_slots: Arc::new(tokio::sync::Semaphore::new(
                crate::routes::check::CHECK_CONCURRENCY,
            )),
            search_pool,
            jobs: std::sync::OnceLock::new(),
        }))
    }

    /// State serving an open index.
    pub fn with_index(config: Config, index: Index) -> AppState {
        let state = AppState::new(config);
        state.set_index(index);
        state
    }

    /// State serving an index shared with other owners (tests share one index between many
    /// routers).
    pub fn with_shared_index(config: Config, index: Arc<Index>) -> AppState {
        let state = AppState::new(config);
        state.set_shared_index(index);
        state
    }

    /// Installs the open index.
    pub fn set_index(&self, index: Index) {
        self.set_shared_index(Arc::new(index));
    }

    fn set_shared_index(&self, index: Arc<Index>) {
        self.swap_index(index);
    }

    /// Serves `index` from now on (a re-indexed generation, or the one a replica follows);
    /// returns the one it replaces, still usable by the searches holding it.
    pub fn swap_index(&self, index: Arc<Index>) -> Option<Arc<Index>> {
        let mut slot = self
            .0
            .index
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        slot.replace(index)
    }

    /// The open index, or `not_ready`.
    pub fn index(&self) -> Result<Arc<Index>, ApiError> {
        self.0
            .index
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
            .ok_or_else(|| ApiError::new(ErrorCode::NotReady, "the index is not open yet"))
    }

    /// The ingest job store, if started.
    pub fn jobs(&self) -> Option<Arc<Jobs>> {
        self.0.jobs.get().cloned()
    }

    /// The ingest job store of the served index directory, starting its worker on first use
    /// (which resumes jobs a previous process left queued or running). Needs a Tokio runtime.
    pub fn start_jobs(&self) -> Result<Arc<Jobs>, ApiError> {
        if let Some(j) = self.0.jobs.get() {
            return Ok(j.clone());
        }
        if self.config.read_only {
            return Err(ApiError::new(
                ErrorCode::ReadOnly,
                "this server is a read-only replica; jobs run on the writer",
            ));
        }
        let index = self.index()?;
        let mut started = false;
        let jobs = self
            .0
            .jobs
            .get_or_init(|| {
                started = true;
                Arc::new(Jobs::new(index.dir()))
            })
            .clone();
        if started {
            crate::jobs::spawn_worker(self.clone());
        }
        Ok(jobs)
    }

    /// Runs read-only index work (a search, a look-up) on the search pool: `overloaded` when
    /// its queue is full, `internal` when `f` panics.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        self.0.search_pool.run(f).await
    }

    /// The search pool (its size, for `/metrics`; tests occupy its threads).
    pub fn search_pool(&self) -> &SearchPool {
        &self.0.search_pool
    }

    /// Whether the index is open.
    pub fn ready(&self) -> bool {
        self.index().is_ok()
    }
}

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl FromRef<AppState> for AdminKeys {
    fn from_ref(state: &AppState) -> AdminKeys {
        state.config.admin_keys.clone()
    }
}

/// Runs blocking index work that writes (commits, uploads, snapshots) on tokio's blocking pool,
/// turning a panic or a
/// cancelled task into an internal error instead of taking the worker down.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    T: Send + 'static,
{
    match tokio::task::spawn_blocking(f).await {
        Ok(r) => r,
        Err(e) => Err(ApiError::internal(&e)),
    }
}
