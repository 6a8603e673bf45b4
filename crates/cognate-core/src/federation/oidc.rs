//! Sign-in through an OIDC or social provider (AWS developer guide "Adding OIDC identity
//! providers to a user pool"; OpenID Connect Core 1.0 §3.1): the authorization code flow with
//! the upstream.
//!
//! `/oauth2/authorize` naming a provider sends the browser to the upstream's authorization
//! endpoint with a `state` that carries the original request (sealed, so nothing in it can be
//! forged or read), a `nonce`, and a PKCE challenge (RFC 7636). The state is bound to the
//! browser: it holds the hash of a random cookie set on that browser, so a state replayed
//! from another browser (login CSRF) is refused. At `/oauth2/idpresponse` the code is
//! exchanged at the upstream's token endpoint, the ID token verified against the upstream's
//! JWKS (signature, `iss`, `aud`, `exp`, `nonce`), userInfo read when there is an endpoint for
//! it, and nothing from the upstream is used before that. Endpoints the provider's details do
//! not give are discovered from `<oidc_issuer>/.well-known/openid-configuration`.

use super::StoredIdentityProvider;
use crate::error::{CognitoError, Result};
use crate::oauth::{AuthorizeError, AuthorizeGrant, AuthorizeParams, Site, with_query};
use crate::service::Cognito;
use crate::user::User;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// How long an upstream's discovery document and key set are used before being read again
/// (a key set is read again at once for a key it does not have).
pub const DOCUMENT_LIFETIME: std::time::Duration = std::time::Duration::from_secs(300);

/// How long a browser has to come back from the upstream.
const FLOW_LIFETIME_MS: i64 = 10 * 60 * 1000;
/// What the sealed state is bound to (it cannot be opened as any other sealed value).
const STATE_OWNER: &str = "federation-state";

/// The cookie that binds a browser to its federated sign-in; `__Host-` over https, so no
/// sibling domain can plant one (RFC 6265bis §4.1.3.2).
pub const BINDING_COOKIE: &str = "cognate-idp-flow";
pub const SECURE_BINDING_COOKIE: &str = "__Host-cognate-idp-flow";

/// A federated sign-in in flight, sealed into the upstream's `state` (a SAML provider's
/// `RelayState`).
#[derive(Serialize, Deserialize)]
pub(super) struct FlowState {
    pub params: AuthorizeParams,
    pub host_pool: Option<String>,
    pub provider: String,
    /// The OIDC nonce; a SAML `AuthnRequest`'s ID.
    pub nonce: String,
    /// The PKCE verifier (empty for SAML).
    pub verifier: String,
    /// Hex SHA-256 of the binding cookie's value.
    binding: String,
    pub expires_ms: i64,
    /// The hosted UI's base URL the flow began on (the upstream comes back there).
    #[serde(default)]
    pub base: String,
}

/// What an upstream says of its user: the claims (the ID token's, then userInfo's), and each
/// source as it came (for the InboundFederation trigger).
pub struct UpstreamUser {
    pub claims: Map<String, Value>,
    pub token_response: Map<String, Value>,
    pub id_token: Map<String, Value>,
    pub user_info: Map<String, Value>,
    /// A SAML provider's subject (`NameID`), the user's ID there.
    pub subject: Option<String>,
    /// A SAML provider's entity ID.
    pub issuer: Option<String>,
}

/// Where the browser goes to sign in upstream, and the binding cookie to set on it.
pub struct FederationStart {
    pub redirect: String,
    pub binding_cookie: String,
    /// The upstream answers by a cross-site form post (Apple): the cookie must be sent on it.
    pub form_post: bool,
}

/// An upstream's endpoints, from its details or its discovery document.
struct Endpoints {
    authorize: String,
    token: String,
    user_info: Option<String>,
    jwks: Option<String>,
    issuer: Option<String>,
    /// The token endpoint takes the client's credentials as HTTP Basic (RFC 6749 §2.3.1);
    /// otherwise in the form (`client_secret_post`).
    basic: bool,
}

pub(super) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    aws_lc_rs::rand::fill(&mut bytes).expect("system randomness");
    B64URL.encode(bytes)
}

pub(super) fn sha256_hex(value: &str) -> String {
    hex::encode(Sha256::digest(value.as_bytes()))
}

/// An upstream that failed to answer: the detail (with the host only: a URL may carry a
/// secret) is logged, the client is told no more than that.
fn unreachable(url: &str, detail: &str) -> CognitoError {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    tracing::warn!(%host, %detail, "identity provider did not answer as expected");
    CognitoError::invalid_parameter("The identity provider could not be reached.")
}

/// An error page: the flow cannot be trusted, so nothing is sent to any redirect URI.
pub(super) fn page(message: &str) -> AuthorizeError {
    AuthorizeError::Page(message.to_owned())
}

impl Cognito {
    /// `<base>/oauth2/idpresponse`: where upstreams send the browser back.
    fn federation_callback(&self, base: &str) -> String {
        let base = match base.is_empty() {
            true => self.issuer_base.trim_end_matches('/'),
            false => base,
        };
        format!("{base}/oauth2/idpresponse")
    }

    /// A discovery document or key set: kept for [`DOCUMENT_LIFETIME`] (see
    /// `Cognito::upstream_documents`), so sign-ins do not fetch them every time.
    async fn upstream_document(&self, url: &str) -> Result<Value> {
        if let Some(found) = self.upstream_documents.get(url) {
            return Ok(found);
        }
        let fetched = self.upstream_json(url, None).await?;
        self.upstream_documents
            .insert(url.to_owned(), fetched.clone());
        Ok(fetched)
    }

    async fn upstream_json(&self, url: &str, bearer: Option<&str>) -> Result<Value> {
        let answer = self
            .upstream
            .get(url, bearer)
            .await
            .map_err(|e| unreachable(url, &e))?;
        if answer.status != 200 {
            return Err(unreachable(url, &format!("answered {}", answer.status)));
        }
        serde_json::from_slice(&answer.body).map_err(|_| unreachable(url, "answered no JSON"))
    }

    async fn endpoints(&self, idp: &StoredIdentityProvider) -> Result<Endpoints> {
        let d = &idp.provider_details;
        let given = |k: &str| d.get(k).cloned();
        let issuer = given("oidc_issuer");
        let needs_discovery = ["authorize_url", "token_url", "jwks_uri"]
            .iter()
            .any(|k| !d.contains_key(*k))
            && issuer.is_some();
        let discovered = match (&issuer, needs_discovery) {
            (Some(issuer), true) => {
                let url = format!("{issuer}/.well-known/openid-configuration");
                self.upstream_document(&url).await?
            }
            _ => Value::Null,
        };
        let found = |k: &str| discovered.get(k).and_then(Value::as_str).map(str::to_owned);
        let methods: Vec<&str> = discovered
            .get("token_endpoint_auth_methods_supported")
            .and_then(Value::as_array)
            .map(|m| m.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let missing = || {
            CognitoError::invalid_parameter(
                "The identity provider has no authorization or token endpoint.",
            )
        };
        Ok(Endpoints {
            authorize: given("authorize_url")
                .or_else(|| found("authorization_endpoint"))
                .ok_or_else(missing)?,
            token: given("token_url")
                .or_else(|| found("token_endpoint"))
                .ok_or_else(missing)?,
            user_info: given("attributes_url").or_else(|| found("userinfo_endpoint")),
            jwks: given("jwks_uri").or_else(|| found("jwks_uri")),
            // Without discovery: HTTP Basic for OIDC (RFC 6749 §2.3.1's default), the form
            // for the social providers' own endpoints.
            basic: match methods.is_empty() {
                true => idp.provider_type == "OIDC",
                false => methods.contains(&"client_secret_basic"),
            },
            issuer,
        })
    }

    /// Seals a flow into a state the upstream hands back, bound to a new browser cookie:
    /// (the state, the cookie's value).
    pub(super) fn seal_flow(
        &self,
        params: &AuthorizeParams,
        site: &Site,
        provider: &str,
        nonce: &str,
        verifier: &str,
    ) -> (String, String) {
        let binding_cookie = random_token();
        let state = FlowState {
            params: params.clone(),
            host_pool: site.pool.clone(),
            base: site.base.clone(),
            provider: provider.to_owned(),
            nonce: nonce.to_owned(),
            verifier: verifier.to_owned(),
            binding: sha256_hex(&binding_cookie),
            expires_ms: self.clock.now().millis() + FLOW_LIFETIME_MS,
        };
        let sealed = self.secrets.seal(
            &serde_json::to_vec(&state).expect("a state serializes"),
            STATE_OWNER,
        );
        (sealed, binding_cookie)
    }

    /// The flow a state seals: `None` when it is no state of ours; an error page when it is
    /// bound to another browser or too old.
    pub(super) fn open_flow(
        &self,
        sealed: &str,
        binding_cookie: Option<&str>,
    ) -> Option<std::result::Result<FlowState, AuthorizeError>> {
        let state: FlowState = self
            .secrets
            .open(sealed, STATE_OWNER)
            .and_then(|json| serde_json::from_slice(&json).ok())?;
        let bound = binding_cookie
            .is_some_and(|c| bool::from(sha256_hex(c).as_bytes().ct_eq(state.binding.as_bytes())));
        if !bound {
            return Some(Err(page("This sign-in was started in another browser.")));
        }
        if self.clock.now().millis() > state.expires_ms {
            return Some(Err(page("The sign-in took too long; start again.")));
        }
        Some(Ok(state))
    }

    /// Starts a federated sign-in for an authorization request that names `idp`.
    pub async fn start_federation(
        &self,
        grant: &AuthorizeGrant,
        idp: &StoredIdentityProvider,
        params: &AuthorizeParams,
        site: &Site,
    ) -> std::result::Result<FederationStart, AuthorizeError> {
        let fail = |description: &str| AuthorizeError::Redirect {
            redirect_uri: grant.redirect_uri.clone(),
            error: "server_error",
            description: Some(description.to_owned()),
            state: grant.state.clone(),
        };
        if idp.provider_type == "SAML" {
            return self.start_saml(grant, idp, params, site).await;
        }
        let endpoints = self.endpoints(idp).await.map_err(|e| {
            tracing::warn!(provider = %idp.provider_name, error = %e.message, "identity provider unreachable");
            fail("The identity provider could not be reached.")
        })?;
        let (nonce, verifier) = (random_token(), random_token());
        let (sealed, binding_cookie) =
            self.seal_flow(params, site, &idp.provider_name, &nonce, &verifier);
        let challenge = B64URL.encode(Sha256::digest(verifier.as_bytes()));
        let callback = self.federation_callback(&site.base);
        let d = &idp.provider_details;
        let scopes = d.get("authorize_scopes").map_or("openid", String::as_str);
        let client_id = d.get("client_id").map_or("", String::as_str);
        let mut query = vec![
            ("response_type", "code"),
            ("client_id", client_id),
            ("redirect_uri", &callback),
            ("scope", scopes),
            ("state", &sealed),
            ("nonce", &nonce),
            ("code_challenge", &challenge),
            ("code_challenge_method", "S256"),
        ];
        let form_post = super::social::form_post(idp);
        if form_post {
            query.push(("response_mode", "form_post"));
        }
        let redirect = with_query(&endpoints.authorize, &query);
        Ok(FederationStart {
            redirect,
            binding_cookie,
            form_post,
        })
    }

    /// `/oauth2/idpresponse`: the upstream's answer (`code` or `error`), the `state` it
    /// carried back, and this browser's binding cookie. The authorization request to complete
    /// and the user it signs in.
    pub async fn finish_federation(
        &self,
        answer: &Map<String, Value>,
        binding_cookie: Option<&str>,
    ) -> std::result::Result<(AuthorizeGrant, User), AuthorizeError> {
        let text = |k: &str| answer.get(k).and_then(Value::as_str);
        let sealed = text("state").ok_or_else(|| page("Invalid state"))?;
        let state = self
            .open_flow(sealed, binding_cookie)
            .ok_or_else(|| page("Invalid state"))??;
        let grant = self
            .validate_authorize(&state.params, state.host_pool.as_deref())
            .await?;
        let fail = |error: &'static str, description: &str| AuthorizeError::Redirect {
            redirect_uri: grant.redirect_uri.clone(),
            error,
            description: Some(description.to_owned()),
            state: grant.state.clone(),
        };
        if let Some(error) = text("error") {
            // The upstream's refusal goes back to the client, as Cognito sends it.
            let description = text("error_description").unwrap_or(error);
            let error = match error {
                "access_denied" => "access_denied",
                "login_required" => "login_required",
                "interaction_required" => "interaction_required",
                "temporarily_unavailable" => "temporarily_unavailable",
                _ => "invalid_request",
            };
            return Err(fail(error, description));
        }
        let code = text("code").ok_or_else(|| fail("invalid_request", "code is missing"))?;
        let idp = self
            .store
            .get_identity_provider(&grant.pool.id, &state.provider)
            .await
            .ok()
            .flatten()
            .ok_or_else(|| fail("invalid_request", "The identity provider no longer exists."))?;
        let mut upstream = self
            .upstream_claims(&idp, code, &state)
            .await
            .map_err(|e| {
                tracing::warn!(provider = %idp.provider_name, error = %e.message, "federated sign-in refused");
                fail("invalid_request", &e.message)
            })?;
        // Apple tells the user's name only in its form post, only the first time.
        if let Some(user) = text("user") {
            for (k, v) in super::social::apple_user(user) {
                upstream
                    .claims
                    .entry(k.clone())
                    .or_insert_with(|| v.clone());
                upstream.user_info.entry(k).or_insert(v);
            }
        }
        let user = self
            .federated_user(&grant.pool, &idp, &grant.client, upstream)
            .await
            .map_err(|e| fail("invalid_request", &e.message))?;
        Ok((grant, user))
    }

    /// The user as the upstream tells: the code exchanged, the ID token verified, userInfo
    /// read.
    async fn upstream_claims(
        &self,
        idp: &StoredIdentityProvider,
        code: &str,
        state: &FlowState,
    ) -> Result<UpstreamUser> {
        let endpoints = self.endpoints(idp).await?;
        let secrets = self.provider_secrets(idp);
        let d = &idp.provider_details;
        let client_id = d.get("client_id").map_or("", String::as_str);
        let apple_secret = match (idp.provider_type.as_str(), secrets.get("private_key")) {
            ("SignInWithApple", Some(key)) => Some(super::social::apple_client_secret(
                idp,
                key,
                self.clock.now().seconds(),
            )?),
            _ => None,
        };
        let secret = apple_secret
            .as_deref()
            .or(secrets.get("client_secret").map(String::as_str));
        let callback = self.federation_callback(&state.base);
        let mut form = vec![
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", callback.as_str()),
            ("code_verifier", state.verifier.as_str()),
        ];
        let basic = match (secret, endpoints.basic) {
            (Some(secret), true) => Some((client_id, secret)),
            (Some(secret), false) => {
                form.push(("client_id", client_id));
                form.push(("client_secret", secret));
                None
            }
            (None, _) => {
                form.push(("client_id", client_id));
                None
            }
        };
        let answer = match super::social::token_by_get(idp) {
            // Facebook's Graph API: the request in the query, the secret in it too.
            true => {
                if let Some((id, secret)) = basic {
                    form.push(("client_id", id));
                    form.push(("client_secret", secret));
                }
                let url = with_query(&endpoints.token, &form);
                self.upstream.get(&url, None).await
            }
            false => {
                self.upstream
                    .post_form(&endpoints.token, &form, basic, None)
                    .await
            }
        }
        .map_err(|e| unreachable(&endpoints.token, &e))?;
        let tokens: Value = serde_json::from_slice(&answer.body).unwrap_or(Value::Null);
        if answer.status != 200 {
            let error: String = tokens
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("an error")
                .chars()
                .take(100)
                .collect();
            return Err(CognitoError::invalid_parameter(format!(
                "The identity provider refused the code: {error}"
            )));
        }
        let id_token = match tokens.get("id_token").and_then(Value::as_str) {
            Some(id_token) => {
                self.verified_id_token(&endpoints, client_id, id_token, &state.nonce)
                    .await?
            }
            // An OpenID provider must prove who signed in (and the nonce) with an ID token.
            None if super::social::needs_id_token(idp) => {
                return Err(CognitoError::invalid_parameter(
                    "The identity provider sent no ID token.",
                ));
            }
            None => Map::new(),
        };
        let access = tokens.get("access_token").and_then(Value::as_str);
        let wanted = super::social::reads_attributes(idp, !id_token.is_empty());
        let user_info = match (&endpoints.user_info, access) {
            (Some(url), Some(access)) if wanted => {
                let url = super::social::attributes_url(idp, url);
                self.upstream_user_info(idp, &url, access).await?
            }
            _ => Map::new(),
        };
        // userInfo must be about the ID token's user (OpenID Connect Core 1.0 §5.3.2).
        if !id_token.is_empty()
            && !user_info.is_empty()
            && id_token.get("sub") != user_info.get("sub")
        {
            return Err(CognitoError::invalid_parameter(
                "userInfo is about another user than the ID token.",
            ));
        }
        let mut claims = id_token.clone();
        for (k, v) in &user_info {
            claims.entry(k.clone()).or_insert_with(|| v.clone());
        }
        if claims.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "The identity provider gave no ID token and no user information.",
            ));
        }
        Ok(UpstreamUser {
            claims,
            token_response: tokens.as_object().cloned().unwrap_or_default(),
            id_token,
            user_info,
            subject: None,
            issuer: None,
        })
    }

    async fn upstream_user_info(
        &self,
        idp: &StoredIdentityProvider,
        url: &str,
        access: &str,
    ) -> Result<Map<String, Value>> {
        let post = idp
            .provider_details
            .get("attributes_request_method")
            .map(String::as_str)
            == Some("POST");
        let answer = match post {
            true => self.upstream.post_form(url, &[], None, Some(access)).await,
            false => self.upstream.get(url, Some(access)).await,
        }
        .map_err(|e| unreachable(url, &e))?;
        match serde_json::from_slice(&answer.body) {
            Ok(Value::Object(info)) if answer.status == 200 => Ok(info),
            _ => Err(unreachable(
                url,
                &format!("userInfo answered {}", answer.status),
            )),
        }
    }

    /// The ID token's claims once its signature (by a key of the upstream's JWKS), issuer,
    /// audience, expiry and nonce are right (OpenID Connect Core 1.0 §3.1.3.7).
    async fn verified_id_token(
        &self,
        endpoints: &Endpoints,
        client_id: &str,
        id_token: &str,
        nonce: &str,
    ) -> Result<Map<String, Value>> {
        use jsonwebtoken::jwk::JwkSet;
        use jsonwebtoken::{Algorithm, DecodingKey, Validation};
        let refused =
            |why: &str| CognitoError::invalid_parameter(format!("Invalid ID token: {why}"));
        let jwks_url = endpoints
            .jwks
            .as_deref()
            .ok_or_else(|| refused("no JWKS to verify it with"))?;
        let header = jsonwebtoken::decode_header(id_token).map_err(|_| refused("malformed"))?;
        if !matches!(
            header.alg,
            Algorithm::RS256
                | Algorithm::RS384
                | Algorithm::RS512
                | Algorithm::ES256
                | Algorithm::ES384
                | Algorithm::PS256
        ) {
            return Err(refused("unsupported algorithm"));
        }
        let mut keys: JwkSet = serde_json::from_value(self.upstream_document(jwks_url).await?)
            .map_err(|_| refused("the JWKS cannot be read"))?;
        if let Some(kid) = &header.kid
            && keys.find(kid).is_none()
        {
            // A key the copy does not know: the upstream may have rotated; read it again.
            self.upstream_documents.invalidate(jwks_url);
            keys = serde_json::from_value(self.upstream_document(jwks_url).await?)
                .map_err(|_| refused("the JWKS cannot be read"))?;
        }
        let jwk = match &header.kid {
            Some(kid) => keys.find(kid),
            None => keys.keys.first(),
        }
        .ok_or_else(|| refused("signed by an unknown key"))?;
        let key = DecodingKey::from_jwk(jwk).map_err(|_| refused("unusable key"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_audience(&[client_id]);
        match &endpoints.issuer {
            Some(issuer) => validation.set_issuer(&[issuer]),
            None => return Err(refused("no issuer to check it against")),
        }
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let data = jsonwebtoken::decode::<Map<String, Value>>(id_token, &key, &validation)
            .map_err(|e| refused(&e.to_string()))?;
        let claims = data.claims;
        let given = claims
            .get("nonce")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !bool::from(given.as_bytes().ct_eq(nonce.as_bytes())) {
            return Err(refused("nonce mismatch"));
        }
        Ok(claims)
    }
}
