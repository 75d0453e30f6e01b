//! Integration tests of the HTTP API: in-process router tests on an index built once from
//! `fixtures/` ([`http`]), and the real binary serving on a free port ([`binary`]).

mod barriers;
mod binary;
mod check;
mod check_doc;
mod check_server;
mod cli_tools;
mod dossier;
mod http;
mod ingest;
mod lifecycle;
mod ops;
mod replicas;
mod security;
mod sync;
mod watch;
mod webhook_tls;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{Request, Response};
use biaozhun_api::config::{AdminKeys, Config, RawConfig};
use biaozhun_api::state::Index;
use biaozhun_api::AppState;
use http_body_util::BodyExt;
use tower::ServiceExt;

/// The admin key of the test configurations.
pub const KEY: &str = "test-admin-key-0123456789";

/// The repository root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One index built from `fixtures/` for all read-only tests of this binary.
pub fn fixture_index() -> Arc<Index> {
    static INDEX: OnceLock<(tempfile::TempDir, Arc<Index>)> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let index = build_index(dir.path(), &[repo().join("fixtures")]);
            (dir, Arc::new(index))
        })
        .1
        .clone()
}

/// A writable index in `dir` with `paths` ingested.
pub fn build_index(dir: &Path, paths: &[PathBuf]) -> Index {
    let config_dir = repo().join("index-config");
    let index = Index::open_or_create(dir, &config_dir).expect("create index");
    let opts = biaozhun_api::ingest::IngestOptions {
        ocr_max_pages: 0,
        ..Default::default()
    };
    let done = biaozhun_api::ingest::run(
        &config_dir,
        biaozhun_api::ingest::Inputs::Paths(paths),
        biaozhun_api::ingest::Destination::Index(&index),
        &opts,
    )
    .expect("the alias table of index-config/ is valid");
    assert!(done.summary.commit_error.is_none(), "{:?}", done.summary);
    index
}

/// `../shared/data` (skipped when absent, required when `CI=true`).
pub fn shared_data() -> Option<PathBuf> {
    let dir = repo().join("../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "../shared/data is missing and CI=true"
    );
    eprintln!("note: ../shared/data is absent, skipping");
    None
}

/// The default configuration with an admin key and no rate limit, unless `raw` says otherwise.
pub fn config(raw: &str) -> Config {
    let base = RawConfig {
        rate_limit_per_minute: Some(0),
        ..RawConfig::default()
    };
    let mut c = base
        .merge(RawConfig::from_toml(raw).expect("toml"))
        .validate()
        .expect("config");
    if !raw.contains("admin_keys") {
        c.admin_keys = AdminKeys::from_plain(&[KEY]);
    }
    c.index_config_dir = repo().join("index-config");
    c
}

/// State over the shared fixture index.
pub fn state(raw: &str) -> AppState {
    AppState::with_shared_index(config(raw), fixture_index())
}

/// Sends one request through a fresh router.
pub async fn send(state: &AppState, req: Request<Body>) -> Response<Body> {
    biaozhun_api::router(state.clone())
        .oneshot(req)
        .await
        .expect("infallible")
}

/// GET `uri`.
pub async fn get(state: &AppState, uri: &str) -> Response<Body> {
    send(
        state,
        Request::builder()
            .uri(uri)
            .body(Body::empty())
            .expect("request"),
    )
    .await
}

/// The body as bytes.
pub async fn bytes(res: Response<Body>) -> Vec<u8> {
    res.into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes()
        .to_vec()
}

/// The body as JSON.
pub async fn json(res: Response<Body>) -> serde_json::Value {
    let b = bytes(res).await;
    serde_json::from_slice(&b)
        .unwrap_or_else(|e| panic!("not json ({e}): {}", String::from_utf8_lossy(&b)))
}

/// Asserts an error answer: status and code.
pub async fn assert_error(res: Response<Body>, status: u16, code: &str) -> serde_json::Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let v = json(res).await;
    assert_eq!(v["error"]["code"], code, "{v}");
    assert!(
        v["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{v}"
    );
    v
}
