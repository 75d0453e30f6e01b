//! 查新 of a legacy Word `.doc` (read by antiword, which `.ci/run` installs): the answer equals
//! the one for the same text pasted, and a broken `.doc` is a clear 400.

use biaozhun_api::AppState;

use crate::check::{form, post};
use crate::{assert_error, config, fixture_index, json, repo, send};

/// The text of `fixtures/check/packaging-inspection.doc` (made by LibreOffice from
/// `fixtures/gen/check-document.html`; the reference list is a table there).
const DOC_TEXT: &str = "企业标准 Q/ABC 002—2024 包装检验规程\n\
2 规范性引用文件\n下列文件中的内容通过文中的规范性引用而构成本文件必不可少的条款。\n\
GB/T 7714—2005 文后参考文献著录规则\n\
GB 2763 食品安全国家标准 食品中农药最大残留限量\n\
ISO 8124-1:2018 Safety of toys\n\
3 要求\n3.1 标签应符合GB 7718—2011的规定，包装材料应符合ＧＢ／Ｔ　２２０８０－２０１６的规定。\n";

fn antiword_or_skip() -> bool {
    if biaozhun_ingest::extract::office::doc_reader_available() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "antiword is not installed and CI=true (.ci/run installs it)"
    );
    eprintln!("note: antiword is not installed, skipping");
    false
}

/// (id, status, current edition, dated, occurrences) of every reference.
fn table(v: &serde_json::Value) -> Vec<(String, String, String, bool, usize)> {
    v["references"]
        .as_array()
        .expect("references")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_string(),
                r["status"].as_str().unwrap_or_default().to_string(),
                r["current_edition"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
                r["dated"].as_bool().unwrap_or_default(),
                r["occurrences"].as_array().map_or(0, Vec::len),
            )
        })
        .collect()
}

#[tokio::test]
async fn legacy_doc_answers_like_its_text() {
    if !antiword_or_skip() {
        return;
    }
    let s = AppState::with_shared_index(config(""), fixture_index());
    let doc = std::fs::read(repo().join("fixtures/check/packaging-inspection.doc")).expect("doc");
    let (ct, body) = form(&[
        ("file", Some("包装检验规程.doc"), &doc),
        ("as_of", None, b"2024-06-01"),
    ]);
    let res = send(&s, post("/api/v1/check", &ct, body)).await;
    assert_eq!(res.status(), 200);
    let from_doc = json(res).await;
    assert_eq!(from_doc["document"]["input"], "doc", "{from_doc}");

    let (ct, body) = form(&[("text", None, DOC_TEXT.as_bytes())]);
    let res = send(&s, post("/api/v1/check?as_of=2024-06-01", &ct, body)).await;
    assert_eq!(res.status(), 200);
    let from_text = json(res).await;
    let (d, t) = (table(&from_doc), table(&from_text));
    assert_eq!(d, t, "doc {from_doc}\ntext {from_text}");
    let ids: Vec<&str> = d.iter().map(|r| r.0.as_str()).collect();
    for want in [
        "GB/T 7714-2005",
        "GB 2763",
        "ISO 8124-1:2018",
        "GB 7718-2011",
        "GB/T 22080-2016",
    ] {
        assert!(ids.contains(&want), "{want} not among {ids:?}");
    }
    let old = d.iter().find(|r| r.0 == "GB/T 7714-2005").expect("7714");
    assert_eq!(
        (old.1.as_str(), old.2.as_str()),
        ("replaced", "GB/T 7714-2015")
    );
}

#[tokio::test]
async fn broken_legacy_doc_is_a_client_error() {
    let s = AppState::with_shared_index(config(""), fixture_index());
    let junk = std::fs::read(repo().join("fixtures/bad/not-word.doc")).expect("fixture");
    let (ct, body) = form(&[("file", Some("notice.doc"), &junk)]);
    let res = send(&s, post("/api/v1/check", &ct, body)).await;
    let v = assert_error(res, 400, "invalid_parameter").await;
    let msg = v["error"]["message"].as_str().unwrap_or_default();
    assert!(msg.contains(".doc"), "{v}");
    assert!(!msg.contains("/tmp"), "no temp path in the message: {v}");
}
