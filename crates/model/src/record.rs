//! One record of any kind, its kind as a type, and the [`Store`] records go to.
//!
//! Every crate speaks of "a standard, a notification or a regulation": the batch produces
//! [`Record`]s, the index stores them, the API filters and reports by [`RecordKind`]. The kind's
//! spelling (`standard`, `notification`, `regulation`) is written once, here, and is the same
//! in the index's `kind` field, in record ids of the API (`kind:id`) and on the wire.

use serde::{Deserialize, Serialize};

use crate::{Notification, Regulation, Standard};

/// What a record is. The lowercase name is its spelling everywhere (index, URLs, JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// A standard (national, industry, local, group, enterprise or foreign).
    Standard,
    /// A WTO TBT/SPS notification.
    Notification,
    /// A law or regulation.
    Regulation,
}

impl RecordKind {
    /// Every kind, in the order results and facets list them.
    pub const ALL: [RecordKind; 3] = [
        RecordKind::Standard,
        RecordKind::Notification,
        RecordKind::Regulation,
    ];

    /// `standard`, `notification` or `regulation`.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Standard => "standard",
            RecordKind::Notification => "notification",
            RecordKind::Regulation => "regulation",
        }
    }

    /// The kind spelled `s` exactly (lowercase), if any.
    pub fn parse(s: &str) -> Option<RecordKind> {
        RecordKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for RecordKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One record of any kind, as the batch hands it to the [`Store`].
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Record {
    /// A standard (catalog metadata, full text, or both merged).
    Standard(Standard),
    /// A WTO TBT/SPS notification.
    Notification(Notification),
    /// A law or regulation.
    Regulation(Regulation),
}

impl Record {
    /// The key two records of one standard share whatever padding their numbers use
    /// (`standard:YY 505-2012` for `YY 0505-2012`): what a batch merges on.
    pub fn merge_key(&self) -> String {
        match self {
            Record::Standard(s) => format!("standard:{}", s.code.unpadded()),
            other => format!("{}:{}", other.kind(), other.id()),
        }
    }

    /// The record id: canonical code, symbol or regulation id.
    pub fn id(&self) -> String {
        match self {
            Record::Standard(s) => s.id(),
            Record::Notification(n) => n.id(),
            Record::Regulation(r) => r.id.clone(),
        }
    }

    /// What kind of record this is.
    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Standard(_) => RecordKind::Standard,
            Record::Notification(_) => RecordKind::Notification,
            Record::Regulation(_) => RecordKind::Regulation,
        }
    }
}

/// The error type stores return; the batch only reports it.
pub type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// Where records go. The index implements it; tests and dry runs use an in-memory store.
pub trait Store {
    /// Whether this exact file content (path and sha256) was already stored, so it can be
    /// skipped.
    fn seen(&self, path: &str, content_hash: &str) -> bool;
    /// Stores (upserts) records, and remembers the files they came from as seen. Called several
    /// times per batch, in chunks.
    fn put(&mut self, records: Vec<Record>, files: &[(String, String)]) -> Result<(), StoreError>;
    /// Makes everything put so far durable and visible (once per batch).
    fn commit(&mut self) -> Result<(), StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_spelling_round_trips() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).ok(), Some(format!("\"{k}\"")));
        }
        assert_eq!(RecordKind::parse("Standard"), None);
        assert_eq!(RecordKind::parse("standards"), None);
    }
}
