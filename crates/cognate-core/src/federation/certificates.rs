//! The pool's own certificates for SAML 2.0 federation (API reference GetSigningCertificate;
//! AWS developer guide "SAML signing and encryption"): an RSA key pair per pool, with a
//! self-signed X.509 certificate valid ten years, that signs the pool's requests to SAML
//! providers. GetSigningCertificate returns the certificate as base64 DER (no PEM armour).
//! Made at first use, on a blocking thread (RSA key generation takes tens of milliseconds);
//! the private key is sealed at rest. Several nodes may race to make it: the first stored
//! wins, and every node reads that one.

use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use crate::time::Timestamp;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// What a certificate is for.
pub const SIGNING: &str = "signing";

/// A certificate as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCertificate {
    pub pool_id: String,
    pub purpose: String,
    /// Base64 DER.
    pub certificate: String,
    /// The PKCS#8 private key, sealed.
    pub sealed_key: String,
    pub created: Timestamp,
}

/// A key pair and its self-signed certificate (DER each) named after `pool_id`.
fn generate(pool_id: &str) -> std::result::Result<(Vec<u8>, Vec<u8>), rcgen::Error> {
    use rcgen::{
        CertificateParams, DistinguishedName, DnType, KeyPair, PKCS_RSA_SHA256, RsaKeySize,
    };
    let key = KeyPair::generate_rsa_for(&PKCS_RSA_SHA256, RsaKeySize::_2048)?;
    let mut params = CertificateParams::new(Vec::<String>::new())?;
    let mut name = DistinguishedName::new();
    name.push(
        DnType::CommonName,
        format!("urn:amazon:cognito:sp:{pool_id}"),
    );
    params.distinguished_name = name;
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(3650);
    let certificate = params.self_signed(&key)?;
    Ok((certificate.der().to_vec(), key.serialize_der()))
}

impl Cognito {
    /// GetSigningCertificate: the pool's signing certificate, base64 DER.
    pub async fn get_signing_certificate(&self, region: &str, pool_id: &str) -> Result<String> {
        self.pool(region, pool_id).await?;
        Ok(self.pool_certificate(pool_id, SIGNING).await?.certificate)
    }

    /// The pool's certificate for `purpose`, made and stored at first use.
    pub(crate) async fn pool_certificate(
        &self,
        pool_id: &str,
        purpose: &str,
    ) -> Result<StoredCertificate> {
        if let Some(found) = self.store.get_certificate(pool_id, purpose).await? {
            return Ok(found);
        }
        let owner = pool_id.to_owned();
        let (certificate, key) = tokio::task::spawn_blocking(move || generate(&owner))
            .await
            .map_err(|e| CognitoError::internal(format!("certificate task: {e}")))?
            .map_err(|e| CognitoError::internal(format!("cannot make a certificate: {e}")))?;
        let made = StoredCertificate {
            pool_id: pool_id.to_owned(),
            purpose: purpose.to_owned(),
            certificate: B64.encode(certificate),
            sealed_key: self
                .secrets
                .seal(&key, &format!("{pool_id}/certificate/{purpose}")),
            created: self.clock.now(),
        };
        self.store.insert_certificate_if_absent(&made).await?;
        tracing::info!(%pool_id, %purpose, "pool certificate made");
        // Another node may have stored its own first: that one is the pool's.
        self.store
            .get_certificate(pool_id, purpose)
            .await?
            .ok_or_else(|| CognitoError::internal("the certificate was not stored"))
    }
}
