//! Service configuration in two phases: [`RawConfig`] (everything optional, as read from the
//! TOML file, `BIAOZHUN_*` environment variables and flags, later layers overriding earlier
//! ones) and [`Config`] (validated, with defaults filled in, impossible to hold invalid).
//!
//! The layering itself is simple: `file.merge(env_and_flags)`; clap already resolves a flag over
//! its environment variable, so the binary only has to build one override layer.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::http::HeaderValue;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Default listen address: loopback only, so a fresh clone does not expose anything.
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";
/// Default index directory, relative to the working directory.
pub const DEFAULT_INDEX: &str = "data/index";
/// Default folder ingested into an empty index at start (the bundled corpus).
pub const DEFAULT_BOOTSTRAP: &str = "fixtures";
/// Default depth of the search queue: far more than the connections a load test or a portal's
/// proxy keeps open (wrk c=64 never fills it), small enough that a flood is refused within
/// about a quarter of a second of searching on two cores rather than queued for the timeout.
pub const DEFAULT_SEARCH_QUEUE: usize = 512;
/// Most search threads (more than cores only adds context switches; the bound guards typos).
pub const MAX_SEARCH_THREADS: usize = 1024;
/// Deepest search queue.
pub const MAX_SEARCH_QUEUE: usize = 1_000_000;

/// Why a configuration cannot be used; names the field (as in the TOML file).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The IO error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has unknown keys.
    #[error("invalid config file {path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The TOML error, naming line and key.
        message: String,
    },
    /// A value is out of range or malformed.
    #[error("invalid value for `{field}`: {message}")]
    Invalid {
        /// The field name as in the TOML file.
        field: &'static str,
        /// What is wrong and what is expected.
        message: String,
    },
}

fn invalid(field: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        field,
        message: message.into(),
    }
}

/// Configuration as written by the operator: every field optional. Field names are the TOML
/// keys; the environment variable of a key is `BIAOZHUN_` + the key in upper case.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    /// Listen address, `IP:PORT`.
    pub addr: Option<String>,
    /// Index directory.
    pub index: Option<PathBuf>,
    /// Index configuration directory (`index-config/`); the built-in configuration when unset.
    pub index_config: Option<PathBuf>,
    /// Serve an index another process writes: no uploads, no bootstrap, follow its commits and
    /// re-index switches.
    pub read_only: Option<bool>,
    /// Folder `POST /api/v1/admin/snapshots` writes snapshots into; unset disables the route.
    pub snapshot_dir: Option<PathBuf>,
    /// Proxies whose `X-Forwarded-For` entries are skipped when `trust_proxy` is on (IPs or
    /// CIDR blocks such as `10.0.0.0/8`); the right-most address not in this list is the
    /// client.
    pub trusted_proxies: Option<Vec<String>>,
    /// Folder ingested when the index is empty or missing; `none` (or empty) disables.
    pub bootstrap: Option<PathBuf>,
    /// Admin API keys (for `POST /documents` and `DELETE /documents`); none disables the admin
    /// routes.
    pub admin_keys: Option<Vec<String>>,
    /// Origins allowed by CORS (`https://portal.example.gov.cn`), or `*`.
    pub cors_origins: Option<Vec<String>>,
    /// Largest accepted upload body, bytes.
    pub max_upload_bytes: Option<u64>,
    /// Timeout of read requests, seconds.
    pub request_timeout_secs: Option<u64>,
    /// Longest accepted `q`, in characters.
    pub max_query_chars: Option<usize>,
    /// Largest accepted `limit`.
    pub max_limit: Option<usize>,
    /// Deepest accepted `offset`.
    pub max_offset: Option<usize>,
    /// Search requests per minute and client IP (token refill rate); 0 disables rate limiting.
    pub rate_limit_per_minute: Option<u32>,
    /// Burst size of the per-client token bucket.
    pub rate_limit_burst: Option<u32>,
    /// Threads that run searches and other index reads (default: one per core).
    pub search_threads: Option<usize>,
    /// Searches that may wait for a search thread; beyond them a request is answered
    /// `503 overloaded` at once.
    pub search_queue: Option<usize>,
    /// Take the client IP from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_proxy: Option<bool>,
    /// `text` or `json` logs.
    pub log_format: Option<String>,
    /// Most pages of one uploaded PDF recognised by OCR when its text layer is garbled or
    /// missing (OCR costs seconds per page); 0 disables OCR for uploads.
    pub ocr_max_pages: Option<u32>,
    /// Webhook subscriptions (`[[webhooks]]` tables: url, market, hs, q), notified of new
    /// notifications after every ingest.
    pub webhooks: Option<Vec<crate::webhook::RawWebhook>>,
    /// Days before a WTO comment deadline that the dossier's internal deadline falls
    /// (national enquiry points want comments weeks earlier); 0 to 365, default 30.
    pub dossier_lead_days: Option<i64>,
    /// Collection from outside sources (`[sync.eping] interval = "6h"`); the ePing key comes
    /// from `BIAOZHUN_EPING_KEY` only.
    pub sync: Option<crate::sync::RawSync>,
}

impl RawConfig {
    /// Reads a TOML file; unknown keys are errors (typos must not be silently ignored).
    pub fn from_file(path: &Path) -> Result<RawConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        RawConfig::from_toml(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses TOML text.
    pub fn from_toml(text: &str) -> Result<RawConfig, String> {
        toml::from_str(text).map_err(|e| e.to_string().trim().to_string())
    }

    /// `self` with every field that `over` sets replaced: later layers win.
    pub fn merge(self, over: RawConfig) -> RawConfig {
        RawConfig {
            addr: over.addr.or(self.addr),
            index: over.index.or(self.index),
            index_config: over.index_config.or(self.index_config),
            read_only: over.read_only.or(self.read_only),
            snapshot_dir: over.snapshot_dir.or(self.snapshot_dir),
            trusted_proxies: over.trusted_proxies.or(self.trusted_proxies),
            bootstrap: over.bootstrap.or(self.bootstrap),
            admin_keys: over.admin_keys.or(self.admin_keys),
            cors_origins: over.cors_origins.or(self.cors_origins),
            max_upload_bytes: over.max_upload_bytes.or(self.max_upload_bytes),
            request_timeout_secs: over.request_timeout_secs.or(self.request_timeout_secs),
            max_query_chars: over.max_query_chars.or(self.max_query_chars),
            max_limit: over.max_limit.or(self.max_limit),
            max_offset: over.max_offset.or(self.max_offset),
            rate_limit_per_minute: over.rate_limit_per_minute.or(self.rate_limit_per_minute),
            rate_limit_burst: over.rate_limit_burst.or(self.rate_limit_burst),
            search_threads: over.search_threads.or(self.search_threads),
            search_queue: over.search_queue.or(self.search_queue),
            trust_proxy: over.trust_proxy.or(self.trust_proxy),
            log_format: over.log_format.or(self.log_format),
            ocr_max_pages: over.ocr_max_pages.or(self.ocr_max_pages),
            webhooks: over.webhooks.or(self.webhooks),
            dossier_lead_days: over.dossier_lead_days.or(self.dossier_lead_days),
            sync: over.sync.or(self.sync),
        }
    }

    /// Fills in defaults and checks every value.
    pub fn validate(self) -> Result<Config, ConfigError> {
        let addr_text = self.addr.unwrap_or_else(|| DEFAULT_ADDR.to_string());
        let addr: SocketAddr = addr_text.trim().parse().map_err(|_| {
            invalid(
                "addr",
                format!("{addr_text:?} is not IP:PORT (e.g. 127.0.0.1:8080 or 0.0.0.0:8080)"),
            )
        })?;
        let index_dir = non_empty_path("index", self.index, DEFAULT_INDEX)?;
        let index_config_dir = match self.index_config {
            Some(p) if p.as_os_str().is_empty() => {
                return Err(invalid("index_config", "must not be empty"))
            }
            Some(p) => p,
            None => biaozhun_index::defaults::builtin_dir()
                .map_err(|e| invalid("index_config", format!("built-in configuration: {e}")))?,
        };
        let mut trusted_proxies = Vec::new();
        for t in self.trusted_proxies.unwrap_or_default() {
            let t = t.trim();
            if t.is_empty() {
                continue;
            }
            trusted_proxies.push(crate::ratelimit::IpBlock::parse(t).ok_or_else(|| {
                invalid(
                    "trusted_proxies",
                    format!("{t:?} is not an IP address or CIDR block like 10.0.0.0/8"),
                )
            })?);
        }
        let bootstrap = match self.bootstrap {
            Some(p) if p.as_os_str().is_empty() || p.as_os_str() == "none" => None,
            Some(p) => Some(p),
            None => Some(PathBuf::from(DEFAULT_BOOTSTRAP)),
        };

        let mut keys = Vec::new();
        for key in self.admin_keys.unwrap_or_default() {
            let key = key.trim().to_string();
            if key.is_empty() {
                continue;
            }
            if key.chars().count() < 16 {
                return Err(invalid(
                    "admin_keys",
                    "every key needs at least 16 characters",
                ));
            }
            if !key.chars().all(|c| c.is_ascii_graphic()) {
                return Err(invalid(
                    "admin_keys",
                    "keys may only hold printable ASCII without spaces",
                ));
            }
            keys.push(Sha256::digest(key.as_bytes()).into());
        }

        let mut cors_origins = Vec::new();
        let mut cors_any = false;
        for origin in self.cors_origins.unwrap_or_default() {
            let origin = origin.trim().trim_end_matches('/');
            if origin.is_empty() {
                continue;
            }
            if origin == "*" {
                cors_any = true;
                continue;
            }
            let ok_scheme = origin.starts_with("http://") || origin.starts_with("https://");
            let rest = origin.split_once("://").map(|(_, r)| r).unwrap_or_default();
            if !ok_scheme || rest.is_empty() || rest.contains('/') {
                return Err(invalid(
                    "cors_origins",
                    format!("{origin:?} is not an origin like https://portal.example.gov.cn"),
                ));
            }
            let value = HeaderValue::from_str(origin)
                .map_err(|_| invalid("cors_origins", format!("{origin:?} is not ASCII")))?;
            cors_origins.push(value);
        }

        let max_upload_bytes = self.max_upload_bytes.unwrap_or(256 * 1024 * 1024);
        if max_upload_bytes < 1024 {
            return Err(invalid("max_upload_bytes", "must be at least 1024"));
        }
        let timeout = self.request_timeout_secs.unwrap_or(30);
        if !(1..=3600).contains(&timeout) {
            return Err(invalid("request_timeout_secs", "must be 1..=3600"));
        }
        let max_query_chars = self.max_query_chars.unwrap_or(512);
        if !(1..=100_000).contains(&max_query_chars) {
            return Err(invalid("max_query_chars", "must be 1..=100000"));
        }
        let max_limit = self.max_limit.unwrap_or(100);
        if !(1..=1000).contains(&max_limit) {
            return Err(invalid("max_limit", "must be 1..=1000"));
        }
        let max_offset = self.max_offset.unwrap_or(10_000);
        if max_offset > 1_000_000 {
            return Err(invalid("max_offset", "must be at most 1000000"));
        }
        let per_minute = self.rate_limit_per_minute.unwrap_or(120);
        let burst = self.rate_limit_burst.unwrap_or(30);
        let rate_limit = if per_minute == 0 {
            None
        } else {
            if burst == 0 {
                return Err(invalid(
                    "rate_limit_burst",
                    "must be at least 1 (set rate_limit_per_minute = 0 to disable)",
                ));
            }
            Some(RateLimit { per_minute, burst })
        };
        let search_threads = self
            .search_threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from));
        if !(1..=MAX_SEARCH_THREADS).contains(&search_threads) {
            return Err(invalid(
                "search_threads",
                format!("must be 1..={MAX_SEARCH_THREADS}"),
            ));
        }
        let search_queue = self.search_queue.unwrap_or(DEFAULT_SEARCH_QUEUE);
        if search_queue > MAX_SEARCH_QUEUE {
            return Err(invalid(
                "search_queue",
                format!("must be at most {MAX_SEARCH_QUEUE}"),
            ));
        }
        let log_format = match self.log_format.as_deref().map(str::trim) {
            None | Some("text") | Some("") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(invalid(
                    "log_format",
                    format!("{other:?} is neither \"text\" nor \"json\""),
                ))
            }
        };
        let ocr_max_pages = self.ocr_max_pages.unwrap_or(30);
        if ocr_max_pages > 10_000 {
            return Err(invalid("ocr_max_pages", "must be at most 10000"));
        }
        let webhooks = crate::webhook::validate(&self.webhooks.unwrap_or_default())
            .map_err(|e| invalid("webhooks", e.to_string()))?;
        let dossier_lead_days = self
            .dossier_lead_days
            .unwrap_or(biaozhun_index::dossier::DEFAULT_LEAD_DAYS);
        if !(0..=biaozhun_index::dossier::MAX_LEAD_DAYS).contains(&dossier_lead_days) {
            return Err(invalid("dossier_lead_days", "must be 0..=365"));
        }
        let sync_eping = match self.sync.as_ref().and_then(|s| s.eping.as_ref()) {
            Some(raw) => Some(raw.validate().map_err(|e| invalid("sync", e))?),
            None => None,
        };
        Ok(Config {
            addr,
            index_dir,
            index_config_dir,
            bootstrap,
            admin_keys: AdminKeys(keys),
            cors: Cors {
                any: cors_any,
                origins: cors_origins,
            },
            limits: Limits {
                max_query_chars,
                max_limit,
                max_offset,
                max_upload_bytes,
                request_timeout: Duration::from_secs(timeout),
            },
            rate_limit,
            search: SearchPoolSize {
                threads: search_threads,
                queue: search_queue,
            },
            trust_proxy: self.trust_proxy.unwrap_or(false),
            trusted_proxies,
            read_only: self.read_only.unwrap_or(false),
            snapshot_dir: self.snapshot_dir.filter(|p| !p.as_os_str().is_empty()),
            log_format,
            ocr_max_pages,
            webhooks,
            dossier_lead_days,
            sync_eping,
        })
    }
}

fn non_empty_path(
    field: &'static str,
    value: Option<PathBuf>,
    default: &str,
) -> Result<PathBuf, ConfigError> {
    match value {
        Some(p) if p.as_os_str().is_empty() => Err(invalid(field, "must not be empty")),
        Some(p) => Ok(p),
        None => Ok(PathBuf::from(default)),
    }
}

/// Validated configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Listen address.
    pub addr: SocketAddr,
    /// Index directory.
    pub index_dir: PathBuf,
    /// Index configuration directory (the built-in one written out when none was given).
    pub index_config_dir: PathBuf,
    /// Folder to ingest into an empty index at start, if any.
    pub bootstrap: Option<PathBuf>,
    /// Admin keys (stored hashed).
    pub admin_keys: AdminKeys,
    /// CORS allow-list.
    pub cors: Cors,
    /// Request limits.
    pub limits: Limits,
    /// Per-client rate limit of search routes; `None` when disabled.
    pub rate_limit: Option<RateLimit>,
    /// Threads and queue of the search pool ([`crate::pool`]).
    pub search: SearchPoolSize,
    /// Whether `X-Forwarded-For` names the client.
    pub trust_proxy: bool,
    /// Proxies skipped from the right of `X-Forwarded-For`.
    pub trusted_proxies: Vec<crate::ratelimit::IpBlock>,
    /// Serve read-only, following another process's commits.
    pub read_only: bool,
    /// Where admin snapshots go, when enabled.
    pub snapshot_dir: Option<PathBuf>,
    /// Log output format.
    pub log_format: LogFormat,
    /// Most pages of one uploaded PDF to OCR; 0 disables OCR for uploads.
    pub ocr_max_pages: u32,
    /// Webhook subscriptions.
    pub webhooks: Vec<crate::webhook::Webhook>,
    /// Lead time of the dossier's internal deadlines, days.
    pub dossier_lead_days: i64,
    /// The ePing sync `serve` runs on a schedule (when it has an `interval`).
    pub sync_eping: Option<crate::sync::EpingConfig>,
}

impl Default for Config {
    /// The defaults of an empty configuration (what `biaozhun serve` uses without arguments).
    fn default() -> Config {
        match RawConfig::default().validate() {
            Ok(c) => c,
            // The defaults are constants checked by a test; this arm is unreachable.
            Err(e) => panic!("default configuration is invalid: {e}"),
        }
    }
}

/// Admin keys, held as SHA-256 digests so that comparison takes the same time whatever the
/// length or content of the presented key, and the keys never show in `Debug` output.
#[derive(Clone, Default)]
pub struct AdminKeys(Vec<[u8; 32]>);

impl AdminKeys {
    /// Keys from plain strings (tests and embedding); no validation.
    pub fn from_plain(keys: &[&str]) -> AdminKeys {
        AdminKeys(
            keys.iter()
                .map(|k| Sha256::digest(k.as_bytes()).into())
                .collect(),
        )
    }

    /// Whether any key is configured (the admin routes answer `unauthorized` otherwise).
    pub fn is_configured(&self) -> bool {
        !self.0.is_empty()
    }

    /// Constant-time check of a presented key against every configured key.
    pub fn verify(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        let mut ok = subtle::Choice::from(0u8);
        for key in &self.0 {
            ok |= key.ct_eq(&digest);
        }
        bool::from(ok)
    }
}

impl std::fmt::Debug for AdminKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AdminKeys({} configured)", self.0.len())
    }
}

/// CORS allow-list.
#[derive(Debug, Clone, Default)]
pub struct Cors {
    /// `*` was configured: any origin may call.
    pub any: bool,
    /// Allowed origins.
    pub origins: Vec<HeaderValue>,
}

/// Request limits; each one guards memory or CPU against a single request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Longest `q`, characters.
    pub max_query_chars: usize,
    /// Largest `limit`.
    pub max_limit: usize,
    /// Deepest `offset`.
    pub max_offset: usize,
    /// Largest upload body, bytes.
    pub max_upload_bytes: u64,
    /// Timeout of read requests.
    pub request_timeout: Duration,
}

/// Size of the search pool: threads that run index reads, and how many requests may wait for
/// one before new ones are refused with `overloaded`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SearchPoolSize {
    /// Search threads, 1..=[`MAX_SEARCH_THREADS`].
    pub threads: usize,
    /// Waiting requests, 0..=[`MAX_SEARCH_QUEUE`].
    pub queue: usize,
}

/// Token-bucket parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Refill rate, tokens per minute.
    pub per_minute: u32,
    /// Bucket capacity.
    pub burst: u32,
}

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let c = RawConfig::default().validate().expect("defaults");
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
        assert_eq!(c.limits.max_limit, 100);
        assert_eq!(c.limits.max_offset, 10_000);
        assert_eq!(c.limits.max_query_chars, 512);
        assert!(!c.admin_keys.is_configured());
        assert_eq!(c.bootstrap, Some(PathBuf::from("fixtures")));
        assert!(c.search.threads >= 1);
        assert_eq!(c.search.queue, DEFAULT_SEARCH_QUEUE);
    }

    #[test]
    fn later_layers_win() {
        let file = RawConfig::from_toml(
            "addr = \"0.0.0.0:9000\"\nmax_limit = 50\nadmin_keys = [\"0123456789abcdef\"]\n",
        )
        .expect("toml");
        let env = RawConfig {
            max_limit: Some(20),
            ..RawConfig::default()
        };
        let flags = RawConfig {
            addr: Some("127.0.0.1:1".into()),
            ..RawConfig::default()
        };
        let c = file.merge(env).merge(flags).validate().expect("valid");
        assert_eq!(c.addr.to_string(), "127.0.0.1:1");
        assert_eq!(c.limits.max_limit, 20);
        assert!(c.admin_keys.verify("0123456789abcdef"));
        assert!(!c.admin_keys.verify("0123456789abcdeX"));
        assert!(!format!("{c:?}").contains("0123456789abcdef"));
    }

    #[test]
    fn bad_values_name_the_field() {
        let cases: &[(&str, &str)] = &[
            ("addr = \"localhost\"", "addr"),
            ("admin_keys = [\"short\"]", "admin_keys"),
            ("cors_origins = [\"portal.gov.cn\"]", "cors_origins"),
            ("max_limit = 0", "max_limit"),
            ("log_format = \"xml\"", "log_format"),
            ("rate_limit_burst = 0", "rate_limit_burst"),
            ("index = \"\"", "index"),
            ("search_threads = 0", "search_threads"),
            ("search_queue = 1000001", "search_queue"),
        ];
        for (toml, field) in cases {
            let err = RawConfig::from_toml(toml)
                .expect("toml")
                .validate()
                .expect_err(toml);
            assert!(err.to_string().contains(field), "{toml}: {err}");
        }
        assert!(RawConfig::from_toml("adress = \"x\"").is_err());
    }

    #[test]
    fn example_file_is_valid() {
        let text = include_str!("../../../config.example.toml");
        let c = RawConfig::from_toml(text)
            .expect("example parses")
            .validate()
            .expect("example validates");
        assert_eq!(c.addr.to_string(), DEFAULT_ADDR);
    }

    #[test]
    fn empty_bootstrap_disables_it() {
        let c = RawConfig::from_toml("bootstrap = \"\"")
            .expect("toml")
            .validate()
            .expect("valid");
        assert_eq!(c.bootstrap, None);
    }
}
