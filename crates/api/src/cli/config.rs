//! `biaozhun config dump --out DIR`: writes the built-in index configuration (schema,
//! dictionary, stop words, synonyms, glossary, HS chapters, catalog aliases) to a folder for
//! editing; pass that folder back with `--index-config` / `BIAOZHUN_INDEX_CONFIG`.

use std::path::PathBuf;
use std::process::ExitCode;

/// Subcommands of `biaozhun config`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Write the built-in index configuration to a folder.
    Dump(DumpArgs),
}

/// Arguments of `biaozhun config dump`.
#[derive(Debug, clap::Args)]
pub struct DumpArgs {
    /// The folder to write into (created when missing).
    #[arg(long, default_value = "index-config")]
    pub out: PathBuf,
    /// Overwrite files that exist.
    #[arg(long)]
    pub force: bool,
}

/// Runs a `config` subcommand.
pub fn run(cmd: &Command) -> anyhow::Result<ExitCode> {
    match cmd {
        Command::Dump(args) => {
            let written = biaozhun_index::defaults::write(&args.out, args.force)?;
            for p in &written {
                println!("{}", p.display());
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
