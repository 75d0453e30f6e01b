//! `biaozhun search "query" --index DIR`: searches an index built by `biaozhun ingest` and
//! prints hits as text (code, status, title, best snippet) or, with `--json`, the answer of
//! `GET /api/v1/search` in the API's own wire shape (`wire::search::SearchAnswer`), so a script
//! written against the command line works against the service and the other way round.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_index::{Index, SearchRequest, Sort};
use biaozhun_model::RecordKind;

/// Arguments of `biaozhun search`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The query: words, standard numbers, notification symbols, "quoted phrases".
    pub query: String,
    /// The index directory.
    #[arg(long)]
    pub index: PathBuf,
    /// Print the whole response as JSON.
    #[arg(long)]
    pub json: bool,
    /// standard, notification or regulation.
    #[arg(long)]
    pub kind: Option<String>,
    /// Status as of today (现行/current, upcoming, replaced, abolished).
    #[arg(long)]
    pub status: Option<String>,
    /// Province name or code (甘肃, 62).
    #[arg(long)]
    pub region: Option<String>,
    /// WTO member (USA, 美国).
    #[arg(long)]
    pub member: Option<String>,
    /// HS code (prefix in both directions).
    #[arg(long)]
    pub hs: Option<String>,
    /// Sort: relevance, issue_date, implement_date, code.
    #[arg(long, default_value = "relevance")]
    pub sort: String,
    /// Number of hits.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
}

/// Runs the search and prints the hits.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let index = Index::open(&args.index)
        .with_context(|| format!("cannot open index {}", args.index.display()))?;
    let sort = match args.sort.as_str() {
        "relevance" => Sort::Relevance,
        "issue_date" => Sort::IssueDate,
        "implement_date" => Sort::ImplementDate,
        "code" => Sort::Code,
        other => {
            anyhow::bail!("unknown sort {other:?} (relevance, issue_date, implement_date, code)")
        }
    };
    let kind = match args.kind.as_deref() {
        None => None,
        Some(k) => Some(
            RecordKind::parse(&k.trim().to_ascii_lowercase()).with_context(|| {
                format!("unknown kind {k:?} (standard, notification, regulation)")
            })?,
        ),
    };
    let req = SearchRequest {
        q: args.query.clone(),
        kind,
        status: args.status.clone(),
        region: args.region.clone(),
        member: args.member.clone(),
        hs: args.hs.clone(),
        sort,
        limit: args.limit,
        snippets: true,
        adoptions: true,
        ..Default::default()
    };
    let started = std::time::Instant::now();
    let resp = index.search(&req)?;
    if args.json {
        let took_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let answer = biaozhun_api::wire::search::SearchAnswer::from_index(resp, took_ms);
        println!("{}", serde_json::to_string_pretty(&answer)?);
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{} result(s){}",
        resp.total,
        if resp.relaxed {
            " (no document has every word; showing documents with some of them)"
        } else {
            ""
        }
    );
    for (i, h) in resp.hits.iter().enumerate() {
        let status = h.status.map(|s| s.label_zh()).unwrap_or("");
        let title = h
            .title_zh
            .as_deref()
            .or(h.title_en.as_deref())
            .unwrap_or("");
        println!(
            "{:>3}. {}  {}  {}  [{:.2}]",
            i + 1,
            h.code.as_deref().unwrap_or(&h.id),
            status,
            title,
            h.score
        );
        if let Some(a) = &h.adoption {
            println!(
                "     采标 {} {}",
                a.of,
                a.degree.as_deref().unwrap_or_default()
            );
        }
        if let Some(hl) = h.highlights.iter().find(|x| x.field == "text") {
            let mut shown = String::new();
            let mut at = 0;
            for (s, e) in &hl.ranges {
                shown.push_str(&hl.text[at..*s]);
                shown.push('[');
                shown.push_str(&hl.text[*s..*e]);
                shown.push(']');
                at = *e;
            }
            shown.push_str(&hl.text[at..]);
            println!("     …{}…", shown.trim());
        }
    }
    Ok(ExitCode::SUCCESS)
}
