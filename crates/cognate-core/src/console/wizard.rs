//! The console's create-pool wizard: the setup guide's five steps (sign-in experience,
//! security requirements, sign-up experience, message delivery, integrate your app), then
//! Review and Create. `PoolDraft` holds the choices as typed; `requests` turns them into the
//! API calls the AWS console makes — CreateUserPool, SetUserPoolMfaConfig,
//! CreateUserPoolClient, CreateUserPoolDomain — so every value is checked by the API's own
//! rules; `field_of` places an API error next to the field it is about.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The wizard's steps, in the guide's order; 6 is Review.
pub const STEPS: [&str; 6] = [
    "Configure sign-in experience",
    "Configure security requirements",
    "Configure sign-up experience",
    "Configure message delivery",
    "Integrate your app",
    "Review and create",
];

/// Identity provider types (Cognito's `IdentityProviderTypeType`).
pub const PROVIDER_TYPES: [&str; 6] = [
    "Google",
    "Facebook",
    "LoginWithAmazon",
    "SignInWithApple",
    "OIDC",
    "SAML",
];

/// Attributes a pool may require at sign-up (standard attributes, OpenID Connect Core §5.1).
pub const REQUIRABLE: [&str; 8] = [
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "birthdate",
    "address",
];

/// The choices of the wizard so far, as typed (numbers stay text until the API reads them).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PoolDraft {
    // 1. Sign-in experience.
    pub sign_in_username: bool,
    pub sign_in_email: bool,
    pub sign_in_phone: bool,
    /// Federated identity provider sign-in: one provider made with the pool.
    pub federated: bool,
    pub provider_name: String,
    /// Cognito's `ProviderType`: `Google`, `Facebook`, `LoginWithAmazon`, `SignInWithApple`,
    /// `OIDC` or `SAML`.
    pub provider_type: String,
    /// `ProviderDetails`, one `key=value` per line.
    pub provider_details: String,
    /// `AttributeMapping`, one `pool attribute=provider attribute` per line.
    pub provider_mapping: String,
    // 2. Security requirements.
    /// `cognito` (Cognito's defaults) or `custom`.
    pub password_policy: String,
    pub min_length: String,
    pub require_numbers: bool,
    pub require_symbols: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub temporary_password_days: String,
    /// `ON` (required), `OPTIONAL` or `OFF`.
    pub mfa: String,
    pub mfa_totp: bool,
    pub mfa_sms: bool,
    pub self_service_recovery: bool,
    // 3. Sign-up experience.
    pub self_registration: bool,
    /// `email`, `phone_number` or `none`: what Cognito sends a code to verify.
    pub verify: String,
    pub required: Vec<String>,
    pub custom_attribute: String,
    /// `String` or `Number`.
    pub custom_type: String,
    // 4. Message delivery.
    pub from_email: String,
    // 5. Integrate your app.
    pub pool_name: String,
    pub hosted_ui: bool,
    pub domain: String,
    /// `confidential` or `public`.
    pub client_type: String,
    pub client_name: String,
    pub generate_secret: bool,
    /// One URL per line.
    pub callback_urls: String,
    pub sign_out_urls: String,
    pub access_token_minutes: String,
    pub id_token_minutes: String,
    pub refresh_token_days: String,
    /// Random, set when the wizard starts: Create is taken once per draft (a second press or
    /// a reload does not make a second pool).
    pub nonce: String,
}

impl Default for PoolDraft {
    /// What the AWS console starts with.
    fn default() -> Self {
        Self {
            sign_in_username: true,
            sign_in_email: false,
            sign_in_phone: false,
            federated: false,
            provider_name: String::new(),
            provider_type: "OIDC".into(),
            provider_details: String::new(),
            provider_mapping: String::new(),
            password_policy: "cognito".into(),
            min_length: "8".into(),
            require_numbers: true,
            require_symbols: true,
            require_uppercase: true,
            require_lowercase: true,
            temporary_password_days: "7".into(),
            mfa: "OFF".into(),
            mfa_totp: true,
            mfa_sms: false,
            self_service_recovery: true,
            self_registration: true,
            verify: "email".into(),
            required: vec!["email".into()],
            custom_attribute: String::new(),
            custom_type: "String".into(),
            from_email: String::new(),
            pool_name: String::new(),
            hosted_ui: true,
            domain: String::new(),
            client_type: "confidential".into(),
            client_name: String::new(),
            generate_secret: true,
            callback_urls: String::new(),
            sign_out_urls: String::new(),
            access_token_minutes: "60".into(),
            id_token_minutes: "60".into(),
            refresh_token_days: "30".into(),
            nonce: String::new(),
        }
    }
}

/// A number as typed, for the API to judge (text it cannot read stays text, and is refused
/// there with its message).
pub fn number(text: &str) -> Value {
    match text.trim().parse::<i64>() {
        Ok(n) => json!(n),
        Err(_) => json!(text.trim()),
    }
}

/// `key=value` lines as a JSON object of strings (blank lines and lines without `=` skipped).
pub fn key_values(text: &str) -> Map<String, Value> {
    text.lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), Value::from(v.trim())))
        .filter(|(k, _)| !k.is_empty())
        .collect()
}

fn lines(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
}

/// The calls that make what the draft describes.
pub struct Requests {
    pub create_user_pool: Value,
    /// SetUserPoolMfaConfig (without `UserPoolId`), when MFA is on or optional.
    pub mfa_config: Option<Value>,
    /// CreateIdentityProvider (without `UserPoolId`), with federated sign-in.
    pub create_provider: Option<Value>,
    /// CreateUserPoolClient (without `UserPoolId`).
    pub create_client: Value,
    /// CreateUserPoolDomain (without `UserPoolId`), with the hosted UI and a domain.
    pub create_domain: Option<Value>,
}

impl PoolDraft {
    /// The console's own rule, before any call: at least one way to sign in.
    pub fn sign_in_error(&self) -> Option<&'static str> {
        let none = !(self.sign_in_username || self.sign_in_email || self.sign_in_phone);
        none.then_some("Select at least one sign-in option.")
    }

    pub fn requests(&self) -> Requests {
        let mut attributes = Vec::new();
        if self.sign_in_email {
            attributes.push("email");
        }
        if self.sign_in_phone {
            attributes.push("phone_number");
        }
        let mut pool = json!({
            "PoolName": self.pool_name.trim(),
            "MfaConfiguration": "OFF",
            "UsernameConfiguration": {"CaseSensitive": false},
            "AdminCreateUserConfig": {"AllowAdminCreateUserOnly": !self.self_registration},
        });
        match (self.sign_in_username, attributes.is_empty()) {
            (_, true) => {}
            (true, false) => pool["AliasAttributes"] = json!(attributes),
            (false, false) => pool["UsernameAttributes"] = json!(attributes),
        }
        if self.password_policy == "custom" {
            pool["Policies"] = json!({"PasswordPolicy": {
                "MinimumLength": number(&self.min_length),
                "RequireNumbers": self.require_numbers,
                "RequireSymbols": self.require_symbols,
                "RequireUppercase": self.require_uppercase,
                "RequireLowercase": self.require_lowercase,
                "TemporaryPasswordValidityDays": number(&self.temporary_password_days),
            }});
        }
        let recovery = match (self.self_service_recovery, self.verify.as_str()) {
            (false, _) => json!([{"Priority": 1, "Name": "admin_only"}]),
            (true, "phone_number") => json!([{"Priority": 1, "Name": "verified_phone_number"}]),
            (true, _) => json!([{"Priority": 1, "Name": "verified_email"}]),
        };
        pool["AccountRecoverySetting"] = json!({"RecoveryMechanisms": recovery});
        if self.verify != "none" {
            pool["AutoVerifiedAttributes"] = json!([self.verify]);
        }
        let mut schema: Vec<Value> = self
            .required
            .iter()
            .filter(|a| REQUIRABLE.contains(&a.as_str()))
            .map(|a| json!({"Name": a, "AttributeDataType": "String", "Required": true, "Mutable": true}))
            .collect();
        if !self.custom_attribute.trim().is_empty() {
            schema.push(json!({
                "Name": self.custom_attribute.trim(),
                "AttributeDataType": self.custom_type,
                "Mutable": true,
            }));
        }
        if !schema.is_empty() {
            pool["Schema"] = json!(schema);
        }
        let mut email = json!({"EmailSendingAccount": "COGNITO_DEFAULT"});
        if !self.from_email.trim().is_empty() {
            email["From"] = json!(self.from_email.trim());
        }
        pool["EmailConfiguration"] = email;
        let mfa_config = (self.mfa != "OFF").then(|| {
            let mut config = json!({
                "MfaConfiguration": self.mfa,
                "SoftwareTokenMfaConfiguration": {"Enabled": self.mfa_totp},
            });
            if self.mfa_sms {
                // Codes go through the SMS sender Cognate is configured with.
                config["SmsMfaConfiguration"] =
                    json!({"SmsAuthenticationMessage": "Your authentication code is {####}. "});
            }
            config
        });
        let confidential = self.client_type == "confidential";
        let mut client = json!({
            "ClientName": self.client_name.trim(),
            "GenerateSecret": confidential && self.generate_secret,
            "ExplicitAuthFlows": ["ALLOW_REFRESH_TOKEN_AUTH", "ALLOW_USER_SRP_AUTH"],
            "AccessTokenValidity": number(&self.access_token_minutes),
            "IdTokenValidity": number(&self.id_token_minutes),
            "RefreshTokenValidity": number(&self.refresh_token_days),
            "TokenValidityUnits": {"AccessToken": "minutes", "IdToken": "minutes", "RefreshToken": "days"},
            "SupportedIdentityProviders": ["COGNITO"],
            "PreventUserExistenceErrors": "ENABLED",
        });
        let create_provider = self.federated.then(|| {
            json!({
                "ProviderName": self.provider_name.trim(),
                "ProviderType": self.provider_type,
                "ProviderDetails": key_values(&self.provider_details),
                "AttributeMapping": key_values(&self.provider_mapping),
            })
        });
        if self.federated {
            client["SupportedIdentityProviders"] = json!(["COGNITO", self.provider_name.trim()]);
        }
        if self.hosted_ui {
            client["AllowedOAuthFlowsUserPoolClient"] = json!(true);
            client["AllowedOAuthFlows"] = json!(["code"]);
            client["AllowedOAuthScopes"] = json!(["openid", "email", "phone", "profile"]);
            client["CallbackURLs"] = json!(lines(&self.callback_urls));
            let sign_out = lines(&self.sign_out_urls);
            if !sign_out.is_empty() {
                client["LogoutURLs"] = json!(sign_out);
            }
        }
        let domain = self.domain.trim();
        Requests {
            create_user_pool: pool,
            mfa_config,
            create_provider,
            create_client: client,
            create_domain: (self.hosted_ui && !domain.is_empty())
                .then(|| json!({"Domain": domain})),
        }
    }

    /// The step and field an API error is about (`None`: the form as a whole). `operation`
    /// is the call that failed.
    pub fn field_of(&self, operation: &str, message: &str) -> (usize, Option<&'static str>) {
        let m = message.to_ascii_lowercase();
        let has = |needle: &str| m.contains(&needle.to_ascii_lowercase());
        match operation {
            "CreateUserPoolDomain" => (5, Some("domain")),
            "CreateIdentityProvider" if has("providername") || has("provider name") => {
                (1, Some("provider_name"))
            }
            "CreateIdentityProvider" => (1, Some("provider_details")),
            "SetUserPoolMfaConfig" => (2, Some("mfa")),
            "CreateUserPoolClient" => {
                let callback = lines(&self.callback_urls)
                    .iter()
                    .any(|u| message.contains(u));
                let field = if has("clientname") {
                    "client_name"
                } else if has("accesstoken") {
                    "access_token_minutes"
                } else if has("idtoken") {
                    "id_token_minutes"
                } else if has("refreshtoken") || has("token validity") {
                    "refresh_token_days"
                } else if has("logout") || (has("redirect url") && !callback) {
                    "sign_out_urls"
                } else {
                    "callback_urls"
                };
                (5, Some(field))
            }
            _ if has("minimumlength") || has("minimum length") => (2, Some("min_length")),
            _ if has("temporarypasswordvaliditydays") => (2, Some("temporary_password_days")),
            _ if has("poolname") => (5, Some("pool_name")),
            _ if has("schema") || has("attribute") => (3, Some("custom_attribute")),
            _ if has("email") || has("from") => (4, Some("from_email")),
            _ => (6, None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_guides_choices_become_the_consoles_calls() {
        let draft = PoolDraft {
            sign_in_email: true,
            mfa: "OPTIONAL".into(),
            pool_name: "seed".into(),
            domain: "seed-auth".into(),
            client_name: "seed-app".into(),
            callback_urls: "http://localhost:5000/postlogin\n".into(),
            sign_out_urls: "http://localhost:5000/postlogout".into(),
            ..Default::default()
        };
        let r = draft.requests();
        assert_eq!(r.create_user_pool["AliasAttributes"], json!(["email"]));
        assert_eq!(
            r.create_user_pool["AutoVerifiedAttributes"],
            json!(["email"])
        );
        assert_eq!(r.create_client["GenerateSecret"], json!(true));
        assert_eq!(
            r.create_client["CallbackURLs"],
            json!(["http://localhost:5000/postlogin"])
        );
        assert_eq!(r.create_client["AccessTokenValidity"], json!(60));
        assert_eq!(r.create_domain, Some(json!({"Domain": "seed-auth"})));
        assert_eq!(
            r.mfa_config.unwrap()["SoftwareTokenMfaConfiguration"]["Enabled"],
            json!(true)
        );
        assert_eq!(
            draft.field_of("CreateUserPool", "1 validation error detected: Value '3' at 'policies.passwordPolicy.minimumLength' failed to satisfy constraint"),
            (2, Some("min_length"))
        );
    }
}
