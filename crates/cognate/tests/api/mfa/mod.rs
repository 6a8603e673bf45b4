//! Multi-factor authentication through the official SDK: the pool's configuration, TOTP
//! software tokens (codes computed by an independent implementation, totp-lite), users'
//! preferences and the sign-in challenges.

mod codes;
mod config;
mod hosted;
mod interop;
mod setup;
mod sign_in;

use crate::fixture::{PASSWORD, T};
use aws_sdk_cognitoidentityprovider::types::{
    SoftwareTokenMfaConfigType, SoftwareTokenMfaSettingsType, UserPoolMfaType,
};

/// The TOTP code of `secret` (base32, as AssociateSoftwareToken gives it) at `unix_seconds`.
pub fn totp_at(secret: &str, unix_seconds: u64) -> String {
    let key = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret)
        .expect("a base32 secret");
    totp_lite::totp_custom::<totp_lite::Sha1>(30, 6, &key, unix_seconds)
}

pub fn now_seconds() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A pool with TOTP enabled and `MfaConfiguration` `mfa`, and a client for it.
pub async fn totp_pool(t: &T, mfa: UserPoolMfaType) -> (String, String) {
    let pool = t.pool().await;
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(mfa)
        .send()
        .await
        .expect("MFA configuration");
    let client = t.app_client(&pool).await;
    (pool, client)
}

/// Signs `name` in with USER_PASSWORD_AUTH and returns the access token (no MFA asked).
pub async fn access_token(t: &T, client: &str, name: &str) -> String {
    let out = t.sign_in(client, name, PASSWORD).await.expect("signed in");
    out.authentication_result
        .expect("tokens")
        .access_token
        .unwrap()
}

/// Associates and verifies a TOTP token for the holder of `token`, at `unix_seconds`;
/// returns the secret.
pub async fn add_token(t: &T, token: &str, unix_seconds: u64) -> String {
    // Close to a step's end, the server may already be in the next step, where a code of
    // two steps back is out of the window: wait for the step to turn.
    let into_step = now_seconds() % 30;
    let unix_seconds = if into_step >= 27 {
        let wait = 31 - into_step;
        tokio::time::sleep(std::time::Duration::from_secs(wait)).await;
        unix_seconds + wait
    } else {
        unix_seconds
    };
    let secret = t
        .client
        .associate_software_token()
        .access_token(token)
        .send()
        .await
        .unwrap()
        .secret_code
        .unwrap();
    let verified = t
        .client
        .verify_software_token()
        .access_token(token)
        .user_code(totp_at(&secret, unix_seconds))
        .friendly_device_name("phone")
        .send()
        .await
        .unwrap();
    assert_eq!(verified.status().unwrap().as_str(), "SUCCESS");
    secret
}

/// Makes TOTP the user's preferred factor.
pub async fn prefer_totp(t: &T, token: &str) {
    t.client
        .set_user_mfa_preference()
        .access_token(token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();
}

/// A user of an OPTIONAL pool with a verified, preferred token: (pool, client, secret).
pub async fn totp_user(t: &T, name: &str) -> (String, String, String) {
    let (pool, client) = totp_pool(t, UserPoolMfaType::Optional).await;
    t.user(&pool, name, &[]).await;
    let token = access_token(t, &client, name).await;
    // A code of the previous step: the sign-in codes of this test are then all fresh.
    let secret = add_token(t, &token, now_seconds() - 30).await;
    prefer_totp(t, &token).await;
    (pool, client, secret)
}
