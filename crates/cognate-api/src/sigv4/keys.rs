//! The access keys allowed to sign requests, and the day's signing keys derived from them.

use super::SERVICE;
use aws_sigv4::sign::v4;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::SystemTime;

/// Access keys allowed to call the signed operations.
#[derive(Default, Clone)]
pub struct AccessKeys {
    keys: HashMap<String, String>,
    /// Signing keys derived from them (`kSigning`: four HMACs of the secret, the day, the
    /// region and the service), by credential (`AKID/YYYYMMDD/region/cognito-idp/aws4_request`,
    /// as the Authorization header spells it): the same for every request of a day.
    derived: Arc<Mutex<HashMap<String, [u8; 32]>>>,
}

/// Derived signing keys kept; past this the cache starts over (a key per client region and day).
const DERIVED_KEPT: usize = 256;

/// A day's signing key, and whether it came from the kept ones.
pub(super) struct SigningKey {
    pub key: [u8; 32],
    pub kept: bool,
}

impl AccessKeys {
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Self {
        Self {
            keys: pairs.into_iter().collect(),
            derived: Arc::default(),
        }
    }

    /// The day's signing key for `credential` (whose service and terminator the caller has
    /// checked; `region` and the day, that of `signed_at`, are its): kept, or derived from
    /// the secret. Nothing is kept here: [`Self::remember`] keeps a key once a signature made
    /// with it has matched, so a caller without the secret cannot fill or churn the cache.
    pub(super) fn signing_key(
        &self,
        credential: &str,
        secret: &str,
        region: &str,
        signed_at: SystemTime,
    ) -> SigningKey {
        if let Some(key) = self.derived.lock().expect("signing keys").get(credential) {
            return SigningKey {
                key: *key,
                kept: true,
            };
        }
        let mut key = [0u8; 32];
        key.copy_from_slice(v4::generate_signing_key(secret, signed_at, region, SERVICE).as_ref());
        SigningKey { key, kept: false }
    }

    pub(super) fn secret(&self, access_key_id: &str) -> Option<&str> {
        self.keys.get(access_key_id).map(String::as_str)
    }

    /// Keeps `key` for `credential`, after a signature made with it has matched.
    pub(super) fn remember(&self, credential: &str, key: [u8; 32]) {
        let mut derived = self.derived.lock().expect("signing keys");
        if derived.len() >= DERIVED_KEPT {
            derived.clear();
        }
        derived.insert(credential.to_owned(), key);
    }

    #[cfg(test)]
    pub(super) fn kept(&self) -> usize {
        self.derived.lock().expect("signing keys").len()
    }
}
