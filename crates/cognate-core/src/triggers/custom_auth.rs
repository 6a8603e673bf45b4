//! CUSTOM_AUTH (AWS developer guide "Custom authentication challenge Lambda triggers"): the
//! pool's DefineAuthChallenge function decides each round from the rounds so far (`session`:
//! `challengeName`, `challengeResult`, `challengeMetadata`): issue tokens, fail, or ask a
//! `CUSTOM_CHALLENGE`, which CreateAuthChallenge writes (public parameters for the client,
//! private ones kept sealed in the Session) and VerifyAuthChallengeResponse judges from the
//! client's `ANSWER`. With PreventUserExistenceErrors an unknown name goes through the same
//! rounds with `userNotFound`, and can never be given tokens.
//!
//! The password may come first, proven with SRP: a client that starts with `SRP_A` (and
//! `CHALLENGE_NAME` `SRP_A`, as amazon-cognito-identity-js sends) begins with the round
//! `SRP_A` already in the session; when Define answers `PASSWORD_VERIFIER`, the client gets
//! SRP's challenge with a Session, and a right claim adds the round `PASSWORD_VERIFIER`
//! before Define decides again. A wrong password fails at once, counted toward lockout, as in
//! USER_SRP_AUTH. A sign-in has at most [`MAX_ROUNDS`] rounds.

use super::{Event, flag, user_attributes};
use crate::auth::challenge::{ChallengeState, invalid_session};
use crate::auth::{AuthResponse, param, wrong_password};
use crate::client::AppClient;
use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use serde_json::{Map, Value, json};
use std::collections::HashMap;

pub const CUSTOM_CHALLENGE: &str = "CUSTOM_CHALLENGE";
const SRP_A: &str = "SRP_A";
const PASSWORD_VERIFIER: &str = crate::srp::flow::PASSWORD_VERIFIER;
/// Answers a sign-in may give before it must start again.
pub const MAX_ROUNDS: usize = 8;

/// Who is signing in: a user, or (PreventUserExistenceErrors) a name with none.
struct Signer {
    user: Option<User>,
    name: String,
}

impl Signer {
    fn attributes(&self) -> Value {
        self.user.as_ref().map_or(Value::Object(Map::new()), |u| {
            Value::Object(user_attributes(u))
        })
    }
}

impl Cognito {
    fn custom_event<'a>(
        &self,
        pool: &'a UserPool,
        client: &'a AppClient,
        signer: &'a Signer,
        trigger: &'static str,
        source: &'static str,
        mut request: Map<String, Value>,
    ) -> Event<'a> {
        request.insert("userAttributes".into(), signer.attributes());
        request.insert("userNotFound".into(), Value::Bool(signer.user.is_none()));
        request.insert("clientMetadata".into(), Value::Null);
        Event {
            pool,
            version: "1",
            trigger,
            source,
            user_name: signer.user.as_ref().map_or(&signer.name, |u| &u.username),
            client_id: Some(client.client_id()),
            request,
        }
    }

    /// InitiateAuth / AdminInitiateAuth with CUSTOM_AUTH: the first round.
    pub(crate) async fn custom_auth(
        &self,
        pool: &UserPool,
        client: &AppClient,
        params: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let typed = param(params, "USERNAME")?;
        if self.trigger_arn(pool, "DefineAuthChallenge").is_none() {
            return Err(CognitoError::invalid_parameter(
                "Custom auth lambda trigger is not configured for the user pool.",
            ));
        }
        let srp_a = match params.get(SRP_A) {
            Some(hex) => Some(
                crate::srp::group::from_hex(hex)
                    .and_then(|a| crate::srp::group::client_public(&a))
                    .ok_or_else(|| CognitoError::invalid_parameter("Invalid SRP_A value."))?,
            ),
            None => None,
        };
        let user = self.find_user_opt(pool, typed).await?;
        let internal = user.as_ref().map_or(typed, |u| u.username.as_str());
        self.check_secret_hash(
            client,
            params.get("SECRET_HASH").map(String::as_str),
            &[typed, internal],
        )?;
        if user.is_none() && client.settings.prevent_user_existence_errors != "ENABLED" {
            return Err(CognitoError::user_not_found());
        }
        if let Some(u) = &user {
            // Unconfirmed, disabled, reset: refused as for any sign-in.
            if self.account_gate(pool, u)?.is_some() {
                return Err(wrong_password());
            }
            self.pre_authentication(pool, client, u, None).await?;
        }
        let signer = Signer {
            user,
            name: typed.to_owned(),
        };
        // SRP_A is the first round, already passed: Define sees it and may ask for the claim.
        let rounds = match srp_a {
            Some(_) => vec![round(SRP_A, true, Value::Null)],
            None => Vec::new(),
        };
        self.next_round(pool, client, signer, rounds, srp_a).await
    }

    /// DefineAuthChallenge on the rounds so far, then what it decided. `srp_a`: the client's
    /// SRP_A while the last round is `SRP_A` (Define may then ask for PASSWORD_VERIFIER).
    async fn next_round(
        &self,
        pool: &UserPool,
        client: &AppClient,
        signer: Signer,
        rounds: Vec<Value>,
        srp_a: Option<crypto_bigint::U3072>,
    ) -> Result<AuthResponse> {
        let mut request = Map::new();
        request.insert("session".into(), Value::Array(rounds.clone()));
        let event = self.custom_event(
            pool,
            client,
            &signer,
            "DefineAuthChallenge",
            "DefineAuthChallenge_Authentication",
            request,
        );
        let decision = self.run_trigger(event).await?.unwrap_or_default();
        if flag(&decision, "failAuthentication") {
            return Err(wrong_password());
        }
        if flag(&decision, "issueTokens") {
            let Some(user) = signer.user else {
                return Err(wrong_password());
            };
            let tokens = self
                .issue_sign_in(pool, client, &user, None, super::tokens::AUTHENTICATION)
                .await?;
            return Ok(AuthResponse::done(tokens));
        }
        match decision.get("challengeName").and_then(Value::as_str) {
            Some(CUSTOM_CHALLENGE) => {}
            Some(PASSWORD_VERIFIER) if srp_a.is_some() => {
                let a = srp_a.expect("checked");
                return self
                    .custom_password_challenge(pool, client, &signer, rounds, a)
                    .await;
            }
            other => {
                return Err(CognitoError::new(
                    ErrorKind::InvalidLambdaResponse,
                    format!(
                        "Unsupported challenge from DefineAuthChallenge: {}",
                        other.unwrap_or("(none)")
                    ),
                ));
            }
        }
        if rounds.len() >= MAX_ROUNDS {
            return Err(wrong_password());
        }
        let mut request = Map::new();
        request.insert("challengeName".into(), Value::from(CUSTOM_CHALLENGE));
        request.insert("session".into(), Value::Array(rounds.clone()));
        let event = self.custom_event(
            pool,
            client,
            &signer,
            "CreateAuthChallenge",
            "CreateAuthChallenge_Authentication",
            request,
        );
        let created = self.run_trigger(event).await?.unwrap_or_default();
        let public = created
            .get("publicChallengeParameters")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        let state = self.custom_state(
            client,
            pool,
            &signer,
            CUSTOM_CHALLENGE,
            json!({
                "rounds": rounds,
                "private": created.get("privateChallengeParameters").cloned().unwrap_or(Value::Null),
                "metadata": created.get("challengeMetadata").cloned().unwrap_or(Value::Null),
                "userNotFound": signer.user.is_none(),
            }),
        );
        let mut parameters: Map<String, Value> =
            public.into_iter().filter(|(_, v)| v.is_string()).collect();
        parameters.insert("USERNAME".into(), Value::from(state.username.clone()));
        Ok(AuthResponse {
            challenge_name: Some(CUSTOM_CHALLENGE.into()),
            session: Some(self.seal_state(&state)),
            challenge_parameters: parameters,
            authentication_result: None,
        })
    }

    /// The sealed state of a custom flow's challenge: its rounds so far in `custom`.
    fn custom_state(
        &self,
        client: &AppClient,
        pool: &UserPool,
        signer: &Signer,
        challenge: &str,
        custom: Value,
    ) -> ChallengeState {
        ChallengeState {
            id: crate::ids::uuid(),
            pool_id: pool.id.clone(),
            client_id: client.client_id().to_owned(),
            username: signer
                .user
                .as_ref()
                .map_or(signer.name.clone(), |u| u.username.clone()),
            sub: signer
                .user
                .as_ref()
                .map(|u| u.sub.clone())
                .unwrap_or_default(),
            device_key: None,
            challenge: challenge.into(),
            expires_ms: self.clock.now().millis() + client.settings.auth_session_validity * 60_000,
            verified: false,
            custom: Some(custom),
        }
    }

    /// Define asked for the password after SRP_A: SRP's PASSWORD_VERIFIER challenge, with a
    /// Session that carries the rounds and names the challenge's secret block.
    async fn custom_password_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        signer: &Signer,
        rounds: Vec<Value>,
        a: crypto_bigint::U3072,
    ) -> Result<AuthResponse> {
        let challenge = self
            .srp_challenge(pool, client, &signer.name, signer.user.as_ref(), a, true)
            .await?;
        let state = self.custom_state(
            client,
            pool,
            signer,
            PASSWORD_VERIFIER,
            json!({
                "rounds": rounds,
                "block": challenge.block_id,
                "userNotFound": signer.user.is_none(),
            }),
        );
        Ok(AuthResponse {
            challenge_name: Some(PASSWORD_VERIFIER.into()),
            session: Some(self.seal_state(&state)),
            challenge_parameters: challenge.parameters,
            authentication_result: None,
        })
    }

    /// RespondToAuthChallenge with PASSWORD_VERIFIER and a Session: the password claim of a
    /// custom flow. A right claim is the round `PASSWORD_VERIFIER`; then Define decides.
    pub(crate) async fn respond_custom_password_verifier(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: &str,
        responses: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let state = self.open_challenge(session, client.client_id(), PASSWORD_VERIFIER)?;
        let custom = state.custom.clone().ok_or_else(invalid_session)?;
        let block = custom
            .get("block")
            .and_then(Value::as_str)
            .ok_or_else(invalid_session)?;
        // The claim first (its block, named by the Session, answers once), so a retry after
        // an unknown DEVICE_KEY keeps its Session, as amazon-cognito-identity-js expects.
        let (user, _) = self
            .check_password_claim(pool, client, responses, Some(block))
            .await?;
        self.consume_challenge(&state).await?;
        if user.sub != state.sub {
            return Err(invalid_session());
        }
        // The account may have changed since SRP_A.
        if self.account_gate(pool, &user)?.is_some() {
            return Err(invalid_session());
        }
        let mut rounds = rounds_of(&custom);
        rounds.push(round(PASSWORD_VERIFIER, true, Value::Null));
        let signer = Signer {
            name: user.username.clone(),
            user: Some(user),
        };
        self.next_round(pool, client, signer, rounds, None).await
    }

    /// RespondToAuthChallenge with CUSTOM_CHALLENGE: VerifyAuthChallengeResponse judges the
    /// ANSWER, then the next round.
    pub(crate) async fn respond_custom_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: Option<&str>,
        responses: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let session = session
            .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter Session"))?;
        let state = self.open_challenge(session, client.client_id(), CUSTOM_CHALLENGE)?;
        let username = param(responses, "USERNAME")?;
        let answer = param(responses, "ANSWER")?;
        let custom = state.custom.clone().unwrap_or_default();
        let not_found = custom.get("userNotFound").and_then(Value::as_bool) == Some(true);
        let user = match not_found {
            true => None,
            false => Some(
                self.challenge_user(pool, &state)
                    .await?
                    .ok_or_else(invalid_session)?,
            ),
        };
        let named = self.find_user_opt(pool, username).await?;
        let same = match &user {
            Some(u) => named.as_ref().map(|n| &n.sub) == Some(&u.sub),
            None => username == state.username,
        };
        if !same {
            return Err(invalid_session());
        }
        self.check_secret_hash(
            client,
            responses.get("SECRET_HASH").map(String::as_str),
            &[username, &state.username],
        )?;
        self.consume_challenge(&state).await?;
        let signer = Signer {
            user,
            name: state.username.clone(),
        };
        let mut request = Map::new();
        request.insert(
            "privateChallengeParameters".into(),
            custom.get("private").cloned().unwrap_or(Value::Null),
        );
        request.insert("challengeAnswer".into(), Value::from(answer));
        let event = self.custom_event(
            pool,
            client,
            &signer,
            "VerifyAuthChallengeResponse",
            "VerifyAuthChallengeResponse_Authentication",
            request,
        );
        let verdict = self.run_trigger(event).await?.unwrap_or_default();
        let correct = flag(&verdict, "answerCorrect") && signer.user.is_some();
        let mut rounds = rounds_of(&custom);
        rounds.push(round(
            CUSTOM_CHALLENGE,
            correct,
            custom.get("metadata").cloned().unwrap_or(Value::Null),
        ));
        // The account may have changed since the first round.
        if let Some(u) = &signer.user
            && self.account_gate(pool, u)?.is_some()
        {
            return Err(invalid_session());
        }
        self.next_round(pool, client, signer, rounds, None).await
    }
}

/// One entry of the `session` Define and Create see.
fn round(name: &str, result: bool, metadata: Value) -> Value {
    json!({"challengeName": name, "challengeResult": result, "challengeMetadata": metadata})
}

fn rounds_of(custom: &Value) -> Vec<Value> {
    custom
        .get("rounds")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}
