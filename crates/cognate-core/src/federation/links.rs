//! Linking a provider's user to an existing user (API reference AdminLinkProviderForUser,
//! AdminDisableProviderForUser; AWS developer guide "Linking federated users to an existing
//! user profile"). A linked identity is one the provider knows by its subject
//! (`Cognito_Subject`); once linked, its sign-ins sign in the existing user, whose
//! `identities` name it (`primary: false`). It must not have signed in on its own before:
//! Cognito does not merge users. A user has at most five linked identities.

use super::IdentityLink;
use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use serde::Deserialize;
use serde_json::{Value, json};

/// Identities a user may have (Cognito quotas).
const MAX_IDENTITIES: usize = 5;
/// The attribute a social or OIDC identity is linked by.
const SUBJECT: &str = "Cognito_Subject";

/// `ProviderUserIdentifierType`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ProviderUser {
    pub provider_name: Option<String>,
    pub provider_attribute_name: Option<String>,
    pub provider_attribute_value: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LinkProviderRequest {
    pub user_pool_id: String,
    pub destination_user: ProviderUser,
    pub source_user: ProviderUser,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DisableProviderRequest {
    pub user_pool_id: String,
    pub user: ProviderUser,
}

fn invalid(message: &str) -> CognitoError {
    CognitoError::invalid_parameter(message)
}

/// A user's `identities`, parsed (none: empty).
fn identities_of(user: &User) -> Vec<Value> {
    user.attr("identities")
        .and_then(|s| serde_json::from_str(s).ok())
        .unwrap_or_default()
}

fn set_identities(user: &mut User, list: &[Value]) {
    match list.is_empty() {
        true => user.attributes.retain(|a| a.name != "identities"),
        false => user.set_attr("identities", &Value::from(list.to_vec()).to_string()),
    }
}

/// The username a provider's user has when it signs in on its own.
pub(crate) fn federated_username(pool: &UserPool, provider: &str, user_id: &str) -> String {
    let name = format!("{provider}_{user_id}");
    match pool.case_sensitive() {
        true => name,
        false => name.to_lowercase(),
    }
}

impl Cognito {
    pub async fn admin_link_provider_for_user(
        &self,
        region: &str,
        req: LinkProviderRequest,
    ) -> Result<()> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let source = req.source_user;
        let provider = source.provider_name.as_deref().unwrap_or_default();
        if provider.eq_ignore_ascii_case("cognito") {
            return Err(invalid(
                "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser",
            ));
        }
        let idp = self
            .store
            .get_identity_provider(&pool.id, provider)
            .await?
            .ok_or_else(|| {
                invalid(&format!(
                    "The provider {provider} does not exist for User Pool {}.",
                    pool.id
                ))
            })?;
        if source.provider_attribute_name.as_deref() != Some(SUBJECT) {
            return Err(invalid(&format!(
                "SourceUser ProviderAttributeName must be {SUBJECT} for {} identity providers.",
                idp.provider_type
            )));
        }
        let user_id = source
            .provider_attribute_value
            .filter(|v| !v.is_empty())
            .ok_or_else(|| invalid("SourceUser ProviderAttributeValue is required."))?;
        let mut destination = self.destination_user(&pool, &req.destination_user).await?;
        let own = federated_username(&pool, &idp.provider_name, &user_id);
        if self
            .store
            .get_user(&pool.id, &pool.username_key(&own))
            .await?
            .is_some()
        {
            return Err(invalid(
                "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link",
            ));
        }
        if self
            .store
            .get_identity_link(&pool.id, &idp.provider_name, &user_id)
            .await?
            .is_some()
        {
            return Err(invalid("SourceUser is already linked to DestinationUser"));
        }
        let mut identities = identities_of(&destination);
        if identities.len() >= MAX_IDENTITIES {
            return Err(CognitoError::new(
                ErrorKind::LimitExceeded,
                format!("A user can be linked to at most {MAX_IDENTITIES} identities."),
            ));
        }
        identities.push(json!({
            "userId": user_id,
            "providerName": idp.provider_name,
            "providerType": idp.provider_type,
            "issuer": null,
            "primary": false,
            "dateCreated": self.clock.now().millis(),
        }));
        set_identities(&mut destination, &identities);
        destination.modified = self.clock.now();
        let link = IdentityLink {
            pool_id: pool.id.clone(),
            provider_name: idp.provider_name.clone(),
            provider_user_id: user_id,
            username_key: destination.username_key.clone(),
        };
        match self.store.link_identity(&link, &destination).await {
            Err(crate::error::StoreError::Conflict(_)) => {
                Err(invalid("SourceUser is already linked to DestinationUser"))
            }
            r => Ok(r?),
        }
    }

    /// `DestinationUser`: a user of the pool by its name (`Cognito`), or a provider's user
    /// that signed in on its own.
    async fn destination_user(&self, pool: &UserPool, d: &ProviderUser) -> Result<User> {
        let value = d.provider_attribute_value.as_deref().unwrap_or_default();
        let found = match d.provider_name.as_deref() {
            Some(p) if p.eq_ignore_ascii_case("cognito") => self.find_user_opt(pool, value).await?,
            Some(p) => {
                let name = federated_username(pool, p, value);
                self.store
                    .get_user(&pool.id, &pool.username_key(&name))
                    .await?
            }
            None => None,
        };
        found.ok_or_else(|| CognitoError::new(ErrorKind::UserNotFound, "User does not exist."))
    }

    /// Removes a link (the provider's user signs in on its own again, as a new user); for a
    /// provider's user that signed in on its own, disables it; for a user of the pool
    /// (`Cognito`), ends sign-in with its password.
    pub async fn admin_disable_provider_for_user(
        &self,
        region: &str,
        req: DisableProviderRequest,
    ) -> Result<()> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let u = req.user;
        let provider = u.provider_name.as_deref().unwrap_or_default();
        let value = u.provider_attribute_value.as_deref().unwrap_or_default();
        let not_linked = || {
            invalid("Account isn't linked to anyone else, verify that the account has been linked")
        };
        if provider.eq_ignore_ascii_case("cognito") {
            let mut user = self
                .find_user_opt(&pool, value)
                .await?
                .ok_or_else(not_linked)?;
            user.password_hash = None;
            user.srp_verifier = None;
            user.modified = self.clock.now();
            self.store.update_user(&user).await?;
            return Ok(());
        }
        if let Some(link) = self
            .store
            .get_identity_link(&pool.id, provider, value)
            .await?
        {
            let Some(mut user) = self.store.get_user(&pool.id, &link.username_key).await? else {
                return Err(not_linked());
            };
            let kept: Vec<Value> = identities_of(&user)
                .into_iter()
                .filter(|i| !(i["providerName"] == provider && i["userId"] == value))
                .collect();
            set_identities(&mut user, &kept);
            user.modified = self.clock.now();
            self.store.unlink_identity(&link, &user).await?;
            return Ok(());
        }
        let own = federated_username(&pool, provider, value);
        match self
            .store
            .get_user(&pool.id, &pool.username_key(&own))
            .await?
        {
            Some(mut user) => {
                user.enabled = false;
                user.modified = self.clock.now();
                self.store.update_user(&user).await?;
                Ok(())
            }
            None => Err(not_linked()),
        }
    }
}
