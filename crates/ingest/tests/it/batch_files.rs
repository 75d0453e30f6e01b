//! Batches over files and folders: every bad fixture's outcome, merging, idempotent re-runs,
//! and the real shared data.

use std::cell::RefCell;
use std::path::PathBuf;

use biaozhun_ingest::batch::{
    ingest_paths, BatchOptions, BatchSummary, CodeSource, FileReport, FileStatus, MemoryStore,
};
use biaozhun_ingest::extract::Extractor;
use biaozhun_model::{Record, RecordKind, TextQuality};

use crate::batch_common::{aliases, fixture, shared_data};

fn opts() -> BatchOptions {
    let mut o = BatchOptions::new(aliases());
    o.extract.ocr = false;
    o
}

fn run_with(
    paths: &[PathBuf],
    o: &BatchOptions,
    store: &mut MemoryStore,
) -> (Vec<FileReport>, BatchSummary) {
    let reports = RefCell::new(Vec::new());
    let summary = ingest_paths(paths, o, store, &|r| reports.borrow_mut().push(r.clone()));
    (reports.into_inner(), summary)
}

fn run(paths: &[PathBuf], store: &mut MemoryStore) -> (Vec<FileReport>, BatchSummary) {
    run_with(paths, &opts(), store)
}

fn report<'a>(reports: &'a [FileReport], suffix: &str) -> &'a FileReport {
    reports
        .iter()
        .find(|r| r.path.ends_with(suffix))
        .unwrap_or_else(|| panic!("no report for {suffix}"))
}

fn print(reports: &[FileReport]) {
    for r in reports {
        eprintln!("{}", serde_json::to_string(r).expect("json"));
    }
}

#[test]
fn batch_bad_fixtures_fail_cleanly() {
    let mut store = MemoryStore::new();
    let (reports, summary) = run(&[fixture("bad")], &mut store);
    print(&reports);
    assert_eq!(reports.len(), 9);
    let expect = |name: &str, status: FileStatus, reason: &str| {
        let r = report(&reports, name);
        assert_eq!(r.status, status, "{name}: {r:?}");
        let got = r.reason.clone().unwrap_or_default();
        assert!(
            got.contains(reason),
            "{name}: reason {got:?} lacks {reason:?}"
        );
    };
    expect("empty.pdf", FileStatus::Error, "empty file");
    expect("truncated.pdf", FileStatus::Error, "");
    expect("junk.pdf", FileStatus::Error, "not a pdf");
    expect("encrypted.pdf", FileStatus::Error, "encrypted");
    expect("invalid-utf8.txt", FileStatus::Error, "GB18030");
    expect("no-code-column.csv", FileStatus::Error, "no code column");
    // An OLE header and junk: antiword says it is not Word (or, without it, what to install).
    expect("not-word.doc", FileStatus::Error, "not a readable .doc");
    // Three good records, then a malformed line, one without a code and one with code `ABC`.
    let r = report(&reports, "bad-lines.jsonl");
    assert_eq!(r.status, FileStatus::Warning);
    assert_eq!((r.imported, r.rejected), (3, 3));
    let lines: Vec<usize> = r.line_errors.iter().map(|e| e.line).collect();
    assert_eq!(lines, [4, 5, 6]);
    assert!(r.line_errors[0].message.starts_with("malformed JSON"));
    assert!(r.line_errors[1].message.starts_with("no standard code"));
    assert!(r.line_errors[2].message.contains("ABC"));
    // The same code twice: the later one wins, with a warning.
    let r = report(&reports, "duplicate-codes.jsonl");
    assert_eq!(r.status, FileStatus::Warning);
    assert_eq!((r.imported, r.skipped), (1, 1));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.message.starts_with("duplicate code DB62/T 4475-2021")));
    assert!(summary.failed());
    assert_eq!(summary.error, 7);
    // Junk never reaches the store; the good lines do.
    // (bad-lines.jsonl and duplicate-codes.jsonl share DB62/T 4475-2021.)
    assert_eq!(store.count(RecordKind::Standard), 3);
}

#[test]
fn batch_size_limit() {
    let mut o = opts();
    o.extract.max_file_bytes = 1000;
    let mut store = MemoryStore::new();
    let (reports, _) = run_with(&[fixture("texts/DB62T4475-2021.txt")], &o, &mut store);
    assert_eq!(reports[0].status, FileStatus::Error);
    assert!(reports[0]
        .reason
        .as_deref()
        .unwrap_or_default()
        .contains("over the limit of 1000 bytes"));
}

#[test]
fn batch_fixtures_merge_and_rerun_idempotently() {
    let mut store = MemoryStore::new();
    let inputs = [
        fixture("catalog"),
        fixture("texts"),
        fixture("notifications"),
        fixture("regulations"),
    ];
    let (reports, summary) = run(&inputs, &mut store);
    print(&reports);
    assert!(!summary.failed(), "{summary:?}");
    let r = report(&reports, "texts/DB62T4475-2021.txt");
    assert_eq!(r.code.as_deref(), Some("DB62/T 4475-2021"));
    assert_eq!(r.quality, Some(TextQuality::Good));
    assert_eq!(r.extractor, Some(Extractor::Text));
    assert!(summary.merged >= 5, "{summary:?}");
    // The merged record has the catalog's metadata and the file's text.
    let Some(Record::Standard(s)) = store.get(RecordKind::Standard, "DB62/T 4475-2021") else {
        panic!("merged standard missing")
    };
    assert!(s.title_en.is_some() && s.sections.len() > 3, "{s:?}");
    assert!(s.sources.iter().any(|p| p.ends_with("standards.jsonl")));
    assert!(s.sources.iter().any(|p| p.ends_with("DB62T4475-2021.txt")));
    // The two notification forms are also rows of notifications.jsonl: merged, not doubled.
    // 23 from notifications.jsonl plus the 3 of the ePing-style sample (eping-sample.json).
    assert_eq!(store.count(RecordKind::Notification), 26);
    assert_eq!(store.count(RecordKind::Regulation), 1);
    let reg = store.records.values().find_map(|r| match r {
        Record::Regulation(r) => Some(r),
        _ => None,
    });
    assert!(reg.is_some_and(|r| r.sections.len() > 5), "{reg:?}");
    let stored = store.records.len();
    let puts = store.puts;

    // Second run: everything unchanged is skipped, nothing new is written.
    let (again, summary2) = run(&inputs, &mut store);
    assert!(
        again.iter().all(|r| r.status == FileStatus::Skipped),
        "{again:?}"
    );
    assert!(again.iter().all(|r| r
        .reason
        .as_deref()
        .is_some_and(|x| x.starts_with("unchanged"))));
    assert_eq!(store.records.len(), stored);
    assert_eq!(
        summary2.standards + summary2.notifications + summary2.regulations,
        0
    );
    assert!(store.puts <= puts + 1);
}

#[test]
fn batch_real_data_imports() {
    let Some(data) = shared_data() else { return };
    let mut store = MemoryStore::new();
    let (reports, summary) = run(
        &[
            data.join("catalogs"),
            data.join("notifications"),
            data.join("regulations"),
        ],
        &mut store,
    );
    print(&reports);
    assert!(!summary.failed(), "{summary:?}");
    let r = report(&reports, "sports-standards-catalog.json");
    assert_eq!((r.imported, r.skipped, r.rejected), (1080, 2, 0));
    let r = report(&reports, "standards-facts.jsonl");
    assert_eq!((r.imported, r.rejected), (307, 0));
    let r = report(&reports, "wto-notifications-facts.jsonl");
    assert_eq!((r.imported, r.rejected), (77, 0));
    // The NMPA listing: every row imports (its code column is `number`); three rows give an
    // implementation date as prose ("与GB9706.1-2020同步实施"), which is a warning, not a loss.
    let r = report(&reports, "medical-device-standards.json");
    assert_eq!((r.imported, r.rejected), (1715, 0));
    assert_eq!(r.warnings.len(), 3, "{:?}", r.warnings);
    assert_eq!(store.count(RecordKind::Notification), 77);
    assert_eq!(store.count(RecordKind::Regulation), 6);
    // The catalogs overlap on a few codes; the union is stored once per code.
    let standards = store.count(RecordKind::Standard);
    assert!(
        standards > 1300 + 1700 && standards <= 1080 + 307 + 1715,
        "{standards}"
    );
}

/// The code comes from the cover when the name has none; name and cover are cross-checked;
/// a text that merely mentions a code is not taken for that standard.
#[test]
fn batch_cover_code_and_file_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixture("texts/DB62T4475-2021.txt")).expect("fixture");
    std::fs::write(dir.path().join("seed-potatoes.txt"), &text).expect("write");
    std::fs::write(dir.path().join("DB62T4393-2021.txt"), &text).expect("write");
    std::fs::write(dir.path().join("DB62T44752021.txt"), &text).expect("write");
    std::fs::write(
        dir.path().join("notes.md"),
        "# Notes\n\nSee GB/T 7714-2015 for citations.\n",
    )
    .expect("write");
    let mut store = MemoryStore::new();
    let (reports, summary) = run(&[dir.path().to_path_buf()], &mut store);
    print(&reports);
    assert!(!summary.failed());
    let r = report(&reports, "seed-potatoes.txt");
    assert_eq!(r.code.as_deref(), Some("DB62/T 4475-2021"));
    let r = report(&reports, "DB62T4393-2021.txt");
    assert_eq!(r.code.as_deref(), Some("DB62/T 4475-2021"));
    assert!(r
        .warnings
        .iter()
        .any(|w| w.message.contains("file name says DB62/T 4393-2021")));
    let r = report(&reports, "DB62T44752021.txt");
    assert_eq!(
        (r.status, r.code.as_deref()),
        (FileStatus::Ok, Some("DB62/T 4475-2021"))
    );
    let r = report(&reports, "notes.md");
    assert_eq!(r.status, FileStatus::Skipped);
    assert_eq!(store.count(RecordKind::Standard), 1);
}

/// A small standard text whose cover prints `code_line`.
fn standard_text(code_line: &str) -> String {
    format!(
        "中华人民共和国医药行业标准\n{code_line}\n医用电气设备 电磁兼容 要求和试验\n\
         2012-12-17 发布 2014-01-01 实施\n国家食品药品监督管理局 发 布\n前言\n本标准起草。\n\
         1 范围\n本标准规定了医用电气设备的电磁兼容要求。\n"
    )
}

/// One record per standard whatever the padding: catalog over cover over file name, and the
/// report line says which spellings were merged; a truncated cover reading never replaces the
/// file name's longer one.
#[test]
fn batch_padded_spellings_merge() {
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path();
    std::fs::write(
        p.join("catalog.jsonl"),
        "{\"code\": \"YY/T 0316-2016\", \"title_zh\": \"医疗器械 风险管理对医疗器械的应用\"}\n",
    )
    .expect("write");
    // The cover prints the official padding, the file name not.
    std::fs::write(p.join("YY505-2012.txt"), standard_text("YY 0505—2012")).expect("write");
    // No number on the cover: the file name's spelling, then the catalog's.
    std::fs::write(p.join("YYT316-2016.txt"), standard_text("")).expect("write");
    // A spaced text layer cut short: `G B / T 1` is a truncated reading of the file name's.
    std::fs::write(p.join("GBT12345.6-2005.txt"), standard_text("G B / T 1")).expect("write");
    let mut store = MemoryStore::new();
    let (reports, summary) = run(&[p.to_path_buf()], &mut store);
    print(&reports);
    assert!(!summary.failed(), "{summary:?}");
    let r = report(&reports, "YY505-2012.txt");
    assert_eq!(r.code.as_deref(), Some("YY 0505-2012"));
    assert_eq!(r.code_from, Some(CodeSource::Cover));
    assert_eq!(r.merged_spellings, ["YY 505-2012 (file name)"]);
    let r = report(&reports, "YYT316-2016.txt");
    assert_eq!(r.code.as_deref(), Some("YY/T 0316-2016"));
    assert_eq!(r.code_from, Some(CodeSource::Catalog));
    assert_eq!(r.merged_spellings, ["YY/T 316-2016 (file name)"]);
    let r = report(&reports, "GBT12345.6-2005.txt");
    assert_eq!(r.code.as_deref(), Some("GB/T 12345.6-2005"));
    assert_eq!(r.code_from, Some(CodeSource::FileName));
    assert!(
        r.warnings.iter().any(|w| w.message.contains("truncated")),
        "{:?}",
        r.warnings
    );
    let mut ids: Vec<String> = store.records.values().map(Record::id).collect();
    ids.sort();
    assert_eq!(ids, ["GB/T 12345.6-2005", "YY 0505-2012", "YY/T 0316-2016"]);
}

/// Every real PDF in shared/data yields its official number, and the report line says how
/// (cover and file name agreeing, the cover alone, or the file name).
#[test]
fn batch_real_pdfs_yield_their_numbers() {
    let Some(data) = shared_data() else { return };
    let mut store = MemoryStore::new();
    let (reports, summary) = run(&[data.join("pdfs")], &mut store);
    print(&reports);
    assert!(!summary.failed(), "{summary:?}");
    for (file, code) in [
        ("DB37T29042019.pdf", "DB37/T 2904-2019"),
        ("GBT148331993.pdf", "GB/T 14833-1993"),
        ("GBT390592020.pdf", "GB/T 39059-2020"),
        ("GBT435642023.pdf", "GB/T 43564-2023"),
        ("GBT7714-2015.pdf", "GB/T 7714-2015"),
        ("GMT00312014.pdf", "GM/T 0031-2014"),
        ("WST3032023.pdf", "WS/T 303-2023"),
        ("WST4492014.pdf", "WS/T 449-2014"),
        ("WST54312017.pdf", "WS/T 543.1-2017"),
    ] {
        let r = report(&reports, file);
        assert_eq!(r.code.as_deref(), Some(code), "{file}");
        assert!(r.code_from.is_some(), "{file}: the report says how");
    }
    assert_eq!(
        report(&reports, "GBT7714-2015.pdf").code_from,
        Some(CodeSource::CoverAndFileName)
    );
    assert_eq!(
        report(&reports, "DB37T29042019.pdf").code_from,
        Some(CodeSource::CoverAndFileName)
    );
    assert_eq!(
        report(&reports, "WST3032023.pdf").code_from,
        Some(CodeSource::CoverAndFileName)
    );
    // `WST54312017`: the name's digits run together, the cover prints the part.
    let r = report(&reports, "WST54312017.pdf");
    assert_eq!(r.code_from, Some(CodeSource::Cover));
    assert_eq!(store.count(RecordKind::Standard), 9);
}

/// A notification read from its form alone: every field names the form; with the catalog row
/// ingested too, the catalog's values and stamps win and the form's stamps stay only on what
/// the catalog lacks.
#[test]
fn batch_notification_form_stamps_its_fields() {
    let mut store = MemoryStore::new();
    let form = fixture("notifications/forms/G-TBT-N-SAU-1190.txt");
    run(std::slice::from_ref(&form), &mut store);
    let Some(Record::Notification(n)) = store.get(RecordKind::Notification, "G/TBT/N/SAU/1190")
    else {
        panic!("the form's notification is stored");
    };
    assert!(
        n.provenance.contains_key("description"),
        "{:?}",
        n.provenance
    );
    for (field, src) in &n.provenance {
        assert_eq!(src.kind, biaozhun_model::SourceKind::Form, "{field}");
        assert!(src.file.ends_with("G-TBT-N-SAU-1190.txt"), "{field}");
    }
    let mut store = MemoryStore::new();
    run(
        &[fixture("notifications/notifications.jsonl"), form],
        &mut store,
    );
    let Some(Record::Notification(n)) = store.get(RecordKind::Notification, "G/TBT/N/SAU/1190")
    else {
        panic!("stored");
    };
    let title = &n.provenance["title_en"];
    assert_eq!(title.kind, biaozhun_model::SourceKind::Catalog);
    assert!(title.file.ends_with("notifications.jsonl"));
}
