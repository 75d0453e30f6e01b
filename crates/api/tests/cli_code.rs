//! `biaozhun code`: the binary prints canonical forms and fields as text or JSON lines, and
//! exits non-zero when an argument is not a standard number or notification symbol.

use std::process::{Command, Output};

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_biaozhun"))
        .arg("code")
        .args(args)
        .output()
        .expect("run biaozhun")
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 output")
}

#[test]
fn text_output_shows_canonical_form_and_fields() {
    let o = run(&["ＧＢ／Ｔ　７７１４—２０１５", "DB62/T 2704-2016"]);
    assert!(o.status.success(), "status {:?}", o.status);
    let out = stdout(&o);
    let canonical: Vec<&str> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("canonical"))
        .map(str::trim)
        .collect();
    assert_eq!(canonical, ["GB/T 7714-2015", "DB62/T 2704-2016"], "{out}");
    assert!(
        out.contains("ＧＢ／Ｔ　７７１４—２０１５"),
        "input echoed: {out}"
    );
    assert!(out.contains("national"), "{out}");
    assert!(out.contains("甘肃省"), "{out}");
    assert!(out.contains("recommended"), "{out}");
}

#[test]
fn json_output_is_one_object_per_argument() {
    let o = run(&[
        "--json",
        "GB 2877-81",
        "LB/T 041-2015",
        "ISO 8124-1:2018/Amd 1:2020",
        "g/tbt/n/usa/2146/add.1",
    ]);
    assert!(o.status.success(), "status {:?}", o.status);
    let out = stdout(&o);
    let values: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(values.len(), 4, "{out}");
    assert_eq!(values[0]["canonical"], "GB 2877-1981");
    assert_eq!(values[0]["year"], 1981);
    assert_eq!(values[0]["level"], "national");
    assert_eq!(values[0]["nature"], "mandatory");
    assert_eq!(values[0]["alias"], "GB/T 2877-1981");
    // The official number keeps its zeros.
    assert_eq!(values[1]["canonical"], "LB/T 041-2015");
    assert_eq!(values[1]["key"], "LB/T 041");
    assert_eq!(values[1]["industry"], "旅游");
    assert_eq!(values[2]["level"], "international");
    assert_eq!(values[2]["amendment"], "/Amd 1:2020");
    assert_eq!(values[3]["kind"], "notification");
    assert_eq!(values[3]["canonical"], "G/TBT/N/USA/2146/Add.1");
    assert_eq!(values[3]["base"], "G/TBT/N/USA/2146");
}

#[test]
fn unparseable_argument_exits_non_zero() {
    let o = run(&["--json", "GB/T 7714-2015", "ABC 12"]);
    assert!(!o.status.success(), "an unknown prefix must fail");
    let out = stdout(&o);
    let values: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(values.len(), 2, "the good argument is still printed: {out}");
    assert_eq!(values[0]["canonical"], "GB/T 7714-2015");
    let err = values[1]["error"].as_str().expect("error message");
    assert!(err.contains("unknown standard prefix"), "{err}");

    let text = run(&["G/TBT/N/USA/x"]);
    assert!(!text.status.success());
    assert!(stdout(&text).contains("error:"), "{}", stdout(&text));
}
