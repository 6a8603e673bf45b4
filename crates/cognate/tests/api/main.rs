//! Integration tests: the real server, driven by the official Rust AWS SDK.

mod account;
mod bad_input;
mod bootstrap;
mod browser;
mod clients;
mod common;
mod domains;
mod error_paths;
mod fixture;
mod groups;
mod hardening;
mod list_users;
mod nodes;
mod oauth;
mod oauth_grants;
mod persistence;
mod pools;
mod resource_servers;
mod seed_app;
mod signin;
mod sigv4;
mod tags;
mod tokens;
mod ui_customization;
mod users;
