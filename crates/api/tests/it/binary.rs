//! The real `biaozhun serve` on a free port: ingest `../shared/data` through
//! `POST /api/v1/documents` (multipart) and find GB/T 7714-2015 by `gbt7714`, then stop it with
//! SIGTERM and expect a clean exit.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http::multipart;
use crate::{repo, KEY};

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("../shared/data is missing and CI=true");
    }
    eprintln!("note: ../shared/data is absent, skipping the binary upload test");
    None
}

/// One HTTP/1.1 exchange over a fresh connection: (status, body).
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(600)))
        .expect("timeout");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    stream.write_all(req.as_bytes()).expect("write");
    stream.write_all(body).expect("write body");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let text = String::from_utf8_lossy(&raw).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A child process killed when dropped.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn binary_serves_uploads_and_search() {
    let Some(data) = shared_data() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp");
    let mut child = Command::new(env!("CARGO_BIN_EXE_biaozhun"))
        .current_dir(repo())
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--bootstrap",
            "none",
            "--index",
        ])
        .arg(dir.path().join("index"))
        .env_remove("BIAOZHUN_CONFIG")
        .env("BIAOZHUN_ADMIN_KEYS", KEY)
        .env("BIAOZHUN_RATE_LIMIT_PER_MINUTE", "0")
        // OCR of the garbled 23-page PDF takes seconds per page: one page keeps the OCR path
        // in the test without making it minutes long.
        .env("BIAOZHUN_OCR_MAX_PAGES", "1")
        .env("RUST_LOG", "warn,pdf_extract=off,lopdf=off")
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
    // "biaozhun serving on http://127.0.0.1:PORT/ (...)"
    let addr = line
        .split("http://")
        .nth(1)
        .and_then(|r| r.split('/').next())
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();

    let start = Instant::now();
    loop {
        let (status, _) = http(&addr, "GET", "/readyz", &[], b"");
        if status == 200 {
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "not ready: {status}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    // Everything in the shared data's document folders: catalogs, notifications, regulations and
    // all PDFs (the garbled and the scanned ones included).
    for sub in ["catalogs", "notifications", "pdfs", "regulations"] {
        let mut entries: Vec<_> = std::fs::read_dir(data.join(sub))
            .expect("shared data folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for p in entries {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .expect("name")
                .to_string();
            files.push((name, std::fs::read(&p).expect("read")));
        }
    }
    let parts: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let (ct, body) = multipart(&parts);
    let t = Instant::now();
    let (status, report) = http(
        &addr,
        "POST",
        "/api/v1/documents",
        &[
            ("Content-Type", ct),
            ("Authorization", format!("Bearer {KEY}")),
        ],
        &body,
    );
    assert_eq!(status, 200, "{report}");
    let report: serde_json::Value = serde_json::from_str(&report).expect("report json");
    eprintln!(
        "uploaded {} files ({} bytes) in {:?}: {}",
        files.len(),
        body.len(),
        t.elapsed(),
        report["summary"]
    );
    assert_eq!(report["files"].as_array().map(Vec::len), Some(files.len()));
    let failed: Vec<&serde_json::Value> = report["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["status"] == "error")
        .collect();
    assert!(failed.is_empty(), "files failed: {failed:?}");

    let (status, body) = http(&addr, "GET", "/api/v1/search?q=gbt7714", &[], b"");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("search json");
    assert_eq!(v["hits"][0]["id"], "GB/T 7714-2015", "{v}");

    // Graceful shutdown on SIGTERM.
    let mut server = server;
    let pid = server.0.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill");
    assert!(killed.success());
    let start = Instant::now();
    loop {
        if let Some(status) = server.0.try_wait().expect("wait") {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no exit after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
