//! Real browsers and real relying parties against a real Cognate: the Node scripts in
//! tests/e2e drive Debian's headless Chromium (playwright-core) and openid-client.
//! They need Chromium and `npm ci` in tests/e2e, which scripts/test.sh installs; so they are
//! `#[ignore]`d in a bare `cargo test` and run by scripts/test.sh with `--ignored`.

use crate::common::*;
use crate::oauth::oauth_fixture;
use std::path::PathBuf;
use std::process::Command;

fn e2e_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e")
}

/// Runs a script of tests/e2e, which must succeed; its standard output.
pub(crate) fn run_node(script: &str, envs: &[(&str, String)]) -> String {
    let dir = e2e_dir();
    assert!(
        dir.join("node_modules/playwright-core").exists(),
        "run `npm ci` in tests/e2e first (scripts/test.sh does)"
    );
    let out = Command::new("node")
        .arg(script)
        .current_dir(&dir)
        .envs(envs.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("node runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{script} failed:\n{stdout}\n{stderr}");
    eprintln!("{stdout}");
    stdout.into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn hosted_ui_journey_in_chromium() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    let base = format!("http://localhost:{}", t.server.addr.port());
    let script = "hosted_ui.mjs".to_owned();
    let envs = vec![
        ("COGNATE_BASE", base),
        ("CLIENT_ID", f.client_id.clone()),
        ("CLIENT_SECRET", f.secret.clone()),
        ("USERNAME", "alice".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
        ("EMAIL", "alice@example.com".to_owned()),
        ("ARTIFACTS", artifacts.display().to_string()),
    ];
    tokio::task::spawn_blocking(move || run_node(&script, &envs))
        .await
        .unwrap();
    assert!(
        artifacts.join("login.png").exists(),
        "the login page screenshot is kept"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn openid_client_interop() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let (_, issuer) = pool_urls(&t, &f.pool);
    let script = "oidc_interop.mjs".to_owned();
    let envs = vec![
        ("ISSUER", issuer),
        ("CLIENT_ID", f.client_id.clone()),
        ("CLIENT_SECRET", f.secret.clone()),
        ("USERNAME", "alice".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
        ("EMAIL", "alice@example.com".to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node(&script, &envs))
        .await
        .unwrap();
}

/// amazon-cognito-identity-js (the library behind many web apps) through sign-up, confirmation
/// with the emailed code, sign-in, refresh and a password reset.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs tests/e2e/node_modules: scripts/test.sh runs it"]
async fn amazon_cognito_identity_js_interop() {
    use aws_sdk_cognitoidentityprovider::types::{
        ExplicitAuthFlowsType as F, VerifiedAttributeType,
    };
    let t = start().await;
    let pool = create_pool(&t.client, "identity-js").await;
    t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap();
    // The library cannot send a secret: a public client.
    let client = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let envs = vec![
        ("COGNATE_BASE", t.url()),
        ("POOL_ID", pool),
        ("CLIENT_ID", client),
    ];
    tokio::task::spawn_blocking(move || run_node("identity_js.mjs", &envs))
        .await
        .unwrap();
}

/// The hosted UI's self-service pages in Chromium: sign up, confirm with the emailed code, sign
/// in; forgotten password, code, new password, sign in (screenshots under target/e2e/).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn hosted_sign_up_and_password_reset_in_chromium() {
    use aws_sdk_cognitoidentityprovider::types::{
        OAuthFlowType, UsernameAttributeType, VerifiedAttributeType,
    };
    let t = start().await;
    let pool = t
        .client
        .create_user_pool()
        .pool_name("hosted-signup")
        .username_attributes(UsernameAttributeType::Email)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .generate_secret(true)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .callback_urls("http://localhost:5000/postlogin")
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    let envs = vec![
        (
            "COGNATE_BASE",
            format!("http://localhost:{}", t.server.addr.port()),
        ),
        ("CLIENT_ID", client),
        ("ARTIFACTS", artifacts.display().to_string()),
    ];
    tokio::task::spawn_blocking(move || run_node("hosted_signup.mjs", &envs))
        .await
        .unwrap();
    for shot in ["signup.png", "confirm.png", "reset.png"] {
        assert!(artifacts.join(shot).exists(), "{shot} is kept");
    }
}

/// SRP from the JavaScript libraries: amazon-cognito-identity-js's authenticateUser and
/// Amplify v6's signIn (both USER_SRP_AUTH by default), by username and by email alias.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs tests/e2e/node_modules: scripts/test.sh runs it"]
async fn srp_from_identity_js_and_amplify() {
    use aws_sdk_cognitoidentityprovider::types::{AliasAttributeType, ExplicitAuthFlowsType as F};
    let t = start().await;
    let pool = t
        .client
        .create_user_pool()
        .pool_name("srp-js")
        .alias_attributes(AliasAttributeType::Email)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .explicit_auth_flows(F::AllowUserSrpAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let email = "ada.js@example.com";
    create_user(
        &t.client,
        &pool,
        "ada-js",
        &[("email", email), ("email_verified", "true")],
    )
    .await;
    let envs = vec![
        ("COGNATE_BASE", t.url()),
        ("POOL_ID", pool),
        ("CLIENT_ID", client),
        ("USERNAME", "ada-js".to_owned()),
        ("EMAIL", email.to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node("srp_clients.mjs", &envs))
        .await
        .unwrap();
}

/// TOTP MFA from amazon-cognito-identity-js: set up with an access token, then a sign-in
/// finished with `totpRequired` / `sendMFACode` (codes from otplib).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs tests/e2e/node_modules: scripts/test.sh runs it"]
async fn totp_mfa_from_identity_js() {
    use aws_sdk_cognitoidentityprovider::types::{
        ExplicitAuthFlowsType as F, SoftwareTokenMfaConfigType, UserPoolMfaType,
    };
    let t = start().await;
    let pool = create_pool(&t.client, "mfa-js").await;
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
    let client = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .explicit_auth_flows(F::AllowUserSrpAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    create_user(&t.client, &pool, "ada-mfa", &[]).await;
    let envs = vec![
        ("COGNATE_BASE", t.url()),
        ("POOL_ID", pool),
        ("CLIENT_ID", client),
        ("USERNAME", "ada-mfa".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node("mfa_identity_js.mjs", &envs))
        .await
        .unwrap();
}

/// The second factor on the hosted pages in Chromium (tests/e2e/hosted_mfa.mjs): an ON pool
/// with authenticator apps and text messages; a new password then authenticator setup from
/// the QR page, a code from the app, and a texted code. Screenshots in target/e2e.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn hosted_mfa_journey_in_chromium() {
    use aws_sdk_cognitoidentityprovider::types::{
        MessageActionType, OAuthFlowType, SmsConfigurationType, SmsMfaConfigType,
        SoftwareTokenMfaConfigType, UserPoolMfaType,
    };
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "mfa-hosted").await;
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .sms_mfa_configuration(
            SmsMfaConfigType::builder()
                .sms_configuration(
                    SmsConfigurationType::builder()
                        .sns_caller_arn("arn:aws:iam::123456789012:role/sns")
                        .build(),
                )
                .build(),
        )
        .mfa_configuration(UserPoolMfaType::On)
        .send()
        .await
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("hosted")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(crate::oauth_support::CALLBACK)
        .logout_urls(crate::oauth_support::SIGN_OUT)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let temporary = "Temporary-Pass-1";
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("erin")
        .temporary_password(temporary)
        .message_action(MessageActionType::Suppress)
        .send()
        .await
        .unwrap();
    let phone = "+15555550123";
    create_user(
        c,
        &pool,
        "frank",
        &[("phone_number", phone), ("phone_number_verified", "true")],
    )
    .await;
    let artifacts = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/e2e");
    let envs = vec![
        (
            "COGNATE_BASE",
            format!("http://localhost:{}", t.server.addr.port()),
        ),
        ("CLIENT_ID", client),
        ("SETUP_USER", "erin".to_owned()),
        ("TEMPORARY_PASSWORD", temporary.to_owned()),
        ("SMS_USER", "frank".to_owned()),
        ("SMS_PHONE", phone.to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
        ("ARTIFACTS", artifacts.display().to_string()),
    ];
    tokio::task::spawn_blocking(move || run_node("hosted_mfa.mjs", &envs))
        .await
        .unwrap();
    assert!(artifacts.join("mfa-setup.png").exists());
}

/// Remembered devices from amazon-cognito-identity-js (tests/e2e/device_identity_js.mjs): the
/// library confirms the device a sign-in offers, a remembered device then skips TOTP MFA, a
/// second device is asked for a code, refresh and the device list work with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs tests/e2e/node_modules: scripts/test.sh runs it"]
async fn remembered_device_from_identity_js() {
    use aws_sdk_cognitoidentityprovider::types::{
        DeviceConfigurationType, ExplicitAuthFlowsType as F, SoftwareTokenMfaConfigType,
        UserPoolMfaType,
    };
    let t = start().await;
    let pool = create_pool(&t.client, "devices-js").await;
    t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .device_configuration(
            DeviceConfigurationType::builder()
                .challenge_required_on_new_device(true)
                .device_only_remembered_on_user_prompt(false)
                .build(),
        )
        .send()
        .await
        .unwrap();
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
    let client = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("web")
        .explicit_auth_flows(F::AllowUserSrpAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    create_user(&t.client, &pool, "dev-user", &[]).await;
    let envs = vec![
        ("COGNATE_BASE", t.url()),
        ("POOL_ID", pool),
        ("CLIENT_ID", client),
        ("USERNAME", "dev-user".to_owned()),
        ("PASSWORD", PASSWORD.to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node("device_identity_js.mjs", &envs))
        .await
        .unwrap();
}

/// Federated sign-in through an independent OpenID provider (node-oidc-provider), driven in
/// Chromium: its own login and consent pages, then the tokens Cognate issues; a second account
/// linked to an existing user signs that user in; the provider behind a token endpoint that
/// alters its ID token is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn federated_sign_in_through_node_oidc_provider_in_chromium() {
    use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType;
    let t = start().await;
    let c = &t.client;
    let base = format!("http://localhost:{}", t.server.addr.port());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let pool = create_pool(c, "federated").await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Panva")
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", "cognate")
        .provider_details("client_secret", "cognate-upstream-secret")
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", format!("http://localhost:{port}"))
        .provider_details("attributes_request_method", "GET")
        .attribute_mapping("email", "email")
        .attribute_mapping("given_name", "given_name")
        .send()
        .await
        .unwrap();
    // The same provider again, its token endpoint behind one that alters the ID token.
    let upstream = format!("http://localhost:{port}");
    let tampering =
        crate::federation::oidc::tampering_token_endpoint(format!("{upstream}/token")).await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Tampered")
        .provider_type(IdentityProviderTypeType::Oidc)
        .provider_details("client_id", "cognate")
        .provider_details("client_secret", "cognate-upstream-secret")
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", &upstream)
        .provider_details("authorize_url", format!("{upstream}/auth"))
        .provider_details("token_url", tampering)
        .provider_details("attributes_url", format!("{upstream}/me"))
        .provider_details("jwks_uri", format!("{upstream}/jwks"))
        .provider_details("attributes_request_method", "GET")
        .attribute_mapping("email", "email")
        .send()
        .await
        .unwrap();
    // Panva's kim is linked to an existing user.
    crate::common::create_user(c, &pool, "kim-native", &[("email", "kim@native.test")]).await;
    let who = |provider: &str, attribute: Option<&str>, value: &str| {
        aws_sdk_cognitoidentityprovider::types::ProviderUserIdentifierType::builder()
            .provider_name(provider)
            .set_provider_attribute_name(attribute.map(str::to_owned))
            .provider_attribute_value(value)
            .build()
    };
    c.admin_link_provider_for_user()
        .user_pool_id(&pool)
        .destination_user(who("Cognito", None, "kim-native"))
        .source_user(who("Panva", Some("Cognito_Subject"), "kim"))
        .send()
        .await
        .unwrap();
    let client =
        crate::oauth_support::code_flow_client(c, &pool, &["COGNITO", "Panva", "Tampered"]).await;
    let script = "federation_oidc.mjs".to_owned();
    let envs = vec![
        ("COGNATE_BASE", base),
        ("CLIENT_ID", client),
        ("UPSTREAM_PORT", port.to_string()),
        ("UPSTREAM_CLIENT_ID", "cognate".to_owned()),
        (
            "UPSTREAM_CLIENT_SECRET",
            "cognate-upstream-secret".to_owned(),
        ),
        ("LINKED_USERNAME", "kim-native".to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node(&script, &envs))
        .await
        .unwrap();
    let user = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("panva_lin")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "EXTERNAL_PROVIDER");
}
