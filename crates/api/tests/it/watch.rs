//! Watchlists: stored in the index directory, changed by an upload, events in the list, the
//! Atom feed and a webhook on a loopback receiver (which refuses the first POST: retried).

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use biaozhun_api::AppState;
use chrono::{Days, Local};

use crate::http::{bearer, upload_request};
use crate::{assert_error, build_index, bytes, config, json, send};

fn req(method: &str, uri: &str, body: Option<serde_json::Value>) -> Request<Body> {
    let b = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, bearer());
    match body {
        Some(v) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .expect("request")
}

/// Uploads `jsonl` as a catalog file with the admin key; the upload must succeed.
async fn upload_catalog(s: &AppState, jsonl: &str) {
    let res = send(
        s,
        upload_request(
            "/api/v1/documents",
            Some(&bearer()),
            &[("v2.jsonl", jsonl.as_bytes())],
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
}

/// A catalog line.
fn line(code: &str, status: &str, implement: &str, abolish: Option<&str>, by: &[&str]) -> String {
    serde_json::json!({
        "code": code, "title_zh": format!("{code} 测试标准"), "status": status,
        "implement_date": implement, "abolish_date": abolish, "replaced_by": by,
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watchlist_reports_changes_after_an_upload() {
    let dir = tempfile::tempdir().expect("temp");
    let today = Local::now().date_naive();
    let day = |n: u64| {
        today
            .checked_add_days(Days::new(n))
            .expect("date")
            .to_string()
    };
    let past = |n: u64| {
        today
            .checked_sub_days(Days::new(n))
            .expect("date")
            .to_string()
    };
    let v1 = dir.path().join("v1.jsonl");
    std::fs::write(
        &v1,
        [
            line("GB 9999-2020", "现行", &past(1000), None, &[]),
            line("GB 8888-2026", "即将实施", &day(200), None, &[]),
            line("GB 7777-2019", "现行", &past(1000), None, &[]),
        ]
        .join("\n"),
    )
    .expect("write");
    let index_dir = dir.path().join("index");
    let p = index_dir.clone();
    let index = tokio::task::spawn_blocking(move || build_index(&p, &[v1]))
        .await
        .expect("build");
    let s = AppState::with_index(config(""), index);
    let (url, seen) = crate::barriers::receiver().await;

    // Bad input first.
    assert_error(
        send(
            &s,
            req(
                "PUT",
                "/api/v1/watchlists/food",
                Some(serde_json::json!({"codes": ["not a code"]})),
            ),
        )
        .await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        send(
            &s,
            req(
                "PUT",
                "/api/v1/watchlists/a%20b",
                Some(serde_json::json!({"codes": ["GB 1"]})),
            ),
        )
        .await,
        400,
        "invalid_parameter",
    )
    .await;
    let anonymous = Request::builder()
        .uri("/api/v1/watchlists/food")
        .body(Body::empty())
        .expect("request");
    assert_error(send(&s, anonymous).await, 401, "unauthorized").await;
    assert_error(
        send(&s, req("GET", "/api/v1/watchlists/none", None)).await,
        404,
        "not_found",
    )
    .await;

    let res = send(
        &s,
        req(
            "PUT",
            "/api/v1/watchlists/food",
            Some(serde_json::json!({
                "codes": ["GB 9999", "ＧＢ ８８８８—２０２６", "GB 7777-2019", "GB/T 1234-2000"],
                "days": 30, "webhook": url,
            })),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(
        v["codes"],
        serde_json::json!(["GB 9999", "GB 8888-2026", "GB 7777-2019", "GB/T 1234-2000"])
    );
    assert_eq!(v["state"]["GB 9999"]["current_edition"], "GB 9999-2020");
    assert!(
        index_dir.join("watchlists/food.json").is_file(),
        "stored in the index directory"
    );
    let names = json(send(&s, req("GET", "/api/v1/watchlists", None)).await).await;
    assert_eq!(names["watchlists"], serde_json::json!(["food"]));

    // The upload: GB 9999-2020 replaced by a new edition, GB 8888-2026 moved within 30 days,
    // GB 7777-2019 abolished.
    let v2 = [
        line(
            "GB 9999-2020",
            "被代替",
            &past(1000),
            Some(&past(1)),
            &["GB 9999-2025"],
        ),
        line("GB 9999-2025", "现行", &past(1), None, &[]),
        line("GB 8888-2026", "即将实施", &day(10), None, &[]),
        line("GB 7777-2019", "废止", &past(1000), Some(&past(1)), &[]),
    ]
    .join("\n");
    upload_catalog(&s, &v2).await;

    // Detection runs in the background after the answer.
    let start = Instant::now();
    let list = loop {
        let v = json(send(&s, req("GET", "/api/v1/watchlists/food", None)).await).await;
        if v["events"].as_array().is_some_and(|e| e.len() >= 3) {
            break v;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "no events: {v}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    let events = list["events"].as_array().expect("events");
    let find = |kind: &str, code: &str| {
        events
            .iter()
            .find(|e| e["kind"] == kind && e["code"] == code)
            .unwrap_or_else(|| panic!("no {kind} for {code}: {list}"))
    };
    let new = find("new_edition", "GB 9999");
    assert_eq!(new["old_edition"], "GB 9999-2020");
    assert_eq!(new["new_edition"], "GB 9999-2025");
    let gone = find("status_changed", "GB 7777-2019");
    assert_eq!(gone["old_status"], "current");
    assert_eq!(gone["new_status"], "abolished");
    let soon = find("implementation_soon", "GB 8888-2026");
    assert_eq!(soon["implement_date"], day(10));
    assert_eq!(events.len(), 3, "{list}");

    // The Atom feed of the list.
    let res = send(&s, req("GET", "/api/v1/feeds/watchlists/food", None)).await;
    assert_eq!(res.status(), 200);
    let xml = bytes(res).await;
    let feed = atom_syndication::Feed::read_from(&xml[..]).expect("atom");
    assert_eq!(feed.entries().len(), 3);
    assert!(feed
        .entries()
        .iter()
        .any(|e| e.title().contains("GB 9999") && e.title().contains("GB 9999-2025")));

    // The webhook: refused once (503), delivered on the retry.
    let start = Instant::now();
    while seen.lock().expect("lock").len() < 2 {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "webhook not retried"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = seen.lock().expect("lock").clone();
    assert_eq!(got[0].0, 503);
    assert_eq!(got[1].0, 200);
    assert_eq!(got[1].1["event"], "watchlist.changed");
    assert_eq!(got[1].1["watchlist"], "food");
    assert_eq!(got[1].1["events"].as_array().map(Vec::len), Some(3));

    // A second detection with nothing new reports nothing.
    let index = s.index().expect("index");
    let again = tokio::task::spawn_blocking(move || biaozhun_api::watch::detect(&index, today))
        .await
        .expect("join")
        .expect("detect");
    assert!(again.is_empty(), "{again:?}");

    let res = send(&s, req("DELETE", "/api/v1/watchlists/food", None)).await;
    assert_eq!(res.status(), 204);
    assert!(!index_dir.join("watchlists/food.json").exists());
}

fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    let raw = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}

fn feed_request(name: &str, authorization: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().uri(format!("/api/v1/feeds/watchlists/{name}"));
    if let Some(a) = authorization {
        b = b.header(header::AUTHORIZATION, a);
    }
    b.body(Body::empty()).expect("request")
}

/// The feed opens with the list's own token as a Basic password (what feed readers send), not
/// with a wrong one, another list's, or none; rotating makes the old token useless. The webhook
/// of a list with a secret is signed, and the secret never comes back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn feed_token_and_signed_watchlist_webhook() {
    let dir = tempfile::tempdir().expect("temp");
    let past = Local::now()
        .date_naive()
        .checked_sub_days(Days::new(1000))
        .expect("date")
        .to_string();
    let v1 = dir.path().join("v1.jsonl");
    std::fs::write(&v1, line("GB 6666-2020", "现行", &past, None, &[])).expect("write");
    let index_dir = dir.path().join("index");
    let p = index_dir.clone();
    let index = tokio::task::spawn_blocking(move || build_index(&p, &[v1]))
        .await
        .expect("build");
    let s = AppState::with_index(config(""), index);
    let (url, seen) = crate::barriers::signed_receiver().await;

    let put = |name: &str, body: serde_json::Value| {
        req("PUT", &format!("/api/v1/watchlists/{name}"), Some(body))
    };
    let res = send(
        &s,
        put(
            "parts",
            serde_json::json!({"codes": ["GB 6666"], "webhook": url, "secret": "short"}),
        ),
    )
    .await;
    let v = assert_error(res, 400, "invalid_parameter").await;
    assert!(
        v["error"]["message"]
            .as_str()
            .unwrap_or_default()
            .contains("secret"),
        "{v}"
    );

    let res = send(
        &s,
        put(
            "parts",
            serde_json::json!({"codes": ["GB 6666"], "webhook": url, "secret": crate::barriers::SECRET}),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(v["secret"], "********", "{v}");
    let token = v["feed_token"].as_str().expect("feed_token").to_string();
    assert!(
        token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{token}"
    );
    let stored = std::fs::read_to_string(index_dir.join("watchlists/parts.json")).expect("file");
    assert!(
        stored.contains(crate::barriers::SECRET),
        "the secret is kept"
    );
    let shown = json(send(&s, req("GET", "/api/v1/watchlists/parts", None)).await).await;
    assert_eq!(shown["secret"], "********");
    assert!(!shown.to_string().contains(crate::barriers::SECRET));
    // A second list, to try its token on the first.
    let other = json(send(&s, put("other", serde_json::json!({"codes": ["GB 6666"]}))).await).await;
    let other_token = other["feed_token"].as_str().expect("token").to_string();
    assert!(other.get("secret").is_none(), "{other}");

    // The feed: the token as a Basic password opens it, whatever the user name.
    let res = send(&s, feed_request("parts", Some(&basic("reader", &token)))).await;
    assert_eq!(res.status(), 200);
    assert!(atom_syndication::Feed::read_from(&bytes(res).await[..]).is_ok());
    for bad in [
        basic("reader", "0123456789abcdef0123456789abcdef"),
        basic("reader", &other_token),
        basic("reader", ""),
    ] {
        let res = send(&s, feed_request("parts", Some(&bad))).await;
        assert_eq!(res.status(), 401, "{bad}");
    }
    // An unknown list answers like a wrong token (no probing for names).
    let res = send(&s, feed_request("nope", Some(&basic("reader", &token)))).await;
    let challenges: Vec<String> = res
        .headers()
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .filter_map(|h| h.to_str().ok().map(str::to_string))
        .collect();
    assert_eq!(res.status(), 401);
    assert!(
        challenges.iter().any(|c| c.starts_with("Basic")),
        "{challenges:?}"
    );
    let res = send(&s, feed_request("parts", None)).await;
    assert_eq!(res.status(), 401);
    assert!(res
        .headers()
        .get_all(header::WWW_AUTHENTICATE)
        .iter()
        .any(|h| h.to_str().is_ok_and(|c| c.starts_with("Basic"))));
    // The admin key still opens it.
    let res = send(&s, req("GET", "/api/v1/feeds/watchlists/parts", None)).await;
    assert_eq!(res.status(), 200);

    // Rotation: a new token, the old one refused; the secret is kept when not sent.
    let res = send(
        &s,
        put(
            "parts",
            serde_json::json!({"codes": ["GB 6666"], "webhook": url, "rotate_feed_token": true}),
        ),
    )
    .await;
    let v = json(res).await;
    let rotated = v["feed_token"].as_str().expect("token").to_string();
    assert_ne!(rotated, token);
    assert_eq!(v["secret"], "********", "kept: {v}");
    let res = send(&s, feed_request("parts", Some(&basic("reader", &token)))).await;
    assert_eq!(res.status(), 401);
    let res = send(&s, feed_request("parts", Some(&basic("x", &rotated)))).await;
    assert_eq!(res.status(), 200);

    // A change: GB 6666-2020 abolished. The receiver checks the signature itself; it refuses
    // the first POST (503, Retry-After), so the second is the delivery.
    let v2 = line("GB 6666-2020", "废止", &past, Some(&past), &[]);
    upload_catalog(&s, &v2).await;
    let start = Instant::now();
    loop {
        let hits = seen.lock().expect("lock").clone();
        if hits.iter().any(|h| h.status == 200) {
            assert!(hits.iter().all(|h| h.signed), "every POST signed: {hits:?}");
            let ok = hits.iter().find(|h| h.status == 200).expect("delivered");
            assert_eq!(ok.body["event"], "watchlist.changed");
            assert_eq!(ok.body["watchlist"], "parts");
            assert_eq!(ok.body["events"][0]["kind"], "status_changed");
            assert_eq!(
                hits[0].delivery, ok.delivery,
                "one delivery id for the retries"
            );
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "no signed delivery: {hits:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
