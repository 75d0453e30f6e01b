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
    check_bad(
        &good.replace(&version, &format!("{version}\nextra = 2")),
        "unknown field",
    );
    check_bad(
        &good.replace("name = \"title_en\"", "name = \"title_en2\""),
        "title_en",
    );
    check_bad(
        &good.replace("analyzer = \"en\"", "analyzer = \"fr\""),
        "analyzer",
    );
    let other = good.replace(&version, "version = 99");
    assert!(matches!(
        SchemaConfig::parse(&other, "x"),
        Err(IndexError::SchemaMismatch(_))
    ));
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
