//! Upsert, merge, delete, file hashes, get.

use biaozhun_index::{Index, SearchRequest};
use biaozhun_model::{Record, Store};
use biaozhun_model::{Standard, StandardCode};

fn std_rec(code: &str, title: &str) -> Record {
    let mut s = Standard::new(StandardCode::parse(code).expect("code"));
    s.title_zh = Some(title.to_string());
    s.sources.push("catalog.jsonl".into());
    Record::Standard(s)
}

fn count(index: &Index, q: &str) -> u64 {
    index
        .search(&SearchRequest {
            q: q.into(),
            ..Default::default()
        })
        .expect("search")
        .total
}

#[test]
fn upsert_replaces_and_delete_removes() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = Index::open_or_create(dir.path(), &crate::config_dir()).expect("create");
    index
        .put(
            vec![std_rec("GB/T 7714-2015", "信息与文献 参考文献著录规则")],
            &[("a.jsonl".into(), "h1".into())],
        )
        .expect("put");
    assert!(index.seen("a.jsonl", "h1"), "pending files count as seen");
    index.commit().expect("commit");
    index
        .put(
            vec![std_rec("GBT7714—2015", "信息与文献 参考文献著录规则")],
            &[],
        )
        .expect("put again");
    index.commit().expect("commit");
    assert_eq!(
        count(&index, "GB/T 7714-2015"),
        1,
        "no duplicate after re-ingest"
    );
    assert!(index.seen("a.jsonl", "h1"));
    assert!(!index.seen("a.jsonl", "h2"));
    let s = index
        .get_standard("GB/T 7714-2015")
        .expect("get")
        .expect("found");
    assert_eq!(s.title_zh.as_deref(), Some("信息与文献 参考文献著录规则"));
    index.delete("GB/T 7714-2015").expect("delete");
    assert_eq!(count(&index, "参考文献"), 0);
    assert!(index.get_standard("GB/T 7714-2015").expect("get").is_none());
    let stats = index.stats().expect("stats");
    assert_eq!(stats.kinds.get("file"), Some(&1));
}

#[test]
fn fixture_records_round_trip() {
    let index = crate::fixture_index();
    let s = index
        .get_standard("DB62/T 4475-2021")
        .expect("get")
        .expect("found");
    assert!(
        !s.sections.is_empty(),
        "full text merged into the catalog record"
    );
    assert!(s.title_zh.is_some());
    let n = index
        .get_notification("G/TBT/N/USA/2146")
        .expect("get")
        .expect("found");
    assert_eq!(n.member.as_deref(), Some("USA"));
    let stats = index.stats().expect("stats");
    assert!(stats.kinds["standard"] >= 70, "{stats:?}");
    assert!(stats.kinds["notification"] >= 20, "{stats:?}");
}

#[test]
fn an_index_of_an_older_schema_asks_for_a_re_ingest() {
    let dir = tempfile::tempdir().expect("tmp");
    drop(Index::open_or_create(dir.path(), &crate::config_dir()).expect("create"));
    let meta = dir.path().join("biaozhun-index.json");
    let text = std::fs::read_to_string(&meta).expect("meta");
    let current = format!(
        "\"schema_version\": {}",
        biaozhun_index::config::SCHEMA_VERSION
    );
    assert!(text.contains(&current), "{text}");
    std::fs::write(&meta, text.replace(&current, "\"schema_version\": 1")).expect("write");
    for err in [
        Index::open(dir.path()).expect_err("old schema"),
        Index::open_or_create(dir.path(), &crate::config_dir()).expect_err("old schema"),
    ] {
        let msg = err.to_string();
        assert!(
            msg.contains("schema version 1") && msg.contains("re-ingest"),
            "{msg}"
        );
    }
}

/// Column handles are cached per segment: searches after later commits (new segments, merged
/// and deleted ones) still see every document's facets and sort values.
#[test]
fn facets_and_sorts_stay_right_across_commits() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = Index::open_or_create(dir.path(), &crate::config_dir()).expect("create");
    let search = |sort| {
        index
            .search(&SearchRequest {
                q: "马铃薯".into(),
                sort,
                ..Default::default()
            })
            .expect("search")
    };
    index
        .upsert(vec![std_rec("DB62/T 1000-2020", "马铃薯 种薯生产技术规程")])
        .expect("upsert");
    index.commit_writes().expect("commit");
    let r = search(biaozhun_index::Sort::Relevance);
    assert_eq!(r.total, 1);
    index
        .upsert(vec![std_rec("DB37/T 900-2021", "马铃薯 贮藏技术规程")])
        .expect("upsert");
    index.commit_writes().expect("commit");
    for round in 0..2 {
        let r = search(biaozhun_index::Sort::Code);
        assert_eq!(r.total, 2, "round {round}");
        let codes: Vec<_> = r.hits.iter().filter_map(|h| h.code.clone()).collect();
        assert_eq!(
            codes,
            ["DB37/T 900-2021", "DB62/T 1000-2020"],
            "round {round}"
        );
        let regions: Vec<_> = r.facets["region"]
            .iter()
            .map(|f| f.value.as_str())
            .collect();
        assert!(
            regions.contains(&"62") && regions.contains(&"37"),
            "{regions:?}"
        );
    }
    index.delete("DB62/T 1000-2020").expect("delete");
    let r = search(biaozhun_index::Sort::Relevance);
    assert_eq!(r.total, 1);
    assert_eq!(r.facets["region"].len(), 1);
}

/// `optimize` merges the segments of several commits into one, drops replaced documents, and
/// answers searches as before; the index can be written to and optimized again afterwards.
#[test]
fn optimize_merges_segments_and_keeps_answers() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = Index::open_or_create(dir.path(), &crate::config_dir()).expect("create");
    let titles = ["苹果 生产技术规程", "梨 贮藏技术规范", "葡萄 栽培技术规程"];
    for (i, t) in titles.iter().enumerate() {
        index
            .put(vec![std_rec(&format!("DB62/T {}-2020", 100 + i), t)], &[])
            .expect("put");
        index.commit().expect("commit");
    }
    // A re-import replaces one record: its old document is deleted, not yet purged.
    index
        .put(vec![std_rec("DB62/T 100-2020", "苹果 生产技术规程")], &[])
        .expect("put");
    index.commit().expect("commit");
    let before: Vec<u64> = ["技术规程", "苹果", "梨", "DB62/T 101"]
        .iter()
        .map(|q| count(&index, q))
        .collect();
    drop(index);
    let index = Index::open_writable(dir.path()).expect("open writable");
    let r = index.optimize().expect("optimize");
    assert!(r.segments_before >= 3, "{r:?}");
    assert_eq!(r.segments_after, 1, "{r:?}");
    assert_eq!(r.documents, 3, "replaced document purged: {r:?}");
    let after: Vec<u64> = ["技术规程", "苹果", "梨", "DB62/T 101"]
        .iter()
        .map(|q| count(&index, q))
        .collect();
    assert_eq!(before, after);
    assert_eq!(after, [2, 1, 1, 1]);
    let r = index.optimize().expect("optimize again");
    assert_eq!((r.segments_before, r.segments_after), (1, 1));
    assert!(Index::open(dir.path())
        .expect("read-only")
        .optimize()
        .is_err());
}

/// A new index gets small document-store blocks (a hit's head is read by decompressing its
/// whole block; see `DOCSTORE_BLOCKSIZE`), and heads and records still read back whole across
/// blocks: a record larger than a block, and small ones around it.
#[test]
fn new_indexes_use_small_store_blocks_and_read_records_back() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut index = Index::open_or_create(dir.path(), &crate::config_dir()).expect("create");
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("meta.json")).expect("meta"))
            .expect("meta json");
    assert_eq!(meta["index_settings"]["docstore_blocksize"], 2048);
    let long = "标准正文内容".repeat(2_000);
    let mut big = std_rec("GB/T 7714-2015", "信息与文献 参考文献著录规则");
    if let Record::Standard(s) = &mut big {
        s.scope = Some(long.clone());
    }
    index
        .put(
            vec![
                std_rec("GB 2760-2014", "食品添加剂使用标准"),
                big,
                std_rec("GB 2762-2022", "食品中污染物限量"),
            ],
            &[],
        )
        .expect("put");
    index.commit().expect("commit");
    for (id, title) in [
        ("GB 2760-2014", "食品添加剂使用标准"),
        ("GB/T 7714-2015", "信息与文献 参考文献著录规则"),
        ("GB 2762-2022", "食品中污染物限量"),
    ] {
        let s = index.get_standard(id).expect("get").expect("found");
        assert_eq!(s.title_zh.as_deref(), Some(title));
        if id == "GB/T 7714-2015" {
            assert_eq!(s.scope.as_deref(), Some(long.as_str()));
        }
    }
    let hits = index
        .search(&SearchRequest {
            q: "食品".into(),
            ..Default::default()
        })
        .expect("search")
        .hits;
    assert_eq!(hits.len(), 2);
}
