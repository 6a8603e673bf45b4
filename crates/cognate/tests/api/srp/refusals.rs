//! What SRP refuses, with Cognito's errors: wrong passwords (counted toward lockout), forged
//! or replayed claims, timestamps out of form or out of time, bad SRP_A, disabled flows,
//! unknown and unconfirmed users.

use super::{answer, challenge, claim, srp_client, srp_sign_in, start};
use crate::assert_cognito_err;
use crate::fixture::{PASSWORD, t};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, PreventUserExistenceErrorTypes};

const INCORRECT: &str = "Incorrect username or password.";

#[tokio::test]
async fn a_wrong_password_is_refused_and_counts_toward_lockout() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "mallory", &[]).await;
    for _ in 0..5 {
        let r = srp_sign_in(&t.client, &pool, &client, None, "mallory", "Wrong-Pass-1").await;
        assert_cognito_err!(r, NotAuthorizedException, INCORRECT);
    }
    let r = srp_sign_in(&t.client, &pool, &client, None, "mallory", PASSWORD).await;
    assert_cognito_err!(r, NotAuthorizedException, "Password attempts exceeded");
}

#[tokio::test]
async fn a_tampered_signature_is_refused() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "trent", &[]).await;
    let (srp, out) = start(&t.client, &pool, &client, None, "trent", PASSWORD).await;
    let mut responses = claim(&srp, &out);
    let sig = responses.get_mut("PASSWORD_CLAIM_SIGNATURE").unwrap();
    let flipped = if sig.starts_with('A') { "B" } else { "A" };
    sig.replace_range(0..1, flipped);
    assert_cognito_err!(
        answer(&t.client, &client, responses).await,
        NotAuthorizedException,
        INCORRECT
    );
}

#[tokio::test]
async fn a_secret_block_answers_once() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "peggy", &[]).await;
    let (srp, out) = start(&t.client, &pool, &client, None, "peggy", PASSWORD).await;
    let responses = claim(&srp, &out);
    assert!(answer(&t.client, &client, responses.clone()).await.is_ok());
    assert_cognito_err!(
        answer(&t.client, &client, responses).await,
        NotAuthorizedException,
        INCORRECT
    );
}

#[tokio::test]
async fn a_forged_secret_block_is_refused() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "oscar", &[]).await;
    let (srp, out) = start(&t.client, &pool, &client, None, "oscar", PASSWORD).await;
    let mut responses = claim(&srp, &out);
    responses.insert(
        "PASSWORD_CLAIM_SECRET_BLOCK".into(),
        "bm90IGEgYmxvY2s=".into(),
    );
    assert_cognito_err!(
        answer(&t.client, &client, responses.clone()).await,
        NotAuthorizedException,
        INCORRECT
    );
    responses.insert(
        "PASSWORD_CLAIM_SECRET_BLOCK".into(),
        "%%% not base64".into(),
    );
    assert_cognito_err!(
        answer(&t.client, &client, responses).await,
        NotAuthorizedException,
        INCORRECT
    );
}

#[tokio::test]
async fn a_timestamp_out_of_form_is_an_invalid_parameter() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "victor", &[]).await;
    let (srp, out) = start(&t.client, &pool, &client, None, "victor", PASSWORD).await;
    let mut responses = claim(&srp, &out);
    responses.insert("TIMESTAMP".into(), "2026-11-30T12:00:00Z".into());
    assert_cognito_err!(
        answer(&t.client, &client, responses).await,
        InvalidParameterException,
        "TIMESTAMP format should be EEE MMM d HH:mm:ss z yyyy in english."
    );
}

/// Cognito reads the claim's time and checks the signature over its own rendering of it, so a
/// client that signs a padded day or a wrong weekday fails as a wrong password would. The SRP
/// client here signs Cognito's rendering; sending the same instant written otherwise (another
/// weekday, and a padded day when the day has one digit) must therefore still sign in.
#[tokio::test]
async fn the_signature_covers_cognitos_rendering_not_the_text_sent() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "walter", &[]).await;
    let (srp, out) = start(&t.client, &pool, &client, None, "walter", PASSWORD).await;
    let mut responses = claim(&srp, &out);
    let signed = responses["TIMESTAMP"].clone();
    let parts: Vec<&str> = signed.split(' ').collect();
    let other_weekday = if parts[0] == "Mon" { "Tue" } else { "Mon" };
    let sent = format!(
        "{other_weekday} {} {:0>2} {} {} {}",
        parts[1], parts[2], parts[3], parts[4], parts[5]
    );
    assert_ne!(sent, signed);
    responses.insert("TIMESTAMP".into(), sent);
    let out = answer(&t.client, &client, responses)
        .await
        .expect("the signature over Cognito's rendering proves the password");
    assert!(out.authentication_result().is_some());
}

#[tokio::test]
async fn srp_a_of_zero_or_n_or_not_hex_is_refused() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "eve", &[]).await;
    let n = concat!(
        "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD",
        "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
        "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
        "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
        "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
        "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
        "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
        "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
    );
    for a in ["0", "000", n, "zz", &"f".repeat(2000)] {
        let r = t
            .client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::UserSrpAuth)
            .auth_parameters("USERNAME", "eve")
            .auth_parameters("SRP_A", a)
            .send()
            .await;
        assert_cognito_err!(r, InvalidParameterException, "Invalid SRP_A value.");
    }
    let r = t
        .client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "eve")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Missing required parameter SRP_A"
    );
}

#[tokio::test]
async fn a_client_without_the_flow_is_refused() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    let r = t
        .client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "nobody")
        .auth_parameters("SRP_A", "02")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Auth flow not enabled for this client"
    );
}

#[tokio::test]
async fn an_unknown_user_is_not_found_unless_the_client_hides_it() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    let r = t
        .client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "ghost")
        .auth_parameters("SRP_A", "02")
        .send()
        .await;
    assert_cognito_err!(r, UserNotFoundException, "User does not exist.");
}

#[tokio::test]
async fn a_hidden_unknown_user_gets_a_stable_challenge_then_a_wrong_password() {
    let t = t();
    let pool = t.pool().await;
    let client = t
        .app_client_with(&pool, |r| {
            r.explicit_auth_flows(
                aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserSrpAuth,
            )
            .prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled)
        })
        .await;
    let (srp, first) = start(&t.client, &pool, &client, None, "ghost", PASSWORD).await;
    let (_, second) = start(&t.client, &pool, &client, None, "ghost", PASSWORD).await;
    let (a, b) = (challenge(&first), challenge(&second));
    assert_eq!(a["SALT"], b["SALT"], "the same salt for the same name");
    assert_eq!(a["USER_ID_FOR_SRP"], b["USER_ID_FOR_SRP"]);
    assert!(uuid::Uuid::parse_str(&a["USER_ID_FOR_SRP"]).is_ok());
    assert_ne!(a["SRP_B"], b["SRP_B"]);
    let (_, other) = start(&t.client, &pool, &client, None, "phantom", PASSWORD).await;
    assert_ne!(challenge(&other)["SALT"], a["SALT"]);
    assert_cognito_err!(
        answer(&t.client, &client, claim(&srp, &first)).await,
        NotAuthorizedException,
        INCORRECT
    );
}

#[tokio::test]
async fn an_unconfirmed_user_is_refused_at_the_first_step() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.client
        .sign_up()
        .client_id(&client)
        .username("newbie")
        .password(PASSWORD)
        .send()
        .await
        .unwrap();
    let r = t
        .client
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", "newbie")
        .auth_parameters("SRP_A", "02")
        .send()
        .await;
    assert_cognito_err!(r, UserNotConfirmedException, "User is not confirmed.");
}

#[tokio::test]
async fn a_disabled_user_is_told_so_after_the_proof() {
    let t = t();
    let pool = t.pool().await;
    let client = srp_client(&t, &pool).await;
    t.user(&pool, "dormant", &[]).await;
    t.client
        .admin_disable_user()
        .user_pool_id(&pool)
        .username("dormant")
        .send()
        .await
        .unwrap();
    let r = srp_sign_in(&t.client, &pool, &client, None, "dormant", PASSWORD).await;
    assert_cognito_err!(r, NotAuthorizedException, "User is disabled.");
    let r = srp_sign_in(&t.client, &pool, &client, None, "dormant", "Wrong-Pass-1").await;
    assert_cognito_err!(r, NotAuthorizedException, INCORRECT);
}
