//! Adoptions (采标) in both directions over our own foreign catalog, the adoption field of the
//! shared standards catalog and the shared NMPA ISO↔GB mapping file (imported through the alias
//! table): `adopts`, `adopted_by`, and a foreign-number search listing its Chinese adoptions
//! right after the foreign record, labelled.

use std::path::PathBuf;
use std::sync::OnceLock;

use biaozhun_index::{Index, SearchRequest};
use biaozhun_model::StandardCode;
use chrono::NaiveDate;

use crate::{build_index, root};

/// A small catalog of foreign standards, written by us for this test.
const FOREIGN: &str = r#"{"code": "ISO 13485:2016", "title_en": "Medical devices - Quality management systems - Requirements for regulatory purposes", "status": "current"}
{"code": "ISO 10993-1:2018", "title_en": "Biological evaluation of medical devices - Part 1", "status": "current"}
{"code": "ГОСТ Р 51318.14.1-2006", "title_en": "Electromagnetic compatibility of technical equipment", "status": "current"}
{"code": "KS C IEC 60601-1:2015", "title_en": "Medical electrical equipment - Part 1", "status": "current"}
{"code": "GB/T 99901-2020", "title_zh": "测试用医疗器械标准", "status": "现行", "adopted": "ISO 13485:2003 MOD"}
"#;

fn shared(rel: &str) -> Option<PathBuf> {
    let p = root().join("../shared/data").join(rel);
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data missing at {}", p.display());
    }
    eprintln!("note: {} absent, shared-data checks skipped", p.display());
    None
}

fn index() -> Option<&'static Index> {
    static INDEX: OnceLock<Option<(tempfile::TempDir, Index)>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let facts = shared("catalogs/standards-facts.jsonl")?;
            let mapping = shared("adoptions/medical-device-iso-gb-mapping.json")?;
            let dir = tempfile::tempdir().expect("tempdir");
            let foreign = dir.path().join("foreign.jsonl");
            std::fs::write(&foreign, FOREIGN).expect("write");
            let index = build_index(&dir.path().join("index"), &[foreign, facts, mapping]);
            Some((dir, index))
        })
        .as_ref()
        .map(|(_, i)| i)
}

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).expect("date")
}

fn code(s: &str) -> StandardCode {
    StandardCode::parse(s).expect("code")
}

#[test]
fn adopted_by_lists_chinese_adoptions_with_degree() {
    let Some(index) = index() else { return };
    let got: Vec<String> = index
        .adopted_by(&code("ISO 13485:2016"), day())
        .expect("adopted_by")
        .iter()
        .map(|a| {
            format!(
                "{} {} {} {}",
                a.standard.id(),
                a.adopts,
                a.degree.map_or("?", |d| d.label()),
                a.exact
            )
        })
        .collect();
    // From the mapping file (GB/T 42061), the catalog's adoption field (YY/T 0287, both
    // editions) and our own record adopting the 2003 edition.
    // (Ids are compared in their canonical spelling, whatever it does with leading zeros.)
    for (id, want) in [
        ("GB/T 42061-2022", "ISO 13485:2016 IDT true"),
        ("YY/T 0287-2017", "ISO 13485:2016 IDT true"),
        ("YY/T 0287-2003", "ISO 13485:2003 IDT false"),
        ("GB/T 99901-2020", "ISO 13485:2003 MOD false"),
    ] {
        let want = format!("{} {want}", code(id));
        assert!(got.contains(&want), "{want} in {got:?}");
    }
    // Current ones first: our current GB/T 99901 before the 2003 edition of YY/T 0287, which
    // its successor replaced.
    let pos = |id: &str| {
        let id = code(id).to_string();
        got.iter().position(|g| g.starts_with(&id)).expect("listed")
    };
    assert!(pos("GB/T 99901-2020") < pos("YY/T 0287-2003"), "{got:?}");
}

#[test]
fn mapping_file_imports_through_the_alias_table() {
    let Some(index) = index() else { return };
    let s = index
        .get_standard("GB/T 16886.1-2022")
        .expect("get")
        .expect("imported from the mapping file");
    assert!(
        s.title_zh
            .as_deref()
            .is_some_and(|t| t.contains("生物学评价")),
        "{s:?}"
    );
    let adopts = index.adopts(&s, day()).expect("adopts");
    assert_eq!(adopts.len(), 1, "{adopts:?}");
    assert_eq!(adopts[0].link.code.to_string(), "ISO 10993-1:2018");
    assert_eq!(adopts[0].link.degree.map(|d| d.label()), Some("IDT"));
    let held = adopts[0]
        .record
        .as_ref()
        .expect("the foreign record is held");
    assert!(held.exact);
    // A `mod` row with an amended IEC edition.
    let gb = index
        .get_standard("GB 9706.1-2020")
        .expect("get")
        .expect("row");
    let links = gb.adoption.as_ref().map(|a| a.links()).unwrap_or_default();
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].code.to_string(), "IEC 60601-1:2005+A2:2020");
    assert_eq!(links[0].degree.map(|d| d.label()), Some("MOD"));
    // Old notations keep their own degree.
    let old = index
        .get_standard("GB/T 20000.2-2001")
        .expect("get")
        .expect("row");
    let links = old.adoption.as_ref().map(|a| a.links()).unwrap_or_default();
    assert_eq!(links[0].code.to_string(), "ISO/IEC GUIDE 21:1999");
    assert_eq!(links[0].degree.map(|d| d.label()), Some("≈"));
}

#[test]
fn foreign_number_search_lists_adoptions_right_after_it() {
    let Some(index) = index() else { return };
    for q in ["ISO 13485", "iso13485", "ISO 13485:2016"] {
        let res = index
            .search(&SearchRequest {
                q: q.into(),
                adoptions: true,
                as_of: Some(day()),
                ..SearchRequest::default()
            })
            .expect("search");
        let ids: Vec<&str> = res.hits.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids.first(), Some(&"ISO 13485:2016"), "{q}: {ids:?}");
        let after: Vec<&str> = res.hits[1..]
            .iter()
            .take_while(|h| h.adoption.is_some())
            .map(|h| h.id.as_str())
            .collect();
        for want in ["GB/T 42061-2022", "YY/T 0287-2017"] {
            let want = code(want).to_string();
            assert!(
                after.contains(&want.as_str()),
                "{q}: {want} right after in {ids:?}"
            );
        }
        let gb = res
            .hits
            .iter()
            .find(|h| h.id == "GB/T 42061-2022")
            .and_then(|h| h.adoption.clone())
            .expect("labelled");
        assert_eq!(gb.of, "ISO 13485:2016");
        assert_eq!(gb.degree.as_deref(), Some("IDT"));
        // Listed once.
        assert_eq!(ids.iter().filter(|i| **i == "GB/T 42061-2022").count(), 1);
    }
    // Internal lookups (adoptions off) are not changed.
    let plain = index
        .search(&SearchRequest {
            q: "ISO 13485".into(),
            ..SearchRequest::default()
        })
        .expect("search");
    assert!(plain.hits.iter().all(|h| h.adoption.is_none()));
}

/// The adoptions never make a page longer than its `limit`: a short page shows the foreign
/// record and the first of its adoptions, in the order a long page lists them, and paging on
/// from it still reaches every match.
#[test]
fn adoptions_keep_the_page_within_its_limit() {
    let Some(index) = index() else { return };
    let search = |limit: usize, cursor: Option<String>| {
        index
            .search(&SearchRequest {
                q: "ISO 13485".into(),
                limit,
                adoptions: true,
                cursor,
                as_of: Some(day()),
                ..SearchRequest::default()
            })
            .expect("search")
    };
    let full: Vec<String> = search(100, None).hits.into_iter().map(|h| h.id).collect();
    assert!(
        full.len() >= 4,
        "the foreign record and its adoptions: {full:?}"
    );
    for limit in 1..=full.len() {
        let first = search(limit, None);
        let ids: Vec<String> = first.hits.iter().map(|h| h.id.clone()).collect();
        assert_eq!(ids, full[..limit], "limit {limit}");
        // Paging on reaches every ranked match (here: the foreign record's editions).
        let mut seen = ids;
        let mut cursor = first.next_cursor;
        let mut pages = 0;
        while let Some(c) = cursor {
            let page = search(limit, Some(c));
            assert!(page.hits.len() <= limit, "limit {limit}");
            seen.extend(page.hits.into_iter().map(|h| h.id));
            cursor = page.next_cursor;
            pages += 1;
            assert!(pages < 100, "paging ends");
        }
        let plain = index
            .search(&SearchRequest {
                q: "ISO 13485".into(),
                limit: 100,
                as_of: Some(day()),
                ..SearchRequest::default()
            })
            .expect("search");
        for h in plain.hits {
            assert!(seen.contains(&h.id), "limit {limit}: {} paged", h.id);
        }
    }
}

#[test]
fn foreign_numbers_in_other_spellings_are_records() {
    let Some(index) = index() else { return };
    for (q, id) in [
        ("GOST R 51318.14.1-2006", "GOST R 51318.14.1-2006"),
        ("ГОСТ Р 51318.14.1-2006", "GOST R 51318.14.1-2006"),
        ("KS C IEC 60601-1-2015", "KS C IEC 60601-1:2015"),
    ] {
        let res = index
            .search(&SearchRequest {
                q: q.into(),
                ..SearchRequest::default()
            })
            .expect("search");
        assert_eq!(res.hits.first().map(|h| h.id.as_str()), Some(id), "{q}");
    }
}
