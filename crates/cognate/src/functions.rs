//! Where trigger functions are, from `--lambda-endpoint` and the config file's `[lambda]`
//! table; and the start-time check that every pool's triggers can be reached.

use cognate_core::Cognito;
use cognate_delivery::FunctionRoutes;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The config file's `[lambda]` table.
#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FileLambda {
    /// The Lambda `Invoke` endpoint (the flag and COGNATE_LAMBDA_ENDPOINT win).
    pub endpoint: Option<String>,
    /// Signs webhook requests: `X-Cognate-Timestamp` and `X-Cognate-Signature:
    /// sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`.
    pub webhook_secret: Option<String>,
    /// Function ARN or name → webhook URL.
    #[serde(default)]
    pub webhooks: BTreeMap<String, String>,
}

/// The resolved routes; Lambda credentials and region from the AWS_* variables.
pub fn routes(endpoint: Option<String>, file: Option<FileLambda>) -> FunctionRoutes {
    let file = file.unwrap_or_default();
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    FunctionRoutes {
        lambda_endpoint: endpoint.or(file.endpoint),
        lambda_region: env("AWS_REGION").unwrap_or_else(|| "us-east-1".into()),
        credentials: env("AWS_ACCESS_KEY_ID")
            .zip(env("AWS_SECRET_ACCESS_KEY"))
            .map(|(id, secret)| (id, secret, env("AWS_SESSION_TOKEN"))),
        webhooks: file.webhooks,
        webhook_secret: file
            .webhook_secret
            .or_else(|| env("COGNATE_WEBHOOK_SECRET")),
    }
}

/// The KMS endpoint of custom senders; credentials from the AWS_* variables.
pub fn kms(endpoint: Option<String>) -> cognate_delivery::KmsRoute {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    cognate_delivery::KmsRoute {
        endpoint,
        credentials: env("AWS_ACCESS_KEY_ID")
            .zip(env("AWS_SECRET_ACCESS_KEY"))
            .map(|(id, secret)| (id, secret, env("AWS_SESSION_TOKEN"))),
    }
}

/// Every pool's triggers must have a route: a clear error at start, not at a user's sign-up.
pub async fn check_pools(cognito: &Cognito) -> Result<(), String> {
    let mut after: Option<String> = None;
    loop {
        let pools = cognito
            .store
            .list_pools_everywhere(after.as_deref(), 500)
            .await
            .map_err(|e| format!("cannot list pools: {e}"))?;
        for pool in &pools {
            cognate_core::triggers::check_config(
                &*cognito.invoker,
                &*cognito.encryptor,
                &pool.lambda_config,
            )
            .map_err(|e| format!("pool {}: {}", pool.id, e.message))?;
        }
        match pools.last() {
            Some(last) if pools.len() == 500 => after = Some(last.id.clone()),
            _ => return Ok(()),
        }
    }
}
