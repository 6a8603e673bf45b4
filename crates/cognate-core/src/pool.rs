//! User pools: their configuration, schema and the operations on them.

use crate::error::{CognitoError, ErrorKind, Result};
use crate::ids;
use crate::page::{Page, PageToken};
use crate::schema::{self, SchemaAttribute};
use crate::service::Cognito;
use crate::time::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::sync::Arc;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicy {
    pub minimum_length: i64,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_history_size: Option<i64>,
    pub temporary_password_validity_days: i64,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: true,
            password_history_size: None,
            temporary_password_validity_days: 7,
        }
    }
}

/// `PasswordPolicy` as sent by a caller: every member optional, defaults filled in by Cognito.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PasswordPolicyInput {
    pub minimum_length: Option<i64>,
    pub require_uppercase: Option<bool>,
    pub require_lowercase: Option<bool>,
    pub require_numbers: Option<bool>,
    pub require_symbols: Option<bool>,
    pub password_history_size: Option<i64>,
    pub temporary_password_validity_days: Option<i64>,
}

impl PasswordPolicyInput {
    fn resolve(self) -> PasswordPolicy {
        let d = PasswordPolicy::default();
        PasswordPolicy {
            minimum_length: self.minimum_length.unwrap_or(d.minimum_length),
            require_uppercase: self.require_uppercase.unwrap_or(d.require_uppercase),
            require_lowercase: self.require_lowercase.unwrap_or(d.require_lowercase),
            require_numbers: self.require_numbers.unwrap_or(d.require_numbers),
            require_symbols: self.require_symbols.unwrap_or(d.require_symbols),
            password_history_size: self.password_history_size,
            // 0 means "the default" (REFERENCE.md §10).
            temporary_password_validity_days: match self.temporary_password_validity_days {
                None | Some(0) => d.temporary_password_validity_days,
                Some(n) => n,
            },
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct Policies {
    pub password_policy: PasswordPolicy,
    pub sign_in_policy: Value,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PoliciesInput {
    pub password_policy: Option<PasswordPolicyInput>,
    pub sign_in_policy: Option<Value>,
}

impl PoliciesInput {
    fn resolve(self) -> Policies {
        Policies {
            password_policy: self.password_policy.unwrap_or_default().resolve(),
            sign_in_policy: self
                .sign_in_policy
                .unwrap_or_else(|| serde_json::json!({"AllowedFirstAuthFactors": ["PASSWORD"]})),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfig {
    pub allow_admin_create_user_only: bool,
    pub unused_account_validity_days: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invite_message_template: Option<Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct AdminCreateUserConfigInput {
    pub allow_admin_create_user_only: Option<bool>,
    pub unused_account_validity_days: Option<i64>,
    pub invite_message_template: Option<Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct UsernameConfiguration {
    pub case_sensitive: bool,
}

/// A user pool as stored and as `DescribeUserPool` shows it (computed members aside).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(rename_all = "PascalCase")]
pub struct UserPool {
    pub id: String,
    pub name: String,
    pub arn: String,
    pub policies: Policies,
    pub deletion_protection: String,
    pub lambda_config: Value,
    pub schema_attributes: Vec<SchemaAttribute>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auto_verified_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub alias_attributes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub username_attributes: Vec<String>,
    pub verification_message_template: Value,
    pub mfa_configuration: String,
    pub email_configuration: Value,
    pub user_pool_tags: BTreeMap<String, String>,
    pub admin_create_user_config: AdminCreateUserConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username_configuration: Option<UsernameConfiguration>,
    pub user_pool_tier: String,
    pub creation_date: Timestamp,
    pub last_modified_date: Timestamp,
    /// Settings Cognate keeps and returns but does not act on yet (messages, SMS, devices,
    /// add-ons, recovery, ...), under their model names.
    #[serde(flatten)]
    pub settings: Map<String, Value>,
}

impl UserPool {
    /// Usernames (and email / preferred_username aliases) compare case-insensitively unless the
    /// pool was created with `UsernameConfiguration { CaseSensitive: true }`.
    pub fn case_sensitive(&self) -> bool {
        self.username_configuration
            .as_ref()
            .is_some_and(|c| c.case_sensitive)
    }

    pub fn password_policy(&self) -> &PasswordPolicy {
        &self.policies.password_policy
    }

    pub fn region(&self) -> &str {
        ids::region_of_pool(&self.id).unwrap_or_default()
    }

    pub fn schema_attribute(&self, name: &str) -> Option<&SchemaAttribute> {
        self.schema_attributes.iter().find(|a| a.name == name)
    }

    /// The key users are stored under: the username itself, or folded to lower case.
    pub fn username_key(&self, username: &str) -> String {
        if self.case_sensitive() {
            username.to_owned()
        } else {
            username.to_lowercase()
        }
    }
}

/// Pass-through settings that CreateUserPool and UpdateUserPool accept.
const PASSTHROUGH_SETTINGS: &[&str] = &[
    "SmsVerificationMessage",
    "EmailVerificationMessage",
    "EmailVerificationSubject",
    "SmsAuthenticationMessage",
    "UserAttributeUpdateSettings",
    "DeviceConfiguration",
    "SmsConfiguration",
    "UserPoolAddOns",
    "AccountRecoverySetting",
    "DcrConfiguration",
    "KeyConfiguration",
    "IssuerConfiguration",
    "AcrConfiguration",
];

fn passthrough(extra: &Map<String, Value>) -> Map<String, Value> {
    extra
        .iter()
        .filter(|(k, v)| PASSTHROUGH_SETTINGS.contains(&k.as_str()) && !v.is_null())
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// The pool's `VerificationMessageTemplate`, with the legacy top-level messages folded in.
/// A template with both a code message (`EmailMessage`) and a link message
/// (`EmailMessageByLink`) is refused, as Cognito does: "The message is invalid."
fn verification_template(extra: &Map<String, Value>, template: Option<Value>) -> Result<Value> {
    let mut t = match template {
        Some(Value::Object(m)) => m,
        _ => Map::new(),
    };
    let given = |k: &str| t.get(k).is_some_and(|v| !v.is_null());
    if given("EmailMessage") && given("EmailMessageByLink") {
        return Err(CognitoError::invalid_parameter("The message is invalid."));
    }
    if let Some(v) = extra.get("EmailVerificationMessage") {
        t.entry("EmailMessage").or_insert(v.clone());
    }
    if let Some(v) = extra.get("EmailVerificationSubject") {
        t.entry("EmailSubject").or_insert(v.clone());
    }
    if let Some(v) = extra.get("SmsVerificationMessage") {
        t.entry("SmsMessage").or_insert(v.clone());
    }
    t.entry("DefaultEmailOption")
        .or_insert(Value::from("CONFIRM_WITH_CODE"));
    Ok(Value::Object(t))
}

fn resolve_admin_create_user_config(
    input: Option<AdminCreateUserConfigInput>,
    policy: &PasswordPolicy,
) -> AdminCreateUserConfig {
    let input = input.unwrap_or_default();
    AdminCreateUserConfig {
        allow_admin_create_user_only: input.allow_admin_create_user_only.unwrap_or(false),
        unused_account_validity_days: input
            .unused_account_validity_days
            .unwrap_or(policy.temporary_password_validity_days),
        invite_message_template: input.invite_message_template,
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CreateUserPoolRequest {
    pub pool_name: String,
    pub policies: Option<PoliciesInput>,
    pub deletion_protection: Option<String>,
    pub lambda_config: Option<Value>,
    pub auto_verified_attributes: Option<Vec<String>>,
    pub alias_attributes: Option<Vec<String>>,
    pub username_attributes: Option<Vec<String>>,
    pub verification_message_template: Option<Value>,
    pub mfa_configuration: Option<String>,
    pub email_configuration: Option<Value>,
    pub user_pool_tags: Option<BTreeMap<String, String>>,
    pub admin_create_user_config: Option<AdminCreateUserConfigInput>,
    pub schema: Option<Vec<SchemaAttribute>>,
    pub username_configuration: Option<UsernameConfiguration>,
    pub user_pool_tier: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct UpdateUserPoolRequest {
    pub user_pool_id: String,
    pub pool_name: Option<String>,
    pub policies: Option<PoliciesInput>,
    pub deletion_protection: Option<String>,
    pub lambda_config: Option<Value>,
    pub auto_verified_attributes: Option<Vec<String>>,
    pub verification_message_template: Option<Value>,
    pub mfa_configuration: Option<String>,
    pub email_configuration: Option<Value>,
    pub user_pool_tags: Option<BTreeMap<String, String>>,
    pub admin_create_user_config: Option<AdminCreateUserConfigInput>,
    pub user_pool_tier: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `UserPoolType` with the members computed at read time.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolView {
    #[serde(flatten)]
    pub pool: UserPool,
    pub estimated_number_of_users: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_domain: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct UserPoolDescription {
    pub id: String,
    pub name: String,
    pub lambda_config: Value,
    pub last_modified_date: Timestamp,
    pub creation_date: Timestamp,
}

fn validate_sign_in_attributes(alias: &[String], username: &[String]) -> Result<()> {
    if !alias.is_empty() && !username.is_empty() {
        return Err(CognitoError::invalid_parameter(
            "Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.",
        ));
    }
    for a in alias {
        if !["email", "phone_number", "preferred_username"].contains(&a.as_str()) {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid alias attribute: {a}"
            )));
        }
    }
    Ok(())
}

fn validate_auto_verified(attrs: &[String]) -> Result<()> {
    for a in attrs {
        if a != "email" && a != "phone_number" {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid AutoVerifiedAttribute: {a}"
            )));
        }
    }
    Ok(())
}

/// Region names as AWS spells them: `us-east-1`, `eu-central-2`, `us-gov-west-1`.
fn valid_region(region: &str) -> bool {
    let parts: Vec<&str> = region.split('-').collect();
    parts.len() >= 3
        && parts[0].len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|c| c.is_ascii_digit()))
}

impl Cognito {
    /// The pool, if it exists in this region. Pools of other regions do not exist here.
    /// Shared (`Arc`): read on nearly every request; a change works on a copy.
    pub async fn pool(&self, region: &str, pool_id: &str) -> Result<Arc<UserPool>> {
        if ids::region_of_pool(pool_id) != Some(region) {
            return Err(CognitoError::pool_not_found(pool_id));
        }
        self.store
            .get_pool(pool_id)
            .await?
            .ok_or_else(|| CognitoError::pool_not_found(pool_id))
    }

    pub async fn create_user_pool(
        &self,
        region: &str,
        req: CreateUserPoolRequest,
    ) -> Result<UserPoolView> {
        self.insert_new_pool(region, ids::user_pool_id(region), req)
            .await
    }

    /// CreateUserPool under a caller-chosen ID, for declarative setups that must be
    /// reproducible (`cognate serve --bootstrap`). The ID has Cognito's form,
    /// `<region>_<letters and digits>` (at most 55 characters), in this region, and must be free.
    pub async fn create_user_pool_with_id(
        &self,
        region: &str,
        pool_id: &str,
        req: CreateUserPoolRequest,
    ) -> Result<UserPoolView> {
        let suffix = pool_id
            .strip_prefix(region)
            .and_then(|s| s.strip_prefix('_'));
        let well_formed = pool_id.len() <= 55
            && valid_region(region)
            && suffix
                .is_some_and(|s| !s.is_empty() && s.bytes().all(|c| c.is_ascii_alphanumeric()));
        if !well_formed {
            return Err(CognitoError::invalid_parameter(format!(
                "User pool ID {pool_id} is invalid: it must be {region}_ followed by letters and digits (at most 55 characters)."
            )));
        }
        if self.store.get_pool(pool_id).await?.is_some() {
            return Err(CognitoError::invalid_parameter(format!(
                "User pool {pool_id} already exists."
            )));
        }
        self.insert_new_pool(region, pool_id.to_owned(), req).await
    }

    async fn insert_new_pool(
        &self,
        region: &str,
        id: String,
        req: CreateUserPoolRequest,
    ) -> Result<UserPoolView> {
        let alias = req.alias_attributes.unwrap_or_default();
        let username_attrs = req.username_attributes.unwrap_or_default();
        validate_sign_in_attributes(&alias, &username_attrs)?;
        let auto_verified = req.auto_verified_attributes.unwrap_or_default();
        validate_auto_verified(&auto_verified)?;
        let mfa = req.mfa_configuration.unwrap_or_else(|| "OFF".into());
        let schema_attributes = schema::build_pool_schema(req.schema.unwrap_or_default())?;
        let policies = req.policies.unwrap_or_default().resolve();
        let now = self.clock.now();
        let admin_create_user_config = resolve_admin_create_user_config(
            req.admin_create_user_config,
            &policies.password_policy,
        );
        let pool = UserPool {
            arn: ids::user_pool_arn(region, &self.account_id, &id),
            id,
            name: req.pool_name,
            policies,
            deletion_protection: req.deletion_protection.unwrap_or_else(|| "INACTIVE".into()),
            lambda_config: self.lambda_config(req.lambda_config)?,
            schema_attributes,
            auto_verified_attributes: auto_verified,
            alias_attributes: alias,
            username_attributes: username_attrs,
            verification_message_template: verification_template(
                &req.extra,
                req.verification_message_template,
            )?,
            mfa_configuration: mfa,
            email_configuration: req
                .email_configuration
                .unwrap_or_else(|| serde_json::json!({"EmailSendingAccount": "COGNITO_DEFAULT"})),
            user_pool_tags: req.user_pool_tags.unwrap_or_default(),
            admin_create_user_config,
            // Case-insensitive unless asked otherwise, as the Cognito console creates pools.
            username_configuration: Some(req.username_configuration.unwrap_or(
                UsernameConfiguration {
                    case_sensitive: false,
                },
            )),
            user_pool_tier: req.user_pool_tier.unwrap_or_else(|| "ESSENTIALS".into()),
            creation_date: now,
            last_modified_date: now,
            settings: passthrough(&req.extra),
        };
        self.store.insert_pool(&pool).await?;
        tracing::info!(pool_id = %pool.id, "user pool created");
        self.pool_view(pool).await
    }

    pub async fn pool_view(&self, mut pool: UserPool) -> Result<UserPoolView> {
        for name in crate::mfa::config::HIDDEN_SETTINGS {
            pool.settings.remove(name);
        }
        let estimated_number_of_users = self.store.count_users(&pool.id).await?;
        let (mut domain, mut custom_domain) = (None, None);
        for d in self.store.list_domains_of_pool(&pool.id).await? {
            if d.custom_domain_config.is_some() {
                custom_domain = Some(d.domain);
            } else {
                domain = Some(d.domain);
            }
        }
        Ok(UserPoolView {
            pool,
            estimated_number_of_users,
            domain,
            custom_domain,
        })
    }

    pub async fn describe_user_pool(&self, region: &str, pool_id: &str) -> Result<UserPoolView> {
        let pool = self.pool(region, pool_id).await?;
        self.pool_view(Arc::unwrap_or_clone(pool)).await
    }

    /// Cognito's UpdateUserPool resets every updatable setting the request leaves out to its
    /// default; we do the same so behaviour matches what teams see on AWS.
    pub async fn update_user_pool(&self, region: &str, req: UpdateUserPoolRequest) -> Result<()> {
        let mut pool = Arc::unwrap_or_clone(self.pool(region, &req.user_pool_id).await?);
        let auto_verified = req.auto_verified_attributes.unwrap_or_default();
        validate_auto_verified(&auto_verified)?;
        let mfa = req.mfa_configuration.unwrap_or_else(|| "OFF".into());
        if mfa == "ON" && pool.mfa_configuration != "ON" {
            return Err(CognitoError::invalid_parameter(
                "Cannot turn MFA functionality ON, once the user pool has been created.",
            ));
        }
        if let Some(name) = req.pool_name {
            pool.name = name;
        }
        pool.policies = req.policies.unwrap_or_default().resolve();
        pool.deletion_protection = req.deletion_protection.unwrap_or_else(|| "INACTIVE".into());
        pool.lambda_config = self.lambda_config(req.lambda_config)?;
        pool.auto_verified_attributes = auto_verified;
        pool.verification_message_template =
            verification_template(&req.extra, req.verification_message_template)?;
        pool.mfa_configuration = mfa;
        pool.email_configuration = req
            .email_configuration
            .unwrap_or_else(|| serde_json::json!({"EmailSendingAccount": "COGNITO_DEFAULT"}));
        if let Some(tags) = req.user_pool_tags {
            pool.user_pool_tags = tags;
        }
        pool.admin_create_user_config = resolve_admin_create_user_config(
            req.admin_create_user_config,
            &pool.policies.password_policy,
        );
        if let Some(tier) = req.user_pool_tier {
            pool.user_pool_tier = tier;
        }
        // The MFA factors are SetUserPoolMfaConfig's, kept across updates.
        let mut settings = passthrough(&req.extra);
        for name in crate::mfa::config::HIDDEN_SETTINGS {
            if let Some(v) = pool.settings.get(name) {
                settings.insert(name.into(), v.clone());
            }
        }
        pool.settings = settings;
        pool.last_modified_date = self.clock.now();
        self.store.update_pool(&pool).await?;
        Ok(())
    }

    pub async fn delete_user_pool(&self, region: &str, pool_id: &str) -> Result<()> {
        let pool = self.pool(region, pool_id).await?;
        if pool.deletion_protection == "ACTIVE" {
            return Err(CognitoError::new(
                ErrorKind::InvalidParameter,
                format!(
                    "The user pool {pool_id} cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first."
                ),
            ));
        }
        if !self.store.list_domains_of_pool(pool_id).await?.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "User pool cannot be deleted. It has a domain configured that should be deleted first.",
            ));
        }
        self.store.delete_pool(pool_id).await?;
        tracing::info!(pool_id, "user pool deleted");
        Ok(())
    }

    pub async fn list_user_pools(
        &self,
        region: &str,
        max_results: i64,
        next_token: Option<&str>,
    ) -> Result<Page<UserPoolDescription>> {
        let after = PageToken::decode_opt(next_token)?;
        let limit = max_results.clamp(1, 60) as usize;
        let pools = self
            .store
            .list_pools(region, after.as_deref(), limit + 1)
            .await?;
        Ok(
            Page::from_overfetch(pools, limit, |p| p.id.clone()).map(|p| UserPoolDescription {
                id: p.id,
                name: p.name,
                lambda_config: p.lambda_config,
                last_modified_date: p.last_modified_date,
                creation_date: p.creation_date,
            }),
        )
    }

    pub async fn add_custom_attributes(
        &self,
        region: &str,
        pool_id: &str,
        attributes: Vec<SchemaAttribute>,
    ) -> Result<()> {
        let mut pool = Arc::unwrap_or_clone(self.pool(region, pool_id).await?);
        schema::add_custom_attributes(&mut pool.schema_attributes, attributes)?;
        pool.last_modified_date = self.clock.now();
        self.store.update_pool(&pool).await?;
        Ok(())
    }
}
