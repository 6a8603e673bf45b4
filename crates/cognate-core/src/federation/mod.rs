//! Federation (AWS developer guide "Adding user pool sign-in through a third party"): a pool's
//! identity providers — social (Google, Facebook, Login with Amazon, Sign in with Apple), OIDC
//! and SAML 2.0 — kept as Cognito keeps them (`providers.rs`: the API and each type's
//! `ProviderDetails`), with their secrets sealed at rest; sign-in through them
//! (`oidc.rs`: the authorization code flow with the upstream, its ID token verified against
//! its keys) and the users it makes (`users.rs`: `<Provider>_<id>`, `identities`, the
//! provider's group, attributes mapped at every sign-in); identities linked to existing
//! users (`links.rs`: AdminLinkProviderForUser, AdminDisableProviderForUser).

pub mod certificates;
mod details;
pub mod links;
pub mod oidc;
pub mod providers;
pub mod saml;
mod social;
pub mod users;

use crate::store::StoreResult;
use crate::time::Timestamp;
use crate::user::User;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An identity provider as stored. `provider_details` holds every key but the secrets
/// (`client_secret`, `private_key`), which are in `sealed_secrets` (AES-256-GCM under the
/// master key, bound to the pool and provider name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredIdentityProvider {
    pub pool_id: String,
    pub provider_name: String,
    pub provider_type: String,
    pub provider_details: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_secrets: Option<String>,
    pub attribute_mapping: BTreeMap<String, String>,
    pub idp_identifiers: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acr_mapping: Option<BTreeMap<String, String>>,
    pub last_modified_date: Timestamp,
    pub creation_date: Timestamp,
}

#[async_trait]
pub trait IdentityProviderStore {
    /// Adds a provider and its identifiers; `Conflict` when the name or an identifier is
    /// taken in the pool.
    async fn insert_identity_provider(&self, idp: &StoredIdentityProvider) -> StoreResult<()>;
    /// Replaces a provider and its identifiers; `Conflict` when an identifier is another's.
    async fn update_identity_provider(&self, idp: &StoredIdentityProvider) -> StoreResult<()>;
    async fn get_identity_provider(
        &self,
        pool_id: &str,
        provider_name: &str,
    ) -> StoreResult<Option<StoredIdentityProvider>>;
    /// The provider that has `identifier` among its `IdpIdentifiers`.
    async fn get_identity_provider_by_identifier(
        &self,
        pool_id: &str,
        identifier: &str,
    ) -> StoreResult<Option<StoredIdentityProvider>>;
    /// Removes a provider and its identifiers.
    async fn delete_identity_provider(&self, pool_id: &str, provider_name: &str)
    -> StoreResult<()>;
    /// Up to `limit` providers named after `after`, by name.
    async fn list_identity_providers(
        &self,
        pool_id: &str,
        after: Option<&str>,
        limit: usize,
    ) -> StoreResult<Vec<StoredIdentityProvider>>;
    /// Links a provider's user to `user`, whose `identities` now name it: both written, or
    /// neither; `Conflict` when that provider's user is linked already.
    async fn link_identity(&self, link: &IdentityLink, user: &User) -> StoreResult<()>;
    /// The link of a provider's user, if any.
    async fn get_identity_link(
        &self,
        pool_id: &str,
        provider_name: &str,
        provider_user_id: &str,
    ) -> StoreResult<Option<IdentityLink>>;
    /// Removes a link, and writes `user` (its `identities` without it), both or neither.
    async fn unlink_identity(&self, link: &IdentityLink, user: &User) -> StoreResult<()>;
    /// Stores a pool certificate unless the pool has one for that purpose already.
    async fn insert_certificate_if_absent(
        &self,
        certificate: &certificates::StoredCertificate,
    ) -> StoreResult<()>;
    async fn get_certificate(
        &self,
        pool_id: &str,
        purpose: &str,
    ) -> StoreResult<Option<certificates::StoredCertificate>>;
    async fn delete_certificate(&self, pool_id: &str, purpose: &str) -> StoreResult<()>;
}

/// A provider's user linked to an existing user (AdminLinkProviderForUser).
#[derive(Debug, Clone, PartialEq)]
pub struct IdentityLink {
    pub pool_id: String,
    pub provider_name: String,
    /// The value the provider knows its user by (`Cognito_Subject`: the subject).
    pub provider_user_id: String,
    /// The user it signs in as.
    pub username_key: String,
}

/// An upstream provider's answer.
#[derive(Debug, Clone)]
pub struct UpstreamAnswer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// The port to upstream identity providers over HTTP: implemented by the binary. Errors are
/// for the log (unreachable, too slow, an answer too large).
#[async_trait]
pub trait Upstream: Send + Sync {
    /// `GET url`, with `Authorization: Bearer <bearer>` when given.
    async fn get(&self, url: &str, bearer: Option<&str>) -> Result<UpstreamAnswer, String>;
    /// `POST url` with a form body, with HTTP Basic credentials or a bearer token when given.
    async fn post_form(
        &self,
        url: &str,
        form: &[(&str, &str)],
        basic: Option<(&str, &str)>,
        bearer: Option<&str>,
    ) -> Result<UpstreamAnswer, String>;
}

/// No upstream reachable: every federated sign-in fails.
pub struct NoUpstream;

#[async_trait]
impl Upstream for NoUpstream {
    async fn get(&self, _: &str, _: Option<&str>) -> Result<UpstreamAnswer, String> {
        Err("no HTTP client for upstream identity providers".into())
    }

    async fn post_form(
        &self,
        _: &str,
        _: &[(&str, &str)],
        _: Option<(&str, &str)>,
        _: Option<&str>,
    ) -> Result<UpstreamAnswer, String> {
        Err("no HTTP client for upstream identity providers".into())
    }
}
