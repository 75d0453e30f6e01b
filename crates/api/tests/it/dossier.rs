//! `GET /api/v1/dossier` on data written here: an EU toy measure citing EN 71-1 and ISO 8124-1,
//! a German national measure, a US one (another market), a foreign catalog and Chinese toy
//! standards with their adoptions. Checks EU inheritance for a member state, internal deadlines,
//! cited standards with their Chinese adoptions and text, the order of Chinese standards, the
//! XLSX download read back with calamine, user errors, and the record route's `adopts` /
//! `adopted_by`.

use std::io::Cursor;

use biaozhun_api::AppState;
use calamine::{Reader, Xlsx};

use crate::{assert_error, build_index, bytes, config, get, json};

const NOTIFICATIONS: &str = r#"[
 {"documentSymbol": "G/TBT/N/EU/9001", "notifyingMember": "European Union",
  "distributionDate": "2026-09-01", "commentDeadlineDate": "2026-11-30",
  "titlePlain": "Draft regulation on the safety of toys", "productsFreeText": "Toys",
  "hsCodes": ["9503"], "descriptionPlain": "Toys shall meet EN 71-1:2014 and ISO 8124-1:2018."},
 {"documentSymbol": "G/TBT/N/DEU/9002", "notifyingMember": "Germany",
  "distributionDate": "2026-08-01", "commentDeadlineDate": "2026-10-15",
  "titlePlain": "Ordinance on toy labelling", "productsFreeText": "Toys", "hsCodes": ["9503"]},
 {"documentSymbol": "G/TBT/N/USA/9003", "notifyingMember": "United States of America",
  "distributionDate": "2026-09-10", "commentDeadlineDate": "2026-12-01",
  "titlePlain": "Toy safety", "productsFreeText": "Toys", "hsCodes": ["9503"]}
]"#;

const STANDARDS: &str = r#"{"code": "EN 71-1:2014", "title_en": "Safety of toys - Part 1: Mechanical and physical properties", "status": "current"}
{"code": "GB 6675.2-2014", "title_zh": "玩具安全 第2部分：机械与物理性能", "status": "现行", "implement_date": "2016-01-01", "adopted": "ISO 8124-1:2012 MOD"}
{"code": "GB/T 99902-2020", "title_zh": "儿童玩具 标签要求", "status": "现行", "adopted": "EN 71-1:2014 NEQ"}
{"code": "DB44/T 99903-2021", "title_zh": "玩具生产企业质量管理规范", "status": "现行"}
{"code": "QB/T 99904-2019", "title_zh": "塑胶玩具 通用技术要求", "status": "现行"}
"#;

fn dossier_state() -> (tempfile::TempDir, AppState) {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = dir.path().join("notifications.json");
    let s = dir.path().join("standards.jsonl");
    std::fs::write(&n, NOTIFICATIONS).expect("write");
    std::fs::write(&s, STANDARDS).expect("write");
    let index = build_index(&dir.path().join("index"), &[n, s]);
    let state =
        AppState::with_shared_index(config("dossier_lead_days = 20"), std::sync::Arc::new(index));
    (dir, state)
}

#[tokio::test]
async fn member_state_dossier_inherits_eu_measures() {
    let (_dir, s) = dossier_state();
    let v = json(
        get(
            &s,
            "/api/v1/dossier?market=%E5%BE%B7%E5%9B%BD&hs=9503&open_on=2026-10-01",
        )
        .await,
    )
    .await;
    assert_eq!(v["market"]["code"], "DEU");
    assert_eq!(v["lead_days"], 20, "from the configuration");
    let bases: Vec<&str> = v["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .filter_map(|m| m["base"].as_str())
        .collect();
    // Newest first; the US measure is another market.
    assert_eq!(bases, ["G/TBT/N/EU/9001", "G/TBT/N/DEU/9002"], "{v}");
    let eu = &v["measures"][0];
    assert_eq!(eu["inherited_from"], "EU");
    assert_eq!(eu["comment_deadline"], "2026-11-30");
    assert_eq!(eu["internal_deadline"], "2026-11-10");
    assert_eq!(eu["days_left"], 60);
    assert_eq!(eu["internal_days_left"], 40);
    assert!(v["measures"][1]["inherited_from"].is_null());

    let cited = v["cited"].as_array().expect("cited");
    let en = cited
        .iter()
        .find(|c| c["code"] == "EN 71-1:2014")
        .expect("EN 71-1 cited");
    assert_eq!(en["id"], "EN 71-1:2014");
    assert_eq!(en["has_text"], false);
    assert_eq!(en["adopted_by"][0]["id"], "GB/T 99902-2020");
    assert_eq!(en["adopted_by"][0]["degree"], "NEQ");
    let iso = cited
        .iter()
        .find(|c| c["code"] == "ISO 8124-1:2018")
        .expect("ISO cited");
    assert!(iso["id"].is_null(), "not in the index: {iso}");
    assert_eq!(iso["adopted_by"][0]["id"], "GB 6675.2-2014");
    assert_eq!(iso["adopted_by"][0]["adopts"], "ISO 8124-1:2012");
    assert_eq!(iso["adopted_by"][0]["degree"], "MOD");

    // Mandatory GB, then GB/T, industry, local; foreign standards are not in this section.
    let chinese: Vec<&str> = v["chinese"]
        .as_array()
        .expect("chinese")
        .iter()
        .filter_map(|c| c["id"].as_str())
        .collect();
    assert_eq!(
        chinese,
        [
            "GB 6675.2-2014",
            "GB/T 99902-2020",
            "QB/T 99904-2019",
            "DB44/T 99903-2021"
        ],
        "{v}"
    );

    // The EU itself has its measure but not Germany's.
    let v = json(
        get(
            &s,
            "/api/v1/dossier?market=EU&q=toys&open_on=2026-10-01&lead_days=0",
        )
        .await,
    )
    .await;
    let bases: Vec<&str> = v["measures"]
        .as_array()
        .expect("measures")
        .iter()
        .filter_map(|m| m["base"].as_str())
        .collect();
    assert_eq!(bases, ["G/TBT/N/EU/9001"]);
    assert_eq!(v["measures"][0]["internal_deadline"], "2026-11-30");
}

#[tokio::test]
async fn dossier_downloads_as_xlsx_with_chinese_headers() {
    let (_dir, s) = dossier_state();
    let res = get(
        &s,
        "/api/v1/dossier?market=DEU&hs=9503&open_on=2026-10-01&format=xlsx",
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let disposition = res.headers()["content-disposition"]
        .to_str()
        .expect("ascii")
        .to_string();
    assert_eq!(
        disposition,
        "attachment; filename=\"dossier-DEU-9503.xlsx\""
    );
    let body = bytes(res).await;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(body)).expect("a workbook");
    assert_eq!(
        wb.sheet_names(),
        ["概况", "通报措施", "引用标准", "国内标准"]
    );
    let measures = wb.worksheet_range("通报措施").expect("sheet");
    let rows: Vec<Vec<String>> = measures
        .rows()
        .map(|r| r.iter().map(|c| c.to_string()).collect())
        .collect();
    assert_eq!(rows[0][0], "通报号");
    assert_eq!(rows[0][11], "内部截止日期");
    assert_eq!(rows[1][0], "G/TBT/N/EU/9001");
    assert_eq!(rows[1][11], "2026-11-10");
    assert_eq!(rows.len(), 3);
    let chinese = wb.worksheet_range("国内标准").expect("sheet");
    let first: Vec<String> = chinese
        .rows()
        .nth(1)
        .expect("row")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(first[0], "GB 6675.2-2014");
    assert_eq!(first[3], "national");
}

#[tokio::test]
async fn dossier_user_errors_are_400() {
    let (_dir, s) = dossier_state();
    for uri in [
        "/api/v1/dossier?hs=9503",
        "/api/v1/dossier?market=DEU",
        "/api/v1/dossier?market=Atlantis&hs=9503",
        "/api/v1/dossier?market=DEU&hs=95x",
        "/api/v1/dossier?market=DEU&hs=9503&lead_days=-1",
        "/api/v1/dossier?market=DEU&hs=9503&lead_days=999",
        "/api/v1/dossier?market=DEU&hs=9503&format=pdf",
        "/api/v1/dossier?market=DEU&hs=9503&open_on=tomorrow",
        "/api/v1/dossier?market=DEU&hs=9503&bogus=1",
    ] {
        assert_error(get(&s, uri).await, 400, "invalid_parameter").await;
    }
}

#[tokio::test]
async fn records_show_adopts_and_adopted_by() {
    let (_dir, s) = dossier_state();
    let v = json(get(&s, "/api/v1/standards/EN%2071-1%3A2014").await).await;
    assert_eq!(v["adopted_by"][0]["code"], "GB/T 99902-2020");
    assert_eq!(v["adopted_by"][0]["adopts"], "EN 71-1:2014");
    assert_eq!(v["adopted_by"][0]["degree"], "NEQ");
    assert_eq!(v["adopted_by"][0]["degree_zh"], "非等效采用");
    let v = json(get(&s, "/api/v1/standards/GB%2FT%2099902-2020").await).await;
    assert_eq!(v["adopts"][0]["code"], "EN 71-1:2014");
    assert_eq!(v["adopts"][0]["record"]["id"], "EN 71-1:2014");
    assert_eq!(v["adopted_by"], serde_json::json!([]));
    // A foreign-number search lists the adoption right after the foreign record, labelled.
    let v = json(get(&s, "/api/v1/search?q=en71-1").await).await;
    assert_eq!(v["hits"][0]["id"], "EN 71-1:2014", "{v}");
    assert_eq!(v["hits"][1]["id"], "GB/T 99902-2020");
    assert_eq!(v["hits"][1]["adoption"]["label"], "采标 EN 71-1:2014 NEQ");
}
