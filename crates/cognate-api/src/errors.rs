//! Errors on the wire, exactly as Cognito sends them: an HTTP status, a JSON body with
//! `__type` and `message`, and the `x-amzn-ErrorType` / `x-amzn-ErrorMessage` headers.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use cognate_core::CognitoError;

#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: u16,
    pub type_name: String,
    pub message: String,
}

impl ApiError {
    pub fn new(status: u16, type_name: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            type_name: type_name.to_owned(),
            message: message.into(),
        }
    }
    pub fn missing_authentication_token() -> Self {
        Self::new(
            403,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        )
    }
    pub fn unrecognized_client() -> Self {
        Self::new(
            403,
            "UnrecognizedClientException",
            "The security token included in the request is invalid.",
        )
    }
    pub fn invalid_signature(message: impl Into<String>) -> Self {
        Self::new(403, "InvalidSignatureException", message)
    }
    pub fn incomplete_signature(message: impl Into<String>) -> Self {
        Self::new(403, "IncompleteSignatureException", message)
    }
    pub fn unknown_operation(target: &str) -> Self {
        Self::new(
            400,
            "UnknownOperationException",
            format!("Unknown operation: {target}"),
        )
    }
    pub fn serialization(message: impl Into<String>) -> Self {
        Self::new(400, "SerializationException", message)
    }
    /// The body ended before its `Content-Length` (the client went away or cut it short).
    pub fn incomplete_body() -> Self {
        Self::new(
            400,
            "SerializationException",
            "The request body ended before all of it was received.",
        )
    }
    /// The body did not arrive in time (the listener's body timeout). SDKs retry this.
    pub fn body_timeout() -> Self {
        Self::new(
            408,
            "RequestTimeoutException",
            "The request body was not received in time.",
        )
    }
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            413,
            "RequestEntityTooLargeException",
            format!("Request body is larger than {limit} bytes."),
        )
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(500, "InternalErrorException", message)
    }
}

impl From<CognitoError> for ApiError {
    fn from(e: CognitoError) -> Self {
        Self::new(e.kind.status(), e.kind.name(), e.message)
    }
}

/// The longest `message` sent, in bytes: error messages can quote the request, and neither
/// the body nor the `x-amzn-ErrorMessage` header may grow with it.
pub const MAX_MESSAGE_BYTES: usize = 1024;

/// `s` cut to at most `max` bytes on a character boundary, marked when cut.
pub fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_owned();
    }
    let mut end = max.saturating_sub(3);
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &s[..end])
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let message = bounded(&self.message, MAX_MESSAGE_BYTES);
        let body = serde_json::json!({"__type": self.type_name, "message": message}).to_string();
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        let mut resp = (status, body).into_response();
        let h = resp.headers_mut();
        h.insert(
            "content-type",
            HeaderValue::from_static("application/x-amz-json-1.1"),
        );
        if let Ok(v) = HeaderValue::from_str(&self.type_name) {
            h.insert("x-amzn-errortype", v);
        }
        // Header values must be visible ASCII; messages that are not are left to the body.
        if let Ok(v) = HeaderValue::from_str(&message) {
            h.insert("x-amzn-errormessage", v);
        }
        resp
    }
}
