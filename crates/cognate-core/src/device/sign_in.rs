//! Device authentication (REFERENCE.md §5 "Device SRP"; AWS developer guide "Working with
//! user devices"): after the first factor, a remembered device of a pool whose
//! `ChallengeRequiredOnNewDevice` is on proves itself with SRP instead of MFA:
//! `DEVICE_SRP_AUTH` (the client's `SRP_A`) → `DEVICE_PASSWORD_VERIFIER` (`SRP_B`, `SALT`,
//! `SECRET_BLOCK`) → the client's claim → tokens. The math is the user's SRP with the device
//! group key for the pool name and the device key for the user; the derived key travels sealed
//! in `SECRET_BLOCK`, the session is spent on the answer.

use super::{Device, no_such_device, tracking};
use crate::auth::{AuthResponse, param, wrong_password};
use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::mfa::challenge::{Step, step};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::srp::flow::TIMESTAMP_WINDOW_S;
use crate::srp::group;
use crate::user::User;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use crypto_bigint::{U256, U3072};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::HashMap;
use subtle::ConstantTimeEq;

pub const DEVICE_SRP_AUTH: &str = "DEVICE_SRP_AUTH";
pub const DEVICE_PASSWORD_VERIFIER: &str = "DEVICE_PASSWORD_VERIFIER";
const BLOCK_OWNER: &str = "cognate-device-secret-block";
const VERIFIER_LEN: usize = 384;

/// What the device exchange's `SECRET_BLOCK` carries, sealed.
#[derive(Serialize, Deserialize)]
struct DeviceBlock {
    session_id: String,
    device_key: String,
    /// The 16-byte key of the exchange, hex.
    key: String,
}

fn verifier_owner(pool_id: &str, device_key: &str) -> String {
    format!("device-verifier:{pool_id}:{device_key}")
}

impl Cognito {
    /// Seals a device's verifier: `v` (a 384-byte element), then the salt's bytes exactly
    /// as the client sent them (clients hash the salt as they made it, so SALT goes back in
    /// the same bytes).
    pub(crate) fn seal_device_verifier(
        &self,
        pool_id: &str,
        device_key: &str,
        salt: &[u8],
        v: &U3072,
    ) -> String {
        let mut raw = v.to_be_bytes().as_ref().to_vec();
        raw.extend_from_slice(salt);
        self.secrets
            .seal(&raw, &verifier_owner(pool_id, device_key))
    }

    /// The device's salt bytes and verifier.
    fn open_device_verifier(&self, device: &Device) -> Option<(Vec<u8>, U3072)> {
        let raw = self.secrets.open(
            &device.verifier,
            &verifier_owner(&device.pool_id, &device.device_key),
        )?;
        if raw.len() <= VERIFIER_LEN {
            return None;
        }
        Some((
            raw[VERIFIER_LEN..].to_vec(),
            group::from_bytes(&raw[..VERIFIER_LEN])?,
        ))
    }

    /// The DEVICE_KEY a sign-in presents, checked: in a pool that tracks devices it must be
    /// one of the user's ("Device does not exist." otherwise); elsewhere it is ignored.
    pub(crate) async fn presented_device<'k>(
        &self,
        pool: &UserPool,
        user: &User,
        device_key: Option<&'k str>,
    ) -> Result<Option<&'k str>> {
        match (tracking(pool), device_key) {
            (Some(_), Some(key)) => {
                self.device_of(pool, user, key).await?;
                Ok(Some(key))
            }
            _ => Ok(None),
        }
    }

    /// After the first factor: a remembered device of a pool with ChallengeRequiredOnNewDevice
    /// authenticates instead of MFA (`DEVICE_SRP_AUTH`); otherwise MFA decides.
    pub(crate) async fn device_or_second_factor(
        &self,
        pool: &UserPool,
        client: &AppClient,
        user: User,
        device_key: Option<&str>,
    ) -> Result<AuthResponse> {
        if let (Some(t), Some(key)) = (tracking(pool), device_key)
            && t.challenge_required_on_new_device
            && matches!(step(pool, &user), Step::Challenge(_) | Step::Select(_))
            && self.device_of(pool, &user, key).await?.remembered
        {
            let mut params = Map::new();
            params.insert("USERNAME".into(), Value::from(user.username.clone()));
            params.insert("DEVICE_KEY".into(), Value::from(key));
            return Ok(AuthResponse {
                challenge_name: Some(DEVICE_SRP_AUTH.into()),
                session: Some(self.seal_challenge(
                    &pool.id,
                    client.client_id(),
                    &user,
                    DEVICE_SRP_AUTH,
                    client.settings.auth_session_validity,
                    Some(key),
                )),
                challenge_parameters: params,
                authentication_result: None,
            });
        }
        self.second_factor(
            pool,
            client,
            user,
            device_key,
            crate::triggers::tokens::AUTHENTICATION,
        )
        .await
    }

    /// The user and device a device challenge is for: the session's, named by USERNAME and
    /// DEVICE_KEY, with the client's SECRET_HASH.
    async fn device_challenged(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: Option<&str>,
        challenge: &str,
        responses: &HashMap<String, String>,
    ) -> Result<(crate::auth::challenge::ChallengeState, User, Device)> {
        let session = session
            .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter Session"))?;
        let state = self.open_challenge(session, client.client_id(), challenge)?;
        let username = param(responses, "USERNAME")?;
        let device_key = param(responses, "DEVICE_KEY")?;
        let invalid = crate::auth::challenge::invalid_session;
        let user = self
            .challenge_user(pool, &state)
            .await?
            .ok_or_else(invalid)?;
        let named = self.find_user_opt(pool, username).await?;
        if named.as_ref().map(|u| &u.sub) != Some(&user.sub)
            || state.device_key.as_deref() != Some(device_key)
        {
            return Err(invalid());
        }
        self.check_secret_hash(
            client,
            responses.get("SECRET_HASH").map(String::as_str),
            &[username, &user.username],
        )?;
        let device = self.device_of(pool, &user, device_key).await?;
        Ok((state, user, device))
    }

    /// DEVICE_SRP_AUTH: the client's SRP_A for the device → DEVICE_PASSWORD_VERIFIER.
    pub(crate) async fn device_srp_auth(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: Option<&str>,
        responses: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let (state, user, device) = self
            .device_challenged(pool, client, session, DEVICE_SRP_AUTH, responses)
            .await?;
        let a = group::from_hex(param(responses, "SRP_A")?)
            .and_then(|a| group::client_public(&a))
            .ok_or_else(|| CognitoError::invalid_parameter("Invalid SRP_A value."))?;
        let (salt, v) = self
            .open_device_verifier(&device)
            .ok_or_else(no_such_device)?;
        self.consume_challenge(&state).await?;
        let (big_b, key) = self
            .hasher
            .compute(move || {
                let mut secret = [0u8; 32];
                crate::secrets::fill_random(&mut secret);
                let b = U256::from_be_slice(&secret);
                let big_b = group::server_public(&v, &b);
                (big_b, group::session_key(&a, &big_b, &v, &b))
            })
            .await?;
        let key = key.ok_or_else(wrong_password)?;
        let next = self.seal_challenge(
            &pool.id,
            client.client_id(),
            &user,
            DEVICE_PASSWORD_VERIFIER,
            client.settings.auth_session_validity,
            Some(&device.device_key),
        );
        let next_state =
            self.open_challenge(&next, client.client_id(), DEVICE_PASSWORD_VERIFIER)?;
        let block = DeviceBlock {
            session_id: next_state.id,
            device_key: device.device_key.clone(),
            key: hex::encode(key),
        };
        let sealed = self.secrets.seal(
            &serde_json::to_vec(&block).expect("serializable"),
            BLOCK_OWNER,
        );
        let mut params = Map::new();
        params.insert("SALT".into(), Value::from(hex::encode(salt)));
        params.insert("SRP_B".into(), Value::from(group::to_hex(&big_b)));
        params.insert("SECRET_BLOCK".into(), Value::from(B64.encode(sealed)));
        params.insert("USERNAME".into(), Value::from(user.username.clone()));
        params.insert("DEVICE_KEY".into(), Value::from(device.device_key));
        Ok(AuthResponse {
            challenge_name: Some(DEVICE_PASSWORD_VERIFIER.into()),
            session: Some(next),
            challenge_parameters: params,
            authentication_result: None,
        })
    }

    /// DEVICE_PASSWORD_VERIFIER: the device's claim → tokens for the device, MFA skipped.
    pub(crate) async fn device_password_verifier(
        &self,
        pool: &UserPool,
        client: &AppClient,
        session: Option<&str>,
        responses: &HashMap<String, String>,
    ) -> Result<AuthResponse> {
        let (state, user, mut device) = self
            .device_challenged(pool, client, session, DEVICE_PASSWORD_VERIFIER, responses)
            .await?;
        let block_text = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?;
        let claim_time = crate::srp::timestamp::parse(param(responses, "TIMESTAMP")?)?;
        let block_bytes = B64.decode(block_text).map_err(|_| wrong_password())?;
        let block: DeviceBlock = std::str::from_utf8(&block_bytes)
            .ok()
            .and_then(|sealed| self.secrets.open(sealed, BLOCK_OWNER))
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or_else(wrong_password)?;
        if block.session_id != state.id || block.device_key != device.device_key {
            return Err(wrong_password());
        }
        // One answer per session, right or wrong.
        self.consume_challenge(&state).await?;
        let now = self.clock.now();
        let mut key = [0u8; 16];
        hex::decode_to_slice(&block.key, &mut key).map_err(|_| wrong_password())?;
        let expected = group::claim(
            &key,
            &device.group_key,
            &device.device_key,
            &block_bytes,
            &claim_time.canonical,
        );
        let given = B64.decode(signature).unwrap_or_default();
        let in_time = (now.seconds() - claim_time.unix_seconds).abs() <= TIMESTAMP_WINDOW_S;
        if !(in_time && bool::from(given.as_slice().ct_eq(&expected))) {
            return Err(wrong_password());
        }
        // The account may have changed since the first factor (disabled meanwhile).
        if self.account_gate(pool, &user)?.is_some() {
            return Err(crate::auth::challenge::invalid_session());
        }
        device.last_authenticated = Some(now);
        if !self.store.update_device(&device).await? {
            return Err(no_such_device());
        }
        Ok(AuthResponse::done(
            self.issue_sign_in(
                pool,
                client,
                &user,
                Some(&device.device_key),
                crate::triggers::tokens::AUTHENTICATE_DEVICE,
            )
            .await?,
        ))
    }
}
