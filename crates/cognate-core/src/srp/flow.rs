//! USER_SRP_AUTH (InitiateAuth and AdminInitiateAuth) and its PASSWORD_VERIFIER challenge
//! (REFERENCE.md §4, §5; AWS developer guide "User pool authentication flow").
//!
//! Step one answers `SALT`, `SRP_B`, `SECRET_BLOCK`, `USERNAME` and `USER_ID_FOR_SRP` (the
//! internal username) and no `Session`: the exchange's state (the derived key, the user, the
//! client, an expiry) travels sealed inside `SECRET_BLOCK`, so any node finishes the flow, and
//! the block is spent on first use. Step two checks the client's HMAC over Cognito's rendering
//! of its `TIMESTAMP` in constant time, with the lockout of password sign-in.

use super::group;
use super::timestamp;
use super::verifier::{Verifier, pool_name};
use crate::auth::{AuthResponse, param, wrong_password};
use crate::client::AppClient;
use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::status;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_bigint::U256;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

pub const USER_SRP_AUTH: &str = "USER_SRP_AUTH";
pub const PASSWORD_VERIFIER: &str = "PASSWORD_VERIFIER";
const SECRET_BLOCK_OWNER: &str = "cognate-srp-secret-block";
/// How far a claim's TIMESTAMP may stray from the server's clock, either way. Cognito asks
/// for an answer "within a few seconds" and refuses clocks minutes off.
pub(crate) const TIMESTAMP_WINDOW_S: i64 = 300;

/// A PASSWORD_VERIFIER challenge: its parameters, and the ID of its secret block (which a
/// custom flow keeps in its Session, so the two answer together).
pub(crate) struct SrpChallenge {
    pub parameters: Map<String, Value>,
    pub block_id: String,
}

/// What `SECRET_BLOCK` carries, sealed.
#[derive(Serialize, Deserialize)]
struct SecretBlock {
    id: String,
    pool_id: String,
    client_id: String,
    /// The internal username; `None` for a name that has no user (PreventUserExistenceErrors).
    username: Option<String>,
    /// The name given at step one (keys the lockout of unknown names).
    typed: String,
    /// Whether the verifier was the user's own (not a stand-in for a password set before
    /// verifiers were stored).
    real: bool,
    /// The 16-byte key of the exchange, hex.
    key: String,
    expires_ms: i64,
    /// Issued inside CUSTOM_AUTH: answered only with that flow's Session, never as a plain
    /// USER_SRP_AUTH (which would skip the flow's later rounds).
    #[serde(default)]
    custom: bool,
}

impl Cognito {
    /// Step one: `PASSWORD_VERIFIER` for USERNAME and SRP_A.
    pub(crate) async fn user_srp_auth(
        &self,
        pool: &UserPool,
        client: &AppClient,
        params: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let typed = param(params, "USERNAME")?;
        let srp_a = param(params, "SRP_A")?;
        let a = group::from_hex(srp_a)
            .and_then(|a| group::client_public(&a))
            .ok_or_else(|| CognitoError::invalid_parameter("Invalid SRP_A value."))?;
        // Cognito finds SRP users by username or alias, not by `sub`.
        let user = self
            .find_user_opt(pool, typed)
            .await?
            .filter(|u| u.sub != typed || u.username == typed);
        let internal = user.as_ref().map_or(typed, |u| u.username.as_str());
        self.check_secret_hash(
            client,
            params.get("SECRET_HASH").map(String::as_str),
            &[typed, internal],
        )?;
        match &user {
            None if client.settings.prevent_user_existence_errors == "ENABLED" => {}
            None => return Err(CognitoError::user_not_found()),
            Some(user) => {
                match user.status.as_str() {
                    status::UNCONFIRMED => {
                        return Err(CognitoError::new(
                            ErrorKind::UserNotConfirmed,
                            "User is not confirmed.",
                        ));
                    }
                    status::RESET_REQUIRED => {
                        return Err(CognitoError::new(
                            ErrorKind::PasswordResetRequired,
                            "Password reset required for the user",
                        ));
                    }
                    _ => {}
                }
                self.pre_authentication(pool, client, user, None).await?;
            }
        }
        let challenge = self
            .srp_challenge(pool, client, typed, user.as_ref(), a, false)
            .await?;
        Ok(AuthResponse {
            challenge_name: Some(PASSWORD_VERIFIER.into()),
            session: None,
            challenge_parameters: challenge.parameters,
            authentication_result: None,
        })
    }

    /// The PASSWORD_VERIFIER challenge for `typed` (the user, or a name with none, answered
    /// with a stable stand-in), once the caller has proven the client and checked the
    /// account: `SALT`, `SRP_B`, `SECRET_BLOCK`, `USERNAME`, `USER_ID_FOR_SRP`. `custom`:
    /// the challenge belongs to a CUSTOM_AUTH flow (its block answers only with its Session).
    pub(crate) async fn srp_challenge(
        &self,
        pool: &UserPool,
        client: &AppClient,
        typed: &str,
        user: Option<&crate::user::User>,
        a: crypto_bigint::U3072,
        custom: bool,
    ) -> Result<SrpChallenge> {
        let (username, user_id, verifier, real) = match user {
            None => {
                let key = format!(" {}", pool.username_key(typed));
                let id = self
                    .secrets
                    .mac("srp-user-id", format!("{}\n{key}", pool.id).as_bytes());
                let user_id = uuid::Builder::from_random_bytes(id[..16].try_into().expect("16"))
                    .into_uuid()
                    .to_string();
                (None, user_id, self.stand_in_verifier(&pool.id, &key), false)
            }
            Some(user) => match self.open_verifier(user) {
                Some(v) => (Some(user.username.clone()), user.username.clone(), v, true),
                None => {
                    let v = self.stand_in_verifier(&pool.id, &user.sub);
                    (Some(user.username.clone()), user.username.clone(), v, false)
                }
            },
        };
        let Verifier { salt, v } = verifier;
        let (big_b, key) = self
            .hasher
            .compute(move || {
                let mut secret = [0u8; 32];
                crate::secrets::fill_random(&mut secret);
                let b = U256::from_be_slice(&secret);
                let big_b = group::server_public(&v, &b);
                let key = group::session_key(&a, &big_b, &v, &b);
                (big_b, key)
            })
            .await?;
        // u = 0 has probability 2^-256; a client that forces it learns nothing from a refusal.
        let key = key.ok_or_else(wrong_password)?;
        let block = SecretBlock {
            id: crate::ids::uuid(),
            pool_id: pool.id.clone(),
            client_id: client.client_id().to_owned(),
            username,
            typed: typed.to_owned(),
            real,
            key: hex::encode(key),
            expires_ms: self.clock.now().millis() + client.settings.auth_session_validity * 60_000,
            custom,
        };
        let sealed = self.secrets.seal(
            &serde_json::to_vec(&block).expect("serializable"),
            SECRET_BLOCK_OWNER,
        );
        let mut challenge = Map::new();
        challenge.insert("SALT".into(), Value::from(group::to_hex(&salt)));
        challenge.insert("SRP_B".into(), Value::from(group::to_hex(&big_b)));
        challenge.insert("SECRET_BLOCK".into(), Value::from(B64.encode(sealed)));
        challenge.insert("USERNAME".into(), Value::from(user_id.clone()));
        challenge.insert("USER_ID_FOR_SRP".into(), Value::from(user_id));
        Ok(SrpChallenge {
            parameters: challenge,
            block_id: block.id,
        })
    }

    /// Step two: the client's claim, then what the account's state allows.
    pub(crate) async fn password_verifier(
        &self,
        pool: &UserPool,
        client: &AppClient,
        responses: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let (user, _) = self
            .check_password_claim(pool, client, responses, None)
            .await?;
        self.after_password(
            pool,
            client,
            user,
            responses.get("DEVICE_KEY").map(String::as_str),
        )
        .await
    }

    /// Checks a PASSWORD_VERIFIER answer (its secret block spent, the claim signed over
    /// Cognito's rendering of TIMESTAMP, counted toward lockout): the user it proves and the
    /// block's ID, or `NotAuthorizedException` "Incorrect username or password.".
    /// `custom_block`: the block a CUSTOM_AUTH Session names (`None` for USER_SRP_AUTH, which
    /// refuses blocks of custom flows).
    pub(crate) async fn check_password_claim(
        &self,
        pool: &UserPool,
        client: &AppClient,
        responses: &HashMap<String, String>,
        custom_block: Option<&str>,
    ) -> Result<(crate::user::User, String)> {
        let username = param(responses, "USERNAME")?;
        let block_text = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let claim_time = timestamp::parse(param(responses, "TIMESTAMP")?)?;
        let secret_hash = responses.get("SECRET_HASH").map(String::as_str);

        let block_bytes = B64.decode(block_text).map_err(|_| wrong_password())?;
        let block: SecretBlock = std::str::from_utf8(&block_bytes)
            .ok()
            .and_then(|sealed| self.secrets.open(sealed, SECRET_BLOCK_OWNER))
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or_else(wrong_password)?;
        let now = self.clock.now();
        if block.pool_id != pool.id
            || block.client_id != client.client_id()
            || now.millis() > block.expires_ms
            || block.custom != custom_block.is_some()
            || custom_block.is_some_and(|id| id != block.id)
        {
            return Err(wrong_password());
        }
        // An unknown DEVICE_KEY is refused before the block is spent: clients
        // (amazon-cognito-identity-js) answer again with the same block, without the key.
        // The client is proven first, and a name with no user gets the same answer, so the
        // check tells nothing about which users exist.
        if let Some(key) = responses.get("DEVICE_KEY")
            && crate::device::tracking(pool).is_some()
        {
            let internal = block.username.as_deref().unwrap_or(&block.typed);
            self.check_secret_hash(client, secret_hash, &[username, &block.typed, internal])?;
            let user = match &block.username {
                Some(name) => {
                    self.store
                        .get_user(&pool.id, &pool.username_key(name))
                        .await?
                }
                None => None,
            };
            match user {
                Some(user) => {
                    self.device_of(pool, &user, key).await?;
                }
                None => return Err(crate::device::no_such_device()),
            }
        }
        // One answer per block, right or wrong.
        if !self
            .store
            .consume_challenge(&block.id, block.expires_ms, now.millis())
            .await?
        {
            return Err(wrong_password());
        }

        let Some(internal) = &block.username else {
            // A name with no user, under PreventUserExistenceErrors: a wrong password, with
            // its lockout.
            self.check_secret_hash(client, secret_hash, &[username, &block.typed])?;
            let key = format!(" {}", pool.username_key(&block.typed));
            self.begin_attempt(&pool.id, &key).await?.failed();
            crate::metrics::sign_in("failure");
            return Err(wrong_password());
        };
        let user = self
            .store
            .get_user(&pool.id, &pool.username_key(internal))
            .await?
            .ok_or_else(wrong_password)?;
        let named = self.find_user_opt(pool, username).await?;
        if named.as_ref().map(|u| &u.sub) != Some(&user.sub) {
            return Err(wrong_password());
        }
        self.check_secret_hash(client, secret_hash, &[&user.username])?;
        let skew = (now.seconds() - claim_time.unix_seconds).abs();
        if !block.real || skew > TIMESTAMP_WINDOW_S {
            // Not the password's fault: no lockout count.
            crate::metrics::sign_in("failure");
            return Err(wrong_password());
        }
        let attempt = self.begin_attempt(&pool.id, &user.username_key).await?;
        let mut key = [0u8; 16];
        hex::decode_to_slice(&block.key, &mut key).map_err(|_| wrong_password())?;
        let expected = group::claim(
            &key,
            pool_name(&pool.id),
            &user.username,
            &block_bytes,
            &claim_time.canonical,
        );
        let given = B64.decode(signature).unwrap_or_default();
        let ok = bool::from(given.as_slice().ct_eq(&expected));
        self.record_password_proof(attempt, ok).await?;
        Ok((user, block.id))
    }
}
