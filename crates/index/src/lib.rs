//! The tantivy index: the only crate that knows tantivy.
//!
//! One index holds standards, WTO notifications and regulations (field `kind`), plus `file`
//! bookkeeping documents that remember which input files were ingested. The schema comes from
//! `index-config/schema.toml`; the config files are copied into the index directory so that
//! `open(dir)` uses exactly the analyzers the index was built with, and an index built with
//! another schema or dictionary refuses to open and asks for a re-ingest.
//!
//! Code map: [`fields`] (every field declared once: handles, options, names), [`config`]
//! (schema.toml's tunables validated against the fields, synonyms, hashes), [`schema`]
//! (tantivy schema, analyzer registration), [`document`] (records to documents), [`request`]
//! (search request/response types), [`store`] ([`Index`]: open, upsert, delete, get, optimize,
//! the ingest `Store`), [`editions`] (edition chains, statuses on a date, the edition in force:
//! `Index::edition_chain`), [`query`] (query understanding), [`union`] (the seekable union of a
//! term group's alternatives), [`collect`] (per-segment arrays; filters on derived status,
//! facets, sorting, cursors), [`search`] (the orchestration of `Index::search`), [`snippet`],
//! [`suggest`], [`eval`] (relevance harness), [`matched`] (which words a hit matched).
//!
//! Module order: each uses only modules before it, except that modules adding `impl Index`
//! blocks (`editions`, `suggest`, `adoptions`, `search`, ...) take the `Index` handle of
//! `store`, which holds the caches of `collect`, `editions` and `bridge`. No module uses
//! `search`: `fields` → `config` → `schema` → `document` → `request` → `union`, `snippet` →
//! `editions` → `collect` → `bridge` → `store` → `query` → `matched`, `suggest`, `barriers` →
//! `adoptions`, `dossier` → `search` → `eval`; `alias` → `snapshot`, `reindex`.

pub mod adoptions;
pub mod alias;
pub mod barriers;
pub mod bridge;
mod bytes;
pub mod cedict;
pub mod collect;
pub mod config;
pub mod defaults;
pub mod document;
pub mod dossier;
pub mod editions;
pub mod eval;
pub mod fields;
mod heads;
pub mod matched;
pub mod prune;
pub mod query;
mod rawdoc;
pub mod reindex;
pub mod request;
pub mod schema;
pub mod search;
pub mod snapshot;
pub mod snippet;
pub mod store;
pub mod suggest;
pub mod union;

pub use editions::{Citing, Edition, EditionChain, EditionLink, EditionTable, TableOrigin};
pub use request::{
    FacetCount, Highlight, Hit, SearchRequest, SearchResponse, Sort, MAX_LIMIT, MAX_WINDOW,
};
pub use store::{Index, OptimizeReport, Stats};

/// Errors of the index. Messages are lowercase and name the file or field concerned.
#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    /// A file in `index-config/` (or its copy in the index) is missing or invalid.
    #[error("invalid index config {path}: {message}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The index was built with another schema version or analyzer config.
    #[error("{0}; re-ingest into a new index directory (or delete the old one) to rebuild it")]
    SchemaMismatch(String),
    /// No index at the given directory.
    #[error("no biaozhun index in {0} (build one with `biaozhun ingest`)")]
    NotFound(String),
    /// A write was attempted on an index opened read-only.
    #[error("index opened read-only")]
    ReadOnly,
    /// A request that cannot be answered as asked (paging window, bad cursor, bad filter).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The analyzer files could not be loaded.
    #[error(transparent)]
    Analyzer(#[from] biaozhun_analysis::AnalyzerError),
    /// An error of the engine.
    #[error("index engine error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A stored record could not be read back.
    #[error("stored record {id} is unreadable: {message}")]
    Corrupt {
        /// Record id.
        id: String,
        /// Decoder message.
        message: String,
    },
    /// File system error.
    #[error("io error on {path}: {source}")]
    Io {
        /// The path.
        path: String,
        /// The error.
        source: std::io::Error,
    },
}
