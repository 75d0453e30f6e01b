//! Every standard number and notification symbol in the real data and the fixtures parses and
//! round-trips (parse → display → parse is identical), except the data errors listed below.

use std::collections::BTreeSet;
use std::path::Path;

use biaozhun_model::{NotificationSymbol, StandardCode};
use serde_json::Value;

use crate::data::{fixtures, read_jsonl, shared_data};

/// Values in the data that are not standard numbers, each a real error of the source.
const NOT_CODES: &[(&str, &str)] = &[
    // sports-standards-catalog.json: `replacedBy` holds the number of the technical committee
    // (SAC/TC 291 etc.) that was scraped from the wrong column of the detail page.
    ("TC35", "technical committee number in replacedBy"),
    ("TC41", "technical committee number in replacedBy"),
    ("TC59", "technical committee number in replacedBy"),
    ("TC148", "technical committee number in replacedBy"),
    ("TC155", "technical committee number in replacedBy"),
    ("TC164", "technical committee number in replacedBy"),
    ("TC198", "technical committee number in replacedBy"),
    ("TC205", "technical committee number in replacedBy"),
    ("TC209", "technical committee number in replacedBy"),
    ("TC210", "technical committee number in replacedBy"),
    ("TC224", "technical committee number in replacedBy"),
    ("TC252", "technical committee number in replacedBy"),
    ("TC253", "technical committee number in replacedBy"),
    ("TC291", "technical committee number in replacedBy"),
    ("TC456", "technical committee number in replacedBy"),
    ("TC529", "technical committee number in replacedBy"),
    // sports-standards-catalog.json: the group prefix is repeated inside the number (the
    // source concatenated the prefix field and the full code).
    (
        "T/CSGF T/CSGF024—2023",
        "group prefix doubled (T/CSGF 024-2023)",
    ),
    (
        "T/CSGF T/CSGF023.3—2023",
        "group prefix doubled (T/CSGF 023.3-2023)",
    ),
    // sports-standards-catalog.json: prefix doubled and a doubled dash.
    (
        "T/DLSHXH T/DLSHXH 001--2017",
        "group prefix doubled and dash doubled (T/DLSHXH 001-2017)",
    ),
    // sports-standards-catalog.json: a stray dot before the year (T/HSCA 001-2017).
    ("T/HSCA 001.—2017", "stray dot before the year"),
];

/// Collects `(source, value)` pairs for every code-bearing field.
fn catalog_codes(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let sports = root.join("catalogs/sports-standards-catalog.json");
    let text = std::fs::read_to_string(&sports).expect("read sports catalog");
    let v: Value = serde_json::from_str(&text).expect("sports catalog json");
    let records = v["standards"].as_array().expect("standards array");
    for r in records {
        for field in ["code", "replaces", "replacedBy"] {
            push_values(&mut out, "sports-standards-catalog.json", field, &r[field]);
        }
    }
    let medical = root.join("catalogs/medical-device-standards.json");
    let text = std::fs::read_to_string(&medical).expect("read medical-device catalog");
    let v: Value = serde_json::from_str(&text).expect("medical-device catalog json");
    for r in v.as_array().expect("medical-device records") {
        for field in ["number", "replaces"] {
            push_values(&mut out, "medical-device-standards.json", field, &r[field]);
        }
    }
    for path in [
        root.join("catalogs/standards-facts.jsonl"),
        fixtures().join("catalog/standards.jsonl"),
    ] {
        let name = path.file_name().map(|n| n.to_string_lossy().to_string());
        let name = name.unwrap_or_default();
        for r in read_jsonl(&path) {
            for field in ["code", "replaces", "replaced_by"] {
                push_values(&mut out, &name, field, &r[field]);
            }
        }
    }
    out
}

/// A field may be a string, a list of strings or null; empty strings mean "none" in the
/// sports catalog and are skipped.
fn push_values(out: &mut Vec<(String, String)>, file: &str, field: &str, v: &Value) {
    let mut one = |s: &str| {
        if !s.trim().is_empty() {
            out.push((format!("{file}:{field}"), s.to_string()));
        }
    };
    match v {
        Value::String(s) => one(s),
        Value::Array(items) => items.iter().filter_map(Value::as_str).for_each(one),
        _ => {}
    }
}

#[test]
fn every_catalog_code_parses_and_round_trips() {
    let Some(root) = shared_data() else { return };
    let codes = catalog_codes(&root);
    assert!(codes.len() > 1500, "only {} codes read", codes.len());
    let allowed: BTreeSet<&str> = NOT_CODES.iter().map(|(c, _)| *c).collect();
    let mut unexpected = Vec::new();
    let mut failed_allowed = BTreeSet::new();
    let mut distinct = BTreeSet::new();
    for (source, raw) in &codes {
        match StandardCode::parse(raw) {
            Ok(code) => {
                let shown = code.to_string();
                let again = StandardCode::parse(&shown)
                    .unwrap_or_else(|e| panic!("{source}: canonical {shown:?} fails: {e}"));
                assert_eq!(again, code, "{source}: {raw:?} does not round-trip");
                assert_eq!(again.to_string(), shown);
                assert!(
                    !allowed.contains(raw.as_str()),
                    "{raw:?} is allow-listed but parses"
                );
                distinct.insert(shown);
            }
            Err(e) if allowed.contains(raw.as_str()) => {
                println!("known data error in {source}: {raw:?}: {e}");
                failed_allowed.insert(raw.as_str());
            }
            Err(e) => unexpected.push(format!("{source}: {raw:?}: {e}")),
        }
    }
    println!(
        "{} code values, {} distinct canonical codes, {} known data errors",
        codes.len(),
        distinct.len(),
        failed_allowed.len()
    );
    assert!(
        unexpected.is_empty(),
        "unexpected parse failures:\n{}",
        unexpected.join("\n")
    );
    let stale: Vec<_> = allowed.difference(&failed_allowed).collect();
    assert!(stale.is_empty(), "allow-list entries not seen: {stale:?}");
}

/// The official numbers of the NMPA medical-device catalog (about 40 % padded: `YY 0505-2012`,
/// `YY/T 0316-2016`) are their own canonical spelling: nothing strips the zeros.
#[test]
fn padded_catalog_numbers_keep_their_padding() {
    let Some(root) = shared_data() else { return };
    let path = root.join("catalogs/medical-device-standards.json");
    let text = std::fs::read_to_string(&path).expect("read medical-device catalog");
    let v: Value = serde_json::from_str(&text).expect("json");
    let (mut padded, mut total) = (0, 0);
    for r in v.as_array().expect("records") {
        let Some(raw) = r["number"].as_str() else {
            continue;
        };
        let code = StandardCode::parse(raw).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
        let official = biaozhun_model::normalize::fold(raw).replace(['—', '–', '－'], "-");
        assert_eq!(code.to_string(), official, "{raw:?} keeps its spelling");
        total += 1;
        padded += usize::from(code.is_padded());
    }
    println!("{padded} of {total} medical-device numbers are padded");
    assert!(
        total > 1700 && padded * 100 / total >= 35,
        "{padded} of {total}"
    );
}

#[test]
fn every_notification_symbol_parses_and_round_trips() {
    let Some(root) = shared_data() else { return };
    let mut n = 0;
    for path in [
        root.join("notifications/wto-notifications-facts.jsonl"),
        fixtures().join("notifications/notifications.jsonl"),
    ] {
        for r in read_jsonl(&path) {
            for field in ["symbol", "addendum_of"] {
                let Some(raw) = r[field].as_str() else {
                    continue;
                };
                let sym = NotificationSymbol::parse(raw)
                    .unwrap_or_else(|e| panic!("{}: {field} {raw:?}: {e}", path.display()));
                let again = NotificationSymbol::parse(&sym.to_string()).expect("canonical");
                assert_eq!(again, sym, "{raw:?} does not round-trip");
                assert_eq!(sym.to_string(), raw, "symbols in the data are canonical");
                n += 1;
            }
            // The declared base and the symbol's own base agree.
            if let (Some(s), Some(base)) = (r["symbol"].as_str(), r["addendum_of"].as_str()) {
                let sym = NotificationSymbol::parse(s).expect("parsed above");
                assert_eq!(sym.base().to_string(), base, "{s}: addendum_of");
            }
        }
    }
    println!("{n} symbols parsed");
    assert!(n > 100);
}
