//! `biaozhun dossier`: the market dossier on the command line. Same assembly and the same JSON
//! as `GET /api/v1/dossier`; `--xlsx FILE` writes the workbook; otherwise a text report.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_api::wire::dossier::{DossierAnswer, DossierParams};
use biaozhun_index::barriers::BarrierError;
use biaozhun_index::dossier::DossierError;

/// Flags of `biaozhun dossier`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Index directory built by `biaozhun ingest`.
    #[arg(long)]
    pub index: PathBuf,
    /// Market: WTO member code, English or Chinese name (`EU`, `德国`, `沙特`).
    #[arg(long)]
    pub market: String,
    /// HS code at any level (`95`, `9503`, `8415.10`).
    #[arg(long)]
    pub hs: Option<String>,
    /// Product words in Chinese or English (`玩具`, `toys`).
    #[arg(long)]
    pub q: Option<String>,
    /// Judge comment periods and statuses on this date, YYYY-MM-DD (default today).
    #[arg(long)]
    pub open_on: Option<String>,
    /// Days before the comment deadline the internal deadline falls.
    #[arg(long, default_value_t = biaozhun_index::dossier::DEFAULT_LEAD_DAYS)]
    pub lead_days: i64,
    /// Print the JSON answer of the API instead of the text report.
    #[arg(long)]
    pub json: bool,
    /// Write the XLSX workbook to this file.
    #[arg(long)]
    pub xlsx: Option<PathBuf>,
}

/// Builds the dossier; exit code 2 for a bad market, HS code, date or lead time.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let index = biaozhun_index::Index::open(&args.index)
        .with_context(|| format!("cannot open index {}", args.index.display()))?;
    let params = DossierParams {
        market: Some(args.market.clone()),
        hs: args.hs.clone(),
        q: args.q.clone(),
        open_on: args.open_on.clone(),
        lead_days: Some(args.lead_days.to_string()),
        format: None,
    };
    let limits = biaozhun_api::Config::default().limits;
    let (req, _) = match params.into_request(&limits, args.lead_days) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", e.message);
            return Ok(ExitCode::from(2));
        }
    };
    let d = match index.dossier(&req) {
        Ok(d) => d,
        Err(DossierError::Barrier(BarrierError::Index(e))) => return Err(e.into()),
        Err(user) => {
            eprintln!("error: {user}");
            return Ok(ExitCode::from(2));
        }
    };
    let answer = DossierAnswer::from_dossier(d);
    if let Some(path) = &args.xlsx {
        let bytes = answer.to_xlsx().context("cannot build the workbook")?;
        std::fs::write(path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
    } else if args.xlsx.is_none() {
        print_text(&answer);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(a: &DossierAnswer) {
    let market = a
        .market
        .as_ref()
        .map(|m| format!("{} {} ({})", m.name_zh, m.name_en, m.code))
        .unwrap_or_default();
    let hs =
        a.hs.as_ref()
            .map(|h| format!(" HS {} {}", h.code, h.chapter_zh.as_deref().unwrap_or("")))
            .unwrap_or_default();
    let q =
        a.q.as_deref()
            .map(|q| format!(" {q:?}"))
            .unwrap_or_default();
    println!(
        "市场档案 {market}{hs}{q} (on {}, lead {} days)",
        a.open_on, a.lead_days
    );
    println!("\n通报措施 {} (newest first)", a.measures.len());
    for m in &a.measures {
        let f = &m.family;
        let title = f
            .title_zh
            .as_deref()
            .or(f.title_en.as_deref())
            .unwrap_or("");
        let mut facts = vec![f.state.label.clone()];
        if let Some(d) = f.comment_deadline {
            facts.push(format!("comments {d}"));
        }
        if let (Some(d), Some(n)) = (m.internal_deadline, m.internal_days_left) {
            facts.push(format!("internal {d} ({n} days left)"));
        }
        if let Some(u) = &m.inherited_from {
            facts.push(format!("from {u}"));
        }
        println!("  {}  {}  [{}]", f.base, title, facts.join("; "));
    }
    println!("\n引用标准 {}", a.cited.len());
    for c in &a.cited {
        let held = match (&c.id, c.has_text) {
            (Some(id), true) => format!("-> {id} (text)"),
            (Some(id), false) => format!("-> {id} (catalog only)"),
            (None, _) => "(not in the index)".to_string(),
        };
        let cn: Vec<String> = c
            .adopted_by
            .iter()
            .map(|x| format!("{} {}", x.id, x.degree.as_deref().unwrap_or("?")))
            .collect();
        println!(
            "  {} {held}{}",
            c.code,
            if cn.is_empty() {
                String::new()
            } else {
                format!("  采标: {}", cn.join(", "))
            }
        );
    }
    println!("\n国内标准 {} of {}", a.chinese.len(), a.chinese_total);
    for s in &a.chinese {
        println!(
            "  {}  {}  {}",
            s.id,
            s.status_label_zh.as_deref().unwrap_or(""),
            s.title_zh
                .as_deref()
                .or(s.title_en.as_deref())
                .unwrap_or("")
        );
    }
}
