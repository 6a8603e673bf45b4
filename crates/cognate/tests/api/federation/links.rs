//! AdminLinkProviderForUser and AdminDisableProviderForUser: an upstream's user linked to a
//! user of the pool signs that user in; unlinked, it signs in as a user of its own; disabled,
//! not at all. The upstream is a second Cognate pool (see `oidc.rs`).

use super::oidc::{authorize, base, claims, downstream, upstream};
use crate::assert_cognito_err;
use crate::common::{create_user, start};
use crate::fixture::PASSWORD;
use crate::oauth_support::{
    CALLBACK, browser, location, query_param, sign_in_through_pages, token_request,
};
use aws_sdk_cognitoidentityprovider::types::ProviderUserIdentifierType as Who;

fn who(provider: &str, attribute: Option<&str>, value: &str) -> Who {
    Who::builder()
        .provider_name(provider)
        .set_provider_attribute_name(attribute.map(str::to_owned))
        .provider_attribute_value(value)
        .build()
}

/// Signs in through the upstream as ada; where the browser lands at the client.
pub(super) async fn federated_sign_in(base: &str, client: &str) -> String {
    federated_sign_in_as(base, client, "Upstream").await
}

/// Signs in through `provider`: a Cognate pool's login as ada, or a provider that sends the
/// browser straight back; where the browser lands at the client.
pub(super) async fn federated_sign_in_as(base: &str, client: &str, provider: &str) -> String {
    let b = browser();
    let url = authorize(base, client).replace(
        "identity_provider=Upstream",
        &format!("identity_provider={provider}"),
    );
    let r = b.get(url).send().await.unwrap();
    let mut next = location(&r);
    // A Cognate upstream shows its login form; other stand-ins approve at once.
    let r = b.get(&next).send().await.unwrap();
    next = location(&r);
    if next.starts_with("/login") {
        let upstream_authorize = r.url().to_string();
        next = sign_in_through_pages(&b, base, &upstream_authorize, "ada", PASSWORD).await;
    }
    let r = b.get(&next).send().await.unwrap();
    location(&r)
}

pub(super) async fn id_token_at(base: &str, client: &str, landed: &str) -> serde_json::Value {
    let code = query_param(landed, "code").unwrap_or_else(|| panic!("{landed}"));
    let (status, tokens) = token_request(
        base,
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

#[tokio::test]
async fn a_linked_identity_signs_in_as_the_existing_user_until_unlinked() {
    let t = start().await;
    let base = base(&t);
    let (up_pool, up_client, up_secret, up_sub) = upstream(&t).await;
    let (pool, client) = downstream(&t, &format!("{base}/{up_pool}"), &up_client, &up_secret).await;
    let c = &t.client;
    create_user(c, &pool, "grace", &[("email", "grace@down.test")]).await;
    let link = |dest: &str| {
        c.admin_link_provider_for_user()
            .user_pool_id(&pool)
            .destination_user(who("Cognito", None, dest))
            .source_user(who("Upstream", Some("Cognito_Subject"), &up_sub))
            .send()
    };
    assert_cognito_err!(
        link("nobody").await,
        UserNotFoundException,
        "User does not exist."
    );
    link("grace").await.expect("linked");
    assert_cognito_err!(
        link("grace").await,
        InvalidParameterException,
        "SourceUser is already linked to DestinationUser"
    );
    let r = c
        .admin_link_provider_for_user()
        .user_pool_id(&pool)
        .destination_user(who("Cognito", None, "grace"))
        .source_user(who("Cognito", Some("Cognito_Subject"), "grace"))
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Invalid SourceUser: Cognito users with a username/password may not be passed in as a SourceUser, only as a DestinationUser"
    );
    let grace = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("grace")
        .send()
        .await
        .unwrap();
    let identities: serde_json::Value = serde_json::from_str(
        grace
            .user_attributes()
            .iter()
            .find(|a| a.name() == "identities")
            .unwrap()
            .value()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(identities[0]["providerName"], "Upstream");
    assert_eq!(identities[0]["userId"], up_sub.as_str());
    assert_eq!(identities[0]["primary"], false);

    // The upstream's user signs in as grace.
    let landed = federated_sign_in(&base, &client).await;
    let id = id_token_at(&base, &client, &landed).await;
    assert_eq!(id["cognito:username"], "grace");
    assert_eq!(id["identities"][0]["primary"], "false");
    assert_eq!(
        c.list_users()
            .user_pool_id(&pool)
            .send()
            .await
            .unwrap()
            .users()
            .len(),
        1
    );

    // Unlinked, it signs in as a user of its own.
    c.admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(who("Upstream", Some("Cognito_Subject"), &up_sub))
        .send()
        .await
        .unwrap();
    let landed = federated_sign_in(&base, &client).await;
    let id = id_token_at(&base, &client, &landed).await;
    assert_eq!(
        id["cognito:username"],
        format!("upstream_{up_sub}").as_str()
    );
    let grace = c
        .admin_get_user()
        .user_pool_id(&pool)
        .username("grace")
        .send()
        .await
        .unwrap();
    assert!(
        grace
            .user_attributes()
            .iter()
            .all(|a| a.name() != "identities")
    );

    // Now that it has signed in on its own, it cannot be linked: Cognito does not merge.
    assert_cognito_err!(
        link("grace").await,
        InvalidParameterException,
        "Merging is not currently supported, provide a SourceUser that has not been signed up in order to link"
    );

    // Disabled, it cannot sign in at all.
    c.admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(who("Upstream", Some("Cognito_Subject"), &up_sub))
        .send()
        .await
        .unwrap();
    let landed = federated_sign_in(&base, &client).await;
    assert_eq!(
        query_param(&landed, "error").as_deref(),
        Some("invalid_request"),
        "{landed}"
    );
    assert_eq!(
        query_param(&landed, "error_description").as_deref(),
        Some("User is disabled.")
    );
    let r = c
        .admin_disable_provider_for_user()
        .user_pool_id(&pool)
        .user(who("Upstream", Some("Cognito_Subject"), "someone-else"))
        .send()
        .await;
    assert_cognito_err!(
        r,
        InvalidParameterException,
        "Account isn't linked to anyone else, verify that the account has been linked"
    );
}
