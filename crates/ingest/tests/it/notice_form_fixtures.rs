//! WTO notification forms, English and Chinese.

use biaozhun_ingest::notice_form::{parse_form, parse_notification_form};

use crate::extract_common::fixtures;

fn read(name: &str) -> String {
    std::fs::read_to_string(fixtures().join("notifications/forms").join(name)).expect(name)
}

fn strings<T: ToString>(v: &[T]) -> Vec<String> {
    v.iter().map(ToString::to_string).collect()
}

#[test]
fn english_tbt_form() {
    let f = parse_form(&read("G-TBT-N-SAU-1190.txt")).expect("parse");
    let n = &f.notification;
    assert_eq!(n.id(), "G/TBT/N/SAU/1190");
    assert_eq!(n.member.as_deref(), Some("SAU"));
    assert_eq!(n.member_name.as_deref(), Some("KINGDOM OF SAUDI ARABIA"));
    assert_eq!(
        n.distribution_date.map(|d| d.to_string()).as_deref(),
        Some("2021-06-02")
    );
    assert_eq!(
        n.title_en.as_deref(),
        Some("Technical Regulation for Pressure Equipment")
    );
    assert_eq!(strings(&n.hs_codes), ["7311", "8402", "8419", "8481"]);
    assert_eq!(strings(&n.ics_codes), ["23.020.30", "27.060.30"]);
    assert_eq!(strings(&n.cited_standards), ["ISO 16528-1"]);
    assert_eq!(
        n.objectives,
        [
            "Protection of human health or safety",
            "prevention of deceptive practices"
        ]
    );
    assert!(n
        .description
        .as_deref()
        .is_some_and(|d| d.starts_with("The draft covers")));
    assert_eq!(
        n.entry_into_force.map(|d| d.to_string()).as_deref(),
        Some("2022-06-01")
    );
    // "90 days after notification" / "60 days from notification": unknown, with warnings.
    assert_eq!(n.proposed_adoption, None);
    assert_eq!(n.comment_deadline, None);
    assert_eq!(f.warnings.len(), 2, "{:?}", f.warnings);
    assert_eq!(n.language.as_deref(), Some("en"));
}

#[test]
fn chinese_sps_form() {
    let n = parse_notification_form(&read("G-SPS-N-EU-912-zh.txt")).expect("parse");
    assert_eq!(n.id(), "G/SPS/N/EU/912");
    assert_eq!(n.member.as_deref(), Some("EU"));
    assert_eq!(n.member_name.as_deref(), Some("欧盟"));
    assert_eq!(
        n.distribution_date.map(|d| d.to_string()).as_deref(),
        Some("2026-11-20")
    );
    assert_eq!(strings(&n.hs_codes), ["0808", "0701", "0702"]);
    assert_eq!(strings(&n.ics_codes), ["65.100", "67.080"]);
    assert!(n
        .title_zh
        .as_deref()
        .is_some_and(|t| t.ends_with("委员会条例草案")));
    assert_eq!(n.objectives, ["食品安全"]);
    assert_eq!(strings(&n.cited_standards), ["EN 15662"]);
    assert_eq!(
        n.proposed_adoption.map(|d| d.to_string()).as_deref(),
        Some("2027-03-01")
    );
    assert_eq!(
        n.entry_into_force.map(|d| d.to_string()).as_deref(),
        Some("2027-09-01")
    );
    assert_eq!(
        n.comment_deadline.map(|d| d.to_string()).as_deref(),
        Some("2027-01-19")
    );
    assert_eq!(n.language.as_deref(), Some("zh"));
}

#[test]
fn not_a_form() {
    assert!(parse_form("hello").is_err());
    assert!(parse_form("G/TBT/N/USA/1\nno boxes here").is_err());
}
