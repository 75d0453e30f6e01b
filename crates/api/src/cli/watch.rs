//! `biaozhun watch`: watchlists on the command line (the same files and rules as
//! `/api/v1/watchlists`): set, show, list, delete, and `check` to detect changes now (also run
//! after every `biaozhun ingest`).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use biaozhun_api::watch::{self, WatchError, WatchlistInput};

/// Flags of `biaozhun watch`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Index directory (the lists live in its `watchlists/` folder).
    #[arg(long)]
    pub index: PathBuf,
    /// What to do.
    #[command(subcommand)]
    pub action: Action,
}

/// Watchlist actions.
#[derive(Debug, clap::Subcommand)]
pub enum Action {
    /// Create or replace a list.
    Set {
        /// List name (letters, digits, - and _).
        name: String,
        /// Standard numbers, dated or undated, in any spelling.
        #[arg(required = true)]
        codes: Vec<String>,
        /// Report implementation dates this many days ahead.
        #[arg(long)]
        days: Option<u32>,
        /// `http://` or `https://` receiver of the events.
        #[arg(long)]
        webhook: Option<String>,
        /// A file whose first line is the key of the webhook's HMAC-SHA256 signature (a file,
        /// not a flag: flags show in `ps`); an empty line removes the stored key.
        #[arg(long)]
        secret_file: Option<PathBuf>,
        /// Make a new read-only password for the list's Atom feed (the old one stops working).
        #[arg(long)]
        rotate_feed_token: bool,
    },
    /// Print a list with its state and recent events (JSON).
    Show {
        /// List name.
        name: String,
    },
    /// Print the names of the lists.
    List,
    /// Delete a list.
    Delete {
        /// List name.
        name: String,
    },
    /// Detect changes now (on `--today`, default today); exit 1 when there are any.
    Check {
        /// Judge on this date, YYYY-MM-DD.
        #[arg(long)]
        today: Option<String>,
    },
}

/// Runs the action; exit 2 for a bad name, code or date.
pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let user = |e: WatchError| -> anyhow::Result<ExitCode> {
        match e {
            WatchError::Invalid(_) | WatchError::NotFound(_) => {
                eprintln!("error: {e}");
                Ok(ExitCode::from(2))
            }
            other => Err(other.into()),
        }
    };
    match &args.action {
        Action::Set {
            name,
            codes,
            days,
            webhook,
            secret_file,
            rotate_feed_token,
        } => {
            let secret = match secret_file {
                Some(path) => match std::fs::read_to_string(path) {
                    Ok(text) => Some(text.lines().next().unwrap_or_default().to_string()),
                    Err(e) => {
                        eprintln!("error: --secret-file {}: {e}", path.display());
                        return Ok(ExitCode::from(2));
                    }
                },
                None => None,
            };
            let index = biaozhun_index::Index::open(&args.index)
                .with_context(|| format!("cannot open index {}", args.index.display()))?;
            let input = WatchlistInput {
                codes: codes.clone(),
                days: *days,
                webhook: webhook.clone(),
                secret,
                rotate_feed_token: Some(*rotate_feed_token),
            };
            match watch::put(&index, name, input, chrono::Local::now().date_naive()) {
                Ok(list) => {
                    println!("{}", serde_json::to_string_pretty(&list.redacted())?);
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => user(e),
            }
        }
        Action::Show { name } => match watch::load(&args.index, name) {
            Ok(list) => {
                println!("{}", serde_json::to_string_pretty(&list.redacted())?);
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => user(e),
        },
        Action::List => {
            for n in watch::names(&args.index)? {
                println!("{n}");
            }
            Ok(ExitCode::SUCCESS)
        }
        Action::Delete { name } => match watch::delete(&args.index, name) {
            Ok(()) => Ok(ExitCode::SUCCESS),
            Err(e) => user(e),
        },
        Action::Check { today } => {
            let today = match biaozhun_api::check::parse_as_of(today.as_deref()) {
                Ok(d) => d,
                Err(e) => {
                    eprintln!("error: {}", e.message);
                    return Ok(ExitCode::from(2));
                }
            };
            let found = watch::detect_and_deliver_cli(&args.index, today)?;
            let events: usize = found.iter().map(|(_, e)| e.len()).sum();
            println!("{events} change(s) in {} watchlist(s)", found.len());
            Ok(if events > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}
