//! What a cited number stands for on a date: the record cited, its status, and the edition in
//! force reached by following replaced-by links (new editions, renumberings, mergers).
//!
//! The rule is written against the small [`Editions`] boundary (one record by id, every edition
//! of a number), so it is table-tested on records in memory and runs on the index through
//! [`IndexEditions`]. Lookups are memoised per check ([`Memo`]): a document citing one standard
//! twenty times costs one read.

use std::cell::RefCell;
use std::collections::HashMap;

use biaozhun_index::search::SearchRequest;
use biaozhun_index::{Index, IndexError};
use biaozhun_model::{Standard, StandardCode, Status};
use chrono::NaiveDate;

/// Longest replaced-by chain followed (guards against link cycles in catalogs).
pub const MAX_CHAIN: usize = 16;
/// Editions of one number considered.
const MAX_EDITIONS: usize = 100;

/// Where records come from: the index, or a map in tests.
pub trait Editions {
    /// The record whose id is `id` (a canonical code with year).
    fn get(&self, id: &str) -> Result<Option<Standard>, IndexError>;
    /// Every edition of `code`'s number known (any year, any order).
    fn editions(&self, code: &StandardCode) -> Result<Vec<Standard>, IndexError>;
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
    let record = if code.year().is_some() {
        match source.get(&code.to_string())? {
            Some(s) => Some(s),
            None => match code.alias() {
                Some(a) => source.get(&a.to_string())?,
                None => None,
            },
        }
    } else {
        in_force(&all_editions(source, code)?, on)
    };
    let Some(start) = record else {
        // A dated edition the index does not hold: say which edition of the number is in
        // force, when a newer one is.
        let mut chain = Vec::new();
        let mut current = None;
        if let Some(year) = code.year() {
            let editions = all_editions(source, code)?;
            if let Some(s) = in_force(&editions, on)
                .filter(|s| s.code.year().is_some_and(|y| y > year) && is_current(s, on))
            {
                chain = vec![code.to_string(), s.id()];
                current = Some(successor(&s));
            }
        }
        return Ok(Resolution {
            record: None,
            status: CheckStatus::Unknown,
            current,
            chain,
        });
    };
    let status = CheckStatus::from_status(start.status_on(on));
    let mut chain = vec![start.id()];
    let current = match status {
        CheckStatus::Current => Some(successor(&start)),
        CheckStatus::Upcoming => {
            // Not in force yet: the edition it replaces, when that one is in force.
            let mut before = None;
            for code in &start.replaces {
                if let Some(s) = source.get(&code.to_string())?.filter(|s| is_current(s, on)) {
                    before = Some(s);
                    break;
                }
            }
            match before {
                Some(s) => {
                    chain.push(s.id());
                    Some(successor(&s))
                }
                None => Some(successor(&start)),
            }
        }
        CheckStatus::Unknown => None,
        CheckStatus::Replaced | CheckStatus::Abolished => {
            follow(source, start.clone(), on, &mut chain)?
        }
    };
    Ok(Resolution {
        record: Some(start),
        status,
        current,
        chain,
    })
}

/// Follows replaced-by links (or, without links, a newer edition of the same number in force)
/// from a record that is no longer in force.
fn follow(
    source: &dyn Editions,
    mut cur: Standard,
    on: NaiveDate,
    chain: &mut Vec<String>,
) -> Result<Option<Successor>, IndexError> {
    while chain.len() <= MAX_CHAIN {
        if matches!(cur.status_on(on), Some(Status::Current | Status::Upcoming)) {
            return Ok(Some(successor(&cur)));
        }
        let mut next: Option<Standard> = None;
        let mut unheld: Option<&StandardCode> = None;
        for code in &cur.replaced_by {
            let found = if code.year().is_some() {
                match source.get(&code.to_string())? {
                    Some(s) => Some(s),
                    None => match code.alias() {
                        Some(a) => source.get(&a.to_string())?,
                        None => None,
                    },
                }
            } else {
                in_force(&all_editions(source, code)?, on)
            };
            match found {
                // Several successors (a split): the first one in force wins.
                Some(s) if next.as_ref().is_none_or(|n| !is_current(n, on)) => next = Some(s),
                Some(_) => {}
                None => {
                    if unheld.is_none() {
                        unheld = Some(code);
                    }
                }
            }
        }
        if next.is_none() && unheld.is_none() {
            // No link: a newer edition of the same number in force.
            let year = cur.code.year().unwrap_or(0);
            next = in_force(&all_editions(source, &cur.code)?, on)
                .filter(|s| s.code.year().unwrap_or(0) > year && is_current(s, on));
        }
        match (next, unheld) {
            (Some(s), _) => {
                if chain.contains(&s.id()) {
                    return Ok(None);
                }
                chain.push(s.id());
                cur = s;
            }
            (None, Some(code)) => {
                chain.push(code.to_string());
                return Ok(Some(Successor {
                    id: code.to_string(),
                    in_index: false,
                    title_zh: None,
                }));
            }
            (None, None) => return Ok(None),
        }
    }
    Ok(None)
}

fn successor(s: &Standard) -> Successor {
    Successor {
        id: s.id(),
        in_index: true,
        title_zh: s.title_zh.clone(),
    }
}

fn is_current(s: &Standard, on: NaiveDate) -> bool {
    s.status_on(on) == Some(Status::Current)
}

/// Editions of the number and of its GB ↔ GB/T twin.
fn all_editions(source: &dyn Editions, code: &StandardCode) -> Result<Vec<Standard>, IndexError> {
    let mut out = source.editions(code)?;
    if let Some(alias) = code.alias() {
        for s in source.editions(&alias)? {
            if !out.iter().any(|o| o.code == s.code) {
                out.push(s);
            }
        }
    }
    Ok(out)
}

/// The edition in force on `on`; else one about to be; else the newest.
fn in_force(editions: &[Standard], on: NaiveDate) -> Option<Standard> {
    let rank = |s: &Standard| match s.status_on(on) {
        Some(Status::Current) => 3,
        Some(Status::Upcoming) => 2,
        None => 1,
        _ => 0,
    };
    editions
        .iter()
        .max_by_key(|s| (rank(s), s.code.year().unwrap_or(0)))
        .cloned()
}

/// [`Editions`] on the index: records by id, editions by a search on the number.
pub struct IndexEditions<'a>(pub &'a Index);

impl Editions for IndexEditions<'_> {
    fn get(&self, id: &str) -> Result<Option<Standard>, IndexError> {
        // Padding-insensitive: a citation of `YY 505-2012` is the record `YY 0505-2012`.
        match StandardCode::parse(id) {
            Ok(code) => self.0.find_standard(&code),
            Err(_) => self.0.get_standard(id),
        }
    }

    fn editions(&self, code: &StandardCode) -> Result<Vec<Standard>, IndexError> {
        let res = self.0.search(&SearchRequest {
            q: code.key(),
            kind: Some("standard".into()),
            limit: MAX_EDITIONS,
            facets: Some(Vec::new()),
            ..SearchRequest::default()
        })?;
        let mut out = Vec::new();
        for hit in res.hits {
            let same = StandardCode::parse(&hit.id).is_ok_and(|c| c.same_standard(code));
            if same {
                if let Some(s) = self.0.get_standard(&hit.id)? {
                    out.push(s);
                }
            }
        }
        Ok(out)
    }
}

/// Memoises another source for the length of one check.
pub struct Memo<'a> {
    inner: &'a dyn Editions,
    records: RefCell<HashMap<String, Option<Standard>>>,
    editions: RefCell<HashMap<String, Vec<Standard>>>,
}

impl<'a> Memo<'a> {
    /// Wraps `inner`.
    pub fn new(inner: &'a dyn Editions) -> Memo<'a> {
        Memo {
            inner,
            records: RefCell::default(),
            editions: RefCell::default(),
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

    fn editions(&self, code: &StandardCode) -> Result<Vec<Standard>, IndexError> {
        let key = code.key();
        if let Some(v) = self.editions.borrow().get(&key) {
            return Ok(v.clone());
        }
        let v = self.inner.editions(code)?;
        self.editions.borrow_mut().insert(key, v.clone());
        Ok(v)
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

    struct Map(Vec<Standard>);

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
            Map(records)
        }
    }

    impl Editions for Map {
        fn get(&self, id: &str) -> Result<Option<Standard>, IndexError> {
            Ok(self.0.iter().find(|s| s.id() == id).cloned())
        }
        fn editions(&self, c: &StandardCode) -> Result<Vec<Standard>, IndexError> {
            Ok(self
                .0
                .iter()
                .filter(|s| s.code.same_standard(c))
                .cloned()
                .collect())
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
        let r = resolve(map, &code(cited), date(on)).unwrap_or_else(|e| panic!("{e}"));
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
