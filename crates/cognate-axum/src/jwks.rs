//! The provider's signing keys, fetched once and kept parsed.
//!
//! A request whose token names a known `kid` never waits on the network. An unknown `kid`
//! (the provider rotated its keys, or someone made the token up) causes one refetch, and then
//! no other for `jwks_refetch_interval`, so forged `kid`s cannot turn into a fetch storm.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use aws_lc_rs::signature::{ParsedPublicKey, RSA_PKCS1_2048_8192_SHA256, RsaPublicKeyComponents};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Deserialize;

use crate::error::AuthError;

/// After a failed first load, requests fail fast for this long instead of each retrying.
const FAILED_LOAD_BACKOFF: Duration = Duration::from_secs(1);

/// Keys are kept parsed: building an RSA key from `n` and `e` at every verification would
/// cost more than a tenth of the verification itself.
type KeyMap = HashMap<String, Arc<ParsedPublicKey>>;

pub(crate) struct JwksCache {
    url: String,
    http: reqwest::Client,
    keys: RwLock<Arc<KeyMap>>,
    /// Held across a fetch, so concurrent misses wait for one fetch instead of each starting
    /// their own.
    fetch_state: tokio::sync::Mutex<FetchState>,
    refetch_interval: Duration,
    fetches: AtomicU64,
}

#[derive(Default)]
struct FetchState {
    loaded: bool,
    next_refetch: Option<Instant>,
    last_failure: Option<(Instant, String)>,
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<Jwk>,
}

#[derive(Deserialize)]
struct Jwk {
    kid: Option<String>,
    kty: String,
    alg: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

impl JwksCache {
    pub(crate) fn new(url: String, http: reqwest::Client, refetch_interval: Duration) -> Self {
        JwksCache {
            url,
            http,
            keys: RwLock::new(Arc::new(HashMap::new())),
            fetch_state: tokio::sync::Mutex::new(FetchState::default()),
            refetch_interval,
            fetches: AtomicU64::new(0),
        }
    }

    /// How many times the JWKS was fetched (successfully or not).
    pub(crate) fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    fn cached(&self, kid: &str) -> Option<Arc<ParsedPublicKey>> {
        // A poisoned lock still holds a complete map: the writer only swaps an Arc.
        let keys = self.keys.read().unwrap_or_else(|e| e.into_inner());
        keys.get(kid).cloned()
    }

    /// The key named `kid`, fetching the JWKS if this is the first use or `kid` is unknown
    /// and no refetch happened within the interval.
    pub(crate) async fn key(&self, kid: &str) -> Result<Arc<ParsedPublicKey>, AuthError> {
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let mut state = self.fetch_state.lock().await;
        // Another request may have fetched while this one waited for the lock.
        if let Some(key) = self.cached(kid) {
            return Ok(key);
        }
        let now = Instant::now();
        if state.loaded {
            if state.next_refetch.is_some_and(|at| now < at) {
                return Err(AuthError::UnknownKey(kid.to_owned()));
            }
            state.next_refetch = Some(now + self.refetch_interval);
        } else if let Some((at, error)) = &state.last_failure
            && now.duration_since(*at) < FAILED_LOAD_BACKOFF.min(self.refetch_interval)
        {
            return Err(AuthError::Jwks(error.clone()));
        }
        self.load(&mut state).await?;
        self.cached(kid)
            .ok_or_else(|| AuthError::UnknownKey(kid.to_owned()))
    }

    /// Fetches the JWKS now, whatever the cache holds (at startup, to fail early).
    pub(crate) async fn reload(&self) -> Result<(), AuthError> {
        let mut state = self.fetch_state.lock().await;
        self.load(&mut state).await
    }

    async fn load(&self, state: &mut FetchState) -> Result<(), AuthError> {
        match self.fetch().await {
            Ok(keys) => {
                tracing::debug!(url = %self.url, keys = keys.len(), "JWKS loaded");
                *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
                state.loaded = true;
                state.last_failure = None;
                Ok(())
            }
            Err(error) => {
                tracing::warn!(url = %self.url, %error, "JWKS fetch failed");
                state.last_failure = Some((Instant::now(), error.to_string()));
                Err(error)
            }
        }
    }

    async fn fetch(&self) -> Result<KeyMap, AuthError> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let response = self
            .http
            .get(&self.url)
            .send()
            .await
            .map_err(|e| AuthError::Jwks(e.to_string()))?;
        if !response.status().is_success() {
            return Err(AuthError::Jwks(format!("HTTP {}", response.status())));
        }
        let set: JwkSet = response
            .json()
            .await
            .map_err(|e| AuthError::Jwks(e.to_string()))?;
        Ok(parse_keys(set))
    }
}

/// Keeps the RSA signing keys that can verify RS256; skips others (encryption keys, EC).
fn parse_keys(set: JwkSet) -> KeyMap {
    let mut keys = HashMap::new();
    for jwk in set.keys {
        let usable = jwk.kty == "RSA"
            && jwk.alg.as_deref().is_none_or(|alg| alg == "RS256")
            && jwk.usage.as_deref().is_none_or(|usage| usage == "sig");
        let (Some(kid), Some(n), Some(e), true) = (jwk.kid, jwk.n, jwk.e, usable) else {
            continue;
        };
        match parse_rsa(&n, &e) {
            Some(key) => {
                keys.insert(kid, Arc::new(key));
            }
            None => tracing::warn!(%kid, "skipping unreadable JWK"),
        }
    }
    keys
}

/// An RS256 verification key from base64url `n` and `e`; RSA keys under 2048 bits are
/// refused.
fn parse_rsa(n: &str, e: &str) -> Option<ParsedPublicKey> {
    let n = URL_SAFE_NO_PAD.decode(n).ok()?;
    let e = URL_SAFE_NO_PAD.decode(e).ok()?;
    // aws-lc-rs checks the size only when verifying; refuse short keys up front.
    let significant = n.iter().skip_while(|byte| **byte == 0).count();
    if significant < 256 {
        return None;
    }
    RsaPublicKeyComponents {
        n: &n[..],
        e: &e[..],
    }
    .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
    .ok()
}

#[cfg(test)]
mod tests {
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{KeyPair, RsaKeyPair};

    use super::*;

    #[test]
    fn keeps_only_rs256_signing_keys_of_2048_bits_or_more() {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let public = pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        let set: JwkSet = serde_json::from_value(serde_json::json!({"keys": [
            {"kid": "a", "kty": "RSA", "alg": "RS256", "use": "sig", "n": n, "e": e},
            {"kid": "b", "kty": "RSA", "n": n, "e": e},
            {"kid": "c", "kty": "RSA", "alg": "RSA-OAEP", "use": "enc", "n": n, "e": e},
            {"kid": "d", "kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"},
            {"kty": "RSA", "n": n, "e": e},
            {"kid": "short", "kty": "RSA", "n": "AQAB", "e": "AQAB"},
            {"kid": "garbled", "kty": "RSA", "n": "!!", "e": e}
        ]}))
        .unwrap();
        let mut kids: Vec<_> = parse_keys(set).into_keys().collect();
        kids.sort();
        assert_eq!(kids, ["a", "b"]);
    }
}
