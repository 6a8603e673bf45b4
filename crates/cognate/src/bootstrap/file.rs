//! The bootstrap file's format, and the checks that need no store.
//!
//! Client and password-policy specs serialize (`Serialize`) to the PascalCase members of
//! Cognito's API, which is how they are laid over the stored settings.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// Region of pools that give neither `id` nor `region`.
pub const DEFAULT_REGION: &str = "us-east-1";

/// The whole file: a list of pools.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BootstrapFile {
    /// `[delivery]`: where messages go, for what flags, environment and config file leave
    /// unset.
    pub delivery: Option<DeliverySpec>,
    /// `[[pools]]`, applied in this order.
    #[serde(default)]
    pub pools: Vec<PoolSpec>,
}

/// `[delivery]`: the senders, with the names of the `serve` flags (`--smtp-url` ...).
/// Flags, `COGNATE_*` variables and the config file take precedence.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeliverySpec {
    /// `smtp://[user:pass@]host:port` or `smtps://...`.
    pub smtp_url: Option<String>,
    /// The sender address of emails.
    pub smtp_from: Option<String>,
    /// SMS through Amazon SNS in this region.
    pub sns_region: Option<String>,
    /// Another SNS endpoint.
    pub sns_endpoint: Option<String>,
    /// SMS POSTed to this URL.
    pub sms_webhook_url: Option<String>,
}

/// One user pool and what it holds.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// The pool's name; finds the pool in its region when there is no `id`.
    pub name: String,
    /// A fixed pool ID (`us-east-1_SeedApp01`); generated when absent.
    pub id: Option<String>,
    /// Defaults to the region of `id`, else `us-east-1`.
    pub region: Option<String>,
    /// Create-only: `email` and/or `phone_number` sign in instead of a username.
    pub username_attributes: Option<Vec<String>>,
    /// Create-only: `email`, `phone_number`, `preferred_username` as sign-in aliases.
    pub alias_attributes: Option<Vec<String>>,
    /// Create-only (default false).
    pub username_case_sensitive: Option<bool>,
    /// `email` and/or `phone_number`.
    pub auto_verified_attributes: Option<Vec<String>>,
    /// `OFF` (default), `ON` or `OPTIONAL`.
    pub mfa_configuration: Option<String>,
    /// `true`: `DeletionProtection = ACTIVE`.
    pub deletion_protection: Option<bool>,
    /// `AdminCreateUserConfig.AllowAdminCreateUserOnly`.
    pub allow_admin_create_user_only: Option<bool>,
    /// The password policy; members left out keep their value.
    pub password_policy: Option<PasswordPolicySpec>,
    /// `UserPoolTags`.
    pub tags: Option<BTreeMap<String, String>>,
    /// The prefix domain of the hosted UI.
    pub domain: Option<String>,
    /// `VerificationMessageTemplate`: the sign-up and attribute verification messages.
    pub verification_message_template: Option<VerificationMessageSpec>,
    /// `AdminCreateUserConfig.InviteMessageTemplate`: the invitation AdminCreateUser sends.
    pub invite_message_template: Option<InviteMessageSpec>,
    /// `EmailConfiguration`: From and Reply-To of the pool's emails.
    pub email_configuration: Option<EmailConfigurationSpec>,
    /// `AccountRecoverySetting`: `verified_email`, `verified_phone_number` or `admin_only`,
    /// in order of priority.
    pub account_recovery: Option<Vec<String>>,
    /// `UserAttributeUpdateSettings.AttributesRequireVerificationBeforeUpdate`: `email`
    /// and/or `phone_number` keep their old value until the new one is verified.
    pub attributes_require_verification_before_update: Option<Vec<String>>,
    /// `[[pools.clients]]`.
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    /// `[[pools.groups]]`.
    #[serde(default)]
    pub groups: Vec<GroupSpec>,
    /// `[[pools.users]]`.
    #[serde(default)]
    pub users: Vec<UserSpec>,
}

/// `PasswordPolicy`; members left out keep their value (Cognito's defaults on creation).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all(serialize = "PascalCase"))]
pub struct PasswordPolicySpec {
    pub minimum_length: Option<i64>,
    pub require_uppercase: Option<bool>,
    pub require_lowercase: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_symbols: Option<bool>,
    pub temporary_password_validity_days: Option<i64>,
}

/// `VerificationMessageTemplate`: `{####}` is the code, `{##text##}` the link (by link only).
/// Replaces the stored template as a whole.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all(serialize = "PascalCase"))]
pub struct VerificationMessageSpec {
    /// `CONFIRM_WITH_CODE` (default) or `CONFIRM_WITH_LINK`.
    pub default_email_option: Option<String>,
    pub email_subject: Option<String>,
    pub email_message: Option<String>,
    pub email_subject_by_link: Option<String>,
    pub email_message_by_link: Option<String>,
    #[serde(rename(serialize = "SmsMessage"))]
    pub sms_message: Option<String>,
}

/// `InviteMessageTemplate`: `{username}` and `{####}` (the temporary password).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all(serialize = "PascalCase"))]
pub struct InviteMessageSpec {
    pub email_subject: Option<String>,
    pub email_message: Option<String>,
    #[serde(rename(serialize = "SMSMessage"))]
    pub sms_message: Option<String>,
}

/// `EmailConfiguration`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all(serialize = "PascalCase"))]
pub struct EmailConfigurationSpec {
    /// `COGNITO_DEFAULT` or `DEVELOPER`.
    pub email_sending_account: Option<String>,
    /// `Name <address>` or an address.
    pub from: Option<String>,
    pub reply_to_email_address: Option<String>,
    /// The SES identity ARN (kept and returned; Cognate sends through its own senders).
    #[serde(rename(serialize = "SourceArn"))]
    pub source_arn: Option<String>,
    pub configuration_set: Option<String>,
}

/// One app client. The settings have the names of CreateUserPoolClient in snake_case.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all(serialize = "PascalCase"))]
pub struct ClientSpec {
    /// The client's name; finds the client in the pool when there is no `client_id`.
    #[serde(rename(serialize = "ClientName"))]
    pub name: String,
    /// A fixed client ID (1 to 128 of `[A-Za-z0-9_+]`); generated when absent.
    #[serde(skip_serializing)]
    pub client_id: Option<String>,
    /// A fixed client secret (24 to 64 of `[A-Za-z0-9_+]`); makes the client confidential.
    #[serde(skip_serializing)]
    pub client_secret: Option<String>,
    /// Generate a secret (confidential client) when creating the client.
    #[serde(skip_serializing)]
    pub generate_secret: Option<bool>,
    pub explicit_auth_flows: Option<Vec<String>>,
    pub supported_identity_providers: Option<Vec<String>>,
    #[serde(rename(serialize = "CallbackURLs"))]
    pub callback_urls: Option<Vec<String>>,
    #[serde(rename(serialize = "LogoutURLs"))]
    pub logout_urls: Option<Vec<String>>,
    #[serde(rename(serialize = "DefaultRedirectURI"))]
    pub default_redirect_uri: Option<String>,
    #[serde(rename(serialize = "AllowedOAuthFlows"))]
    pub allowed_oauth_flows: Option<Vec<String>>,
    #[serde(rename(serialize = "AllowedOAuthScopes"))]
    pub allowed_oauth_scopes: Option<Vec<String>>,
    /// Defaults to true when `allowed_oauth_flows` is given.
    #[serde(rename(serialize = "AllowedOAuthFlowsUserPoolClient"))]
    pub allowed_oauth_flows_user_pool_client: Option<bool>,
    pub read_attributes: Option<Vec<String>>,
    pub write_attributes: Option<Vec<String>>,
    pub access_token_validity: Option<i64>,
    pub id_token_validity: Option<i64>,
    pub refresh_token_validity: Option<i64>,
    pub token_validity_units: Option<TokenValidityUnitsSpec>,
    pub prevent_user_existence_errors: Option<String>,
    pub enable_token_revocation: Option<bool>,
    pub auth_session_validity: Option<i64>,
}

/// Units of the token lifetimes: `seconds`, `minutes`, `hours` or `days`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all(serialize = "PascalCase"))]
pub struct TokenValidityUnitsSpec {
    pub access_token: Option<String>,
    pub id_token: Option<String>,
    pub refresh_token: Option<String>,
}

/// One group; members left out keep their value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupSpec {
    /// The group's name, as `cognito:groups` shows it.
    pub name: String,
    /// `Description`.
    pub description: Option<String>,
    /// `Precedence`: lower wins (for `cognito:preferred_role`).
    pub precedence: Option<i64>,
    /// `RoleArn`.
    pub role_arn: Option<String>,
}

/// One user.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    /// The username, or the email / phone number in pools that sign in with those.
    pub username: String,
    /// Generated (and printed once) when absent.
    pub password: Option<String>,
    /// `false`: the password is temporary and must be changed at first sign-in.
    #[serde(default = "yes")]
    pub permanent: bool,
    /// Set the password again at this start even though the user exists.
    #[serde(default)]
    pub reset_password: bool,
    /// Attribute values (strings; `true`/`false` and numbers are written as text).
    #[serde(default)]
    pub attributes: BTreeMap<String, AttributeValue>,
    /// Groups of this pool (listed in its `groups`) the user is added to.
    #[serde(default)]
    pub groups: Vec<String>,
}

fn yes() -> bool {
    true
}

/// An attribute value as TOML may write it.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum AttributeValue {
    Text(String),
    Flag(bool),
    Number(i64),
}

impl AttributeValue {
    /// The value as Cognito stores it: text.
    pub fn as_text(&self) -> String {
        match self {
            AttributeValue::Text(s) => s.clone(),
            AttributeValue::Flag(b) => b.to_string(),
            AttributeValue::Number(n) => n.to_string(),
        }
    }
}

impl PoolSpec {
    /// The pool's region: `region`, else the prefix of `id`, else `us-east-1`.
    pub fn region(&self) -> String {
        let from_id = self
            .id
            .as_deref()
            .and_then(|id| id.rsplit_once('_'))
            .map(|(r, _)| r);
        self.region
            .as_deref()
            .or(from_id)
            .unwrap_or(DEFAULT_REGION)
            .to_owned()
    }

    /// How errors name this entry.
    pub fn label(&self) -> String {
        match &self.id {
            Some(id) => format!("pool {:?} ({id})", self.name),
            None => format!("pool {:?}", self.name),
        }
    }
}

fn unique<'a>(
    what: &str,
    within: &str,
    names: impl Iterator<Item = &'a str>,
) -> Result<(), String> {
    let mut seen = HashSet::new();
    for name in names {
        if name.trim().is_empty() {
            return Err(format!("{within}: a {what} has an empty name"));
        }
        if !seen.insert(name) {
            return Err(format!("{within}: {what} {name:?} is listed twice"));
        }
    }
    Ok(())
}

impl BootstrapFile {
    /// The checks that need no store: names present and unique, IDs consistent with regions,
    /// secrets consistent, users' groups listed.
    pub fn validate(&self) -> Result<(), String> {
        unique(
            "pool",
            "the file",
            self.pools
                .iter()
                .map(|p| p.id.as_deref().unwrap_or(&p.name)),
        )?;
        for pool in &self.pools {
            let label = pool.label();
            let region = pool.region();
            if !cognate_api::sigv4::is_valid_region(&region) {
                return Err(format!(
                    "{label}: {region:?} is not a region name (such as us-east-1)"
                ));
            }
            if let (Some(id), Some(region)) = (&pool.id, &pool.region)
                && !id.starts_with(&format!("{region}_"))
            {
                return Err(format!(
                    "{label}: the ID {id} is not in the region {region} (it must start with {region}_)"
                ));
            }
            unique(
                "client",
                &label,
                pool.clients.iter().map(|c| c.name.as_str()),
            )?;
            unique(
                "client ID",
                &label,
                pool.clients.iter().filter_map(|c| c.client_id.as_deref()),
            )?;
            unique("group", &label, pool.groups.iter().map(|g| g.name.as_str()))?;
            unique(
                "user",
                &label,
                pool.users.iter().map(|u| u.username.as_str()),
            )?;
            for client in &pool.clients {
                let word = |s: &str| {
                    s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "_+".contains(c))
                };
                if let Some(id) = &client.client_id
                    && (id.is_empty() || id.len() > 128 || !word(id))
                {
                    return Err(format!(
                        "{label}, client {:?}: client_id {id:?} must be 1 to 128 letters, digits, _ or +",
                        client.name
                    ));
                }
                if let Some(secret) = &client.client_secret
                    && (!(24..=64).contains(&secret.len()) || !word(secret))
                {
                    return Err(format!(
                        "{label}, client {:?}: client_secret must be 24 to 64 letters, digits, _ or +",
                        client.name
                    ));
                }
                if client.client_secret.is_some() && client.generate_secret == Some(false) {
                    return Err(format!(
                        "{label}, client {:?}: client_secret is given but generate_secret is false",
                        client.name
                    ));
                }
            }
            for user in &pool.users {
                for group in &user.groups {
                    if !pool.groups.iter().any(|g| &g.name == group) {
                        return Err(format!(
                            "{label}, user {:?}: group {group:?} is not among the pool's groups",
                            user.username
                        ));
                    }
                }
                if user.password.as_deref() == Some("") {
                    return Err(format!(
                        "{label}, user {:?}: the password is empty (leave it out to generate one)",
                        user.username
                    ));
                }
            }
        }
        Ok(())
    }
}
