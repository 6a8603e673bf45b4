//! The cognito-idp API: AWS JSON 1.1 over `POST /`, the operation named by `X-Amz-Target`.
//!
//! Each request is read (size-limited), authenticated (SigV4 for the signed operations),
//! parsed, validated against the botocore model, then handed to the domain.

pub mod errors;
pub mod model;
mod ops;
pub mod sigv4;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use cognate_core::Cognito;
use errors::ApiError;
use model::Model;
use serde_json::Value;
use sigv4::AccessKeys;
use std::sync::Arc;
use std::time::SystemTime;

pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// Large enough for any real request (UI customization images are the biggest).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

#[derive(Clone)]
pub struct ApiState {
    pub cognito: Arc<Cognito>,
    pub keys: Arc<AccessKeys>,
    pub model: Arc<Model>,
}

pub fn router(state: ApiState) -> Router {
    Router::new()
        .route("/", post(handle).options(preflight))
        .with_state(state)
}

/// Browsers (amazon-cognito-identity-js) call the API with CORS.
async fn preflight() -> Response {
    let mut resp = StatusCode::OK.into_response();
    let h = resp.headers_mut();
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-allow-methods",
        HeaderValue::from_static("POST, OPTIONS"),
    );
    h.insert(
        "access-control-allow-headers",
        HeaderValue::from_static("content-type, x-amz-target, x-amz-user-agent, authorization, x-amz-date, x-amz-security-token, cache-control"),
    );
    h.insert("access-control-max-age", HeaderValue::from_static("86400"));
    resp
}

/// The console's calls: validated and dispatched as a signed request in `region` is (the
/// console has authenticated the administrator itself).
#[async_trait::async_trait]
impl cognate_core::console::AdminApi for ApiState {
    async fn call(
        &self,
        region: &str,
        operation: &str,
        input: Value,
    ) -> Result<Value, cognate_core::console::ApiFailure> {
        let failure = |e: ApiError| cognate_core::console::ApiFailure {
            error_type: e.type_name,
            message: e.message,
        };
        let op = self
            .model
            .operation(operation)
            .ok_or_else(|| failure(ApiError::unknown_operation(operation)))?;
        if !input.is_object() || contains_nul(&input) {
            return Err(failure(ApiError::from(
                cognate_core::CognitoError::invalid_parameter("Invalid request."),
            )));
        }
        self.model
            .validate(op, &input)
            .map_err(|e| failure(ApiError::from(e)))?;
        let cx = ops::Ctx {
            cognito: &self.cognito,
            region: Some(region.to_owned()),
        };
        ops::dispatch(&cx, operation, input)
            .await
            .map_err(|e| failure(ApiError::from(e)))
    }
}

async fn handle(State(state): State<ApiState>, req: Request) -> Response {
    let started = std::time::Instant::now();
    let (parts, body) = req.into_parts();
    // The listener's request ID when there is one (every log line of the request carries it).
    let request_id = parts
        .extensions
        .get::<cognate_core::ids::RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_else(cognate_core::ids::request_id);
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let op_name = target
        .strip_prefix(TARGET_PREFIX)
        .filter(|op| state.model.operation(op).is_some())
        .unwrap_or("");
    // The listener's span carries the request ID; the operation joins it.
    tracing::Span::current().record("op", op_name);
    let result = async {
        let body = read_body(body).await?;
        let path = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/");
        process(&state, &parts.method, path, &parts.headers, &target, &body).await
    }
    .await;
    // `to_vec` writes straight into the buffer (`to_string` goes through `fmt`).
    let result = result.and_then(|value| {
        serde_json::to_vec(&value).map_err(|e| {
            ApiError::from(cognate_core::CognitoError::internal(format!(
                "cannot encode response: {e}"
            )))
        })
    });
    let mut resp = match result {
        Ok(body) => {
            let mut r = (StatusCode::OK, body).into_response();
            r.headers_mut().insert(
                "content-type",
                HeaderValue::from_static("application/x-amz-json-1.1"),
            );
            r
        }
        Err(e) => {
            // An operation not built yet (501) is expected, not a server fault.
            if e.status >= 500 && e.status != 501 {
                tracing::error!(op = %op_name, request_id = %request_id, error = %e.type_name, "request failed");
            } else {
                tracing::info!(op = %op_name, request_id = %request_id, error = %e.type_name, "request refused");
            }
            e.into_response()
        }
    };
    record(op_name, &resp, started);
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-amzn-requestid", v);
    }
    h.insert("access-control-allow-origin", HeaderValue::from_static("*"));
    h.insert(
        "access-control-expose-headers",
        HeaderValue::from_static("x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date"),
    );
    resp
}

/// Whether any string of the request, key or value, holds U+0000: no Cognito name or value
/// does, and PostgreSQL cannot store it.
fn contains_nul(v: &Value) -> bool {
    match v {
        Value::String(s) => s.contains('\0'),
        Value::Array(items) => items.iter().any(contains_nul),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains('\0') || contains_nul(v)),
        _ => false,
    }
}

/// Requests and latency by operation and outcome (`ok` or the error type). The handles of the
/// successful outcome are kept per operation: the common case costs no key building.
fn record(op: &str, resp: &Response, started: std::time::Instant) {
    type Handles = (metrics::Counter, metrics::Histogram);
    static OK: std::sync::OnceLock<
        std::sync::RwLock<std::collections::HashMap<&'static str, Handles>>,
    > = std::sync::OnceLock::new();
    let op = model::static_name(op).unwrap_or("unknown");
    let seconds = started.elapsed().as_secs_f64();
    let Some(error) = resp.headers().get("x-amzn-errortype") else {
        let handles = OK.get_or_init(Default::default);
        if let Some((count, latency)) = handles.read().expect("metrics lock").get(op) {
            count.increment(1);
            latency.record(seconds);
            return;
        }
        let made = (
            metrics::counter!("cognate_api_requests_total", "operation" => op, "outcome" => "ok"),
            metrics::histogram!("cognate_api_request_duration_seconds", "operation" => op),
        );
        made.0.increment(1);
        made.1.record(seconds);
        handles.write().expect("metrics lock").insert(op, made);
        return;
    };
    let outcome = error
        .to_str()
        .ok()
        .and_then(model::static_name)
        .unwrap_or("other");
    metrics::counter!("cognate_api_requests_total", "operation" => op, "outcome" => outcome)
        .increment(1);
    metrics::histogram!("cognate_api_request_duration_seconds", "operation" => op).record(seconds);
}

async fn read_body(body: Body) -> Result<Bytes, ApiError> {
    use http_body::Body as _;
    // A declared length over the limit is refused before a byte of it is read.
    if body.size_hint().lower() > MAX_BODY_BYTES as u64 {
        return Err(ApiError::too_large(MAX_BODY_BYTES));
    }
    axum::body::to_bytes(body, MAX_BODY_BYTES)
        .await
        .map_err(|e| body_error(&e))
}

/// Why a body could not be read: too large (413), not in time (408), or cut short (400).
fn body_error(e: &(dyn std::error::Error + 'static)) -> ApiError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if c.is::<http_body_util::LengthLimitError>() {
            return ApiError::too_large(MAX_BODY_BYTES);
        }
        if c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::TimedOut)
        {
            return ApiError::body_timeout();
        }
        cause = c.source();
    }
    ApiError::incomplete_body()
}

async fn process(
    state: &ApiState,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    target: &str,
    body: &[u8],
) -> Result<Value, ApiError> {
    let op_name = target
        .strip_prefix(TARGET_PREFIX)
        .ok_or_else(|| ApiError::unknown_operation(target))?;
    let op = state
        .model
        .operation(op_name)
        .ok_or_else(|| ApiError::unknown_operation(target))?;

    // Signed operations need a valid signature; unsigned ones may carry one, and then it
    // must be valid too.
    let verified = if !op.unsigned || headers.contains_key(http::header::AUTHORIZATION) {
        Some(sigv4::verify(
            &state.keys,
            method.as_str(),
            path,
            headers,
            body,
            SystemTime::now(),
        )?)
    } else {
        None
    };

    let input: Value = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Default::default())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| ApiError::serialization(format!("Malformed JSON request body: {e}")))?
    };
    if !input.is_object() {
        return Err(ApiError::serialization(
            "The request body must be a JSON object.",
        ));
    }
    if contains_nul(&input) {
        return Err(ApiError::from(
            cognate_core::CognitoError::invalid_parameter(
                "Strings in the request must not contain the NUL character (U+0000).",
            ),
        ));
    }
    state.model.validate(op, &input)?;
    let cx = ops::Ctx {
        cognito: &state.cognito,
        region: verified.map(|v| v.region),
    };
    // The request's ClientMetadata reaches the Lambda triggers the operation runs.
    let metadata = input.get("ClientMetadata").cloned();
    let answer = cognate_core::triggers::with_client_metadata(
        op_name,
        metadata,
        ops::dispatch(&cx, op_name, input),
    );
    Ok(answer.await?)
}
