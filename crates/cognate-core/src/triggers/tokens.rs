//! PreTokenGeneration (AWS developer guide "Pre token generation Lambda trigger"): before
//! tokens are signed, the function sees the user, their groups and (V2) the scopes, and may
//! add, override or suppress claims and override the groups. V1 (`PreTokenGeneration`, or
//! `PreTokenGenerationConfig` `V1_0`) answers `claimsOverrideDetails`, which touches the ID
//! token (and the groups of both); V2 (`V2_0`) answers `claimsAndScopeOverrideDetails`, with
//! `idTokenGeneration` and `accessTokenGeneration` (claims, `scopesToAdd`,
//! `scopesToSuppress`). V3 (`V3_0`) is V2 that also runs for machine-to-machine tokens of
//! the `client_credentials` grant (`TokenGeneration_ClientCredentials`: no user, so no
//! attributes or groups, and only the access token's answer applies). Claims that identify
//! or bound the token (`sub`, `iss`, `exp`, ...) cannot be changed: such entries are
//! ignored, as Cognito does.

use super::{Event, user_attributes};
use crate::error::Result;
use crate::group::Group;
use crate::service::Cognito;
use crate::tokens::Issue;
use serde_json::{Map, Value, json};

pub const AUTHENTICATION: &str = "TokenGeneration_Authentication";
pub const HOSTED_AUTH: &str = "TokenGeneration_HostedAuth";
pub const REFRESH_TOKENS: &str = "TokenGeneration_RefreshTokens";
pub const NEW_PASSWORD_CHALLENGE: &str = "TokenGeneration_NewPasswordChallenge";
pub const AUTHENTICATE_DEVICE: &str = "TokenGeneration_AuthenticateDevice";
pub const CLIENT_CREDENTIALS: &str = "TokenGeneration_ClientCredentials";
/// The `userName` of a machine-to-machine event, which has no user.
const CLIENT_CREDENTIALS_USER: &str = "ClientCredentials";

/// Claims no trigger may add, override or suppress.
const PROTECTED: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "c_hash",
    "client_id",
    "cognito:username",
    "device_key",
    "event_id",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "scope",
    "sub",
    "token_use",
    "username",
    "version",
];

/// The configured version: 1, 2 or 3.
fn version(pool: &crate::pool::UserPool) -> u8 {
    match pool
        .lambda_config
        .get("PreTokenGenerationConfig")
        .and_then(|c| c.get("LambdaVersion"))
        .and_then(Value::as_str)
    {
        Some("V3_0") => 3,
        Some("V2_0") => 2,
        _ => 1,
    }
}

fn version_label(version: u8) -> &'static str {
    match version {
        3 => "3",
        2 => "2",
        _ => "1",
    }
}

fn scope_list(scope: &str) -> Vec<&str> {
    scope.split(' ').filter(|s| !s.is_empty()).collect()
}

/// Adds or overrides, then suppresses, the claims a trigger asked for in `token`.
fn apply_claims(token: &mut Map<String, Value>, generation: Option<&Value>) {
    let Some(generation) = generation else { return };
    if let Some(Value::Object(add)) = generation.get("claimsToAddOrOverride") {
        for (name, value) in add {
            if !PROTECTED.contains(&name.as_str()) && !name.starts_with("cognito:") {
                token.insert(name.clone(), value.clone());
            }
        }
    }
    if let Some(Value::Array(suppress)) = generation.get("claimsToSuppress") {
        for name in suppress.iter().filter_map(Value::as_str) {
            if !PROTECTED.contains(&name) {
                token.remove(name);
            }
        }
    }
}

/// The access token's `scope`, with the trigger's additions and suppressions.
fn apply_scopes(access: &mut Map<String, Value>, generation: Option<&Value>) {
    let Some(generation) = generation else { return };
    let mut scopes: Vec<String> = access
        .get("scope")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .split(' ')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    let names = |key: &str| -> Vec<String> {
        generation
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect()
    };
    for scope in names("scopesToAdd") {
        // Never the self-service scope (it would open the user's own operations to a token
        // that was not granted them), never several scopes in one string.
        let plain = !scope.is_empty() && !scope.contains(char::is_whitespace);
        if plain && scope != crate::tokens::ADMIN_SCOPE && !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    let suppressed = names("scopesToSuppress");
    scopes.retain(|s| !suppressed.contains(s));
    access.insert("scope".into(), Value::from(scopes.join(" ")));
}

/// `groupOverrideDetails`: the groups of both tokens, the roles of the ID token.
fn apply_groups(
    id: &mut Map<String, Value>,
    access: &mut Map<String, Value>,
    details: Option<&Value>,
) {
    let Some(details) = details.filter(|d| d.is_object()) else {
        return;
    };
    if let Some(groups) = details.get("groupsToOverride").filter(|g| g.is_array()) {
        for token in [&mut *id, &mut *access] {
            if groups.as_array().is_some_and(Vec::is_empty) {
                token.remove("cognito:groups");
            } else {
                token.insert("cognito:groups".into(), groups.clone());
            }
        }
    }
    if let Some(roles) = details.get("iamRolesToOverride").filter(|r| r.is_array()) {
        id.insert("cognito:roles".into(), roles.clone());
    }
    if let Some(role) = details.get("preferredRole").filter(|r| r.is_string()) {
        id.insert("cognito:preferred_role".into(), role.clone());
    }
}

impl Cognito {
    /// Runs the pool's PreTokenGeneration function, if any, on tokens about to be signed.
    pub(crate) async fn pre_token_generation(
        &self,
        t: &Issue<'_>,
        groups: &[Group],
        id: &mut Map<String, Value>,
        access: &mut Map<String, Value>,
    ) -> Result<()> {
        if self.trigger_arn(t.pool, "PreTokenGeneration").is_none() {
            return Ok(());
        }
        let version = version(t.pool);
        let mut request = Map::new();
        request.insert(
            "userAttributes".into(),
            Value::Object(user_attributes(t.user)),
        );
        let roles: Vec<&str> = groups
            .iter()
            .filter_map(|g| g.role_arn.as_deref())
            .collect();
        request.insert(
            "groupConfiguration".into(),
            json!({
                "groupsToOverride": groups.iter().map(|g| g.group_name.as_str()).collect::<Vec<_>>(),
                "iamRolesToOverride": roles,
                "preferredRole": id.get("cognito:preferred_role").cloned().unwrap_or(Value::Null),
            }),
        );
        if version >= 2 {
            request.insert("scopes".into(), json!(scope_list(t.scope)));
        }
        request.insert("clientMetadata".into(), Value::Null);
        let Some(response) = self
            .run_trigger(Event {
                pool: t.pool,
                version: version_label(version),
                trigger: "PreTokenGeneration",
                source: t.source,
                user_name: &t.user.username,
                client_id: Some(t.client.client_id()),
                request,
            })
            .await?
        else {
            return Ok(());
        };
        if version >= 2 {
            let Some(details) = response.get("claimsAndScopeOverrideDetails") else {
                return Ok(());
            };
            apply_claims(id, details.get("idTokenGeneration"));
            let access_generation = details.get("accessTokenGeneration");
            apply_claims(access, access_generation);
            apply_scopes(access, access_generation);
            apply_groups(id, access, details.get("groupOverrideDetails"));
        } else if let Some(details) = response.get("claimsOverrideDetails") {
            apply_claims(id, Some(details));
            apply_groups(id, access, details.get("groupOverrideDetails"));
        }
        Ok(())
    }

    /// Runs a V3 PreTokenGeneration function on a machine-to-machine access token (the
    /// `client_credentials` grant) about to be signed: the event has no user, the client's
    /// scopes, the token request's `aws_client_metadata` as `clientMetadata`, and only
    /// `accessTokenGeneration` applies. V1 and V2 functions are not run for these tokens, as
    /// in Cognito.
    pub(crate) async fn pre_token_generation_m2m(
        &self,
        pool: &crate::pool::UserPool,
        client: &crate::client::AppClient,
        access: &mut Map<String, Value>,
        client_metadata: Option<Map<String, Value>>,
    ) -> Result<()> {
        if version(pool) != 3 || self.trigger_arn(pool, "PreTokenGeneration").is_none() {
            return Ok(());
        }
        let scope = access
            .get("scope")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let mut request = Map::new();
        request.insert("userAttributes".into(), json!({}));
        request.insert("groupConfiguration".into(), Value::Null);
        request.insert("scopes".into(), json!(scope_list(&scope)));
        // The token endpoint's `aws_client_metadata`; `{}` when none (so the event's envelope
        // does not look for an API request's ClientMetadata).
        request.insert(
            "clientMetadata".into(),
            Value::Object(client_metadata.unwrap_or_default()),
        );
        let Some(response) = self
            .run_trigger(Event {
                pool,
                version: version_label(3),
                trigger: "PreTokenGeneration",
                source: CLIENT_CREDENTIALS,
                user_name: CLIENT_CREDENTIALS_USER,
                client_id: Some(client.client_id()),
                request,
            })
            .await?
        else {
            return Ok(());
        };
        let generation = response
            .get("claimsAndScopeOverrideDetails")
            .and_then(|d| d.get("accessTokenGeneration"));
        apply_claims(access, generation);
        apply_scopes(access, generation);
        Ok(())
    }
}
