//! The trade rules of `biaozhun_model::trade`, table-tested without an index: market names,
//! HS chapter phrases (on the real `index-config/hs-chapters.toml`), the chapters a query
//! names, the state label, how a family matches an HS code, the facts a report shows, and the
//! dossier's internal deadline and groups. One `check_*` helper per table.

use biaozhun_model::family::FamilyEvent;
use biaozhun_model::glossary::HsChapterFile;
use biaozhun_model::trade::{
    chapter_phrases, chapters_for_query, chinese_group, document_role, edit_distance,
    inherited_from, internal_deadline, resolve_market, suggest_markets, FamilyFacts, MatchKind,
    StateLabel,
};
use biaozhun_model::{
    FamilyState, HsChapters, HsCode, Notification, NotificationFamily, NotificationSymbol,
    StandardCode,
};
use chrono::NaiveDate;

use crate::data::index_config;

fn chapters() -> HsChapters {
    let path = index_config().join("hs-chapters.toml");
    let text = std::fs::read_to_string(&path).expect("read hs-chapters.toml");
    let file: HsChapterFile = toml::from_str(&text).expect("hs-chapters.toml parses");
    file.validate()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_else(|e| panic!("date {s:?}: {e}"))
}

/// `expected` is the member code a market name resolves to, or `!fragment` when it must fail
/// with a message containing `fragment`.
fn check_market(input: &str, expected: &str) {
    let got = match resolve_market(input) {
        Ok(m) => m.code.to_string(),
        Err(e) => format!("!{e}"),
    };
    match expected.strip_prefix('!') {
        Some(fragment) => assert!(
            got.starts_with('!') && got.contains(fragment),
            "{input:?}: expected an error containing {fragment:?}, got {got:?}"
        ),
        None => assert_eq!(got, expected, "market {input:?}"),
    }
}

#[test]
fn market_names_resolve_or_fail_with_suggestions() {
    for (input, expected) in [
        ("EU", "EU"),
        ("eu", "EU"),
        ("European Union", "EU"),
        ("欧盟", "EU"),
        ("沙特", "SAU"),
        ("Saudi Arabia", "SAU"),
        ("ＵＳＡ", "USA"),
        ("美国", "USA"),
        ("DEU", "DEU"),
        ("德国", "DEU"),
        // Typos: the error names the value and what was meant.
        ("Saudi Arabi", "!\"Saudi Arabi\""),
        ("Saudi Arabi", "!SAU (Saudi Arabia"),
        ("Germny", "!did you mean DEU (Germany, 德国)?"),
        ("Japn", "!JPN"),
        // Nothing close: the error says what a market looks like.
        ("Atlantis", "!use a WTO member code such as USA"),
        ("", "!unknown market \"\""),
    ] {
        check_market(input, expected);
    }
}

/// `expected` lists the member codes suggested for `input`, best first.
fn check_suggestions(input: &str, expected: &[&str]) {
    let got: Vec<String> = suggest_markets(input)
        .into_iter()
        .map(|s| s.split(' ').next().unwrap_or_default().to_string())
        .collect();
    assert_eq!(got, expected, "suggestions for {input:?}");
}

#[test]
fn market_suggestions_are_close_names_best_first() {
    for (input, expected) in [
        ("Germny", &["DEU"][..]),
        ("Japn", &["JPN"]),
        ("Saudi Arabai", &["SAU"]),
        // At most three, contained names first.
        ("Korea", &["KOR"]),
        ("", &[]),
        ("   ", &[]),
        ("Atlantis", &[]),
    ] {
        check_suggestions(input, expected);
    }
    assert!(suggest_markets("a").len() <= 3);
}

fn check_distance(a: &str, b: &str, expected: usize) {
    assert_eq!(edit_distance(a, b), expected, "{a:?} -> {b:?}");
    assert_eq!(edit_distance(b, a), expected, "{b:?} -> {a:?}");
}

#[test]
fn edit_distance_counts_characters() {
    for (a, b, n) in [
        ("", "", 0),
        ("", "abc", 3),
        ("germany", "germny", 1),
        ("japan", "japn", 1),
        ("kitten", "sitting", 3),
        ("沙特", "沙特阿拉伯", 3),
        ("美国", "英国", 1),
        ("abc", "abc", 0),
    ] {
        check_distance(a, b, n);
    }
}

/// `expected` is the chapter's product phrases joined by ` | `.
fn check_phrases(chapters: &HsChapters, code: &str, expected: &str) {
    let ch = chapters
        .get(code)
        .unwrap_or_else(|| panic!("no chapter {code}"));
    assert_eq!(chapter_phrases(ch).join(" | "), expected, "chapter {code}");
}

#[test]
fn chapter_names_become_product_phrases() {
    let all = chapters();
    for (code, expected) in [
        // `parts and accessories thereof`, `及其零件、附件` say nothing about the product.
        (
            "95",
            "toys | games | sports requisites | 玩具 | 游戏品 | 运动用品",
        ),
        ("02", "meat | edible meat offal | 肉 | 食用杂碎"),
        ("73", "iron | steel | 钢铁制品"),
        (
            "84",
            "machinery | mechanical appliances | boilers | nuclear reactors | 核反应堆 | 锅炉 | 机器 | 机械器具",
        ),
        (
            "61",
            "apparel | clothing | knitted | crocheted | 针织 | 钩编 | 服装 | 衣着附件",
        ),
    ] {
        check_phrases(&all, code, expected);
    }
    // No chapter yields an empty or generic phrase.
    for ch in all.all() {
        for p in chapter_phrases(ch) {
            assert!(!p.trim().is_empty(), "chapter {}", ch.code);
            assert!(
                !biaozhun_model::trade::GENERIC.contains(&p.as_str()),
                "chapter {}: {p}",
                ch.code
            );
        }
    }
}

/// `expected` is the chapters a query names, joined by spaces.
fn check_query_chapters(chapters: &HsChapters, q: &str, expected: &str) {
    assert_eq!(
        chapters_for_query(chapters, q).join(" "),
        expected,
        "query {q:?}"
    );
}

#[test]
fn query_words_name_chapters() {
    let all = chapters();
    for (q, expected) in [
        ("玩具", "95"),
        ("toys", "95"),
        // The English plural of a phrase.
        ("toy", "95"),
        ("TOYS", "95"),
        ("锅炉", "84"),
        ("boilers", "84"),
        // A Chinese word at the start of a phrase.
        ("钢铁", "72 73"),
        // Several words, any of them.
        ("玩具 锅炉", "84 95"),
        ("玩具、锅炉", "84 95"),
        // One character, generic words and unknown words name nothing.
        ("肉", ""),
        ("parts", ""),
        ("零件", ""),
        ("water beads", ""),
        ("", ""),
    ] {
        check_query_chapters(&all, q, expected);
    }
}

/// `events` lists the reported events as `name@date` (`name@?` without a date) among
/// `adopted`, `in_force`, `withdrawn`, `extended`; `expected` is the label on `on`.
fn check_label(events: &str, on: &str, expected: StateLabel) {
    let by = NotificationSymbol::parse("G/TBT/N/USA/1/Add.1").expect("symbol");
    let mut state = FamilyState::default();
    for e in events.split_whitespace() {
        let (name, d) = e.split_once('@').unwrap_or((e, "?"));
        let event = Some(FamilyEvent {
            reported_by: by.clone(),
            date: (d != "?").then(|| date(d)),
        });
        match name {
            "adopted" => state.adopted = event,
            "in_force" => state.entered_into_force = event,
            "withdrawn" => state.withdrawn = event,
            "extended" => state.comment_period_extended = event,
            other => panic!("unknown event {other}"),
        }
    }
    assert_eq!(
        StateLabel::of(&state, date(on)),
        expected,
        "{events} on {on}"
    );
}

#[test]
fn state_labels_on_a_date() {
    use StateLabel::*;
    for (events, on, expected) in [
        ("", "2026-01-01", Proposed),
        ("extended@2024-12-08", "2026-01-01", Proposed),
        ("adopted@2025-12-12", "2026-01-01", Adopted),
        ("adopted@?", "2026-01-01", Adopted),
        // Entry into force counts from its date on, inclusive.
        (
            "adopted@2025-12-12 in_force@2026-03-12",
            "2026-03-11",
            Adopted,
        ),
        (
            "adopted@2025-12-12 in_force@2026-03-12",
            "2026-03-12",
            InForce,
        ),
        ("in_force@2026-03-12", "2026-01-01", Adopted),
        ("in_force@2016-06-16", "2026-01-01", InForce),
        // Without a date, a reported entry into force is taken as done.
        ("in_force@?", "2000-01-01", InForce),
        // Withdrawal wins over everything.
        ("withdrawn@?", "2026-01-01", Withdrawn),
        (
            "adopted@2020-01-01 in_force@2020-02-01 withdrawn@?",
            "2026-01-01",
            Withdrawn,
        ),
    ] {
        check_label(events, on, expected);
    }
    let names: Vec<&str> = [Proposed, Adopted, InForce, Withdrawn]
        .iter()
        .map(|l| l.as_str())
        .collect();
    assert_eq!(names, ["proposed", "adopted", "in_force", "withdrawn"]);
    for l in [Proposed, Adopted, InForce, Withdrawn] {
        let json = serde_json::to_value(l).expect("serialize");
        assert_eq!(json.as_str(), Some(l.as_str()), "{l:?}");
    }
}

/// `asked` is the user's HS code (empty for none), `listed` the family's codes, `expected`
/// the match kind's name or `-` when the family is left out.
fn check_match(asked: &str, listed: &str, expected: &str) {
    let asked = (!asked.is_empty()).then(|| HsCode::parse(asked).expect("asked hs"));
    let listed: Vec<HsCode> = listed
        .split_whitespace()
        .map(|c| HsCode::parse(c).expect("listed hs"))
        .collect();
    let refs: Vec<&HsCode> = listed.iter().collect();
    let got = MatchKind::of(asked.as_ref(), &refs).map_or("-", MatchKind::as_str);
    assert_eq!(got, expected, "asked {asked:?}, listed {listed:?}");
}

#[test]
fn families_match_hs_codes_both_ways() {
    for (asked, listed, expected) in [
        ("", "", "query"),
        ("", "9503", "query"),
        ("9503", "9503", "hs"),
        // The listed code is an ancestor of the asked one, or a descendant.
        ("950300", "95", "hs"),
        ("84", "8415.10", "hs"),
        ("9503", "0201 9503.00", "hs"),
        // Lists nothing: matched on the chapter's names, the weaker kind.
        ("9503", "", "product_text"),
        // Lists codes, none related: a coincidence of words, left out.
        ("9503", "0201", "-"),
        ("84", "8516 85", "-"),
    ] {
        check_match(asked, listed, expected);
    }
    assert!(MatchKind::Hs < MatchKind::ProductText && MatchKind::ProductText < MatchKind::Query);
}

fn check_role(symbol: &str, expected: &str) {
    let s = NotificationSymbol::parse(symbol).expect("symbol");
    assert_eq!(document_role(&s), expected, "{symbol}");
}

#[test]
fn document_roles_come_from_the_last_suffix() {
    for (symbol, expected) in [
        ("G/TBT/N/USA/2146", "base"),
        ("G/TBT/N/USA/2146/Add.1", "addendum"),
        ("G/TBT/N/USA/2146/Corr.1", "corrigendum"),
        ("G/TBT/N/USA/2146/Rev.1", "revision"),
        ("G/TBT/N/USA/2146/Add.1/Corr.1", "corrigendum"),
        ("G/TBT/N/USA/2146/Rev.1/Add.2", "addendum"),
    ] {
        check_role(symbol, expected);
    }
}

/// One notification from `field=value` pairs separated by `; ` (`dist`, `deadline`,
/// `adoption`, `eif`, `member`, `title_en`, `title_zh`, `products`, `hs`, `objective`,
/// `cites`, `desc`; `hs`, `objective` and `cites` may repeat).
fn note(symbol: &str, fields: &str) -> Notification {
    let mut n = Notification::new(NotificationSymbol::parse(symbol).expect("symbol"));
    for f in fields.split("; ").filter(|f| !f.is_empty()) {
        let (k, v) = f.split_once('=').unwrap_or_else(|| panic!("field {f:?}"));
        let v = v.to_string();
        match k {
            "dist" => n.distribution_date = Some(date(&v)),
            "deadline" => n.comment_deadline = Some(date(&v)),
            "adoption" => n.proposed_adoption = Some(date(&v)),
            "eif" => n.entry_into_force = Some(date(&v)),
            "member" => n.member = Some(v),
            "title_en" => n.title_en = Some(v),
            "title_zh" => n.title_zh = Some(v),
            "products" => n.products = Some(v),
            "hs" => n.hs_codes.push(HsCode::parse(&v).expect("hs")),
            "objective" => n.objectives.push(v),
            "cites" => n
                .cited_standards
                .push(StandardCode::parse(&v).expect("code")),
            "desc" => n.description = Some(v),
            other => panic!("unknown field {other}"),
        }
    }
    n
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map_or("-".to_string(), ToString::to_string)
}

/// `expected` is the family's facts on `on` as one line (see the body for the order).
fn check_facts(members: Vec<Notification>, on: &str, expected: &str) {
    let family = NotificationFamily::new(members).expect("one family");
    let f = FamilyFacts::of(&family, date(on));
    let got = format!(
        "member {}; en {}; zh {}; products {}; hs {}; objectives {}; cites {}; \
         dist {}; last {}; deadline {}; adoption {}; eif {}; {}; open {}; days {}",
        opt(&f.member),
        opt(&f.title_en),
        opt(&f.title_zh),
        opt(&f.products),
        f.hs_codes.join(","),
        f.objectives.join(","),
        f.cited
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(","),
        opt(&f.distribution_date),
        opt(&f.last_update),
        opt(&f.comment_deadline),
        opt(&f.proposed_adoption),
        opt(&f.entry_into_force),
        f.label.as_str(),
        f.open_for_comment,
        opt(&f.days_left),
    );
    assert_eq!(got, expected, "{} on {on}", family.base());
}

#[test]
fn family_facts_follow_the_base_then_the_newest_member() {
    let water_beads = || {
        vec![
            note(
                "G/TBT/N/USA/2146/Add.2",
                "dist=2025-12-15; title_zh=玩具安全标准:水珠要求; products=水珠玩具; hs=9503; \
                 adoption=2025-12-12; eif=2026-03-12; desc=已发布最终规则，自2026年3月12日起生效",
            ),
            note(
                "G/TBT/N/USA/2146",
                "dist=2024-09-13; member=USA; title_en=Water Beads; products=Water bead toys; \
                 hs=9503; objective=safety; cites=ASTM F963-17; deadline=2024-11-08",
            ),
            note(
                "G/TBT/N/USA/2146/Add.1",
                "dist=2024-11-05; objective=labelling; objective=safety; deadline=2024-12-08; \
                 desc=CPSC extended by 30 days the comment period",
            ),
        ]
    };
    // Titles and products from the base; the Chinese title only the newest addendum has.
    // Add.1's later deadline is the family's; Add.2's dates are the adoption and entry into
    // force (the base proposed none).
    check_facts(
        water_beads(),
        "2024-12-01",
        "member USA; en Water Beads; zh 玩具安全标准:水珠要求; products Water bead toys; \
         hs 9503; objectives safety,labelling; cites ASTM F963-17; dist 2024-09-13; \
         last 2025-12-15; deadline 2024-12-08; adoption 2025-12-12; eif 2026-03-12; \
         adopted; open true; days 7",
    );
    // Comments close after the deadline; the entry into force date passes.
    check_facts(
        water_beads(),
        "2026-03-12",
        "member USA; en Water Beads; zh 玩具安全标准:水珠要求; products Water bead toys; \
         hs 9503; objectives safety,labelling; cites ASTM F963-17; dist 2024-09-13; \
         last 2025-12-15; deadline 2024-12-08; adoption 2025-12-12; eif 2026-03-12; \
         in_force; open false; days -",
    );
    // Without the base: fields from the newest member that has them, the earliest
    // distribution date, the base's proposals absent.
    check_facts(
        vec![
            note(
                "G/SPS/N/SAU/252/Add.1",
                "dist=2023-02-01; title_en=Lifting of the ban; desc=The ban is withdrawn",
            ),
            note(
                "G/SPS/N/SAU/252/Add.2",
                "dist=2023-05-01; deadline=2030-01-01; title_en=Second; member=SAU",
            ),
        ],
        "2024-01-01",
        "member SAU; en Second; zh -; products -; hs ; objectives ; cites ; \
         dist 2023-02-01; last 2023-05-01; deadline 2030-01-01; adoption -; eif -; \
         withdrawn; open false; days -",
    );
    // A base alone: its own proposals, open through its deadline inclusive; the member is the
    // symbol's.
    check_facts(
        vec![note(
            "G/TBT/N/KEN/1",
            "dist=2024-01-01; deadline=2024-03-01; adoption=2024-06-01; eif=2024-12-01",
        )],
        "2024-03-01",
        "member KEN; en -; zh -; products -; hs ; objectives ; cites ; dist 2024-01-01; \
         last 2024-01-01; deadline 2024-03-01; adoption 2024-06-01; eif 2024-12-01; \
         proposed; open true; days 0",
    );
}

fn check_internal(deadline: Option<&str>, lead_days: i64, expected: Option<&str>) {
    assert_eq!(
        internal_deadline(deadline.map(date), lead_days),
        expected.map(date),
        "{deadline:?} - {lead_days}"
    );
}

#[test]
fn internal_deadlines_fall_lead_days_earlier() {
    for (deadline, lead, expected) in [
        (Some("2024-12-08"), 30, Some("2024-11-08")),
        (Some("2024-03-01"), 1, Some("2024-02-29")),
        (Some("2024-03-01"), 0, Some("2024-03-01")),
        (Some("2025-01-10"), 365, Some("2024-01-11")),
        (None, 30, None),
    ] {
        check_internal(deadline, lead, expected);
    }
}

fn check_inherited(member: Option<&str>, market: Option<&str>, expected: Option<&str>) {
    assert_eq!(
        inherited_from(member, market).as_deref(),
        expected,
        "{member:?} in {market:?}"
    );
}

#[test]
fn measures_of_a_union_are_inherited_by_its_member_states() {
    for (member, market, expected) in [
        (Some("EU"), Some("DEU"), Some("EU")),
        (Some("DEU"), Some("DEU"), None),
        (Some("USA"), Some("USA"), None),
        // No member known, or no market asked: nothing to say.
        (None, Some("DEU"), None),
        (Some("EU"), None, None),
    ] {
        check_inherited(member, market, expected);
    }
}

fn check_group(level: Option<&str>, nature: Option<&str>, expected: Option<u8>) {
    assert_eq!(
        chinese_group(level, nature),
        expected,
        "{level:?} {nature:?}"
    );
}

#[test]
fn chinese_standards_group_mandatory_national_first() {
    for (level, nature, expected) in [
        (Some("national"), Some("mandatory"), Some(0)),
        (Some("national"), Some("recommended"), Some(1)),
        (Some("national"), Some("guidance"), Some(1)),
        (Some("national"), None, Some(1)),
        (Some("industry"), Some("mandatory"), Some(2)),
        (Some("local"), Some("recommended"), Some(3)),
        (Some("group"), None, Some(4)),
        (Some("enterprise"), None, Some(4)),
        (Some("international"), None, None),
        (Some("foreign"), None, None),
        (None, None, None),
    ] {
        check_group(level, nature, expected);
    }
}
