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
    c.access_keys = vec![AccessKey {
        access_key_id: ACCESS_KEY.into(),
        secret_access_key: SECRET_KEY.into(),
    }];
    c
}

/// A server backed by the store the environment selects: `COGNATE_TEST_DATABASE_URL` (e.g. a
/// PostgreSQL URL) or else an in-memory SQLite database.
pub async fn start() -> TestServer {
    let storage = match std::env::var("COGNATE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => Storage::Url(url),
        _ => Storage::InMemory,
    };
    start_with_config(config(storage)).await
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
    let dir = std::env::temp_dir().join(format!("cognate-test-{name}-{}", uuid_like()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn uuid_like() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let n = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{}-{n}", std::process::id())
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
