//! `Index::search`, the orchestration of a search: query understanding ([`crate::query`]),
//! filters, collection with facets and sorting ([`crate::collect`]), partial matches, the
//! relaxed (OR) retry when nothing matches, snippets and adoptions. The request and response
//! types live in [`crate::request`] (re-exported here at their old paths), so the modules this
//! one calls depend on those types and never on this module.

use biaozhun_model::Status;

use crate::collect::{Candidate, Cursor, HitsCollector, Proximity, SortValue};
use crate::document::date_num;
use crate::query::{self, Mode};
use crate::request::hit_from_head;
pub use crate::request::{
    FacetCount, Highlight, Hit, SearchRequest, SearchResponse, Sort, MAX_LIMIT, MAX_WINDOW,
};
use crate::store::Index;
use crate::IndexError;

impl Index {
    /// Runs a search. Bad query syntax is never an error; bad paging or filters are.
    pub fn search(&self, req: &SearchRequest) -> Result<SearchResponse, IndexError> {
        let limit = if req.limit == 0 { 10 } else { req.limit };
        if limit > MAX_LIMIT {
            return Err(IndexError::BadRequest(format!(
                "limit {limit} is above the maximum {MAX_LIMIT}"
            )));
        }
        if req.cursor.is_none() && req.offset + limit > MAX_WINDOW {
            return Err(IndexError::BadRequest(format!(
                "offset + limit must be at most {MAX_WINDOW}; use the cursor to page deeper"
            )));
        }
        let cursor = req.cursor.as_deref().map(Cursor::decode).transpose()?;
        let as_of = req
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive());
        let statuses = parse_statuses(req.status.as_deref())?;
        let mut filters = query::filters(self, req)?;
        let mut plan = query::plan(self, &req.q);
        let market = query::market_filter(self, req, &plan);
        let mut market_filtered = market.is_some();
        filters.extend(market);
        let want = if cursor.is_some() {
            limit
        } else {
            req.offset + limit
        };
        let (facets, count_status) = self.wanted_facets(req.facets.as_deref())?;
        let searcher = self.reader.searcher();
        // Every pass below runs on this searcher: the words leave out the terms it lacks.
        plan.only_present_in(&searcher);
        // Built now: the proximity clauses read the terms' document frequencies they found.
        plan.words(self);
        let collector = HitsCollector {
            as_of: date_num(as_of),
            statuses,
            sort: req.sort,
            k: want + 1,
            after: cursor,
            facets,
            count_status,
            columns: self.columns.clone(),
            editions: self.editions_for(&searcher)?,
            proximity: Proximity::new(&searcher, query::proximity(self, &plan), &|t| {
                plan.known_doc_freq(t)
            })?,
            exact_up_to: req.track_total_hits.unwrap_or(u64::MAX),
        };
        let live: Vec<tantivy::index::SegmentId> = searcher
            .segment_readers()
            .iter()
            .map(|r| r.segment_id())
            .collect();
        self.columns.retain(&live);
        let build = if req.track_total_hits.is_some() {
            query::build_pruning
        } else {
            query::build_lean
        };
        let q = build(self, &plan, &filters, Mode::All);
        let mut fruit = searcher.search(&*q, &collector)?;
        let complete = fruit.total;
        let mut relaxed = false;
        let mut mode = Mode::All;
        let words = plan.words(self);
        let mut partial: Vec<Candidate> = Vec::new();
        let mut partial_total = 0;
        let mut partial_exact = true;
        // Single characters (`多`, `权`: what jieba leaves between words) do not make a partial
        // match: one of them matched by itself nearly every document. Nor do common words
        // (`产品`, `技术`, `要求`: in most full texts), as Elasticsearch's common-terms rule has
        // it: a document that has only them of the query is no near match, and counting them
        // visits nearly every document.
        let records = self.record_count(&searcher);
        let counted: Vec<&query::WordQuery> = words
            .iter()
            .filter(|w| w.word.chars().count() > 1)
            .filter(|w| !self.is_common_word(&searcher, &w.word, records))
            .collect();
        if plan.can_fill()
            && !counted.is_empty()
            && collector.after.is_none()
            && complete < (want + 1) as u64
        {
            // Fewer complete matches than the page needs: fill it with the documents that
            // match most of the words (Meilisearch's `words` rule), strictly after them: all
            // but one word first, then all but two (and at least one: one of two or three
            // words, two of four, four of six). One word of six (`权`) is no longer "most":
            // it matched nearly every document and made the slowest queries of the benchmark.
            let need = want + 1 - complete as usize;
            let floor = partial_floor(counted.len());
            // With a single character left out, all the other words is a partial match too.
            let top = if counted.len() < words.len() {
                counted.len()
            } else {
                counted.len() - 1
            };
            let mut seen: std::collections::HashSet<tantivy::DocAddress> =
                fruit.top.iter().map(|c| c.doc).collect();
            // Facets count over every match, so they need the widest pass; a hits-only
            // request whose page is full does not, and gets a lower bound of the count.
            let exact_count = !collector.facets.is_empty() || collector.count_status;
            let mut lower = 0;
            for min in (floor..=top).rev() {
                let filled = partial.len() >= need;
                if filled && !exact_count {
                    partial_exact = false;
                    break;
                }
                if filled && min > floor {
                    continue;
                }
                // The last pass (at least `floor` words) also gives the partial count and,
                // when nothing matched completely, the facets.
                let last = min == floor;
                let pass = HitsCollector {
                    // Partial matches were never scored by proximity.
                    proximity: None,
                    k: if filled {
                        0
                    } else {
                        need - partial.len() + seen.len()
                    },
                    after: None,
                    facets: if last && complete == 0 {
                        collector.facets.clone()
                    } else {
                        Vec::new()
                    },
                    count_status: last && complete == 0 && collector.count_status,
                    // A hits-only request takes a lower bound of the partial count (below):
                    // its passes skip what cannot reach the page ([`crate::prune`]).
                    exact_up_to: if exact_count { u64::MAX } else { 0 },
                    ..collector.clone()
                };
                let q = query::build_partial(&counted, &filters, min);
                let f = searcher.search(&*q, &pass)?;
                partial_exact &= f.exact;
                lower = lower.max(f.total.saturating_sub(complete));
                for c in f.top {
                    if partial.len() < need && seen.insert(c.doc) {
                        partial.push(c);
                    }
                }
                if last {
                    partial_total = f.total.saturating_sub(complete);
                    if complete == 0 {
                        fruit.facets = f.facets;
                    }
                }
            }
            if !partial_exact {
                partial_total = partial_total.max(lower);
            }
            if complete == 0 && partial_total > 0 {
                relaxed = true;
                mode = Mode::Any;
            }
        }
        if complete == 0 && partial_total == 0 && plan.can_relax() {
            // Nothing matches every word, nor all but two: a best-effort any-word answer.
            let q = query::build_lean(self, &plan, &filters, Mode::Any);
            fruit = searcher.search(&*q, &collector)?;
            relaxed = fruit.total > 0;
            mode = Mode::Any;
        }
        if fruit.total == 0 && market_filtered {
            // No notification of that market matches: the market word was an origin or a
            // plain word (`blueberries from Chile`); answer without the filter (it is last).
            filters.pop();
            market_filtered = false;
            let q = build(self, &plan, &filters, Mode::All);
            fruit = searcher.search(&*q, &collector)?;
            if fruit.total == 0 && plan.can_relax() {
                let q = query::build_lean(self, &plan, &filters, Mode::Any);
                fruit = searcher.search(&*q, &collector)?;
                relaxed = fruit.total > 0;
                mode = Mode::Any;
            }
        }
        // Disjunctive facets: the counts of a filtered facet ignore its own filter, so the page
        // can show the sibling values (`甘肃 12 · 山东 7` while 甘肃 is selected). One facet-only
        // pass per active faceted filter.
        for (i, facet) in filters.iter().enumerate() {
            let Some(name) = facet.facet else { continue };
            if !collector.facets.iter().any(|f| f == name) {
                continue;
            }
            let others: Vec<query::Filter> = filters
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, f)| query::Filter {
                    facet: f.facet,
                    query: f.query.box_clone(),
                })
                .collect();
            let q = query::build_lean(self, &plan, &others, mode);
            let pass = HitsCollector {
                k: 0,
                after: None,
                facets: vec![name.to_string()],
                count_status: false,
                ..collector.clone()
            };
            let mut counts = searcher.search(&*q, &pass)?.facets;
            fruit
                .facets
                .insert(name.to_string(), counts.remove(name).unwrap_or_default());
        }
        if collector.statuses.is_some() && count_status {
            let pass = HitsCollector {
                k: 0,
                after: None,
                statuses: None,
                facets: Vec::new(),
                ..collector.clone()
            };
            let q = query::build_lean(self, &plan, &filters, mode);
            let mut counts = searcher.search(&*q, &pass)?.facets;
            fruit.facets.insert(
                "status".to_string(),
                counts.remove("status").unwrap_or_default(),
            );
        }
        if let Some(hs) = fruit.facets.get_mut("hs") {
            for f in hs.iter_mut() {
                f.label = self.hs_names.get(&f.value).cloned();
            }
        }
        let skip = if collector.after.is_some() {
            0
        } else {
            req.offset
        };
        let n_complete = fruit.top.len();
        let mut all = fruit.top;
        all.extend(partial.iter().cloned());
        let more = all.len() > skip + limit;
        let page: Vec<(usize, Candidate)> =
            all.into_iter().enumerate().skip(skip).take(limit).collect();
        // Cursors page through complete matches; partial matches page by offset.
        let mut next_cursor = if more && partial.is_empty() {
            page.last().map(|(_, c)| Cursor::from_candidate(c).encode())
        } else {
            None
        };
        let matcher = crate::matched::Matcher::new(words);
        let terms = plan.highlight_terms();
        let mut understood = plan.understood();
        if !market_filtered {
            // The `member` parameter wins, or no notification of the market matched: the
            // market words filtered nothing.
            understood.market = None;
        }
        let docs: Vec<tantivy::DocAddress> = page.iter().map(|(_, c)| c.doc).collect();
        // A complete match of the all-words query holds every word.
        let every_word: Vec<bool> = page
            .iter()
            .map(|(i, _)| *i < n_complete && mode == Mode::All && plan.words_required())
            .collect();
        let mut matched_words = matcher.matched(&searcher, &docs, &every_word)?.into_iter();
        let mut hits = Vec::with_capacity(page.len());
        for (i, c) in &page {
            let matched = matched_words.next().unwrap_or_default();
            let is_partial = *i >= n_complete;
            if !req.snippets {
                let head = self.hit_head(&searcher, c.doc)?;
                let mut hit = hit_from_head(head, c.score, c.verdict);
                hit.matched = matched;
                hit.partial = is_partial;
                hits.push(hit);
                continue;
            }
            // Snippets need the whole record (its full text): one read gives head and record.
            let an = crate::snippet::Analyzers {
                zh: &self.zh,
                en: &self.en,
            };
            let mut hit = self.with_head_and_record(&searcher, c.doc, |head, json| {
                let kind = head.kind;
                let mut hit = hit_from_head(head, c.score, c.verdict);
                hit.highlights = crate::snippet::highlights(&an, kind, json, &terms);
                hit
            })?;
            hit.matched = matched;
            hit.partial = is_partial;
            hits.push(hit);
        }
        // A foreign number's Chinese adoptions follow it on the first page of a relevance search.
        if req.adoptions && skip == 0 && collector.after.is_none() && req.sort == Sort::Relevance {
            let ranked: Vec<String> = hits.iter().map(|h| h.id.clone()).collect();
            let pushed = crate::adoptions::place_adoptions(
                self,
                &mut hits,
                &understood.codes,
                as_of,
                limit,
            )?;
            if pushed && partial.is_empty() {
                // The matches the adoptions pushed off this page open the next one: the cursor
                // continues after the longest run of ranked matches still shown.
                let shown: std::collections::HashSet<&str> =
                    hits.iter().map(|h| h.id.as_str()).collect();
                let kept = ranked
                    .iter()
                    .take_while(|id| shown.contains(id.as_str()))
                    .count();
                if kept < ranked.len() {
                    next_cursor = kept
                        .checked_sub(1)
                        .and_then(|i| page.get(i))
                        .map(|(_, c)| Cursor::from_candidate(c).encode());
                }
            }
        }
        Ok(SearchResponse {
            total: fruit.total,
            total_exact: fruit.exact,
            partial_total,
            partial_total_exact: partial_exact,
            hits,
            facets: fruit.facets,
            next_cursor,
            relaxed,
            understood,
        })
    }
}

impl Index {
    /// Runs `f` with the head and the record's JSON of the document at `addr`, as
    /// `head_and_record` reads them, the record decompressed into the search thread's buffer
    /// (`rawdoc::unpack_into`); what the byte walk does not read goes `head_and_record`'s way.
    fn with_head_and_record<R>(
        &self,
        searcher: &tantivy::Searcher,
        addr: tantivy::DocAddress,
        f: impl FnOnce(crate::document::Head, &[u8]) -> R,
    ) -> Result<R, IndexError> {
        let raw = self.raw_docs.get(searcher, addr)?;
        let mut buf = crate::rawdoc::take_buffer();
        let mut read = None;
        if let Some(values) = crate::rawdoc::bytes_values(&raw) {
            let find = |field| values.iter().find(|(f, _)| *f == field).map(|(_, b)| *b);
            let head = find(self.fields.head).and_then(|b| serde_json::from_slice(b).ok());
            if let (Some(head), Some(packed)) = (head, find(self.fields.record)) {
                read = crate::rawdoc::unpack_into(&mut buf, packed).map(|json| (head, json));
            }
        }
        let out = match read {
            Some((head, json)) => f(head, json),
            None => {
                let (head, json) = self.head_and_record(searcher, addr)?;
                f(head, &json)
            }
        };
        crate::rawdoc::give_back(buf);
        Ok(out)
    }

    /// The facet fields a request counts, and whether it counts `status`; an unknown name is
    /// a bad request that lists the known ones.
    fn wanted_facets(&self, asked: Option<&[String]>) -> Result<(Vec<String>, bool), IndexError> {
        let all = self.cfg.facets();
        let Some(asked) = asked else {
            return Ok((all, true));
        };
        let mut fields = Vec::new();
        let mut status = false;
        for name in asked.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
            if name == "status" {
                status = true;
            } else if all.iter().any(|f| f == name) {
                if !fields.iter().any(|f: &String| f == name) {
                    fields.push(name.to_string());
                }
            } else {
                return Err(IndexError::BadRequest(format!(
                    "unknown facet {name:?}; facets are status, {}",
                    all.join(", ")
                )));
            }
        }
        Ok((fields, status))
    }

    /// Prepares the per-segment arrays searches read (status inputs, facet ordinals), the
    /// edition table (read from its stored file when it matches) with today's day rows, and
    /// the query-time dictionaries (CC-CEDICT, HS names), so the first queries after opening or
    /// a commit do not pay for them. Logs what each took.
    pub fn warm(&self) -> Result<(), IndexError> {
        let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
        let searcher = self.reader.searcher();
        std::thread::scope(|scope| {
            // The dictionaries and the stored edition table need no column: read on a second
            // thread beside the column cache, the start waits for the longer of the two, not
            // their sum. (A table that has to be built needs the columns: built after them.)
            let side = scope.spawn(|| {
                let t = std::time::Instant::now();
                self.bridge().warm();
                let bridge_ms = ms(t);
                let t = std::time::Instant::now();
                let read = self
                    .cached_editions(&searcher)
                    .is_none()
                    .then(|| self.read_stored_editions(&searcher));
                (bridge_ms, read, ms(t))
            });
            let t = std::time::Instant::now();
            self.columns.warm(&searcher)?;
            let columns_ms = ms(t);
            // A panic while loading the dictionaries is the bridge's own; the first query
            // that needs them will report it again (and the table is read again below).
            let (bridge_ms, read, read_ms) = side.join().unwrap_or((f64::NAN, None, f64::NAN));
            let t = std::time::Instant::now();
            let table = self.editions_with(&searcher, read)?;
            let editions_ms = ms(t) + read_ms;
            let t = std::time::Instant::now();
            let today = date_num(chrono::Local::now().date_naive());
            for r in searcher.segment_readers() {
                let cols = self.columns.segment(r)?;
                table.day_rows(r.segment_id(), &cols, today);
            }
            let day_rows_ms = ms(t);
            tracing::info!(
                bridge_ms,
                hs_names = ?self.bridge().hs_origin(),
                columns_ms,
                editions_ms,
                editions = ?table.origin(),
                day_rows_ms,
                "index warmed"
            );
            Ok(())
        })
    }

    /// The query-time expansions (CC-CEDICT, HS names), built at the first use. The HS names
    /// are read back from their cached form beside the segments when it matches the names
    /// files and this generation's analyzers; otherwise tokenized, and written there by a
    /// writable handle (see `bridge::hs`).
    pub fn bridge(&self) -> &crate::bridge::Bridge {
        self.bridge.get_or_init(|| {
            let path = self.data_dir().join(crate::bridge::HS_NAMES_FILE);
            let cache = crate::bridge::HsCache {
                path: &path,
                analyzer: &self.config_hash,
                write: self.is_writable(),
            };
            crate::bridge::Bridge::new(&crate::bridge::hs_dir(), Some(cache), &self.zh, &self.en)
        })
    }
}

/// The displayed sort value of a candidate, for cursors.
impl Cursor {
    fn from_candidate(c: &Candidate) -> Cursor {
        Cursor {
            value: match &c.value {
                SortValue::Num(v) => SortValue::Num(*v),
                SortValue::Str(s) => SortValue::Str(s.clone()),
                SortValue::Ord(_) => SortValue::Num(0.0),
            },
            id_hash: c.id_hash,
        }
    }
}

/// The fewest words a partial match has: all but two of the query's words, and at least one.
/// A word in more than this share of the records (1 / N) is common: it does not make a
/// partial match by itself. On the small bench corpus `产品`, `技术`, `要求`, `方法` are in 84-96 %
/// of the records; the least common product words that still count (`汽车`) in 28 %.
const COMMON_SHARE_INV: u64 = 3;
/// Below this many records no word is common: the partial pass is cheap anyway, and a small
/// collection's word counts say little.
const COMMON_MIN_RECORDS: u64 = 1_000;

impl Index {
    /// Records (standards, notifications, regulations) in the index, without the bookkeeping
    /// documents of ingested files: one term lookup per kind.
    fn record_count(&self, searcher: &tantivy::Searcher) -> u64 {
        biaozhun_model::RecordKind::ALL
            .iter()
            .map(|k| {
                let t = tantivy::Term::from_field_text(self.fields.kind, k.as_str());
                searcher.doc_freq(&t).unwrap_or(0)
            })
            .sum()
    }

    /// Whether `word` (folded) is in more than a third of `records` in some Chinese text field.
    fn is_common_word(&self, searcher: &tantivy::Searcher, word: &str, records: u64) -> bool {
        if records < COMMON_MIN_RECORDS {
            return false;
        }
        self.fields.zh_text.iter().any(|(f, _)| {
            let t = tantivy::Term::from_field_text(*f, word);
            searcher.doc_freq(&t).unwrap_or(0) * COMMON_SHARE_INV > records
        })
    }
}

fn partial_floor(words: usize) -> usize {
    words.saturating_sub(2).max(1)
}

fn parse_statuses(s: Option<&str>) -> Result<Option<Vec<Status>>, IndexError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let mut out = Vec::new();
    for part in s.split([',', '，', '|']) {
        let p = part.trim();
        if p.is_empty() {
            continue;
        }
        out.push(
            Status::parse(p)
                .ok_or_else(|| IndexError::BadRequest(format!("unknown status {p:?}")))?,
        );
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {

    /// A record survives packing; bytes that are not a packed record are refused, not a panic.
    #[test]
    fn records_pack_and_unpack() {
        let json = "{\"title\":\"信息与文献\"}";
        let packed = crate::document::pack_record(json);
        assert_eq!(
            crate::document::unpack_record(&packed).as_deref(),
            Some(json)
        );
        assert_eq!(
            crate::document::unpack_record(b"\xff\xff\xff\x7f junk"),
            None
        );
        assert_eq!(crate::document::unpack_record(b""), None);
    }
}
