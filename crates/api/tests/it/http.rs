//! Every route, every error code and the auth rules, through `router(state).oneshot(request)`.

use axum::body::Body;
use axum::http::{header, Request};

use crate::{assert_error, build_index, config, get, json, repo, send, state, KEY};
use biaozhun_api::AppState;

/// A multipart/form-data body with one part per (file name, content).
pub fn multipart(files: &[(&str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----biaozhun-test-boundary-7d1a";
    let mut body = Vec::new();
    for (name, content) in files {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A multipart upload request, with an `Authorization` header when `auth` is given.
pub fn upload_request(uri: &str, auth: Option<&str>, files: &[(&str, &[u8])]) -> Request<Body> {
    let (ct, body) = multipart(files);
    let mut b = Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, ct);
    if let Some(a) = auth {
        b = b.header(header::AUTHORIZATION, a);
    }
    b.body(Body::from(body)).expect("request")
}

/// The `Authorization` value for the test admin key.
pub fn bearer() -> String {
    format!("Bearer {KEY}")
}

#[tokio::test]
async fn search_finds_gbt7714_by_compact_code() {
    let s = state("");
    let res = get(&s, "/api/v1/search?q=gbt7714").await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert!(v["total"].as_u64().unwrap_or(0) >= 1, "{v}");
    assert!(v["took_ms"].is_u64());
    assert_eq!(v["relaxed"], false);
    let first = &v["hits"][0];
    assert_eq!(first["id"], "GB/T 7714-2015", "{v}");
    assert_eq!(first["kind"], "standard");
    assert_eq!(first["url"], "/api/v1/standards/GB%2FT%207714-2015");
    assert!(first["highlights"].is_array());
    assert!(v["facets"].is_object(), "{v}");
}

#[tokio::test]
async fn search_says_how_the_query_was_understood() {
    let s = state("");
    // `欧盟 玩具`: the market word filters to the EU's notifications.
    let v = json(
        get(
            &s,
            "/api/v1/search?q=%E6%AC%A7%E7%9B%9F%20%E7%8E%A9%E5%85%B7",
        )
        .await,
    )
    .await;
    let market = &v["understood"]["market"];
    assert_eq!(market["code"], "EU", "{v}");
    assert_eq!(market["name_zh"], "欧盟", "{v}");
    assert_eq!(market["word"], "欧盟", "{v}");
    assert_eq!(v["hits"][0]["id"], "G/TBT/N/EU/981", "{v}");
    let v = json(get(&s, "/api/v1/search?q=gbt7714").await).await;
    assert_eq!(v["understood"]["codes"][0], "GB/T 7714", "{v}");
    assert!(v["understood"]["market"].is_null(), "{v}");
    // `荷兰豆` (snow peas) is a vegetable, not the Netherlands: a word of the query.
    let v = json(get(&s, "/api/v1/search?q=%E8%8D%B7%E5%85%B0%E8%B1%86").await).await;
    assert!(v["understood"]["market"].is_null(), "{v}");
    assert_eq!(v["understood"]["terms"][0], "荷兰豆", "{v}");
}

#[tokio::test]
async fn search_accepts_every_filter() {
    let s = state("");
    let uri = "/api/v1/search?q=&kind=standard&status=current&level=local&nature=recommended\
               &region=%E7%94%98%E8%82%83&industry=&ics=&ccs=&year=2021&department=&member=\
               &agreement=&hs=&open_on=&from=2000-01-01&to=2030-12-31&as_of=2026-01-01\
               &sort=code&offset=0&limit=5&cursor=&snippets=false";
    let res = get(&s, uri).await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    for hit in v["hits"].as_array().expect("hits") {
        let id = hit["id"].as_str().expect("id");
        assert!(id.starts_with("DB62"), "{id}");
    }
    // notifications: member, agreement, hs, open_on
    let res = get(
        &s,
        "/api/v1/search?kind=notification&member=USA&agreement=TBT&limit=50",
    )
    .await;
    let v = json(res).await;
    let ids: Vec<&str> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter_map(|h| h["id"].as_str())
        .collect();
    assert!(ids.contains(&"G/TBT/N/USA/2146"), "{ids:?}");
    assert!(ids.iter().all(|i| i.starts_with("G/TBT/N/USA/")), "{ids:?}");
    let res = get(
        &s,
        "/api/v1/search?q=%E9%A9%AC%E9%93%83%E8%96%AF&snippets=true",
    )
    .await;
    let v = json(res).await;
    assert!(v["total"].as_u64().unwrap_or(0) > 0, "{v}");
}

/// `facets=none` answers the same hits without counts; a list counts only those facets.
#[tokio::test]
async fn search_facets_can_be_skipped_or_listed() {
    let s = state("");
    let all = json(get(&s, "/api/v1/search?q=%E8%8B%B9%E6%9E%9C").await).await;
    let none = json(get(&s, "/api/v1/search?q=%E8%8B%B9%E6%9E%9C&facets=none").await).await;
    assert_eq!(none["hits"], all["hits"]);
    assert_eq!(none["total"], all["total"]);
    assert_eq!(none["facets"], serde_json::json!({}));
    let some = json(
        get(
            &s,
            "/api/v1/search?q=%E8%8B%B9%E6%9E%9C&facets=region,%20status",
        )
        .await,
    )
    .await;
    let keys: Vec<&String> = some["facets"].as_object().expect("facets").keys().collect();
    assert_eq!(keys, ["region", "status"]);
    assert_eq!(some["facets"]["region"], all["facets"]["region"]);
    // A total that may be a lower bound: the same hits; on this small index, still exact.
    for track in ["false", "0", "5", "true"] {
        let uri =
            format!("/api/v1/search?q=%E8%8B%B9%E6%9E%9C&facets=none&track_total_hits={track}");
        let v = json(get(&s, &uri).await).await;
        assert_eq!(v["hits"], all["hits"], "{track}");
        assert_eq!(v["total_exact"], true, "{track}");
    }
}

#[tokio::test]
async fn search_pages_with_cursor() {
    let s = state("");
    let v = json(get(&s, "/api/v1/search?kind=standard&limit=3").await).await;
    let cursor = v["next_cursor"].as_str().expect("next_cursor");
    let uri = format!("/api/v1/search?kind=standard&limit=3&cursor={cursor}");
    let next = json(get(&s, &uri).await).await;
    assert_ne!(next["hits"][0]["id"], v["hits"][0]["id"]);
}

#[tokio::test]
async fn search_rejects_bad_parameters() {
    let s = state("");
    let long = "a".repeat(513);
    for uri in [
        "/api/v1/search?q=x&limit=101".to_string(),
        "/api/v1/search?q=x&limit=abc".to_string(),
        "/api/v1/search?q=x&offset=10001".to_string(),
        format!("/api/v1/search?q={long}"),
        "/api/v1/search?q=x&from=2015-13-01".to_string(),
        "/api/v1/search?q=x&sort=title".to_string(),
        "/api/v1/search?q=x&kind=book".to_string(),
        "/api/v1/search?q=x&bogus=1".to_string(),
        "/api/v1/search?q=x&cursor=not-a-cursor".to_string(),
        "/api/v1/search?q=x&facets=colour".to_string(),
        "/api/v1/search?q=x&track_total_hits=some".to_string(),
        "/api/v1/search?q=x&track_total_hits=-1".to_string(),
        "/api/v1/suggest?q=gb&limit=0".to_string(),
    ] {
        assert_error(get(&s, &uri).await, 400, "invalid_parameter").await;
    }
}

#[tokio::test]
async fn search_is_rate_limited_per_client() {
    let s = state("rate_limit_per_minute = 1\nrate_limit_burst = 2");
    for _ in 0..2 {
        assert_eq!(get(&s, "/api/v1/search?q=gb").await.status(), 200);
    }
    let res = get(&s, "/api/v1/search?q=gb").await;
    assert!(retry_after(&res) >= 1);
    assert_error(res, 429, "rate_limited").await;
    // Records are not rate limited.
    assert_eq!(get(&s, "/healthz").await.status(), 200);
}

/// The seconds of a response's `Retry-After` header (the test fails without one).
fn retry_after(res: &axum::http::Response<Body>) -> u64 {
    res.headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .expect("Retry-After")
}

/// Puts a job into the search pool of `s` that holds its thread until the returned sender is
/// dropped; returns once the job runs (`running`) or is accepted into the queue.
async fn occupy_search_pool(
    s: &AppState,
    running: bool,
) -> (
    std::sync::mpsc::Sender<()>,
    tokio::task::JoinHandle<Result<(), biaozhun_api::error::ApiError>>,
) {
    let before = s.search_pool().pending();
    let (release, wait) = std::sync::mpsc::channel::<()>();
    let (started, is_running) = std::sync::mpsc::channel::<()>();
    let pool = s.clone();
    let job = tokio::spawn(async move {
        pool.read(move || {
            let _ = started.send(());
            let _ = wait.recv();
            Ok(())
        })
        .await
    });
    loop {
        let ready = if running {
            is_running.try_recv().is_ok()
        } else {
            s.search_pool().pending() > before
        };
        if ready || job.is_finished() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    (release, job)
}

#[tokio::test]
async fn searches_beyond_the_queue_are_refused_with_overloaded() {
    // One search thread, one waiting place: the third search at once is refused.
    let s = state("search_threads = 1\nsearch_queue = 1");
    let (release_running, running) = occupy_search_pool(&s, true).await;
    let (release_queued, queued) = occupy_search_pool(&s, false).await;
    assert_eq!(s.search_pool().pending(), 2);
    for uri in [
        "/api/v1/search?q=gb",
        "/api/v1/suggest?q=gb",
        "/api/v1/standards/GB%2FT%207714-2015",
    ] {
        let res = get(&s, uri).await;
        assert!(retry_after(&res) >= 1);
        assert_error(res, 503, "overloaded").await;
    }
    // Operational routes do not wait for the search threads, and /metrics counts the refusals.
    assert_eq!(get(&s, "/healthz").await.status(), 200);
    let metrics = String::from_utf8(crate::bytes(get(&s, "/metrics").await).await).expect("utf8");
    for line in [
        "biaozhun_search_threads 1\n",
        "biaozhun_search_queue_capacity 1\n",
        "biaozhun_search_pending 2\n",
        "biaozhun_search_refused_total 3\n",
    ] {
        assert!(metrics.contains(line), "{line}: {metrics}");
    }
    drop(release_running);
    drop(release_queued);
    running.await.expect("join").expect("the running job");
    queued.await.expect("join").expect("the queued job");
    // The same searches are answered once the pool has room again.
    assert_eq!(get(&s, "/api/v1/search?q=gb").await.status(), 200);
}

#[tokio::test]
async fn a_queued_search_nobody_waits_for_is_dropped_unrun() {
    let s = state("search_threads = 1\nsearch_queue = 4");
    let (release, running) = occupy_search_pool(&s, true).await;
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let flag = ran.clone();
    let pool = s.clone();
    let waiting = tokio::spawn(async move {
        pool.read(move || {
            flag.store(true, std::sync::atomic::Ordering::SeqCst);
            Ok(())
        })
        .await
    });
    while s.search_pool().pending() < 2 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    // The client goes away (or its request times out) while the search waits in the queue.
    waiting.abort();
    assert!(waiting.await.is_err(), "aborted");
    drop(release);
    running.await.expect("join").expect("the running job");
    while s.search_pool().pending() > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(1)).await;
    }
    assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
    assert_eq!(s.search_pool().skipped(), 1);
    let metrics = String::from_utf8(crate::bytes(get(&s, "/metrics").await).await).expect("utf8");
    assert!(
        metrics.contains("biaozhun_search_skipped_total 1\n"),
        "{metrics}"
    );
    // The thread still answers.
    assert_eq!(get(&s, "/api/v1/search?q=gb").await.status(), 200);
}

#[tokio::test]
async fn a_panic_in_a_search_job_is_a_500_and_the_thread_goes_on() {
    let s = state("search_threads = 1");
    let err = s
        .read(|| -> Result<(), biaozhun_api::error::ApiError> { panic!("a search that panics") })
        .await
        .expect_err("a panic is an error");
    assert_error(
        axum::response::IntoResponse::into_response(err),
        500,
        "internal",
    )
    .await;
    // The one search thread survived it.
    let v = json(get(&s, "/api/v1/search?q=gbt7714").await).await;
    assert_eq!(v["hits"][0]["id"], "GB/T 7714-2015", "{v}");
    assert_eq!(s.search_pool().threads(), 1);
}

#[tokio::test]
async fn suggest_completes_codes() {
    let s = state("");
    let v = json(get(&s, "/api/v1/suggest?q=gbt771").await).await;
    let ids: Vec<&str> = v["suggestions"]
        .as_array()
        .expect("suggestions")
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert!(ids.iter().any(|i| i.starts_with("GB/T 7714")), "{v}");
    let v = json(get(&s, "/api/v1/suggest?q=").await).await;
    assert_eq!(v["suggestions"].as_array().map(Vec::len), Some(0));
}

/// The official number keeps its zeros; any other padding answers 301 to it.
#[tokio::test]
async fn padded_official_numbers_redirect_to_their_spelling() {
    let s = state("");
    let res = get(&s, "/api/v1/standards/YY%200572-2015").await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["id"], "YY 0572-2015");
    for spelling in ["YY%20572-2015", "yy0572-2015", "YY%2000572-2015"] {
        let res = get(&s, &format!("/api/v1/standards/{spelling}")).await;
        assert_eq!(res.status(), 301, "{spelling}");
        assert_eq!(
            res.headers()[header::LOCATION],
            "/api/v1/standards/YY%200572-2015",
            "{spelling}"
        );
    }
    let v = json(get(&s, "/api/v1/search?q=YY%20572").await).await;
    assert_eq!(v["hits"][0]["id"], "YY 0572-2015", "{v}");
}

#[tokio::test]
async fn standard_canonical_redirects_and_graph() {
    let s = state("");
    let res = get(&s, "/api/v1/standards/GB%2FT%207714-2015").await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(v["id"], "GB/T 7714-2015");
    assert_eq!(v["key"], "GB/T 7714");
    let editions: Vec<&str> = v["editions"]
        .as_array()
        .expect("editions")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    for e in ["GB/T 7714-2015", "GB/T 7714-2005", "GB/T 7714-1987"] {
        assert!(editions.contains(&e), "{editions:?}");
    }
    assert_eq!(editions[0], "GB/T 7714-2015", "newest first");

    // Literal slash and other spellings.
    let res = get(&s, "/api/v1/standards/GB/T%207714-2015").await;
    assert_eq!(res.status(), 200);
    for spelling in [
        "gbt7714-2015",
        "GB%2FT7714%E2%80%942015",
        "gb/t%207714-2015",
    ] {
        let res = get(&s, &format!("/api/v1/standards/{spelling}?text=full")).await;
        assert_eq!(res.status(), 301, "{spelling}");
        assert_eq!(
            res.headers()[header::LOCATION],
            "/api/v1/standards/GB%2FT%207714-2015?text=full"
        );
    }
    // A code without year goes to the current edition.
    let res = get(&s, "/api/v1/standards/GB%2FT%207714").await;
    assert_eq!(res.status(), 302);
    assert_eq!(
        res.headers()[header::LOCATION],
        "/api/v1/standards/GB%2FT%207714-2015"
    );
    assert_error(
        get(&s, "/api/v1/standards/GB%2FT%207714-2099").await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        get(&s, "/api/v1/standards/hello").await,
        400,
        "invalid_parameter",
    )
    .await;
    assert_error(
        get(&s, "/api/v1/standards/GB%2FT%207714-2015?text=some").await,
        400,
        "invalid_parameter",
    )
    .await;
}

#[tokio::test]
async fn standard_sections_summary_and_full_text() {
    let s = state("");
    let v = json(get(&s, "/api/v1/standards/DB62%2FT%204475-2021").await).await;
    let sections = v["sections"].as_array().expect("sections");
    assert!(!sections.is_empty(), "{v}");
    let summary_len: usize = sections
        .iter()
        .map(|x| x["text"].as_str().unwrap_or("").chars().count())
        .max()
        .unwrap_or(0);
    assert!(summary_len <= 201, "summaries are cut: {summary_len}");
    let full = json(get(&s, "/api/v1/standards/DB62%2FT%204475-2021?text=full").await).await;
    let full_len: usize = full["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .map(|x| x["text"].as_str().unwrap_or("").chars().count())
        .sum();
    let sum_len: usize = sections
        .iter()
        .map(|x| x["text"].as_str().unwrap_or("").chars().count())
        .sum();
    assert!(full_len > sum_len, "{full_len} > {sum_len}");
    assert!(full["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .all(|x| x["truncated"] == false));
    // References resolve to records where the index has them.
    let refs = full["references"].as_array().expect("references");
    assert!(
        refs.iter()
            .any(|r| r["code"] == "NY/T 391-2021" && r["record"]["id"] == "NY/T 391-2021"),
        "{refs:?}"
    );
    // ... and the cited standard lists its citing documents.
    let cited = json(get(&s, "/api/v1/standards/NY%2FT%20391-2021").await).await;
    let by: Vec<&str> = cited["cited_by"]
        .as_array()
        .expect("cited_by")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert!(by.contains(&"DB62/T 4475-2021"), "{by:?}");
}

#[tokio::test]
async fn standards_list_notifications_mentioning_them() {
    let s = state("");
    let v = json(get(&s, "/api/v1/standards/GB%202763-2021").await).await;
    let ids: Vec<&str> = v["notifications"]
        .as_array()
        .expect("notifications")
        .iter()
        .filter_map(|n| n["id"].as_str())
        .collect();
    assert!(ids.contains(&"G/SPS/N/CHN/1148"), "{ids:?}");
}

#[tokio::test]
async fn quoted_single_term_phrases_are_not_errors() {
    let s = state("");
    for q in [
        "%22GB%202763%22",
        "%22%E9%A9%AC%E9%93%83%E8%96%AF%22",
        "%22%22",
        "%22",
    ] {
        let res = get(&s, &format!("/api/v1/search?q={q}")).await;
        assert_eq!(res.status(), 200, "{q}");
    }
}

/// Each field of a notification names its source: the catalog's line where the catalog and
/// the form both give it (the catalog wins; a form-only record is tested in ingest).
#[tokio::test]
async fn notification_sources_name_catalog_and_form() {
    let s = state("");
    let v = json(get(&s, "/api/v1/notifications/G/TBT/N/SAU/1190").await).await;
    let src = &v["sources"];
    let line =
        std::fs::read_to_string(crate::repo().join("fixtures/notifications/notifications.jsonl"))
            .expect("catalog")
            .lines()
            .position(|l| l.contains(r#""symbol": "G/TBT/N/SAU/1190""#))
            .map(|i| i as u64 + 1);
    for field in ["symbol", "title_en", "distribution_date", "hs_codes"] {
        assert_eq!(src[field]["kind"], "catalog", "{field}: {src}");
        assert_eq!(src[field]["file"], "notifications.jsonl", "{field}: {src}");
        assert_eq!(src[field]["line"].as_u64(), line, "{field}: {src}");
    }
}

#[tokio::test]
async fn notification_with_family() {
    let s = state("");
    let res = get(&s, "/api/v1/notifications/G/TBT/N/USA/2146").await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(v["id"], "G/TBT/N/USA/2146");
    let family: Vec<&str> = v["family"]
        .as_array()
        .expect("family")
        .iter()
        .filter_map(|e| e["id"].as_str())
        .collect();
    for f in [
        "G/TBT/N/USA/2146",
        "G/TBT/N/USA/2146/Add.1",
        "G/TBT/N/USA/2146/Add.2",
        "G/TBT/N/USA/2146/Corr.1",
    ] {
        assert!(family.contains(&f), "{family:?}");
    }
    let res = get(&s, "/api/v1/notifications/g/tbt/n/usa/2146/add.1").await;
    assert_eq!(res.status(), 301);
    assert_eq!(
        res.headers()[header::LOCATION],
        "/api/v1/notifications/G/TBT/N/USA/2146/Add.1"
    );
    assert_error(
        get(&s, "/api/v1/notifications/G/TBT/N/USA/99999").await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        get(&s, "/api/v1/notifications/not-a-symbol").await,
        400,
        "invalid_parameter",
    )
    .await;
}

#[tokio::test]
async fn regulation_by_id() {
    let s = state("");
    let v = json(get(&s, "/api/v1/search?kind=regulation&limit=1").await).await;
    let url = v["hits"][0]["url"]
        .as_str()
        .expect("a regulation in fixtures");
    let res = get(&s, url).await;
    assert_eq!(res.status(), 200);
    let r = json(res).await;
    assert_eq!(r["kind"], "regulation");
    assert!(!r["sections"].as_array().expect("sections").is_empty());
    assert_error(get(&s, "/api/v1/regulations/nope").await, 404, "not_found").await;
}

#[tokio::test]
async fn operations_routes() {
    let s = state("");
    assert_eq!(json(get(&s, "/healthz").await).await["status"], "ok");
    assert_eq!(get(&s, "/readyz").await.status(), 200);
    let not_ready = AppState::new(config(""));
    assert_error(get(&not_ready, "/readyz").await, 503, "not_ready").await;
    assert_error(
        get(&not_ready, "/api/v1/search?q=x").await,
        503,
        "not_ready",
    )
    .await;
    assert_eq!(get(&not_ready, "/healthz").await.status(), 200);

    get(&s, "/api/v1/search?q=gb").await;
    let res = get(&s, "/metrics").await;
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .expect("ct")
        .starts_with("text/plain"));
    let text = String::from_utf8(crate::bytes(res).await).expect("utf8");
    for needle in [
        "biaozhun_http_requests_total{route=\"/api/v1/search\",method=\"GET\",status=\"200\"}",
        "biaozhun_http_request_duration_seconds_bucket{route=\"/api/v1/search\",le=\"+Inf\"}",
        "biaozhun_index_documents{kind=\"standard\"}",
        "biaozhun_index_size_bytes",
        "# TYPE biaozhun_ingest_files_total counter",
    ] {
        assert!(text.contains(needle), "{needle} missing in\n{text}");
    }
    let res = get(&s, "/").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn openapi_covers_every_route_and_error_code() {
    let s = state("");
    let v = json(get(&s, "/openapi.json").await).await;
    assert!(v["openapi"].as_str().expect("version").starts_with("3.1"));
    let under_v1 = json(get(&s, "/api/v1/openapi.json").await).await;
    assert_eq!(v, under_v1, "/api/v1/openapi.json serves the same document");
    let paths = v["paths"].as_object().expect("paths");
    for (path, method) in [
        ("/api/v1/search", "get"),
        ("/api/v1/suggest", "get"),
        ("/api/v1/standards/{code}", "get"),
        ("/api/v1/notifications/{symbol}", "get"),
        ("/api/v1/regulations/{id}", "get"),
        ("/api/v1/documents", "post"),
        ("/api/v1/documents/{id}", "delete"),
        ("/healthz", "get"),
        ("/readyz", "get"),
        ("/metrics", "get"),
        ("/openapi.json", "get"),
    ] {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
    let params: Vec<&str> = paths["/api/v1/search"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    for p in [
        "q",
        "kind",
        "status",
        "level",
        "nature",
        "region",
        "industry",
        "ics",
        "ccs",
        "year",
        "department",
        "member",
        "agreement",
        "hs",
        "open_on",
        "from",
        "to",
        "as_of",
        "sort",
        "offset",
        "limit",
        "cursor",
        "snippets",
    ] {
        assert!(params.contains(&p), "parameter {p}");
    }
    let codes = v["components"]["schemas"]["ErrorCode"].to_string();
    for c in biaozhun_api::error::ErrorCode::ALL {
        assert!(codes.contains(c.as_str()), "{}", c.as_str());
    }
    assert!(v["components"]["securitySchemes"]["admin_key"].is_object());
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json() {
    let s = state("");
    assert_error(get(&s, "/api/v1/nothing").await, 404, "not_found").await;
    let res = send(
        &s,
        Request::builder()
            .method("POST")
            .uri("/api/v1/search")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_error(res, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn request_ids_cors_and_gzip() {
    let s = state("cors_origins = [\"https://portal.example.gov.cn\"]");
    let res = get(&s, "/healthz").await;
    let id = res.headers().get("x-request-id").expect("x-request-id");
    assert!(!id.is_empty());
    let res = send(
        &s,
        Request::builder()
            .uri("/healthz")
            .header("x-request-id", "abc-123")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(res.headers()["x-request-id"], "abc-123");

    let res = send(
        &s,
        Request::builder()
            .uri("/api/v1/search?q=gb")
            .header(header::ORIGIN, "https://portal.example.gov.cn")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(
        res.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://portal.example.gov.cn"
    );
    let res = send(
        &s,
        Request::builder()
            .uri("/api/v1/search?q=gb")
            .header(header::ORIGIN, "https://evil.example.com")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert!(res
        .headers()
        .get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .is_none());

    let res = send(
        &s,
        Request::builder()
            .uri("/openapi.json")
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "gzip");
}

#[tokio::test]
async fn admin_auth_rules() {
    let s = state("");
    let file: &[(&str, &[u8])] = &[("a.txt", b"hello")];
    // No key.
    assert_error(
        send(&s, upload_request("/api/v1/documents", None, file)).await,
        401,
        "unauthorized",
    )
    .await;
    // Wrong key.
    assert_error(
        send(
            &s,
            upload_request(
                "/api/v1/documents",
                Some("Bearer wrong-key-wrong-key"),
                file,
            ),
        )
        .await,
        401,
        "unauthorized",
    )
    .await;
    // Wrong scheme.
    assert_error(
        send(
            &s,
            upload_request("/api/v1/documents", Some(&format!("Basic {KEY}")), file),
        )
        .await,
        401,
        "unauthorized",
    )
    .await;
    // Key in the query string, even with a valid header.
    let v = assert_error(
        send(
            &s,
            upload_request(
                &format!("/api/v1/documents?api_key={KEY}"),
                Some(&bearer()),
                file,
            ),
        )
        .await,
        401,
        "unauthorized",
    )
    .await;
    assert!(v["error"]["message"]
        .as_str()
        .is_some_and(|m| m.contains("query string")));
    // Delete too.
    let res = send(
        &s,
        Request::builder()
            .method("DELETE")
            .uri(format!("/api/v1/documents/x?token={KEY}"))
            .header(header::AUTHORIZATION, bearer())
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_error(res, 401, "unauthorized").await;
    // No key configured: admin routes are off.
    let off = AppState::with_shared_index(config("admin_keys = []"), crate::fixture_index());
    assert_error(
        send(
            &off,
            upload_request("/api/v1/documents", Some(&bearer()), file),
        )
        .await,
        401,
        "unauthorized",
    )
    .await;
}

#[tokio::test]
async fn upload_errors() {
    let s = state("max_upload_bytes = 2048");
    // Not multipart.
    let res = send(
        &s,
        Request::builder()
            .method("POST")
            .uri("/api/v1/documents")
            .header(header::AUTHORIZATION, bearer())
            .header(header::CONTENT_TYPE, "application/pdf")
            .body(Body::from("%PDF-1.4"))
            .expect("request"),
    )
    .await;
    assert_error(res, 415, "unsupported_media_type").await;
    // Too large.
    let big = vec![b'x'; 10_000];
    let res = send(
        &s,
        upload_request("/api/v1/documents", Some(&bearer()), &[("big.txt", &big)]),
    )
    .await;
    assert_error(res, 413, "payload_too_large").await;
    // No file part.
    let res = send(
        &s,
        upload_request("/api/v1/documents", Some(&bearer()), &[]),
    )
    .await;
    assert_error(res, 400, "invalid_parameter").await;
    // Broken multipart body.
    let res = send(
        &s,
        Request::builder()
            .method("POST")
            .uri("/api/v1/documents")
            .header(header::AUTHORIZATION, bearer())
            .header(header::CONTENT_TYPE, "multipart/form-data; boundary=zzz")
            .body(Body::from("garbage without boundary"))
            .expect("request"),
    )
    .await;
    assert_error(res, 400, "invalid_parameter").await;
}

#[tokio::test]
async fn upload_makes_documents_searchable_and_delete_removes_them() {
    let dir = tempfile::tempdir().expect("temp");
    let index = tokio::task::spawn_blocking({
        let p = dir.path().to_path_buf();
        move || build_index(&p, &[repo().join("fixtures/regulations")])
    })
    .await
    .expect("build");
    let s = AppState::with_index(config(""), index);
    let before = json(get(&s, "/api/v1/search?q=gbt7714").await).await;
    assert_eq!(before["total"], 0, "{before}");

    let catalog = std::fs::read(repo().join("fixtures/catalog/standards.jsonl")).expect("fixture");
    let text = std::fs::read(repo().join("fixtures/texts/SNT5228-2020.txt")).expect("fixture");
    let res = send(
        &s,
        upload_request(
            "/api/v1/documents",
            Some(&bearer()),
            &[
                ("../../evil/standards.jsonl", &catalog),
                ("SNT5228-2020.txt", &text),
                ("notes.bin", b"\x00\x01\x02"),
            ],
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    let files = v["files"].as_array().expect("files");
    assert_eq!(files.len(), 3, "{v}");
    let paths: Vec<&str> = files.iter().filter_map(|f| f["path"].as_str()).collect();
    assert!(paths.contains(&"standards.jsonl"), "{paths:?}");
    assert!(
        paths.iter().all(|p| !p.contains("..") && !p.contains('/')),
        "{paths:?}"
    );
    assert!(v["summary"]["standards"].as_u64().unwrap_or(0) >= 70, "{v}");

    let after = json(get(&s, "/api/v1/search?q=gbt7714").await).await;
    assert_eq!(after["hits"][0]["id"], "GB/T 7714-2015", "{after}");
    let metrics = String::from_utf8(crate::bytes(get(&s, "/metrics").await).await).expect("utf8");
    assert!(
        metrics.contains("biaozhun_ingest_files_total{status="),
        "{metrics}"
    );

    let del = |uri: &str| {
        Request::builder()
            .method("DELETE")
            .uri(uri)
            .header(header::AUTHORIZATION, bearer())
            .body(Body::empty())
            .expect("request")
    };
    let res = send(&s, del("/api/v1/documents/gbt7714-2015")).await;
    assert_eq!(res.status(), 200);
    assert_eq!(json(res).await["deleted"], "GB/T 7714-2015");
    assert_error(
        get(&s, "/api/v1/standards/GB%2FT%207714-2015").await,
        404,
        "not_found",
    )
    .await;
    assert_error(
        send(&s, del("/api/v1/documents/gbt7714-2015")).await,
        404,
        "not_found",
    )
    .await;
}

/// The upload's report line says how a full text's number was read and which spellings were
/// merged into it, as `biaozhun ingest --report` does.
#[tokio::test]
async fn upload_report_says_how_the_number_was_read() {
    let dir = tempfile::tempdir().expect("temp");
    let index = tokio::task::spawn_blocking({
        let p = dir.path().to_path_buf();
        move || build_index(&p, &[repo().join("fixtures/regulations")])
    })
    .await
    .expect("build");
    let s = AppState::with_index(config(""), index);
    // The cover prints the official padding, the file name not.
    let text = "中华人民共和国医药行业标准\nYY 0505—2012\n医用电气设备 电磁兼容 要求和试验\n\
                2012-12-17 发布 2014-01-01 实施\n国家食品药品监督管理局 发 布\n前言\n本标准起草。\n\
                1 范围\n本标准规定了医用电气设备的电磁兼容要求。\n";
    let res = send(
        &s,
        upload_request(
            "/api/v1/documents",
            Some(&bearer()),
            &[("YY505-2012.txt", text.as_bytes())],
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    let file = &v["files"][0];
    assert_eq!(file["code"], "YY 0505-2012", "{v}");
    assert_eq!(file["code_from"], "cover", "{v}");
    assert_eq!(
        file["merged_spellings"],
        serde_json::json!(["YY 505-2012 (file name)"]),
        "{v}"
    );
}

#[tokio::test]
async fn write_failures_are_internal_errors() {
    // A second, read-only handle on the fixture index: writes fail inside the index.
    let dir = crate::fixture_index().dir().to_path_buf();
    let index = tokio::task::spawn_blocking(move || {
        biaozhun_api::state::Index::open(&dir).expect("open read-only")
    })
    .await
    .expect("open");
    let s = AppState::with_index(config(""), index);
    let text = std::fs::read(repo().join("fixtures/texts/SNT5228-2020.txt")).expect("fixture");
    let res = send(
        &s,
        upload_request(
            "/api/v1/documents",
            Some(&bearer()),
            &[("SNT5228-2020-copy.txt", &text)],
        ),
    )
    .await;
    let v = assert_error(res, 500, "internal").await;
    let message = v["error"]["message"].as_str().unwrap_or_default();
    assert!(
        !message.contains("read-only"),
        "details stay in the log: {message}"
    );
    let res = send(
        &s,
        Request::builder()
            .method("DELETE")
            .uri("/api/v1/documents/GB%2FT%207714-2015")
            .header(header::AUTHORIZATION, bearer())
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_error(res, 500, "internal").await;
}
