//! Lambda triggers through both invocation paths the tests start themselves: an HTTP webhook
//! server, and a server speaking the Lambda `Invoke` API (`POST
//! /2015-03-31/functions/<name>/invocations`) reached through the official SDK. Each records
//! the events it receives and answers as the test tells it.

mod config;
mod custom_auth;
mod custom_srp;
mod hosted;
mod messages;
mod migration;
mod moto_lambda;
mod senders;
mod sign_up;
mod sources;
mod token_sources;
mod tokens;

use crate::common::{TestServer, config as base_config, start_with_config};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use cognate::config::Storage;
use serde_json::Value;
use std::sync::{Arc, Mutex};

/// What a function does with an event.
#[derive(Clone)]
pub enum Behaviour {
    /// Answers the event with this `response`.
    Respond(Value),
    /// Throws this message.
    Throw(String),
    /// Answers something that is not JSON.
    Garbage,
    /// Answers after this many milliseconds.
    Slow(u64),
    /// Answers the event with a 7 MB `response` (over Lambda's 6 MB limit).
    Huge,
    /// Answers the `response` this computes from the event.
    Script(Arc<dyn Fn(&Value) -> Value + Send + Sync>),
}

/// One function's recorded events and how it answers.
#[derive(Clone)]
pub struct Function {
    pub events: Arc<Mutex<Vec<(Value, HeaderMap, Bytes)>>>,
    behaviour: Arc<Mutex<Behaviour>>,
}

impl Function {
    fn new() -> Self {
        Self {
            events: Arc::default(),
            behaviour: Arc::new(Mutex::new(Behaviour::Respond(Value::Object(
                Default::default(),
            )))),
        }
    }

    pub fn behave(&self, b: Behaviour) {
        *self.behaviour.lock().unwrap() = b;
    }

    pub fn last(&self) -> Value {
        self.events
            .lock()
            .unwrap()
            .last()
            .expect("an event")
            .0
            .clone()
    }

    pub fn count(&self) -> usize {
        self.events.lock().unwrap().len()
    }

    /// Records the event; the body and whether it is a thrown error.
    async fn answer(&self, headers: HeaderMap, body: Bytes) -> (Option<Value>, bool) {
        let event: Value = serde_json::from_slice(&body).expect("the event is JSON");
        self.events
            .lock()
            .unwrap()
            .push((event.clone(), headers, body.clone()));
        let behaviour = self.behaviour.lock().unwrap().clone();
        match behaviour {
            Behaviour::Respond(response) => {
                let mut event = event;
                event["response"] = response;
                (Some(event), false)
            }
            Behaviour::Throw(message) => (
                Some(serde_json::json!({"errorMessage": message, "errorType": "Error"})),
                true,
            ),
            Behaviour::Garbage => (None, false),
            Behaviour::Script(f) => {
                let mut event = event;
                event["response"] = f(&event);
                (Some(event), false)
            }
            Behaviour::Huge => {
                let mut event = event;
                event["response"] = serde_json::json!({"padding": "x".repeat(7 << 20)});
                (Some(event), false)
            }
            Behaviour::Slow(ms) => {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
                let mut event = event;
                event["response"] = Value::Object(Default::default());
                (Some(event), false)
            }
        }
    }
}

async fn webhook(State(f): State<Function>, headers: HeaderMap, body: Bytes) -> Response {
    match f.answer(headers, body).await {
        (Some(v), false) => axum::Json(v).into_response(),
        (Some(v), true) => (StatusCode::BAD_REQUEST, axum::Json(v)).into_response(),
        (None, _) => "not json".into_response(),
    }
}

async fn lambda_invoke(
    State(f): State<Function>,
    Path(_name): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    match f.answer(headers, body).await {
        (Some(v), false) => axum::Json(v).into_response(),
        (Some(v), true) => ([("x-amz-function-error", "Unhandled")], axum::Json(v)).into_response(),
        (None, _) => "not json".into_response(),
    }
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}")
}

pub const WEBHOOK_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:hooked";
pub const LAMBDA_ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:invoked";
pub const SECRET: &str = "webhook-shared-secret";

/// A Cognate whose `hooked` function is a webhook (signed with [`SECRET`]) and every other
/// function goes to a Lambda `Invoke` endpoint; both functions.
pub struct Triggers {
    pub t: TestServer,
    pub hooked: Function,
    pub invoked: Function,
}

pub async fn triggers() -> Triggers {
    triggers_with(|_| {}).await
}

/// [`triggers`], with `adjust` applied to the configuration first.
pub async fn triggers_with(adjust: impl FnOnce(&mut cognate::config::Config)) -> Triggers {
    let hooked = Function::new();
    let invoked = Function::new();
    let hook_url = serve(
        Router::new()
            .route("/hook", post(webhook))
            .with_state(hooked.clone()),
    )
    .await;
    let lambda_url = serve(
        Router::new()
            .route(
                "/2015-03-31/functions/{name}/invocations",
                post(lambda_invoke),
            )
            .with_state(invoked.clone()),
    )
    .await;
    let mut cfg = base_config(Storage::InMemory);
    cfg.functions.lambda_endpoint = Some(lambda_url);
    cfg.functions.lambda_region = "us-east-1".into();
    cfg.functions
        .webhooks
        .insert(WEBHOOK_ARN.into(), format!("{hook_url}/hook"));
    cfg.functions.webhook_secret = Some(SECRET.into());
    adjust(&mut cfg);
    Triggers {
        t: start_with_config(cfg).await,
        hooked,
        invoked,
    }
}

/// A pool whose `LambdaConfig` is `config`, and a client without a secret.
pub async fn pool_with(
    t: &TestServer,
    config: aws_sdk_cognitoidentityprovider::types::LambdaConfigType,
) -> (String, String) {
    let pool = crate::common::create_pool(&t.client, "triggers").await;
    t.client
        .update_user_pool()
        .user_pool_id(&pool)
        .lambda_config(config)
        .send()
        .await
        .expect("LambdaConfig accepted");
    let client = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowUserPasswordAuth,
        )
        .explicit_auth_flows(
            aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType::AllowRefreshTokenAuth,
        )
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    (pool, client)
}
