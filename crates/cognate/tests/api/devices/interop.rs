//! pycognito's device math (tests/python/pycognito_device.py) against a running Cognate.

use crate::fixture::{PASSWORD, t};
use crate::mfa::{access_token, add_token, now_seconds, prefer_totp};
use aws_sdk_cognitoidentityprovider::types::{SoftwareTokenMfaConfigType, UserPoolMfaType};
use std::path::PathBuf;
use std::process::Command;

#[tokio::test]
async fn pycognito_confirms_a_device_that_then_skips_mfa() {
    let t = t();
    let (pool, _) = super::device_pool(&t, false).await;
    t.client
        .set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let client = crate::srp::srp_client(&t, &pool).await;
    t.user(&pool, "py-device", &[]).await;
    let token = access_token(&t, &client, "py-device").await;
    // The previous step's code: the current one stays fresh for the script.
    let secret = add_token(&t, &token, now_seconds() - 30).await;
    prefer_totp(&t, &token).await;
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/pycognito_device.py");
    let python = std::env::var("COGNATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let url = t.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("COGNATE_BASE", url)
            .env("POOL_ID", &pool)
            .env("CLIENT_ID", client)
            .env("USERNAME", "py-device")
            .env("PASSWORD", PASSWORD)
            .env("TOTP_SECRET", secret)
            .env("AWS_ACCESS_KEY_ID", "unused")
            .env("AWS_SECRET_ACCESS_KEY", "unused")
            .output()
            .expect("python runs (pip install pycognito; scripts/test.sh does)")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "pycognito failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
