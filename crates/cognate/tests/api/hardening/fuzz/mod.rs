//! A bounded fuzz run: a few thousand requests made from the botocore model, over every
//! operation, then mutated (wrong types, missing members, huge and odd strings, malformed
//! JSON), plus random requests to every web endpoint. Nothing may answer a 5xx other than 501
//! (an operation not built yet), and the server must be healthy after. The seed is fixed so a
//! failure repeats; `COGNATE_FUZZ_SEED` and `COGNATE_FUZZ_ROUNDS` change it.

mod generate;
mod web;

use crate::common::{PASSWORD, config, create_user, start_with_config};
use aws_sdk_cognitoidentityprovider::types::{ExplicitAuthFlowsType as Flow, OAuthFlowType};
use cognate::config::Storage;
use generate::Gen;
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde_json::{Value, json};
use web::web_request;

const MODEL: &str = include_str!("../../../../../cognate-api/model/cognito-idp-2016-04-18.json");

/// Real resources, so that many requests get past validation into the domain.
pub(super) struct Known {
    pub(super) pool: String,
    pub(super) arn: String,
    pub(super) client: String,
    pub(super) secret: String,
    pub(super) access_token: String,
    pub(super) refresh_token: String,
}

fn sign(url: &str, target: &str, body: &[u8]) -> Vec<(String, String)> {
    crate::common::sigv4_headers(
        url,
        &[
            ("content-type", "application/x-amz-json-1.1"),
            ("x-amz-target", target),
        ],
        body,
    )
}

async fn known_resources(t: &crate::common::TestServer) -> Known {
    let c = &t.client;
    let pool = crate::common::create_pool(c, "fuzz").await;
    let arn = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .arn
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("fuzz")
        .generate_secret(true)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls("http://localhost:5000/postlogin")
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let (client_id, secret) = (client.client_id.unwrap(), client.client_secret.unwrap());
    create_user(c, &pool, "fuzz-user", &[("email", "fuzz@example.com")]).await;
    let tokens = c
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "fuzz-user")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters(
            "SECRET_HASH",
            crate::common::secret_hash(&secret, "fuzz-user", &client_id),
        )
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    Known {
        pool,
        arn,
        client: client_id,
        secret,
        access_token: tokens.access_token.unwrap(),
        refresh_token: tokens.refresh_token.unwrap(),
    }
}

#[tokio::test]
async fn fuzzed_requests_never_answer_a_server_error() {
    let seed: u64 = std::env::var("COGNATE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261130);
    let rounds: usize = std::env::var("COGNATE_FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let storage = match std::env::var("COGNATE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            Storage::Url(crate::common::fresh_postgres_database(&url).await)
        }
        _ => Storage::InMemory,
    };
    let t = start_with_config(config(storage)).await;
    let url = t.url();
    let known = known_resources(&t).await;
    let model: Value = serde_json::from_str(MODEL).unwrap();
    let shapes = model["shapes"].as_object().unwrap();
    let mut ops: Vec<(String, Option<String>)> = model["operations"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, op)| {
            (
                name.clone(),
                op["input"]["shape"].as_str().map(str::to_owned),
            )
        })
        .collect();
    ops.sort();
    let mut g = Gen {
        shapes,
        rng: StdRng::seed_from_u64(seed),
        known: &known,
        destructive: false,
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let mut failures = Vec::new();
    let mut sent = 0;
    let mut outcomes = std::collections::BTreeMap::new();
    for _ in 0..rounds {
        for (op, input) in &ops {
            g.destructive = matches!(op.as_str(), "DeleteUserPool" | "DeleteUserPoolClient");
            let body = match input {
                Some(shape) => g.value(shape, "", 0),
                None => json!({}),
            };
            let bytes = if g.chance(0.4) {
                g.mutate(body)
            } else {
                body.to_string().into_bytes()
            };
            let target = format!("AWSCognitoIdentityProviderService.{op}");
            let mut req = http
                .post(format!("{url}/"))
                .header("content-type", "application/x-amz-json-1.1")
                .header("x-amz-target", &target);
            if g.chance(0.9) {
                for (n, v) in sign(&url, &target, &bytes) {
                    req = req.header(n, v);
                }
            }
            let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
            let answer = req.body(bytes).send().await;
            let status = answer
                .as_ref()
                .map(|r| r.status().as_u16())
                .map_err(|e| e.to_string());
            if let Ok(r) = &answer {
                let kind = r
                    .headers()
                    .get("x-amzn-errortype")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("ok")
                    .to_owned();
                *outcomes.entry(kind).or_insert(0usize) += 1;
            }
            sent += 1;
            match status {
                Ok(s) if s < 500 || s == 501 => {}
                other => failures.push(format!("{op} -> {other:?}: {shown}")),
            }
        }
        for _ in 0..40 {
            let (what, req) = web_request(&mut g, &http, &url);
            let status = req.send().await.map(|r| r.status().as_u16());
            match status {
                // A header value HTTP cannot carry: the client refuses to send it.
                Err(e) if e.is_builder() => continue,
                Ok(s) if s < 500 => {}
                other => failures.push(format!("{what} -> {other:?}")),
            }
            sent += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {sent} requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let health = http
        .get(format!("{url}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    t.client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("the API still answers");
    eprintln!("fuzz: {sent} requests, seed {seed}, no server errors; API outcomes: {outcomes:?}");
}
