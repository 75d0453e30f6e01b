//! The check route on the real `biaozhun serve`: documents stay confidential (no trace in the
//! log at debug level, in the index, or in the temporary directory), hostile documents get
//! clear 4xx answers, and the server's peak memory stays under the README's bound while
//! several of them run at once. Also `biaozhun check` and its exit codes.

use std::io::{BufRead, BufReader, Cursor, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use lopdf::content::{Content, Operation};
use lopdf::{dictionary, Document, Object, Stream};

use crate::binary::{http, Server};
use crate::{build_index, repo, KEY};

/// What the hostile rounds may add to the server's peak resident memory (README, 查新 limits).
/// Measured as growth over the peak before them, because the server's own baseline (index,
/// analyzer, the CC-CEDICT and HS expansion tables loaded by the first search) is not what the
/// limits bound: that baseline rose from about 60 MB to about 280 MB when the tables arrived.
const RSS_GROWTH_BOUND_KB: u64 = 512 * 1024;

/// A marker that appears only in the documents sent, never in fixtures.
const SECRET: &str = "XJ7749-SECRET-FORMULA";

/// A PDF (Helvetica, ASCII text) with one page per entry of `pages`, one line per string.
pub fn pdf(pages: &[Vec<String>]) -> Vec<u8> {
    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
    });
    let resources_id = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => font_id },
    });
    let mut kids: Vec<Object> = Vec::new();
    for lines in pages {
        let mut ops = vec![
            Operation::new("BT", vec![]),
            Operation::new("Tf", vec!["F1".into(), 10.into()]),
            Operation::new("TL", vec![13.into()]),
            Operation::new("Td", vec![40.into(), 800.into()]),
        ];
        for l in lines {
            ops.push(Operation::new(
                "Tj",
                vec![Object::string_literal(l.as_str())],
            ));
            ops.push(Operation::new("T*", vec![]));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops }.encode().expect("content");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    let count = kids.len() as i64;
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Kids" => kids, "Count" => count,
            "Resources" => resources_id,
            "MediaBox" => vec![0.into(), 0.into(), 595.into(), 842.into()],
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("save pdf");
    out
}

/// A PDF written byte by byte: numbered objects, a cross-reference table, a trailer.
fn raw_pdf(objects: &[Vec<u8>]) -> Vec<u8> {
    let mut out = b"%PDF-1.5\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(o);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Hostile PDFs: a page tree whose `Kids` holds itself; one page object listed 100,000 times
/// in `Kids` (600 KB); and 100,000 distinct page objects (about 8 MB).
pub fn hostile_pdfs() -> [Vec<u8>; 3] {
    let content = b"BT /F1 12 Tf 50 800 Td (GB/T 7714-2005) Tj ET";
    let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
    stream.extend_from_slice(content);
    stream.extend_from_slice(b"\nendstream");
    let font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_vec();
    let page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>".to_vec();
    let catalog = b"<< /Type /Catalog /Pages 2 0 R >>".to_vec();
    let res = "/Resources << /Font << /F1 5 0 R >> >>";
    let looping = raw_pdf(&[
        catalog.clone(),
        format!("<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 {res} >>").into_bytes(),
        page.clone(),
        stream.clone(),
        font.clone(),
    ]);
    let n = 100_000;
    let kids = vec!["3 0 R"; n].join(" ");
    let repeated = raw_pdf(&[
        catalog.clone(),
        format!("<< /Type /Pages /Kids [{kids}] /Count {n} {res} >>").into_bytes(),
        page.clone(),
        stream.clone(),
        font.clone(),
    ]);
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", i + 6)).collect();
    let mut objects = vec![
        catalog,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {n} {res} >>",
            kids.join(" ")
        )
        .into_bytes(),
        page.clone(),
        stream,
        font,
    ];
    objects.extend(std::iter::repeat_n(page, n));
    let many = raw_pdf(&objects);
    [looping, repeated, many]
}

/// A DOCX whose `word/document.xml` inflates to about 90 MB (some 100 KB on disk).
pub fn docx_bomb() -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("word/document.xml", opts).expect("zip");
    w.write_all(b"<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>")
        .expect("zip");
    let para = "<w:p><w:r><w:t>GB 2763 GB 2763 GB 2763</w:t></w:r></w:p>".repeat(1000);
    for _ in 0..1_600 {
        w.write_all(para.as_bytes()).expect("zip");
    }
    w.write_all(b"</w:body></w:document>").expect("zip");
    w.finish().expect("zip").into_inner()
}

/// An XLSX catalog of 2 million identical rows (a few hundred KB; some 190 MB inflated).
fn xlsx_bomb() -> Vec<u8> {
    let ns = "http://schemas.openxmlformats.org";
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let parts = [
        ("[Content_Types].xml", format!("<Types xmlns=\"{ns}/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>")),
        ("_rels/.rels", format!("<Relationships xmlns=\"{ns}/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")),
        ("xl/workbook.xml", format!("<workbook xmlns=\"{ns}/spreadsheetml/2006/main\" xmlns:r=\"{ns}/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
        ("xl/_rels/workbook.xml.rels", format!("<Relationships xmlns=\"{ns}/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>")),
    ];
    for (name, body) in parts {
        w.start_file(name, opts).expect("zip");
        w.write_all(body.as_bytes()).expect("zip");
    }
    w.start_file("xl/worksheets/sheet1.xml", opts).expect("zip");
    write!(w, "<worksheet xmlns=\"{ns}/spreadsheetml/2006/main\"><sheetData><row><c t=\"inlineStr\"><is><t>标准号</t></is></c></row>").expect("zip");
    let rows = "<row><c t=\"inlineStr\"><is><t>GB 1-2000</t></is></c><c t=\"inlineStr\"><is><t>试验</t></is></c></row>".repeat(10_000);
    for _ in 0..200 {
        w.write_all(rows.as_bytes()).expect("zip");
    }
    w.write_all(b"</sheetData></worksheet>").expect("zip");
    w.finish().expect("zip").into_inner()
}

fn form(name: &str, content: &[u8]) -> (String, Vec<u8>) {
    crate::http::multipart(&[(name, content)])
}

/// One hostile request: path, what it is, headers, body, the statuses allowed.
type Case<'a> = (&'a str, String, Vec<(&'a str, String)>, Vec<u8>, &'a [u16]);

/// Peak resident memory of a process, from /proc (Linux).
fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
}

#[test]
fn check_server_is_confidential_and_bounded() {
    let work = tempfile::tempdir().expect("temp");
    let index_dir = work.path().join("index");
    drop(build_index(
        &index_dir,
        &[repo().join("fixtures/catalog/standards.jsonl")],
    ));
    let tmp = work.path().join("tmp");
    std::fs::create_dir(&tmp).expect("tmp dir");
    let log_path = work.path().join("server.log");
    let log = std::fs::File::create(&log_path).expect("log");
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
        .arg(&index_dir)
        .env_remove("BIAOZHUN_CONFIG")
        .env("BIAOZHUN_ADMIN_KEYS", KEY)
        .env("BIAOZHUN_RATE_LIMIT_PER_MINUTE", "0")
        .env("TMPDIR", &tmp)
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::from(log))
        .spawn()
        .expect("start biaozhun serve");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    let pid = server.0.id();
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
        assert!(start.elapsed() < Duration::from_secs(60), "not ready");
        std::thread::sleep(Duration::from_millis(100));
    }

    // Confidential documents: a PDF (through pdftotext and its temporary directory), a DOCX
    // and JSON text, each carrying the marker, under a file name that carries it too.
    let text_lines = vec![
        format!("Internal specification {SECRET}"),
        "Labels follow GB/T 7714-2005 and GB 2763.".to_string(),
    ];
    let secret_pdf = pdf(std::slice::from_ref(&text_lines));
    let secret_docx = crate::check::docx_of(&text_lines.join("\n"));
    for (name, content) in [
        (format!("{SECRET}.pdf"), secret_pdf),
        (format!("{SECRET}.docx"), secret_docx),
    ] {
        let (ct, body) = form(&name, &content);
        let (status, answer) = http(
            &addr,
            "POST",
            "/api/v1/check?as_of=2024-06-01",
            &[("Content-Type", ct)],
            &body,
        );
        assert_eq!(status, 200, "{name}: {answer}");
        let v: serde_json::Value = serde_json::from_str(&answer).expect("json");
        let ids: Vec<&str> = v["references"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r["id"].as_str())
            .collect();
        assert_eq!(ids, ["GB/T 7714-2005", "GB 2763"], "{name}: {v}");
        assert_eq!(v["references"][0]["current_edition"], "GB/T 7714-2015");
    }
    let json_body = serde_json::json!({ "text": text_lines.join("\n") }).to_string();
    let (status, _) = http(
        &addr,
        "POST",
        "/api/v1/check",
        &[("Content-Type", "application/json".to_string())],
        json_body.as_bytes(),
    );
    assert_eq!(status, 200);

    // Hostile documents, all at once, twice: clear 4xx answers (or a harmless 200 for the
    // looping page tree), and the server's peak memory stays under the bound.
    let before = peak_rss_kb(pid).expect("VmHWM of the server");
    let [looping, repeated, many_pages] = hostile_pdfs();
    let docx_bomb = docx_bomb();
    let xlsx_bomb = xlsx_bomb();
    let big_text = "GB 2763 ".repeat(1_300_000).into_bytes();
    let cases: Vec<Case> = {
        let (ct_loop, body_loop) = form("loop.pdf", &looping);
        let (ct_many, body_many) = form("pages.pdf", &many_pages);
        let (ct_rep, body_rep) = form("repeated.pdf", &repeated);
        let (ct_docx, body_docx) = form("bomb.docx", &docx_bomb);
        let (ct_xlsx, body_xlsx) = form("bomb.xlsx", &xlsx_bomb);
        vec![
            (
                "/api/v1/check",
                "loop".into(),
                vec![("Content-Type", ct_loop)],
                body_loop,
                &[200, 400],
            ),
            (
                "/api/v1/check",
                "100k pages".into(),
                vec![("Content-Type", ct_many)],
                body_many,
                &[413],
            ),
            // Readers see the one page object once: a small document.
            (
                "/api/v1/check",
                "100k kids".into(),
                vec![("Content-Type", ct_rep)],
                body_rep,
                &[200],
            ),
            (
                "/api/v1/check",
                "docx bomb".into(),
                vec![("Content-Type", ct_docx)],
                body_docx,
                &[413],
            ),
            (
                "/api/v1/check",
                "10 MB text".into(),
                vec![("Content-Type", "text/plain".into())],
                big_text,
                &[413],
            ),
            (
                "/api/v1/documents",
                "xlsx bomb".into(),
                vec![
                    ("Content-Type", ct_xlsx),
                    ("Authorization", format!("Bearer {KEY}")),
                ],
                body_xlsx,
                &[200],
            ),
        ]
    };
    for round in 0..2 {
        std::thread::scope(|scope| {
            let handles: Vec<_> = cases
                .iter()
                .map(|(path, what, headers, body, want)| {
                    let addr = addr.clone();
                    scope.spawn(move || {
                        let (status, answer) = http(&addr, "POST", path, headers, body);
                        assert!(
                            want.contains(&status),
                            "round {round}, {what}: {status} {answer}"
                        );
                        if *what == "xlsx bomb" {
                            assert!(answer.contains("expands to more than"), "{answer}");
                        }
                    })
                })
                .collect();
            for h in handles {
                h.join().expect("request thread");
            }
        });
    }
    let peak = peak_rss_kb(pid).expect("VmHWM of the server");
    eprintln!(
        "server peak RSS before the hostile rounds: {} MB, after: {} MB",
        before / 1024,
        peak / 1024
    );
    assert!(
        peak.saturating_sub(before) < RSS_GROWTH_BOUND_KB,
        "peak RSS grew from {before} KB to {peak} KB: more than {RSS_GROWTH_BOUND_KB} KB"
    );

    // Nothing left in the temporary directory.
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .expect("tmp")
        .flatten()
        .map(|e| e.path())
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    drop(server);

    // Nothing in the log: not the marker, not the names, not the cited numbers; but the log
    // was on (the check logged its counts).
    let log = std::fs::read_to_string(&log_path).expect("log");
    assert!(log.contains("document checked"), "logging was on: {log}");
    for needle in [SECRET, "GB/T 7714-2005", "Internal specification"] {
        assert!(!log.contains(needle), "{needle:?} in the log");
    }
    // Nothing in the index.
    let index = biaozhun_index::Index::open(&index_dir).expect("reopen");
    let hits = index
        .search(&biaozhun_index::search::SearchRequest {
            q: SECRET.to_string(),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(hits.total, 0, "the document was indexed");
    assert_eq!(
        index.stats().expect("stats").kinds.get("standard"),
        Some(&73)
    );
}

fn run_cli(args: &[&str], cwd: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_biaozhun"))
        .current_dir(cwd)
        .args(args)
        .output()
        .expect("run biaozhun check");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_check_exit_codes_json_and_csv() {
    let work = tempfile::tempdir().expect("temp");
    let index_dir = work.path().join("index");
    drop(build_index(
        &index_dir,
        &[repo().join("fixtures/catalog/standards.jsonl")],
    ));
    let index = index_dir.to_str().expect("utf-8 path");
    let fresh = work.path().join("fresh.txt");
    std::fs::write(&fresh, "按GB/T 7714—2015执行。").expect("write");
    let stale = work.path().join("stale.pdf");
    std::fs::write(
        &stale,
        pdf(&[vec![
            "References: GB/T 7714-2005 and DB62/T 645-2008.".to_string()
        ]]),
    )
    .expect("write");
    let broken = work.path().join("broken.pdf");
    std::fs::write(&broken, b"%PDF-1.4 truncated").expect("write");
    let root = repo();
    let f = |p: &Path| p.to_str().expect("utf-8").to_string();

    let (code, out, _) = run_cli(
        &[
            "check",
            &f(&fresh),
            "--index",
            index,
            "--as-of",
            "2024-06-01",
        ],
        &root,
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("GB/T 7714-2015"), "{out}");

    let (code, out, _) = run_cli(
        &[
            "check",
            &f(&stale),
            "--index",
            index,
            "--as-of",
            "2024-06-01",
            "--json",
        ],
        &root,
    );
    assert_eq!(code, 1, "{out}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["summary"]["out_of_date"], 2, "{v}");
    assert_eq!(v["document"]["input"], "pdf");

    let (code, out, _) = run_cli(
        &[
            "check",
            &f(&fresh),
            &f(&stale),
            "--index",
            index,
            "--as-of",
            "2024-06-01",
            "--csv",
        ],
        &root,
    );
    assert_eq!(code, 1);
    let mut rows = csv::Reader::from_reader(out.as_bytes());
    assert_eq!(rows.headers().expect("headers").get(0), Some("文件"));
    assert_eq!(rows.records().count(), 3);

    let (code, _, err) = run_cli(&["check", &f(&fresh), &f(&broken), "--index", index], &root);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("broken.pdf"), "{err}");
    let (code, _, err) = run_cli(
        &[
            "check",
            &f(&fresh),
            "--index",
            index,
            "--as-of",
            "yesterday",
        ],
        &root,
    );
    assert_eq!(code, 2, "{err}");
}

#[test]
fn cli_watch_lists_and_detects_after_ingest() {
    let work = tempfile::tempdir().expect("temp");
    let index_dir = work.path().join("index");
    drop(build_index(
        &index_dir,
        &[repo().join("fixtures/catalog/standards.jsonl")],
    ));
    let index = index_dir.to_str().expect("utf-8 path");
    let root = repo();
    let (code, out, err) = run_cli(
        &[
            "watch",
            "--index",
            index,
            "set",
            "docs",
            "GB/T 7714",
            "NY/T 391-2021",
        ],
        &root,
    );
    assert_eq!(code, 0, "{out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["state"]["GB/T 7714"]["current_edition"], "GB/T 7714-2015");
    let (code, out, _) = run_cli(&["watch", "--index", index, "list"], &root);
    assert_eq!((code, out.trim()), (0, "docs"));
    let (code, out, _) = run_cli(&["watch", "--index", index, "check"], &root);
    assert_eq!(code, 0, "{out}");
    // A catalog with a new edition of GB/T 7714: `biaozhun ingest` reports the change.
    let v2 = work.path().join("v2.jsonl");
    std::fs::write(
        &v2,
        concat!(
            r#"{"code": "GB/T 7714-2015", "status": "被代替", "implement_date": "2015-12-01", "abolish_date": "2020-01-01", "replaced_by": ["GB/T 7714-2020"]}"#,
            "\n",
            r#"{"code": "GB/T 7714-2020", "title_zh": "信息与文献 参考文献著录规则", "status": "现行", "implement_date": "2020-01-01"}"#,
            "\n"
        ),
    )
    .expect("write");
    let (code, _, err) = run_cli(
        &["ingest", "--index", index, v2.to_str().expect("utf-8")],
        &root,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("watchlist docs: new_edition GB/T 7714"),
        "{err}"
    );
    let (_, out, _) = run_cli(&["watch", "--index", index, "show", "docs"], &root);
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["events"][0]["new_edition"], "GB/T 7714-2020", "{v}");
    let (code, _, _) = run_cli(&["watch", "--index", index, "delete", "docs"], &root);
    assert_eq!(code, 0);
    let (code, _, err) = run_cli(&["watch", "--index", index, "show", "docs"], &root);
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run_cli(&["watch", "--index", index, "set", "../x", "GB 1"], &root);
    assert_eq!(code, 2);
}
