//! App clients: token lifetimes, auth flows, OAuth settings and client secrets.

use crate::error::{CognitoError, ErrorKind, Result};
use crate::ids;
use crate::page::{Page, PageToken};
use crate::service::Cognito;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use subtle::ConstantTimeEq;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
#[serde(rename_all = "PascalCase")]
pub struct TokenValidityUnits {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
}

fn unit_seconds(unit: Option<&str>, default: &str) -> i64 {
    match unit.unwrap_or(default) {
        "seconds" => 1,
        "minutes" => 60,
        "hours" => 3600,
        _ => 86400,
    }
}

/// What `DescribeUserPoolClient` shows of a client (its secret aside).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettings {
    pub user_pool_id: String,
    pub client_name: String,
    pub client_id: String,
    pub last_modified_date: Timestamp,
    pub creation_date: Timestamp,
    pub refresh_token_validity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_token_validity: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_validity_units: Option<TokenValidityUnits>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub read_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub write_attributes: Vec<String>,
    pub explicit_auth_flows: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub supported_identity_providers: Vec<String>,
    #[serde(
        rename = "CallbackURLs",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub callback_urls: Vec<String>,
    #[serde(rename = "LogoutURLs", default, skip_serializing_if = "Vec::is_empty")]
    pub logout_urls: Vec<String>,
    #[serde(
        rename = "DefaultRedirectURI",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub default_redirect_uri: Option<String>,
    #[serde(
        rename = "AllowedOAuthFlows",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_oauth_flows: Vec<String>,
    #[serde(
        rename = "AllowedOAuthScopes",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub allowed_oauth_scopes: Vec<String>,
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analytics_configuration: Option<Value>,
    pub prevent_user_existence_errors: String,
    pub enable_token_revocation: bool,
    pub enable_propagate_additional_user_context_data: bool,
    pub auth_session_validity: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token_rotation: Option<Value>,
}

impl ClientSettings {
    pub fn access_token_seconds(&self) -> i64 {
        let units = self.token_validity_units.clone().unwrap_or_default();
        match self.access_token_validity {
            Some(v) => v * unit_seconds(units.access_token.as_deref(), "hours"),
            None => 3600,
        }
    }
    pub fn id_token_seconds(&self) -> i64 {
        let units = self.token_validity_units.clone().unwrap_or_default();
        match self.id_token_validity {
            Some(v) => v * unit_seconds(units.id_token.as_deref(), "hours"),
            None => 3600,
        }
    }
    pub fn refresh_token_seconds(&self) -> i64 {
        let units = self.token_validity_units.clone().unwrap_or_default();
        self.refresh_token_validity * unit_seconds(units.refresh_token.as_deref(), "days")
    }
}

/// One client secret, sealed with the master key.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StoredSecret {
    pub id: String,
    pub sealed: String,
    pub created: Timestamp,
}

/// An app client as stored.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AppClient {
    #[serde(flatten)]
    pub settings: ClientSettings,
    #[serde(default)]
    pub secrets: Vec<StoredSecret>,
}

impl AppClient {
    pub fn client_id(&self) -> &str {
        &self.settings.client_id
    }
    pub fn pool_id(&self) -> &str {
        &self.settings.user_pool_id
    }
    pub fn has_secret(&self) -> bool {
        !self.secrets.is_empty()
    }
}

/// `UserPoolClientType`: the settings and, for confidential clients, the secret.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientView {
    #[serde(flatten)]
    pub settings: ClientSettings,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_type: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolClientDescription {
    pub client_id: String,
    pub user_pool_id: String,
    pub client_name: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSecretDescriptor {
    pub client_secret_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_secret_value: Option<String>,
    pub client_secret_create_date: Timestamp,
}

/// The members CreateUserPoolClient and UpdateUserPoolClient share.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "PascalCase")]
pub struct ClientSettingsInput {
    pub client_name: Option<String>,
    pub refresh_token_validity: Option<i64>,
    pub access_token_validity: Option<i64>,
    pub id_token_validity: Option<i64>,
    pub token_validity_units: Option<TokenValidityUnits>,
    pub read_attributes: Option<Vec<String>>,
    pub write_attributes: Option<Vec<String>>,
    pub explicit_auth_flows: Option<Vec<String>>,
    pub supported_identity_providers: Option<Vec<String>>,
    #[serde(rename = "CallbackURLs")]
    pub callback_urls: Option<Vec<String>>,
    #[serde(rename = "LogoutURLs")]
    pub logout_urls: Option<Vec<String>>,
    #[serde(rename = "DefaultRedirectURI")]
    pub default_redirect_uri: Option<String>,
    #[serde(rename = "AllowedOAuthFlows")]
    pub allowed_oauth_flows: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthScopes")]
    pub allowed_oauth_scopes: Option<Vec<String>>,
    #[serde(rename = "AllowedOAuthFlowsUserPoolClient")]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    pub analytics_configuration: Option<Value>,
    pub prevent_user_existence_errors: Option<String>,
    pub enable_token_revocation: Option<bool>,
    pub enable_propagate_additional_user_context_data: Option<bool>,
    pub auth_session_validity: Option<i64>,
    pub refresh_token_rotation: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolClientRequest {
    pub user_pool_id: String,
    pub generate_secret: Option<bool>,
    pub client_secret: Option<String>,
    #[serde(flatten)]
    pub settings: ClientSettingsInput,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolClientRequest {
    pub user_pool_id: String,
    pub client_id: String,
    #[serde(flatten)]
    pub settings: ClientSettingsInput,
}

mod settings;

pub use settings::redirect_url_allowed;
use settings::{STANDARD_SCOPES, resolve_settings, validate_settings};

impl Cognito {
    /// A client of the given pool in the given region.
    pub async fn client(&self, region: &str, pool_id: &str, client_id: &str) -> Result<AppClient> {
        self.pool(region, pool_id).await?;
        match self.store.get_client(client_id).await? {
            Some(c) if c.pool_id() == pool_id => Ok(c),
            _ => Err(CognitoError::client_not_found(client_id)),
        }
    }

    /// A client by ID alone, for the unsigned operations that name only a ClientId.
    pub async fn client_by_id(&self, client_id: &str) -> Result<AppClient> {
        self.store
            .get_client(client_id)
            .await?
            .ok_or_else(|| CognitoError::client_not_found(client_id))
    }

    pub fn open_secret(&self, client: &AppClient, secret: &StoredSecret) -> Result<String> {
        let plain = self
            .secrets
            .open(&secret.sealed, client.client_id())
            .ok_or_else(|| {
                CognitoError::internal("Client secret cannot be decrypted with this master key.")
            })?;
        String::from_utf8(plain).map_err(|_| CognitoError::internal("Client secret is corrupt."))
    }

    /// Compares a presented secret with every secret of the client, in constant time.
    pub fn client_secret_matches(&self, client: &AppClient, presented: &str) -> Result<bool> {
        let mut ok = false;
        for s in &client.secrets {
            let real = self.open_secret(client, s)?;
            ok |= bool::from(real.as_bytes().ct_eq(presented.as_bytes()));
        }
        Ok(ok)
    }

    /// The secrets of a client, in the order they were added.
    pub fn client_secrets(&self, client: &AppClient) -> Result<Vec<String>> {
        client
            .secrets
            .iter()
            .map(|s| self.open_secret(client, s))
            .collect()
    }

    fn client_view(&self, client: AppClient) -> Result<UserPoolClientView> {
        let client_secret = match client.secrets.first() {
            Some(s) => Some(self.open_secret(&client, s)?),
            None => None,
        };
        Ok(UserPoolClientView {
            client_type: None,
            client_secret,
            settings: client.settings,
        })
    }

    /// The pool's resource-server scopes, looked up only when the settings name a scope that
    /// is not a standard one.
    async fn custom_scopes_named(&self, s: &ClientSettings) -> Result<Vec<String>> {
        if s.allowed_oauth_scopes
            .iter()
            .all(|scope| STANDARD_SCOPES.contains(&scope.as_str()))
        {
            return Ok(Vec::new());
        }
        self.resource_server_scopes(&s.user_pool_id).await
    }

    fn seal_secret(&self, client_id: &str, value: &str) -> StoredSecret {
        StoredSecret {
            id: ids::client_secret_id(),
            sealed: self.secrets.seal(value.as_bytes(), client_id),
            created: self.clock.now(),
        }
    }

    pub async fn create_user_pool_client(
        &self,
        region: &str,
        req: CreateUserPoolClientRequest,
    ) -> Result<UserPoolClientView> {
        self.insert_new_client(region, ids::client_id(), req).await
    }

    /// CreateUserPoolClient under a caller-chosen client ID (and, through
    /// `req.client_secret`, a chosen secret), for declarative setups that must be
    /// reproducible (`cognate serve --bootstrap`). Formats as Cognito's: the ID is 1 to 128
    /// of `[\w+]`, the secret 24 to 64; the ID must be free.
    pub async fn create_user_pool_client_with_id(
        &self,
        region: &str,
        client_id: &str,
        req: CreateUserPoolClientRequest,
    ) -> Result<UserPoolClientView> {
        let word = |s: &str| {
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '+')
        };
        if client_id.is_empty() || client_id.len() > 128 || !word(client_id) {
            return Err(CognitoError::invalid_parameter(format!(
                "Client ID {client_id} is invalid: it must be 1 to 128 letters, digits, _ or +."
            )));
        }
        if let Some(secret) = &req.client_secret
            && (!(24..=64).contains(&secret.len()) || !word(secret))
        {
            return Err(CognitoError::invalid_parameter(
                "The client secret is invalid: it must be 24 to 64 letters, digits, _ or +.",
            ));
        }
        if self.store.get_client(client_id).await?.is_some() {
            return Err(CognitoError::invalid_parameter(format!(
                "User pool client {client_id} already exists."
            )));
        }
        self.insert_new_client(region, client_id.to_owned(), req)
            .await
    }

    async fn insert_new_client(
        &self,
        region: &str,
        client_id: String,
        mut req: CreateUserPoolClientRequest,
    ) -> Result<UserPoolClientView> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let now = self.clock.now();
        let secret = match (
            req.client_secret.take(),
            req.generate_secret.unwrap_or(false),
        ) {
            (Some(custom), _) => Some(custom),
            (None, true) => Some(ids::client_secret()),
            (None, false) => None,
        };
        let name = req.settings.client_name.take().unwrap_or_default();
        let settings = resolve_settings(&pool.id, &client_id, name, req.settings, now, now);
        let custom_scopes = self.custom_scopes_named(&settings).await?;
        validate_settings(&settings, &pool, secret.is_some(), &custom_scopes)?;
        self.check_supported_providers(&pool.id, &settings.supported_identity_providers)
            .await?;
        let secrets = secret
            .iter()
            .map(|s| self.seal_secret(&client_id, s))
            .collect();
        let client = AppClient { settings, secrets };
        self.store.insert_client(&client).await?;
        tracing::info!(pool_id = %pool.id, client_id = %client_id, "app client created");
        self.client_view(client)
    }

    pub async fn describe_user_pool_client(
        &self,
        region: &str,
        pool_id: &str,
        client_id: &str,
    ) -> Result<UserPoolClientView> {
        let client = self.client(region, pool_id, client_id).await?;
        self.client_view(client)
    }

    pub async fn update_user_pool_client(
        &self,
        region: &str,
        mut req: UpdateUserPoolClientRequest,
    ) -> Result<UserPoolClientView> {
        let pool = self.pool(region, &req.user_pool_id).await?;
        let mut client = self
            .client(region, &req.user_pool_id, &req.client_id)
            .await?;
        let name = req
            .settings
            .client_name
            .take()
            .unwrap_or_else(|| client.settings.client_name.clone());
        let settings = resolve_settings(
            &pool.id,
            &req.client_id,
            name,
            req.settings,
            client.settings.creation_date,
            self.clock.now(),
        );
        let custom_scopes = self.custom_scopes_named(&settings).await?;
        validate_settings(&settings, &pool, client.has_secret(), &custom_scopes)?;
        self.check_supported_providers(&pool.id, &settings.supported_identity_providers)
            .await?;
        client.settings = settings;
        self.store.update_client(&client).await?;
        self.client_view(client)
    }

    pub async fn delete_user_pool_client(
        &self,
        region: &str,
        pool_id: &str,
        client_id: &str,
    ) -> Result<()> {
        self.client(region, pool_id, client_id).await?;
        self.store.delete_client(client_id).await?;
        self.store
            .delete_ui_customization(pool_id, client_id)
            .await?;
        Ok(())
    }

    pub async fn list_user_pool_clients(
        &self,
        region: &str,
        pool_id: &str,
        max_results: Option<i64>,
        next_token: Option<&str>,
    ) -> Result<Page<UserPoolClientDescription>> {
        self.pool(region, pool_id).await?;
        let after = PageToken::decode_opt(next_token)?;
        let limit = max_results.unwrap_or(60).clamp(1, 60) as usize;
        let clients = self
            .store
            .list_clients(pool_id, after.as_deref(), limit + 1)
            .await?;
        Ok(
            Page::from_overfetch(clients, limit, |c| c.client_id().to_owned()).map(|c| {
                UserPoolClientDescription {
                    client_id: c.settings.client_id,
                    user_pool_id: c.settings.user_pool_id,
                    client_name: c.settings.client_name,
                }
            }),
        )
    }

    /// Adds a second secret so a confidential client can rotate without downtime.
    pub async fn add_user_pool_client_secret(
        &self,
        region: &str,
        pool_id: &str,
        client_id: &str,
        custom: Option<String>,
    ) -> Result<ClientSecretDescriptor> {
        let mut client = self.client(region, pool_id, client_id).await?;
        if client.secrets.len() >= 2 {
            return Err(CognitoError::new(
                ErrorKind::LimitExceeded,
                "The client already has the maximum number of client secrets (2).",
            ));
        }
        let value = custom.unwrap_or_else(ids::client_secret);
        let stored = self.seal_secret(client_id, &value);
        let descriptor = ClientSecretDescriptor {
            client_secret_id: stored.id.clone(),
            client_secret_value: Some(value),
            client_secret_create_date: stored.created,
        };
        client.secrets.push(stored);
        client.settings.last_modified_date = self.clock.now();
        self.store.update_client(&client).await?;
        Ok(descriptor)
    }

    pub async fn list_user_pool_client_secrets(
        &self,
        region: &str,
        pool_id: &str,
        client_id: &str,
    ) -> Result<Vec<ClientSecretDescriptor>> {
        let client = self.client(region, pool_id, client_id).await?;
        Ok(client
            .secrets
            .iter()
            .map(|s| ClientSecretDescriptor {
                client_secret_id: s.id.clone(),
                client_secret_value: None,
                client_secret_create_date: s.created,
            })
            .collect())
    }

    pub async fn delete_user_pool_client_secret(
        &self,
        region: &str,
        pool_id: &str,
        client_id: &str,
        secret_id: &str,
    ) -> Result<()> {
        let mut client = self.client(region, pool_id, client_id).await?;
        let Some(pos) = client.secrets.iter().position(|s| s.id == secret_id) else {
            return Err(CognitoError::new(
                ErrorKind::ResourceNotFound,
                format!("Client secret {secret_id} does not exist."),
            ));
        };
        if client.secrets.len() == 1 {
            return Err(CognitoError::invalid_parameter(
                "The only client secret of a client cannot be deleted.",
            ));
        }
        client.secrets.remove(pos);
        client.settings.last_modified_date = self.clock.now();
        self.store.update_client(&client).await?;
        Ok(())
    }
}
