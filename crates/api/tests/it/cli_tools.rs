//! `biaozhun optimize` and `biaozhun querybench` as a user runs them: on an index of the
//! fixtures, with JSON output read back, and with clear failures on bad input.

use std::process::Command;

use crate::{build_index, repo};

fn biaozhun(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_biaozhun"))
        .args(args)
        .output()
        .expect("run biaozhun")
}

#[test]
fn optimize_then_querybench_on_the_fixtures() {
    let dir = tempfile::tempdir().expect("tmp");
    let index_dir = dir.path().join("index");
    // Two batches, two commits: at least two segments to merge.
    drop(build_index(&index_dir, &[repo().join("fixtures/catalog")]));
    drop(build_index(&index_dir, &[repo().join("fixtures/texts")]));
    let idx = index_dir.to_str().expect("utf-8 path");
    let o = biaozhun(&["optimize", "--index", idx, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert!(v["segments_before"].as_u64().unwrap_or(0) >= 2, "{v}");
    assert_eq!(v["segments_after"], 1, "{v}");
    assert!(v["documents"].as_u64().unwrap_or(0) > 70, "{v}");

    let queries = repo().join("fixtures/eval/queries.jsonl");
    // `biaozhun querybench QUERIES --index IDX --passes 1 --json EXTRA...`, read back.
    let querybench = |extra: &[&str]| -> serde_json::Value {
        let mut args = vec![
            "querybench",
            queries.to_str().expect("utf-8 path"),
            "--index",
            idx,
            "--passes",
            "1",
            "--json",
        ];
        args.extend_from_slice(extra);
        let o = biaozhun(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_slice(&o.stdout).expect("json")
    };
    let v = querybench(&["--threads", "2"]);
    let shapes: Vec<&str> = v
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|s| s["shape"].as_str())
        .collect();
    assert_eq!(
        shapes,
        ["facets", "facets_snippets", "hits_only", "hits_top"]
    );
    for s in v.as_array().expect("array") {
        let n = s["queries"].as_u64().unwrap_or(0);
        assert!(n >= 80, "{s}");
        let (p50, p99) = (
            s["p50_ms"].as_f64().unwrap_or(-1.0),
            s["p99_ms"].as_f64().unwrap_or(-1.0),
        );
        assert!(p50 > 0.0 && p50 <= p99, "{s}");
        assert!(s["throughput_qps"].as_f64().unwrap_or(0.0) > 0.0, "{s}");
        assert!(s["by_group_p99_ms"]["code"].is_number(), "{s}");
    }

    // `--http`: the hits-only requests through the router, split into stages whose shares of
    // the uncompressed request add up to 100 %; gzip shrinks the bodies.
    let v = querybench(&["--shapes", "hits_only", "--http"]);
    let http = v
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s["shape"] == "http_hits_only")
        .expect("http shape");
    let h = &http["http"];
    let f = |k: &str| h[k].as_f64().unwrap_or(f64::NAN);
    assert!(
        f("engine_p50_ms") > 0.0 && f("router_p50_ms") > f("engine_p50_ms") / 2.0,
        "{h}"
    );
    let sum = f("share_engine_pct") + f("share_wire_pct") + f("share_router_pct");
    assert!((sum - 100.0).abs() < 1e-6, "{h}");
    assert!(
        f("body_gzip_bytes") > 0.0 && f("body_gzip_bytes") < f("body_bytes"),
        "{h}"
    );
    assert!(http["queries"].as_u64().unwrap_or(0) >= 80, "{http}");
}

#[test]
fn bad_input_is_a_clear_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let missing = dir.path().join("no-index");
    let o = biaozhun(&["optimize", "--index", missing.to_str().expect("utf-8")]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no-index"), "{err}");

    let queries = dir.path().join("q.jsonl");
    std::fs::write(&queries, "{\"q\": \"苹果\"}\n{\"group\": \"x\"}\n").expect("write");
    let index_dir = dir.path().join("index");
    drop(build_index(&index_dir, &[repo().join("fixtures/catalog")]));
    let o = biaozhun(&[
        "querybench",
        queries.to_str().expect("utf-8"),
        "--index",
        index_dir.to_str().expect("utf-8"),
    ]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("line 2") && err.contains("\"q\""), "{err}");
}

/// `biaozhun eval --min-recall GROUP=VALUE`: a per-group recall bar passes, fails below it,
/// fails for a group without queries, and refuses a malformed bar.
#[test]
fn eval_recall_bars_per_group() {
    let dir = tempfile::tempdir().expect("tmp");
    let index_dir = dir.path().join("index");
    drop(build_index(
        &index_dir,
        &[
            repo().join("fixtures/catalog"),
            repo().join("fixtures/texts"),
        ],
    ));
    let idx = index_dir.to_str().expect("utf-8 path");
    let queries = dir.path().join("q.jsonl");
    std::fs::write(
        &queries,
        concat!(
            "{\"group\": \"partial\", \"q\": \"马铃薯 脱毒 量子计算机\", \"expect\": [\"DB62/T 4475-2021\"], \"at\": 10}\n",
            "{\"group\": \"other\", \"q\": \"量子计算机\", \"expect\": [\"DB62/T 4475-2021\"], \"at\": 10}\n",
        ),
    )
    .expect("write");
    let q = queries.to_str().expect("utf-8");
    let run = |bar: &str| biaozhun(&["eval", q, "--index", idx, "--min-recall", bar]);
    let o = run("partial=1.0");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let o = run("other=0.5");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("other: recall@k 0.000 is below 0.5"));
    let o = run("nosuch=0.5");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("no query of this group"));
    let o = run("partial");
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("is not GROUP=VALUE"));
}

/// `biaozhun search --json` prints what `GET /api/v1/search` answers (the wire shape), not the
/// engine's internal response: same fields, same hits.
#[tokio::test]
async fn search_json_is_the_api_answer() {
    let dir = tempfile::tempdir().expect("tmp");
    let index_dir = dir.path().join("index");
    drop(build_index(&index_dir, &[repo().join("fixtures/catalog")]));
    let idx = index_dir.to_str().expect("utf-8 path");
    let o = biaozhun(&[
        "search",
        "GB/T 7714",
        "--index",
        idx,
        "--json",
        "--limit",
        "5",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let cli: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");

    let index = biaozhun_api::state::Index::open(&index_dir).expect("open");
    let state =
        biaozhun_api::AppState::with_shared_index(crate::config(""), std::sync::Arc::new(index));
    let req = axum::http::Request::builder()
        .uri("/api/v1/search?q=GB%2FT%207714&limit=5&snippets=true")
        .body(axum::body::Body::empty())
        .expect("request");
    let api = crate::json(crate::send(&state, req).await).await;

    let keys = |v: &serde_json::Value| {
        let mut k: Vec<String> = v.as_object().expect("object").keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(keys(&cli), keys(&api), "cli {cli}\napi {api}");
    assert_eq!(cli["total"], api["total"]);
    let ids = |v: &serde_json::Value| -> Vec<String> {
        v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    assert_eq!(ids(&cli), ids(&api));
    assert_eq!(
        ids(&cli).first().map(String::as_str),
        Some("GB/T 7714-2015")
    );
    assert_eq!(keys(&cli["hits"][0]), keys(&api["hits"][0]));
}
