//! Wire types of `GET /search` and `GET /suggest`: the query parameters and the answer, converted
//! from and to the index's own types so the engine can change without changing the JSON.

use std::collections::BTreeMap;

use biaozhun_index::{SearchRequest, SearchResponse, Sort};
use biaozhun_model::RecordKind;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::config::Limits;
use crate::error::ApiError;
use crate::wire::records::record_url;

/// Query parameters of `GET /api/v1/search`. Every filter is optional.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The query: words, standard numbers in any spelling (`gbt7714`), notification symbols,
    /// `"quoted phrases"`. Empty lists everything matching the filters.
    pub q: Option<String>,
    /// `standard`, `notification` or `regulation`.
    pub kind: Option<String>,
    /// Status as of `as_of`: `current`, `upcoming`, `replaced`, `abolished` (or 现行, ...);
    /// comma-separated for several.
    pub status: Option<String>,
    /// `national`, `industry`, `local`, `group`, `enterprise`, `international`, `foreign`.
    pub level: Option<String>,
    /// `mandatory`, `recommended`, `guidance`.
    pub nature: Option<String>,
    /// Province of local standards: `甘肃`, `甘肃省`, `Gansu`, `62`.
    pub region: Option<String>,
    /// Industry prefix: `NY`, `SN`.
    pub industry: Option<String>,
    /// ICS code or an ancestor (`01.140` matches `01.140.20`).
    pub ics: Option<String>,
    /// CCS code or category letter.
    pub ccs: Option<String>,
    /// Edition year (distribution year of notifications).
    #[param(value_type = Option<u16>)]
    pub year: Option<String>,
    /// Issuing department.
    pub department: Option<String>,
    /// WTO member code or name (`USA`, `European Union`).
    pub member: Option<String>,
    /// `TBT` or `SPS`.
    pub agreement: Option<String>,
    /// HS code (prefix match both ways: `0808` matches `080810`).
    pub hs: Option<String>,
    /// Notifications open for comments on this date (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    pub open_on: Option<String>,
    /// Issue date from, inclusive (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    pub from: Option<String>,
    /// Issue date to, inclusive (`YYYY-MM-DD`).
    #[param(value_type = Option<String>, format = Date)]
    pub to: Option<String>,
    /// Date statuses are derived for (`YYYY-MM-DD`, default today).
    #[param(value_type = Option<String>, format = Date)]
    pub as_of: Option<String>,
    /// `relevance` (default), `issue_date`, `implement_date` or `code`.
    pub sort: Option<String>,
    /// Offset paging (at most 10000 by default; use `cursor` to go deeper).
    #[param(value_type = Option<usize>)]
    pub offset: Option<String>,
    /// Page size, 1..=100 (default 10).
    #[param(value_type = Option<usize>)]
    pub limit: Option<String>,
    /// Opaque `next_cursor` of a previous answer.
    pub cursor: Option<String>,
    /// `true` to compute highlighted snippets.
    #[param(value_type = Option<bool>)]
    pub snippets: Option<String>,
    /// Facets to count: `all` (default), `none`, or a comma-separated list of `kind`, `status`,
    /// `level`, `nature`, `region`, `industry`, `ics`, `ccs`, `year`, `department`, `member`,
    /// `agreement`, `hs`. Counting walks every matching document: ask for none when only the
    /// hits are shown.
    pub facets: Option<String>,
    /// How far to count the complete matches exactly (Elasticsearch's `track_total_hits`):
    /// `true` (default) counts them all; `false` counts no further than the page needs; a
    /// number N counts exactly up to N. Beyond that, a relevance-sorted request that counts
    /// no facet (`facets=none`) skips the documents that cannot reach its page, and `total`
    /// is a lower bound (`total_exact: false`). The broadest queries answer several times
    /// faster.
    #[param(value_type = Option<String>)]
    pub track_total_hits: Option<String>,
}

impl SearchParams {
    /// Validates the parameters against the limits and builds the index request.
    pub fn into_request(self, limits: &Limits) -> Result<SearchRequest, ApiError> {
        let q = self.q.unwrap_or_default();
        let chars = q.chars().count();
        if chars > limits.max_query_chars {
            return Err(ApiError::invalid(format!(
                "q has {chars} characters, at most {} are accepted",
                limits.max_query_chars
            )));
        }
        let limit = parse_num("limit", self.limit.as_deref())?.unwrap_or(10);
        let max_limit = limits.max_limit.min(biaozhun_index::MAX_LIMIT);
        if limit == 0 || limit > max_limit {
            return Err(ApiError::invalid(format!(
                "limit must be between 1 and {max_limit}"
            )));
        }
        let offset = parse_num("offset", self.offset.as_deref())?.unwrap_or(0);
        if offset > limits.max_offset {
            return Err(ApiError::invalid(format!(
                "offset must be at most {}; use cursor to page deeper",
                limits.max_offset
            )));
        }
        let year = match parse_num("year", self.year.as_deref())? {
            Some(y) if (1900..=2100).contains(&y) => Some(y as u16),
            Some(_) => return Err(ApiError::invalid("year must be between 1900 and 2100")),
            None => None,
        };
        let sort = match self.sort.as_deref().map(str::trim) {
            None | Some("") | Some("relevance") => Sort::Relevance,
            Some("issue_date") => Sort::IssueDate,
            Some("implement_date") => Sort::ImplementDate,
            Some("code") => Sort::Code,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "sort {other:?} is not one of relevance, issue_date, implement_date, code"
                )))
            }
        };
        let kind = match non_empty(self.kind) {
            None => None,
            Some(k) => Some(RecordKind::parse(&k).ok_or_else(|| {
                ApiError::invalid(format!(
                    "kind {k:?} is not one of standard, notification, regulation"
                ))
            })?),
        };
        let snippets = match self.snippets.as_deref().map(str::trim) {
            None | Some("") | Some("false") | Some("0") => false,
            Some("true") | Some("1") => true,
            Some(other) => {
                return Err(ApiError::invalid(format!(
                    "snippets {other:?} is neither true nor false"
                )))
            }
        };
        let track_total_hits = match self.track_total_hits.as_deref().map(str::trim) {
            None | Some("") | Some("true") => None,
            Some("false") => Some(0),
            Some(n) => Some(n.parse::<u64>().map_err(|_| {
                ApiError::invalid(format!(
                    "track_total_hits {n:?} is neither true, false nor a count"
                ))
            })?),
        };
        let facets = match self.facets.as_deref().map(str::trim) {
            None | Some("all") => None,
            Some("none") | Some("") => Some(Vec::new()),
            Some(list) => Some(
                list.split(',')
                    .map(|f| f.trim().to_string())
                    .filter(|f| !f.is_empty())
                    .collect(),
            ),
        };
        Ok(SearchRequest {
            q,
            kind,
            status: non_empty(self.status),
            level: non_empty(self.level),
            nature: non_empty(self.nature),
            region: non_empty(self.region),
            industry: non_empty(self.industry),
            ics: non_empty(self.ics),
            ccs: non_empty(self.ccs),
            year,
            department: non_empty(self.department),
            member: non_empty(self.member),
            agreement: non_empty(self.agreement),
            hs: non_empty(self.hs),
            open_on: parse_date("open_on", self.open_on.as_deref())?,
            from: parse_date("from", self.from.as_deref())?,
            to: parse_date("to", self.to.as_deref())?,
            as_of: parse_date("as_of", self.as_of.as_deref())?,
            sort,
            offset,
            limit,
            cursor: non_empty(self.cursor),
            snippets,
            facets,
            adoptions: true,
            track_total_hits,
        })
    }
}

fn non_empty(v: Option<String>) -> Option<String> {
    v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn parse_num(name: &str, v: Option<&str>) -> Result<Option<usize>, ApiError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => s.parse::<usize>().map(Some).map_err(|_| {
            ApiError::invalid(format!("{name} must be a non-negative integer, got {s:?}"))
        }),
    }
}

/// A `YYYY-MM-DD` query parameter; anything else is `invalid_parameter` naming the parameter.
pub(crate) fn parse_date(name: &str, v: Option<&str>) -> Result<Option<NaiveDate>, ApiError> {
    match v.map(str::trim) {
        None | Some("") => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| ApiError::invalid(format!("{name} must be a date YYYY-MM-DD, got {s:?}"))),
    }
}

/// Answer of `GET /api/v1/search`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchAnswer {
    /// Documents that match every query word (complete matches).
    pub total: u64,
    /// False when `total` is a lower bound (at least that many): the request set
    /// `track_total_hits` and more documents matched than it asked to count.
    pub total_exact: bool,
    /// Documents that match some but not all query words, lacking at most two (partial
    /// matches: one of two or three words, two of four, four of six). Counted when the
    /// complete matches do not fill the page asked for; the page then goes on with partial
    /// matches (`partial: true`), most words matched first, after every complete match.
    /// Otherwise 0. Offset paging runs over `total + partial_total` hits.
    pub partial_total: u64,
    /// False when `partial_total` is a lower bound (at least that many): a request that
    /// counts no facet (`facets=none`) and whose page is full before the widest partial
    /// match is looked for does not count them all (like Elasticsearch's `track_total_hits`);
    /// ask for a facet to get the exact count. True otherwise.
    pub partial_total_exact: bool,
    /// Server time spent, milliseconds.
    pub took_ms: u64,
    /// The page of hits.
    pub hits: Vec<HitWire>,
    /// Facet counts over all matching documents, by facet name (`kind`, `status`, `level`,
    /// `region`, ...).
    pub facets: BTreeMap<String, Vec<FacetWire>>,
    /// Pass as `cursor` to get the next page; absent on the last page.
    pub next_cursor: Option<String>,
    /// True when no document had all the query terms and this is a best-effort (any-term)
    /// answer.
    pub relaxed: bool,
    /// How the query was understood: the standard numbers, symbols, phrases and words read
    /// from `q`, and a market word (`欧盟`, `USA`, `沙特`) that became a filter on that WTO
    /// member's notifications instead of a word the text must contain.
    pub understood: UnderstoodWire,
}

/// What `q` was understood as.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnderstoodWire {
    /// Standard numbers read from `q`, each in its canonical spelling (`YY 0505-2012`).
    pub codes: Vec<String>,
    /// Notification symbols read from `q` (`G/TBT/N/USA/2146`).
    pub symbols: Vec<String>,
    /// Province codes read as region hints (`62` for 甘肃).
    pub regions: Vec<String>,
    /// The words searched for (after codes, symbols, markets and regions were taken out).
    pub terms: Vec<String>,
    /// Quoted phrases.
    pub phrases: Vec<String>,
    /// The market a market word named: only that member's notifications match (several
    /// market words: any of them; this names the first). Absent when `q` names no market or
    /// the `member` parameter is given (which wins).
    pub market: Option<QueryMarketWire>,
    /// What each word was expanded with (it also matches these, at a lower weight, never
    /// instead of the word): `synonyms` (index-config synonyms and glossary), `thesaurus`
    /// (CC-CEDICT near-synonym), `cedict` (CC-CEDICT English translation), `hs` (English stems
    /// of the HS names containing the word). A hit's `matched[].via` names the one it matched.
    pub expansions: Vec<ExpansionWire>,
}

/// One expansion of a query word.
#[derive(Debug, Serialize, ToSchema)]
pub struct ExpansionWire {
    /// The query word (`西红柿`).
    pub word: String,
    /// What it also matches (`番茄`, `tomato`).
    pub to: String,
    /// `synonyms`, `thesaurus`, `cedict` or `hs`.
    pub source: String,
}

/// A market word read from the query.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueryMarketWire {
    /// WTO member code (`EU`), the value the `member` parameter takes.
    pub code: String,
    /// Chinese name (`欧盟`), which the web page shows as "按市场：欧盟".
    pub name_zh: String,
    /// English name (`European Union`).
    pub name_en: String,
    /// The word as typed in `q`.
    pub word: String,
}

impl UnderstoodWire {
    fn from_index(u: biaozhun_index::query::Understood) -> UnderstoodWire {
        UnderstoodWire {
            codes: u.codes,
            symbols: u.symbols,
            regions: u.regions,
            terms: u.terms,
            phrases: u.phrases,
            market: u.market.map(|m| QueryMarketWire {
                code: m.code,
                name_zh: m.name_zh,
                name_en: m.name_en,
                word: m.word,
            }),
            expansions: u
                .expansions
                .into_iter()
                .map(|e| ExpansionWire {
                    word: e.word,
                    to: e.to,
                    source: e.source,
                })
                .collect(),
        }
    }
}

/// A query word a hit matched.
#[derive(Debug, Serialize, ToSchema)]
pub struct MatchedWire {
    /// The query word (as segmented: `马铃薯`, a quoted phrase, or a province name).
    pub word: String,
    /// The expansion it matched by when the word itself does not occur (`土豆` for 马铃薯,
    /// `potato` for an English text); absent when the word itself matched.
    pub via: Option<String>,
}

/// One hit.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitWire {
    /// Canonical standard code, notification symbol or regulation id.
    pub id: String,
    /// `standard`, `notification` or `regulation`.
    #[schema(value_type = String)]
    pub kind: RecordKind,
    /// API URL of the full record.
    pub url: String,
    /// Chinese title.
    pub title_zh: Option<String>,
    /// English title.
    pub title_en: Option<String>,
    /// Status as of the request date (standards): `current`, `upcoming`, `replaced`,
    /// `abolished`.
    pub status: Option<String>,
    /// Chinese status label (现行, ...).
    pub status_label_zh: Option<String>,
    /// How the status was reached: `stated` (a source's label), `derived` (dates and links),
    /// `inferred` (edition order or years, dates missing).
    pub status_basis: Option<String>,
    /// Issue / distribution / promulgation date.
    #[schema(value_type = Option<String>, format = Date)]
    pub issue_date: Option<NaiveDate>,
    /// Implementation / entry-into-force / effective date.
    #[schema(value_type = Option<String>, format = Date)]
    pub implement_date: Option<NaiveDate>,
    /// Comment deadline (notifications).
    #[schema(value_type = Option<String>, format = Date)]
    pub comment_deadline: Option<NaiveDate>,
    /// Relevance score (for debugging; not comparable across queries).
    pub score: f32,
    /// Highlighted fragments, when `snippets=true`.
    pub highlights: Vec<HighlightWire>,
    /// The query words this hit matched, each by itself or by an expansion (`via`).
    pub matched: Vec<MatchedWire>,
    /// True for a partial match: it lacks some query word (see `partial_total`).
    pub partial: bool,
    /// When the query is a foreign or international number: this Chinese standard adopts it
    /// (采标), listed right after the foreign record itself.
    pub adoption: Option<HitAdoptionWire>,
}

/// A Chinese standard's adoption of the searched foreign number.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitAdoptionWire {
    /// The foreign code adopted, as the Chinese record states it (`ISO 13485:2016`).
    pub of: String,
    /// `IDT`, `MOD`, `NEQ`, `EQV` or `≈`, when stated.
    pub degree: Option<String>,
    /// Label for display: `采标 ISO 13485:2016 IDT`.
    pub label: String,
}

/// A highlighted fragment.
#[derive(Debug, Serialize, ToSchema)]
pub struct HighlightWire {
    /// `title_zh`, `title_en` or `text`.
    pub field: String,
    /// Plain text of the fragment.
    pub text: String,
    /// Byte ranges `[start, end)` of the matches in `text`.
    pub ranges: Vec<[usize; 2]>,
    /// HTML-escaped fragment with matches in `<em>`.
    pub html: String,
}

/// A facet value and its count.
#[derive(Debug, Serialize, ToSchema)]
pub struct FacetWire {
    /// Value to pass back as a filter.
    pub value: String,
    /// Human label (甘肃, 现行).
    pub label: Option<String>,
    /// Matching documents.
    pub count: u64,
}

impl SearchAnswer {
    /// Converts the index answer.
    pub fn from_index(r: SearchResponse, took_ms: u64) -> SearchAnswer {
        SearchAnswer {
            total: r.total,
            total_exact: r.total_exact,
            partial_total: r.partial_total,
            partial_total_exact: r.partial_total_exact,
            took_ms,
            hits: r
                .hits
                .into_iter()
                .map(|h| HitWire {
                    url: record_url(h.kind, &h.id),
                    id: h.id,
                    kind: h.kind,
                    title_zh: h.title_zh,
                    title_en: h.title_en,
                    status: h.status.map(|s| s.as_str().to_string()),
                    status_label_zh: h.status.map(|s| s.label_zh().to_string()),
                    status_basis: h.status_basis.map(|b| b.as_str().to_string()),
                    issue_date: h.issue_date,
                    implement_date: h.implement_date,
                    comment_deadline: h.comment_deadline,
                    score: h.score,
                    highlights: h
                        .highlights
                        .into_iter()
                        .map(|x| HighlightWire {
                            field: x.field,
                            text: x.text,
                            ranges: x.ranges.into_iter().map(|(a, b)| [a, b]).collect(),
                            html: x.html,
                        })
                        .collect(),
                    matched: h
                        .matched
                        .into_iter()
                        .map(|m| MatchedWire {
                            word: m.word,
                            via: m.via,
                        })
                        .collect(),
                    partial: h.partial,
                    adoption: h.adoption.map(|a| HitAdoptionWire {
                        label: match &a.degree {
                            Some(d) => format!("采标 {} {d}", a.of),
                            None => format!("采标 {}", a.of),
                        },
                        of: a.of,
                        degree: a.degree,
                    }),
                })
                .collect(),
            facets: r
                .facets
                .into_iter()
                .map(|(k, v)| {
                    let v = v
                        .into_iter()
                        .map(|f| FacetWire {
                            value: f.value,
                            label: f.label,
                            count: f.count,
                        })
                        .collect();
                    (k, v)
                })
                .collect(),
            next_cursor: r.next_cursor,
            relaxed: r.relaxed,
            understood: UnderstoodWire::from_index(r.understood),
        }
    }
}

/// Query parameters of `GET /api/v1/suggest`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SuggestParams {
    /// What the user has typed so far.
    pub q: Option<String>,
    /// Number of suggestions, 1..=20 (default 8).
    pub limit: Option<String>,
}

/// Answer of `GET /api/v1/suggest`.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestAnswer {
    /// Suggestions, best first.
    pub suggestions: Vec<SuggestionWire>,
}

/// One suggestion.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionWire {
    /// Record id (code or symbol).
    pub id: String,
    /// `standard`, `notification` or `regulation`.
    #[schema(value_type = String)]
    pub kind: RecordKind,
    /// What to show and put in the search box (a code or a title).
    pub text: String,
    /// `code` or `title`: what `text` is.
    pub source: String,
    /// API URL of the record.
    pub url: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        crate::config::Config::default().limits
    }

    #[test]
    fn checks_each_parameter() {
        let bad: &[(&str, SearchParams)] = &[
            (
                "limit",
                SearchParams {
                    limit: Some("101".into()),
                    ..SearchParams::default()
                },
            ),
            (
                "offset",
                SearchParams {
                    offset: Some("10001".into()),
                    ..SearchParams::default()
                },
            ),
            (
                "q has",
                SearchParams {
                    q: Some("标".repeat(513)),
                    ..SearchParams::default()
                },
            ),
            (
                "from",
                SearchParams {
                    from: Some("2015/01/01".into()),
                    ..SearchParams::default()
                },
            ),
            (
                "sort",
                SearchParams {
                    sort: Some("title".into()),
                    ..SearchParams::default()
                },
            ),
            (
                "kind",
                SearchParams {
                    kind: Some("book".into()),
                    ..SearchParams::default()
                },
            ),
        ];
        for (name, p) in bad {
            let p = SearchParams { ..clone_params(p) };
            let err = p.into_request(&limits()).expect_err(name);
            assert!(err.message.contains(name), "{name}: {}", err.message);
        }
        let ok = SearchParams {
            q: Some("gbt7714".into()),
            limit: Some("100".into()),
            year: Some("2015".into()),
            snippets: Some("true".into()),
            ..SearchParams::default()
        }
        .into_request(&limits())
        .expect("valid");
        assert_eq!(ok.limit, 100);
        assert_eq!(ok.year, Some(2015));
        assert!(ok.snippets);
    }

    fn clone_params(p: &SearchParams) -> SearchParams {
        SearchParams {
            q: p.q.clone(),
            kind: p.kind.clone(),
            from: p.from.clone(),
            sort: p.sort.clone(),
            offset: p.offset.clone(),
            limit: p.limit.clone(),
            ..SearchParams::default()
        }
    }
}
