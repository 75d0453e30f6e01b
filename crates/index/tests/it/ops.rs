//! Operations on an index directory: snapshot and restore (while another thread ingests; a
//! truncated archive), and re-index into a new generation behind the alias.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use biaozhun_index::snapshot::{self, SnapshotError};
use biaozhun_index::{alias, reindex, Index};
use biaozhun_ingest::batch::{ingest_paths, BatchOptions};
use biaozhun_ingest::catalog::Aliases;
use biaozhun_model::Record;
use biaozhun_model::{Standard, StandardCode};

use crate::{build_index, config_dir, root};

fn standard(n: usize) -> Record {
    let code = format!("GB/T {}-2020", 90000 + n);
    let mut s = Standard::new(StandardCode::parse(&code).expect("code"));
    s.title_zh = Some(format!("试验标准第{n}号"));
    Record::Standard(s)
}

fn count(index: &Index, kind: &str) -> u64 {
    index
        .stats()
        .expect("stats")
        .kinds
        .get(kind)
        .copied()
        .unwrap_or(0)
}

/// Writes state files of the kinds later features keep beside the index.
fn write_state(dir: &Path) {
    std::fs::write(dir.join("watchlists.json"), r#"{"lists":["GB/T 7714"]}"#).expect("state");
    std::fs::create_dir_all(dir.join("jobs/job-1")).expect("jobs");
    std::fs::write(dir.join("jobs/job-1/job.json"), r#"{"id":"job-1"}"#).expect("job");
}

#[test]
fn snapshot_round_trip_while_ingesting() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = Arc::new(build_index(
        dir.path(),
        &[root().join("fixtures/catalog/standards.jsonl")],
    ));
    write_state(dir.path());
    let before = count(&index, "standard");
    assert!(before > 0);
    // A writer commits small batches the whole time the snapshots are taken.
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let (index, stop) = (index.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                index
                    .upsert(vec![standard(n), standard(n + 1)])
                    .expect("upsert");
                index.commit_writes().expect("commit");
                n += 2;
            }
            n
        })
    };
    let out = tempfile::tempdir().expect("out");
    let mut reports = Vec::new();
    for i in 0..3 {
        let archive = out.path().join(format!("snap-{i}.tar.zst"));
        reports.push(snapshot::snapshot(dir.path(), &archive).expect("snapshot"));
    }
    stop.store(true, Ordering::Relaxed);
    let written = writer.join().expect("writer");
    assert!(written > 0, "the writer committed meanwhile");
    for (i, r) in reports.iter().enumerate() {
        assert_eq!(r.state_files, 2, "{r:?}");
        let target = out.path().join(format!("restored-{i}"));
        let restored = snapshot::restore(&r.path, &target, false).expect("restore");
        assert_eq!(restored.files, r.files);
        // The restored index opens, holds at least what was there before the writer started,
        // and every test standard it holds is whole (one commit, not a mix).
        let back = Index::open(&target).expect("open restored");
        let n = count(&back, "standard");
        assert!(n >= before, "{n} < {before}");
        assert!(n <= before + written as u64);
        assert_eq!(
            back.get_standard("GB/T 7714-2015").expect("get").is_some(),
            index.get_standard("GB/T 7714-2015").expect("get").is_some()
        );
        assert_eq!(
            std::fs::read_to_string(target.join("jobs/job-1/job.json")).expect("state back"),
            r#"{"id":"job-1"}"#
        );
        assert!(target.join("watchlists.json").is_file());
    }
}

#[test]
fn restore_refuses_non_empty_targets_and_truncated_archives() {
    let dir = tempfile::tempdir().expect("tmp");
    let index = build_index(
        dir.path(),
        &[root().join("fixtures/catalog/standards.jsonl")],
    );
    let standards = count(&index, "standard");
    drop(index);
    let out = tempfile::tempdir().expect("out");
    let archive = out.path().join("snap.tar.zst");
    snapshot::snapshot(dir.path(), &archive).expect("snapshot");

    // A target holding another index: refused without --force.
    let target = out.path().join("target");
    let other = build_index(
        &target,
        &[root().join("fixtures/notifications/notifications.jsonl")],
    );
    let notifications = count(&other, "notification");
    drop(other);
    let err = snapshot::restore(&archive, &target, false).expect_err("non-empty");
    assert!(matches!(err, SnapshotError::TargetNotEmpty(_)), "{err}");

    // Truncated at several points, the archive is refused and the target is left as it was.
    let bytes = std::fs::read(&archive).expect("read");
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 40] {
        let bad = out.path().join(format!("cut-{cut}.tar.zst"));
        std::fs::write(&bad, &bytes[..cut]).expect("write");
        let err = snapshot::restore(&bad, &target, true).expect_err("truncated");
        assert!(matches!(err, SnapshotError::BadArchive { .. }), "{err}");
        assert!(err.to_string().contains("cut-"), "names the archive: {err}");
        let still = Index::open(&target).expect("target untouched");
        assert_eq!(count(&still, "notification"), notifications);
        assert_eq!(count(&still, "standard"), 0);
    }
    // Not an archive at all.
    let junk = out.path().join("junk.tar.zst");
    std::fs::write(&junk, b"not a snapshot").expect("write");
    assert!(snapshot::restore(&junk, &target, true).is_err());
    // The whole archive with --force replaces the target.
    snapshot::restore(&archive, &target, true).expect("forced restore");
    let back = Index::open(&target).expect("open");
    assert_eq!(count(&back, "standard"), standards);
    assert_eq!(count(&back, "notification"), 0);
    // No staging folders left beside the target.
    let leftovers: Vec<_> = std::fs::read_dir(out.path())
        .expect("ls")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".biaozhun-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn reindex_builds_a_new_generation_and_keeps_state() {
    let dir = tempfile::tempdir().expect("tmp");
    let f = root().join("fixtures");
    let index = build_index(
        dir.path(),
        &[
            f.join("catalog/standards.jsonl"),
            f.join("notifications/notifications.jsonl"),
            f.join("texts"),
        ],
    );
    write_state(dir.path());
    let kinds = index.stats().expect("stats").kinds;
    let body = index.get_standard("GB/T 7714-2015").expect("get");
    drop(index);

    let report = reindex::reindex_dir(dir.path(), &config_dir()).expect("reindex");
    assert_eq!((report.from_generation, report.to_generation), (0, 1));
    assert_eq!(report.unreadable, 0);
    let index = Index::open(dir.path()).expect("open");
    assert_eq!(index.generation(), 1);
    assert_eq!(
        index.stats().expect("stats").kinds,
        kinds,
        "same documents, files included"
    );
    assert_eq!(index.get_standard("GB/T 7714-2015").expect("get"), body);
    // State stays at the root; the old generation's files are gone from it.
    assert!(dir.path().join("watchlists.json").is_file());
    assert!(dir.path().join("jobs/job-1/job.json").is_file());
    assert!(!dir.path().join("meta.json").exists());
    assert!(!dir.path().join(alias::META_FILE).exists());
    // Re-ingesting the same files skips them: the file bookkeeping came along.
    let mut w = Index::open_or_create(dir.path(), &config_dir()).expect("writable");
    let opts = BatchOptions::new(Aliases::load_dir(&config_dir()).expect("aliases"));
    let again = ingest_paths(&[f.join("texts")], &opts, &mut w, &|_| {});
    assert!(again.files > 0);
    assert_eq!(again.skipped, again.files, "{again:?}");
    // A second re-index through an open writer handle.
    let (next, r2) = w.reindex(&config_dir()).expect("reindex again");
    assert_eq!(r2.to_generation, 2);
    assert_eq!(next.stats().expect("stats").kinds, kinds);
    drop(w);
    alias::remove_generation(dir.path(), 1).expect("remove");
    assert_eq!(Index::open(dir.path()).expect("open").generation(), 2);
    assert!(!dir.path().join("generations/gen-000001").exists());
}

#[test]
fn reindex_refuses_an_index_another_writer_holds() {
    let dir = tempfile::tempdir().expect("tmp");
    let _writer = build_index(
        dir.path(),
        &[root().join("fixtures/catalog/standards.jsonl")],
    );
    let err = reindex::reindex_dir(dir.path(), &config_dir()).expect_err("locked");
    assert!(err.to_string().contains("admin/reindex"), "{err}");
    assert_eq!(alias::resolve(dir.path()).expect("alias").generation, 0);
    assert!(!dir.path().join("generations/gen-000001").exists());
}
