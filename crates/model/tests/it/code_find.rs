//! `StandardCode::find_all` on sentences: normative references, notification texts and queries,
//! and the English prose that must not produce codes.

use biaozhun_model::StandardCode;

/// Checks the codes found in `text` (canonical forms) and that each range covers exactly what
/// was parsed.
fn check_found(text: &str, expected: &[&str]) {
    let found = StandardCode::find_all(text);
    let got: Vec<String> = found.iter().map(|(_, c)| c.to_string()).collect();
    assert_eq!(got, expected, "in {text:?}");
    for (range, code) in &found {
        let slice = text.get(range.clone()).expect("range on char boundaries");
        let again = StandardCode::parse(slice)
            .unwrap_or_else(|e| panic!("range {slice:?} of {text:?} does not parse: {e}"));
        assert_eq!(&again, code, "range {slice:?} in {text:?}");
    }
}

#[test]
fn normative_references() {
    // Padded official numbers keep their zeros in prose too.
    check_found(
        "产品应符合YY 0505—2012、YY/T 0316-2016和JR/T 0025.1-2018的要求。",
        &["YY 0505-2012", "YY/T 0316-2016", "JR/T 0025.1-2018"],
    );
    check_found(
        "下列文件：GB/T 7714—\n2015 信息与文献；ＧＢ　２７６３ 食品；ISO 690:2010。",
        &["GB/T 7714-2015", "GB 2763", "ISO 690:2010"],
    );
    check_found(
        "GB/T 1.1—2020 标准化工作导则 第1部分：标准化文件的结构和起草规则",
        &["GB/T 1.1-2020"],
    );
    check_found(
        "本文件按照GB/T 1.1-2020的规定起草。本文件代替DB62/T 2704—2016。",
        &["GB/T 1.1-2020", "DB62/T 2704-2016"],
    );
    check_found(
        "GB 4789.15-2016、GB 5009.3 和 NY/T 391-2021 适用于本文件。",
        &["GB 4789.15-2016", "GB 5009.3", "NY/T 391-2021"],
    );
    check_found(
        "有机肥料应符合NY 525《有机肥料》的要求，生产过程执行T/CACM 1020.148-2019。",
        &["NY 525", "T/CACM 1020.148-2019"],
    );
    check_found(
        "GB/T 20000.1-2014/ISO/IEC Guide 2:2004, MOD",
        &["GB/T 20000.1-2014", "ISO/IEC GUIDE 2:2004"],
    );
    check_found(
        "地方标准DB1307/T 123-2020与DB62/1669-2007并行。",
        &["DB1307/T 123-2020", "DB62 1669-2007"],
    );
    check_found("JTG D60-2015 公路桥涵设计通用规范", &["JTG D60-2015"]);
}

#[test]
fn notification_texts() {
    check_found(
        "CPSC proposes to add water-bead requirements to the mandatory toy rule at 16 CFR 1250, \
         which builds on ASTM F963: a cap on how much a bead may grow when wet.",
        &["ASTM F963"],
    );
    check_found(
        "The toy rule incorporates ASTM F963-17 and EN 71-1:2014+A1:2018 by reference.",
        &["ASTM F963-17", "EN 71-1:2014+A1:2018"],
    );
    check_found(
        "Box 4 should have listed HS heading 9503 (HS 9503.00) and ISO 8124-1:2018/Amd 1:2020.",
        &["ISO 8124-1:2018/Amd 1:2020"],
    );
    check_found(
        "Joint EAC addendum: Part 2 of DEAS 1096 was adopted as EAS 1096-2:2023 on 25 August.",
        &["EAS 1096-2:2023"],
    );
    check_found(
        "Thai Industrial Standard for canned pineapple (TIS 51-2562 (2019)) was published.",
        &["TIS 51-2562"],
    );
    check_found(
        "See G/TBT/N/USA/2146/Add.1 and G/SPS/N/CHN/1148 for details.",
        &[],
    );
    check_found(
        "Compliance with IEC 62133 and UL 2054 is required.",
        &["IEC 62133", "UL 2054"],
    );
}

#[test]
fn english_prose_is_not_codes() {
    check_found("This IS 2015 all over again.", &[]);
    check_found("It is 2015 and the EN version is out.", &[]);
    check_found("AS 2015 ended, SS 100 sailed; API 2 was released.", &[]);
    check_found("The EN text and the AS text differ.", &[]);
    check_found(
        "A laptop with 8 GB 2023 model RAM and 16 MT 100 units.",
        &[],
    );
    check_found(
        "The LD 50 of the substance and SC 2 results; CH 4 emissions.",
        &[],
    );
    check_found("Product of HS 9503, see T CELL 12 and Q 3 results.", &[]);
    check_found("ISO 2015 was a good year for ISO.", &[]);
    check_found("the iso 9001 certificate and en 71 tests", &[]);
}

#[test]
fn queries() {
    check_found("gb/t 7714 参考文献", &["GB/T 7714"]);
    check_found("gb 2763 农药残留", &["GB 2763"]);
    check_found("ny/t 391 绿色食品", &["NY/T 391"]);
    check_found("db62/t 2704 马铃薯", &["DB62/T 2704"]);
    check_found("ISO 9001 质量管理体系", &["ISO 9001"]);
    check_found("BS EN 71-1:2014 toys", &["BS EN 71-1:2014"]);
    check_found("EN 1176 playground", &["EN 1176"]);
    check_found("AS/NZS 3820 electrical", &["AS/NZS 3820"]);
}

/// Every code `find_all` reads in the real notification texts (titles, products, summaries):
/// the list is checked by hand, so a new false positive shows up as a diff.
#[test]
fn codes_cited_in_the_real_notifications() {
    let Some(root) = crate::data::shared_data() else {
        return;
    };
    let path = root.join("notifications/wto-notifications-facts.jsonl");
    let mut found = std::collections::BTreeSet::new();
    for r in crate::data::read_jsonl(&path) {
        for field in ["title_en", "title_zh", "products", "description_summary"] {
            if let Some(t) = r[field].as_str() {
                for (_, c) in StandardCode::find_all(t) {
                    found.insert(c.to_string());
                }
            }
        }
    }
    // Not found, on purpose: `HS 2` (an HS heading), `TIS 51` (ambiguous body, no year),
    // `DEAS 1096` (a draft, not a standard). Not supported: Mexican `NOM-062-SAG/PESC-2014`.
    // `TIS 51-2562` keeps the Thai Buddhist-era year as a number part.
    let expected = [
        "ASTM F963",
        "ASTM F963-17",
        "EAS 1089:2022",
        "EAS 1096-2:2023",
        "EAS 1101:2023",
        "EAS 888:2022",
        "TIS 51-2562",
    ];
    assert_eq!(
        found.iter().map(String::as_str).collect::<Vec<_>>(),
        expected
    );
}
