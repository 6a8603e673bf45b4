//! CreateIdentityProvider and its family: each type's details as Cognito keeps and shows them
//! (its endpoints added, `client_secret` shown, Apple's key never), mappings, identifiers,
//! pages, and the errors by exact type and message.

use crate::assert_cognito_err;
use crate::fixture::{T, t};
use aws_sdk_cognitoidentityprovider::types::{
    IdentityProviderType, IdentityProviderTypeType as Kind,
};
use std::collections::HashMap;

fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn google_details() -> HashMap<String, String> {
    map(&[
        ("client_id", "1example23456789.apps.googleusercontent.com"),
        ("client_secret", "google-client-secret"),
        ("authorize_scopes", "email profile openid"),
    ])
}

fn oidc_details(issuer: &str) -> HashMap<String, String> {
    map(&[
        ("client_id", "corp-client"),
        ("client_secret", "corp-secret"),
        ("authorize_scopes", "openid email"),
        ("oidc_issuer", issuer),
        ("attributes_request_method", "GET"),
    ])
}

async fn create(
    t: &T,
    pool: &str,
    name: &str,
    kind: Kind,
    details: HashMap<String, String>,
) -> Result<
    IdentityProviderType,
    aws_sdk_cognitoidentityprovider::error::SdkError<
        aws_sdk_cognitoidentityprovider::operation::create_identity_provider::CreateIdentityProviderError,
    >,
>{
    t.client
        .create_identity_provider()
        .user_pool_id(pool)
        .provider_name(name)
        .provider_type(kind)
        .set_provider_details(Some(details))
        .send()
        .await
        .map(|o| o.identity_provider.unwrap())
}

#[tokio::test]
async fn google_is_kept_with_cognitos_endpoints_and_shown_with_its_secret() {
    let t = t();
    let pool = t.pool().await;
    let created = t
        .client
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .provider_type(Kind::Google)
        .set_provider_details(Some(google_details()))
        .attribute_mapping("email", "email")
        .idp_identifiers("gmail.com")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let details = created.provider_details().unwrap();
    assert_eq!(
        details,
        &map(&[
            (
                "attributes_url",
                "https://people.googleapis.com/v1/people/me?personFields="
            ),
            ("attributes_url_add_attributes", "true"),
            ("authorize_scopes", "email profile openid"),
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth"
            ),
            ("client_id", "1example23456789.apps.googleusercontent.com"),
            ("client_secret", "google-client-secret"),
            ("oidc_issuer", "https://accounts.google.com"),
            ("token_request_method", "POST"),
            ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
        ])
    );
    assert_eq!(
        created.attribute_mapping().unwrap(),
        &map(&[("email", "email"), ("username", "sub")])
    );
    assert_eq!(created.idp_identifiers(), ["gmail.com"]);
    assert_eq!(created.user_pool_id(), Some(pool.as_str()));
    assert_eq!(created.creation_date(), created.last_modified_date());
    let described = t
        .client
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(described, created);

    let r = create(&t, &pool, "Google", Kind::Google, google_details()).await;
    assert_cognito_err!(
        r,
        DuplicateProviderException,
        format!("Google already exists in user pool {pool}")
    );
}

#[tokio::test]
async fn names_types_details_and_mappings_are_checked() {
    let t = t();
    let pool = t.pool().await;
    assert_cognito_err!(
        create(&t, &pool, "MyGoogle", Kind::Google, google_details()).await,
        InvalidParameterException,
        "Provider MyGoogle cannot be of type Google."
    );
    assert_cognito_err!(
        create(
            &t,
            &pool,
            "Facebook",
            Kind::Oidc,
            oidc_details("https://idp.example.com")
        )
        .await,
        InvalidParameterException,
        "Provider Facebook cannot be of type OIDC."
    );
    let mut no_secret = google_details();
    no_secret.remove("client_secret");
    assert_cognito_err!(
        create(&t, &pool, "Google", Kind::Google, no_secret).await,
        InvalidParameterException,
        "client_id, client_secret and authorize_scopes are all required idp details"
    );
    let mut no_method = oidc_details("https://idp.example.com");
    no_method.remove("attributes_request_method");
    assert_cognito_err!(
        create(&t, &pool, "Corp", Kind::Oidc, no_method).await,
        InvalidParameterException,
        "client_id, authorize_scopes, oidc_issuer and attributes_request_method are all required idp details"
    );
    assert_cognito_err!(
        create(
            &t,
            &pool,
            "Corp",
            Kind::Oidc,
            oidc_details("http://idp.example.com")
        )
        .await,
        InvalidParameterException,
        "oidc_issuer http://idp.example.com must be an https URL without a trailing slash."
    );
    let r = t
        .client
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(Kind::Oidc)
        .set_provider_details(Some(oidc_details("https://idp.example.com")))
        .attribute_mapping("custom:nope", "groups")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "AttributeMapping contains invalid mapping: [custom:nope]"
    );
    assert_cognito_err!(
        create(
            &t,
            &pool,
            "Corp",
            Kind::Saml,
            map(&[("IDPSignout", "true")])
        )
        .await,
        InvalidParameterException,
        "At least one of the MetadataURL or MetadataFile should be provided."
    );
    let providers = t
        .client
        .list_identity_providers()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap();
    assert!(providers.providers().is_empty(), "nothing was kept");
}

#[tokio::test]
async fn apples_private_key_is_kept_but_never_shown() {
    let t = t();
    let pool = t.pool().await;
    let details = map(&[
        ("client_id", "com.example.cognito"),
        ("team_id", "TEAM123456"),
        ("key_id", "KEY1234567"),
        (
            "private_key",
            "-----BEGIN PRIVATE KEY-----\nMIGTAgEA\n-----END PRIVATE KEY-----",
        ),
        ("authorize_scopes", "email name"),
    ]);
    let created = create(&t, &pool, "SignInWithApple", Kind::SignInWithApple, details)
        .await
        .unwrap();
    let shown = created.provider_details().unwrap();
    assert!(!shown.contains_key("private_key"));
    assert_eq!(shown["oidc_issuer"], "https://appleid.apple.com");
    assert_eq!(shown.len(), 9);
    // An update without the key keeps it.
    let updated = t
        .client
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("SignInWithApple")
        .set_provider_details(Some(map(&[
            ("client_id", "com.example.cognito"),
            ("team_id", "TEAM123456"),
            ("key_id", "KEY7654321"),
            ("authorize_scopes", "email"),
        ])))
        .send()
        .await
        .expect("the stored private key still counts")
        .identity_provider
        .unwrap();
    assert_eq!(updated.provider_details().unwrap()["key_id"], "KEY7654321");
    assert!(
        !updated
            .provider_details()
            .unwrap()
            .contains_key("private_key")
    );
}

#[tokio::test]
async fn oidc_providers_are_updated_found_by_identifier_listed_and_deleted() {
    let t = t();
    let pool = t.pool().await;
    let c = &t.client;
    let corp = c
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .provider_type(Kind::Oidc)
        .set_provider_details(Some(oidc_details("https://idp.example.com")))
        .idp_identifiers("corp.example")
        .idp_identifiers("corp")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let details = corp.provider_details().unwrap();
    assert_eq!(details["attributes_url_add_attributes"], "false");
    assert!(
        !details.contains_key("authorize_url"),
        "discovered at sign-in"
    );
    assert_eq!(
        corp.attribute_mapping().unwrap(),
        &map(&[("username", "sub")])
    );

    // An identifier belongs to one provider.
    let r = c
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Partner")
        .provider_type(Kind::Oidc)
        .set_provider_details(Some(oidc_details("https://partner.example.com")))
        .idp_identifiers("corp")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "An IdpIdentifier is already used by another identity provider of this user pool."
    );
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Partner")
        .provider_type(Kind::Oidc)
        .set_provider_details(Some(oidc_details("https://partner.example.com")))
        .send()
        .await
        .unwrap();

    let found = c
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("corp")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(found.provider_name(), Some("Corp"));

    // An update replaces what it gives and keeps the rest.
    let updated = c
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .attribute_mapping("email", "mail")
        .idp_identifiers("corp.example")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_eq!(
        updated.attribute_mapping().unwrap(),
        &map(&[("email", "mail"), ("username", "sub")])
    );
    assert_eq!(updated.provider_details(), corp.provider_details());
    assert!(updated.last_modified_date() >= updated.creation_date());
    let r = c
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("corp")
        .send()
        .await;
    assert_cognito_err!(
        r,
        ResourceNotFoundException,
        format!("Identity provider with identifier corp does not exist in user pool {pool}.")
    );

    // Pages, by name.
    let first = c
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(1)
        .send()
        .await
        .unwrap();
    assert_eq!(first.providers().len(), 1);
    assert_eq!(first.providers()[0].provider_name(), Some("Corp"));
    assert_eq!(first.providers()[0].provider_type(), Some(&Kind::Oidc));
    let second = c
        .list_identity_providers()
        .user_pool_id(&pool)
        .max_results(1)
        .next_token(first.next_token().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(second.providers()[0].provider_name(), Some("Partner"));
    assert!(second.next_token().is_none());

    c.delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await
        .unwrap();
    let r = c
        .describe_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp")
        .send()
        .await;
    assert_cognito_err!(
        r,
        ResourceNotFoundException,
        format!("Corp does not exist in user pool {pool}.")
    );
    let r = c
        .get_identity_provider_by_identifier()
        .user_pool_id(&pool)
        .idp_identifier("corp.example")
        .send()
        .await;
    assert!(r.is_err(), "its identifiers went with it");
}

#[tokio::test]
async fn app_clients_may_name_only_the_pools_providers() {
    let t = t();
    let pool = t.pool().await;
    let c = &t.client;
    let with_google = || {
        c.create_user_pool_client()
            .user_pool_id(&pool)
            .client_name("web")
            .supported_identity_providers("COGNITO")
            .supported_identity_providers("Google")
            .send()
    };
    assert_cognito_err!(
        with_google().await,
        InvalidParameterException,
        format!("The provider Google does not exist for User Pool {pool}.")
    );
    create(&t, &pool, "Google", Kind::Google, google_details())
        .await
        .unwrap();
    let client = with_google().await.unwrap().user_pool_client.unwrap();
    assert_eq!(client.supported_identity_providers(), ["COGNITO", "Google"]);
    // Deleting a provider a client names is allowed; the client's next update must drop it.
    c.delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Google")
        .send()
        .await
        .unwrap();
    let r = c
        .update_user_pool_client()
        .user_pool_id(&pool)
        .client_id(client.client_id().unwrap())
        .supported_identity_providers("COGNITO")
        .supported_identity_providers("Google")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        format!("The provider Google does not exist for User Pool {pool}.")
    );
}

/// The pool's SAML signing certificate: base64 DER of a self-signed X.509 certificate (read
/// here by Python's `cryptography`), the same at every call, one per pool.
#[tokio::test]
async fn each_pool_has_one_signing_certificate() {
    let t = t();
    let pool = t.pool().await;
    let get = |pool: String| {
        let c = t.client.clone();
        async move {
            c.get_signing_certificate()
                .user_pool_id(pool)
                .send()
                .await
                .unwrap()
                .certificate
                .unwrap()
        }
    };
    let first = get(pool.clone()).await;
    assert_eq!(get(pool.clone()).await, first, "made once");
    assert_ne!(get(t.pool().await).await, first, "one per pool");
    let python = std::env::var("COGNATE_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import base64,sys\nfrom cryptography import x509\nc=x509.load_der_x509_certificate(base64.b64decode(sys.argv[1]))\nprint(c.subject.rfc4514_string());print((c.not_valid_after_utc-c.not_valid_before_utc).days);print(c.public_key().key_size)";
    let out = std::process::Command::new(python)
        .args(["-c", script, &first])
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("CN=urn:amazon:cognito:sp:{pool}"));
    assert!(lines[1].parse::<i64>().unwrap() >= 3650);
    assert_eq!(lines[2], "2048");
    let r = t
        .client
        .get_signing_certificate()
        .user_pool_id("us-east-1_Nowhere00")
        .send()
        .await;
    assert_cognito_err!(
        r,
        ResourceNotFoundException,
        "User pool us-east-1_Nowhere00 does not exist."
    );
}

/// Names that differ only by case would share users (`<ProviderName>_<id>`, folded), and a
/// host after `@` is the host.
#[tokio::test]
async fn lookalike_names_and_disguised_hosts_are_refused() {
    let t = t();
    let pool = t.pool().await;
    assert_cognito_err!(
        create(
            &t,
            &pool,
            "google",
            Kind::Oidc,
            oidc_details("https://idp.example.com")
        )
        .await,
        InvalidParameterException,
        "Provider google cannot be of type OIDC."
    );
    create(
        &t,
        &pool,
        "Corp",
        Kind::Oidc,
        oidc_details("https://idp.example.com"),
    )
    .await
    .unwrap();
    assert_cognito_err!(
        create(
            &t,
            &pool,
            "CORP",
            Kind::Oidc,
            oidc_details("https://idp.example.com")
        )
        .await,
        DuplicateProviderException,
        format!("CORP already exists in user pool {pool}")
    );
    assert_cognito_err!(
        create(
            &t,
            &pool,
            "Partner",
            Kind::Oidc,
            oidc_details("http://localhost:1@evil.example")
        )
        .await,
        InvalidParameterException,
        "oidc_issuer http://localhost:1@evil.example must be an https URL without a trailing slash."
    );
    let r = t
        .client
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("sneaky")
        .callback_urls("http://localhost:1@evil.example/cb")
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "http://localhost:1@evil.example/cb is not a valid redirect URL: it must be absolute, without a fragment, and use HTTPS unless it is http://localhost."
    );
}
