//! Command-line subcommands of the `biaozhun` binary, one module each.

pub mod barriers;
pub mod check;
pub mod code;
pub mod config;
pub mod dossier;
pub mod eval;
pub mod ingest;
pub mod optimize;
pub mod querybench;
pub mod reindex;
pub mod search;
pub mod serve;
pub mod snapshot;
pub mod sync;
pub mod watch;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::{Mutex, OnceLock};

use biaozhun_api::config::LogFormat;

/// The index configuration folder: the one given, or the built-in defaults.
pub fn config_dir(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    match given {
        Some(p) => Ok(p.to_path_buf()),
        None => Ok(biaozhun_index::defaults::builtin_dir()?),
    }
}

/// The exit code of a failed command: 1 when inputs it was given were bad (a corrupt
/// archive), 2 for usage and configuration errors (nothing could be done).
pub fn exit_code(e: &anyhow::Error) -> ExitCode {
    let input_failure = e.chain().any(|c| {
        matches!(
            c.downcast_ref::<biaozhun_index::snapshot::SnapshotError>(),
            Some(
                biaozhun_index::snapshot::SnapshotError::BadArchive { .. }
                    | biaozhun_index::snapshot::SnapshotError::Busy(_)
            )
        )
    });
    ExitCode::from(if input_failure { 1 } else { 2 })
}

/// The progress bar being drawn, if any: log lines are written above it, not through it.
static PROGRESS: OnceLock<Mutex<Option<indicatif::ProgressBar>>> = OnceLock::new();

/// Registers (or clears) the progress bar that log output must not break.
pub fn set_progress(bar: Option<indicatif::ProgressBar>) {
    let slot = PROGRESS.get_or_init(|| Mutex::new(None));
    *slot
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner) = bar;
}

/// Stderr that suspends the progress bar while a log line is written.
struct LogWriter;

impl std::io::Write for LogWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let bar = PROGRESS.get().and_then(|m| {
            m.lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .clone()
        });
        match bar {
            Some(b) => b.suspend(|| std::io::stderr().write(buf)),
            None => std::io::stderr().write(buf),
        }
    }
    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// Logging for every subcommand: `RUST_LOG` when set, else `default` (`warn` for the command
/// line, `info` for the service), to stderr, above any progress bar.
pub fn init_logging(format: LogFormat, default: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("{default},tantivy=warn")));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(|| LogWriter);
    let result = match format {
        LogFormat::Json => builder.json().with_current_span(true).try_init(),
        LogFormat::Text => builder.try_init(),
    };
    if let Err(e) = result {
        eprintln!("warning: logging not initialised: {e}");
    }
}
