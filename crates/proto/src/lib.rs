//! The tim-wasm wire protocol, shared by the browser SDK and the server.
//!
//! Frames are JSON text over one WebSocket. The client sends [`ClientFrame`]s, each with an `id`
//! the server echoes in its [`ServerFrame::Reply`] or [`ServerFrame::Error`]; the server also sends
//! unsolicited [`ServerFrame::Push`]es. See `docs/protocol.md` for the written-down version.

pub mod conversation_id;
pub mod error_code;
pub mod files;
pub mod frame;
pub mod group_profile;
pub mod group_shape;
pub mod limits;
pub mod message_ref;
pub mod model;
pub mod profile;
pub mod remind;
pub mod rules;
pub mod user_id;

pub use conversation_id::ConversationId;
pub use error_code::ErrorCode;
pub use frame::{ClientFrame, Push, Reply, Request, ServerFrame};
pub use model::{WireConversation, WireMessage};
pub use rules::Refusal;

/// Protocol version, sent at login; the server refuses versions it does not speak.
pub const PROTOCOL_VERSION: u32 = 2;
