//! The identity-provider API (API reference: CreateIdentityProvider, DescribeIdentityProvider,
//! UpdateIdentityProvider, DeleteIdentityProvider, ListIdentityProviders,
//! GetIdentityProviderByIdentifier), with each type's `ProviderDetails` checked as
//! `details.rs` says:
//!
//! - the social types are named after themselves (`Google`, `Facebook`, `LoginWithAmazon`,
//!   `SignInWithApple`) and get their fixed endpoints added, which a caller may override (so
//!   a self-hoster can point at a compatible server);
//! - OIDC needs `client_id`, `authorize_scopes`, `oidc_issuer` and `attributes_request_method`;
//!   endpoints it does not give are discovered at sign-in, not stored;
//! - `client_secret` is returned as Cognito returns it; Apple's `private_key` never is. Both
//!   are sealed at rest;
//! - a `username` mapping is added as Cognito adds it (`sub`; Facebook `id`, Login with
//!   Amazon `user_id`).

use super::StoredIdentityProvider;
use super::details::{checked_details, username_source};
use crate::error::{CognitoError, ErrorKind, Result, StoreError};
use crate::page::{Page, PageToken};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The social types, each the name of its one provider.
pub const SOCIAL: &[&str] = &["Google", "Facebook", "LoginWithAmazon", "SignInWithApple"];

/// The keys kept sealed: never in the stored document's clear part.
const SECRET_KEYS: &[&str] = &["client_secret", "private_key"];
/// Secrets Describe does not return (Apple's signing key).
const WRITE_ONLY: &[&str] = &["private_key"];

/// `ListIdentityProviders` answers at most 60 at a time.
const MAX_PAGE: usize = 60;
/// Identity providers a pool may have (Cognito quotas).
const MAX_PROVIDERS: usize = 300;

type Details = BTreeMap<String, String>;

/// CreateIdentityProvider's input.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateIdentityProviderRequest {
    pub user_pool_id: String,
    pub provider_name: String,
    pub provider_type: String,
    pub provider_details: Details,
    pub attribute_mapping: Option<Details>,
    pub idp_identifiers: Option<Vec<String>>,
    pub acr_mapping: Option<Details>,
}

/// UpdateIdentityProvider's input: what is omitted stays as it is.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateIdentityProviderRequest {
    pub user_pool_id: String,
    pub provider_name: String,
    pub provider_details: Option<Details>,
    pub attribute_mapping: Option<Details>,
    pub idp_identifiers: Option<Vec<String>>,
    pub acr_mapping: Option<Details>,
}

/// `IdentityProviderType`, as the API shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct IdentityProvider {
    pub user_pool_id: String,
    pub provider_name: String,
    pub provider_type: String,
    pub provider_details: Details,
    pub attribute_mapping: Details,
    pub idp_identifiers: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acr_mapping: Option<Details>,
    pub last_modified_date: Timestamp,
    pub creation_date: Timestamp,
}

/// `ProviderDescription`: a list entry.
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderDescription {
    pub provider_name: String,
    pub provider_type: String,
    pub last_modified_date: Timestamp,
    pub creation_date: Timestamp,
}

pub(super) fn not_found(name: &str, pool_id: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::ResourceNotFound,
        format!("{name} does not exist in user pool {pool_id}."),
    )
}

impl Cognito {
    /// Splits the secrets off `details` and seals them, bound to the pool and provider.
    fn seal_provider_secrets(
        &self,
        pool_id: &str,
        name: &str,
        details: &mut Details,
    ) -> Option<String> {
        let secrets: Details = SECRET_KEYS
            .iter()
            .filter_map(|k| details.remove(*k).map(|v| ((*k).to_owned(), v)))
            .collect();
        (!secrets.is_empty()).then(|| {
            let json = serde_json::to_vec(&secrets).expect("a map serializes");
            self.secrets.seal(&json, &format!("{pool_id}/idp/{name}"))
        })
    }

    /// The provider's secrets, opened.
    pub(crate) fn provider_secrets(&self, idp: &StoredIdentityProvider) -> Details {
        idp.sealed_secrets
            .as_deref()
            .and_then(|s| {
                self.secrets
                    .open(s, &format!("{}/idp/{}", idp.pool_id, idp.provider_name))
            })
            .and_then(|json| serde_json::from_slice(&json).ok())
            .unwrap_or_default()
    }

    fn shown(&self, idp: StoredIdentityProvider) -> IdentityProvider {
        let mut details = idp.provider_details.clone();
        for (k, v) in self.provider_secrets(&idp) {
            if !WRITE_ONLY.contains(&k.as_str()) {
                details.insert(k, v);
            }
        }
        IdentityProvider {
            user_pool_id: idp.pool_id,
            provider_name: idp.provider_name,
            provider_type: idp.provider_type,
            provider_details: details,
            attribute_mapping: idp.attribute_mapping,
            idp_identifiers: idp.idp_identifiers,
            acr_mapping: idp.acr_mapping,
            last_modified_date: idp.last_modified_date,
            creation_date: idp.creation_date,
        }
    }

    /// The mapping as kept: each key an attribute of the pool, `username` added.
    fn checked_mapping(
        pool: &UserPool,
        provider_type: &str,
        mapping: Option<Details>,
    ) -> Result<Details> {
        let mut mapping = mapping.unwrap_or_default();
        let invalid: Vec<&str> = mapping
            .keys()
            .filter(|k| *k != "username" && pool.schema_attribute(k).is_none())
            .map(String::as_str)
            .collect();
        if !invalid.is_empty() {
            return Err(CognitoError::invalid_parameter(format!(
                "AttributeMapping contains invalid mapping: [{}]",
                invalid.join(", ")
            )));
        }
        if let Some(source) = username_source(provider_type) {
            mapping
                .entry("username".into())
                .or_insert_with(|| source.into());
        }
        Ok(mapping)
    }

    fn checked_acr(provider_type: &str, acr: Option<Details>) -> Result<Option<Details>> {
        match acr {
            Some(m) if !m.is_empty() && provider_type != "OIDC" => Err(
                CognitoError::invalid_parameter("Only OIDC IdPs support ACR mapping."),
            ),
            other => Ok(other.filter(|m| !m.is_empty())),
        }
    }

    async fn stored_provider(
        &self,
        region: &str,
        pool_id: &str,
        name: &str,
    ) -> Result<StoredIdentityProvider> {
        self.pool(region, pool_id).await?;
        self.store
            .get_identity_provider(pool_id, name)
            .await?
            .ok_or_else(|| not_found(name, pool_id))
    }

    /// A name (`exists`: the provider is there) or an identifier is taken.
    fn conflict(&self, e: StoreError, pool_id: &str, name: &str, exists: bool) -> CognitoError {
        match e {
            StoreError::Conflict(_) if exists => CognitoError::new(
                ErrorKind::DuplicateProvider,
                format!("{name} already exists in user pool {pool_id}"),
            ),
            StoreError::Conflict(_) => CognitoError::invalid_parameter(
                "An IdpIdentifier is already used by another identity provider of this user pool.",
            ),
            other => other.into(),
        }
    }

    pub async fn create_identity_provider(
        &self,
        region: &str,
        req: CreateIdentityProviderRequest,
    ) -> Result<IdentityProvider> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let (name, kind) = (req.provider_name, req.provider_type);
        let reserved = name.eq_ignore_ascii_case("cognito");
        // A social name is its type's alone, in any case (`google` would share Google's users).
        let social =
            SOCIAL.contains(&kind.as_str()) || SOCIAL.iter().any(|s| s.eq_ignore_ascii_case(&name));
        if reserved || (social && name != kind) {
            return Err(CognitoError::invalid_parameter(format!(
                "Provider {name} cannot be of type {kind}."
            )));
        }
        let mut details = checked_details(&kind, req.provider_details)?;
        if kind == "SAML" {
            details = self.saml_details(&pool.id, &name, details).await?;
        }
        let mapping = Self::checked_mapping(&pool, &kind, req.attribute_mapping)?;
        let acr_mapping = Self::checked_acr(&kind, req.acr_mapping)?;
        let identifiers = checked_identifiers(req.idp_identifiers)?;
        let others = self
            .store
            .list_identity_providers(&pool.id, None, MAX_PROVIDERS)
            .await?;
        // Users are named `<ProviderName>_<id>`, folded in case-insensitive pools: names that
        // differ only by case would share users.
        if others
            .iter()
            .any(|p| p.provider_name.eq_ignore_ascii_case(&name))
        {
            return Err(CognitoError::new(
                ErrorKind::DuplicateProvider,
                format!("{name} already exists in user pool {}", pool.id),
            ));
        }
        if others.len() >= MAX_PROVIDERS {
            return Err(CognitoError::new(
                ErrorKind::LimitExceeded,
                format!("A user pool can have at most {MAX_PROVIDERS} identity providers."),
            ));
        }
        let now = self.clock.now();
        let sealed_secrets = self.seal_provider_secrets(&pool.id, &name, &mut details);
        let idp = StoredIdentityProvider {
            pool_id: pool.id.clone(),
            provider_name: name.clone(),
            provider_type: kind,
            provider_details: details,
            sealed_secrets,
            attribute_mapping: mapping,
            idp_identifiers: identifiers,
            acr_mapping,
            last_modified_date: now,
            creation_date: now,
        };
        if let Err(e) = self.store.insert_identity_provider(&idp).await {
            let exists = self
                .store
                .get_identity_provider(&pool.id, &name)
                .await?
                .is_some();
            return Err(self.conflict(e, &pool.id, &name, exists));
        }
        tracing::info!(pool_id = %pool.id, provider = %name, provider_type = %idp.provider_type, "identity provider created");
        Ok(self.shown(idp))
    }

    pub async fn identity_provider(
        &self,
        region: &str,
        pool_id: &str,
        name: &str,
    ) -> Result<IdentityProvider> {
        Ok(self.shown(self.stored_provider(region, pool_id, name).await?))
    }

    pub async fn identity_provider_by_identifier(
        &self,
        region: &str,
        pool_id: &str,
        identifier: &str,
    ) -> Result<IdentityProvider> {
        self.pool(region, pool_id).await?;
        let idp = self
            .store
            .get_identity_provider_by_identifier(pool_id, identifier)
            .await?
            .ok_or_else(|| {
                CognitoError::new(
                    ErrorKind::ResourceNotFound,
                    format!("Identity provider with identifier {identifier} does not exist in user pool {pool_id}."),
                )
            })?;
        Ok(self.shown(idp))
    }

    /// Replaces what the request gives; a new `ProviderDetails` replaces the old one whole
    /// (Cognito's own keys added again), keeping secrets the request leaves out.
    pub async fn update_identity_provider(
        &self,
        region: &str,
        req: UpdateIdentityProviderRequest,
    ) -> Result<IdentityProvider> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let mut idp = self
            .stored_provider(region, &pool.id, &req.provider_name)
            .await?;
        if let Some(mut given) = req.provider_details {
            for (k, v) in self.provider_secrets(&idp) {
                given.entry(k).or_insert(v);
            }
            let mut details = checked_details(&idp.provider_type, given)?;
            if idp.provider_type == "SAML" {
                // Cognito's own keys are derived again, never taken from the request.
                for key in [
                    "SSORedirectBindingURI",
                    "SLORedirectBindingURI",
                    "ActiveEncryptionCertificate",
                ] {
                    details.remove(key);
                }
                details = self
                    .saml_details(&idp.pool_id, &idp.provider_name, details)
                    .await?;
            }
            idp.sealed_secrets =
                self.seal_provider_secrets(&idp.pool_id, &idp.provider_name, &mut details);
            idp.provider_details = details;
        }
        if let Some(mapping) = req.attribute_mapping {
            idp.attribute_mapping =
                Self::checked_mapping(&pool, &idp.provider_type, Some(mapping))?;
        }
        if req.acr_mapping.is_some() {
            idp.acr_mapping = Self::checked_acr(&idp.provider_type, req.acr_mapping)?;
        }
        if req.idp_identifiers.is_some() {
            idp.idp_identifiers = checked_identifiers(req.idp_identifiers)?;
        }
        idp.last_modified_date = self.clock.now();
        if let Err(e) = self.store.update_identity_provider(&idp).await {
            // The name is this provider's: an identifier is another's.
            return Err(self.conflict(e, &pool.id, &idp.provider_name, false));
        }
        Ok(self.shown(idp))
    }

    /// Users who signed in through the provider stay (as in Cognito), and so do app clients
    /// that name it: their next update must drop it.
    pub async fn delete_identity_provider(
        &self,
        region: &str,
        pool_id: &str,
        name: &str,
    ) -> Result<()> {
        let idp = self.stored_provider(region, pool_id, name).await?;
        self.store.delete_identity_provider(pool_id, name).await?;
        if idp.provider_type == "SAML" {
            // A provider made again under the name gets a key pair of its own.
            self.store
                .delete_certificate(pool_id, &super::saml::encryption_purpose(name))
                .await?;
        }
        tracing::info!(%pool_id, provider = %name, "identity provider deleted");
        Ok(())
    }

    pub async fn list_identity_providers(
        &self,
        region: &str,
        pool_id: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Page<ProviderDescription>> {
        self.pool(region, pool_id).await?;
        let after = PageToken::decode_opt(next_token)?;
        let limit = match max_results {
            None | Some(0) => MAX_PAGE,
            Some(n) => n.clamp(1, MAX_PAGE as i64) as usize,
        };
        let found = self
            .store
            .list_identity_providers(pool_id, after.as_deref(), limit + 1)
            .await?;
        let page = Page::from_overfetch(found, limit, |p| p.provider_name.clone());
        Ok(Page {
            items: page
                .items
                .into_iter()
                .map(|p| ProviderDescription {
                    provider_name: p.provider_name,
                    provider_type: p.provider_type,
                    last_modified_date: p.last_modified_date,
                    creation_date: p.creation_date,
                })
                .collect(),
            next: page.next,
        })
    }

    /// Every name of `supported` must be `COGNITO` or a provider of the pool
    /// (CreateUserPoolClient, UpdateUserPoolClient).
    pub(crate) async fn check_supported_providers(
        &self,
        pool_id: &str,
        supported: &[String],
    ) -> Result<()> {
        for name in supported.iter().filter(|n| *n != "COGNITO") {
            if self
                .store
                .get_identity_provider(pool_id, name)
                .await?
                .is_none()
            {
                return Err(CognitoError::invalid_parameter(format!(
                    "The provider {name} does not exist for User Pool {pool_id}."
                )));
            }
        }
        Ok(())
    }
}

/// `IdpIdentifiers`: distinct (the model checks each one's length and characters, and
/// that there are at most 50).
fn checked_identifiers(identifiers: Option<Vec<String>>) -> Result<Vec<String>> {
    let identifiers = identifiers.unwrap_or_default();
    for (i, id) in identifiers.iter().enumerate() {
        if identifiers[..i].contains(id) {
            return Err(CognitoError::invalid_parameter(format!(
                "Duplicate IdpIdentifier {id}."
            )));
        }
    }
    Ok(identifiers)
}
