//! Fuzzes query understanding and search: a tiny index (the fixture catalog) is built once per
//! process in a temp dir, then every input becomes the `q` of a search with snippets, so
//! `query::plan`, the query builder and the snippet highlighter all see arbitrary text. The first
//! byte varies sort and kind.
#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use biaozhun_index::{query, Index, SearchRequest, Sort};
use biaozhun_ingest::batch::{ingest_paths, BatchOptions};
use biaozhun_ingest::catalog::Aliases;
use libfuzzer_sys::fuzz_target;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn index() -> &'static Index {
    static INDEX: OnceLock<(tempfile::TempDir, Index)> = OnceLock::new();
    let (_, index) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = root().join("index-config");
        let mut index = Index::open_or_create(dir.path(), &config).expect("create index");
        let aliases = Aliases::load_dir(&config).expect("aliases");
        let mut opts = BatchOptions::new(aliases);
        opts.extract.ocr = false;
        opts.extract.external_tools = false;
        let f = root().join("fixtures");
        let paths = [
            f.join("catalog/standards.jsonl"),
            f.join("notifications/notifications.jsonl"),
            f.join("texts"),
            f.join("regulations"),
        ];
        let _ = ingest_paths(&paths, &opts, &mut index, &|_| {});
        (dir, index)
    });
    index
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, rest)) = data.split_first() else {
        return;
    };
    let Ok(q) = std::str::from_utf8(rest) else {
        return;
    };
    if q.chars().count() > 512 {
        return; // the API refuses longer queries (max_query_chars)
    }
    let index = index();
    let plan = query::plan(index, q);
    let _ = plan.highlight_terms();
    let _ = plan.understood();
    let mut req = SearchRequest {
        q: q.to_string(),
        snippets: true,
        limit: 10,
        ..Default::default()
    };
    req.sort = match sel % 4 {
        0 => Sort::Relevance,
        1 => Sort::IssueDate,
        2 => Sort::ImplementDate,
        _ => Sort::Code,
    };
    if sel & 0x10 != 0 {
        req.kind = Some(biaozhun_model::RecordKind::Standard);
    }
    if let Ok(resp) = index.search(&req) {
        for hit in &resp.hits {
            for h in &hit.highlights {
                for &(a, b) in &h.ranges {
                    assert!(h.text.get(a..b).is_some(), "highlight range {a}..{b} of {:?}", h.text);
                }
            }
        }
    }
});
