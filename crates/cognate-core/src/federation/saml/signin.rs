//! Sign-in through a SAML 2.0 provider (AWS developer guide "SAML session initiation in
//! Amazon Cognito user pools", "The saml2/idpresponse endpoint"; SAML 2.0 Profiles §4.1).
//!
//! SP-initiated: `/oauth2/authorize` naming the provider sends the browser to its
//! `SingleSignOnService` with an `AuthnRequest` (HTTP-Redirect, signed when the provider sets
//! `RequestSigningAlgorithm`); the `RelayState` is the sealed flow, bound to the browser by a
//! cookie as in `oidc.rs`, and holds the request's ID. The provider posts its `Response` to
//! `/saml2/idpresponse`, where it is verified (`response.rs`) — `InResponseTo` must be that ID
//! — and the assertion's ID is used up, so no assertion signs in twice.
//!
//! IdP-initiated (`IDPInit: "true"`): the provider posts a response no request asked for, with
//! the authorization request in `RelayState` (`client_id`, `redirect_uri`, `response_type`,
//! `identity_provider` or `idp_identifier`, `scope`); the assertion must not name a request
//! and must be at most six minutes old, and the app client may support only SAML providers.

use super::request::{authn_request, message_id, redirect_url};
use super::response::{self, Assertion, CLOCK_SKEW_MS, Expected};
use super::{IdpMetadata, encryption_purpose, parse_metadata};
use crate::error::{CognitoError, Result};
use crate::federation::StoredIdentityProvider;
use crate::federation::certificates::SIGNING;
use crate::federation::oidc::{FederationStart, UpstreamUser, page, sha256_hex};
use crate::oauth::{AuthorizeError, AuthorizeGrant, AuthorizeParams, Site};
use crate::service::Cognito;
use crate::user::User;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::{Map, Value};

/// The largest `SAMLResponse` taken, in characters (the saml2/idpresponse endpoint page).
pub const MAX_SAML_RESPONSE: usize = 100_000;
/// Cognito's answer to an unsolicited response it cannot take.
const UNSOLICITED: &str = "Invalid samlResponse or relayState from identity provider";

/// The pool's entity ID as a SAML service provider, and the audience of its assertions.
pub fn sp_entity_id(pool_id: &str) -> String {
    format!("urn:amazon:cognito:sp:{pool_id}")
}

/// The SAML session a sign-in began, for a later sign-out at the provider.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct SamlSession {
    pub pool_id: String,
    pub provider: String,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

fn is_true(idp: &StoredIdentityProvider, key: &str) -> bool {
    idp.provider_details.get(key).map(String::as_str) == Some("true")
}

/// `<base>/saml2/idpresponse`: the assertion consumer service on the hosted UI's base URL.
pub fn acs(base: &str) -> String {
    format!("{base}/saml2/idpresponse")
}

impl Cognito {
    /// The provider's metadata: its `MetadataFile`, or its `MetadataURL` read again at most
    /// every five minutes (so a rotated certificate is taken up).
    pub(super) async fn idp_metadata(&self, idp: &StoredIdentityProvider) -> Result<IdpMetadata> {
        if let Some(file) = idp.provider_details.get("MetadataFile") {
            return parse_metadata(file);
        }
        let url = idp
            .provider_details
            .get("MetadataURL")
            .ok_or_else(|| CognitoError::invalid_parameter("The provider has no metadata."))?;
        let xml = match self.upstream_documents.get(url) {
            Some(Value::String(xml)) => xml,
            _ => {
                let xml = self.fetch_metadata(url).await?;
                self.upstream_documents
                    .insert(url.clone(), Value::String(xml.clone()));
                xml
            }
        };
        parse_metadata(&xml)
    }

    /// The PKCS#8 private key of one of the pool's certificates.
    pub(super) async fn pool_private_key(&self, pool_id: &str, purpose: &str) -> Result<Vec<u8>> {
        let certificate = self.pool_certificate(pool_id, purpose).await?;
        self.secrets
            .open(
                &certificate.sealed_key,
                &format!("{pool_id}/certificate/{purpose}"),
            )
            .ok_or_else(|| CognitoError::internal("the pool's key cannot be opened"))
    }

    /// Sends the browser to the provider's sign-on service with an `AuthnRequest`.
    pub(crate) async fn start_saml(
        &self,
        grant: &AuthorizeGrant,
        idp: &StoredIdentityProvider,
        params: &AuthorizeParams,
        site: &Site,
    ) -> std::result::Result<FederationStart, AuthorizeError> {
        let fail = |e: CognitoError| {
            tracing::warn!(provider = %idp.provider_name, error = %e.message, "SAML sign-in not started");
            AuthorizeError::Redirect {
                redirect_uri: grant.redirect_uri.clone(),
                error: "server_error",
                description: Some("The identity provider could not be reached.".into()),
                state: grant.state.clone(),
            }
        };
        let metadata = self.idp_metadata(idp).await.map_err(fail)?;
        let id = message_id();
        let (relay_state, binding_cookie) =
            self.seal_flow(params, site, &idp.provider_name, &id, "");
        let key = match idp.provider_details.get("RequestSigningAlgorithm") {
            Some(_) => Some(
                self.pool_private_key(&grant.pool.id, SIGNING)
                    .await
                    .map_err(fail)?,
            ),
            None => None,
        };
        let xml = authn_request(
            &id,
            self.clock.now().millis(),
            &metadata.sso_redirect,
            &acs(&site.base),
            &sp_entity_id(&grant.pool.id),
        );
        let redirect = redirect_url(&metadata.sso_redirect, &xml, &relay_state, key.as_deref())
            .map_err(|e| fail(CognitoError::internal(e)))?;
        Ok(FederationStart {
            redirect,
            binding_cookie,
            // The provider answers by a cross-site form post: the cookie must go with it.
            form_post: true,
        })
    }

    /// `POST /saml2/idpresponse`: the provider's `SAMLResponse` and `RelayState`, verified,
    /// and the user it signs in.
    pub async fn finish_saml(
        &self,
        saml_response: &str,
        relay_state: Option<&str>,
        binding_cookie: Option<&str>,
        site: &Site,
    ) -> std::result::Result<(AuthorizeGrant, User, SamlSession), AuthorizeError> {
        let relay_state = relay_state.unwrap_or_default();
        // The ACS the response must be addressed to: the one the request named, or (unsolicited)
        // the one it was posted to.
        let (grant, request_id, acs) = match self.open_flow(relay_state, binding_cookie) {
            Some(state) => {
                let state = state?;
                // Each request is answered once: a flow's state cannot carry a second
                // response (nor probe the pool with many).
                let now = self.clock.now().millis();
                let request = format!("saml-request/{}", sha256_hex(&state.nonce));
                let fresh = self
                    .store
                    .consume_challenge(&request, state.expires_ms, now)
                    .await
                    .map_err(|_| page(UNSOLICITED))?;
                if !fresh {
                    return Err(page(UNSOLICITED));
                }
                let grant = self
                    .validate_authorize(&state.params, state.host_pool.as_deref())
                    .await?;
                let base = match state.base.is_empty() {
                    true => site.base.clone(),
                    false => state.base,
                };
                (grant, Some(state.nonce), acs(&base))
            }
            None => (
                self.unsolicited(relay_state, site.pool.as_deref()).await?,
                None,
                acs(&site.base),
            ),
        };
        let fail = |reason: &str| AuthorizeError::Redirect {
            redirect_uri: grant.redirect_uri.clone(),
            error: "server_error",
            description: Some(format!("Invalid SAML response received: {reason}")),
            state: grant.state.clone(),
        };
        let idp = match &grant.identity_provider {
            Some(idp) if idp.provider_type == "SAML" => idp.clone(),
            _ => return Err(page(UNSOLICITED)),
        };
        let assertion = self
            .verified_assertion(&grant, &idp, saml_response, request_id.as_deref(), acs)
            .await
            .map_err(|reason| {
                tracing::info!(pool_id = %grant.pool.id, provider = %idp.provider_name, %reason, "SAML response refused");
                fail(&reason)
            })?;
        let session = SamlSession {
            pool_id: grant.pool.id.clone(),
            provider: idp.provider_name.clone(),
            name_id: assertion.name_id.clone(),
            name_id_format: assertion.name_id_format.clone(),
            session_index: assertion.session_index.clone(),
        };
        let claims: Map<String, Value> = assertion
            .attributes
            .iter()
            .map(|(name, values)| (name.clone(), Value::from(values.join(","))))
            .collect();
        let upstream = UpstreamUser {
            claims,
            token_response: Map::new(),
            id_token: Map::new(),
            user_info: Map::new(),
            subject: Some(assertion.name_id),
            issuer: Some(assertion.issuer),
        };
        let user = self
            .federated_user(&grant.pool, &idp, &grant.client, upstream)
            .await
            .map_err(|e| fail(&e.message))?;
        Ok((grant, user, session))
    }

    /// The authorization request of an IdP-initiated response, if the provider and the app
    /// client allow one.
    async fn unsolicited(
        &self,
        relay_state: &str,
        host_pool: Option<&str>,
    ) -> std::result::Result<AuthorizeGrant, AuthorizeError> {
        let params: AuthorizeParams =
            serde_urlencoded::from_str(relay_state).map_err(|_| page(UNSOLICITED))?;
        if params.identity_provider.is_none() && params.idp_identifier.is_none() {
            return Err(page(UNSOLICITED));
        }
        let grant = self.validate_authorize(&params, host_pool).await?;
        let allowed = grant
            .identity_provider
            .as_ref()
            .is_some_and(|idp| idp.provider_type == "SAML" && is_true(idp, "IDPInit"));
        if !allowed {
            return Err(page(UNSOLICITED));
        }
        // An app client of an IdP-initiated provider supports SAML providers only (not even
        // COGNITO): otherwise an unsolicited assertion could stand in for another sign-in.
        for name in &grant.client.settings.supported_identity_providers {
            let saml = match self.store.get_identity_provider(&grant.pool.id, name).await {
                Ok(Some(other)) => other.provider_type == "SAML",
                _ => false,
            };
            if !saml {
                return Err(page(UNSOLICITED));
            }
        }
        Ok(grant)
    }

    /// The response decoded, verified against the provider's metadata and used up.
    async fn verified_assertion(
        &self,
        grant: &AuthorizeGrant,
        idp: &StoredIdentityProvider,
        saml_response: &str,
        request_id: Option<&str>,
        acs: String,
    ) -> std::result::Result<Assertion, String> {
        if saml_response.len() > MAX_SAML_RESPONSE {
            return Err("The response is too long.".into());
        }
        let compact: String = saml_response
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let xml = B64
            .decode(compact)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or("The response is not base64-encoded XML.")?;
        let metadata = self.idp_metadata(idp).await.map_err(|e| e.message)?;
        let certificates: Vec<Vec<u8>> = metadata
            .signing_certificates
            .iter()
            .filter_map(|c| B64.decode(c).ok())
            .collect();
        let decryption_key = match xml.contains("EncryptedAssertion") {
            true => Some(
                self.pool_private_key(&grant.pool.id, &encryption_purpose(&idp.provider_name))
                    .await
                    .map_err(|e| e.message)?,
            ),
            false => None,
        };
        let now = self.clock.now().millis();
        let (issuer, audience) = (metadata.entity_id, sp_entity_id(&grant.pool.id));
        let request_id = request_id.map(str::to_owned);
        let require_encryption = is_true(idp, "EncryptedResponses");
        // RSA and canonicalization are CPU work: off the async threads.
        let assertion = tokio::task::spawn_blocking(move || {
            response::verify(
                &xml,
                &Expected {
                    issuer: &issuer,
                    audience: &audience,
                    acs: &acs,
                    in_response_to: request_id.as_deref(),
                    now_ms: now,
                    certificates: &certificates,
                    decryption_key: decryption_key.as_deref(),
                    require_encryption,
                },
            )
        })
        .await
        .map_err(|_| "The response could not be checked.".to_string())??;
        // No replayed assertions: each ID is used once while it is valid.
        let used = format!(
            "saml-assertion/{}",
            sha256_hex(&format!(
                "{}\n{}\n{}",
                grant.pool.id, assertion.issuer, assertion.id
            ))
        );
        let fresh = self
            .store
            .consume_challenge(
                &used,
                assertion.not_on_or_after_ms.saturating_add(CLOCK_SKEW_MS),
                now,
            )
            .await
            .map_err(|_| "The response could not be checked.".to_string())?;
        if !fresh {
            return Err("The assertion was already used.".into());
        }
        Ok(assertion)
    }
}
