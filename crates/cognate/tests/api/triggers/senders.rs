//! CustomEmailSender and CustomSMSSender: the function gets the code encrypted with the AWS
//! Encryption SDK under a KMS key of moto's KMS (started here), and decrypts it as a sender
//! written for Cognito does — with the AWS Encryption SDK for Python (tests/python/
//! esdk_decrypt.py), not with Cognate's code. The decrypted codes then work: they confirm
//! the sign-up and sign the invited user in.

use super::{Behaviour, Function, LAMBDA_ARN, Triggers, WEBHOOK_ARN, triggers, triggers_with};
use crate::assert_cognito_err;
use crate::common::attr;
use crate::fixture::PASSWORD;
use crate::moto::{Moto, moto_server};
use aws_sdk_cognitoidentityprovider::types::{
    AuthFlowType, ChallengeNameType, CustomEmailLambdaVersionConfigType,
    CustomEmailSenderLambdaVersionType, CustomSmsLambdaVersionConfigType,
    CustomSmsSenderLambdaVersionType, DeliveryMediumType, ExplicitAuthFlowsType, LambdaConfigType,
    VerifiedAttributeType,
};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// Reaches the Lambda `Invoke` endpoint like the SMS sender: proves it is never called.
const MESSAGES_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:messages";
const ALGORITHM: &str = "AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384";

/// Cognate with moto's KMS as its KMS endpoint; a key there.
async fn with_kms() -> (Triggers, Moto, String) {
    let moto = moto_server();
    let endpoint = format!("http://127.0.0.1:{}", moto.1);
    let kms = aws_sdk_kms::Client::from_conf(
        aws_sdk_kms::Config::builder()
            .behavior_version(aws_sdk_kms::config::BehaviorVersion::latest())
            .region(aws_sdk_kms::config::Region::new("us-east-1"))
            .endpoint_url(&endpoint)
            .credentials_provider(aws_sdk_kms::config::Credentials::new(
                "testing", "testing", None, None, "test",
            ))
            .build(),
    );
    let key = kms
        .create_key()
        .description("Cognate custom senders")
        .send()
        .await
        .expect("moto creates a KMS key")
        .key_metadata
        .unwrap()
        .arn
        .unwrap();
    let tr = triggers_with(|cfg| cfg.kms.endpoint = Some(endpoint)).await;
    (tr, moto, key)
}

fn senders(key: Option<&str>) -> LambdaConfigType {
    LambdaConfigType::builder()
        .custom_email_sender(
            CustomEmailLambdaVersionConfigType::builder()
                .lambda_version(CustomEmailSenderLambdaVersionType::V10)
                .lambda_arn(WEBHOOK_ARN)
                .build()
                .unwrap(),
        )
        .custom_sms_sender(
            CustomSmsLambdaVersionConfigType::builder()
                .lambda_version(CustomSmsSenderLambdaVersionType::V10)
                .lambda_arn(LAMBDA_ARN)
                .build()
                .unwrap(),
        )
        .custom_message(MESSAGES_ARN)
        .set_kms_key_id(key.map(str::to_owned))
        .build()
}

/// A pool that verifies email addresses, with both senders; a client.
async fn sender_pool(tr: &Triggers, key: &str) -> (String, String) {
    let c = &tr.t.client;
    let pool = crate::common::create_pool(c, "senders").await;
    c.update_user_pool()
        .user_pool_id(&pool)
        .auto_verified_attributes(VerifiedAttributeType::Email)
        .lambda_config(senders(Some(key)))
        .send()
        .await
        .expect("custom senders with a KMS key are accepted");
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    (pool, client)
}

/// Waits until `f` has received `n` events.
async fn received(f: &Function, n: usize) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while f.count() < n {
        assert!(
            Instant::now() < deadline,
            "{} of {n} events arrived",
            f.count()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The codes, decrypted by the AWS Encryption SDK for Python with moto's KMS.
async fn decrypt(moto: &Moto, key: &str, codes: &[&str]) -> Vec<Value> {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/esdk_decrypt.py");
    let python = std::env::var("COGNATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut command = Command::new(python);
    command
        .arg(script)
        .arg(key)
        .args(codes)
        .env(
            "AWS_ENDPOINT_URL_KMS",
            format!("http://127.0.0.1:{}", moto.1),
        )
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_DEFAULT_REGION", "us-east-1");
    let out = tokio::task::spawn_blocking(move || {
        command
            .output()
            .expect("python runs (pip install aws-encryption-sdk; scripts/test.sh does)")
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "the Encryption SDK refused the codes:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// On a multi-threaded runtime, as `cognate serve` runs: the Encryption SDK then blocks in
/// place on the runtime (on a current-thread one it runs a runtime of its own).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn codes_reach_the_senders_encrypted_for_the_pool_and_work_once_decrypted() {
    let (tr, moto, key) = with_kms().await;
    let (pool, client) = sender_pool(&tr, &key).await;
    let c = &tr.t.client;

    // Kept and returned exactly.
    let described = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    let config = described.user_pool().unwrap().lambda_config().unwrap();
    assert_eq!(config.kms_key_id(), Some(key.as_str()));
    assert_eq!(
        config.custom_email_sender().unwrap().lambda_arn(),
        WEBHOOK_ARN
    );
    assert_eq!(
        config.custom_sms_sender().unwrap().lambda_version(),
        &CustomSmsSenderLambdaVersionType::V10
    );

    // Sign-up: its code goes to the email sender (the webhook).
    let out = c
        .sign_up()
        .client_id(&client)
        .username("ada")
        .password(PASSWORD)
        .user_attributes(attr("email", "ada@senders.test"))
        .client_metadata("campaign", "winter")
        .send()
        .await
        .unwrap();
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.destination(), Some("a***@s***.test"));
    received(&tr.hooked, 1).await;
    let event = tr.hooked.last();
    let code = event["request"]["code"].as_str().unwrap().to_owned();
    let sub = out.user_sub().to_owned();
    assert_eq!(
        event,
        json!({
            "version": "1",
            "triggerSource": "CustomEmailSender_SignUp",
            "region": "us-east-1",
            "userPoolId": pool,
            "userName": "ada",
            "callerContext": {"awsSdkVersion": "aws-sdk-unknown-unknown", "clientId": client},
            "request": {
                "type": "customEmailSenderRequestV1",
                "code": code,
                "clientMetadata": {"campaign": "winter"},
                "userAttributes": {
                    "sub": sub,
                    "email": "ada@senders.test",
                    "cognito:user_status": "UNCONFIRMED"
                }
            },
            "response": {}
        })
    );

    // An invitation by SMS: the temporary password goes to the SMS sender (the Invoke API).
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("grace")
        .user_attributes(attr("phone_number", "+15555550177"))
        .desired_delivery_mediums(DeliveryMediumType::Sms)
        .send()
        .await
        .unwrap();
    received(&tr.invoked, 1).await;
    let invitation = tr.invoked.last();
    assert_eq!(
        invitation["triggerSource"],
        "CustomSMSSender_AdminCreateUser"
    );
    assert_eq!(invitation["request"]["type"], "customSMSSenderRequestV1");
    assert_eq!(invitation["userName"], "grace");
    assert_eq!(
        invitation["callerContext"]["clientId"],
        "CLIENT_ID_NOT_APPLICABLE"
    );
    assert_eq!(
        invitation["request"]["userAttributes"]["phone_number"],
        "+15555550177"
    );
    let password_code = invitation["request"]["code"].as_str().unwrap().to_owned();
    for secret in [&code, &password_code] {
        assert!(!secret.is_empty() && secret.len() > 100, "{secret}");
    }

    let opened = decrypt(&moto, &key, &[&code, &password_code]).await;
    for o in &opened {
        assert_eq!(o["algorithm"], ALGORITHM);
        assert_eq!(o["context"]["userpool-id"], pool.as_str());
        assert!(o["context"]["aws-crypto-public-key"].is_string(), "{o}");
    }
    let confirmation = opened[0]["plaintext"].as_str().unwrap();
    assert!(
        confirmation.len() == 6 && confirmation.chars().all(|ch| ch.is_ascii_digit()),
        "{confirmation}"
    );
    c.confirm_sign_up()
        .client_id(&client)
        .username("ada")
        .confirmation_code(confirmation)
        .send()
        .await
        .expect("the decrypted code confirms the sign-up");
    let temporary = opened[1]["plaintext"].as_str().unwrap();
    let signed_in = c
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "grace")
        .auth_parameters("PASSWORD", temporary)
        .send()
        .await
        .expect("the decrypted temporary password signs in");
    assert_eq!(
        signed_in.challenge_name(),
        Some(&ChallengeNameType::NewPasswordRequired)
    );

    // A reset code takes the same way.
    c.forgot_password()
        .client_id(&client)
        .username("ada")
        .send()
        .await
        .unwrap();
    received(&tr.hooked, 2).await;
    let reset = tr.hooked.last();
    assert_eq!(reset["triggerSource"], "CustomEmailSender_ForgotPassword");
    let reset_code = reset["request"]["code"].as_str().unwrap().to_owned();
    let opened = decrypt(&moto, &key, &[&reset_code]).await;
    c.confirm_forgot_password()
        .client_id(&client)
        .username("ada")
        .confirmation_code(opened[0]["plaintext"].as_str().unwrap())
        .password("Another-Passw0rd!")
        .send()
        .await
        .expect("the decrypted reset code resets the password");

    // The senders wrote the messages: no CustomMessage ran, nothing waits in the outbox.
    assert_eq!(tr.invoked.count(), 1, "only the SMS sender was invoked");
    let outbox: Value = reqwest::get(format!(
        "{}/_cognate/outbox.json?to=ada@senders.test",
        tr.t.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(outbox.as_array().map(Vec::len), Some(0), "{outbox}");
}

#[tokio::test]
async fn a_sender_that_throws_is_tried_three_times_and_the_sign_up_stands() {
    let (tr, _moto, key) = with_kms().await;
    let (pool, client) = sender_pool(&tr, &key).await;
    tr.hooked
        .behave(Behaviour::Throw("mail provider down".into()));
    tr.t.client
        .sign_up()
        .client_id(&client)
        .username("ada")
        .password(PASSWORD)
        .user_attributes(attr("email", "ada@senders.test"))
        .send()
        .await
        .expect("the API does not wait for the sender");
    // Tries after 0, 1 and 2 s; a fourth would come 4 s after the third.
    received(&tr.hooked, 3).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(tr.hooked.count(), 3);
    let user =
        tr.t.client
            .admin_get_user()
            .user_pool_id(&pool)
            .username("ada")
            .send()
            .await
            .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "UNCONFIRMED");
}

#[tokio::test]
async fn a_sender_needs_a_kms_key_and_a_kms_endpoint() {
    let (tr, _moto, _key) = with_kms().await;
    let pool = crate::common::create_pool(&tr.t.client, "senders").await;
    let r =
        tr.t.client
            .update_user_pool()
            .user_pool_id(&pool)
            .lambda_config(senders(None))
            .send()
            .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "CustomEmailSender requires KMSKeyID: the KMS key that encrypts the codes it is sent."
    );

    let r =
        tr.t.client
            .update_user_pool()
            .user_pool_id(&pool)
            .lambda_config(senders(Some("arn:aws:iam::123456789012:role/not-a-key")))
            .send()
            .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "KMSKeyID arn:aws:iam::123456789012:role/not-a-key is not the ARN of a KMS key."
    );

    // A Cognate without a KMS endpoint cannot encrypt codes for anyone.
    let plain = triggers().await;
    let pool = crate::common::create_pool(&plain.t.client, "senders").await;
    let r = plain
        .t
        .client
        .update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(senders(Some(
            "arn:aws:kms:us-east-1:123456789012:key/2f9b7c4e-4d1a-4f1e-9c39-7a4b0f0e5d11",
        )))
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "CustomEmailSender needs a KMS endpoint to encrypt codes: configure --kms-endpoint."
    );
}

#[tokio::test]
async fn every_message_has_its_senders_source() {
    use aws_sdk_cognitoidentityprovider::types::{
        SmsConfigurationType, SmsMfaConfigType, UserPoolMfaType,
    };
    let (tr, _moto, key) = with_kms().await;
    let (pool, client) = sender_pool(&tr, &key).await;
    let c = &tr.t.client;
    c.sign_up()
        .client_id(&client)
        .username("ada")
        .password(PASSWORD)
        .user_attributes(attr("email", "ada@senders.test"))
        .send()
        .await
        .unwrap();
    c.resend_confirmation_code()
        .client_id(&client)
        .username("ada")
        .send()
        .await
        .unwrap();
    c.admin_confirm_sign_up()
        .user_pool_id(&pool)
        .username("ada")
        .send()
        .await
        .unwrap();
    let signed_in = c
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "ada")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    let access = signed_in
        .authentication_result()
        .unwrap()
        .access_token()
        .unwrap();
    c.update_user_attributes()
        .access_token(access)
        .user_attributes(attr("email", "ada@elsewhere.test"))
        .send()
        .await
        .unwrap();
    c.get_user_attribute_verification_code()
        .access_token(access)
        .attribute_name("email")
        .send()
        .await
        .unwrap();
    c.admin_create_user()
        .user_pool_id(&pool)
        .username("bob")
        .user_attributes(attr("email", "bob@senders.test"))
        .user_attributes(attr("phone_number", "+15555550199"))
        .user_attributes(attr("phone_number_verified", "true"))
        .desired_delivery_mediums(DeliveryMediumType::Email)
        .send()
        .await
        .unwrap();
    c.admin_set_user_password()
        .user_pool_id(&pool)
        .username("bob")
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
    c.set_user_pool_mfa_config()
        .user_pool_id(&pool)
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
    let challenged = c
        .initiate_auth()
        .client_id(&client)
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", "bob")
        .auth_parameters("PASSWORD", PASSWORD)
        .send()
        .await
        .unwrap();
    assert_eq!(
        challenged.challenge_name(),
        Some(&ChallengeNameType::SmsMfa)
    );

    received(&tr.hooked, 5).await;
    received(&tr.invoked, 1).await;
    let mut emails: Vec<String> = tr
        .hooked
        .events
        .lock()
        .unwrap()
        .iter()
        .map(|(e, _, _)| e["triggerSource"].as_str().unwrap().to_owned())
        .collect();
    emails.sort();
    assert_eq!(
        emails,
        [
            "CustomEmailSender_AdminCreateUser",
            "CustomEmailSender_ResendCode",
            "CustomEmailSender_SignUp",
            "CustomEmailSender_UpdateUserAttribute",
            "CustomEmailSender_VerifyUserAttribute",
        ]
    );
    let text = tr.invoked.last();
    assert_eq!(text["triggerSource"], "CustomSMSSender_Authentication");
    assert_eq!(text["userName"], "bob");
}
