//! The codes custom sender triggers receive, encrypted as Cognito encrypts them (AWS developer
//! guide "Custom sender Lambda triggers"): an AWS Encryption SDK message (`aws-esdk`) whose
//! data key comes from the pool's KMS key through a KMS keyring (`aws-sdk-kms`, at the
//! configured endpoint: AWS KMS itself, or a KMS-compatible server), with the encryption
//! context `{"userpool-id": <pool ID>}`.
//!
//! The algorithm suite is Cognito's: `AES_256_GCM_IV12_TAG16_HKDF_SHA384_ECDSA_P384`
//! (message format 1, signed, without key commitment), which is why Cognito's sample senders
//! decrypt with the commitment policy `REQUIRE_ENCRYPT_ALLOW_DECRYPT`; a committing suite
//! would refuse nothing those senders accept, but would differ from what Cognito sends.

use async_trait::async_trait;
use aws_esdk::material_providers::client as mpl_client;
use aws_esdk::material_providers::types::EsdkAlgorithmSuiteId;
use aws_esdk::material_providers::types::EsdkCommitmentPolicy;
use aws_esdk::material_providers::types::material_providers_config::MaterialProvidersConfig;
use aws_esdk::types::aws_encryption_sdk_config::AwsEncryptionSdkConfig;
use aws_sdk_kms::config::timeout::TimeoutConfig;
use aws_sdk_kms::config::{BehaviorVersion, Credentials, Region, SharedCredentialsProvider};
use cognate_core::messaging::SendError;
use cognate_core::triggers::senders::CodeEncryptor;
use std::collections::HashMap;
use std::time::Duration;

/// Where the KMS keys are.
#[derive(Clone, Default)]
pub struct KmsRoute {
    /// The KMS endpoint (`https://kms.<region>.amazonaws.com` for AWS KMS).
    pub endpoint: Option<String>,
    /// Access key ID, secret key, session token, from `AWS_*`; when unset, any for an
    /// endpoint on this machine, else AWS's default credential chain.
    pub credentials: Option<(String, String, Option<String>)>,
}

impl std::fmt::Debug for KmsRoute {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsRoute")
            .field("endpoint", &self.endpoint)
            .finish_non_exhaustive()
    }
}

/// Encrypts codes with the AWS Encryption SDK and the pool's KMS key.
pub struct KmsEncryptor {
    route: KmsRoute,
    /// The default credential chain (environment, profile, container, instance role),
    /// made at first use, for an endpoint on another machine without `AWS_*` keys.
    chain: tokio::sync::OnceCell<SharedCredentialsProvider>,
}

/// How long one KMS call may take, and one whole encryption.
const KMS_TIMEOUT: Duration = Duration::from_secs(10);
const ENCRYPTION_TIMEOUT: Duration = Duration::from_secs(20);

/// KMS errors that another try will not mend (a key that does not exist, is disabled or not
/// ours to use); anything else (KMS unreachable, throttled) is tried again.
const FINAL_ERRORS: &[&str] = &[
    "NotFoundException",
    "DisabledException",
    "KMSInvalidStateException",
    "AccessDeniedException",
    "InvalidKeyUsageException",
];

impl KmsEncryptor {
    pub fn new(route: KmsRoute) -> Self {
        if let Some(endpoint) = &route.endpoint
            && endpoint.starts_with("http://")
            && !crate::functions::is_loopback(endpoint)
        {
            tracing::warn!(
                "the KMS endpoint is plain HTTP to another machine: data keys cross the network in clear; use https"
            );
        }
        Self {
            route,
            chain: tokio::sync::OnceCell::new(),
        }
    }

    /// The credentials KMS calls are signed with: the `AWS_*` keys when given; any for a
    /// KMS-compatible server on this machine; else the default chain.
    async fn credentials(&self, endpoint: &str) -> SharedCredentialsProvider {
        if let Some((id, secret, token)) = self.route.credentials.clone() {
            return SharedCredentialsProvider::new(Credentials::new(
                id, secret, token, None, "env",
            ));
        }
        if crate::functions::is_loopback(endpoint) {
            return SharedCredentialsProvider::new(Credentials::new(
                "cognate", "cognate", None, None, "local",
            ));
        }
        self.chain
            .get_or_init(|| async {
                SharedCredentialsProvider::new(
                    aws_config::default_provider::credentials::default_provider().await,
                )
            })
            .await
            .clone()
    }

    /// A KMS client for the key's region (an ARN's fourth field).
    async fn kms(&self, endpoint: &str, key_id: &str) -> aws_sdk_kms::Client {
        let region = key_id
            .split(':')
            .nth(3)
            .filter(|r| !r.is_empty())
            .unwrap_or("us-east-1");
        let config = aws_sdk_kms::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(region.to_owned()))
            .endpoint_url(endpoint)
            .credentials_provider(self.credentials(endpoint).await)
            .timeout_config(
                TimeoutConfig::builder()
                    .operation_timeout(KMS_TIMEOUT)
                    .connect_timeout(Duration::from_secs(3))
                    .build(),
            )
            .build();
        aws_sdk_kms::Client::from_conf(config)
    }
}

/// One encryption, start to end. The Encryption SDK calls KMS by blocking its thread on the
/// runtime (`block_in_place`), so this runs on a blocking thread of its own (see `encrypt`)
/// rather than stalling an async thread and the other messages the worker sends at once.
async fn encrypt_message(
    kms: aws_sdk_kms::Client,
    key_id: String,
    pool_id: String,
    plaintext: Vec<u8>,
) -> Result<Vec<u8>, String> {
    let esdk = AwsEncryptionSdkConfig::builder()
        .commitment_policy(EsdkCommitmentPolicy::ForbidEncryptAllowDecrypt)
        .build()
        .map_err(|e| e.to_string())?;
    let esdk = aws_esdk::client::Client::from_conf(esdk).map_err(|e| e.to_string())?;
    let mpl = MaterialProvidersConfig::builder()
        .build()
        .map_err(|e| e.to_string())?;
    let mpl = mpl_client::Client::from_conf(mpl).map_err(|e| e.to_string())?;
    let keyring = mpl
        .create_aws_kms_keyring()
        .kms_key_id(key_id)
        .kms_client(kms)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let context = HashMap::from([("userpool-id".to_owned(), pool_id)]);
    let out = esdk
        .encrypt()
        .plaintext(plaintext)
        .keyring(keyring)
        .encryption_context(context)
        .algorithm_suite_id(EsdkAlgorithmSuiteId::AlgAes256GcmIv12Tag16HkdfSha384EcdsaP384)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    out.ciphertext
        .map(|c| c.into_inner())
        .ok_or_else(|| "the Encryption SDK returned no ciphertext".into())
}

#[async_trait]
impl CodeEncryptor for KmsEncryptor {
    fn has_endpoint(&self) -> bool {
        self.route.endpoint.is_some()
    }

    async fn encrypt(
        &self,
        key_id: &str,
        pool_id: &str,
        plaintext: &[u8],
    ) -> Result<Vec<u8>, SendError> {
        let Some(endpoint) = &self.route.endpoint else {
            return Err(SendError {
                retryable: false,
                reason: "no KMS endpoint is configured".into(),
            });
        };
        let kms = self.kms(endpoint, key_id).await;
        let (key_id, pool_id, plaintext) =
            (key_id.to_owned(), pool_id.to_owned(), plaintext.to_vec());
        let handle = tokio::runtime::Handle::current();
        let task = tokio::task::spawn_blocking(move || {
            handle.block_on(encrypt_message(kms, key_id, pool_id, plaintext))
        });
        let reason = match tokio::time::timeout(ENCRYPTION_TIMEOUT, task).await {
            Ok(Ok(Ok(message))) => return Ok(message),
            Ok(Ok(Err(reason))) => reason,
            Ok(Err(e)) => format!("the encryption task ended: {e}"),
            Err(_) => format!("no answer within {ENCRYPTION_TIMEOUT:?}"),
        };
        Err(SendError {
            retryable: !FINAL_ERRORS.iter().any(|e| reason.contains(e)),
            reason,
        })
    }
}
