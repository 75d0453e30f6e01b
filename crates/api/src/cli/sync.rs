//! `biaozhun sync eping`: one run of the WTO ePing connector into an index (see
//! `crates/api/src/sync/eping.rs` and `EPING.md` next to it). The subscription key comes from
//! `BIAOZHUN_EPING_KEY` only; it is never printed.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use biaozhun_api::sync::{self, RawEping};

/// `biaozhun sync <source>`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The source.
    #[command(subcommand)]
    pub source: Source,
}

/// Sources `biaozhun sync` knows.
#[derive(Debug, clap::Subcommand)]
pub enum Source {
    /// WTO ePing TBT/SPS notifications (key in BIAOZHUN_EPING_KEY).
    Eping(EpingArgs),
}

/// Flags of `biaozhun sync eping`.
#[derive(Debug, clap::Args)]
pub struct EpingArgs {
    /// Index directory (created when missing).
    #[arg(long)]
    pub index: PathBuf,
    /// Configuration directory (schema, analyzer files, catalog-aliases.toml) [default: the
    /// built-in configuration].
    #[arg(long, env = "BIAOZHUN_INDEX_CONFIG")]
    pub config: Option<PathBuf>,
    /// Fetch notifications distributed since this date (YYYY-MM-DD) instead of the saved
    /// position.
    #[arg(long)]
    pub since: Option<String>,
    /// API base URL.
    #[arg(long, default_value = sync::EPING_BASE_URL)]
    pub base_url: String,
    /// Records per page.
    #[arg(long, default_value_t = 100)]
    pub page_size: u32,
    /// ePing language ids to fetch, comma-separated (1 English, 2 French, 3 Spanish).
    #[arg(long, default_value = "1", value_delimiter = ',')]
    pub languages: Vec<u8>,
    /// Longest run (`30m`, `2h`); the run then stops after the current page.
    #[arg(long, default_value = "30m")]
    pub max_run: String,
    /// Timeout of one request.
    #[arg(long, default_value = "30s")]
    pub timeout: String,
    /// Retries of one page.
    #[arg(long, default_value_t = 5)]
    pub retries: u32,
    /// First wait between retries (doubled each time; a Retry-After header wins).
    #[arg(long, default_value = "1s")]
    pub backoff: String,
    /// Webhook subscriptions to notify of new notifications (a TOML file with `[[webhooks]]`).
    #[arg(long)]
    pub webhooks: Option<PathBuf>,
    /// Print the run report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Runs the sync. Exit code 2 for bad flags or a missing key, 1 when the run stopped early.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let Source::Eping(a) = &args.source;
    let Some(key) = sync::key_from_env() else {
        eprintln!(
            "error: set {} to the ePing subscription key",
            sync::EPING_KEY_ENV
        );
        return Ok(ExitCode::from(2));
    };
    let raw = RawEping {
        interval: None,
        base_url: Some(a.base_url.clone()),
        page_size: Some(a.page_size),
        languages: Some(a.languages.clone()),
        since: None,
        overlap_days: None,
        max_run: Some(a.max_run.clone()),
        timeout: Some(a.timeout.clone()),
        retries: Some(a.retries),
        backoff: Some(a.backoff.clone()),
    };
    let cfg = match raw.validate() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let since = match a.since.as_deref() {
        Some(s) => match chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                eprintln!("error: --since {s:?} is not YYYY-MM-DD");
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let hooks = match &a.webhooks {
        Some(p) => biaozhun_api::webhook::load_file(p)?,
        None => Vec::new(),
    };
    let config_dir = crate::cli::config_dir(a.config.as_deref())?;
    std::fs::create_dir_all(&a.index)
        .with_context(|| format!("cannot create {}", a.index.display()))?;
    let index = biaozhun_index::Index::open_or_create(&a.index, &config_dir)
        .with_context(|| format!("cannot open index {}", a.index.display()))?;
    let index = Arc::new(index);
    let opts = cfg.options(key, config_dir);
    let rt = tokio::runtime::Runtime::new()?;
    let (report, deliveries) = rt.block_on(async {
        let out = sync::eping::run(index, &opts, since, hooks).await?;
        let (report, deliveries) = out;
        let mut outcomes = Vec::new();
        for d in deliveries {
            outcomes.extend(d.await.unwrap_or_default());
        }
        Ok::<_, sync::eping::SyncError>((report, outcomes))
    })?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "ePing since {}: {} page(s), {} record(s): {} new, {} changed, {} unchanged, {} rejected, {} retries",
            report.from.map(|d| d.to_string()).unwrap_or_default(),
            report.pages,
            report.fetched,
            report.new,
            report.changed,
            report.unchanged,
            report.rejected.len(),
            report.retries
        );
        for r in &report.rejected {
            println!("  rejected {r}");
        }
        for d in &deliveries {
            println!(
                "  webhook {} delivered={} attempts={}",
                d.url, d.delivered, d.attempts
            );
        }
    }
    if let Some(why) = &report.stopped {
        eprintln!(
            "stopped early: {why} (what was fetched is committed; the next run resumes there)"
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
