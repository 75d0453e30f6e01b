//! The rules of the trade domain that the barrier check and the market dossier follow: which
//! market a user means, which HS chapter names describe a product, and what a notification
//! family says about its measure (state, dates, how it was found, the internal deadline).
//!
//! Pure: no IO, no index. The index (`biaozhun_index::barriers`, `dossier`) turns requests into
//! queries and calls these rules on what the queries found, so every rule here is table-tested
//! on its own (`crates/model/tests/it/trade.rs`) without building an index.

mod hs;
mod market;
mod measure;

pub use hs::{chapter_phrases, chapters_for_query, GENERIC};
pub use market::{edit_distance, resolve_market, suggest_markets, MarketError};
pub use measure::{
    chinese_group, document_role, inherited_from, internal_deadline, FamilyFacts, MatchKind,
    StateLabel,
};
