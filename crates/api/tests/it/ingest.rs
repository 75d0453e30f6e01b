//! The one ingest service (`biaozhun_api::ingest`): one rule for a bad `catalog-aliases.toml`
//! wherever a batch starts (the service, the CLI, an upload, a job, the bootstrap, `serve`, the
//! ePing sync), and the same report lines from the CLI and from an upload of the same files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use biaozhun_api::ingest::{Destination, IngestError, IngestOptions, Inputs};
use biaozhun_api::jobs::JobState;
use biaozhun_api::server::ServeError;
use biaozhun_api::AppState;
use serde_json::Value;

use crate::http::{bearer, upload_request};
use crate::{build_index, config, json, repo, send};

/// A copy of `index-config/` whose `catalog-aliases.toml` is `aliases` (removed when `None`).
fn config_dir(parent: &Path, aliases: Option<&str>) -> PathBuf {
    let dir = parent.join("index-config");
    std::fs::create_dir_all(&dir).expect("config dir");
    for entry in std::fs::read_dir(repo().join("index-config")).expect("index-config") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("file name");
        std::fs::copy(&path, dir.join(name)).expect("copy config file");
    }
    let aliases_file = dir.join("catalog-aliases.toml");
    match aliases {
        Some(text) => std::fs::write(&aliases_file, text).expect("write aliases"),
        None => std::fs::remove_file(&aliases_file).expect("remove aliases"),
    }
    dir
}

/// Valid TOML, but version 9 of the alias file: an operator's mistake only the loader sees.
const BAD_ALIASES: &str =
    "version = 9\n[standard]\ncode = [\"code\"]\n[notification]\nsymbol = [\"symbol\"]\n";

fn no_ocr() -> IngestOptions<'static> {
    IngestOptions {
        ocr_max_pages: 0,
        ..Default::default()
    }
}

#[test]
fn a_bad_alias_file_stops_the_service_before_any_file_is_read() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = config_dir(tmp.path(), Some(BAD_ALIASES));
    let catalog = [repo().join("fixtures/catalog/standards.jsonl")];
    let e = biaozhun_api::ingest::run(
        &bad,
        Inputs::Paths(&catalog),
        Destination::DryRun,
        &no_ocr(),
    )
    .expect_err("a bad alias file is an error");
    assert!(matches!(e, IngestError::Aliases(_)), "{e:?}");
    let message = e.to_string();
    assert!(
        message.contains(&bad.join("catalog-aliases.toml").display().to_string()),
        "names the file: {message}"
    );
    assert!(message.contains("version 9"), "{message}");

    // An absent file is not a mistake: the built-in table reads the catalog.
    let other = tempfile::tempdir().expect("tmp");
    let without = config_dir(other.path(), None);
    let done = biaozhun_api::ingest::run(
        &without,
        Inputs::Paths(&catalog),
        Destination::DryRun,
        &no_ocr(),
    )
    .expect("the built-in table");
    assert!(done.summary.standards >= 70, "{:?}", done.summary);
    assert_eq!(done.reports.len(), 1);
}

#[test]
fn cli_ingest_exits_2_naming_a_bad_alias_file_and_stores_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = config_dir(tmp.path(), Some(BAD_ALIASES));
    let index = tmp.path().join("index");
    let out = Command::new(env!("CARGO_BIN_EXE_biaozhun"))
        .arg("ingest")
        .arg("--config")
        .arg(&bad)
        .arg("--index")
        .arg(&index)
        .arg(repo().join("fixtures/catalog/standards.jsonl"))
        .output()
        .expect("run biaozhun");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&bad.join("catalog-aliases.toml").display().to_string()),
        "{stderr}"
    );
    assert!(!index.exists(), "nothing was created: the check runs first");
}

#[tokio::test]
async fn an_upload_with_a_bad_alias_file_answers_misconfigured_and_stores_nothing() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = config_dir(tmp.path(), Some(BAD_ALIASES));
    let index = tokio::task::spawn_blocking({
        let p = tmp.path().join("index");
        move || build_index(&p, &[repo().join("fixtures/regulations")])
    })
    .await
    .expect("build");
    let mut cfg = config("");
    cfg.index_config_dir = bad.clone();
    let s = AppState::with_index(cfg, index);
    let catalog = std::fs::read(repo().join("fixtures/catalog/standards.jsonl")).expect("fixture");
    for uri in ["/api/v1/documents", "/api/v1/documents?wait=false"] {
        let res = send(
            &s,
            upload_request(uri, Some(&bearer()), &[("standards.jsonl", &catalog)]),
        )
        .await;
        assert_eq!(res.status(), 500, "{uri}");
        let v = json(res).await;
        assert_eq!(v["error"]["code"], "misconfigured", "{uri}: {v}");
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(message.contains("catalog-aliases.toml"), "{uri}: {message}");
    }
    let v = json(crate::get(&s, "/api/v1/search?q=gbt7714").await).await;
    assert_eq!(v["total"], 0, "nothing stored: {v}");
    let jobs = tmp.path().join("index").join(biaozhun_api::jobs::JOBS_DIR);
    let queued = std::fs::read_dir(&jobs).map(|d| d.count()).unwrap_or(0);
    assert_eq!(queued, 0, "no job queued in {}", jobs.display());
}

/// A job queued while the file was good, run after it broke (a restart resumes it): failed,
/// the file named, the staged files kept for a retry.
#[tokio::test]
async fn a_job_run_with_a_bad_alias_file_fails_naming_it_and_keeps_its_files() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = config_dir(tmp.path(), Some(BAD_ALIASES));
    let index_dir = tmp.path().join("index");
    let index = tokio::task::spawn_blocking({
        let p = index_dir.clone();
        move || build_index(&p, &[])
    })
    .await
    .expect("build");
    let jobs = biaozhun_api::jobs::Jobs::new(&index_dir);
    let (id, files) = jobs.stage().expect("stage");
    let staged = files.join("standards.jsonl");
    std::fs::copy(repo().join("fixtures/catalog/standards.jsonl"), &staged).expect("copy");
    jobs.queue(&id).expect("queue");

    let mut cfg = config("");
    cfg.index_config_dir = bad.clone();
    let s = AppState::with_index(cfg, index);
    let running = s.start_jobs().expect("jobs");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let job = loop {
        let job = running.get(&id).expect("read job").expect("the job");
        if matches!(job.state, JobState::Done | JobState::Failed) {
            break job;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "job never ran: {job:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    };
    assert_eq!(job.state, JobState::Failed, "{job:?}");
    let error = job.error.clone().unwrap_or_default();
    let named = bad.join("catalog-aliases.toml").display().to_string();
    assert!(error.contains(&named), "{error}");
    assert!(staged.is_file(), "the staged file is kept");
    let v = json(crate::get(&s, "/api/v1/search?q=gbt7714").await).await;
    assert_eq!(v["total"], 0, "nothing stored: {v}");
}

#[tokio::test]
async fn serve_and_the_bootstrap_refuse_a_bad_alias_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = config_dir(tmp.path(), Some(BAD_ALIASES));
    let mut cfg = config("");
    cfg.index_config_dir = bad.clone();
    cfg.index_dir = tmp.path().join("index");
    cfg.bootstrap = Some(repo().join("fixtures/catalog"));
    cfg.addr = "127.0.0.1:0".parse().expect("addr");
    let named = bad.join("catalog-aliases.toml").display().to_string();

    // The bootstrap of an empty index, as `serve` runs it once the listener is up.
    let opened = tokio::task::spawn_blocking({
        let cfg = cfg.clone();
        move || {
            biaozhun_api::server::open_index(&cfg, &biaozhun_api::metrics::Metrics::default())
                .map(drop)
        }
    })
    .await
    .expect("task");
    match opened {
        Err(e @ ServeError::Config(_)) => assert!(e.to_string().contains(&named), "{e}"),
        other => panic!("the bootstrap must refuse the alias file: {other:?}"),
    }

    // `serve` itself stops before it binds.
    let served = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        biaozhun_api::server::serve(cfg.clone()),
    )
    .await
    .expect("serve returns at once");
    match served {
        Err(e @ ServeError::Config(_)) => assert!(e.to_string().contains(&named), "{e}"),
        other => panic!("serve must refuse to start: {other:?}"),
    }
}

#[tokio::test]
async fn the_eping_sync_refuses_a_bad_alias_file_before_fetching() {
    let tmp = tempfile::tempdir().expect("tmp");
    let bad = config_dir(tmp.path(), Some(BAD_ALIASES));
    let index = tokio::task::spawn_blocking({
        let p = tmp.path().join("index");
        move || build_index(&p, &[])
    })
    .await
    .expect("build");
    let opts = biaozhun_api::sync::eping::Options {
        // Nothing listens there: a fetch would fail with another error.
        base_url: "http://127.0.0.1:9".to_string(),
        key: biaozhun_api::sync::eping::Key::new("k".to_string()),
        page_size: 3,
        languages: vec![1],
        default_since: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        overlap_days: 30,
        timeout: std::time::Duration::from_millis(200),
        retries: 0,
        backoff: std::time::Duration::from_millis(10),
        max_run: std::time::Duration::from_secs(10),
        config_dir: bad.clone(),
    };
    let e = biaozhun_api::sync::eping::run(std::sync::Arc::new(index), &opts, None, Vec::new())
        .await
        .expect_err("a bad alias file stops the sync");
    assert!(
        matches!(e, biaozhun_api::sync::eping::SyncError::Config(_)),
        "{e:?}"
    );
    let named = bad.join("catalog-aliases.toml").display().to_string();
    assert!(e.to_string().contains(&named), "{e}");
}

/// The files both sides ingest: every input kind and outcome (catalog with rejected lines, full
/// texts, a PDF, a notification form, a regulation, a broken PDF, an unsupported file).
fn mixed_inputs() -> Vec<PathBuf> {
    [
        "fixtures/catalog/standards.jsonl",
        "fixtures/bad/bad-lines.jsonl",
        "fixtures/texts/SNT5228-2020.txt",
        "fixtures/texts/md/DB62T4210-2020.md",
        "fixtures/pdfs/DB62T4330-2021.pdf",
        "fixtures/notifications/forms/G-TBT-N-SAU-1190.txt",
        "fixtures/regulations/示例省标准化条例.md",
        "fixtures/bad/junk.pdf",
        "fixtures/README.md",
        "fixtures/gen/make_pdfs.py",
    ]
    .iter()
    .map(|p| repo().join(p))
    .collect()
}

/// A report line without what may differ between the two paths (where the file was), keyed
/// by file name; absent fields, `null` and empty lists are one thing.
fn comparable(line: &Value) -> (String, BTreeMap<String, Value>) {
    let path = line["path"].as_str().unwrap_or_default();
    let name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let fields = line
        .as_object()
        .into_iter()
        .flatten()
        .filter(|(k, v)| {
            // `unit` is a CLI-only field of the report file (not on the wire).
            !matches!(k.as_str(), "path" | "unit")
                && !v.is_null()
                && v.as_array().is_none_or(|a| !a.is_empty())
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    (name, fields)
}

#[tokio::test]
async fn the_cli_and_an_upload_of_the_same_files_report_the_same_lines() {
    let tmp = tempfile::tempdir().expect("tmp");
    let inputs = mixed_inputs();

    // The CLI, into its own index.
    let report = tmp.path().join("report.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_biaozhun"))
        .arg("ingest")
        .arg("--config")
        .arg(repo().join("index-config"))
        .arg("--index")
        .arg(tmp.path().join("cli-index"))
        .arg("--report")
        .arg(&report)
        .arg("--no-ocr")
        .args(&inputs)
        .output()
        .expect("run biaozhun");
    // junk.pdf fails: exit code 1, not a usage error.
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&report).expect("report");
    let cli: BTreeMap<String, BTreeMap<String, Value>> = text
        .lines()
        .map(|l| comparable(&serde_json::from_str(l).expect("json line")))
        .collect();

    // An upload of the same files into another index.
    let index = tokio::task::spawn_blocking({
        let p = tmp.path().join("upload-index");
        move || build_index(&p, &[])
    })
    .await
    .expect("build");
    let s = AppState::with_index(config("ocr_max_pages = 0"), index);
    let contents: Vec<(String, Vec<u8>)> = inputs
        .iter()
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().to_string();
            (name, std::fs::read(p).expect("fixture"))
        })
        .collect();
    let parts: Vec<(&str, &[u8])> = contents
        .iter()
        .map(|(n, c)| (n.as_str(), c.as_slice()))
        .collect();
    let res = send(
        &s,
        upload_request("/api/v1/documents", Some(&bearer()), &parts),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    let upload: BTreeMap<String, BTreeMap<String, Value>> = v["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(comparable)
        .collect();

    assert_eq!(cli.len(), inputs.len(), "one line per file: {text}");
    assert_eq!(
        cli.keys().collect::<Vec<_>>(),
        upload.keys().collect::<Vec<_>>()
    );
    for (name, line) in &cli {
        assert_eq!(Some(line), upload.get(name), "{name}");
    }
    // The lines say something: every outcome is there.
    let statuses: Vec<&str> = cli.values().filter_map(|l| l["status"].as_str()).collect();
    for s in ["ok", "warning", "error", "skipped"] {
        assert!(statuses.contains(&s), "{s} in {statuses:?}");
    }
}
