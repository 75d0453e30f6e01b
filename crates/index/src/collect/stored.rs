//! The column cache's arrays ([`SegmentColumns`]: each document's status inputs, id hash and
//! facet ordinals) in a file beside the segments ([`COLUMNS_FILE`]), so an open reads them
//! back instead of decoding tantivy's fast columns for every document: at 550k documents (the
//! 300k bench index) that decoding was ~0.1 s of every start, beside jieba's dictionary the
//! largest step before the first answer.
//!
//! The file is a cache, never the truth. Each segment's arrays are used only when the file
//! holds them for that segment id and document count (segments never change; deletes do not
//! touch these arrays) and the file was written by these rules: the key hashes the marked
//! regions of `collect.rs` (`// column-cache rules` and `// edition-table rules`: `DocInfo`,
//! `FacetOrds`, `SegmentColumns::open`), this file, and the facet fields of the index's
//! configuration. A segment the file does not hold is built from the columns as before. A
//! checksum over the whole file turns a torn or damaged file into an unreadable one: every
//! segment is built, with a warning, never an error. Writable handles write the file after
//! each commit and `optimize` (when it does not match the searcher already); read-only handles
//! and replicas only read it.
//!
//! Layout (little-endian): magic (8 bytes, the format version in the last), key (u64), segment
//! count (u32) and per segment its id (32 hex digits) and `max_doc` (u32); then per segment:
//! `max_doc` documents of [`DOC_BYTES`] bytes each, `max_doc` id hashes (u64), the row width
//! (u32) and `max_doc * width` row cells (u16), the facet count (u32) and per facet its field
//! name and value names (each: count, text length, text, `count + 1` ends) and either its row
//! slot (tag 0, u32) or its per-document ordinals (tag 1: `max_doc + 1` offsets, ordinal count,
//! ordinals; u32 each); then the CRC-32 of everything before (`bytes::seal`).

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use biaozhun_model::Status;
use tantivy::index::SegmentId;
use tantivy::{Searcher, SegmentReader};

use super::{DocInfo, FacetOrds, FacetValues, SegmentColumns, FILE_FLAG, NO_ORD};
use crate::bytes::{le_u32, seal, unseal, Reader, Unsealed};
use crate::config::fnv64;
use crate::editions::{marked_regions, TABLE_RULES_BEGIN, TABLE_RULES_END};
use crate::fields::names;

pub(crate) use crate::alias::COLUMNS_FILE;

/// Magic and format version (the last byte).
const MAGIC: &[u8; 8] = b"BZCOLS\x00\x01";

/// Bytes per document: three dates (i32), the year (u16), the label and the rank/file byte.
const DOC_BYTES: usize = 16;

/// The comment that starts a region of `collect.rs` whose code decides the stored arrays
/// (besides the edition table's regions, which hold `DocInfo` and `FacetOrds`).
pub(crate) const RULES_BEGIN: &str = "// column-cache rules: begin";
/// The comment that ends such a region.
pub(crate) const RULES_END: &str = "// column-cache rules: end";

/// The key of a file written for `facets` (the index's facet fields, in order) by these rules.
pub(crate) fn key(facets: &[String]) -> u64 {
    static RULES: OnceLock<u64> = OnceLock::new();
    let rules = *RULES.get_or_init(|| {
        let src = include_str!("../collect.rs");
        let ours = marked_regions(src, RULES_BEGIN, RULES_END);
        let tables = marked_regions(src, TABLE_RULES_BEGIN, TABLE_RULES_END);
        fnv64(&[
            MAGIC,
            ours.as_bytes(),
            tables.as_bytes(),
            include_bytes!("stored.rs"),
            include_bytes!("../../../model/src/standard.rs"),
        ])
    });
    let rules = rules.to_le_bytes();
    let mut parts: Vec<&[u8]> = vec![&rules];
    parts.extend(facets.iter().map(|f| f.as_bytes()));
    fnv64(&parts)
}

/// The searcher's segments as the file names them: id and document count.
fn segment_key(searcher: &Searcher) -> Vec<(SegmentId, u32)> {
    searcher
        .segment_readers()
        .iter()
        .map(|r| (r.segment_id(), r.max_doc()))
        .collect()
}

/// The file's bytes for `segments` (each segment's reader and its arrays), under `key`.
pub(crate) fn encode(key: u64, segments: &[(&SegmentReader, &SegmentColumns)]) -> Vec<u8> {
    let size: usize = segments
        .iter()
        .map(|(_, c)| {
            c.docs.len() * (DOC_BYTES + 8) + c.facet_rows.len() * 2 + 4096 * c.facets.len()
        })
        .sum();
    let mut out = Vec::with_capacity(64 + size);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key.to_le_bytes());
    put_u32(&mut out, segments.len());
    for (r, c) in segments {
        out.extend_from_slice(r.segment_id().uuid_string().as_bytes());
        put_u32(&mut out, c.docs.len());
    }
    for (_, c) in segments {
        for d in &c.docs {
            out.extend_from_slice(&d.issue.to_le_bytes());
            out.extend_from_slice(&d.implement.to_le_bytes());
            out.extend_from_slice(&d.abolish.to_le_bytes());
            out.extend_from_slice(&d.year.to_le_bytes());
            out.push(label_byte(d.label));
            out.push(d.rank_file);
        }
        for h in &c.id_hash {
            out.extend_from_slice(&h.to_le_bytes());
        }
        put_u32(&mut out, c.row_width);
        for cell in &c.facet_rows {
            out.extend_from_slice(&cell.to_le_bytes());
        }
        // In a fixed order (the map's is random): equal arrays make equal files.
        let mut facets: Vec<(&String, &Arc<FacetOrds>)> = c.facets.iter().collect();
        facets.sort_by(|a, b| a.0.cmp(b.0));
        put_u32(&mut out, facets.len());
        for (name, f) in facets {
            put_strings(&mut out, std::iter::once(name.as_str()));
            put_strings(&mut out, f.names.iter().map(String::as_str));
            match &f.values {
                FacetValues::Row(slot) => {
                    out.push(0);
                    put_u32(&mut out, *slot);
                }
                FacetValues::Csr { offsets, ords } => {
                    out.push(1);
                    put_u32s(&mut out, offsets);
                    put_u32(&mut out, ords.len());
                    put_u32s(&mut out, ords);
                }
            }
        }
    }
    seal(out)
}

/// Why the file's arrays were not used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Unused {
    /// No file.
    Missing,
    /// Written by other rules or for other facets (every segment is built).
    Stale,
    /// Damaged or not a file of this kind: why (logged as a warning).
    Unreadable(String),
}

/// The arrays of the file `bytes` for those of `searcher`'s segments it holds (by segment id),
/// when it was written under `key`; else why not. Every number is checked against what it
/// indexes, so a file that passes the checksum but is wrong is unreadable, never a panic.
pub(crate) fn decode(
    bytes: &[u8],
    key: u64,
    searcher: &Searcher,
) -> Result<HashMap<SegmentId, SegmentColumns>, Unused> {
    let mut r = unseal(bytes, MAGIC, "a column cache", key).map_err(|e| match e {
        Unsealed::Unreadable(why) => Unused::Unreadable(why),
        Unsealed::Stale => Unused::Stale,
    })?;
    let bad = |why: &str| Unused::Unreadable(why.to_string());
    let truncated = || bad("truncated");
    let n = r.u32().ok_or_else(truncated)? as usize;
    let mut held = Vec::with_capacity(n.min(4096));
    for _ in 0..n {
        let id = r.take(32).ok_or_else(truncated)?;
        let id = std::str::from_utf8(id).map_err(|_| bad("invalid segment id"))?;
        let id = SegmentId::from_uuid_string(id).map_err(|_| bad("invalid segment id"))?;
        let max_doc = r.u32().ok_or_else(truncated)?;
        held.push((id, max_doc));
    }
    let wanted = segment_key(searcher);
    let mut out = HashMap::new();
    for (id, max_doc) in held {
        let arrays = Arrays::read(&mut r, max_doc as usize).ok_or_else(|| bad("invalid arrays"))?;
        if !wanted.contains(&(id, max_doc)) {
            continue;
        }
        let Some(reader) = searcher
            .segment_readers()
            .iter()
            .find(|s| s.segment_id() == id)
        else {
            continue;
        };
        let cols = arrays
            .into_columns(reader)
            .map_err(|e| Unused::Unreadable(e.to_string()))?;
        out.insert(id, cols);
    }
    if !r.is_empty() {
        return Err(bad("trailing bytes"));
    }
    Ok(out)
}

/// The arrays of the file in `data_dir` for `searcher`'s segments (see [`decode`]).
pub(crate) fn read(
    data_dir: &Path,
    key: u64,
    searcher: &Searcher,
) -> Result<HashMap<SegmentId, SegmentColumns>, Unused> {
    match crate::bytes::read_mapped(&data_dir.join(COLUMNS_FILE)) {
        Ok(bytes) => decode(&bytes, key, searcher),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Err(Unused::Missing),
        Err(e) => Err(Unused::Unreadable(e.to_string())),
    }
}

/// Whether the file in `data_dir` holds exactly `searcher`'s segments under `key` (and is
/// intact): a writer then has nothing to write.
pub(crate) fn is_current(data_dir: &Path, key: u64, searcher: &Searcher) -> bool {
    let Ok(bytes) = crate::bytes::read_mapped(&data_dir.join(COLUMNS_FILE)) else {
        return false;
    };
    let Ok(mut r) = unseal(&bytes, MAGIC, "a column cache", key) else {
        return false;
    };
    let wanted = segment_key(searcher);
    if r.u32() != Some(wanted.len() as u32) {
        return false;
    }
    wanted.iter().all(|(id, max_doc)| {
        r.take(32) == Some(id.uuid_string().as_bytes()) && r.u32() == Some(*max_doc)
    })
}

/// One segment's arrays as read, before they are checked against each other.
struct Arrays {
    docs: Vec<DocInfo>,
    id_hash: Vec<u64>,
    row_width: usize,
    facet_rows: Vec<u16>,
    facets: HashMap<String, Arc<FacetOrds>>,
}

impl Arrays {
    /// Reads one segment's arrays of `max_doc` documents; `None` when cut short or invalid.
    fn read(r: &mut Reader<'_>, max_doc: usize) -> Option<Arrays> {
        let raw = r.take(max_doc.checked_mul(DOC_BYTES)?)?;
        let mut docs = Vec::with_capacity(max_doc);
        for b in raw.chunks_exact(DOC_BYTES) {
            let i32_at = |at: usize| i32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]);
            let rank_file = b[15];
            if rank_file & !FILE_FLAG > 3 {
                return None;
            }
            docs.push(DocInfo {
                issue: i32_at(0),
                implement: i32_at(4),
                abolish: i32_at(8),
                year: u16::from_le_bytes([b[12], b[13]]),
                label: byte_label(b[14])?,
                rank_file,
            });
        }
        let raw = r.take(max_doc.checked_mul(8)?)?;
        let id_hash = raw
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]))
            .collect();
        let row_width = r.u32()? as usize;
        let raw = r.take(max_doc.checked_mul(row_width)?.checked_mul(2)?)?;
        let facet_rows: Vec<u16> = raw
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        let n_facets = r.u32()? as usize;
        let mut facets = HashMap::with_capacity(n_facets.min(64));
        // Each slot's facet's value count: every cell is checked against it after the facets.
        let mut slots: Vec<Option<usize>> = vec![None; row_width];
        for _ in 0..n_facets {
            let mut name = read_strings(r)?;
            if name.len() != 1 {
                return None;
            }
            let name = name.pop()?;
            let value_names = read_strings(r)?;
            let values_len = value_names.len();
            let values = match r.u8()? {
                0 => {
                    let slot = r.u32()? as usize;
                    // One facet per slot.
                    if values_len >= usize::from(NO_ORD)
                        || slots.get_mut(slot)?.replace(values_len).is_some()
                    {
                        return None;
                    }
                    FacetValues::Row(slot)
                }
                1 => {
                    let offsets = read_u32s(r, max_doc.checked_add(1)?)?;
                    let n_ords = r.u32()? as usize;
                    let ords = read_u32s(r, n_ords)?;
                    let offsets_ok = offsets.first() == Some(&0)
                        && offsets.last() == Some(&(n_ords as u32))
                        && offsets.windows(2).all(|w| w[0] <= w[1]);
                    if !offsets_ok || !ords.iter().all(|&o| (o as usize) < values_len) {
                        return None;
                    }
                    FacetValues::Csr { offsets, ords }
                }
                _ => return None,
            };
            let f = FacetOrds {
                names: value_names,
                values,
            };
            if facets.insert(name, Arc::new(f)).is_some() {
                return None;
            }
        }
        // Every slot belongs to a facet, and every cell names one of its values (one pass
        // over the rows, in memory order).
        let counts: Vec<usize> = slots.into_iter().collect::<Option<_>>()?;
        if row_width > 0 {
            for row in facet_rows.chunks_exact(row_width) {
                if !row
                    .iter()
                    .zip(&counts)
                    .all(|(&o, &n)| o == NO_ORD || usize::from(o) < n)
                {
                    return None;
                }
            }
        }
        Some(Arrays {
            docs,
            id_hash,
            row_width,
            facet_rows,
            facets,
        })
    }

    /// The segment's columns: these arrays and the column handles queries read directly.
    fn into_columns(self, reader: &SegmentReader) -> tantivy::Result<SegmentColumns> {
        let ff = reader.fast_fields();
        Ok(SegmentColumns {
            docs: self.docs,
            editions: OnceLock::new(),
            edition_col: ff.str(names::edition)?,
            id_hash: self.id_hash,
            issue_date: ff.i64(names::issue_date)?,
            implement: ff.i64(names::implement_date)?,
            code_sort: ff.str(names::code_sort)?,
            facets: self.facets,
            facet_rows: self.facet_rows,
            row_width: self.row_width,
        })
    }
}

/// A document's catalogued label as a byte (0 for none).
fn label_byte(s: Option<Status>) -> u8 {
    match s {
        None => 0,
        Some(Status::Current) => 1,
        Some(Status::Upcoming) => 2,
        Some(Status::Replaced) => 3,
        Some(Status::Abolished) => 4,
    }
}

/// [`label_byte`] back; `None` for a byte it never makes.
fn byte_label(b: u8) -> Option<Option<Status>> {
    Some(match b {
        0 => None,
        1 => Some(Status::Current),
        2 => Some(Status::Upcoming),
        3 => Some(Status::Replaced),
        4 => Some(Status::Abolished),
        _ => return None,
    })
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

fn put_u32s(out: &mut Vec<u8>, v: &[u32]) {
    for n in v {
        out.extend_from_slice(&n.to_le_bytes());
    }
}

/// Count, text length, text, `count + 1` ends.
fn put_strings<'a>(out: &mut Vec<u8>, items: impl Iterator<Item = &'a str> + Clone) {
    let count = items.clone().count();
    let text: String = items.clone().collect();
    put_u32(out, count);
    put_u32(out, text.len());
    out.extend_from_slice(text.as_bytes());
    let mut end = 0;
    put_u32(out, 0);
    for s in items {
        end += s.len();
        put_u32(out, end);
    }
}

fn read_u32s(r: &mut Reader<'_>, n: usize) -> Option<Vec<u32>> {
    let raw = r.take(n.checked_mul(4)?)?;
    Some(raw.chunks_exact(4).map(le_u32).collect())
}

/// What [`put_strings`] wrote; `None` when cut short, not UTF-8 or the ends are not in order
/// on character boundaries.
fn read_strings(r: &mut Reader<'_>) -> Option<Vec<String>> {
    let count = r.u32()? as usize;
    let len = r.u32()? as usize;
    let text = std::str::from_utf8(r.take(len)?).ok()?;
    let ends = read_u32s(r, count.checked_add(1)?)?;
    if ends.first() != Some(&0) || ends.last() != Some(&(len as u32)) {
        return None;
    }
    let mut out = Vec::with_capacity(count);
    for w in ends.windows(2) {
        out.push(text.get(w[0] as usize..w[1] as usize)?.to_string());
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::collect::ColumnCache;
    use crate::{Index, SearchRequest};
    use biaozhun_model::{Record, Standard, StandardCode};
    use std::path::PathBuf;

    fn root() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
    }

    fn standard(code: &str, f: impl FnOnce(&mut Standard)) -> Record {
        let mut s = Standard::new(StandardCode::parse(code).expect("code"));
        s.title_zh = Some(format!("食品安全 标准 {code}"));
        s.sources.push("test.jsonl".into());
        f(&mut s);
        Record::Standard(s)
    }

    /// The fixture catalog through the real ingest (its commits make segments, with file
    /// bookkeeping documents), then one more commit: new standards with several ICS codes
    /// (a multi-valued facet), a catalogued label and dates, and an update (a delete in the
    /// first segment). Each commit stores the column cache's file.
    fn segments(dir: &Path) -> Index {
        let config = root().join("index-config");
        let mut index = Index::open_or_create(dir, &config).expect("create");
        let aliases = biaozhun_ingest::catalog::Aliases::load_dir(&config).expect("aliases");
        let mut opts = biaozhun_ingest::batch::BatchOptions::new(aliases);
        opts.extract.ocr = false;
        let catalog = root().join("fixtures/catalog/standards.jsonl");
        let summary = biaozhun_ingest::batch::ingest_paths(&[catalog], &opts, &mut index, &|_| {});
        assert_eq!(summary.error, 0, "{summary:?}");
        index
            .upsert(vec![
                standard("GB/T 99901-2025", |s| {
                    s.ics = vec!["67.040".into(), "13.020.01".into()];
                    s.status = Some(biaozhun_model::Status::Upcoming);
                    s.issue_date = chrono::NaiveDate::from_ymd_opt(2025, 3, 1);
                    s.implement_date = chrono::NaiveDate::from_ymd_opt(2031, 1, 1);
                }),
                standard("DB62/T 99902-2024", |s| {
                    s.status = Some(biaozhun_model::Status::Abolished);
                    s.abolish_date = chrono::NaiveDate::from_ymd_opt(2025, 1, 1);
                }),
                standard("GB 2763-2021", |s| {
                    s.title_zh = Some("食品中农药最大残留限量".into())
                }),
            ])
            .expect("upsert");
        index.commit_writes().expect("commit");
        index
    }

    /// Every array of `cols` as the file writes them (the facets in name order): equal bytes
    /// are equal arrays.
    fn bytes_of(reader: &SegmentReader, cols: &SegmentColumns) -> Vec<u8> {
        encode(0, &[(reader, cols)])
    }

    /// What searches read of the columns (statuses, every facet, the sorts by code and by
    /// dates, the id-hash tie-breaks) for a few queries.
    fn answers(index: &Index) -> Vec<String> {
        let mut out = Vec::new();
        for q in ["食品", "食品安全 标准", "农药", "GB 2763", ""] {
            for sort in [
                crate::request::Sort::Relevance,
                crate::request::Sort::Code,
                crate::request::Sort::IssueDate,
                crate::request::Sort::ImplementDate,
            ] {
                let req = SearchRequest {
                    q: q.into(),
                    sort,
                    limit: 5,
                    ..Default::default()
                };
                let res = index.search(&req).expect("search");
                out.push(serde_json::to_string(&res).expect("json"));
            }
        }
        out
    }

    #[test]
    fn stored_arrays_equal_a_fresh_build() {
        let tmp = tempfile::tempdir().expect("tmp");
        let writer = segments(tmp.path());
        let data = writer.data_dir().to_path_buf();
        assert!(
            data.join(COLUMNS_FILE).is_file(),
            "the commit stores the file"
        );
        let searcher = writer.reader.searcher();
        let segments = searcher.segment_readers().len();
        assert!(segments >= 2, "{segments}");
        let facets = writer.cfg.facets();
        let key = key(&facets);
        assert!(is_current(&data, key, &searcher));
        let read = read(&data, key, &searcher).expect("read back");
        assert_eq!(read.len(), segments);
        let mut multi = false;
        for r in searcher.segment_readers() {
            let fresh = SegmentColumns::open(r, &facets).expect("build");
            let back = read.get(&r.segment_id()).expect("segment held");
            assert_eq!(bytes_of(r, back), bytes_of(r, &fresh));
            assert_eq!(format!("{:?}", back.docs), format!("{:?}", fresh.docs));
            assert_eq!(back.id_hash, fresh.id_hash);
            assert_eq!(back.facet_rows, fresh.facet_rows);
            assert_eq!(back.row_width, fresh.row_width);
            assert!(fresh.row_width > 0);
            let mut names: Vec<&String> = back.facets.keys().collect();
            names.sort();
            let mut want: Vec<&String> = fresh.facets.keys().collect();
            want.sort();
            assert_eq!(names, want);
            for (name, f) in &fresh.facets {
                assert_eq!(back.facets[name].names, f.names, "{name}");
                multi |= matches!(f.values, FacetValues::Csr { .. });
            }
            for doc in 0..r.max_doc() {
                for (name, f) in &fresh.facets {
                    assert_eq!(back.facets[name].of(doc), f.of(doc), "{name} of {doc}");
                }
            }
        }
        assert!(
            multi,
            "a multi-valued facet is held as offsets and ordinals"
        );
        // A read-only open reads every segment back (and the stored edition table, with
        // today's rows) and answers as a build does.
        let index = Index::open(tmp.path()).expect("open");
        assert!(
            index.edition_cache.lock().expect("lock").is_some(),
            "the open read the stored table back"
        );
        let cache = ColumnCache::new(facets.clone());
        let got = cache
            .warm_stored(&index.reader.searcher(), &data)
            .expect("warm");
        assert_eq!((got.segments, got.unused), (segments, None));
        let with_file = answers(&index);
        drop(index);
        std::fs::rename(data.join(COLUMNS_FILE), tmp.path().join("aside")).expect("move");
        let index = Index::open(tmp.path()).expect("open");
        assert_eq!(answers(&index), with_file);
        assert!(
            !data.join(COLUMNS_FILE).exists(),
            "a read-only handle never writes"
        );
    }

    #[test]
    fn damaged_stale_or_partial_files_are_built_without_error() {
        let tmp = tempfile::tempdir().expect("tmp");
        let writer = segments(tmp.path());
        let data = writer.data_dir().to_path_buf();
        let searcher = writer.reader.searcher();
        let facets = writer.cfg.facets();
        let key = key(&facets);
        let good = std::fs::read(data.join(COLUMNS_FILE)).expect("file");
        let want = {
            let index = Index::open(tmp.path()).expect("open");
            answers(&index)
        };
        let unreadable = |b: &[u8]| matches!(decode(b, key, &searcher), Err(Unused::Unreadable(_)));
        assert!(unreadable(&[]));
        assert!(unreadable(&good[..good.len() - 1]));
        assert!(unreadable(&good[..good.len() / 2]));
        assert!(unreadable(b"BZEDTAB\x02 some other file of ours"));
        for i in (0..good.len()).step_by(good.len() / 97) {
            let mut bad = good.clone();
            bad[i] ^= 0x5a;
            assert!(unreadable(&bad), "byte {i} flipped");
        }
        // Well-formed checksums over impossible content: an ordinal past its facet's values,
        // an unknown label, trailing bytes.
        let body = &good[..good.len() - crate::bytes::SEAL_BYTES];
        let mut trailing = body.to_vec();
        trailing.push(0);
        assert!(unreadable(&seal(trailing)));
        let header = 8 + 8 + 4 + searcher.segment_readers().len() * 36;
        let mut label = body.to_vec();
        label[header + 14] = 9;
        assert!(unreadable(&seal(label)));
        let first = searcher.segment_readers()[0].max_doc() as usize;
        let rows = header + first * (DOC_BYTES + 8) + 4;
        let mut ord = body.to_vec();
        ord[rows..rows + 2].copy_from_slice(&(NO_ORD - 1).to_le_bytes());
        assert!(unreadable(&seal(ord)));
        // Another format version (the magic's last byte), another facet list or other
        // rules: stale.
        let mut version = good.clone();
        version[MAGIC.len() - 1] ^= 0x7f;
        assert_eq!(decode(&version, key, &searcher).err(), Some(Unused::Stale));
        let other = super::key(&facets[1..]);
        assert_eq!(decode(&good, other, &searcher).err(), Some(Unused::Stale));
        assert!(!is_current(&data, other, &searcher));
        // Damaged on disk: a read-only open builds every segment, answers the same, and
        // leaves the file as it is; a writer's next commit writes it again.
        let path = data.join(COLUMNS_FILE);
        let mut bad = good.clone();
        bad[good.len() / 3] ^= 1;
        std::fs::write(&path, &bad).expect("damage");
        let index = Index::open(tmp.path()).expect("open");
        let cache = ColumnCache::new(facets.clone());
        let got = cache
            .warm_stored(&index.reader.searcher(), &data)
            .expect("warm");
        assert_eq!(got.segments, 0);
        assert!(matches!(got.unused, Some(Unused::Unreadable(_))), "{got:?}");
        assert_eq!(answers(&index), want);
        assert_eq!(std::fs::read(&path).expect("file"), bad);
        drop(index);
        std::fs::remove_file(&path).expect("remove");
        let got = ColumnCache::new(facets.clone())
            .warm_stored(&searcher, &data)
            .expect("warm");
        assert_eq!((got.segments, got.unused), (0, Some(Unused::Missing)));
        // A file holding only the first segment: that one is read back, the other built.
        let seg = &searcher.segment_readers()[0];
        let cols = SegmentColumns::open(seg, &facets).expect("build");
        std::fs::write(&path, encode(key, &[(seg, &cols)])).expect("write");
        assert!(!is_current(&data, key, &searcher));
        let got = ColumnCache::new(facets.clone())
            .warm_stored(&searcher, &data)
            .expect("warm");
        assert_eq!((got.segments, got.unused), (1, None));
        let index = Index::open(tmp.path()).expect("open");
        assert_eq!(answers(&index), want);
        drop(index);
        // The writer stores the whole file again at its next commit.
        writer.commit_writes().expect("commit");
        assert!(is_current(&data, key, &writer.reader.searcher()));
        assert_eq!(std::fs::read(&path).expect("file"), good);
    }

    #[test]
    fn the_rules_are_marked_in_collect_rs() {
        let src = include_str!("../collect.rs");
        let ours = marked_regions(src, RULES_BEGIN, RULES_END);
        assert_ne!(ours.len(), src.len(), "the markers pair up");
        for needle in [
            "fn open(reader: &SegmentReader, facets: &[String])",
            "facet_rows",
            "id_hash",
            "FacetValues::Row(slot)",
        ] {
            assert!(
                ours.contains(needle),
                "{needle} is inside the column-cache rules"
            );
        }
        let tables = marked_regions(src, TABLE_RULES_BEGIN, TABLE_RULES_END);
        for needle in [
            "struct DocInfo",
            "fn pack_date",
            "struct FacetOrds",
            "fn build(",
        ] {
            assert!(
                tables.contains(needle),
                "{needle} is inside the marked rules"
            );
        }
    }
}
