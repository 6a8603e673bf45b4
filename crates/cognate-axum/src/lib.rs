#![doc = include_str!("../README.md")]
#![warn(missing_docs)]

mod claims;
mod cognito;
mod config;
mod cookies;
mod error;
mod extract;
mod flow;
mod handlers;
mod jwks;
mod verify;

pub use axum_extra::extract::cookie::SameSite;
pub use claims::Claims;
pub use cognito::Cognito;
pub use config::{ACCESS_COOKIE, Config, FLOW_COOKIE, ID_COOKIE, REFRESH_COOKIE, Unauthenticated};
pub use cookies::SetCookies;
pub use error::{AuthError, AuthRejection, ConfigError, TokenError};
pub use extract::{AnyUser, AuthRequired, GroupPolicy, IdToken};
pub use flow::{CallbackParams, LoginRedirect, LogoutRedirect, Session, Tokens};
pub use handlers::{StateParam, callback, login, logout, refresh};
