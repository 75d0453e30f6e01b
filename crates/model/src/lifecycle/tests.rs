//! The table test of the life-cycle rules: one row per case the README names (links on either
//! side, merged predecessors, split successors, renumbering, missing dates, contradicting
//! catalogs), each checked on several dates, on both date types.

use super::*;
use std::collections::BTreeMap;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
}

fn code(s: &str) -> StandardCode {
    StandardCode::parse(s).expect("test code")
}

/// An edition written compactly: `code | label | issue | implement | abolish | replaces | by`,
/// `-` for nothing, several codes separated by `,`.
fn node(spec: &str) -> EditionNode<NaiveDate> {
    let f: Vec<&str> = spec.split('|').map(str::trim).collect();
    assert_eq!(f.len(), 7, "{spec}");
    let date = |s: &str| (s != "-").then(|| d(s));
    let codes = |s: &str| {
        if s == "-" {
            Vec::new()
        } else {
            s.split(',').map(|c| code(c.trim())).collect()
        }
    };
    let c = code(f[0]);
    EditionNode {
        facts: EditionFacts {
            year: c.year(),
            stated: (f[1] != "-").then(|| Status::parse(f[1]).expect("test label")),
            issue: date(f[2]),
            implement: date(f[3]),
            abolish: date(f[4]),
        },
        code: c,
        replaces: codes(f[5]),
        replaced_by: codes(f[6]),
    }
}

/// The same node over `yyyymmdd` integers, as the index evaluates it.
fn as_num(n: &EditionNode<NaiveDate>) -> EditionNode<i64> {
    let num = |x: Option<NaiveDate>| {
        x.map(|x| i64::from(x.year()) * 10_000 + i64::from(x.month()) * 100 + i64::from(x.day()))
    };
    EditionNode {
        code: n.code.clone(),
        facts: EditionFacts {
            year: n.facts.year,
            stated: n.facts.stated,
            issue: num(n.facts.issue),
            implement: num(n.facts.implement),
            abolish: num(n.facts.abolish),
        },
        replaces: n.replaces.clone(),
        replaced_by: n.replaced_by.clone(),
    }
}

/// Checks `expect` rows `(code, date, status, basis, disagrees)` against the graph of `nodes`,
/// on both date types, and that at most one edition of each number is current on each date.
fn check(nodes: &[&str], expect: &[(&str, &str, Option<Status>, Basis, bool)]) {
    let nodes: Vec<EditionNode<NaiveDate>> = nodes.iter().map(|s| node(s)).collect();
    let g = EditionGraph::build(nodes.clone());
    let gn = EditionGraph::build(nodes.iter().map(as_num).collect());
    for &(c, on, status, basis, disagrees) in expect {
        let i = g.find(&code(c)).unwrap_or_else(|| panic!("{c} in graph"));
        let v = g.verdict(i, d(on));
        assert_eq!(
            (v.status, v.basis, v.disagrees),
            (status, basis, disagrees),
            "{c} on {on}"
        );
        let n = d(on);
        let num = i64::from(n.year()) * 10_000 + i64::from(n.month()) * 100 + i64::from(n.day());
        assert_eq!(gn.verdict(i, num), v, "{c} on {on} as yyyymmdd");
    }
    for year in 1980..2032 {
        let on = d(&format!("{year}-07-01"));
        let mut current: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for (i, n) in g.nodes().iter().enumerate() {
            if g.verdict(i, on).status == Some(Status::Current) {
                current
                    .entry(edition_key(&n.code))
                    .or_default()
                    .push(n.code.to_string());
            }
        }
        for (key, eds) in current {
            assert!(eds.len() <= 1, "{key} on {on}: {eds:?} all current");
        }
    }
}

use Basis::{Derived, Inferred, Stated};
const CUR: Option<Status> = Some(Status::Current);
const UP: Option<Status> = Some(Status::Upcoming);
const REP: Option<Status> = Some(Status::Replaced);
const ABO: Option<Status> = Some(Status::Abolished);

#[test]
fn dates_decide() {
    check(
        &["GB/T 7714-2015 | 现行 | 2015-05-15 | 2015-12-01 | - | - | -"],
        &[
            ("GB/T 7714-2015", "2015-01-01", UP, Derived, false),
            ("GB/T 7714-2015", "2015-06-01", UP, Derived, false),
            ("GB/T 7714-2015", "2015-12-01", CUR, Derived, false),
            ("GB/T 7714-2015", "2024-01-01", CUR, Derived, false),
        ],
    );
    check(
        &["GB 1-2000 | - | 2000-01-01 | 2000-06-01 | 2010-01-01 | - | -"],
        &[
            ("GB 1-2000", "2009-12-31", CUR, Derived, false),
            ("GB 1-2000", "2010-01-01", ABO, Derived, false),
        ],
    );
}

/// The link stated only by the new edition (a cover's 代替 line) replaces the old one, whose
/// stale catalog label says 现行: the derived status wins and says the sources disagree.
#[test]
fn link_stated_by_the_successor_only() {
    check(
        &[
            "GB/T 7714-2005 | 现行 | 2005-03-23 | 2005-10-01 | - | - | -",
            "GB/T 7714-2015 | 现行 | 2015-05-15 | 2015-12-01 | - | GB/T 7714-2005 | -",
        ],
        &[
            ("GB/T 7714-2005", "2010-01-01", CUR, Derived, false),
            ("GB/T 7714-2005", "2015-06-01", CUR, Derived, false),
            ("GB/T 7714-2005", "2015-12-01", REP, Derived, true),
            ("GB/T 7714-2015", "2015-12-01", CUR, Derived, false),
        ],
    );
}

/// `GB 18613-2012` says `replaced_by: GB 18613-2020` in its own record; the 2020 record says
/// nothing about 2012.
#[test]
fn link_stated_by_the_predecessor_only() {
    check(
        &[
            "GB 18613-2012 | 现行 | 2012-05-11 | 2012-09-01 | - | - | GB 18613-2020",
            "GB 18613-2020 | 现行 | 2020-05-29 | 2021-06-01 | - | - | -",
        ],
        &[
            ("GB 18613-2012", "2021-05-31", CUR, Derived, false),
            ("GB 18613-2012", "2021-06-01", REP, Derived, true),
            ("GB 18613-2020", "2021-01-01", UP, Derived, false),
        ],
    );
}

/// No source links two editions of one number: the later one in force still replaces the
/// earlier, and says the link is inferred. GB → GB/T counts as the same number.
#[test]
fn edition_order_replaces_without_a_link() {
    check(
        &[
            "GB 7714-1987 | - | 1987-05-05 | 1988-01-01 | - | - | -",
            "GB/T 7714-2005 | - | 2005-03-23 | 2005-10-01 | - | - | -",
            "GB/T 7714-2015 | - | 2015-05-15 | 2015-12-01 | - | - | -",
        ],
        &[
            ("GB 7714-1987", "2000-01-01", CUR, Derived, false),
            ("GB 7714-1987", "2006-01-01", REP, Inferred, false),
            ("GB/T 7714-2005", "2016-01-01", REP, Inferred, false),
            ("GB/T 7714-2015", "2016-01-01", CUR, Derived, false),
        ],
    );
}

/// One new standard replacing two (merged predecessors), and one old standard replaced by
/// parts (split successors): every link is kept, and the old one is replaced when its first
/// part comes into force.
#[test]
fn merged_predecessors_and_split_successors() {
    let nodes = [
        "HJ 1-2000 | 现行 | 2000-01-01 | 2000-03-01 | - | - | -",
        "HJ 2-2001 | - | 2001-01-01 | 2001-03-01 | - | - | -",
        "HJ 3-2020 | - | 2020-01-01 | 2020-07-01 | - | HJ 1-2000, HJ 2-2001 | -",
        "GB 100-2000 | - | 2000-01-01 | 2000-06-01 | - | - | GB 100.1-2018, GB 100.2-2019",
        "GB 100.1-2018 | - | 2018-01-01 | 2018-07-01 | - | - | -",
        "GB 100.2-2019 | - | 2019-01-01 | 2019-07-01 | - | - | -",
    ];
    check(
        &nodes,
        &[
            ("HJ 1-2000", "2020-06-30", CUR, Derived, false),
            ("HJ 1-2000", "2020-07-01", REP, Derived, true),
            ("HJ 2-2001", "2020-07-01", REP, Derived, false),
            ("HJ 3-2020", "2020-07-01", CUR, Derived, false),
            ("GB 100-2000", "2018-06-30", CUR, Derived, false),
            ("GB 100-2000", "2018-07-01", REP, Derived, false),
        ],
    );
    let g = EditionGraph::build(nodes.iter().map(|s| node(s)).collect());
    let old = g.find(&code("GB 100-2000")).expect("old");
    let ids = |v: Vec<usize>| -> Vec<String> {
        v.into_iter()
            .map(|i| g.nodes()[i].code.to_string())
            .collect()
    };
    assert_eq!(
        ids(g.in_force_from(old, d("2018-08-01"))),
        ["GB 100.1-2018"]
    );
    assert_eq!(
        ids(g.in_force_from(old, d("2020-01-01"))),
        ["GB 100.2-2019", "GB 100.1-2018"]
    );
    assert_eq!(ids(g.in_force_from(old, d("2010-01-01"))), ["GB 100-2000"]);
    let new = g.find(&code("HJ 3-2020")).expect("new");
    let mut preds: Vec<String> = g
        .predecessors(new)
        .map(|(i, _)| g.nodes()[i].code.to_string())
        .collect();
    preds.sort();
    assert_eq!(preds, ["HJ 1-2000", "HJ 2-2001"]);
    assert_eq!(g.component(new).len(), 3);
}

/// A renumbering (the successor has another number) is a stated link like any other; the
/// successor is found by following it even when the index does not hold it.
#[test]
fn renumbering_and_successors_outside_the_set() {
    let nodes = [
        "GBJ 16-1987 | - | 1987-01-01 | 1988-01-01 | - | - | GB 50016-2006",
        "GB 50016-2006 | - | 2006-07-12 | 2006-12-01 | - | GBJ 16-1987 | -",
        "GB 3100-1993 | 现行 | 1993-12-27 | 1994-07-01 | - | - | GB/T 3101-2030",
    ];
    check(
        &nodes,
        &[
            ("GBJ 16-1987", "2006-12-01", REP, Derived, false),
            // The successor is not in the set: its year says when it comes into force.
            ("GB 3100-1993", "2030-06-01", CUR, Inferred, false),
            ("GB 3100-1993", "2031-01-01", REP, Inferred, true),
        ],
    );
    let g = EditionGraph::build(nodes.iter().map(|s| node(s)).collect());
    let i = g.find(&code("GBJ 16-1987")).expect("old");
    let to: Vec<String> = g
        .in_force_from(i, d("2020-01-01"))
        .into_iter()
        .map(|j| g.nodes()[j].code.to_string())
        .collect();
    assert_eq!(to, ["GB 50016-2006"]);
    let out = g.find(&code("GB/T 3101-2030")).expect("named by a link");
    assert!(!g.is_known(out));
}

/// `build_traced` names, for every node only named by links, the first link (of the first
/// record of a code) that named it: the inputs' own links, `replaces` before `replaced_by`.
#[test]
fn nodes_named_by_links_are_traced_to_their_first_link() {
    let specs = [
        "GB 1-2000 | - | - | - | - | GB 1-1990, GB 1-1980 | GB 1-2010",
        // A second record of GB 1-2000: its links are not the graph's (the first record wins).
        "GB 1-2000 | - | - | - | - | GB 9-1999 | -",
        "GB 2-2001 | - | - | - | - | GB 1-1990, GB 2-1991 | GB 3-2020",
        "GB 3-2020 | - | - | - | - | GB 2-2001 | -",
    ];
    let nodes: Vec<EditionNode<NaiveDate>> = specs.iter().map(|s| node(s)).collect();
    let (g, input_node, named_by) = EditionGraph::build_traced(nodes.clone());
    assert_eq!(input_node, [0, 0, 1, 2]);
    let given = 3;
    assert_eq!(g.nodes().len() - given, named_by.len());
    let link = |(input, k): (usize, usize)| {
        let n = &nodes[input];
        n.replaces
            .iter()
            .chain(&n.replaced_by)
            .nth(k)
            .map(ToString::to_string)
    };
    let named: Vec<Option<String>> = named_by.iter().map(|&t| link(t)).collect();
    let want: Vec<Option<String>> = g.nodes()[given..]
        .iter()
        .map(|n| Some(n.code.to_string()))
        .collect();
    assert_eq!(named, want);
    assert_eq!(
        named_by,
        [(0, 0), (0, 1), (0, 2), (2, 1)],
        "GB 1-1990, GB 1-1980, GB 1-2010, then GB 2-1991"
    );
    assert!(g.find(&code("GB 9-1999")).is_none());
}

/// Records without dates (a PDF alone): edition years and neighbours decide, and say so.
#[test]
fn missing_dates() {
    check(
        &[
            "GB/T 14833-1993 | - | - | - | - | - | -",
            "GB/T 14833-2011 | - | - | - | - | - | -",
            "GB/T 14833-2020 | 现行 | - | - | - | GB/T 14833-2011 | -",
        ],
        &[
            ("GB/T 14833-1993", "2000-01-01", CUR, Inferred, false),
            ("GB/T 14833-1993", "2012-01-01", REP, Inferred, false),
            ("GB/T 14833-2011", "2011-06-01", UP, Inferred, false),
            ("GB/T 14833-2011", "2021-01-01", REP, Inferred, false),
            ("GB/T 14833-2020", "2019-06-01", UP, Inferred, false),
            ("GB/T 14833-2020", "2021-01-01", CUR, Stated, false),
        ],
    );
    // Only a label, no year, no date: the label is all there is.
    check(
        &[
            "Q/ABC 1 | 现行 | - | - | - | - | -",
            "Q/ABC 2 | 废止 | - | - | - | - | -",
            "Q/ABC 3 | - | - | - | - | - | -",
        ],
        &[
            ("Q/ABC 1", "2020-01-01", CUR, Stated, false),
            ("Q/ABC 2", "2020-01-01", ABO, Stated, false),
            ("Q/ABC 3", "2020-01-01", None, Stated, false),
        ],
    );
    // A neighbour's dates decide for an undated edition: the dated successor replaces it.
    check(
        &[
            "GB 2-2000 | - | - | - | - | - | -",
            "GB 2-2010 | - | 2010-03-01 | 2010-09-01 | - | - | -",
        ],
        &[
            ("GB 2-2000", "2010-08-31", CUR, Inferred, false),
            ("GB 2-2000", "2010-09-01", REP, Inferred, false),
        ],
    );
}

/// The catalog's label against dates and links.
#[test]
fn contradicting_catalogs() {
    check(
        &[
            // Exported before implementation: 即将实施 long after.
            "GB 5-2020 | 即将实施 | 2020-01-01 | 2020-07-01 | - | - | -",
            // Says 被代替 but the index holds no successor: believed, from the source.
            "GB 6-2000 | 被代替 | 2000-01-01 | 2000-07-01 | - | - | -",
            // Says 废止 but a successor is known: replaced.
            "GB 7-2000 | 废止 | 2000-01-01 | 2000-07-01 | 2012-01-01 | - | GB 7-2012",
            "GB 7-2012 | 现行 | 2012-01-01 | 2012-01-01 | - | - | -",
            // Says 现行 although abolished.
            "GB 8-2000 | 现行 | 2000-01-01 | 2000-07-01 | 2015-01-01 | - | -",
        ],
        &[
            ("GB 5-2020", "2020-03-01", UP, Derived, false),
            ("GB 5-2020", "2024-01-01", CUR, Derived, true),
            ("GB 6-2000", "2024-01-01", REP, Stated, false),
            ("GB 7-2000", "2011-01-01", CUR, Derived, false),
            ("GB 7-2000", "2013-01-01", REP, Derived, true),
            ("GB 8-2000", "2016-01-01", ABO, Derived, true),
        ],
    );
}

/// The date encodings agree on year boundaries.
#[test]
fn day_types() {
    assert_eq!(<i64 as Day>::first_of_year(2015), 20150101);
    assert_eq!(20151201_i64.year_of(), 2015);
    assert_eq!(<NaiveDate as Day>::first_of_year(2015), d("2015-01-01"));
    assert_eq!(
        Basis::Inferred.label_zh(),
        "据版本推断",
        "the label the README and the page use"
    );
}
