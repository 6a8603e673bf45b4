//! CUSTOM_AUTH: DefineAuthChallenge, CreateAuthChallenge and VerifyAuthChallengeResponse over
//! three rounds of questions, a wrong answer, and an unknown name that can never win.

use super::{Behaviour, WEBHOOK_ARN, triggers};
use crate::assert_cognito_err;
use crate::common::create_user;
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, ExplicitAuthFlowsType as Flow, LambdaConfigType,
    PreventUserExistenceErrorTypes,
};
use serde_json::{Value, json};
use std::sync::Arc;

/// One function for the three triggers: three questions "What is 2+N?", tokens after three
/// right answers, failure after a wrong one.
fn quiz(event: &Value) -> Value {
    let rounds = event["request"]["session"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    match event["triggerSource"].as_str().unwrap() {
        "DefineAuthChallenge_Authentication" => {
            if rounds.iter().any(|r| r["challengeResult"] == false) {
                json!({"failAuthentication": true, "issueTokens": false})
            } else if rounds.len() == 3 {
                json!({"failAuthentication": false, "issueTokens": true})
            } else {
                json!({"challengeName": "CUSTOM_CHALLENGE", "issueTokens": false, "failAuthentication": false})
            }
        }
        "CreateAuthChallenge_Authentication" => {
            let n = rounds.len();
            json!({
                "publicChallengeParameters": {"question": format!("What is 2+{n}?")},
                "privateChallengeParameters": {"answer": (2 + n).to_string()},
                "challengeMetadata": format!("ROUND-{n}")
            })
        }
        "VerifyAuthChallengeResponse_Authentication" => json!({
            "answerCorrect": event["request"]["challengeAnswer"]
                == event["request"]["privateChallengeParameters"]["answer"]
        }),
        other => panic!("unexpected trigger {other}"),
    }
}

async fn quiz_pool(tr: &super::Triggers, hide_users: bool) -> (String, String) {
    custom_pool(tr, hide_users, quiz).await
}

/// A pool whose three CUSTOM_AUTH triggers are the webhook, answering with `script`, and a
/// client allowed CUSTOM_AUTH (and, with `hide_users`, PreventUserExistenceErrors).
pub(super) async fn custom_pool(
    tr: &super::Triggers,
    hide_users: bool,
    script: fn(&Value) -> Value,
) -> (String, String) {
    let pool = crate::common::create_pool(&tr.t.client, "custom").await;
    tr.t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(
            LambdaConfigType::builder()
                .define_auth_challenge(WEBHOOK_ARN)
                .create_auth_challenge(WEBHOOK_ARN)
                .verify_auth_challenge_response(WEBHOOK_ARN)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let mut req =
        tr.t.client
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("custom")
            .explicit_auth_flows(Flow::AllowCustomAuth)
            .explicit_auth_flows(Flow::AllowRefreshTokenAuth);
    if hide_users {
        req = req.prevent_user_existence_errors(PreventUserExistenceErrorTypes::Enabled);
    }
    let client = req
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    tr.hooked.behave(Behaviour::Script(Arc::new(script)));
    (pool, client)
}

async fn start(
    tr: &super::Triggers,
    client: &str,
    name: &str,
) -> aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput {
    tr.t.client
        .initiate_auth()
        .client_id(client)
        .auth_flow(AuthFlowType::CustomAuth)
        .auth_parameters("USERNAME", name)
        .send()
        .await
        .unwrap()
}

async fn answer(
    tr: &super::Triggers,
    client: &str,
    name: &str,
    session: &str,
    answer: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::respond_to_auth_challenge::RespondToAuthChallengeError,
    >,
>{
    tr.t.client
        .respond_to_auth_challenge()
        .client_id(client)
        .challenge_name(ChallengeNameType::CustomChallenge)
        .session(session)
        .challenge_responses("USERNAME", name)
        .challenge_responses("ANSWER", answer)
        .send()
        .await
}

#[tokio::test]
async fn three_right_answers_sign_in() {
    let tr = triggers().await;
    let (pool, client) = quiz_pool(&tr, false).await;
    create_user(&tr.t.client, &pool, "ada", &[]).await;
    let first = start(&tr, &client, "ada").await;
    assert_eq!(
        first.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    let params = first.challenge_parameters().unwrap();
    assert_eq!(params["question"], "What is 2+0?");
    assert_eq!(params["USERNAME"], "ada");
    let mut session = first.session().unwrap().to_owned();
    for n in 0..3 {
        let out = answer(&tr, &client, "ada", &session, &(2 + n).to_string())
            .await
            .unwrap();
        if n < 2 {
            assert_eq!(
                out.challenge_name(),
                Some(&ChallengeNameType::CustomChallenge)
            );
            assert_eq!(
                out.challenge_parameters().unwrap()["question"],
                format!("What is 2+{}?", n + 1)
            );
            session = out.session().unwrap().to_owned();
        } else {
            assert!(out.authentication_result().is_some(), "tokens after three");
        }
    }
    // The last Define saw every round, with its result and metadata.
    let defines: Vec<Value> = tr
        .hooked
        .events
        .lock()
        .unwrap()
        .iter()
        .map(|(e, _, _)| e.clone())
        .filter(|e| e["triggerSource"] == "DefineAuthChallenge_Authentication")
        .collect();
    let last = defines.last().unwrap();
    assert_eq!(last["request"]["userNotFound"], false);
    assert_eq!(
        last["request"]["session"],
        json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "ROUND-0"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "ROUND-1"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "ROUND-2"}
        ])
    );
    // Each Session answers once.
    let r = answer(&tr, &client, "ada", &session, "4").await;
    assert_cognito_err!(
        r,
        NotAuthorizedException,
        "Invalid session for the user, session can only be used once."
    );
}

#[tokio::test]
async fn a_wrong_answer_fails_and_a_client_without_the_flow_is_refused() {
    let tr = triggers().await;
    let (pool, client) = quiz_pool(&tr, false).await;
    create_user(&tr.t.client, &pool, "bob", &[]).await;
    let first = start(&tr, &client, "bob").await;
    let r = answer(&tr, &client, "bob", first.session().unwrap(), "5").await;
    assert_cognito_err!(r, NotAuthorizedException, "Incorrect username or password.");

    let other =
        tr.t.client
            .create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("no-custom")
            .explicit_auth_flows(Flow::AllowUserPasswordAuth)
            .send()
            .await
            .unwrap()
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap();
    let r =
        tr.t.client
            .initiate_auth()
            .client_id(&other)
            .auth_flow(AuthFlowType::CustomAuth)
            .auth_parameters("USERNAME", "bob")
            .send()
            .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Auth flow not enabled for this client"
    );
}

#[tokio::test]
async fn an_unknown_name_goes_through_the_rounds_but_never_wins() {
    let tr = triggers().await;
    let (_, client) = quiz_pool(&tr, true).await;
    let first = start(&tr, &client, "ghost").await;
    assert_eq!(
        first.challenge_name(),
        Some(&ChallengeNameType::CustomChallenge)
    );
    assert_eq!(tr.hooked.last()["request"]["userNotFound"], true);
    // Even the right answer is judged wrong for a name with no user.
    let r = answer(&tr, &client, "ghost", first.session().unwrap(), "2").await;
    assert_cognito_err!(r, NotAuthorizedException, "Incorrect username or password.");
}
