//! Collection from outside sources into the index: today the WTO ePing API ([`eping`]), run by
//! `biaozhun sync eping` or on a schedule inside `serve` (`[sync.eping] interval = "6h"`), with
//! its last outcome in `/metrics` and `/readyz`.

pub mod eping;

use std::path::PathBuf;
use std::time::Duration;

use chrono::NaiveDate;
use serde::Deserialize;

use crate::state::AppState;

/// The environment variable holding the ePing subscription key (never in the config file).
pub const EPING_KEY_ENV: &str = "BIAOZHUN_EPING_KEY";
/// The public ePing API base.
pub const EPING_BASE_URL: &str = "https://api.wto.org/eping";

/// `[sync]` as written in the config file.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawSync {
    /// `[sync.eping]`.
    pub eping: Option<RawEping>,
}

/// `[sync.eping]` as written: every key optional.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RawEping {
    /// Time between runs in `serve` (`6h`, `30m`, `1d`).
    pub interval: Option<String>,
    /// API base (default `https://api.wto.org/eping`).
    pub base_url: Option<String>,
    /// Records per page (1 to 500, default 100).
    pub page_size: Option<u32>,
    /// ePing language ids to fetch (1 English, 2 French, 3 Spanish; default `[1]`).
    pub languages: Option<Vec<u8>>,
    /// First distribution date when nothing was fetched yet (`YYYY-MM-DD`, default 90 days ago).
    pub since: Option<String>,
    /// Days before the saved position asked for again (changed records), default 30.
    pub overlap_days: Option<i64>,
    /// Longest run (`30m`), default 30 minutes.
    pub max_run: Option<String>,
    /// Timeout of one request (`30s`), default 30 seconds.
    pub timeout: Option<String>,
    /// Retries of one page, default 5.
    pub retries: Option<u32>,
    /// First wait between retries (`1s`), default 1 second.
    pub backoff: Option<String>,
}

/// A validated ePing sync configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct EpingConfig {
    /// Time between runs in `serve`; `None` when only the CLI runs it.
    pub interval: Option<Duration>,
    /// API base.
    pub base_url: String,
    /// Records per page.
    pub page_size: u32,
    /// Languages.
    pub languages: Vec<u8>,
    /// First date when nothing was fetched yet.
    pub since: Option<NaiveDate>,
    /// Overlap, days.
    pub overlap_days: i64,
    /// Longest run.
    pub max_run: Duration,
    /// Request timeout.
    pub timeout: Duration,
    /// Retries per page.
    pub retries: u32,
    /// First retry wait.
    pub backoff: Duration,
}

/// Reads `6h`, `30m`, `45s`, `1d` (or a bare number of seconds).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let t = s.trim();
    let (num, unit) = t.split_at(t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len()));
    let n: u64 = num
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 6h, 30m or 45s"))?;
    let secs = match unit.trim() {
        "" | "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?} is not a duration such as 6h, 30m or 45s")),
    };
    Ok(Duration::from_secs(secs))
}

impl RawEping {
    /// Fills in defaults and checks every value; the message names the key.
    pub fn validate(&self) -> Result<EpingConfig, String> {
        let dur = |key: &str, v: &Option<String>, default: Duration| match v {
            Some(s) => parse_duration(s).map_err(|e| format!("sync.eping.{key}: {e}")),
            None => Ok(default),
        };
        let interval = match &self.interval {
            Some(s) => {
                let d = parse_duration(s).map_err(|e| format!("sync.eping.interval: {e}"))?;
                if d < Duration::from_secs(60) {
                    return Err("sync.eping.interval: must be at least 1m".into());
                }
                Some(d)
            }
            None => None,
        };
        let base_url = self
            .base_url
            .clone()
            .unwrap_or_else(|| EPING_BASE_URL.to_string());
        if !(base_url.starts_with("https://") || base_url.starts_with("http://")) {
            return Err(format!(
                "sync.eping.base_url: {base_url:?} is not an http(s) URL"
            ));
        }
        let page_size = self.page_size.unwrap_or(100);
        if !(1..=500).contains(&page_size) {
            return Err("sync.eping.page_size: must be 1..=500".into());
        }
        let languages = self.languages.clone().unwrap_or_else(|| vec![1]);
        if languages.is_empty() || languages.iter().any(|l| !(1..=3).contains(l)) {
            return Err("sync.eping.languages: ids 1 (English), 2 (French), 3 (Spanish)".into());
        }
        let since = match &self.since {
            Some(s) => Some(
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| format!("sync.eping.since: {s:?} is not YYYY-MM-DD"))?,
            ),
            None => None,
        };
        let overlap_days = self.overlap_days.unwrap_or(30);
        if !(0..=365).contains(&overlap_days) {
            return Err("sync.eping.overlap_days: must be 0..=365".into());
        }
        Ok(EpingConfig {
            interval,
            base_url,
            page_size,
            languages,
            since,
            overlap_days,
            max_run: dur("max_run", &self.max_run, Duration::from_secs(1800))?,
            timeout: dur("timeout", &self.timeout, Duration::from_secs(30))?,
            retries: self.retries.unwrap_or(5).min(20),
            backoff: dur("backoff", &self.backoff, Duration::from_secs(1))?,
        })
    }
}

impl EpingConfig {
    /// The run options with the key and the index configuration directory.
    pub fn options(&self, key: eping::Key, config_dir: PathBuf) -> eping::Options {
        eping::Options {
            base_url: self.base_url.clone(),
            key,
            page_size: self.page_size,
            languages: self.languages.clone(),
            default_since: self
                .since
                .unwrap_or_else(|| chrono::Local::now().date_naive() - chrono::Duration::days(90)),
            overlap_days: self.overlap_days,
            timeout: self.timeout,
            retries: self.retries,
            backoff: self.backoff,
            max_run: self.max_run,
            config_dir,
        }
    }
}

/// The key from [`EPING_KEY_ENV`], when set and not blank.
pub fn key_from_env() -> Option<eping::Key> {
    std::env::var(EPING_KEY_ENV)
        .ok()
        .map(|k| k.trim().to_string())
        .filter(|k| !k.is_empty())
        .map(eping::Key::new)
}

/// Runs the ePing sync every `interval` inside `serve`: the first run once the index is open,
/// each under the index write lock (uploads wait), outcomes recorded for `/metrics` and
/// `/readyz`. Errors are logged and counted; the schedule goes on.
pub fn spawn_eping(
    state: AppState,
    cfg: EpingConfig,
    interval: Duration,
    key: eping::Key,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        state.metrics.sync_started(interval);
        loop {
            let index = loop {
                match state.index() {
                    Ok(i) => break i,
                    Err(_) => tokio::time::sleep(Duration::from_millis(500)).await,
                }
            };
            let opts = cfg.options(key.clone(), state.config.index_config_dir.clone());
            let outcome = {
                let _guard = state.write_lock.lock().await;
                eping::run(index, &opts, None, state.config.webhooks.clone()).await
            };
            match outcome {
                Ok((report, _)) => {
                    tracing::info!(
                        fetched = report.fetched,
                        new = report.new,
                        changed = report.changed,
                        stopped = report.stopped.as_deref().unwrap_or(""),
                        "ePing sync done"
                    );
                    state.metrics.observe_sync(Ok(&report));
                }
                Err(e) => {
                    tracing::error!(error = %e, "ePing sync failed");
                    state.metrics.observe_sync(Err(&e.to_string()));
                }
            }
            tokio::time::sleep(interval).await;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_defaults() {
        assert_eq!(parse_duration("6h"), Ok(Duration::from_secs(21_600)));
        assert_eq!(parse_duration("30m"), Ok(Duration::from_secs(1800)));
        assert_eq!(parse_duration("1d"), Ok(Duration::from_secs(86_400)));
        assert!(parse_duration("6 hours").is_err());
        assert!(parse_duration("").is_err());
        let c = RawEping {
            interval: Some("6h".into()),
            ..RawEping::default()
        }
        .validate()
        .expect("valid");
        assert_eq!(c.interval, Some(Duration::from_secs(21_600)));
        assert_eq!(c.base_url, EPING_BASE_URL);
        for bad in [
            RawEping {
                interval: Some("10s".into()),
                ..RawEping::default()
            },
            RawEping {
                base_url: Some("ftp://x".into()),
                ..RawEping::default()
            },
            RawEping {
                languages: Some(vec![4]),
                ..RawEping::default()
            },
            RawEping {
                page_size: Some(0),
                ..RawEping::default()
            },
        ] {
            assert!(bad.validate().is_err(), "{bad:?}");
        }
    }
}
