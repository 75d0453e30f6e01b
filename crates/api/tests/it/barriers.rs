//! The trade-measures routes: `GET /api/v1/barriers`, the Atom feed (parsed back with a feed
//! library, injection attempts included) and webhooks delivered to a local receiver after an
//! upload, with a retry.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use biaozhun_api::config::RawConfig;
use biaozhun_api::AppState;

use crate::{assert_error, build_index, bytes, config, get, json, repo, send, state, KEY};

fn bases(v: &serde_json::Value) -> Vec<String> {
    v["families"]
        .as_array()
        .expect("families")
        .iter()
        .filter_map(|f| f["base"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn barriers_route_finds_saudi_tanks_and_us_toys() {
    let s = state("");
    let res = get(
        &s,
        "/api/v1/barriers?market=%E6%B2%99%E7%89%B9&hs=7311&open_on=2026-11-30",
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    let b = bases(&v);
    assert!(b.contains(&"G/TBT/N/SAU/1223".to_string()), "{b:?}");
    assert!(b.contains(&"G/TBT/N/SAU/1190".to_string()), "{b:?}");
    assert_eq!(v["market"]["code"], "SAU");
    assert_eq!(v["hs"]["chapter"], "73");
    let fam = &v["families"][0];
    for key in [
        "agreement",
        "state",
        "open_for_comment",
        "documents",
        "cited_standards",
    ] {
        assert!(fam.get(key).is_some(), "{key} in {fam}");
    }
    assert_eq!(fam["match_kind"], "hs");

    // 玩具 in the United States: English notifications found through the glossary.
    let v = json(
        get(
            &s,
            "/api/v1/barriers?market=USA&q=%E7%8E%A9%E5%85%B7&open_on=2026-11-30",
        )
        .await,
    )
    .await;
    let b = bases(&v);
    for want in ["G/TBT/N/USA/2146", "G/TBT/N/USA/1272", "G/TBT/N/USA/2201"] {
        assert!(b.contains(&want.to_string()), "{want} in {b:?}");
    }
    let magnets = v["families"]
        .as_array()
        .expect("families")
        .iter()
        .find(|f| f["base"] == "G/TBT/N/USA/2201")
        .expect("magnet family");
    assert_eq!(magnets["open_for_comment"], true);
    assert_eq!(magnets["days_left"], 16);
    assert_eq!(magnets["page"], "/notification/G/TBT/N/USA/2201");
    let water = v["families"]
        .as_array()
        .expect("families")
        .iter()
        .find(|f| f["base"] == "G/TBT/N/USA/2146")
        .expect("water-bead family");
    assert_eq!(water["state"]["label"], "in_force");
    assert_eq!(water["documents"].as_array().map(Vec::len), Some(4));
}

#[tokio::test]
async fn barriers_cited_standards_link_catalog_records() {
    let s = state("");
    let v = json(get(&s, "/api/v1/barriers?market=CHN&open_on=2026-11-30").await).await;
    let cited: Vec<serde_json::Value> = v["families"]
        .as_array()
        .expect("families")
        .iter()
        .flat_map(|f| f["cited_standards"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["code"].as_str().is_some_and(|c| c.starts_with("GB 2763")))
        .collect();
    assert!(!cited.is_empty(), "{v}");
    for c in cited {
        let url = c["url"]
            .as_str()
            .unwrap_or_else(|| panic!("unresolved {c}"));
        assert!(url.starts_with("/api/v1/standards/GB%202763-"), "{url}");
        let res = get(&s, url).await;
        assert_eq!(res.status(), 200, "{url}");
    }
}

#[tokio::test]
async fn barriers_bad_parameters_are_400_with_suggestions() {
    let s = state("");
    let v = assert_error(
        get(&s, "/api/v1/barriers?market=Saudi%20Arabai&hs=7311").await,
        400,
        "invalid_parameter",
    )
    .await;
    let msg = v["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("Saudi Arabai") && msg.contains("SAU"), "{msg}");
    let v = assert_error(
        get(&s, "/api/v1/barriers?market=Atlantis").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert!(v["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Atlantis"));
    assert_error(
        get(&s, "/api/v1/barriers?hs=9x5").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        get(&s, "/api/v1/barriers?open_on=tomorrow").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        get(&s, "/api/v1/barriers?limit=0").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        get(&s, "/api/v1/barriers?colour=red").await,
        400,
        "invalid_parameter",
    )
    .await;
}

#[tokio::test]
async fn feed_is_valid_atom_and_parses_back() {
    let s = state("");
    let res = get(&s, "/api/v1/feeds/notifications.atom?market=USA&hs=9503").await;
    assert_eq!(res.status(), 200);
    let ct = res.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .to_string();
    assert!(ct.starts_with("application/atom+xml"), "{ct}");
    let body = bytes(res).await;
    let feed = atom_syndication::Feed::read_from(&body[..]).expect("valid Atom");
    assert!(feed
        .id()
        .starts_with("tag:biaozhun,2024:feed/notifications"));
    assert!(feed.title().as_str().contains("United States"));
    assert!(feed.links().iter().any(|l| l.rel() == "self"
        && l.href()
            .ends_with("/api/v1/feeds/notifications.atom?market=USA&hs=9503")));
    let ids: Vec<&str> = feed.entries().iter().map(|e| e.id()).collect();
    assert!(
        ids.contains(&"tag:biaozhun,2024:notification:G/TBT/N/USA/2146/Add.2"),
        "{ids:?}"
    );
    // Newest first.
    assert_eq!(
        ids.first().copied(),
        Some("tag:biaozhun,2024:notification:G/TBT/N/USA/2201")
    );
    for e in feed.entries() {
        assert!(e.summary().is_some(), "{}", e.id());
        let hrefs: Vec<&str> = e.links().iter().map(|l| l.href()).collect();
        let symbol = e.id().trim_start_matches("tag:biaozhun,2024:notification:");
        assert!(
            hrefs.contains(&format!("http://localhost/notification/{symbol}").as_str()),
            "{hrefs:?}"
        );
        assert!(
            hrefs.contains(&format!("http://localhost/api/v1/notifications/{symbol}").as_str()),
            "{hrefs:?}"
        );
    }
    let updated = feed.updated().to_rfc3339();
    assert!(updated.starts_with("2026-10-02"), "{updated}");
}

#[tokio::test]
async fn feed_escapes_injection_attempts() {
    let s = state("");
    // q = `toys <script>alert(1)</script> ]]> CR LF "x" & y`, percent-encoded.
    let uri = "/api/v1/feeds/notifications.atom?market=USA&q=toys%20%3Cscript%3Ealert(1)%3C%2Fscript%3E%20%5D%5D%3E%0D%0AX-Injected%3A%201%20%22x%22%20%26%20y";
    let res = send(
        &s,
        Request::builder()
            .uri(uri)
            .header(header::HOST, "portal.example.cn")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers().get("x-injected").is_none());
    let body = bytes(res).await;
    let text = String::from_utf8(body.clone()).expect("utf-8");
    assert!(!text.contains("<script>"), "{text}");
    assert!(!text.contains("]]>"), "{text}");
    assert!(!text.contains("\r"), "raw CR in the document");
    let feed = atom_syndication::Feed::read_from(&body[..]).expect("still valid Atom");
    // The title round-trips to exactly what was asked.
    assert!(
        feed.title()
            .as_str()
            .contains("toys <script>alert(1)</script> ]]>\r\nX-Injected: 1 \"x\" & y"),
        "{}",
        feed.title().as_str()
    );
    let self_link = feed
        .links()
        .iter()
        .find(|l| l.rel() == "self")
        .expect("self link");
    assert!(self_link.href().starts_with(
        "http://portal.example.cn/api/v1/feeds/notifications.atom?market=USA&q=toys%20%3Cscript%3E"
    ));
    assert!(
        !self_link.href().contains(['<', '>', '\r', '\n', ' ']),
        "{}",
        self_link.href()
    );
    assert!(!feed.entries().is_empty(), "toys still matched");
    // A host header that tries to break out is not used.
    let res = send(
        &s,
        Request::builder()
            .uri("/api/v1/feeds/notifications.atom?market=EU")
            .header(header::HOST, "x\"/><evil")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    let feed = atom_syndication::Feed::read_from(&bytes(res).await[..]).expect("valid");
    assert!(feed
        .links()
        .iter()
        .all(|l| l.href().starts_with("http://localhost/")));
    // Bad parameters answer the JSON error, not a feed.
    assert_error(
        get(&s, "/api/v1/feeds/notifications.atom?market=Atlantis").await,
        400,
        "invalid_parameter",
    )
    .await;
}

#[test]
fn webhook_config_is_validated() {
    for (toml, needle) in [
        (
            "[[webhooks]]\nurl = \"ftp://hooks.example.cn/x\"\n",
            "https://",
        ),
        (
            "[[webhooks]]\nurl = \"https://hooks.example.cn/x\"\nsecret = \"short\"\n",
            "secret",
        ),
        ("[[webhooks]]\nurl = \"not a url\"\n", "url"),
        (
            "[[webhooks]]\nurl = \"http://127.0.0.1:9/x\"\nmarket = \"Atlantis\"\n",
            "Atlantis",
        ),
        (
            "[[webhooks]]\nurl = \"http://127.0.0.1:9/x\"\nhs = \"9x\"\n",
            "hs",
        ),
    ] {
        let err = RawConfig::from_toml(toml)
            .expect("toml")
            .validate()
            .expect_err(toml);
        let text = err.to_string();
        assert!(
            text.contains("webhooks") && text.contains(needle),
            "{toml}: {text}"
        );
    }
    let ok = RawConfig::from_toml(
        "[[webhooks]]\nurl = \"http://127.0.0.1:9/x\"\nmarket = \"美国\"\nhs = \"9503\"\nq = \"玩具\"\n",
    )
    .expect("toml")
    .validate()
    .expect("valid");
    assert_eq!(ok.webhooks.len(), 1);
    assert_eq!(ok.webhooks[0].market.as_deref(), Some("USA"));
    // https receivers are accepted (rustls), with a signing secret.
    let ok = RawConfig::from_toml(
        "[[webhooks]]\nurl = \"https://hooks.example.cn/x\"\nsecret = \"0123456789abcdef-secret\"\n",
    )
    .expect("toml")
    .validate()
    .expect("valid");
    assert_eq!(
        ok.webhooks[0].secret.as_deref(),
        Some("0123456789abcdef-secret")
    );
}

/// What the local receiver saw: (status it answered, body).
pub type Seen = Arc<Mutex<Vec<(u16, serde_json::Value)>>>;

/// A receiver on 127.0.0.1 that refuses the first POST with 503 and accepts the rest.
pub async fn receiver() -> (String, Seen) {
    let seen: Seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move |body: axum::body::Bytes| {
            let sink = sink.clone();
            async move {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                let mut seen = sink.lock().expect("lock");
                let status = if seen.is_empty() { 503 } else { 200 };
                seen.push((status, v));
                StatusCode::from_u16(status).unwrap_or(StatusCode::OK)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), seen)
}

/// The secret of the test subscriptions.
pub(crate) const SECRET: &str = "webhook-test-secret-0123456789";

/// One POST the local receiver saw.
#[derive(Debug, Clone)]
pub(crate) struct Hit {
    /// The status it answered.
    pub(crate) status: u16,
    /// The body.
    pub(crate) body: serde_json::Value,
    /// `X-Biaozhun-Delivery`.
    pub(crate) delivery: String,
    /// Whether `X-Biaozhun-Signature` is the HMAC-SHA256 of the body under [`SECRET`].
    pub(crate) signed: bool,
    /// When it arrived.
    pub(crate) at: std::time::Instant,
}

pub(crate) type SignedSeen = Arc<Mutex<Vec<Hit>>>;

/// A receiver on 127.0.0.1 that checks the signature itself (HMAC-SHA256 over the raw body),
/// refuses the first POST with 503 and `Retry-After: 2`, and accepts the rest (a bad signature
/// gets 401).
pub(crate) async fn signed_receiver() -> (String, SignedSeen) {
    use hmac::{Hmac, Mac};
    let seen: SignedSeen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(
            move |headers: axum::http::HeaderMap, body: axum::body::Bytes| {
                let sink = sink.clone();
                async move {
                    let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                    let header = |name: &str| {
                        headers
                            .get(name)
                            .and_then(|h| h.to_str().ok())
                            .unwrap_or_default()
                            .to_string()
                    };
                    let given = header("x-biaozhun-signature");
                    let mut mac =
                        Hmac::<sha2::Sha256>::new_from_slice(SECRET.as_bytes()).expect("hmac key");
                    mac.update(&body);
                    let want: String = mac
                        .finalize()
                        .into_bytes()
                        .iter()
                        .map(|b| format!("{b:02x}"))
                        .collect();
                    let signed = given == format!("sha256={want}");
                    let mut seen = sink.lock().expect("lock");
                    let status = if !signed {
                        401
                    } else if seen.is_empty() {
                        503
                    } else {
                        200
                    };
                    seen.push(Hit {
                        status,
                        body: v,
                        delivery: header("x-biaozhun-delivery"),
                        signed,
                        at: std::time::Instant::now(),
                    });
                    let mut res = axum::response::IntoResponse::into_response(
                        StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
                    );
                    if status == 503 {
                        res.headers_mut().insert(
                            header::RETRY_AFTER,
                            axum::http::HeaderValue::from_static("2"),
                        );
                    }
                    res
                }
            },
        ),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/hook"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn webhook_posts_new_matching_notifications_after_upload_with_retry() {
    let (url, seen) = signed_receiver().await;
    let dir = tempfile::tempdir().expect("tempdir");
    // The catalog only: every notification of the upload is new.
    let index = build_index(
        dir.path(),
        &[repo().join("fixtures/catalog/standards.jsonl")],
    );
    let raw = format!(
        "admin_keys = [\"{KEY}\"]\n[[webhooks]]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\nmarket = \"美国\"\nq = \"玩具\"\n[[webhooks]]\nurl = \"{url}\"\nsecret = \"{SECRET}\"\nmarket = \"Japan\"\n"
    );
    let s = AppState::with_index(config(&raw), index);
    let sample =
        std::fs::read(repo().join("fixtures/notifications/eping-sample.json")).expect("sample");
    let (ct, body) = crate::http::multipart(&[("eping-sample.json", &sample)]);
    let started = std::time::Instant::now();
    let res = send(
        &s,
        Request::builder()
            .method("POST")
            .uri("/api/v1/documents")
            .header(header::CONTENT_TYPE, ct)
            .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
            .body(Body::from(body))
            .expect("request"),
    )
    .await;
    assert_eq!(res.status(), 200);
    let answer = json(res).await;
    assert_eq!(answer["summary"]["notifications"], 3, "{answer}");
    // The upload answered without waiting for the receiver (whose first answer is a 503 and
    // whose retry comes a second later).
    assert!(
        started.elapsed() < Duration::from_millis(900)
            || !seen.lock().expect("lock").iter().any(|h| h.status == 200)
    );
    let mut delivered = None;
    for _ in 0..100 {
        if let Some(h) = seen.lock().expect("lock").iter().find(|h| h.status == 200) {
            delivered = Some(h.body.clone());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let v = delivered.expect("a delivery accepted after the retry");
    let seen = seen.lock().expect("lock").clone();
    assert_eq!(
        seen.len(),
        2,
        "one refused, one accepted; the Japan subscription matched nothing"
    );
    assert!(
        seen.iter().all(|h| h.signed),
        "every POST signed with the secret"
    );
    assert_eq!(seen[0].body, seen[1].body, "the retry sends the same body");
    assert!(!seen[0].delivery.is_empty());
    assert_eq!(
        seen[0].delivery, seen[1].delivery,
        "one delivery id across retries"
    );
    // The receiver asked for 2 s (the backoff alone would have been about 1 s).
    assert!(
        seen[1].at.duration_since(seen[0].at) >= Duration::from_millis(1900),
        "Retry-After honoured: {:?}",
        seen[1].at.duration_since(seen[0].at)
    );
    let metrics =
        String::from_utf8(crate::bytes(crate::get(&s, "/metrics").await).await).expect("utf8");
    assert!(
        metrics.contains("biaozhun_webhook_deliveries_total{outcome=\"delivered\"}"),
        "{metrics}"
    );
    assert_eq!(v["event"], "notifications.ingested");
    assert_eq!(v["subscription"]["market"], "USA");
    let symbols: Vec<&str> = v["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["symbol"].as_str())
        .collect();
    assert_eq!(symbols, ["G/TBT/N/USA/2201"]);
    assert_eq!(
        v["notifications"][0]["url"],
        "/api/v1/notifications/G/TBT/N/USA/2201"
    );
}
