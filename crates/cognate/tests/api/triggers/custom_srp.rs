//! CUSTOM_AUTH that proves the password first with SRP (AWS developer guide "Define auth
//! challenge Lambda trigger", its SRP_A → PASSWORD_VERIFIER → CUSTOM_CHALLENGE example): the
//! client starts with SRP_A, Define asks for PASSWORD_VERIFIER, the claim (computed by the
//! independent aws-cognito-srp crate) is checked, then a question, then tokens.

use super::triggers;
use crate::assert_cognito_err;
use crate::common::create_user;
use crate::fixture::PASSWORD;
use aws_cognito_srp::{SrpClient, User};
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use serde_json::{Value, json};
use std::collections::HashMap;

/// Define: SRP_A → PASSWORD_VERIFIER → one CUSTOM_CHALLENGE → tokens; any failed round fails.
fn password_then_question(event: &Value) -> Value {
    let rounds = event["request"]["session"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    match event["triggerSource"].as_str().unwrap() {
        "DefineAuthChallenge_Authentication" => {
            let last = rounds.last().cloned().unwrap_or(Value::Null);
            if rounds.iter().any(|r| r["challengeResult"] == false) {
                json!({"failAuthentication": true, "issueTokens": false})
            } else if last["challengeName"] == "SRP_A" {
                json!({"challengeName": "PASSWORD_VERIFIER", "issueTokens": false, "failAuthentication": false})
            } else if last["challengeName"] == "PASSWORD_VERIFIER" {
                json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false})
            } else {
                json!({"issueTokens": true, "failAuthentication": false})
            }
        }
        "CreateAuthChallenge_Authentication" => json!({
            "publicChallengeParameters": {"question": "Favourite colour?"},
            "privateChallengeParameters": {"answer": "blue"}
        }),
        "VerifyAuthChallengeResponse_Authentication" => json!({
            "answerCorrect": event["request"]["challengeAnswer"] == "blue"
        }),
        other => panic!("unexpected trigger {other}"),
    }
}

async fn srp_custom_pool(tr: &super::Triggers) -> (String, String) {
    super::custom_auth::custom_pool(tr, false, password_then_question).await
}

/// InitiateAuth CUSTOM_AUTH with SRP_A, as amazon-cognito-identity-js sends it; the SRP
/// client, the PASSWORD_VERIFIER parameters and the Session.
async fn start_with_srp(
    tr: &super::Triggers,
    pool: &str,
    client: &str,
    name: &str,
    password: &str,
) -> (SrpClient<User>, HashMap<String, String>, String) {
    let srp = SrpClient::new(User::new(pool, name, password), client, None);
    let out =
        tr.t.client
            .initiate_auth()
            .client_id(client)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", name)
            .auth_parameters("SRP_A", srp.get_auth_parameters().a)
            .auth_parameters("CHALLENGE_NAME", "SRP_A")
            .send()
            .await
            .unwrap();
    assert_eq!(
        out.challenge_name(),
        Some(&ChallengeNameType::PasswordVerifier)
    );
    let params = out.challenge_parameters().cloned().unwrap_or_default();
    (srp, params, out.session().expect("a Session").to_owned())
}

async fn claim(
    tr: &super::Triggers,
    client: &str,
    srp: &SrpClient<User>,
    p: &HashMap<String, String>,
    session: Option<&str>,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError,
    >,
>{
    let v = srp
        .verify(
            &p["SECRET_BLOCK"],
            &p["USER_ID_FOR_SRP"],
            &p["SALT"],
            &p["SRP_B"],
        )
        .unwrap();
    tr.t.client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::PasswordVerifier)
        .set_session(session.map(str::to_owned))
        .challenge_responses("USERNAME", &p["USER_ID_FOR_SRP"])
        .challenge_responses("PASSWORD_CLAIM_SECRET_BLOCK", v.password_claim_secret_block)
        .challenge_responses("PASSWORD_CLAIM_SIGNATURE", v.password_claim_signature)
        .challenge_responses("TIMESTAMP", v.timestamp)
        .send()
        .await
}

#[tokio::test]
async fn the_password_by_srp_then_a_question_signs_in() {
    let tr = triggers().await;
    let (pool, client) = srp_custom_pool(&tr).await;
    create_user(&tr.t.client, &pool, "sam", &[]).await;
    let (srp, params, session) = start_with_srp(&tr, &pool, &client, "sam", PASSWORD).await;
    let define = tr.hooked.last();
    assert_eq!(
        define["triggerSource"],
        "DefineAuthChallenge_Authentication"
    );
    assert_eq!(
        define["request"]["session"],
        json!([{"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null}])
    );
    assert_eq!(params["USER_ID_FOR_SRP"], "sam");

    let question = claim(&tr, &client, &srp, &params, Some(&session))
        .await
        .unwrap();
    assert_eq!(
        question.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert_eq!(
        question.challenge_parameters().unwrap()["question"],
        "Favourite colour?"
    );
    let create = tr.hooked.last();
    assert_eq!(
        create["triggerSource"],
        "CreateAuthChallenge_Authentication"
    );
    assert_eq!(
        create["request"]["session"][1]["challengeName"],
        "PASSWORD_VERIFIER"
    );
    assert_eq!(create["request"]["session"][1]["challengeResult"], true);

    // The password step answers once (its secret block is spent), as in USER_SRP_AUTH.
    assert_cognito_err!(
        claim(&tr, &client, &srp, &params, Some(&session)).await,
        NotAuthorizedException,
        "Incorrect username or password."
    );

    let done =
        tr.t.client
            .respond_to_auth_challenge()
            .client_id(&client)
            .challenge_name(ChallengeNameType::CustomChallenge)
            .session(question.session().unwrap())
            .challenge_responses("USERNAME", "sam")
            .challenge_responses("ANSWER", "blue")
            .send()
            .await
            .unwrap();
    assert!(done.authentication_result().unwrap().id_token().is_some());
}

#[tokio::test]
async fn the_password_step_cannot_be_answered_outside_its_flow() {
    let tr = triggers().await;
    let (pool, client) = srp_custom_pool(&tr).await;
    create_user(&tr.t.client, &pool, "una", &[]).await;
    let (srp, params, _) = start_with_srp(&tr, &pool, &client, "una", PASSWORD).await;
    // Without the Session, the right claim would skip the question: refused (the client does
    // not even allow USER_SRP_AUTH).
    assert_cognito_err!(
        claim(&tr, &client, &srp, &params, None).await,
        InvalidParameterException,
        "Auth flow not enabled for this client"
    );
    // Another sign-in's Session does not fit this block.
    let (_, _, other_session) = start_with_srp(&tr, &pool, &client, "una", PASSWORD).await;
    assert_cognito_err!(
        claim(&tr, &client, &srp, &params, Some(&other_session)).await,
        NotAuthorizedException,
        "Incorrect username or password."
    );
}

#[tokio::test]
async fn a_wrong_password_fails_before_any_question_and_counts_toward_lockout() {
    let tr = triggers().await;
    let (pool, client) = srp_custom_pool(&tr).await;
    create_user(&tr.t.client, &pool, "tom", &[]).await;
    for _ in 0..5 {
        let (srp, params, session) =
            start_with_srp(&tr, &pool, &client, "tom", "Wrong-Passw0rd!").await;
        let before = tr.hooked.count();
        assert_cognito_err!(
            claim(&tr, &client, &srp, &params, Some(&session)).await,
            NotAuthorizedException,
            "Incorrect username or password."
        );
        assert_eq!(
            tr.hooked.count(),
            before,
            "no question after a wrong password"
        );
    }
    let (srp, params, session) = start_with_srp(&tr, &pool, &client, "tom", PASSWORD).await;
    assert_cognito_err!(
        claim(&tr, &client, &srp, &params, Some(&session)).await,
        NotAuthorizedException,
        "Password attempts exceeded"
    );

    // A bad SRP_A is refused before any function runs.
    let r =
        tr.t.client
            .initiate_auth()
            .client_id(&client)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "tom")
            .auth_parameters("SRP_A", "0")
            .send()
            .await;
    assert_cognito_err!(r, InvalidParameterException, "Invalid SRP_A value.");
}
