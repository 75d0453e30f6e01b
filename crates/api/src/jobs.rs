//! Ingest jobs: `POST /api/v1/documents?wait=false` stages the upload as a job and answers
//! `202` at once; one worker runs jobs one at a time in the order they were queued;
//! `GET /api/v1/jobs/{id}` shows state, progress and, when done, the per-file report.
//!
//! Jobs live in the index directory (`jobs/<id>/job.json` beside the staged `files/`), so they
//! are state that survives a restart, a re-index and a snapshot. At start the worker resumes
//! queued jobs and re-runs the one that was running when the process stopped: uploads are
//! remembered by name and content hash, so files a killed run already committed are skipped
//! and the rest imported. A job's files are deleted once it is done; its `job.json` stays.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::routes::documents::{dir_prefix, report_wire, summary_wire, UploadAnswer};
use crate::state::AppState;

/// Folder of the jobs inside the index directory.
pub const JOBS_DIR: &str = "jobs";
const JOB_FILE: &str = "job.json";
const FILES_DIR: &str = "files";

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for the jobs before it.
    Queued,
    /// Being ingested.
    Running,
    /// Finished; the report says how each file went.
    Done,
    /// Could not run to the end (the commit failed, or the alias table is invalid: the staged
    /// files are kept); `error` says why.
    Failed,
}

/// A job as stored and as answered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Job {
    /// The job id (sortable: jobs run in id order).
    pub id: String,
    /// Where it is.
    pub state: JobState,
    /// When it was queued (RFC 3339).
    pub created: String,
    /// When it last started running.
    pub started: Option<String>,
    /// When it finished.
    pub finished: Option<String>,
    /// Files uploaded.
    pub files_total: usize,
    /// Files ingested so far.
    pub files_done: usize,
    /// Bytes uploaded.
    pub bytes_total: u64,
    /// Bytes of the files ingested so far.
    pub bytes_done: u64,
    /// How many times it was started (more than 1 after a restart).
    pub attempts: u32,
    /// Why it failed.
    pub error: Option<String>,
    /// The per-file report, when done.
    pub report: Option<UploadAnswer>,
}

/// Why a job could not be created or read.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// A file of the job store could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        source: std::io::Error,
    },
    /// A `job.json` that does not parse.
    #[error("{path}: {message}")]
    Corrupt {
        /// The file.
        path: String,
        /// The parser's message.
        message: String,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> JobError + '_ {
    move |source| JobError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The job store of one index directory, and the worker's wake-up bell.
#[derive(Debug)]
pub struct Jobs {
    dir: PathBuf,
    wake: tokio::sync::Notify,
    seq: AtomicU64,
}

impl Jobs {
    /// The store under `index_dir/jobs`.
    pub fn new(index_dir: &Path) -> Jobs {
        Jobs {
            dir: index_dir.join(JOBS_DIR),
            wake: tokio::sync::Notify::new(),
            seq: AtomicU64::new(0),
        }
    }

    /// A new job folder to stage files into (not visible to the worker until [`Jobs::queue`]).
    pub fn stage(&self) -> Result<(String, PathBuf), JobError> {
        let ms = chrono::Utc::now().timestamp_millis();
        let n = self.seq.fetch_add(1, Ordering::Relaxed) % 1000;
        let id = format!("job-{ms:013}-{n:03}");
        let files = self.dir.join(&id).join(FILES_DIR);
        std::fs::create_dir_all(&files).map_err(io(&files))?;
        Ok((id, files))
    }

    /// Queues a staged job and wakes the worker.
    pub fn queue(&self, id: &str) -> Result<Job, JobError> {
        let files = self.dir.join(id).join(FILES_DIR);
        let (mut count, mut bytes) = (0, 0);
        for e in std::fs::read_dir(&files).map_err(io(&files))?.flatten() {
            count += 1;
            bytes += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
        let job = Job {
            id: id.to_string(),
            state: JobState::Queued,
            created: now(),
            started: None,
            finished: None,
            files_total: count,
            files_done: 0,
            bytes_total: bytes,
            bytes_done: 0,
            attempts: 0,
            error: None,
            report: None,
        };
        self.save(&job)?;
        self.wake.notify_one();
        Ok(job)
    }

    /// A job by id (`None` for an unknown or malformed id).
    pub fn get(&self, id: &str) -> Result<Option<Job>, JobError> {
        if !is_job_id(id) {
            return Ok(None);
        }
        let path = self.dir.join(id).join(JOB_FILE);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| JobError::Corrupt {
                    path: path.display().to_string(),
                    message: e.to_string(),
                }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io(&path)(e)),
        }
    }

    /// Writes `job.json` atomically (a reader never sees half of it).
    pub fn save(&self, job: &Job) -> Result<(), JobError> {
        let path = self.dir.join(&job.id).join(JOB_FILE);
        let tmp = path.with_extension("json.tmp");
        let body = serde_json::to_vec_pretty(job).unwrap_or_default();
        std::fs::write(&tmp, body).map_err(io(&tmp))?;
        std::fs::rename(&tmp, &path).map_err(io(&path))
    }

    /// The next job to run: a running one (its process stopped mid-way) first, then the oldest
    /// queued one.
    fn next(&self) -> Option<Job> {
        let mut ids: Vec<String> = std::fs::read_dir(&self.dir)
            .ok()?
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .filter(|n| is_job_id(n))
            .collect();
        ids.sort();
        let jobs: Vec<Job> = ids
            .iter()
            .filter_map(|id| match self.get(id) {
                Ok(j) => j,
                Err(e) => {
                    tracing::warn!(error = %e, "unreadable job skipped");
                    None
                }
            })
            .collect();
        jobs.iter()
            .find(|j| j.state == JobState::Running)
            .or_else(|| jobs.iter().find(|j| j.state == JobState::Queued))
            .cloned()
    }

    fn files_dir(&self, id: &str) -> PathBuf {
        self.dir.join(id).join(FILES_DIR)
    }
}

fn is_job_id(id: &str) -> bool {
    id.starts_with("job-")
        && id.len() <= 40
        && id[4..].bytes().all(|b| b.is_ascii_digit() || b == b'-')
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Runs jobs one at a time until the process ends; resumes what a previous process left.
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        loop {
            let Some(jobs) = state.jobs() else { return };
            let notified = jobs.wake.notified();
            match jobs.next() {
                Some(job) => run(&state, &jobs, job).await,
                None => notified.await,
            }
        }
    });
}

async fn run(state: &AppState, jobs: &Arc<Jobs>, mut job: Job) {
    if job.state == JobState::Running {
        tracing::info!(job = %job.id, "re-running a job interrupted by a restart");
    }
    job.state = JobState::Running;
    job.started = Some(now());
    job.attempts += 1;
    job.files_done = 0;
    job.bytes_done = 0;
    if let Err(e) = jobs.save(&job) {
        tracing::error!(error = %e, job = %job.id, "cannot record job start");
        return;
    }
    tracing::info!(job = %job.id, files = job.files_total, "job started");
    let index = match state.index() {
        Ok(i) => i,
        Err(_) => {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            return;
        }
    };
    let guard = state.write_lock.lock().await;
    let staging = jobs.files_dir(&job.id);
    let config_dir = state.config.index_config_dir.clone();
    let ocr = state.config.ocr_max_pages;
    let progress = Arc::new(Mutex::new(job.clone()));
    let (sink, store) = (Arc::clone(&progress), Arc::clone(jobs));
    let hooks = state.config.webhooks.clone();
    let hook_index = index.clone();
    let result = tokio::task::spawn_blocking(move || {
        let before = crate::webhook::snapshot(&hooks, &index);
        let on_file = |r: &biaozhun_ingest::batch::FileReport| {
            let mut j = sink
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            j.files_done += 1;
            j.bytes_done += std::fs::metadata(&r.path).map(|m| m.len()).unwrap_or(0);
            if let Err(e) = store.save(&j) {
                tracing::warn!(error = %e, "job progress not saved");
            }
        };
        let opts = crate::ingest::IngestOptions {
            ocr_max_pages: ocr,
            progress: &on_file,
            ..Default::default()
        };
        let done = crate::ingest::run(
            &config_dir,
            crate::ingest::Inputs::Staged {
                folder: &staging,
                prefix: crate::ingest::UPLOAD_PREFIX,
            },
            crate::ingest::Destination::Index(&index),
            &opts,
        );
        (done, before)
    })
    .await;
    drop(guard);
    let mut job = progress
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .clone();
    job.finished = Some(now());
    match result {
        Ok((Err(e), _)) => {
            // The operator's configuration (see `crate::ingest`): the staged files stay.
            tracing::error!(error = %e, job = %job.id, "job not run: invalid configuration");
            job.state = JobState::Failed;
            job.error = Some(e.to_string());
        }
        Ok((Ok(crate::ingest::Ingested { reports, summary }), before)) => {
            for r in &reports {
                state.metrics.observe_ingest(r.status.as_str());
            }
            if let Some(e) = &summary.commit_error {
                job.state = JobState::Failed;
                job.error = Some(format!("commit failed: {e}"));
            } else {
                job.state = JobState::Done;
                let prefix = dir_prefix(&reports);
                job.report = Some(UploadAnswer {
                    files: reports.iter().map(|r| report_wire(r, &prefix)).collect(),
                    summary: summary_wire(&summary),
                });
                if let Some(before) = before {
                    crate::webhook::spawn_after_ingest(
                        hook_index,
                        state.config.webhooks.clone(),
                        before,
                        Default::default(),
                    );
                }
            }
        }
        Err(e) => {
            job.state = JobState::Failed;
            job.error = Some(format!("ingest task failed: {e}"));
        }
    }
    if let Err(e) = jobs.save(&job) {
        tracing::error!(error = %e, job = %job.id, "cannot record job end");
        return;
    }
    if job.state == JobState::Done {
        let _ = std::fs::remove_dir_all(jobs.files_dir(&job.id));
    }
    tracing::info!(job = %job.id, state = ?job.state, "job finished");
}
