//! The ePing connector against a local HTTP server started here, serving the shape written down
//! in `crates/api/src/sync/EPING.md` (`{"items": [...], "totalCount": n}`): paging, a 429 with
//! Retry-After, a 500, a timeout, malformed JSON, a record without a symbol, a record with
//! nothing but its symbol, a changed record, the maximum run time and resuming after an
//! interrupted run, with the index checked exactly after each; webhooks and the Atom feed on
//! new records as after an upload; the scheduled sync inside `serve` in `/metrics` and
//! `/readyz`; and the `biaozhun sync eping` binary, whose output never shows the key.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use biaozhun_api::sync::eping::{self, Key, Options, State as SyncState};
use biaozhun_api::webhook::Webhook;
use biaozhun_api::AppState;
use chrono::NaiveDate;
use serde_json::{json, Value};

use crate::{build_index, config, get as http_get, json as body_json, repo};

const KEY: &str = "eping-test-key-42";

/// What the mock serves: per page, a queue of answers (the last one repeats), and every
/// request it saw (query, key header, when).
#[derive(Default)]
struct Mock {
    pages: HashMap<u32, Vec<Answer>>,
    /// Pages of languages other than English (`language` 2, 3), when they differ.
    other_languages: HashMap<u32, Vec<Answer>>,
    requests: Vec<Seen>,
}

struct Seen {
    query: HashMap<String, String>,
    key: Option<String>,
    at: Instant,
}

#[derive(Clone)]
enum Answer {
    Json(Value),
    Status(u16, Option<&'static str>),
    Raw(&'static str),
    /// Answers only after this long (longer than the client's timeout).
    Slow(Duration),
}

async fn search(
    State(mock): State<Arc<Mutex<Mock>>>,
    headers: HeaderMap,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let answer = {
        let mut m = mock.lock().expect("mock");
        let key = headers
            .get("ocp-apim-subscription-key")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let page: u32 = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let english = q.get("language").is_none_or(|l| l == "1");
        m.requests.push(Seen {
            query: q,
            key,
            at: Instant::now(),
        });
        let pages = if english {
            &mut m.pages
        } else {
            &mut m.other_languages
        };
        match pages.get_mut(&page) {
            Some(queue) if queue.len() > 1 => queue.remove(0),
            Some(queue) if !queue.is_empty() => queue[0].clone(),
            _ => Answer::Json(json!({"items": [], "totalCount": 0})),
        }
    };
    match answer {
        Answer::Json(v) => axum::Json(v).into_response(),
        Answer::Raw(s) => ([("content-type", "application/json")], s).into_response(),
        Answer::Slow(d) => {
            tokio::time::sleep(d).await;
            axum::Json(json!({"items": [], "totalCount": 0})).into_response()
        }
        Answer::Status(code, retry_after) => {
            let status = StatusCode::from_u16(code).expect("status");
            match retry_after {
                Some(r) => (status, [("retry-after", r)], "slow down").into_response(),
                None => (status, "server error").into_response(),
            }
        }
    }
}

async fn start(mock: Arc<Mutex<Mock>>) -> (String, tokio::task::JoinHandle<()>) {
    let app = Router::new()
        .route("/eping/notifications/search", get(search))
        .with_state(mock);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}/eping"), task)
}

/// A notification as ePing answers it (the field names of its exports).
fn record(symbol: &str, deadline: &str, title: &str) -> Value {
    json!({
        "documentSymbol": symbol,
        "notifyingMember": "United States of America",
        "distributionDate": "2026-09-01T00:00:00",
        "commentDeadlineDate": format!("{deadline}T00:00:00"),
        "titlePlain": title,
        "productsFreeText": "Toys",
        "hsCodes": ["9503"]
    })
}

fn options(base: &str) -> Options {
    Options {
        base_url: base.to_string(),
        key: Key::new(KEY.to_string()),
        page_size: 3,
        languages: vec![1],
        default_since: NaiveDate::from_ymd_opt(2026, 1, 1).expect("date"),
        overlap_days: 30,
        timeout: Duration::from_millis(700),
        retries: 3,
        backoff: Duration::from_millis(10),
        max_run: Duration::from_secs(120),
        config_dir: repo().join("index-config"),
    }
}

fn deadline(index: &biaozhun_index::Index, symbol: &str) -> Option<String> {
    index
        .get_notification(symbol)
        .expect("get")
        .and_then(|n| n.comment_deadline)
        .map(|d| d.to_string())
}

/// Every notification the index holds.
fn held(index: &biaozhun_index::Index) -> BTreeSet<String> {
    index.notification_ids().expect("ids").into_iter().collect()
}

fn set(symbols: &[&str]) -> BTreeSet<String> {
    symbols.iter().map(|s| s.to_string()).collect()
}

/// Symbols of every notification the webhook receiver accepted.
fn delivered(seen: &crate::barriers::Seen) -> BTreeSet<String> {
    let seen = seen.lock().expect("seen");
    seen.iter()
        .filter(|(status, _)| *status == 200)
        .flat_map(|(_, body)| {
            body["notifications"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|n| n["symbol"].as_str().map(str::to_string))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn eping_sync_pages_retries_and_stays_right() {
    let mock = Arc::new(Mutex::new(Mock::default()));
    let (base, server) = start(Arc::clone(&mock)).await;
    let (hook_url, hook_seen) = crate::barriers::receiver().await;
    let hooks = vec![Webhook {
        url: hook_url,
        secret: None,
        market: Some("USA".into()),
        hs: Some("9503".into()),
        q: None,
        trusted: Vec::new(),
    }];
    let dir = tempfile::tempdir().expect("tempdir");
    let index = Arc::new(build_index(dir.path(), &[]));
    let [a, b, c, d, e, f, g] =
        [9101, 9102, 9103, 9104, 9105, 9106, 9107].map(|n| format!("G/TBT/N/USA/{n}"));
    let (a, b, c, d, e, f, g) = (
        a.as_str(),
        b.as_str(),
        c.as_str(),
        d.as_str(),
        e.as_str(),
        f.as_str(),
        g.as_str(),
    );
    {
        let mut m = mock.lock().expect("mock");
        m.pages.insert(
            1,
            vec![Answer::Json(json!({"items": [
                record(a, "2026-11-01", "Toy magnets"),
                record(b, "2026-11-02", "Toy batteries"),
                record(f, "2026-11-06", "Toy paint"),
            ], "totalCount": 8}))],
        );
        // A 429 with Retry-After, then the page: a record, one without any symbol (rejected
        // with its reason, the rest goes on) and one with nothing but its symbol.
        m.pages.insert(
            2,
            vec![
                Answer::Status(429, Some("1")),
                Answer::Json(json!({"items": [
                    record(c, "2026-11-03", "Toy cords"),
                    {"titlePlain": "no symbol at all", "hsCodes": ["9503"]},
                    {"documentSymbol": d},
                ], "totalCount": 8})),
            ],
        );
        // A 500, an answer slower than the timeout, then the last (short) page.
        m.pages.insert(
            3,
            vec![
                Answer::Status(500, None),
                Answer::Slow(Duration::from_secs(3)),
                Answer::Json(json!({"items": [
                    record(e, "2026-11-05", "Toy slime"),
                    record(g, "2026-11-07", "Toy kites"),
                ], "totalCount": 8})),
            ],
        );
    }
    let opts = options(&base);
    let (r, deliveries) = eping::run(Arc::clone(&index), &opts, None, hooks.clone())
        .await
        .expect("run 1");
    assert_eq!(r.stopped, None, "{r:?}");
    assert_eq!(
        (r.pages, r.fetched, r.new, r.changed),
        (3, 8, 7, 0),
        "{r:?}"
    );
    assert_eq!(r.retries, 3, "one 429, one 500, one timeout: {r:?}");
    assert_eq!(r.rejected.len(), 1, "{r:?}");
    assert!(
        r.rejected[0].starts_with("page 2 record 2:"),
        "{:?}",
        r.rejected
    );
    // The index holds exactly the seven records with a symbol, the bare one included.
    assert_eq!(held(&index), set(&[a, b, c, d, e, f, g]));
    assert_eq!(deadline(&index, c).as_deref(), Some("2026-11-03"));
    assert_eq!(
        deadline(&index, d),
        None,
        "nothing invented for the bare record"
    );
    // Family linking as for files: the record is a notification of its family base.
    assert_eq!(index.family_members(a).expect("family").len(), 1);
    {
        let m = mock.lock().expect("mock");
        assert!(m.requests.iter().all(|s| s.key.as_deref() == Some(KEY)));
        let q = &m.requests[0].query;
        assert_eq!(
            q.get("distributionDateFrom").map(String::as_str),
            Some("2026-01-01")
        );
        assert_eq!(q.get("domainIds").map(String::as_str), Some("1,2"));
        assert_eq!(q.get("pageSize").map(String::as_str), Some("3"));
        // The retry after the 429 waited for its Retry-After (1 s), not the 10 ms backoff.
        let pages: Vec<(&str, Instant)> = m
            .requests
            .iter()
            .map(|s| (s.query.get("page").map_or("", String::as_str), s.at))
            .collect();
        let second: Vec<Instant> = pages
            .iter()
            .filter(|(p, _)| *p == "2")
            .map(|(_, t)| *t)
            .collect();
        assert_eq!(second.len(), 2, "page 2 asked twice");
        assert!(second[1] - second[0] >= Duration::from_millis(950));
        assert_eq!(pages.iter().filter(|(p, _)| *p == "3").count(), 3);
    }
    let state = SyncState::load(dir.path()).expect("state");
    assert_eq!(state.position, NaiveDate::from_ymd_opt(2026, 9, 1));
    assert!(state.resume.is_none() && state.last_success.is_some());
    let state_text =
        std::fs::read_to_string(dir.path().join(eping::STATE_FILE)).expect("state file");
    assert!(
        !state_text.contains(KEY),
        "the key never reaches the state file"
    );
    // New notifications reach the webhooks as after an upload: those matching the
    // subscription (USA, HS 9503), not the bare record, which names no product.
    for d in deliveries {
        d.await.expect("delivery task");
    }
    assert_eq!(delivered(&hook_seen), set(&[a, b, c, e, f, g]));
    // And the Atom feed lists them.
    let app = AppState::with_shared_index(config(""), Arc::clone(&index));
    let res = http_get(&app, "/api/v1/feeds/notifications.atom?market=USA&hs=9503").await;
    assert_eq!(res.status(), 200);
    let feed = String::from_utf8(crate::bytes(res).await).expect("utf-8");
    for s in [a, c, g] {
        assert!(feed.contains(s), "{s} in the feed");
    }

    // Run 2: from the saved position minus the overlap; A changed, B unchanged.
    {
        let mut m = mock.lock().expect("mock");
        m.requests.clear();
        m.pages.clear();
        m.pages.insert(
            1,
            vec![Answer::Json(json!({"items": [
                record(a, "2026-12-15", "Toy magnets"),
                record(b, "2026-11-02", "Toy batteries"),
            ], "totalCount": 2}))],
        );
    }
    let before_hooks = hook_seen.lock().expect("seen").len();
    let (r, deliveries) = eping::run(Arc::clone(&index), &opts, None, hooks.clone())
        .await
        .expect("run 2");
    assert_eq!((r.new, r.changed, r.unchanged), (0, 1, 1), "{r:?}");
    assert_eq!(r.imported, [a]);
    assert_eq!(
        deadline(&index, a).as_deref(),
        Some("2026-12-15"),
        "the changed record wins"
    );
    assert_eq!(held(&index), set(&[a, b, c, d, e, f, g]), "nothing doubled");
    for d in deliveries {
        d.await.expect("delivery task");
    }
    assert_eq!(
        hook_seen.lock().expect("seen").len(),
        before_hooks,
        "a changed record is not a new notification"
    );
    {
        let m = mock.lock().expect("mock");
        let q = &m.requests[0].query;
        assert_eq!(
            q.get("distributionDateFrom").map(String::as_str),
            Some("2026-08-02")
        );
    }

    // Run 3: malformed JSON on page 2 every time: page 1 is committed, the run says where it
    // stopped, and the position is kept for a resume.
    let h = "G/TBT/N/USA/9108";
    let i = "G/TBT/N/USA/9109";
    {
        let mut m = mock.lock().expect("mock");
        m.pages.clear();
        m.pages.insert(
            1,
            vec![Answer::Json(json!({"items": [
                record(h, "2026-12-20", "Toy drones"),
                record(b, "2026-11-02", "Toy batteries"),
                record(c, "2026-11-03", "Toy cords"),
            ], "totalCount": 4}))],
        );
        m.pages
            .insert(2, vec![Answer::Raw("{\"items\": [{\"documentSymbol\": ")]);
    }
    let (r, _) = eping::run(Arc::clone(&index), &opts, None, Vec::new())
        .await
        .expect("run 3");
    let why = r.stopped.clone().expect("stopped");
    assert!(
        why.contains("page 2") && why.contains("malformed JSON"),
        "{why}"
    );
    assert_eq!(
        held(&index),
        set(&[a, b, c, d, e, f, g, h]),
        "page 1 committed"
    );
    let state = SyncState::load(dir.path()).expect("state");
    let resume = state.resume.expect("resume saved");
    assert_eq!(resume.page, 2);

    // Run 4: the server is fixed; the run resumes at page 2 and finishes.
    {
        let mut m = mock.lock().expect("mock");
        m.requests.clear();
        m.pages.insert(
            2,
            vec![Answer::Json(json!({"items": [
                record(i, "2026-12-21", "Toy rockets"),
                record(&format!("{a}/Add.1"), "2027-01-15", "Toy magnets: comment period extended"),
            ], "totalCount": 5}))],
        );
    }
    let (r, _) = eping::run(Arc::clone(&index), &opts, None, Vec::new())
        .await
        .expect("run 4");
    assert_eq!(r.stopped, None, "{r:?}");
    let add = format!("{a}/Add.1");
    assert_eq!(held(&index), set(&[a, b, c, d, e, f, g, h, i, &add]));
    // An addendum joins its family, as from a file.
    assert_eq!(index.family_members(a).expect("family").len(), 2);
    {
        let m = mock.lock().expect("mock");
        assert_eq!(
            m.requests[0].query.get("page").map(String::as_str),
            Some("2"),
            "resumed"
        );
    }
    assert!(SyncState::load(dir.path()).expect("state").resume.is_none());

    // Run 5: no time at all: nothing is asked, nothing changes, and the run says why.
    let none = Options {
        max_run: Duration::ZERO,
        ..options(&base)
    };
    mock.lock().expect("mock").requests.clear();
    let (r, _) = eping::run(Arc::clone(&index), &none, None, Vec::new())
        .await
        .expect("run 5");
    assert!(
        r.stopped
            .as_deref()
            .is_some_and(|s| s.contains("maximum run time")),
        "{r:?}"
    );
    assert!(mock.lock().expect("mock").requests.is_empty());
    assert_eq!(held(&index), set(&[a, b, c, d, e, f, g, h, i, &add]));

    // Run 6: English and French. French repeats a notification English has (its text stays
    // English) and adds one English lacks.
    let z = "G/SPS/N/FRA/9110";
    {
        let mut m = mock.lock().expect("mock");
        m.requests.clear();
        m.pages.clear();
        m.pages.insert(
            1,
            vec![Answer::Json(
                json!({"items": [record(b, "2026-11-02", "Toy batteries")], "totalCount": 1}),
            )],
        );
        m.other_languages.insert(
            1,
            vec![Answer::Json(json!({"items": [
                record(b, "2026-11-02", "Piles pour jouets"),
                record(z, "2026-12-30", "Jouets en bois"),
            ], "totalCount": 2}))],
        );
    }
    let both = Options {
        languages: vec![1, 2],
        ..options(&base)
    };
    let (r, _) = eping::run(Arc::clone(&index), &both, None, Vec::new())
        .await
        .expect("run 6");
    assert_eq!(r.stopped, None, "{r:?}");
    assert_eq!((r.new, r.unchanged), (1, 2), "{r:?}");
    assert_eq!(r.imported, [z]);
    let title = |s: &str| {
        index
            .get_notification(s)
            .expect("get")
            .and_then(|n| n.title_en)
    };
    assert_eq!(title(b).as_deref(), Some("Toy batteries"));
    assert_eq!(title(z).as_deref(), Some("Jouets en bois"));
    assert_eq!(held(&index), set(&[a, b, c, d, e, f, g, h, i, &add, z]));
    {
        let m = mock.lock().expect("mock");
        let langs: Vec<&str> = m
            .requests
            .iter()
            .filter_map(|s| s.query.get("language").map(String::as_str))
            .collect();
        assert_eq!(langs, ["1", "2"]);
    }
    server.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_sync_shows_in_metrics_and_readyz() {
    let mock = Arc::new(Mutex::new(Mock::default()));
    mock.lock().expect("mock").pages.insert(
        1,
        vec![Answer::Json(
            json!({"items": [record("G/TBT/N/USA/9201", "2026-11-01", "Toy guns")], "totalCount": 1}),
        )],
    );
    let (base, server) = start(Arc::clone(&mock)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let index = build_index(dir.path(), &[]);
    let cfg = config(&format!(
        "[sync.eping]\ninterval = \"6h\"\nbase_url = \"{base}\"\nsince = \"2026-01-01\"\n"
    ));
    let eping_cfg = cfg.sync_eping.clone().expect("sync configured");
    let interval = eping_cfg.interval.expect("interval");
    assert_eq!(interval, Duration::from_secs(6 * 3600));
    let state = AppState::with_index(cfg, index);
    let task =
        biaozhun_api::sync::spawn_eping(state.clone(), eping_cfg, interval, Key::new(KEY.into()));
    let mut metrics = String::new();
    for _ in 0..600 {
        let res = http_get(&state, "/metrics").await;
        metrics = String::from_utf8(crate::bytes(res).await).expect("utf-8");
        if metrics.contains("biaozhun_sync_eping_runs_total 1") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    task.abort();
    server.abort();
    for want in [
        "biaozhun_sync_eping_runs_total 1",
        "biaozhun_sync_eping_errors_total 0",
        "biaozhun_sync_eping_records_fetched_total 1",
        "biaozhun_sync_eping_records_imported_total 1",
        "biaozhun_sync_eping_last_success_timestamp_seconds ",
        "biaozhun_sync_eping_interval_seconds 21600",
    ] {
        assert!(metrics.contains(want), "{want} in\n{metrics}");
    }
    assert!(!metrics.contains(KEY));
    let ready = body_json(http_get(&state, "/readyz").await).await;
    let sync = &ready["details"]["sync_eping"];
    assert_eq!(sync["runs"], 1, "{ready}");
    assert_eq!(sync["records_fetched"], 1);
    assert!(sync["last_success"].is_string());
    assert!(!ready.to_string().contains(KEY));
    assert!(state
        .index()
        .expect("index")
        .get_notification("G/TBT/N/USA/9201")
        .expect("get")
        .is_some());
}

/// A scheduled run that fails counts as an error, with its reason in `/readyz`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_schedule_counts_errors() {
    let mock = Arc::new(Mutex::new(Mock::default()));
    mock.lock()
        .expect("mock")
        .pages
        .insert(1, vec![Answer::Status(401, None)]);
    let (base, server) = start(Arc::clone(&mock)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let index = build_index(dir.path(), &[]);
    let cfg = config(&format!(
        "[sync.eping]\ninterval = \"1h\"\nbase_url = \"{base}\"\nsince = \"2026-01-01\"\n"
    ));
    let eping_cfg = cfg.sync_eping.clone().expect("sync configured");
    let state = AppState::with_index(cfg, index);
    let task = biaozhun_api::sync::spawn_eping(
        state.clone(),
        eping_cfg,
        Duration::from_secs(3600),
        Key::new(KEY.into()),
    );
    let mut ready = Value::Null;
    for _ in 0..300 {
        ready = body_json(http_get(&state, "/readyz").await).await;
        if ready["details"]["sync_eping"]["runs"] == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    task.abort();
    server.abort();
    let sync = &ready["details"]["sync_eping"];
    assert_eq!(sync["errors"], 1, "{ready}");
    assert!(sync["last_success"].is_null());
    assert!(
        sync["last_error"]
            .as_str()
            .is_some_and(|e| e.contains("HTTP 401")),
        "{ready}"
    );
    assert_eq!(
        mock.lock().expect("mock").requests.len(),
        1,
        "a 401 is not retried"
    );
}

/// `biaozhun sync eping` as an operator runs it: debug logging on, a 429 on the way; the key is
/// sent, and appears nowhere in what the command prints. Without the key it refuses (exit 2).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cli_syncs_and_never_prints_the_key() {
    let mock = Arc::new(Mutex::new(Mock::default()));
    mock.lock().expect("mock").pages.insert(
        1,
        vec![
            Answer::Status(429, Some("0")),
            Answer::Json(json!({"items": [
                record("G/SPS/N/USA/9301", "2026-11-01", "Honey residues"),
            ], "totalCount": 1})),
        ],
    );
    let (base, server) = start(Arc::clone(&mock)).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let index_dir = dir.path().join("index");
    let config_dir = repo().join("index-config");
    let (idx, base2) = (index_dir.clone(), base.clone());
    let run = move |key: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_biaozhun"));
        cmd.args(["sync", "eping", "--index"])
            .arg(&idx)
            .arg("--config")
            .arg(&config_dir)
            .args([
                "--base-url",
                &base2,
                "--since",
                "2026-01-01",
                "--backoff",
                "0s",
            ])
            .env("RUST_LOG", "debug")
            .env_remove("BIAOZHUN_EPING_KEY");
        if let Some(k) = key {
            cmd.env("BIAOZHUN_EPING_KEY", k);
        }
        cmd
    };
    let out = tokio::task::spawn_blocking(move || {
        let without = run(None).output().expect("run without key");
        let with = run(Some(KEY)).output().expect("run with key");
        (without, with)
    })
    .await
    .expect("cli");
    server.abort();
    let (without, with) = out;
    assert_eq!(without.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&without.stderr).contains("BIAOZHUN_EPING_KEY"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&with.stdout),
        String::from_utf8_lossy(&with.stderr)
    );
    assert_eq!(with.status.code(), Some(0), "{text}");
    assert!(text.contains("1 new"), "{text}");
    assert!(
        text.contains("ePing page failed"),
        "the 429 was logged: {text}"
    );
    assert!(!text.contains(KEY), "the key never shows: {text}");
    let m = mock.lock().expect("mock");
    assert_eq!(m.requests.len(), 2);
    assert!(m.requests.iter().all(|s| s.key.as_deref() == Some(KEY)));
    let index = biaozhun_index::Index::open(&index_dir).expect("index");
    assert!(index
        .get_notification("G/SPS/N/USA/9301")
        .expect("get")
        .is_some());
}
