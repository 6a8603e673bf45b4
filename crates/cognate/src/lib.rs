//! The `cognate` server: configuration, wiring and lifecycle. The binary (`main.rs`) is a
//! thin shell around [`server::start`], which tests also use to run real servers.

pub mod bootstrap;
pub mod config;
mod delivery;
mod dev_outbox;
pub mod footprint;
pub mod functions;
mod keyfiles;
pub mod listener;
mod metrics;
mod observe;
pub mod server;
mod service_routes;
