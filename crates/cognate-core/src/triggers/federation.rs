//! InboundFederation (AWS developer guide "Inbound federation Lambda trigger"): at a
//! federated sign-in, before the provider's attributes are mapped to the user, the function
//! sees what the provider said — its token response, the ID token's claims and userInfo, each
//! as a map of strings; a SAML provider's assertion attributes as `samlResponse` — and answers `userAttributesToMap`: the attributes to map instead
//! (omitted ones are dropped); an empty answer keeps the provider's.

use super::Event;
use crate::error::Result;
use crate::federation::StoredIdentityProvider;
use crate::federation::oidc::UpstreamUser;
use crate::pool::UserPool;
use crate::service::Cognito;
use serde_json::{Map, Value};

pub const EXTERNAL_PROVIDER: &str = "InboundFederation_ExternalProvider";

/// A map as the event carries it: every value a string (objects and lists as JSON text).
fn strings(map: &Map<String, Value>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Value::from(text))
            })
            .collect(),
    )
}

impl Cognito {
    /// The attributes to map for this sign-in: the provider's, or the function's answer.
    pub(crate) async fn inbound_federation(
        &self,
        pool: &UserPool,
        idp: &StoredIdentityProvider,
        user_name: &str,
        client_id: &str,
        upstream: &UpstreamUser,
    ) -> Result<Map<String, Value>> {
        let mut attributes = Map::new();
        if idp.provider_type == "SAML" {
            // A SAML provider's attributes, each value as it came (several joined by ",").
            attributes.insert("samlResponse".into(), strings(&upstream.claims));
        } else {
            attributes.insert("tokenResponse".into(), strings(&upstream.token_response));
            attributes.insert("idToken".into(), strings(&upstream.id_token));
            attributes.insert("userInfo".into(), strings(&upstream.user_info));
        }
        let mut request = Map::new();
        request.insert(
            "providerName".into(),
            Value::from(idp.provider_name.as_str()),
        );
        request.insert(
            "providerType".into(),
            Value::from(idp.provider_type.as_str()),
        );
        request.insert("attributes".into(), Value::Object(attributes));
        let Some(response) = self
            .run_trigger(Event {
                pool,
                version: "1",
                trigger: "InboundFederation",
                source: EXTERNAL_PROVIDER,
                user_name,
                client_id: Some(client_id),
                request,
            })
            .await?
        else {
            return Ok(upstream.claims.clone());
        };
        match response
            .get("userAttributesToMap")
            .and_then(Value::as_object)
        {
            Some(map) if !map.is_empty() => Ok(map.clone()),
            _ => Ok(upstream.claims.clone()),
        }
    }
}
