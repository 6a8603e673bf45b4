//! Access tokens whose signature this node has already checked, so a token presented again
//! (every GetUser, UpdateUserAttributes, ... of a signed-in app) costs a SHA-256 and a
//! look-up instead of an RS256 verification and a JSON parse.
//!
//! Only the signature check is remembered: a signature's validity never changes, so nothing
//! here can go stale or differ between nodes. Expiry, revocation, the user's state and the
//! key's existence are still checked on every request (`verify_access_token`). The cache is
//! bounded (moka: [`MAX_TOKENS`] entries, each dropped after [`IDLE`] unused).

use aws_lc_rs::signature::ParsedPublicKey;
use moka::sync::Cache;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::time::Duration;

/// At most this many tokens' claims are kept (an access token's claims are about 1 KB).
pub const MAX_TOKENS: u64 = 10_000;
/// A token unused this long is forgotten.
pub const IDLE: Duration = Duration::from_secs(10 * 60);

pub struct VerifiedTokens {
    claims: Cache<[u8; 32], Arc<Value>>,
}

impl Default for VerifiedTokens {
    fn default() -> Self {
        Self {
            claims: Cache::builder()
                .max_capacity(MAX_TOKENS)
                .time_to_idle(IDLE)
                .build(),
        }
    }
}

impl VerifiedTokens {
    /// The claims of `token` if its RS256 signature holds under `key` (the key its header's
    /// `kid` names: the same token always names the same key); `None` otherwise.
    pub fn claims(&self, token: &str, key: &ParsedPublicKey) -> Option<Arc<Value>> {
        let digest: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if let Some(hit) = self.claims.get(&digest) {
            return Some(hit);
        }
        let claims = Arc::new(super::verified_payload(token, key)?);
        self.claims.insert(digest, claims.clone());
        Some(claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokens::keys::{ActiveKey, sign_jwt};
    use aws_lc_rs::rsa::KeySize;
    use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_2048_8192_SHA256, RsaKeyPair};

    fn key() -> (ActiveKey, ParsedPublicKey) {
        let pair = RsaKeyPair::generate(KeySize::Rsa2048).unwrap();
        let public =
            ParsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, pair.public_key().as_ref()).unwrap();
        let active = ActiveKey {
            kid: "k1".into(),
            pair: Arc::new(pair),
        };
        (active, public)
    }

    #[test]
    fn a_checked_signature_is_remembered_and_a_forged_one_never_passes() {
        let (active, public) = key();
        let token = sign_jwt(
            &active,
            &serde_json::json!({"sub": "a", "token_use": "access"}),
        )
        .unwrap();
        let cache = VerifiedTokens::default();
        let first = cache.claims(&token, &public).expect("valid");
        assert_eq!(first["sub"], "a");
        assert_eq!(cache.claims(&token, &public), Some(first));

        // Same header and signature, another payload: a different token, checked afresh.
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged_payload = base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            br#"{"sub":"b","token_use":"access"}"#,
        );
        parts[1] = &forged_payload;
        assert_eq!(cache.claims(&parts.join("."), &public), None);

        // Another key's signature over the same text fails too.
        let (_, other) = key();
        let fresh = sign_jwt(&active, &serde_json::json!({"sub": "c"})).unwrap();
        assert_eq!(cache.claims(&fresh, &other), None);
    }
}
