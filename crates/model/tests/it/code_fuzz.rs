//! Parsing never panics: every substring (on char boundaries) of a mixed sample goes through
//! `parse` and `find_all`, and whatever parses round-trips.

use biaozhun_model::{NotificationSymbol, StandardCode};

const SAMPLE: &str = "按ＧＢ／Ｔ　７７１４—２０１５、DB62/1669-2007、T/CACM 1020.148—2019、\
    ISO/IEC 27001:2022/Amd 1:2024 与 ASTM F963-17 执行；GBT148331993 JYT 0627-2020 \
    DB1307/T 123 Q/GDW1168-2013 gb t 7714 GB 2877-81 EN 71-1:2014+A1:2018 ①②ﬁ㎏ \
    G/TBT/N/USA/2146/Add.1 IS 2015 8 GB 2023 一‐–―－ _/:.— \u{0}\u{feff}é\u{301}";

#[test]
fn parse_never_panics_on_any_substring() {
    let bounds: Vec<usize> = SAMPLE
        .char_indices()
        .map(|(i, _)| i)
        .chain([SAMPLE.len()])
        .collect();
    let mut parsed = 0usize;
    let mut tried = 0usize;
    for (a, &from) in bounds.iter().enumerate() {
        for &to in &bounds[a..] {
            if to - from > 40 {
                break;
            }
            let s = &SAMPLE[from..to];
            tried += 1;
            if let Ok(code) = StandardCode::parse(s) {
                parsed += 1;
                let again = StandardCode::parse(&code.to_string())
                    .unwrap_or_else(|e| panic!("{s:?} → {code} does not reparse: {e}"));
                assert_eq!(again, code, "round trip of {s:?}");
            }
            let _ = NotificationSymbol::parse(s);
        }
        // find_all on every suffix, and its ranges always slice the text.
        let tail = &SAMPLE[from..];
        for (range, _) in StandardCode::find_all(tail) {
            assert!(tail.get(range).is_some());
        }
        let _ = NotificationSymbol::find_all(tail);
    }
    println!("{tried} substrings, {parsed} parsed as codes");
    assert!(parsed > 100);
}

#[test]
fn hostile_inputs() {
    for s in [
        "DB",
        "DB6",
        "DB62/",
        "DB62/T",
        "T/",
        "T/ ",
        "Q/",
        "Q/123",
        "GB/T 7714-",
        "GB/T 7714:2015",
        "ISO/",
        "ISO/IEC",
        "ASTM F",
        "ISO 1:2018/Amd",
        "ISO 1:2018/Amd x",
        "GB 1-2015/XG",
        "GB 99999999999999999999999",
        "GB 1.1.1.1.1.1.1.1-2015",
        "\u{3000}\u{3000}",
        "—————",
        "GB/T 7714—２０１５—２０１５",
    ] {
        let _ = StandardCode::parse(s);
        let _ = StandardCode::find_all(s);
    }
    let long = "GB/T 1.".repeat(2000) + &"GB/T 1. ".repeat(2000);
    let _ = StandardCode::parse(&long);
    assert_eq!(StandardCode::find_all(&long).len(), 2000);
}

/// Inputs found by `cargo fuzz run standard_code` (fuzz/README.md): each must round-trip
/// through its canonical string.
#[test]
fn fuzz_regressions_round_trip() {
    for input in [
        // A group number part `0019` lost its zeros and re-read as the year 2019.
        &b"T/CACM 0\xe2\x80\x940019"[..],
        b"T/CACM 0-0019",
        b"T/CACM 5-02019",
    ] {
        let s = std::str::from_utf8(input).expect("utf8");
        let code = StandardCode::parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"));
        let again = StandardCode::parse(&code.to_string())
            .unwrap_or_else(|e| panic!("{s:?} → {code} does not reparse: {e}"));
        assert_eq!(again, code, "round trip of {s:?} via {code}");
    }
    // Two-digit year parts still mean a year.
    let code = StandardCode::parse("T/CACM 0-19").expect("parse");
    assert_eq!((code.number(), code.year()), ("0", Some(2019)));
}
