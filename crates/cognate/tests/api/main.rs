//! Integration tests: the real server, driven by the official Rust AWS SDK.

mod account;
mod bad_input;
mod clients;
mod common;
mod domains;
mod error_paths;
mod groups;
mod list_users;
mod nodes;
mod persistence;
mod pools;
mod signin;
mod sigv4;
mod tags;
mod tokens;
mod users;
