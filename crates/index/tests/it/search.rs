//! Query understanding, ranking, filters, facets, paging, snippets and suggestions on the
//! fixture index.

use biaozhun_index::{SearchRequest, SearchResponse, Sort};
use biaozhun_model::RecordKind;

fn search(req: SearchRequest) -> SearchResponse {
    crate::fixture_index().search(&req).expect("search")
}

fn q(text: &str) -> SearchResponse {
    search(SearchRequest {
        q: text.into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        ..Default::default()
    })
}

fn ids(r: &SearchResponse) -> Vec<String> {
    r.hits.iter().map(|h| h.id.clone()).collect()
}

/// `check(query, expected first hit)`.
fn check_first(query: &str, want: &str) {
    let r = q(query);
    assert_eq!(
        ids(&r).first().map(String::as_str),
        Some(want),
        "{query}: {:?}",
        ids(&r)
    );
}

#[test]
fn code_variants_find_the_edition() {
    for (query, want) in [
        ("GB/T 7714-2015", "GB/T 7714-2015"),
        ("GB/T7714", "GB/T 7714-2015"),
        ("gbt7714", "GB/T 7714-2015"),
        ("gb/t 7714—2005", "GB/T 7714-2005"),
        ("ＧＢ／Ｔ　７７１４", "GB/T 7714-2015"),
        ("gb 2763", "GB 2763-2021"),
        ("GB 2763-2019", "GB 2763-2019"),
        ("DB62T 4475", "DB62/T 4475-2021"),
        ("db62/t4393", "DB62/T 4393-2021"),
        ("7714", "GB/T 7714-2015"),
        ("GBT 7714 2005", "GB/T 7714-2005"),
        ("GB/T7714-2005", "GB/T 7714-2005"),
        ("gb2763", "GB 2763-2021"),
        // A mandatory industry code typed alone, without year: a lookup, not prose.
        ("NY 5100", "NY 5100-2002"),
    ] {
        check_first(query, want);
    }
}

#[test]
fn editions_rank_current_first_then_alias() {
    let r = q("GB 2763");
    assert_eq!(
        ids(&r)[..3],
        ["GB 2763-2021", "GB 2763-2019", "GB 2763-2016"]
    );
    // GB 7718: the current edition before the upcoming one.
    let r = q("GB 7718");
    assert_eq!(ids(&r)[0], "GB 7718-2011", "{:?}", ids(&r));
    // GB 5751 finds GB/T 5751 through the GB↔GB/T alias, after its own edition.
    let r = q("GB 5751");
    let got = ids(&r);
    assert_eq!(got[0], "GB 5751-1986");
    assert!(got.contains(&"GB/T 5751-2009".to_string()), "{got:?}");
    // Unquoted `GB/T 7714` is one code, not GB/T OR 7714.
    let r = q("GB/T 7714");
    assert!(
        r.hits.iter().all(|h| h.id.starts_with("GB/T 7714")),
        "{:?}",
        ids(&r)
    );
}

#[test]
fn notification_symbols_bring_the_family() {
    let r = q("g/tbt/n/usa/2146");
    let got = ids(&r);
    assert_eq!(got[0], "G/TBT/N/USA/2146");
    for want in [
        "G/TBT/N/USA/2146/Add.1",
        "G/TBT/N/USA/2146/Add.2",
        "G/TBT/N/USA/2146/Corr.1",
    ] {
        assert!(got.contains(&want.to_string()), "{want} in {got:?}");
    }
    let r = q("G/TBT/N/USA/2146/Add.1");
    assert_eq!(ids(&r)[0], "G/TBT/N/USA/2146/Add.1");
    assert_eq!(r.total, 1);
}

#[test]
fn text_search_titles_and_synonyms() {
    check_first("参考文献著录规则", "GB/T 7714-2015");
    check_first("马铃薯脱毒种薯", "DB62/T 4475-2021");
    check_first("当归栽培", "DB62/T 4393-2021");
    let r = q("土豆 种薯");
    assert!(
        ids(&r).contains(&"DB62/T 4475-2021".to_string()),
        "synonym: {:?}",
        ids(&r)
    );
    let r = q("water beads toys");
    assert!(
        ids(&r).contains(&"G/TBT/N/USA/2146".to_string()),
        "{:?}",
        ids(&r)
    );
    // Stemming: `toy` finds `Toys`.
    let r = q("toy");
    assert!(r.total >= 3, "{:?}", ids(&r));
}

#[test]
fn province_names_act_as_filters() {
    let r = q("甘肃 苹果");
    let got = ids(&r);
    assert!(!got.is_empty());
    assert!(got[0].starts_with("DB62"), "{got:?}");
    assert!(
        got.iter().take(3).all(|id| id.starts_with("DB62")),
        "{got:?}"
    );
}

#[test]
fn all_terms_then_relaxed() {
    let r = q("花椒 栽培");
    assert!(!r.relaxed);
    let r = q("花椒 量子计算机");
    assert!(r.relaxed, "nothing has both; best effort says so");
    assert!(!r.hits.is_empty());
    // Bad syntax is plain text.
    for weird in ["\"unbalanced", "AND OR NOT", "title:(", "*", "))(("] {
        let _ = q(weird);
    }
}

fn page(text: &str, offset: usize, limit: usize) -> SearchResponse {
    search(SearchRequest {
        q: text.into(),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        offset,
        limit,
        ..Default::default()
    })
}

/// Partial matches fill the page after every complete match, most words first; each hit says
/// which words it matched; `total` counts complete matches, `partial_total` the others.
#[test]
fn partial_matches_fill_the_page_below_complete_ones() {
    for query in ["马铃薯 脱毒 贮藏", "花椒 栽培 技术", "苹果 残留 量子计算机"]
    {
        let r = page(query, 0, 30);
        let complete = r.hits.iter().filter(|h| !h.partial).count() as u64;
        assert!(r.partial_total > 0, "{query}: nothing partial");
        // Complete matches come first and all of them fit on this page.
        assert_eq!(complete, r.total, "{query}");
        let first_partial = r
            .hits
            .iter()
            .position(|h| h.partial)
            .expect("a partial hit");
        assert!(r.hits[first_partial..].iter().all(|h| h.partial), "{query}");
        let words = query.split(' ').count();
        for h in &r.hits {
            let n = h.matched.len();
            if h.partial {
                assert!((1..words).contains(&n), "{query} {}: {:?}", h.id, h.matched);
            } else {
                assert_eq!(n, words, "{query} {}: {:?}", h.id, h.matched);
            }
        }
        // Most words first among the partial ones.
        let counts: Vec<usize> = r.hits[first_partial..]
            .iter()
            .map(|h| h.matched.len())
            .collect();
        assert!(
            counts.windows(2).all(|w| w[0] >= w[1]),
            "{query}: {counts:?}"
        );
        // Offset pages cut the same list.
        let mut paged = Vec::new();
        for off in (0..30).step_by(4) {
            paged.extend(ids(&page(query, off, 4)));
        }
        assert_eq!(paged, ids(&r), "{query}");
        assert_eq!(r.relaxed, r.total == 0, "{query}");
    }
    // A query every word of which some document has does not look for partial matches
    // beyond a full page.
    let r = page("标准", 0, 5);
    assert_eq!(r.partial_total, 0);
    assert!(r.hits.iter().all(|h| !h.partial && h.matched.len() == 1));
}

/// A hit matched through an expansion says which one.
#[test]
fn matched_words_name_the_expansion() {
    let r = q("土豆 种薯");
    let hit = r
        .hits
        .iter()
        .find(|h| h.id == "DB62/T 4475-2021")
        .expect("the potato seed standard");
    let potato = hit
        .matched
        .iter()
        .find(|m| m.word == "土豆")
        .expect("土豆 matched");
    assert_eq!(potato.via.as_deref(), Some("马铃薯"), "{:?}", hit.matched);
    assert!(hit
        .matched
        .iter()
        .any(|m| m.word == "种薯" && m.via.is_none()));
    assert!(r
        .understood
        .expansions
        .iter()
        .any(|e| e.word == "土豆" && e.to == "马铃薯"));
}

/// CC-CEDICT translates a Chinese product word for the English notification texts.
#[test]
fn chinese_product_words_find_english_notifications() {
    let r = search(SearchRequest {
        q: "啤酒花".into(),
        kind: Some(RecordKind::Notification),
        ..Default::default()
    });
    let got = ids(&r);
    assert!(got.contains(&"G/SPS/N/CAN/1243".to_string()), "{got:?}");
    let hit = r
        .hits
        .iter()
        .find(|h| h.id == "G/SPS/N/CAN/1243")
        .expect("hit");
    assert!(
        hit.matched
            .iter()
            .any(|m| m.word == "啤酒花" && m.via.as_deref() == Some("hops")),
        "{:?}",
        hit.matched
    );
}

/// The HS names (12,228 codes in the shared data) are read when the tests run in the crate's
/// own directory, as `cargo test` does, not only from the checkout's root.
#[test]
fn the_bridge_reads_the_hs_names_in_cargo_test() {
    let codes = crate::root().join("../shared/data/codes/hs-ccc-10digit-en.txt");
    if !codes.exists() {
        assert_ne!(
            std::env::var("CI").as_deref(),
            Ok("true"),
            "shared data missing"
        );
        eprintln!("note: {} absent, HS names check skipped", codes.display());
        return;
    }
    let n = crate::fixture_index().bridge().hs_names();
    assert!(n > 12_000, "{n} HS names read");
}

#[test]
fn filters_and_facets() {
    let r = search(SearchRequest {
        q: "苹果".into(),
        region: Some("甘肃".into()),
        ..Default::default()
    });
    assert!(r.total >= 2);
    assert!(r.hits.iter().all(|h| h.id.starts_with("DB62")));
    let r = search(SearchRequest {
        kind: Some(RecordKind::Notification),
        hs: Some("84".into()),
        ..Default::default()
    });
    assert!(
        ids(&r).contains(&"G/TBT/N/SAU/1190".to_string()),
        "{:?}",
        ids(&r)
    );
    let r = search(SearchRequest {
        hs: Some("950300".into()),
        ..Default::default()
    });
    let got = ids(&r);
    assert!(
        got.contains(&"G/TBT/N/USA/1272/Rev.1".to_string()),
        "listing 95: {got:?}"
    );
    assert!(got.contains(&"G/TBT/N/USA/2146".to_string()), "{got:?}");
    let r = search(SearchRequest {
        open_on: chrono::NaiveDate::from_ymd_opt(2026, 6, 1),
        ..Default::default()
    });
    assert_eq!(ids(&r), ["G/SPS/N/EU/912"]);
    let r = search(SearchRequest {
        q: "GB 2763".into(),
        status: Some("现行".into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        ..Default::default()
    });
    assert_eq!(ids(&r), ["GB 2763-2021"]);
    // Derived status: on 2026-01-01 GB 7718-2025 is upcoming.
    let r = search(SearchRequest {
        q: "GB 7718".into(),
        status: Some("upcoming".into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        ..Default::default()
    });
    assert_eq!(ids(&r), ["GB 7718-2025"]);
    let r = search(SearchRequest {
        ics: Some("67".into()),
        ..Default::default()
    });
    assert!(r.total > 0);
    let r = search(SearchRequest::default());
    let kinds = &r.facets["kind"];
    assert!(
        kinds.iter().any(|f| f.value == "standard" && f.count >= 70),
        "{kinds:?}"
    );
    assert!(r.facets["region"]
        .iter()
        .any(|f| f.value == "62" && f.label.as_deref() == Some("甘肃")));
    assert!(r.facets["status"].iter().any(|f| f.value == "current"));
    assert!(!r.facets.contains_key("file"));
}

fn facet<'a>(r: &'a SearchResponse, name: &str) -> &'a [biaozhun_index::FacetCount] {
    r.facets.get(name).map_or(&[], Vec::as_slice)
}

fn count(r: &SearchResponse, name: &str, value: &str) -> Option<u64> {
    facet(r, name)
        .iter()
        .find(|f| f.value == value)
        .map(|f| f.count)
}

#[test]
fn classification_facets_count_every_level() {
    let r = search(SearchRequest::default());
    // ICS: `01`, `01.140`, `01.140.20` each counted, parents listed before children.
    let ics = facet(&r, "ics");
    let (n1, n2, n3) = (
        count(&r, "ics", "01").expect("01"),
        count(&r, "ics", "01.140").expect("01.140"),
        count(&r, "ics", "01.140.20").expect("01.140.20"),
    );
    assert!(n1 >= n2 && n2 >= n3 && n3 >= 3, "{ics:?}");
    let pos = |v: &str| ics.iter().position(|f| f.value == v);
    assert!(pos("01") < pos("01.140") && pos("01.140") < pos("01.140.20"));
    // A standard listing `11.040.01` and `03.120.10` counts once under each top level.
    assert!(count(&r, "ics", "11").is_some());
    // CCS: category letters (labelled) and codes.
    let b = facet(&r, "ccs").iter().find(|f| f.value == "B").expect("B");
    assert_eq!(b.label.as_deref(), Some("农业、林业"));
    assert!(b.count >= count(&r, "ccs", "B31").expect("B31"));
    // HS: chapters only, labelled with the chapter name.
    let hs = facet(&r, "hs");
    assert!(hs.iter().all(|f| f.value.len() == 2), "{hs:?}");
    let toys = hs.iter().find(|f| f.value == "95").expect("chapter 95");
    assert!(toys.count >= 5 && toys.label.is_some(), "{toys:?}");
    // Years newest first; departments split on `;`.
    let years: Vec<&str> = facet(&r, "year").iter().map(|f| f.value.as_str()).collect();
    assert!(years.windows(2).all(|w| w[0] >= w[1]), "{years:?}");
    assert!(count(&r, "department", "甘肃省市场监督管理局").is_some_and(|n| n >= 12));
    assert!(count(&r, "department", "中国国家标准化管理委员会").is_some());
}

#[test]
fn facets_ignore_their_own_filter() {
    let all = search(SearchRequest::default());
    let r = search(SearchRequest {
        ics: Some("01.140".into()),
        ..Default::default()
    });
    assert!(r.total >= 4 && r.total < all.total);
    // The ICS facet still offers the other fields, with the unfiltered counts...
    assert_eq!(count(&r, "ics", "03"), count(&all, "ics", "03"));
    // ...while the other facets count the filtered documents only.
    let kinds: u64 = facet(&r, "kind").iter().map(|f| f.count).sum();
    assert_eq!(kinds, r.total);
    let r = search(SearchRequest {
        q: "苹果".into(),
        region: Some("甘肃".into()),
        status: Some("现行".into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        ..Default::default()
    });
    let regions: u64 = facet(&r, "region").iter().map(|f| f.count).sum();
    assert!(regions >= r.total, "{:?}", facet(&r, "region"));
    let statuses: u64 = facet(&r, "status").iter().map(|f| f.count).sum();
    assert!(statuses >= r.total, "{:?}", facet(&r, "status"));
    assert!(r.hits.iter().all(|h| h.id.starts_with("DB62")));
}

#[test]
fn paging_sorting_and_cursor() {
    let all = search(SearchRequest {
        kind: Some(RecordKind::Standard),
        sort: Sort::Code,
        limit: 100,
        ..Default::default()
    });
    let mut via_cursor = Vec::new();
    let mut cursor = None;
    loop {
        let page = search(SearchRequest {
            kind: Some(RecordKind::Standard),
            sort: Sort::Code,
            limit: 7,
            cursor: cursor.clone(),
            ..Default::default()
        });
        via_cursor.extend(ids(&page));
        cursor = page.next_cursor;
        if cursor.is_none() {
            break;
        }
    }
    assert_eq!(via_cursor, ids(&all));
    let got = ids(&all);
    let pos = |id: &str| got.iter().position(|x| x == id).expect(id);
    assert!(
        pos("GB 2762-2022") < pos("GB 4789.2-2022"),
        "numeric code order"
    );
    let by_date = search(SearchRequest {
        kind: Some(RecordKind::Standard),
        sort: Sort::IssueDate,
        limit: 5,
        offset: 2,
        ..Default::default()
    });
    assert_eq!(by_date.hits.len(), 5);
    let bad = crate::fixture_index().search(&SearchRequest {
        offset: 9_995,
        limit: 10,
        ..Default::default()
    });
    assert!(bad.is_err());
    assert!(crate::fixture_index()
        .search(&SearchRequest {
            cursor: Some("zz".into()),
            ..Default::default()
        })
        .is_err());
}

#[test]
fn snippets_have_byte_correct_ranges() {
    let r = search(SearchRequest {
        q: "脱毒种薯 病毒检测".into(),
        snippets: true,
        ..Default::default()
    });
    assert!(!r.hits.is_empty());
    let mut saw_text = false;
    for h in &r.hits {
        for hl in &h.highlights {
            for (s, e) in &hl.ranges {
                assert!(hl.text.is_char_boundary(*s) && hl.text.is_char_boundary(*e));
                let m = &hl.text[*s..*e];
                assert!(!m.is_empty());
            }
            assert!(hl.html.contains("<em>"));
            saw_text |= hl.field == "text";
        }
    }
    assert!(saw_text);
}

#[test]
fn snippets_highlight_whole_words_only() {
    // `第十条` must not light up `第十` of `第十一条` ... `第十三条` in the same regulation.
    let r = search(SearchRequest {
        q: "第十条".into(),
        snippets: true,
        ..Default::default()
    });
    let mut seen = 0;
    for h in &r.hits {
        for hl in &h.highlights {
            for (s, e) in &hl.ranges {
                assert_eq!(&hl.text[*s..*e], "第十条", "{hl:?}");
                seen += 1;
            }
        }
    }
    assert!(seen > 0, "{:?}", ids(&r));
}

#[test]
fn suggestions_complete_codes_and_titles() {
    let index = crate::fixture_index();
    for typed in ["GB/T 77", "gbt77", "gb/t 771"] {
        let s = index.suggest(typed, 5).expect("suggest");
        assert_eq!(
            s.first().map(|x| x.text.as_str()),
            Some("GB/T 7714-2015"),
            "{typed}: {s:?}"
        );
    }
    let s = index.suggest("马铃薯脱", 5).expect("suggest");
    assert!(s.iter().any(|x| x.text.contains("马铃薯脱毒")), "{s:?}");
}

/// `facets` selects what is counted without changing the hits or the total; the counts asked
/// for equal those of the default request; an unknown facet is a bad request naming it.
#[test]
fn facets_can_be_selected_or_skipped() {
    let base = SearchRequest {
        q: "苹果".into(),
        region: Some("甘肃".into()),
        status: Some("现行".into()),
        as_of: chrono::NaiveDate::from_ymd_opt(2026, 1, 1),
        ..Default::default()
    };
    let all = search(base.clone());
    let none = search(SearchRequest {
        facets: Some(Vec::new()),
        ..base.clone()
    });
    assert_eq!(ids(&none), ids(&all));
    assert_eq!(none.total, all.total);
    assert!(none.facets.is_empty(), "{:?}", none.facets.keys());
    let some = search(SearchRequest {
        facets: Some(vec!["region".into(), "status".into(), "year".into()]),
        ..base.clone()
    });
    assert_eq!(ids(&some), ids(&all));
    let keys: Vec<&str> = some.facets.keys().map(String::as_str).collect();
    assert_eq!(keys, ["region", "status", "year"]);
    for k in keys {
        assert_eq!(some.facets[k], all.facets[k], "{k}");
    }
    let err = crate::fixture_index()
        .search(&SearchRequest {
            facets: Some(vec!["colour".into()]),
            ..base
        })
        .expect_err("unknown facet");
    assert!(err.to_string().contains("colour"), "{err}");
}

#[test]
fn market_words_filter_to_the_member() {
    for (query, member, code) in [
        ("欧盟 玩具", "/EU/", "EU"),
        ("美国 玩具", "/USA/", "USA"),
        ("EU toys", "/EU/", "EU"),
        ("沙特", "/SAU/", "SAU"),
        ("沙特阿拉伯 储罐", "/SAU/", "SAU"),
    ] {
        let r = q(query);
        assert!(!r.hits.is_empty(), "{query}: no hits");
        assert!(
            ids(&r).iter().all(|id| id.contains(member)),
            "{query}: {:?}",
            ids(&r)
        );
        let m = r.understood.market.as_ref().expect("market understood");
        assert_eq!(m.code, code, "{query}");
        // The market word is not a word the text must contain.
        assert!(!r.understood.terms.iter().any(|t| t == &m.word), "{query}");
    }
    assert_eq!(q("美国 玩具").total, 5, "{:?}", ids(&q("美国 玩具")));
    // Both markets typed: notifications of either.
    let both = q("美国 欧盟 玩具");
    assert!(ids(&both).iter().any(|i| i.contains("/EU/")));
    assert!(ids(&both).iter().any(|i| i.contains("/USA/")));
    // The `member` parameter wins over a market word.
    let r = search(SearchRequest {
        q: "欧盟 玩具".into(),
        member: Some("USA".into()),
        ..Default::default()
    });
    assert!(r.understood.market.is_none());
    assert!(
        ids(&r).iter().all(|id| id.contains("/USA/")),
        "{:?}",
        ids(&r)
    );
    // No market word: no market.
    assert!(q("玩具").understood.market.is_none());
}

#[test]
fn padded_numbers_are_found_in_any_padding() {
    for query in [
        "YY 0572-2015",
        "YY 572-2015",
        "yy0572-2015",
        "YY 00572-2015",
        "YY 572",
    ] {
        check_first(query, "YY 0572-2015");
    }
    check_first("LB/T 68-2017", "LB/T 068-2017");
    check_first("LB/T 068", "LB/T 068-2017");
    let index = crate::fixture_index();
    for typed in ["yy572", "YY 0572", "YY 572"] {
        let s = index.suggest(typed, 5).expect("suggest");
        assert_eq!(
            s.first().map(|x| x.id.as_str()),
            Some("YY 0572-2015"),
            "{typed}: {s:?}"
        );
    }
    let found = index
        .find_standard(&biaozhun_model::StandardCode::parse("YY 572-2015").expect("code"))
        .expect("find")
        .map(|s| s.id());
    assert_eq!(found.as_deref(), Some("YY 0572-2015"));
}

#[test]
fn a_base_number_lists_its_parts_in_order() {
    let r = q("GB 4789");
    assert_eq!(
        ids(&r)[..3],
        ["GB 4789.2-2022", "GB 4789.3-2016", "GB 4789.15-2016"],
        "{:?}",
        ids(&r)
    );
    let s = crate::fixture_index()
        .suggest("GB 4789", 5)
        .expect("suggest");
    let got: Vec<&str> = s.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        got[..3],
        ["GB 4789.2-2022", "GB 4789.3-2016", "GB 4789.15-2016"],
        "{got:?}"
    );
    // `GB/T 4789` has no editions or parts of its own: its twin's parts are listed.
    let r = q("GB/T 4789");
    assert_eq!(
        ids(&r)[..3],
        ["GB 4789.2-2022", "GB 4789.3-2016", "GB 4789.15-2016"],
        "{:?}",
        ids(&r)
    );
    // Own editions come first: `GB/T 7408` has two, then its part.
    let r = q("GB/T 7408");
    assert_eq!(
        ids(&r)[..2],
        ["GB/T 7408-2005", "GB/T 7408.1-2023"],
        "{:?}",
        ids(&r)
    );
    // Typed as its twin: the twin's editions still come before the twin's parts.
    let r = q("GB 7408");
    assert_eq!(
        ids(&r)[..2],
        ["GB/T 7408-2005", "GB/T 7408.1-2023"],
        "{:?}",
        ids(&r)
    );
}

/// A common word (in more than a third of the records, of at least 1,000) does not make a
/// partial match by itself: `隔音 产品` fills the page with the documents on 隔音 that lack
/// 产品, never with the hundreds that have only 产品; both still count in complete matches.
#[test]
fn common_words_do_not_make_partial_matches() {
    // 产品 in 1,000 of 1,100 titles; 隔音 in 10 without it and 2 with it.
    let (_dir, index) = titled_index((0..1_100).map(|i| match i {
        0..=1 => "隔音 产品 技术要求",
        2..=11 => "建筑隔音 设计规范",
        12..=1_011 => "工业产品 包装通则",
        _ => "道路 照明 设计规范",
    }));
    let r = index
        .search(&SearchRequest {
            q: "隔音 产品".into(),
            facets: Some(Vec::new()),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(r.total, 2, "complete matches");
    assert_eq!(
        r.partial_total, 10,
        "only the 隔音 documents are near matches"
    );
    assert_eq!(r.hits.len(), 10);
    for h in &r.hits[2..] {
        assert!(h.partial, "{h:?}");
        assert!(
            h.title_zh.as_deref().is_some_and(|t| t.contains("隔音")),
            "{h:?}"
        );
    }
    // A rare word keeps counting: `隔音 照明` fills with both words' documents (counted
    // exactly when facets are; a hits-only request skips those that cannot reach its page
    // and says its count is a lower bound).
    let ask = |facets: Option<Vec<String>>| {
        index
            .search(&SearchRequest {
                q: "隔音 照明".into(),
                facets,
                ..Default::default()
            })
            .expect("search")
    };
    let (r, hits_only) = (ask(None), ask(Some(Vec::new())));
    assert_eq!(
        (r.total, r.partial_total, r.partial_total_exact),
        (0, 12 + 88, true),
        "{:?}",
        (r.total, r.partial_total)
    );
    let page =
        |r: &SearchResponse| -> Vec<String> { r.hits.iter().map(|h| h.id.clone()).collect() };
    assert_eq!(page(&hits_only), page(&r));
    assert!(
        hits_only.partial_total_exact || (10..=r.partial_total).contains(&hits_only.partial_total),
        "{}",
        hits_only.partial_total
    );

    // Three words, none complete, the page full at "two of three": a hits-only request skips
    // the "one of three" pass and says its count is a lower bound; with facets it is exact,
    // and the page is the same.
    let ask = |facets: Option<Vec<String>>| {
        index
            .search(&SearchRequest {
                q: "隔音 照明 设计规范".into(),
                facets,
                ..Default::default()
            })
            .expect("search")
    };
    let (hits_only, faceted) = (ask(Some(Vec::new())), ask(None));
    assert!(faceted.partial_total_exact);
    assert_eq!(
        faceted.partial_total, 100,
        "every document has one of the words"
    );
    assert!(!hits_only.partial_total_exact);
    let on_page = hits_only.hits.iter().filter(|h| h.partial).count() as u64;
    assert!(
        on_page <= hits_only.partial_total && hits_only.partial_total < faceted.partial_total,
        "{} {} {}",
        on_page,
        hits_only.partial_total,
        faceted.partial_total
    );
    let ids = |r: &SearchResponse| r.hits.iter().map(|h| h.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&hits_only), ids(&faceted));
}

/// The words next to each other lift a document above ones with a better score otherwise,
/// also when more documents match than the collector's rescoring window holds: the
/// proximity clauses are scored for the best candidates only (`collect::Proximity`).
#[test]
fn words_next_to_each_other_rank_first_beyond_the_window() {
    use biaozhun_index::collect::PROXIMITY_WINDOW;
    let n = 2 * PROXIMITY_WINDOW + 100;
    // Other documents, so the two words are not in every title (their weight is their rarity).
    let (_dir, index) = titled_index((0..n + 2_000).map(|i| match i {
        // A better score by the words alone (a shorter title), the words apart.
        0..=4 => "玉米 种子 检验 规程 制种",
        // The words next to each other.
        5 => "玉米 制种 种子 检验 规程 通则 要求",
        // Longer titles, the words apart: a lower score.
        i if i < n => "玉米 种子 检验 规程 制种 通则 要求 方法",
        _ => "道路 照明 设计规范",
    }));
    let r = index
        .search(&SearchRequest {
            q: "玉米 制种".into(),
            facets: Some(Vec::new()),
            ..Default::default()
        })
        .expect("search");
    assert_eq!(r.total, n as u64);
    let scored: Vec<(String, f32)> = r.hits.iter().map(|h| (h.id.clone(), h.score)).collect();
    assert_eq!(ids(&r)[0], "T/XY 6-2020", "{scored:?}");
    // Without the proximity clauses it would be sixth: the five shorter titles come next.
    let next: Vec<String> = (1..=5).map(|i| format!("T/XY {i}-2020")).collect();
    let mut got = ids(&r)[1..6].to_vec();
    got.sort();
    assert_eq!(got, next);
}

/// `track_total_hits`: past the count asked for, a hits-only request skips the blocks of
/// documents that cannot reach its page (`biaozhun_index::prune`): the same page, bit for bit,
/// and a total that is a lower bound, said so. Facets, or a count high enough, keep it exact.
#[test]
fn track_total_hits_skips_what_cannot_reach_the_page() {
    // 1,200 short titles (the best scores) first, then 3,000 long ones: whole postings blocks
    // of documents that cannot beat the page once it holds short ones. (The page of a
    // two-word query keeps the best 256 per segment, for the proximity window, and the
    // writer may split the documents into a segment per indexing thread.)
    let (_dir, index) = titled_index((0..4_400).map(|i| match i {
        0..=1_199 => "玉米 种子 检验",
        1_200..=4_199 => "玉米 种子 检验 规程 通则 要求 方法 术语 分类 标志 包装 运输 贮存",
        _ => "道路 照明 设计规范",
    }));
    let ask = |track: Option<u64>, facets: Option<Vec<String>>| {
        index
            .search(&SearchRequest {
                q: "种子 检验".into(),
                facets,
                track_total_hits: track,
                ..Default::default()
            })
            .expect("search")
    };
    let exact = ask(None, Some(Vec::new()));
    assert_eq!((exact.total, exact.total_exact), (4_200, true));
    let page = |r: &SearchResponse| -> Vec<(String, u32)> {
        r.hits
            .iter()
            .map(|h| (h.id.clone(), h.score.to_bits()))
            .collect()
    };
    let pruned = ask(Some(0), Some(Vec::new()));
    assert_eq!(page(&pruned), page(&exact));
    assert!(!pruned.total_exact);
    assert!(
        pruned.total >= 10 && pruned.total < exact.total,
        "{} of {} counted",
        pruned.total,
        exact.total
    );
    // Counted exactly up to 1,000 first: still a lower bound, at least that.
    let some = ask(Some(1_000), Some(Vec::new()));
    assert_eq!(page(&some), page(&exact));
    assert!(!some.total_exact && (1_000..exact.total).contains(&some.total));
    // A count beyond the matches, or facets to count: exact.
    for r in [ask(Some(10_000), Some(Vec::new())), ask(Some(0), None)] {
        assert_eq!((r.total, r.total_exact), (4_200, true));
        assert_eq!(page(&r), page(&exact));
    }
}

/// A new index of standards `T/XY 1-2020`, `T/XY 2-2020`, ... with these Chinese titles.
fn titled_index<'a>(
    titles: impl Iterator<Item = &'a str>,
) -> (tempfile::TempDir, biaozhun_index::Index) {
    use biaozhun_model::{Record, Standard, StandardCode, Store};
    let recs = titles
        .enumerate()
        .map(|(i, title)| {
            let code = StandardCode::parse(&format!("T/XY {}-2020", 1 + i)).expect("code");
            let mut s = Standard::new(code);
            s.title_zh = Some(title.to_string());
            Record::Standard(s)
        })
        .collect();
    let dir = tempfile::tempdir().expect("tmp");
    let mut index =
        biaozhun_index::Index::open_or_create(dir.path(), &crate::config_dir()).expect("create");
    index.put(recs, &[]).expect("put");
    index.commit().expect("commit");
    (dir, index)
}
