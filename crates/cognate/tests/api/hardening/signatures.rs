//! The signature covers the operation: `X-Amz-Target` and every other `x-amz-*` header must be
//! signed, so a captured request cannot be replayed as another operation.

use crate::fixture::{TARGET, signed_request, t};

async fn pool_with_user(t: &crate::fixture::T) -> (String, Vec<u8>) {
    let pool = t.pool().await;
    t.user(&pool, "victim", &[]).await;
    let body = serde_json::json!({"UserPoolId": pool, "Username": "victim"})
        .to_string()
        .into_bytes();
    (pool, body)
}

#[tokio::test]
async fn unsigned_target_is_refused_and_cannot_be_swapped() {
    let t = t();
    let (pool, body) = pool_with_user(&t).await;
    // Signed over host and x-amz-date only; the target rides along unsigned.
    let swapped = format!("{TARGET}AdminDisableUser");
    let r = signed_request(
        &t.url,
        body,
        &[("content-type", "application/x-amz-json-1.1")],
        &[("x-amz-target", &swapped)],
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["__type"], "IncompleteSignatureException");
    assert_eq!(
        e["message"],
        "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization."
    );
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username("victim")
        .send()
        .await
        .unwrap();
    assert!(user.enabled(), "the swapped operation must not have run");
}

#[tokio::test]
async fn any_unsigned_amz_header_is_refused() {
    let t = t();
    let (_, body) = pool_with_user(&t).await;
    let target = format!("{TARGET}AdminGetUser");
    let r = signed_request(
        &t.url,
        body,
        &[("x-amz-target", &target)],
        &[("x-amz-security-token", "planted")],
    )
    .await;
    assert_eq!(r.status().as_u16(), 403);
    let e: serde_json::Value = r.json().await.unwrap();
    assert_eq!(e["__type"], "IncompleteSignatureException");
    assert_eq!(
        e["message"],
        "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."
    );
}

#[tokio::test]
async fn signed_target_is_accepted() {
    let t = t();
    let (_, body) = pool_with_user(&t).await;
    let target = format!("{TARGET}AdminGetUser");
    let r = signed_request(
        &t.url,
        body,
        &[
            ("x-amz-target", &target),
            ("content-type", "application/x-amz-json-1.1"),
        ],
        &[],
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
}
