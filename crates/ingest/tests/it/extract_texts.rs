//! Text files: encodings and markup variants decode to the same text.

use biaozhun_ingest::extract::{extract_file, ExtractOptions, Extractor};
use biaozhun_ingest::structure::parse_standard_text;
use biaozhun_model::TextQuality;

use crate::extract_common::fixtures;

fn squash(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[test]
fn gbk_variant_decodes_to_the_utf8_text() {
    let opts = ExtractOptions::default();
    let utf8 = extract_file(&fixtures().join("texts/DB62T4330-2021.txt"), &opts).expect("utf8");
    let gbk = extract_file(&fixtures().join("texts/gbk/DB62T4330-2021.txt"), &opts).expect("gbk");
    assert_eq!(gbk.text, utf8.text);
    assert_eq!(gbk.quality, TextQuality::Good);
    assert!(gbk.warnings.iter().any(|w| w.contains("gb18030")));
}

#[test]
fn html_and_markdown_variants_parse_like_the_text() {
    let opts = ExtractOptions::default();
    for (variant, plain) in [
        ("texts/html/SNT5228-2020.html", "texts/SNT5228-2020.txt"),
        ("texts/md/DB62T4210-2020.md", "texts/DB62T4210-2020.txt"),
    ] {
        let v = extract_file(&fixtures().join(variant), &opts).expect(variant);
        let t = extract_file(&fixtures().join(plain), &opts).expect(plain);
        assert!(
            !v.text.contains('<') && !v.text.contains("## "),
            "{variant}"
        );
        let (pv, pt) = (parse_standard_text(&v.text), parse_standard_text(&t.text));
        assert_eq!(pv.code, pt.code, "{variant}");
        assert_eq!(pv.title_zh, pt.title_zh, "{variant}");
        assert_eq!(pv.references, pt.references, "{variant}");
        assert_eq!(pv.terms, pt.terms, "{variant}");
        let numbers = |p: &biaozhun_ingest::structure::ParsedText| {
            p.sections
                .iter()
                .map(|s| s.number.clone())
                .collect::<Vec<_>>()
        };
        assert_eq!(numbers(&pv), numbers(&pt), "{variant}");
        // Same body text modulo markup and whitespace.
        let body = |p: &biaozhun_ingest::structure::ParsedText| {
            p.sections
                .iter()
                .map(|s| squash(&s.text))
                .collect::<Vec<_>>()
        };
        assert_eq!(body(&pv), body(&pt), "{variant}");
    }
}

#[test]
fn utf16_and_bom_files() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = "ICS 65.020.20\n马铃薯\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let mut be = vec![0xFE, 0xFF];
    be.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    let mut bom8 = vec![0xEF, 0xBB, 0xBF];
    bom8.extend(text.as_bytes());
    for (name, bytes) in [("le.txt", le), ("be.txt", be), ("bom.txt", bom8)] {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).expect("write");
        let e = extract_file(&p, &ExtractOptions::default()).expect(name);
        assert_eq!(e.text, text, "{name}");
    }
}

/// Whether the `.doc` reader can run here; CI installs it, so there its absence fails.
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

#[test]
fn legacy_word_doc_reads_through_antiword() {
    if !antiword_or_skip() {
        return;
    }
    let opts = ExtractOptions::default();
    let x = extract_file(&fixtures().join("check/packaging-inspection.doc"), &opts).expect("doc");
    assert_eq!(x.extractor, Extractor::Antiword);
    assert_eq!(x.quality, TextQuality::Good, "{}", x.text);
    // Chinese paragraphs, table cells and full-width text come through as UTF-8 (the file was
    // made by LibreOffice from fixtures/gen/check-document.html).
    for want in [
        "包装检验规程",
        "2 规范性引用文件",
        "GB/T 7714—2005",
        "食品安全国家标准 食品中农药最大残留限量",
        "ISO 8124-1:2018",
        "ＧＢ／Ｔ　２２０８０－２０１６",
    ] {
        assert!(x.text.contains(want), "{want} missing from {}", x.text);
    }
}

#[test]
fn broken_legacy_doc_is_a_named_error() {
    let opts = ExtractOptions::default();
    let path = fixtures().join("bad/not-word.doc");
    let err = extract_file(&path, &opts).expect_err("not a Word file");
    let msg = err.to_string();
    assert!(msg.contains("not-word.doc"), "{msg}");
    assert!(
        matches!(err.kind(), biaozhun_ingest::extract::ExtractError::Doc(_)),
        "{msg}"
    );
    if biaozhun_ingest::extract::office::doc_reader_available() {
        assert!(msg.contains("antiword cannot read it"), "{msg}");
    } else {
        assert!(msg.contains("apt-get install antiword"), "{msg}");
    }
}
