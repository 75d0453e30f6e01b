//! The tantivy index: the only crate that knows tantivy.
