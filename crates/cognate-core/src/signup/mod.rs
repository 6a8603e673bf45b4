//! Self-service sign-up and its confirmation (AWS API reference: SignUp, ConfirmSignUp,
//! ResendConfirmationCode; REFERENCE.md §8, §12): the user is created `UNCONFIRMED`, a code
//! (or, in `CONFIRM_WITH_LINK` pools, a link) goes to the first auto-verified attribute the user
//! has (the phone before the email), and the code confirms the user and verifies that attribute.

pub mod codes;
pub mod recovery;
pub mod verification;

use crate::client::AppClient;
use crate::error::{CognitoError, ErrorKind, Result, StoreError};
use crate::messaging::{CodeDeliveryDetails, Medium, OutgoingMessage, templates};
use crate::password::{self, PolicyContext};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::triggers::messages::{RESEND_CODE, SIGN_UP, Secrets};
use crate::triggers::sign_up::{POST_CONFIRMATION_CONFIRM_SIGN_UP, PRE_SIGN_UP_SIGN_UP, Passed};
use crate::user::{Attribute, User, check_client_writes, check_writes, new_identity, status};
use codes::{Cap, Purpose};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::sync::Arc;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpRequest {
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub username: String,
    pub password: Option<String>,
    #[serde(default)]
    pub user_attributes: Vec<Attribute>,
    pub validation_data: Option<Value>,
    pub client_metadata: Option<Value>,
}

/// `SignUpResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct SignUpResponse {
    pub user_confirmed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code_delivery_details: Option<CodeDeliveryDetails>,
    pub user_sub: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ConfirmSignUpRequest {
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub username: String,
    pub confirmation_code: String,
    #[serde(default)]
    pub force_alias_creation: bool,
    pub client_metadata: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResendConfirmationCodeRequest {
    pub client_id: String,
    pub secret_hash: Option<String>,
    pub username: String,
    pub client_metadata: Option<Value>,
}

/// `ResendConfirmationCodeResponse`, `ForgotPasswordResponse`,
/// `GetUserAttributeVerificationCodeResponse`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct CodeDeliveryResponse {
    pub code_delivery_details: CodeDeliveryDetails,
}

/// Where a sign-up code goes: the phone when `phone_number` is auto-verified and the user
/// has one, else the email when `email` is (REFERENCE.md §8: "SMS if both").
pub(crate) fn sign_up_medium(pool: &UserPool, user: &User) -> Option<(Medium, String)> {
    [Medium::Sms, Medium::Email].into_iter().find_map(|m| {
        let attribute = m.attribute();
        let auto = pool.auto_verified_attributes.iter().any(|a| a == attribute);
        let value = user.attr(attribute)?;
        auto.then(|| (m, value.to_owned()))
    })
}

/// `UserNotFoundException` as the code flows word it, or, when the client hides which users
/// exist, what a wrong code gets.
pub(crate) fn unknown_user_in_code_flow(client: &AppClient) -> CognitoError {
    if client.settings.prevent_user_existence_errors == "ENABLED" {
        CognitoError::new(
            ErrorKind::CodeMismatch,
            "Invalid verification code provided, please try again.",
        )
    } else {
        CognitoError::new(
            ErrorKind::UserNotFound,
            "Username/client id combination not found.",
        )
    }
}

impl Cognito {
    /// The client and pool of a public (unsigned) call.
    pub(crate) async fn public_client(
        &self,
        client_id: &str,
    ) -> Result<(Arc<UserPool>, AppClient)> {
        let client = self.client_by_id(client_id).await?;
        let pool = self
            .store
            .get_pool(client.pool_id())
            .await?
            .ok_or_else(|| CognitoError::client_not_found(client_id))?;
        Ok((pool, client))
    }

    /// The pool, client and user (if any) of an unsigned code flow (ConfirmSignUp,
    /// ResendConfirmationCode, ForgotPassword, ConfirmForgotPassword), once its SECRET_HASH
    /// checks out against the name given or the user's internal username.
    pub(crate) async fn code_flow_caller(
        &self,
        client_id: &str,
        secret_hash: Option<&str>,
        username: &str,
    ) -> Result<(Arc<UserPool>, AppClient, Option<User>)> {
        let (pool, client) = self.public_client(client_id).await?;
        let user = self.find_user_opt(&pool, username).await?;
        let internal = user
            .as_ref()
            .map(|u| u.username.as_str())
            .unwrap_or(username);
        self.check_secret_hash(&client, secret_hash, &[username, internal])?;
        Ok((pool, client, user))
    }

    /// The message that carries a sign-up code: a code, or a link to `/confirmUser` in
    /// `CONFIRM_WITH_LINK` pools; as the pool's CustomMessage function writes it (`source`).
    async fn sign_up_message(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        (medium, to): (Medium, &str),
        code: &str,
        source: &'static str,
    ) -> Result<OutgoingMessage> {
        let mut link = None;
        let message = if medium == Medium::Email && templates::confirms_with_link(pool) {
            let url = crate::oauth::with_query(
                &format!("{}/confirmUser", self.issuer_base),
                &[
                    ("client_id", client.client_id()),
                    ("user_name", &user.username),
                    ("confirmation_code", code),
                ],
            );
            let message = templates::link_message(pool, to, &url);
            link = Some(url);
            message
        } else {
            templates::code_message(pool, medium, to, code)
        };
        let secrets = Secrets {
            code,
            link: link.as_deref(),
            username: None,
        };
        self.custom_message(
            pool,
            Some(client.client_id()),
            user,
            source,
            message,
            secrets,
        )
        .await
    }

    pub async fn sign_up(&self, req: SignUpRequest) -> Result<SignUpResponse> {
        let (pool, client) = self.public_client(&req.client_id).await?;
        if pool.admin_create_user_config.allow_admin_create_user_only {
            return Err(CognitoError::not_authorized(
                "SignUp is not permitted for this user pool",
            ));
        }
        self.check_secret_hash(&client, req.secret_hash.as_deref(), &[&req.username])?;
        let Some(password) = req.password.as_deref() else {
            return Err(CognitoError::invalid_parameter(
                "1 validation error detected: Value null at 'password' failed to satisfy constraint: Member must not be null",
            ));
        };
        let passed = Passed {
            client_id: Some(client.client_id()),
            client_metadata: req.client_metadata.as_ref(),
            validation_data: req.validation_data.as_ref(),
        };
        self.sign_up_with(
            &pool,
            &client,
            &req.username,
            password,
            &req.user_attributes,
            passed,
        )
        .await
    }

    /// Sign-up once the caller is authorized (SECRET_HASH, or the hosted UI itself).
    pub async fn sign_up_with(
        &self,
        pool: &UserPool,
        client: &AppClient,
        username: &str,
        password: &str,
        user_attributes: &[Attribute],
        passed: Passed<'_>,
    ) -> Result<SignUpResponse> {
        let (pool, client) = (pool.clone(), client.clone());
        if pool.admin_create_user_config.allow_admin_create_user_only {
            return Err(CognitoError::not_authorized(
                "SignUp is not permitted for this user pool",
            ));
        }
        check_client_writes(&client, user_attributes.iter().map(|a| a.name.as_str()))?;
        let given = check_writes(&pool, user_attributes, true)?;
        password::check_policy(pool.password_policy(), password, PolicyContext::SignUp)?;
        let (username, sub, attributes) = new_identity(&pool, username, given)?;
        for def in pool.schema_attributes.iter().filter(|a| a.is_required()) {
            if def.name != "sub" && !attributes.iter().any(|a| a.name == def.name) {
                return Err(CognitoError::invalid_parameter(format!(
                    "Attributes did not conform to the schema: {}: The attribute is required",
                    def.name
                )));
            }
        }
        let credentials = self
            .credentials(&pool.id, &username, &sub, password)
            .await?;
        let now = self.clock.now();
        let mut user = User {
            pool_id: pool.id.clone(),
            username_key: pool.username_key(&username),
            username,
            sub: sub.clone(),
            attributes,
            status: status::UNCONFIRMED.into(),
            enabled: true,
            created: now,
            modified: now,
            password_hash: Some(credentials.hash),
            password_set: Some(now),
            srp_verifier: Some(credentials.srp_verifier),
            mfa: Default::default(),
            mfa_options: Vec::new(),
        };
        // PreSignUp decides before anything is written; an auto-confirmed user gets no code.
        let confirmed = self
            .pre_sign_up(&pool, &mut user, PRE_SIGN_UP_SIGN_UP, passed)
            .await?;
        // Email or phone usernames are unique even unverified.
        self.claim_aliases(&pool, &user, false).await?;
        let medium = sign_up_medium(&pool, &user).filter(|_| !confirmed);
        let delivery = match medium {
            Some((medium, to)) => {
                let (record, code) = self.issue_code(&user, Purpose::SignUp, None);
                let message = self
                    .sign_up_message(&pool, &client, &user, (medium, &to), &code, SIGN_UP)
                    .await?;
                Some((
                    record,
                    self.seal_message(&message),
                    CodeDeliveryDetails::new(medium, &to),
                ))
            }
            None => None,
        };
        let (code, messages) = match &delivery {
            Some((c, m, _)) => (Some(c), std::slice::from_ref(m)),
            None => (None, &[][..]),
        };
        match self
            .store
            .insert_user_with_code(&user, code, messages)
            .await
        {
            Err(StoreError::Conflict(_)) => return Err(username_exists(&pool)),
            r => r?,
        }
        self.outbox_ready.notify_one();
        tracing::info!(pool_id = %pool.id, client_id = %client.client_id(), sub = %user.sub, "user signed up");
        Ok(SignUpResponse {
            user_confirmed: confirmed,
            code_delivery_details: delivery.map(|(_, _, d)| d),
            user_sub: sub,
        })
    }

    pub async fn confirm_sign_up(&self, req: ConfirmSignUpRequest) -> Result<()> {
        let (pool, client, user) = self
            .code_flow_caller(&req.client_id, req.secret_hash.as_deref(), &req.username)
            .await?;
        let user = user.ok_or_else(|| unknown_user_in_code_flow(&client))?;
        let passed = Passed {
            client_id: Some(client.client_id()),
            client_metadata: req.client_metadata.as_ref(),
            validation_data: None,
        };
        self.confirm_with_code(
            &pool,
            user,
            &req.confirmation_code,
            req.force_alias_creation,
            passed,
        )
        .await
    }

    /// Confirms a sign-up with its code (ConfirmSignUp and the emailed link): the user becomes
    /// `CONFIRMED` and the attribute the code went to is verified.
    pub async fn confirm_with_code(
        &self,
        pool: &UserPool,
        mut user: User,
        code: &str,
        force_alias_creation: bool,
        passed: Passed<'_>,
    ) -> Result<()> {
        self.within_cap(&pool.id, &user.username_key, Cap::ConfirmSignUp)
            .await?;
        if user.status != status::UNCONFIRMED {
            return Err(CognitoError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status
            )));
        }
        self.spend_verification_code(&user, Purpose::SignUp, code)
            .await?;
        if let Some((medium, _)) = sign_up_medium(pool, &user) {
            user.set_attr(&format!("{}_verified", medium.attribute()), "true");
        }
        user.status = status::CONFIRMED.into();
        user.modified = self.clock.now();
        self.claim_aliases(pool, &user, force_alias_creation)
            .await?;
        self.store.update_user(&user).await?;
        tracing::info!(pool_id = %pool.id, sub = %user.sub, "sign-up confirmed");
        self.post_confirmation(pool, &user, POST_CONFIRMATION_CONFIRM_SIGN_UP, passed)
            .await
    }

    pub async fn resend_confirmation_code(
        &self,
        req: ResendConfirmationCodeRequest,
    ) -> Result<CodeDeliveryResponse> {
        let (pool, client, user) = self
            .code_flow_caller(&req.client_id, req.secret_hash.as_deref(), &req.username)
            .await?;
        self.resend_with(&pool, &client, &req.username, user).await
    }

    /// ResendConfirmationCode once the caller is authorized; `user` as found by `username`.
    pub async fn resend_with(
        &self,
        pool: &UserPool,
        client: &AppClient,
        username: &str,
        user: Option<User>,
    ) -> Result<CodeDeliveryResponse> {
        let (pool, client) = (pool.clone(), client.clone());
        let Some(user) = user else {
            return self.simulated_delivery(&pool, &client, username);
        };
        if user.status != status::UNCONFIRMED {
            return Err(CognitoError::invalid_parameter(
                "User is already confirmed.",
            ));
        }
        self.within_cap(&pool.id, &user.username_key, Cap::ResendConfirmationCode)
            .await?;
        let Some((medium, to)) = sign_up_medium(&pool, &user) else {
            return Err(CognitoError::invalid_parameter(
                "Auto verification not turned on.",
            ));
        };
        let (record, code) = self.issue_code(&user, Purpose::SignUp, None);
        let message = self
            .sign_up_message(&pool, &client, &user, (medium, &to), &code, RESEND_CODE)
            .await?;
        self.store
            .put_code(&record, Some(&self.seal_message(&message)))
            .await?;
        self.outbox_ready.notify_one();
        Ok(CodeDeliveryResponse {
            code_delivery_details: CodeDeliveryDetails::new(medium, &to),
        })
    }

    /// For an unknown user: `UserNotFoundException`, or, when the client hides which users
    /// exist, the answer a real delivery would give (REFERENCE.md §8), after the same work.
    pub(crate) fn simulated_delivery(
        &self,
        pool: &UserPool,
        client: &AppClient,
        username: &str,
    ) -> Result<CodeDeliveryResponse> {
        if client.settings.prevent_user_existence_errors != "ENABLED" {
            return Err(CognitoError::new(
                ErrorKind::UserNotFound,
                "Username/client id combination not found.",
            ));
        }
        let phone_first = pool
            .auto_verified_attributes
            .iter()
            .any(|a| a == "phone_number")
            && crate::schema::looks_like_phone(username);
        let details = if phone_first {
            CodeDeliveryDetails::new(Medium::Sms, username)
        } else if crate::schema::looks_like_email(username) {
            CodeDeliveryDetails::new(Medium::Email, username)
        } else {
            // A stable stand-in derived from the name, so repeated asks answer alike.
            let digest = self
                .secrets
                .mac("simulated-destination", username.as_bytes());
            let letter = |b: u8| char::from(b'a' + b % 26);
            let fake = format!("{}@{}.com", letter(digest[0]), letter(digest[1]));
            CodeDeliveryDetails::new(Medium::Email, &fake)
        };
        Ok(CodeDeliveryResponse {
            code_delivery_details: details,
        })
    }
}

/// `UsernameExistsException` with Cognito's wording for the pool's kind of usernames.
fn username_exists(pool: &UserPool) -> CognitoError {
    let message = if pool.username_attributes.iter().any(|a| a == "email") {
        "An account with the given email already exists."
    } else if pool.username_attributes.iter().any(|a| a == "phone_number") {
        "An account with the given phone_number already exists."
    } else {
        "User already exists"
    };
    CognitoError::new(ErrorKind::UsernameExists, message)
}

impl Cognito {
    /// The emailed confirmation link of a `CONFIRM_WITH_LINK` pool (`GET /confirmUser`): the
    /// same checks as ConfirmSignUp, the code taking the place of SECRET_HASH.
    pub async fn confirm_sign_up_link(
        &self,
        client_id: &str,
        username: &str,
        code: &str,
    ) -> Result<()> {
        let (pool, client) = self.public_client(client_id).await?;
        let user = self
            .find_user_opt(&pool, username)
            .await?
            .ok_or_else(|| unknown_user_in_code_flow(&client))?;
        let passed = Passed {
            client_id: Some(client.client_id()),
            ..Passed::default()
        };
        self.confirm_with_code(&pool, user, code, false, passed)
            .await
    }
}
