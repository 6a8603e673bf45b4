//! boto3 with codes from pyotp (tests/python/boto3_mfa.py): the Python side of TOTP MFA,
//! against a running Cognate with only the endpoint override.

use super::totp_pool;
use crate::fixture::{PASSWORD, t};
use aws_sdk_cognitoidentityprovider::types::UserPoolMfaType;
use std::path::PathBuf;
use std::process::Command;

#[tokio::test]
async fn boto3_and_pyotp_go_through_totp_mfa() {
    let t = t();
    let (pool, client) = totp_pool(&t, UserPoolMfaType::Optional).await;
    t.user(&pool, "ada-py", &[]).await;
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/boto3_mfa.py");
    let python = std::env::var("COGNATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let url = t.url.clone();
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("COGNATE_BASE", url)
            .env("POOL_ID", &pool)
            .env("CLIENT_ID", &client)
            .env("USERNAME", "ada-py")
            .env("PASSWORD", PASSWORD)
            .env("AWS_ACCESS_KEY_ID", "unused")
            .env("AWS_SECRET_ACCESS_KEY", "unused")
            .output()
            .expect("python runs (pip install boto3 pyotp; scripts/test.sh does)")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "boto3 failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
