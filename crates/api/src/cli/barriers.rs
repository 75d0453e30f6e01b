//! `biaozhun barriers`: the barrier check on the command line. Same matching and the same JSON
//! as `GET /api/v1/barriers`; without `--json` a short report per measure family.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_api::wire::barriers::{BarrierAnswer, BarrierParams};
use biaozhun_index::barriers::BarrierError;

/// Flags of `biaozhun barriers`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Index directory built by `biaozhun ingest`.
    #[arg(long)]
    pub index: PathBuf,
    /// Market: WTO member code, English or Chinese name (`EU`, `European Union`, `欧盟`, `沙特`).
    #[arg(long)]
    pub market: Option<String>,
    /// HS code at any level (`95`, `9503`, `8415.10`).
    #[arg(long)]
    pub hs: Option<String>,
    /// Product words in Chinese or English (`玩具`, `toys`).
    #[arg(long)]
    pub q: Option<String>,
    /// Judge comment periods on this date, YYYY-MM-DD (default today).
    #[arg(long)]
    pub open_on: Option<String>,
    /// Families to list (1 to 200).
    #[arg(long, default_value_t = 50)]
    pub limit: usize,
    /// Print the JSON answer of the API instead of the text report.
    #[arg(long)]
    pub json: bool,
}

/// Runs the check; exit code 2 for a bad market, HS code or date.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let index = biaozhun_index::Index::open(&args.index)
        .with_context(|| format!("cannot open index {}", args.index.display()))?;
    let params = BarrierParams {
        market: args.market.clone(),
        hs: args.hs.clone(),
        q: args.q.clone(),
        open_on: args.open_on.clone(),
        limit: Some(args.limit.to_string()),
    };
    let limits = biaozhun_api::Config::default().limits;
    let req = match params.into_request(&limits) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {}", e.message);
            return Ok(ExitCode::from(2));
        }
    };
    let report = match index.barriers(&req) {
        Ok(r) => r,
        Err(BarrierError::Index(e)) => return Err(e.into()),
        Err(user) => {
            eprintln!("error: {user}");
            return Ok(ExitCode::from(2));
        }
    };
    let answer = BarrierAnswer::from_report(report);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    print_text(&answer);
    Ok(ExitCode::SUCCESS)
}

fn print_text(a: &BarrierAnswer) {
    let mut scope = Vec::new();
    if let Some(m) = &a.market {
        scope.push(format!("{} ({} {})", m.code, m.name_en, m.name_zh));
    }
    if let Some(h) = &a.hs {
        scope.push(format!(
            "HS {} (chapter {}: {})",
            h.code,
            h.chapter,
            h.chapter_zh.as_deref().unwrap_or("")
        ));
    }
    if let Some(q) = &a.q {
        scope.push(format!("q {q:?}"));
    }
    println!(
        "{} measure families for {} (open on {}){}",
        a.total,
        if scope.is_empty() {
            "all markets".to_string()
        } else {
            scope.join(", ")
        },
        a.open_on,
        if a.relaxed { " [any word matched]" } else { "" }
    );
    for f in &a.families {
        let title = f
            .title_en
            .as_deref()
            .or(f.title_zh.as_deref())
            .unwrap_or("(untitled)");
        println!();
        println!("{}  {}  [{}]", f.base, title, f.state.label);
        if let Some(t) = f.title_zh.as_deref().filter(|_| f.title_en.is_some()) {
            println!("    {t}");
        }
        let mut facts = vec![format!("match: {}", f.match_kind)];
        if !f.hs_codes.is_empty() {
            facts.push(format!("HS {}", f.hs_codes.join(" ")));
        }
        if let Some(d) = f.distribution_date {
            facts.push(format!("distributed {d}"));
        }
        match (f.open_for_comment, f.comment_deadline, f.days_left) {
            (true, Some(d), Some(n)) => {
                facts.push(format!("OPEN for comment until {d} ({n} days left)"))
            }
            (_, Some(d), _) => facts.push(format!("comments closed {d}")),
            _ => {}
        }
        if let Some(d) = f.entry_into_force {
            facts.push(format!("entry into force {d}"));
        }
        println!("    {}", facts.join("; "));
        if !f.objectives.is_empty() {
            println!("    objectives: {}", f.objectives.join("; "));
        }
        for c in &f.cited_standards {
            match &c.id {
                Some(id) => println!(
                    "    cites {} -> {} {} ({})",
                    c.code,
                    id,
                    c.title_zh.as_deref().unwrap_or(""),
                    c.status.as_deref().unwrap_or("?")
                ),
                None => println!("    cites {}", c.code),
            }
        }
        for d in &f.documents {
            println!(
                "    {} {:<11} {} {}",
                if d.matched { "*" } else { "-" },
                d.role,
                d.symbol,
                d.distribution_date
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            );
        }
    }
}
