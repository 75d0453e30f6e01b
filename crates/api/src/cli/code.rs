//! `biaozhun code <text>...`: shows how biaozhun reads a standard number (or a WTO notification
//! symbol), so users and catalog maintainers can check a spelling before they import.

use std::process::ExitCode;

use biaozhun_model::{NotificationSymbol, RecordKind, StandardCode};
use serde_json::json;

/// Arguments of `biaozhun code`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Standard numbers or notification symbols, in any spelling (quote those with spaces).
    #[arg(required = true)]
    pub codes: Vec<String>,
    /// Print one JSON object per argument instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Prints each argument's parse; exits non-zero when any could not be parsed.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut failed = false;
    for raw in &args.codes {
        let value = describe(raw);
        if value.get("error").is_some() {
            failed = true;
        }
        if args.json {
            println!("{value}");
        } else {
            print_text(raw, &value);
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn describe(raw: &str) -> serde_json::Value {
    if raw.trim_start().to_ascii_uppercase().starts_with("G/") {
        return match NotificationSymbol::parse(raw) {
            Ok(s) => json!({
                "input": raw,
                "kind": RecordKind::Notification,
                "canonical": s.to_string(),
                "agreement": s.agreement().as_str(),
                "member": s.member(),
                "number": s.number(),
                "base": s.base().to_string(),
                "suffixes": s.suffixes().iter().map(ToString::to_string).collect::<Vec<_>>(),
            }),
            Err(e) => json!({"input": raw, "error": e.to_string()}),
        };
    }
    match StandardCode::parse(raw) {
        Ok(c) => json!({
            "input": raw,
            "kind": RecordKind::Standard,
            "canonical": c.to_string(),
            "prefix": c.prefix(),
            "number": c.number(),
            "year": c.year(),
            "amendment": c.amendment(),
            "key": c.key(),
            "compact": c.compact(),
            "level": c.level().as_str(),
            "level_zh": c.level().label_zh(),
            "nature": c.nature().map(|n| n.as_str()),
            "industry": c.industry().map(|i| i.sector_zh),
            "province": c.province().map(|p| p.name_zh),
            "alias": c.alias().map(|a| a.to_string()),
        }),
        Err(e) => json!({"input": raw, "error": e.to_string()}),
    }
}

fn print_text(raw: &str, v: &serde_json::Value) {
    if let Some(e) = v.get("error").and_then(|e| e.as_str()) {
        println!("{raw}\n  error: {e}");
        return;
    }
    println!("{raw}");
    if let Some(obj) = v.as_object() {
        for (k, val) in obj {
            if k == "input" || val.is_null() {
                continue;
            }
            let shown = match val {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            println!("  {k:<10} {shown}");
        }
    }
}
