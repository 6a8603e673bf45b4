//! SMS delivered for real: through SNS's `Publish` to an SNS-compatible server (moto's, started
//! here), and through the webhook to a receiver started here.

use crate::common::{attr, config, start_with_config};
use crate::fixture::PASSWORD;
use aws_sdk_cognitoidentityprovider::types::VerifiedAttributeType;
use cognate::config::{SmsConfig, SnsKeys, Storage};
use std::time::{Duration, Instant};

/// A pool that verifies phone numbers, and a client.
async fn phone_pool(c: &aws_sdk_cognitoidentityprovider::Client) -> String {
    let pool = crate::common::create_pool(c, "sms").await;
    c.update_user_pool()
        .user_pool_id(&pool)
        .auto_verified_attributes(VerifiedAttributeType::PhoneNumber)
        .send()
        .await
        .unwrap();
    c.create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap()
}

async fn sign_up_with_phone(
    c: &aws_sdk_cognitoidentityprovider::Client,
    client: &str,
    phone: &str,
) {
    let out = c
        .sign_up()
        .client_id(client)
        .username("texted")
        .password(PASSWORD)
        .user_attributes(attr("phone_number", phone))
        .send()
        .await
        .unwrap();
    let details = out.code_delivery_details().unwrap();
    assert_eq!(details.delivery_medium().unwrap().as_str(), "SMS");
    assert_eq!(details.attribute_name(), Some("phone_number"));
}

#[tokio::test]
async fn codes_are_texted_through_sns_publish() {
    let moto = crate::moto::moto_server();
    let mut cfg = config(Storage::InMemory);
    cfg.sms = Some(SmsConfig::Sns {
        region: "us-east-1".into(),
        endpoint: Some(format!("http://127.0.0.1:{}", moto.1)),
        credentials: Some(SnsKeys {
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
            session_token: None,
        }),
    });
    let t = start_with_config(cfg).await;
    let client = phone_pool(&t.client).await;
    sign_up_with_phone(&t.client, &client, "+15555550142").await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let sms = loop {
        let data: serde_json::Value =
            reqwest::get(format!("http://127.0.0.1:{}/moto-api/data.json", moto.1))
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
        if let Some(m) = data["sns"]["SMS"].as_array().and_then(|l| l.first()) {
            break m.clone();
        }
        assert!(Instant::now() < deadline, "no SMS reached SNS");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(sms["phone_number"], "+15555550142");
    let body = sms["message"].as_str().unwrap();
    assert!(body.starts_with("Your verification code is "), "{body}");
    let code: String = body.chars().filter(char::is_ascii_digit).collect();
    t.client
        .confirm_sign_up()
        .client_id(&client)
        .username("texted")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
}

#[tokio::test]
async fn codes_are_posted_to_the_sms_webhook() {
    // A receiver that fails the first delivery (retried) and keeps the second.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let tries = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let app = axum::Router::new().route(
        "/sms",
        axum::routing::post(move |axum::Json(body): axum::Json<serde_json::Value>| {
            let tx = tx.clone();
            let tries = tries.clone();
            async move {
                if tries.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                let _ = tx.send(body);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/sms", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut cfg = config(Storage::InMemory);
    cfg.sms = Some(SmsConfig::Webhook(hook));
    let t = start_with_config(cfg).await;
    let client = phone_pool(&t.client).await;
    sign_up_with_phone(&t.client, &client, "+15555550143").await;
    let posted = tokio::time::timeout(Duration::from_secs(15), rx.recv())
        .await
        .expect("the webhook is called again after a failure")
        .unwrap();
    assert_eq!(posted["to"], "+15555550143");
    assert!(posted["id"].is_string() && posted["poolId"].is_string());
    let code: String = posted["message"]
        .as_str()
        .unwrap()
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    t.client
        .confirm_sign_up()
        .client_id(&client)
        .username("texted")
        .confirmation_code(code)
        .send()
        .await
        .unwrap();
}
