//! Integration tests of biaozhun-ingest (one test binary; one module per area).

mod batch_common;
mod batch_files;
mod batch_names;
mod catalog_aliases;
mod catalog_import;
mod cover_titles;
mod extract_common;
mod extract_pdfs;
mod extract_texts;
mod merge_conflicts;
mod notice_form_fixtures;
mod regulation_files;
mod structure_texts;
