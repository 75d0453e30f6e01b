//! Fuzzes PDF text extraction from bytes (`extract::extract_pdf_bytes`) with OCR and external
//! tools off, so only the in-process extractors (pdf-extract, lopdf) run. Run with `-timeout=10`.
#![no_main]

use std::time::Duration;

use biaozhun_ingest::extract::{extract_pdf_bytes, ExtractOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let opts = ExtractOptions {
        ocr: false,
        external_tools: false,
        max_file_bytes: 4 * 1024 * 1024,
        library_timeout: Duration::from_secs(8),
        ..Default::default()
    };
    let _ = extract_pdf_bytes(data, &opts);
});
