//! Read replicas as real processes on loopback: one writer and two `serve --read-only`
//! replicas over the same index directory. An upload to the writer is found on both replicas
//! within 5 s; a replica refuses writes; killing one replica does not disturb the other, which
//! also follows a re-index of the writer to the new generation.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::binary::{http, Server};
use crate::http::multipart;
use crate::ops::catalog_line;
use crate::KEY;

/// Starts `biaozhun serve` with `args` from `cwd` (outside the repository: the built-in
/// index configuration is used) and waits for `/readyz`.
fn serve(cwd: &Path, index: &Path, extra: &[&str]) -> (Server, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_biaozhun"))
        .current_dir(cwd)
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--bootstrap",
            "none",
            "--index",
        ])
        .arg(index)
        .args(extra)
        .env_remove("BIAOZHUN_CONFIG")
        .env_remove("BIAOZHUN_INDEX_CONFIG")
        .env("BIAOZHUN_ADMIN_KEYS", KEY)
        .env("BIAOZHUN_RATE_LIMIT_PER_MINUTE", "0")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start biaozhun serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .expect("first line");
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    let start = Instant::now();
    while http(&addr, "GET", "/readyz", &[], b"").0 != 200 {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{addr} not ready"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    (server, addr)
}

fn upload(addr: &str, name: &str, body: &[u8]) -> (u16, String) {
    let (ct, body) = multipart(&[(name, body)]);
    http(
        addr,
        "POST",
        "/api/v1/documents",
        &[
            ("Content-Type", ct),
            ("Authorization", format!("Bearer {KEY}")),
        ],
        &body,
    )
}

/// How long until `path` answers 200 on `addr` (panics after 5 s).
fn found_within_5s(addr: &str, path: &str) -> Duration {
    let start = Instant::now();
    loop {
        if http(addr, "GET", path, &[], b"").0 == 200 {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "{path} not on {addr} within 5 s"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn replicas_follow_the_writer() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = dir.path().join("index");
    let (_writer, w) = serve(dir.path(), &index, &[]);
    let (r1_server, r1) = serve(dir.path(), &index, &["--read-only"]);
    let (_r2_server, r2) = serve(dir.path(), &index, &["--read-only"]);

    let (status, body) = upload(&w, "one.jsonl", &catalog_line(77001, "副本同步测试甲"));
    assert_eq!(status, 200, "{body}");
    let path = "/api/v1/standards/GB/T%2077001-2024";
    let t1 = found_within_5s(&r1, path);
    let t2 = found_within_5s(&r2, path);
    eprintln!("replicas saw the upload after {t1:?} and {t2:?}");

    // A replica refuses writes, with the code that says where to send them.
    let (status, body) = upload(&r1, "x.jsonl", &catalog_line(77009, "不该写入"));
    assert_eq!(status, 403, "{body}");
    assert!(body.contains("read_only"), "{body}");

    // One replica gone: the other keeps serving and following.
    drop(r1_server);
    let (status, _) = upload(&w, "two.jsonl", &catalog_line(77002, "副本同步测试乙"));
    assert_eq!(status, 200);
    found_within_5s(&r2, "/api/v1/standards/GB/T%2077002-2024");
    assert_eq!(http(&r2, "GET", "/readyz", &[], b"").0, 200);

    // A re-index on the writer: the remaining replica follows the alias to generation 1.
    let (status, body) = http(
        &w,
        "POST",
        "/api/v1/admin/reindex",
        &[("Authorization", format!("Bearer {KEY}"))],
        b"",
    );
    assert_eq!(status, 200, "{body}");
    let start = Instant::now();
    loop {
        let (_, metrics) = http(&r2, "GET", "/metrics", &[], b"");
        if metrics.contains("biaozhun_index_generation 1") {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "replica still on generation 0"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let (status, _) = upload(&w, "three.jsonl", &catalog_line(77003, "重建后的同步"));
    assert_eq!(status, 200);
    found_within_5s(&r2, "/api/v1/standards/GB/T%2077003-2024");
    found_within_5s(&r2, path);
}
