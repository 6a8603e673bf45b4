//! The functions behind Lambda triggers, the adapter behind `cognate_core::triggers::Invoker`:
//! a function whose ARN (or name) has a webhook gets the event as `POST <url>` (JSON, with
//! `X-Cognate-Signature: sha256=<hex HMAC-SHA256 of the body>` when a secret is configured)
//! and answers the event; any other function goes through the Lambda `Invoke` API of the
//! configured endpoint (AWS Lambda itself, `sam local start-lambda`, LocalStack), with the
//! official SDK.
//!
//! A webhook that answers non-2xx with `{"errorMessage": ...}` (a Lambda error's shape) has
//! thrown; so has a Lambda invocation with a `FunctionError`.

use async_trait::async_trait;
use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lambda::primitives::Blob;
use cognate_core::triggers::{InvokeError, Invoker, TIMEOUT};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::BTreeMap;

/// Where functions are.
#[derive(Clone, Default)]
pub struct FunctionRoutes {
    /// The Lambda `Invoke` endpoint for functions without a webhook.
    pub lambda_endpoint: Option<String>,
    /// Region and credentials for that endpoint.
    pub lambda_region: String,
    pub credentials: Option<(String, String, Option<String>)>,
    /// Function ARN or name → webhook URL.
    pub webhooks: BTreeMap<String, String>,
    /// Signs webhook bodies when set.
    pub webhook_secret: Option<String>,
}

impl std::fmt::Debug for FunctionRoutes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Credentials and the webhook secret stay out of logs.
        f.debug_struct("FunctionRoutes")
            .field("lambda_endpoint", &self.lambda_endpoint)
            .field("lambda_region", &self.lambda_region)
            .field("webhooks", &self.webhooks)
            .finish_non_exhaustive()
    }
}

pub struct Functions {
    routes: FunctionRoutes,
    http: reqwest::Client,
    lambda: Option<aws_sdk_lambda::Client>,
}

/// The function name in an ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:qualifier]`).
fn function_name(arn: &str) -> &str {
    arn.split(':').nth(6).unwrap_or(arn)
}

impl Functions {
    pub fn new(routes: FunctionRoutes) -> Result<Self, String> {
        for url in routes.webhooks.values() {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(format!(
                    "a trigger webhook must be an http(s) URL, got {url:?}"
                ));
            }
        }
        // No redirects: a body (UserMigration's carries a password) goes only where configured.
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| format!("cannot make the webhook client: {e}"))?;
        let lambda = routes.lambda_endpoint.as_ref().map(|endpoint| {
            let (id, secret, token) = routes
                .credentials
                .clone()
                .unwrap_or_else(|| ("cognate".into(), "cognate".into(), None));
            let config = aws_sdk_lambda::Config::builder()
                .behavior_version(BehaviorVersion::latest())
                .region(Region::new(routes.lambda_region.clone()))
                .endpoint_url(endpoint)
                .credentials_provider(Credentials::new(id, secret, token, None, "cognate"))
                .build();
            aws_sdk_lambda::Client::from_conf(config)
        });
        Ok(Self {
            routes,
            http,
            lambda,
        })
    }

    fn webhook(&self, arn: &str) -> Option<&String> {
        self.routes
            .webhooks
            .get(arn)
            .or_else(|| self.routes.webhooks.get(function_name(arn)))
    }

    async fn post(&self, url: &str, event: &Value) -> Result<Value, InvokeError> {
        let body = serde_json::to_vec(event).map_err(|e| InvokeError::Failed(e.to_string()))?;
        let mut request = self
            .http
            .post(url)
            .header("content-type", "application/json");
        if let Some(secret) = &self.routes.webhook_secret {
            let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
            mac.update(&body);
            let signature = hex::encode(mac.finalize().into_bytes());
            request = request.header("x-cognate-signature", format!("sha256={signature}"));
        }
        let answer = request.body(body).send().await.map_err(|e| {
            if e.is_timeout() {
                InvokeError::Timeout
            } else {
                InvokeError::Failed(format!("webhook: {e}"))
            }
        })?;
        let status = answer.status();
        let text = answer
            .bytes()
            .await
            .map_err(|e| InvokeError::Failed(format!("webhook: {e}")))?;
        let json: Option<Value> = serde_json::from_slice(&text).ok();
        if status.is_success() {
            // Not JSON: the caller refuses it as an unrecognizable answer.
            return Ok(json.unwrap_or(Value::Null));
        }
        match json.as_ref().and_then(thrown) {
            Some(message) => Err(InvokeError::Function(message)),
            None => Err(InvokeError::Failed(format!("webhook answered {status}"))),
        }
    }

    async fn lambda(
        &self,
        client: &aws_sdk_lambda::Client,
        arn: &str,
        event: &Value,
    ) -> Result<Value, InvokeError> {
        let body = serde_json::to_vec(event).map_err(|e| InvokeError::Failed(e.to_string()))?;
        let out = client
            .invoke()
            .function_name(arn)
            .payload(Blob::new(body))
            .send()
            .await
            .map_err(|e| InvokeError::Failed(format!("Lambda Invoke: {e}")))?;
        let payload: Option<Value> = out
            .payload()
            .and_then(|p| serde_json::from_slice(p.as_ref()).ok());
        if out.function_error().is_some() {
            let message = payload.as_ref().and_then(thrown).unwrap_or_default();
            return Err(InvokeError::Function(message));
        }
        Ok(payload.unwrap_or(Value::Null))
    }
}

/// The message of a Lambda error (`{"errorMessage": ..., "errorType": ...}`).
fn thrown(v: &Value) -> Option<String> {
    v.get("errorMessage")
        .and_then(Value::as_str)
        .map(str::to_owned)
}

#[async_trait]
impl Invoker for Functions {
    fn routes(&self, arn: &str) -> bool {
        self.webhook(arn).is_some() || self.lambda.is_some()
    }

    async fn invoke(&self, arn: &str, event: &Value) -> Result<Value, InvokeError> {
        if let Some(url) = self.webhook(arn) {
            return self.post(url, event).await;
        }
        match &self.lambda {
            Some(client) => self.lambda(client, arn, event).await,
            None => Err(InvokeError::Failed(format!("no route to {arn}"))),
        }
    }
}
