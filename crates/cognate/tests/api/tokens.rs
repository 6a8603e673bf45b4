//! Tokens as Cognito issues them, verified by an independent JWT library against the JWKS
//! fetched over HTTP; refresh, revocation, rotation and key rotation.

use crate::common::*;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AuthFlowType, ExplicitAuthFlowsType as F, SchemaAttributeType,
    TimeUnitsType, TokenValidityUnitsType,
};
use serde_json::Value;

async fn refresh(
    c: &aws_sdk_cognitoidentityprovider::Client,
    client_id: &str,
    token: &str,
) -> Result<String, (String, String)> {
    let r = c
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .auth_parameters("REFRESH_TOKEN", token)
        .send()
        .await;
    match r {
        Ok(out) => {
            let result = out.authentication_result().unwrap();
            assert!(
                result.refresh_token().is_none(),
                "no new refresh token without rotation"
            );
            Ok(result.access_token().unwrap().to_owned())
        }
        Err(e) => Err(err::<(), _>(Err(e))),
    }
}

#[tokio::test]
async fn claims_match_cognito() {
    let t = start().await;
    let c = &t.client;
    let pool = c
        .create_user_pool()
        .pool_name("claims")
        .schema(
            SchemaAttributeType::builder()
                .name("tier")
                .attribute_data_type(AttributeDataType::Number)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .id
        .unwrap();
    let client_id = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .access_token_validity(30)
        .id_token_validity(2)
        .token_validity_units(
            TokenValidityUnitsType::builder()
                .access_token(TimeUnitsType::Minutes)
                .id_token(TimeUnitsType::Hours)
                .build(),
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    create_user(
        c,
        &pool,
        "alice",
        &[
            ("email", "alice@example.com"),
            ("email_verified", "true"),
            ("given_name", "Alice"),
            ("custom:tier", "12"),
        ],
    )
    .await;
    for (name, precedence, role) in [
        ("viewers", Some(5), None),
        (
            "admins",
            Some(1),
            Some("arn:aws:iam::000000000000:role/admin"),
        ),
        ("misc", None, Some("arn:aws:iam::000000000000:role/misc")),
    ] {
        let mut g = c.create_group().user_pool_id(&pool).group_name(name);
        if let Some(p) = precedence {
            g = g.precedence(p);
        }
        if let Some(r) = role {
            g = g.role_arn(r);
        }
        g.send().await.unwrap();
        c.admin_add_user_to_group()
            .user_pool_id(&pool)
            .username("alice")
            .group_name(name)
            .send()
            .await
            .unwrap();
    }
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let out = password_sign_in(c, &client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let result = out.authentication_result().unwrap();
    assert_eq!(result.expires_in(), 1800);
    let issuer = format!("http://localhost:{}/{pool}", t.server.addr.port());
    // The JWKS is served where `iss` says, also through the discovery document.
    let discovery: Value = reqwest::get(format!(
        "{}/{pool}/.well-known/openid-configuration",
        t.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(
        discovery["jwks_uri"],
        format!("{issuer}/.well-known/jwks.json").as_str()
    );
    let (reachable, public) = pool_urls(&t, &pool);
    let id = verify_with_jwks(
        result.id_token().unwrap(),
        &reachable,
        &public,
        Some(&client_id),
    )
    .await;
    let access = verify_with_jwks(result.access_token().unwrap(), &reachable, &public, None).await;
    let sub = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let sub = sub
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_owned();

    // ID token: exactly Cognito's claims for an API sign-in.
    let mut id_keys: Vec<&str> = id.as_object().unwrap().keys().map(String::as_str).collect();
    id_keys.sort();
    assert_eq!(
        id_keys,
        [
            "aud",
            "auth_time",
            "cognito:groups",
            "cognito:preferred_role",
            "cognito:roles",
            "cognito:username",
            "custom:tier",
            "email",
            "email_verified",
            "event_id",
            "exp",
            "given_name",
            "iat",
            "iss",
            "jti",
            "origin_jti",
            "sub",
            "token_use"
        ]
    );
    assert_eq!(id["sub"], sub.as_str());
    assert_eq!(id["aud"], client_id.as_str());
    assert_eq!(id["iss"], issuer.as_str());
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["cognito:username"], "alice");
    assert_eq!(id["email_verified"], Value::Bool(true));
    assert_eq!(id["custom:tier"], "12", "custom attributes are strings");
    assert_eq!(
        id["cognito:groups"],
        serde_json::json!(["admins", "viewers", "misc"]),
        "ordered by precedence"
    );
    assert_eq!(
        id["cognito:roles"],
        serde_json::json!([
            "arn:aws:iam::000000000000:role/admin",
            "arn:aws:iam::000000000000:role/misc"
        ])
    );
    assert_eq!(
        id["cognito:preferred_role"],
        "arn:aws:iam::000000000000:role/admin"
    );
    assert_eq!(
        id["exp"].as_i64().unwrap() - id["iat"].as_i64().unwrap(),
        7200
    );
    let iat = id["iat"].as_i64().unwrap();
    assert!((before..=before + 5).contains(&iat));
    assert_eq!(id["auth_time"], id["iat"]);

    // Access token: no aud, no attributes.
    let mut access_keys: Vec<&str> = access
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    access_keys.sort();
    assert_eq!(
        access_keys,
        [
            "auth_time",
            "client_id",
            "cognito:groups",
            "event_id",
            "exp",
            "iat",
            "iss",
            "jti",
            "origin_jti",
            "scope",
            "sub",
            "token_use",
            "username"
        ]
    );
    assert_eq!(access["client_id"], client_id.as_str());
    assert_eq!(access["token_use"], "access");
    assert_eq!(access["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(access["username"], "alice");
    assert_eq!(
        access["exp"].as_i64().unwrap() - access["iat"].as_i64().unwrap(),
        1800
    );
    assert_eq!(access["origin_jti"], id["origin_jti"]);
    assert_eq!(access["event_id"], id["event_id"]);
    assert_ne!(access["jti"], id["jti"]);
    // Cognito signs the two with different keys.
    let kid = |t: &str| jsonwebtoken::decode_header(t).unwrap().kid.unwrap();
    assert_ne!(
        kid(result.id_token().unwrap()),
        kid(result.access_token().unwrap())
    );

    // The refresh token carries nothing readable.
    let refresh_token = result.refresh_token().unwrap();
    assert!(jsonwebtoken::dangerous::insecure_decode::<Value>(refresh_token).is_err());

    // Refreshing keeps origin_jti and auth_time.
    let refreshed = refresh(c, &client_id, refresh_token).await.unwrap();
    let again = decode_claims(&refreshed);
    assert_eq!(again["origin_jti"], access["origin_jti"]);
    assert_eq!(again["auth_time"], access["auth_time"]);
    assert_ne!(again["jti"], access["jti"]);
}

fn decode_claims(token: &str) -> Value {
    jsonwebtoken::dangerous::insecure_decode::<Value>(token)
        .unwrap()
        .claims
}

#[tokio::test]
async fn revocation_and_global_sign_out() {
    let t = start().await;
    let c = &t.client;
    let f = sign_in_fixture(c, false).await;
    let first = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let first = first.authentication_result().unwrap();
    let second = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let second = second.authentication_result().unwrap();
    c.get_user()
        .access_token(first.access_token().unwrap())
        .send()
        .await
        .unwrap();

    // Revoking one refresh token ends that session only.
    c.revoke_token()
        .token(first.refresh_token().unwrap())
        .client_id(&f.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refresh(c, &f.client_id, first.refresh_token().unwrap())
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Refresh Token has been revoked".to_owned()
        )
    );
    let (code, msg) = err(c
        .get_user()
        .access_token(first.access_token().unwrap())
        .send()
        .await);
    assert_eq!(
        (code.as_str(), msg.as_str()),
        ("NotAuthorizedException", "Access Token has been revoked")
    );
    let refreshed_second = refresh(c, &f.client_id, second.refresh_token().unwrap())
        .await
        .unwrap();
    c.get_user()
        .access_token(&refreshed_second)
        .send()
        .await
        .unwrap();

    // Access tokens cannot be revoked with RevokeToken; unknown tokens are accepted quietly.
    let (code, _) = err(c
        .revoke_token()
        .token(second.access_token().unwrap())
        .client_id(&f.client_id)
        .send()
        .await);
    assert_eq!(code, "UnsupportedTokenTypeException");
    c.revoke_token()
        .token("not-a-token-we-issued")
        .client_id(&f.client_id)
        .send()
        .await
        .unwrap();
    assert_eq!(
        refresh(c, &f.client_id, "not-a-token-we-issued")
            .await
            .unwrap_err(),
        (
            "NotAuthorizedException".to_owned(),
            "Invalid Refresh Token".to_owned()
        )
    );

    // GlobalSignOut ends every session of the user.
    let third = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let third = third.authentication_result().unwrap();
    c.global_sign_out()
        .access_token(third.access_token().unwrap())
        .send()
        .await
        .unwrap();
    for token in [
        second.refresh_token().unwrap(),
        third.refresh_token().unwrap(),
    ] {
        assert_eq!(
            refresh(c, &f.client_id, token).await.unwrap_err().1,
            "Refresh Token has been revoked"
        );
    }
    let (_, msg) = err(c.get_user().access_token(&refreshed_second).send().await);
    assert_eq!(msg, "Access Token has been revoked");

    // So does AdminUserGlobalSignOut, and disabling the user.
    let fourth = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let fourth = fourth.authentication_result().unwrap();
    c.admin_user_global_sign_out()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    assert_eq!(
        refresh(c, &f.client_id, fourth.refresh_token().unwrap())
            .await
            .unwrap_err()
            .1,
        "Refresh Token has been revoked"
    );
    let fifth = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let fifth = fifth.authentication_result().unwrap();
    c.admin_disable_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let (_, msg) = err(c
        .get_user()
        .access_token(fifth.access_token().unwrap())
        .send()
        .await);
    assert_eq!(msg, "Access Token has been revoked");
    assert_eq!(
        refresh(c, &f.client_id, fifth.refresh_token().unwrap())
            .await
            .unwrap_err()
            .1,
        "Refresh Token has been revoked"
    );

    // Deleting the user ends everything too.
    c.admin_enable_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let sixth = password_sign_in(c, &f.client_id, "alice", PASSWORD)
        .await
        .unwrap();
    let sixth = sixth.authentication_result().unwrap();
    c.admin_delete_user()
        .user_pool_id(&f.pool)
        .username("alice")
        .send()
        .await
        .unwrap();
    let (code, _) = err(c
        .get_user()
        .access_token(sixth.access_token().unwrap())
        .send()
        .await);
    assert_eq!(code, "NotAuthorizedException");
    assert_eq!(
        refresh(c, &f.client_id, sixth.refresh_token().unwrap())
            .await
            .unwrap_err()
            .1,
        "Invalid Refresh Token"
    );
}
