//! Command-line subcommands of the `biaozhun` binary, one module each.

pub mod barriers;
pub mod check;
pub mod code;
pub mod eval;
pub mod ingest;
pub mod optimize;
pub mod querybench;
pub mod search;
pub mod serve;
pub mod watch;
