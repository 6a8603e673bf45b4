//! The functions behind Lambda triggers, the adapter behind `cognate_core::triggers::Invoker`:
//! a function whose ARN (or name) has a webhook gets the event as `POST <url>` (JSON) and
//! answers the event; any other function goes through the Lambda `Invoke` API of the
//! configured endpoint (AWS Lambda itself, `sam local start-lambda`, LocalStack), with the
//! official SDK.
//!
//! With a secret, a webhook request carries `X-Cognate-Timestamp: <Unix seconds>` and
//! `X-Cognate-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`: the receiver
//! checks both and refuses old timestamps, so a captured request cannot be replayed later.
//! A webhook that answers non-2xx with `{"errorMessage": ...}` (a Lambda error's shape) has
//! thrown; so has a Lambda invocation with a `FunctionError`. An answer is read up to
//! [`MAX_ANSWER`] bytes, Lambda's own limit for a synchronous response.

use async_trait::async_trait;
use aws_sdk_lambda::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::InvocationType;
use cognate_core::triggers::senders::SENDER_TIMEOUT;
use cognate_core::triggers::{InvokeError, Invoker, TIMEOUT};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;
use std::collections::BTreeMap;

/// The largest webhook answer read: 6 MB, the payload limit of a synchronous Lambda
/// invocation (AWS Lambda quotas).
pub const MAX_ANSWER: usize = 6 * 1024 * 1024;

/// Whether `url` stays on this machine (a plain-HTTP webhook elsewhere sends events, some
/// with passwords in them, across a network in clear).
pub(crate) fn is_loopback(url: &str) -> bool {
    let rest = url.strip_prefix("http://").unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.split(':').next().unwrap_or_default(),
    };
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The signature of a webhook request: hex HMAC-SHA256 of `"<timestamp>.<body>"`.
pub fn webhook_signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

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
    /// Made at the first webhook call (a client with its TLS roots takes memory).
    http: std::sync::OnceLock<reqwest::Client>,
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
            if url.starts_with("http://") && !is_loopback(url) {
                // The host only: a URL may carry credentials.
                let host = reqwest::Url::parse(url)
                    .ok()
                    .and_then(|u| u.host_str().map(str::to_owned))
                    .unwrap_or_default();
                tracing::warn!(
                    %host,
                    "a trigger webhook over plain HTTP to another machine: events (UserMigration's carry passwords) cross the network in clear; use https"
                );
            }
        }
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
            http: std::sync::OnceLock::new(),
            lambda,
        })
    }

    /// The webhook client. No redirects: a body (UserMigration's carries a password) goes
    /// only where configured.
    fn http(&self) -> Result<&reqwest::Client, InvokeError> {
        if let Some(http) = self.http.get() {
            return Ok(http);
        }
        let http = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| InvokeError::Failed(format!("cannot make the webhook client: {e}")))?;
        Ok(self.http.get_or_init(|| http))
    }

    fn webhook(&self, arn: &str) -> Option<&String> {
        self.routes
            .webhooks
            .get(arn)
            .or_else(|| self.routes.webhooks.get(function_name(arn)))
    }

    async fn post(
        &self,
        url: &str,
        event: &Value,
        timeout: std::time::Duration,
    ) -> Result<Value, InvokeError> {
        let body = serde_json::to_vec(event).map_err(|e| InvokeError::Failed(e.to_string()))?;
        let mut request = self
            .http()?
            .post(url)
            .timeout(timeout)
            .header("content-type", "application/json");
        if let Some(secret) = &self.routes.webhook_secret {
            let timestamp = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64);
            let signature = webhook_signature(secret, timestamp, &body);
            request = request
                .header("x-cognate-timestamp", timestamp.to_string())
                .header("x-cognate-signature", format!("sha256={signature}"));
        }
        let mut answer = request.body(body).send().await.map_err(|e| {
            if e.is_timeout() {
                InvokeError::Timeout
            } else {
                InvokeError::Failed(format!("webhook: {e}"))
            }
        })?;
        let status = answer.status();
        let mut text = Vec::new();
        while let Some(chunk) = answer
            .chunk()
            .await
            .map_err(|e| InvokeError::Failed(format!("webhook: {e}")))?
        {
            if text.len() + chunk.len() > MAX_ANSWER {
                return Err(InvokeError::Failed(format!(
                    "webhook answer over {MAX_ANSWER} bytes"
                )));
            }
            text.extend_from_slice(&chunk);
        }
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
            return self.post(url, event, TIMEOUT).await;
        }
        match &self.lambda {
            Some(client) => self.lambda(client, arn, event).await,
            None => Err(InvokeError::Failed(format!("no route to {arn}"))),
        }
    }

    async fn invoke_event(&self, arn: &str, event: &Value) -> Result<(), InvokeError> {
        if let Some(url) = self.webhook(arn) {
            return self.post(url, event, SENDER_TIMEOUT).await.map(|_| ());
        }
        let Some(client) = &self.lambda else {
            return Err(InvokeError::Failed(format!("no route to {arn}")));
        };
        let body = serde_json::to_vec(event).map_err(|e| InvokeError::Failed(e.to_string()))?;
        client
            .invoke()
            .function_name(arn)
            .invocation_type(InvocationType::Event)
            .payload(Blob::new(body))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| InvokeError::Failed(format!("Lambda Invoke: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_told_apart() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://localhost/hook",
            "http://LOCALHOST:1",
            "http://[::1]:9000/x",
            "http://user:pw@127.0.0.2/x",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "http://10.0.0.5/hook",
            "http://migration.internal:8080/x",
            "http://localhost.evil.example/x",
            "http://127.0.0.1.nip.io/x",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }

    #[test]
    fn the_signature_covers_the_timestamp() {
        let a = webhook_signature("s", 1_700_000_000, b"{}");
        assert_eq!(a.len(), 64);
        assert_ne!(a, webhook_signature("s", 1_700_000_001, b"{}"));
        assert_ne!(a, webhook_signature("t", 1_700_000_000, b"{}"));
    }
}
