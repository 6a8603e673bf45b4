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
