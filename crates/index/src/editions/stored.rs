//! The edition table's flat part in a file beside the segments ([`EDITIONS_FILE`]), so opening
//! an index reads it back instead of building the edition graph of every standard (at 300k
//! standards: a second and ~180 MB before the first answer).
//!
//! The file is a cache, never the truth: it is used only when its key matches exactly, and
//! otherwise the table is built from the index as before. The key is
//! - the segments of the searcher, in order, each with its document count and deleted-document
//!   count (tantivy never undeletes, and a merge makes a new segment, so equal counts mean equal
//!   documents);
//! - a fingerprint of the sources whose rules decide the content ([`rules`]): code parsing, the
//!   edition-chain rule, the column reads and this encoding. A program built from other rules
//!   finds the file stale and rebuilds.
//!
//! A checksum over the whole file turns a torn or damaged file into an unreadable one (rebuilt
//! with a warning, never an error). A writable handle writes the file after building a table
//! (after each commit and `optimize`); read-only handles and replicas only read it. A copied,
//! restored or re-indexed index without the file simply rebuilds it.
//!
//! Layout (little-endian): magic (8 bytes, the format version in the last), rules (u64),
//! segment count (u32) and per segment its id (32 hex digits), `max_doc` and deleted count
//! (u32 each); node count (u32) and per node [`LIFE_BYTES`] bytes of rule inputs; per segment
//! `max_doc` node numbers (u32); the keys (count, text length, text, ends, nodes); the CRC-32
//! of everything before (u32; `bytes::seal`).

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use biaozhun_model::lifecycle::{Basis, EditionFacts, LinkBasis, SuccessorStart, Successors};
use biaozhun_model::Status;
use tantivy::index::SegmentId;
use tantivy::Searcher;

use crate::bytes::{le_u32, seal, unseal, Reader, Unsealed};

use super::{Adjacent, Chains, NodeKeys, Texts};
use crate::config::fnv64;

pub(crate) use crate::alias::EDITIONS_FILE;

/// The stored edition graph beside the table's file (see [`encode_graph`]): read at the first
/// chain after an open instead of building the graph. Its name starts with the table's, so
/// `alias::is_index_entry` counts it as index data.
pub(crate) const GRAPH_FILE: &str = "biaozhun-editions.bin.graph";

/// Magic and format version of the graph file (the last byte).
const GRAPH_MAGIC: &[u8; 8] = b"BZEDGRF\x02";

/// Magic and format version (the last byte).
const MAGIC: &[u8; 8] = b"BZEDTAB\x02";

/// Bytes per node: flags, stated label, year, four dates, the bases.
const LIFE_BYTES: usize = 37;

/// Where an edition table came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TableOrigin {
    /// Read from the stored file.
    Stored,
    /// Built: no stored file.
    Missing,
    /// Built: the stored file was written for other segments, deletes or rules.
    Stale(String),
    /// Built: the stored file could not be read or is damaged (logged as a warning).
    Unreadable(String),
}

/// One node's rule inputs (its facts and its successors'), packed: 40 bytes instead of the 88
/// of `(EditionFacts<i64>, Successors<i64>)`, for every node of the table (330k at 300k
/// documents); unpacked per verdict, which is cheap next to the rule itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Life {
    /// Issue, implementation and abolition dates, the earliest successor's start (`yyyymmdd`;
    /// present when their flag is set).
    dates: [i64; 4],
    year: u16,
    /// [`YEAR`], [`ISSUE`], [`IMPLEMENT`], [`ABOLISH`], [`ANY`], [`EARLIEST`].
    flags: u8,
    /// The stated label's rank, `u8::MAX` for none.
    stated: u8,
    /// The earliest successor's date basis (low nibble) and link basis (high nibble).
    bases: u8,
}

impl Life {
    pub(crate) fn pack(f: &EditionFacts<i64>, s: &Successors<i64>) -> Life {
        let flag = |on: bool, bit: u8| if on { bit } else { 0 };
        Life {
            dates: [
                f.issue.unwrap_or(0),
                f.implement.unwrap_or(0),
                f.abolish.unwrap_or(0),
                s.earliest.map_or(0, |e| e.on),
            ],
            year: f.year.unwrap_or(0),
            flags: flag(f.year.is_some(), YEAR)
                | flag(f.issue.is_some(), ISSUE)
                | flag(f.implement.is_some(), IMPLEMENT)
                | flag(f.abolish.is_some(), ABOLISH)
                | flag(s.any, ANY)
                | flag(s.earliest.is_some(), EARLIEST),
            stated: status_byte(f.stated),
            bases: s.earliest.map_or(0, |e| {
                basis_byte(e.date)
                    | match e.link {
                        LinkBasis::Stated => 0,
                        LinkBasis::Inferred => 0x10,
                    }
            }),
        }
    }

    /// The rule's inputs; `None` for bytes no [`Life::pack`] makes (a damaged file).
    pub(crate) fn unpack(&self) -> Option<(EditionFacts<i64>, Successors<i64>)> {
        let opt = |bit: u8, v: i64| (self.flags & bit != 0).then_some(v);
        let [issue, implement, abolish, earliest] = self.dates;
        let facts = EditionFacts {
            year: (self.flags & YEAR != 0).then_some(self.year),
            stated: byte_status(self.stated)?,
            issue: opt(ISSUE, issue),
            implement: opt(IMPLEMENT, implement),
            abolish: opt(ABOLISH, abolish),
        };
        let earliest = match opt(EARLIEST, earliest) {
            Some(on) => Some(SuccessorStart {
                on,
                date: byte_basis(self.bases & 0x0f)?,
                link: match self.bases >> 4 {
                    0 => LinkBasis::Stated,
                    1 => LinkBasis::Inferred,
                    _ => return None,
                },
            }),
            None => None,
        };
        Some((
            facts,
            Successors {
                any: self.flags & ANY != 0,
                earliest,
            },
        ))
    }

    fn put(&self, out: &mut Vec<u8>) {
        out.push(self.flags);
        out.push(self.stated);
        out.extend_from_slice(&self.year.to_le_bytes());
        for d in self.dates {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.push(self.bases);
    }

    /// Reads [`LIFE_BYTES`] bytes; `None` when they do not unpack.
    fn get(b: &[u8]) -> Option<Life> {
        let date = |i: usize| -> Option<i64> {
            let mut a = [0u8; 8];
            a.copy_from_slice(b.get(4 + 8 * i..12 + 8 * i)?);
            Some(i64::from_le_bytes(a))
        };
        let life = Life {
            flags: *b.first()?,
            stated: *b.get(1)?,
            year: u16::from_le_bytes([*b.get(2)?, *b.get(3)?]),
            dates: [date(0)?, date(1)?, date(2)?, date(3)?],
            bases: *b.get(36)?,
        };
        life.unpack().map(|_| life)
    }
}

/// The part of a table that searches and status lookups read.
pub(crate) struct Flat {
    pub(crate) life: Vec<Life>,
    pub(crate) docs: HashMap<SegmentId, Vec<u32>>,
    pub(crate) keys: NodeKeys,
}

/// The fingerprint of the rules a stored table was built by: the model's sources that parse
/// codes and link editions, the code that reads the columns and builds the table, and this
/// encoding. Any edit to them makes older files stale (one rebuild: 1.5 s and ~280 MB at 300k
/// documents), so a changed rule can never be answered from an old file.
///
/// Of the collector (`collect.rs`) and of `editions.rs`, only the regions between the
/// [`RULES_BEGIN`] and [`RULES_END`] comments count: the column reads and the table build.
/// Editing the collector's query loop or the chain answers leaves stored files valid. Code that
/// starts to decide the table's content belongs inside a region (a test checks that the known
/// parts are); a file without regions counts whole.
pub(crate) fn rules() -> u64 {
    static RULES: OnceLock<u64> = OnceLock::new();
    *RULES.get_or_init(|| {
        let collect = rule_regions(include_str!("../collect.rs"));
        let editions = rule_regions(include_str!("../editions.rs"));
        fnv64(&[
            MAGIC,
            include_bytes!("../../../model/src/code.rs"),
            include_bytes!("../../../model/src/code/parse.rs"),
            include_bytes!("../../../model/src/code/scan.rs"),
            include_bytes!("../../../model/src/family.rs"),
            include_bytes!("../../../model/src/prefixes.rs"),
            include_bytes!("../../../model/src/normalize.rs"),
            include_bytes!("../../../model/src/standard.rs"),
            include_bytes!("../../../model/src/lifecycle.rs"),
            collect.as_bytes(),
            editions.as_bytes(),
            include_bytes!("stored.rs"),
        ])
    })
}

/// The comment that starts a region of a source file whose code decides a stored table.
pub(crate) const RULES_BEGIN: &str = "// edition-table rules: begin";
/// The comment that ends such a region.
pub(crate) const RULES_END: &str = "// edition-table rules: end";

/// The regions of `src` between [`RULES_BEGIN`] and [`RULES_END`] lines, concatenated with
/// their markers; all of `src` when it has none or its markers do not pair up (never less
/// than the rules).
pub(crate) fn rule_regions(src: &str) -> std::borrow::Cow<'_, str> {
    marked_regions(src, RULES_BEGIN, RULES_END)
}

/// The regions of `src` between lines starting with `begin` and `end` (after indentation),
/// as [`rule_regions`]; the stored column cache marks its own (`collect::stored`).
pub(crate) fn marked_regions<'a>(
    src: &'a str,
    begin: &str,
    end: &str,
) -> std::borrow::Cow<'a, str> {
    let mut out = String::new();
    let mut open = false;
    for line in src.lines() {
        let l = line.trim_start();
        if l.starts_with(begin) {
            if open {
                return src.into();
            }
            open = true;
        } else if l.starts_with(end) {
            if !open {
                return src.into();
            }
            open = false;
            out.push_str(l);
            out.push('\n');
            continue;
        }
        if open {
            out.push_str(line);
            out.push('\n');
        }
    }
    if open || out.is_empty() {
        return src.into();
    }
    out.into()
}

/// The segments a table belongs to: id, documents and deletes of each, in order.
pub(crate) fn segment_key(searcher: &Searcher) -> Vec<(String, u32, u32)> {
    searcher
        .segment_readers()
        .iter()
        .map(|r| {
            (
                r.segment_id().uuid_string(),
                r.max_doc(),
                r.num_deleted_docs(),
            )
        })
        .collect()
}

/// The file's bytes for a table of `searcher`.
pub(crate) fn encode(
    searcher: &Searcher,
    life: &[Life],
    docs: &HashMap<SegmentId, Arc<Vec<u32>>>,
    keys: &NodeKeys,
) -> Vec<u8> {
    let segs = segment_key(searcher);
    let mut out = Vec::with_capacity(64 + life.len() * (LIFE_BYTES + 12) + keys.text.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&rules().to_le_bytes());
    put_u32(&mut out, segs.len());
    for (id, max, del) in &segs {
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&max.to_le_bytes());
        out.extend_from_slice(&del.to_le_bytes());
    }
    put_u32(&mut out, life.len());
    for l in life {
        l.put(&mut out);
    }
    for r in searcher.segment_readers() {
        let nodes = docs.get(&r.segment_id());
        for doc in 0..r.max_doc() as usize {
            let n = nodes
                .and_then(|v| v.get(doc).copied())
                .unwrap_or(super::NONE);
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    put_u32(&mut out, keys.len());
    put_u32(&mut out, keys.text.len());
    out.extend_from_slice(keys.text.as_bytes());
    for e in &keys.ends {
        out.extend_from_slice(&e.to_le_bytes());
    }
    for n in &keys.node {
        out.extend_from_slice(&n.to_le_bytes());
    }
    seal(out)
}

/// Opens a stored table or graph file (`magic`, `what` for the message of a foreign one): a
/// reader after its header when it was sealed by these rules for exactly `searcher`'s
/// segments and deletes; else why not.
fn open<'a>(
    bytes: &'a [u8],
    magic: &[u8],
    what: &str,
    searcher: &Searcher,
) -> Result<Reader<'a>, TableOrigin> {
    let mut r = unseal(bytes, magic, what, rules()).map_err(|e| match e {
        Unsealed::Unreadable(why) => TableOrigin::Unreadable(why),
        Unsealed::Stale => {
            TableOrigin::Stale("written by a program with other edition rules".into())
        }
    })?;
    let truncated = || TableOrigin::Unreadable("truncated".into());
    let n_segs = r.u32().ok_or_else(truncated)? as usize;
    let mut have = Vec::with_capacity(n_segs.min(4096));
    for _ in 0..n_segs {
        let id = r.take(32).ok_or_else(truncated)?;
        let id = String::from_utf8_lossy(id).into_owned();
        let max = r.u32().ok_or_else(truncated)?;
        let del = r.u32().ok_or_else(truncated)?;
        have.push((id, max, del));
    }
    if have != segment_key(searcher) {
        return Err(TableOrigin::Stale(
            "written for other segments or deletes".into(),
        ));
    }
    Ok(r)
}

/// The flat table stored in `bytes`, when it was stored for exactly `searcher`'s segments by
/// these rules; else why not.
pub(crate) fn decode(bytes: &[u8], searcher: &Searcher) -> Result<Flat, TableOrigin> {
    let bad = |why: &str| TableOrigin::Unreadable(why.to_string());
    let mut r = open(bytes, MAGIC, "an edition table", searcher)?;
    let truncated = || bad("truncated");
    let n_nodes = r.u32().ok_or_else(truncated)? as usize;
    let mut life = Vec::with_capacity(n_nodes.min(bytes.len() / LIFE_BYTES));
    for _ in 0..n_nodes {
        let b = r.take(LIFE_BYTES).ok_or_else(truncated)?;
        life.push(Life::get(b).ok_or_else(|| bad("invalid node"))?);
    }
    let in_range = |n: u32| n == super::NONE || (n as usize) < n_nodes;
    let mut docs = HashMap::with_capacity(searcher.segment_readers().len());
    for seg in searcher.segment_readers() {
        let max = seg.max_doc() as usize;
        let raw = r
            .take(max.checked_mul(4).ok_or_else(truncated)?)
            .ok_or_else(truncated)?;
        let nodes: Vec<u32> = raw.chunks_exact(4).map(le_u32).collect();
        if !nodes.iter().all(|&n| in_range(n)) {
            return Err(bad("node number out of range"));
        }
        docs.insert(seg.segment_id(), nodes);
    }
    let n_keys = r.u32().ok_or_else(truncated)? as usize;
    let text_len = r.u32().ok_or_else(truncated)? as usize;
    let text = std::str::from_utf8(r.take(text_len).ok_or_else(truncated)?)
        .map_err(|_| bad("keys are not UTF-8"))?
        .to_string();
    let ends_raw = r.take((n_keys + 1) * 4).ok_or_else(truncated)?;
    let ends: Vec<u32> = ends_raw.chunks_exact(4).map(le_u32).collect();
    let node_raw = r.take(n_keys * 4).ok_or_else(truncated)?;
    let node: Vec<u32> = node_raw.chunks_exact(4).map(le_u32).collect();
    if !r.is_empty() {
        return Err(bad("trailing bytes"));
    }
    let keys = NodeKeys { text, ends, node };
    let ends_ok = keys.ends.first() == Some(&0)
        && keys.ends.last() == Some(&(text_len as u32))
        && keys.ends.windows(2).all(|w| w[0] <= w[1])
        && keys
            .ends
            .iter()
            .all(|&e| keys.text.is_char_boundary(e as usize));
    let sorted = ends_ok && (1..keys.len()).all(|i| keys.key(i - 1) < keys.key(i));
    if !sorted || !keys.node.iter().all(|&n| (n as usize) < n_nodes) {
        return Err(bad("invalid keys"));
    }
    Ok(Flat { life, docs, keys })
}

/// The graph file's bytes for the chains of a table of `searcher`.
///
/// Layout (little-endian): magic (8 bytes), rules (u64), the segments as in the table's file;
/// node count and given count (u32 each); the codes as written (text length, text, `nodes + 1`
/// ends); the successors (item count, `nodes + 1` ends, items: node << 1 | inferred); the
/// nodes by edition key and the link-only nodes by unpadded code (each: count, text length,
/// text, `count + 1` ends, nodes); the CRC-32 of everything before (u32). The
/// predecessors and the documents' addresses are derived when read.
pub(crate) fn encode_graph(searcher: &Searcher, c: &Chains) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        64 + c.codes.text.len()
            + c.by_key.text.len()
            + 4 * (c.codes.ends.len() + c.succ.ends.len() + c.succ.items.len())
            + 12 * c.by_key.len(),
    );
    out.extend_from_slice(GRAPH_MAGIC);
    out.extend_from_slice(&rules().to_le_bytes());
    let segs = segment_key(searcher);
    put_u32(&mut out, segs.len());
    for (id, max, del) in &segs {
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(&max.to_le_bytes());
        out.extend_from_slice(&del.to_le_bytes());
    }
    put_u32(&mut out, c.len());
    out.extend_from_slice(&c.given.to_le_bytes());
    put_u32(&mut out, c.codes.text.len());
    out.extend_from_slice(c.codes.text.as_bytes());
    put_u32s(&mut out, &c.codes.ends);
    put_u32(&mut out, c.succ.items.len());
    put_u32s(&mut out, &c.succ.ends);
    put_u32s(&mut out, &c.succ.items);
    for keys in [&c.by_key, &c.named] {
        put_u32(&mut out, keys.len());
        put_u32(&mut out, keys.text.len());
        out.extend_from_slice(keys.text.as_bytes());
        put_u32s(&mut out, &keys.ends);
        put_u32s(&mut out, &keys.node);
    }
    seal(out)
}

/// The chains stored in `bytes` for exactly `searcher`'s segments, these rules and a table of
/// `nodes` nodes (their `addr` left empty for the caller); else why not.
pub(crate) fn decode_graph(
    bytes: &[u8],
    searcher: &Searcher,
    nodes: usize,
) -> Result<Chains, TableOrigin> {
    let bad = |why: &str| TableOrigin::Unreadable(why.to_string());
    let mut r = open(bytes, GRAPH_MAGIC, "an edition graph", searcher)?;
    let truncated = || bad("truncated");
    let n = r.u32().ok_or_else(truncated)? as usize;
    let given = r.u32().ok_or_else(truncated)?;
    if n != nodes {
        return Err(TableOrigin::Stale("written for another table".into()));
    }
    if given as usize > n {
        return Err(bad("more given nodes than nodes"));
    }
    let text_len = r.u32().ok_or_else(truncated)? as usize;
    let text = std::str::from_utf8(r.take(text_len).ok_or_else(truncated)?)
        .map_err(|_| bad("codes are not UTF-8"))?
        .to_string();
    let ends = read_u32s(&mut r, n + 1).ok_or_else(truncated)?;
    if !offsets_ok(&ends, text_len) || !ends.iter().all(|&e| text.is_char_boundary(e as usize)) {
        return Err(bad("invalid codes"));
    }
    let codes = Texts { text, ends };
    let n_items = r.u32().ok_or_else(truncated)? as usize;
    let succ_ends = read_u32s(&mut r, n + 1).ok_or_else(truncated)?;
    let items = read_u32s(&mut r, n_items).ok_or_else(truncated)?;
    if !offsets_ok(&succ_ends, n_items) || !items.iter().all(|&v| ((v >> 1) as usize) < n) {
        return Err(bad("invalid links"));
    }
    let succ = Adjacent {
        ends: succ_ends,
        items,
    };
    let by_key = read_keys(&mut r, false).ok_or_else(|| bad("invalid edition keys"))?;
    let named = read_keys(&mut r, true).ok_or_else(|| bad("invalid node keys"))?;
    if !r.is_empty() {
        return Err(bad("trailing bytes"));
    }
    let given_ok = |node: u32| node >= given && (node as usize) < n;
    if by_key.len() != n
        || !by_key.node.iter().all(|&v| (v as usize) < n)
        || named.len() != n - given as usize
        || !named.node.iter().all(|&v| given_ok(v))
    {
        return Err(bad("invalid keys"));
    }
    let pred = succ.reversed(n);
    Ok(Chains {
        codes,
        given,
        succ,
        pred,
        by_key,
        named,
        addr: Vec::new(),
    })
}

/// Keys as [`encode_graph`] writes them, sorted (strictly: one entry a key); `None` when cut
/// short or inconsistent.
fn read_keys(r: &mut Reader<'_>, strict: bool) -> Option<NodeKeys> {
    let n = r.u32()? as usize;
    let text_len = r.u32()? as usize;
    let text = std::str::from_utf8(r.take(text_len)?).ok()?.to_string();
    let ends = read_u32s(r, n.checked_add(1)?)?;
    let node = read_u32s(r, n)?;
    if !offsets_ok(&ends, text_len) || !ends.iter().all(|&e| text.is_char_boundary(e as usize)) {
        return None;
    }
    let keys = NodeKeys { text, ends, node };
    let ordered = (1..keys.len()).all(|i| {
        let (a, b) = (keys.key(i - 1), keys.key(i));
        a < b || (!strict && a == b)
    });
    ordered.then_some(keys)
}

/// `count` little-endian u32s.
fn read_u32s(r: &mut Reader<'_>, count: usize) -> Option<Vec<u32>> {
    Some(
        r.take(count.checked_mul(4)?)?
            .chunks_exact(4)
            .map(le_u32)
            .collect(),
    )
}

/// Offsets from 0 to `end`, never decreasing.
fn offsets_ok(ends: &[u32], end: usize) -> bool {
    ends.first() == Some(&0)
        && ends.last() == Some(&(end as u32))
        && ends.windows(2).all(|w| w[0] <= w[1])
}

fn put_u32s(out: &mut Vec<u8>, v: &[u32]) {
    for x in v {
        out.extend_from_slice(&x.to_le_bytes());
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n as u32).to_le_bytes());
}

const YEAR: u8 = 1;
const ISSUE: u8 = 2;
const IMPLEMENT: u8 = 4;
const ABOLISH: u8 = 8;
const ANY: u8 = 16;
const EARLIEST: u8 = 32;

fn basis_byte(b: Basis) -> u8 {
    match b {
        Basis::Stated => 0,
        Basis::Derived => 1,
        Basis::Inferred => 2,
    }
}

fn byte_basis(b: u8) -> Option<Basis> {
    match b {
        0 => Some(Basis::Stated),
        1 => Some(Basis::Derived),
        2 => Some(Basis::Inferred),
        _ => None,
    }
}

fn status_byte(s: Option<Status>) -> u8 {
    s.map_or(u8::MAX, Status::rank)
}

fn byte_status(b: u8) -> Option<Option<Status>> {
    match b {
        0 => Some(Some(Status::Current)),
        1 => Some(Some(Status::Upcoming)),
        2 => Some(Some(Status::Replaced)),
        3 => Some(Some(Status::Abolished)),
        u8::MAX => Some(None),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Only the marked regions count: an edit outside them leaves the fingerprint's input
    /// alone, one inside changes it; unpaired or missing markers count the whole file.
    #[test]
    fn rule_regions_are_the_marked_code_only() {
        let src = "fn query_loop() {}\n// edition-table rules: begin (why)\nfn rule() -> u8 { 1 }\n    // edition-table rules: end\nfn other() {}\n";
        let regions = rule_regions(src);
        assert!(regions.contains("fn rule()"));
        assert!(!regions.contains("query_loop") && !regions.contains("other"));
        assert_eq!(
            rule_regions(&src.replace("query_loop", "faster_loop")),
            regions
        );
        assert_ne!(rule_regions(&src.replace("{ 1 }", "{ 2 }")), regions);
        for whole in [
            "fn rule() {}\n",
            "// edition-table rules: begin\nfn rule() {}\n",
            "// edition-table rules: end\nfn rule() {}\n",
            "// edition-table rules: begin\n// edition-table rules: begin\nfn rule() {}\n// edition-table rules: end\n",
        ] {
            assert_eq!(rule_regions(whole), whole);
        }
    }

    /// The code that decides a stored table is inside the regions of `collect.rs` and
    /// `editions.rs` (moving it out would let a rule change reuse old files), and the
    /// collector's query loop is not (editing it must not make stored tables stale).
    #[test]
    fn the_table_rules_are_marked_in_their_sources() {
        let collect = rule_regions(include_str!("../collect.rs"));
        for part in [
            "pub(crate) struct DocInfo",
            "fn pack_date",
            "const NO_DATE",
            "struct FacetOrds",
            "fn build(col: &StrColumn",
            "label: status_col",
            "abolish: DocInfo::pack_date",
            "pub(crate) fn editions(&self)",
            "StatedLinks::from_values",
            "pub(crate) fn doc_info",
        ] {
            assert!(
                collect.contains(part),
                "collect.rs: {part} outside the rule regions"
            );
        }
        assert!(!collect.contains("impl SegmentCollector for HitsSegment"));
        let editions = rule_regions(include_str!("../editions.rs"));
        for part in [
            "const NONE",
            "struct NodeKeys",
            "fn node_key",
            "impl StatedLinks",
            "fn gather(",
            "fn build_all(",
            "struct Chains",
            "fn from_graph",
            "fn item(node: usize",
            "fn reversed(",
            "fn addresses(",
        ] {
            assert!(
                editions.contains(part),
                "editions.rs: {part} outside the rule regions"
            );
        }
        assert!(!editions.contains("pub fn edition_chain"));
    }
}
