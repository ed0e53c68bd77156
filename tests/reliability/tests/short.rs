//! The short, bounded mode of tests/reliability, run by `cargo test --workspace`: kill -9
//! during sends and deletions, 200 concurrent clients, slow readers, an idle-connection
//! flood and a flooded group, against this package's build of the server. Asserts behaviour
//! (nothing acknowledged lost, nothing delivered twice, slow readers closed, the cap held),
//! never a time.

// A test crate: it states expectations with unwrap / expect / panic (the workspace lints deny
// them in code that runs in production).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::PathBuf;
use tim_reliability::{run_all, Mode};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_mode_holds() {
    let server = PathBuf::from(env!("CARGO_BIN_EXE_tim-reliability-server"));
    let figures = run_all(Mode::Short, server)
        .await
        .expect("every scenario runs");
    eprintln!("{}", figures.markdown());
    assert_eq!(figures.failures(), Vec::<String>::new());
}
