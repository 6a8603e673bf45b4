//! Signing out at a SAML provider (AWS developer guide "Signing out SAML users with single
//! sign-out"): with `IDPSignout: "true"`, `/logout` sends the browser to the provider's
//! `SingleLogoutService` with a signed `LogoutRequest` (HTTP-Redirect, the pool's signing key)
//! naming the user's `NameID` and `SessionIndex`; the provider posts a `LogoutResponse` to
//! `/saml2/logout`, and the browser goes on to the sign-out URL it first asked for.
//!
//! What a sign-in began is kept in a sealed cookie (`SamlSession`); the sign-out in flight in
//! the sealed `RelayState`, which alone says where the browser goes afterwards.

use super::request::{logout_request, message_id, redirect_url};
use super::signin::{SamlSession, sp_entity_id};
use crate::federation::certificates::SIGNING;
use crate::service::Cognito;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde::{Deserialize, Serialize};

/// The cookie that remembers a SAML sign-in for its sign-out.
pub const SESSION_COOKIE: &str = "cognate-saml-session";
pub const SECURE_SESSION_COOKIE: &str = "__Host-cognate-saml-session";
const SESSION_OWNER: &str = "saml-session";
const LOGOUT_OWNER: &str = "saml-logout";
/// How long a browser has to come back from the provider's sign-out.
const LOGOUT_LIFETIME_MS: i64 = 10 * 60 * 1000;

/// A sign-out in flight, sealed into the `RelayState`.
#[derive(Serialize, Deserialize)]
struct LogoutState {
    pool_id: String,
    provider: String,
    request_id: String,
    target: String,
    expires_ms: i64,
}

impl Cognito {
    pub fn seal_saml_session(&self, session: &SamlSession) -> String {
        let json = serde_json::to_vec(session).expect("a session serializes");
        self.secrets.seal(&json, SESSION_OWNER)
    }

    pub fn open_saml_session(&self, sealed: &str) -> Option<SamlSession> {
        let json = self.secrets.open(sealed, SESSION_OWNER)?;
        serde_json::from_slice(&json).ok()
    }

    /// Where the browser goes to sign out at the provider before going on to `target`, when
    /// the sign-out is for the pool of `session` (the app client's), and its provider signs
    /// out there (`IDPSignout`) and has a sign-out service.
    pub async fn saml_logout_redirect(
        &self,
        session: &SamlSession,
        client_id: &str,
        host_pool: Option<&str>,
        target: &str,
    ) -> Option<String> {
        let (pool, _) = self.oauth_client(client_id, host_pool).await.ok()??;
        if session.pool_id != pool.id {
            return None;
        }
        let pool_id = pool.id.as_str();
        let idp = self
            .store
            .get_identity_provider(pool_id, &session.provider)
            .await
            .ok()??;
        if idp.provider_details.get("IDPSignout").map(String::as_str) != Some("true") {
            return None;
        }
        let slo = self.idp_metadata(&idp).await.ok()?.slo_redirect?;
        let key = self.pool_private_key(pool_id, SIGNING).await.ok()?;
        let id = message_id();
        let now = self.clock.now().millis();
        let state = LogoutState {
            pool_id: pool_id.to_owned(),
            provider: session.provider.clone(),
            request_id: id.clone(),
            target: target.to_owned(),
            expires_ms: now + LOGOUT_LIFETIME_MS,
        };
        let relay = self.secrets.seal(
            &serde_json::to_vec(&state).expect("a state serializes"),
            LOGOUT_OWNER,
        );
        let xml = logout_request(
            &id,
            now,
            &slo,
            &sp_entity_id(pool_id),
            &session.name_id,
            session.name_id_format.as_deref(),
            session.session_index.as_deref(),
        );
        redirect_url(&slo, &xml, &relay, Some(&key)).ok()
    }

    /// `POST /saml2/logout`: the provider's `LogoutResponse`; the sign-out URL the browser
    /// goes on to, or why not (for an error page).
    pub async fn finish_saml_logout(
        &self,
        saml_response: &str,
        relay_state: &str,
    ) -> std::result::Result<String, String> {
        let invalid = || "Invalid samlResponse or relayState from identity provider".to_string();
        let state: LogoutState = self
            .secrets
            .open(relay_state, LOGOUT_OWNER)
            .and_then(|json| serde_json::from_slice(&json).ok())
            .ok_or_else(invalid)?;
        if self.clock.now().millis() > state.expires_ms {
            return Err("The sign-out took too long; start again.".into());
        }
        if saml_response.len() > super::signin::MAX_SAML_RESPONSE {
            return Err(invalid());
        }
        let compact: String = saml_response
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let xml = B64
            .decode(compact)
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(invalid)?;
        let idp = self
            .store
            .get_identity_provider(&state.pool_id, &state.provider)
            .await
            .ok()
            .flatten()
            .ok_or_else(invalid)?;
        let metadata = self.idp_metadata(&idp).await.map_err(|e| e.message)?;
        let certificates: Vec<Vec<u8>> = metadata
            .signing_certificates
            .iter()
            .filter_map(|c| B64.decode(c).ok())
            .collect();
        let request_id = state.request_id.clone();
        tokio::task::spawn_blocking(move || {
            super::response::verify_logout_response(&xml, &certificates, &request_id)
        })
        .await
        .map_err(|_| invalid())??;
        Ok(state.target)
    }
}
