//! Fuzzes the standard-number parser: `StandardCode::parse` must never panic, whatever it
//! accepts must round-trip through its canonical string, and every range `find_all` returns
//! must slice the input on char boundaries.
#![no_main]

use biaozhun_model::StandardCode;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(code) = StandardCode::parse(text) {
        let canonical = code.to_string();
        match StandardCode::parse(&canonical) {
            Ok(again) => assert_eq!(again, code, "round trip of {text:?} via {canonical:?}"),
            Err(e) => panic!("{text:?} parsed as {canonical:?}, which does not reparse: {e}"),
        }
        let _ = (code.key(), code.level(), code.nature(), code.province(), code.compact());
        let _ = code.alias();
        let _ = code.without_year();
    }
    for (range, code) in StandardCode::find_all(text) {
        assert!(text.get(range.clone()).is_some(), "range {range:?} of {text:?}");
        let _ = code.to_string();
    }
});
