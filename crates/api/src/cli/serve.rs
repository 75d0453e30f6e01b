//! `biaozhun serve`: the HTTP service. Reads the configuration in layers (TOML file, then
//! `BIAOZHUN_*` environment variables, then flags; clap resolves a flag over its variable),
//! validates it, sets up logging and runs [`biaozhun_api::server::serve`].

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_api::config::RawConfig;

/// Arguments of `biaozhun serve`. Every option can also be set in the config file (same name,
/// underscores) or in its environment variable; flags win over variables, variables over the
/// file.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Precedence: flags > BIAOZHUN_* environment variables > --config file > \
defaults. Without any argument, serve ./data/index on 127.0.0.1:8080, ingesting ./fixtures \
first when the index is missing or empty. See config.example.toml for the file format."
)]
pub struct Args {
    /// TOML configuration file (keys as in config.example.toml).
    #[arg(long, value_name = "FILE", env = "BIAOZHUN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Listen address [default: 127.0.0.1:8080].
    #[arg(long, value_name = "IP:PORT", env = "BIAOZHUN_ADDR")]
    pub addr: Option<String>,
    /// Index directory (built by `biaozhun ingest`) [default: data/index].
    #[arg(long, value_name = "DIR", env = "BIAOZHUN_INDEX")]
    pub index: Option<PathBuf>,
    /// Index configuration directory used to create a new index [default: the built-in
    /// configuration; `biaozhun config dump` writes it out for editing].
    #[arg(long, value_name = "DIR", env = "BIAOZHUN_INDEX_CONFIG")]
    pub index_config: Option<PathBuf>,
    /// Serve an index another process writes (a replica): no uploads, no bootstrap; follow
    /// its commits and re-index switches.
    #[arg(long, value_name = "BOOL", env = "BIAOZHUN_READ_ONLY", num_args = 0..=1, default_missing_value = "true")]
    pub read_only: Option<bool>,
    /// Folder `POST /api/v1/admin/snapshots` writes into (unset: the route is disabled).
    #[arg(long, value_name = "DIR", env = "BIAOZHUN_SNAPSHOT_DIR")]
    pub snapshot_dir: Option<PathBuf>,
    /// Proxies skipped from the right of X-Forwarded-For with --trust-proxy (IPs or CIDR
    /// blocks, comma-separated).
    #[arg(
        long = "trusted-proxy",
        value_name = "CIDR",
        env = "BIAOZHUN_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    pub trusted_proxies: Option<Vec<String>>,
    /// Folder ingested when the index is missing or empty; `none` disables [default: fixtures].
    #[arg(long, value_name = "DIR", env = "BIAOZHUN_BOOTSTRAP")]
    pub bootstrap: Option<PathBuf>,
    /// Admin key for POST/DELETE /api/v1/documents (at least 16 characters; repeat or
    /// comma-separate for several). Prefer the variable or the file: flags show in `ps`.
    #[arg(
        long = "admin-key",
        value_name = "KEY",
        env = "BIAOZHUN_ADMIN_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub admin_keys: Option<Vec<String>>,
    /// Origin allowed to call the API from browsers (repeat or comma-separate; `*` for any).
    #[arg(
        long = "cors-origin",
        value_name = "ORIGIN",
        env = "BIAOZHUN_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Option<Vec<String>>,
    /// Largest upload body in bytes [default: 268435456].
    #[arg(long, value_name = "BYTES", env = "BIAOZHUN_MAX_UPLOAD_BYTES")]
    pub max_upload_bytes: Option<u64>,
    /// Timeout of read requests in seconds [default: 30].
    #[arg(long, value_name = "SECS", env = "BIAOZHUN_REQUEST_TIMEOUT_SECS")]
    pub request_timeout_secs: Option<u64>,
    /// Longest accepted query `q`, in characters [default: 512].
    #[arg(long, value_name = "N", env = "BIAOZHUN_MAX_QUERY_CHARS")]
    pub max_query_chars: Option<usize>,
    /// Largest accepted `limit` [default: 100].
    #[arg(long, value_name = "N", env = "BIAOZHUN_MAX_LIMIT")]
    pub max_limit: Option<usize>,
    /// Deepest accepted `offset` [default: 10000].
    #[arg(long, value_name = "N", env = "BIAOZHUN_MAX_OFFSET")]
    pub max_offset: Option<usize>,
    /// Searches per minute and client IP; 0 disables rate limiting [default: 120].
    #[arg(long, value_name = "N", env = "BIAOZHUN_RATE_LIMIT_PER_MINUTE")]
    pub rate_limit_per_minute: Option<u32>,
    /// Burst of the per-client token bucket [default: 30].
    #[arg(long, value_name = "N", env = "BIAOZHUN_RATE_LIMIT_BURST")]
    pub rate_limit_burst: Option<u32>,
    /// Threads that run searches and other index reads [default: one per core].
    #[arg(long, value_name = "N", env = "BIAOZHUN_SEARCH_THREADS")]
    pub search_threads: Option<usize>,
    /// Searches that may wait for a search thread; more are answered 503 `overloaded`
    /// [default: 512].
    #[arg(long, value_name = "N", env = "BIAOZHUN_SEARCH_QUEUE")]
    pub search_queue: Option<usize>,
    /// Take the client IP from X-Forwarded-For (only behind a trusted proxy) [default: false].
    #[arg(long, value_name = "BOOL", env = "BIAOZHUN_TRUST_PROXY", num_args = 0..=1, default_missing_value = "true")]
    pub trust_proxy: Option<bool>,
    /// Log format: text or json [default: text]. Log levels: RUST_LOG (default info).
    #[arg(long, value_name = "FORMAT", env = "BIAOZHUN_LOG_FORMAT")]
    pub log_format: Option<String>,
    /// Most pages of an uploaded PDF to OCR when its text is garbled or missing; 0 disables
    /// OCR for uploads [default: 30].
    #[arg(long, value_name = "N", env = "BIAOZHUN_OCR_MAX_PAGES")]
    pub ocr_max_pages: Option<u32>,
    /// Days before a WTO comment deadline that the dossier's internal deadline falls
    /// [default: 30].
    #[arg(long, value_name = "DAYS", env = "BIAOZHUN_DOSSIER_LEAD_DAYS")]
    pub dossier_lead_days: Option<i64>,
}

impl Args {
    /// The layer of values given by flags or environment variables.
    fn overrides(&self) -> RawConfig {
        RawConfig {
            addr: self.addr.clone(),
            index: self.index.clone(),
            index_config: self.index_config.clone(),
            read_only: self.read_only,
            snapshot_dir: self.snapshot_dir.clone(),
            trusted_proxies: self.trusted_proxies.clone(),
            bootstrap: self.bootstrap.clone().map(|p| {
                if p.as_os_str() == "none" {
                    PathBuf::new()
                } else {
                    p
                }
            }),
            admin_keys: self.admin_keys.clone(),
            cors_origins: self.cors_origins.clone(),
            max_upload_bytes: self.max_upload_bytes,
            request_timeout_secs: self.request_timeout_secs,
            max_query_chars: self.max_query_chars,
            max_limit: self.max_limit,
            max_offset: self.max_offset,
            rate_limit_per_minute: self.rate_limit_per_minute,
            rate_limit_burst: self.rate_limit_burst,
            search_threads: self.search_threads,
            search_queue: self.search_queue,
            trust_proxy: self.trust_proxy,
            log_format: self.log_format.clone(),
            ocr_max_pages: self.ocr_max_pages,
            // Webhooks come from the config file only.
            webhooks: None,
            dossier_lead_days: self.dossier_lead_days,
            // The sync schedule comes from the config file only.
            sync: None,
        }
    }
}

/// Runs the service until SIGTERM or ctrl-c.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let file = match &args.config {
        Some(path) => RawConfig::from_file(path)?,
        None => RawConfig::default(),
    };
    let config = file.merge(args.overrides()).validate()?;
    crate::cli::init_logging(config.log_format, "info");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(biaozhun_api::server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}
