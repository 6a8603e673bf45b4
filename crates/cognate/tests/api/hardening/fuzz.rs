//! A bounded fuzz run: a few thousand requests made from the botocore model, over every
//! operation, then mutated (wrong types, missing members, huge and odd strings, malformed
//! JSON), plus random requests to every web endpoint. Nothing may answer a 5xx other than 501
//! (an operation not built yet), and the server must be healthy after. The seed is fixed so a
//! failure repeats; `COGNATE_FUZZ_SEED` and `COGNATE_FUZZ_ROUNDS` change it.

use crate::common::{
    ACCESS_KEY, PASSWORD, REGION, SECRET_KEY, config, create_user, start_with_config,
};
use aws_sdk_cognitoidentityprovider::types::{ExplicitAuthFlowsType as Flow, OAuthFlowType};
use cognate::config::Storage;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

const MODEL: &str = include_str!("../../../../cognate-api/model/cognito-idp-2016-04-18.json");

/// Real resources, so that many requests get past validation into the domain.
struct Known {
    pool: String,
    arn: String,
    client: String,
    secret: String,
    access_token: String,
    refresh_token: String,
}

const ODD_STRINGS: &[&str] = &[
    "",
    " ",
    "null",
    "us-east-1_",
    "us-east-1_doesNotExist",
    "../../etc/passwd",
    "' OR 1=1 --",
    "\u{0}",
    "\u{202e}rtl",
    "😀😀😀",
    "%00%ff",
    "{\"nested\":\"json\"}",
    "<script>alert(1)</script>",
    "a\r\nX-Injected: 1",
    "userAttributes.email",
    "username = \"x\"",
    "email ^= \"",
    "name = \"\\\"",
    "cg1.!!!",
    "cg1.dGVzdA",
    "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
];

struct Gen<'a> {
    shapes: &'a Map<String, Value>,
    rng: StdRng,
    known: &'a Known,
    /// Whether the operation at hand would delete the known pool or client: then they are
    /// not offered, so the rest of the run keeps reaching the domain with them.
    destructive: bool,
}

impl Gen<'_> {
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }

    fn odd_string(&mut self) -> String {
        match self.rng.random_range(0..10) {
            0 => "x".repeat(self.rng.random_range(1..70_000)),
            1 => (0..self.rng.random_range(1..40))
                .map(|_| char::from_u32(self.rng.random_range(0x20..0x2FFF)).unwrap_or('?'))
                .collect(),
            _ => ODD_STRINGS[self.rng.random_range(0..ODD_STRINGS.len())].to_owned(),
        }
    }

    /// A value for a member, preferring the real resource its name refers to.
    fn known_value(&mut self, member: &str) -> Option<Value> {
        if self.destructive || !self.chance(0.7) {
            return None;
        }
        let k = self.known;
        let v = match member {
            "UserPoolId" => k.pool.clone(),
            "ClientId" => k.client.clone(),
            "ClientSecret" => k.secret.clone(),
            "ResourceArn" => k.arn.clone(),
            "AccessToken" => k.access_token.clone(),
            "RefreshToken" | "Token" => k.refresh_token.clone(),
            "Username" => ["fuzz-user", "fuzz-new", "ghost"][self.rng.random_range(0..3)].into(),
            "GroupName" => "fuzz-group".into(),
            "Password" | "TemporaryPassword" | "ProposedPassword" | "PreviousPassword" => {
                PASSWORD.into()
            }
            "Domain" => "fuzz-domain".into(),
            "Identifier" => "https://api.fuzz".into(),
            "AuthFlow" => [
                "USER_PASSWORD_AUTH",
                "ADMIN_USER_PASSWORD_AUTH",
                "REFRESH_TOKEN_AUTH",
                "USER_SRP_AUTH",
            ][self.rng.random_range(0..4)]
            .into(),
            "AuthParameters" | "ChallengeResponses" => {
                return Some(json!({
                    "USERNAME": "fuzz-user", "PASSWORD": PASSWORD,
                    "REFRESH_TOKEN": k.refresh_token, "NEW_PASSWORD": PASSWORD,
                    "SECRET_HASH": "AAAA", "SRP_A": "ab",
                }));
            }
            _ => return None,
        };
        Some(Value::String(v))
    }

    fn value(&mut self, shape_name: &str, member: &str, depth: usize) -> Value {
        if let Some(v) = self.known_value(member) {
            return v;
        }
        let shape = self.shapes[shape_name].clone();
        match shape["type"].as_str().unwrap_or("string") {
            "structure" if depth < 4 => {
                let required: Vec<&str> = shape["required"]
                    .as_array()
                    .map(|r| r.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                let mut out = Map::new();
                if let Some(members) = shape["members"].as_object() {
                    for (name, m) in members {
                        let wanted = if required.contains(&name.as_str()) {
                            0.95
                        } else {
                            0.35
                        };
                        if self.chance(wanted) {
                            let target = m["shape"].as_str().unwrap_or_default().to_owned();
                            out.insert(name.clone(), self.value(&target, name, depth + 1));
                        }
                    }
                }
                Value::Object(out)
            }
            "structure" => json!({}),
            "list" => {
                let member_shape = shape["member"]["shape"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let n = self.rng.random_range(0..4);
                Value::Array(
                    (0..n)
                        .map(|_| self.value(&member_shape, "", depth + 1))
                        .collect(),
                )
            }
            "map" => {
                let value_shape = shape["value"]["shape"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                let mut out = Map::new();
                for _ in 0..self.rng.random_range(0..4) {
                    let key = self.odd_string();
                    let key: String = key.chars().take(64).collect();
                    out.insert(key, self.value(&value_shape, "", depth + 1));
                }
                Value::Object(out)
            }
            "integer" | "long" => {
                let min = shape["min"].as_i64().unwrap_or(-5);
                let max = shape["max"].as_i64().unwrap_or(100_000);
                if self.chance(0.8) && min <= max {
                    json!(self.rng.random_range(min..=max))
                } else {
                    json!(self.rng.random_range(-1_000_000_000i64..1_000_000_000))
                }
            }
            "boolean" => json!(self.chance(0.5)),
            "timestamp" => json!(self.rng.random_range(0..2_000_000_000i64)),
            "blob" => json!("aGVsbG8="),
            _ => {
                if let Some(values) = shape["enum"].as_array()
                    && !values.is_empty()
                    && self.chance(0.85)
                {
                    return values[self.rng.random_range(0..values.len())].clone();
                }
                if self.chance(0.5) {
                    let n = self.rng.random_range(1..24);
                    Value::String(
                        (0..n)
                            .map(|_| char::from(self.rng.random_range(b'a'..=b'z')))
                            .collect(),
                    )
                } else {
                    Value::String(self.odd_string())
                }
            }
        }
    }

    /// Breaks a well-formed body in one of several ways.
    fn mutate(&mut self, body: Value) -> Vec<u8> {
        let mut body = body;
        match self.rng.random_range(0..10) {
            0 => return b"{\"unterminated\": ".to_vec(),
            1 => return b"[]".to_vec(),
            2 => return Vec::new(),
            3 => return vec![0xff, 0xfe, b'{', b'}'],
            4 => {
                return json!({"deep": (0..200).fold(json!(1), |acc, _| json!([acc]))})
                    .to_string()
                    .into_bytes();
            }
            _ => {}
        }
        if let Value::Object(map) = &mut body {
            let keys: Vec<String> = map.keys().cloned().collect();
            if !keys.is_empty() {
                let key = keys[self.rng.random_range(0..keys.len())].clone();
                let replacement = match self.rng.random_range(0..7) {
                    0 => Value::Null,
                    1 => json!(12345),
                    2 => json!([1, "two", {"three": 3}]),
                    3 => json!({"unexpected": true}),
                    4 => json!(true),
                    5 => json!(1e308),
                    _ => Value::String(self.odd_string()),
                };
                if self.chance(0.2) {
                    map.remove(&key);
                } else {
                    map.insert(key, replacement);
                }
            }
            map.insert("UnknownMember".into(), json!("x"));
        }
        body.to_string().into_bytes()
    }
}

fn sign(url: &str, target: &str, body: &[u8]) -> Vec<(String, String)> {
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    let host = url.trim_start_matches("http://").to_owned();
    let headers = [
        ("content-type", "application/x-amz-json-1.1"),
        ("host", host.as_str()),
        ("x-amz-target", target),
    ];
    let identity =
        aws_credential_types::Credentials::new(ACCESS_KEY, SECRET_KEY, None, None, "f").into();
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

async fn known_resources(t: &crate::common::TestServer) -> Known {
    let c = &t.client;
    let pool = crate::common::create_pool(c, "fuzz").await;
    let arn = c
        .describe_user_pool()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .user_pool
        .unwrap()
        .arn
        .unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("fuzz")
        .generate_secret(true)
        .explicit_auth_flows(Flow::AllowUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowAdminUserPasswordAuth)
        .explicit_auth_flows(Flow::AllowRefreshTokenAuth)
        .allowed_o_auth_flows_user_pool_client(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .callback_urls("http://localhost:5000/postlogin")
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    let (client_id, secret) = (client.client_id.unwrap(), client.client_secret.unwrap());
    create_user(c, &pool, "fuzz-user", &[("email", "fuzz@example.com")]).await;
    let tokens = c
        .admin_initiate_auth()
        .user_pool_id(&pool)
        .client_id(&client_id)
        .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::AdminUserPasswordAuth)
        .auth_parameters("USERNAME", "fuzz-user")
        .auth_parameters("PASSWORD", PASSWORD)
        .auth_parameters(
            "SECRET_HASH",
            crate::common::secret_hash(&secret, "fuzz-user", &client_id),
        )
        .send()
        .await
        .unwrap()
        .authentication_result
        .unwrap();
    Known {
        pool,
        arn,
        client: client_id,
        secret,
        access_token: tokens.access_token.unwrap(),
        refresh_token: tokens.refresh_token.unwrap(),
    }
}

/// One random request to a web endpoint: (description, request).
fn web_request(
    g: &mut Gen<'_>,
    http: &reqwest::Client,
    url: &str,
) -> (String, reqwest::RequestBuilder) {
    let k = g.known;
    let pick = |g: &mut Gen<'_>, real: &str| {
        if g.chance(0.6) {
            real.to_owned()
        } else {
            g.odd_string().chars().take(3000).collect()
        }
    };
    let client_id = pick(g, &k.client);
    let redirect = pick(g, "http://localhost:5000/postlogin");
    let state = pick(g, "st");
    let query = serde_urlencoded_pairs(&[
        ("client_id", client_id.as_str()),
        (
            "response_type",
            ["code", "token", "id_token", "bogus"][g.rng.random_range(0..4)],
        ),
        ("redirect_uri", redirect.as_str()),
        ("state", state.as_str()),
        (
            "scope",
            [
                "openid",
                "openid email",
                "aws.cognito.signin.user.admin",
                "x y z",
            ][g.rng.random_range(0..4)],
        ),
        (
            "code_challenge",
            if g.chance(0.5) {
                "abc"
            } else {
                "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
            },
        ),
        (
            "code_challenge_method",
            ["S256", "plain", "md5"][g.rng.random_range(0..3)],
        ),
        (
            "prompt",
            ["login", "none", "consent"][g.rng.random_range(0..3)],
        ),
    ]);
    let form_value = g.odd_string().chars().take(5000).collect::<String>();
    match g.rng.random_range(0..10) {
        0 => (
            "GET /oauth2/authorize".into(),
            http.get(format!("{url}/oauth2/authorize?{query}")),
        ),
        1 => (
            "GET /login".into(),
            http.get(format!("{url}/login?{query}")),
        ),
        2 => (
            "POST /login".into(),
            http.post(format!("{url}/login?{query}"))
                .header("cookie", format!("cognate-csrf={}", "a".repeat(43)))
                .form(&[
                    ("_csrf", form_value.as_str()),
                    ("username", "fuzz-user"),
                    ("password", PASSWORD),
                ]),
        ),
        3 => (
            "POST /login/new-password".into(),
            http.post(format!("{url}/login/new-password?{query}"))
                .form(&[
                    ("_csrf", "x"),
                    ("session", form_value.as_str()),
                    ("new_password", "p"),
                ]),
        ),
        4 => {
            let grant = [
                "authorization_code",
                "refresh_token",
                "client_credentials",
                "password",
                "",
            ][g.rng.random_range(0..5)];
            let token = pick(g, &k.refresh_token);
            let mut req = http.post(format!("{url}/oauth2/token")).form(&[
                ("grant_type", grant),
                ("code", form_value.as_str()),
                ("refresh_token", token.as_str()),
                ("redirect_uri", redirect.as_str()),
                ("client_id", client_id.as_str()),
                ("code_verifier", "v"),
                ("scope", "openid"),
            ]);
            if g.chance(0.5) {
                req = req.basic_auth(&k.client, Some(pick(g, &k.secret)));
            }
            ("POST /oauth2/token".into(), req)
        }
        5 => {
            let bearer = pick(g, &k.access_token);
            let req = if g.chance(0.5) {
                http.get(format!("{url}/oauth2/userInfo"))
            } else {
                http.post(format!("{url}/oauth2/userInfo"))
            };
            (
                "userInfo".into(),
                req.header("authorization", format!("Bearer {bearer}")),
            )
        }
        6 => {
            let token = pick(g, &k.refresh_token);
            (
                "POST /oauth2/revoke".into(),
                http.post(format!("{url}/oauth2/revoke"))
                    .basic_auth(&k.client, Some(&k.secret))
                    .form(&[("token", token.as_str()), ("client_id", client_id.as_str())]),
            )
        }
        7 => {
            let logout = pick(g, "http://localhost:5000/postlogout");
            let q = serde_urlencoded_pairs(&[
                ("client_id", client_id.as_str()),
                ("logout_uri", logout.as_str()),
            ]);
            ("GET /logout".into(), http.get(format!("{url}/logout?{q}")))
        }
        8 => {
            let pool = pick(g, &k.pool);
            let which = ["jwks.json", "openid-configuration"][g.rng.random_range(0..2)];
            let pool = percent_encode(&pool);
            (
                "well-known".into(),
                http.get(format!("{url}/{pool}/.well-known/{which}")),
            )
        }
        _ => {
            let path = percent_encode(&g.odd_string().chars().take(200).collect::<String>());
            let method = [
                reqwest::Method::GET,
                reqwest::Method::POST,
                reqwest::Method::PUT,
                reqwest::Method::DELETE,
                reqwest::Method::OPTIONS,
            ][g.rng.random_range(0..5)]
            .clone();
            (
                format!("{method} /ui-images or other"),
                http.request(method, format!("{url}/ui-images/{path}/x"))
                    .body(form_value),
            )
        }
    }
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn serde_urlencoded_pairs(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[tokio::test]
async fn fuzzed_requests_never_answer_a_server_error() {
    let seed: u64 = std::env::var("COGNATE_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20261130);
    let rounds: usize = std::env::var("COGNATE_FUZZ_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(16);
    let storage = match std::env::var("COGNATE_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            Storage::Url(crate::common::fresh_postgres_database(&url).await)
        }
        _ => Storage::InMemory,
    };
    let t = start_with_config(config(storage)).await;
    let url = t.url();
    let known = known_resources(&t).await;
    let model: Value = serde_json::from_str(MODEL).unwrap();
    let shapes = model["shapes"].as_object().unwrap();
    let mut ops: Vec<(String, Option<String>)> = model["operations"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(name, op)| {
            (
                name.clone(),
                op["input"]["shape"].as_str().map(str::to_owned),
            )
        })
        .collect();
    ops.sort();
    let mut g = Gen {
        shapes,
        rng: StdRng::seed_from_u64(seed),
        known: &known,
        destructive: false,
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let mut failures = Vec::new();
    let mut sent = 0;
    let mut outcomes = std::collections::BTreeMap::new();
    for _ in 0..rounds {
        for (op, input) in &ops {
            g.destructive = matches!(op.as_str(), "DeleteUserPool" | "DeleteUserPoolClient");
            let body = match input {
                Some(shape) => g.value(shape, "", 0),
                None => json!({}),
            };
            let bytes = if g.chance(0.4) {
                g.mutate(body)
            } else {
                body.to_string().into_bytes()
            };
            let target = format!("AWSCognitoIdentityProviderService.{op}");
            let mut req = http
                .post(format!("{url}/"))
                .header("content-type", "application/x-amz-json-1.1")
                .header("x-amz-target", &target);
            if g.chance(0.9) {
                for (n, v) in sign(&url, &target, &bytes) {
                    req = req.header(n, v);
                }
            }
            let shown = String::from_utf8_lossy(&bytes[..bytes.len().min(300)]).into_owned();
            let answer = req.body(bytes).send().await;
            let status = answer
                .as_ref()
                .map(|r| r.status().as_u16())
                .map_err(|e| e.to_string());
            if let Ok(r) = &answer {
                let kind = r
                    .headers()
                    .get("x-amzn-errortype")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("ok")
                    .to_owned();
                *outcomes.entry(kind).or_insert(0usize) += 1;
            }
            sent += 1;
            match status {
                Ok(s) if s < 500 || s == 501 => {}
                other => failures.push(format!("{op} -> {other:?}: {shown}")),
            }
        }
        for _ in 0..40 {
            let (what, req) = web_request(&mut g, &http, &url);
            let status = req.send().await.map(|r| r.status().as_u16());
            match status {
                // A header value HTTP cannot carry: the client refuses to send it.
                Err(e) if e.is_builder() => continue,
                Ok(s) if s < 500 => {}
                other => failures.push(format!("{what} -> {other:?}")),
            }
            sent += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "seed {seed}: {} of {sent} requests failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    let health = http
        .get(format!("{url}/health/ready"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status().as_u16(), 200);
    t.client
        .list_user_pools()
        .max_results(10)
        .send()
        .await
        .expect("the API still answers");
    eprintln!("fuzz: {sent} requests, seed {seed}, no server errors; API outcomes: {outcomes:?}");
}
