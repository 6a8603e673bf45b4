//! Remembered devices through the official SDK: NewDeviceMetadata and the `device_key` claim,
//! ConfirmDevice with a verifier from an independent SRP client (aws-cognito-srp), the
//! device operations as the user and as an administrator with their errors, device
//! authentication standing in for MFA, and refresh bound to the device.

mod interop;
mod operations;
pub(crate) mod sign_in;

use crate::fixture::{PASSWORD, T};
use aws_cognito_srp::{SrpClient, UntrackedDevice};
use aws_sdk_cognitoidentityprovider::types::{
    AuthenticationResultType, DeviceConfigurationType, DeviceSecretVerifierConfigType,
};
use base64::Engine;

/// A pool that tracks devices (`on_prompt`: DeviceOnlyRememberedOnUserPrompt), a client.
pub async fn device_pool(t: &T, on_prompt: bool) -> (String, String) {
    let pool = t.pool().await;
    t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(on_prompt)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let client = t.app_client(&pool).await;
    (pool, client)
}

/// The claims of a JWT.
pub fn claims(token: &str) -> serde_json::Value {
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// A device a user confirmed: its keys and the random password its verifier was made from.
pub struct Confirmed {
    pub key: String,
    pub group_key: String,
    pub password: String,
    pub access_token: String,
    pub refresh_token: String,
}

/// Confirms the new device a sign-in's tokens offer, as a client library does.
pub async fn confirm(t: &T, pool: &str, tokens: &AuthenticationResultType) -> (Confirmed, bool) {
    let meta = tokens.new_device_metadata().expect("NewDeviceMetadata");
    let key = meta.device_key().unwrap().to_owned();
    let group_key = meta.device_group_key().unwrap().to_owned();
    let device = SrpClient::new(UntrackedDevice::new(pool, &group_key, &key), "unused", None);
    let verifier = device.get_password_verifier();
    let access_token = tokens.access_token().unwrap().to_owned();
    let out = t
        .client
        .confirm_device()
        .access_token(&access_token)
        .device_key(&key)
        .device_name("Test device")
        .device_secret_verifier_config(
            DeviceSecretVerifierConfigType::builder()
                .password_verifier(verifier.verifier)
                .salt(verifier.salt)
                .build(),
        )
        .send()
        .await
        .expect("ConfirmDevice");
    let confirmed = Confirmed {
        key,
        group_key,
        password: verifier.password,
        access_token,
        refresh_token: tokens.refresh_token().unwrap().to_owned(),
    };
    (confirmed, out.user_confirmation_necessary())
}

/// Signs `name` in with USER_PASSWORD_AUTH (no device) and confirms the device offered.
pub async fn signed_in_device(t: &T, pool: &str, client: &str, name: &str) -> Confirmed {
    let out = t.sign_in(client, name, PASSWORD).await.unwrap();
    confirm(t, pool, out.authentication_result().unwrap())
        .await
        .0
}
