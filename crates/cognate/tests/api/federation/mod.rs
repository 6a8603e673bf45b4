//! Federation through the official SDK: the identity-provider operations with Cognito's
//! `ProviderDetails`, mappings, identifiers and errors, and app clients naming providers.

mod links;
pub(crate) mod oidc;
mod providers;
mod saml;
mod saml_signin;
mod social;
mod triggers;
