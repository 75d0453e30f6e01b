//! Files to model records. Knows nothing of tantivy.
pub mod analyzer;
pub mod extract;
pub mod batch;
pub mod catalog;
pub mod dates;
pub mod merge;
pub mod structure;
pub mod regulation;
pub mod notice_form;
