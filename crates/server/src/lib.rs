//! tim-server: the server the tim-wasm browser SDK talks to.
//!
//! Data flows: [`http`] accepts a WebSocket -> [`gateway`] runs the session -> [`service`] gives
//! each request its meaning -> [`store`] keeps it; [`hub`] carries pushes back to every live
//! session of a user. [`usersig`] checks login tickets; [`purge`] reclaims space nobody can see;
//! [`cli`] and [`server`] start it all.

pub mod apps;
pub mod cli;
pub mod clock;
pub mod config;
pub mod error;
pub mod gateway;
pub mod http;
pub mod hub;
pub mod purge;
pub mod server;
pub mod service;
pub mod store;
pub mod usersig;

pub use config::ServeConfig;
pub use error::{ApiError, FatalError};
pub use server::{bind, BoundServer};
