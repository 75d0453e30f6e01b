//! The edition table stored beside the segments: read back only when it was written for the
//! very segments, deletes and rules of the index; otherwise (missing, stale, damaged) rebuilt,
//! and the statuses and chains are the same either way.

use std::collections::BTreeMap;
use std::path::Path;

use biaozhun_index::{Index, TableOrigin};
use biaozhun_model::{Record, Standard, StandardCode, Status, Store};
use chrono::NaiveDate;

const FILE: &str = "biaozhun-editions.bin";

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

/// Every standard's status on several dates, and the chain of every standard as JSON: what
/// search, record pages and 查新 read of the table.
fn answers(index: &Index) -> BTreeMap<String, (Vec<Option<Status>>, String)> {
    let table = index.editions().expect("table");
    let dates = [
        "2000-01-01",
        "2016-06-01",
        "2021-09-03",
        "2024-07-01",
        "2030-01-01",
    ];
    let mut out = BTreeMap::new();
    for id in table.ids().expect("ids") {
        let statuses = dates
            .iter()
            .map(|d| table.verdict(&id, date(d)).and_then(|v| v.status))
            .collect();
        let code = StandardCode::parse(&id).expect("id parses");
        let chain = index
            .edition_chain(&code, date("2024-07-01"))
            .expect("chain");
        let chain = serde_json::to_string(&chain).expect("json");
        out.insert(id, (statuses, chain));
    }
    out
}

/// The same index's answers from a build that ignores any stored file.
fn fresh(dir: &Path) -> BTreeMap<String, (Vec<Option<Status>>, String)> {
    let file = dir.join(FILE);
    let saved = std::fs::read(&file).ok();
    let _ = std::fs::remove_file(&file);
    let index = Index::open(dir).expect("open");
    assert_eq!(
        *index.editions().expect("table").origin(),
        TableOrigin::Missing
    );
    let out = answers(&index);
    if let Some(bytes) = saved {
        std::fs::write(&file, bytes).expect("restore file");
    }
    out
}

fn std_rec(code: &str, f: impl FnOnce(&mut Standard)) -> Record {
    let mut s = Standard::new(StandardCode::parse(code).expect("code"));
    s.title_zh = Some(format!("标准 {code}"));
    s.sources.push("test.jsonl".into());
    f(&mut s);
    Record::Standard(s)
}

/// The fixture catalog, committed once (one segment, its table stored by the commit).
fn catalog_index(dir: &Path) -> Index {
    crate::build_index(
        dir,
        &[crate::root().join("fixtures/catalog/standards.jsonl")],
    )
}

/// A second commit: a new edition that replaces a standard of the first segment (its status
/// changes without its document changing), and an update of another (a delete in the first
/// segment).
fn second_commit(index: &mut Index) {
    index
        .put(
            vec![
                std_rec("GB 2763-2030", |s| {
                    s.replaces = vec![StandardCode::parse("GB 2763-2021").expect("code")];
                    s.implement_date = Some(date("2029-09-03"));
                }),
                std_rec("GB 2763-2021", |s| {
                    s.abolish_date = Some(date("2031-01-01"));
                }),
            ],
            &[],
        )
        .expect("put");
    index.commit().expect("commit");
}

#[test]
fn a_commit_stores_the_table_and_an_open_reads_it_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let built = {
        let index = catalog_index(dir.path());
        answers(&index)
    };
    assert!(
        dir.path().join(FILE).is_file(),
        "the commit stored the table"
    );
    assert!(built.len() > 20, "{}", built.len());
    let index = Index::open(dir.path()).expect("open");
    assert_eq!(
        *index.editions().expect("table").origin(),
        TableOrigin::Stored
    );
    assert_eq!(answers(&index), built);
    assert_eq!(fresh(dir.path()), built);
}

#[test]
fn a_commit_adding_a_segment_gives_the_statuses_of_a_fresh_build() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = catalog_index(dir.path());
    let before = std::fs::read(dir.path().join(FILE)).expect("first file");
    let first = answers(&index);
    second_commit(&mut index);
    drop(index);
    let after = std::fs::read(dir.path().join(FILE)).expect("second file");
    assert_ne!(before, after, "the second commit stored a new table");

    let index = Index::open(dir.path()).expect("open");
    assert!(index.stats().expect("stats").segments >= 2);
    assert_eq!(
        *index.editions().expect("table").origin(),
        TableOrigin::Stored
    );
    let stored = answers(&index);
    assert_eq!(stored, fresh(dir.path()));
    // The new edition's link reached the first segment's record.
    let on_2030 = |a: &BTreeMap<String, (Vec<Option<Status>>, String)>| {
        a.get("GB 2763-2021").map(|(s, _)| s[4])
    };
    assert_eq!(on_2030(&first), Some(Some(Status::Current)));
    assert_eq!(on_2030(&stored), Some(Some(Status::Replaced)));
}

#[test]
fn a_stale_file_is_ignored_and_rebuilt() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = catalog_index(dir.path());
    let old = std::fs::read(dir.path().join(FILE)).expect("first file");
    second_commit(&mut index);
    drop(index);
    // The file of the first commit beside the segments of the second.
    std::fs::write(dir.path().join(FILE), &old).expect("write");
    let index = Index::open(dir.path()).expect("open");
    let table = index.editions().expect("table");
    assert!(
        matches!(table.origin(), TableOrigin::Stale(_)),
        "{:?}",
        table.origin()
    );
    let rebuilt = answers(&index);
    drop(index);
    assert_eq!(
        std::fs::read(dir.path().join(FILE)).expect("file"),
        old,
        "a read-only handle never writes"
    );
    // A writable handle stores the rebuilt table; the next open reads it.
    let index = Index::open_writable(dir.path()).expect("open writable");
    assert!(matches!(
        index.editions().expect("table").origin(),
        TableOrigin::Stale(_)
    ));
    drop(index);
    let index = Index::open(dir.path()).expect("open");
    assert_eq!(
        *index.editions().expect("table").origin(),
        TableOrigin::Stored
    );
    assert_eq!(answers(&index), rebuilt);
}

#[test]
fn a_damaged_file_is_rebuilt_without_error() {
    let dir = tempfile::tempdir().expect("tmp");
    let built = answers(&catalog_index(dir.path()));
    let file = dir.path().join(FILE);
    let good = std::fs::read(&file).expect("file");
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    let damaged: [Vec<u8>; 4] = [
        flipped,
        good[..good.len() / 3].to_vec(),
        Vec::new(),
        b"not a table at all, but long enough to have a checksum".to_vec(),
    ];
    for bytes in damaged {
        std::fs::write(&file, &bytes).expect("write");
        let index = Index::open(dir.path()).expect("open");
        let table = index.editions().expect("a damaged file is no error");
        assert!(
            matches!(table.origin(), TableOrigin::Unreadable(_)),
            "{} bytes: {:?}",
            bytes.len(),
            table.origin()
        );
        assert_eq!(answers(&index), built);
    }
}

/// A reload that changes no segment keeps the table: tantivy's watcher reloads the reader once
/// right after an open (when it first reads `meta.json`), which made the first search after
/// `warm` build the table again. A commit that changes the segments still gets a new one.
#[test]
fn a_reload_without_new_segments_keeps_the_table() {
    let dir = tempfile::tempdir().expect("tmp");
    drop(catalog_index(dir.path()));
    std::fs::remove_file(dir.path().join(FILE)).expect("remove the stored table");
    let mut index = Index::open_writable(dir.path()).expect("open");
    let before = index.editions().expect("table");
    assert_eq!(*before.origin(), TableOrigin::Missing);
    index.reload().expect("reload");
    let after = index.editions().expect("table");
    assert!(
        std::sync::Arc::ptr_eq(&before, &after),
        "the same segments under a new generation rebuilt the table"
    );
    second_commit(&mut index);
    let changed = index.editions().expect("table");
    assert!(!std::sync::Arc::ptr_eq(&before, &changed));
    assert_eq!(answers(&index), fresh(dir.path()));
}

/// The stored edition graph beside the table (read at the first chain instead of building).
const GRAPH: &str = "biaozhun-editions.bin.graph";

/// A commit stores the graph with the table; the first chain after an open reads it back, and
/// every status and chain equals those of a build.
#[test]
fn the_first_chain_after_an_open_reads_the_stored_graph() {
    let dir = tempfile::tempdir().expect("tmp");
    let built = {
        let index = catalog_index(dir.path());
        let table = index.editions().expect("table");
        // Built by the commit: the graph came with the table.
        assert!(table.graph_origin().is_some());
        answers(&index)
    };
    assert!(
        dir.path().join(GRAPH).is_file(),
        "the commit stored the graph"
    );
    let index = Index::open(dir.path()).expect("open");
    let table = index.editions().expect("table");
    assert_eq!(*table.origin(), TableOrigin::Stored);
    assert_eq!(table.graph_origin(), None, "no chain asked yet");
    let stored = answers(&index);
    assert_eq!(table.graph_origin(), Some(&TableOrigin::Stored));
    assert_eq!(stored, built);
    // Codes only named by links are chains too (asked exactly, and undated).
    let g = |c: &str| {
        let code = StandardCode::parse(c).expect("code");
        serde_json::to_string(
            &index
                .edition_chain(&code, date("2024-07-01"))
                .expect("chain"),
        )
        .expect("json")
    };
    let probes: Vec<String> = built
        .values()
        .flat_map(|(_, chain)| {
            let v: serde_json::Value = serde_json::from_str(chain).expect("json");
            v["editions"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|e| e["in_index"] == false)
                .filter_map(|e| e["id"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        !probes.is_empty(),
        "the catalog names editions it does not hold"
    );
    let fresh_dir = tempfile::tempdir().expect("tmp");
    let fresh_index = catalog_index(fresh_dir.path());
    for c in probes
        .iter()
        .chain(&["GB 2763".to_string(), "GB 9999-1999".to_string()])
    {
        let code = StandardCode::parse(c).expect("code");
        let want = serde_json::to_string(
            &fresh_index
                .edition_chain(&code, date("2024-07-01"))
                .expect("chain"),
        )
        .expect("json");
        assert_eq!(g(c), want, "{c}");
    }
}

/// A damaged graph file, or one stored for other segments, is built again (never an error,
/// never another answer); `optimize` writes a missing graph file.
#[test]
fn a_damaged_or_stale_graph_file_is_built_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = catalog_index(dir.path());
    let graph = dir.path().join(GRAPH);
    let first = std::fs::read(&graph).expect("graph of the first commit");
    second_commit(&mut index);
    let built = answers(&index);
    drop(index);
    let good = std::fs::read(&graph).expect("graph");
    assert_ne!(good, first);
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x40;
    for (bytes, stale) in [
        (flipped, false),
        (good[..good.len() / 2].to_vec(), false),
        (Vec::new(), false),
        (first, true),
    ] {
        std::fs::write(&graph, &bytes).expect("write");
        let index = Index::open(dir.path()).expect("open");
        let table = index.editions().expect("table");
        assert_eq!(*table.origin(), TableOrigin::Stored);
        assert_eq!(answers(&index), built, "{} bytes", bytes.len());
        let origin = table.graph_origin().expect("a chain was asked");
        if stale {
            assert!(matches!(origin, TableOrigin::Stale(_)), "{origin:?}");
        } else {
            assert!(matches!(origin, TableOrigin::Unreadable(_)), "{origin:?}");
        }
        assert_eq!(
            std::fs::read(&graph).expect("graph"),
            bytes,
            "read-only: no write"
        );
    }
    // One segment, its table stored, its graph file gone: `optimize` merges nothing, reads
    // the table back and builds and stores the graph.
    let dir = tempfile::tempdir().expect("tmp");
    let built = {
        let index = catalog_index(dir.path());
        index.optimize().expect("optimize");
        answers(&index)
    };
    let graph = dir.path().join(GRAPH);
    std::fs::remove_file(&graph).expect("remove");
    let index = Index::open_writable(dir.path()).expect("open writable");
    index.optimize().expect("optimize");
    assert_eq!(
        *index.editions().expect("table").origin(),
        TableOrigin::Stored
    );
    drop(index);
    assert!(graph.is_file(), "optimize stored the graph");
    let index = Index::open(dir.path()).expect("open");
    assert_eq!(answers(&index), built);
    assert_eq!(
        index.editions().expect("table").graph_origin(),
        Some(&TableOrigin::Stored)
    );
}
