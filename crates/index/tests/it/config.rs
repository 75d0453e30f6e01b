//! Every schema file in index-config/ loads; bad schemas fail with a clear message.

use biaozhun_index::config::{SchemaConfig, Synonyms};
use biaozhun_index::IndexError;

#[test]
fn every_config_file_loads() {
    let dir = crate::config_dir();
    let mut schemas = 0;
    for entry in std::fs::read_dir(&dir).expect("index-config") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.starts_with("schema") && name.ends_with(".toml") {
            let text = std::fs::read_to_string(&path).expect("read");
            SchemaConfig::parse(&text, &name).expect("schema parses");
            schemas += 1;
        }
    }
    assert!(schemas >= 1);
    Synonyms::load(&dir).expect("synonyms");
    biaozhun_analysis::ChineseAnalyzer::from_dir(&dir).expect("analyzer");
}

fn check_bad(text: &str, needle: &str) {
    match SchemaConfig::parse(text, "test.toml") {
        Err(e) => assert!(
            e.to_string().contains(needle),
            "{e} should mention {needle}"
        ),
        Ok(_) => panic!("schema should be rejected: {needle}"),
    }
}

#[test]
fn bad_schemas_are_rejected() {
    let good = std::fs::read_to_string(crate::config_dir().join("schema.toml")).expect("read");
    let version = format!("version = {}", biaozhun_index::config::SCHEMA_VERSION);
    assert!(good.contains(&version), "schema.toml has {version}");
    let title_en = "title_en = { analyzer = \"en\", boost = 3.0 }";
    assert!(good.contains(title_en), "schema.toml tunes title_en");
    check_bad(
        &good.replace(&version, &format!("{version}\nextra = 2")),
        "unknown field",
    );
    // A text field the code does not declare: the file and the field are named.
    for bad in [
        good.replace(title_en, &title_en.replace("title_en", "title_fr")),
        good.replace(
            title_en,
            &format!("{title_en}\ntitle_fr = {{ analyzer = \"en\", boost = 1.0 }}"),
        ),
    ] {
        check_bad(&bad, "test.toml");
        check_bad(&bad, "\"title_fr\", which is not a text field");
    }
    // A non-text field cannot be tuned as text.
    check_bad(
        &good.replace(
            title_en,
            &format!("{title_en}\nlevel = {{ analyzer = \"en\", boost = 1.0 }}"),
        ),
        "\"level\", which is not a text field",
    );
    // Every text field needs its analyzer and boost: leaving one out is an error, not a default.
    check_bad(
        &good.replace(title_en, ""),
        "text field \"title_en\" is missing",
    );
    check_bad(
        &good.replace(title_en, "title_en = { analyzer = \"en\" }"),
        "boost",
    );
    check_bad(
        &good.replace(title_en, "title_en = { analyzer = \"fr\", boost = 3.0 }"),
        "analyzer",
    );
    check_bad(
        &good.replace(title_en, "title_en = { analyzer = \"en\", boost = 0.0 }"),
        "boost of \"title_en\" must be positive",
    );
    // Facets: only declared countable fields, once each, and the list is required.
    check_bad(
        &good.replace("    \"hs\",\n", "    \"hs\",\n    \"colour\",\n"),
        "facets names \"colour\", which is not a field that can be counted",
    );
    check_bad(
        &good.replace("    \"hs\",\n", "    \"hs\",\n    \"body\",\n"),
        "\"body\", which is not a field that can be counted",
    );
    check_bad(
        &good.replace("    \"hs\",\n", "    \"hs\",\n    \"ics\",\n"),
        "facet \"ics\" is listed twice",
    );
    let start = good.find("facets = [").expect("facets");
    let end = start + good[start..].find(']').expect("end of facets") + 1;
    check_bad(
        &format!("{}{}", &good[..start], &good[end..]),
        "missing field `facets`",
    );
    let other = good.replace(&version, "version = 99");
    assert!(matches!(
        SchemaConfig::parse(&other, "x"),
        Err(IndexError::SchemaMismatch(_))
    ));
}

/// A schema.toml of the format before fields were declared in code (every field listed as
/// `[[field]]`), as the config copy of an index built then holds it.
const LEGACY_SCHEMA: &str =
    "version = 6\n\n[[field]]\nname = \"id\"\ntype = \"keyword\"\nstored = true\n";

#[test]
fn legacy_schema_asks_for_a_reingest() {
    match SchemaConfig::parse(LEGACY_SCHEMA, "old/schema.toml") {
        Err(e @ IndexError::SchemaMismatch(_)) => {
            let msg = e.to_string();
            assert!(msg.contains("old/schema.toml"), "{msg}");
            assert!(msg.contains("re-ingest"), "{msg}");
        }
        other => panic!("a legacy schema must be a schema mismatch, got {other:?}"),
    }
    // An index whose config copy is in the old format (its hash consistent with it, as when
    // it was built) refuses to open read-only with the same advice.
    let dir = tempfile::tempdir().expect("tmp");
    drop(biaozhun_index::Index::open_or_create(dir.path(), &crate::config_dir()).expect("create"));
    let copy = dir.path().join("config");
    std::fs::write(copy.join("schema.toml"), LEGACY_SCHEMA).expect("write");
    let meta_path = dir.path().join("biaozhun-index.json");
    let mut meta: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&meta_path).expect("meta")).expect("json");
    meta["config_hash"] =
        serde_json::Value::String(biaozhun_index::config::config_hash(&copy).expect("hash"));
    std::fs::write(&meta_path, meta.to_string()).expect("write meta");
    let err = biaozhun_index::Index::open(dir.path()).expect_err("legacy copy");
    assert!(matches!(err, IndexError::SchemaMismatch(_)), "{err}");
    assert!(err.to_string().contains("re-ingest"), "{err}");
}

#[test]
fn other_config_refuses_to_open() {
    let cfg = tempfile::tempdir().expect("tmp");
    for f in [
        "schema.toml",
        "jieba-user-dict.txt",
        "stopwords.txt",
        "synonyms.toml",
    ] {
        std::fs::copy(crate::config_dir().join(f), cfg.path().join(f)).expect("copy");
    }
    let dir = tempfile::tempdir().expect("tmp");
    drop(biaozhun_index::Index::open_or_create(dir.path(), cfg.path()).expect("create"));
    std::fs::write(cfg.path().join("stopwords.txt"), "的\n").expect("write");
    let err = biaozhun_index::Index::open_or_create(dir.path(), cfg.path()).expect_err("mismatch");
    assert!(err.to_string().contains("re-ingest"), "{err}");
    // Read-only open uses the copy inside the index and still works.
    biaozhun_index::Index::open(dir.path()).expect("open read-only");
}
