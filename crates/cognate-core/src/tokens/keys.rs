//! Per-pool RS256 signing keys: generated on first use, sealed at rest, rotated on demand.
//! Parsed keys are cached by `kid`; a `kid` never changes meaning, so the cache is safe when
//! several nodes share the store. The list of a pool's keys is re-read at least every
//! `ACTIVE_TTL`, so a rotation made on another node takes effect within that time (the old
//! key stays published, so tokens signed meanwhile still verify).

use crate::error::{CognitoError, Result};
use crate::secrets::SecretBox;
use crate::store::{SigningKeyRecord, Store};
use crate::time::Timestamp;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{
    KeyPair, ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair,
    RsaPublicKeyComponents,
};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub const ID: &str = "id";
pub const ACCESS: &str = "access";
/// How long a retired key stays in the JWKS: the longest token lifetime Cognito allows (1 day),
/// plus clock skew.
pub const RETIRED_KEY_PUBLISHED_MS: i64 = (86_400 + 300) * 1000;
const ACTIVE_TTL: Duration = Duration::from_secs(5);

/// The key a token is signed with.
pub struct ActiveKey {
    pub kid: String,
    pub pair: Arc<RsaKeyPair>,
}

#[derive(Default)]
pub struct KeyRing {
    signing: Mutex<HashMap<String, Arc<RsaKeyPair>>>,
    /// kid → (public key, its pool). Kept parsed: parsing an RSA key (its Montgomery
    /// constants) costs more than verifying a signature with it.
    verifying: Mutex<HashMap<String, (Arc<ParsedPublicKey>, String)>>,
    /// pool → (read at, keys)
    lists: Mutex<HashMap<String, (Instant, Vec<SigningKeyRecord>)>>,
    /// One key generation at a time on this node, so a burst of first sign-ins in a new pool
    /// generates one key, not one per request.
    generation: tokio::sync::Mutex<()>,
    /// Access tokens whose signatures this node has checked.
    pub(crate) verified: super::verified::VerifiedTokens,
}

/// RSA key generation takes tens of milliseconds of CPU: keep it off the async threads.
async fn generate_off_thread(
    pool_id: &str,
    purpose: &str,
    now: Timestamp,
    secrets: &SecretBox,
) -> Result<SigningKeyRecord> {
    let pair = tokio::task::spawn_blocking(|| RsaKeyPair::generate(KeySize::Rsa2048))
        .await
        .map_err(|_| CognitoError::internal("RSA key generation failed"))?
        .map_err(|_| CognitoError::internal("RSA key generation failed"))?;
    record_for(pair, pool_id, purpose, now, secrets)
}

fn aad(kid: &str) -> String {
    format!("signing-key:{kid}")
}

fn record_for(
    pair: RsaKeyPair,
    pool_id: &str,
    purpose: &str,
    now: Timestamp,
    secrets: &SecretBox,
) -> Result<SigningKeyRecord> {
    let pkcs8 = pair
        .as_der()
        .map_err(|_| CognitoError::internal("RSA key encoding failed"))?;
    let public = pair.public_key();
    let kid = B64URL.encode(&uuid::Uuid::new_v4().as_bytes()[..]);
    Ok(SigningKeyRecord {
        sealed_pkcs8: secrets.seal(pkcs8.as_ref(), &aad(&kid)),
        kid,
        pool_id: pool_id.to_owned(),
        purpose: purpose.to_owned(),
        created_ms: now.millis(),
        retired_ms: None,
        n: B64URL.encode(public.modulus().big_endian_without_leading_zero()),
        e: B64URL.encode(public.exponent().big_endian_without_leading_zero()),
    })
}

impl KeyRing {
    async fn keys_of(
        &self,
        store: &dyn Store,
        pool_id: &str,
        fresh: bool,
    ) -> Result<Vec<SigningKeyRecord>> {
        if !fresh
            && let Some((at, keys)) = self.lists.lock().expect("lock").get(pool_id)
            && at.elapsed() < ACTIVE_TTL
        {
            return Ok(keys.clone());
        }
        let keys = store.list_signing_keys(pool_id).await?;
        self.lists
            .lock()
            .expect("lock")
            .insert(pool_id.to_owned(), (Instant::now(), keys.clone()));
        Ok(keys)
    }

    /// The current key for `purpose` (`id` or `access`), created on first use.
    pub async fn active(
        &self,
        store: &dyn Store,
        secrets: &SecretBox,
        pool_id: &str,
        purpose: &str,
        now: Timestamp,
    ) -> Result<ActiveKey> {
        let pick = |keys: &[SigningKeyRecord]| {
            keys.iter()
                .rev()
                .find(|k| k.purpose == purpose && k.retired_ms.is_none())
                .cloned()
        };
        let mut record = pick(&self.keys_of(store, pool_id, false).await?);
        if record.is_none() {
            // Possibly created by another node since the cached read.
            record = pick(&self.keys_of(store, pool_id, true).await?);
        }
        let record = match record {
            Some(r) => r,
            None => {
                let _one_at_a_time = self.generation.lock().await;
                match pick(&self.keys_of(store, pool_id, true).await?) {
                    Some(r) => r,
                    None => {
                        let r = generate_off_thread(pool_id, purpose, now, secrets).await?;
                        store.insert_signing_key(&r).await?;
                        // Two nodes may race here; both keys are published, and from now on
                        // every node picks the newest.
                        pick(&self.keys_of(store, pool_id, true).await?).unwrap_or(r)
                    }
                }
            }
        };
        Ok(ActiveKey {
            pair: self.signing_pair(secrets, &record)?,
            kid: record.kid,
        })
    }

    fn signing_pair(
        &self,
        secrets: &SecretBox,
        record: &SigningKeyRecord,
    ) -> Result<Arc<RsaKeyPair>> {
        if let Some(p) = self.signing.lock().expect("lock").get(&record.kid) {
            return Ok(p.clone());
        }
        let der = secrets
            .open(&record.sealed_pkcs8, &aad(&record.kid))
            .ok_or_else(|| {
                CognitoError::internal("Signing key cannot be decrypted with this master key.")
            })?;
        let pair = Arc::new(
            RsaKeyPair::from_pkcs8(&der)
                .map_err(|_| CognitoError::internal("Signing key is corrupt."))?,
        );
        self.signing
            .lock()
            .expect("lock")
            .insert(record.kid.clone(), pair.clone());
        Ok(pair)
    }

    /// The public key for a `kid`, for verifying our own access tokens.
    pub async fn verifying_key(
        &self,
        store: &dyn Store,
        kid: &str,
    ) -> Result<Option<(Arc<ParsedPublicKey>, String)>> {
        // A kid never changes meaning, so a cached key needs no database round trip.
        if let Some(hit) = self.verifying.lock().expect("lock").get(kid) {
            return Ok(Some(hit.clone()));
        }
        let Some(record) = store.get_signing_key(kid).await? else {
            return Ok(None);
        };
        let corrupt = || CognitoError::internal("Signing key is corrupt.");
        let n = B64URL.decode(&record.n).map_err(|_| corrupt())?;
        let e = B64URL.decode(&record.e).map_err(|_| corrupt())?;
        let key = Arc::new(
            RsaPublicKeyComponents {
                n: &n[..],
                e: &e[..],
            }
            .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
            .map_err(|_| corrupt())?,
        );
        let entry = (key, record.pool_id);
        self.verifying
            .lock()
            .expect("lock")
            .insert(kid.to_owned(), entry.clone());
        Ok(Some(entry))
    }

    /// The keys a pool publishes: current ones, and retired ones whose tokens may still be valid.
    pub async fn published(
        &self,
        store: &dyn Store,
        pool_id: &str,
        now: Timestamp,
    ) -> Result<Vec<SigningKeyRecord>> {
        let keys = self.keys_of(store, pool_id, true).await?;
        Ok(keys
            .into_iter()
            .filter(|k| {
                k.retired_ms
                    .is_none_or(|r| now.millis() - r < RETIRED_KEY_PUBLISHED_MS)
            })
            .collect())
    }

    /// Replaces the pool's keys with new ones. Old keys stay published until their tokens expire.
    pub async fn rotate(
        &self,
        store: &dyn Store,
        secrets: &SecretBox,
        pool_id: &str,
        now: Timestamp,
    ) -> Result<()> {
        store.retire_signing_keys(pool_id, now.millis()).await?;
        for purpose in [ID, ACCESS] {
            let r = generate_off_thread(pool_id, purpose, now, secrets).await?;
            store.insert_signing_key(&r).await?;
        }
        self.lists.lock().expect("lock").remove(pool_id);
        Ok(())
    }
}

/// Signs `claims` as a compact RS256 JWS with the key's `kid` in the header. Signing directly
/// with the parsed aws-lc-rs key avoids re-parsing it for every token.
pub fn sign_jwt(key: &ActiveKey, claims: &serde_json::Value) -> Result<String> {
    let header = serde_json::json!({"kid": key.kid, "alg": "RS256"});
    let signing_input = format!(
        "{}.{}",
        B64URL.encode(header.to_string()),
        B64URL.encode(claims.to_string())
    );
    let mut signature = vec![0u8; key.pair.public_modulus_len()];
    key.pair
        .sign(
            &RSA_PKCS1_SHA256,
            &aws_lc_rs::rand::SystemRandom::new(),
            signing_input.as_bytes(),
            &mut signature,
        )
        .map_err(|_| CognitoError::internal("token signing failed"))?;
    Ok(format!("{signing_input}.{}", B64URL.encode(signature)))
}
