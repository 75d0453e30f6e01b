//! The search pool: a fixed set of threads, as many as the configuration says (by default one
//! per core), taking read-only index work (searches, suggestions, record look-ups, barrier
//! checks, dossiers) from one bounded queue.
//!
//! Why not tokio's `spawn_blocking`: its pool grows to 512 threads, so at 64 concurrent
//! requests up to 64 threads searched at once on 2 cores (context switches, cold caches, a
//! malloc arena or heap per thread). Here at most `threads` searches run at once and the others
//! wait their turn in the queue; when the queue is full the request is answered at once with
//! `503 overloaded` and `Retry-After` instead of piling up. A queued job whose request has
//! timed out or whose client has gone by the time a thread takes it is dropped unrun. A panic
//! inside a job is caught on its thread and answered as `internal`; the thread goes on with the
//! next job.
//!
//! Writes (uploads, commits, snapshots, re-index) stay on tokio's blocking pool: they are rare,
//! long, and must not be refused because searches are busy.

use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;

use crossbeam_channel::{Sender, TrySendError};

use crate::error::ApiError;

/// Seconds a client is asked to wait (`Retry-After`) when the search queue is full.
pub const OVERLOADED_RETRY_SECS: u64 = 1;

type Job = Box<dyn FnOnce() + Send + 'static>;

/// The search threads and their queue. Dropping the pool lets its threads finish the jobs
/// already queued and exit.
pub struct SearchPool {
    tx: Sender<Job>,
    threads: usize,
    queue: usize,
    /// Jobs accepted and not finished (running or waiting).
    pending: Arc<AtomicUsize>,
    /// Jobs refused because the queue was full, since start.
    refused: AtomicU64,
    /// Jobs dropped unrun because nobody waited for them any more, since start.
    skipped: Arc<AtomicU64>,
}

impl SearchPool {
    /// Starts `threads` threads (at least one) behind a queue of `queue` waiting jobs (0: a job
    /// is refused unless a thread is free to take it at once).
    pub fn new(threads: usize, queue: usize) -> SearchPool {
        let (tx, rx) = crossbeam_channel::bounded::<Job>(queue);
        let mut started = 0;
        for i in 0..threads.max(1) {
            let rx = rx.clone();
            let spawned = std::thread::Builder::new()
                .name(format!("bz-search-{i}"))
                .spawn(move || {
                    // Ends when every sender is gone (the pool was dropped).
                    for job in rx {
                        job();
                    }
                });
            match spawned {
                Ok(_) => started += 1,
                Err(e) => tracing::error!(error = %e, thread = i, "cannot start a search thread"),
            }
        }
        SearchPool {
            tx,
            threads: started,
            queue,
            pending: Arc::new(AtomicUsize::new(0)),
            refused: AtomicU64::new(0),
            skipped: Arc::new(AtomicU64::new(0)),
        }
    }

    /// Number of running search threads.
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Most jobs that wait for a thread before new ones are refused.
    pub fn queue(&self) -> usize {
        self.queue
    }

    /// Jobs accepted and not finished yet: running on a thread or waiting in the queue.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::Relaxed)
    }

    /// Requests refused with `overloaded` since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// Queued jobs dropped unrun since start: their request had timed out or its client had
    /// gone by the time a thread was free.
    pub fn skipped(&self) -> u64 {
        self.skipped.load(Ordering::Relaxed)
    }

    /// The pool's lines of `/metrics` (Prometheus text format): its size, what waits or runs
    /// now, and the refusals, so an operator can see whether `search_queue` is deep enough.
    pub fn render_metrics(&self, out: &mut String) {
        out.push_str(
            "# HELP biaozhun_search_threads Threads that run searches and other index reads.\n",
        );
        out.push_str("# TYPE biaozhun_search_threads gauge\n");
        let _ = writeln!(out, "biaozhun_search_threads {}", self.threads);
        out.push_str(
            "# HELP biaozhun_search_queue_capacity Requests that may wait for a search thread.\n",
        );
        out.push_str("# TYPE biaozhun_search_queue_capacity gauge\n");
        let _ = writeln!(out, "biaozhun_search_queue_capacity {}", self.queue);
        out.push_str("# HELP biaozhun_search_pending Index reads running or waiting now.\n");
        out.push_str("# TYPE biaozhun_search_pending gauge\n");
        let _ = writeln!(out, "biaozhun_search_pending {}", self.pending());
        out.push_str("# HELP biaozhun_search_refused_total Requests answered 503 overloaded because the search queue was full.\n");
        out.push_str("# TYPE biaozhun_search_refused_total counter\n");
        let _ = writeln!(out, "biaozhun_search_refused_total {}", self.refused());
        out.push_str("# HELP biaozhun_search_skipped_total Queued reads dropped unrun: the request had timed out or the client had gone.\n");
        out.push_str("# TYPE biaozhun_search_skipped_total counter\n");
        let _ = writeln!(out, "biaozhun_search_skipped_total {}", self.skipped());
    }

    /// Runs `f` on a search thread and awaits its result. `overloaded` (503, `Retry-After`)
    /// when the queue is full; `internal` when `f` panics (the thread survives).
    pub async fn run<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
        T: Send + 'static,
    {
        if self.threads == 0 {
            // No thread could be started (logged at start-up): the blocking pool still works.
            return crate::state::blocking(f).await;
        }
        let (done, result) = tokio::sync::oneshot::channel();
        let pending = Arc::clone(&self.pending);
        let skipped = Arc::clone(&self.skipped);
        pending.fetch_add(1, Ordering::Relaxed);
        let job: Job = Box::new(move || {
            if done.is_closed() {
                // Nobody waits for the answer any more (the request timed out while queued, or
                // the client went away): under overload, do not spend a thread on it.
                pending.fetch_sub(1, Ordering::Relaxed);
                skipped.fetch_add(1, Ordering::Relaxed);
                return;
            }
            let outcome = std::panic::catch_unwind(AssertUnwindSafe(f));
            pending.fetch_sub(1, Ordering::Relaxed);
            // The receiver is gone when the client left or the request timed out: nothing to do.
            let _ = done.send(outcome);
        });
        match self.tx.try_send(job) {
            Ok(()) => {}
            Err(TrySendError::Full(_)) => {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                self.refused.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(queue = self.queue, "search queue full, request refused");
                return Err(ApiError::overloaded(OVERLOADED_RETRY_SECS));
            }
            Err(TrySendError::Disconnected(_)) => {
                self.pending.fetch_sub(1, Ordering::Relaxed);
                return Err(ApiError::internal(&"every search thread has stopped"));
            }
        }
        match result.await {
            Ok(Ok(r)) => r,
            Ok(Err(panic)) => Err(ApiError::internal(&format!(
                "search job panicked: {}",
                panic_message(panic.as_ref())
            ))),
            Err(_) => Err(ApiError::internal(&"search job dropped before it ran")),
        }
    }
}

impl std::fmt::Debug for SearchPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "SearchPool({} threads, queue {})",
            self.threads, self.queue
        )
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "non-string panic payload"
    }
}
