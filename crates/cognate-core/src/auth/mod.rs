//! Signing in through the API: InitiateAuth / AdminInitiateAuth, RespondToAuthChallenge /
//! AdminRespondToAuthChallenge, with Cognito's flows, challenges and errors (REFERENCE.md §4).

pub mod challenge;
mod issue;
pub mod lockout;
pub mod refresh;
pub mod secret_hash;

use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::mfa;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::srp::flow::{PASSWORD_VERIFIER, USER_SRP_AUTH};
use crate::tokens::AuthenticationResult;
use crate::user::{Attribute, User, Writer, check_client_writes, status};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

pub const CUSTOM_AUTH: &str = "CUSTOM_AUTH";
pub const USER_PASSWORD_AUTH: &str = "USER_PASSWORD_AUTH";
pub const ADMIN_USER_PASSWORD_AUTH: &str = "ADMIN_USER_PASSWORD_AUTH";
pub const ADMIN_NO_SRP_AUTH: &str = "ADMIN_NO_SRP_AUTH";
pub const REFRESH_TOKEN_AUTH: &str = "REFRESH_TOKEN_AUTH";
pub const REFRESH_TOKEN: &str = "REFRESH_TOKEN";
pub const NEW_PASSWORD_REQUIRED: &str = "NEW_PASSWORD_REQUIRED";

/// Who is asking: an app with only a ClientId, or an admin with SigV4 credentials.
#[derive(Debug, Clone, Copy)]
pub enum Caller<'a> {
    Public,
    Admin { region: &'a str, pool_id: &'a str },
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct InitiateAuthRequest {
    pub auth_flow: String,
    #[serde(default)]
    pub auth_parameters: HashMap<String, String>,
    pub client_id: String,
    pub client_metadata: Option<Value>,
    pub session: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct RespondToAuthChallengeRequest {
    pub client_id: String,
    pub challenge_name: String,
    pub session: Option<String>,
    #[serde(default)]
    pub challenge_responses: HashMap<String, String>,
    pub client_metadata: Option<Value>,
}

/// `InitiateAuthResponse` / `RespondToAuthChallengeResponse` and their admin twins.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct AuthResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub challenge_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<String>,
    pub challenge_parameters: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authentication_result: Option<AuthenticationResult>,
}

impl AuthResponse {
    pub(crate) fn done(result: AuthenticationResult) -> Self {
        Self {
            challenge_name: None,
            session: None,
            challenge_parameters: Map::new(),
            authentication_result: Some(result),
        }
    }
}

pub(crate) fn param<'a>(params: &'a HashMap<String, String>, name: &str) -> Result<&'a str> {
    params.get(name).map(String::as_str).ok_or_else(|| {
        CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
    })
}

fn has_flow(client: &AppClient, names: &[&str]) -> bool {
    client
        .settings
        .explicit_auth_flows
        .iter()
        .any(|f| names.contains(&f.as_str()))
}

/// Clients configured with the legacy flow names always allow refreshing.
fn uses_legacy_flows(client: &AppClient) -> bool {
    client
        .settings
        .explicit_auth_flows
        .iter()
        .any(|f| !f.starts_with("ALLOW_"))
}

fn check_flow_enabled(client: &AppClient, flow: &str) -> Result<()> {
    let enabled = match flow {
        USER_PASSWORD_AUTH => has_flow(client, &["ALLOW_USER_PASSWORD_AUTH", "USER_PASSWORD_AUTH"]),
        ADMIN_USER_PASSWORD_AUTH | ADMIN_NO_SRP_AUTH => has_flow(
            client,
            &["ALLOW_ADMIN_USER_PASSWORD_AUTH", "ADMIN_NO_SRP_AUTH"],
        ),
        REFRESH_TOKEN_AUTH | REFRESH_TOKEN => {
            has_flow(client, &["ALLOW_REFRESH_TOKEN_AUTH"]) || uses_legacy_flows(client)
        }
        // Legacy flow names left SRP on unless the client took custom authentication only.
        USER_SRP_AUTH => {
            has_flow(client, &["ALLOW_USER_SRP_AUTH"])
                || (uses_legacy_flows(client) && !has_flow(client, &["CUSTOM_AUTH_FLOW_ONLY"]))
        }
        CUSTOM_AUTH => has_flow(client, &["ALLOW_CUSTOM_AUTH", "CUSTOM_AUTH_FLOW_ONLY"]),
        _ => false,
    };
    if enabled {
        Ok(())
    } else if flow == USER_PASSWORD_AUTH {
        Err(CognitoError::invalid_parameter(
            "USER_PASSWORD_AUTH flow not enabled for this client",
        ))
    } else {
        Err(CognitoError::invalid_parameter(
            "Auth flow not enabled for this client",
        ))
    }
}

/// Which operation takes which flow (AWS API reference, InitiateAuth and AdminInitiateAuth):
/// the password flows are split between them, every other flow is taken by both. A flow on
/// the wrong operation is "Initiate Auth method not supported."; an unknown one is refused
/// later with "Invalid AuthFlow".
fn flow_allowed(flow: &str, admin: bool) -> bool {
    match flow {
        USER_PASSWORD_AUTH => !admin,
        ADMIN_USER_PASSWORD_AUTH | ADMIN_NO_SRP_AUTH => admin,
        _ => true,
    }
}

pub(crate) fn wrong_password() -> CognitoError {
    CognitoError::not_authorized("Incorrect username or password.")
}

impl Cognito {
    /// The client, and its pool, for a sign-in call.
    async fn sign_in_client(
        &self,
        caller: Caller<'_>,
        client_id: &str,
    ) -> Result<(Arc<UserPool>, AppClient)> {
        match caller {
            Caller::Admin { region, pool_id } => {
                let client = self.client(region, pool_id, client_id).await?;
                let pool = self.pool(region, pool_id).await?;
                Ok((pool, client))
            }
            Caller::Public => {
                let client = self.client_by_id(client_id).await?;
                let pool = self
                    .store
                    .get_pool(client.pool_id())
                    .await?
                    .ok_or_else(|| CognitoError::client_not_found(client_id))?;
                Ok((pool, client))
            }
        }
    }

    pub async fn initiate_auth(
        &self,
        caller: Caller<'_>,
        req: InitiateAuthRequest,
    ) -> Result<AuthResponse> {
        let (pool, client) = self.sign_in_client(caller, &req.client_id).await?;
        let flow = req.auth_flow.as_str();
        let admin = matches!(caller, Caller::Admin { .. });
        let params = &req.auth_parameters;
        if !flow_allowed(flow, admin) {
            return Err(CognitoError::invalid_parameter(
                "Initiate Auth method not supported.",
            ));
        }
        match flow {
            USER_PASSWORD_AUTH | ADMIN_USER_PASSWORD_AUTH | ADMIN_NO_SRP_AUTH => {
                check_flow_enabled(&client, flow)?;
                let username = param(params, "USERNAME")?;
                let password = param(params, "PASSWORD")?;
                self.password_sign_in(
                    &pool,
                    &client,
                    username,
                    password,
                    params.get("SECRET_HASH").map(String::as_str),
                    params.get("DEVICE_KEY").map(String::as_str),
                )
                .await
            }
            REFRESH_TOKEN_AUTH | REFRESH_TOKEN => {
                check_flow_enabled(&client, flow)?;
                if client.settings.refresh_token_rotation_enabled() {
                    return Err(CognitoError::invalid_parameter(
                        "Refresh token rotation is enabled for this client: use GetTokensFromRefreshToken.",
                    ));
                }
                let token = param(params, "REFRESH_TOKEN")?;
                let (result, _) = self
                    .refresh(
                        &pool,
                        &client,
                        token,
                        RefreshCheck::SecretHash(params.get("SECRET_HASH").map(String::as_str)),
                        false,
                        params.get("DEVICE_KEY").map(String::as_str),
                    )
                    .await?;
                Ok(AuthResponse::done(result))
            }
            USER_SRP_AUTH => {
                check_flow_enabled(&client, flow)?;
                self.user_srp_auth(&pool, &client, params).await
            }
            CUSTOM_AUTH => {
                check_flow_enabled(&client, flow)?;
                self.custom_auth(&pool, &client, params).await
            }
            "USER_AUTH" => Err(CognitoError::feature_not_implemented(&format!(
                "The {flow} flow"
            ))),
            other => Err(CognitoError::invalid_parameter(format!(
                "Invalid AuthFlow: {other}"
            ))),
        }
    }

    /// USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH.
    async fn password_sign_in(
        &self,
        pool: &UserPool,
        client: &AppClient,
        username: &str,
        password: &str,
        secret_hash: Option<&str>,
        device_key: Option<&str>,
    ) -> Result<AuthResponse> {
        let user = match self.find_user_opt(pool, username).await? {
            None => {
                // The caller proves the client first: no migration for a client it is not.
                self.check_secret_hash(client, secret_hash, &[username])?;
                let source = crate::triggers::migration::AUTHENTICATION;
                self.migrate_user(pool, client, username, Some(password), source)
                    .await?
            }
            found => found,
        };
        let internal = user
            .as_ref()
            .map(|u| u.username.as_str())
            .unwrap_or(username);
        self.check_secret_hash(client, secret_hash, &[username, internal])?;
        let user = self
            .check_password(pool, client, username, user, password)
            .await?;
        self.after_password(pool, client, user, device_key).await
    }

    /// The password check every sign-in shares (API and hosted UI): unknown users, lockout,
    /// wrong passwords, each with Cognito's answer.
    /// `typed` is the name given at sign-in (it keys the lockout of unknown names).
    pub(crate) async fn check_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        typed: &str,
        user: Option<User>,
        password: &str,
    ) -> Result<User> {
        let Some(user) = user else {
            return Err(self
                .unknown_user_password(pool, client, typed, password)
                .await);
        };
        self.pre_authentication(pool, client, &user, None).await?;
        let attempt = self.begin_attempt(&pool.id, &user.username_key).await?;
        let ok = match &user.password_hash {
            Some(hash) => self.hasher.verify(password, hash).await?,
            None => false,
        };
        self.record_password_proof(attempt, ok).await?;
        let mut user = user;
        if self.add_missing_verifier(pool, &mut user, password).await? {
            self.store.update_user(&user).await?;
        }
        Ok(user)
    }

    /// A password for a username that does not exist. When the client hides which users
    /// exist, it gets exactly what a wrong password gets: the same time (a dummy hash) and,
    /// after five failures, the same lockout ("Password attempts exceeded"), counted under a
    /// key no real username can have (usernames hold no whitespace).
    async fn unknown_user_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        typed: &str,
        password: &str,
    ) -> CognitoError {
        crate::metrics::sign_in("failure");
        let hidden = client.settings.prevent_user_existence_errors == "ENABLED";
        let key = format!(" {}", pool.username_key(typed));
        let attempt = async {
            // Counted (and never cleared): a wrong password's lockout.
            let attempt = match hidden {
                true => Some(self.begin_attempt(&pool.id, &key).await?),
                false => None,
            };
            // Spend the time a real check costs, so timing does not tell either.
            self.hasher.verify_dummy(password).await?;
            if let Some(attempt) = attempt {
                attempt.failed();
            }
            Ok::<_, CognitoError>(())
        };
        match attempt.await {
            Ok(()) => self.unknown_user(client),
            Err(e) => e,
        }
    }

    /// What the account's state allows after a correct password: `Ok(None)` when it may sign
    /// in, `Ok(Some(challenge))` when a new password is required, or Cognito's refusal.
    pub(crate) fn account_gate(
        &self,
        pool: &UserPool,
        user: &User,
    ) -> Result<Option<&'static str>> {
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        match user.status.as_str() {
            status::UNCONFIRMED => Err(CognitoError::new(
                crate::ErrorKind::UserNotConfirmed,
                "User is not confirmed.",
            )),
            status::RESET_REQUIRED => Err(CognitoError::new(
                crate::ErrorKind::PasswordResetRequired,
                "Password reset required for the user",
            )),
            status::FORCE_CHANGE_PASSWORD => {
                let validity_days = pool.password_policy().temporary_password_validity_days;
                let set = user.password_set.map(|t| t.millis()).unwrap_or(0);
                if self.clock.now().millis() > set + validity_days * 86_400_000 {
                    return Err(CognitoError::not_authorized(
                        "Temporary password has expired and must be reset by an administrator.",
                    ));
                }
                Ok(Some(NEW_PASSWORD_REQUIRED))
            }
            _ => Ok(None),
        }
    }

    /// `UserNotFoundException`, or `Incorrect username or password.` when the client hides
    /// whether users exist.
    pub(crate) fn unknown_user(&self, client: &AppClient) -> CognitoError {
        if client.settings.prevent_user_existence_errors == "ENABLED" {
            wrong_password()
        } else {
            CognitoError::user_not_found()
        }
    }

    /// What follows a correct password: the account's state decides, then the device the
    /// sign-in names (DEVICE_KEY, which must be the user's) and MFA.
    pub(crate) async fn after_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: User,
        device_key: Option<&str>,
    ) -> Result<AuthResponse> {
        let device_key = self.presented_device(pool, &user, device_key).await?;
        match self.account_gate(pool, &user)? {
            Some(_) => Ok(self.new_password_challenge(pool, client, &user, device_key)),
            None => {
                self.device_or_second_factor(pool, client, user, device_key)
                    .await
            }
        }
    }

    fn new_password_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        device_key: Option<&str>,
    ) -> AuthResponse {
        let missing: Vec<String> = required_attributes(pool)
            .into_iter()
            .filter(|name| user.attr(name).is_none())
            .map(|name| format!("userAttributes.{name}"))
            .collect();
        let current: Map<String, Value> = user
            .attributes
            .iter()
            .filter(|a| a.name != "sub")
            .map(|a| (a.name.clone(), Value::from(a.value.clone())))
            .collect();
        let mut params = Map::new();
        params.insert("USER_ID_FOR_SRP".into(), Value::from(user.username.clone()));
        params.insert(
            "requiredAttributes".into(),
            Value::from(serde_json::to_string(&missing).expect("strings")),
        );
        params.insert(
            "userAttributes".into(),
            Value::from(Value::Object(current).to_string()),
        );
        AuthResponse {
            challenge_name: Some(NEW_PASSWORD_REQUIRED.into()),
            session: Some(self.seal_challenge(
                &pool.id,
                client.client_id(),
                user,
                NEW_PASSWORD_REQUIRED,
                client.settings.auth_session_validity,
                device_key,
            )),
            challenge_parameters: params,
            authentication_result: None,
        }
    }

    pub async fn respond_to_auth_challenge(
        &self,
        caller: Caller<'_>,
        req: RespondToAuthChallengeRequest,
    ) -> Result<AuthResponse> {
        let (pool, client) = self.sign_in_client(caller, &req.client_id).await?;
        let responses = &req.challenge_responses;
        match req.challenge_name.as_str() {
            NEW_PASSWORD_REQUIRED => {
                let session = req
                    .session
                    .as_deref()
                    .ok_or_else(challenge::invalid_session)?;
                let state =
                    self.open_challenge(session, client.client_id(), NEW_PASSWORD_REQUIRED)?;
                let username = param(responses, "USERNAME")?;
                let new_password = param(responses, "NEW_PASSWORD")?;
                let user = self
                    .challenge_user(&pool, &state)
                    .await?
                    .ok_or_else(|| self.unknown_user(&client))?;
                // The name may be the one typed at sign-in (an alias) or the internal one.
                let named = self.find_user_opt(&pool, username).await?;
                if named.as_ref().map(|u| &u.sub) != Some(&user.sub) {
                    return Err(challenge::invalid_session());
                }
                self.check_secret_hash(
                    &client,
                    responses.get("SECRET_HASH").map(String::as_str),
                    &[username, &user.username],
                )?;
                let attributes: Vec<Attribute> = responses
                    .iter()
                    .filter_map(|(k, v)| {
                        k.strip_prefix("userAttributes.")
                            .map(|n| Attribute::new(n, v))
                    })
                    .collect();
                let user = self
                    .complete_new_password(&pool, &client, &state, user, new_password, &attributes)
                    .await?;
                self.second_factor(
                    &pool,
                    &client,
                    user,
                    state.device_key.as_deref(),
                    crate::triggers::tokens::NEW_PASSWORD_CHALLENGE,
                )
                .await
            }
            name @ (mfa::SOFTWARE_TOKEN_MFA
            | mfa::SMS_MFA
            | mfa::EMAIL_OTP
            | mfa::MFA_SETUP
            | mfa::SELECT_MFA_TYPE) => {
                self.respond_to_mfa(&pool, &client, name, req.session.as_deref(), responses)
                    .await
            }
            // With a Session, the password step of a custom flow (CUSTOM_AUTH with SRP_A).
            PASSWORD_VERIFIER => match req.session.as_deref() {
                Some(session) => {
                    self.respond_custom_password_verifier(&pool, &client, session, responses)
                        .await
                }
                None => {
                    check_flow_enabled(&client, USER_SRP_AUTH)?;
                    self.password_verifier(&pool, &client, responses).await
                }
            },
            crate::triggers::custom_auth::CUSTOM_CHALLENGE => {
                self.respond_custom_challenge(&pool, &client, req.session.as_deref(), responses)
                    .await
            }
            crate::device::sign_in::DEVICE_SRP_AUTH => {
                self.device_srp_auth(&pool, &client, req.session.as_deref(), responses)
                    .await
            }
            crate::device::sign_in::DEVICE_PASSWORD_VERIFIER => {
                self.device_password_verifier(&pool, &client, req.session.as_deref(), responses)
                    .await
            }
            other => Err(CognitoError::feature_not_implemented(&format!(
                "The {other} challenge"
            ))),
        }
    }
}

impl Cognito {
    /// Finishes NEW_PASSWORD_REQUIRED for the API and the hosted UI: the client's write
    /// permission, required attributes, the password policy, then the session is spent and
    /// the user confirmed.
    pub(crate) async fn complete_new_password(
        &self,
        pool: &UserPool,
        client: &AppClient,
        state: &challenge::ChallengeState,
        mut user: User,
        new_password: &str,
        attributes: &[Attribute],
    ) -> Result<User> {
        // Every refusal comes before the session is spent. The password may have been changed
        // (another session of the same temporary password) or the user disabled meanwhile.
        if user.status != status::FORCE_CHANGE_PASSWORD {
            // This very session answered already: say so; another one is spent and refused.
            self.consume_challenge(state).await?;
            return Err(challenge::invalid_session());
        }
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        check_client_writes(client, attributes.iter().map(|a| a.name.as_str()))?;
        crate::user::check_writes(pool, attributes, false)?;
        for name in required_attributes(pool) {
            if user.attr(&name).is_none() && !attributes.iter().any(|a| a.name == name) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid attributes given, {name} is missing"
                )));
            }
        }
        self.set_password(pool, &mut user, new_password).await?;
        self.consume_challenge(state).await?;
        user.status = status::CONFIRMED.into();
        if attributes.is_empty() {
            self.store.update_user(&user).await?;
            return Ok(user);
        }
        // Stores the new password and status along with the attributes.
        self.update_attributes(pool, Writer::Client(client), user, attributes)
            .await
    }
}

/// Names of the pool's required attributes (`sub` aside).
fn required_attributes(pool: &UserPool) -> Vec<String> {
    pool.schema_attributes
        .iter()
        .filter(|a| a.is_required() && a.name != "sub")
        .map(|a| a.name.clone())
        .collect()
}

pub use refresh::RefreshCheck;
