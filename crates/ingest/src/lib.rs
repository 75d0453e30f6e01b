//! Files to model records: everything between a file on disk and a `biaozhun-model` record.
//!
//! Knows nothing of tantivy nor of text analysis: the index implements the model's
//! `Store`, and the analyzer lives in `biaozhun-analysis`. Code map: [`extract`] (PDF with
//! fallbacks and OCR, text encodings, HTML; text quality), [`structure`] (a standard's cover,
//! clauses, references, terms; text repair), [`regulation`] (laws into chapters and articles),
//! [`notice_form`] (WTO notification forms), [`citations`] (the standards a document cites, for
//! 查新), [`catalog`] (JSON/JSONL/CSV/XLSX through the column alias table), [`dates`], [`batch`]
//! (walks paths, runs files in parallel, merges catalog records with full texts by the model's
//! merge rules, one report line per file).

pub mod batch;
pub mod catalog;
pub mod citations;
pub mod dates;
pub mod extract;
pub mod notice_form;
pub mod regulation;
pub mod structure;
