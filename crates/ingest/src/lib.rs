//! Files to model records: everything between a file on disk and a `biaozhun-model` record.
//!
//! Knows nothing of tantivy: the index implements [`batch::Store`] and the analyzer implements
//! the small `tantivy-tokenizer-api` traits only. Code map: [`extract`] (PDF with fallbacks and
//! OCR, text encodings, HTML; text quality), [`structure`] (a standard's cover, clauses,
//! references, terms; text repair), [`regulation`] (laws into chapters and articles),
//! [`notice_form`] (WTO notification forms), [`citations`] (the standards a document cites, for 查新), [`catalog`] (JSON/JSONL/CSV/XLSX through the
//! column alias table), [`dates`], [`merge`] (catalog record + full text), [`batch`] (walks
//! paths, runs files in parallel, one report line per file), [`analyzer`] (jieba for Chinese).

pub mod analyzer;
pub mod batch;
pub mod catalog;
pub mod citations;
pub mod dates;
pub mod extract;
pub mod merge;
pub mod notice_form;
pub mod regulation;
pub mod structure;
