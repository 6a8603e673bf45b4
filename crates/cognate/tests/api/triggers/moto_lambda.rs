//! The Lambda `Invoke` API of a server not written for these tests: moto's (without Docker,
//! moto's Lambda answers an invocation with a queued result, else with the event itself).
//! The function is made there with boto3 (tests/python/moto_lambda.py).

use super::pool_with;
use crate::common::{config, start_with_config};
use crate::fixture::PASSWORD;
use crate::moto::moto_server;
use aws_sdk_cognitoidentityprovider::types::LambdaConfigType;
use cognate::config::Storage;
use std::path::PathBuf;
use std::process::Command;

#[tokio::test]
async fn a_pre_sign_up_runs_through_motos_lambda_invoke_api() {
    let moto = moto_server();
    let base = format!("http://127.0.0.1:{}", moto.1);
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/python/moto_lambda.py");
    let python = std::env::var("COGNATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut command = Command::new(python);
    command.arg(script).arg(&base).arg("pre-sign-up").arg(
        serde_json::json!({"response": {"autoConfirmUser": true, "autoVerifyEmail": false}})
            .to_string(),
    );
    let out = tokio::task::spawn_blocking(move || command.output().expect("python runs"))
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let arn = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert_eq!(
        arn,
        "arn:aws:lambda:us-east-1:123456789012:function:pre-sign-up"
    );

    let mut cfg = config(Storage::InMemory);
    cfg.functions.lambda_endpoint = Some(base);
    cfg.functions.lambda_region = "us-east-1".into();
    let t = start_with_config(cfg).await;
    let (pool, client) = pool_with(&t, LambdaConfigType::builder().pre_sign_up(&arn).build()).await;
    let status = |name: &'static str| {
        let (c, pool) = (t.client.clone(), pool.clone());
        async move {
            c.admin_get_user()
                .user_pool_id(pool)
                .username(name)
                .send()
                .await
                .unwrap()
                .user_status()
                .unwrap()
                .as_str()
                .to_owned()
        }
    };
    for name in ["first", "second"] {
        t.client
            .sign_up()
            .client_id(&client)
            .username(name)
            .password(PASSWORD)
            .send()
            .await
            .unwrap();
    }
    // The queued answer confirmed the first; the echoed event (an empty response) left the
    // second to confirm itself.
    assert_eq!(status("first").await, "CONFIRMED");
    assert_eq!(status("second").await, "UNCONFIRMED");
}
