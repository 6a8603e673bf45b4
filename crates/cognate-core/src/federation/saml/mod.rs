//! SAML 2.0 identity providers (AWS developer guide "Adding SAML identity providers to a user
//! pool"; SAML 2.0 Metadata §2.4.3, §2.4.4): their `ProviderDetails` — the IdP's metadata
//! (`MetadataFile`, or `MetadataURL` read when the provider is saved), `IDPSignout`,
//! `IDPInit`, `EncryptedResponses`, `RequestSigningAlgorithm` — and what Cognito derives from
//! the metadata and shows: `SSORedirectBindingURI`, `SLORedirectBindingURI`, and
//! `ActiveEncryptionCertificate`, the certificate of a key pair the pool keeps for each SAML
//! provider (IdPs encrypt assertions to it).
//!
//! Sign-in is in `signin.rs` (SP- and IdP-initiated), the messages the pool sends in
//! `request.rs`, the verification of what providers answer in `response.rs`, sign-out at the
//! provider in `logout.rs`; docs/design/saml.md holds the research behind them.

mod encrypted;
pub mod logout;
pub mod request;
pub mod response;
pub mod signin;

use crate::error::{CognitoError, Result};
use crate::service::Cognito;
use std::collections::BTreeMap;

type Details = BTreeMap<String, String>;

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
/// The largest metadata document read (Cognito's `ProviderDetails` values are at most 131,072
/// characters).
const MAX_METADATA: usize = 131_072;

/// What the pool needs of an IdP's metadata.
#[derive(Debug, Clone, PartialEq)]
pub struct IdpMetadata {
    pub entity_id: String,
    /// `SingleSignOnService` with the HTTP-Redirect binding.
    pub sso_redirect: String,
    /// `SingleLogoutService` with the HTTP-Redirect binding, if the IdP has one.
    pub slo_redirect: Option<String>,
    /// The IdP's signing certificates (base64 DER): a `KeyDescriptor` for signing, or for
    /// any use.
    pub signing_certificates: Vec<String>,
}

fn unreadable() -> CognitoError {
    CognitoError::invalid_parameter("Unable to unmarshall metadata")
}

/// Reads an IdP's metadata: an `EntityDescriptor` (alone, or the first of an
/// `EntitiesDescriptor`) with an `IDPSSODescriptor`. DTDs are refused.
pub fn parse_metadata(xml: &str) -> Result<IdpMetadata> {
    let doc = roxmltree::Document::parse(xml).map_err(|_| unreadable())?;
    let is = |n: &roxmltree::Node, ns: &str, name: &str| {
        n.is_element() && n.tag_name().name() == name && n.tag_name().namespace() == Some(ns)
    };
    let entity = doc
        .descendants()
        .find(|n| {
            is(n, MD, "EntityDescriptor") && n.children().any(|c| is(&c, MD, "IDPSSODescriptor"))
        })
        .ok_or_else(unreadable)?;
    let idp = entity
        .children()
        .find(|c| is(c, MD, "IDPSSODescriptor"))
        .ok_or_else(unreadable)?;
    let location = |service: &str| {
        idp.children()
            .find(|c| is(c, MD, service) && c.attribute("Binding") == Some(REDIRECT))
            .and_then(|c| c.attribute("Location"))
            .map(str::to_owned)
    };
    let sso_redirect = location("SingleSignOnService").ok_or_else(|| {
        CognitoError::invalid_parameter(
            "No SingleSignOn Http redirect binding location found in metadata.",
        )
    })?;
    let signing_certificates = idp
        .children()
        .filter(|c| is(c, MD, "KeyDescriptor") && c.attribute("use").is_none_or(|u| u == "signing"))
        .flat_map(|k| k.descendants().filter(|d| is(d, DS, "X509Certificate")))
        .filter_map(|c| c.text())
        .map(|t| {
            t.chars()
                .filter(|ch| !ch.is_whitespace())
                .collect::<String>()
        })
        .filter(|t| !t.is_empty())
        .collect();
    // The entity ID is the issuer every assertion is checked against.
    let entity_id = entity
        .attribute("entityID")
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(unreadable)?;
    Ok(IdpMetadata {
        entity_id: entity_id.to_owned(),
        sso_redirect,
        slo_redirect: location("SingleLogoutService"),
        signing_certificates,
    })
}

/// A `"true"`/`"false"` detail, if given, must be one of those.
fn check_flag(details: &Details, key: &str) -> Result<()> {
    match details.get(key).map(String::as_str) {
        None | Some("true" | "false") => Ok(()),
        Some(other) => Err(CognitoError::invalid_parameter(format!(
            "{key} must be true or false, not {other}."
        ))),
    }
}

/// The purpose under which the pool keeps a SAML provider's encryption key pair.
pub(crate) fn encryption_purpose(provider_name: &str) -> String {
    format!("idp-encryption/{provider_name}")
}

impl Cognito {
    /// A SAML provider's details as Cognito keeps them: the metadata read (from the file, or
    /// fetched from the URL), the redirect locations and the encryption certificate added.
    pub(crate) async fn saml_details(
        &self,
        pool_id: &str,
        provider_name: &str,
        mut details: Details,
    ) -> Result<Details> {
        let xml = match (details.get("MetadataFile"), details.get("MetadataURL")) {
            (Some(file), _) => file.clone(),
            (None, Some(url)) => self.fetch_metadata(url).await?,
            (None, None) => {
                return Err(CognitoError::invalid_parameter(
                    "At least one of the MetadataURL or MetadataFile should be provided.",
                ));
            }
        };
        let metadata = parse_metadata(&xml)?;
        for key in ["IDPSignout", "IDPInit", "EncryptedResponses"] {
            check_flag(&details, key)?;
        }
        if let Some(alg) = details.get("RequestSigningAlgorithm")
            && alg != "rsa-sha256"
        {
            return Err(CognitoError::invalid_parameter(format!(
                "RequestSigningAlgorithm must be rsa-sha256, not {alg}."
            )));
        }
        details.insert("SSORedirectBindingURI".into(), metadata.sso_redirect);
        match metadata.slo_redirect {
            Some(slo) => details.insert("SLORedirectBindingURI".into(), slo),
            None => details.remove("SLORedirectBindingURI"),
        };
        let certificate = self
            .pool_certificate(pool_id, &encryption_purpose(provider_name))
            .await?;
        details.insert(
            "ActiveEncryptionCertificate".into(),
            certificate.certificate,
        );
        Ok(details)
    }

    /// The pool's SAML service-provider metadata (SAML 2.0 Metadata §2.4.4): its entity ID,
    /// the assertion consumer service and sign-out endpoints, its signing certificate, and
    /// with `provider` that provider's encryption certificate. Cognito publishes no such
    /// document; identity providers are configured from it more easily than by hand.
    /// `base` is the hosted UI's base URL the IdP is to use (see `Cognito::site`).
    pub async fn sp_metadata(
        &self,
        pool_id: &str,
        provider: Option<&str>,
        base: &str,
    ) -> Result<String> {
        use request::escape;
        let signing = self
            .pool_certificate(pool_id, super::certificates::SIGNING)
            .await?;
        let key = |usage: &str, certificate: &str| {
            format!(
                r#"<md:KeyDescriptor use="{usage}"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"#
            )
        };
        let mut keys = key("signing", &signing.certificate);
        let mut signed = false;
        if let Some(name) = provider {
            let idp = self
                .store
                .get_identity_provider(pool_id, name)
                .await?
                .filter(|p| p.provider_type == "SAML")
                .ok_or_else(|| super::providers::not_found(name, pool_id))?;
            let encryption = self
                .pool_certificate(pool_id, &encryption_purpose(&idp.provider_name))
                .await?;
            keys.push_str(&key("encryption", &encryption.certificate));
            signed = idp.provider_details.contains_key("RequestSigningAlgorithm");
        }
        Ok(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><md:EntityDescriptor xmlns:md="{MD}" xmlns:ds="{DS}" entityID="{entity}"><md:SPSSODescriptor AuthnRequestsSigned="{signed}" WantAssertionsSigned="true" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">{keys}<md:SingleLogoutService Binding="{POST}" Location="{slo}"/><md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat><md:AssertionConsumerService Binding="{POST}" Location="{acs}" index="1" isDefault="true"/></md:SPSSODescriptor></md:EntityDescriptor>"#,
            entity = escape(&signin::sp_entity_id(pool_id)),
            POST = request::POST_BINDING,
            slo = escape(&format!("{base}/saml2/logout")),
            acs = escape(&signin::acs(base)),
        ))
    }

    /// `MetadataURL`, read now (an https URL, or http on this machine).
    async fn fetch_metadata(&self, url: &str) -> Result<String> {
        if !super::details::acceptable_url(url) {
            return Err(CognitoError::invalid_parameter(format!(
                "MetadataURL {url} must be an https URL."
            )));
        }
        let answer = self.upstream.get(url, None).await.map_err(|e| {
            CognitoError::invalid_parameter(format!("Unable to read metadata from {url}: {e}"))
        })?;
        if answer.status != 200 {
            return Err(CognitoError::invalid_parameter(format!(
                "Non-ok status code {} returned from remote metadata source {url}",
                answer.status
            )));
        }
        if answer.body.len() > MAX_METADATA {
            return Err(unreadable());
        }
        String::from_utf8(answer.body).map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const METADATA: &str = r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      MIIB
      AAAA
    </ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso-post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#;

    #[test]
    fn metadata_gives_the_redirect_locations_and_signing_certificates() {
        let m = parse_metadata(METADATA).unwrap();
        assert_eq!(m.entity_id, "https://idp.example.com/saml");
        assert_eq!(m.sso_redirect, "https://idp.example.com/sso");
        assert_eq!(
            m.slo_redirect.as_deref(),
            Some("https://idp.example.com/slo")
        );
        assert_eq!(m.signing_certificates, ["MIIBAAAA"]);
    }

    #[test]
    fn metadata_without_a_redirect_sign_on_or_with_a_dtd_is_refused() {
        let no_redirect = METADATA.replace(
            r#"<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>"#,
            "",
        );
        assert!(parse_metadata(&no_redirect).is_err());
        let dtd = format!("<!DOCTYPE x [<!ENTITY e \"x\">]>{METADATA}");
        assert!(parse_metadata(&dtd).is_err());
        assert!(parse_metadata("not xml").is_err());
    }
}
