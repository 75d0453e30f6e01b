//! OCR of chosen pages through ingest's own OCR path, for `bench/ocr.py`.
//!
//! ```text
//! cargo run --example ocr_pages -- [--dpi N] [--lang L] [--psm N] [--oem N] [--spaces 0|1]
//!     [--workers N] FILE.pdf[:FIRST[-LAST]]...
//! ```
//!
//! Each FILE spec (pages `FIRST..=LAST`, default all of the first 30) is rendered and recognised
//! by [`biaozhun_ingest::extract::ocr_pdf_pages`] with the given settings (unset ones are the
//! defaults of `OcrSettings`), one spec after another. Prints one JSON line per spec: `file`,
//! `first`, `last`, `seconds` (wall time of that call), `texts` (one per page) and `code` (the
//! standard number `parse_standard_text` reads from those pages, as ingest would), or `error`.
//! A last line `{"settings": ..., "seconds": total}` closes the run. Exit 2 on bad arguments.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use biaozhun_ingest::extract::{ocr_available, ocr_pdf_pages, OcrSettings};
use biaozhun_ingest::structure::parse_standard_text;

const USAGE: &str = "usage: ocr_pages [--dpi N] [--lang L] [--psm N] [--oem N] [--spaces 0|1] [--workers N] FILE.pdf[:FIRST[-LAST]]...";

fn parse_num<T: std::str::FromStr>(flag: &str, value: Option<String>) -> Result<T, String> {
    let v = value.ok_or_else(|| format!("{flag} needs a value"))?;
    v.parse()
        .map_err(|_| format!("{flag}: {v:?} is not a number"))
}

/// `FILE`, `FILE:3` or `FILE:1-5` (1-based, inclusive).
fn parse_spec(spec: &str) -> Result<(String, u32, u32), String> {
    let Some((file, pages)) = spec.rsplit_once(':') else {
        return Ok((spec.to_string(), 1, 30));
    };
    let bad = || format!("{spec}: pages must be N or N-M");
    let (first, last) = match pages.split_once('-') {
        Some((a, b)) => (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?),
        None => {
            let n = pages.parse().map_err(|_| bad())?;
            (n, n)
        }
    };
    Ok((file.to_string(), first, last))
}

fn main() -> ExitCode {
    let mut settings = OcrSettings::default();
    let mut workers = 0usize;
    let mut specs = Vec::new();
    let mut args = std::env::args().skip(1);
    let parsed: Result<(), String> = (|| {
        while let Some(a) = args.next() {
            match a.as_str() {
                "--dpi" => settings.dpi = parse_num(&a, args.next())?,
                "--lang" => settings.lang = args.next().ok_or("--lang needs a value")?,
                "--psm" => settings.psm = parse_num(&a, args.next())?,
                "--oem" => settings.oem = parse_num(&a, args.next())?,
                "--spaces" => {
                    settings.preserve_interword_spaces = parse_num::<u8>(&a, args.next())? != 0
                }
                "--workers" => workers = parse_num(&a, args.next())?,
                "-h" | "--help" => return Err(String::new()),
                s if s.starts_with("--") => return Err(format!("unknown option {s}")),
                s => specs.push(parse_spec(s)?),
            }
        }
        settings.check().map_err(|e| e.to_string())?;
        if specs.is_empty() {
            return Err("no FILE given".into());
        }
        Ok(())
    })();
    if let Err(e) = parsed {
        if !e.is_empty() {
            eprintln!("ocr_pages: {e}");
        }
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    if !ocr_available() {
        eprintln!("ocr_pages: pdftoppm or tesseract with chi_sim is not installed");
        return ExitCode::from(2);
    }
    let start = Instant::now();
    let mut failed = false;
    for (file, first, last) in specs {
        let t = Instant::now();
        let result = std::fs::read(&file)
            .map_err(|e| format!("{file}: {e}"))
            .and_then(|bytes| {
                ocr_pdf_pages(
                    &bytes,
                    first,
                    last,
                    &settings,
                    workers,
                    Duration::from_secs(300),
                )
                .map_err(|e| format!("{file}: {e}"))
            });
        let line = match result {
            Ok(texts) => {
                let code = parse_standard_text(&texts.join("\n\u{c}"))
                    .code
                    .map(|c| c.to_string());
                serde_json::json!({
                    "file": file, "first": first, "last": last,
                    "seconds": t.elapsed().as_secs_f64(), "texts": texts, "code": code,
                })
            }
            Err(e) => {
                failed = true;
                serde_json::json!({"file": file, "first": first, "last": last, "error": e})
            }
        };
        println!("{line}");
    }
    println!(
        "{}",
        serde_json::json!({
            "settings": {
                "dpi": settings.dpi, "lang": settings.lang, "psm": settings.psm,
                "oem": settings.oem, "spaces": settings.preserve_interword_spaces,
                "workers": workers,
            },
            "seconds": start.elapsed().as_secs_f64(),
        })
    );
    if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
