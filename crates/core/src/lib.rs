//! Client logic of the tim-wasm SDK in plain Rust, tested natively with `cargo test`.
//!
//! No wasm-bindgen here: the browser layer (the crate at the repo root) owns the WebSocket, timers
//! and JS values, and calls into these pieces: argument checks, readiness, request matching, the
//! local conversation state, and the events that state changes produce.

pub mod args;
pub mod batch;
pub mod calls;
pub mod coalesce;
pub mod constants;
pub mod deletion;
pub mod error;
pub mod events;
pub mod files;
#[cfg(test)]
mod fixtures;
pub mod group_args;
pub mod log_level;
pub mod message_args;
pub mod net_failure;
pub mod outbox;
pub mod paging;
pub mod pending;
pub mod push;
pub mod readiness;
pub mod recent;
pub mod reconnect;
pub mod retry;
pub mod server_clock;
pub mod shapes;
pub mod sort;
pub mod state;
pub mod tab_note;
mod value_type;

pub use error::SdkError;
