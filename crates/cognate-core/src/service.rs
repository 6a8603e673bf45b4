//! `Cognito`: the domain service every adapter calls. One `impl` block per resource family
//! lives in that family's module (pool.rs, client.rs, user.rs, ...).

use crate::password::PasswordHasher;
use crate::secrets::SecretBox;
use crate::store::Store;
use crate::time::Clock;
use crate::tokens::keys::KeyRing;
use std::sync::Arc;

pub struct Cognito {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    pub secrets: Arc<SecretBox>,
    pub hasher: PasswordHasher,
    /// The 12-digit account ID that appears in ARNs.
    pub account_id: String,
    /// Token issuers are `<issuer_base>/<poolId>`.
    pub issuer_base: String,
    pub keys: KeyRing,
    /// Woken when a message is queued, so this node's delivery worker sends it at once
    /// (workers also poll, for messages queued by other nodes).
    pub outbox_ready: Arc<tokio::sync::Notify>,
    /// Reaches the pools' Lambda triggers (see `triggers`); none by default.
    pub invoker: Arc<dyn crate::triggers::Invoker>,
    /// Encrypts the codes custom sender triggers receive (AWS Encryption SDK with KMS); none
    /// by default.
    pub encryptor: Arc<dyn crate::triggers::senders::CodeEncryptor>,
    /// Reaches upstream identity providers (federation); none by default.
    pub upstream: Arc<dyn crate::federation::Upstream>,
    /// Upstream discovery documents and key sets by URL, kept a few minutes (federation).
    pub(crate) upstream_documents: moka::sync::Cache<String, serde_json::Value>,
    /// Serializes one user's sign-in attempts on this node (see `auth::lockout`).
    pub(crate) attempt_locks: crate::auth::lockout::AttemptLocks,
}

impl Cognito {
    pub fn new(
        store: Arc<dyn Store>,
        clock: Arc<dyn Clock>,
        secrets: Arc<SecretBox>,
        hasher: PasswordHasher,
        account_id: impl Into<String>,
        issuer_base: impl Into<String>,
    ) -> Self {
        Self {
            store,
            clock,
            secrets,
            hasher,
            account_id: account_id.into(),
            issuer_base: issuer_base.into(),
            keys: KeyRing::default(),
            outbox_ready: Arc::new(tokio::sync::Notify::new()),
            attempt_locks: Default::default(),
            invoker: Arc::new(crate::triggers::NoInvoker),
            encryptor: Arc::new(crate::triggers::senders::NoEncryptor),
            upstream: Arc::new(crate::federation::NoUpstream),
            upstream_documents: moka::sync::Cache::builder()
                .max_capacity(1_000)
                .time_to_live(crate::federation::oidc::DOCUMENT_LIFETIME)
                .build(),
        }
    }
}
