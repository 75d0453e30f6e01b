//! Truthful lifecycle on the real catalogs and PDFs of `../shared/data` (issue 16): every
//! standard with several editions has at most one edition in force on each of a set of dates,
//! and the record route, the edition chain, search hits, the status filter and the status facet
//! give every edition the same status on each date.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use biaozhun_api::AppState;
use biaozhun_model::lifecycle::edition_key;
use biaozhun_model::StandardCode;
use chrono::NaiveDate;
use serde_json::Value;

use crate::{build_index, config, get, json, shared_data};

fn enc(s: &str) -> String {
    biaozhun_api::wire::records::encode_path(s)
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

async fn get_json(state: &AppState, uri: &str) -> Value {
    let res = get(state, uri).await;
    assert_eq!(res.status(), 200, "{uri}");
    json(res).await
}

/// Search hits by id with their status (`null` when none).
fn hit_statuses(answer: &Value) -> BTreeMap<String, Value> {
    answer["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .filter(|h| h["kind"] == "standard")
        .map(|h| {
            (
                h["id"].as_str().unwrap_or_default().to_string(),
                h["status"].clone(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_multi_edition_standard_agrees_on_every_date() {
    let Some(data) = shared_data() else { return };
    let dir = tempfile::tempdir().expect("tempdir");
    // Catalogs and the PDFs (`build_index` runs no OCR: the scans would take minutes in a debug
    // build and add no edition).
    let paths = [data.join("catalogs"), data.join("pdfs")];
    let (_dir, index) = tokio::task::spawn_blocking(move || {
        let index = build_index(dir.path(), &paths);
        (dir, index)
    })
    .await
    .expect("ingest");
    let index = Arc::new(index);
    let state = AppState::with_shared_index(config(""), Arc::clone(&index));

    // Every dated standard in the index, grouped by number (GB and GB/T together).
    let table = index.editions().expect("edition table");
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in table.ids().expect("edition ids") {
        let c = StandardCode::parse(&id).expect("an indexed id parses");
        if c.year().is_some() && c.amendment().is_none() {
            by_key.entry(edition_key(&c)).or_default().push(id);
        }
    }
    by_key.retain(|_, v| v.len() > 1);
    let editions: usize = by_key.values().map(Vec::len).sum();
    eprintln!(
        "{} standards with several editions, {editions} editions",
        by_key.len()
    );
    assert!(by_key.len() >= 50, "{}", by_key.len());

    let today = chrono::Local::now().date_naive();
    let dates: Vec<NaiveDate> = ["2006-07-01", "2013-07-01", "2019-07-01", "2024-07-01"]
        .into_iter()
        .map(date)
        .chain([today])
        .collect();
    let mut compared = 0;
    let mut several_current = Vec::new();
    // Each edition's record on each date, for the 查新 comparison below.
    let mut records: BTreeMap<(String, NaiveDate), Value> = BTreeMap::new();
    for (key, ids) in &by_key {
        let code = StandardCode::parse(&ids[0]).expect("code");
        for &on in &dates {
            // At most one edition of the number in force.
            let chain = index
                .edition_chain(&code, on)
                .expect("chain")
                .expect("a chain for an indexed code");
            let current: Vec<&str> = chain
                .editions
                .iter()
                .filter(|e| {
                    edition_key(&e.code) == *key
                        && e.status.is_some_and(|s| s.as_str() == "current")
                })
                .map(|e| e.id.as_str())
                .collect();
            if current.len() > 1 {
                several_current.push(format!("{key} on {on}: {current:?}"));
            }

            // Search hits, the status filter and the status facet, for each spelling of the
            // number without year (`GB 7714` and `GB/T 7714` are one standard).
            let numbers: BTreeSet<String> = ids
                .iter()
                .filter_map(|id| StandardCode::parse(id).ok())
                .map(|c| c.without_year().to_string())
                .collect();
            let mut hits: BTreeMap<String, Value> = BTreeMap::new();
            for number in &numbers {
                let q = format!(
                    "/api/v1/search?q={}&kind=standard&as_of={on}&limit=100&facets=status",
                    enc(number)
                );
                let answer = get_json(&state, &q).await;
                let these = hit_statuses(&answer);
                if answer["total"].as_u64().is_some_and(|t| t <= 100) {
                    for f in answer["facets"]["status"].as_array().expect("status facet") {
                        let n = these.values().filter(|s| **s == f["value"]).count();
                        assert_eq!(f["count"], n, "{number} on {on}: facet {f} vs {these:?}");
                    }
                }
                let filtered = get_json(&state, &format!("{q}&status=current")).await;
                let filtered: BTreeSet<String> = hit_statuses(&filtered).into_keys().collect();
                let current_hits: BTreeSet<String> = these
                    .iter()
                    .filter(|(_, s)| **s == "current")
                    .map(|(id, _)| id.clone())
                    .collect();
                assert_eq!(filtered, current_hits, "{number} on {on}: status=current");
                hits.extend(these);
            }

            // The record route, the chain and the hits agree on each edition.
            for id in ids {
                let rec =
                    get_json(&state, &format!("/api/v1/standards/{}?as_of={on}", enc(id))).await;
                records.insert((id.clone(), on), rec.clone());
                let in_chain = chain
                    .get(id)
                    .map(|e| e.status.map(|s| s.as_str()))
                    .unwrap_or_else(|| panic!("{id} missing from the chain of {key}"));
                assert_eq!(
                    rec["status"].as_str(),
                    in_chain,
                    "{id} on {on}: record vs chain"
                );
                if let Some(h) = hits.get(id) {
                    assert_eq!(h, &rec["status"], "{id} on {on}: hit vs record");
                    compared += 1;
                }
                let marked: Vec<&str> = rec["editions"]
                    .as_array()
                    .expect("editions")
                    .iter()
                    .filter(|e| e["in_force"] == true)
                    .filter_map(|e| e["id"].as_str())
                    .collect();
                let in_force: Vec<&str> = rec["in_force"]
                    .as_array()
                    .expect("in_force")
                    .iter()
                    .filter_map(Value::as_str)
                    .collect();
                let mut sorted = in_force.clone();
                sorted.sort_unstable();
                let mut marked = marked;
                marked.sort_unstable();
                assert_eq!(marked, sorted, "{id} on {on}: marked vs in_force");
            }
        }
    }
    assert!(
        several_current.is_empty(),
        "{} (number, date) pairs with several current editions:\n{}",
        several_current.len(),
        several_current.join("\n")
    );
    eprintln!("{compared} (edition, date) pairs compared between hits and records");
    // Searching a number without year finds every edition of it.
    assert_eq!(compared, editions * dates.len());

    // 查新 of a document citing every one of those editions says the same on each date: the
    // record's status, and an edition in force the record leads to.
    let all: Vec<&String> = by_key.values().flatten().collect();
    let text = format!(
        "本文件引用下列标准：{}。",
        all.iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join("、")
    );
    for &on in &dates {
        let body = serde_json::json!({"text": text, "as_of": on.to_string()});
        let res = crate::send(
            &state,
            axum::http::Request::builder()
                .method("POST")
                .uri("/api/v1/check")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(body.to_string()))
                .expect("request"),
        )
        .await;
        assert_eq!(res.status(), 200);
        let answer = json(res).await;
        let refs = answer["references"].as_array().expect("references");
        assert_eq!(refs.len(), all.len(), "every citation found on {on}");
        for r in refs {
            let id = r["id"].as_str().expect("id").to_string();
            let rec = &records[&(id.clone(), on)];
            let want = rec["status"].as_str().unwrap_or("unknown");
            assert_eq!(r["status"], want, "{id} on {on}: check vs record");
            if matches!(want, "current" | "replaced") {
                // The same edition in force (one of them, for a split), or none on both sides
                // (a label says 被代替 and no successor in force is known).
                let in_force = rec["in_force"].as_array().expect("in_force");
                let current = &r["current_edition"];
                assert!(
                    in_force.contains(current) || (in_force.is_empty() && current.is_null()),
                    "{id} on {on}: check leads to {current}, the record to {in_force:?}"
                );
            }
        }
    }

    // The cases of the issue. GB 18613-2012 states its successor; GB 18613-2020 is in force
    // since 2021-06-01.
    let rec = get_json(
        &state,
        &format!(
            "/api/v1/standards/{}?as_of=2024-07-01",
            enc("GB 18613-2012")
        ),
    )
    .await;
    assert_eq!(rec["status"], "replaced", "{rec}");
    assert_eq!(
        rec["in_force"],
        serde_json::json!(["GB 18613-2020"]),
        "{rec}"
    );
    let before = get_json(
        &state,
        &format!(
            "/api/v1/standards/{}?as_of=2020-07-01",
            enc("GB 18613-2012")
        ),
    )
    .await;
    assert_ne!(
        before["status"], "replaced",
        "not before 2021-06-01: {before}"
    );
    // GB/T 7714-2015's own cover says 代替 GB/T 7714—2005: on its page, the 2005 edition is
    // replaced and not in force, and the 2015 edition is the one in force.
    let rec = get_json(
        &state,
        &format!(
            "/api/v1/standards/{}?as_of=2024-07-01",
            enc("GB/T 7714-2015")
        ),
    )
    .await;
    assert_eq!(rec["status"], "current", "{rec}");
    assert_eq!(
        rec["in_force"],
        serde_json::json!(["GB/T 7714-2015"]),
        "{rec}"
    );
    // Provenance: the catalog row's title (it wins over the cover's), the cover's English
    // title (the catalog has none), the PDF's body text; no server folders in file names.
    let sources = &rec["sources"];
    assert_eq!(sources["title_zh"]["kind"], "catalog", "{sources}");
    assert_eq!(
        sources["title_zh"]["file"], "standards-facts.jsonl",
        "{sources}"
    );
    let line = std::fs::read_to_string(data.join("catalogs/standards-facts.jsonl"))
        .expect("catalog")
        .lines()
        .position(|l| l.contains(r#""code": "GB/T 7714-2015""#))
        .map(|i| i + 1);
    assert_eq!(sources["title_zh"]["line"].as_u64(), line.map(|l| l as u64));
    assert_eq!(sources["title_en"]["kind"], "cover", "{sources}");
    // The cover's English title keeps its word spaces (recovered from glyph positions).
    assert_eq!(
        rec["title_en"],
        "Information and documentation—Rules for bibliographic references and citations to \
         information resources"
    );
    assert_eq!(sources["title_en"]["file"], "GBT7714-2015.pdf", "{sources}");
    assert_eq!(sources["sections"]["kind"], "text", "{sources}");
    assert_eq!(sources["scope"]["kind"], "text", "{sources}");
    assert_eq!(sources["implement_date"]["kind"], "catalog", "{sources}");
    let spec = get_json(&state, "/api/v1/openapi.json").await;
    let schemas = &spec["components"]["schemas"];
    assert!(
        schemas["StandardDetail"]["properties"]["sources"].is_object(),
        "sources documented"
    );
    for field in ["kind", "file", "line"] {
        assert!(
            schemas["SourceWire"]["properties"][field].is_object(),
            "{field}"
        );
    }
    let old = rec["editions"]
        .as_array()
        .expect("editions")
        .iter()
        .find(|e| e["id"] == "GB/T 7714-2005")
        .cloned()
        .unwrap_or_else(|| panic!("no 2005 edition in {rec}"));
    assert_eq!(old["status"], "replaced", "{old}");
    assert_eq!(old["in_force"], false, "{old}");
    assert!(
        old["replaced_by"].as_array().is_some_and(|v| v
            .iter()
            .any(|l| l["id"] == "GB/T 7714-2015" && l["basis"] == "stated")),
        "{old}"
    );
}
