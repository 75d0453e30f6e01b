//! Hit heads beside the segments: what a hit shows, read without the document store.
//!
//! A hit shows a few fields of its record ([`Head`]: id, code, titles, status, dates). They are
//! stored in the document store too, but tantivy's store reads a document by decompressing the
//! whole block that holds it, and a record with its full text fills a block by itself: every
//! hit of a page copied kilobytes of its neighbour-free block and parsed the head's JSON. On
//! the small preset that was 10.9 % of the instructions of a hits-only query and 79 % of its
//! last-level cache misses (`bench/callgrind`, session 10).
//!
//! So each segment gets a file `biaozhun-heads-<segment>.bin` beside it: the heads of its
//! documents in a compact binary form, one entry per document id, read through a memory map (`bytes::read_mapped`, as the index's other own files).
//! A head then costs a few cache lines instead of a decompressed block.
//!
//! The files are an accelerator, never the truth:
//! - A writable handle writes the files of the segments that lack one after each commit and
//!   after `optimize` (built from the store, so an entry is exactly what the store holds), and
//!   removes those of segments merged away. An index written before this module, or a segment
//!   a background merge made since the last commit, has no file: its hits read the store as
//!   before.
//! - Each entry carries its own checksum, and the file's header names its segment and document
//!   count: a damaged, cut or foreign file, or a damaged entry, falls back to the store for
//!   what it cannot answer, never to a wrong head. (No whole-file checksum: checking tens of
//!   megabytes at every open would cost the start-up what the heads save.)
//! - The format is versioned by its magic; [`encode`] destructures [`Head`] exhaustively, so a
//!   new field cannot be forgotten (and must bump [`MAGIC`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use biaozhun_model::{RecordKind, Status};
use chrono::{Datelike, NaiveDate};
use tantivy::directory::OwnedBytes;
use tantivy::index::SegmentId;
use tantivy::{DocId, Searcher, SegmentReader};

use crate::bytes::{le_u32, Reader};
use crate::document::Head;

/// The start of every heads file: the format's name and version.
pub(crate) const MAGIC: &[u8; 8] = b"BZHEADS1";
/// Heads files are named this, then the segment's id, then [`SUFFIX`].
pub(crate) const PREFIX: &str = "biaozhun-heads-";
/// See [`PREFIX`].
pub(crate) const SUFFIX: &str = ".bin";
/// Magic, key (u64), document count (u32).
const HEADER: usize = 8 + 8 + 4;

/// The file name of a segment's heads.
pub(crate) fn file_name(id: SegmentId) -> String {
    format!("{PREFIX}{}{SUFFIX}", id.uuid_string())
}

/// What ties a file to its segment: the segment's id and its number of document ids.
fn key(id: SegmentId, max_doc: u32) -> u64 {
    crate::config::fnv64(&[id.uuid_string().as_bytes(), &max_doc.to_le_bytes()])
}

/// The checksum closing an entry (the low half of its FNV-1a hash).
fn entry_sum(entry: &[u8]) -> u32 {
    // Truncation intended: four bytes of the hash are enough to tell a damaged entry.
    crate::config::fnv64(&[entry]) as u32
}

/// tantivy's VInt (as [`Reader::vint`] reads it): seven bits a byte, the last byte's high bit
/// set.
fn put_vint(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let b = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(b | 0x80);
            return;
        }
        out.push(b);
    }
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_vint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn kind_byte(k: RecordKind) -> u8 {
    match k {
        RecordKind::Standard => 0,
        RecordKind::Notification => 1,
        RecordKind::Regulation => 2,
    }
}

fn byte_kind(b: u8) -> Option<RecordKind> {
    Some(match b {
        0 => RecordKind::Standard,
        1 => RecordKind::Notification,
        2 => RecordKind::Regulation,
        _ => return None,
    })
}

fn status_byte(s: Status) -> u8 {
    match s {
        Status::Current => 0,
        Status::Upcoming => 1,
        Status::Replaced => 2,
        Status::Abolished => 3,
    }
}

fn byte_status(b: u8) -> Option<Status> {
    Some(match b {
        0 => Status::Current,
        1 => Status::Upcoming,
        2 => Status::Replaced,
        3 => Status::Abolished,
        _ => return None,
    })
}

// Presence bits of the optional fields, in the order they follow the id.
const CODE: u8 = 1;
const TITLE_ZH: u8 = 1 << 1;
const TITLE_EN: u8 = 1 << 2;
const STATUS: u8 = 1 << 3;
const ISSUE: u8 = 1 << 4;
const IMPLEMENT: u8 = 1 << 5;
const ABOLISH: u8 = 1 << 6;
const COMMENT: u8 = 1 << 7;

/// Appends the entry of `head`: kind, presence bits, id, the fields present, a checksum.
pub(crate) fn encode(head: &Head, out: &mut Vec<u8>) {
    let Head {
        kind,
        id,
        code,
        title_zh,
        title_en,
        status,
        issue_date,
        implement_date,
        abolish_date,
        comment_deadline,
    } = head;
    let start = out.len();
    let dates = [issue_date, implement_date, abolish_date, comment_deadline];
    let mut bits = 0;
    for (present, bit) in [
        (code.is_some(), CODE),
        (title_zh.is_some(), TITLE_ZH),
        (title_en.is_some(), TITLE_EN),
        (status.is_some(), STATUS),
        (issue_date.is_some(), ISSUE),
        (implement_date.is_some(), IMPLEMENT),
        (abolish_date.is_some(), ABOLISH),
        (comment_deadline.is_some(), COMMENT),
    ] {
        if present {
            bits |= bit;
        }
    }
    out.push(kind_byte(*kind));
    out.push(bits);
    put_str(out, id);
    for s in [code, title_zh, title_en].into_iter().flatten() {
        put_str(out, s);
    }
    if let Some(s) = status {
        out.push(status_byte(*s));
    }
    for d in dates.into_iter().flatten() {
        out.extend_from_slice(&d.num_days_from_ce().to_le_bytes());
    }
    let sum = entry_sum(&out[start..]);
    out.extend_from_slice(&sum.to_le_bytes());
}

/// The head of an entry written by [`encode`]; `None` when the entry is damaged.
pub(crate) fn decode(entry: &[u8]) -> Option<Head> {
    let body_len = entry.len().checked_sub(4)?;
    let (body, sum) = entry.split_at(body_len);
    if le_u32(sum) != entry_sum(body) {
        return None;
    }
    let mut r = Reader(body);
    let kind = byte_kind(r.u8()?)?;
    let bits = r.u8()?;
    let text = |r: &mut Reader<'_>| -> Option<String> {
        let len = usize::try_from(r.vint()?).ok()?;
        String::from_utf8(r.take(len)?.to_vec()).ok()
    };
    let id = text(&mut r)?;
    let opt_text = |bit: u8, r: &mut Reader<'_>| -> Option<Option<String>> {
        if bits & bit == 0 {
            return Some(None);
        }
        text(r).map(Some)
    };
    let code = opt_text(CODE, &mut r)?;
    let title_zh = opt_text(TITLE_ZH, &mut r)?;
    let title_en = opt_text(TITLE_EN, &mut r)?;
    let status = if bits & STATUS != 0 {
        Some(byte_status(r.u8()?)?)
    } else {
        None
    };
    let date = |bit: u8, r: &mut Reader<'_>| -> Option<Option<NaiveDate>> {
        if bits & bit == 0 {
            return Some(None);
        }
        let days = i32::from_le_bytes(r.take(4)?.try_into().ok()?);
        NaiveDate::from_num_days_from_ce_opt(days).map(Some)
    };
    let issue_date = date(ISSUE, &mut r)?;
    let implement_date = date(IMPLEMENT, &mut r)?;
    let abolish_date = date(ABOLISH, &mut r)?;
    let comment_deadline = date(COMMENT, &mut r)?;
    if !r.is_empty() {
        return None;
    }
    Some(Head {
        kind,
        id,
        code,
        title_zh,
        title_en,
        status,
        issue_date,
        implement_date,
        abolish_date,
        comment_deadline,
    })
}

/// The heads file of a segment of `max_doc` document ids, from the head of each (`None` for a
/// document without one: the bookkeeping documents of ingested files).
pub(crate) fn build(
    id: SegmentId,
    max_doc: DocId,
    mut head_of: impl FnMut(DocId) -> Option<Head>,
) -> Vec<u8> {
    let mut data = Vec::new();
    let mut offsets = Vec::with_capacity(max_doc as usize + 1);
    for doc in 0..max_doc {
        offsets.push(data.len());
        if let Some(h) = head_of(doc) {
            encode(&h, &mut data);
        }
    }
    offsets.push(data.len());
    let mut out = Vec::with_capacity(HEADER + 4 * offsets.len() + data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&key(id, max_doc).to_le_bytes());
    out.extend_from_slice(&max_doc.to_le_bytes());
    for o in offsets {
        // A segment's heads stay far below 4 GB (about 150 bytes a document).
        out.extend_from_slice(&(o as u32).to_le_bytes());
    }
    out.extend_from_slice(&data);
    out
}

/// One segment's heads file, mapped.
pub(crate) struct HeadFile {
    bytes: OwnedBytes,
    max_doc: u32,
}

impl HeadFile {
    /// The file's bytes checked against its segment: `Err` says why they are not its heads.
    pub(crate) fn new(bytes: OwnedBytes, id: SegmentId, max_doc: u32) -> Result<HeadFile, String> {
        let mut r = Reader(bytes.as_slice());
        if r.take(MAGIC.len()) != Some(&MAGIC[..]) {
            return Err("not a heads file of this format".into());
        }
        if r.u64() != Some(key(id, max_doc)) || r.u32() != Some(max_doc) {
            return Err("written for another segment".into());
        }
        let data_start = HEADER + 4 * (max_doc as usize + 1);
        let data_len = bytes
            .len()
            .checked_sub(data_start)
            .ok_or("shorter than its offsets")?;
        let file = HeadFile { bytes, max_doc };
        if file.offset(max_doc) != Some(data_len) {
            return Err("its last offset is not its length".into());
        }
        Ok(file)
    }

    fn offset(&self, doc: DocId) -> Option<usize> {
        let at = HEADER + 4 * doc as usize;
        Some(le_u32(self.bytes.as_slice().get(at..at + 4)?) as usize)
    }

    /// The head of `doc`; `None` when the file holds none for it or its entry is damaged.
    pub(crate) fn head(&self, doc: DocId) -> Option<Head> {
        if doc >= self.max_doc {
            return None;
        }
        let data = HEADER + 4 * (self.max_doc as usize + 1);
        let (from, to) = (self.offset(doc)?, self.offset(doc + 1)?);
        if from >= to {
            return None;
        }
        decode(self.bytes.as_slice().get(data + from..data + to)?)
    }
}

/// The heads files of the live segments, opened at their first hit.
pub(crate) struct HeadFiles {
    dir: PathBuf,
    files: Mutex<Opened>,
}

/// The files opened, for one searcher generation.
struct Opened {
    /// The searcher generation they were asked for.
    generation: u64,
    /// Per segment: its file, or `None` when it has none (asked again at the next generation).
    files: HashMap<SegmentId, Option<Arc<HeadFile>>>,
}

impl HeadFiles {
    /// The heads files of the segments in `dir`.
    pub(crate) fn new(dir: &Path) -> HeadFiles {
        HeadFiles {
            dir: dir.to_path_buf(),
            files: Mutex::new(Opened {
                generation: u64::MAX,
                files: HashMap::new(),
            }),
        }
    }

    /// The head of `doc` of `seg` from its file, if the segment has a usable one.
    pub(crate) fn head(
        &self,
        searcher: &Searcher,
        seg: &SegmentReader,
        doc: DocId,
    ) -> Option<Head> {
        self.file(searcher, seg)?.head(doc)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Opened> {
        // The map is consistent after any panic (inserts and clears are single calls).
        self.files.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn file(&self, searcher: &Searcher, seg: &SegmentReader) -> Option<Arc<HeadFile>> {
        let id = seg.segment_id();
        let gen = searcher.generation().generation_id();
        {
            let mut files = self.lock();
            if files.generation != gen {
                // A new generation: files of segments merged away go, and segments without a
                // file are asked again (a writer may have written it since).
                let live: Vec<SegmentId> = searcher
                    .segment_readers()
                    .iter()
                    .map(|s| s.segment_id())
                    .collect();
                files.files.retain(|k, v| v.is_some() && live.contains(k));
                files.generation = gen;
            }
            if let Some(f) = files.files.get(&id) {
                return f.clone();
            }
        }
        let opened = self.open(id, seg.max_doc());
        self.lock().files.entry(id).or_insert(opened).clone()
    }

    fn open(&self, id: SegmentId, max_doc: u32) -> Option<Arc<HeadFile>> {
        let name = file_name(id);
        let bytes = match crate::bytes::read_mapped(&self.dir.join(&name)) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
            Err(e) => {
                tracing::warn!(file = %name, error = %e, "heads file not read; hits read the document store");
                return None;
            }
        };
        match HeadFile::new(bytes, id, max_doc) {
            Ok(f) => Some(Arc::new(f)),
            Err(why) => {
                tracing::warn!(file = %name, error = %why, "heads file unusable; hits read the document store");
                None
            }
        }
    }

    /// Forgets what is known of `id` (its file was just written or removed).
    pub(crate) fn forget(&self, id: SegmentId) {
        self.lock().files.remove(&id);
    }
}

impl crate::store::Index {
    /// Writes the heads file of every live segment that has no usable one, and removes the
    /// files of segments merged away. Only a writable handle does (one process writes an index
    /// directory); a failure costs hits the store read, nothing else: it is logged.
    pub(crate) fn persist_heads(&self) {
        if !self.is_writable() {
            return;
        }
        let searcher = self.reader.searcher();
        let mut live = std::collections::HashSet::new();
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            let id = seg.segment_id();
            let name = file_name(id);
            let path = self.data_dir().join(&name);
            live.insert(name);
            if header_fits(&path, id, seg.max_doc()) {
                continue;
            }
            let started = std::time::Instant::now();
            let ord = ord as u32;
            let bytes = build(id, seg.max_doc(), |doc| {
                self.store_head(&searcher, tantivy::DocAddress::new(ord, doc))
                    .ok()
            });
            let res = crate::store::write_atomic(&path, &bytes);
            self.heads.forget(id);
            match res {
                Ok(()) => tracing::debug!(
                    file = %path.display(),
                    documents = seg.max_doc(),
                    bytes = bytes.len(),
                    ms = started.elapsed().as_millis() as u64,
                    "heads file written"
                ),
                Err(e) => {
                    // (A temporary file left behind goes with the old files below.)
                    tracing::warn!(file = %path.display(), error = %e, "heads file not written; hits read the document store");
                }
            }
        }
        let Ok(entries) = std::fs::read_dir(self.data_dir()) else {
            return;
        };
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            // Files of segments gone, and temporary files a crash left.
            let ours = name.ends_with(SUFFIX) || name.ends_with(".tmp");
            if name.starts_with(PREFIX) && ours && !live.contains(&name) {
                if let Err(err) = std::fs::remove_file(e.path()) {
                    tracing::warn!(file = %e.path().display(), error = %err, "old heads file not removed");
                }
            }
        }
    }
}

/// Whether the file at `path` starts as the heads file of segment `id` (its entries are
/// checked when read).
fn header_fits(path: &Path, id: SegmentId, max_doc: u32) -> bool {
    use std::io::Read;
    let mut header = [0u8; HEADER];
    let read = std::fs::File::open(path).and_then(|mut f| {
        f.read_exact(&mut header)?;
        f.metadata()
    });
    let Ok(meta) = read else {
        return false;
    };
    let mut r = Reader(&header);
    r.take(MAGIC.len()) == Some(&MAGIC[..])
        && r.u64() == Some(key(id, max_doc))
        && r.u32() == Some(max_doc)
        && meta.len() >= (HEADER + 4 * (max_doc as usize + 1)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> Head {
        Head {
            kind: RecordKind::Standard,
            id: "GB/T 7714-2015".into(),
            code: Some("GB/T 7714-2015".into()),
            title_zh: Some("信息与文献 参考文献著录规则".into()),
            title_en: Some("Information and documentation".into()),
            status: Some(Status::Current),
            issue_date: NaiveDate::from_ymd_opt(2015, 5, 15),
            implement_date: NaiveDate::from_ymd_opt(2015, 12, 1),
            abolish_date: NaiveDate::from_ymd_opt(2030, 1, 1),
            comment_deadline: NaiveDate::from_ymd_opt(1, 1, 1),
        }
    }

    #[test]
    fn every_field_round_trips_present_or_absent() {
        let bare = Head::new(RecordKind::Notification, String::new());
        let long = Head {
            kind: RecordKind::Regulation,
            title_zh: Some("长".repeat(300)),
            status: Some(Status::Abolished),
            ..bare.clone()
        };
        for h in [full(), bare, long] {
            let mut out = vec![9, 9];
            encode(&h, &mut out);
            assert_eq!(decode(&out[2..]), Some(h.clone()));
        }
        for (i, s) in [
            Status::Current,
            Status::Upcoming,
            Status::Replaced,
            Status::Abolished,
        ]
        .into_iter()
        .enumerate()
        {
            assert_eq!(byte_status(status_byte(s)), Some(s), "{i}");
        }
        for k in RecordKind::ALL {
            assert_eq!(byte_kind(kind_byte(k)), Some(k));
        }
    }

    #[test]
    fn a_damaged_entry_is_no_head() {
        let mut entry = Vec::new();
        encode(&full(), &mut entry);
        for i in 0..entry.len() {
            let mut bad = entry.clone();
            bad[i] ^= 0x10;
            assert_eq!(decode(&bad), None, "byte {i} flipped");
        }
        for end in 0..entry.len() {
            assert_eq!(decode(&entry[..end]), None, "cut at {end}");
        }
    }

    #[test]
    fn a_file_answers_for_its_own_segment_only() {
        let id = SegmentId::generate_random();
        let heads = [
            Some(full()),
            None,
            Some(Head {
                id: "x".into(),
                ..full()
            }),
        ];
        let bytes = build(id, 3, |d| heads[d as usize].clone());
        let file = HeadFile::new(OwnedBytes::new(bytes.clone()), id, 3).expect("its own");
        assert_eq!(file.head(0), heads[0]);
        assert_eq!(file.head(1), None);
        assert_eq!(file.head(2), heads[2]);
        assert_eq!(file.head(3), None);
        let other = SegmentId::generate_random();
        assert!(HeadFile::new(OwnedBytes::new(bytes.clone()), other, 3).is_err());
        assert!(HeadFile::new(OwnedBytes::new(bytes.clone()), id, 4).is_err());
        for end in [0, 7, HEADER, bytes.len() - 1] {
            assert!(
                HeadFile::new(OwnedBytes::new(bytes[..end].to_vec()), id, 3).is_err(),
                "cut at {end}"
            );
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert!(HeadFile::new(OwnedBytes::new(longer), id, 3).is_err());
        // A damaged entry loses its own head, not its neighbours'.
        let mut flipped = bytes;
        let last = flipped.len() - 6;
        flipped[last] ^= 1;
        let file = HeadFile::new(OwnedBytes::new(flipped), id, 3).expect("header intact");
        assert_eq!(file.head(0), heads[0]);
        assert_eq!(file.head(2), None);
    }
}
