//! The WTO ePing connector: pages of TBT/SPS notifications from the ePing API into the index,
//! through the same catalog import (alias table, family linking) as an uploaded file.
//!
//! The request and response shapes are written down in `EPING.md` next to this file. A run:
//! reads the saved position (`sync-eping.json` in the index directory), asks for notifications
//! distributed since that date minus an overlap (changed records are caught again), page by
//! page; retries a `429` after its `Retry-After`, a `5xx`, a timeout or a malformed page with
//! doubling waits; keeps only records that are new or whose content changed since the last run
//! (a hash per symbol, saved once the page is committed); writes each page's kept records as
//! one JSON file and imports it with the one ingest service ([`crate::ingest::run`], files
//! remembered as `eping/NAME`): the same import, report, webhooks and watchlist checks as an
//! upload. An invalid `catalog-aliases.toml` stops the run before anything is fetched
//! ([`SyncError::Config`]). A run that cannot finish (retries exhausted, the maximum run time,
//! a failed commit, an alias file broken during the run) keeps what it committed and records
//! the page it stopped at; the next run resumes there.
//!
//! The subscription key is sent in the `Ocp-Apim-Subscription-Key` header and is never logged,
//! never written to the state file and never shown in the configuration's `Debug` output.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{header, Request, StatusCode};
use chrono::{NaiveDate, Utc};
use http_body_util::{BodyExt, Empty};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use biaozhun_index::Index;

/// The state file in the index directory.
pub const STATE_FILE: &str = "sync-eping.json";
/// ePing's agreement ids: 1 = TBT, 2 = SPS.
const DOMAINS: &str = "1,2";

/// The operator's subscription key. `Debug` never shows it.
#[derive(Clone)]
pub struct Key(String);

impl Key {
    /// Wraps a key (from `BIAOZHUN_EPING_KEY`).
    pub fn new(key: String) -> Key {
        Key(key)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(***)")
    }
}

/// How a sync runs.
#[derive(Debug, Clone)]
pub struct Options {
    /// API base, without the trailing slash (`https://api.wto.org/eping`).
    pub base_url: String,
    /// Subscription key.
    pub key: Key,
    /// Records per page asked for.
    pub page_size: u32,
    /// Languages to fetch (ePing ids: 1 English, 2 French, 3 Spanish). The index keeps one text
    /// per notification: the English one; the others add only notifications English lacks.
    pub languages: Vec<u8>,
    /// First date when no position is saved and no `--since` is given.
    pub default_since: NaiveDate,
    /// Days before the saved position asked for again, so changed records are caught.
    pub overlap_days: i64,
    /// Timeout of one request.
    pub timeout: Duration,
    /// Retries of one page (429, 5xx, timeouts, malformed JSON) before the run stops.
    pub retries: u32,
    /// First wait between retries (doubled each time; a `Retry-After` wins).
    pub backoff: Duration,
    /// Longest a run may take; it then stops after the current page.
    pub max_run: Duration,
    /// Index configuration directory (alias table for the import).
    pub config_dir: PathBuf,
}

/// What a sync did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Report {
    /// First distribution date asked for.
    pub from: Option<NaiveDate>,
    /// Pages fetched.
    pub pages: u32,
    /// Records received.
    pub fetched: usize,
    /// Records not seen before.
    pub new: usize,
    /// Records whose content changed since the last run.
    pub changed: usize,
    /// Records already held unchanged (not imported again).
    pub unchanged: usize,
    /// Records the import rejected (no symbol, unparseable symbol), with reasons.
    pub rejected: Vec<String>,
    /// Retries made (429, 5xx, timeouts, malformed pages).
    pub retries: u32,
    /// Why the run stopped early, and where (`None` when it finished).
    pub stopped: Option<String>,
    /// Symbols imported (new or changed).
    pub imported: Vec<String>,
}

/// The saved position, in the index directory.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    /// When the last run finished completely.
    pub last_success: Option<String>,
    /// Newest distribution date seen by a complete run.
    pub position: Option<NaiveDate>,
    /// Where an interrupted run stopped: the window start, language and page to resume at.
    pub resume: Option<Resume>,
    /// Content hash per symbol of what was imported.
    #[serde(default)]
    pub hashes: BTreeMap<String, String>,
}

/// The page an interrupted run stopped at.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Resume {
    /// Window start of the interrupted run.
    pub from: NaiveDate,
    /// Language being fetched.
    pub language: u8,
    /// Page to fetch next.
    pub page: u32,
}

/// Why a sync could not run at all.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The state file is unreadable or unwritable.
    #[error("sync state {path}: {message}")]
    State {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// The base URL is not a URL.
    #[error("invalid ePing base url {0:?}")]
    BaseUrl(String),
    /// The index configuration cannot be used to import (a present but invalid
    /// `catalog-aliases.toml`, named in the message).
    #[error("{0}")]
    Config(#[from] crate::ingest::IngestError),
    /// A page file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

impl State {
    /// Reads the state of `index_dir` (empty when absent).
    pub fn load(index_dir: &Path) -> Result<State, SyncError> {
        let path = index_dir.join(STATE_FILE);
        match std::fs::read_to_string(&path) {
            Ok(t) => serde_json::from_str(&t).map_err(|e| SyncError::State {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(SyncError::State {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
        }
    }

    /// Writes the state atomically (temporary file, then rename).
    pub fn save(&self, index_dir: &Path) -> Result<(), SyncError> {
        let path = index_dir.join(STATE_FILE);
        let err = |message: String| SyncError::State {
            path: path.display().to_string(),
            message,
        };
        let tmp = index_dir.join(format!("{STATE_FILE}.tmp"));
        let text = serde_json::to_string_pretty(self).map_err(|e| err(e.to_string()))?;
        std::fs::write(&tmp, text).map_err(|e| err(e.to_string()))?;
        std::fs::rename(&tmp, &path).map_err(|e| err(e.to_string()))
    }
}

/// One page as the API answered it.
struct Page {
    items: Vec<Value>,
    total: Option<u64>,
}

/// Where the list of notifications may sit in an answer (see `EPING.md`: the envelope is not
/// publicly documented and public clients disagree), tried in this order.
const LIST_KEYS: [&str; 6] = [
    "items",
    "notifications",
    "data",
    "results",
    "rows",
    "content",
];
/// Where the total may sit, tried in this order (`meta.total` is the WTO API portal's
/// convention in its documented services).
const TOTAL_KEYS: [&str; 4] = ["totalCount", "total", "totalItems", "count"];

/// Reads a page: the list under one of [`LIST_KEYS`] (or one level further down, or the body
/// itself when it is a list), the total under one of [`TOTAL_KEYS`] or `meta.total`.
fn parse_page(body: &[u8]) -> Result<Page, String> {
    let v: Value = serde_json::from_slice(body).map_err(|e| format!("malformed JSON: {e}"))?;
    let list = |o: &serde_json::Map<String, Value>| {
        LIST_KEYS
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_array).cloned())
    };
    let total = |o: &serde_json::Map<String, Value>| {
        TOTAL_KEYS
            .iter()
            .find_map(|k| o.get(*k).and_then(Value::as_u64))
            .or_else(|| {
                o.get("meta")
                    .and_then(|m| m.get("total"))
                    .and_then(Value::as_u64)
            })
    };
    match &v {
        Value::Array(a) => Ok(Page {
            items: a.clone(),
            total: None,
        }),
        Value::Object(o) => {
            if let Some(items) = list(o) {
                return Ok(Page {
                    items,
                    total: total(o),
                });
            }
            // One level down: `{"data": {"items": [...], "totalCount": n}}`.
            let inner = LIST_KEYS
                .iter()
                .find_map(|k| o.get(*k).and_then(Value::as_object));
            match inner.and_then(|i| list(i).map(|items| (items, total(i).or(total(o))))) {
                Some((items, total)) => Ok(Page { items, total }),
                None => Err(format!(
                    "no list of notifications in the answer (looked for {})",
                    LIST_KEYS.join(", ")
                )),
            }
        }
        _ => Err("the answer is neither an object nor a list".into()),
    }
}

/// The symbol of a record, for hashing (records without one are left to the import to reject).
fn symbol_of(item: &Value) -> Option<String> {
    ["documentSymbol", "symbol", "document_symbol"]
        .iter()
        .find_map(|k| item.get(*k).and_then(Value::as_str))
        .and_then(|s| biaozhun_model::NotificationSymbol::parse(s).ok())
        .map(|s| s.to_string())
}

fn content_hash(item: &Value) -> String {
    use sha2::{Digest, Sha256};
    let text = serde_json::to_string(item).unwrap_or_default();
    let d = Sha256::digest(text.as_bytes());
    d.iter().take(12).map(|b| format!("{b:02x}")).collect()
}

type Client = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
    Empty<Bytes>,
>;

fn client() -> Client {
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_webpki_roots()
        .https_or_http()
        .enable_http1()
        .build();
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https)
}

/// Why one attempt at a page failed.
enum Failure {
    /// Worth another attempt (429, 5xx, timeout, connection error, malformed answer), with the
    /// server's `Retry-After` when it gave one.
    Retry(String, Option<Duration>),
    /// Another attempt will not help (400, 401, 403, 404: the key or the base URL).
    Fatal(String),
}

/// One request for one page.
async fn attempt(client: &Client, opts: &Options, url: &str) -> Result<Page, Failure> {
    let req = Request::get(url)
        .header("Ocp-Apim-Subscription-Key", opts.key.0.as_str())
        .header(header::ACCEPT, "application/json")
        .header(
            header::USER_AGENT,
            concat!("biaozhun/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::<Bytes>::new())
        .map_err(|e| Failure::Fatal(format!("invalid request: {e}")))?;
    let res = match tokio::time::timeout(opts.timeout, client.request(req)).await {
        Ok(Ok(res)) => res,
        Ok(Err(e)) => return Err(Failure::Retry(format!("request failed: {e}"), None)),
        Err(_) => {
            return Err(Failure::Retry(
                format!("no answer within {} s", opts.timeout.as_secs()),
                None,
            ))
        }
    };
    let status = res.status();
    let retry_after = res
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(crate::webhook::retry_after);
    if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
        return Err(Failure::Retry(
            format!("HTTP {}", status.as_u16()),
            retry_after,
        ));
    }
    if !status.is_success() {
        return Err(Failure::Fatal(format!(
            "HTTP {} (check the key and the base url)",
            status.as_u16()
        )));
    }
    let body = match tokio::time::timeout(opts.timeout, res.into_body().collect()).await {
        Ok(Ok(b)) => b.to_bytes(),
        Ok(Err(e)) => {
            return Err(Failure::Retry(
                format!("reading the answer failed: {e}"),
                None,
            ))
        }
        Err(_) => return Err(Failure::Retry("reading the answer timed out".into(), None)),
    };
    parse_page(&body).map_err(|e| Failure::Retry(e, None))
}

/// Fetches one page with retries. `Err` is the reason the run stops.
async fn fetch(
    client: &Client,
    opts: &Options,
    url: &str,
    report: &mut Report,
    deadline: Instant,
) -> Result<Page, String> {
    let mut wait = opts.backoff;
    let mut last = String::new();
    for n in 0..=opts.retries {
        if n > 0 {
            report.retries += 1;
        }
        let retry_after = match attempt(client, opts, url).await {
            Ok(page) => return Ok(page),
            Err(Failure::Fatal(why)) => return Err(why),
            Err(Failure::Retry(why, after)) => {
                last = why;
                after
            }
        };
        if n == opts.retries {
            break;
        }
        tracing::warn!(attempt = n + 1, reason = %last, "ePing page failed, retrying");
        // A server's Retry-After wins (capped at a minute); else the doubling wait.
        let pause = retry_after.unwrap_or(wait);
        if Instant::now() + pause > deadline {
            return Err(format!("{last}; the maximum run time is reached"));
        }
        tokio::time::sleep(pause).await;
        wait = wait.saturating_mul(2);
    }
    Err(format!("{last} after {} retries", opts.retries))
}

/// Runs one sync into `index` (see the module documentation). `since` overrides the saved
/// position. Webhooks and watchlists are told of what it imported, like after an upload.
pub async fn run(
    index: Arc<Index>,
    opts: &Options,
    since: Option<NaiveDate>,
    hooks: Vec<crate::webhook::Webhook>,
) -> Result<(Report, Vec<Deliveries>), SyncError> {
    let mut deliveries = Vec::new();
    let dir = index.dir().to_path_buf();
    let mut state = State::load(&dir)?;
    let client = client();
    let deadline = Instant::now() + opts.max_run;
    let from = match (since, &state.resume) {
        (Some(s), _) => s,
        (None, Some(r)) => r.from,
        (None, None) => state
            .position
            .map(|p| p - chrono::Duration::days(opts.overlap_days))
            .unwrap_or(opts.default_since),
    };
    let resume = match since {
        None => state.resume.clone().filter(|r| r.from == from),
        Some(_) => None,
    };
    let mut report = Report {
        from: Some(from),
        ..Report::default()
    };
    let base = opts.base_url.trim_end_matches('/');
    if !(base.starts_with("http://") || base.starts_with("https://")) {
        return Err(SyncError::BaseUrl(base.to_string()));
    }
    // Nothing is fetched that could not be imported as the operator meant.
    crate::ingest::aliases(&opts.config_dir)?;
    // Pages are staged outside the index directory (which holds index data and state only).
    let staging = tempfile::Builder::new()
        .prefix("biaozhun-eping-")
        .tempdir()
        .map_err(|source| SyncError::Io {
            path: std::env::temp_dir().display().to_string(),
            source,
        })?;
    let mut newest = state.position;
    let mut languages = opts.languages.clone();
    if languages.is_empty() {
        languages.push(1);
    }
    let first = resume
        .as_ref()
        .and_then(|r| languages.iter().position(|l| *l == r.language))
        .unwrap_or(0);
    'languages: for &lang in &languages[first..] {
        let mut page = match &resume {
            Some(r) if r.language == lang => r.page.max(1),
            _ => 1,
        };
        loop {
            if Instant::now() > deadline {
                report.stopped = Some(format!(
                    "the maximum run time ({} s) is reached before page {page} (language {lang})",
                    opts.max_run.as_secs()
                ));
                state.resume = Some(Resume {
                    from,
                    language: lang,
                    page,
                });
                break 'languages;
            }
            let url = format!(
                "{base}/notifications/search?language={lang}&domainIds={DOMAINS}\
                 &distributionDateFrom={from}&page={page}&pageSize={}",
                opts.page_size
            );
            let got = match fetch(&client, opts, &url, &mut report, deadline).await {
                Ok(p) => p,
                Err(reason) => {
                    report.stopped = Some(format!(
                        "stopped at page {page} (language {lang}): {reason}"
                    ));
                    state.resume = Some(Resume {
                        from,
                        language: lang,
                        page,
                    });
                    break 'languages;
                }
            };
            report.pages += 1;
            let n = got.items.len();
            report.fetched += n;
            // What goes to the import: (position on the page, hash key and hash, record).
            let mut keep: Vec<Kept> = Vec::new();
            for (i, mut item) in got.items.into_iter().enumerate() {
                flatten_names(&mut item);
                if let Some(d) = item.get("distributionDate").and_then(Value::as_str) {
                    if let Ok(d) = NaiveDate::parse_from_str(d.get(..10).unwrap_or(d), "%Y-%m-%d") {
                        newest = newest.max(Some(d));
                    }
                }
                match symbol_of(&item) {
                    Some(sym) => {
                        let hash = content_hash(&item);
                        let key = hash_key(&sym, lang);
                        // The index keeps one text per notification: French and Spanish
                        // answers add only the notifications the English one did not have.
                        if lang != 1 && state.hashes.contains_key(&sym) {
                            report.unchanged += 1;
                            continue;
                        }
                        match state.hashes.get(&key) {
                            Some(h) if *h == hash => report.unchanged += 1,
                            Some(_) => {
                                report.changed += 1;
                                keep.push((i + 1, Some((key, hash)), item));
                            }
                            None => {
                                report.new += 1;
                                keep.push((i + 1, Some((key, hash)), item));
                            }
                        }
                    }
                    // Left to the import, which rejects it with a reason.
                    None => keep.push((i + 1, None, item)),
                }
            }
            if !keep.is_empty() {
                let name = format!("{lang}-{page:05}.json");
                let path = staging.path().join(&name);
                let records: Vec<&Value> = keep.iter().map(|(_, _, v)| v).collect();
                let text = serde_json::to_vec(&records).unwrap_or_default();
                std::fs::write(&path, text).map_err(|source| SyncError::Io {
                    path: path.display().to_string(),
                    source,
                })?;
                let idx = Arc::clone(&index);
                let hooks2 = hooks.clone();
                let config_dir = opts.config_dir.clone();
                let root = staging.path().to_path_buf();
                let imported = tokio::task::spawn_blocking(move || {
                    let before = crate::webhook::snapshot(&hooks2, &idx);
                    let opts = crate::ingest::IngestOptions {
                        ocr_max_pages: 0,
                        ..Default::default()
                    };
                    let done = crate::ingest::run(
                        &config_dir,
                        crate::ingest::Inputs::Staged {
                            folder: &root,
                            prefix: "eping",
                        },
                        crate::ingest::Destination::Index(&idx),
                        &opts,
                    );
                    (before, done)
                })
                .await;
                let _ = std::fs::remove_file(&path);
                let (before, reports, summary) = match imported {
                    Ok((before, Ok(done))) => (before, done.reports, done.summary),
                    Ok((_, Err(e))) => {
                        report.stopped =
                            Some(format!("stopped at page {page} (language {lang}): {e}"));
                        state.resume = Some(Resume {
                            from,
                            language: lang,
                            page,
                        });
                        break 'languages;
                    }
                    Err(e) => {
                        report.stopped = Some(format!(
                            "stopped at page {page} (language {lang}): the import failed: {e}"
                        ));
                        state.resume = Some(Resume {
                            from,
                            language: lang,
                            page,
                        });
                        break 'languages;
                    }
                };
                if let Some(e) = summary.commit_error {
                    report.stopped = Some(format!(
                        "stopped at page {page} (language {lang}): the commit failed: {e}"
                    ));
                    state.resume = Some(Resume {
                        from,
                        language: lang,
                        page,
                    });
                    break 'languages;
                }
                // Records the import rejected are not remembered: a corrected one is new.
                let mut rejected: Vec<usize> = Vec::new();
                for r in &reports {
                    if r.status == biaozhun_ingest::batch::FileStatus::Error {
                        let why = r.reason.as_deref().unwrap_or("not imported");
                        report.rejected.push(format!("page {page}: {why}"));
                        rejected.extend(1..=keep.len());
                    }
                    for l in &r.line_errors {
                        let at = keep.get(l.line.wrapping_sub(1)).map_or(l.line, |k| k.0);
                        report
                            .rejected
                            .push(format!("page {page} record {at}: {}", l.message));
                        rejected.push(l.line);
                    }
                }
                for (n, (_, hashed, _)) in keep.into_iter().enumerate() {
                    let Some((key, hash)) = hashed else { continue };
                    if rejected.contains(&(n + 1)) {
                        continue;
                    }
                    report.imported.push(symbol_part(&key).to_string());
                    state.hashes.insert(key, hash);
                }
                deliveries.push(crate::watch::spawn_after_ingest(
                    Arc::clone(&index),
                    Default::default(),
                ));
                if let Some(before) = before {
                    deliveries.push(crate::webhook::spawn_after_ingest(
                        Arc::clone(&index),
                        hooks.clone(),
                        before,
                        Default::default(),
                    ));
                }
            }
            // Progress is saved after every page: a crash resumes after the last imported one.
            state.resume = Some(Resume {
                from,
                language: lang,
                page: page + 1,
            });
            state.save(&dir)?;
            let seen = u64::from(page - 1) * u64::from(opts.page_size) + n as u64;
            let done =
                n == 0 || n < opts.page_size as usize || got.total.is_some_and(|t| seen >= t);
            if done {
                break;
            }
            page += 1;
        }
    }
    if report.stopped.is_none() {
        state.resume = None;
        state.position = newest.or(Some(from));
        state.last_success = Some(Utc::now().to_rfc3339());
    }
    state.save(&dir)?;
    Ok((report, deliveries))
}

/// A record going to the import: its position on the page (1-based), its hash key and hash
/// (none without a symbol), the record.
type Kept = (usize, Option<(String, String)>, Value);

/// Fields some clients see as objects (`"notifyingMember": {"name": "China"}`, see
/// `EPING.md`) become their `name`, the text the catalog import reads.
fn flatten_names(item: &mut Value) {
    let Value::Object(o) = item else { return };
    for key in ["notifyingMember", "notificationType", "area"] {
        if let Some(v) = o.get_mut(key) {
            if let Some(name) = v.get("name").and_then(Value::as_str).map(str::to_string) {
                *v = Value::String(name);
            }
        }
    }
}

/// The key of a record's content hash: its symbol, per language (a French answer is not a
/// change of the English one).
fn hash_key(symbol: &str, lang: u8) -> String {
    if lang == 1 {
        symbol.to_string()
    } else {
        format!("{symbol}#{lang}")
    }
}

/// The symbol of a [`hash_key`].
fn symbol_part(key: &str) -> &str {
    key.split('#').next().unwrap_or(key)
}

/// Webhook and watchlist deliveries started by a sync (the CLI awaits them before exiting).
pub type Deliveries = tokio::task::JoinHandle<Vec<crate::webhook::Outcome>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_in_every_documented_shape() {
        let p = parse_page(br#"{"items": [{"documentSymbol": "G/TBT/N/USA/1"}], "totalCount": 7}"#)
            .expect("page");
        assert_eq!((p.items.len(), p.total), (1, Some(7)));
        let p = parse_page(br#"[{"documentSymbol": "G/TBT/N/USA/1"}]"#).expect("list");
        assert_eq!((p.items.len(), p.total), (1, None));
        let p = parse_page(br#"{"notifications": [{}, {}], "total": 9}"#).expect("notifications");
        assert_eq!((p.items.len(), p.total), (2, Some(9)));
        let p = parse_page(br#"{"data": [{}], "meta": {"current_page": 1, "total": 4}}"#)
            .expect("portal envelope");
        assert_eq!((p.items.len(), p.total), (1, Some(4)));
        let p =
            parse_page(br#"{"data": {"items": [{}, {}, {}], "totalCount": 3}}"#).expect("nested");
        assert_eq!((p.items.len(), p.total), (3, Some(3)));
        assert!(parse_page(b"{\"items\": [").is_err());
        assert!(parse_page(br#"{"message": "x"}"#).is_err());
        assert!(parse_page(b"42").is_err());
    }

    #[test]
    fn member_objects_become_names() {
        let mut v =
            serde_json::json!({"notifyingMember": {"name": "China", "id": "C156"}, "area": "TBT"});
        flatten_names(&mut v);
        assert_eq!(
            v,
            serde_json::json!({"notifyingMember": "China", "area": "TBT"})
        );
    }

    #[test]
    fn the_key_never_shows() {
        let k = Key::new("secret-key-123".into());
        assert!(!format!("{k:?}").contains("secret"));
    }
}
