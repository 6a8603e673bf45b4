//! The client libraries that sign in with SRP by default, against a running Cognate with only
//! an endpoint override: pycognito (Python) here; amazon-cognito-identity-js and Amplify v6
//! (Node) in tests/api/browser.rs.

use crate::common::{PASSWORD, attr};
use crate::fixture::t;
use aws_sdk_cognitoidentityprovider::types::{AliasAttributeType, ExplicitAuthFlowsType as Flow};
use std::path::PathBuf;
use std::process::Command;

#[tokio::test]
async fn pycognito_authenticates_with_srp() {
    let t = t();
    let pool = t
        .pool_with(|r| r.alias_attributes(AliasAttributeType::Email))
        .await;
    let created = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("python")
        .generate_secret(true)
        .explicit_auth_flows(Flow::AllowUserSrpAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let email = "ada.py@srp.test";
    t.client
        .admin_create_user()
        .user_pool_id(&pool)
        .username("ada-py")
        .user_attributes(attr("email", email))
        .user_attributes(attr("email_verified", "true"))
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    t.client
        .admin_set_user_password()
        .user_pool_id(&pool)
        .username("ada-py")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    // The issuer pycognito checks is the endpoint it was given plus the pool ID.
    let port = t.url.rsplit(':').next().unwrap().to_owned();
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/pycognito_srp.py");
    let python = std::env::var("COGNATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = tokio::task::spawn_blocking(move || {
        Command::new(python)
            .arg(script)
            .env("COGNATE_BASE", format!("http://localhost:{port}"))
            .env("POOL_ID", &pool)
            .env("CLIENT_ID", created.client_id.unwrap())
            .env("CLIENT_SECRET", created.client_secret.unwrap())
            .env("USERNAME", "ada-py")
            .env("EMAIL", email)
            .env("PASSWORD", PASSWORD)
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
