//! Laws and regulations split into chapters and articles.

use biaozhun_ingest::regulation::parse_regulation;

use crate::extract_common::{fixtures, shared_data};

fn parse(path: &std::path::Path) -> biaozhun_model::Regulation {
    let name = path.file_name().and_then(|n| n.to_str()).expect("name");
    parse_regulation(name, &std::fs::read_to_string(path).expect("read")).expect(name)
}

fn articles(r: &biaozhun_model::Regulation) -> usize {
    r.sections.iter().filter(|s| s.level == 3).count()
}

#[test]
fn shared_laws() {
    let Some(data) = shared_data() else { return };
    let want = [
        ("标准化法(2017-11-04).md", "标准化法-2017-11-04", 45, 6),
        ("产品质量法(2018-12-29).md", "产品质量法-2018-12-29", 74, 6),
        ("对外贸易法(2022-12-30).md", "对外贸易法-2022-12-30", 69, 11),
        ("计量法(2018-10-26).md", "计量法-2018-10-26", 34, 6),
        (
            "进出口商品检验法(2021-04-29).md",
            "进出口商品检验法-2021-04-29",
            39,
            6,
        ),
        (
            "进出境动植物检疫法(2009-08-27).md",
            "进出境动植物检疫法-2009-08-27",
            50,
            8,
        ),
    ];
    for (file, id, n_articles, n_chapters) in want {
        let r = parse(&data.join("regulations").join(file));
        assert_eq!(r.id, id);
        assert!(r.title.starts_with("中华人民共和国"), "{file}");
        assert_eq!(articles(&r), n_articles, "{file}");
        assert_eq!(
            r.sections.iter().filter(|s| s.level == 1).count(),
            n_chapters,
            "{file}"
        );
        assert_eq!(
            r.issuer.as_deref(),
            Some("全国人民代表大会常务委员会"),
            "{file}"
        );
    }
    let r = parse(&data.join("regulations/标准化法(2017-11-04).md"));
    assert_eq!(r.title, "中华人民共和国标准化法");
    assert_eq!(
        r.promulgated.map(|d| d.to_string()).as_deref(),
        Some("2017-11-04")
    );
    assert_eq!(
        r.effective.map(|d| d.to_string()).as_deref(),
        Some("2018-01-01")
    );
    assert_eq!(
        (r.sections[0].number.as_str(), r.sections[0].title.as_str()),
        ("第一章", "总则")
    );
    let tenth = r
        .sections
        .iter()
        .find(|s| s.number == "第十条")
        .expect("第十条");
    assert!(
        tenth.text.starts_with("对保障人身健康和生命财产安全"),
        "{}",
        tenth.text
    );
}

#[test]
fn fixture_regulation() {
    let r = parse(&fixtures().join("regulations/示例省标准化条例.md"));
    assert_eq!(r.id, "示例省标准化条例");
    assert_eq!(r.title, "示例省标准化条例");
    assert_eq!(articles(&r), 13);
    assert_eq!(
        r.promulgated.map(|d| d.to_string()).as_deref(),
        Some("2024-06-30")
    );
    assert_eq!(r.issuer.as_deref(), Some("示例省人民代表大会常务委员会"));
}

#[test]
fn not_a_regulation() {
    assert!(parse_regulation("x.md", "").is_err());
    assert!(parse_regulation("x.md", "# 标题\n\n没有条文。").is_err());
}
