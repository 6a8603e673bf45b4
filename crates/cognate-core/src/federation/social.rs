//! What the social providers do differently from OpenID Connect (AWS developer guide "Adding
//! social identity providers to a user pool"; the providers' own documentation):
//!
//! - Facebook asks for the token with `GET` (`token_request_method`), gives no ID token, and
//!   names the fields it should return in its Graph API URL (`attributes_url_add_attributes`:
//!   `...me?fields=id,email,...`, the claims the attribute mapping reads); its users are
//!   named by `id`.
//! - Login with Amazon gives no ID token either; its profile (`user_id`, `email`, `name`)
//!   comes from its attributes URL.
//! - Google and Sign in with Apple are OpenID providers: their ID token carries what the
//!   mapping reads, so their attributes URL (Google's People API) is not needed.
//! - Sign in with Apple has no fixed client secret: each token request carries a JWT signed
//!   (ES256) with the private key of the provider's details (Apple's "Creating a client
//!   secret"). Asked for `name` or `email`, Apple answers by `form_post`, with the user's name
//!   in a `user` field the first time only.

use super::StoredIdentityProvider;
use crate::error::{CognitoError, Result};
use serde_json::{Map, Value, json};

/// Apple's audience for client secrets.
const APPLE: &str = "https://appleid.apple.com";

/// The client secret of a Sign in with Apple request: a JWT of the team (`iss`) for the
/// Services ID (`sub`), valid five minutes, signed with the key `key_id`.
pub(crate) fn apple_client_secret(
    idp: &StoredIdentityProvider,
    private_key: &str,
    now_s: i64,
) -> Result<String> {
    let d = &idp.provider_details;
    let text = |k: &str| d.get(k).map_or("", String::as_str);
    let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::ES256);
    header.kid = Some(text("key_id").to_owned());
    let claims = json!({
        "iss": text("team_id"),
        "iat": now_s,
        "exp": now_s + 300,
        "aud": APPLE,
        "sub": text("client_id"),
    });
    let key = jsonwebtoken::EncodingKey::from_ec_pem(private_key.as_bytes()).map_err(|_| {
        CognitoError::invalid_parameter("The Sign in with Apple private_key is not a P-256 key.")
    })?;
    jsonwebtoken::encode(&header, &claims, &key)
        .map_err(|e| CognitoError::invalid_parameter(format!("Apple client secret: {e}")))
}

/// Whether the authorization asks the answer as a form post (Apple, for name or email).
pub(crate) fn form_post(idp: &StoredIdentityProvider) -> bool {
    idp.provider_type == "SignInWithApple"
        && idp
            .provider_details
            .get("authorize_scopes")
            .is_some_and(|s| s.split_whitespace().any(|x| x == "name" || x == "email"))
}

/// The names of Apple's `user` field (`{"name": {"firstName", "lastName"}, ...}`) as claims.
/// Only the names: the field is the browser's to send, unsigned, so anything that identifies
/// the user (the email) comes from the signed ID token alone.
pub(crate) fn apple_user(user: &str) -> Map<String, Value> {
    let Ok(v) = serde_json::from_str::<Value>(user) else {
        return Map::new();
    };
    let mut claims = Map::new();
    for (claim, value) in [
        ("firstName", &v["name"]["firstName"]),
        ("lastName", &v["name"]["lastName"]),
    ] {
        if let Some(s) = value.as_str() {
            claims.insert(claim.into(), Value::from(s));
        }
    }
    claims
}

/// Whether the token endpoint is called with `GET` and a query (Facebook's Graph API).
pub(crate) fn token_by_get(idp: &StoredIdentityProvider) -> bool {
    idp.provider_details
        .get("token_request_method")
        .is_some_and(|m| m == "GET")
}

/// Whether the provider is an OpenID provider, whose answer must carry an ID token.
pub(crate) fn needs_id_token(idp: &StoredIdentityProvider) -> bool {
    matches!(
        idp.provider_type.as_str(),
        "OIDC" | "Google" | "SignInWithApple"
    )
}

/// Whether the attributes URL is read, given whether the upstream sent an ID token.
pub(crate) fn reads_attributes(idp: &StoredIdentityProvider, has_id_token: bool) -> bool {
    match idp.provider_type.as_str() {
        "Google" | "SignInWithApple" => !has_id_token,
        _ => true,
    }
}

/// The attributes URL as it is called: with the claims the mapping reads appended when the
/// provider's details say so (Facebook's `fields=`).
pub(crate) fn attributes_url(idp: &StoredIdentityProvider, url: &str) -> String {
    let add = idp
        .provider_details
        .get("attributes_url_add_attributes")
        .is_some_and(|v| v == "true");
    if !add || idp.provider_type != "Facebook" {
        return url.to_owned();
    }
    let mut fields: Vec<&str> = vec!["id"];
    for claim in idp.attribute_mapping.values() {
        if !fields.contains(&claim.as_str()) {
            fields.push(claim);
        }
    }
    let fields: Vec<String> = fields
        .iter()
        .map(|f| crate::oauth::form_encode(f))
        .collect();
    format!("{url}{}", fields.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::Timestamp;

    fn facebook() -> StoredIdentityProvider {
        StoredIdentityProvider {
            pool_id: "p".into(),
            provider_name: "Facebook".into(),
            provider_type: "Facebook".into(),
            provider_details: [
                ("attributes_url_add_attributes", "true"),
                ("token_request_method", "GET"),
            ]
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
            sealed_secrets: None,
            attribute_mapping: [("username", "id"), ("email", "email"), ("name", "name")]
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            idp_identifiers: Vec::new(),
            acr_mapping: None,
            last_modified_date: Timestamp(0),
            creation_date: Timestamp(0),
        }
    }

    #[test]
    fn facebook_is_asked_for_the_mapped_fields_by_get() {
        let idp = facebook();
        assert!(token_by_get(&idp));
        assert_eq!(
            attributes_url(&idp, "https://graph.facebook.com/v17.0/me?fields="),
            "https://graph.facebook.com/v17.0/me?fields=id,email,name"
        );
    }
}
