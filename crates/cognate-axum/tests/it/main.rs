//! Integration tests against a mock provider: no running Cognate needed.

mod callback;
mod common;
mod guard;
mod session;
mod verify;
