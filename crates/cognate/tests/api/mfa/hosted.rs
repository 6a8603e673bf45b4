//! The hosted pages have no second-factor page yet: a user MFA would challenge is refused
//! there with a clear message, never signed in without the factor.

use super::{now_seconds, totp_at};
use crate::common::{PASSWORD, start};
use crate::oauth_support::{authorize_url, browser, hidden, location, oauth_fixture};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ExplicitAuthFlowsType as Flow, SoftwareTokenMfaConfigType,
    SoftwareTokenMfaSettingsType, UserPoolMfaType,
};

#[tokio::test]
async fn the_hosted_sign_in_refuses_a_user_with_a_second_factor() {
    let t = start().await;
    let f = oauth_fixture(&t).await;
    let c = &t.client;
    c.set_user_pool_mfa_config()
        .user_pool_id(&f.pool)
        .software_token_mfa_configuration(
            SoftwareTokenMfaConfigType::builder().enabled(true).build(),
        )
        .mfa_configuration(UserPoolMfaType::Optional)
        .send()
        .await
        .unwrap();
    let api_client = c
        .create_user_pool_client()
        .user_pool_id(&f.pool)
        .client_name("api")
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let token = c
        .initiate_auth()
        .client_id(&api_client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "alice")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    let secret = c
        .associate_software_token()
        .access_token(&token)
        .send()
        .await
        .unwrap()
        .secret_code
        .unwrap();
    c.verify_software_token()
        .access_token(&token)
        .user_code(totp_at(&secret, now_seconds()))
        .send()
        .await
        .unwrap();
    c.set_user_mfa_preference()
        .access_token(&token)
        .software_token_mfa_settings(
            SoftwareTokenMfaSettingsType::builder()
                .enabled(true)
                .preferred_mfa(true)
                .build(),
        )
        .send()
        .await
        .unwrap();

    let base = t.url();
    let b = browser();
    let r = b
        .get(authorize_url(&base, &f.client_id, ""))
        .send()
        .await
        .unwrap();
    let login = format!("{base}{}", location(&r));
    let html = b.get(&login).send().await.unwrap().text().await.unwrap();
    let r = b
        .post(&login)
        .form(&[
            ("_csrf", hidden(&html, "_csrf").as_str()),
            ("username", "alice"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_ne!(
        r.status().as_u16(),
        302,
        "no redirect to the app with a code"
    );
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Multi-factor sign-in on the hosted pages"),
        "{page}"
    );
    t.server.shutdown().await.unwrap();
}
