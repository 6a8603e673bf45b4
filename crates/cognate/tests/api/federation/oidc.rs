//! Sign-in through an OIDC provider, end to end: the upstream is a second Cognate pool on the
//! same server (its hosted login, its tokens, its JWKS, its discovery document). A browser
//! (cookies, no automatic redirects) goes authorize → upstream login → `/oauth2/idpresponse`
//! → the client's callback; the tokens then carry the mapped attributes, `identities` and the
//! provider's group. A tampered upstream ID token, a state from another browser and an
//! upstream refusal are each refused.

use crate::common::{TestServer, create_pool, create_user, start};
use crate::oauth_support::{
    CALLBACK, browser, location, query_param, sign_in_through_pages, token_request,
};
use aws_sdk_cognitoidentityprovider::types::{IdentityProviderTypeType as Kind, OAuthFlowType};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use serde_json::Value;

/// The public base URL of the server (its issuer base, where upstreams send browsers back).
pub(super) fn base(t: &TestServer) -> String {
    format!("http://localhost:{}", t.server.addr.port())
}

pub(super) fn claims(jwt: &str) -> Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&B64URL.decode(payload).unwrap()).unwrap()
}

/// The upstream: a pool with a confidential code-flow client whose callback is our
/// `/oauth2/idpresponse`, and a user. (pool, client ID, secret, the user's sub)
pub(super) async fn upstream(t: &TestServer) -> (String, String, String, String) {
    let c = &t.client;
    let pool = create_pool(c, "upstream").await;
    let client = c
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("downstream-cognate")
        .generate_secret(true)
        .allowed_o_auth_flows(OAuthFlowType::Code)
        .allowed_o_auth_scopes("openid")
        .allowed_o_auth_scopes("email")
        .allowed_o_auth_scopes("profile")
        .allowed_o_auth_flows_user_pool_client(true)
        .callback_urls(format!("{}/oauth2/idpresponse", base(t)))
        .supported_identity_providers("COGNITO")
        .send()
        .await
        .unwrap()
        .user_pool_client
        .unwrap();
    create_user(
        c,
        &pool,
        "ada",
        &[
            ("email", "ada@upstream.test"),
            ("email_verified", "true"),
            ("given_name", "Ada"),
        ],
    )
    .await;
    let sub = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("ada")
        .send()
        .await
        .unwrap()
        .user_attributes()
        .iter()
        .find(|a| a.name() == "sub")
        .unwrap()
        .value()
        .unwrap()
        .to_owned();
    (
        pool,
        client.client_id.unwrap(),
        client.client_secret.unwrap(),
        sub,
    )
}

/// The downstream pool with the upstream as OIDC provider `Upstream` at `issuer`, and its
/// public client that supports it. (pool, client ID)
pub(super) async fn downstream(
    t: &TestServer,
    issuer: &str,
    client_id: &str,
    secret: &str,
) -> (String, String) {
    let c = &t.client;
    let pool = create_pool(c, "downstream").await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .provider_type(Kind::Oidc)
        .provider_details("client_id", client_id)
        .provider_details("client_secret", secret)
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", issuer)
        .provider_details("attributes_request_method", "GET")
        .attribute_mapping("email", "email")
        .attribute_mapping("given_name", "given_name")
        .send()
        .await
        .unwrap();
    let client = crate::oauth_support::code_flow_client(c, &pool, &["COGNITO", "Upstream"]).await;
    (pool, client)
}

pub(super) fn authorize(base: &str, client: &str) -> String {
    format!(
        "{base}/oauth2/authorize?response_type=code&client_id={client}&redirect_uri=http%3A%2F%2Flocalhost%3A5000%2Fpostlogin&state=st-fed&scope=openid+email&identity_provider=Upstream"
    )
}

#[tokio::test]
async fn an_oidc_user_signs_in_through_the_upstream_and_gets_mapped_tokens() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, up_sub) = upstream(&t).await;
    let (pool, client) = downstream(&t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;

    let b = browser();
    let r = b.get(authorize(&base, &client)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let upstream_authorize = location(&r);
    assert!(
        upstream_authorize.starts_with(&format!("{base}/oauth2/authorize?")),
        "{upstream_authorize}"
    );
    assert_eq!(
        query_param(&upstream_authorize, "client_id").as_deref(),
        Some(up_client.as_str())
    );
    assert_eq!(
        query_param(&upstream_authorize, "code_challenge_method").as_deref(),
        Some("S256")
    );
    assert!(query_param(&upstream_authorize, "nonce").is_some());

    // The upstream's own login page; it sends the browser back to /oauth2/idpresponse.
    let back = sign_in_through_pages(
        &b,
        &base,
        &upstream_authorize,
        "ada",
        crate::fixture::PASSWORD,
    )
    .await;
    assert!(
        back.starts_with(&format!("{base}/oauth2/idpresponse?")),
        "{back}"
    );
    let r = b.get(&back).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let done = location(&r);
    assert!(done.starts_with(CALLBACK), "{done}");
    assert_eq!(query_param(&done, "state").as_deref(), Some("st-fed"));
    let code =
        query_param(&done, "code").unwrap_or_else(|| panic!("a code for the client: {done}"));

    let (status, tokens) = token_request(
        &base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", &client),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{tokens}");
    let id = claims(tokens["id_token"].as_str().unwrap());
    // The test pools are case-insensitive: Cognito lower-cases the whole name there.
    let username = format!("upstream_{up_sub}");
    assert_eq!(id["cognito:username"], username.as_str());
    assert_eq!(id["email"], "ada@upstream.test");
    assert_eq!(id["given_name"], "Ada");
    assert_eq!(
        id["cognito:groups"],
        serde_json::json!([format!("{pool}_Upstream")])
    );
    let identity = &id["identities"][0];
    assert_eq!(identity["userId"], up_sub.as_str());
    assert_eq!(identity["providerName"], "Upstream");
    assert_eq!(identity["providerType"], "OIDC");
    assert_eq!(identity["issuer"], Value::Null);
    assert_eq!(identity["primary"], "true");
    assert!(
        identity["dateCreated"]
            .as_str()
            .unwrap()
            .parse::<i64>()
            .is_ok()
    );

    let user = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username(&username)
        .send()
        .await
        .unwrap();
    assert_eq!(user.user_status().unwrap().as_str(), "EXTERNAL_PROVIDER");

    // Its tokens refresh, and userInfo reads the user.
    let (status, refreshed) = token_request(
        &base,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", &client),
            ("refresh_token", tokens["refresh_token"].as_str().unwrap()),
        ],
        None,
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    let me: Value = reqwest::Client::new()
        .get(format!("{base}/oauth2/userInfo"))
        .bearer_auth(refreshed["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["username"], username.as_str());
    assert_eq!(me["email"], "ada@upstream.test");

    // A second sign-in is the same user, after the upstream rotated its keys (the key set
    // Cognate keeps has no key for the new ID token's `kid`: it is read again).
    t.server
        .cognito
        .rotate_signing_keys(&up_pool)
        .await
        .unwrap();
    let r = b.get(authorize(&base, &client)).send().await.unwrap();
    let back =
        sign_in_through_pages(&b, &base, &location(&r), "ada", crate::fixture::PASSWORD).await;
    let r = b.get(&back).send().await.unwrap();
    assert!(location(&r).starts_with(CALLBACK));
    let users = t
        .client
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert_eq!(users.users().len(), 1);
}

#[tokio::test]
async fn a_state_from_another_browser_and_an_upstream_refusal_are_refused() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, _) = upstream(&t).await;
    let (_, client) = downstream(&t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;

    let victim = browser();
    let r = victim.get(authorize(&base, &client)).send().await.unwrap();
    let upstream_authorize = location(&r);
    let back = sign_in_through_pages(
        &victim,
        &base,
        &upstream_authorize,
        "ada",
        crate::fixture::PASSWORD,
    )
    .await;
    // Another browser (an attacker's link) cannot complete this flow.
    let r = browser().get(&back).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("This sign-in was started in another browser."),
        "{page}"
    );

    // The upstream says no: the client hears it at its callback.
    let state = query_param(&upstream_authorize, "state").unwrap();
    let refusal = reqwest::Url::parse_with_params(
        &format!("{base}/oauth2/idpresponse"),
        &[
            ("error", "access_denied"),
            ("error_description", "User cancelled"),
            ("state", state.as_str()),
        ],
    )
    .unwrap();
    let r = victim.get(refusal).send().await.unwrap();
    let to_client = location(&r);
    assert!(to_client.starts_with(CALLBACK), "{to_client}");
    assert_eq!(
        query_param(&to_client, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(
        query_param(&to_client, "error_description").as_deref(),
        Some("User cancelled")
    );
    assert_eq!(query_param(&to_client, "state").as_deref(), Some("st-fed"));
}

/// Between us and the upstream's token endpoint: passes the request on, and changes the ID
/// token's `email` claim in the answer (its signature left as it was).
pub(crate) async fn tampering_token_endpoint(real: String) -> String {
    use axum::body::Bytes;
    use axum::http::HeaderMap;
    let app = axum::Router::new().route(
        "/token",
        axum::routing::post(move |headers: HeaderMap, body: Bytes| {
            let real = real.clone();
            async move {
                let mut request = reqwest::Client::new()
                    .post(&real)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body);
                if let Some(auth) = headers.get("authorization") {
                    request = request.header("authorization", auth.to_str().unwrap());
                }
                let mut tokens: Value = request.send().await.unwrap().json().await.unwrap();
                let id = tokens["id_token"].as_str().unwrap().to_owned();
                let parts: Vec<&str> = id.split('.').collect();
                let mut payload = claims(&id);
                payload["email"] = "mallory@evil.test".into();
                let forged = B64URL.encode(payload.to_string());
                tokens["id_token"] = format!("{}.{forged}.{}", parts[0], parts[2]).into();
                axum::Json(tokens)
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://localhost:{}/token",
        listener.local_addr().unwrap().port()
    );
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test]
async fn a_tampered_upstream_id_token_is_refused() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, _) = upstream(&t).await;
    let issuer = format!("{base}/{up_pool}");
    let (pool, client) = downstream(&t, &issuer, &up_client, &up_secret).await;
    // Explicit endpoints: the token endpoint is the tampering one.
    t.client
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .provider_details("client_id", &up_client)
        .provider_details("client_secret", &up_secret)
        .provider_details("authorize_scopes", "openid email profile")
        .provider_details("oidc_issuer", &issuer)
        .provider_details("attributes_request_method", "GET")
        .provider_details("authorize_url", format!("{base}/oauth2/authorize"))
        .provider_details(
            "token_url",
            tampering_token_endpoint(format!("{base}/oauth2/token")).await,
        )
        .provider_details("jwks_uri", format!("{issuer}/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();

    let b = browser();
    let r = b.get(authorize(&base, &client)).send().await.unwrap();
    let back =
        sign_in_through_pages(&b, &base, &location(&r), "ada", crate::fixture::PASSWORD).await;
    let r = b.get(&back).send().await.unwrap();
    let to_client = location(&r);
    assert!(to_client.starts_with(CALLBACK), "{to_client}");
    assert_eq!(
        query_param(&to_client, "error").as_deref(),
        Some("invalid_request")
    );
    let description = query_param(&to_client, "error_description").unwrap();
    assert!(
        description.starts_with("Invalid ID token: "),
        "{description}"
    );
    assert!(query_param(&to_client, "code").is_none());
    let users = t
        .client
        .list_users()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(
        users.users().is_empty(),
        "nothing from the forged token was kept"
    );
}

#[tokio::test]
async fn the_login_page_offers_the_clients_providers() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, _) = upstream(&t).await;
    let (_, client) = downstream(&t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;
    let b = browser();
    let plain = authorize(&base, &client).replace("&identity_provider=Upstream", "");
    let r = b.get(&plain).send().await.unwrap();
    let login = format!("{base}{}", location(&r));
    let html = b.get(&login).send().await.unwrap().text().await.unwrap();
    assert!(html.contains(">Sign in with Upstream</a>"), "{html}");
    assert!(
        html.contains("name=\"password\""),
        "COGNITO is supported too"
    );
    let href = html
        .split("href=\"")
        .map(|s| s.split('"').next().unwrap())
        .find(|h| h.contains("identity_provider=Upstream"))
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    let r = b.get(format!("{base}{href}")).send().await.unwrap();
    assert_eq!(
        r.status().as_u16(),
        302,
        "{href}: {}",
        r.text().await.unwrap()
    );
    assert_eq!(
        query_param(&location(&r), "client_id").as_deref(),
        Some(up_client.as_str()),
        "the link goes to the upstream"
    );
}

#[tokio::test]
async fn an_idp_identifier_picks_the_provider() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, _) = upstream(&t).await;
    let (pool, client) = downstream(&t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;
    t.client
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .idp_identifiers("upstream.test")
        .send()
        .await
        .unwrap();
    let b = browser();
    let by_identifier = authorize(&base, &client)
        .replace("identity_provider=Upstream", "idp_identifier=upstream.test");
    let r = b.get(by_identifier).send().await.unwrap();
    assert_eq!(
        query_param(&location(&r), "client_id").as_deref(),
        Some(up_client.as_str()),
        "the identifier's provider"
    );
    let unknown = authorize(&base, &client).replace(
        "identity_provider=Upstream",
        "idp_identifier=elsewhere.test",
    );
    let r = b.get(unknown).send().await.unwrap();
    let to_client = location(&r);
    assert_eq!(
        query_param(&to_client, "error").as_deref(),
        Some("invalid_request")
    );
    assert_eq!(
        query_param(&to_client, "error_description").as_deref(),
        Some("No identity provider matches idp_identifier.")
    );
}

/// A user of the pool who happens to bear a federated user's name is not signed in by the
/// provider (no account takeover through a chosen username).
#[tokio::test]
async fn a_native_user_with_a_federated_name_is_not_taken_over() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, up_sub) = upstream(&t).await;
    let (pool, client) = downstream(&t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;
    let squatter = format!("upstream_{up_sub}");
    crate::common::create_user(
        &t.client,
        &pool,
        &squatter,
        &[("email", "squatter@down.test")],
    )
    .await;
    let b = browser();
    let r = b.get(authorize(&base, &client)).send().await.unwrap();
    let back =
        sign_in_through_pages(&b, &base, &location(&r), "ada", crate::fixture::PASSWORD).await;
    let r = b.get(&back).send().await.unwrap();
    let landed = location(&r);
    assert_eq!(
        query_param(&landed, "error_description"),
        Some(format!("Already found an entry for username {squatter}")),
        "{landed}"
    );
    let kept = t
        .client
        .admin_get_user()
        .user_pool_id(&pool)
        .username(&squatter)
        .send()
        .await
        .unwrap();
    let email = kept
        .user_attributes()
        .iter()
        .find(|a| a.name() == "email")
        .unwrap();
    assert_eq!(
        email.value(),
        Some("squatter@down.test"),
        "nothing was written over"
    );
}

/// On a pool's domain the upstream is asked to send the browser back to that domain, where
/// the flow's cookie is (Cognito: `https://<domain>/oauth2/idpresponse`).
#[tokio::test]
async fn on_a_pool_domain_the_upstream_comes_back_to_that_domain() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, _) = upstream(&t).await;
    let (pool, client) = downstream(&t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;
    t.client
        .create_user_pool_domain()
        .user_pool_id(&pool)
        .domain("fed-down")
        .send()
        .await
        .unwrap();
    let r = browser()
        .get(authorize(&base, &client))
        .header(reqwest::header::HOST, "fed-down.auth.example.test")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 302);
    assert_eq!(
        query_param(&location(&r), "redirect_uri").as_deref(),
        Some("https://fed-down.auth.example.test/oauth2/idpresponse")
    );
    // Elsewhere, the base URL Cognate is configured with.
    let r = browser()
        .get(authorize(&base, &client))
        .send()
        .await
        .unwrap();
    assert_eq!(
        query_param(&location(&r), "redirect_uri"),
        Some(format!("{base}/oauth2/idpresponse"))
    );
}
