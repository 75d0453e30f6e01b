//! Security review of the HTTP API as tests, through the in-process router: admin auth (no key,
//! wrong key, key in the query string), path traversal in upload names and record ids,
//! oversized bodies and queries, deep paging, header injection in the Atom feed and HTML
//! injection in search snippets. Every hostile request must get a 4xx with a stable error code
//! (never a 500), and nothing may be written outside the upload's private directory.

use axum::body::Body;
use axum::http::{header, Request, Response};

use crate::http::{bearer, upload_request as upload};
use crate::{assert_error, build_index, bytes, config, get, json, send, state, KEY};
use biaozhun_api::AppState;

fn delete(uri: &str, auth: Option<&str>) -> Request<Body> {
    let mut b = Request::builder().method("DELETE").uri(uri);
    if let Some(a) = auth {
        b = b.header(header::AUTHORIZATION, a);
    }
    b.body(Body::empty()).expect("request")
}

/// A fresh writable index (one small text ingested) behind a state with the test key.
async fn writable_state(dir: &std::path::Path) -> AppState {
    let p = dir.to_path_buf();
    let index = tokio::task::spawn_blocking(move || {
        build_index(&p, &[crate::repo().join("fixtures/texts/SNT5228-2020.txt")])
    })
    .await
    .expect("build");
    AppState::with_index(config(""), index)
}

/// Asserts a 4xx (not a 5xx) answer with a JSON error body.
async fn assert_client_error(res: Response<Body>, what: &str) {
    let status = res.status().as_u16();
    let body = bytes(res).await;
    assert!(
        (400..500).contains(&status),
        "{what}: status {status}: {}",
        String::from_utf8_lossy(&body)
    );
    let v: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{what}: not json ({e}): {}", String::from_utf8_lossy(&body)));
    assert!(v["error"]["code"].is_string(), "{what}: {v}");
}

#[tokio::test]
async fn admin_routes_refuse_missing_wrong_and_query_string_keys() {
    let s = state("");
    let file: &[(&str, &[u8])] = &[("a.txt", b"x")];
    let wrong = "Bearer not-the-admin-key-000000";
    let cases: Vec<(&str, Request<Body>)> = vec![
        (
            "upload without key",
            upload("/api/v1/documents", None, file),
        ),
        (
            "upload with wrong key",
            upload("/api/v1/documents", Some(wrong), file),
        ),
        (
            "upload with key as basic auth",
            upload("/api/v1/documents", Some(&format!("Basic {KEY}")), file),
        ),
        (
            "upload with key in the query string only",
            upload(&format!("/api/v1/documents?key={KEY}"), None, file),
        ),
        (
            "upload with valid header and key in the query string",
            upload(
                &format!("/api/v1/documents?token={KEY}"),
                Some(&bearer()),
                file,
            ),
        ),
        (
            "delete without key",
            delete("/api/v1/documents/GB%2FT%207714-2015", None),
        ),
        (
            "delete with wrong key",
            delete("/api/v1/documents/GB%2FT%207714-2015", Some(wrong)),
        ),
        (
            "delete with key in the query string",
            delete(
                &format!("/api/v1/documents/GB%2FT%207714-2015?Access_Token={KEY}"),
                Some(&bearer()),
            ),
        ),
    ];
    for (what, req) in cases {
        let res = send(&s, req).await;
        assert_eq!(res.status(), 401, "{what}");
        let v = json(res).await;
        assert_eq!(v["error"]["code"], "unauthorized", "{what}: {v}");
        assert!(
            !v.to_string().contains(KEY),
            "{what}: the key is never echoed: {v}"
        );
    }
    // Nothing was deleted by any of those.
    let res = get(&s, "/api/v1/standards/GB%2FT%207714-2015").await;
    assert_eq!(res.status(), 200);
    // No configured key at all: admin routes are closed even with some bearer.
    let closed = AppState::with_shared_index(config("admin_keys = []"), crate::fixture_index());
    let res = send(
        &closed,
        delete("/api/v1/documents/GB%2FT%207714-2015", Some(&bearer())),
    )
    .await;
    assert_error(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn upload_names_cannot_escape_the_upload_directory() {
    let dir = tempfile::tempdir().expect("temp");
    let s = writable_state(dir.path()).await;
    let marker = format!("biaozhun-sec-{}", std::process::id());
    let names = [
        "../../etc/passwd".to_string(),
        format!("../{marker}-a.txt"),
        format!("..\\..\\{marker}-b.txt"),
        format!("/tmp/{marker}-c.txt"),
        format!("%2e%2e%2f{marker}-d.txt"),
        ".hidden".to_string(),
        "..".to_string(),
    ];
    let files: Vec<(&str, &[u8])> = names
        .iter()
        .map(|n| (n.as_str(), b"not a standard".as_slice()))
        .collect();
    let res = send(&s, upload("/api/v1/documents", Some(&bearer()), &files)).await;
    let v = json(res).await;
    assert!(v["files"].is_array(), "{v}");
    let paths: Vec<&str> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter_map(|f| f["path"].as_str())
        .collect();
    assert_eq!(paths.len(), names.len(), "{v}");
    for p in &paths {
        assert!(
            !p.contains('/') && !p.contains('\\') && !p.starts_with('.') && !p.contains('\0'),
            "unsafe stored name {p:?}: {v}"
        );
    }
    // A NUL byte in the part headers is a malformed body, refused before any file is written.
    let res = send(
        &s,
        upload(
            "/api/v1/documents",
            Some(&bearer()),
            &[("a\u{0}/../b.txt", b"x")],
        ),
    )
    .await;
    assert_client_error(res, "nul in file name").await;
    let tmp = std::env::temp_dir();
    for suffix in ["a", "b", "c", "d"] {
        let escaped = tmp.join(format!("{marker}-{suffix}.txt"));
        assert!(!escaped.exists(), "{} was written", escaped.display());
    }
    // /etc/passwd is untouched (still the system's, not our 14 bytes).
    if let Ok(meta) = std::fs::metadata("/etc/passwd") {
        assert_ne!(meta.len(), 14);
    }
}

#[tokio::test]
async fn traversal_in_record_ids_is_a_client_error() {
    let dir = tempfile::tempdir().expect("temp");
    let s = writable_state(dir.path()).await;
    let ids = [
        "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "..%2f..%2fetc%2fpasswd",
        "../../etc/passwd",
        "%2e%2e",
        "..%5c..%5cwindows",
        "%00",
        "GB%2FT%207714-2015%00",
    ];
    for id in ids {
        for uri in [
            format!("/api/v1/standards/{id}"),
            format!("/api/v1/notifications/{id}"),
            format!("/api/v1/regulations/{id}"),
        ] {
            assert_client_error(get(&s, &uri).await, &uri).await;
        }
        let uri = format!("/api/v1/documents/{id}");
        assert_client_error(send(&s, delete(&uri, Some(&bearer()))).await, &uri).await;
    }
    // The index directory is intact: the seeded record still answers.
    let res = get(&s, "/api/v1/search?q=SN%2FT%205228").await;
    assert_eq!(res.status(), 200);
    assert!(json(res).await["total"].as_u64().unwrap_or(0) >= 1);
}

#[tokio::test]
async fn oversized_bodies_and_queries_are_refused() {
    let s = state("max_upload_bytes = 4096");
    let big = vec![b'a'; 64 * 1024];
    let res = send(
        &s,
        upload("/api/v1/documents", Some(&bearer()), &[("big.txt", &big)]),
    )
    .await;
    assert_error(res, 413, "payload_too_large").await;
    let long = "%E6%A0%87".repeat(6000); // 6,000 chars, 54 kB of URI
    for uri in [
        format!("/api/v1/search?q={long}"),
        format!("/api/v1/suggest?q={long}"),
        format!("/api/v1/barriers?market=USA&q={long}"),
        format!("/api/v1/feeds/notifications.atom?q={long}"),
    ] {
        let res = get(&s, &uri).await;
        assert_error(res, 400, "invalid_parameter").await;
    }
    // A huge id is a plain 4xx too.
    let id = "9".repeat(60_000);
    assert_client_error(
        get(&s, &format!("/api/v1/standards/GB%20{id}")).await,
        "long id",
    )
    .await;
    // Many parameters.
    let many: String = (0..2500).map(|i| format!("&status=c{i}")).collect();
    assert_client_error(
        get(&s, &format!("/api/v1/search?q=gb{many}")).await,
        "many parameters",
    )
    .await;
}

#[tokio::test]
async fn deep_paging_is_refused() {
    let s = state("");
    for uri in [
        "/api/v1/search?q=gb&offset=1000000000",
        "/api/v1/search?q=gb&offset=1e9",
        "/api/v1/search?q=gb&offset=18446744073709551616",
        "/api/v1/search?q=gb&offset=-1",
        "/api/v1/search?q=gb&limit=1000000",
        "/api/v1/search?q=gb&limit=-1",
        "/api/v1/search?q=gb&offset=9999&limit=100",
        "/api/v1/search?q=gb&offset=1000000000&limit=1000000",
        "/api/v1/suggest?q=gb&limit=1000000",
        "/api/v1/barriers?market=USA&limit=1000000",
        "/api/v1/barriers?market=USA&offset=1000000000",
    ] {
        assert_client_error(get(&s, uri).await, uri).await;
    }
    // The deepest allowed window still answers.
    let res = get(&s, "/api/v1/search?q=gb&offset=9900&limit=100").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn atom_feed_query_cannot_inject_headers() {
    let s = state("");
    for q in [
        "%0d%0aX-Injected:%201",
        "toys%0d%0aSet-Cookie:%20a=b%0d%0a%0d%0a%3Chtml%3E",
        "%0aLocation:%20http://evil.example",
        "%E5%98%8A%E5%98%8DX-Injected:%201", // U+560A U+560D: CR/LF in their low bytes
    ] {
        let uri = format!("/api/v1/feeds/notifications.atom?market=USA&q={q}");
        let res = get(&s, &uri).await;
        assert_eq!(res.status(), 200, "{uri}");
        for name in ["x-injected", "set-cookie", "location"] {
            assert!(res.headers().get(name).is_none(), "{uri}: header {name}");
        }
        for (name, value) in res.headers() {
            let v = value.as_bytes();
            assert!(
                !v.contains(&b'\r') && !v.contains(&b'\n'),
                "{uri}: header {name} holds a line break"
            );
        }
        let body = bytes(res).await;
        let text = String::from_utf8(body.clone()).expect("utf8");
        assert!(!text.contains("<html>"), "{uri}: raw markup in the feed");
        atom_syndication::Feed::read_from(&body[..]).expect("still valid Atom");
    }
}

#[tokio::test]
async fn script_in_a_document_comes_back_escaped_in_highlights() {
    let dir = tempfile::tempdir().expect("temp");
    let s = writable_state(dir.path()).await;
    let text = "ICS 65.020.30\nCCS B43\n\nDB62\n甘肃省地方标准\n\nDB62/T 9901—2024\n\n\
        羊舍消毒技术规程<script>alert(1)</script>\n\n2024-01-01 发布    2024-02-01 实施\n\n\
        甘肃省市场监督管理局  发布\n\n1  范围\n\n本文件规定了羊舍消毒的要求。\
        羊舍消毒<script>alert('xss')</script>应使用<img src=x onerror=alert(2)>过氧乙酸溶液喷洒。\n\n\
        2  规范性引用文件\n\n本文件没有规范性引用文件。\n\n3  要求\n\n3.1 羊舍消毒每周一次，\
        过氧乙酸溶液浓度 0.5%<b>加粗</b>。\n";
    let res = send(
        &s,
        upload(
            "/api/v1/documents",
            Some(&bearer()),
            &[("DB62T9901-2024.txt", text.as_bytes())],
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(v["summary"]["standards"], 1, "{v}");

    let res = get(
        &s,
        "/api/v1/search?q=%E8%BF%87%E6%B0%A7%E4%B9%99%E9%85%B8&snippets=true",
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    let hit = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .find(|h| h["id"] == "DB62/T 9901-2024")
        .unwrap_or_else(|| panic!("uploaded standard not found: {v}"))
        .clone();
    let highlights = hit["highlights"].as_array().expect("highlights");
    assert!(!highlights.is_empty(), "{hit}");
    let mut saw_markup = false;
    for h in highlights {
        let html = h["html"].as_str().expect("html");
        assert!(!html.contains("<script"), "unescaped script: {html}");
        assert!(!html.contains("<img"), "unescaped img: {html}");
        assert!(!html.contains("<b>"), "unescaped b: {html}");
        let without_em = html.replace("<em>", "").replace("</em>", "");
        assert!(!without_em.contains('<'), "only <em> marks: {html}");
        saw_markup |= html.contains("&lt;script&gt;") || html.contains("&lt;img");
    }
    assert!(saw_markup, "the markup is shown escaped: {highlights:?}");
}
