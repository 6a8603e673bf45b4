//! Every token check, one rule at a time, on tokens signed with the test keys.

use cognate_axum::{AuthError, Cognito, TokenError};
use http::StatusCode;
use serde_json::{Value, json};

use crate::common::{CLIENT_ID, Mock, SUB, app, get_with_cookie, key_a, key_b, now};

fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

fn token_error(result: Result<cognate_axum::Claims, AuthError>) -> TokenError {
    match result {
        Err(AuthError::Token(error)) => error,
        other => panic!("expected a token error, got {other:?}"),
    }
}

async fn access(cognito: &Cognito, claims: Value) -> TokenError {
    token_error(cognito.verify_access_token(&key_a().sign(&claims)).await)
}

async fn id(cognito: &Cognito, claims: Value) -> TokenError {
    token_error(cognito.verify_id_token(&key_a().sign(&claims), None).await)
}

#[tokio::test]
async fn valid_tokens_verify() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let claims = cognito
        .verify_access_token(&mock.access_token())
        .await
        .unwrap();
    assert_eq!((claims.sub.as_str(), claims.username()), (SUB, "alice"));
    assert_eq!(claims.client_id.as_deref(), Some(CLIENT_ID));
    assert!(claims.has_scope("email"));
    let token = key_a().sign(&mock.state.id_claims(Some("n1")));
    let claims = cognito.verify_id_token(&token, Some("n1")).await.unwrap();
    assert_eq!(claims.email(), Some("alice@example.com"));
    assert_eq!(claims.aud, [CLIENT_ID]);
    assert_eq!(claims.extra["email_verified"], json!(true));
}

#[tokio::test]
async fn wrong_issuer_is_refused() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let other = json!({"iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"});
    let access_claims = with(mock.state.access_claims(), other.clone());
    assert_eq!(
        access(&cognito, access_claims).await,
        TokenError::WrongIssuer
    );
    assert_eq!(
        id(&cognito, with(mock.state.id_claims(None), other)).await,
        TokenError::WrongIssuer
    );
    let missing = with(mock.state.access_claims(), json!({"iss": null}));
    assert_eq!(
        access(&cognito, missing).await,
        TokenError::MissingClaim("iss".into())
    );
}

#[tokio::test]
async fn wrong_audience_is_refused() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let claims = with(mock.state.id_claims(None), json!({"aud": "someoneelse"}));
    assert_eq!(id(&cognito, claims).await, TokenError::WrongAudience);
    let claims = with(mock.state.id_claims(None), json!({"aud": null}));
    assert_eq!(
        id(&cognito, claims).await,
        TokenError::MissingClaim("aud".into())
    );
}

#[tokio::test]
async fn exp_is_required_and_checked() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let missing = json!({"exp": null});
    let claims = with(mock.state.access_claims(), missing.clone());
    assert_eq!(
        access(&cognito, claims).await,
        TokenError::MissingClaim("exp".into())
    );
    let claims = with(mock.state.id_claims(None), missing);
    assert_eq!(
        id(&cognito, claims).await,
        TokenError::MissingClaim("exp".into())
    );
    let expired = json!({"exp": now() - 30, "iat": now() - 3630});
    let claims = with(mock.state.access_claims(), expired.clone());
    assert_eq!(access(&cognito, claims).await, TokenError::Expired);
    let claims = with(mock.state.id_claims(None), expired.clone());
    assert_eq!(id(&cognito, claims).await, TokenError::Expired);

    // The leeway admits a token that expired moments ago.
    let mut config = mock.config();
    config.expiration_leeway = std::time::Duration::from_secs(60);
    let lenient = Cognito::new(config).unwrap();
    let token = key_a().sign(&with(mock.state.access_claims(), expired));
    lenient.verify_access_token(&token).await.unwrap();
}

#[tokio::test]
async fn iat_is_required_and_not_in_the_future() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let claims = with(mock.state.access_claims(), json!({"iat": null}));
    assert_eq!(
        access(&cognito, claims).await,
        TokenError::MissingClaim("iat".into())
    );
    let claims = with(mock.state.id_claims(None), json!({"iat": null}));
    assert_eq!(
        id(&cognito, claims).await,
        TokenError::MissingClaim("iat".into())
    );
    let claims = with(mock.state.access_claims(), json!({"iat": now() + 600}));
    assert_eq!(access(&cognito, claims).await, TokenError::IssuedInFuture);
    let claims = with(mock.state.access_claims(), json!({"nbf": now() + 600}));
    assert_eq!(access(&cognito, claims).await, TokenError::NotYetValid);
}

#[tokio::test]
async fn nonce_must_match_the_login() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let token = key_a().sign(&mock.state.id_claims(Some("other-nonce")));
    let result = cognito.verify_id_token(&token, Some("login-nonce")).await;
    assert_eq!(token_error(result), TokenError::WrongNonce);
    let token = key_a().sign(&mock.state.id_claims(None));
    let result = cognito.verify_id_token(&token, Some("login-nonce")).await;
    assert_eq!(token_error(result), TokenError::WrongNonce);
}

#[tokio::test]
async fn token_use_swapped_is_refused() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    // An ID token where an access token belongs (aud is not checked there, client_id is).
    let id_as_access = with(mock.state.id_claims(None), json!({"client_id": CLIENT_ID}));
    assert_eq!(
        access(&cognito, id_as_access).await,
        TokenError::WrongTokenUse {
            expected: "access",
            found: "id".into()
        }
    );
    let access_as_id = with(mock.state.access_claims(), json!({"aud": CLIENT_ID}));
    assert_eq!(
        id(&cognito, access_as_id).await,
        TokenError::WrongTokenUse {
            expected: "id",
            found: "access".into()
        }
    );
    let no_use = with(mock.state.access_claims(), json!({"token_use": null}));
    assert!(matches!(
        access(&cognito, no_use).await,
        TokenError::WrongTokenUse { .. }
    ));
}

#[tokio::test]
async fn access_token_client_id_must_match() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let claims = with(
        mock.state.access_claims(),
        json!({"client_id": "another-client"}),
    );
    assert_eq!(access(&cognito, claims).await, TokenError::WrongClientId);
    let claims = with(mock.state.access_claims(), json!({"client_id": null}));
    assert_eq!(
        access(&cognito, claims).await,
        TokenError::MissingClaim("client_id".into())
    );
}

#[tokio::test]
async fn signature_algorithm_and_kid_are_checked() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let claims = mock.state.access_claims();
    // Signed by key B but claiming key A's kid.
    let forged = key_b().sign_with_header(&json!({"kid": "kid-a", "alg": "RS256"}), &claims);
    let result = cognito.verify_access_token(&forged).await;
    assert_eq!(token_error(result), TokenError::BadSignature);
    let hs256 = key_a().sign_with_header(&json!({"kid": "kid-a", "alg": "HS256"}), &claims);
    let result = cognito.verify_access_token(&hs256).await;
    assert_eq!(token_error(result), TokenError::UnsupportedAlgorithm);
    let no_kid = key_a().sign_with_header(&json!({"alg": "RS256"}), &claims);
    let result = cognito.verify_access_token(&no_kid).await;
    assert_eq!(token_error(result), TokenError::MissingKid);
    let result = cognito.verify_access_token("not-a-jwt").await;
    assert!(matches!(token_error(result), TokenError::Malformed(_)));
}

#[tokio::test]
async fn unknown_kid_is_refused() {
    let mock = Mock::start().await;
    let cognito = mock.cognito();
    let token = key_b().sign(&mock.state.access_claims());
    match cognito.verify_access_token(&token).await {
        Err(AuthError::UnknownKey(kid)) => assert_eq!(kid, "kid-b"),
        other => panic!("expected UnknownKey, got {other:?}"),
    }
}

/// The same rules through the extractor: any failed check is a 401.
#[tokio::test]
async fn extractor_answers_401_to_every_failed_check() {
    let mock = Mock::start().await;
    let app = app(mock.cognito());
    let state = &mock.state;
    let good = mock.access_token();
    let response = get_with_cookie(&app, "/me", &format!("cognito_access_token={good}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bad_tokens = [
        (
            "wrong issuer",
            key_a().sign(&with(state.access_claims(), json!({"iss": "https://x"}))),
        ),
        (
            "missing exp",
            key_a().sign(&with(state.access_claims(), json!({"exp": null}))),
        ),
        (
            "expired",
            key_a().sign(&with(state.access_claims(), json!({"exp": now() - 5}))),
        ),
        (
            "missing iat",
            key_a().sign(&with(state.access_claims(), json!({"iat": null}))),
        ),
        ("id token", key_a().sign(&state.id_claims(None))),
        (
            "client_id",
            key_a().sign(&with(state.access_claims(), json!({"client_id": "x"}))),
        ),
        ("unknown kid", key_b().sign(&state.access_claims())),
        (
            "bad signature",
            key_b().sign_with_header(
                &json!({"kid": "kid-a", "alg": "RS256"}),
                &state.access_claims(),
            ),
        ),
    ];
    for (rule, token) in bad_tokens {
        let response = get_with_cookie(&app, "/me", &format!("cognito_access_token={token}")).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{rule}");
    }
}
