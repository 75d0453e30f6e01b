//! [`Index`]: opening (with schema checks), upsert by id with standard merging, deletes, atomic
//! commits per batch, file-hash bookkeeping for idempotent re-ingest, and record lookup.
//!
//! Layout of an index directory: tantivy's files, `biaozhun-index.json` (schema version and
//! config hash) and `config/` (a copy of the schema, dictionary, stop words and synonyms the
//! index was built with). Only `commit` makes writes visible; a process killed before it leaves
//! the index as of the previous commit, and re-running the ingest completes it because records
//! are upserted by id and files are only marked seen in the same commit as their records.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use biaozhun_analysis::ChineseAnalyzer;
use biaozhun_model::{HsChapters, Notification, Regulation, Standard, StandardCode};
use biaozhun_model::{Record, RecordKind, Store, StoreError};
use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::collect::ColumnCache;
use crate::config::{
    self, SchemaConfig, Synonyms, GLOSSARY_FILE, HASHED_FILES, HS_CHAPTERS_FILE, SCHEMA_VERSION,
    SYNONYMS_FILE,
};
use crate::document;
use crate::fields::Fields;
use crate::schema;
use crate::IndexError;

use crate::alias::{self, Resolved, CONFIG_DIR, META_FILE};
/// Config files read at query time only (synonyms, glossary, HS chapter names): copied into
/// the index on every writable open, so an edit applies without re-ingesting.
const QUERY_TIME_FILES: &[&str] = &[SYNONYMS_FILE, GLOSSARY_FILE, HS_CHAPTERS_FILE];
/// Indexing memory budget.
const WRITER_MEMORY: usize = 128 * 1024 * 1024;

/// What [`Index::open_parts`] prepares for `open_at`.
struct OpenParts {
    cfg: SchemaConfig,
    synonyms: Synonyms,
    chapters: Option<HsChapters>,
    fields: Fields,
    index: tantivy::Index,
    reader: IndexReader,
    columns: Arc<ColumnCache>,
    /// The edition table read back from its file, for the reader's generation.
    #[allow(clippy::type_complexity)]
    table: Option<(u64, Arc<crate::editions::EditionTable>)>,
    /// What the column cache read back from its stored file (read-only handles).
    columns_read: Option<crate::collect::ColumnsRead>,
    /// The bridge, when the HS names were read back from their cached form.
    bridge: Option<crate::bridge::Bridge>,
    columns_ms: f64,
    table_ms: f64,
}

#[derive(Debug, Serialize, Deserialize)]
struct IndexMeta {
    schema_version: u32,
    config_hash: String,
}

/// Counts for `stats()`.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Documents per kind (standard, notification, regulation, file).
    pub kinds: std::collections::BTreeMap<String, u64>,
    /// Segments in the index.
    pub segments: usize,
    /// Schema version.
    pub schema_version: u32,
    /// Hash of schema, dictionary and stop words.
    pub config_hash: String,
}

impl Stats {
    /// Records of one kind (`kinds` also counts the `file` bookkeeping documents).
    pub fn records(&self, kind: RecordKind) -> u64 {
        self.kinds.get(kind.as_str()).copied().unwrap_or(0)
    }
}

struct WriterState {
    writer: IndexWriter,
    /// Standards written since the last commit, for merging within a batch.
    pending: HashMap<String, Standard>,
    /// Files written since the last commit.
    files: HashSet<(String, String)>,
    /// Approximate bytes of text held in `pending`: past [`PENDING_BYTES_LIMIT`] the writer
    /// commits on its own, so a huge ingest keeps bounded memory (each commit is still atomic).
    pending_bytes: usize,
}

/// How much standard text may wait in memory for the next commit (measured: a 250,000-document
/// ingest held 12 GB until its single final commit before this limit existed).
const PENDING_BYTES_LIMIT: usize = 256 * 1024 * 1024;

/// The search index. `Send + Sync`; share it in an `Arc`; searches take `&self`.
pub struct Index {
    /// The directory users name (state files live here).
    dir: PathBuf,
    /// The directory of the generation served (`dir` itself for generation 0).
    data: PathBuf,
    generation: u64,
    #[allow(dead_code)]
    pub(crate) index: tantivy::Index,
    pub(crate) reader: IndexReader,
    pub(crate) fields: Fields,
    pub(crate) cfg: SchemaConfig,
    pub(crate) zh: ChineseAnalyzer,
    pub(crate) en: TextAnalyzer,
    pub(crate) synonyms: Synonyms,
    /// The HS chapter names (`config/hs-chapters.toml`), read and validated once when the
    /// index opens (a re-index or restore opens a new handle, and so does a config change):
    /// the barrier check and the dossier use them on every request. `None` without the file.
    pub(crate) chapters: Option<HsChapters>,
    /// Chinese names of HS chapters (`84` → 核反应堆、锅炉、机器...), facet labels.
    pub(crate) hs_names: HashMap<String, String>,
    /// Query-time expansions from CC-CEDICT and the HS names, built at the first query.
    pub(crate) bridge: std::sync::OnceLock<crate::bridge::Bridge>,
    /// The hash of the configuration copy the index was built with (also part of the key of
    /// the HS names' cached form: the Chinese analyzer is built from it).
    pub(crate) config_hash: String,
    writer: Mutex<Option<WriterState>>,
    /// Fast-column handles per segment, reused by every search.
    pub(crate) columns: Arc<ColumnCache>,
    /// The edition table of the latest searcher generation used.
    /// The edition table of the latest searcher generation asked, with that generation.
    pub(crate) edition_cache: Mutex<Option<(u64, Arc<crate::editions::EditionTable>)>>,
    /// Store readers for reading stored documents as bytes (`crate::rawdoc`).
    pub(crate) raw_docs: crate::rawdoc::RawDocs,
    /// The segments' heads files (`crate::heads`): what a hit shows, without the store.
    pub(crate) heads: crate::heads::HeadFiles,
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index").field("dir", &self.dir).finish()
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> IndexError + '_ {
    move |source| IndexError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The first bytes value of a stored document. Deserializing stops there: tantivy reads a
/// bytes value one byte at a time, which for the record behind the head cost a fifth of search
/// time at 24k documents.
pub(crate) struct FirstBytes(pub(crate) Option<Vec<u8>>);

impl tantivy::schema::document::DocumentDeserialize for FirstBytes {
    fn deserialize<'de, D>(mut d: D) -> Result<Self, tantivy::schema::document::DeserializeError>
    where
        D: tantivy::schema::document::DocumentDeserializer<'de>,
    {
        while let Some((_, v)) = d.next_field::<tantivy::schema::OwnedValue>()? {
            if let tantivy::schema::OwnedValue::Bytes(b) = v {
                return Ok(FirstBytes(Some(b)));
            }
        }
        Ok(FirstBytes(None))
    }
}

/// What [`Index::optimize`] did.
#[derive(Debug, Clone, Serialize)]
pub struct OptimizeReport {
    /// Searchable segments before the merge.
    pub segments_before: usize,
    /// Segments after it (1, or 0 for an empty index).
    pub segments_after: usize,
    /// Live documents (records and file bookkeeping documents).
    pub documents: u64,
}

/// Bytes after which tantivy closes a block of the document store (its default is 16,384). A
/// hit's head is read by decompressing the whole block that holds it, and a record with its
/// full text is several kilobytes already (lz4-compressed): 16 kB blocks held two records or
/// more, so each head read copied a neighbour's full text too. With 2 kB blocks a record is
/// mostly alone in its block. On the small bench corpus (24k records, same binary, two indexes
/// built from the same files): hits-only throughput in process +12 % (4,588-4,882 -> 5,313-5,409
/// q/s on one thread), instructions per query -3.6 %, last-level cache misses -39 %, store
/// +2 % (352 -> 360 MB). Set when an index is created (tantivy keeps it in `meta.json`, merges
/// follow it): an index made before keeps its blocks until it is re-ingested.
const DOCSTORE_BLOCKSIZE: usize = 2048;

impl Index {
    /// Opens the index in `dir` for writing, creating it from the config in `config_dir` when
    /// `dir` holds no index yet. Fails with `SchemaMismatch` when the existing index was built
    /// with another schema version or other analyzer files.
    pub fn open_or_create(dir: &Path, config_dir: &Path) -> Result<Index, IndexError> {
        Self::open_or_create_at(alias::resolve(dir)?, config_dir)
    }

    /// [`Index::open_or_create`] on an explicit generation (re-index builds the next one).
    pub(crate) fn open_or_create_at(res: Resolved, config_dir: &Path) -> Result<Index, IndexError> {
        let dir = res.data.as_path();
        let hash = config::config_hash(config_dir)?;
        let cfg_copy = dir.join(CONFIG_DIR);
        if dir.join(META_FILE).exists() {
            let meta = read_meta(dir)?;
            if meta.schema_version != SCHEMA_VERSION || meta.config_hash != hash {
                return Err(IndexError::SchemaMismatch(format!(
                    "the index in {} was built with schema version {} and config {}, but {} \
                     holds schema version {SCHEMA_VERSION} and config {hash}",
                    dir.display(),
                    meta.schema_version,
                    meta.config_hash,
                    config_dir.display()
                )));
            }
            // Synonyms apply at query time only: refresh them (a broken HS chapter file is
            // refused here, naming it, before it replaces the index's good copy).
            load_hs_chapters(&config_dir.join(HS_CHAPTERS_FILE))?;
            for name in QUERY_TIME_FILES {
                copy_if_exists(&config_dir.join(name), &cfg_copy.join(name))?;
            }
            return Self::open_at(res, true);
        }
        // Validate before creating anything.
        SchemaConfig::load(config_dir)?;
        ChineseAnalyzer::from_dir(config_dir)?;
        load_hs_chapters(&config_dir.join(HS_CHAPTERS_FILE))?;
        std::fs::create_dir_all(&cfg_copy).map_err(io_err(&cfg_copy))?;
        for name in HASHED_FILES {
            let to = cfg_copy.join(name);
            std::fs::copy(config_dir.join(name), &to).map_err(io_err(&to))?;
        }
        for name in QUERY_TIME_FILES {
            copy_if_exists(&config_dir.join(name), &cfg_copy.join(name))?;
        }
        let cfg = SchemaConfig::load(&cfg_copy)?;
        let (tschema, _) = schema::build(&cfg)?;
        let mmap = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| IndexError::Tantivy(e.into()))?;
        let settings = tantivy::IndexSettings {
            docstore_blocksize: DOCSTORE_BLOCKSIZE,
            ..tantivy::IndexSettings::default()
        };
        tantivy::Index::create(mmap, tschema, settings)?;
        // The sidecar is written last: a directory without it is not an index yet.
        let meta = IndexMeta {
            schema_version: SCHEMA_VERSION,
            config_hash: hash,
        };
        write_atomic(
            &dir.join(META_FILE),
            &serde_json::to_vec_pretty(&meta).unwrap_or_default(),
        )?;
        Self::open_at(res, true)
    }

    /// Opens the index in `dir` read-only (serve, search, eval). The column cache every search
    /// reads is prepared while jieba's dictionary loads (see [`Index::warm`] for the rest).
    pub fn open(dir: &Path) -> Result<Index, IndexError> {
        Self::open_inner(dir, false)
    }

    /// Opens an existing index for writing with the configuration it was built with (the copy
    /// inside `dir`), for maintenance such as [`Index::optimize`] that adds no documents.
    pub fn open_writable(dir: &Path) -> Result<Index, IndexError> {
        Self::open_inner(dir, true)
    }

    /// Merges every segment into one and drops deleted documents. A big ingest leaves a dozen
    /// or more segments (tantivy merges only segments of similar size), and every query looks
    /// up each of its terms in every segment: at 300k documents and 19 segments, term
    /// dictionary lookups were a tenth of the search time. Worth running after a bulk import;
    /// later small batches add small segments that the merge policy handles.
    pub fn optimize(&self) -> Result<OptimizeReport, IndexError> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let state = guard.as_mut().ok_or(IndexError::ReadOnly)?;
        // No background merges from here on: one started by the commit below would take
        // segments away from the explicit merge ("segments ... could not be found").
        state
            .writer
            .set_merge_policy(Box::new(tantivy::indexer::NoMergePolicy));
        // Pending writes first, so the merge sees everything.
        self.commit_state(state)?;
        let before = self.index.searchable_segment_ids()?.len();
        // A merge already running when the index was opened can still race; retry with the
        // segments as they are then.
        let mut attempt = 0;
        loop {
            let ids = self.index.searchable_segment_ids()?;
            if ids.len() <= 1 {
                break;
            }
            match state.writer.merge(&ids).wait() {
                Ok(_) => break,
                Err(tantivy::TantivyError::InvalidArgument(_)) if attempt < 3 => attempt += 1,
                Err(e) => return Err(e.into()),
            }
        }
        state.writer.garbage_collect_files().wait()?;
        drop(guard);
        self.reader.reload()?;
        self.persist_editions();
        self.persist_edition_graph();
        self.persist_heads();
        // The HS names' cached form too (written when missing or stale), so that the next
        // open of the optimized index reads it back instead of tokenizing the names.
        self.bridge();
        let searcher = self.reader.searcher();
        Ok(OptimizeReport {
            segments_before: before,
            segments_after: searcher.segment_readers().len(),
            documents: searcher.num_docs(),
        })
    }

    fn open_inner(dir: &Path, writable: bool) -> Result<Index, IndexError> {
        Self::open_at(alias::resolve(dir)?, writable)
    }

    fn open_at(res: Resolved, writable: bool) -> Result<Index, IndexError> {
        let dir = res.data.as_path();
        if !dir.join(META_FILE).exists() {
            return Err(IndexError::NotFound(dir.display().to_string()));
        }
        let meta = read_meta(dir)?;
        if meta.schema_version != SCHEMA_VERSION {
            return Err(IndexError::SchemaMismatch(format!(
                "the index in {} has schema version {}, this program reads version {SCHEMA_VERSION}",
                dir.display(),
                meta.schema_version
            )));
        }
        let cfg_dir = dir.join(CONFIG_DIR);
        let hash = config::config_hash(&cfg_dir)?;
        if hash != meta.config_hash {
            return Err(IndexError::SchemaMismatch(format!(
                "the config copy in {} does not match the one the index was built with",
                cfg_dir.display()
            )));
        }
        // jieba's dictionary (~0.1 s: its trie is built from the dictionary's text at every
        // open) needs only the config copy: it loads on its own thread from here on, beside
        // the schema checks and, for a read-only handle (serve, search, eval), beside the
        // column cache and the stored edition table, which need no analyzer. The open waits
        // for the longest of them, not their sum. The tokenizers are registered before the
        // handle answers anything.
        let started = std::time::Instant::now();
        let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
        let (zh, opened) = std::thread::scope(|scope| {
            let zh = scope.spawn(|| {
                let t = std::time::Instant::now();
                (ChineseAnalyzer::from_dir(&cfg_dir), ms(t))
            });
            let opened = Self::open_parts(dir, &cfg_dir, &meta.config_hash, writable, scope);
            let zh = zh
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (zh, opened)
        });
        // The schema's errors first, as before the dictionary moved to its own thread.
        let opened = opened?;
        let (zh, jieba_ms) = zh;
        let zh = zh?;
        let OpenParts {
            cfg,
            synonyms,
            chapters,
            fields,
            index,
            reader,
            columns,
            table,
            columns_read,
            bridge: read_bridge,
            columns_ms,
            table_ms,
        } = opened;
        let hs_names = chapters
            .iter()
            .flat_map(HsChapters::all)
            .map(|c| (c.code.clone(), c.zh.clone()))
            .collect();
        tracing::info!(
            open_ms = ms(started),
            jieba_ms,
            columns_ms,
            columns_read = columns_read.as_ref().map_or(0, |r| r.segments),
            columns_file = ?columns_read.and_then(|r| r.unused),
            table_ms,
            table = ?table.as_ref().map(|(_, t)| t.origin()),
            hs_names_read = read_bridge.is_some(),
            "index opened"
        );
        schema::register(&index, &zh);
        let writer = if writable {
            Some(WriterState {
                writer: index.writer_with_num_threads(2, WRITER_MEMORY)?,
                pending: HashMap::new(),
                pending_bytes: 0,
                files: HashSet::new(),
            })
        } else {
            None
        };
        let heads = crate::heads::HeadFiles::new(&res.data);
        Ok(Index {
            dir: res.root,
            data: res.data,
            generation: res.generation,
            index,
            reader,
            fields,
            cfg,
            zh,
            en: schema::english_analyzer(),
            synonyms,
            chapters,
            hs_names,
            bridge: match read_bridge {
                Some(b) => std::sync::OnceLock::from(b),
                None => std::sync::OnceLock::new(),
            },
            config_hash: meta.config_hash,
            writer: Mutex::new(writer),
            columns,
            edition_cache: Mutex::new(table),
            raw_docs: Default::default(),
            heads,
        })
    }

    /// What an open prepares besides the analyzer (on the caller's thread, with one more
    /// thread of `scope` for a read-only handle): the schema checks, tantivy's index and
    /// reader, and for a read-only handle the column cache (read back from its stored file,
    /// or built) and the edition table read back from its stored file, with today's day rows.
    /// A table that is missing, stale or damaged is left to [`Index::warm`] or the first
    /// search, which build it (after the columns) as before.
    fn open_parts<'scope>(
        dir: &'scope Path,
        cfg_dir: &'scope Path,
        config_hash: &'scope str,
        writable: bool,
        scope: &'scope std::thread::Scope<'scope, '_>,
    ) -> Result<OpenParts, IndexError> {
        let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
        let cfg = SchemaConfig::load(cfg_dir)?;
        let synonyms = Synonyms::load(cfg_dir)?;
        let chapters = load_hs_chapters(&cfg_dir.join(HS_CHAPTERS_FILE))?;
        let (tschema, fields) = schema::build(&cfg)?;
        let index = tantivy::Index::open_in_dir(dir)?;
        if index.schema() != tschema {
            return Err(IndexError::SchemaMismatch(format!(
                "the tantivy schema in {} differs from the fields this program declares",
                dir.display()
            )));
        }
        let reader: IndexReader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::OnCommitWithDelay)
            .try_into()?;
        let columns = Arc::new(ColumnCache::new(cfg.facets()));
        let (mut columns_ms, mut table_ms) = (0.0, 0.0);
        let mut table = None;
        let mut columns_read = None;
        let mut bridge = None;
        if !writable {
            let searcher = reader.searcher();
            let read = scope.spawn({
                let searcher = searcher.clone();
                move || {
                    let t = std::time::Instant::now();
                    let table = crate::editions::read_stored(dir, &searcher);
                    let table_ms = ms(t);
                    // The HS names' cached form and the CC-CEDICT check need no analyzer
                    // either (~10 ms): the bridge is ready when the dictionary is.
                    let path = dir.join(crate::bridge::HS_NAMES_FILE);
                    let cache = crate::bridge::HsCache {
                        path: &path,
                        analyzer: config_hash,
                        write: false,
                    };
                    let bridge = crate::bridge::Bridge::read_back(&crate::bridge::hs_dir(), &cache);
                    (table, table_ms, bridge)
                }
            });
            let t = std::time::Instant::now();
            let warmed = columns.warm_stored(&searcher, dir);
            columns_ms = ms(t);
            if let Ok(read) = &warmed {
                columns_read = Some(read.clone());
            }
            if let Err(e) = &warmed {
                // The first search builds what is missing, and reports the error then.
                tracing::debug!(error = %e, "column cache not prepared at open");
            }
            let (read, read_ms, read_bridge) =
                read.join()
                    .unwrap_or((Err(crate::TableOrigin::Missing), 0.0, None));
            bridge = read_bridge;
            if let Ok(flat) = read {
                table_ms = read_ms;
                if warmed.is_ok() {
                    let t = std::time::Instant::now();
                    let opened =
                        crate::editions::EditionTable::open(&columns, &searcher, Ok(flat), dir);
                    // Today's rows too (what the search loop reads per document), while the
                    // dictionary is still loading: `warm` finds them made.
                    if let Ok(t) = &opened {
                        let today = crate::document::date_num(chrono::Local::now().date_naive());
                        for r in searcher.segment_readers() {
                            if let Ok(cols) = columns.segment(r) {
                                t.day_rows(r.segment_id(), &cols, today);
                            }
                        }
                    }
                    table_ms += ms(t);
                    table = opened
                        .ok()
                        .map(|t| (searcher.generation().generation_id(), Arc::new(t)));
                }
            }
        }
        Ok(OpenParts {
            cfg,
            synonyms,
            chapters,
            fields,
            index,
            reader,
            columns,
            table,
            columns_read,
            bridge,
            columns_ms,
            table_ms,
        })
    }

    /// The index directory as named by the user: state files beside the index (jobs,
    /// watchlists, sync positions) belong here, where re-indexing leaves them alone.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The directory of the generation this handle serves (see [`crate::alias`]).
    pub fn data_dir(&self) -> &Path {
        &self.data
    }

    /// Whether this handle holds the writer (opened with `open_or_create`/`open_writable`).
    pub fn is_writable(&self) -> bool {
        self.writer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .is_some()
    }

    /// The generation this handle serves (0 before the first re-index).
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// How many commits this handle's searchers have followed (tantivy's searcher generation:
    /// it grows by one with every reload that saw a new commit), for replica metrics.
    pub fn searcher_generation(&self) -> u64 {
        self.reader.searcher().generation().generation_id()
    }

    /// The analyzer the index was built with (for callers that want to show tokens).
    pub fn analyzer(&self) -> &ChineseAnalyzer {
        &self.zh
    }

    /// Makes the latest commit visible to searches now (it becomes visible shortly anyway).
    pub fn reload(&self) -> Result<(), IndexError> {
        Ok(self.reader.reload()?)
    }

    /// Upserts records without committing: standards are merged with the stored (or pending)
    /// record of the same id via `merge_standard`.
    pub fn upsert(&self, records: Vec<Record>) -> Result<(), IndexError> {
        self.put_inner(records, &[])
    }

    /// Records file bookkeeping entries (path, content hash) without records (re-index).
    pub(crate) fn put_files(&self, files: &[(String, String)]) -> Result<(), IndexError> {
        self.put_inner(Vec::new(), files)
    }

    fn put_inner(
        &self,
        records: Vec<Record>,
        files: &[(String, String)],
    ) -> Result<(), IndexError> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let state = guard.as_mut().ok_or(IndexError::ReadOnly)?;
        for rec in records {
            let mut id = rec.id();
            let rec = match rec {
                Record::Standard(new) => {
                    // One record per standard whatever the padding: the stored `YY 505-2012`
                    // and a new `YY 0505-2012` merge (the catalog's spelling wins).
                    let key = new.code.unpadded().to_string();
                    let old = match state.pending.get(&key) {
                        Some(s) => Some(s.clone()),
                        None => self.find_standard(&new.code)?,
                    };
                    let merged = match old {
                        Some(mut base) => {
                            let old_id = base.id();
                            let conflicts = biaozhun_model::merge::merge_standard(&mut base, new);
                            if !conflicts.is_empty() {
                                tracing::debug!(id = %id, conflicts = conflicts.len(), "merged with stored standard");
                            }
                            if old_id != base.id() {
                                tracing::info!(old = %old_id, new = %base.id(), "spellings of one standard merged");
                                state
                                    .writer
                                    .delete_term(Term::from_field_text(self.fields.id, &old_id));
                            }
                            base
                        }
                        None => new,
                    };
                    id = merged.id();
                    state.pending_bytes += merged
                        .sections
                        .iter()
                        .map(|s| s.text.len() + s.title.len())
                        .sum::<usize>()
                        + 512;
                    state.pending.insert(key, merged.clone());
                    Record::Standard(merged)
                }
                // Field by field: what the new record lacks is kept from the stored one.
                Record::Notification(mut new) => {
                    if let Some(old) = self.get_notification(&id)? {
                        biaozhun_model::merge::merge_notification(&mut new, old);
                    }
                    Record::Notification(new)
                }
                other => other,
            };
            let doc = document::to_doc(&self.fields, &rec).map_err(|e| IndexError::Corrupt {
                id: id.clone(),
                message: e.to_string(),
            })?;
            state
                .writer
                .delete_term(Term::from_field_text(self.fields.id, &id));
            state.writer.add_document(doc)?;
        }
        for (path, hash) in files {
            let fid = document::file_id(path);
            state
                .writer
                .delete_term(Term::from_field_text(self.fields.id, &fid));
            state
                .writer
                .add_document(document::file_doc(&self.fields, path, hash))?;
            state.files.insert((path.clone(), hash.clone()));
        }
        if state.pending_bytes > PENDING_BYTES_LIMIT {
            tracing::info!(
                pending = state.pending.len(),
                bytes = state.pending_bytes,
                "committing early to bound memory"
            );
            self.commit_state(state)?;
            drop(guard);
            self.reader.reload()?;
        }
        Ok(())
    }

    /// Commits with the schema payload and forgets what was pending; the caller holds the lock.
    fn commit_state(&self, state: &mut WriterState) -> Result<(), IndexError> {
        let mut prepared = state.writer.prepare_commit()?;
        prepared.set_payload(&format!(
            "{{\"schema_version\":{SCHEMA_VERSION},\"config_hash\":\"{}\"}}",
            self.config_hash
        ));
        prepared.commit()?;
        state.pending.clear();
        state.pending_bytes = 0;
        state.files.clear();
        Ok(())
    }

    /// Commits everything written since the last commit, atomically, and reloads the reader.
    pub fn commit_writes(&self) -> Result<(), IndexError> {
        let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let state = guard.as_mut().ok_or(IndexError::ReadOnly)?;
        self.commit_state(state)?;
        drop(guard);
        self.reader.reload()?;
        // The new commit's edition table, built now and stored beside the segments, so the
        // next open (this process's next query, a replica, a restart) reads it.
        self.persist_editions();
        // The new segments' heads files (`crate::heads`).
        self.persist_heads();
        Ok(())
    }

    /// Deletes a record by id and commits.
    pub fn delete(&self, id: &str) -> Result<(), IndexError> {
        {
            let mut guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            let state = guard.as_mut().ok_or(IndexError::ReadOnly)?;
            state
                .writer
                .delete_term(Term::from_field_text(self.fields.id, id));
            state.pending.remove(id);
            if let Ok(code) = StandardCode::parse(id) {
                state.pending.remove(&code.unpadded().to_string());
            }
        }
        self.commit_writes()
    }

    /// The kind and stored JSON of a record.
    pub(crate) fn get_raw(
        &self,
        id: &str,
    ) -> Result<Option<(Option<RecordKind>, String)>, IndexError> {
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.id, id),
            IndexRecordOption::Basic,
        );
        let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
        let Some((_, addr)) = top.first() else {
            return Ok(None);
        };
        let doc: TantivyDocument = searcher.doc(*addr)?;
        Ok(Some(self.doc_record(&doc)))
    }

    /// (kind, record JSON) of a stored document (no kind for a file bookkeeping document; an
    /// empty JSON for a record this version cannot read, which its callers report as corrupt).
    pub(crate) fn doc_record(&self, doc: &TantivyDocument) -> (Option<RecordKind>, String) {
        let kind = self.doc_kind(doc);
        let json = doc
            .get_first(self.fields.record)
            .and_then(|v| v.as_bytes())
            .and_then(crate::document::unpack_record)
            .unwrap_or_default();
        (kind, json)
    }

    /// The head of the stored document at `addr` (what a hit shows): from its segment's heads
    /// file (`crate::heads`) when it has a usable one, else from the store, without
    /// deserializing the record after it (documents written otherwise are read whole).
    pub(crate) fn hit_head(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
    ) -> Result<crate::document::Head, IndexError> {
        let seg = searcher.segment_reader(addr.segment_ord);
        if let Some(head) = self.heads.head(searcher, seg, addr.doc_id) {
            return Ok(head);
        }
        self.store_head(searcher, addr)
    }

    /// The head of the stored document at `addr` read from the document store (what the heads
    /// files are built from, and where a hit without a usable heads file reads it).
    pub(crate) fn store_head(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
    ) -> Result<crate::document::Head, IndexError> {
        let raw = self.raw_docs.get(searcher, addr)?;
        let head = crate::rawdoc::bytes_values(&raw)
            .and_then(|v| v.into_iter().find(|(f, _)| *f == self.fields.head))
            .and_then(|(_, b)| serde_json::from_slice(b).ok());
        if let Some(head) = head {
            return Ok(head);
        }
        let FirstBytes(bytes) = searcher.doc(addr)?;
        if let Some(head) = bytes.and_then(|b| serde_json::from_slice(&b).ok()) {
            return Ok(head);
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        self.doc_head(&doc)
    }

    /// The head and the record (JSON bytes) of the stored document at `addr`, read as bytes
    /// (`crate::rawdoc`); documents that do not walk are read whole.
    pub(crate) fn head_and_record(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
    ) -> Result<(crate::document::Head, Vec<u8>), IndexError> {
        let raw = self.raw_docs.get(searcher, addr)?;
        if let Some(values) = crate::rawdoc::bytes_values(&raw) {
            let find = |field| values.iter().find(|(f, _)| *f == field).map(|(_, b)| *b);
            let head = find(self.fields.head).and_then(|b| serde_json::from_slice(b).ok());
            let record = find(self.fields.record).and_then(crate::document::unpack_record_bytes);
            if let (Some(head), Some(record)) = (head, record) {
                return Ok((head, record));
            }
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        let head = self.doc_head(&doc)?;
        let (_, json) = self.doc_record(&doc);
        Ok((head, json.into_bytes()))
    }

    /// The kind of a stored document (`None` for file bookkeeping documents).
    fn doc_kind(&self, doc: &TantivyDocument) -> Option<RecordKind> {
        doc.get_first(self.fields.kind)
            .and_then(|v| v.as_str())
            .and_then(RecordKind::parse)
    }

    /// The head of a stored document: what a hit shows, without reading the record.
    pub(crate) fn doc_head(
        &self,
        doc: &TantivyDocument,
    ) -> Result<crate::document::Head, IndexError> {
        let bytes = doc
            .get_first(self.fields.head)
            .and_then(|v| v.as_bytes())
            .unwrap_or_default();
        serde_json::from_slice(bytes).map_err(|e| IndexError::Corrupt {
            id: doc
                .get_first(self.fields.id)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string(),
            message: format!("stored head: {e}"),
        })
    }

    fn get_typed<T: serde::de::DeserializeOwned>(
        &self,
        id: &str,
        kind: RecordKind,
    ) -> Result<Option<T>, IndexError> {
        match self.get_raw(id)? {
            Some((k, json)) if k == Some(kind) => {
                serde_json::from_str(&json)
                    .map(Some)
                    .map_err(|e| IndexError::Corrupt {
                        id: id.to_string(),
                        message: e.to_string(),
                    })
            }
            _ => Ok(None),
        }
    }

    /// The full standard record by id (canonical code, e.g. `GB/T 7714-2015`).
    pub fn get_standard(&self, id: &str) -> Result<Option<Standard>, IndexError> {
        self.get_typed(id, RecordKind::Standard)
    }

    /// The standard a code names, padding-insensitive: the record with exactly this id, else
    /// the one whose number differs only in leading zeros (`YY 505-2012` finds the record
    /// `YY 0505-2012`, and the other way round).
    pub fn find_standard(&self, code: &StandardCode) -> Result<Option<Standard>, IndexError> {
        if let Some(s) = self.get_standard(&code.to_string())? {
            return Ok(Some(s));
        }
        let searcher = self.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(self.fields.code, &code.unpadded().to_string()),
            IndexRecordOption::Basic,
        );
        let key = code.unpadded();
        for (_, addr) in searcher.search(&q, &TopDocs::with_limit(8).order_by_score())? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let (kind, json) = self.doc_record(&doc);
            if kind != Some(RecordKind::Standard) {
                continue;
            }
            let s: Standard = serde_json::from_str(&json).map_err(|e| IndexError::Corrupt {
                id: code.to_string(),
                message: e.to_string(),
            })?;
            if s.code.unpadded() == key {
                return Ok(Some(s));
            }
        }
        Ok(None)
    }

    /// The full notification record by symbol.
    pub fn get_notification(&self, id: &str) -> Result<Option<Notification>, IndexError> {
        self.get_typed(id, RecordKind::Notification)
    }

    /// The full regulation record by id.
    pub fn get_regulation(&self, id: &str) -> Result<Option<Regulation>, IndexError> {
        self.get_typed(id, RecordKind::Regulation)
    }

    /// Document counts per kind and index facts.
    pub fn stats(&self) -> Result<Stats, IndexError> {
        let searcher = self.reader.searcher();
        let mut kinds = std::collections::BTreeMap::new();
        let kinds_and_files = RecordKind::ALL
            .iter()
            .map(|k| k.as_str())
            .chain([document::FILE_KIND]);
        for kind in kinds_and_files {
            let q = TermQuery::new(
                Term::from_field_text(self.fields.kind, kind),
                IndexRecordOption::Basic,
            );
            kinds.insert(kind.to_string(), searcher.search(&q, &Count)? as u64);
        }
        Ok(Stats {
            kinds,
            segments: searcher.segment_readers().len(),
            schema_version: SCHEMA_VERSION,
            config_hash: self.config_hash.clone(),
        })
    }

    fn seen_inner(&self, path: &str, hash: &str) -> bool {
        {
            let guard = self.writer.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(s) = guard.as_ref() {
                if s.files.contains(&(path.to_string(), hash.to_string())) {
                    return true;
                }
            }
        }
        let q = TermQuery::new(
            Term::from_field_text(self.fields.file_key, &document::file_key(path, hash)),
            IndexRecordOption::Basic,
        );
        self.reader
            .searcher()
            .search(&q, &Count)
            .map(|n| n > 0)
            .unwrap_or(false)
    }
}

/// Writes through a shared reference, so a server holding `Arc<Index>` can ingest an upload
/// while it keeps answering searches (the writer sits behind the index's own mutex).
impl Store for &Index {
    fn seen(&self, path: &str, content_hash: &str) -> bool {
        self.seen_inner(path, content_hash)
    }

    fn put(&mut self, records: Vec<Record>, files: &[(String, String)]) -> Result<(), StoreError> {
        Ok(self.put_inner(records, files)?)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(self.commit_writes()?)
    }
}

impl Store for Index {
    fn seen(&self, path: &str, content_hash: &str) -> bool {
        self.seen_inner(path, content_hash)
    }

    fn put(&mut self, records: Vec<Record>, files: &[(String, String)]) -> Result<(), StoreError> {
        Ok(self.put_inner(records, files)?)
    }

    fn commit(&mut self) -> Result<(), StoreError> {
        Ok(self.commit_writes()?)
    }
}

/// The HS chapter names of `hs-chapters.toml`, validated (none when the file is absent); a
/// file that does not parse or validate is an error naming it.
fn load_hs_chapters(path: &Path) -> Result<Option<HsChapters>, IndexError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err(path)(e)),
    };
    let err = |message: String| IndexError::Config {
        path: path.display().to_string(),
        message,
    };
    let file: biaozhun_model::glossary::HsChapterFile =
        toml::from_str(&text).map_err(|e| err(e.to_string()))?;
    file.validate().map(Some).map_err(|e| err(e.to_string()))
}

fn read_meta(dir: &Path) -> Result<IndexMeta, IndexError> {
    let path = dir.join(META_FILE);
    let bytes = std::fs::read(&path).map_err(io_err(&path))?;
    serde_json::from_slice(&bytes).map_err(|e| IndexError::Config {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn copy_if_exists(from: &Path, to: &Path) -> Result<(), IndexError> {
    if from.exists() {
        std::fs::copy(from, to).map_err(io_err(to))?;
    }
    Ok(())
}

/// Writes `bytes` to a temporary file beside `path` (`path` with the extension `tmp`), then
/// renames it over `path`: a reader sees the old file or the new one, never half of one.
pub(crate) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IndexError> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).map_err(io_err(&tmp))?;
    std::fs::rename(&tmp, path).map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use biaozhun_model::StandardCode;

    /// Hits read the head as the first bytes value of a stored document, without the record
    /// behind it, and it carries the kind: the fast path is taken, not the fallback.
    #[test]
    fn the_head_is_the_first_bytes_value_stored() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
        let index = Index::open_or_create(dir.path(), &config).expect("create");
        let mut s = Standard::new(StandardCode::parse("GB/T 7714-2015").expect("code"));
        s.title_zh = Some("信息与文献 参考文献著录规则".into());
        index.upsert(vec![Record::Standard(s)]).expect("upsert");
        index.commit_writes().expect("commit");
        let searcher = index.reader.searcher();
        let q = TermQuery::new(
            Term::from_field_text(index.fields.id, "GB/T 7714-2015"),
            IndexRecordOption::Basic,
        );
        let top = searcher
            .search(&q, &TopDocs::with_limit(1).order_by_score())
            .expect("search");
        let addr = top.first().expect("found").1;
        let FirstBytes(bytes) = searcher.doc(addr).expect("doc");
        let head: crate::document::Head =
            serde_json::from_slice(&bytes.expect("bytes")).expect("a head, not the record");
        assert_eq!(head.kind, RecordKind::Standard);
        assert_eq!(head.id, "GB/T 7714-2015");
        assert_eq!(
            head.title_zh.as_deref(),
            Some("信息与文献 参考文献著录规则")
        );
        assert_eq!(index.hit_head(&searcher, addr).expect("head"), head);
        // The record is still there, whole, for record pages and snippets.
        let std = index
            .get_standard("GB/T 7714-2015")
            .expect("get")
            .expect("stored");
        assert_eq!(std.title_zh, head.title_zh);
    }

    /// Every stored document of an index (standards with sections, a notification, file
    /// bookkeeping documents) read as bytes (`crate::rawdoc`) gives the same head and record
    /// as tantivy's own document reader: the byte walk must follow tantivy's format.
    #[test]
    fn stored_documents_read_as_bytes_equal_tantivys_reading() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
        let mut index = Index::open_or_create(dir.path(), &config).expect("create");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let aliases = biaozhun_ingest::catalog::Aliases::load_dir(&config).expect("aliases");
        let mut opts = biaozhun_ingest::batch::BatchOptions::new(aliases);
        opts.extract.ocr = false;
        let paths = ["catalog", "texts", "notifications"].map(|p| fixtures.join(p));
        let summary = biaozhun_ingest::batch::ingest_paths(&paths, &opts, &mut index, &|_| {});
        assert_eq!(summary.error, 0, "{summary:?}");
        let searcher = index.reader.searcher();
        let mut walked = 0;
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..seg.max_doc() {
                let addr = tantivy::DocAddress::new(ord as u32, doc);
                let raw = index.raw_docs.get(&searcher, addr).expect("bytes");
                let values = crate::rawdoc::bytes_values(&raw).expect("walks");
                let whole: TantivyDocument = searcher.doc(addr).expect("doc");
                let want: Vec<(tantivy::schema::Field, &[u8])> = whole
                    .field_values()
                    .filter_map(|(f, v)| v.as_bytes().map(|b| (f, b)))
                    .collect();
                assert_eq!(values, want, "document {doc} of segment {ord}");
                if whole.get_first(index.fields.record).is_some() {
                    let (head, record) = index.head_and_record(&searcher, addr).expect("read");
                    assert_eq!(head, index.doc_head(&whole).expect("head"));
                    assert_eq!(record, index.doc_record(&whole).1.into_bytes());
                    walked += 1;
                }
            }
        }
        assert!(walked > 20, "{walked}");
    }

    /// Checks that the head a hit gets is the store's for every document: (documents with a
    /// head, heads answered by the heads files).
    fn heads_checked(index: &Index) -> (usize, usize) {
        let searcher = index.reader.searcher();
        let (mut with_head, mut from_file) = (0, 0);
        for (ord, seg) in searcher.segment_readers().iter().enumerate() {
            for doc in 0..seg.max_doc() {
                let addr = tantivy::DocAddress::new(ord as u32, doc);
                let hit = index.hit_head(&searcher, addr).ok();
                let store = index.store_head(&searcher, addr).ok();
                assert_eq!(hit, store, "document {doc} of segment {ord}");
                with_head += usize::from(store.is_some());
                let file = index.heads.head(&searcher, seg, doc);
                if file.is_some() {
                    assert_eq!(file, store, "document {doc} of segment {ord}");
                    from_file += 1;
                }
            }
        }
        (with_head, from_file)
    }

    fn heads_files(dir: &Path) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("dir")
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.starts_with(crate::heads::PREFIX))
            })
            .collect();
        v.sort();
        v
    }

    /// Each commit writes the heads files of its new segments; hits read them and get what
    /// the store holds; a damaged or cut file costs the store read, never a wrong head; a merge
    /// leaves one file for the one segment.
    #[test]
    fn heads_files_answer_as_the_store_does() {
        let dir = tempfile::tempdir().expect("tmp");
        let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let aliases = biaozhun_ingest::catalog::Aliases::load_dir(&config).expect("aliases");
        let mut opts = biaozhun_ingest::batch::BatchOptions::new(aliases);
        opts.extract.ocr = false;
        {
            let mut index = Index::open_or_create(dir.path(), &config).expect("create");
            // Two batches, two commits: at least two segments.
            for p in [
                ["catalog", "texts"].as_slice(),
                ["notifications"].as_slice(),
            ] {
                let paths: Vec<PathBuf> = p.iter().map(|p| fixtures.join(p)).collect();
                let summary =
                    biaozhun_ingest::batch::ingest_paths(&paths, &opts, &mut index, &|_| {});
                assert_eq!(summary.error, 0, "{summary:?}");
            }
            let segments = index.reader.searcher().segment_readers().len();
            assert!(segments >= 2, "{segments}");
            assert_eq!(heads_files(dir.path()).len(), segments);
            let (heads, from_file) = heads_checked(&index);
            assert!(heads > 20, "{heads}");
            assert_eq!(from_file, heads);
        }
        // Another process reading the files (read-only), then the files damaged.
        let index = Index::open(dir.path()).expect("open");
        let (heads, from_file) = heads_checked(&index);
        assert_eq!(from_file, heads);
        let files = heads_files(dir.path());
        let mut bytes = std::fs::read(&files[0]).expect("read");
        let last = bytes.len() - 7;
        bytes[last] ^= 0x40;
        std::fs::write(&files[0], &bytes).expect("write");
        std::fs::write(&files[1], &bytes[..bytes.len() / 2]).expect("write");
        let index = Index::open(dir.path()).expect("open");
        let searcher = index.reader.searcher();
        // The documents with a head in the segment of each file.
        let in_file = |file: &Path| {
            let (ord, seg) = searcher
                .segment_readers()
                .iter()
                .enumerate()
                .find(|(_, s)| {
                    Some(crate::heads::file_name(s.segment_id()).as_str())
                        == file.file_name().and_then(|n| n.to_str())
                })
                .expect("a live segment's file");
            (0..seg.max_doc())
                .filter(|d| {
                    let addr = tantivy::DocAddress::new(ord as u32, *d);
                    index.store_head(&searcher, addr).is_ok()
                })
                .count()
        };
        let cut = in_file(&files[1]);
        let (again, from_file) = heads_checked(&index);
        assert_eq!(again, heads);
        // The damaged entry alone falls back; the cut file wholly.
        assert_eq!(from_file, heads - cut - 1, "{cut}");
        drop(index);
        // A merge: one segment, one file, the old ones gone.
        let index = Index::open_writable(dir.path()).expect("open");
        index.optimize().expect("optimize");
        assert_eq!(index.reader.searcher().segment_readers().len(), 1);
        assert_eq!(heads_files(dir.path()).len(), 1);
        // (Fewer than before: the merge dropped the replaced editions of re-ingested records.)
        let (merged, from_file) = heads_checked(&index);
        assert!(merged > 20, "{merged}");
        assert_eq!(from_file, merged);
    }
}
