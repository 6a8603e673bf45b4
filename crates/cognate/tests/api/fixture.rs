//! The fixture for tests that read like the specification (DESIGN.md): one server for the
//! whole test binary, started once on a runtime of its own, and builders for what a test needs
//! (`t.pool()`, `t.app_client(&pool)`, `t.user(&pool)`), so each test states one behaviour.

use crate::common::{ACCESS_KEY, REGION, SECRET_KEY, config, fresh_postgres_database, sdk_client};
use aws_sdk_cognitoidentityprovider::Client;
use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ExplicitAuthFlowsType as Flow};
use cognate::config::Storage;
use std::sync::OnceLock;

/// `assert_cognito_err!(result, NotAuthorizedException, "message")`: the call failed with
/// exactly this Cognito error type and message.
#[macro_export]
macro_rules! assert_cognito_err {
    ($result:expr, $type:ident, $message:expr) => {{
        let (code, message) = $crate::common::err($result);
        let expected: &str = &$message;
        assert_eq!(
            (code.as_str(), message.as_str()),
            (stringify!($type), expected),
            "the call should fail with {} {:?}",
            stringify!($type),
            $message
        );
    }};
}

/// The shared server: its address only (it lives on its own runtime until the binary ends).
struct Shared {
    url: String,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async move {
                let storage = match std::env::var("COGNATE_TEST_DATABASE_URL") {
                    Ok(url) if !url.is_empty() => Storage::Url(fresh_postgres_database(&url).await),
                    _ => Storage::InMemory,
                };
                let server = cognate::server::start(config(storage))
                    .await
                    .expect("server starts");
                tx.send(server.url()).expect("test waits");
                std::future::pending::<()>().await;
            });
        });
        Shared {
            url: rx.recv().expect("shared server started"),
        }
    })
}

/// A test's view of the shared server: an SDK client of its own runtime.
pub struct T {
    pub client: Client,
    pub url: String,
}

pub fn t() -> T {
    let url = shared().url.clone();
    T {
        client: sdk_client(&url, REGION, ACCESS_KEY, SECRET_KEY),
        url,
    }
}

pub const PASSWORD: &str = "Correct-Horse-9";

type PoolReq = aws_sdk_cognitoidentityprovider::operation::create_user_pool::builders::CreateUserPoolFluentBuilder;
type ClientReq = aws_sdk_cognitoidentityprovider::operation::create_user_pool_client::builders::CreateUserPoolClientFluentBuilder;

impl T {
    /// A new pool with Cognito's defaults.
    pub async fn pool(&self) -> String {
        self.pool_with(|r| r).await
    }

    /// A new pool, the request shaped by `f`.
    pub async fn pool_with(&self, f: impl FnOnce(PoolReq) -> PoolReq) -> String {
        f(self.client.create_user_pool().pool_name("spec"))
            .send()
            .await
            .expect("create pool")
            .user_pool
            .unwrap()
            .id
            .unwrap()
    }

    /// An app client without a secret that allows the password and refresh flows.
    pub async fn app_client(&self, pool: &str) -> String {
        self.app_client_with(pool, |r| r).await
    }

    pub async fn app_client_with(
        &self,
        pool: &str,
        f: impl FnOnce(ClientReq) -> ClientReq,
    ) -> String {
        let req = self
            .client
            .create_user_pool_client()
            .user_pool_id(pool)
            .client_name("app")
            .explicit_auth_flows(Flow::AllowUserPasswordAuth)
            .explicit_auth_flows(Flow::AllowAdminUserPasswordAuth)
            .explicit_auth_flows(Flow::AllowRefreshTokenAuth);
        f(req)
            .send()
            .await
            .expect("create client")
            .user_pool_client
            .unwrap()
            .client_id
            .unwrap()
    }

    /// A confirmed user with [`PASSWORD`] and these attributes.
    pub async fn user(&self, pool: &str, name: &str, attrs: &[(&str, &str)]) {
        crate::common::create_user(&self.client, pool, name, attrs).await;
    }

    /// A user who must choose a new password at sign-in (temporary password [`PASSWORD`]).
    pub async fn user_with_temporary_password(&self, pool: &str, name: &str) {
        self.client
            .admin_create_user()
            .user_pool_id(pool)
            .username(name)
            .temporary_password(PASSWORD)
            .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
            .send()
            .await
            .expect("create user");
    }

    /// InitiateAuth with USER_PASSWORD_AUTH.
    pub async fn sign_in(
        &self,
        client_id: &str,
        username: &str,
        password: &str,
    ) -> Result<
        aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthOutput,
        aws_sdk_cognitoidentityprovider::error::SdkError<
            aws_sdk_cognitoidentityprovider::operation::initiate_auth::InitiateAuthError,
        >,
    > {
        self.client
            .initiate_auth()
            .client_id(client_id)
            .auth_flow(AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", username)
            .auth_parameters("PASSWORD", password)
            .send()
            .await
    }
}

/// A request signed with SigV4 over exactly `signed` of its headers (`host` and
/// `x-amz-date` are always added by the signer), then sent with `extra` unsigned headers.
pub async fn signed_request(
    url: &str,
    body: Vec<u8>,
    signed: &[(&str, &str)],
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let signature = crate::common::sigv4_headers(url, signed, &body);
    let mut req = reqwest::Client::new().post(format!("{url}/")).body(body);
    for (name, value) in signed.iter().chain(extra) {
        req = req.header(*name, *value);
    }
    for (name, value) in signature {
        req = req.header(name, value);
    }
    req.send().await.unwrap()
}

pub const TARGET: &str = "AWSCognitoIdentityProviderService.";
