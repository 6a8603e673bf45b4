//! Sign-in through a real, independent SAML identity provider: samlify (tests/e2e/saml_idp.mjs)
//! checks Cognate's signed AuthnRequest and LogoutRequest against the SP metadata Cognate
//! serves, and answers with responses signed (or forged) its own way. Signed, response-signed
//! and encrypted assertions sign users in; unsigned, wrongly signed, tampered, expired,
//! wrong-audience, wrapped and replayed ones are refused with Cognito's message. They need
//! Node and tests/e2e/node_modules, so they run with `--ignored` (scripts/test.sh).

use super::oidc::{authorize, base, claims};
use crate::common::{TestServer, create_pool, start};
use crate::oauth_support::{CALLBACK, SIGN_OUT, browser, location, query_param, token_request};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType as Kind, OAuthFlowType};
use serde_json::Value;
use std::path::PathBuf;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The IdP, stopped when dropped.
struct Idp {
    _child: tokio::process::Child,
    base: String,
}

async fn start_idp(name_id: &str) -> Idp {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/e2e");
    assert!(
        dir.join("node_modules/samlify").exists(),
        "run `npm ci` in tests/e2e first (scripts/test.sh does)"
    );
    let mut child = tokio::process::Command::new("node")
        .arg("saml_idp.mjs")
        .current_dir(&dir)
        .env("NAME_ID", name_id)
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("node runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next_line().await.unwrap().expect("the IdP starts");
    let port = line.strip_prefix("LISTENING ").expect("LISTENING <port>");
    Idp {
        _child: child,
        base: format!("http://127.0.0.1:{port}"),
    }
}

struct Fixture {
    idp: Idp,
    pool: String,
    client: String,
}

/// A pool with the IdP as provider `Upstream` (requests signed, sign-out at the IdP, email and
/// given name mapped) plus `extra` details, a code-flow client of it, and the IdP told the
/// pool's SP metadata.
async fn fixture(t: &TestServer, extra: &[(&str, &str)]) -> Fixture {
    let idp = start_idp("ada@example.com").await;
    let c = &t.client;
    let metadata = reqwest::get(format!("{}/metadata", idp.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let pool = create_pool(c, "saml").await;
    let mut create = c
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .provider_type(Kind::Saml)
        .provider_details("MetadataFile", metadata)
        .provider_details("RequestSigningAlgorithm", "rsa-sha256")
        .provider_details("IDPSignout", "true")
        .attribute_mapping(
            "email",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        )
        .attribute_mapping(
            "given_name",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/givenname",
        );
    for (k, v) in extra {
        create = create.provider_details(*k, *v);
    }
    create.send().await.unwrap();
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("app")
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(CALLBACK)
        .logout_urls(SIGN_OUT)
        .supported_identity_providers("Upstream")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap()
        .client_id
        .unwrap();
    let sp = reqwest::get(format!(
        "{}/saml2/metadata/{pool}?identity_provider=Upstream",
        base(t)
    ))
    .await
    .unwrap();
    assert_eq!(sp.status().as_u16(), 200);
    let sp = sp.text().await.unwrap();
    assert!(sp.contains(&format!(r#"entityID="urn:amazon:cognito:sp:{pool}""#)));
    let told = reqwest::Client::new()
        .post(format!("{}/sp", idp.base))
        .body(sp)
        .send()
        .await
        .unwrap();
    assert_eq!(told.status().as_u16(), 200);
    Fixture { idp, pool, client }
}

/// What the IdP answers to Cognate's request (it checks the request and its signature first).
async fn idp_answer(url: &str, variant: &str) -> Value {
    let r = reqwest::get(format!("{url}&variant={variant}"))
        .await
        .unwrap();
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap();
    assert_eq!(status, 200, "the IdP refused Cognate's request: {body}");
    body
}

async fn post_acs(b: &reqwest::Client, t: &TestServer, answer: &Value) -> reqwest::Response {
    b.post(format!("{}/saml2/idpresponse", base(t)))
        .form(&[
            ("SAMLResponse", answer["SAMLResponse"].as_str().unwrap()),
            (
                "RelayState",
                answer["RelayState"].as_str().unwrap_or_default(),
            ),
        ])
        .send()
        .await
        .unwrap()
}

/// An SP-initiated sign-in with the IdP answering `variant`: where the browser lands, the
/// IdP's answer, and the binding cookie.
async fn sign_in(
    b: &reqwest::Client,
    t: &TestServer,
    f: &Fixture,
    variant: &str,
) -> (String, Value, String) {
    let r = b.get(authorize(&base(t), &f.client)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let cookie = r.headers()[reqwest::header::SET_COOKIE]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let sso = location(&r);
    assert!(
        sso.starts_with(&format!("{}/sso?SAMLRequest=", f.idp.base)),
        "{sso}"
    );
    assert_eq!(
        query_param(&sso, "SigAlg").as_deref(),
        Some("http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    );
    let answer = idp_answer(&sso, variant).await;
    let r = post_acs(b, t, &answer).await;
    assert_eq!(r.status().as_u16(), 302, "{:?}", r.text().await);
    (location(&r), answer, cookie)
}

async fn redeem(t: &TestServer, client: &str, landed: &str) -> Value {
    let code = query_param(landed, "code").unwrap_or_else(|| panic!("a code: {landed}"));
    let (status, tokens) = token_request(
        &base(t),
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    claims(tokens["id_token"].as_str().unwrap())
}

fn refusal(landed: &str) -> String {
    assert!(landed.starts_with(CALLBACK), "{landed}");
    assert_eq!(
        query_param(landed, "error").as_deref(),
        Some("server_error")
    );
    query_param(landed, "error_description").unwrap()
}

#[tokio::test]
#[ignore = "needs Node and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn a_signed_assertion_signs_the_user_in_once_and_the_idp_signs_out_too() {
    let t = start().await;
    let f = fixture(&t, &[]).await;
    let b = browser();
    let (landed, answer, cookie) = sign_in(&b, &t, &f, "signed").await;
    assert_eq!(query_param(&landed, "state").as_deref(), Some("st-fed"));
    let id = redeem(&t, &f.client, &landed).await;
    assert_eq!(id["cognito:username"], "upstream_ada@example.com");
    assert_eq!(id["email"], "ada@example.com");
    assert_eq!(id["given_name"], "Ada");
    let identity = &id["identities"][0];
    assert_eq!(identity["userId"], "ada@example.com");
    assert_eq!(identity["providerType"], "SAML");
    assert_eq!(identity["issuer"], "https://idp.example.test/saml");
    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&f.pool)
        .username("upstream_ada@example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "EXTERNAL_PROVIDER");

    // The same response again, even with the flow's cookie: the request was answered.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = replay
        .post(format!("{}/saml2/idpresponse", base(&t)))
        .header(reqwest::header::COOKIE, cookie)
        .form(&[
            ("SAMLResponse", answer["SAMLResponse"].as_str().unwrap()),
            ("RelayState", answer["RelayState"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Invalid samlResponse or relayState from identity provider")
    );

    // Sign-out goes through the IdP (a signed LogoutRequest it checks) and back.
    let r = b
        .get(format!(
            "{}/logout?client_id={}&logout_uri={}",
            base(&t),
            f.client,
            SIGN_OUT
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let slo = location(&r);
    assert!(
        slo.starts_with(&format!("{}/slo?SAMLRequest=", f.idp.base)),
        "{slo}"
    );
    let answer = idp_answer(&slo, "signed").await;
    assert_eq!(answer["nameId"], "ada@example.com");
    let r = b
        .post(format!("{}/saml2/logout", base(&t)))
        .form(&[
            ("SAMLResponse", answer["SAMLResponse"].as_str().unwrap()),
            ("RelayState", answer["RelayState"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(location(&r), SIGN_OUT);
}

#[tokio::test]
#[ignore = "needs Node and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn response_signed_and_encrypted_assertions_are_accepted() {
    let t = start().await;
    let f = fixture(&t, &[]).await;
    let (landed, _, _) = sign_in(&browser(), &t, &f, "response-signed").await;
    assert_eq!(
        redeem(&t, &f.client, &landed).await["email"],
        "ada@example.com"
    );

    let f = fixture(&t, &[("EncryptedResponses", "true")]).await;
    let (landed, _, _) = sign_in(&browser(), &t, &f, "encrypted").await;
    assert_eq!(redeem(&t, &f.client, &landed).await["given_name"], "Ada");
    let (landed, _, _) = sign_in(&browser(), &t, &f, "encrypted-then-signed").await;
    assert_eq!(redeem(&t, &f.client, &landed).await["given_name"], "Ada");
    // Encryption anywhere but in the one EncryptedAssertion is refused before decrypting.
    let (landed, _, _) = sign_in(&browser(), &t, &f, "smuggled").await;
    assert_eq!(
        refusal(&landed),
        "Invalid SAML response received: The assertion cannot be decrypted."
    );
    // A provider that must encrypt may not send a plain assertion.
    let (landed, _, _) = sign_in(&browser(), &t, &f, "signed").await;
    assert_eq!(
        refusal(&landed),
        "Invalid SAML response received: The assertion is not encrypted."
    );
}

#[tokio::test]
#[ignore = "needs Node and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn forged_expired_and_misaddressed_responses_are_refused() {
    let t = start().await;
    let f = fixture(&t, &[]).await;
    let invalid = "Invalid SAML response received: SAML Assertion signature is invalid.";
    for (variant, reason) in [
        ("unsigned", invalid),
        ("wrong-key", invalid),
        ("tampered", invalid),
        (
            "wrapped",
            "Invalid SAML response received: The response must hold exactly one assertion.",
        ),
        ("encrypted-unsigned", invalid),
        ("external-reference", invalid),
        (
            "no-in-response-to",
            "Invalid SAML response received: The assertion has no valid bearer subject confirmation for this recipient, or it has expired.",
        ),
        (
            "expired",
            "Invalid SAML response received: The assertion has no valid bearer subject confirmation for this recipient, or it has expired.",
        ),
        (
            "wrong-audience",
            &format!(
                "Invalid SAML response received: Invalid audience: the assertion is not for urn:amazon:cognito:sp:{}.",
                f.pool
            ),
        ),
    ] {
        let (landed, _, _) = sign_in(&browser(), &t, &f, variant).await;
        assert_eq!(refusal(&landed), reason, "variant {variant}");
    }
    let users = t
        .client
        .list_users()
        .user_pool_id(&f.pool)
        .send()
        .await
        .unwrap();
    assert!(users.users().is_empty(), "no forged response made a user");
}

#[tokio::test]
#[ignore = "needs Node and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn an_idp_initiated_sign_in_needs_the_provider_to_allow_it_and_is_used_once() {
    let t = start().await;
    let relay = |client: &str| {
        format!(
            "response_type=code&client_id={client}&redirect_uri={}&identity_provider=Upstream&scope=openid+email",
            cognate_core::oauth::form_encode(CALLBACK)
        )
    };
    let unsolicited = |f: &Fixture, relay: String| {
        let url = format!(
            "{}/unsolicited?variant=signed&relay={}",
            f.idp.base,
            cognate_core::oauth::form_encode(&relay)
        );
        async move {
            reqwest::get(url)
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    // Not allowed by the provider: Cognito's answer, on a page.
    let f = fixture(&t, &[]).await;
    let answer = unsolicited(&f, relay(&f.client)).await;
    let r = post_acs(&browser(), &t, &answer).await;
    assert_eq!(r.status().as_u16(), 400);
    assert!(
        r.text()
            .await
            .unwrap()
            .contains("Invalid samlResponse or relayState from identity provider")
    );

    let f = fixture(&t, &[("IDPInit", "true")]).await;
    let answer = unsolicited(&f, relay(&f.client)).await;
    let r = post_acs(&browser(), &t, &answer).await;
    assert_eq!(r.status().as_u16(), 302);
    let id = redeem(&t, &f.client, &location(&r)).await;
    assert_eq!(id["email"], "ada@example.com");
    let r = post_acs(&browser(), &t, &answer).await;
    assert_eq!(
        refusal(&location(&r)),
        "Invalid SAML response received: The assertion was already used."
    );
    // An SP-initiated response (it names a request) cannot be posted unsolicited.
    let (_, solicited, _) = {
        let b = browser();
        let r = b.get(authorize(&base(&t), &f.client)).send().await.unwrap();
        let sso = location(&r);
        (
            String::new(),
            idp_answer(&sso, "signed").await,
            String::new(),
        )
    };
    let mut forged = solicited.clone();
    forged["RelayState"] = Value::from(relay(&f.client));
    let r = post_acs(&browser(), &t, &forged).await;
    assert_eq!(
        refusal(&location(&r)),
        "Invalid SAML response received: An IdP-initiated response must not contain InResponseTo."
    );
}

/// In Chromium, with the IdP on another site (127.0.0.1 against localhost): the response
/// comes back as a cross-site form post, which must carry the flow's binding cookie.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and tests/e2e/node_modules: scripts/test.sh runs it"]
async fn a_browser_signs_in_through_the_saml_idp_across_sites() {
    let t = start().await;
    let f = fixture(&t, &[]).await;
    let envs = vec![("COGNATE_BASE", base(&t)), ("CLIENT_ID", f.client.clone())];
    tokio::task::spawn_blocking(move || crate::browser::run_node("federation_saml.mjs", &envs))
        .await
        .unwrap();
    drop(f);
}
