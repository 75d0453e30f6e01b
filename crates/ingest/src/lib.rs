//! Files to model records. Knows nothing of tantivy.
pub mod analyzer;
pub mod extract;
