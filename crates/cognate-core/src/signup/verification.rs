//! Verifying `email` and `phone_number` (AWS API reference: GetUserAttributeVerificationCode,
//! VerifyUserAttribute, UpdateUserAttributes; REFERENCE.md §8): a changed auto-verified
//! attribute gets a 24-hour code; with `UserAttributeUpdateSettings.
//! AttributesRequireVerificationBeforeUpdate` the old value stays (still verified) until the
//! code for the new one is given.

use super::CodeDeliveryResponse;
use super::codes::{Cap, Purpose};
use crate::error::{CognitoError, Result};
use crate::messaging::{CodeDeliveryDetails, Medium, templates};
use crate::pool::UserPool;
use crate::service::Cognito;
use crate::user::{Attribute, User, Writer, check_writes};
use serde_json::Value;

/// Attributes whose new value waits for verification before it replaces the old one.
fn verify_before_update(pool: &UserPool) -> Vec<String> {
    pool.settings
        .get("UserAttributeUpdateSettings")
        .and_then(|s| s.get("AttributesRequireVerificationBeforeUpdate"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn auto_verified(pool: &UserPool, attribute: &str) -> bool {
    pool.auto_verified_attributes.iter().any(|a| a == attribute)
}

/// A verification code whose message is written (CustomMessage has answered), not yet stored.
struct PreparedCode {
    record: super::codes::CodeRecord,
    sealed_message: crate::messaging::OutboxRecord,
    details: CodeDeliveryDetails,
}

impl Cognito {
    /// Issues a verification code for `attribute`, to `to` (its new value when `pending`),
    /// and writes its message; nothing is stored yet, so a CustomMessage refusal leaves no
    /// trace.
    async fn prepare_verification_code(
        &self,
        pool: &UserPool,
        client: Option<&crate::client::AppClient>,
        user: &User,
        (medium, to): (Medium, &str),
        pending: Option<String>,
        source: &'static str,
    ) -> Result<PreparedCode> {
        let purpose = Purpose::verify(medium.attribute()).expect("email or phone_number");
        let (record, code) = self.issue_code(user, purpose, pending);
        let message = templates::code_message(pool, medium, to, &code);
        let secrets = crate::triggers::messages::Secrets {
            code: &code,
            link: None,
            username: None,
        };
        let message = self
            .custom_message(
                pool,
                client.map(|c| c.client_id()),
                user,
                source,
                message,
                secrets,
            )
            .await?;
        Ok(PreparedCode {
            record,
            sealed_message: self.seal_message(&message),
            details: CodeDeliveryDetails::new(medium, to),
        })
    }

    /// Stores a prepared code and queues its message.
    async fn store_code(&self, prepared: PreparedCode) -> Result<CodeDeliveryDetails> {
        self.store
            .put_code(&prepared.record, Some(&prepared.sealed_message))
            .await?;
        self.outbox_ready.notify_one();
        Ok(prepared.details)
    }

    /// Issues a verification code and queues its message.
    async fn send_verification_code(
        &self,
        pool: &UserPool,
        user: &User,
        medium: Medium,
        to: &str,
        pending: Option<String>,
        source: &'static str,
    ) -> Result<CodeDeliveryDetails> {
        let prepared = self
            .prepare_verification_code(pool, None, user, (medium, to), pending, source)
            .await?;
        self.store_code(prepared).await
    }

    /// UpdateUserAttributes and AdminUpdateUserAttributes: writes the attributes (through the
    /// writer's permission), holds back new values that must be verified first, and sends
    /// codes for changed auto-verified attributes (unless the same call marks them verified,
    /// which only an administrator may). Returns where codes went.
    pub(crate) async fn update_attributes_verified(
        &self,
        pool: &UserPool,
        writer: Writer<'_>,
        user: User,
        attributes: &[Attribute],
    ) -> Result<Vec<CodeDeliveryDetails>> {
        let held_back = verify_before_update(pool);
        let marked_verified = |name: &str| {
            attributes.iter().any(|a| {
                a.name == format!("{name}_verified") && a.value.eq_ignore_ascii_case("true")
            })
        };
        let mut codes: Vec<(Medium, String, bool)> = Vec::new();
        let mut now: Vec<Attribute> = Vec::new();
        for a in attributes {
            let medium = Medium::of_attribute(&a.name);
            let changed = user.attr(&a.name) != Some(a.value.as_str());
            match medium {
                Some(m) if changed && auto_verified(pool, &a.name) && !marked_verified(&a.name) => {
                    let wait = held_back.contains(&a.name) && user.attr(&a.name).is_some();
                    codes.push((m, a.value.clone(), wait));
                    if !wait {
                        now.push(a.clone());
                    }
                }
                _ => now.push(a.clone()),
            }
        }
        // Held-back values meet the same permission and schema checks now.
        let waiting: Vec<Attribute> = codes
            .iter()
            .filter(|(_, _, wait)| *wait)
            .map(|(m, v, _)| Attribute::new(m.attribute(), v))
            .collect();
        if let Writer::Client(client) = writer {
            crate::user::check_client_writes(client, waiting.iter().map(|a| a.name.as_str()))?;
        }
        check_writes(pool, &waiting, false)?;
        // The attributes checked and applied in memory, then the messages (CustomMessage may
        // refuse; it sees the attributes as they will be), then the writes.
        let preview = self.apply_attributes(pool, writer, user, &now)?;
        // The user's own change names its app client to CustomMessage (callerContext).
        let client = match writer {
            Writer::Client(client) => Some(client),
            Writer::Admin => None,
        };
        let mut prepared = Vec::with_capacity(codes.len());
        for (medium, value, wait) in codes {
            let pending = wait.then(|| value.clone());
            prepared.push(
                self.prepare_verification_code(
                    pool,
                    client,
                    &preview,
                    (medium, &value),
                    pending,
                    crate::triggers::messages::UPDATE_USER_ATTRIBUTE,
                )
                .await?,
            );
        }
        self.store_attributes(pool, &preview).await?;
        let mut delivered = Vec::with_capacity(prepared.len());
        for p in prepared {
            delivered.push(self.store_code(p).await?);
        }
        Ok(delivered)
    }

    pub async fn get_user_attribute_verification_code(
        &self,
        access_token: &str,
        attribute: &str,
    ) -> Result<CodeDeliveryResponse> {
        let (claims, user) = self.authorize_self_service(access_token).await?;
        let pool = self.pool_of(&claims).await?;
        let Some(medium) = Medium::of_attribute(attribute) else {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid attribute name: {attribute} cannot be verified."
            )));
        };
        self.within_cap(
            &pool.id,
            &user.username_key,
            Cap::GetUserAttributeVerificationCode,
        )
        .await?;
        let purpose = Purpose::verify(attribute).expect("email or phone_number");
        // A value waiting for verification is the one to verify.
        let pending = self
            .store
            .get_code(&pool.id, &user.username_key, purpose.key())
            .await?
            .and_then(|c| c.pending_value);
        let to = match (&pending, user.attr(attribute)) {
            (Some(p), _) => p.clone(),
            (None, Some(v)) => v.to_owned(),
            (None, None) => {
                return Err(CognitoError::invalid_parameter(format!(
                    "The user has no {attribute} to verify."
                )));
            }
        };
        let details = self
            .send_verification_code(
                &pool,
                &user,
                medium,
                &to,
                pending,
                crate::triggers::messages::VERIFY_USER_ATTRIBUTE,
            )
            .await?;
        Ok(CodeDeliveryResponse {
            code_delivery_details: details,
        })
    }

    pub async fn verify_user_attribute(
        &self,
        access_token: &str,
        attribute: &str,
        code: &str,
    ) -> Result<()> {
        let (claims, mut user) = self.authorize_self_service(access_token).await?;
        let pool = self.pool_of(&claims).await?;
        let Some(purpose) = Purpose::verify(attribute) else {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid attribute name: {attribute} cannot be verified."
            )));
        };
        self.within_cap(&pool.id, &user.username_key, Cap::VerifyUserAttribute)
            .await?;
        let spent = self.spend_verification_code(&user, purpose, code).await?;
        if let Some(value) = spent.pending_value {
            user.set_attr(attribute, &value);
        }
        user.set_attr(&format!("{attribute}_verified"), "true");
        user.modified = self.clock.now();
        // A newly verified alias may be taken by another user's verified one.
        self.claim_aliases(&pool, &user, false).await?;
        self.store.update_user(&user).await?;
        Ok(())
    }
}
