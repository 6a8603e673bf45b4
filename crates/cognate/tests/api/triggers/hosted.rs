//! The hosted pages show a trigger's refusal as Cognito's do: the message on the page.

use super::{Behaviour, WEBHOOK_ARN, triggers};
use crate::oauth_support::{CALLBACK, authorize_url, browser, hidden, location};
use aws_sdk_cognitoidentityprovider::types::{LambdaConfigType, OAuthFlowType};

#[tokio::test]
async fn a_refused_hosted_sign_up_shows_the_functions_message() {
    let tr = triggers().await;
    let c = &tr.t.client;
    let pool = crate::common::create_pool(c, "hosted-triggers").await;
    c.update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(LambdaConfigType::builder().pre_sign_up(WEBHOOK_ARN).build())
        .send()
        .await
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("hosted")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(CALLBACK)
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    tr.hooked
        .behave(Behaviour::Throw("Invitations only".into()));
    let base = tr.t.url();
    let b = browser();
    let r = b
        .get(authorize_url(&base, &client, ""))
        .send()
        .await
        .unwrap();
    let login = location(&r);
    let signup = format!("{base}{}", login.replacen("/login?", "/signup?", 1));
    let page = b.get(&signup).send().await.unwrap().text().await.unwrap();
    let r = b
        .post(&signup)
        .form(&[
            ("_csrf", hidden(&page, "_csrf").as_str()),
            ("username", "walk-in"),
            ("password", "Walk-In-Pass-1"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("PreSignUp failed with error Invitations only."),
        "{html}"
    );
    assert_eq!(tr.hooked.last()["triggerSource"], "PreSignUp_SignUp");
}
