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

use super::StoredIdentityProvider;

/// Whether the token endpoint is called with `GET` and a query (Facebook's Graph API).
pub(crate) fn token_by_get(idp: &StoredIdentityProvider) -> bool {
    idp.provider_details
        .get("token_request_method")
        .is_some_and(|m| m == "GET")
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
