//! Search benchmark over a generated corpus of 100,000 documents whose words come from the real
//! data (titles in ../shared/data/catalogs and the THUOCL lexicon). Nothing is committed: the
//! corpus is generated in a temp dir on each run.
//!
//! Prints index build throughput (docs/s, MB/s) and query latency p50/p99 with and without
//! snippets, then runs criterion on two representative queries.

use std::path::Path;
use std::time::{Duration, Instant};

use biaozhun_index::{Index, SearchRequest};
use biaozhun_model::Record;
use biaozhun_model::{Section, Standard, StandardCode, Status};
use criterion::{criterion_group, criterion_main, Criterion};

const DOCS: usize = 100_000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, v: &'a [String]) -> &'a str {
        &v[(self.next() as usize) % v.len()]
    }
}

fn vocabulary() -> Vec<String> {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let mut words = Vec::new();
    for l in std::fs::read_to_string(data.join("catalogs/standards-facts.jsonl"))
        .unwrap_or_default()
        .lines()
    {
        if let Ok(v) = serde_json::from_str::<serde_json::Value>(l) {
            if let Some(t) = v.get("title_zh").and_then(|t| t.as_str()) {
                words.extend(t.split_whitespace().map(str::to_string));
            }
        }
    }
    for f in ["THUOCL_food.txt", "THUOCL_law.txt", "THUOCL_medical.txt"] {
        let text = std::fs::read_to_string(data.join("lexicon").join(f)).unwrap_or_default();
        words.extend(
            text.lines()
                .take(3000)
                .filter_map(|l| l.split_whitespace().next().map(str::to_string)),
        );
    }
    if words.is_empty() {
        eprintln!("note: ../shared/data not found, using a tiny built-in vocabulary");
        words =
            "马铃薯 种薯 苹果 食品安全 农药 残留 限量 检验方法 技术规程 花椒 当归 黄芪 设施蔬菜"
                .split(' ')
                .map(str::to_string)
                .collect();
    }
    words
}

fn sentence(rng: &mut Rng, words: &[String], n: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        if i > 0 && i % 7 == 0 {
            s.push('，');
        }
        s.push_str(rng.pick(words));
    }
    s.push('。');
    s
}

fn corpus(words: &[String]) -> (Vec<Record>, usize) {
    let mut rng = Rng(42);
    let prefixes = [
        "GB/T", "GB", "NY/T", "DB62/T", "DB37/T", "SN/T", "LY/T", "T/CACM",
    ];
    let statuses = [
        Status::Current,
        Status::Current,
        Status::Replaced,
        Status::Abolished,
    ];
    let mut bytes = 0;
    let mut out = Vec::with_capacity(DOCS);
    for i in 0..DOCS {
        let prefix = prefixes[i % prefixes.len()];
        let code = format!("{prefix} {}-{}", 1000 + i / 3, 2000 + (i % 3) * 7);
        let Ok(code) = StandardCode::parse(&code) else {
            continue;
        };
        let mut s = Standard::new(code);
        let tn = 3 + (rng.next() % 4) as usize;
        s.title_zh = Some(sentence(&mut rng, words, tn));
        let sn = 12 + (rng.next() % 10) as usize;
        s.scope = Some(sentence(&mut rng, words, sn));
        s.status = Some(statuses[(rng.next() % 4) as usize]);
        // One document in 100 has a long body of about 100 kB.
        let body_words = if i % 100 == 0 { 10_000 } else { 30 };
        let text = sentence(&mut rng, words, body_words);
        s.sections.push(Section {
            number: "1".into(),
            title: "范围".into(),
            level: 1,
            text,
        });
        bytes += s.title_zh.as_ref().map_or(0, String::len)
            + s.scope.as_ref().map_or(0, String::len)
            + s.sections[0].text.len();
        out.push(Record::Standard(s));
    }
    (out, bytes)
}

fn percentile(v: &mut [Duration], p: f64) -> Duration {
    v.sort();
    v[((v.len() as f64 - 1.0) * p).round() as usize]
}

fn bench(c: &mut Criterion) {
    let words = vocabulary();
    let (records, bytes) = corpus(&words);
    let n = records.len();
    let dir = tempfile::tempdir().expect("tmp");
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
    let index = Index::open_or_create(dir.path(), &config).expect("index");
    let start = Instant::now();
    let mut it = records.into_iter();
    loop {
        let chunk: Vec<Record> = it.by_ref().take(5_000).collect();
        if chunk.is_empty() {
            break;
        }
        index.upsert(chunk).expect("upsert");
    }
    index.commit_writes().expect("commit");
    let secs = start.elapsed().as_secs_f64();
    println!(
        "build: {n} docs, {:.1} MB in {secs:.1} s: {:.0} docs/s, {:.2} MB/s",
        bytes as f64 / 1e6,
        n as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    let queries: Vec<String> = (0..20)
        .map(|i| {
            let mut rng = Rng(1000 + i);
            match i % 4 {
                0 => rng.pick(&words).to_string(),
                1 => format!("{} {}", rng.pick(&words), rng.pick(&words)),
                2 => format!("GB/T {}", 1000 + rng.next() % 30_000),
                _ => format!("甘肃 {}", rng.pick(&words)),
            }
        })
        .collect();
    for snippets in [false, true] {
        let mut lat = Vec::new();
        for round in 0..10 {
            for q in &queries {
                let req = SearchRequest {
                    q: q.clone(),
                    snippets,
                    limit: 10,
                    ..Default::default()
                };
                let t = Instant::now();
                let r = index.search(&req).expect("search");
                let e = t.elapsed();
                if round > 0 {
                    lat.push(e);
                }
                std::hint::black_box(r);
            }
        }
        let p50 = percentile(&mut lat, 0.5);
        let p99 = percentile(&mut lat, 0.99);
        println!(
            "query latency (snippets={snippets}, 10 hits, {} runs): p50 {:.2} ms, p99 {:.2} ms",
            lat.len(),
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
    }
    let mut g = c.benchmark_group("search");
    g.sample_size(20);
    let q = queries[1].clone();
    g.bench_function("two_words", |b| {
        b.iter(|| {
            index.search(&SearchRequest {
                q: q.clone(),
                ..Default::default()
            })
        })
    });
    g.bench_function("two_words_snippets", |b| {
        b.iter(|| {
            index.search(&SearchRequest {
                q: q.clone(),
                snippets: true,
                ..Default::default()
            })
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
