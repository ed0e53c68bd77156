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
