//! PDF extraction throughput per extractor on the shared PDFs, reported as pages/s
//! (criterion's `elem/s`, one element per page).
//!
//! Each extractor runs through `run_extractor`, i.e. with the same isolation as in production
//! (worker thread, `catch_unwind`, timeouts; `pdftotext` as a child process). Extractors that
//! fail on a file (pdf-extract panics on UniGB-UCS2-H and GBK-EUC-H fonts, lopdf on GBK-EUC-H)
//! are reported once and skipped. Run with a short measurement time:
//! `cargo bench -p biaozhun-ingest --bench extract -- --measurement-time 2 --warm-up-time 1`.

use std::path::Path;
use std::time::Duration;

use biaozhun_ingest::extract::{pdf_page_count, run_extractor, ExtractOptions, PdfExtractor};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

fn bench_pdfs(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/pdfs");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: {} absent, nothing to measure", dir.display());
        return;
    };
    let mut files: Vec<_> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    files.sort();
    let opts = ExtractOptions {
        ocr: false,
        ..Default::default()
    };
    let mut group = c.benchmark_group("pdf_extract");
    group.sample_size(10);
    for file in &files {
        let Ok(bytes) = std::fs::read(file) else {
            continue;
        };
        let name = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("pdf")
            .to_string();
        let pages = pdf_page_count(&bytes).unwrap_or(1).max(1);
        group.throughput(Throughput::Elements(u64::from(pages)));
        for which in PdfExtractor::ALL {
            if let Err(e) = run_extractor(which, &bytes, &opts) {
                eprintln!("note: {} on {name}: {e}", which.name());
                continue;
            }
            group.bench_function(format!("{}/{name}", which.name()), |b| {
                b.iter(|| run_extractor(which, &bytes, &opts))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .measurement_time(Duration::from_secs(2))
        .warm_up_time(Duration::from_millis(500));
    targets = bench_pdfs
}
criterion_main!(benches);
