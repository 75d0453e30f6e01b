//! Barrier checks over the fixture notifications, the ePing-style sample and (when present) the
//! shared real notifications: families, HS matching both ways, the weaker product-text match,
//! cross-lingual words, open-for-comment dates and cited standards resolved to catalog records.

use std::path::PathBuf;
use std::sync::OnceLock;

use biaozhun_index::barriers::{
    BarrierError, BarrierReport, BarrierRequest, MatchKind, StateLabel,
};
use biaozhun_index::dossier::DossierRequest;
use biaozhun_index::Index;
use biaozhun_ingest::catalog::{read_catalog, Aliases};
use biaozhun_model::trade::MarketError;
use chrono::NaiveDate;

use crate::{build_index, config_dir, root};

fn shared_notifications() -> Option<PathBuf> {
    let p = root().join("../shared/data/notifications/wto-notifications-facts.jsonl");
    if p.exists() {
        return Some(p);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data missing at {}", p.display());
    }
    eprintln!("note: {} absent, shared-data checks skipped", p.display());
    None
}

/// The fixture catalog and notifications (with the ePing sample).
fn index() -> &'static Index {
    static INDEX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let f = root().join("fixtures");
        let paths = [f.join("catalog/standards.jsonl"), f.join("notifications")];
        let index = build_index(dir.path(), &paths);
        (dir, index)
    });
    index
}

/// The fixture catalog and the shared real notifications, when present.
fn shared() -> Option<&'static Index> {
    static INDEX: OnceLock<Option<(tempfile::TempDir, Index)>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let data = shared_notifications()?;
            let dir = tempfile::tempdir().expect("tempdir");
            let f = root().join("fixtures");
            let index = build_index(dir.path(), &[f.join("catalog/standards.jsonl"), data]);
            Some((dir, index))
        })
        .as_ref()
        .map(|(_, i)| i)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

fn check_in(index: &Index, market: &str, hs: &str, q: &str) -> BarrierReport {
    let req = BarrierRequest {
        market: Some(market.to_string()).filter(|s| !s.is_empty()),
        hs: Some(hs.to_string()).filter(|s| !s.is_empty()),
        q: Some(q.to_string()).filter(|s| !s.is_empty()),
        open_on: Some(date("2026-11-30")),
        limit: 0,
    };
    index.barriers(&req).expect("barrier check")
}

fn check(market: &str, hs: &str, q: &str) -> BarrierReport {
    check_in(index(), market, hs, q)
}

fn bases(r: &BarrierReport) -> Vec<&str> {
    r.families.iter().map(|f| f.base.as_str()).collect()
}

#[test]
fn barriers_every_shared_record_imports() {
    let Some(path) = shared_notifications() else {
        return;
    };
    let aliases = Aliases::load_dir(&config_dir()).expect("aliases");
    let out = read_catalog(&path, &aliases).expect("read");
    assert!(out.rejected.is_empty(), "{:?}", out.rejected);
    assert_eq!(out.records.len(), 77);
    let eping = read_catalog(
        &root().join("fixtures/notifications/eping-sample.json"),
        &aliases,
    )
    .expect("eping");
    assert!(eping.rejected.is_empty(), "{:?}", eping.rejected);
    assert_eq!(eping.records.len(), 3);
    let n = index()
        .get_notification("G/TBT/N/EU/1131")
        .expect("get")
        .expect("ePing record stored");
    // HTML of the ePing title is plain text, the HS labels are codes, the cited codes are read.
    assert_eq!(
        n.title_en.as_deref(),
        Some("Draft Commission Regulation on ecodesign and energy labelling of air conditioners & comfort fans")
    );
    let hs: Vec<String> = n.hs_codes.iter().map(ToString::to_string).collect();
    assert_eq!(hs, ["8415", "8414.51"]);
    let cited: Vec<String> = n.cited_standards.iter().map(ToString::to_string).collect();
    assert!(
        cited.iter().any(|c| c.starts_with("EN 14511-3")),
        "{cited:?}"
    );
    assert_eq!(n.comment_deadline, Some(date("2025-05-13")));
    let usa = index()
        .get_notification("G/TBT/N/USA/2201")
        .expect("get")
        .expect("stored");
    assert_eq!(
        usa.title_en.as_deref(),
        Some("Safety Standard for Children's Toys: Magnet Requirements")
    );
    assert_eq!(usa.objectives.len(), 2);
}

#[test]
fn barriers_families_link_and_report_state() {
    let r = check("USA", "9503", "");
    let fam = r
        .families
        .iter()
        .find(|f| f.base == "G/TBT/N/USA/2146")
        .expect("water-bead family");
    let docs: Vec<&str> = fam.documents.iter().map(|d| d.symbol.as_str()).collect();
    assert_eq!(
        docs.first().copied(),
        Some("G/TBT/N/USA/2146"),
        "base first: {docs:?}"
    );
    for s in [
        "G/TBT/N/USA/2146/Corr.1",
        "G/TBT/N/USA/2146/Add.1",
        "G/TBT/N/USA/2146/Add.2",
    ] {
        assert!(docs.contains(&s), "{s} in {docs:?}");
    }
    assert_eq!(fam.match_kind, MatchKind::Hs);
    // Add.1 extended the comment period to 2024-12-08; Add.2 reports the final rule in force
    // from 2026-03-12.
    assert_eq!(fam.comment_deadline, Some(date("2024-12-08")));
    assert!(fam.state.comment_period_extended.is_some());
    assert_eq!(fam.state.label, StateLabel::InForce, "{:?}", fam.state);
    assert_eq!(fam.entry_into_force, Some(date("2026-03-12")));
    assert!(!fam.open_for_comment && fam.days_left.is_none());
    // Newest family first: the ePing magnet notification of October 2026 leads.
    assert_eq!(bases(&r).first().copied(), Some("G/TBT/N/USA/2201"));
    let magnets = &r.families[0];
    assert!(magnets.open_for_comment);
    assert_eq!(magnets.days_left, Some(16));
    assert_eq!(magnets.state.label, StateLabel::Proposed);
}

#[test]
fn barriers_saudi_pressure_equipment_and_tanks() {
    let r = check("沙特", "7311", "");
    let b = bases(&r);
    assert!(b.contains(&"G/TBT/N/SAU/1223"), "{b:?}");
    assert!(b.contains(&"G/TBT/N/SAU/1190"), "{b:?}");
    // Packaging lists 7310, a sibling heading, not 7311.
    assert!(!b.contains(&"G/TBT/N/SAU/1257"), "{b:?}");
    assert!(r
        .families
        .iter()
        .all(|f| f.member.as_deref() == Some("SAU")));
    assert_eq!(r.market.as_ref().map(|m| m.code), Some("SAU"));
    assert_eq!(r.hs.as_ref().map(|h| h.chapter.as_str()), Some("73"));
    if let Some(index) = shared() {
        let r = check_in(index, "沙特", "7311", "");
        let b = bases(&r);
        assert!(b.contains(&"G/TBT/N/SAU/1223"), "{b:?}");
        assert!(!b.contains(&"G/TBT/N/SAU/1257"), "{b:?}");
    }
}

#[test]
fn barriers_shared_addenda_form_a_family_without_their_base() {
    let Some(index) = shared() else { return };
    let r = check_in(index, "USA", "", "");
    let fam = r
        .families
        .iter()
        .find(|f| f.base == "G/TBT/N/USA/2146")
        .unwrap_or_else(|| panic!("{:?}", bases(&r)));
    let docs: Vec<(&str, &str)> = fam
        .documents
        .iter()
        .map(|d| (d.symbol.as_str(), d.role))
        .collect();
    assert_eq!(
        docs,
        [
            ("G/TBT/N/USA/2146/Add.1", "addendum"),
            ("G/TBT/N/USA/2146/Add.2", "addendum")
        ]
    );
    assert!(
        fam.state.comment_period_extended.is_some(),
        "{:?}",
        fam.state
    );
    assert_eq!(fam.state.label, StateLabel::InForce, "{:?}", fam.state);
    assert_eq!(fam.entry_into_force, Some(date("2026-03-12")));
    // The shared toy notifications: English only (1272/Rev.1) and the Chinese addendum.
    let r = check_in(index, "美国", "", "玩具");
    let b = bases(&r);
    assert!(b.contains(&"G/TBT/N/USA/1272"), "{b:?}");
    assert!(b.contains(&"G/TBT/N/USA/2146"), "{b:?}");
    assert!(!b.iter().any(|s| s.starts_with("G/SPS/")), "{b:?}");
}

#[test]
fn barriers_chinese_word_finds_english_toy_notifications() {
    let r = check("USA", "", "玩具");
    let b = bases(&r);
    // English only: found through the glossary / HS chapter 95 names.
    assert!(b.contains(&"G/TBT/N/USA/1272"), "{b:?}");
    assert!(b.contains(&"G/TBT/N/USA/2146"), "{b:?}");
    assert!(b.contains(&"G/TBT/N/USA/2201"), "{b:?}");
    let fam = r
        .families
        .iter()
        .find(|f| f.base == "G/TBT/N/USA/2146")
        .expect("family");
    // Both the English base and the Chinese addendum matched the word.
    let matched: Vec<&str> = fam
        .documents
        .iter()
        .filter(|d| d.matched)
        .map(|d| d.symbol.as_str())
        .collect();
    assert!(matched.contains(&"G/TBT/N/USA/2146"), "{matched:?}");
    assert!(matched.contains(&"G/TBT/N/USA/2146/Add.2"), "{matched:?}");
    assert!(
        r.q_chapters.contains(&"95".to_string()),
        "{:?}",
        r.q_chapters
    );
    // Pesticide tolerances of the same market are not toys.
    assert!(!b.iter().any(|s| s.starts_with("G/SPS/N/USA")), "{b:?}");
    // The English word finds the same toy families.
    let en = check("United States", "", "toys");
    for s in ["G/TBT/N/USA/1272", "G/TBT/N/USA/2146"] {
        assert!(bases(&en).contains(&s), "{s}");
    }
}

#[test]
fn barriers_hs_matches_both_ways() {
    // A notification listing chapter 95 applies to a user's 950300.
    let r = check("USA", "950300", "");
    assert!(bases(&r).contains(&"G/TBT/N/USA/1272"), "{:?}", bases(&r));
    // A user's chapter 84 finds a notification listing 8415.
    let r = check("欧盟", "84", "");
    assert!(bases(&r).contains(&"G/TBT/N/EU/1131"), "{:?}", bases(&r));
    let fam = &r.families[0];
    assert_eq!(fam.match_kind, MatchKind::Hs);
    // Cited standards come along.
    assert!(fam
        .cited_standards
        .iter()
        .any(|c| c.code.starts_with("IEC 60335-2-40")));
}

#[test]
fn barriers_weaker_product_text_match_without_hs_codes() {
    // G/TBT/N/SAU/996 lists no HS code; its products say "clothing", a chapter 61 name.
    let Some(index) = shared() else { return };
    let r = check_in(index, "SAU", "6109", "");
    let fam = r
        .families
        .iter()
        .find(|f| f.base == "G/TBT/N/SAU/996")
        .unwrap_or_else(|| panic!("textile regulation: {:?}", bases(&r)));
    assert_eq!(fam.match_kind, MatchKind::ProductText);
    assert!(
        r.families.iter().all(|f| f.hs_codes.is_empty()),
        "{:?}",
        bases(&r)
    );
}

#[test]
fn barriers_open_on_and_cited_standards_resolve() {
    let r = check("EU", "", "");
    let fam = r
        .families
        .iter()
        .find(|f| f.base == "G/SPS/N/EU/912")
        .expect("EU/912");
    assert!(fam.open_for_comment);
    assert_eq!(fam.days_left, Some(50));
    // A Chinese MRL draft cites GB 2763 without edition: resolved to the current edition.
    let r = check("中国", "", "");
    let cited: Vec<_> = r
        .families
        .iter()
        .flat_map(|f| &f.cited_standards)
        .filter(|c| c.code.starts_with("GB 2763"))
        .collect();
    assert!(!cited.is_empty(), "{:?}", bases(&r));
    for c in cited {
        let rec = c
            .record
            .as_ref()
            .unwrap_or_else(|| panic!("{c:?} unresolved"));
        assert!(rec.id.starts_with("GB 2763-"), "{rec:?}");
        if c.code.contains('-') {
            assert_eq!(rec.id, c.code);
            assert!(rec.exact);
        } else {
            assert_eq!(rec.id, "GB 2763-2021");
            assert!(!rec.exact);
        }
    }
}

#[test]
fn barriers_unknown_market_suggests_close_names() {
    let req = BarrierRequest {
        market: Some("Saudi Arabai".into()),
        ..BarrierRequest::default()
    };
    match index().barriers(&req) {
        Err(BarrierError::Market(MarketError::Unknown { value, suggestions })) => {
            assert_eq!(value, "Saudi Arabai");
            assert!(
                suggestions.iter().any(|s| s.starts_with("SAU")),
                "{suggestions:?}"
            );
        }
        other => panic!("expected unknown market, got {other:?}"),
    }
    let req = BarrierRequest {
        hs: Some("95x".into()),
        ..BarrierRequest::default()
    };
    assert!(matches!(
        index().barriers(&req),
        Err(BarrierError::InvalidHs { .. })
    ));
}

/// A copy of `index-config/` whose `hs-chapters.toml` lacks chapter 95.
fn config_without_chapter_95() -> tempfile::TempDir {
    let cfg = tempfile::tempdir().expect("tempdir");
    for entry in std::fs::read_dir(config_dir()).expect("index-config") {
        let path = entry.expect("entry").path();
        let to = cfg.path().join(path.file_name().expect("name"));
        std::fs::copy(&path, to).expect("copy config file");
    }
    let path = cfg.path().join("hs-chapters.toml");
    let text = std::fs::read_to_string(&path).expect("read hs-chapters.toml");
    let kept: Vec<&str> = text
        .split("[[chapter]]")
        .filter(|block| !block.contains("code = \"95\""))
        .collect();
    assert_eq!(
        kept.len() + 1,
        text.split("[[chapter]]").count(),
        "one block dropped"
    );
    std::fs::write(&path, kept.join("[[chapter]]")).expect("write hs-chapters.toml");
    cfg
}

#[test]
fn hs_chapters_are_read_once_and_a_broken_file_is_refused_at_open() {
    let broken = config_without_chapter_95();
    let broken_file = broken.path().join("hs-chapters.toml");
    let message = |e: biaozhun_index::IndexError| e.to_string();

    // A new index: refused before anything is created, naming the file and the problem.
    let fresh = tempfile::tempdir().expect("tempdir");
    let err = message(Index::open_or_create(fresh.path(), broken.path()).expect_err("refused"));
    assert!(
        err.contains(&broken_file.display().to_string()) && err.contains("chapter 95 is missing"),
        "{err}"
    );

    // An existing index: the writable open refuses the broken file, and the index keeps its
    // good copy (a read-only open still knows chapter 95).
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Index::open_or_create(dir.path(), &config_dir()).expect("create"));
    let err = message(Index::open_or_create(dir.path(), broken.path()).expect_err("refused"));
    assert!(err.contains(&broken_file.display().to_string()), "{err}");
    let index = Index::open(dir.path()).expect("open read-only");
    let chapters = index.hs_chapters().expect("chapters loaded at open");
    assert_eq!(
        chapters.get("95").map(|c| c.zh.as_str()),
        Some("玩具、游戏品、运动用品及其零件、附件")
    );

    // A broken copy inside the index: the open fails naming the copy.
    drop(index);
    let copy = dir.path().join("config").join("hs-chapters.toml");
    std::fs::copy(&broken_file, &copy).expect("break the copy");
    let err = message(Index::open(dir.path()).expect_err("refused"));
    assert!(
        err.contains(&copy.display().to_string()) && err.contains("chapter 95 is missing"),
        "{err}"
    );

    // No file at all: no chapters, the barrier check still answers.
    std::fs::remove_file(&copy).expect("remove the copy");
    let index = Index::open(dir.path()).expect("open without hs-chapters.toml");
    assert!(index.hs_chapters().is_none());
    let report = index
        .barriers(&BarrierRequest {
            hs: Some("9503".into()),
            ..BarrierRequest::default()
        })
        .expect("barriers without chapter names");
    assert_eq!(report.hs.and_then(|h| h.chapter_zh), None);
}

/// The Chinese standards of a dossier on an index of `paths`, ingested in that order.
fn dossier_chinese(paths: &[PathBuf]) -> Vec<String> {
    let dir = tempfile::tempdir().expect("tempdir");
    let index = build_index(dir.path(), paths);
    let dossier = index
        .dossier(&DossierRequest {
            barrier: BarrierRequest {
                market: Some("European Union".into()),
                hs: Some("84".into()),
                open_on: Some(date("2026-12-01")),
                ..BarrierRequest::default()
            },
            lead_days: 30,
        })
        .expect("dossier");
    dossier.chinese.into_iter().map(|c| c.id).collect()
}

#[test]
fn dossier_chinese_standards_keep_their_order_whatever_the_ingest_order() {
    // The medical-device catalog holds many standards whose titles match chapter 84's names
    // equally well (医用电气设备 第2-xx部分): their order must not depend on which document
    // the ingest wrote first.
    let Some(notifications) = shared_notifications() else {
        return;
    };
    let catalogs = root().join("../shared/data/catalogs");
    let mut paths = vec![
        catalogs.join("standards-facts.jsonl"),
        catalogs.join("medical-device-standards.json"),
        catalogs.join("sports-standards-catalog.json"),
        notifications,
    ];
    let forward = dossier_chinese(&paths);
    paths.reverse();
    let backward = dossier_chinese(&paths);
    assert!(forward.len() >= 10, "{forward:?}");
    assert_eq!(forward, backward);
}
