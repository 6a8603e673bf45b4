//! The second factor of a sign-in (REFERENCE.md §4, §13): after a right password or SRP
//! proof (and a new password, when one was required), the pool's `MfaConfiguration` and the
//! user's factors decide between tokens, `SOFTWARE_TOKEN_MFA`, `SELECT_MFA_TYPE` and
//! `MFA_SETUP`; the answers to those challenges. Sessions are sealed (any node continues) and
//! expire with the client's `AuthSessionValidity`. Refreshing never asks for a second factor.

use super::config::{email_enabled, sms_enabled, software_token_enabled};
use super::preferences::enabled_factors;
use super::{EMAIL_OTP, MFA_SETUP, SELECT_MFA_TYPE, SMS_MFA, SOFTWARE_TOKEN_MFA};
use crate::auth::challenge::{ChallengeState, invalid_session};
use crate::auth::{AuthResponse, param};
use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Where a sign-in stands after a step: done (the caller issues tokens, or signs the browser
/// in), or another challenge to answer.
#[derive(Debug)]
pub enum Next {
    Done(Box<User>),
    Challenge(Box<AuthResponse>),
}

/// What MFA asks of a user who passed the first factor.
#[derive(Debug, PartialEq)]
pub enum Step {
    Tokens,
    Challenge(&'static str),
    /// Several factors and none preferred: the user picks one.
    Select(Vec<&'static str>),
    /// An ON pool and a user without a factor: set one up (these may be).
    Setup(Vec<&'static str>),
}

fn pool_allows(pool: &UserPool, factor: &str) -> bool {
    match factor {
        SOFTWARE_TOKEN_MFA => software_token_enabled(pool),
        SMS_MFA => sms_enabled(pool),
        EMAIL_OTP => email_enabled(pool),
        _ => false,
    }
}

/// The decision, from the pool's configuration and the user's factors.
pub fn step(pool: &UserPool, user: &User) -> Step {
    if pool.mfa_configuration == "OFF" {
        return Step::Tokens;
    }
    let usable: Vec<&'static str> = enabled_factors(user)
        .into_iter()
        .filter(|f| pool_allows(pool, f))
        .collect();
    if let Some(preferred) = usable
        .iter()
        .find(|f| user.mfa.preferred.as_deref() == Some(**f))
    {
        return Step::Challenge(preferred);
    }
    match usable.as_slice() {
        [] if pool.mfa_configuration == "ON" => {
            // An ON pool texts users who have a phone number when SMS is on.
            if sms_enabled(pool) && user.attr("phone_number").is_some() {
                return Step::Challenge(SMS_MFA);
            }
            let mut can: Vec<&'static str> = Vec::new();
            if sms_enabled(pool) {
                can.push(SMS_MFA);
            }
            if software_token_enabled(pool) {
                can.push(SOFTWARE_TOKEN_MFA);
            }
            Step::Setup(can)
        }
        [] => Step::Tokens,
        [one] => Step::Challenge(one),
        several => Step::Select(several.to_vec()),
    }
}

fn list(factors: &[&str]) -> Value {
    Value::from(serde_json::to_string(factors).expect("strings"))
}

impl Cognito {
    fn mfa_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        name: &'static str,
        mut params: Map<String, Value>,
        device_key: Option<&str>,
    ) -> AuthResponse {
        params.insert("USER_ID_FOR_SRP".into(), Value::from(user.username.clone()));
        AuthResponse {
            challenge_name: Some(name.into()),
            session: Some(self.seal_challenge(
                &pool.id,
                client.client_id(),
                user,
                name,
                client.settings.auth_session_validity,
                device_key,
            )),
            challenge_parameters: params,
            authentication_result: None,
        }
    }

    /// The challenge for one factor (SMS and email send their code now).
    async fn factor_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: &User,
        factor: &'static str,
        device_key: Option<&str>,
    ) -> Result<AuthResponse> {
        let mut params = Map::new();
        if factor == SOFTWARE_TOKEN_MFA {
            if let Some(name) = &user.mfa.totp_name {
                params.insert("FRIENDLY_DEVICE_NAME".into(), Value::from(name.clone()));
            }
        } else {
            params = self.send_sign_in_code(pool, user, factor).await?;
        }
        Ok(self.mfa_challenge(pool, client, user, factor, params, device_key))
    }

    /// What follows the first factor: done, or the challenge MFA asks for (SMS and email
    /// codes are sent now).
    pub(crate) async fn next_factor(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: User,
        device_key: Option<&str>,
    ) -> Result<Next> {
        let challenge = match step(pool, &user) {
            Step::Tokens => return Ok(Next::Done(Box::new(user))),
            Step::Challenge(factor) => {
                self.factor_challenge(pool, client, &user, factor, device_key)
                    .await?
            }
            Step::Select(factors) => {
                let mut params = Map::new();
                params.insert("MFAS_CAN_CHOOSE".into(), list(&factors));
                self.mfa_challenge(pool, client, &user, SELECT_MFA_TYPE, params, device_key)
            }
            Step::Setup(factors) => {
                let mut params = Map::new();
                params.insert("MFAS_CAN_SETUP".into(), list(&factors));
                self.mfa_challenge(pool, client, &user, MFA_SETUP, params, device_key)
            }
        };
        Ok(Next::Challenge(Box::new(challenge)))
    }

    /// The API's answer: tokens for a finished sign-in, or the next challenge.
    pub(crate) async fn tokens_or_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        next: Next,
        device_key: Option<&str>,
        source: &'static str,
    ) -> Result<AuthResponse> {
        match next {
            Next::Done(user) => Ok(AuthResponse::done(
                self.issue_sign_in(pool, client, &user, device_key, source)
                    .await?,
            )),
            Next::Challenge(challenge) => Ok(*challenge),
        }
    }

    /// What follows the first factor, as the API answers it; `source` names the first
    /// factor for PreTokenGeneration when no second one follows.
    pub(crate) async fn second_factor(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: User,
        device_key: Option<&str>,
        source: &'static str,
    ) -> Result<AuthResponse> {
        let next = self.next_factor(pool, client, user, device_key).await?;
        self.tokens_or_challenge(pool, client, next, device_key, source)
            .await
    }

    /// The user a challenge answer is for: the session's, named by USERNAME (the internal
    /// name or an alias), with the client's SECRET_HASH.
    async fn challenged_user(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: Option<&str>,
        challenge: &str,
        responses: &HashMap<String, String>,
    ) -> Result<(ChallengeState, User)> {
        let session = session
            .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter Session"))?;
        let state = self.open_challenge(session, client.client_id(), challenge)?;
        let username = param(responses, "USERNAME")?;
        let user = self
            .challenge_user(pool, &state)
            .await?
            .ok_or_else(invalid_session)?;
        let named = self.find_user_opt(pool, username).await?;
        if named.as_ref().map(|u| &u.sub) != Some(&user.sub) {
            return Err(invalid_session());
        }
        self.check_secret_hash(
            client,
            responses.get("SECRET_HASH").map(String::as_str),
            &[username, &user.username],
        )?;
        Ok((state, user))
    }

    /// Answers to SOFTWARE_TOKEN_MFA, MFA_SETUP and SELECT_MFA_TYPE.
    pub(crate) async fn respond_to_mfa(
        &self,
        pool: &UserPool,
        client: &AppClient,
        challenge: &str,
        session: Option<&str>,
        responses: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let (state, user) = self
            .challenged_user(pool, client, session, challenge, responses)
            .await?;
        let next = self
            .answer_mfa(pool, client, &state, user, responses)
            .await?;
        self.tokens_or_challenge(
            pool,
            client,
            next,
            state.device_key.as_deref(),
            crate::triggers::tokens::AUTHENTICATION,
        )
        .await
    }

    /// An answer to the challenge of `state` (opened and checked by the caller, API or hosted
    /// page) from `user`, the user it was issued to.
    pub(crate) async fn answer_mfa(
        &self,
        pool: &UserPool,
        client: &AppClient,
        state: &ChallengeState,
        mut user: User,
        responses: &HashMap<String, String>,
    ) -> Result<Next> {
        let challenge = state.challenge.as_str();
        match challenge {
            SOFTWARE_TOKEN_MFA | SMS_MFA | EMAIL_OTP => {
                // Wrong codes count on a counter of their own (under a key no username can
                // have: usernames hold no whitespace), which a right password does not
                // reset: signing in again gives no fresh guesses.
                let key = format!("\tmfa:{}", user.username_key);
                let code = param(responses, super::codes::code_key(challenge))?;
                // Every answer counts until it is judged, parallel ones included; only a
                // wrong code stays counted.
                let attempt = self.begin_attempt(&pool.id, &key).await?;
                let checked = if challenge == SOFTWARE_TOKEN_MFA {
                    self.check_totp(&user, code).await
                } else {
                    self.check_sign_in_code(&user, code).await
                };
                if let Err(e) = checked {
                    if e.kind == crate::ErrorKind::CodeMismatch {
                        attempt.failed();
                    } else {
                        self.attempt_unjudged(attempt).await?;
                    }
                    return Err(e);
                }
                self.consume_challenge(state).await?;
                self.attempt_succeeded(attempt).await?;
            }
            MFA_SETUP => {
                // Only the session VerifySoftwareToken returned, and only while the user
                // still has a factor to set up.
                if !state.verified
                    || !user.mfa.has_token()
                    || !matches!(step(pool, &user), Step::Setup(_))
                {
                    return Err(CognitoError::invalid_parameter(
                        "User has not verified software token mfa",
                    ));
                }
                self.consume_challenge(state).await?;
                user.mfa.enable(SOFTWARE_TOKEN_MFA);
                user.mfa.preferred = Some(SOFTWARE_TOKEN_MFA.into());
                user.modified = self.clock.now();
                self.store.update_user(&user).await?;
            }
            SELECT_MFA_TYPE => {
                let answer = param(responses, "ANSWER")?;
                let Step::Select(choices) = step(pool, &user) else {
                    return Err(invalid_session());
                };
                let Some(factor) = choices.into_iter().find(|f| *f == answer) else {
                    return Err(CognitoError::invalid_parameter(format!(
                        "Invalid ANSWER: {answer}"
                    )));
                };
                self.consume_challenge(state).await?;
                let challenge = self
                    .factor_challenge(pool, client, &user, factor, state.device_key.as_deref())
                    .await?;
                return Ok(Next::Challenge(Box::new(challenge)));
            }
            other => {
                return Err(CognitoError::feature_not_implemented(&format!(
                    "The {other} challenge"
                )));
            }
        }
        // The account may have changed since the first factor (disabled meanwhile).
        if self.account_gate(pool, &user)?.is_some() {
            return Err(invalid_session());
        }
        Ok(Next::Done(Box::new(user)))
    }
}
