//! Operations through the API: re-index under search load (every answer 2xx), ingest jobs
//! (202, progress, report; resumed after a restart), idempotent uploads, snapshots, and 401s
//! that name their scheme.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Request};
use biaozhun_api::jobs::{JobState, Jobs};
use biaozhun_api::AppState;

use crate::http::multipart;
use crate::{build_index, config, get, json, repo, send, KEY};

/// A standard catalog line with a unique code, as a client would upload it.
pub fn catalog_line(n: u32, title: &str) -> Vec<u8> {
    format!(
        "{{\"code\": \"GB/T {n}-2024\", \"title_zh\": \"{title}\", \"status\": \"现行\", \"issue_date\": \"2024-01-02\"}}\n"
    )
    .into_bytes()
}

fn upload_request(uri: &str, files: &[(&str, &[u8])]) -> Request<Body> {
    let (ct, body) = multipart(files);
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, ct)
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .body(Body::from(body))
        .expect("request")
}

fn admin_post(uri: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
        .body(Body::empty())
        .expect("request")
}

async fn file_docs(state: &AppState) -> u64 {
    let text = String::from_utf8(crate::bytes(get(state, "/metrics").await).await).expect("utf8");
    text.lines()
        .find(|l| l.starts_with("biaozhun_index_documents{kind=\"file\"}"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no file count in {text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reindex_under_search_load_answers_every_request() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = repo().join("fixtures");
    let index = build_index(
        dir.path(),
        &[
            f.join("catalog/standards.jsonl"),
            f.join("notifications/notifications.jsonl"),
        ],
    );
    let state = AppState::with_index(config(""), index);
    let stop = Arc::new(AtomicBool::new(false));
    let mut load = Vec::new();
    for i in 0..6 {
        let (state, stop) = (state.clone(), stop.clone());
        load.push(tokio::spawn(async move {
            let queries = ["gbt7714", "食品安全", "玩具", "GB 2763"];
            let (mut ok, mut other) = (0u32, Vec::new());
            let mut n = i;
            while !stop.load(Ordering::Relaxed) {
                let q = urlencode(queries[n % queries.len()]);
                let res = get(&state, &format!("/api/v1/search?q={q}")).await;
                if res.status().is_success() {
                    ok += 1;
                } else {
                    other.push(res.status().as_u16());
                }
                n += 1;
            }
            (ok, other)
        }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let res = send(&state, admin_post("/api/v1/admin/reindex")).await;
    assert_eq!(res.status(), 200);
    let answer = json(res).await;
    assert_eq!(answer["to_generation"], 1, "{answer}");
    assert!(answer["records"].as_u64().unwrap_or(0) > 10, "{answer}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut ok, mut failed) = (0, Vec::new());
    for l in load {
        let (o, f) = l.await.expect("load task");
        ok += o;
        failed.extend(f);
    }
    assert!(failed.is_empty(), "non-2xx during re-index: {failed:?}");
    assert!(ok > 20, "the load ran ({ok} searches)");
    let v = json(get(&state, "/api/v1/search?q=gbt7714").await).await;
    assert_eq!(v["hits"][0]["id"], "GB/T 7714-2015", "{v}");
    let metrics =
        String::from_utf8(crate::bytes(get(&state, "/metrics").await).await).expect("utf8");
    assert!(metrics.contains("biaozhun_index_generation 1"), "{metrics}");
    // Uploads go to the new generation.
    let line = catalog_line(88001, "重建后上传的标准");
    let res = send(
        &state,
        upload_request("/api/v1/documents", &[("new.jsonl", &line)]),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(get(&state, "/api/v1/standards/GB/T%2088001-2024").await).await;
    assert_eq!(v["title_zh"], "重建后上传的标准", "{v}");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uploads_are_idempotent_by_content_hash() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = build_index(
        dir.path(),
        &[repo().join("fixtures/catalog/standards.jsonl")],
    );
    let state = AppState::with_index(config(""), index);
    let a = catalog_line(88002, "幂等上传甲");
    let b = catalog_line(88003, "幂等上传乙");
    let files: [(&str, &[u8]); 2] = [("a.jsonl", &a), ("b.jsonl", &b)];
    let res = send(&state, upload_request("/api/v1/documents", &files)).await;
    assert_eq!(res.status(), 200);
    let first = json(res).await;
    assert_eq!(first["summary"]["standards"], 2, "{first}");
    let after_first = file_docs(&state).await;
    let res = send(&state, upload_request("/api/v1/documents", &files)).await;
    assert_eq!(res.status(), 200);
    let second = json(res).await;
    assert_eq!(second["summary"]["skipped"], 2, "{second}");
    assert_eq!(second["summary"]["standards"], 0, "{second}");
    assert_eq!(
        file_docs(&state).await,
        after_first,
        "no second set of file documents"
    );
    // Changed content under the same name replaces its bookkeeping document.
    let a2 = catalog_line(88002, "幂等上传甲（修订）");
    let res = send(
        &state,
        upload_request("/api/v1/documents", &[("a.jsonl", &a2)]),
    )
    .await;
    assert_eq!(json(res).await["summary"]["standards"], 1);
    assert_eq!(file_docs(&state).await, after_first);
}

async fn wait_job(state: &AppState, id: &str) -> serde_json::Value {
    let started = Instant::now();
    loop {
        let res = send(
            state,
            Request::builder()
                .uri(format!("/api/v1/jobs/{id}"))
                .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
                .body(Body::empty())
                .expect("request"),
        )
        .await;
        assert_eq!(res.status(), 200);
        let v = json(res).await;
        if v["state"] == "done" || v["state"] == "failed" {
            return v;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "job stuck: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[test]
fn jobs_answer_at_once_and_survive_a_restart() {
    let dir = tempfile::tempdir().expect("tmp");
    let root = dir.path().to_path_buf();
    // First process: a job through the route.
    {
        let rt = tokio::runtime::Runtime::new().expect("runtime");
        rt.block_on(async {
            let index = build_index(&root, &[repo().join("fixtures/catalog/standards.jsonl")]);
            let state = AppState::with_index(config(""), index);
            let line = catalog_line(88010, "作业上传的标准");
            let res = send(
                &state,
                upload_request("/api/v1/documents?wait=false", &[("job.jsonl", &line)]),
            )
            .await;
            assert_eq!(res.status(), 202);
            let location = res
                .headers()
                .get(header::LOCATION)
                .and_then(|v| v.to_str().ok())
                .expect("location")
                .to_string();
            let job = json(res).await;
            assert_eq!(job["state"], "queued", "{job}");
            assert_eq!(job["files_total"], 1);
            let id = job["id"].as_str().expect("id").to_string();
            assert_eq!(location, format!("/api/v1/jobs/{id}"));
            let done = wait_job(&state, &id).await;
            assert_eq!(done["state"], "done", "{done}");
            assert_eq!(done["files_done"], 1);
            assert_eq!(done["report"]["summary"]["standards"], 1, "{done}");
            assert_eq!(done["report"]["files"][0]["path"], "job.jsonl");
            let v = json(get(&state, "/api/v1/standards/GB/T%2088010-2024").await).await;
            assert_eq!(v["title_zh"], "作业上传的标准");
            let res = send(
                &state,
                Request::builder()
                    .uri("/api/v1/jobs/job-0000000000000-999")
                    .header(header::AUTHORIZATION, format!("Bearer {KEY}"))
                    .body(Body::empty())
                    .expect("request"),
            )
            .await;
            assert_eq!(res.status(), 404);
        });
        // Dropping the runtime stops the worker and closes the index: the process is gone.
    }
    // What a process killed mid-job leaves: one job marked running, one queued behind it.
    let jobs = Jobs::new(&root);
    let mut ids = Vec::new();
    for (n, title) in [(88011, "重启前运行中的作业"), (88012, "重启前排队的作业")]
    {
        let (id, files) = jobs.stage().expect("stage");
        std::fs::write(files.join(format!("{n}.jsonl")), catalog_line(n, title)).expect("file");
        let mut job = jobs.queue(&id).expect("queue");
        if ids.is_empty() {
            job.state = JobState::Running;
            job.attempts = 1;
            jobs.save(&job).expect("save");
        }
        ids.push(id);
    }
    // Second process: the worker resumes both, the interrupted one first.
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        let index = biaozhun_api::state::Index::open_or_create(&root, &repo().join("index-config"))
            .expect("reopen");
        let state = AppState::with_index(config(""), index);
        state.start_jobs().expect("jobs");
        let first = wait_job(&state, &ids[0]).await;
        let second = wait_job(&state, &ids[1]).await;
        assert_eq!(first["state"], "done", "{first}");
        assert_eq!(first["attempts"], 2, "re-run after the restart: {first}");
        assert_eq!(second["state"], "done", "{second}");
        assert_eq!(second["attempts"], 1);
        assert!(
            first["finished"].as_str() <= second["started"].as_str(),
            "one at a time, in order: {first} {second}"
        );
        for code in ["88011", "88012"] {
            let res = get(&state, &format!("/api/v1/standards/GB/T%20{code}-2024")).await;
            assert_eq!(res.status(), 200, "{code}");
        }
        // The staged files of finished jobs are gone; their job.json stays.
        assert!(!root.join("jobs").join(&ids[0]).join("files").exists());
        assert!(root.join("jobs").join(&ids[0]).join("job.json").is_file());
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_through_the_admin_route() {
    let dir = tempfile::tempdir().expect("tmp");
    let snaps = tempfile::tempdir().expect("snaps");
    let index = build_index(
        dir.path(),
        &[repo().join("fixtures/catalog/standards.jsonl")],
    );
    let state = AppState::with_index(config(""), index);
    let res = send(&state, admin_post("/api/v1/admin/snapshots")).await;
    crate::assert_error(res, 404, "not_found").await;
    let raw = format!("snapshot_dir = {:?}", snaps.path().display().to_string());
    let state = AppState::with_shared_index(config(&raw), state.index().expect("index"));
    let res = send(&state, admin_post("/api/v1/admin/snapshots")).await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    let file = snaps.path().join(v["file"].as_str().expect("file"));
    assert!(file.is_file(), "{v}");
    let target = snaps.path().join("restored");
    biaozhun_index::snapshot::restore(&file, &target, false).expect("restore");
    let back = biaozhun_api::state::Index::open(&target).expect("open");
    assert!(back.get_standard("GB/T 7714-2015").expect("get").is_some());
    // Without the key: 401 naming the scheme.
    let res = send(
        &state,
        Request::builder()
            .method("POST")
            .uri("/api/v1/admin/snapshots")
            .body(Body::empty())
            .expect("request"),
    )
    .await;
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.headers()
            .get(header::WWW_AUTHENTICATE)
            .and_then(|v| v.to_str().ok()),
        Some("Bearer realm=\"biaozhun\"")
    );
}
