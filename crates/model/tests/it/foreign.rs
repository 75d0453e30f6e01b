//! Foreign and international standard numbers in the spellings foreign catalogs, Chinese
//! adoption fields and exporters use: every body in either year style (`:2015`, `-2015`).

use crate::check;

#[test]
fn every_body_in_both_year_styles() {
    for (colon, dash, want) in [
        (
            "ISO 13485:2016",
            "ISO 13485-2016",
            "ISO 13485:2016; international; -",
        ),
        (
            "IEC 60335-1:2010",
            "IEC 60335-1-2010",
            "IEC 60335-1:2010; international; -",
        ),
        ("EN 71-1:2014", "EN 71-1-2014", "EN 71-1:2014; foreign; -"),
        (
            "JIS Z 8301:2019",
            "JIS Z 8301-2019",
            "JIS Z 8301:2019; foreign; -",
        ),
        ("BS 1363:2016", "BS 1363-2016", "BS 1363:2016; foreign; -"),
        (
            "DIN 1988:2015",
            "DIN 1988-2015",
            "DIN 1988:2015; foreign; -",
        ),
        (
            "KS C 9814:2015",
            "KS C 9814-2015",
            "KS C 9814:2015; foreign; -",
        ),
        (
            "GOST 30333:2007",
            "GOST 30333-2007",
            "GOST 30333-2007; foreign; -",
        ),
        (
            "ANSI/UL 94:2013",
            "ANSI/UL 94-2013",
            "ANSI/UL 94-2013; foreign; -",
        ),
    ] {
        check(colon, want);
        check(dash, want);
    }
    check("ASTM B440-2012", "ASTM B440-12; foreign; -");
    check("ASTM F963-17", "ASTM F963-17; foreign; -");
    check("UL 94", "UL 94; foreign; -");
    check("iso13485", "ISO 13485; international; -");
    check("OHSAS 18001:1999", "OHSAS 18001:1999; foreign; -");
}

#[test]
fn korean_adoptions_keep_the_adopted_body() {
    check("KS C IEC 60601-1:2015", "KS C IEC 60601-1:2015; foreign; -");
    check("KS X ISO 9001-2015", "KS X ISO 9001:2015; foreign; -");
    check("ks b iso 1234", "KS B ISO 1234; foreign; -");
}

#[test]
fn gost_in_cyrillic() {
    check("ГОСТ 30333-2007", "GOST 30333-2007; foreign; -");
    check(
        "ГОСТ Р 51318.14.1-2006",
        "GOST R 51318.14.1-2006; foreign; -",
    );
    check("гост р 51318-2006", "GOST R 51318-2006; foreign; -");
    check("ГОСТ IEC 60335-1-2015", "GOST IEC 60335-1-2015; foreign; -");
}
