//! Fuzzes the WTO notification-symbol parser: `NotificationSymbol::parse` never panics, what it
//! accepts round-trips, `base`/`parent` terminate, and `find_all` ranges slice the input.
#![no_main]

use biaozhun_model::NotificationSymbol;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(sym) = NotificationSymbol::parse(text) {
        let canonical = sym.to_string();
        match NotificationSymbol::parse(&canonical) {
            Ok(again) => assert_eq!(again, sym, "round trip of {text:?} via {canonical:?}"),
            Err(e) => panic!("{text:?} parsed as {canonical:?}, which does not reparse: {e}"),
        }
        let _ = sym.base();
        let mut cur = sym.parent();
        let mut steps = 0;
        while let Some(p) = cur {
            steps += 1;
            assert!(steps < 1000, "parent chain of {canonical} does not end");
            cur = p.parent();
        }
    }
    for (range, _) in NotificationSymbol::find_all(text) {
        assert!(text.get(range.clone()).is_some(), "range {range:?} of {text:?}");
    }
});
