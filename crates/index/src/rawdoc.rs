//! Stored documents read as bytes, without tantivy's document deserializer.
//!
//! tantivy 0.27 deserializes a stored bytes value one byte at a time (`Vec<u8>`'s
//! `BinarySerializable` reads each `u8` through `Read`): for a record with its full text,
//! tens of kilobytes compressed, that was 8 % of a query with 10 snippets on the small preset
//! (callgrind, session 8), more than the search itself at 300k documents for long texts. Here
//! a document's bytes come from the segment's store reader (`StoreReader::get_document_bytes`,
//! public) and its values are found by walking tantivy's binary document format: a VInt count,
//! then per value the field (u32, little-endian), a type code and the payload (VInt length and
//! bytes for text and bytes; 8 bytes for numbers; 1 for a bool). Any other type code, or bytes
//! that do not parse, give `None`, and the caller reads the document the slow way: a future
//! tantivy with another format costs speed, never an answer (a test reads every document of an
//! index both ways).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tantivy::index::SegmentId;
use tantivy::schema::Field;
use tantivy::store::StoreReader;
use tantivy::{DocAddress, Searcher};

use crate::bytes::Reader;

/// Blocks each segment's reader keeps decompressed (tantivy's own default is 100). Snippets
/// read the ten records of a page: the cache only has to hold a page's blocks.
const CACHE_BLOCKS: usize = 32;

/// One store reader per live segment, opened at the first read and kept while the segment
/// lives (the searcher's own readers are private to tantivy).
#[derive(Default)]
pub(crate) struct RawDocs {
    readers: Mutex<HashMap<SegmentId, Arc<StoreReader>>>,
}

impl RawDocs {
    /// The stored bytes of the document at `addr`.
    pub(crate) fn get(
        &self,
        searcher: &Searcher,
        addr: DocAddress,
    ) -> tantivy::Result<tantivy::directory::OwnedBytes> {
        let seg = searcher.segment_reader(addr.segment_ord);
        let id = seg.segment_id();
        let cached = self.lock().get(&id).cloned();
        let reader = match cached {
            Some(r) => r,
            None => {
                let r = Arc::new(seg.get_store_reader(CACHE_BLOCKS)?);
                let mut readers = self.lock();
                // Segments merged away leave with the next reader opened.
                let live: Vec<SegmentId> = searcher
                    .segment_readers()
                    .iter()
                    .map(|s| s.segment_id())
                    .collect();
                readers.retain(|k, _| live.contains(k));
                readers.entry(id).or_insert(r).clone()
            }
        };
        reader.get_document_bytes(addr.doc_id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<SegmentId, Arc<StoreReader>>> {
        // The map is consistent after any panic (inserts and removals are single calls).
        self.readers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The values of the bytes fields of a stored document in order, as slices of `doc`; `None`
/// when the document holds a value this walk does not know (see the module doc).
pub(crate) fn bytes_values(doc: &[u8]) -> Option<Vec<(Field, &[u8])>> {
    let mut r = Reader(doc);
    let n = r.vint()?;
    let mut out = Vec::new();
    for _ in 0..n {
        let field = Field::from_field_id(r.u32()?);
        let code = r.u8()?;
        match code {
            // Text and bytes: a VInt length and the bytes.
            0 | 4 => {
                let len = usize::try_from(r.vint()?).ok()?;
                let v = r.take(len)?;
                if code == 4 {
                    out.push((field, v));
                }
            }
            // u64, i64, f64: eight bytes.
            1 | 2 | 6 => {
                r.take(8)?;
            }
            // bool: one byte.
            9 => {
                r.take(1)?;
            }
            _ => return None,
        }
    }
    Some(out)
}

thread_local! {
    /// The record buffer of [`unpack_into`], one per search thread.
    static RECORD: std::cell::Cell<Vec<u8>> = std::cell::Cell::default();
}

/// The thread's record buffer (empty at first), for [`unpack_into`]; hand it back with
/// [`give_back`]. `document::unpack_record_bytes` allocates a zeroed vector of the record's
/// size for every hit (100-150 kB for the long standards at 300k documents): `calloc`'s
/// zeroing alone was 2 % of a query with 10 snippets on the small preset (callgrind, session
/// 12). The buffer is zeroed only where it grows, and holds the largest record the thread read.
pub(crate) fn take_buffer() -> Vec<u8> {
    RECORD.take()
}

/// Keeps `buf` as the thread's record buffer.
pub(crate) fn give_back(buf: Vec<u8>) {
    RECORD.set(buf);
}

/// A stored record's JSON (`document::pack_record`'s lz4 block, its size prepended)
/// decompressed into `buf`, as `document::unpack_record_bytes` decompresses it into a new
/// vector of that size; `None` where that gives `None`.
pub(crate) fn unpack_into<'b>(buf: &'b mut Vec<u8>, packed: &[u8]) -> Option<&'b [u8]> {
    let (size, block) = lz4_flex::block::uncompressed_size(packed).ok()?;
    if buf.len() < size {
        buf.resize(size, 0);
    }
    let n = lz4_flex::block::decompress_into(block, buf.get_mut(..size)?).ok()?;
    buf.get(..n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record unpacked into the reused buffer is the record unpacked into a new vector,
    /// after a longer and before a shorter one; what is not an lz4 block is refused alike.
    #[test]
    fn records_unpack_into_the_reused_buffer_as_into_a_new_one() {
        let long = "苹果贮藏".repeat(5000);
        for json in [
            long.as_str(),
            "{}",
            "",
            r#"{"title_zh":"苹果"}"#,
            long.as_str(),
        ] {
            let packed = crate::document::pack_record(json);
            let want = crate::document::unpack_record_bytes(&packed);
            let mut buf = take_buffer();
            assert_eq!(unpack_into(&mut buf, &packed).map(<[u8]>::to_vec), want);
            give_back(buf);
            assert_eq!(want.as_deref(), Some(json.as_bytes()));
        }
        for bad in [&b""[..], b"\x05\0\0\0ab", b"\xff\xff\xff\x7f\x10"] {
            assert_eq!(crate::document::unpack_record_bytes(bad), None);
            assert_eq!(unpack_into(&mut Vec::new(), bad), None, "{bad:?}");
        }
    }

    #[test]
    fn walks_texts_numbers_and_bytes_and_refuses_what_it_does_not_know() {
        // Three values: text "ab" (field 0), u64 (field 1), bytes [7, 8, 9] (field 2).
        let mut doc = vec![0x83];
        doc.extend(0u32.to_le_bytes());
        doc.extend([0, 0x82, b'a', b'b']);
        doc.extend(1u32.to_le_bytes());
        doc.push(1);
        doc.extend(42u64.to_le_bytes());
        doc.extend(2u32.to_le_bytes());
        doc.extend([4, 0x83, 7, 8, 9]);
        let got = bytes_values(&doc).expect("parses");
        assert_eq!(got, vec![(Field::from_field_id(2), &[7u8, 8, 9][..])]);
        // Cut short anywhere: no answer rather than a wrong one.
        for end in 0..doc.len() {
            assert_eq!(bytes_values(&doc[..end]), None, "cut at {end}");
        }
        // A facet value (type code 3) is not walked.
        let mut facet = vec![0x81];
        facet.extend(0u32.to_le_bytes());
        facet.extend([3, 0x81, b'/']);
        assert_eq!(bytes_values(&facet), None);
    }
}
