//! What a cited number stands for on a date: the record cited, its status, and the edition in
//! force reached by following replaced-by links (new editions, renumberings, mergers).
//!
//! Statuses and successors are not decided here: they come from the index's edition chain
//! ([`biaozhun_index::Index::edition_chain`], the one lifecycle rule of
//! `biaozhun_model::lifecycle`), so 查新, search hits, facets and record pages give a standard
//! the same status on the same date. This module only reads the chain the way a check asks it:
//! which record was cited (the exact edition, its GB ↔ GB/T twin, or for an undated citation
//! the edition in force), the path of editions from it to the edition in force, and for an
//! edition not in force yet the edition it replaces. Lookups go through the small [`Editions`]
//! boundary and are memoised per check ([`Memo`]): a document citing one standard twenty times
//! costs one read.

use std::cell::RefCell;
use std::collections::{HashMap, VecDeque};

use biaozhun_index::{Edition, EditionChain, Index, IndexError};
use biaozhun_model::{Standard, StandardCode, Status};
use chrono::NaiveDate;

/// Longest chain of editions reported (guards against pathological link graphs).
pub const MAX_CHAIN: usize = 16;

/// Where records and edition chains come from: the index (through [`IndexEditions`]).
pub trait Editions {
    /// The record whose id is `id` (a canonical code with year), padding-insensitive.
    fn get(&self, id: &str) -> Result<Option<Standard>, IndexError>;
    /// The edition chain of `code` on `on` (`None` when nothing of the number is known).
    fn chain(&self, code: &StandardCode, on: NaiveDate)
        -> Result<Option<EditionChain>, IndexError>;
}

/// Status of a cited standard on the check date; `Unknown` when the index does not hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckStatus {
    /// 现行.
    Current,
    /// 即将实施.
    Upcoming,
    /// 被代替.
    Replaced,
    /// 废止.
    Abolished,
    /// Not in the index, or in it without status or dates.
    Unknown,
}

impl CheckStatus {
    /// Every status, in the order summaries list them.
    pub const ALL: [CheckStatus; 5] = [
        CheckStatus::Current,
        CheckStatus::Upcoming,
        CheckStatus::Replaced,
        CheckStatus::Abolished,
        CheckStatus::Unknown,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckStatus::Current => "current",
            CheckStatus::Upcoming => "upcoming",
            CheckStatus::Replaced => "replaced",
            CheckStatus::Abolished => "abolished",
            CheckStatus::Unknown => "unknown",
        }
    }

    /// Label shown in the page, the CSV and the XLSX.
    pub fn label_zh(self) -> &'static str {
        match self {
            CheckStatus::Current => "现行",
            CheckStatus::Upcoming => "即将实施",
            CheckStatus::Replaced => "被代替",
            CheckStatus::Abolished => "废止",
            CheckStatus::Unknown => "未收录",
        }
    }

    fn from_status(s: Option<Status>) -> CheckStatus {
        match s {
            Some(Status::Current) => CheckStatus::Current,
            Some(Status::Upcoming) => CheckStatus::Upcoming,
            Some(Status::Replaced) => CheckStatus::Replaced,
            Some(Status::Abolished) => CheckStatus::Abolished,
            None => CheckStatus::Unknown,
        }
    }
}

/// The edition in force a citation leads to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Successor {
    /// Its id (canonical code).
    pub id: String,
    /// Whether the index holds it (false: known only from a replaced-by link).
    pub in_index: bool,
    /// Its Chinese title, when held.
    pub title_zh: Option<String>,
}

/// What a citation resolved to.
///
/// For a cited edition that is not yet in force (`Upcoming`), `current` is the edition it
/// replaces when that one is in force on the date (the chain then reads cited → in force),
/// else the cited edition itself.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolution {
    /// The record cited: the exact edition for a dated citation, the edition in force (else the
    /// newest) for an undated one; `None` when the index holds neither.
    pub record: Option<Standard>,
    /// Status of `record` on the date.
    pub status: CheckStatus,
    /// The edition in force on the date; `None` when abolished without successor or unknown.
    pub current: Option<Successor>,
    /// Ids from the cited edition to the edition in force (just the cited one when current).
    pub chain: Vec<String>,
}

impl Resolution {
    /// Whether the citation should be updated: the standard is replaced or abolished, or a
    /// dated citation the index does not hold has a newer edition in force.
    pub fn out_of_date(&self) -> bool {
        match self.status {
            CheckStatus::Replaced | CheckStatus::Abolished => true,
            CheckStatus::Unknown => self.chain.len() > 1,
            CheckStatus::Current | CheckStatus::Upcoming => false,
        }
    }
}

/// Resolves `code` on `on`; see the module documentation.
pub fn resolve(
    source: &dyn Editions,
    code: &StandardCode,
    on: NaiveDate,
) -> Result<Resolution, IndexError> {
    let Some((chain, cited)) = cited_chain(source, code, on)? else {
        return Ok(unknown(Vec::new(), None));
    };
    // The edition the citation names: the exact one, or for an undated citation the edition
    // in force (else the newest one held).
    let cited = match cited {
        Some(id) => chain.get(&id),
        None if code.year().is_none() => chain.best(),
        None => None,
    };
    let Some(start) = cited.filter(|e| e.in_index) else {
        // A dated edition the index does not hold: which edition of the number is in force,
        // when a newer one is.
        let year = code.year().unwrap_or(0);
        let newer = chain
            .in_force
            .iter()
            .filter_map(|id| chain.get(id))
            .find(|e| e.code.year().is_some_and(|y| y > year));
        return Ok(match (code.year(), newer) {
            (Some(_), Some(e)) => unknown(vec![code.to_string(), e.id.clone()], Some(successor(e))),
            _ => unknown(Vec::new(), None),
        });
    };
    let record = source.get(&start.id)?;
    let status = CheckStatus::from_status(start.status);
    let mut path = vec![start.id.clone()];
    let current = match start.status {
        Some(Status::Current) => Some(successor(start)),
        Some(Status::Upcoming) => {
            // Not in force yet: the edition it replaces, when that one is in force.
            match start
                .replaces
                .iter()
                .filter_map(|l| chain.get(&l.id))
                .find(|e| e.status == Some(Status::Current))
            {
                Some(e) => {
                    path.push(e.id.clone());
                    Some(successor(e))
                }
                None => Some(successor(start)),
            }
        }
        Some(Status::Replaced) => match path_to_force(&chain, start) {
            Some(p) => {
                let last = p.last().and_then(|id| chain.get(id)).map(successor);
                path = p;
                last
            }
            None => {
                // No edition in force at the end (a link cycle in a bad catalog, a successor
                // abolished since): still say what replaced it, newest first.
                if let Some(next) = start
                    .replaced_by
                    .iter()
                    .filter_map(|l| chain.get(&l.id))
                    .max_by_key(|e| e.code.year())
                {
                    path.push(next.id.clone());
                }
                None
            }
        },
        Some(Status::Abolished) | None => None,
    };
    Ok(Resolution {
        record,
        status,
        current,
        chain: path,
    })
}

/// The chain for `code` and the id of the edition it names in it: the code itself, else (a
/// dated citation the index knows only under the other prefix) its GB ↔ GB/T twin.
fn cited_chain(
    source: &dyn Editions,
    code: &StandardCode,
    on: NaiveDate,
) -> Result<Option<(EditionChain, Option<String>)>, IndexError> {
    let chain = source.chain(code, on)?;
    if let Some(c) = &chain {
        if let Some(id) = c.edition.clone() {
            return Ok(Some((c.clone(), Some(id))));
        }
    }
    if code.year().is_some() {
        if let Some(alias) = code.alias() {
            if let Some(c) = source.chain(&alias, on)? {
                if let Some(id) = c.edition.clone() {
                    return Ok(Some((c, Some(id))));
                }
            }
        }
    }
    Ok(chain.map(|c| (c, None)))
}

/// The shortest path of replaced-by links from `start` (replaced) to an edition in force,
/// through replaced editions only; `None` when none is in force (an abolished end, or a
/// successor not in force yet).
fn path_to_force(chain: &EditionChain, start: &Edition) -> Option<Vec<String>> {
    let mut prev: HashMap<&str, &str> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(e) = queue.pop_front() {
        if e.in_force && e.id != start.id {
            let mut path = vec![e.id.clone()];
            let mut at = e.id.as_str();
            while let Some(p) = prev.get(at) {
                path.push((*p).to_string());
                at = p;
            }
            path.reverse();
            path.truncate(MAX_CHAIN);
            return Some(path);
        }
        if e.id != start.id && e.status != Some(Status::Replaced) {
            continue;
        }
        for link in &e.replaced_by {
            let Some(next) = chain.get(&link.id) else {
                continue;
            };
            if next.id == start.id || prev.contains_key(next.id.as_str()) {
                continue;
            }
            prev.insert(&next.id, &e.id);
            queue.push_back(next);
        }
    }
    None
}

fn unknown(chain: Vec<String>, current: Option<Successor>) -> Resolution {
    Resolution {
        record: None,
        status: CheckStatus::Unknown,
        current,
        chain,
    }
}

fn successor(e: &Edition) -> Successor {
    Successor {
        id: e.id.clone(),
        in_index: e.in_index,
        title_zh: e.title_zh.clone(),
    }
}

/// [`Editions`] on the index: records by id, chains from its edition table.
pub struct IndexEditions<'a>(pub &'a Index);

impl Editions for IndexEditions<'_> {
    fn get(&self, id: &str) -> Result<Option<Standard>, IndexError> {
        // Padding-insensitive: a citation of `YY 505-2012` is the record `YY 0505-2012`.
        match StandardCode::parse(id) {
            Ok(code) => self.0.find_standard(&code),
            Err(_) => self.0.get_standard(id),
        }
    }

    fn chain(
        &self,
        code: &StandardCode,
        on: NaiveDate,
    ) -> Result<Option<EditionChain>, IndexError> {
        self.0.edition_chain(code, on)
    }
}

/// Memoises another source for the length of one check.
pub struct Memo<'a> {
    inner: &'a dyn Editions,
    records: RefCell<HashMap<String, Option<Standard>>>,
    chains: RefCell<HashMap<(String, NaiveDate), Option<EditionChain>>>,
}

impl<'a> Memo<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a dyn Editions) -> Memo<'a> {
        Memo {
            inner,
            records: RefCell::default(),
            chains: RefCell::default(),
        }
    }
}

impl Editions for Memo<'_> {
    fn get(&self, id: &str) -> Result<Option<Standard>, IndexError> {
        if let Some(s) = self.records.borrow().get(id) {
            return Ok(s.clone());
        }
        let s = self.inner.get(id)?;
        self.records.borrow_mut().insert(id.to_string(), s.clone());
        Ok(s)
    }

    fn chain(
        &self,
        code: &StandardCode,
        on: NaiveDate,
    ) -> Result<Option<EditionChain>, IndexError> {
        let key = (code.to_string(), on);
        if let Some(c) = self.chains.borrow().get(&key) {
            return Ok(c.clone());
        }
        let c = self.inner.chain(code, on)?;
        self.chains.borrow_mut().insert(key, c.clone());
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> StandardCode {
        StandardCode::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    /// `(code, status label, implement, abolish, replaced_by)`.
    type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [&'a str]);

    /// An index holding the rows' records (the resolver reads chains from the index's edition
    /// table, as in production).
    struct Map {
        _dir: tempfile::TempDir,
        index: Index,
    }

    impl Map {
        /// Records from rows; `replaces` is filled from the `replaced_by` links.
        fn new(rows: &[Row]) -> Map {
            let mut records: Vec<Standard> = rows
                .iter()
                .map(|(c, status, implement, abolish, by)| {
                    let mut s = Standard::new(code(c));
                    s.status = Status::parse(status);
                    s.implement_date = (!implement.is_empty()).then(|| date(implement));
                    s.abolish_date = (!abolish.is_empty()).then(|| date(abolish));
                    s.replaced_by = by.iter().map(|b| code(b)).collect();
                    s
                })
                .collect();
            let links: Vec<(StandardCode, StandardCode)> = records
                .iter()
                .flat_map(|s| s.replaced_by.iter().map(|b| (s.code.clone(), b.clone())))
                .collect();
            for (old, new) in links {
                if let Some(n) = records.iter_mut().find(|r| r.code == new) {
                    n.replaces.push(old);
                }
            }
            let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
            let config =
                std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../index-config");
            let index =
                Index::open_or_create(dir.path(), &config).unwrap_or_else(|e| panic!("{e}"));
            index
                .upsert(
                    records
                        .into_iter()
                        .map(biaozhun_model::Record::Standard)
                        .collect(),
                )
                .unwrap_or_else(|e| panic!("{e}"));
            index.commit_writes().unwrap_or_else(|e| panic!("{e}"));
            Map { _dir: dir, index }
        }
    }

    /// One case: cited code, date, expected status, edition in force (and whether held), chain.
    fn check(
        map: &Map,
        cited: &str,
        on: &str,
        status: &str,
        current: Option<(&str, bool)>,
        chain: &[&str],
    ) {
        let source = IndexEditions(&map.index);
        let r =
            resolve(&Memo::new(&source), &code(cited), date(on)).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.status.as_str(), status, "{cited} on {on}: status");
        assert_eq!(
            r.current.as_ref().map(|c| (c.id.as_str(), c.in_index)),
            current,
            "{cited} on {on}: current edition"
        );
        assert_eq!(r.chain, chain, "{cited} on {on}: chain");
    }

    #[test]
    fn every_status_class_and_successor_kind() {
        let map = Map::new(&[
            // Editions of one number with links.
            (
                "GB 2763-2016",
                "被代替",
                "2017-06-18",
                "2020-02-15",
                &["GB 2763-2019"],
            ),
            (
                "GB 2763-2019",
                "被代替",
                "2020-02-15",
                "2021-09-03",
                &["GB 2763-2021"],
            ),
            ("GB 2763-2021", "现行", "2021-09-03", "", &[]),
            // Renumbered: the successor has another number, and is not in the index.
            (
                "GB/T 1000-2000",
                "被代替",
                "2000-01-01",
                "2010-01-01",
                &["GB/T 2000-2010"],
            ),
            // Merged: two standards replaced by one.
            (
                "GB 4789.1-2010",
                "被代替",
                "2010-06-01",
                "2016-12-23",
                &["GB 4789.99-2016"],
            ),
            (
                "GB 4789.2-2010",
                "被代替",
                "2010-06-01",
                "2016-12-23",
                &["GB 4789.99-2016"],
            ),
            ("GB 4789.99-2016", "现行", "2016-12-23", "", &[]),
            // Abolished without successor; upcoming.
            ("GB/T 3000-2001", "废止", "2001-01-01", "2015-01-01", &[]),
            ("GB/T 4000-2025", "即将实施", "2026-03-01", "", &[]),
            ("GB 7718-2011", "现行", "2012-04-20", "", &["GB 7718-2025"]),
            ("GB 7718-2025", "即将实施", "2027-03-16", "", &[]),
            // Replaced with no link: a newer edition of the same number is in force.
            ("HG/T 5000-2000", "被代替", "", "", &[]),
            ("HG/T 5000-2020", "现行", "", "", &[]),
            // The successor is known only from the replaced-by link (its year says when it
            // can be in force: from 2026 on, by the one lifecycle rule).
            (
                "GB/T 22080-2016",
                "被代替",
                "2017-03-01",
                "",
                &["GB/T 22080-2025"],
            ),
            // A link cycle in a bad catalog ends the walk.
            ("NY/T 6000-2001", "被代替", "", "", &["NY/T 6000-2002"]),
            ("NY/T 6000-2002", "被代替", "", "", &["NY/T 6000-2001"]),
        ]);
        let on = "2024-06-01";
        check(
            &map,
            "GB 2763-2021",
            on,
            "current",
            Some(("GB 2763-2021", true)),
            &["GB 2763-2021"],
        );
        check(
            &map,
            "GB 2763-2016",
            on,
            "replaced",
            Some(("GB 2763-2021", true)),
            &["GB 2763-2016", "GB 2763-2019", "GB 2763-2021"],
        );
        // Undated: the edition in force on the date.
        check(
            &map,
            "GB 2763",
            on,
            "current",
            Some(("GB 2763-2021", true)),
            &["GB 2763-2021"],
        );
        check(
            &map,
            "GB/T 1000-2000",
            on,
            "replaced",
            Some(("GB/T 2000-2010", false)),
            &["GB/T 1000-2000", "GB/T 2000-2010"],
        );
        for merged in ["GB 4789.1-2010", "GB 4789.2-2010"] {
            check(
                &map,
                merged,
                on,
                "replaced",
                Some(("GB 4789.99-2016", true)),
                &[merged, "GB 4789.99-2016"],
            );
        }
        check(
            &map,
            "GB/T 3000-2001",
            on,
            "abolished",
            None,
            &["GB/T 3000-2001"],
        );
        check(
            &map,
            "GB/T 4000-2025",
            on,
            "upcoming",
            Some(("GB/T 4000-2025", true)),
            &["GB/T 4000-2025"],
        );
        check(
            &map,
            "GB 7718-2025",
            on,
            "upcoming",
            Some(("GB 7718-2011", true)),
            &["GB 7718-2025", "GB 7718-2011"],
        );
        check(
            &map,
            "HG/T 5000-2000",
            on,
            "replaced",
            Some(("HG/T 5000-2020", true)),
            &["HG/T 5000-2000", "HG/T 5000-2020"],
        );
        check(
            &map,
            "NY/T 6000-2001",
            on,
            "replaced",
            None,
            &["NY/T 6000-2001", "NY/T 6000-2002"],
        );
        // A successor known only by its number: not in force in 2024, in force in 2026.
        check(
            &map,
            "GB/T 22080-2016",
            on,
            "current",
            Some(("GB/T 22080-2016", true)),
            &["GB/T 22080-2016"],
        );
        check(
            &map,
            "GB/T 22080-2016",
            "2026-06-01",
            "replaced",
            Some(("GB/T 22080-2025", false)),
            &["GB/T 22080-2016", "GB/T 22080-2025"],
        );
        // Not in the index at all; a dated edition not held while a newer one is in force.
        check(&map, "GB/T 9999-2019", on, "unknown", None, &[]);
        check(
            &map,
            "GB 2763-2014",
            on,
            "unknown",
            Some(("GB 2763-2021", true)),
            &["GB 2763-2014", "GB 2763-2021"],
        );
        // The GB ↔ GB/T twin: a mandatory standard cited with its later recommended prefix.
        check(
            &map,
            "GB/T 2763-2021",
            on,
            "current",
            Some(("GB 2763-2021", true)),
            &["GB 2763-2021"],
        );
    }
}
