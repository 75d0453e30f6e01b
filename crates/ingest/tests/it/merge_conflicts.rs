//! merge_standard: catalog wins for metadata, the file for text; conflicts are reported.

use biaozhun_model::merge::merge_standard;
use biaozhun_model::{Section, Standard, StandardCode, Status, TextQuality};
use chrono::NaiveDate;

fn code(s: &str) -> StandardCode {
    StandardCode::parse(s).expect("code")
}

fn catalog() -> Standard {
    let mut s = Standard::new(code("GB/T 7714-2015"));
    s.title_zh = Some("信息与文献 参考文献著录规则".into());
    s.status = Some(Status::Current);
    s.issue_date = NaiveDate::from_ymd_opt(2015, 5, 15);
    s.ics = vec!["01.140.20".into()];
    s.sources = vec!["catalog.jsonl".into()];
    s
}

fn file() -> Standard {
    let mut s = Standard::new(code("GB/T 7714-2015"));
    s.title_zh = Some("信息与文献　参考文献著录规则".into()); // same after normalisation
    s.title_en = Some("Information and documentation".into()); // fills a gap
    s.issue_date = NaiveDate::from_ymd_opt(2015, 5, 16); // OCR slip: conflict
    s.ics = vec!["01.140.20".into(), "01.140.40".into()]; // conflict
    s.sections = vec![Section {
        number: "1".into(),
        title: "范围".into(),
        level: 1,
        text: "本标准".into(),
    }];
    s.text_quality = TextQuality::Good;
    s.sources = vec!["GBT7714-2015.pdf".into()];
    s
}

#[test]
fn merge_catalog_then_file() {
    let mut base = catalog();
    let conflicts = merge_standard(&mut base, file());
    let fields: Vec<&str> = conflicts.iter().map(|c| c.field).collect();
    assert_eq!(fields, ["issue_date", "ics"]);
    assert_eq!(conflicts[0].kept, "2015-05-15");
    assert_eq!(conflicts[0].dropped, "2015-05-16");
    assert_eq!(base.issue_date, NaiveDate::from_ymd_opt(2015, 5, 15));
    assert_eq!(base.ics, ["01.140.20"]);
    assert_eq!(
        base.title_en.as_deref(),
        Some("Information and documentation")
    );
    assert_eq!(base.sections.len(), 1);
    assert_eq!(base.text_quality, TextQuality::Good);
    assert_eq!(base.sources, ["catalog.jsonl", "GBT7714-2015.pdf"]);
}

/// The same outcome when the file was stored first and the catalog arrives later.
#[test]
fn merge_file_then_catalog() {
    let mut base = file();
    let conflicts = merge_standard(&mut base, catalog());
    assert_eq!(conflicts.len(), 2);
    assert_eq!(base.issue_date, NaiveDate::from_ymd_opt(2015, 5, 15));
    assert_eq!(base.ics, ["01.140.20"]);
    assert_eq!(base.sections.len(), 1);
    assert_eq!(base.text_quality, TextQuality::Good);
}

/// A newer catalog wins over an older one; a newer text replaces an older text but not the
/// catalog's metadata.
#[test]
fn merge_newer_wins_within_kind() {
    let mut base = catalog();
    let mut newer = catalog();
    newer.status = Some(Status::Replaced);
    newer.sources = vec!["catalog-2026.jsonl".into()];
    let c = merge_standard(&mut base, newer);
    assert_eq!(c.len(), 1);
    assert_eq!(base.status, Some(Status::Replaced));

    merge_standard(&mut base, file());
    let mut newer_file = file();
    newer_file.sections[0].text = "新版文本".into();
    newer_file.issue_date = NaiveDate::from_ymd_opt(2015, 5, 17);
    merge_standard(&mut base, newer_file);
    assert_eq!(base.sections[0].text, "新版文本");
    assert_eq!(base.issue_date, NaiveDate::from_ymd_opt(2015, 5, 15));
}

/// A file-name code without a year gives way to the catalog's full code.
#[test]
fn merge_keeps_year() {
    let mut base = Standard::new(code("GB/T 7714"));
    merge_standard(&mut base, catalog());
    assert_eq!(base.code.to_string(), "GB/T 7714-2015");
}
