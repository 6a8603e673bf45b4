//! An app client's settings: Cognito's defaults for what a request leaves out, and the rules
//! a client's settings must follow (token validity ranges, flows, redirect URLs, scopes).

use super::{ClientSettings, ClientSettingsInput, unit_seconds};
use crate::error::{CognitoError, ErrorKind, Result};
use crate::pool::UserPool;
use crate::time::Timestamp;

const DEFAULT_AUTH_FLOWS: &[&str] = &[
    "ALLOW_REFRESH_TOKEN_AUTH",
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_CUSTOM_AUTH",
];
pub(super) const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "email",
    "phone",
    "profile",
    "aws.cognito.signin.user.admin",
];

/// Applies the input over defaults (create) or over nothing (update: Cognito resets omitted
/// members to their defaults on update too).
pub(super) fn resolve_settings(
    pool_id: &str,
    client_id: &str,
    name: String,
    input: ClientSettingsInput,
    created: Timestamp,
    now: Timestamp,
) -> ClientSettings {
    ClientSettings {
        user_pool_id: pool_id.to_owned(),
        client_name: name,
        client_id: client_id.to_owned(),
        last_modified_date: now,
        creation_date: created,
        refresh_token_validity: match input.refresh_token_validity {
            None | Some(0) => 30,
            Some(v) => v,
        },
        access_token_validity: input.access_token_validity,
        id_token_validity: input.id_token_validity,
        token_validity_units: input.token_validity_units,
        read_attributes: input.read_attributes.unwrap_or_default(),
        write_attributes: input.write_attributes.unwrap_or_default(),
        explicit_auth_flows: input
            .explicit_auth_flows
            .filter(|f| !f.is_empty())
            .unwrap_or_else(|| DEFAULT_AUTH_FLOWS.iter().map(|s| s.to_string()).collect()),
        supported_identity_providers: input.supported_identity_providers.unwrap_or_default(),
        callback_urls: input.callback_urls.unwrap_or_default(),
        logout_urls: input.logout_urls.unwrap_or_default(),
        default_redirect_uri: input.default_redirect_uri,
        allowed_oauth_flows: input.allowed_oauth_flows.unwrap_or_default(),
        allowed_oauth_scopes: input.allowed_oauth_scopes.unwrap_or_default(),
        allowed_oauth_flows_user_pool_client: input
            .allowed_oauth_flows_user_pool_client
            .unwrap_or(false),
        analytics_configuration: input.analytics_configuration,
        prevent_user_existence_errors: input
            .prevent_user_existence_errors
            .unwrap_or_else(|| "LEGACY".into()),
        enable_token_revocation: input.enable_token_revocation.unwrap_or(true),
        enable_propagate_additional_user_context_data: input
            .enable_propagate_additional_user_context_data
            .unwrap_or(false),
        auth_session_validity: input.auth_session_validity.unwrap_or(3),
        refresh_token_rotation: input.refresh_token_rotation,
    }
}

/// Whether a callback or sign-out URL is acceptable: absolute, no fragment, and HTTPS unless
/// it points at this machine (custom app schemes such as `myapp://` are allowed).
pub fn redirect_url_allowed(url: &str) -> bool {
    if url.contains('#') || url.chars().any(char::is_whitespace) {
        return false;
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return false;
    };
    if scheme.is_empty()
        || !scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    {
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => !rest.is_empty(),
        "http" => {
            let authority = rest.split(['/', '?']).next().unwrap_or("");
            // `http://localhost:1@evil.example/` is evil.example: the host is after any `@`.
            let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
            let host = if authority.starts_with('[') {
                authority
                    .split(']')
                    .next()
                    .map(|h| format!("{h}]"))
                    .unwrap_or_default()
            } else {
                authority.split(':').next().unwrap_or("").to_owned()
            };
            matches!(host.as_str(), "localhost" | "127.0.0.1" | "[::1]")
        }
        _ => !rest.is_empty(),
    }
}

/// `custom_scopes`: the pool's resource-server scopes (`<identifier>/<ScopeName>`).
pub(super) fn validate_settings(
    s: &ClientSettings,
    pool: &UserPool,
    has_secret: bool,
    custom_scopes: &[String],
) -> Result<()> {
    let in_range =
        |value: Option<i64>, unit: Option<&str>, default_unit: &str, lo: i64, hi: i64| {
            value.is_none_or(|v| {
                let secs = v * unit_seconds(unit, default_unit);
                (lo..=hi).contains(&secs)
            })
        };
    let units = s.token_validity_units.clone().unwrap_or_default();
    if !in_range(
        s.access_token_validity,
        units.access_token.as_deref(),
        "hours",
        300,
        86400,
    ) || !in_range(
        s.id_token_validity,
        units.id_token.as_deref(),
        "hours",
        300,
        86400,
    ) || !in_range(
        Some(s.refresh_token_validity),
        units.refresh_token.as_deref(),
        "days",
        3600,
        315_360_000,
    ) {
        return Err(CognitoError::invalid_parameter(
            "Invalid range for token validity.",
        ));
    }
    let legacy = s
        .explicit_auth_flows
        .iter()
        .any(|f| !f.starts_with("ALLOW_"));
    let modern = s
        .explicit_auth_flows
        .iter()
        .any(|f| f.starts_with("ALLOW_"));
    if legacy && modern {
        return Err(CognitoError::invalid_parameter(
            "The provided ExplicitAuthFlows include both legacy and new flow names; use only one kind.",
        ));
    }
    for attr in s.read_attributes.iter().chain(&s.write_attributes) {
        if pool.schema_attribute(attr).is_none() {
            let which = if s.read_attributes.contains(attr) {
                "read"
            } else {
                "write"
            };
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid {which} attributes specified while creating a client"
            )));
        }
    }
    for url in s.callback_urls.iter().chain(&s.logout_urls) {
        if !redirect_url_allowed(url) {
            return Err(CognitoError::invalid_parameter(format!(
                "{url} is not a valid redirect URL: it must be absolute, without a fragment, and use HTTPS unless it is http://localhost."
            )));
        }
    }
    if let Some(d) = &s.default_redirect_uri
        && !s.callback_urls.contains(d)
    {
        return Err(CognitoError::invalid_parameter(
            "DefaultRedirectURI must be one of the CallbackURLs.",
        ));
    }
    let flows = &s.allowed_oauth_flows;
    if flows.iter().any(|f| f == "client_credentials") {
        if !has_secret {
            return Err(CognitoError::new(
                ErrorKind::InvalidOAuthFlow,
                "client_credentials flow can not be selected if client does not have a client secret.",
            ));
        }
        if flows.iter().any(|f| f != "client_credentials") {
            return Err(CognitoError::new(
                ErrorKind::InvalidOAuthFlow,
                "client_credentials flow can not be selected along with code flow or implicit flow.",
            ));
        }
    }
    if s.allowed_oauth_flows_user_pool_client {
        if flows.is_empty() {
            return Err(CognitoError::new(
                ErrorKind::InvalidOAuthFlow,
                "AllowedOAuthFlows are required when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        if s.allowed_oauth_scopes.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "AllowedOAuthScopes are required when AllowedOAuthFlowsUserPoolClient is true.",
            ));
        }
        if flows.iter().any(|f| f == "code" || f == "implicit") && s.callback_urls.is_empty() {
            return Err(CognitoError::invalid_parameter(
                "CallbackURLs are required for the code and implicit OAuth flows.",
            ));
        }
    }
    for scope in &s.allowed_oauth_scopes {
        if !STANDARD_SCOPES.contains(&scope.as_str()) && !custom_scopes.contains(scope) {
            return Err(CognitoError::new(
                ErrorKind::ScopeDoesNotExist,
                format!("Invalid scope requested: {scope}"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_urls() {
        assert!(redirect_url_allowed("http://localhost:5000/postlogin"));
        assert!(redirect_url_allowed("http://127.0.0.1/cb"));
        assert!(redirect_url_allowed("http://[::1]:8080/cb"));
        assert!(redirect_url_allowed("https://app.example.com/cb"));
        assert!(redirect_url_allowed("myapp://callback"));
        assert!(!redirect_url_allowed("http://example.com/cb"));
        assert!(!redirect_url_allowed("http://localhost.evil.com/cb"));
        assert!(!redirect_url_allowed("https://app.example.com/cb#frag"));
        assert!(!redirect_url_allowed("/relative"));
    }
}
