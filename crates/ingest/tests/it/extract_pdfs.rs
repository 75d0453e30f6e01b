//! Every PDF we have, with an asserted outcome: extractor fallbacks, quality, cover fields.

use biaozhun_ingest::extract::{
    extract_file, ocr_pdf_pages, ExtractError, ExtractOptions, Extractor, OcrSettings,
};
use biaozhun_ingest::structure::parse_standard_text;
use biaozhun_model::TextQuality;

use crate::extract_common::{fixtures, ocr_installed, shared_data};

fn no_ocr() -> ExtractOptions {
    ExtractOptions {
        ocr: false,
        ..Default::default()
    }
}

/// `path` extracted with OCR of its first page; `None` (with a note) where OCR is not
/// installed, outside CI.
fn ocr_first_page(path: &std::path::Path) -> Option<biaozhun_ingest::extract::Extracted> {
    if !ocr_installed() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tesseract/pdftoppm missing in CI"
        );
        eprintln!("note: tesseract/pdftoppm not installed, OCR part skipped");
        return None;
    }
    let opts = ExtractOptions {
        ocr_max_pages: 1,
        ..Default::default()
    };
    Some(extract_file(path, &opts).expect("extract with ocr"))
}

#[test]
fn gbt7714_text_and_cover() {
    let Some(data) = shared_data() else { return };
    let e = extract_file(&data.join("pdfs/GBT7714-2015.pdf"), &no_ocr()).expect("extract");
    assert_eq!(e.quality, TextQuality::Good);
    assert_eq!(e.pages, Some(28));
    assert!(e.text.contains("参考文献著录规则"));
    let p = parse_standard_text(&e.text);
    assert_eq!(
        p.code.map(|c| c.to_string()).as_deref(),
        Some("GB/T 7714-2015")
    );
    assert_eq!(p.ics, ["01.140.20"]);
    assert_eq!(p.ccs, ["A14"]);
    assert_eq!(p.title_zh.as_deref(), Some("信息与文献 参考文献著录规则"));
    assert_eq!(
        p.issue_date.map(|d| d.to_string()).as_deref(),
        Some("2015-05-15")
    );
    assert_eq!(
        p.implement_date.map(|d| d.to_string()).as_deref(),
        Some("2015-12-01")
    );
    let replaces: Vec<String> = p.replaces.iter().map(|c| c.to_string()).collect();
    assert_eq!(replaces, ["GB/T 7714-2005"]);
    let refs: Vec<String> = p.references.iter().map(|c| c.to_string()).collect();
    assert!(refs.contains(&"GB/T 28039-2011".to_string()), "{refs:?}");
    assert!(p.terms.len() >= 10, "{}", p.terms.len());
    assert_eq!(p.terms[0].term_zh, "参考文献");
    // The cover draws each glyph on its own with full-em widths; the word spaces come back
    // from the glyphs' ink gaps (every extractor's text had `Informationanddocumentation`).
    assert_eq!(
        p.title_en.as_deref(),
        Some(
            "Information and documentation—Rules for bibliographic references and citations \
             to information resources"
        )
    );
}

/// Respacing only ever adds spaces, and only to Latin lines of the first page: with it off,
/// every real PDF gives the same characters.
#[test]
fn cover_spaces_only_add_spaces() {
    let Some(data) = shared_data() else { return };
    let off = ExtractOptions {
        cover_spaces: false,
        ..no_ocr()
    };
    let squeeze = |s: &str| -> String { s.chars().filter(|c| !c.is_whitespace()).collect() };
    let mut changed = Vec::new();
    for entry in std::fs::read_dir(data.join("pdfs")).expect("pdfs") {
        let path = entry.expect("entry").path();
        let with = extract_file(&path, &no_ocr()).expect("extract");
        let without = extract_file(&path, &off).expect("extract");
        assert_eq!(
            squeeze(&with.text),
            squeeze(&without.text),
            "{}",
            path.display()
        );
        if with.text != without.text {
            changed.push(path.file_name().map(|n| n.to_string_lossy().into_owned()));
        }
    }
    assert!(
        changed.contains(&Some("GBT7714-2015.pdf".to_string())),
        "{changed:?}"
    );
}

#[test]
fn gbt39059_is_garbled_and_ocr_recovers_it() {
    let Some(data) = shared_data() else { return };
    let path = data.join("pdfs/GBT390592020.pdf");
    let e = extract_file(&path, &no_ocr()).expect("extract");
    assert_eq!(e.quality, TextQuality::Garbled);
    assert!(e.needs_ocr);
    assert!(
        e.warnings.iter().any(|w| w.contains("garbled")),
        "{:?}",
        e.warnings
    );
    // The glyph-Latin cover still yields the number and ICS.
    let p = parse_standard_text(&e.text);
    assert_eq!(
        p.code.map(|c| c.to_string()).as_deref(),
        Some("GB/T 39059-2020")
    );
    assert_eq!(p.ics, ["83.140.99"]);
    let Some(e) = ocr_first_page(&path) else {
        return;
    };
    assert_eq!(e.quality, TextQuality::Ocr);
    assert_eq!(e.extractor, Extractor::Tesseract);
    assert!(!e.needs_ocr);
    assert!(e.text.contains("中华人民共和国国家标准") || e.text.contains("国家标准"));
    assert!(e.text.contains("环境测试舱"), "{}", e.text);
    // The cover prints the title on two lines, broken after `的`, with a wide gap before its
    // second part that OCR reads as `”`; the dash of the English title comes out as `一`.
    let p = parse_standard_text(&e.text);
    assert_eq!(
        p.title_zh.as_deref(),
        Some("运动场地合成材料面层有害物质释放量的测定 环境测试舱法"),
        "{}",
        e.text
    );
    assert_eq!(
        p.title_en.as_deref(),
        Some(
            "Determination of harmful substance emissions from synthetic sports \
             surfaces—Environmental chambers method"
        ),
        "{}",
        e.text
    );
}

/// A garbled text layer (no ToUnicode for the hanzi): OCR reads the cover, whose filing-number
/// line (`备案号`) stands above the banner and must not become part of the title.
#[test]
fn gmt0031_ocr_cover_title_without_filing_number() {
    let Some(data) = shared_data() else { return };
    let path = data.join("pdfs/GMT00312014.pdf");
    let e = extract_file(&path, &no_ocr()).expect("extract");
    assert!(e.needs_ocr, "{:?}", e.quality);
    let Some(e) = ocr_first_page(&path) else {
        return;
    };
    assert_eq!(e.extractor, Extractor::Tesseract);
    let p = parse_standard_text(&e.text);
    assert_eq!(
        p.code.map(|c| c.to_string()).as_deref(),
        Some("GM/T 0031-2014"),
        "{}",
        e.text
    );
    assert_eq!(
        p.title_zh.as_deref(),
        Some("安全电子签章密码技术规范"),
        "{}",
        e.text
    );
    assert_eq!(
        p.title_en.as_deref(),
        Some("Secure electronic seal cryptography technical specification")
    );
    assert_eq!(p.issuers, ["国家密码管理局"]);
}

/// The default OCR settings (chosen by `bench/ocr.py --sweep`) still read the cover of a scan:
/// `fixtures/scans/DB62T4330-2021-cover.pdf` is the cover of our own DB62/T 4330 fixture turned,
/// thresholded and speckled into an image-only PDF by `fixtures/gen/make_scan.py`.
#[test]
fn default_ocr_settings_read_a_generated_scan() {
    let path = fixtures().join("scans/DB62T4330-2021-cover.pdf");
    let e = extract_file(&path, &no_ocr()).expect("extract without ocr");
    assert_eq!(e.quality, TextQuality::NoText);
    assert!(e.needs_ocr);
    if !ocr_installed() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tesseract/pdftoppm missing in CI"
        );
        eprintln!("note: tesseract/pdftoppm not installed, OCR part skipped");
        return;
    }
    let e = extract_file(&path, &ExtractOptions::default()).expect("extract with ocr");
    assert_eq!(e.quality, TextQuality::Ocr, "{:?} {}", e.warnings, e.text);
    assert_eq!(e.extractor, Extractor::Tesseract);
    let p = parse_standard_text(&e.text);
    assert_eq!(
        p.code.map(|c| c.to_string()).as_deref(),
        Some("DB62/T 4330-2021"),
        "{}",
        e.text
    );
    let squeezed: String = e.text.chars().filter(|c| !c.is_whitespace()).collect();
    assert!(squeezed.contains("甘肃省地方标准"), "{}", e.text);
    assert!(squeezed.contains("2021-06-28发布"), "{}", e.text);
}

/// Settings are checked before any tool runs, naming the field; a language that is not
/// installed fails the OCR of that file with tesseract's message, not the process.
#[test]
fn ocr_settings_are_checked() {
    let bytes = std::fs::read(fixtures().join("scans/DB62T4330-2021-cover.pdf")).expect("fixture");
    let timeout = std::time::Duration::from_secs(60);
    for (bad, field) in [
        (
            OcrSettings {
                lang: "chi_sim -l x".into(),
                ..Default::default()
            },
            "ocr lang",
        ),
        (
            OcrSettings {
                dpi: 20_000,
                ..Default::default()
            },
            "ocr dpi",
        ),
        (
            OcrSettings {
                psm: 14,
                ..Default::default()
            },
            "ocr psm",
        ),
    ] {
        let err = ocr_pdf_pages(&bytes, 1, 1, &bad, 1, timeout).expect_err(field);
        assert!(err.to_string().contains(field), "{err}");
    }
    if !ocr_installed() {
        return;
    }
    let opts = ExtractOptions {
        ocr_settings: OcrSettings {
            lang: "no_such_lang".into(),
            ..Default::default()
        },
        ..Default::default()
    };
    let e = extract_file(&fixtures().join("scans/DB62T4330-2021-cover.pdf"), &opts)
        .expect("a failed OCR is a warning");
    assert!(e.needs_ocr);
    assert!(
        e.warnings
            .iter()
            .any(|w| w.contains("ocr failed: tesseract failed")),
        "{:?}",
        e.warnings
    );
}

#[test]
fn gbt14833_ocr_layer_scan_yields_code() {
    let Some(data) = shared_data() else { return };
    let e = extract_file(&data.join("pdfs/GBT148331993.pdf"), &no_ocr()).expect("extract");
    let p = parse_standard_text(&e.text);
    assert_eq!(
        p.code.map(|c| c.to_string()).as_deref(),
        Some("GB/T 14833-1993")
    );
    if e.extractor == Extractor::Pdftotext {
        // Only poppler decodes the GBK-EUC-H text layer.
        assert_eq!(e.quality, TextQuality::Good);
        assert_eq!(p.title_zh.as_deref(), Some("塑胶跑道"));
    }
}

#[test]
fn other_shared_pdfs() {
    let Some(data) = shared_data() else { return };
    for (file, code) in [
        ("DB37T29042019.pdf", "DB37/T 2904-2019"),
        ("GBT435642023.pdf", "GB/T 43564-2023"),
    ] {
        let e = extract_file(&data.join("pdfs").join(file), &no_ocr()).expect(file);
        assert_eq!(e.quality, TextQuality::Good, "{file}");
        let p = parse_standard_text(&e.text);
        assert_eq!(
            p.code.map(|c| c.to_string()).as_deref(),
            Some(code),
            "{file}"
        );
        assert!(p.sections.len() > 10, "{file}");
    }
}

#[test]
fn pdf_extract_panic_falls_back() {
    // STSong-Light with the UniGB-UCS2-H CMap: pdf-extract panics, lopdf or pdftotext reads it.
    let e = extract_file(&fixtures().join("pdfs/DB62T4475-2021.pdf"), &no_ocr()).expect("extract");
    assert_eq!(e.quality, TextQuality::Good);
    assert_ne!(e.extractor, Extractor::PdfExtract);
    assert!(e.text.contains("马铃薯脱毒种薯生产技术规程"));
    let p = parse_standard_text(&e.text);
    assert_eq!(
        p.code.map(|c| c.to_string()).as_deref(),
        Some("DB62/T 4475-2021")
    );
    // Rust extractors only: lopdf must carry it.
    let rust_only = ExtractOptions {
        external_tools: false,
        ..no_ocr()
    };
    let e = extract_file(&fixtures().join("pdfs/DB62T4475-2021.pdf"), &rust_only).expect("lopdf");
    assert_eq!(e.extractor, Extractor::Lopdf);
    assert_eq!(e.quality, TextQuality::Good);
}

#[test]
fn fixture_pdfs_match_their_texts() {
    for name in ["DB62T4330-2021", "DB62T4393-2021", "DB62T4475-2021"] {
        let e = extract_file(&fixtures().join(format!("pdfs/{name}.pdf")), &no_ocr()).expect(name);
        assert_eq!(e.quality, TextQuality::Good, "{name}");
        let from_pdf = parse_standard_text(&e.text);
        let txt =
            std::fs::read_to_string(fixtures().join(format!("texts/{name}.txt"))).expect("txt");
        let from_txt = parse_standard_text(&txt);
        assert_eq!(from_pdf.code, from_txt.code, "{name}");
        assert_eq!(from_pdf.title_zh, from_txt.title_zh, "{name}");
        assert_eq!(from_pdf.references, from_txt.references, "{name}");
        assert_eq!(from_pdf.terms.len(), from_txt.terms.len(), "{name}");
    }
}

#[test]
fn bad_files_fail_cleanly() {
    let bad = fixtures().join("bad");
    let opts = no_ocr();
    let err = |f: &str| extract_file(&bad.join(f), &opts).expect_err(f);
    assert!(matches!(err("empty.pdf").kind(), ExtractError::Empty));
    assert!(matches!(err("junk.pdf").kind(), ExtractError::NotPdf(_)));
    assert!(matches!(err("truncated.pdf").kind(), ExtractError::Pdf(_)));
    assert!(matches!(
        err("encrypted.pdf").kind(),
        ExtractError::Encrypted
    ));
    assert!(matches!(
        err("invalid-utf8.txt").kind(),
        ExtractError::Encoding { .. }
    ));
    for f in [
        "empty.pdf",
        "junk.pdf",
        "truncated.pdf",
        "encrypted.pdf",
        "invalid-utf8.txt",
    ] {
        let msg = err(f).to_string();
        assert!(msg.contains(f), "error must name the file: {msg}");
    }
}

#[test]
fn oversized_files_are_refused() {
    let opts = ExtractOptions {
        max_file_bytes: 1000,
        ..no_ocr()
    };
    let e =
        extract_file(&fixtures().join("pdfs/DB62T4475-2021.pdf"), &opts).expect_err("too large");
    assert!(matches!(e, ExtractError::TooLarge { .. }), "{e}");
}
