//! The written-down protocol cannot drift from the code: every error code has its row in
//! docs/errors.md, with its number and name.

// A test crate: its helpers state expectations with unwrap / expect / panic (the workspace
// lints deny them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use tim_proto::ErrorCode;

fn doc(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_error_code_has_a_row_in_errors_md() {
    let errors = doc("errors.md");
    let rows: Vec<&str> = errors.lines().filter(|l| l.starts_with('|')).collect();
    let missing: Vec<String> = ErrorCode::ALL
        .iter()
        .filter(|c| {
            let number = format!("| {} |", c.as_u32());
            !rows
                .iter()
                .any(|r| r.starts_with(&number) && r.contains(c.name()))
        })
        .map(|c| format!("{} {}", c.as_u32(), c.name()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/errors.md has no row `| code | name ...` for {missing:?}"
    );
}

/// The package entry (plain JS, loaded before the wasm) carries a few codes as literals, each
/// marked `// ErrorCode::Name`: they must be the registry's.
#[test]
fn codes_copied_into_the_package_entry_match_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../js/index.js");
    let entry =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut checked = 0;
    for line in entry.lines().filter(|l| l.contains("// ErrorCode::")) {
        let (code, name) = line.split_once("// ErrorCode::").expect("marker");
        let number: u32 = code
            .rsplit('=')
            .next()
            .and_then(|n| n.trim().trim_end_matches(';').parse().ok())
            .unwrap_or_else(|| panic!("no `= <number>;` before the marker in {line:?}"));
        let named = ErrorCode::ALL
            .iter()
            .find(|c| c.name() == name.trim())
            .unwrap_or_else(|| panic!("no ErrorCode::{} (in {line:?})", name.trim()));
        assert_eq!(number, named.as_u32(), "{line}");
        checked += 1;
    }
    assert!(
        checked >= 3,
        "the entry's code literals are marked (found {checked})"
    );
}

/// Every request op the server accepts has its row in docs/protocol.md's request table. The list
/// comes from the derived deserializer itself: an unknown op is refused naming every known one.
#[test]
fn every_request_op_has_a_row_in_protocol_md() {
    let refused =
        serde_json::from_str::<tim_proto::ClientFrame>(r#"{"id":1,"req":{"noSuchOp":{}}}"#)
            .expect_err("unknown op");
    let text = refused.to_string();
    let (_, expected) = text
        .split_once("expected one of ")
        .unwrap_or_else(|| panic!("no list of ops in {text:?}"));
    let ops: Vec<&str> = expected
        .split(", ")
        .map(|o| o.split('`').nth(1).unwrap_or(""))
        .filter(|o| !o.is_empty())
        .collect();
    assert!(ops.len() >= 19, "ops read from the deserializer: {ops:?}");
    let protocol = doc("protocol.md");
    let missing: Vec<&&str> = ops
        .iter()
        .filter(|op| {
            !protocol
                .lines()
                .any(|l| l.starts_with(&format!("| `{op}` |")))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "docs/protocol.md has no `| `op` |` row for {missing:?}"
    );
}
