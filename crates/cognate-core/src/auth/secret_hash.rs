//! SECRET_HASH = Base64(HMAC-SHA256(client secret, username || client ID)), required from
//! clients that have a secret.

use crate::client::AppClient;
use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub fn compute(secret: &str, username: &str, client_id: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(username.as_bytes());
    mac.update(client_id.as_bytes());
    B64.encode(mac.finalize().into_bytes())
}

impl Cognito {
    /// Checks `presented` against every secret of the client and every name the user may have
    /// hashed (the name they typed, their internal username). No-op for clients without a secret.
    pub(crate) fn check_secret_hash(
        &self,
        client: &AppClient,
        presented: Option<&str>,
        usernames: &[&str],
    ) -> Result<()> {
        if !client.has_secret() {
            return Ok(());
        }
        let id = client.client_id();
        let Some(presented) = presented else {
            return Err(CognitoError::not_authorized(format!(
                "Client {id} is configured for secret but secret was not received"
            )));
        };
        let mut ok = false;
        for secret in self.client_secrets(client)? {
            for name in usernames {
                ok |= bool::from(
                    compute(&secret, name, id)
                        .as_bytes()
                        .ct_eq(presented.as_bytes()),
                );
            }
        }
        if ok {
            Ok(())
        } else {
            Err(CognitoError::not_authorized(format!(
                "Unable to verify secret hash for client {id}"
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn reference_vector() {
        // REFERENCE.md §3.
        assert_eq!(
            super::compute("clientsecret123", "alice", "1example23456789"),
            "id3/IJlevsGIl7XeP8N2rmEcQeU/Ukw/V56fPyNQtmo="
        );
    }
}
