//! `biaozhun check`: 查新 on the command line, for people and for CI pipelines of enterprises
//! that keep their documents in git. Same reading, rules and JSON as `POST /api/v1/check`.
//!
//! Exit code: 0 when nothing cited is out of date, 1 when at least one cited standard is
//! replaced or abolished (or cited in an edition the index does not hold while a newer one is
//! in force), 2 when a file, the date or the index could not be read (this wins over 1).

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use biaozhun_api::check::{self, read_document, text_document, DocumentText};
use biaozhun_api::wire::check::CheckAnswer;

/// Flags of `biaozhun check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Documents to check (PDF, DOCX, TXT, MD, HTML); `-` reads text from stdin.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Index directory built by `biaozhun ingest`.
    #[arg(long)]
    pub index: PathBuf,
    /// Judge statuses on this date, YYYY-MM-DD (default today).
    #[arg(long)]
    pub as_of: Option<String>,
    /// Print the API's JSON answer (an array of `{file, check}` for several files).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print the CSV table of the API (`?format=csv`); with several files a first column 文件.
    #[arg(long)]
    pub csv: bool,
}

/// Runs the check; see the module documentation for the exit codes.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let as_of = match check::parse_as_of(args.as_of.as_deref()) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("error: {}", e.message);
            return Ok(ExitCode::from(2));
        }
    };
    let index = match biaozhun_index::Index::open(&args.index) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("error: cannot open index {}: {e}", args.index.display());
            return Ok(ExitCode::from(2));
        }
    };
    let mut unreadable = false;
    let mut answers: Vec<(String, CheckAnswer)> = Vec::new();
    for path in &args.files {
        let label = path.display().to_string();
        let doc = match read(path) {
            Ok(d) => d,
            Err(message) => {
                eprintln!("error: {label}: {message}");
                unreadable = true;
                continue;
            }
        };
        answers.push((label, check::check_document(&index, doc, as_of)?));
    }
    if args.json {
        if let [(_, one)] = &answers[..] {
            println!("{}", serde_json::to_string_pretty(one)?);
        } else {
            let all: Vec<serde_json::Value> = answers
                .iter()
                .map(|(file, a)| serde_json::json!({"file": file, "check": a}))
                .collect();
            println!("{}", serde_json::to_string_pretty(&all)?);
        }
    } else if args.csv {
        print_csv(&answers)?;
    } else {
        for (file, a) in &answers {
            print_text(file, a);
        }
    }
    let stale = answers.iter().any(|(_, a)| a.summary.out_of_date > 0);
    Ok(if unreadable {
        ExitCode::from(2)
    } else if stale {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read(path: &PathBuf) -> Result<DocumentText, String> {
    if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| format!("cannot read stdin: {e}"))?;
        return text_document(text).map_err(|e| e.message);
    }
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
    read_document(name.as_deref().unwrap_or_default(), &bytes).map_err(|e| e.message)
}

fn print_csv(answers: &[(String, CheckAnswer)]) -> anyhow::Result<()> {
    let several = answers.len() > 1;
    let mut w = csv::Writer::from_writer(std::io::stdout().lock());
    let mut headers: Vec<&str> = Vec::new();
    if several {
        headers.push("文件");
    }
    headers.extend(check::table::HEADERS);
    w.write_record(&headers)?;
    for (file, a) in answers {
        for (i, r) in a.references.iter().enumerate() {
            let cells = check::table::row(i + 1, r);
            let mut record: Vec<&str> = Vec::new();
            if several {
                record.push(file);
            }
            record.extend(cells.iter().map(String::as_str));
            w.write_record(&record)?;
        }
    }
    w.flush()?;
    Ok(())
}

fn print_text(file: &str, a: &CheckAnswer) {
    let s = &a.summary;
    println!(
        "{file}: {} standards cited, {} out of date (as of {}): 现行 {}, 即将实施 {}, 被代替 {}, 废止 {}, 未收录 {}",
        s.references, s.out_of_date, a.as_of, s.current, s.upcoming, s.replaced, s.abolished, s.unknown
    );
    for r in &a.references {
        let mark = if r.out_of_date { "!" } else { " " };
        let title = r
            .title_zh
            .as_deref()
            .or(r.title_cited.as_deref())
            .unwrap_or("");
        let next = match (&r.current_edition, r.out_of_date) {
            (Some(c), true) if *c != r.id => format!("  → {c}"),
            (None, true) => "  → (no successor)".to_string(),
            _ => String::new(),
        };
        println!("{mark} {:<6} {:<24} {title}{next}", r.status_zh, r.id);
    }
    for w in &a.document.warnings {
        println!("  warning: {w}");
    }
}
