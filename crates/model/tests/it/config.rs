//! Loads `index-config/glossary.toml` and `index-config/hs-chapters.toml` and validates them,
//! and checks that validation reports broken files instead of accepting them.

use biaozhun_model::glossary::{ConfigProblem, GlossaryFile, HsChapterFile, TermKind};
use biaozhun_model::{Glossary, HsChapters};

use crate::data::index_config;

fn glossary() -> Glossary {
    let path = index_config().join("glossary.toml");
    let text = std::fs::read_to_string(&path).expect("read glossary.toml");
    let file: GlossaryFile = toml::from_str(&text).expect("glossary.toml parses");
    Glossary::build(file).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn chapters() -> HsChapters {
    let path = index_config().join("hs-chapters.toml");
    let text = std::fs::read_to_string(&path).expect("read hs-chapters.toml");
    let file: HsChapterFile = toml::from_str(&text).expect("hs-chapters.toml parses");
    file.validate()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `expand(term)` as a sorted list, for table checks.
fn check_expand(g: &Glossary, term: &str, expected: &[&str]) {
    let mut got = g.expand(term);
    got.sort_unstable();
    let mut want = expected.to_vec();
    want.sort_unstable();
    assert_eq!(got, want, "expand({term:?})");
}

#[test]
fn glossary_file_is_valid_and_expands_both_ways() {
    let g = glossary();
    let terms: usize = g.groups().iter().map(|gr| gr.terms().count()).sum();
    println!("{} groups, {terms} terms", g.groups().len());
    assert!(g.groups().len() >= 200);
    for kind in [TermKind::Product, TermKind::Measure, TermKind::Body] {
        assert!(g.groups().iter().any(|gr| gr.kind == kind), "{kind:?}");
    }
    check_expand(&g, "玩具", &["玩具", "toys", "toy"]);
    check_expand(&g, "Toys", &["玩具", "toys", "toy"]);
    check_expand(
        &g,
        "ＭＲＬ",
        &[
            "最大残留限量",
            "残留限量",
            "maximum residue limits",
            "maximum residue limit",
            "mrl",
            "mrls",
        ],
    );
    check_expand(
        &g,
        "土豆",
        &["马铃薯", "土豆", "洋芋", "potatoes", "potato"],
    );
    check_expand(
        &g,
        "biocidal  products",
        &["生物杀灭剂", "杀生物剂", "biocidal products", "biocides"],
    );
    for (zh, en) in [
        ("化妆品", "cosmetics"),
        ("口罩", "face masks"),
        ("电池", "batteries"),
        ("食品接触材料", "food contact materials"),
        ("压力设备", "pressure equipment"),
        ("储罐", "tanks"),
        ("苹果", "apples"),
        ("兽药", "veterinary drugs"),
        ("食品添加剂", "food additives"),
        ("标签", "labelling"),
        ("电器", "electrical appliances"),
        ("能效", "energy efficiency"),
        ("医疗器械", "medical devices"),
        ("纺织品", "textiles"),
        ("轮胎", "tyres"),
        ("建材", "construction products"),
        ("钢铁", "steel"),
        ("技术法规", "technical regulations"),
        ("合格评定", "conformity assessment"),
        ("认证", "certification"),
        ("注册", "registration"),
        ("进口", "import"),
        ("中药材", "chinese medicinal herbs"),
        ("农药残留", "pesticide residues"),
    ] {
        assert!(g.expand(zh).contains(&en), "{zh} ↔ {en}");
        assert!(g.expand(en).contains(&zh), "{en} ↔ {zh}");
    }
    assert!(g.expand("no such term").is_empty());
}

#[test]
fn hs_chapter_file_has_all_chapters() {
    let c = chapters();
    assert_eq!(c.all().len(), 97);
    let real: Vec<_> = c.all().iter().filter(|ch| !ch.reserved).collect();
    assert_eq!(real.len(), 96, "96 chapters plus reserved 77");
    assert!(c.get("77").is_some_and(|ch| ch.reserved));
    assert_eq!(c.get("01").map(|ch| ch.en.as_str()), Some("Animals; live"));
    let toys = biaozhun_model::HsCode::parse("9503").expect("hs");
    assert!(c.of(&toys).is_some_and(|ch| ch.zh.starts_with("玩具")));
    assert_eq!(c.get("72").map(|ch| ch.zh.as_str()), Some("钢铁"));
}

#[test]
fn validation_reports_every_problem() {
    let bad: GlossaryFile = toml::from_str(
        r#"
        version = 2
        [[group]]
        kind = "product"
        zh = ["玩具"]
        en = []
        [[group]]
        kind = "product"
        zh = ["玩具", " "]
        en = ["toys"]
        "#,
    )
    .expect("toml");
    let err = Glossary::build(bad).expect_err("invalid");
    assert!(err.problems.contains(&ConfigProblem::Version(2)));
    assert!(err
        .problems
        .contains(&ConfigProblem::NotBilingual { group: 0 }));
    assert!(err
        .problems
        .contains(&ConfigProblem::EmptyTerm { group: 1 }));
    assert!(err.problems.contains(&ConfigProblem::DuplicateTerm {
        term: "玩具".into(),
        first: 0,
        second: 1
    }));
    assert!(err.to_string().starts_with("invalid glossary: "));
    let unknown = toml::from_str::<GlossaryFile>("version = 1\n[[group]]\nkind = \"x\"\n");
    assert!(unknown.is_err(), "unknown kind is refused");
    let typo = toml::from_str::<GlossaryFile>("version = 1\nversoin = 1\n");
    assert!(typo.is_err(), "unknown fields are refused");

    let chapters: HsChapterFile = toml::from_str(
        r#"
        version = 1
        [[chapter]]
        code = "01"
        section = "I"
        zh = "活动物"
        en = "Animals; live"
        [[chapter]]
        code = "01"
        section = "I"
        zh = ""
        en = "x"
        [[chapter]]
        code = "98"
        section = "XXI"
        zh = "x"
        en = "x"
        "#,
    )
    .expect("toml");
    let err = chapters.validate().expect_err("invalid");
    assert!(err
        .problems
        .contains(&ConfigProblem::DuplicateChapter("01".into())));
    assert!(err
        .problems
        .contains(&ConfigProblem::UnnamedChapter("01".into())));
    assert!(err
        .problems
        .contains(&ConfigProblem::BadChapter("98".into())));
    assert!(err
        .problems
        .contains(&ConfigProblem::MissingChapter("97".into())));
}
