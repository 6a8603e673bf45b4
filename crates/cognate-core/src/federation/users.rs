//! The users federation makes (AWS developer guide "Specifying identity provider attribute
//! mappings"; "Linking federated users to an existing user profile"): a first sign-in makes
//! `<ProviderName>_<id>` (lower-cased in case-insensitive pools), status `EXTERNAL_PROVIDER`,
//! with the `identities` attribute and in the group `<poolId>_<ProviderName>`; PreSignUp runs
//! for it (`PreSignUp_ExternalProvider`). Every sign-in writes the mapped attributes again.
//! The required attributes of the pool must come from the provider. A provider's user linked
//! to an existing user (`links.rs`) signs that user in instead.

use super::StoredIdentityProvider;
use crate::client::AppClient;
use crate::error::{CognitoError, ErrorKind, Result, StoreError};
use crate::group::Group;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::{Attribute, User, check_writes};
use serde_json::{Value, json};

pub const EXTERNAL_PROVIDER: &str = "EXTERNAL_PROVIDER";
pub const PRE_SIGN_UP_EXTERNAL_PROVIDER: &str = "PreSignUp_ExternalProvider";

/// A claim as an attribute value: strings as they are, booleans and numbers written out.
fn claim_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Whether `user` is the one the provider `provider` made for its user `user_id` (its
/// `identities` name them, exactly).
fn made_by(user: &User, provider: &str, user_id: &str) -> bool {
    user.status == EXTERNAL_PROVIDER
        && user
            .attr("identities")
            .and_then(|s| serde_json::from_str::<Vec<Value>>(s).ok())
            .is_some_and(|list| {
                list.iter()
                    .any(|i| i["providerName"] == provider && i["userId"] == user_id)
            })
}

/// The `identities` attribute: a JSON string, `primary` and `dateCreated` (ms) as JSON
/// boolean and number (the ID token's claim writes both as strings).
fn identities(
    idp: &StoredIdentityProvider,
    user_id: &str,
    issuer: Option<&str>,
    now_ms: i64,
) -> String {
    json!([{
        "userId": user_id,
        "providerName": idp.provider_name,
        "providerType": idp.provider_type,
        "issuer": issuer,
        "primary": true,
        "dateCreated": now_ms,
    }])
    .to_string()
}

impl Cognito {
    /// The user `claims` sign in as through `idp`: made at the first sign-in, its mapped
    /// attributes written again at every one.
    pub(crate) async fn federated_user(
        &self,
        pool: &UserPool,
        idp: &StoredIdentityProvider,
        client: &AppClient,
        upstream: super::oidc::UpstreamUser,
    ) -> Result<User> {
        let client_id = client.client_id();
        let claims = &upstream.claims;
        let source = idp
            .attribute_mapping
            .get("username")
            .map_or("sub", String::as_str);
        // A SAML provider's user is its NameID (no mapping chooses another).
        let user_id = upstream
            .subject
            .clone()
            .or_else(|| claims.get(source).and_then(claim_text))
            .filter(|s| !s.is_empty())
            .ok_or_else(|| {
                CognitoError::invalid_parameter(format!("The identity provider gave no {source}."))
            })?;
        let disabled = || CognitoError::new(ErrorKind::NotAuthorized, "User is disabled.");
        if let Some(link) = self
            .store
            .get_identity_link(&pool.id, &idp.provider_name, &user_id)
            .await?
        {
            // Linked to an existing user: that user signs in.
            let user = self.store.get_user(&pool.id, &link.username_key).await?;
            return user.filter(|u| u.enabled).ok_or_else(disabled);
        }
        let username = super::links::federated_username(pool, &idp.provider_name, &user_id);
        // InboundFederation may rewrite what the provider said before it is mapped.
        let claims = &self
            .inbound_federation(pool, idp, &username, client_id, &upstream)
            .await?;
        let mapped: Vec<Attribute> = idp
            .attribute_mapping
            .iter()
            .filter(|(attr, _)| *attr != "username")
            .filter_map(|(attr, claim)| {
                Some(Attribute::new(
                    attr,
                    claims.get(claim).and_then(claim_text)?,
                ))
            })
            .collect();
        // The app client must be allowed to write what is mapped (a client that lists its
        // write attributes writes only those).
        let writable = &client.settings.write_attributes;
        if let Some(a) = mapped.iter().find(|a| {
            !a.name.ends_with("_verified") && !writable.is_empty() && !writable.contains(&a.name)
        }) {
            return Err(CognitoError::invalid_parameter(format!(
                "The app client cannot write the mapped attribute {}.",
                a.name
            )));
        }
        let key = pool.username_key(&username);
        let existing = self.store.get_user(&pool.id, &key).await?;
        let mapped = check_writes(pool, &mapped, existing.is_none())?;
        if let Some(mut user) = existing {
            // Only the user this provider made for this subject: never a user of the pool that
            // happens to bear the name, nor another subject folded to the same name.
            if !made_by(&user, &idp.provider_name, &user_id) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Already found an entry for username {username}"
                )));
            }
            if !user.enabled {
                return Err(disabled());
            }
            for a in &mapped {
                user.set_attr(&a.name, &a.value);
            }
            user.modified = self.clock.now();
            self.store.update_user(&user).await?;
            return Ok(user);
        }
        let missing: Vec<&str> = pool
            .schema_attributes
            .iter()
            .filter(|a| a.required == Some(true) && a.name != "sub")
            .map(|a| a.name.as_str())
            .filter(|name| !mapped.iter().any(|m| &m.name == name))
            .collect();
        if !missing.is_empty() {
            return Err(CognitoError::invalid_parameter(format!(
                "attributes required: [{}]",
                missing.join(", ")
            )));
        }
        let now = self.clock.now();
        let sub = crate::ids::uuid();
        let issuer = upstream.issuer.as_deref();
        let mut attributes = vec![Attribute::new("sub", &sub)];
        attributes.extend(mapped);
        attributes.push(Attribute::new(
            "identities",
            identities(idp, &user_id, issuer, now.millis()),
        ));
        let mut user = User {
            pool_id: pool.id.clone(),
            username_key: key,
            username,
            sub,
            attributes,
            status: EXTERNAL_PROVIDER.into(),
            enabled: true,
            created: now,
            modified: now,
            password_hash: None,
            password_set: None,
            srp_verifier: None,
            mfa: Default::default(),
            mfa_options: Vec::new(),
        };
        let passed = crate::triggers::sign_up::Passed {
            client_id: Some(client_id),
            ..Default::default()
        };
        self.pre_sign_up(pool, &mut user, PRE_SIGN_UP_EXTERNAL_PROVIDER, passed)
            .await?;
        self.claim_aliases(pool, &user, false).await?;
        match self.store.insert_user_with_code(&user, None, &[]).await {
            // Signed in meanwhile through another request: that user it is.
            Err(StoreError::Conflict(_)) => {
                if let Some(existing) = self.store.get_user(&pool.id, &user.username_key).await?
                    && made_by(&existing, &idp.provider_name, &user_id)
                {
                    return Ok(existing);
                }
                return Err(CognitoError::invalid_parameter(
                    "The user could not be made.",
                ));
            }
            r => r?,
        }
        self.join_provider_group(pool, idp, &user).await?;
        tracing::info!(pool_id = %pool.id, provider = %idp.provider_name, sub = %user.sub, "federated user created");
        Ok(user)
    }

    /// Adds the user to `<poolId>_<ProviderName>`, made at its first member.
    async fn join_provider_group(
        &self,
        pool: &UserPool,
        idp: &StoredIdentityProvider,
        user: &User,
    ) -> Result<()> {
        let name = format!("{}_{}", pool.id, idp.provider_name);
        let now = self.clock.now();
        let group = Group {
            group_name: name.clone(),
            user_pool_id: pool.id.clone(),
            description: Some(format!(
                "Autogenerated group for users who sign in using {}",
                idp.provider_name
            )),
            role_arn: None,
            precedence: None,
            last_modified_date: now,
            creation_date: now,
        };
        match self.store.insert_group(&group).await {
            Err(StoreError::Conflict(_)) | Ok(()) => {}
            Err(e) => return Err(e.into()),
        }
        self.store
            .add_user_to_group(&pool.id, &name, &user.username_key)
            .await?;
        Ok(())
    }
}
