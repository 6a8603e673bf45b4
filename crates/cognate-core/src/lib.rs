//! The domain of Cognate: Cognito user pools and their rules, independent of HTTP and SQL.
//!
//! Adapters (the AWS JSON API, OAuth endpoints, hosted pages) call [`service::Cognito`];
//! it reads and writes through [`store::Store`].

pub mod account;
pub mod auth;
pub mod client;
pub mod console;
pub mod device;
pub mod domain;
pub mod error;
pub mod federation;
pub mod group;
pub mod ids;
pub mod messaging;
pub mod metrics;
pub mod mfa;
pub mod oauth;
pub mod page;
pub mod password;
pub mod pool;
pub mod resource_server;
pub mod schema;
pub mod secrets;
pub mod service;
pub mod signup;
pub mod srp;
pub mod store;
pub mod tags;
pub mod time;
pub mod tokens;
pub mod triggers;
pub mod ui_customization;
pub mod user;
pub mod user_filter;

pub use error::{CognitoError, ErrorKind, Result, StoreError};
pub use service::Cognito;
