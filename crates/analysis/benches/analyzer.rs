//! Analyzer throughput in MB/s over the fixture full texts (target ≥ 15 MB/s on one core).
//! Prints the raw `cut_for_search` figure alongside for comparison.

use std::path::Path;

use biaozhun_analysis::ChineseAnalyzer;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use tantivy_tokenizer_api::{TokenStream, Tokenizer};

fn corpus() -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/texts");
    let mut text = String::new();
    if let Ok(dir) = std::fs::read_dir(&root) {
        for e in dir.flatten() {
            if e.path().extension().is_some_and(|x| x == "txt") {
                text.push_str(&std::fs::read_to_string(e.path()).unwrap_or_default());
            }
        }
    }
    // Repeat to about 1 MB so a run measures steady state.
    let one = text.clone();
    while text.len() < 1_000_000 && !one.is_empty() {
        text.push_str(&one);
    }
    text
}

fn bench(c: &mut Criterion) {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
    let analyzer = ChineseAnalyzer::from_dir(&config).expect("analyzer config");
    let text = corpus();
    let mut g = c.benchmark_group("analyzer");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(10);
    g.bench_function("chinese_analyzer", |b| {
        let mut a = analyzer.clone();
        b.iter(|| {
            let mut n = 0usize;
            let mut s = a.token_stream(&text);
            while s.advance() {
                n += 1;
            }
            n
        })
    });
    let jieba = jieba_rs::Jieba::new();
    g.bench_function("jieba_cut_for_search", |b| {
        b.iter(|| jieba.cut_for_search(&text, true).len())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
