//! A tiny Cognito stand-in on 127.0.0.1:0 (JWKS, authorize, token, revoke) and tokens signed
//! with test RSA keys, so the tests need no running Cognate.
#![allow(dead_code)]

mod client;
#[allow(unused_imports)] // the benchmark uses only the mock
pub use client::*;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::KeySize;
use aws_lc_rs::signature::{KeyPair, RSA_PKCS1_SHA256, RsaKeyPair};
use axum::extract::{Form, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use cognate_axum::{Cognito, Config};
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

pub const POOL: &str = "eu-west-1_TestPool1";
pub const CLIENT_ID: &str = "testclient123";
pub const CLIENT_SECRET: &str = "testsecret456";
pub const REDIRECT_URL: &str = "https://app.example/postlogin";
pub const LOGOUT_URL: &str = "https://app.example/bye";
pub const SUB: &str = "6b0c6a7e-1111-4e2f-9d55-0123456789ab";

/// An RSA signing key and its `kid`.
pub struct TestKey {
    pair: RsaKeyPair,
    pub kid: &'static str,
}

/// Two keys per test binary: generating RSA keys is the slow part.
pub fn key_a() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate("kid-a"))
}

pub fn key_b() -> &'static TestKey {
    static KEY: OnceLock<TestKey> = OnceLock::new();
    KEY.get_or_init(|| TestKey::generate("kid-b"))
}

impl TestKey {
    fn generate(kid: &'static str) -> Self {
        TestKey {
            pair: RsaKeyPair::generate(KeySize::Rsa2048).expect("RSA key generation"),
            kid,
        }
    }

    /// The public key as a JWK, as Cognito publishes it.
    pub fn jwk(&self) -> Value {
        let public = self.pair.public_key();
        let n = URL_SAFE_NO_PAD.encode(public.modulus().big_endian_without_leading_zero());
        let e = URL_SAFE_NO_PAD.encode(public.exponent().big_endian_without_leading_zero());
        json!({"alg": "RS256", "e": e, "kid": self.kid, "kty": "RSA", "n": n, "use": "sig"})
    }

    /// An RS256 JWT with this key's `kid`.
    pub fn sign(&self, claims: &Value) -> String {
        self.sign_with_header(&json!({"kid": self.kid, "alg": "RS256"}), claims)
    }

    /// A JWT with any header, signed with this key.
    pub fn sign_with_header(&self, header: &Value, claims: &Value) -> String {
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut signature = vec![0; self.pair.public_modulus_len()];
        self.pair
            .sign(
                &RSA_PKCS1_SHA256,
                &SystemRandom::new(),
                message.as_bytes(),
                &mut signature,
            )
            .expect("RSA signing");
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
}

/// A request the mock received at its token or revoke endpoint.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub authorization: Option<String>,
    pub form: HashMap<String, String>,
}

struct Authorization {
    challenge: String,
    nonce: String,
    redirect_uri: String,
}

#[derive(Default)]
pub struct MockState {
    pub issuer: OnceLock<String>,
    pub jwks: Mutex<Vec<Value>>,
    pub jwks_fetches: AtomicUsize,
    pub jwks_down: AtomicBool,
    authorizations: Mutex<HashMap<String, Authorization>>,
    pub token_requests: Mutex<Vec<Recorded>>,
    pub revocations: Mutex<Vec<Recorded>>,
    /// Claims merged into the ID tokens the mock mints (`null` removes a claim).
    pub id_overrides: Mutex<Value>,
    /// Claims merged into the access tokens the mock mints.
    pub access_overrides: Mutex<Value>,
    pub groups: Mutex<Vec<String>>,
    pub refresh_fails: AtomicBool,
    /// Sign minted tokens with key B (not in the JWKS unless added).
    pub sign_with_b: AtomicBool,
    issued: AtomicUsize,
}

pub struct Mock {
    pub base: String,
    pub state: Arc<MockState>,
}

fn merge(mut claims: Value, overrides: &Value) -> Value {
    if let (Some(target), Some(changes)) = (claims.as_object_mut(), overrides.as_object()) {
        for (name, value) in changes {
            if value.is_null() {
                target.remove(name);
            } else {
                target.insert(name.clone(), value.clone());
            }
        }
    }
    claims
}

impl MockState {
    pub fn issuer(&self) -> &str {
        self.issuer.get().unwrap()
    }

    /// Claims of a valid Cognito ID token.
    pub fn id_claims(&self, nonce: Option<&str>) -> Value {
        let mut claims = json!({
            "sub": SUB, "aud": CLIENT_ID, "iss": self.issuer(), "token_use": "id",
            "cognito:username": "alice", "email": "alice@example.com", "email_verified": true,
            "auth_time": now(), "iat": now(), "exp": now() + 3600, "jti": "id-jti",
        });
        let groups = self.groups.lock().unwrap().clone();
        if !groups.is_empty() {
            claims["cognito:groups"] = json!(groups);
        }
        if let Some(nonce) = nonce {
            claims["nonce"] = json!(nonce);
        }
        merge(claims, &self.id_overrides.lock().unwrap())
    }

    /// Claims of a valid Cognito access token.
    pub fn access_claims(&self) -> Value {
        let mut claims = json!({
            "sub": SUB, "client_id": CLIENT_ID, "iss": self.issuer(), "token_use": "access",
            "username": "alice", "scope": "openid email", "version": 2,
            "auth_time": now(), "iat": now(), "exp": now() + 3600, "jti": "access-jti",
        });
        let groups = self.groups.lock().unwrap().clone();
        if !groups.is_empty() {
            claims["cognito:groups"] = json!(groups);
        }
        merge(claims, &self.access_overrides.lock().unwrap())
    }

    pub fn set_groups(&self, groups: &[&str]) {
        *self.groups.lock().unwrap() = groups.iter().map(|g| g.to_string()).collect();
    }

    pub fn jwks_fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }

    fn tokens(&self, nonce: Option<&str>, with_refresh: bool) -> Value {
        let n = self.issued.fetch_add(1, Ordering::SeqCst);
        let key = if self.sign_with_b.load(Ordering::SeqCst) {
            key_b()
        } else {
            key_a()
        };
        let mut body = json!({
            "id_token": key.sign(&self.id_claims(nonce)),
            "access_token": key.sign(&self.access_claims()),
            "token_type": "Bearer", "expires_in": 3600,
        });
        if with_refresh {
            body["refresh_token"] = json!(format!("eyJjdHkiOiJKV1Qi.refresh-{n}"));
        }
        body
    }
}

fn record(headers: &HeaderMap, form: HashMap<String, String>) -> Recorded {
    Recorded {
        authorization: headers
            .get(http::header::AUTHORIZATION)
            .map(|v| v.to_str().unwrap().to_owned()),
        form,
    }
}

fn oauth_error(error: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": error}))).into_response()
}

async fn jwks(State(state): State<Arc<MockState>>) -> Response {
    state.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    if state.jwks_down.load(Ordering::SeqCst) {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    }
    Json(json!({"keys": *state.jwks.lock().unwrap()})).into_response()
}

async fn authorize(
    State(state): State<Arc<MockState>>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(query["response_type"], "code");
    assert_eq!(query["client_id"], CLIENT_ID);
    assert_eq!(query["code_challenge_method"], "S256");
    let code = format!("code-{}", state.issued.fetch_add(1, Ordering::SeqCst));
    state.authorizations.lock().unwrap().insert(
        code.clone(),
        Authorization {
            challenge: query["code_challenge"].clone(),
            nonce: query["nonce"].clone(),
            redirect_uri: query["redirect_uri"].clone(),
        },
    );
    let mut to = url::Url::parse(&query["redirect_uri"]).unwrap();
    to.query_pairs_mut()
        .append_pair("code", &code)
        .append_pair("state", &query["state"]);
    Redirect::to(to.as_str()).into_response()
}

async fn token(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    state
        .token_requests
        .lock()
        .unwrap()
        .push(record(&headers, form.clone()));
    match form.get("grant_type").map(String::as_str) {
        Some("authorization_code") => {
            let Some(auth) = state.authorizations.lock().unwrap().remove(&form["code"]) else {
                return oauth_error("invalid_grant");
            };
            let verifier = form.get("code_verifier").cloned().unwrap_or_default();
            let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
            if challenge != auth.challenge || form.get("redirect_uri") != Some(&auth.redirect_uri) {
                return oauth_error("invalid_grant");
            }
            Json(state.tokens(Some(&auth.nonce), true)).into_response()
        }
        Some("refresh_token") if state.refresh_fails.load(Ordering::SeqCst) => {
            oauth_error("invalid_grant")
        }
        Some("refresh_token") => Json(state.tokens(None, false)).into_response(),
        _ => oauth_error("unsupported_grant_type"),
    }
}

async fn revoke(
    State(state): State<Arc<MockState>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> StatusCode {
    state
        .revocations
        .lock()
        .unwrap()
        .push(record(&headers, form));
    StatusCode::OK
}

impl Mock {
    /// Starts the provider with key A in its JWKS.
    pub async fn start() -> Mock {
        let state = Arc::new(MockState::default());
        state.jwks.lock().unwrap().push(key_a().jwk());
        *state.id_overrides.lock().unwrap() = json!({});
        *state.access_overrides.lock().unwrap() = json!({});
        let router = Router::new()
            .route("/{pool}/.well-known/jwks.json", get(jwks))
            .route("/oauth2/authorize", get(authorize))
            .route("/oauth2/token", post(token))
            .route("/oauth2/revoke", post(revoke))
            .with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        state.issuer.set(format!("{base}/{POOL}")).unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Mock { base, state }
    }

    /// A confidential client's settings, issuer pointed at the mock (as on Cognate).
    pub fn config(&self) -> Config {
        let mut config = Config::new("eu-west-1", POOL, self.base.clone(), CLIENT_ID);
        config.client_secret = Some(CLIENT_SECRET.into());
        config.redirect_url = REDIRECT_URL.into();
        config.logout_url = LOGOUT_URL.into();
        config.issuer = Some(self.state.issuer().to_owned());
        config.cookie_secret = Some("a test secret that is long enough to derive keys".into());
        config.refresh_flow = true;
        config
    }

    pub fn cognito(&self) -> Cognito {
        Cognito::new(self.config()).unwrap()
    }

    pub fn basic_auth() -> String {
        format!(
            "Basic {}",
            STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
        )
    }

    /// A valid access token signed with key A.
    pub fn access_token(&self) -> String {
        key_a().sign(&self.state.access_claims())
    }
}
