//! Re-index without downtime: a new generation built from the records the index already
//! stores, with the current schema, analyzer, dictionaries and synonyms, then one atomic
//! switch of the alias (see [`crate::alias`]).
//!
//! The old generation is read with tantivy alone (no schema check), so an index written by an
//! older schema version can still be rebuilt; every stored record is upserted into the new
//! generation, and the file bookkeeping (which inputs were ingested, with which content hash)
//! is carried over from the old `file_key` terms so a later `biaozhun ingest` still skips
//! unchanged files. The writer lock of the old generation is held throughout: nothing can be
//! committed to it meanwhile and lost. A failed rebuild removes the half-built generation and
//! leaves the old one serving.

use std::collections::BTreeSet;
use std::path::Path;

use biaozhun_model::{Record, RecordKind};
use serde::Serialize;
use tantivy::collector::Count;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{TantivyDocument, Term};

use crate::alias::{self, Resolved};
use crate::fields::names;
use crate::{document, Index, IndexError};

/// Records per upsert call while copying.
const CHUNK: usize = 500;

/// What a re-index did.
#[derive(Debug, Clone, Serialize)]
pub struct ReindexReport {
    /// The generation replaced.
    pub from_generation: u64,
    /// The generation now served.
    pub to_generation: u64,
    /// Records copied.
    pub records: u64,
    /// File bookkeeping entries carried over.
    pub files: u64,
    /// Stored documents that could not be read back (skipped, logged).
    pub unreadable: u64,
}

/// Rebuilds the index directory `root` into a new generation with the configuration in
/// `config_dir`, switches to it and removes the old generation. For an index no other process
/// writes (the CLI); a serving writer uses [`Index::reindex`].
pub fn reindex_dir(root: &Path, config_dir: &Path) -> Result<ReindexReport, IndexError> {
    let res = alias::resolve(root)?;
    if !res.data.join(alias::META_FILE).exists() {
        return Err(IndexError::NotFound(root.display().to_string()));
    }
    let old = tantivy::Index::open_in_dir(&res.data)?;
    // Held until the switch: no other process can commit to the old generation meanwhile.
    let lock = old
        .writer_with_num_threads::<TantivyDocument>(1, 15_000_000)
        .map_err(|e| match e {
            tantivy::TantivyError::LockFailure(..) => IndexError::BadRequest(format!(
                "another process writes the index in {} (a server with admin keys?): re-index \
                 through it with POST /api/v1/admin/reindex",
                root.display()
            )),
            e => e.into(),
        })?;
    let (new, report) = build_next(&old, &res, config_dir)?;
    drop(new);
    alias::switch(root, report.to_generation)?;
    drop(lock);
    drop(old);
    if let Err(e) = alias::remove_generation(root, res.generation) {
        tracing::warn!(error = %e, generation = res.generation, "old generation not removed");
    }
    Ok(report)
}

impl Index {
    /// Rebuilds this (writable, serving) index into a new generation with the configuration in
    /// `config_dir` and switches the alias to it; returns the new generation opened for
    /// writing. The caller holds its write lock, swaps the handle it serves, and removes the
    /// old generation ([`alias::remove_generation`]) once no search uses it.
    pub fn reindex(&self, config_dir: &Path) -> Result<(Index, ReindexReport), IndexError> {
        let res = Resolved {
            root: self.dir().to_path_buf(),
            data: self.data_dir().to_path_buf(),
            generation: self.generation(),
        };
        let (new, report) = build_next(&self.index, &res, config_dir)?;
        alias::switch(self.dir(), report.to_generation)?;
        Ok((new, report))
    }
}

/// Builds the next generation from the committed contents of `old`; on failure removes it.
fn build_next(
    old: &tantivy::Index,
    res: &Resolved,
    config_dir: &Path,
) -> Result<(Index, ReindexReport), IndexError> {
    let (data, generation) = alias::prepare_next(&res.root)?;
    let target = Resolved {
        root: res.root.clone(),
        data: data.clone(),
        generation,
    };
    let built = (|| {
        let new = Index::open_or_create_at(target, config_dir)?;
        let (records, files, unreadable) = copy(old, &new)?;
        new.commit_writes()?;
        new.optimize()?;
        Ok((
            new,
            ReindexReport {
                from_generation: res.generation,
                to_generation: generation,
                records,
                files,
                unreadable,
            },
        ))
    })();
    if built.is_err() {
        let _ = std::fs::remove_dir_all(&data);
    }
    built
}

/// Copies every record and file bookkeeping entry of `old`'s last commit into `new`.
fn copy(old: &tantivy::Index, new: &Index) -> Result<(u64, u64, u64), IndexError> {
    let schema = old.schema();
    let field = |name: &str| {
        schema.get_field(name).map_err(|_| IndexError::Config {
            path: "meta.json".into(),
            message: format!("the old index has no field {name}"),
        })
    };
    let (kind_f, record_f, file_key_f) = (
        field(names::kind)?,
        field(names::record)?,
        field(names::file_key)?,
    );
    let reader = old
        .reader_builder()
        .reload_policy(tantivy::ReloadPolicy::Manual)
        .try_into()?;
    let searcher = reader.searcher();
    let (mut records, mut unreadable) = (0u64, 0u64);
    let mut batch = Vec::with_capacity(CHUNK);
    let mut file_keys = BTreeSet::new();
    for segment in searcher.segment_readers() {
        let store = segment
            .get_store_reader(64)
            .map_err(|source| IndexError::Io {
                path: "segment store".into(),
                source,
            })?;
        for doc_id in segment.doc_ids_alive() {
            let doc: TantivyDocument = store.get(doc_id)?;
            let kind = doc
                .get_first(kind_f)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            if kind == document::FILE_KIND {
                continue;
            }
            // An unknown kind is counted unreadable below, like a record that does not parse.
            let record_kind = RecordKind::parse(&kind);
            let json = doc
                .get_first(record_f)
                .and_then(|v| v.as_bytes())
                .and_then(document::unpack_record);
            let record = record_kind.zip(json).and_then(|(k, j)| parse_record(k, &j));
            match record {
                Some(r) => {
                    batch.push(r);
                    records += 1;
                }
                None => {
                    unreadable += 1;
                    tracing::warn!(kind = %kind, doc = doc_id, "stored record unreadable, not copied");
                }
            }
            if batch.len() >= CHUNK {
                new.upsert(std::mem::take(&mut batch))?;
            }
        }
        let inverted = segment.inverted_index(file_key_f)?;
        let mut terms = inverted.terms().stream().map_err(|source| IndexError::Io {
            path: "file_key terms".into(),
            source,
        })?;
        while terms.advance() {
            if let Ok(k) = std::str::from_utf8(terms.key()) {
                file_keys.insert(k.to_string());
            }
        }
    }
    if !batch.is_empty() {
        new.upsert(batch)?;
    }
    // Terms of deleted documents stay in the dictionary until a merge: keep live ones only.
    let mut files = Vec::new();
    for key in file_keys {
        let q = TermQuery::new(
            Term::from_field_text(file_key_f, &key),
            IndexRecordOption::Basic,
        );
        if searcher.search(&q, &Count)? == 0 {
            continue;
        }
        if let Some((path, hash)) = key.split_once('\u{1}') {
            files.push((path.to_string(), hash.to_string()));
        }
    }
    let n_files = files.len() as u64;
    for chunk in files.chunks(CHUNK) {
        new.put_files(chunk)?;
    }
    Ok((records, n_files, unreadable))
}

fn parse_record(kind: RecordKind, json: &str) -> Option<Record> {
    match kind {
        RecordKind::Standard => serde_json::from_str(json).ok().map(Record::Standard),
        RecordKind::Notification => serde_json::from_str(json).ok().map(Record::Notification),
        RecordKind::Regulation => serde_json::from_str(json).ok().map(Record::Regulation),
    }
}
