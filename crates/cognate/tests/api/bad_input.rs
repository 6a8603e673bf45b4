//! Bad input gets a clear 4xx in Cognito's error format and changes nothing.

use crate::common::*;

/// Sends a body signed correctly, so the request reaches parsing and validation.
async fn signed_raw(url: &str, target: &str, body: Vec<u8>) -> (u16, serde_json::Value) {
    let signature = sigv4_headers(
        url,
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target),
        ],
        &body,
    );
    let mut req = reqwest::Client::new()
        .post(format!("{url}/"))
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amz-target", target)
        .body(body);
    for (name, value) in signature {
        req = req.header(name, value);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text)),
    )
}

const P: &str = "AWSCognitoIdentityProviderService.";

#[tokio::test]
async fn malformed_wrong_types_oversized_unknown() {
    let t = start().await;
    let url = t.url();
    let pool = create_pool(&t.client, "intact").await;

    let (status, body) = signed_raw(
        &url,
        &format!("{P}CreateUserPool"),
        b"{\"PoolName\": ".to_vec(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "SerializationException");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .starts_with("Malformed JSON request body"),
        "{body}"
    );

    let (status, body) = signed_raw(&url, &format!("{P}CreateUserPool"), b"[1,2]".to_vec()).await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("SerializationException"))
    );

    let (status, body) = signed_raw(
        &url,
        &format!("{P}CreateUserPool"),
        br#"{"PoolName": 42}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["__type"], "InvalidParameterException");
    assert_eq!(
        body["message"],
        "1 validation error detected: Value at 'poolName' failed to satisfy constraint: Member must be a string"
    );

    let (status, body) = signed_raw(
        &url,
        &format!("{P}AdminCreateUser"),
        format!(r#"{{"UserPoolId":"{pool}","Username":"x","UserAttributes":{{"email":"a"}}}}"#)
            .into_bytes(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "1 validation error detected: Value at 'userAttributes' failed to satisfy constraint: Member must be a list"
    );

    let (status, body) = signed_raw(
        &url,
        &format!("{P}ListUserPools"),
        br#"{"MaxResults": 0, "NextToken": ""}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(
        body["message"],
        "3 validation errors detected: Value '0' at 'maxResults' failed to satisfy constraint: Member must have value greater than or equal to 1; Value '' at 'nextToken' failed to satisfy constraint: Member must have length greater than or equal to 1; Value '' at 'nextToken' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\S]+"
    );

    let huge = format!(r#"{{"PoolName":"{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let (status, body) = signed_raw(&url, &format!("{P}CreateUserPool"), huge.into_bytes()).await;
    assert_eq!(status, 413);
    assert_eq!(body["__type"], "RequestEntityTooLargeException");

    let (status, body) = signed_raw(&url, &format!("{P}FlyToTheMoon"), b"{}".to_vec()).await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );
    let (status, body) = signed_raw(&url, "SomethingElse.ListUserPools", b"{}".to_vec()).await;
    assert_eq!(
        (status, body["__type"].as_str()),
        (400, Some("UnknownOperationException"))
    );

    // An operation of the model that is not built yet says so, and never pretends.
    let (status, body) = signed_raw(
        &url,
        &format!("{P}GetCSVHeader"),
        br#"{"UserPoolId":"us-east-1_Example01"}"#.to_vec(),
    )
    .await;
    assert_eq!(status, 501);
    assert_eq!(body["__type"], "NotImplementedException");
    assert_eq!(
        body["message"],
        "Operation GetCSVHeader is not implemented by Cognate yet."
    );

    // Nothing above changed the store.
    let pools = t
        .client
        .list_user_pools()
        .max_results(60)
        .send()
        .await
        .unwrap();
    assert_eq!(pools.user_pools().len(), 1);
    assert_eq!(pools.user_pools()[0].id(), Some(pool.as_str()));
}

#[tokio::test]
async fn cors_preflight() {
    let t = start().await;
    let resp = reqwest::Client::new()
        .request(reqwest::Method::OPTIONS, format!("{}/", t.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    assert!(
        resp.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("x-amz-target")
    );
}
