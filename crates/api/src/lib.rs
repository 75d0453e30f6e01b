//! HTTP JSON API and web page of biaozhun.
//!
//! Only this crate knows HTTP and the JSON wire types: handlers convert index and model types
//! into the types of [`wire`] at the edge, so the engine can change without breaking clients.
//! Entry points: [`router`] (what tests call in-process) and [`server::serve`] (what
//! `biaozhun serve` runs).

pub mod app;
pub mod auth;
pub mod check;
pub mod config;
pub mod error;
pub mod extract;
pub mod ingest;
pub mod jobs;
pub mod metrics;
pub mod openapi;
pub mod pool;
pub mod ratelimit;
pub mod routes;
pub mod server;
pub mod state;
pub mod sync;
pub mod watch;
pub mod web;
pub mod webhook;
pub mod wire;

pub use app::router;
pub use config::{Config, RawConfig};
pub use state::AppState;
