//! Federation (AWS developer guide "Adding user pool sign-in through a third party"): a pool's
//! identity providers — social (Google, Facebook, Login with Amazon, Sign in with Apple), OIDC
//! and SAML 2.0 — kept as Cognito keeps them (`providers.rs`: the API and each type's
//! `ProviderDetails`), with their secrets sealed at rest.

pub mod providers;

use crate::store::StoreResult;
use crate::time::Timestamp;
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
}
