//! Structure of the fixture full texts and repair of broken extractor output.

use biaozhun_ingest::structure::{parse_standard_text, repair_text};

use crate::extract_common::fixtures;

fn codes(v: &[biaozhun_model::StandardCode]) -> Vec<String> {
    v.iter().map(|c| c.to_string()).collect()
}

#[test]
fn db62t4475_cover_sections_references_terms() {
    let t = std::fs::read_to_string(fixtures().join("texts/DB62T4475-2021.txt")).expect("read");
    let p = parse_standard_text(&t);
    assert_eq!(
        p.code.as_ref().map(|c| c.to_string()).as_deref(),
        Some("DB62/T 4475-2021")
    );
    assert_eq!(p.ics, ["65.020.20"]);
    assert_eq!(p.ccs, ["B05"]);
    assert_eq!(p.title_zh.as_deref(), Some("马铃薯脱毒种薯生产技术规程"));
    assert_eq!(
        p.title_en.as_deref(),
        Some("Technical code of practice for production of virus-free seed potatoes")
    );
    assert_eq!(
        p.issue_date.map(|d| d.to_string()).as_deref(),
        Some("2021-12-28")
    );
    assert_eq!(
        p.implement_date.map(|d| d.to_string()).as_deref(),
        Some("2022-01-28")
    );
    assert_eq!(p.issuers, ["甘肃省市场监督管理局"]);
    assert_eq!(
        codes(&p.references),
        [
            "GB 7331",
            "GB 18133",
            "GB/T 8321",
            "NY/T 1212",
            "NY/T 391-2021"
        ]
    );
    let heads: Vec<(String, String, u8)> = p
        .sections
        .iter()
        .filter(|s| s.level == 1)
        .map(|s| (s.number.clone(), s.title.clone(), s.level))
        .collect();
    let want = [
        ("", "前言"),
        ("1", "范围"),
        ("2", "规范性引用文件"),
        ("3", "术语和定义"),
        ("4", "基地条件"),
        ("5", "繁育程序"),
        ("6", "田间管理"),
        ("7", "质量检验"),
        ("8", "收获与贮藏"),
        ("A", "田间检验方法"),
        ("B", "甘肃省主要马铃薯种薯品种"),
    ];
    assert_eq!(heads.len(), want.len(), "{heads:?}");
    for ((n, t, _), (wn, wt)) in heads.iter().zip(want) {
        assert_eq!((n.as_str(), t.as_str()), (wn, wt));
    }
    let annex_a = p
        .sections
        .iter()
        .find(|s| s.number == "A")
        .expect("annex A");
    assert!(annex_a.text.contains("规范性"));
    let sub = p.sections.iter().find(|s| s.number == "4.1").expect("4.1");
    assert_eq!(sub.level, 2);
    assert!(
        sub.text.starts_with("种薯田应选在海拔2000 m以上"),
        "{}",
        sub.text
    );
    assert_eq!(p.terms.len(), 3);
    assert_eq!(p.terms[0].number, "3.1");
    assert_eq!(p.terms[0].term_zh, "脱毒种薯");
    assert_eq!(
        p.terms[0].term_en.as_deref(),
        Some("virus-free seed potato")
    );
    assert!(p.terms[0]
        .definition
        .starts_with("以经检测不带指定病毒的试管苗"));
    assert!(p
        .scope
        .as_deref()
        .is_some_and(|s| s.starts_with("本文件规定了马铃薯脱毒种薯")));
    let std = p.into_standard(None).expect("standard");
    assert_eq!(std.id(), "DB62/T 4475-2021");
    assert_eq!(std.department.as_deref(), Some("甘肃省市场监督管理局"));
}

#[test]
fn replaces_and_two_line_titles() {
    let t = std::fs::read_to_string(fixtures().join("texts/DB62T4393-2021.txt")).expect("read");
    let p = parse_standard_text(&t);
    assert_eq!(codes(&p.replaces), ["DB62/T 2062-2011"]);
    let t = std::fs::read_to_string(fixtures().join("texts/SNT5228-2020.txt")).expect("read");
    let p = parse_standard_text(&t);
    assert_eq!(
        p.title_zh.as_deref(),
        Some("出口苹果中多种农药残留量的测定 液相色谱-串联质谱法")
    );
    assert_eq!(
        p.terms[1].term_en.as_deref(),
        Some("limit of quantification; LOQ")
    );
    assert_eq!(
        p.sections
            .iter()
            .filter(|s| s.level == 1 && !s.number.is_empty())
            .count(),
        12
    );
}

#[test]
fn every_fixture_text_has_code_dates_and_sections() {
    for entry in std::fs::read_dir(fixtures().join("texts")).expect("dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let p = parse_standard_text(&std::fs::read_to_string(&path).expect("read"));
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default();
        let compact = p.code.as_ref().map(|c| c.compact()).unwrap_or_default();
        assert!(
            compact
                .replace(['/', '-', ' ', '.'], "")
                .eq_ignore_ascii_case(&stem.replace('-', "")),
            "{stem}: {compact}"
        );
        assert!(
            p.issue_date.is_some() && p.implement_date.is_some(),
            "{stem}"
        );
        assert!(!p.ics.is_empty() && !p.ccs.is_empty(), "{stem}");
        assert!(p.sections.len() >= 10, "{stem}");
        assert!(!p.references.is_empty() && !p.terms.is_empty(), "{stem}");
    }
}

fn check_repair(input: &str, want: &str) {
    assert_eq!(repair_text(input), want, "{input:?}");
}

#[test]
fn repair_joins_numbers_words_and_removes_spaces() {
    // Line broken inside a standard number.
    check_repair(
        "应符合GB/T 7714—\n2015的规定。",
        "应符合GB/T 7714—2015的规定。\n",
    );
    check_repair("ICS01.\n140.\n20\nA 14", "ICS01.140.20\nA 14\n");
    // Line broken inside a word: 多氯联苯 must match again.
    let r = repair_text("本标准规定了食品中多氯\n联苯的测定方法，适用于各类食品。\n");
    assert!(r.contains("多氯联苯"), "{r}");
    // Spaces between hanzi and Latin text, letter-spaced lines.
    check_repair(
        "本标准按照 GB/T 1.1 给出的规则",
        "本标准按照GB/T 1.1给出的规则\n",
    );
    check_repair(
        "中 华 人 民 共 和 国 国 家 标 准",
        "中华人民共和国国家标准\n",
    );
    // Paragraph breaks, headings and list items stay.
    check_repair(
        "1 范围\n本文件规定了\n\n2 规范性引用文件",
        "1 范围\n本文件规定了\n\n2 规范性引用文件\n",
    );
    check_repair(
        "主要技术变化如下：这一行很长很长很长很长很长很长\n——增加了要求；",
        "主要技术变化如下：这一行很长很长很长很长很长很长\n——增加了要求；\n",
    );
}

#[test]
fn repair_drops_running_headers_and_page_numbers() {
    let page = |n: u32| format!("GB/T 7714—2015\n正文第{n}页的内容。\n{n}\n");
    let text = format!(
        "GB/T 7714—2015\n封面\n\u{c}{}\u{c}{}\u{c}{}\u{c}{}",
        page(1),
        page(2),
        page(3),
        page(4)
    );
    let r = repair_text(&text);
    assert_eq!(r.matches("GB/T 7714—2015").count(), 1, "{r}");
    assert!(r.contains("正文第3页的内容。"));
    assert!(!r.lines().any(|l| l.trim() == "3"), "{r}");
}

/// A generated cover in the layout of a real one, with `code_line` where the number is printed.
fn cover_with(code_line: &str) -> String {
    format!(
        "ICS 11.020\nC 07\n中 华 人 民 共 和 国 卫 生 行 业 标 准\n{code_line}\n\
         慢性病监测信息系统基本功能规范\n\
         Basic function specifications of chronic disease surveillance information system\n\
         2014-04-15发布 2014-10-01实施\n中华人民共和国国家卫生和计划生育委员会 发 布\n\
         前言\n本标准按照GB/T 1.1—2009给出的规则起草。\n1 范围\n本标准规定了慢性病监测信息系统的基本功能。\n"
    )
}

/// Real layouts of the number on covers: text layers of scans that space every character, OCR
/// confusions (`一` for `—`, `VT` for `/T`, `O` for `0`), a number broken over two lines.
#[test]
fn cover_numbers_in_real_layouts() {
    for (line, want) in [
        ("WS/T 449—2014", "WS/T 449-2014"),
        ("G B / T 1 2 3 4 5 . 6 — 2 0 0 5", "GB/T 12345.6-2005"),
        ("G B / T  1 2 3 4 5 . 6  —  2 0 0 5", "GB/T 12345.6-2005"),
        ("W S / T 4 4 9 一 2 0 1 4", "WS/T 449-2014"),
        ("WS/T 449一2014", "WS/T 449-2014"),
        ("GMVT 0031一2014", "GM/T 0031-2014"),
        ("GB|T 7714—2015", "GB/T 7714-2015"),
        ("WS IT 303—2023", "WS/T 303-2023"),
        ("GB/T 7O14—2O15", "GB/T 7014-2015"),
        ("GM/T OO31—2O14", "GM/T 0031-2014"),
        ("YY O5O5—2O12", "YY 0505-2012"),
        ("Y Y / T 0 3 1 6 — 2 0 1 6", "YY/T 0316-2016"),
        ("ＧＢ／\nＴ １４８３３一 ９３", "GB/T 14833-1993"),
    ] {
        let p = parse_standard_text(&cover_with(line));
        assert_eq!(
            p.code.as_ref().map(|c| c.to_string()).as_deref(),
            Some(want),
            "{line:?}"
        );
        assert_eq!(
            p.title_zh.as_deref(),
            Some("慢性病监测信息系统基本功能规范"),
            "{line:?}"
        );
    }
    // Garbled: no number on the cover, nothing invented (the file name decides).
    let p = parse_standard_text(&cover_with("犌犅／犜 犡犡犡"));
    assert_eq!(p.code, None);
}
