//! USER_SRP_AUTH → PASSWORD_VERIFIER through the official SDK, with an independent SRP client
//! (the aws-cognito-srp crate) computing the client's side as apps do.

mod interop;
mod refusals;
mod sign_in;
mod verifiers;

use aws_cognito_srp::{SrpClient, User};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::error::SdkError;
use aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput;
use aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::{
    RespondToAuthChallengeError, RespondToAuthChallengeOutput,
};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use std::collections::HashMap;

/// Step one for `username`; the SRP client that must answer it.
pub async fn start(
    c: &Client,
    pool: &str,
    client_id: &str,
    secret: Option<&str>,
    username: &str,
    password: &str,
) -> (SrpClient<User>, InitiateAuthOutput) {
    let srp = SrpClient::new(User::new(pool, username, password), client_id, secret);
    let params = srp.get_auth_parameters();
    let mut req = c
        .initiate_auth()
        .client_id(client_id)
        .auth_flow(AuthFlowType::UserSrpAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("SRP_A", &params.a);
    if let Some(hash) = params.secret_hash {
        req = req.auth_parameters("SECRET_HASH", hash);
    }
    let out = req.send().await.expect("PASSWORD_VERIFIER");
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    (srp, out)
}

/// The challenge's parameters.
pub fn challenge(out: &InitiateAuthOutput) -> HashMap<String, String> {
    out.challenge_parameters().cloned().unwrap_or_default()
}

/// Step two's responses, as the SRP client computes them.
pub fn claim(srp: &SrpClient<User>, out: &InitiateAuthOutput) -> HashMap<String, String> {
    let p = challenge(out);
    let v = srp
        .verify(
            &p["SECRET_BLOCK"],
            &p["USER_ID_FOR_SRP"],
            &p["SALT"],
            &p["SRP_B"],
        )
        .expect("the SRP client accepts the challenge");
    let mut responses = HashMap::from([
        ("USERNAME".to_owned(), p["USER_ID_FOR_SRP"].clone()),
        (
            "PASSWORD_CLAIM_SECRET_BLOCK".to_owned(),
            v.password_claim_secret_block,
        ),
        (
            "PASSWORD_CLAIM_SIGNATURE".to_owned(),
            v.password_claim_signature,
        ),
        ("TIMESTAMP".to_owned(), v.timestamp),
    ]);
    if let Some(hash) = v.secret_hash {
        responses.insert("SECRET_HASH".to_owned(), hash);
    }
    responses
}

/// Sends step two.
pub async fn answer(
    c: &Client,
    client_id: &str,
    responses: HashMap<String, String>,
) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
    c.respond_to_auth_challenge()
        .client_id(client_id)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_challenge_responses(Some(responses))
        .send()
        .await
}

/// Both steps.
pub async fn srp_sign_in(
    c: &Client,
    pool: &str,
    client_id: &str,
    secret: Option<&str>,
    username: &str,
    password: &str,
) -> Result<RespondToAuthChallengeOutput, SdkError<RespondToAuthChallengeError>> {
    let (srp, out) = start(c, pool, client_id, secret, username, password).await;
    answer(c, client_id, claim(&srp, &out)).await
}

/// A client allowing SRP (and the password flows the fixture's clients allow).
pub async fn srp_client(t: &crate::fixture::T, pool: &str) -> String {
    use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType as Flow;
    t.app_client_with(pool, |r| r.explicit_auth_flows(Flow::AllowUserSrpAuth))
        .await
}
