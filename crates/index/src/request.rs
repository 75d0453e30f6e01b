//! The types of a search: [`SearchRequest`] in, [`SearchResponse`] with its [`Hit`]s,
//! [`FacetCount`]s, [`Highlight`]s and what the query was [`Understood`] as out. They sit below
//! every module that computes a search (query understanding, collection, snippets, adoptions,
//! the orchestration in [`crate::search`]), so those depend on these types, not on each other.
//! Re-exported at their old paths (`search::SearchRequest`, `query::Understood`, ...) and at the
//! crate root.

use std::collections::BTreeMap;

use biaozhun_model::{Basis, RecordKind, Status, Verdict};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::document::Head;

/// Largest page size.
pub const MAX_LIMIT: usize = 100;
/// Deepest offset paging reaches (`offset + limit`); use the cursor beyond.
pub const MAX_WINDOW: usize = 10_000;

/// Sort order of hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    /// Best match first (current editions first among equals).
    #[default]
    Relevance,
    /// Newest issue (or distribution) date first.
    IssueDate,
    /// Newest implementation (or entry-into-force) date first.
    ImplementDate,
    /// By code, numerically (`GB 2` before `GB 10`).
    Code,
}

/// A search. Every filter is optional; strings accept what users type (`甘肃`, `62`, `USA`).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// The query: words, standard numbers, notification symbols, `"quoted phrases"`.
    pub q: String,
    /// Only records of this kind (`standard`, `notification` or `regulation` in JSON).
    pub kind: Option<RecordKind>,
    /// Status as of `as_of` (today by default): `current`/`现行`, `upcoming`, `replaced`,
    /// `abolished`; comma-separated for several.
    pub status: Option<String>,
    /// `national`, `industry`, `local`, `group`, ...
    pub level: Option<String>,
    /// `mandatory`, `recommended`, `guidance`.
    pub nature: Option<String>,
    /// Province: `甘肃`, `甘肃省`, `Gansu`, `62`.
    pub region: Option<String>,
    /// Industry prefix: `NY`, `SN`.
    pub industry: Option<String>,
    /// ICS code or ancestor: `01.140` matches `01.140.20`.
    pub ics: Option<String>,
    /// CCS code or category letter.
    pub ccs: Option<String>,
    /// Edition year (or distribution year).
    pub year: Option<u16>,
    /// Issuing department, exactly as listed.
    pub department: Option<String>,
    /// WTO member code or name.
    pub member: Option<String>,
    /// `TBT` or `SPS`.
    pub agreement: Option<String>,
    /// HS code, matched as prefix in both directions.
    pub hs: Option<String>,
    /// Notifications open for comment on this date.
    pub open_on: Option<NaiveDate>,
    /// Issue date from (inclusive).
    pub from: Option<NaiveDate>,
    /// Issue date to (inclusive).
    pub to: Option<NaiveDate>,
    /// Date statuses are derived for (default today).
    pub as_of: Option<NaiveDate>,
    /// Sort order.
    pub sort: Sort,
    /// Offset paging.
    pub offset: usize,
    /// Page size (0 means 10).
    pub limit: usize,
    /// Opaque cursor from a previous response's `next_cursor` (search after).
    pub cursor: Option<String>,
    /// Compute highlighted snippets.
    pub snippets: bool,
    /// Facets to count: `None` counts every facet of the schema and `status`; a list counts
    /// those; an empty list none. Clients that only show a page of hits (portals, the HTTP
    /// load of `bench/`) skip the counting, the largest cost of broad queries.
    pub facets: Option<Vec<String>>,
    /// List a searched foreign number's Chinese adoptions (采标) right after it on the first
    /// page. Set by the HTTP and CLI searches; internal lookups leave it off.
    pub adoptions: bool,
    /// Count complete matches exactly only up to this many (Elasticsearch's
    /// `track_total_hits`); `None` counts them all. Beyond it, a relevance-sorted request
    /// that counts no facet skips the documents that cannot reach its page
    /// ([`crate::prune`]) and `total` becomes a lower bound (`total_exact: false`): the
    /// broadest queries cost a fraction. A page of hits needs no more.
    pub track_total_hits: Option<u64>,
}

/// A highlighted fragment of a field.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Highlight {
    /// `title_zh`, `title_en` or `text`.
    pub field: String,
    /// The fragment, plain text.
    pub text: String,
    /// Byte ranges of matches within `text`.
    pub ranges: Vec<(usize, usize)>,
    /// The fragment as HTML, escaped, matches in `<em>`.
    pub html: String,
}

/// One hit.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hit {
    /// Record id.
    pub id: String,
    /// What the record is (`standard`, `notification` or `regulation` in JSON).
    pub kind: RecordKind,
    /// Standard code or notification symbol.
    pub code: Option<String>,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Status on the request's date (standards), by the one rule (`biaozhun_model::lifecycle`).
    pub status: Option<Status>,
    /// How the status was reached: `stated`, `derived` or `inferred` (standards).
    #[serde(default)]
    pub status_basis: Option<Basis>,
    /// Issue / distribution / promulgation date.
    pub issue_date: Option<NaiveDate>,
    /// Implementation / entry-into-force / effective date.
    pub implement_date: Option<NaiveDate>,
    /// Comment deadline (notifications).
    pub comment_deadline: Option<NaiveDate>,
    /// Relevance score (after the status and year tweak).
    pub score: f32,
    /// Highlighted fragments (when requested).
    pub highlights: Vec<Highlight>,
    /// The query words this hit matched (each by itself or by one of its expansions).
    pub matched: Vec<MatchedWord>,
    /// True for a partial match: a hit that lacks some query word, listed after every hit
    /// that has them all.
    pub partial: bool,
    /// For a search by a foreign number: the Chinese standard's adoption of it (采标).
    #[serde(default)]
    pub adoption: Option<HitAdoption>,
}

/// One facet value and its count.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FacetCount {
    /// Value as indexed (`62`, `current`).
    pub value: String,
    /// Human label (`甘肃`, `现行`) when known.
    pub label: Option<String>,
    /// Matching documents.
    pub count: u64,
}

/// The answer to a search.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SearchResponse {
    /// Documents that match every query word (complete matches).
    pub total: u64,
    /// False when `total` is a lower bound: the request set `track_total_hits` and more
    /// documents matched than it asked to count.
    pub total_exact: bool,
    /// Documents that lack some of the query words, at most two (and match at least one).
    /// Computed when
    /// complete matches do not fill the page; they then follow the complete ones (most words
    /// first).
    pub partial_total: u64,
    /// False when `partial_total` is a lower bound: a hits-only request (no facet counted)
    /// whose page was full before the widest partial pass skips that pass, which would only
    /// have made the count exact (as Elasticsearch's `track_total_hits`).
    pub partial_total_exact: bool,
    /// The page.
    pub hits: Vec<Hit>,
    /// Facet counts over all matching documents.
    pub facets: BTreeMap<String, Vec<FacetCount>>,
    /// Cursor for the next page, when there is one.
    pub next_cursor: Option<String>,
    /// True when the all-terms query found nothing and this is a best-effort (any-term) answer.
    pub relaxed: bool,
    /// What the query was understood as (codes, symbols, region, terms), for debugging.
    pub understood: Understood,
}

/// What the query was understood as; returned with responses for transparency.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Understood {
    /// Standard numbers recognised (canonical).
    pub codes: Vec<String>,
    /// Notification symbols recognised.
    pub symbols: Vec<String>,
    /// Province codes read as region hints.
    pub regions: Vec<String>,
    /// Term groups (the compound of each).
    pub terms: Vec<String>,
    /// Quoted phrases.
    pub phrases: Vec<String>,
    /// The market (WTO member) a market word in the query named (`欧盟`, `USA`, `沙特`): it
    /// filters to that member's notifications instead of being a word the text must contain.
    /// When several are typed, this is the first and notifications of any of them match.
    pub market: Option<UnderstoodMarket>,
    /// Expansions the query words were given (synonyms, near-synonyms, translations), each
    /// with where it came from; a hit's `matched` says which one it matched by.
    pub expansions: Vec<Expansion>,
}

/// A market word read from the query.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct UnderstoodMarket {
    /// WTO member code (`EU`, `USA`), the value of the `member` filter.
    pub code: String,
    /// Chinese name (`欧盟`).
    pub name_zh: String,
    /// English name (`European Union`).
    pub name_en: String,
    /// The word as typed (`欧盟`, `EU`, `沙特`).
    pub word: String,
}

/// One expansion of a query word.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Expansion {
    /// The word as typed (its compound token).
    pub word: String,
    /// What it also matches: a Chinese word or English words.
    pub to: String,
    /// `synonyms` (index-config), `thesaurus` (CC-CEDICT near-synonym), `cedict` (CC-CEDICT
    /// translation) or `hs` (the HS nomenclature's names).
    pub source: String,
}

/// What one hit matched of one query word: the word itself, or an expansion of it (`via`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct MatchedWord {
    /// The query word (compound token, phrase, or region name).
    pub word: String,
    /// The expansion that matched when the word itself did not occur.
    pub via: Option<String>,
}

/// What a hit listed for a foreign-number search says about its adoption.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HitAdoption {
    /// The foreign code the hit adopts (`ISO 13485:2016`).
    pub of: String,
    /// `IDT`, `MOD`, `NEQ`, `EQV` or `≈`, when stated.
    pub degree: Option<String>,
}

/// A hit from its stored head and the verdict the edition table reached for it (the same one
/// the status filter and facet used).
pub(crate) fn hit_from_head(head: Head, score: f32, verdict: Option<Verdict>) -> Hit {
    let verdict = verdict.filter(|_| head.kind == RecordKind::Standard);
    Hit {
        id: head.id,
        kind: head.kind,
        code: head.code,
        title_zh: head.title_zh,
        title_en: head.title_en,
        status: verdict.and_then(|v| v.status),
        status_basis: verdict.filter(|v| v.status.is_some()).map(|v| v.basis),
        issue_date: head.issue_date,
        implement_date: head.implement_date,
        comment_deadline: head.comment_deadline,
        score,
        highlights: Vec::new(),
        matched: Vec::new(),
        partial: false,
        adoption: None,
    }
}
