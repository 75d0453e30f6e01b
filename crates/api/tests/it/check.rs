//! `POST /api/v1/check` (查新) on documents we write here: text, DOCX and PDF citing standards
//! of the fixture catalog (every status class, undated, renumbered and merged successors, a
//! successor known only by number, full-width spellings, foreign numbers, numbers the index
//! does not hold), the CSV/XLSX downloads read back with calamine, and bad input.

use std::io::{Cursor, Write};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request};
use biaozhun_api::state::Index;
use biaozhun_api::AppState;
use calamine::{Reader, Xlsx};

use crate::{assert_error, build_index, bytes, config, json, repo, send, shared_data};

/// Fixture catalog plus a merger written here: GB 2763.1-2018 was merged into GB 2763-2019.
fn check_index() -> Arc<Index> {
    static INDEX: OnceLock<(tempfile::TempDir, Arc<Index>)> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let dir = tempfile::tempdir().expect("temp dir");
            let merger = dir.path().join("merger.jsonl");
            std::fs::write(
                &merger,
                r#"{"code": "GB 2763.1-2018", "title_zh": "食品安全国家标准 食品中百草枯等43种农药最大残留限量", "status": "被代替", "implement_date": "2019-08-15", "abolish_date": "2020-02-15", "replaced_by": ["GB 2763-2019"]}
"#,
            )
            .expect("write");
            let index = build_index(
                &dir.path().join("index"),
                &[repo().join("fixtures/catalog/standards.jsonl"), merger],
            );
            (dir, Arc::new(index))
        })
        .1
        .clone()
}

fn check_state() -> AppState {
    AppState::with_shared_index(config(""), check_index())
}

/// A document citing one standard of every kind the check must tell apart.
pub const DOCUMENT: &str = "企业标准 Q/ABC 001—2024 检验规范\n\
前言\n本文件按照GB/T 1.1—2020《标准化工作导则 第1部分：标准化文件的结构和起草规则》的规定起草。\n\
1 范围\n本文件规定了产品的检验要求。\n\
2 规范性引用文件\n下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。\n\
GB 2763 食品安全国家标准 食品中农药最大残留限量\n\
GB 2763.1—2018 食品安全国家标准 食品中百草枯等43种农药最大残留限量\n\
ＧＢ／Ｔ　７７１４－２００５ 文后参考文献著录规则\n\
GB 7718—2025 食品安全国家标准 预包装食品标签通则\n\
DB62/T 645—2008 已废止的地方标准\n\
DB62/T 2062—2011 被改号代替的地方标准\n\
GB/T 22080—2016 信息安全管理体系 要求\n\
GB/T 99999—2020 不存在的标准\n\
ISO 8124-1:2018 Safety of toys\n\
3 要求\n3.1 标签应符合GB 7718—2025的规定，农残应符合GB 2763的规定。\n\
3.2 参考文献著录按GB/T 7714—2015、GB/T 7714—2005执行。\n";

/// The expected resolution of [`DOCUMENT`] on 2024-06-01: id, status, current edition (and
/// whether the index holds it), chain length, occurrences.
type Expected = (
    &'static str,
    &'static str,
    Option<(&'static str, bool)>,
    usize,
    usize,
);

const EXPECTED: [Expected; 12] = [
    ("GB/T 1.1-2020", "unknown", None, 0, 1),
    ("GB 2763", "current", Some(("GB 2763-2021", true)), 1, 2),
    // Merged into GB 2763-2019, itself replaced by GB 2763-2021.
    (
        "GB 2763.1-2018",
        "replaced",
        Some(("GB 2763-2021", true)),
        3,
        1,
    ),
    // Full-width spelling; replaced by the 2015 edition.
    (
        "GB/T 7714-2005",
        "replaced",
        Some(("GB/T 7714-2015", true)),
        2,
        2,
    ),
    // Not in force yet: the edition in force is the one it replaces.
    (
        "GB 7718-2025",
        "upcoming",
        Some(("GB 7718-2011", true)),
        2,
        2,
    ),
    ("DB62/T 645-2008", "abolished", None, 1, 1),
    // Renumbered.
    (
        "DB62/T 2062-2011",
        "replaced",
        Some(("DB62/T 4393-2021", true)),
        2,
        1,
    ),
    // Its successor, GB/T 22080-2025, is known only from the replaced-by link and cannot be in
    // force on 2024-06-01: still current by the one status rule (issue 16), whatever the
    // catalog's later label (被代替) says.
    (
        "GB/T 22080-2016",
        "current",
        Some(("GB/T 22080-2016", true)),
        1,
        1,
    ),
    ("GB/T 99999-2020", "unknown", None, 0, 1),
    ("ISO 8124-1:2018", "unknown", None, 0, 1),
    (
        "GB/T 7714-2015",
        "current",
        Some(("GB/T 7714-2015", true)),
        1,
        1,
    ),
    ("Q/ABC 001-2024", "unknown", None, 0, 0),
];

/// Asserts the answer to [`DOCUMENT`].
pub fn assert_document_answer(v: &serde_json::Value) {
    assert_eq!(v["as_of"], "2024-06-01", "{v}");
    let refs = v["references"].as_array().expect("references");
    let ids: Vec<&str> = refs.iter().filter_map(|r| r["id"].as_str()).collect();
    // The document's own number on its cover is not a citation.
    let want: Vec<&str> = EXPECTED.iter().filter(|e| e.4 > 0).map(|e| e.0).collect();
    assert_eq!(ids, want, "{v}");
    for (id, status, current, chain, occurrences) in EXPECTED.iter().filter(|e| e.4 > 0) {
        let r = refs
            .iter()
            .find(|r| r["id"] == *id)
            .unwrap_or_else(|| panic!("{id} missing"));
        assert_eq!(r["status"], *status, "{id}: {r}");
        assert_eq!(
            r["current_edition"].as_str(),
            current.map(|c| c.0),
            "{id}: {r}"
        );
        if let Some((_, held)) = current {
            assert_eq!(r["current_edition_in_index"], *held, "{id}: {r}");
        }
        assert_eq!(
            r["chain"].as_array().map(Vec::len),
            Some(*chain),
            "{id}: {r}"
        );
        assert_eq!(
            r["occurrences"].as_array().map(Vec::len),
            Some(*occurrences),
            "{id}: {r}"
        );
        assert_eq!(r["in_index"], *status != "unknown", "{id}: {r}");
    }
    let undated = &refs[1];
    assert_eq!(undated["dated"], false);
    assert_eq!(undated["edition"], "GB 2763-2021");
    let full_width = &refs[3];
    assert_eq!(full_width["cited"], "ＧＢ／Ｔ　７７１４－２００５");
    assert_eq!(full_width["normative"], true);
    assert_eq!(
        full_width["chain"],
        serde_json::json!(["GB/T 7714-2005", "GB/T 7714-2015"])
    );
    let occ = &full_width["occurrences"][0];
    assert_eq!(occ["section"], "2 规范性引用文件");
    assert_eq!(occ["reference_list"], true);
    let body = &full_width["occurrences"][1];
    assert_eq!(body["section"], "3.2");
    assert!(body["context"]
        .as_str()
        .is_some_and(|c| c.contains("GB/T 7714—2005")));
    let s = &v["summary"];
    assert_eq!(s["references"], 11);
    assert_eq!(s["current"], 3);
    assert_eq!(s["upcoming"], 1);
    assert_eq!(s["replaced"], 3);
    assert_eq!(s["abolished"], 1);
    assert_eq!(s["unknown"], 3);
    assert_eq!(s["out_of_date"], 4);
}

pub(crate) fn post(uri: &str, content_type: &str, body: Vec<u8>) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(uri)
        .header(header::CONTENT_TYPE, content_type)
        .body(Body::from(body))
        .expect("request")
}

/// A multipart body with the given parts: (field name, file name, content).
pub(crate) fn form(parts: &[(&str, Option<&str>, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "----biaozhun-check-boundary";
    let mut body = Vec::new();
    for (name, file, content) in parts {
        let disposition = match file {
            Some(f) => format!("form-data; name=\"{name}\"; filename=\"{f}\""),
            None => format!("form-data; name=\"{name}\""),
        };
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: {disposition}\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A DOCX with one paragraph per line of `text`.
pub fn docx_of(text: &str) -> Vec<u8> {
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    let body: String = text
        .lines()
        .map(|l| {
            format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                esc(l)
            )
        })
        .collect();
    zip_docx(&body)
}

fn zip_docx(body: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    w.start_file("[Content_Types].xml", opts).expect("zip");
    w.write_all(b"<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>")
        .expect("zip");
    w.start_file("word/document.xml", opts).expect("zip");
    write!(
        w,
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>{body}</w:body></w:document>"
    )
    .expect("zip");
    w.finish().expect("zip").into_inner()
}

/// [`DOCUMENT`] as a DOCX: one paragraph per line, the reference list as a table.
pub fn document_docx() -> Vec<u8> {
    let mut body = String::new();
    let mut in_list = false;
    let esc = |s: &str| s.replace('&', "&amp;").replace('<', "&lt;");
    for line in DOCUMENT.lines() {
        let code_line = in_list && !line.starts_with("下列") && !line.starts_with("3 ");
        if line.starts_with("2 ") {
            in_list = true;
        } else if line.starts_with("3 ") {
            in_list = false;
        }
        if code_line {
            // `GB 2763 食品…` as a two-cell table row: the number, then the title.
            let cut = line
                .find(|c: char| ('\u{4e00}'..='\u{9fff}').contains(&c))
                .or_else(|| line.find(" Safety"))
                .unwrap_or(line.len());
            let code = line[..cut].trim();
            body.push_str(&format!(
                "<w:tbl><w:tr><w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc></w:tr></w:tbl>",
                esc(code),
                esc(line[cut..].trim())
            ));
        } else {
            body.push_str(&format!(
                "<w:p><w:r><w:t xml:space=\"preserve\">{}</w:t></w:r></w:p>",
                esc(line)
            ));
        }
    }
    zip_docx(&body)
}

#[tokio::test]
async fn json_text_every_status_class() {
    let s = check_state();
    let body = serde_json::json!({"text": DOCUMENT, "as_of": "2024-06-01"});
    let res = send(
        &s,
        post(
            "/api/v1/check",
            "application/json",
            body.to_string().into_bytes(),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_document_answer(&v);
    assert_eq!(v["document"]["input"], "text");
    // as_of moves statuses: on 2025-01-01 the undated GB 7718 is the 2011 edition, on
    // 2028-01-01 the 2025 one.
    for (as_of, edition) in [
        ("2025-01-01", "GB 7718-2011"),
        ("2028-01-01", "GB 7718-2025"),
    ] {
        let res = send(
            &s,
            post(
                &format!("/api/v1/check?as_of={as_of}"),
                "text/plain; charset=utf-8",
                "标签应符合GB 7718的规定。".as_bytes().to_vec(),
            ),
        )
        .await;
        let v = json(res).await;
        assert_eq!(v["references"][0]["edition"], edition, "{v}");
        assert_eq!(v["references"][0]["status"], "current", "{v}");
    }
}

#[tokio::test]
async fn docx_and_text_field_uploads_give_the_same_answer() {
    let s = check_state();
    let docx = document_docx();
    let (ct, body) = form(&[
        ("file", Some("检验规范.docx"), &docx),
        ("as_of", None, b"2024-06-01"),
    ]);
    let res = send(&s, post("/api/v1/check", &ct, body)).await;
    assert_eq!(res.status(), 200);
    let v = json(res).await;
    assert_eq!(v["document"]["input"], "docx", "{v}");
    assert_document_answer(&v);

    let (ct, body) = form(&[("text", None, DOCUMENT.as_bytes())]);
    let res = send(&s, post("/api/v1/check?as_of=2024-06-01", &ct, body)).await;
    assert_document_answer(&json(res).await);
}

#[tokio::test]
async fn csv_and_xlsx_downloads_read_back() {
    let s = check_state();
    let body = serde_json::json!({"text": DOCUMENT, "as_of": "2024-06-01"}).to_string();
    let res = send(
        &s,
        post(
            "/api/v1/check?format=csv",
            "application/json",
            body.clone().into_bytes(),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()[header::CONTENT_TYPE]
        .to_str()
        .is_ok_and(|v| v.starts_with("text/csv")));
    assert!(res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .is_ok_and(|v| v.contains("check-2024-06-01.csv")));
    let csv_bytes = bytes(res).await;
    assert!(csv_bytes.starts_with(b"\xEF\xBB\xBF"), "BOM for Excel");
    let mut reader = csv::Reader::from_reader(&csv_bytes[3..]);
    let headers = reader.headers().expect("headers").clone();
    assert_eq!(headers.get(2), Some("标准号"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 11);
    let gbt7714 = &rows[3];
    assert_eq!(gbt7714.get(2), Some("GB/T 7714-2005"));
    assert_eq!(gbt7714.get(5), Some("被代替"));
    assert_eq!(gbt7714.get(7), Some("GB/T 7714-2015"));
    assert_eq!(gbt7714.get(10), Some("GB/T 7714-2005 → GB/T 7714-2015"));

    let res = send(
        &s,
        post(
            "/api/v1/check?format=xlsx",
            "application/json",
            body.into_bytes(),
        ),
    )
    .await;
    assert_eq!(res.status(), 200);
    let xlsx = bytes(res).await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(xlsx)).expect("xlsx opens");
    let range = book.worksheet_range("查新结果").expect("sheet");
    let cells: Vec<Vec<String>> = range
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(cells.len(), 12, "header and 11 rows");
    assert_eq!(cells[0][..3], ["序号", "引用原文", "标准号"]);
    // Same table as the CSV, cell for cell.
    for (row, csv_row) in cells[1..].iter().zip(&rows) {
        let csv_cells: Vec<&str> = csv_row.iter().collect();
        assert_eq!(row, &csv_cells, "xlsx and csv rows differ");
    }
    let summary = book.worksheet_range("汇总").expect("summary sheet");
    let replaced = summary
        .rows()
        .find(|r| matches!(&r[0], calamine::Data::String(s) if s == "被代替"))
        .map(|r| r[1].to_string());
    assert_eq!(replaced.as_deref(), Some("3"));
}

#[tokio::test]
async fn bad_input_is_a_clear_client_error() {
    let s = check_state();
    let cases: Vec<(Request<Body>, u16, &str)> = vec![
        (
            post(
                "/api/v1/check",
                "application/json",
                b"{\"text\": \"  \"}".to_vec(),
            ),
            400,
            "invalid_parameter",
        ),
        (
            post("/api/v1/check", "application/json", b"{not json".to_vec()),
            400,
            "invalid_parameter",
        ),
        (
            post(
                "/api/v1/check?as_of=2024-13-01",
                "text/plain",
                b"GB 2763".to_vec(),
            ),
            400,
            "invalid_parameter",
        ),
        (
            post(
                "/api/v1/check?format=pdf",
                "text/plain",
                b"GB 2763".to_vec(),
            ),
            400,
            "invalid_parameter",
        ),
        (
            post("/api/v1/check", "image/png", b"\x89PNG".to_vec()),
            415,
            "unsupported_media_type",
        ),
        // 10 MB of text: over the 4 MiB text limit (under the 16 MiB body limit).
        (
            post(
                "/api/v1/check",
                "text/plain",
                "GB 2763 ".repeat(1_250_000).into_bytes(),
            ),
            413,
            "payload_too_large",
        ),
        // Over the body limit.
        (
            post("/api/v1/check", "text/plain", vec![b'a'; 17 * 1024 * 1024]),
            413,
            "payload_too_large",
        ),
    ];
    for (req, status, code) in cases {
        assert_error(send(&s, req).await, status, code).await;
    }
    let files: Vec<(&str, Vec<u8>, u16, &str)> = vec![
        ("empty.pdf", Vec::new(), 400, "invalid_parameter"),
        ("empty.docx", Vec::new(), 400, "invalid_parameter"),
        (
            "encrypted.pdf",
            std::fs::read(repo().join("fixtures/bad/encrypted.pdf")).expect("fixture"),
            400,
            "invalid_parameter",
        ),
        (
            "junk.pdf",
            std::fs::read(repo().join("fixtures/bad/junk.pdf")).expect("fixture"),
            400,
            "invalid_parameter",
        ),
        (
            "truncated.pdf",
            std::fs::read(repo().join("fixtures/bad/truncated.pdf")).expect("fixture"),
            400,
            "invalid_parameter",
        ),
        // A renamed ZIP of something else (an XLSX catalog).
        (
            "renamed.docx",
            std::fs::read(repo().join("fixtures/catalog/catalog.xlsx")).expect("fixture"),
            400,
            "invalid_parameter",
        ),
        (
            "picture.png",
            b"\x89PNG\r\n\x1a\n0000".to_vec(),
            415,
            "unsupported_media_type",
        ),
        (
            "invalid.txt",
            std::fs::read(repo().join("fixtures/bad/invalid-utf8.txt")).expect("fixture"),
            400,
            "invalid_parameter",
        ),
    ];
    for (name, content, status, code) in files {
        let (ct, body) = form(&[("file", Some(name), &content)]);
        let v = assert_error(
            send(&s, post("/api/v1/check", &ct, body)).await,
            status,
            code,
        )
        .await;
        let message = v["error"]["message"].as_str().unwrap_or_default();
        assert!(
            !message.contains(name),
            "{name}: the name is not echoed: {message}"
        );
    }
    let (ct, body) = form(&[("as_of", None, b"2024-06-01")]);
    assert_error(
        send(&s, post("/api/v1/check", &ct, body)).await,
        400,
        "invalid_parameter",
    )
    .await;
}

#[tokio::test]
async fn openapi_documents_the_check() {
    let s = check_state();
    let v = json(crate::get(&s, "/openapi.json").await).await;
    let op = &v["paths"]["/api/v1/check"]["post"];
    assert!(op.is_object(), "{v}");
    let params: Vec<&str> = op["parameters"]
        .as_array()
        .expect("parameters")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert_eq!(params, ["as_of", "format"]);
    let ok = &op["responses"]["200"]["content"];
    for media in [
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ] {
        assert!(ok.get(media).is_some(), "{media}: {ok}");
    }
    for (path, method) in [
        ("/api/v1/watchlists", "get"),
        ("/api/v1/watchlists/{name}", "put"),
        ("/api/v1/watchlists/{name}", "get"),
        ("/api/v1/watchlists/{name}", "delete"),
        ("/api/v1/feeds/watchlists/{name}", "get"),
    ] {
        assert!(v["paths"][path][method].is_object(), "{method} {path}");
    }
    let reference = &v["components"]["schemas"]["CheckedReference"]["properties"];
    for field in [
        "cited",
        "id",
        "in_index",
        "title_zh",
        "status",
        "current_edition",
        "chain",
        "dated",
        "occurrences",
    ] {
        assert!(reference.get(field).is_some(), "{field}");
    }
}

#[tokio::test]
async fn check_page_is_served() {
    let s = check_state();
    let res = crate::get(&s, "/check").await;
    assert_eq!(res.status(), 200);
    let html = String::from_utf8(bytes(res).await).expect("utf-8");
    assert!(html.contains("href=\"/check\""), "nav link");
    let version = biaozhun_api::web::asset_version();
    let res = crate::get(&s, &format!("/static/{version}/check.js")).await;
    assert_eq!(res.status(), 200);
    let js = String::from_utf8(bytes(res).await).expect("utf-8");
    assert!(
        js.contains("/api/v1/check") && js.contains("format="),
        "the page posts to the route"
    );
}

#[tokio::test]
async fn standards_of_the_shared_catalog() {
    let Some(data) = shared_data() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp");
    let p = dir.path().join("index");
    let catalog = data.join("catalogs/standards-facts.jsonl");
    let index = tokio::task::spawn_blocking(move || build_index(&p, &[catalog]))
        .await
        .expect("build");
    let s = AppState::with_index(config(""), index);
    let text = "生活饮用水应符合GB 5749—2006的规定；行政区划代码按GB/T 2260—2002；\
                检测按HJ 608—2011、GB/T 20000.2—2001执行；旅游区按GB/T 17775—2024评定。";
    let body = serde_json::json!({"text": text, "as_of": "2024-06-01"});
    let v = json(
        send(
            &s,
            post(
                "/api/v1/check",
                "application/json",
                body.to_string().into_bytes(),
            ),
        )
        .await,
    )
    .await;
    let refs = v["references"].as_array().expect("references");
    let by_id = |id: &str| {
        refs.iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("{id} missing: {v}"))
    };
    // Old editions: out of date, with the edition in force (held or only linked).
    for (old, current, held) in [
        ("GB 5749-2006", "GB 5749-2022", true),
        ("GB/T 2260-2002", "GB/T 2260-2007", true),
        ("HJ 608-2011", "HJ 608-2017", true),
        ("GB/T 20000.2-2001", "GB/T 20000.2-2009", false),
    ] {
        let r = by_id(old);
        assert_eq!(r["in_index"], true, "{r}");
        assert_eq!(r["out_of_date"], true, "{r}");
        assert!(
            r["status"] == "replaced" || r["status"] == "abolished",
            "{r}"
        );
        assert_eq!(r["current_edition"], current, "{r}");
        assert_eq!(r["current_edition_in_index"], held, "{r}");
    }
    let upcoming = by_id("GB/T 17775-2024");
    assert_eq!(upcoming["status"], "upcoming", "{upcoming}");
    assert_eq!(upcoming["out_of_date"], false);
}

/// A successor known only as a number in a replaced-by link (issue 18): GB/T 22080-2016 is
/// current while GB/T 22080-2025 cannot be in force yet, replaced once it is; 查新, the record
/// route and search hits say the same on both dates.
#[tokio::test]
async fn successor_known_only_by_its_link() {
    let s = check_state();
    for (as_of, status, current, chain) in [
        (
            "2024-06-01",
            "current",
            ("GB/T 22080-2016", true),
            vec!["GB/T 22080-2016"],
        ),
        (
            "2026-06-01",
            "replaced",
            ("GB/T 22080-2025", false),
            vec!["GB/T 22080-2016", "GB/T 22080-2025"],
        ),
    ] {
        let body = serde_json::json!({"text": "按GB/T 22080—2016建立体系。", "as_of": as_of});
        let v = json(
            send(
                &s,
                post(
                    "/api/v1/check",
                    "application/json",
                    body.to_string().into_bytes(),
                ),
            )
            .await,
        )
        .await;
        let r = &v["references"][0];
        assert_eq!(r["id"], "GB/T 22080-2016", "{v}");
        assert_eq!(r["status"], status, "{as_of}: {r}");
        assert_eq!(r["current_edition"], current.0, "{as_of}: {r}");
        assert_eq!(r["current_edition_in_index"], current.1, "{as_of}: {r}");
        assert_eq!(r["chain"], serde_json::json!(chain), "{as_of}: {r}");
        assert_eq!(r["out_of_date"], status == "replaced", "{as_of}: {r}");
        let rec = json(
            crate::get(
                &s,
                &format!("/api/v1/standards/GB%2FT%2022080-2016?as_of={as_of}"),
            )
            .await,
        )
        .await;
        assert_eq!(rec["status"], status, "{as_of}: {rec}");
        assert_eq!(
            rec["in_force"],
            serde_json::json!([current.0]),
            "{as_of}: {rec}"
        );
        let hits = json(
            crate::get(
                &s,
                &format!("/api/v1/search?q=GB%2FT%2022080-2016&as_of={as_of}&facets=none"),
            )
            .await,
        )
        .await;
        let hit = hits["hits"]
            .as_array()
            .and_then(|h| h.iter().find(|h| h["id"] == "GB/T 22080-2016"))
            .unwrap_or_else(|| panic!("no hit: {hits}"));
        assert_eq!(hit["status"], status, "{as_of}: {hit}");
    }
}
