//! Runs the analyzer (or raw jieba `cut_for_search`, with `--raw`) over the fixture full texts
//! repeated to about 1 MB, and prints tokens and throughput: a small binary to profile under
//! `valgrind --tool=callgrind`, whose instruction counts ignore the machine's load.
//!
//! `cargo run --release -p biaozhun-analysis --example analyze -- [--raw] [repeats]`, or
//! `... -- --dump FILE...` to print every token (text, offsets, position) of the given files,
//! for comparing two versions of the analyzer.

use std::path::Path;
use std::time::Instant;

use biaozhun_analysis::ChineseAnalyzer;
use tantivy_tokenizer_api::{TokenStream, Tokenizer};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let raw = args.iter().any(|a| a == "--raw");
    let pieces = args.iter().any(|a| a == "--pieces");
    let repeats: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1);
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
    let mut analyzer = match ChineseAnalyzer::from_dir(&config) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("analyzer: {e}");
            std::process::exit(1);
        }
    };
    if args.first().is_some_and(|a| a == "--dump") {
        for path in &args[1..] {
            let Ok(text) = std::fs::read_to_string(path) else {
                eprintln!("cannot read {path}");
                continue;
            };
            println!("# {path}");
            for t in analyzer.tokens(&text) {
                println!(
                    "{}\t{}\t{}\t{}",
                    t.position, t.offset_from, t.offset_to, t.text
                );
            }
        }
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/texts");
    let mut one = String::new();
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    names.sort();
    for p in names {
        if p.extension().is_some_and(|x| x == "txt") {
            one.push_str(&std::fs::read_to_string(&p).unwrap_or_default());
        }
    }
    let mut text = one.clone();
    while text.len() < 1_000_000 && !one.is_empty() {
        text.push_str(&one);
    }
    let jieba = jieba_rs::Jieba::new();
    let start = Instant::now();
    let mut n = 0usize;
    for _ in 0..repeats {
        if raw {
            n += jieba.cut_for_search(&text, true).len();
        } else if pieces {
            let mut at = 0;
            while at < text.len() {
                let mut end = (at + 32 * 1024).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                let mut s = analyzer.token_stream(&text[at..end]);
                while s.advance() {
                    n += 1;
                }
                at = end;
            }
        } else {
            let mut s = analyzer.token_stream(&text);
            while s.advance() {
                n += 1;
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    let mb = (text.len() * repeats) as f64 / 1e6;
    println!(
        "{} tokens, {:.2} MB in {secs:.3}s: {:.1} MB/s",
        n,
        mb,
        mb / secs
    );
}
