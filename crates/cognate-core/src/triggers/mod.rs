//! Lambda triggers (AWS developer guide "Customizing user pool workflows with Lambda
//! triggers"; REFERENCE.md §14): the pool's `LambdaConfig` says which function runs at which
//! step; [`Invoker`] reaches it (the Lambda `Invoke` API or an HTTP webhook, chosen by the
//! binary's configuration); the event is Cognito's, and the function answers with the same
//! event, its `response` filled in.
//!
//! Triggers are synchronous: 5 s, as Cognito's. A function that throws gives
//! `UserLambdaValidationException` "<Trigger> failed with error <message>."; one that cannot be
//! reached or does not answer in time `UnexpectedLambdaException`; an answer that is not the
//! event `InvalidLambdaResponseException`. Nothing the trigger decides is written before it
//! answered, so a failing trigger leaves no half-made state.

pub mod authentication;
pub mod custom_auth;
pub mod federation;
pub mod messages;
pub mod migration;
pub mod senders;
pub mod sign_up;
pub mod tokens;

use crate::error::{CognitoError, ErrorKind, Result};
use crate::messaging::Medium;
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::User;
use async_trait::async_trait;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// The `ClientMetadata` of the API request being served, and whether that request starts a
/// sign-in (InitiateAuth, AdminInitiateAuth).
#[derive(Clone)]
struct Passed {
    metadata: Value,
    starts_sign_in: bool,
}

tokio::task_local! {
    static CLIENT_METADATA: Passed;
}

/// Runs `f` (the operation `operation`) with the request's `ClientMetadata`, passed on as
/// Cognito does (AWS API reference, InitiateAuth and RespondToAuthChallenge, ClientMetadata):
/// a sign-in's first request gives it only as `validationData` (PreAuthentication,
/// UserMigration), never as other triggers' `clientMetadata`; every other operation gives
/// it as `clientMetadata` to the triggers it runs.
pub async fn with_client_metadata<F: std::future::Future>(
    operation: &str,
    metadata: Option<Value>,
    f: F,
) -> F::Output {
    let passed = Passed {
        metadata: metadata.unwrap_or(Value::Null),
        starts_sign_in: matches!(operation, "InitiateAuth" | "AdminInitiateAuth"),
    };
    CLIENT_METADATA.scope(passed, f).await
}

/// The request's `ClientMetadata` as a trigger's `clientMetadata` (`null` when none, or when
/// the request starts a sign-in).
pub(crate) fn client_metadata() -> Value {
    CLIENT_METADATA
        .try_with(|p| match p.starts_sign_in {
            true => Value::Null,
            false => p.metadata.clone(),
        })
        .unwrap_or(Value::Null)
}

/// A sign-in's `ClientMetadata` as `validationData` (PreAuthentication, UserMigration);
/// `null` for other requests (ForgotPassword's reaches UserMigration as `clientMetadata`).
pub(crate) fn validation_data() -> Value {
    CLIENT_METADATA
        .try_with(|p| match p.starts_sign_in {
            true => p.metadata.clone(),
            false => Value::Null,
        })
        .unwrap_or(Value::Null)
}

/// How long Cognito waits for a synchronous trigger.
pub const TIMEOUT: Duration = Duration::from_secs(5);

/// Why an invocation gave no event back.
#[derive(Debug, Clone, PartialEq)]
pub enum InvokeError {
    /// The function ran and threw: its error message.
    Function(String),
    /// No answer within [`TIMEOUT`].
    Timeout,
    /// The function could not be reached or run.
    Failed(String),
}

/// The port to the functions: implemented by the binary (Lambda `Invoke` API, webhooks).
#[async_trait]
pub trait Invoker: Send + Sync {
    /// Whether invocations of `function_arn` have somewhere to go.
    fn routes(&self, function_arn: &str) -> bool;
    /// Runs the function with `event`; its answer.
    async fn invoke(
        &self,
        function_arn: &str,
        event: &Value,
    ) -> std::result::Result<Value, InvokeError>;
    /// Runs the function asynchronously, as Cognito runs custom senders (the Lambda `Invoke`
    /// API's `Event` invocation, whose retries are Lambda's own); `Ok` once it is accepted.
    /// By default, an ordinary invocation whose answer is not read.
    async fn invoke_event(
        &self,
        function_arn: &str,
        event: &Value,
    ) -> std::result::Result<(), InvokeError> {
        self.invoke(function_arn, event).await.map(|_| ())
    }
}

/// No functions anywhere: every trigger is a configuration error.
pub struct NoInvoker;

#[async_trait]
impl Invoker for NoInvoker {
    fn routes(&self, _: &str) -> bool {
        false
    }

    async fn invoke(&self, _: &str, _: &Value) -> std::result::Result<Value, InvokeError> {
        Err(InvokeError::Failed(
            "no Lambda endpoint or webhook is configured".into(),
        ))
    }
}

/// The triggers Cognate runs, by their `LambdaConfig` member.
pub const SUPPORTED: &[&str] = &[
    "PreSignUp",
    "PostConfirmation",
    "PreAuthentication",
    "PostAuthentication",
    "PreTokenGeneration",
    "PreTokenGenerationConfig",
    "CustomMessage",
    "UserMigration",
    "DefineAuthChallenge",
    "CreateAuthChallenge",
    "VerifyAuthChallengeResponse",
    "CustomEmailSender",
    "CustomSMSSender",
    "InboundFederation",
];

/// The function of a versioned member (`{LambdaVersion, LambdaArn}`), its version checked.
fn versioned_arn<'a>(name: &str, o: &'a Map<String, Value>) -> Result<&'a str> {
    let version = o.get("LambdaVersion").and_then(Value::as_str);
    let known: &[&str] = match name {
        "PreTokenGenerationConfig" => &["V1_0", "V2_0", "V3_0"],
        _ => &["V1_0"],
    };
    if !version.is_some_and(|v| known.contains(&v)) {
        return Err(CognitoError::invalid_parameter(format!(
            "{name} LambdaVersion {} is not supported by Cognate yet.",
            version.unwrap_or("(none)")
        )));
    }
    Ok(o.get("LambdaArn")
        .and_then(Value::as_str)
        .unwrap_or_default())
}

/// Checks a `LambdaConfig` before a pool keeps it: every function must have a route, every
/// trigger must be one Cognate runs (a trigger kept but never run would be a silent lie), and
/// a custom sender needs the `KMSKeyID` and a KMS endpoint to encrypt its codes with.
/// `InvalidParameterException` naming what is wrong.
pub fn check_config(
    invoker: &dyn Invoker,
    encryptor: &dyn senders::CodeEncryptor,
    config: &Value,
) -> Result<()> {
    let Some(config) = config.as_object() else {
        return Ok(());
    };
    for (name, value) in config {
        if name == "KMSKeyID" || value.is_null() {
            continue;
        }
        if !SUPPORTED.contains(&name.as_str()) {
            return Err(CognitoError::invalid_parameter(format!(
                "The {name} trigger is not supported by Cognate yet."
            )));
        }
        let sender = [
            senders::trigger(Medium::Email),
            senders::trigger(Medium::Sms),
        ]
        .contains(&name.as_str());
        let versioned = sender || name == "PreTokenGenerationConfig" || name == "InboundFederation";
        let arn = match value {
            Value::String(arn) if !versioned => arn.as_str(),
            Value::Object(o) if versioned => versioned_arn(name, o)?,
            _ => {
                return Err(CognitoError::invalid_parameter(format!(
                    "{name} must be {}.",
                    match versioned {
                        true => "an object with LambdaVersion and LambdaArn",
                        false => "the ARN of a Lambda function",
                    }
                )));
            }
        };
        if arn.is_empty() {
            return Err(CognitoError::invalid_parameter(format!(
                "{name} requires a LambdaArn."
            )));
        }
        if !invoker.routes(arn) {
            return Err(CognitoError::invalid_parameter(format!(
                "No route to Lambda function {arn}: configure --lambda-endpoint or a webhook for it."
            )));
        }
        if sender {
            let key = config.get("KMSKeyID").and_then(Value::as_str);
            match key {
                None | Some("") => {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{name} requires KMSKeyID: the KMS key that encrypts the codes it is sent."
                    )));
                }
                Some(key) if !senders::is_kms_key_arn(key) => {
                    return Err(CognitoError::invalid_parameter(format!(
                        "KMSKeyID {key} is not the ARN of a KMS key."
                    )));
                }
                Some(_) => {}
            }
            if !encryptor.has_endpoint() {
                return Err(CognitoError::invalid_parameter(format!(
                    "{name} needs a KMS endpoint to encrypt codes: configure --kms-endpoint."
                )));
            }
        }
    }
    Ok(())
}

/// The attributes a trigger sees: strings, with `sub` and `cognito:user_status`.
pub fn user_attributes(user: &User) -> Map<String, Value> {
    let mut attributes: Map<String, Value> = user
        .attributes
        .iter()
        .map(|a| (a.name.clone(), Value::from(a.value.clone())))
        .collect();
    attributes.insert("sub".into(), Value::from(user.sub.clone()));
    attributes.insert(
        "cognito:user_status".into(),
        Value::from(user.status.clone()),
    );
    attributes
}

/// What every event carries, and what differs.
pub struct Event<'a> {
    pub pool: &'a UserPool,
    /// `"1"`; `"2"` for PreTokenGeneration V2.
    pub version: &'static str,
    pub trigger: &'static str,
    pub source: &'static str,
    pub user_name: &'a str,
    pub client_id: Option<&'a str>,
    pub request: Map<String, Value>,
}

impl Event<'_> {
    fn to_json(&self) -> Value {
        let mut request = self.request.clone();
        if request.get("clientMetadata").is_some_and(Value::is_null) {
            request.insert("clientMetadata".into(), client_metadata());
        }
        envelope(
            self.version,
            self.source,
            &self.pool.id,
            self.user_name,
            self.client_id,
            request,
        )
    }
}

/// Cognito's event around a trigger's `request` (the region is the pool ID's prefix).
pub(crate) fn envelope(
    version: &str,
    source: &str,
    pool_id: &str,
    user_name: &str,
    client_id: Option<&str>,
    request: Map<String, Value>,
) -> Value {
    let region = pool_id.split('_').next().unwrap_or_default();
    json!({
        "version": version,
        "triggerSource": source,
        "region": region,
        "userPoolId": pool_id,
        "userName": user_name,
        "callerContext": {
            "awsSdkVersion": "aws-sdk-unknown-unknown",
            "clientId": client_id.unwrap_or("CLIENT_ID_NOT_APPLICABLE"),
        },
        "request": request,
        "response": {},
    })
}

impl Cognito {
    /// A `LambdaConfig` given to CreateUserPool or UpdateUserPool, checked
    /// ([`check_config`]); none is `{}`.
    pub(crate) fn lambda_config(&self, given: Option<Value>) -> Result<Value> {
        let config = given.unwrap_or_else(|| Value::Object(Map::new()));
        check_config(&*self.invoker, &*self.encryptor, &config)?;
        Ok(config)
    }

    /// The function the pool runs for `trigger`, if any.
    pub(crate) fn trigger_arn<'p>(&self, pool: &'p UserPool, trigger: &str) -> Option<&'p str> {
        let config = &pool.lambda_config;
        // PreTokenGenerationConfig.LambdaArn wins over the older PreTokenGeneration member.
        let configured = match trigger {
            "PreTokenGeneration" => config
                .get("PreTokenGenerationConfig")
                .and_then(|c| c.get("LambdaArn"))
                .or_else(|| config.get(trigger)),
            // Versioned members are `{LambdaVersion, LambdaArn}`.
            _ => config.get(trigger).map(|v| v.get("LambdaArn").unwrap_or(v)),
        };
        configured
            .and_then(Value::as_str)
            .filter(|arn| !arn.is_empty())
    }

    /// Runs the trigger of `event` if the pool has one: its `response` object, or `None`
    /// when the pool has no function for it.
    pub(crate) async fn run_trigger(&self, event: Event<'_>) -> Result<Option<Map<String, Value>>> {
        let Some(arn) = self.trigger_arn(event.pool, event.trigger) else {
            return Ok(None);
        };
        let trigger = event.trigger;
        let body = event.to_json();
        let answer = match tokio::time::timeout(TIMEOUT, self.invoker.invoke(arn, &body)).await {
            Ok(answer) => answer,
            Err(_) => Err(InvokeError::Timeout),
        };
        tracing::info!(pool_id = %event.pool.id, %trigger, source = %event.source, ok = answer.is_ok(), "trigger ran");
        match answer {
            Ok(Value::Object(mut answer)) => match answer.remove("response") {
                Some(Value::Object(response)) => Ok(Some(response)),
                Some(Value::Null) | None => Ok(Some(Map::new())),
                Some(_) => Err(unrecognizable()),
            },
            Ok(_) => Err(unrecognizable()),
            Err(InvokeError::Function(message)) => Err(CognitoError::new(
                ErrorKind::UserLambdaValidation,
                format!("{trigger} failed with error {message}."),
            )),
            Err(InvokeError::Timeout) => Err(CognitoError::new(
                ErrorKind::UnexpectedLambda,
                format!("{trigger} invocation failed due to error TimeoutError."),
            )),
            Err(InvokeError::Failed(reason)) => {
                tracing::warn!(%trigger, %reason, "trigger invocation failed");
                Err(CognitoError::new(
                    ErrorKind::UnexpectedLambda,
                    format!("{trigger} invocation failed due to error AccessDeniedException."),
                ))
            }
        }
    }
}

fn unrecognizable() -> CognitoError {
    CognitoError::new(
        ErrorKind::InvalidLambdaResponse,
        "Unrecognizable lambda output",
    )
}

/// A boolean of a trigger's response (`true` or `"true"` as Lambdas in several languages
/// write it).
pub(crate) fn flag(response: &Map<String, Value>, name: &str) -> bool {
    match response.get(name) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}
