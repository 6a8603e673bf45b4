//! Each provider type's `ProviderDetails` as Cognito keeps them (API reference,
//! IdentityProviderType.ProviderDetails; AWS developer guide "Adding social identity
//! providers", "Adding OIDC identity providers"): the keys a type requires, the endpoints
//! Cognito adds for social types (a caller's own win, so a self-hoster can point at a
//! compatible server), and the claim a type's users are named by.

use crate::error::{CognitoError, Result};
use std::collections::BTreeMap;

type Details = BTreeMap<String, String>;

/// The keys a type requires, and what the message says when one is missing.
fn required(provider_type: &str) -> (&'static [&'static str], &'static str) {
    match provider_type {
        "SignInWithApple" => (
            &[
                "client_id",
                "team_id",
                "key_id",
                "private_key",
                "authorize_scopes",
            ],
            "client_id, team_id, key_id, private_key and authorize_scopes are all required idp details",
        ),
        "OIDC" => (
            &[
                "client_id",
                "authorize_scopes",
                "oidc_issuer",
                "attributes_request_method",
            ],
            "client_id, authorize_scopes, oidc_issuer and attributes_request_method are all required idp details",
        ),
        _ => (
            &["client_id", "client_secret", "authorize_scopes"],
            "client_id, client_secret and authorize_scopes are all required idp details",
        ),
    }
}

/// The keys Cognito adds to a type's details when the caller gave none of its own.
fn computed(provider_type: &str, details: &Details) -> Vec<(&'static str, String)> {
    let fixed = |pairs: &[(&'static str, &str)]| {
        pairs
            .iter()
            .map(|(k, v)| (*k, (*v).to_owned()))
            .collect::<Vec<_>>()
    };
    match provider_type {
        "Google" => fixed(&[
            (
                "attributes_url",
                "https://people.googleapis.com/v1/people/me?personFields=",
            ),
            ("attributes_url_add_attributes", "true"),
            (
                "authorize_url",
                "https://accounts.google.com/o/oauth2/v2/auth",
            ),
            ("oidc_issuer", "https://accounts.google.com"),
            ("token_request_method", "POST"),
            ("token_url", "https://www.googleapis.com/oauth2/v4/token"),
        ]),
        "Facebook" => {
            let v = details
                .get("api_version")
                .map_or("v17.0", String::as_str)
                .to_owned();
            vec![
                (
                    "attributes_url",
                    format!("https://graph.facebook.com/{v}/me?fields="),
                ),
                ("attributes_url_add_attributes", "true".into()),
                (
                    "authorize_url",
                    format!("https://www.facebook.com/{v}/dialog/oauth"),
                ),
                ("token_request_method", "GET".into()),
                (
                    "token_url",
                    format!("https://graph.facebook.com/{v}/oauth/access_token"),
                ),
            ]
        }
        "LoginWithAmazon" => fixed(&[
            ("attributes_url", "https://api.amazon.com/user/profile"),
            ("attributes_url_add_attributes", "false"),
            ("authorize_url", "https://www.amazon.com/ap/oa"),
            ("token_request_method", "POST"),
            ("token_url", "https://api.amazon.com/auth/o2/token"),
        ]),
        "SignInWithApple" => fixed(&[
            ("attributes_url_add_attributes", "false"),
            ("authorize_url", "https://appleid.apple.com/auth/authorize"),
            ("oidc_issuer", "https://appleid.apple.com"),
            ("token_request_method", "POST"),
            ("token_url", "https://appleid.apple.com/auth/token"),
        ]),
        "OIDC" => fixed(&[("attributes_url_add_attributes", "false")]),
        _ => Vec::new(),
    }
}

/// The claim a type's users are named by, mapped to `username` unless the caller maps it.
pub(crate) fn username_source(provider_type: &str) -> Option<&'static str> {
    match provider_type {
        "Facebook" => Some("id"),
        "LoginWithAmazon" => Some("user_id"),
        "SAML" => None,
        _ => Some("sub"),
    }
}

/// An https URL, or http to this machine (a provider on the same host, as in development).
pub(crate) fn acceptable_url(url: &str) -> bool {
    if url.starts_with("https://") && url.len() > "https://".len() {
        return true;
    }
    crate::client::redirect_url_allowed(url) && url.starts_with("http://")
}

/// The details as Cognito keeps them: required keys present, its own keys added.
pub(crate) fn checked_details(provider_type: &str, mut details: Details) -> Result<Details> {
    if provider_type == "SAML" {
        // Checked against its metadata by `saml.rs`, which may have to fetch it.
        return Ok(details);
    }
    let (keys, message) = required(provider_type);
    if keys
        .iter()
        .any(|k| details.get(*k).is_none_or(|v| v.trim().is_empty()))
    {
        return Err(CognitoError::invalid_parameter(message));
    }
    if provider_type == "OIDC" {
        let method = details["attributes_request_method"].as_str();
        if !matches!(method, "GET" | "POST") {
            return Err(CognitoError::invalid_parameter(format!(
                "attributes_request_method must be GET or POST, not {method}."
            )));
        }
        let issuer = details["oidc_issuer"].as_str();
        if !acceptable_url(issuer) || issuer.ends_with('/') {
            return Err(CognitoError::invalid_parameter(format!(
                "oidc_issuer {issuer} must be an https URL without a trailing slash."
            )));
        }
    }
    for key in ["authorize_url", "token_url", "attributes_url", "jwks_uri"] {
        if let Some(url) = details.get(key)
            && !acceptable_url(url)
        {
            return Err(CognitoError::invalid_parameter(format!(
                "{key} {url} must be an https URL."
            )));
        }
    }
    for (key, value) in computed(provider_type, &details) {
        details.entry(key.to_owned()).or_insert(value);
    }
    Ok(details)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn details(pairs: &[(&str, &str)]) -> Details {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn google_gets_its_endpoints_unless_given_its_own() {
        let given = details(&[
            ("client_id", "id"),
            ("client_secret", "s"),
            ("authorize_scopes", "openid email"),
        ]);
        let kept = checked_details("Google", given.clone()).unwrap();
        assert_eq!(kept.len(), 9);
        assert_eq!(
            kept["token_url"],
            "https://www.googleapis.com/oauth2/v4/token"
        );
        let mut own = given;
        own.insert("token_url".into(), "https://google.test/token".into());
        assert_eq!(
            checked_details("Google", own).unwrap()["token_url"],
            "https://google.test/token"
        );
    }

    #[test]
    fn oidc_needs_its_four_keys_and_a_usable_issuer() {
        let mut d = details(&[
            ("client_id", "id"),
            ("authorize_scopes", "openid"),
            ("oidc_issuer", "https://idp.example.com"),
        ]);
        assert!(checked_details("OIDC", d.clone()).is_err());
        d.insert("attributes_request_method".into(), "GET".into());
        let kept = checked_details("OIDC", d.clone()).unwrap();
        assert_eq!(kept["attributes_url_add_attributes"], "false");
        assert!(!kept.contains_key("authorize_url"), "discovered at sign-in");
        d.insert("oidc_issuer".into(), "http://idp.example.com".into());
        assert!(checked_details("OIDC", d.clone()).is_err());
        d.insert(
            "oidc_issuer".into(),
            "http://localhost:9229/us-east-1_x".into(),
        );
        assert!(checked_details("OIDC", d).is_ok());
    }
}
