//! Wire types of `POST /api/v1/check` (and `biaozhun check --json`): the standards a document
//! cites and, for each, its status on a date and the edition in force.
//!
//! Field names are stable: enterprises feed this answer into their document systems.

use chrono::NaiveDate;
use serde::Serialize;
use utoipa::ToSchema;

/// The answer of a check.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckAnswer {
    /// The date statuses are judged on.
    #[schema(value_type = String, example = "2024-06-01")]
    pub as_of: NaiveDate,
    /// Counts per status.
    pub summary: CheckSummary,
    /// One entry per cited standard, in order of first occurrence.
    pub references: Vec<CheckedReference>,
    /// What was read.
    pub document: DocumentInfo,
}

/// Counts per status (each reference counted once).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct CheckSummary {
    /// Cited standards.
    pub references: usize,
    /// In force on `as_of`.
    pub current: usize,
    /// Issued, not yet in force.
    pub upcoming: usize,
    /// Replaced by another edition or standard.
    pub replaced: usize,
    /// Abolished.
    pub abolished: usize,
    /// Not in the index.
    pub unknown: usize,
    /// References to update (replaced, abolished, or a dated edition not held with a newer one
    /// in force).
    pub out_of_date: usize,
}

/// One cited standard.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CheckedReference {
    /// The number as first written in the document.
    pub cited: String,
    /// Canonical number (with year when the citation is dated).
    pub id: String,
    /// Whether the citation names an edition; an undated one means the edition in force.
    pub dated: bool,
    /// Whether the index holds the cited standard (for an undated citation: any edition).
    pub in_index: bool,
    /// The record the citation resolved to: the cited edition, or for an undated citation the
    /// edition in force; `null` when not in the index.
    pub edition: Option<String>,
    /// Chinese title from the index.
    pub title_zh: Option<String>,
    /// Title written in the document (`《…》` after the number).
    pub title_cited: Option<String>,
    /// `current`, `upcoming`, `replaced`, `abolished`, or `unknown` (not in the index).
    pub status: String,
    /// 现行, 即将实施, 被代替, 废止, 未收录.
    pub status_zh: String,
    /// Whether the reference should be updated.
    pub out_of_date: bool,
    /// The edition in force on `as_of`, following replaced-by links across editions,
    /// renumberings and mergers; `null` when abolished without successor or unknown.
    pub current_edition: Option<String>,
    /// Whether the index holds `current_edition` (false: known only from a replaced-by link).
    pub current_edition_in_index: bool,
    /// Chinese title of `current_edition`.
    pub current_title_zh: Option<String>,
    /// Ids from the cited edition to the one in force.
    pub chain: Vec<String>,
    /// API path of `edition`.
    pub url: Option<String>,
    /// Web page of `edition`.
    pub page: Option<String>,
    /// Web page of `current_edition` when the index holds it.
    pub current_page: Option<String>,
    /// Whether the standard is listed in the normative references (规范性引用文件).
    pub normative: bool,
    /// Every place it occurs.
    pub occurrences: Vec<OccurrenceWire>,
}

/// One place a standard is cited.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccurrenceWire {
    /// Clause as printed (`2 规范性引用文件`, `5.3`), empty outside clauses.
    pub section: String,
    /// Whether the clause is the normative references list.
    pub reference_list: bool,
    /// 1-based paragraph of the text.
    pub line: usize,
    /// The citation with some text on each side.
    pub context: String,
}

/// What was read from the input.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentInfo {
    /// `pdf`, `docx`, `text`, `markdown`, `html`, `doc`.
    pub input: String,
    /// Pages of a PDF.
    pub pages: Option<u32>,
    /// Characters of text read.
    pub chars: usize,
    /// Measured text quality (`good`, `garbled`, `no_text`, ...).
    pub quality: String,
    /// Problems worth knowing (a garbled text layer finds fewer citations).
    pub warnings: Vec<String>,
}
