//! Notification families built from the real notifications (shared/data) and the fixtures:
//! ordering, latest deadline and the state read off the addenda.

use std::path::Path;

use biaozhun_model::{Notification, NotificationFamily, NotificationSymbol};
use chrono::NaiveDate;
use serde_json::Value;

use crate::data::{fixtures, read_jsonl, shared_data};

/// Maps one JSONL record to a `Notification` by hand (the real importer lives in ingest).
fn notification(r: &Value) -> Notification {
    let sym = r["symbol"].as_str().expect("symbol");
    let mut n = Notification::new(NotificationSymbol::parse(sym).expect("symbol parses"));
    let text = |k: &str| r[k].as_str().map(str::to_string);
    let date = |k: &str| {
        r[k].as_str()
            .map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").expect("iso date"))
    };
    n.member_name = text("member");
    n.distribution_date = date("distribution_date");
    n.comment_deadline = date("comment_deadline");
    n.proposed_adoption = date("proposed_adoption");
    n.entry_into_force = date("proposed_entry_into_force");
    n.title_en = text("title_en");
    n.title_zh = text("title_zh");
    n.products = text("products");
    n.description = text("description_summary");
    n.language = text("language_of_source");
    n
}

fn families(path: &Path) -> Vec<NotificationFamily> {
    NotificationFamily::group(read_jsonl(path).iter().map(notification).collect())
}

fn family<'a>(all: &'a [NotificationFamily], base: &str) -> &'a NotificationFamily {
    all.iter()
        .find(|f| f.base().to_string() == base)
        .unwrap_or_else(|| panic!("no family {base}"))
}

fn d(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date"))
}

/// Summarises a family's state as `event@date` words for table checks.
fn state_line(f: &NotificationFamily) -> String {
    let s = f.state();
    let mut out = Vec::new();
    for (name, e) in [
        ("extended", &s.comment_period_extended),
        ("adopted", &s.adopted),
        ("in_force", &s.entered_into_force),
        ("withdrawn", &s.withdrawn),
    ] {
        if let Some(e) = e {
            let date = e.date.map_or("?".to_string(), |d| d.to_string());
            out.push(format!("{name}@{date}"));
        }
    }
    out.join(" ")
}

#[test]
fn water_beads_family_in_the_fixtures() {
    let all = families(&fixtures().join("notifications/notifications.jsonl"));
    let f = family(&all, "G/TBT/N/USA/2146");
    let order: Vec<String> = f.members().iter().map(|n| n.symbol.to_string()).collect();
    assert_eq!(
        order,
        [
            "G/TBT/N/USA/2146",
            "G/TBT/N/USA/2146/Corr.1",
            "G/TBT/N/USA/2146/Add.1",
            "G/TBT/N/USA/2146/Add.2"
        ]
    );
    assert!(f.base_notification().is_some());
    // Add.1 moved the deadline from 8 November to 8 December 2024.
    assert_eq!(f.latest_comment_deadline(), d("2024-12-08"));
    assert!(f.open_on(NaiveDate::from_ymd_opt(2024, 12, 1).expect("date")));
    assert!(!f.open_on(NaiveDate::from_ymd_opt(2024, 12, 9).expect("date")));
    assert_eq!(
        state_line(f),
        "extended@2024-12-08 adopted@2025-12-12 in_force@2026-03-12"
    );
    let s = f.state();
    assert_eq!(
        s.adopted.map(|e| e.reported_by.to_string()).as_deref(),
        Some("G/TBT/N/USA/2146/Add.2")
    );
}

#[test]
fn families_in_the_shared_data() {
    let Some(root) = shared_data() else { return };
    let all = families(&root.join("notifications/wto-notifications-facts.jsonl"));
    for (base, expected) in [
        // Add.1 (English): CPSC extended the comment period by 30 days, no new date given;
        // Add.2 (Chinese): final rule published 2025-12-12, in force 2026-03-12.
        (
            "G/TBT/N/USA/2146",
            "extended@? adopted@2025-12-12 in_force@2026-03-12",
        ),
        ("G/TBT/N/USA/1504", "adopted@2022-11-14 in_force@2023-01-21"),
        ("G/TBT/N/TPKM/425", "adopted@2025-07-18 in_force@2025-08-01"),
        ("G/TBT/N/KEN/1256", "adopted@2023-08-25"),
        ("G/TBT/N/KEN/1265", "adopted@2023-08-25"),
        ("G/TBT/N/KEN/1500", "adopted@2024-06-14"),
        ("G/TBT/N/UGA/1578", "adopted@2023-05-24"),
        ("G/TBT/N/MEX/117", "adopted@2015-07-03"),
        ("G/TBT/N/BRA/1575", "adopted@2025-12-17"),
        ("G/TBT/N/BRA/962", "extended@?"),
        ("G/SPS/N/BRA/2232", "adopted@2024-04-05"),
        ("G/SPS/N/AUS/363", "in_force@2016-06-16"),
        ("G/SPS/N/MEX/318", "adopted@?"),
        ("G/SPS/N/SAU/252", "withdrawn@?"),
        ("G/SPS/N/SAU/253", "withdrawn@?"),
        // A corrigendum alone changes nothing.
        ("G/SPS/N/JPN/684", ""),
        // A base notification alone: a proposal.
        ("G/SPS/N/CHN/1148", ""),
    ] {
        assert_eq!(state_line(family(&all, base)), expected, "{base}");
    }
    let f = family(&all, "G/TBT/N/USA/2146");
    let order: Vec<String> = f.members().iter().map(|n| n.symbol.to_string()).collect();
    assert_eq!(order, ["G/TBT/N/USA/2146/Add.1", "G/TBT/N/USA/2146/Add.2"]);
    assert!(f.base_notification().is_none(), "the base is held out");
}

#[test]
fn members_of_other_families_are_refused() {
    let a = Notification::new(NotificationSymbol::parse("G/TBT/N/USA/2146").expect("p"));
    let b = Notification::new(NotificationSymbol::parse("G/TBT/N/USA/2147/Add.1").expect("p"));
    let err = NotificationFamily::new(vec![a, b]).expect_err("mixed bases");
    assert!(err.to_string().contains("G/TBT/N/USA/2147/Add.1"));
    assert!(NotificationFamily::new(Vec::new()).is_err());
}
