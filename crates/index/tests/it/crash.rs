//! A process killed with SIGKILL during an ingest leaves an index that opens with everything up
//! to the last commit; re-running the ingest completes it without duplicates.
//!
//! The child is this test binary itself, run with `BZ_CRASH_CHILD=<dir>`: it ingests batches of
//! generated standards, committing after each and printing `committed N`, slowly enough for the
//! parent to kill it in the middle.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use biaozhun_index::{Index, SearchRequest};
use biaozhun_model::{Record, Store};
use biaozhun_model::{Standard, StandardCode};

const BATCHES: usize = 20;
const PER_BATCH: usize = 50;

fn batch(b: usize) -> Vec<Record> {
    (0..PER_BATCH)
        .map(|i| {
            let n = b * PER_BATCH + i + 1;
            let mut s =
                Standard::new(StandardCode::parse(&format!("GB/T {n}-2020")).expect("code"));
            s.title_zh = Some(format!("测试标准 第{n}号 马铃薯种薯"));
            Record::Standard(s)
        })
        .collect()
}

fn ingest(index: &mut Index, announce: bool) {
    for b in 0..BATCHES {
        let path = format!("batch-{b}.jsonl");
        if index.seen(&path, "v1") {
            continue;
        }
        index.put(batch(b), &[(path, "v1".into())]).expect("put");
        index.commit().expect("commit");
        if announce {
            println!("committed {}", b + 1);
            std::thread::sleep(std::time::Duration::from_millis(30));
        }
    }
}

fn standards(index: &Index) -> u64 {
    index.reload().expect("reload");
    index.stats().expect("stats").kinds["standard"]
}

#[test]
fn child_process() {
    let Ok(dir) = std::env::var("BZ_CRASH_CHILD") else {
        return;
    };
    let mut index =
        Index::open_or_create(std::path::Path::new(&dir), &crate::config_dir()).expect("open");
    ingest(&mut index, true);
}

#[test]
fn sigkill_during_ingest_then_rerun() {
    let dir = tempfile::tempdir().expect("tmp");
    let exe = std::env::current_exe().expect("test binary");
    let mut child = Command::new(exe)
        .args([
            "--exact",
            "crash::child_process",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("BZ_CRASH_CHILD", dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn child");
    let out = child.stdout.take().expect("stdout");
    let mut last = 0;
    for line in BufReader::new(out).lines() {
        let line = line.expect("line");
        if let Some(n) = line.strip_prefix("committed ") {
            last = n.trim().parse::<usize>().expect("n");
            if last >= 5 {
                break;
            }
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    assert!(last >= 5, "child committed {last} batches");

    let mut index =
        Index::open_or_create(dir.path(), &crate::config_dir()).expect("reopen after kill");
    let after_kill = standards(&index);
    assert!(
        after_kill >= (last * PER_BATCH) as u64,
        "{after_kill} < {last} batches"
    );
    assert!(
        after_kill < (BATCHES * PER_BATCH) as u64,
        "the kill came before the end"
    );
    assert_eq!(
        after_kill % PER_BATCH as u64,
        0,
        "only whole batches are visible"
    );

    ingest(&mut index, false);
    assert_eq!(
        standards(&index),
        (BATCHES * PER_BATCH) as u64,
        "completed, no duplicates"
    );
    let r = index
        .search(&SearchRequest {
            q: "GB/T 7-2020".into(),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(r.hits.first().map(|h| h.id.as_str()), Some("GB/T 7-2020"));
    assert_eq!(r.hits.iter().filter(|h| h.id == "GB/T 7-2020").count(), 1);
}
