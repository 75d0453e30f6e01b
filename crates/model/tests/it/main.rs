//! Integration tests of the model crate, one binary with a module per area.

mod code_data;
mod code_find;
mod code_fuzz;
mod code_spellings;
mod config;
mod data;
mod family;
mod foreign;
mod trade;

/// Table-driven check of a standard number: `expected` is `canonical; level; nature` plus the
/// province for local standards (`-` for no nature), or `!fragment` when the parse must fail with
/// an error message containing `fragment`.
pub fn check(input: &str, expected: &str) {
    use biaozhun_model::StandardCode;
    let got = match StandardCode::parse(input) {
        Ok(code) => {
            let mut s = format!(
                "{}; {}; {}",
                code,
                code.level().as_str(),
                code.nature().map_or("-", |n| n.as_str())
            );
            if let Some(p) = code.province() {
                s.push_str("; ");
                s.push_str(p.name_zh);
            }
            // Round trip: the canonical form parses to the same code.
            let again = StandardCode::parse(&code.to_string())
                .unwrap_or_else(|e| panic!("canonical {code} of {input:?} does not parse: {e}"));
            assert_eq!(again, code, "round trip of {input:?}");
            // The padding-insensitive key: a fixed point that parses back to itself and names
            // the same standard.
            let key = code.unpadded();
            assert_eq!(key.unpadded(), key, "unpadded of {input:?}");
            assert!(key.same_standard(&code), "unpadded of {input:?}");
            let key_again = StandardCode::parse(&key.to_string())
                .unwrap_or_else(|e| panic!("unpadded {key} of {input:?} does not parse: {e}"));
            assert_eq!(key_again, key, "unpadded round trip of {input:?}");
            s
        }
        Err(e) => format!("!{e}"),
    };
    if let Some(fragment) = expected.strip_prefix('!') {
        assert!(
            got.starts_with('!') && got.contains(fragment),
            "{input:?}: expected an error containing {fragment:?}, got {got:?}"
        );
    } else {
        assert_eq!(got, expected, "input {input:?}");
    }
}
