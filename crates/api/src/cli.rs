//! Command-line subcommands of the `biaozhun` binary, one module each.

pub mod code;
