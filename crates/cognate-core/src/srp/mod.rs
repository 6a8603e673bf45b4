//! Cognito's SRP sign-in (REFERENCE.md §5): the group and its arithmetic ([`group`]), the
//! verifiers stored beside password hashes ([`verifier`]), and the USER_SRP_AUTH →
//! PASSWORD_VERIFIER flow ([`flow`]).

pub mod flow;
pub mod group;
pub mod timestamp;
pub mod verifier;
