//! Every attribute written on a user's behalf goes through the client's WriteAttributes, and
//! verification flags are never the user's to set (AWS Cognito developer guide, "Attribute
//! permissions and scopes").

use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, T, t};
use aws_sdk_cognitoidentityprovider::types::{ChallengeNameType, SchemaAttributeType};

const UNAUTHORIZED: &str = "A client attempted to write unauthorized attribute";

/// A pool with `custom:role`, a client that may write only `name`, and a user with a
/// temporary password; returns (pool, client, the challenge's session).
async fn new_password_challenge(t: &T, writable: &[&str]) -> (String, String, String) {
    let pool = t
        .pool_with(|r| {
            r.schema(
                SchemaAttributeType::builder()
                    .name("role")
                    .attribute_data_type("String".into())
                    .build(),
            )
        })
        .await;
    let writable: Vec<String> = writable.iter().map(|s| s.to_string()).collect();
    let client = t
        .app_client_with(&pool, |r| r.set_write_attributes(Some(writable)))
        .await;
    t.user_with_temporary_password(&pool, "newbie").await;
    let out = t.sign_in(&client, "newbie", PASSWORD).await.unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );
    (pool, client, out.session().unwrap().to_owned())
}

async fn answer(
    t: &T,
    client: &str,
    session: &str,
    attrs: &[(&str, &str)],
) -> Result<(), (String, String)> {
    let mut req = t
        .client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::NewPasswordRequired)
        .session(session)
        .challenge_responses("USERNAME", "newbie")
        .challenge_responses("NEW_PASSWORD", "Brand-New-Pass-1");
    for (n, v) in attrs {
        req = req.challenge_responses(format!("userAttributes.{n}"), *v);
    }
    req.send()
        .await
        .map(drop)
        .map_err(|e| crate::common::err::<(), _>(Err(e)))
}

#[tokio::test]
async fn new_password_challenge_refuses_attributes_outside_write_attributes() {
    let t = t();
    let (pool, client, session) = new_password_challenge(&t, &["name"]).await;
    let r = answer(&t, &client, &session, &[("custom:role", "admin")]).await;
    assert_eq!(
        r.unwrap_err(),
        ("NotAuthorizedException".into(), UNAUTHORIZED.into())
    );
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("newbie")
        .send()
        .await
        .unwrap();
    assert!(
        user.user_attributes()
            .iter()
            .all(|a| a.name() != "custom:role")
    );
    assert_eq!(
        user.user_status().unwrap().as_str(),
        "FORCE_CHANGE_PASSWORD"
    );
}

#[tokio::test]
async fn new_password_challenge_refuses_verification_flags_even_when_listed_as_writable() {
    let t = t();
    let (_, client, session) =
        new_password_challenge(&t, &["name", "email", "email_verified"]).await;
    let r = answer(
        &t,
        &client,
        &session,
        &[("email", "mallory@example.com"), ("email_verified", "true")],
    )
    .await;
    assert_eq!(
        r.unwrap_err(),
        ("NotAuthorizedException".into(), UNAUTHORIZED.into())
    );
}

#[tokio::test]
async fn refused_challenge_answer_leaves_the_session_usable() {
    let t = t();
    let (_, client, session) = new_password_challenge(&t, &["name"]).await;
    assert!(
        answer(&t, &client, &session, &[("email", "x@example.com")])
            .await
            .is_err()
    );
    answer(&t, &client, &session, &[("name", "Newbie")])
        .await
        .unwrap();
}

#[tokio::test]
async fn update_user_attributes_refuses_verification_flags_with_default_permissions() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user(&pool, "alice", &[("email", "alice@example.com")])
        .await;
    let token = t
        .sign_in(&client, "alice", PASSWORD)
        .await
        .unwrap()
        .authentication_result
        .unwrap()
        .access_token
        .unwrap();
    let r = t
        .client
        .update_user_attributes()
        .access_token(&token)
        .user_attributes(crate::common::attr("email_verified", "true"))
        .send()
        .await;
    assert_cognito_err!(r, NotAuthorizedException, UNAUTHORIZED);
}

#[tokio::test]
async fn hosted_new_password_form_refuses_attributes_outside_write_attributes() {
    use crate::oauth::{authorize_url, browser, hidden, location};
    let t = t();
    let pool = t.pool().await;
    let client = t
        .app_client_with(&pool, |r| {
            r.write_attributes("name")
                .allowed_o_auth_flows_user_pool_client(true)
                .allowed_o_auth_flows(aws_sdk_cognitoidentityprovider::types::OAuthFlowType::Code)
                .allowed_o_auth_scopes("openid")
                .allowed_o_auth_scopes("email")
                .allowed_o_auth_scopes("profile")
                .callback_urls("http://localhost:5000/postlogin")
                .supported_identity_providers("COGNITO")
        })
        .await;
    t.user_with_temporary_password(&pool, "newbie").await;
    let b = browser();
    let r = b
        .get(authorize_url(&t.url, &client, ""))
        .send()
        .await
        .unwrap();
    let login = format!("{}{}", t.url, location(&r));
    let page = b.get(&login).send().await.unwrap().text().await.unwrap();
    let r = b
        .post(&login)
        .form(&[
            ("_csrf", hidden(&page, "_csrf").as_str()),
            ("username", "newbie"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    let html = r.text().await.unwrap();
    let action = format!(
        "{}/login/new-password?{}",
        t.url,
        login.split_once('?').unwrap().1
    );
    let r = b
        .post(&action)
        .form(&[
            ("_csrf", hidden(&html, "_csrf").as_str()),
            ("session", hidden(&html, "session").as_str()),
            ("new_password", "Brand-New-Pass-1"),
            ("attr_email", "mallory@example.com"),
            ("attr_email_verified", "true"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await.unwrap().contains(UNAUTHORIZED));
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("newbie")
        .send()
        .await
        .unwrap();
    assert!(user.user_attributes().iter().all(|a| a.name() != "email"));
}
