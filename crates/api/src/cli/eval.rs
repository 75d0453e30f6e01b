//! `biaozhun eval QUERIES --index DIR`: the relevance harness. Prints success@1, recall@k and
//! MRR per group and every failed query with what came back; exits non-zero below the bars.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_index::eval;
use biaozhun_index::Index;

/// Arguments of `biaozhun eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The queries file (JSON lines: group, q, filters, expect, at).
    pub queries: PathBuf,
    /// The index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// Fail when overall success@1 is below this.
    #[arg(long)]
    pub min_success_at_1: Option<f64>,
    /// Fail when overall MRR is below this.
    #[arg(long)]
    pub min_mrr: Option<f64>,
    /// Fail when a group's recall@k is below a bar: `GROUP=VALUE` (`cross_lingual=0.9`);
    /// repeat for several groups. A group with no query fails too (a bar over nothing is no bar).
    #[arg(long = "min-recall", value_name = "GROUP=VALUE")]
    pub min_recall: Vec<String>,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

/// Reads a `GROUP=VALUE` bar.
fn group_bar(s: &str) -> anyhow::Result<(&str, f64)> {
    let (group, value) = s
        .split_once('=')
        .with_context(|| format!("--min-recall {s:?} is not GROUP=VALUE"))?;
    let value: f64 = value
        .trim()
        .parse()
        .with_context(|| format!("--min-recall {s:?}: {value:?} is not a number"))?;
    Ok((group.trim(), value))
}

/// Runs the harness.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let bars = args
        .min_recall
        .iter()
        .map(|b| group_bar(b))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let index = Index::open(&args.index)
        .with_context(|| format!("cannot open index {}", args.index.display()))?;
    let queries = eval::load_queries(&args.queries)?;
    let report = eval::run(&index, &queries)?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!(
            "{:<14} {:>5} {:>10} {:>9} {:>6}",
            "group", "n", "success@1", "recall@k", "mrr"
        );
        for (name, g) in report
            .groups
            .iter()
            .chain([(&"ALL".to_string(), &report.overall)])
        {
            println!(
                "{:<14} {:>5} {:>10.3} {:>9.3} {:>6.3}",
                name, g.queries, g.success_at_1, g.recall_at_k, g.mrr
            );
        }
        for f in &report.failures {
            println!(
                "FAIL [{}] {:?}: expected {:?} within {}, got {:?}{}",
                f.group,
                f.q,
                f.expect,
                f.at,
                f.got,
                if f.relaxed { " (relaxed)" } else { "" }
            );
        }
    }
    let mut ok = true;
    if let Some(min) = args.min_success_at_1 {
        if report.overall.success_at_1 < min {
            eprintln!(
                "success@1 {:.3} is below {min}",
                report.overall.success_at_1
            );
            ok = false;
        }
    }
    if let Some(min) = args.min_mrr {
        if report.overall.mrr < min {
            eprintln!("mrr {:.3} is below {min}", report.overall.mrr);
            ok = false;
        }
    }
    for (group, min) in bars {
        match report.groups.get(group) {
            Some(g) if g.recall_at_k >= min => {}
            Some(g) => {
                eprintln!("{group}: recall@k {:.3} is below {min}", g.recall_at_k);
                ok = false;
            }
            None => {
                eprintln!(
                    "{group}: no query of this group in {}",
                    args.queries.display()
                );
                ok = false;
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
