//! Catalog import: the real shared catalogs and notifications, the fixtures, dates and shapes.

use biaozhun_ingest::catalog::{read_catalog, read_catalog_bytes, CatalogOutcome, LineUnit};
use biaozhun_model::Record;
use biaozhun_model::{AdoptionDegree, Status};
use chrono::NaiveDate;

use crate::batch_common::{aliases, fixture, shared_data};

fn read(path: &std::path::Path) -> CatalogOutcome {
    read_catalog(path, &aliases()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dump(o: &CatalogOutcome) {
    for e in &o.rejected {
        eprintln!("rejected {} {}: {}", o.unit, e.line, e.message);
    }
    for w in &o.warnings {
        eprintln!("warning {} {}: {}", o.unit, w.line, w.message);
    }
}

fn standard<'a>(o: &'a CatalogOutcome, id: &str) -> &'a biaozhun_model::Standard {
    o.records
        .iter()
        .find_map(|r| match r {
            Record::Standard(s) if s.id() == id => Some(s),
            _ => None,
        })
        .unwrap_or_else(|| panic!("{id} not imported"))
}

fn d(s: &str) -> Option<NaiveDate> {
    Some(NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date"))
}

#[test]
fn catalog_real_sports_json_imports_completely() {
    let Some(data) = shared_data() else { return };
    let o = read(&data.join("catalogs/sports-standards-catalog.json"));
    dump(&o);
    assert_eq!(o.unit, LineUnit::Record);
    assert_eq!(o.records.len() + o.skipped + o.rejected.len(), 1082);
    assert!(o.rejected.is_empty(), "{:?}", o.rejected);
    // Two real duplicates: records 536/537 (`T/HSCA 001.—2017` and `T/HSCA 001-2017`) and
    // 627/628 (`T/SSIASD 02—2022` and `T/SSIASD 2—2022`); the later record wins.
    assert_eq!((o.records.len(), o.skipped), (1080, 2));
    let dups: Vec<usize> = o
        .warnings
        .iter()
        .filter(|w| w.message.starts_with("duplicate"))
        .map(|w| w.line)
        .collect();
    assert_eq!(dups, [537, 628]);
    // Four codes with typing slips are repaired, with a warning each.
    let repaired: Vec<usize> = o
        .warnings
        .iter()
        .filter(|w| w.message.contains("repaired to"))
        .map(|w| w.line)
        .collect();
    assert_eq!(repaired, [414, 536, 680, 1070]);
    // `replacedBy: "TC291"` is a committee number in this export: kept, not lost.
    let s = standard(&o, "GB/T 19851.11-2005");
    assert!(s.replaced_by.is_empty());
    assert_eq!(s.technical_committee.as_deref(), Some("SAC/TC291"));
}

#[test]
fn catalog_real_facts_jsonl_imports_completely() {
    let Some(data) = shared_data() else { return };
    let o = read(&data.join("catalogs/standards-facts.jsonl"));
    dump(&o);
    assert_eq!(o.records.len() + o.skipped + o.rejected.len(), 307);
    assert!(o.rejected.is_empty(), "{:?}", o.rejected);
    assert_eq!(o.records.len(), 307);
}

#[test]
fn catalog_real_notifications_import_completely() {
    let Some(data) = shared_data() else { return };
    let o = read(&data.join("notifications/wto-notifications-facts.jsonl"));
    dump(&o);
    assert_eq!(o.records.len(), 77);
    assert!(o.rejected.is_empty());
    assert!(o
        .records
        .iter()
        .all(|r| r.kind() == biaozhun_model::RecordKind::Notification));
}

#[test]
fn catalog_real_fields_are_mapped() {
    let Some(data) = shared_data() else { return };
    let o = read(&data.join("catalogs/sports-standards-catalog.json"));
    let s = standard(&o, "GB 36246-2018");
    assert_eq!(s.title_zh.as_deref(), Some("中小学合成材料面层运动场地"));
    assert_eq!(s.status, Some(Status::Current));
    assert_eq!(s.issue_date, d("2018-05-14"));
    assert_eq!(s.implement_date, d("2018-11-01"));
    assert!(s
        .department
        .as_deref()
        .is_some_and(|x| x.contains("国家市场监督管理总局")));
    let facts = read(&data.join("catalogs/standards-facts.jsonl"));
    let s = standard(&facts, "GB/T 39910-2021");
    assert_eq!(s.ics, vec!["01.140.20"]);
    assert_eq!(s.ccs, vec!["A14"]);
    assert_eq!(s.drafters.len(), 5);
    assert!(s.sources.iter().any(|u| u.starts_with("https://")));
    let s = standard(&facts, "GB 2763-2021");
    assert_eq!(
        s.replaces.iter().map(|c| c.to_string()).collect::<Vec<_>>(),
        ["GB 2763-2019"]
    );
    let adopted = facts
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Standard(s) => s.adoption.as_ref(),
            _ => None,
        })
        .collect::<Vec<_>>();
    assert_eq!(adopted.len(), 19);
    assert!(adopted
        .iter()
        .any(|a| a.code == "ISO 9001:2015" && a.degree == Some(AdoptionDegree::Idt)));
}

#[test]
fn catalog_real_notification_fields() {
    let Some(data) = shared_data() else { return };
    let o = read(&data.join("notifications/wto-notifications-facts.jsonl"));
    let n = o
        .records
        .iter()
        .find_map(|r| match r {
            Record::Notification(n) if n.id() == "G/SPS/N/AUS/363/Add.7" => Some(n),
            _ => None,
        })
        .expect("AUS/363/Add.7");
    assert_eq!(n.member.as_deref(), Some("AUS"));
    assert_eq!(n.distribution_date, d("2016-05-17"));
    assert!(n.related.iter().any(|s| s.to_string() == "G/SPS/N/AUS/363"));
}

#[test]
fn catalog_fixture_jsonl_and_csv() {
    let o = read(&fixture("catalog/standards.jsonl"));
    dump(&o);
    assert_eq!(o.records.len(), 73);
    assert!(o.rejected.is_empty());
    // Mixed spellings are normalised: `GB 2763—2019` is stored as `GB 2763-2019`.
    let s = standard(&o, "GB 2763-2019");
    assert_eq!(s.status, Some(Status::Replaced));
    assert_eq!(s.replaced_by.len(), 1);

    let csv = read(&fixture("catalog/catalog.csv"));
    dump(&csv);
    assert_eq!(csv.records.len(), 8);
    assert!(csv.rejected.is_empty() && csv.warnings.is_empty());
    let s = standard(&csv, "GB/T 7714-2015");
    assert_eq!(
        (s.issue_date, s.implement_date),
        (d("2015-05-15"), d("2015-12-01"))
    );
    let s = standard(&csv, "GB/T 7714-2005");
    assert_eq!(
        (s.issue_date, s.implement_date),
        (d("2005-03-23"), d("2005-10-01"))
    );
    let s = standard(&csv, "GB 2763-2021");
    assert_eq!(
        (s.issue_date, s.implement_date),
        (d("2021-03-03"), d("2021-09-03"))
    );
    let s = standard(&csv, "GB 7718-2025");
    assert_eq!(s.implement_date, d("2027-03-16"));
    assert_eq!(s.status, Some(Status::Upcoming));
    let s = standard(&csv, "LB/T 068-2017");
    assert_eq!(s.title_zh.as_deref(), Some("景区游客高峰时段应对规范"));
}

#[test]
fn catalog_xlsx_gives_the_same_records_as_the_csv() {
    // catalog.xlsx (fixtures/gen/make_xlsx.py) holds the CSV's rows with dates as Excel date
    // cells in every other row and as text in the rest.
    let csv = read(&fixture("catalog/catalog.csv"));
    let xlsx = read(&fixture("catalog/catalog.xlsx"));
    dump(&xlsx);
    assert_eq!(xlsx.records.len(), 8);
    assert!(xlsx.rejected.is_empty(), "{:?}", xlsx.rejected);
    for r in &csv.records {
        let Record::Standard(want) = r else {
            panic!("csv record is not a standard")
        };
        let got = standard(&xlsx, &want.id());
        assert_eq!(got.title_zh, want.title_zh, "{}", want.id());
        assert_eq!(got.status, want.status, "{}", want.id());
        assert_eq!(
            (got.issue_date, got.implement_date),
            (want.issue_date, want.implement_date),
            "{}",
            want.id()
        );
    }
}

#[test]
fn catalog_fixture_notifications() {
    let o = read(&fixture("notifications/notifications.jsonl"));
    dump(&o);
    assert_eq!(o.records.len(), 23);
    assert!(o.rejected.is_empty());
    let find = |id: &str| {
        o.records
            .iter()
            .find_map(|r| match r {
                Record::Notification(n) if n.id() == id => Some(n),
                _ => None,
            })
            .unwrap_or_else(|| panic!("{id}"))
    };
    let base = find("G/TBT/N/USA/2146");
    assert_eq!(base.member.as_deref(), Some("USA"));
    assert_eq!(
        base.hs_codes.iter().map(|h| h.digits()).collect::<Vec<_>>(),
        ["9503"]
    );
    assert_eq!(base.ics_codes.len(), 2);
    assert_eq!(base.objectives.len(), 3);
    assert!(base
        .cited_standards
        .iter()
        .any(|c| c.to_string().starts_with("ASTM F963")));
    let corr = find("G/TBT/N/USA/2146/Corr.1");
    assert_eq!(
        corr.related
            .iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>(),
        ["G/TBT/N/USA/2146"]
    );
    let add = find("G/TBT/N/THA/554/Add.1");
    assert!(add
        .related
        .iter()
        .any(|s| s.to_string() == "G/TBT/N/THA/554"));
}

/// Field names of a WTO ePing export, HTML in titles, epoch-millisecond dates.
#[test]
fn catalog_eping_shape() {
    let json = r#"{"items": [
      {"documentSymbol": "G/TBT/N/USA/2146", "notifyingMember": "United States of America",
       "distributionDate": 1726156800000, "commentDeadlineDate": "2024-11-08T00:00:00",
       "titlePlain": "Safety Standard for Toys: <b>Water Beads</b> &amp; ASTM F963-23",
       "productsFreeText": "Water bead toys", "hsCodes": ["9503.00", "95x"],
       "objectives": ["Protection of human health or safety"], "unknownThing": 1},
      {"documentSymbol": "G/SPS/N/CHN/1300", "notifyingMember": "中国", "titlePlain": "食品安全国家标准 GB 2763 修订"}
    ]}"#;
    let o = read_catalog_bytes(json.as_bytes(), "json", "eping.json", &aliases()).expect("reads");
    dump(&o);
    assert_eq!(o.records.len(), 2);
    let Record::Notification(n) = &o.records[0] else {
        panic!("notification")
    };
    assert_eq!(
        n.title_en.as_deref(),
        Some("Safety Standard for Toys: Water Beads & ASTM F963-23")
    );
    assert_eq!(n.distribution_date, d("2024-09-13"));
    assert_eq!(n.comment_deadline, d("2024-11-08"));
    assert_eq!(n.hs_codes.len(), 1);
    assert!(o
        .warnings
        .iter()
        .any(|w| w.line == 1 && w.message.contains("95x")));
    assert!(o
        .warnings
        .iter()
        .any(|w| w.line == 0 && w.message.contains("unknownThing")));
    assert_eq!(
        n.cited_standards
            .iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>(),
        ["ASTM F963-23"]
    );
    let Record::Notification(cn) = &o.records[1] else {
        panic!("notification")
    };
    assert_eq!(
        cn.title_zh.as_deref(),
        Some("食品安全国家标准 GB 2763 修订")
    );
    assert_eq!(cn.member.as_deref(), Some("CHN"));
}

/// Column names of other exports map through the alias table; list values in every shape.
#[test]
fn catalog_alias_columns_and_lists() {
    let csv = "C_STD_CODE,中文标准名称,英文标准名称,state,ISSUE_DATE,实施日期,代替标准,ics,起草单位,采用国际标准\n\
               GB/T 7714-2015,信息与文献 参考文献著录规则,Information and documentation,现行,1431619200000,2015.12.01,\"GB/T 7714-2005;GB/T 7714-1987\",01.140.20,甲、乙、丙,\"ISO 690:2010, MOD\"\n\
               GB/T 1-2000,x,y,nonsense,2000-13-01,2000/1/1,XYZ,bad,,\n";
    let o = read_catalog_bytes(csv.as_bytes(), "csv", "x.csv", &aliases()).expect("reads");
    dump(&o);
    assert_eq!(o.records.len(), 2);
    let s = standard(&o, "GB/T 7714-2015");
    assert_eq!(s.issue_date, d("2015-05-15"));
    assert_eq!(s.implement_date, d("2015-12-01"));
    assert_eq!(s.replaces.len(), 2);
    assert_eq!(s.drafters, ["甲", "乙", "丙"]);
    assert_eq!(
        s.adoption.as_ref().map(|a| a.degree),
        Some(Some(AdoptionDegree::Mod))
    );
    // Bad values of line 3 are warnings naming the line and the field; the record imports.
    let line3: Vec<&str> = o
        .warnings
        .iter()
        .filter(|w| w.line == 3)
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        line3.iter().any(|m| m.starts_with("ISSUE_DATE:")),
        "{line3:?}"
    );
    assert!(line3.iter().any(|m| m.starts_with("state:")), "{line3:?}");
    assert!(
        line3.iter().any(|m| m.starts_with("代替标准:")),
        "{line3:?}"
    );
    assert!(line3.iter().any(|m| m.starts_with("ics:")), "{line3:?}");
    assert_eq!(standard(&o, "GB/T 1-2000").implement_date, d("2000-01-01"));
}

/// The ePing-style fixture: camelCase fields, HTML titles, HS codes with labels.
#[test]
fn catalog_fixture_eping_sample() {
    let o = read(&fixture("notifications/eping-sample.json"));
    dump(&o);
    assert_eq!((o.records.len(), o.rejected.len()), (3, 0));
    let Record::Notification(n) = &o.records[0] else {
        panic!("notification")
    };
    assert_eq!(n.id(), "G/TBT/N/EU/1131");
    assert_eq!(n.member.as_deref(), Some("EU"));
    assert!(n
        .title_en
        .as_deref()
        .is_some_and(|t| !t.contains('<') && t.contains("& comfort fans")));
    let hs: Vec<&str> = n.hs_codes.iter().map(|h| h.digits()).collect();
    assert_eq!(hs, ["8415", "841451"]);
    assert_eq!(n.entry_into_force, d("2026-07-01"));
    assert!(n
        .cited_standards
        .iter()
        .any(|c| c.to_string() == "EN 14511-3:2022"));
}

/// An XLSX catalog written here with `rows` data rows, streamed into the ZIP: `GB N-2000` when
/// `distinct`, else the same row every time without cell references (they are optional), which
/// compresses like the 1.35 MB, 2-million-row file that took an upload to 1.1 GB RSS.
pub fn xlsx_rows(rows: usize, distinct: bool) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    let ns = "http://schemas.openxmlformats.org";
    let parts = [
        ("[Content_Types].xml", format!("<Types xmlns=\"{ns}/package/2006/content-types\"><Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/><Default Extension=\"xml\" ContentType=\"application/xml\"/><Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/><Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/></Types>")),
        ("_rels/.rels", format!("<Relationships xmlns=\"{ns}/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>")),
        ("xl/workbook.xml", format!("<workbook xmlns=\"{ns}/spreadsheetml/2006/main\" xmlns:r=\"{ns}/officeDocument/2006/relationships\"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
        ("xl/_rels/workbook.xml.rels", format!("<Relationships xmlns=\"{ns}/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"{ns}/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>")),
    ];
    for (name, body) in parts {
        w.start_file(name, opts).expect("zip");
        w.write_all(body.as_bytes()).expect("zip");
    }
    w.start_file("xl/worksheets/sheet1.xml", opts).expect("zip");
    write!(w, "<worksheet xmlns=\"{ns}/spreadsheetml/2006/main\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>标准号</t></is></c><c r=\"B1\" t=\"inlineStr\"><is><t>标准名称</t></is></c></row>").expect("zip");
    for i in 2..rows + 2 {
        if distinct {
            write!(w, "<row r=\"{i}\"><c r=\"A{i}\" t=\"inlineStr\"><is><t>GB {i}-2000</t></is></c><c r=\"B{i}\" t=\"inlineStr\"><is><t>试验</t></is></c></row>").expect("zip");
        } else {
            w.write_all("<row><c t=\"inlineStr\"><is><t>GB 1-2000</t></is></c><c t=\"inlineStr\"><is><t>试验</t></is></c></row>".as_bytes()).expect("zip");
        }
    }
    w.write_all(b"</sheetData></worksheet>").expect("zip");
    w.finish().expect("zip").into_inner()
}

#[test]
fn catalog_xlsx_bomb_is_refused_before_it_is_parsed() {
    let dir = tempfile::tempdir().expect("temp");
    // The generator makes real catalogs: 1,000 rows import.
    let small = dir.path().join("small.xlsx");
    std::fs::write(&small, xlsx_rows(1_000, true)).expect("write");
    assert_eq!(read(&small).records.len(), 1_000);
    // 2 million rows: a few hundred KB on disk, some 190 MB of XML once inflated.
    let bomb_bytes = xlsx_rows(2_000_000, false);
    assert!(bomb_bytes.len() < 4 * 1024 * 1024, "{}", bomb_bytes.len());
    let bomb = dir.path().join("bomb.xlsx");
    std::fs::write(&bomb, bomb_bytes).expect("write");
    let e = read_catalog(&bomb, &aliases()).expect_err("refused");
    assert!(e.to_string().contains("expands to more than"), "{e}");
}

/// Two rows of one code in one catalog merge field by field (the later wins where both have
/// a value, the earlier fills what the later lacks), and every field names its row.
#[test]
fn catalog_duplicate_rows_merge_field_by_field() {
    let rows = concat!(
        r#"{"code": "DB62/T 4475-2021", "title_zh": "马铃薯脱毒种薯生产技术规程", "department": "甘肃省市场监督管理局"}"#,
        "\n",
        r#"{"code": "DB62/T 4475-2021", "title_zh": "马铃薯脱毒种薯繁育技术规程", "implement_date": "2022-01-28"}"#,
        "\n"
    );
    let o = read_catalog_bytes(rows.as_bytes(), "jsonl", "dup.jsonl", &aliases()).expect("read");
    assert_eq!(o.records.len(), 1);
    let s = standard(&o, "DB62/T 4475-2021");
    assert_eq!(s.title_zh.as_deref(), Some("马铃薯脱毒种薯繁育技术规程"));
    assert_eq!(s.department.as_deref(), Some("甘肃省市场监督管理局"));
    assert_eq!(s.implement_date, d("2022-01-28"));
    let line = |f: &str| s.provenance.get(f).map(|x| (x.file.as_str(), x.line));
    assert_eq!(line("title_zh"), Some(("dup.jsonl", Some(2))));
    assert_eq!(line("department"), Some(("dup.jsonl", Some(1))));
    assert_eq!(line("implement_date"), Some(("dup.jsonl", Some(2))));
}
