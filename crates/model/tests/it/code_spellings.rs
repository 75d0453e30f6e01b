//! Real spellings of standard numbers, from the catalogs in shared/data and from users, with the
//! canonical form, level and nature each must produce.

use crate::check;

#[test]
fn full_width_dashes_and_spaces() {
    check("GB/T 7714-2015", "GB/T 7714-2015; national; recommended");
    check(
        "ＧＢ／Ｔ　７７１４—２０１５",
        "GB/T 7714-2015; national; recommended",
    );
    check(
        "ＧＢ/Ｔ 19001－2016",
        "GB/T 19001-2016; national; recommended",
    );
    check("GB/T 7714‐2015", "GB/T 7714-2015; national; recommended");
    check("GB/T 7714–2015", "GB/T 7714-2015; national; recommended");
    check("GB/T 7714—2015", "GB/T 7714-2015; national; recommended");
    check("GB/T 7714―2015", "GB/T 7714-2015; national; recommended");
    check("GB/T 7714－2015", "GB/T 7714-2015; national; recommended");
    check("GB/T7714一2015", "GB/T 7714-2015; national; recommended");
    check("GB/T 7714 - 2015", "GB/T 7714-2015; national; recommended");
    check(
        "  GB/T   7714-2015 ",
        "GB/T 7714-2015; national; recommended",
    );
    check("GB 2763—2019", "GB 2763-2019; national; mandatory");
    check(
        "DB14/T 2654—2023",
        "DB14/T 2654-2023; local; recommended; 山西省",
    );
    check("MZ/T 239—2025", "MZ/T 239-2025; industry; recommended");
    check("NB/T 10612—2021", "NB/T 10612-2021; industry; recommended");
}

#[test]
fn missing_slash_space_dash_or_year() {
    check("GBT7714", "GB/T 7714; national; recommended");
    check("GB/T7714-2015", "GB/T 7714-2015; national; recommended");
    check("gb t 7714", "GB/T 7714; national; recommended");
    check("gb/t 22080-2016", "GB/T 22080-2016; national; recommended");
    check("GB_T 7714-2015", "GB/T 7714-2015; national; recommended");
    check("GB_T_7714-2015", "GB/T 7714-2015; national; recommended");
    check("GB T 7714 2015", "GB/T 7714-2015; national; recommended");
    check("GBT77142015", "GB/T 7714-2015; national; recommended");
    check("GBT148331993", "GB/T 14833-1993; national; recommended");
    check(
        "DB37T29042019",
        "DB37/T 2904-2019; local; recommended; 山东省",
    );
    check("NY/T391-2013", "NY/T 391-2013; industry; recommended");
    check("SJ/T11364-2014", "SJ/T 11364-2014; industry; recommended");
    check("JYT 0627-2020", "JY/T 0627-2020; industry; recommended");
    check("MTT 113", "MT/T 113; industry; recommended");
    check("GB 2763", "GB 2763; national; mandatory");
    check("GB/T 12019", "GB/T 12019; national; recommended");
}

#[test]
fn national_prefixes() {
    check("GB 7718-2011", "GB 7718-2011; national; mandatory");
    check("GB/Z 30154-2013", "GB/Z 30154-2013; national; guidance");
    check("GBZ 30154-2013", "GB/Z 30154-2013; national; guidance");
    check("GBZ 2.1-2019", "GBZ 2.1-2019; national; mandatory");
    check(
        "GBZ/T 229.1-2010",
        "GBZ/T 229.1-2010; national; recommended",
    );
    check("GBJ 16-87", "GBJ 16-1987; national; mandatory");
    check("TJ 307-77", "TJ 307-1977; national; mandatory");
}

#[test]
fn parts_with_dots() {
    check("GB 4789.15-2016", "GB 4789.15-2016; national; mandatory");
    check("T/CACM 1020.148-2019", "T/CACM 1020.148-2019; group; -");
    check("T/CACM 1020.148—2019", "T/CACM 1020.148-2019; group; -");
    check("HJ 2.4-2021", "HJ 2.4-2021; industry; mandatory");
    check(
        "GB/T 16895.19-2017",
        "GB/T 16895.19-2017; national; recommended",
    );
    check(
        "JB/T 5000.11-1998",
        "JB/T 5000.11-1998; industry; recommended",
    );
    check(
        "TY/T 3501.6-2024",
        "TY/T 3501.6-2024; industry; recommended",
    );
    check(
        "JR/T 0025.17-2013",
        "JR/T 0025.17-2013; industry; recommended",
    );
    check(
        "SB/T 11174.5-2016",
        "SB/T 11174.5-2016; industry; recommended",
    );
}

#[test]
fn two_digit_years_and_leading_zeros() {
    check("GB 2877-81", "GB 2877-1981; national; mandatory");
    check("SJ 3160-88", "SJ 3160-1988; industry; mandatory");
    check("LB/T 041-2015", "LB/T 041-2015; industry; recommended");
    check("LB/T 41-2015", "LB/T 41-2015; industry; recommended");
    check("JR/T 0295-2023", "JR/T 0295-2023; industry; recommended");
    check("YY 0572-2015", "YY 0572-2015; industry; mandatory");
    check("T/AOPA 0001—2023", "T/AOPA 0001-2023; group; -");
    check("T/BSSF  0001—2024", "T/BSSF 0001-2024; group; -");
}

/// Padded official numbers (the NMPA medical-device catalog, financial and group standards):
/// the canonical form keeps the zeros the issuer prints, every padding finds the same standard,
/// and the padding-insensitive key is the same for all of them.
#[test]
fn padded_official_numbers() {
    use biaozhun_model::StandardCode;
    check("YY 0505-2012", "YY 0505-2012; industry; mandatory");
    check("YY/T 0316-2016", "YY/T 0316-2016; industry; recommended");
    check("YYT0316-2016", "YY/T 0316-2016; industry; recommended");
    check("yy0505-2012", "YY 0505-2012; industry; mandatory");
    check("YY 0505—2012", "YY 0505-2012; industry; mandatory");
    check(
        "YY/T 0466.1-2023",
        "YY/T 0466.1-2023; industry; recommended",
    );
    check(
        "JR/T 0025.1-2018",
        "JR/T 0025.1-2018; industry; recommended",
    );
    check("T/CAS 001-2019", "T/CAS 001-2019; group; -");
    check("GM/T 0031-2014", "GM/T 0031-2014; industry; recommended");
    check("GMT00312014", "GM/T 0031-2014; industry; recommended");
    check("WS/T 0449-2014", "WS/T 0449-2014; industry; recommended");
    check("YY 505-2012", "YY 505-2012; industry; mandatory");
    check("YY 0505", "YY 0505; industry; mandatory");
    // One standard whatever the padding: same key, same standard, same unpadded form.
    let spellings = [
        "YY 0505-2012",
        "YY 505-2012",
        "yy0505-2012",
        "YY 00505-2012",
    ];
    let codes: Vec<StandardCode> = spellings
        .iter()
        .map(|s| StandardCode::parse(s).expect("parse"))
        .collect();
    for (s, c) in spellings.iter().zip(&codes) {
        assert_eq!(c.unpadded().to_string(), "YY 505-2012", "{s}");
        assert!(c.same_standard(&codes[0]), "{s}");
        assert_eq!(c.is_padded(), *s != "YY 505-2012", "{s}");
    }
    for (padded, key) in [
        ("JR/T 0025.01-2018", "JR/T 25.1-2018"),
        ("T/CAS 001-2019", "T/CAS 1-2019"),
        ("T/XCFW TG06-011.9-2023", "T/XCFW TG06-11.9-2023"),
        ("GB/T 7714-2015", "GB/T 7714-2015"),
        ("ISO 0690:2010", "ISO 0690:2010"),
    ] {
        let c = StandardCode::parse(padded).expect("parse");
        assert_eq!(c.unpadded().to_string(), key, "{padded}");
        // The key is a code in its own right and parses back to itself.
        let again = StandardCode::parse(key).expect("key parses");
        assert_eq!(again.unpadded(), c.unpadded(), "{padded}");
    }
    assert!(!StandardCode::parse("YY 505-2012")
        .expect("p")
        .same_standard(&StandardCode::parse("YY 5050-2012").expect("p")));
}

#[test]
fn industry_prefixes() {
    check("NY/T 391-2021", "NY/T 391-2021; industry; recommended");
    check("NY 525-2012", "NY 525-2012; industry; mandatory");
    check("HG/T 2290-2009", "HG/T 2290-2009; industry; recommended");
    check("HG 2290-1992", "HG 2290-1992; industry; mandatory");
    check("JR/T 0074-2012", "JR/T 0074-2012; industry; recommended");
    check("YY/T 0287-2017", "YY/T 0287-2017; industry; recommended");
    check("SJ/Z 11388-2009", "SJ/Z 11388-2009; industry; guidance");
    check(
        "SN/T 1588.3-2013",
        "SN/T 1588.3-2013; industry; recommended",
    );
    check("CJ/T 405-2012", "CJ/T 405-2012; industry; recommended");
    check("JGJ 107-2003", "JGJ 107-2003; industry; mandatory");
    check("JC 518-1993", "JC 518-1993; industry; mandatory");
    check("JG/T 231-2018", "JG/T 231-2018; industry; recommended");
    check("QB 1206-1991", "QB 1206-1991; industry; mandatory");
    check("WB/T 1106-2021", "WB/T 1106-2021; industry; recommended");
    check("YS/T 72-2014", "YS/T 72-2014; industry; recommended");
    check("SH/T 3539-2019", "SH/T 3539-2019; industry; recommended");
    check("GH/T 1135-2024", "GH/T 1135-2024; industry; recommended");
    check("JJF 1059.1-2012", "JJF 1059.1-2012; industry; mandatory");
    check("CJJ 1-2008", "CJJ 1-2008; industry; mandatory");
    check("JTG D60-2015", "JTG D60-2015; industry; mandatory");
    check("JTG/T F50-2011", "JTG/T F50-2011; industry; recommended");
    check("TSG 21-2016", "TSG 21-2016; industry; mandatory");
    check("TSG Z6001-2019", "TSG Z6001-2019; industry; mandatory");
}

#[test]
fn local_standards() {
    check(
        "DB62/T 2704-2016",
        "DB62/T 2704-2016; local; recommended; 甘肃省",
    );
    check("DB62T2704", "DB62/T 2704; local; recommended; 甘肃省");
    check(
        "DB 37/T 2904-2019",
        "DB37/T 2904-2019; local; recommended; 山东省",
    );
    check("DB62/1669-2007", "DB62 1669-2007; local; mandatory; 甘肃省");
    check(
        "DB62/ 1669-2007",
        "DB62 1669-2007; local; mandatory; 甘肃省",
    );
    check("DB62 1669-2007", "DB62 1669-2007; local; mandatory; 甘肃省");
    check("DB621669-2007", "DB62 1669-2007; local; mandatory; 甘肃省");
    check(
        "DB1307/T 123-2020",
        "DB1307/T 123-2020; local; recommended; 河北省",
    );
    check(
        "DB1331/T 117-2025",
        "DB1331/T 117-2025; local; recommended; 河北省",
    );
    check(
        "DB11/T 1606-2018",
        "DB11/T 1606-2018; local; recommended; 北京市",
    );
    check("DB99/T 1-2020", "!unknown region");
    check("DB/T 1-2020", "!unknown standard prefix");
}

#[test]
fn group_and_enterprise() {
    check("T/CACM 1020.148-2019", "T/CACM 1020.148-2019; group; -");
    check("T CACM 1020.148-2019", "T/CACM 1020.148-2019; group; -");
    check("TCACM1020.148-2019", "T/CACM 1020.148-2019; group; -");
    check("T/ZZB 0889-2018", "T/ZZB 0889-2018; group; -");
    check("T/CECS 10067—2019", "T/CECS 10067-2019; group; -");
    check("T/PTSHOES GS001—2017", "T/PTSHOES GS001-2017; group; -");
    check("T/XCFW TG06-011.9—2023", "T/XCFW TG06-011.9-2023; group; -");
    check("T/SXSF 1.4-2024", "T/SXSF 1.4-2024; group; -");
    check("Q/GDW 1168-2013", "Q/GDW 1168-2013; enterprise; -");
    check("Q/GDW1168-2013", "Q/GDW 1168-2013; enterprise; -");
    check("T/CSGF T/CSGF024—2023", "!no number");
}

#[test]
fn international_and_foreign() {
    check("ISO 690:2010", "ISO 690:2010; international; -");
    check("ISO690:2010", "ISO 690:2010; international; -");
    check("iso 690-2010", "ISO 690:2010; international; -");
    check("ISO/IEC 27001:2022", "ISO/IEC 27001:2022; international; -");
    check("ISO IEC 27001:2022", "ISO/IEC 27001:2022; international; -");
    check("ISO/IEC 17025:2017", "ISO/IEC 17025:2017; international; -");
    check("ISO/TS 16949:2009", "ISO/TS 16949:2009; international; -");
    check(
        "ISO/IEC TR 27019:2013",
        "ISO/IEC TR 27019:2013; international; -",
    );
    check("ISO 8124-1:2018", "ISO 8124-1:2018; international; -");
    check(
        "IEC 60335-2-29:2016",
        "IEC 60335-2-29:2016; international; -",
    );
    check("IEC 62133", "IEC 62133; international; -");
    check("EN 71-1:2014", "EN 71-1:2014; foreign; -");
    check("BS EN 71-1:2014", "BS EN 71-1:2014; foreign; -");
    check("DIN EN ISO 9001:2015", "DIN EN ISO 9001:2015; foreign; -");
    check("EN ISO 13485:2016", "EN ISO 13485:2016; foreign; -");
    check("ASTM F963-17", "ASTM F963-17; foreign; -");
    check("ASTM F963-2017", "ASTM F963-17; foreign; -");
    check("ASTM D6400-21", "ASTM D6400-21; foreign; -");
    check("ANSI/UL 94", "ANSI/UL 94; foreign; -");
    check("ANSI Z87.1-2020", "ANSI Z87.1-2020; foreign; -");
    check("JIS Z 8301:2019", "JIS Z 8301:2019; foreign; -");
    check("JIS S 1001", "JIS S 1001; foreign; -");
    check("BS 1363-1:2016", "BS 1363-1:2016; foreign; -");
    check("DIN 53160-1:2010", "DIN 53160-1:2010; foreign; -");
    check("AS/NZS 3820:2009", "AS/NZS 3820:2009; foreign; -");
    check("GOST 30333-2007", "GOST 30333-2007; foreign; -");
    check(
        "GOST R 51318.14.1-2006",
        "GOST R 51318.14.1-2006; foreign; -",
    );
    check(
        "CODEX STAN 193-1995",
        "CODEX STAN 193-1995; international; -",
    );
    check("CXS 193-1995", "CXS 193-1995; international; -");
    check("CAC/GL 2-1985", "CAC/GL 2-1985; international; -");
    check("EAS 1096-2:2023", "EAS 1096-2:2023; foreign; -");
}

#[test]
fn amendments() {
    check(
        "ISO 8124-1:2018/Amd 1:2020",
        "ISO 8124-1:2018/Amd 1:2020; international; -",
    );
    check(
        "ISO 8124-1:2018/AMD1:2020",
        "ISO 8124-1:2018/Amd 1:2020; international; -",
    );
    check(
        "IEC 60335-1:2010+AMD1:2013",
        "IEC 60335-1:2010/Amd 1:2013; international; -",
    );
    check(
        "ISO 9001:2008/Cor 1:2009",
        "ISO 9001:2008/Cor 1:2009; international; -",
    );
    check("EN 71-1:2014+A1:2018", "EN 71-1:2014+A1:2018; foreign; -");
    check(
        "GB 2763-2021/XG1-2023",
        "GB 2763-2021/XG1-2023; national; mandatory",
    );
    check(
        "IEC 60335-1:2010+AMD1:2013+AMD2:2016",
        "!unexpected \"+AMD2:2016\"",
    );
}

#[test]
fn errors_say_why() {
    check("", "!empty");
    check("   ", "!empty");
    check("7714-2015", "!no standard prefix");
    check("ABC 12", "!unknown standard prefix \"ABC\"");
    check("GB/T", "!no number");
    check("ISO", "!no number");
    check("GB/T 7714-2015 x", "!unexpected \"X\"");
    check("GB/T 7714-20155", "!invalid year \"20155\"");
    check("GB 123-3015", "!invalid year \"3015\"");
    check("ISO 690:20", "!invalid year \"20\"");
    check("TC291", "!unknown standard prefix \"TC\"");
    check("T/DLSHXH T/DLSHXH 001--2017", "!no number");
    check("《GB/T 7714》", "!no standard prefix");
}

#[test]
fn fields_and_aliases() {
    use biaozhun_model::StandardCode;
    let c = StandardCode::parse("DB62/T 2704-2016").expect("parse");
    assert_eq!(c.key(), "DB62/T 2704");
    assert_eq!(c.base_prefix(), "DB62");
    assert_eq!(c.prefix(), "DB62/T");
    assert_eq!(c.number(), "2704");
    assert_eq!(c.year(), Some(2016));
    assert_eq!(c.without_year().to_string(), "DB62/T 2704");
    assert_eq!(c.compact(), "db62t27042016");
    let g = StandardCode::parse("GB 7714-2015").expect("parse");
    let alias = g.alias().expect("alias");
    assert_eq!(alias.to_string(), "GB/T 7714-2015");
    assert_eq!(alias.alias().map(|a| a.to_string()), Some(g.to_string()));
    assert!(StandardCode::parse("NY/T 391")
        .expect("p")
        .alias()
        .is_none());
    let a = StandardCode::parse("LB/T 041-2015").expect("p");
    let b = StandardCode::parse("LB/T 41-2017").expect("p");
    assert!(a.same_standard(&b));
    assert_eq!(
        StandardCode::parse("NY/T 391")
            .expect("p")
            .industry()
            .map(|i| i.sector_zh),
        Some("农业")
    );
    let amd = StandardCode::parse("ISO 8124-1:2018/Amd 1:2020").expect("p");
    assert_eq!(amd.amendment().as_deref(), Some("/Amd 1:2020"));
    assert_eq!(amd.key(), "ISO 8124-1");
    assert_eq!(amd.without_year().to_string(), "ISO 8124-1");
    let json = serde_json::to_string(&c).expect("serialise");
    assert_eq!(json, "\"DB62/T 2704-2016\"");
    let back: StandardCode = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, c);
    assert!(serde_json::from_str::<StandardCode>("\"nonsense\"").is_err());
    let mut v: Vec<StandardCode> = ["GB 10", "GB 2", "GB 2-1990"]
        .iter()
        .map(|s| StandardCode::parse(s).expect("p"))
        .collect();
    v.sort();
    let sorted: Vec<String> = v.iter().map(ToString::to_string).collect();
    assert_eq!(sorted, ["GB 2", "GB 2-1990", "GB 10"]);
}
