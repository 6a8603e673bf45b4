//! `loadgen setup`: the pool, clients and users every server is measured with, and the tokens
//! the token workloads use.

use super::*;

#[derive(Serialize, Deserialize, Clone, Default)]
pub(crate) struct Tokens {
    pub(crate) access: String,
    pub(crate) refresh: String,
}

/// What `setup` prepared and `run` drives.
#[derive(Serialize, Deserialize, Clone, Default)]
pub(crate) struct State {
    pub(crate) kind: String,
    pub(crate) endpoint: String,
    pub(crate) pool_id: String,
    pub(crate) client_id: String,
    /// Users `user0000000` .. `user{users-1}`, email `<username>@bench.example`.
    pub(crate) users: u64,
    pub(crate) tokens: Vec<Tokens>,
    #[serde(default)]
    pub(crate) m2m_client_id: Option<String>,
    #[serde(default)]
    pub(crate) m2m_client_secret: Option<String>,
    #[serde(default)]
    pub(crate) m2m_scope: Option<String>,
}

pub fn username(i: u64) -> String {
    format!("user{i:07}")
}

pub(crate) fn json_call(op: &'static str, body: Value, signed: bool) -> Call {
    Call::Json {
        op,
        body: body.to_string(),
        signed,
    }
}

pub(crate) async fn setup(a: &HashMap<String, String>) {
    let endpoint = get(a, "endpoint").to_owned();
    let kind = get(a, "kind").to_owned();
    let users: u64 = get_or(a, "users", 200);
    let tokens: u64 = get_or(a, "tokens", 64);
    let parallel: u64 = get_or(a, "parallel", 4);
    let oauth = a.contains_key("oauth");
    let out = get(a, "out").to_owned();
    let started = Instant::now();

    let mut conn = Conn::new(&endpoint);
    let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
    let must = |r: Result<Value, String>, what: &str| -> Value {
        r.unwrap_or_else(|e| {
            eprintln!("setup: {what} failed: {e}");
            std::process::exit(1)
        })
    };
    let pool = must(
        conn.json(
            &json_call(
                "CreateUserPool",
                json!({"PoolName": "bench", "AutoVerifiedAttributes": ["email"]}),
                true,
            ),
            &mut signer,
        )
        .await,
        "CreateUserPool",
    );
    let pool_id = pool["UserPool"]["Id"].as_str().expect("pool id").to_owned();
    let client = must(
        conn.json(
            &json_call(
                "CreateUserPoolClient",
                json!({
                    "UserPoolId": pool_id,
                    "ClientName": "bench-public",
                    "ExplicitAuthFlows": ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                }),
                true,
            ),
            &mut signer,
        )
        .await,
        "CreateUserPoolClient",
    );
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("client id")
        .to_owned();

    let mut state = State {
        kind,
        endpoint: endpoint.clone(),
        pool_id: pool_id.clone(),
        client_id: client_id.clone(),
        users,
        ..State::default()
    };

    // Resource server and client_credentials client, where the server supports them (a
    // failure here only makes the client_credentials workload "not supported").
    if oauth {
        let rs = conn
            .json(
                &json_call(
                    "CreateResourceServer",
                    json!({
                        "UserPoolId": pool_id,
                        "Identifier": "bench-api",
                        "Name": "bench api",
                        "Scopes": [{"ScopeName": "read", "ScopeDescription": "read"}],
                    }),
                    true,
                ),
                &mut signer,
            )
            .await;
        let m2m = match rs {
            Ok(_) => {
                conn.json(
                    &json_call(
                        "CreateUserPoolClient",
                        json!({
                            "UserPoolId": pool_id,
                            "ClientName": "bench-m2m",
                            "GenerateSecret": true,
                            "AllowedOAuthFlows": ["client_credentials"],
                            "AllowedOAuthFlowsUserPoolClient": true,
                            "AllowedOAuthScopes": ["bench-api/read"],
                        }),
                        true,
                    ),
                    &mut signer,
                )
                .await
            }
            Err(e) => Err(format!("CreateResourceServer: {e}")),
        };
        match m2m {
            Ok(m2m) => {
                let c = &m2m["UserPoolClient"];
                state.m2m_client_id = c["ClientId"].as_str().map(str::to_owned);
                state.m2m_client_secret = c["ClientSecret"].as_str().map(str::to_owned);
                state.m2m_scope = Some("bench-api/read".into());
            }
            Err(e) => eprintln!("setup: no client_credentials client: {e}"),
        }
    }

    // Users, `parallel` at a time: created, then given a permanent password (CONFIRMED).
    let mut tasks = Vec::new();
    for p in 0..parallel {
        let endpoint = endpoint.clone();
        let pool_id = pool_id.clone();
        tasks.push(tokio::spawn(async move {
            let mut conn = Conn::new(&endpoint);
            let mut signer = Signer::new(ACCESS_KEY, SECRET_KEY, REGION);
            let mut i = p;
            while i < users {
                let u = username(i);
                conn.json(
                    &json_call(
                        "AdminCreateUser",
                        json!({
                            "UserPoolId": pool_id,
                            "Username": u,
                            "UserAttributes": [
                                {"Name": "email", "Value": format!("{u}@bench.example")},
                                {"Name": "email_verified", "Value": "true"},
                            ],
                            "MessageAction": "SUPPRESS",
                            "TemporaryPassword": TEMP_PASSWORD,
                        }),
                        true,
                    ),
                    &mut signer,
                )
                .await
                .map_err(|e| format!("AdminCreateUser {u}: {e}"))?;
                conn.json(
                    &json_call(
                        "AdminSetUserPassword",
                        json!({"UserPoolId": pool_id, "Username": u, "Password": PASSWORD, "Permanent": true}),
                        true,
                    ),
                    &mut signer,
                )
                .await
                .map_err(|e| format!("AdminSetUserPassword {u}: {e}"))?;
                i += parallel;
            }
            Ok::<(), String>(())
        }));
    }
    for t in tasks {
        if let Err(e) = t.await.expect("task") {
            eprintln!("setup: {e}");
            std::process::exit(1);
        }
    }
    let users_done = started.elapsed();

    // One sign-in per worker of the token workloads, each for a different user.
    for i in 0..tokens.min(users) {
        let r = must(
            conn.json(
                &json_call(
                    "InitiateAuth",
                    json!({
                        "AuthFlow": "USER_PASSWORD_AUTH",
                        "ClientId": client_id,
                        "AuthParameters": {"USERNAME": username(i), "PASSWORD": PASSWORD},
                    }),
                    false,
                ),
                &mut signer,
            )
            .await,
            "InitiateAuth",
        );
        let res = &r["AuthenticationResult"];
        state.tokens.push(Tokens {
            access: res["AccessToken"].as_str().unwrap_or_default().to_owned(),
            refresh: res["RefreshToken"].as_str().unwrap_or_default().to_owned(),
        });
    }
    std::fs::write(&out, serde_json::to_string_pretty(&state).expect("json")).expect("write state");
    print(&json!({
        "pool_id": pool_id,
        "client_id": client_id,
        "users": users,
        "tokens": state.tokens.len(),
        "users_seconds": users_done.as_secs_f64(),
        "seconds": started.elapsed().as_secs_f64(),
    }));
}

// ---------------------------------------------------------------------------------------
// run
