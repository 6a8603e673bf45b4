//! SAML identity providers as the API keeps them: the IdP's metadata read (from the file, or
//! from its URL, served here), the redirect locations and a per-provider encryption
//! certificate shown as Cognito shows them, bad metadata refused; the request a sign-in sends
//! and the SP metadata. Sign-in against a real IdP: `saml_signin.rs`.

use super::oidc::{authorize, base};
use crate::assert_cognito_err;
use crate::common::{TestServer, create_pool, start};
use crate::oauth_support::{browser, location, query_param};
use aws_sdk_cognitoidentityprovider::types::IdentityProviderTypeType as Kind;

/// An IdP's metadata, its signing certificate `certificate` (base64 DER).
fn metadata(certificate: &str, with_slo: bool) -> String {
    let slo = match with_slo {
        true => {
            r#"<md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/slo"/>"#
        }
        false => "",
    };
    format!(
        r#"<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{certificate}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    {slo}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#
    )
}

/// A certificate to stand for the IdP's: another pool's signing certificate.
async fn some_certificate(t: &TestServer) -> String {
    let other = create_pool(&t.client, "cert").await;
    t.client
        .get_signing_certificate()
        .user_pool_id(other)
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap()
}

#[tokio::test]
async fn a_saml_provider_is_kept_with_what_its_metadata_says() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "saml").await;
    let file = metadata(&some_certificate(&t).await, true);
    let created = c
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp-SAML")
        .provider_type(Kind::Saml)
        .provider_details("MetadataFile", &file)
        .provider_details("IDPSignout", "true")
        .attribute_mapping(
            "email",
            "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        )
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let details = created.provider_details().unwrap();
    assert_eq!(details["MetadataFile"], file);
    assert_eq!(details["IDPSignout"], "true");
    assert_eq!(
        details["SSORedirectBindingURI"],
        "https://idp.example.com/sso"
    );
    assert_eq!(
        details["SLORedirectBindingURI"],
        "https://idp.example.com/slo"
    );
    let encryption = details["ActiveEncryptionCertificate"].clone();
    assert!(encryption.starts_with("MII"), "base64 DER: {encryption}");
    let signing = c
        .get_signing_certificate()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap();
    assert_ne!(encryption, signing, "a key pair of the provider's own");
    assert_eq!(
        created.attribute_mapping().unwrap().len(),
        1,
        "no username mapping for SAML"
    );

    // An update reads the metadata again; Cognito's own keys are not the caller's to set.
    let updated = c
        .update_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp-SAML")
        .provider_details("MetadataFile", metadata(&some_certificate(&t).await, false))
        .provider_details("SSORedirectBindingURI", "https://evil.example/sso")
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let details = updated.provider_details().unwrap();
    assert_eq!(
        details["SSORedirectBindingURI"],
        "https://idp.example.com/sso"
    );
    assert!(!details.contains_key("SLORedirectBindingURI"));
    assert_eq!(
        details["ActiveEncryptionCertificate"], encryption,
        "kept while the provider lives"
    );

    // Made again, it has a new key pair.
    c.delete_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp-SAML")
        .send()
        .await
        .unwrap();
    let again = c
        .create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Corp-SAML")
        .provider_type(Kind::Saml)
        .provider_details("MetadataFile", &file)
        .send()
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    assert_ne!(
        again.provider_details().unwrap()["ActiveEncryptionCertificate"],
        encryption
    );
}

#[tokio::test]
async fn bad_metadata_is_refused_and_a_metadata_url_is_read() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "saml").await;
    let create = |details: Vec<(&'static str, String)>| {
        let mut r = c
            .create_identity_provider()
            .user_pool_id(&pool)
            .provider_name("Corp")
            .provider_type(Kind::Saml);
        for (k, v) in details {
            r = r.provider_details(k, v);
        }
        r.send()
    };
    assert_cognito_err!(
        create(vec![("MetadataFile", "<not-xml".into())]).await,
        InvalidParameterException,
        "Unable to unmarshall metadata"
    );
    let cert = some_certificate(&t).await;
    let no_redirect = metadata(&cert, false).replace(
        "HTTP-Redirect\" Location=\"https://idp.example.com/sso",
        "HTTP-POST\" Location=\"https://idp.example.com/sso",
    );
    assert_cognito_err!(
        create(vec![("MetadataFile", no_redirect)]).await,
        InvalidParameterException,
        "No SingleSignOn Http redirect binding location found in metadata."
    );
    assert_cognito_err!(
        create(vec![
            ("MetadataFile", metadata(&cert, false)),
            ("RequestSigningAlgorithm", "rsa-sha1".into())
        ])
        .await,
        InvalidParameterException,
        "RequestSigningAlgorithm must be rsa-sha256, not rsa-sha1."
    );

    // A metadata URL is read when the provider is saved.
    let served = metadata(&cert, true);
    let app = axum::Router::new().route(
        "/metadata.xml",
        axum::routing::get(move || {
            let xml = served.clone();
            async move { xml }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let host = format!("http://localhost:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let missing = format!("{host}/gone.xml");
    assert_cognito_err!(
        create(vec![("MetadataURL", missing.clone())]).await,
        InvalidParameterException,
        format!("Non-ok status code 404 returned from remote metadata source {missing}")
    );
    let created = create(vec![("MetadataURL", format!("{host}/metadata.xml"))])
        .await
        .unwrap()
        .identity_provider
        .unwrap();
    let details = created.provider_details().unwrap();
    assert_eq!(details["MetadataURL"], format!("{host}/metadata.xml"));
    assert_eq!(
        details["SLORedirectBindingURI"],
        "https://idp.example.com/slo"
    );
}

/// Without an IdP at the other end: the request Cognate sends (unsigned unless the provider
/// asks), and what it answers to a response that is no SAML or an ACS post without one.
#[tokio::test]
async fn a_sign_in_goes_to_the_idp_with_an_authn_request_and_garbage_back_is_refused() {
    let t = start().await;
    let c = &t.client;
    let pool = create_pool(c, "saml").await;
    c.create_identity_provider()
        .user_pool_id(&pool)
        .provider_name("Upstream")
        .provider_type(Kind::Saml)
        .provider_details("MetadataFile", metadata(&some_certificate(&t).await, false))
        .send()
        .await
        .unwrap();
    let client = crate::oauth_support::code_flow_client(c, &pool, &["Upstream"]).await;
    let b = browser();
    let r = b.get(authorize(&base(&t), &client)).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 302);
    let sso = location(&r);
    assert!(
        sso.starts_with("https://idp.example.com/sso?SAMLRequest="),
        "{sso}"
    );
    assert!(
        query_param(&sso, "SigAlg").is_none(),
        "unsigned unless asked"
    );
    let relay = query_param(&sso, "RelayState").unwrap();

    let acs = format!("{}/saml2/idpresponse", base(&t));
    let r = b
        .post(&acs)
        .form(&[
            ("SAMLResponse", "%%% not base64"),
            ("RelayState", relay.as_str()),
        ])
        .send()
        .await
        .unwrap();
    let landed = location(&r);
    assert_eq!(
        query_param(&landed, "error").as_deref(),
        Some("server_error")
    );
    assert_eq!(
        query_param(&landed, "error_description").as_deref(),
        Some("Invalid SAML response received: The response is not base64-encoded XML.")
    );
    let r = b
        .post(&acs)
        .form(&[("RelayState", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 400);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Required String parameter") && page.contains("SAMLResponse"),
        "{page}"
    );
    // The pool's SP metadata, its signing certificate the one GetSigningCertificate shows.
    let certificate = c
        .get_signing_certificate()
        .user_pool_id(&pool)
        .send()
        .await
        .unwrap()
        .certificate
        .unwrap();
    let sp = reqwest::get(format!("{}/saml2/metadata/{pool}", base(&t)))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(sp.contains(&format!("entityID=\"urn:amazon:cognito:sp:{pool}\"")));
    assert!(sp.contains(&certificate));
    assert!(sp.contains(&format!("Location=\"{}/saml2/idpresponse\"", base(&t))));
}
