//! tim-server: the server the tim-wasm browser SDK talks to.
//!
//! Data flows: [`http`] accepts a WebSocket -> [`gateway`] runs the session -> [`service`] gives
//! each request its meaning -> [`store`] keeps it and logs an event per user it concerns;
//! [`publish`] hands those events, in log order, to the [`hub`], which carries them to every
//! live session of the user. [`rest`] is the admin REST API and [`console`] the console's
//! login; [`usersig`] checks login tickets; [`purge`] reclaims space nobody can see and trims
//! the event logs; [`cli`] and [`server`] start it all.

pub mod anonymous;
pub mod apps;
pub mod cli;
pub mod clock;
pub mod config;
pub mod console;
pub mod console_rates;
pub mod error;
pub mod fanout;
pub mod fd_limit;
pub mod files;
pub mod gap_fill;
pub mod gateway;
pub mod group_commit;
pub mod health;
pub mod http;
pub mod hub;
pub mod json_type;
pub mod limit_args;
pub mod listen;
pub mod nats_hub;
pub mod publish;
pub mod purge;
pub mod rate;
pub mod rest;
pub mod server;
pub mod service;
pub mod state;
pub mod store;
pub mod usersig;

pub use config::ServeConfig;
pub use error::{ApiError, FatalError};
pub use server::{bind, BoundServer};
