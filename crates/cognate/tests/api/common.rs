//! A real Cognate server on a random port and an official AWS SDK client pointed at it.

use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_cognitoidentityprovider::error::ProvideErrorMetadata;
use cognate::config::{AccessKey, Config, Storage};
use cognate::server::{self, RunningServer};
use std::path::PathBuf;

pub const REGION: &str = "us-east-1";
pub const ACCESS_KEY: &str = "AKIATESTTESTTESTTEST";
pub const SECRET_KEY: &str = "testsecretkeytestsecretkeytestsecretkey0";

pub struct TestServer {
    pub server: RunningServer,
    pub client: Client,
}

impl TestServer {
    pub fn url(&self) -> String {
        self.server.url()
    }
}

pub fn config(storage: Storage) -> Config {
    let mut c = Config::ephemeral();
    c.storage = storage;
    c.master_key = Some([7u8; 32]);
    c.access_keys = vec![AccessKey {
        access_key_id: ACCESS_KEY.into(),
        secret_access_key: SECRET_KEY.into(),
    }];
    c
}

/// A server backed by the store the environment selects: with `COGNATE_TEST_DATABASE_URL`
/// (a PostgreSQL server) a fresh database of its own, or else an in-memory SQLite database.
pub async fn start() -> TestServer {
    let storage = match std::env::var("COGNATE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Storage::Url(fresh_postgres_database(&url).await),
        _ => Storage::InMemory,
    };
    start_with_config(config(storage)).await
}

/// Creates an empty database on the PostgreSQL server `admin_url` points at, so tests that
/// count pools see only their own. scripts/test.sh drops them before each run.
pub async fn fresh_postgres_database(admin_url: &str) -> String {
    use sqlx::Connection;
    let name = format!("cognate_t_{}", unique_suffix().replace('-', "_"));
    let mut conn = sqlx::PgConnection::connect(admin_url)
        .await
        .expect("connect to PostgreSQL");
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("URL with a database name");
    format!("{base}/{name}")
}

pub async fn start_with_config(config: Config) -> TestServer {
    let server = server::start(config).await.expect("server starts");
    let client = sdk_client(&server.url(), REGION, ACCESS_KEY, SECRET_KEY);
    TestServer { server, client }
}

pub fn sdk_client(url: &str, region: &str, access_key: &str, secret: &str) -> Client {
    let conf = aws_sdk_cognitoidentityprovider::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_owned()))
        .credentials_provider(Credentials::new(access_key, secret, None, None, "test"))
        .endpoint_url(url)
        .build();
    Client::from_conf(conf)
}

pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cognate-test-{name}-{}", unique_suffix()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn unique_suffix() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::{SystemTime, UNIX_EPOCH};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{}-{n}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// The error code and message of a failed SDK call.
pub fn err<T: std::fmt::Debug, E: ProvideErrorMetadata + std::fmt::Debug>(
    r: Result<T, E>,
) -> (String, String) {
    let e = r.expect_err("the call should fail");
    (
        e.code().unwrap_or("<none>").to_owned(),
        e.message().unwrap_or("<none>").to_owned(),
    )
}

/// A pool with the setup guide's shape; returns its ID.
pub async fn create_pool(client: &Client, name: &str) -> String {
    client
        .create_user_pool()
        .pool_name(name)
        .send()
        .await
        .expect("create pool")
        .user_pool
        .unwrap()
        .id
        .unwrap()
}

pub fn attr(name: &str, value: &str) -> aws_sdk_cognitoidentityprovider::types::AttributeType {
    aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
        .name(name)
        .value(value)
        .build()
        .unwrap()
}

/// A server whose clock the test moves.
pub async fn start_with_clock() -> (TestServer, cognate_core::time::ManualClock) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let clock =
        cognate_core::time::ManualClock::new(cognate_core::time::Timestamp(now.as_millis() as i64));
    let overrides = server::Overrides {
        clock: std::sync::Arc::new(clock.clone()),
        ..Default::default()
    };
    let storage = match std::env::var("COGNATE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Storage::Url(fresh_postgres_database(&url).await),
        _ => Storage::InMemory,
    };
    let server = server::start_with(config(storage), overrides)
        .await
        .expect("server starts");
    let client = sdk_client(&server.url(), REGION, ACCESS_KEY, SECRET_KEY);
    (TestServer { server, client }, clock)
}

pub const PASSWORD: &str = "Correct-Horse-9";

/// A pool, an app client allowing the password and refresh flows, and a confirmed user
/// `alice` with password [`PASSWORD`].
pub struct SignInFixture {
    pub pool: String,
    pub client_id: String,
    pub secret: Option<String>,
}

pub async fn sign_in_fixture(c: &Client, with_secret: bool) -> SignInFixture {
    use aws_sdk_cognitoidentityprovider::types::ExplicitAuthFlowsType as F;
    let pool = create_pool(c, "sign-in").await;
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .generate_secret(with_secret)
        .explicit_auth_flows(F::AllowUserPasswordAuth)
        .explicit_auth_flows(F::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(F::AllowRefreshTokenAuth)
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    create_user(
        c,
        &pool,
        "alice",
        &[("email", "alice@example.com"), ("email_verified", "true")],
    )
    .await;
    SignInFixture {
        pool,
        client_id: client.client_id.unwrap(),
        secret: client.client_secret,
    }
}

/// A confirmed user with password [`PASSWORD`].
pub async fn create_user(c: &Client, pool: &str, name: &str, attrs: &[(&str, &str)]) {
    let mut req = c
        .admin_create_user()
        .user_pool_id(pool)
        .username(name)
        .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress);
    for (n, v) in attrs {
        req = req.user_attributes(attr(n, v));
    }
    req.send().await.unwrap();
    c.admin_set_user_password()
        .user_pool_id(pool)
        .username(name)
        .password(PASSWORD)
        .permanent(true)
        .send()
        .await
        .unwrap();
}

/// InitiateAuth USER_PASSWORD_AUTH.
pub async fn password_sign_in(
    c: &Client,
    client_id: &str,
    username: &str,
    password: &str,
) -> Result<
    aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError,
    >,
> {
    c.initiate_auth()
        .client_id(client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
        .auth_parameters("USERNAME", username)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
}

pub fn secret_hash(secret: &str, username: &str, client_id: &str) -> String {
    cognate_core::auth::secret_hash::compute(secret, username, client_id)
}

/// The verified claims of a token, checked by an independent JWT library (jsonwebtoken)
/// against the JWKS fetched over HTTP from `jwks_base` (the server's reachable address), with
/// `iss` required to be `issuer` (the pool's public issuer).
pub async fn verify_with_jwks(
    token: &str,
    jwks_base: &str,
    issuer: &str,
    audience: Option<&str>,
) -> serde_json::Value {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
    let jwks: serde_json::Value = reqwest::get(format!("{jwks_base}/.well-known/jwks.json"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kid = decode_header(token)
        .unwrap()
        .kid
        .expect("kid in the header");
    let jwk = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid.as_str())
        .expect("kid published");
    assert_eq!(jwk["alg"], "RS256");
    assert_eq!(jwk["use"], "sig");
    let key =
        DecodingKey::from_rsa_components(jwk["n"].as_str().unwrap(), jwk["e"].as_str().unwrap())
            .unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[issuer]);
    match audience {
        Some(a) => v.set_audience(&[a]),
        None => v.validate_aud = false,
    }
    v.set_required_spec_claims(&["exp", "iat", "iss", "sub"]);
    decode::<serde_json::Value>(token, &key, &v)
        .expect("token verifies")
        .claims
}

/// (reachable base for a pool, its public issuer)
pub fn pool_urls(t: &TestServer, pool: &str) -> (String, String) {
    (
        format!("{}/{pool}", t.url()),
        format!("http://localhost:{}/{pool}", t.server.addr.port()),
    )
}

/// The SigV4 headers (`authorization`, `x-amz-date`) of a `POST /` to `url` whose signature
/// covers the host and exactly `signed` of its other headers, with the test credentials.
pub fn sigv4_headers(url: &str, signed: &[(&str, &str)], body: &[u8]) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    let host = url.trim_start_matches("http://").to_owned();
    let mut headers: Vec<(&str, &str)> = vec![("host", host.as_str())];
    headers.extend_from_slice(signed);
    let identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "t").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(REGION)
        .name("cognito-idp")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let signable = SignableRequest::new(
        "POST",
        format!("{url}/"),
        headers.iter().copied(),
        SignableBody::Bytes(body),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    instructions
        .headers()
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
        .collect()
}
