//! tim-bench as a library: the protocol client, real server processes, seeding, statistics
//! and the workloads, shared by the `tim-bench` binary and the fault and load tools of
//! tests/reliability (which drive the same protocol, so they reuse this rather than copy it).

pub mod client;
pub mod cluster;
pub mod machine;
pub mod report;
pub mod seed;
pub mod server;
pub mod stats;
pub mod workloads;
