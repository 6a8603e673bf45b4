//! What an operator meets: metrics, health and readiness, the root page, request IDs.

use crate::common::{config, start_with_config};
use crate::fixture::t;
use cognate::config::{Metrics, Storage};

#[tokio::test]
async fn metrics_count_operations_sign_ins_and_tokens() {
    let t = t();
    let pool = t.pool().await;
    let client = t.app_client(&pool).await;
    t.user(&pool, "alice", &[]).await;
    t.sign_in(&client, "alice", crate::fixture::PASSWORD)
        .await
        .unwrap();
    let _ = t.sign_in(&client, "alice", "Wrong-Password-1").await;
    reqwest::get(format!("{}/health", t.url)).await.unwrap();
    let r = reqwest::get(format!("{}/metrics", t.url)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = r.text().await.unwrap();
    for series in [
        "cognate_api_requests_total{operation=\"CreateUserPool\",outcome=\"ok\"}",
        "cognate_api_requests_total{operation=\"InitiateAuth\",outcome=\"NotAuthorizedException\"}",
        "cognate_api_request_duration_seconds_bucket{operation=\"InitiateAuth\"",
        "cognate_sign_ins_total{outcome=\"success\"}",
        "cognate_sign_ins_total{outcome=\"failure\"}",
        "cognate_tokens_issued_total{kind=\"access\"}",
        "cognate_tokens_issued_total{kind=\"refresh\"}",
        "cognate_http_requests_total{route=\"health\",status=\"2xx\"}",
        "cognate_password_hash_queue",
    ] {
        assert!(text.contains(series), "{series} missing from:\n{text}");
    }
}

#[tokio::test]
async fn metrics_can_be_off_or_on_their_own_listener() {
    let mut off = config(Storage::InMemory);
    off.metrics = Metrics::Off;
    let s = start_with_config(off).await;
    let r = reqwest::get(format!("{}/metrics", s.url())).await.unwrap();
    assert_eq!(r.status().as_u16(), 404);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let mut apart = config(Storage::InMemory);
    apart.metrics = Metrics::Listen(port);
    let s = start_with_config(apart).await;
    let r = reqwest::get(format!("{}/metrics", s.url())).await.unwrap();
    assert_eq!(r.status().as_u16(), 404, "not on the main listener");
    let r = reqwest::get(format!("http://{port}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

#[tokio::test]
async fn readiness_checks_the_store_and_liveness_does_not() {
    let t = t();
    for path in ["/health", "/health/live", "/health/ready"] {
        let r = reqwest::get(format!("{}{path}", t.url)).await.unwrap();
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }
    let body: serde_json::Value = reqwest::get(format!("{}/health/ready", t.url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["store"], "ok");
}

#[tokio::test]
async fn root_names_the_service_and_where_to_go() {
    let t = t();
    let r = reqwest::get(format!("{}/", t.url)).await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("Cognate"));
    assert!(html.contains("--endpoint-url"));
    assert!(html.contains("/oauth2/authorize"));
}

#[tokio::test]
async fn every_answer_carries_a_request_id() {
    let t = t();
    for path in ["/", "/oauth2/authorize?client_id=nope", "/health"] {
        let r = reqwest::get(format!("{}{path}", t.url)).await.unwrap();
        let id = r.headers().get("x-amzn-requestid").expect(path);
        assert_eq!(id.len(), 36, "{path}");
    }
}
