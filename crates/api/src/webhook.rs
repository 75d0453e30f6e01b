//! Webhooks: after an ingest (`biaozhun ingest` or `POST /api/v1/documents`), newly ingested
//! notifications that match a subscription are POSTed as JSON to its URL.
//!
//! Configuration (the service config file, or any TOML file given to `biaozhun ingest
//! --webhooks`):
//!
//! ```toml
//! [[webhooks]]
//! url = "https://alerts.example.gov.cn/wto"
//! secret = "a-long-random-shared-secret"   # optional: signs every delivery
//! market = "美国"        # optional, as for /api/v1/barriers
//! hs = "9503"           # optional
//! q = "玩具"             # optional
//! ```
//!
//! "Newly ingested" means: a notification id that was not in the index before the ingest. A
//! subscription matches with the same rules as the barrier check (market, HS both ways,
//! glossary-expanded words); every new document of a matching family is sent. Delivery runs on
//! a background task and never blocks the ingest; each POST is retried with exponential
//! backoff and jitter on connection errors, timeouts, 429 and 5xx answers, waiting as long as
//! a `Retry-After` answer asks (at most [`MAX_RETRY_AFTER`]). `http://` and `https://` URLs
//! are accepted (rustls, with the Mozilla root certificates).
//!
//! Every POST carries `X-Biaozhun-Delivery` (one id per delivery, the same on its retries, so
//! receivers can drop duplicates) and, when the subscription has a `secret`,
//! `X-Biaozhun-Signature: sha256=HEX`, the HMAC-SHA256 of the exact body under that secret.
//! Deliveries and failures are counted for `/metrics`.

use std::collections::HashSet;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};

use axum::body::Bytes;
use axum::http::{header, Method, Request, Uri};
use biaozhun_index::barriers::{BarrierRequest, MAX_FAMILIES};
use biaozhun_index::Index;
use biaozhun_model::trade::resolve_market;
use biaozhun_model::{HsCode, Notification};
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use rustls::pki_types::CertificateDer;
use serde::{Deserialize, Serialize};

use crate::wire::barriers::notification_page;
use crate::wire::records::notification_url;

/// One `[[webhooks]]` table as written.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawWebhook {
    /// Receiver URL (`http://` or `https://host:port/path`).
    pub url: String,
    /// Shared secret signing each delivery (HMAC-SHA256 of the body); at least 16 characters.
    pub secret: Option<String>,
    /// Market filter (WTO code, English or Chinese name).
    pub market: Option<String>,
    /// HS code filter.
    pub hs: Option<String>,
    /// Words filter.
    pub q: Option<String>,
    /// PEM file of certificate authorities trusted for this `https://` receiver beside the
    /// Mozilla roots: a receiver on a ministry's internal PKI, or with a self-signed
    /// certificate.
    pub ca_file: Option<String>,
}

/// A validated subscription: the URL parses as `http://` or `https://`, market and HS code
/// are known.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Webhook {
    /// Receiver URL.
    pub url: String,
    /// Signing secret (never serialised: payloads name their subscription without it).
    #[serde(skip)]
    pub secret: Option<String>,
    /// Market as a WTO code.
    pub market: Option<String>,
    /// HS code, customs notation.
    pub hs: Option<String>,
    /// Words.
    pub q: Option<String>,
    /// Certificates trusted for this receiver beside the Mozilla roots (from `ca_file`).
    #[serde(skip)]
    pub trusted: Vec<CertificateDer<'static>>,
}

/// Why a webhook configuration is unusable; names the entry (1-based) and the field.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    /// A field of an entry is invalid.
    #[error("webhook {entry}: invalid {field}: {message}")]
    Invalid {
        /// 1-based position in the file.
        entry: usize,
        /// Field name.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The file could not be read or parsed.
    #[error("cannot read webhooks from {path}: {message}")]
    File {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
}

/// Validates raw entries.
pub fn validate(raw: &[RawWebhook]) -> Result<Vec<Webhook>, WebhookError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let entry = i + 1;
        let bad = |field, message: String| WebhookError::Invalid {
            entry,
            field,
            message,
        };
        let url = r.url.trim();
        let uri: Uri = url
            .parse()
            .map_err(|e| bad("url", format!("{url:?} is not a URL ({e})")))?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(bad(
                "url",
                format!("{url:?} must be an http:// or https:// URL with a host"),
            ));
        }
        let secret = r.secret.as_deref().map(str::trim).filter(|s| !s.is_empty());
        if secret.is_some_and(|s| s.chars().count() < 16) {
            return Err(bad("secret", "needs at least 16 characters".into()));
        }
        let market = match r.market.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(m) => Some(
                resolve_market(m)
                    .map_err(|e| bad("market", e.to_string()))?
                    .code
                    .to_string(),
            ),
            None => None,
        };
        let hs = match r.hs.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(h) => Some(
                HsCode::parse(h)
                    .map_err(|e| bad("hs", e.to_string()))?
                    .to_string(),
            ),
            None => None,
        };
        let trusted = match r
            .ca_file
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(f) => read_pem_certs(Path::new(f)).map_err(|e| bad("ca_file", e))?,
            None => Vec::new(),
        };
        out.push(Webhook {
            url: url.to_string(),
            secret: secret.map(str::to_string),
            market,
            hs,
            q: r.q.clone().filter(|q| !q.trim().is_empty()),
            trusted,
        });
    }
    Ok(out)
}

/// The certificates of a PEM file; an error names the file and says what is wrong.
pub fn read_pem_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    use rustls::pki_types::pem::PemObject;
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let certs = CertificateDer::pem_slice_iter(&text)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: not PEM certificates ({e})", path.display()))?;
    if certs.is_empty() {
        return Err(format!("{}: holds no certificate", path.display()));
    }
    Ok(certs)
}

/// The client connector: `http://`, and `https://` verified against the Mozilla roots plus
/// `trusted` (a receiver's own authorities).
fn connector(trusted: &[CertificateDer<'static>]) -> HttpsConnector<HttpConnector> {
    let builder = hyper_rustls::HttpsConnectorBuilder::new();
    let builder = if trusted.is_empty() {
        builder.with_webpki_roots()
    } else {
        let mut roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let (added, ignored) = roots.add_parsable_certificates(trusted.iter().cloned());
        if ignored > 0 {
            tracing::warn!(
                added,
                ignored,
                "webhook ca_file: some certificates are unusable"
            );
        }
        // The process's crypto provider: ring, the only one compiled in.
        let tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_no_client_auth();
        builder.with_tls_config(tls)
    };
    builder.https_or_http().enable_http1().build()
}

/// Reads the `[[webhooks]]` tables of a TOML file (other keys are ignored, so the service
/// config file can be given as is).
pub fn load_file(path: &Path) -> Result<Vec<Webhook>, WebhookError> {
    #[derive(Deserialize)]
    struct File {
        #[serde(default)]
        webhooks: Vec<RawWebhook>,
    }
    let file_err = |message: String| WebhookError::File {
        path: path.display().to_string(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    let value: toml::Table = toml::from_str(&text).map_err(|e| file_err(e.to_string()))?;
    let webhooks = value
        .get("webhooks")
        .cloned()
        .unwrap_or(toml::Value::Array(Vec::new()));
    let file: File = toml::Table::from_iter([("webhooks".to_string(), webhooks)])
        .try_into()
        .map_err(|e: toml::de::Error| file_err(e.to_string()))?;
    validate(&file.webhooks)
}

/// Longest wait a receiver's `Retry-After` can ask for.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(300);
/// Header naming the delivery (the same on retries).
pub const DELIVERY_HEADER: &str = "x-biaozhun-delivery";
/// Header carrying `sha256=HEX`, the HMAC-SHA256 of the body under the subscription's secret.
pub const SIGNATURE_HEADER: &str = "x-biaozhun-signature";

/// Deliveries accepted by receivers since the process started.
static DELIVERED: AtomicU64 = AtomicU64::new(0);
/// Deliveries given up (all attempts failed or refused).
static FAILED: AtomicU64 = AtomicU64::new(0);
/// POST attempts, retries included.
static ATTEMPTS: AtomicU64 = AtomicU64::new(0);

/// Counters of this process: (delivered, failed, attempts), for `/metrics`.
pub fn counters() -> (u64, u64, u64) {
    (
        DELIVERED.load(Ordering::Relaxed),
        FAILED.load(Ordering::Relaxed),
        ATTEMPTS.load(Ordering::Relaxed),
    )
}

/// `sha256=HEX` of `body` under `secret`: what [`SIGNATURE_HEADER`] carries.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = match Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        // HMAC takes keys of any length; this branch cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(body);
    let bytes = mac.finalize().into_bytes();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// A random factor in [0.5, 1.5) for backoff jitter, so receivers that failed together are
/// not retried together.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let r = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    0.5 + (r % 10_000) as f64 / 10_000.0
}

/// The wait a `Retry-After` value asks for: seconds, or an HTTP date.
pub(crate) fn retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let secs = (at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    Some(Duration::from_secs(u64::try_from(secs).unwrap_or(0)).min(MAX_RETRY_AFTER))
}

/// Retry policy of deliveries.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    /// Attempts per POST (at least 1).
    pub attempts: u32,
    /// Wait before the second attempt; doubled before each further one.
    pub backoff: Duration,
    /// Timeout of one attempt.
    pub timeout: Duration,
}

impl Default for Policy {
    /// 5 attempts, 1 s backoff doubling (1, 2, 4, 8 s), 10 s per attempt.
    fn default() -> Policy {
        Policy {
            attempts: 5,
            backoff: Duration::from_secs(1),
            timeout: Duration::from_secs(10),
        }
    }
}

/// The JSON body POSTed to a receiver.
#[derive(Debug, Clone, Serialize)]
pub struct Payload {
    /// Always `notifications.ingested`.
    pub event: &'static str,
    /// The subscription that matched.
    pub subscription: Webhook,
    /// The new notifications, newest first.
    pub notifications: Vec<PayloadNotification>,
}

/// One notification in a payload.
#[derive(Debug, Clone, Serialize)]
pub struct PayloadNotification {
    /// Symbol.
    pub symbol: String,
    /// Base symbol of its family.
    pub base: String,
    /// Member code.
    pub member: Option<String>,
    /// `TBT` or `SPS`.
    pub agreement: &'static str,
    /// English title.
    pub title_en: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// Products.
    pub products: Option<String>,
    /// HS codes.
    pub hs_codes: Vec<String>,
    /// Distribution date.
    pub distribution_date: Option<chrono::NaiveDate>,
    /// Comment deadline.
    pub comment_deadline: Option<chrono::NaiveDate>,
    /// API path.
    pub url: String,
    /// Web page path.
    pub page: String,
}

/// What happened to one delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Receiver URL.
    pub url: String,
    /// Notifications sent.
    pub notifications: usize,
    /// Attempts made.
    pub attempts: u32,
    /// Final HTTP status, when one was received.
    pub status: Option<u16>,
    /// Whether the receiver accepted it (2xx).
    pub delivered: bool,
}

/// The ids in the index now, when any webhook is configured (else nothing is computed).
pub fn snapshot(hooks: &[Webhook], index: &Index) -> Option<HashSet<String>> {
    if hooks.is_empty() {
        return None;
    }
    match index.notification_ids() {
        Ok(ids) => Some(ids),
        Err(e) => {
            tracing::warn!(error = %e, "webhooks: cannot list notifications before the ingest");
            None
        }
    }
}

/// For each subscription, the payload of the new notifications it matches (none when empty).
pub fn payloads(index: &Index, hooks: &[Webhook], before: &HashSet<String>) -> Vec<Payload> {
    let now = match index.notification_ids() {
        Ok(ids) => ids,
        Err(e) => {
            tracing::warn!(error = %e, "webhooks: cannot list notifications after the ingest");
            return Vec::new();
        }
    };
    let fresh: HashSet<&String> = now.difference(before).collect();
    if fresh.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for hook in hooks {
        let req = BarrierRequest {
            market: hook.market.clone(),
            hs: hook.hs.clone(),
            q: hook.q.clone(),
            open_on: None,
            limit: MAX_FAMILIES,
        };
        let report = match index.barriers(&req) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(url = %hook.url, error = %e, "webhooks: subscription check failed");
                continue;
            }
        };
        let mut notes = Vec::new();
        for (_, doc) in report.newest_documents() {
            if !fresh.contains(&doc.symbol) {
                continue;
            }
            if let Ok(Some(n)) = index.get_notification(&doc.symbol) {
                notes.push(payload_notification(&n));
            }
        }
        if !notes.is_empty() {
            out.push(Payload {
                event: "notifications.ingested",
                subscription: hook.clone(),
                notifications: notes,
            });
        }
    }
    out
}

fn payload_notification(n: &Notification) -> PayloadNotification {
    let id = n.id();
    PayloadNotification {
        base: n.symbol.base().to_string(),
        member: n.member.clone(),
        agreement: n.symbol.agreement().as_str(),
        title_en: n.title_en.clone(),
        title_zh: n.title_zh.clone(),
        products: n.products.clone(),
        hs_codes: n.hs_codes.iter().map(ToString::to_string).collect(),
        distribution_date: n.distribution_date,
        comment_deadline: n.comment_deadline,
        url: notification_url(&id),
        page: notification_page(&id),
        symbol: id,
    }
}

/// POSTs one payload with retries; never panics, always returns an outcome.
pub async fn deliver(payload: &Payload, policy: Policy) -> Outcome {
    let url = payload.subscription.url.clone();
    match serde_json::to_vec(payload) {
        Ok(b) => {
            let secret = payload.subscription.secret.as_deref();
            post_json_to(
                &url,
                secret,
                &payload.subscription.trusted,
                Bytes::from(b),
                payload.notifications.len(),
                policy,
            )
            .await
        }
        Err(e) => {
            tracing::error!(url = %url, error = %e, "webhook payload not serialisable");
            Outcome {
                url,
                notifications: payload.notifications.len(),
                attempts: 0,
                status: None,
                delivered: false,
            }
        }
    }
}

/// POSTs a JSON body to `url` with the retry rules of [`Policy`] (used for notification
/// payloads and watchlist events alike); `items` is what the outcome reports as sent.
pub async fn post_json(url: &str, body: Bytes, items: usize, policy: Policy) -> Outcome {
    post_json_signed(url, None, body, items, policy).await
}

/// [`post_json`] with `X-Biaozhun-Signature` when `secret` is given. Every POST carries
/// `X-Biaozhun-Delivery` (one id for all attempts); waits honour `Retry-After`, else back off
/// exponentially with jitter; outcomes are counted for `/metrics`.
pub async fn post_json_signed(
    url: &str,
    secret: Option<&str>,
    body: Bytes,
    items: usize,
    policy: Policy,
) -> Outcome {
    post_json_to(url, secret, &[], body, items, policy).await
}

/// [`post_json_signed`] to a receiver whose certificate chains to one of `trusted` (or to a
/// Mozilla root).
pub async fn post_json_to(
    url: &str,
    secret: Option<&str>,
    trusted: &[CertificateDer<'static>],
    body: Bytes,
    items: usize,
    policy: Policy,
) -> Outcome {
    let url = url.to_string();
    let mut outcome = Outcome {
        url: url.clone(),
        notifications: items,
        attempts: 0,
        status: None,
        delivered: false,
    };
    let connector = connector(trusted);
    let client = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, Full<Bytes>>(connector);
    let delivery = uuid::Uuid::new_v4().to_string();
    let signed = secret.map(|s| signature(s, &body));
    let mut wait = policy.backoff;
    for attempt in 1..=policy.attempts.max(1) {
        outcome.attempts = attempt;
        ATTEMPTS.fetch_add(1, Ordering::Relaxed);
        let mut req = Request::builder()
            .method(Method::POST)
            .uri(url.as_str())
            .header(header::CONTENT_TYPE, "application/json")
            .header(
                header::USER_AGENT,
                concat!("biaozhun/", env!("CARGO_PKG_VERSION")),
            )
            .header(DELIVERY_HEADER, delivery.as_str());
        if let Some(sig) = &signed {
            req = req.header(SIGNATURE_HEADER, sig.as_str());
        }
        let req = req.body(Full::new(body.clone()));
        let req = match req {
            Ok(r) => r,
            Err(e) => {
                tracing::error!(url = %url, error = %e, "webhook request invalid");
                return outcome;
            }
        };
        let mut asked = None;
        let retry = match tokio::time::timeout(policy.timeout, client.request(req)).await {
            Ok(Ok(res)) => {
                let status = res.status();
                outcome.status = Some(status.as_u16());
                if status.is_success() {
                    outcome.delivered = true;
                    DELIVERED.fetch_add(1, Ordering::Relaxed);
                    tracing::info!(url = %url, attempt, delivery = %delivery, items, "webhook delivered");
                    return outcome;
                }
                asked = res
                    .headers()
                    .get(header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(retry_after);
                tracing::warn!(url = %url, attempt, status = status.as_u16(), retry_after = ?asked, "webhook refused");
                status.is_server_error() || status.as_u16() == 429
            }
            Ok(Err(e)) => {
                tracing::warn!(url = %url, attempt, error = %e, "webhook delivery failed");
                true
            }
            Err(_) => {
                tracing::warn!(url = %url, attempt, "webhook delivery timed out");
                true
            }
        };
        if !retry || attempt == policy.attempts {
            break;
        }
        // The receiver's Retry-After wins; otherwise exponential backoff with jitter.
        let pause = asked.unwrap_or_else(|| wait.mul_f64(jitter()));
        tokio::time::sleep(pause).await;
        wait = wait.saturating_mul(2);
    }
    FAILED.fetch_add(1, Ordering::Relaxed);
    tracing::warn!(url = %url, delivery = %delivery, attempts = outcome.attempts, "webhook not delivered");
    outcome
}

/// Computes the payloads for the notifications new since `before` and delivers them on a
/// background task; returns its handle (the server drops it, tests await it).
pub fn spawn_after_ingest(
    index: Arc<Index>,
    hooks: Vec<Webhook>,
    before: HashSet<String>,
    policy: Policy,
) -> tokio::task::JoinHandle<Vec<Outcome>> {
    tokio::spawn(async move {
        let payloads = tokio::task::spawn_blocking(move || payloads(&index, &hooks, &before))
            .await
            .unwrap_or_default();
        let mut outcomes = Vec::with_capacity(payloads.len());
        for p in &payloads {
            outcomes.push(deliver(p, policy).await);
        }
        outcomes
    })
}

/// For `biaozhun ingest`: the ids before the ingest, read from the index directory (empty for a
/// new index), when webhooks are configured.
pub fn snapshot_dir(index_dir: Option<&Path>, hooks: &[Webhook]) -> Option<HashSet<String>> {
    let dir = index_dir?;
    if hooks.is_empty() {
        return None;
    }
    match Index::open(dir) {
        Ok(index) => snapshot(hooks, &index),
        Err(_) => Some(HashSet::new()),
    }
}

/// For `biaozhun ingest`, after the batch committed: delivers to the subscriptions on a
/// runtime of its own and waits for the deliveries (the ingest itself is already done).
/// Prints one line per delivery to stderr.
pub fn deliver_after_cli_ingest(
    index_dir: Option<&Path>,
    hooks: &[Webhook],
    before: Option<HashSet<String>>,
) {
    let (Some(dir), Some(before)) = (index_dir, before) else {
        return;
    };
    let index = match Index::open(dir) {
        Ok(i) => Arc::new(i),
        Err(e) => {
            eprintln!("webhooks: cannot reopen {}: {e}", dir.display());
            return;
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("webhooks: no runtime: {e}");
            return;
        }
    };
    let handle = spawn_after_ingest_on(&rt, index, hooks.to_vec(), before);
    match rt.block_on(handle) {
        Ok(outcomes) => {
            for o in outcomes {
                eprintln!(
                    "webhook {}: {} notifications, {} after {} attempt(s){}",
                    o.url,
                    o.notifications,
                    if o.delivered {
                        "delivered"
                    } else {
                        "NOT delivered"
                    },
                    o.attempts,
                    o.status
                        .map(|s| format!(", status {s}"))
                        .unwrap_or_default()
                );
            }
        }
        Err(e) => eprintln!("webhooks: delivery task failed: {e}"),
    }
}

fn spawn_after_ingest_on(
    rt: &tokio::runtime::Runtime,
    index: Arc<Index>,
    hooks: Vec<Webhook>,
    before: HashSet<String>,
) -> tokio::task::JoinHandle<Vec<Outcome>> {
    let _guard = rt.enter();
    spawn_after_ingest(index, hooks, before, Policy::default())
}
