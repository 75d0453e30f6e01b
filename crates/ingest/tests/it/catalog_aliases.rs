//! The alias table: every alias file of ours in index-config/ loads and validates, and
//! validation rejects what it should.

use biaozhun_ingest::catalog::{AliasError, Aliases, NotifField, StdField};

use crate::batch_common::repo;

/// Every `*.toml` in index-config/ that belongs to the catalog reader loads and validates.
#[test]
fn catalog_aliases_every_config_file_validates() {
    let dir = repo().join("index-config");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("index-config exists") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.starts_with("catalog") && name.ends_with(".toml") {
            Aliases::load(&path).unwrap_or_else(|e| panic!("{name}: {e}"));
            checked += 1;
        }
    }
    assert!(checked >= 1);
    Aliases::builtin().expect("builtin table validates");
}

#[test]
fn catalog_aliases_map_known_spellings() {
    let a = Aliases::builtin().expect("builtin");
    for name in ["code", "标准号", "C_STD_CODE", "standardCode"] {
        assert!(a.is_code(name), "{name}");
    }
    for (name, field) in [
        ("issueDate", StdField::issue_date),
        ("ISSUE_DATE", StdField::issue_date),
        ("发布日期", StdField::issue_date),
        ("issue date", StdField::issue_date),
        ("中文标准名称", StdField::title_zh),
        ("cnName", StdField::title_zh),
        ("英文标准名称", StdField::title_en),
        ("代替标准", StdField::replaces),
        ("归口单位", StdField::technical_committee),
        ("主管部门", StdField::department),
        ("scope_summary", StdField::scope),
    ] {
        assert_eq!(
            a.standard_field(name).map(|(f, _)| f),
            Some(field),
            "{name}"
        );
    }
    for (name, field) in [
        ("documentSymbol", NotifField::symbol),
        ("notifyingMember", NotifField::member),
        ("commentDeadlineDate", NotifField::comment_deadline),
        ("productsFreeText", NotifField::products),
        ("hsCodes", NotifField::hs_codes),
    ] {
        assert_eq!(
            a.notification_field(name).map(|(f, _)| f),
            Some(field),
            "{name}"
        );
    }
    assert!(a.is_ignored("localFile") && a.is_ignored("_origIndex"));
    // Within a field, earlier names win: `scope` before `summary`.
    let (_, p_scope) = a.standard_field("scope").expect("scope");
    let (_, p_summary) = a.standard_field("summary").expect("summary");
    assert!(p_scope < p_summary);
}

fn check_err(toml: &str, want: fn(&AliasError) -> bool) {
    match Aliases::from_toml_str(toml, "test.toml") {
        Ok(_) => panic!("accepted:\n{toml}"),
        Err(e) => assert!(want(&e), "unexpected error {e}"),
    }
}

#[test]
fn catalog_aliases_validation_rejects_bad_files() {
    let ok = "version = 1\n[standard]\ncode = [\"code\"]\n[notification]\nsymbol = [\"symbol\"]\n";
    Aliases::from_toml_str(ok, "ok.toml").expect("minimal file is valid");
    check_err(&ok.replace("version = 1", "version = 2"), |e| {
        matches!(e, AliasError::Version(2))
    });
    check_err(&ok.replace("code = [", "kode = ["), |e| {
        matches!(e, AliasError::Toml { .. })
    });
    check_err(&format!("{ok}extra = 1\n"), |e| {
        matches!(e, AliasError::Toml { .. })
    });
    check_err(
        "version = 1\n[standard]\ncode = [\"code\"]\ntitle_zh = [\"Code\"]\n[notification]\nsymbol = [\"s\"]\n",
        |e| matches!(e, AliasError::Ambiguous { .. }),
    );
    check_err(
        "version = 1\n[standard]\ntitle = [\"t\"]\n[notification]\nsymbol = [\"s\"]\n",
        |e| matches!(e, AliasError::Empty { field: "code", .. }),
    );
}
