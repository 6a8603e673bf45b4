//! The errors Cognito answers with: an exception name (`__type`) and a message.

use std::fmt;

/// Exception names from the cognito-idp model, plus the protocol-level ones AWS sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    AliasExists,
    CodeMismatch,
    ConcurrentModification,
    DuplicateProvider,
    ExpiredCode,
    GroupExists,
    InternalError,
    InvalidParameter,
    InvalidPassword,
    InvalidOAuthFlow,
    LimitExceeded,
    NotAuthorized,
    PasswordResetRequired,
    PreconditionNotMet,
    ResourceNotFound,
    ScopeDoesNotExist,
    TooManyRequests,
    UnsupportedUserState,
    UserNotConfirmed,
    UserNotFound,
    UsernameExists,
    UserPoolTagging,
    UnsupportedOperation,
    UnsupportedTokenType,
    Unauthorized,
    RefreshTokenReuse,
    SoftwareTokenMfaNotFound,
    EnableSoftwareTokenMfa,
    InvalidUserPoolConfiguration,
    /// A Lambda trigger threw: "<Trigger> failed with error <message>.".
    UserLambdaValidation,
    /// A Lambda trigger could not be invoked, or did not answer in time.
    UnexpectedLambda,
    /// A Lambda trigger answered something that is not its event.
    InvalidLambdaResponse,
    /// An operation of the model that Cognate does not implement yet.
    NotImplemented,
}

impl ErrorKind {
    /// The `__type` sent on the wire.
    pub fn name(self) -> &'static str {
        use ErrorKind::*;
        match self {
            AliasExists => "AliasExistsException",
            CodeMismatch => "CodeMismatchException",
            ConcurrentModification => "ConcurrentModificationException",
            DuplicateProvider => "DuplicateProviderException",
            ExpiredCode => "ExpiredCodeException",
            GroupExists => "GroupExistsException",
            InternalError => "InternalErrorException",
            InvalidParameter => "InvalidParameterException",
            InvalidPassword => "InvalidPasswordException",
            InvalidOAuthFlow => "InvalidOAuthFlowException",
            LimitExceeded => "LimitExceededException",
            NotAuthorized => "NotAuthorizedException",
            PasswordResetRequired => "PasswordResetRequiredException",
            PreconditionNotMet => "PreconditionNotMetException",
            ResourceNotFound => "ResourceNotFoundException",
            ScopeDoesNotExist => "ScopeDoesNotExistException",
            TooManyRequests => "TooManyRequestsException",
            UnsupportedUserState => "UnsupportedUserStateException",
            UserNotConfirmed => "UserNotConfirmedException",
            UserNotFound => "UserNotFoundException",
            UsernameExists => "UsernameExistsException",
            UserPoolTagging => "UserPoolTaggingException",
            UnsupportedOperation => "UnsupportedOperationException",
            UnsupportedTokenType => "UnsupportedTokenTypeException",
            Unauthorized => "UnauthorizedException",
            RefreshTokenReuse => "RefreshTokenReuseException",
            SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException",
            UserLambdaValidation => "UserLambdaValidationException",
            UnexpectedLambda => "UnexpectedLambdaException",
            InvalidLambdaResponse => "InvalidLambdaResponseException",
            NotImplemented => "NotImplementedException",
        }
    }

    /// HTTP status. Real Cognito answers 400 for every client fault (see REFERENCE.md §1).
    pub fn status(self) -> u16 {
        match self {
            ErrorKind::InternalError => 500,
            ErrorKind::TooManyRequests => 429,
            ErrorKind::Unauthorized => 401,
            ErrorKind::NotImplemented => 501,
            _ => 400,
        }
    }
}

/// A Cognito error: what the API adapter turns into `{"__type": ..., "message": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CognitoError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }
    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }
    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InternalError, message)
    }
    pub fn pool_not_found(pool_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFound,
            format!("User pool {pool_id} does not exist."),
        )
    }
    pub fn client_not_found(client_id: &str) -> Self {
        Self::new(
            ErrorKind::ResourceNotFound,
            format!("User pool client {client_id} does not exist."),
        )
    }
    pub fn user_not_found() -> Self {
        Self::new(ErrorKind::UserNotFound, "User does not exist.")
    }
    pub fn group_not_found() -> Self {
        Self::new(ErrorKind::ResourceNotFound, "Group not found.")
    }
    /// An operation of the model that is not built yet: `Operation SignUp is not
    /// implemented by Cognate yet.`
    pub fn not_implemented(operation: &str) -> Self {
        Self::feature_not_implemented(&format!("Operation {operation}"))
    }

    /// A part of an operation that is not built yet, named in full: `The USER_SRP_AUTH flow is
    /// not implemented by Cognate yet.`
    pub fn feature_not_implemented(what: &str) -> Self {
        Self::new(
            ErrorKind::NotImplemented,
            format!("{what} is not implemented by Cognate yet."),
        )
    }
}

impl fmt::Display for CognitoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for CognitoError {}

/// Failures of the store, before the domain decides what they mean.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness constraint refused the write.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("storage failure: {0}")]
    Backend(String),
    /// The database was locked longer than the store waits; another path may still succeed.
    #[error("database busy: {0}")]
    Busy(String),
}

impl From<StoreError> for CognitoError {
    fn from(e: StoreError) -> Self {
        // The details go to the log, never to the caller.
        tracing::error!(error = %e, "store error");
        crate::metrics::store_error();
        CognitoError::internal("Internal server error.")
    }
}

pub type Result<T, E = CognitoError> = std::result::Result<T, E>;
